// Package demo turns the provider template library into a believable
// history of captured events for demo mode, so the window can be shown to
// customers without any provider pointing at it.
package demo
