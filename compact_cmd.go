package main

import (
	"fmt"
	"io"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/api"
	"github.com/hooklens/hooklens/store"
)

// cmdCompact rewrites hooklens.db without the free pages bbolt keeps after
// deletes and pruning, with progress on standard error. It needs the file
// to itself: while a window or `listen` has it open, it says so (the
// window's Settings has the same action).
func cmdCompact(args []string, stdout, stderr io.Writer) error {
	c := newFlags("compact", stderr)
	if err := c.parse(args); err != nil {
		return err
	}
	dir, err := dataDir(c.data)
	if err != nil {
		return err
	}
	if _, err := api.Dial(dir); err == nil {
		return fmt.Errorf("a Hooklens is running on %s: use Reclaim disk space in its Settings, or stop it and run compact again", dir)
	}
	st, err := store.Open(dir)
	if err != nil {
		return err
	}
	defer st.Close()
	size, free, err := st.Reclaimable()
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "compacting %s (%s, about %s free)…\n", st.Path(), app.HumanSize(size), app.HumanSize(free))
	ctx, cancel := signalContext()
	defer cancel()
	last := time.Now()
	rep, err := st.Compact(ctx, func(done, total int64) {
		if time.Since(last) >= time.Second {
			last = time.Now()
			fmt.Fprintf(stderr, "%d%%…\n", done*100/max(total, 1))
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, rep)
	return nil
}
