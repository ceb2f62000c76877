package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hooklens/hooklens/app/exchange"
)

func cmdImport(args []string, stdout, stderr io.Writer) error {
	c := newFlags("import", stderr)
	format := c.fs.String("format", "", "har, jsonl, curl or raw (default: detected)")
	// The file comes first or last: hooklens import FILE [--format F].
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if err := c.fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if file == "" && c.fs.NArg() == 1 {
		file = c.fs.Arg(0)
	} else if c.fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, c.fs.Arg(0))
	}
	if file == "" {
		return fmt.Errorf("%w: name the file to import ('-' reads standard input)", errUsage)
	}
	if *format != "" && !contains(exchange.Formats, *format) {
		return fmt.Errorf("%w: --format must be one of %s", errUsage, strings.Join(exchange.Formats, ", "))
	}
	var data []byte
	var err error
	source, dir := filepath.Base(file), filepath.Dir(file)
	if file == "-" {
		data, err = io.ReadAll(os.Stdin)
		source, dir = "stdin", ""
	} else {
		data, err = os.ReadFile(file)
	}
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", file, err)
	}
	f, events, err := exchange.Parse(data, exchange.ParseOptions{Format: *format, Dir: dir})
	if err != nil {
		return fmt.Errorf("%s: nothing was imported: %w", file, err)
	}
	b, done, err := c.backend()
	if err != nil {
		return err
	}
	defer done()
	ctx, cancel := signalContext()
	defer cancel()
	res, err := b.Import(ctx, source, events)
	if err != nil {
		return usageOf(fmt.Errorf("%s: %w", file, err))
	}
	fmt.Fprintf(stdout, "%s: %s from %s\n", file, res, f)
	return nil
}
