package main

import (
	"context"

	"github.com/hooklens/hooklens/store"
)

// windowCompact gives the window's Settings the store's Compact (the same
// rewrite `hooklens compact` runs), while this Hooklens holds the file.
type windowCompact struct{ st *store.Store }

func (c windowCompact) Reclaimable() (int64, int64, error) { return c.st.Reclaimable() }

func (c windowCompact) Compact(ctx context.Context, progress func(done, total int64)) (string, error) {
	rep, err := c.st.Compact(ctx, progress)
	if err != nil {
		return "", err
	}
	return rep.String(), nil
}
