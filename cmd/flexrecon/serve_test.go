package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	flexrecon "github.com/flexcharge/flexrecon"
	"github.com/flexcharge/flexrecon/internal/config"
	"github.com/flexcharge/flexrecon/internal/gen"
	"github.com/flexcharge/flexrecon/internal/store"
)

// TestServeTakesHandedOffRunsAndStopsCleanly runs the service in a child
// process (DuckDB's lock is per process), hands it a reconcile run because
// the database is busy, then stops it with SIGTERM and finds the database
// free again and no run left running.
func TestServeTakesHandedOffRunsAndStopsCleanly(t *testing.T) {
	f := newFixture(t, 100)
	path, addr := serviceConfig(t, f.dir)
	var out bytes.Buffer
	child := exec.Command(os.Args[0], "-test.run=^TestHelperServe$")
	child.Env = append(os.Environ(), "FLEXRECON_HELPER_SERVE="+path)
	child.Stdout, child.Stderr = &out, &out
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- child.Wait() }()
	t.Cleanup(func() { child.Process.Kill() })
	waitHealthy(t, addr, served)

	t.Setenv("FLEXRECON_USER", "ops") // a user the generated configuration has
	t.Setenv("FLEXRECON_PASSWORD", "ops")
	var got bytes.Buffer
	err := (&Main{Stdout: &got, Stderr: &got}).Run(context.Background(), []string{"reconcile", "--config", path, "--from", f.plan.From, "--to", f.plan.To})
	if err != nil || !strings.Contains(got.String(), "succeeded") || !strings.Contains(got.String(), "handing the run") {
		t.Errorf("reconcile while serving: %v\n%s\nwant the run handed to the service and succeeded", err, got.String())
	}
	if link := "workbook: http://" + addr + "/api/runs/1/workbook.xlsx\n"; !strings.Contains(got.String(), link) {
		t.Errorf("reconcile while serving printed\n%s\nwant %q: the service's download, which the API gives", got.String(), link)
	}
	// The reading commands ask the service too: a second run to compare the
	// first with, the list, the diff and an explanation.
	t.Setenv("FLEXRECON_USER", "finance")
	t.Setenv("FLEXRECON_PASSWORD", "finance")
	tx := expected(t, f.dir)[0].TransactionID
	for _, args := range [][]string{
		{"runs", "--config", path},
		{"explain", "--config", path, "--transaction", tx},
	} {
		got.Reset()
		if err := (&Main{Stdout: &got, Stderr: &got}).Run(context.Background(), args); err != nil {
			t.Errorf("%s while serving: %v\n%s", args[0], err, got.String())
		}
	}
	if !strings.Contains(got.String(), "Ledger rows (") || !strings.Contains(got.String(), tx) {
		t.Errorf("explain while serving printed\n%s", got.String())
	}
	got.Reset()
	err = (&Main{Stdout: &got, Stderr: &got}).Run(context.Background(), []string{"runs", "--config", path, "--diff", "1"})
	if err == nil || !strings.Contains(err.Error(), "no earlier succeeded run") || strings.Contains(err.Error(), `"error"`) {
		t.Errorf("runs --diff 1 while serving: %v, want the service's answer that there is no run to compare with, its message and not its JSON", err)
	}
	// A switch change goes through the service too, made by the ops user
	// signed in, and the history shows it.
	t.Setenv("FLEXRECON_USER", "ops")
	t.Setenv("FLEXRECON_PASSWORD", "ops")
	for _, args := range [][]string{
		{"switch", "--config", path, "--merchant", "M001", "--profile", "mit", "--state", "off", "--effective", "2026-12-01T00:00:00Z", "--reason", "paused while serving", "--actor", ""},
		{"switch", "--config", path, "--list", "--merchant", "M001"},
	} {
		got.Reset()
		if err := (&Main{Stdout: &got, Stderr: &got}).Run(context.Background(), args); err != nil {
			t.Errorf("%v while serving: %v\n%s", args[:2], err, got.String())
		}
	}
	if !strings.Contains(got.String(), "paused while serving") || !strings.Contains(got.String(), "api") {
		t.Errorf("switch --list while serving printed\n%s\nwant the change recorded through the service", got.String())
	}
	child.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("serve after SIGTERM: %v\n%s", err, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30 s of SIGTERM")
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), cfg.Path(cfg.Database), flexrecon.SQL())
	if err != nil {
		t.Fatalf("database after serve stopped: %v", err)
	}
	defer db.Close()
	runs, _ := db.Runs(context.Background(), 10)
	if len(runs) != 1 || runs[0].Status != "succeeded" {
		t.Errorf("runs after shutdown: got %+v, want the one handed-off run, succeeded", runs)
	}
}

// TestHelperServe is the child process of the test above.
func TestHelperServe(t *testing.T) {
	path := os.Getenv("FLEXRECON_HELPER_SERVE")
	if path == "" {
		t.Skip("only run as the child of TestServeTakesHandedOffRunsAndStopsCleanly")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := (&Main{Stdout: os.Stdout, Stderr: os.Stderr}).Run(ctx, []string{"serve", "--config", path}); err != nil {
		t.Fatal(err)
	}
}

// serviceConfig points the generated configuration's [web] at a free port
// with the generated demo users (each signs in with its own name).
func serviceConfig(t *testing.T, dir string) (path, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = ln.Addr().String()
	ln.Close()
	path = filepath.Join(dir, gen.ConfigFile)
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(text), "[web]\naddr = \"127.0.0.1:8080\"\n", "[web]\naddr = \""+addr+"\"\n", 1)
	if s == string(text) {
		t.Fatal("generated configuration has no [web] section to replace")
	}
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, addr
}

func waitHealthy(t *testing.T, addr string, served chan error) {
	t.Helper()
	for range 300 {
		select {
		case err := <-served:
			t.Fatalf("serve stopped: %v", err)
		default:
		}
		if res, err := http.Get("http://" + addr + "/healthz"); err == nil {
			res.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("service did not answer /healthz")
}
