//go:build race

package main

// raceEnabled: the race detector's shadow memory counts as the process's
// own, so memory bounds are not asserted under it.
const raceEnabled = true
