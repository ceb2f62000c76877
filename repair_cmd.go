package main

import (
	"fmt"
	"io"

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
	dir, err := dataDir(c.data)
	if err != nil {
		return err
	}
	rep, err := store.Repair(dir)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, rep.String())
	return nil
}
