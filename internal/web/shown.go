package web

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// absolutePath is an absolute path in a text: a slash at its start or after
// a space, quote, bracket, '=' or ',' (not after ':' or '/', so that a URL is
// left whole), up to a space, quote, bracket, ',', ':' or ';'.
var absolutePath = regexp.MustCompile(`(?:^|[\s"'(\[=,])/[^\s"'()\[\],:;]+`)

// quotedPath is an absolute path in quotes, as DuckDB names its files
// (`"/srv/flex recon/var/flexrecon.duckdb.wal"`): the quotes, not a space,
// end it.
var quotedPath = regexp.MustCompile(`"/[^"]+"|'/[^']+'`)

// pathStart and pathEnd are the characters before an unquoted path and
// after it (absolutePath).
const pathStart, pathEnd = " \t\n\"'([=,", " \t\n\"'()[],:;"

// pathCutter cuts the server's directories out of text the pages and the
// API show (a run's error, a stage's detail): everyone who may read the runs
// may read them, and has no use for where the server keeps its database,
// its WAL or its temporary files. The file's name stays, and so does the
// reason: ops finds the folder in the configuration, and the whole error in
// the log, which is not cut. A path under a configured source folder stays
// whole: ingest names its inbox on purpose, so ops sees which one to fix.
type pathCutter struct{ keep []string }

// cut is text with each absolute path on this machine cut to its name. The
// kept folders are set aside first, so that one whose name has a space in
// it ("/srv/Ledger Exports") is not taken for a path ending at the space
// and cut to "Ledger Exports/late.csv".
func (c pathCutter) cut(text string) string {
	text, kept := c.setAside(text)
	text = quotedPath.ReplaceAllStringFunc(text, func(m string) string {
		return m[:1] + c.shown(m[1:len(m)-1]) + m[len(m)-1:]
	})
	text = absolutePath.ReplaceAllStringFunc(text, func(m string) string {
		lead, path := "", m
		if m[0] != '/' {
			lead, path = m[:1], m[1:]
		}
		return lead + c.shown(path)
	})
	return kept.Replace(text)
}

// setAside is text with each kept folder, where it is a whole path's folder
// (not "/srv/in" of "/srv/inbox" or of "/data/srv/in"), replaced by a mark
// no path matches, and the replacer that puts them back.
func (c pathCutter) setAside(text string) (string, *strings.Replacer) {
	var back []string
	for i, k := range c.keep {
		k = strings.TrimSuffix(k, "/")
		if k == "" || !strings.Contains(text, k) {
			continue
		}
		mark := fmt.Sprintf("\x00%d\x00", i)
		var b strings.Builder
		for rest := text; ; {
			at := strings.Index(rest, k)
			if at < 0 {
				b.WriteString(rest)
				break
			}
			b.WriteString(rest[:at])
			rest = rest[at+len(k):]
			before := b.String()
			starts := before == "" || strings.IndexByte(pathStart, before[len(before)-1]) >= 0
			if starts && (rest == "" || rest[0] == '/' || strings.IndexByte(pathEnd, rest[0]) >= 0) {
				b.WriteString(mark)
			} else {
				b.WriteString(k)
			}
		}
		text, back = b.String(), append(back, mark, k)
	}
	return text, strings.NewReplacer(back...)
}

// shown is path as the pages show it: its name, unless it names no
// directory of this machine (FlexCharge's /oauth2/token in a failed call's
// error is an address, not a file).
func (c pathCutter) shown(path string) string {
	top, rest, nested := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if !nested || rest == "" {
		return path
	}
	if _, err := os.Stat("/" + top); err != nil {
		return path
	}
	return filepath.Base(path)
}
