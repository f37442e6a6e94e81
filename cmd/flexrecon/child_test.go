package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// childArgs carries a child's command line: the test binary runs itself as
// `flexrecon ARGS` (DuckDB locks per process, and a kill must be real).
const childArgs = "FLEXRECON_CHILD_ARGS"

// childCommand is `flexrecon args...` as a child process of the test binary.
func childCommand(args ...string) *exec.Cmd {
	raw, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^TestChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childArgs+"="+string(raw))
	return cmd
}

// TestChild is the program itself when the test binary runs as a child.
func TestChild(t *testing.T) {
	raw := os.Getenv(childArgs)
	if raw == "" {
		t.Skip("only runs as a child process of another test")
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	if err := (&Main{Stdout: os.Stdout, Stderr: os.Stderr}).Run(context.Background(), args); err != nil {
		fmt.Fprintln(os.Stderr, "flexrecon:", err)
		os.Exit(1)
	}
	os.Exit(0)
}
