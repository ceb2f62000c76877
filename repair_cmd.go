package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/hooklens/hooklens/store"
)

// cmdRepair copies every readable record of a damaged hooklens.db into a
// fresh file and keeps the damaged one beside it.
func cmdRepair(args []string, stdout, stderr io.Writer) error {
	c := newFlags("repair", stderr)
	c.fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: hooklens repair [--data DIR]")
		fmt.Fprintln(stderr, "Checks hooklens.db; if it is damaged, copies every readable record into a fresh file and keeps the damaged one as hooklens.db.damaged-<time>. Close Hooklens first.")
		c.fs.PrintDefaults()
	}
	if err := c.parse(args); err != nil {
		return err
	}
	dir := c.data
	if dir == "" {
		d, err := store.DefaultDir()
		if err != nil {
			return fmt.Errorf("no user config directory to keep data in: pass --data DIR: %w", err)
		}
		dir = d
	}
	rep, err := store.Repair(dir)
	if err != nil {
		return err
	}
	if rep.Healthy {
		fmt.Fprintf(stdout, "%s passed every check: nothing to repair\n", rep.Path)
		return nil
	}
	fmt.Fprintf(stdout, "%s was damaged (%s)\n", rep.Path, rep.Problem)
	fmt.Fprintf(stdout, "repaired: %d event(s) saved", rep.EventsSaved)
	if rep.EventsPartial > 0 {
		fmt.Fprintf(stdout, ", %d saved without their headers or body", rep.EventsPartial)
	}
	fmt.Fprintf(stdout, ", %d lost; %d other record(s) saved", rep.EventsLost, rep.RecordsSaved)
	if rep.RecordsLost > 0 {
		fmt.Fprintf(stdout, ", %d lost", rep.RecordsLost)
	}
	fmt.Fprintln(stdout)
	if len(rep.Incomplete) > 0 {
		fmt.Fprintf(stdout, "unreadable past a damaged page (more may be lost): %s\n", strings.Join(rep.Incomplete, ", "))
	}
	fmt.Fprintf(stdout, "the damaged file is kept as %s\n", filepath.Base(rep.DamagedPath))
	return nil
}
