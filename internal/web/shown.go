package web

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// absolutePath is an absolute path in a text: a slash at its start or after
// a space, quote, bracket, '=' or ',' (not after ':' or '/', so that a URL is
// left whole), up to a space, quote, bracket, ',', ':' or ';'.
var absolutePath = regexp.MustCompile(`(?:^|[\s"'(\[=,])/[^\s"'()\[\],:;]+`)

// pathCutter cuts the server's directories out of text the pages and the
// API show (a run's error, a stage's detail): everyone who may read the runs
// may read them, and has no use for where the server keeps its database,
// its WAL or its temporary files. The file's name stays, and so does the
// reason: ops finds the folder in the configuration, and the whole error in
// the log, which is not cut. A path under a configured source folder stays
// whole: ingest names its inbox on purpose, so ops sees which one to fix.
type pathCutter struct{ keep []string }

// cut is text with each absolute path on this machine cut to its name.
func (c pathCutter) cut(text string) string {
	return absolutePath.ReplaceAllStringFunc(text, func(m string) string {
		lead, path := "", m
		if m[0] != '/' {
			lead, path = m[:1], m[1:]
		}
		return lead + c.shown(path)
	})
}

// shown is path as the pages show it: its name, unless it is under a kept
// folder or names no directory of this machine (FlexCharge's /oauth2/token
// in a failed call's error is an address, not a file).
func (c pathCutter) shown(path string) string {
	for _, k := range c.keep {
		if path == k || strings.HasPrefix(path, strings.TrimSuffix(k, "/")+"/") {
			return path
		}
	}
	top, rest, nested := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if !nested || rest == "" {
		return path
	}
	if _, err := os.Stat("/" + top); err != nil {
		return path
	}
	return filepath.Base(path)
}
