// Command flexrecon is a FlexCharge partner's reporting and reconciliation
// batch service. Run "flexrecon help" for its subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"syscall"
	_ "time/tzdata" // partners' zones work on machines without a zone database
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// buildVersion is version, with the commit the binary was built from when
// go build stamped one ("0.1.0-dev+1a2b3c4d5e6f", ".dirty" for uncommitted
// changes): runs record it, and two builds' runs must be told apart.
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return version
	}
	rev, dirty := "", ""
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision":
			rev = s.Value[:min(12, len(s.Value))]
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = ".dirty"
		}
	}
	if rev == "" {
		return version
	}
	return version + "+" + rev + dirty
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdout: os.Stdout, Stderr: os.Stderr}
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0) // asked for, as the top level's --help and Go's own flag.ExitOnError answer it
		}
		fmt.Fprintln(os.Stderr, "flexrecon:", err)
		os.Exit(1)
	}
}

// Main is the program, runnable in-process by tests.
type Main struct {
	Stdout, Stderr io.Writer
}

type command struct {
	summary string
	run     func(m *Main, ctx context.Context, args []string) error
}

var commands = map[string]command{
	"demo":      {"run the whole nightly job once on generated sample data and a built-in sandbox", (*Main).demo},
	"reconcile": {"run the nightly chain for a window, ad hoc", (*Main).reconcile},
	"sandbox":   {"serve the FlexCharge sandbox API", (*Main).sandbox},
	"gen":       {"generate sample ledger exports, a sandbox seed, a config and expected results", (*Main).gen},
	"serve":     {"run the scheduler and the web pages", (*Main).serve},
	"config":    {"check a configuration file and print it with secrets redacted", (*Main).config},
	"switch":    {"record a profile switch change, or list the switch history", (*Main).switchCmd},
	"explain":   {"explain one transaction or order: its rows, orders, switches and verdicts", (*Main).explain},
	"runs":      {"list runs, or diff a run with the previous one", (*Main).runs},
	"ingest":    {"check a ledger export or a transmit log (--check), or put a ledger export in force over its day's file (--replace)", (*Main).ingest},
}

// Run dispatches to a subcommand.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 { // a script that lost its command must not pass
		m.usage()
		return errors.New("give a command")
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		m.usage()
		return nil
	}
	c, ok := commands[args[0]]
	if !ok {
		m.usage()
		return fmt.Errorf("unknown command %q", args[0])
	}
	return c.run(m, ctx, args[1:])
}

func (m *Main) usage() {
	fmt.Fprintln(m.Stdout, "flexrecon reconciles a partner's ledger with FlexCharge.\n\nUsage: flexrecon <command> [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(m.Stdout, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(m.Stdout, "\nRun \"flexrecon <command> --help\" for a command's flags.")
}

// flags makes a subcommand's flag set, printing its usage to Stderr.
// parse reads args into fs. Nothing may follow the flags: the flag package
// stops at the first word that is not one, so a stray word ("--from
// 2026-11-23 2026-11-24 --dry-run") silently dropped every flag after it.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("%s: unexpected %q: options are flags (--name value), and nothing may follow them", fs.Name(), fs.Arg(0))
	}
	return nil
}

func (m *Main) flags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(m.Stderr, "Usage: flexrecon %s %s\n\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}
