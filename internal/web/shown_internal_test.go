package web

import (
	"path/filepath"
	"testing"
)

// TestCutPathsWithSpaces: a server folder with a space in its name, as
// DuckDB names it in quotes, is cut whole to the file's name (it was cut at
// the space: "flex recon/var/flexrecon.duckdb.wal", the folders after the
// space shown); a kept source folder with a space in its name stays whole
// (it was cut to "Ledger Exports/late.csv"), and a folder that only begins
// like a kept one, or holds it further down, is cut.
func TestCutPathsWithSpaces(t *testing.T) {
	dir := t.TempDir()
	inbox := filepath.Join(dir, "Ledger Exports")
	in := filepath.Join(dir, "in")
	c := pathCutter{keep: []string{inbox, in}}
	for text, want := range map[string]string{
		`Could not write to WAL file "` + dir + `/flex recon/var/flexrecon.duckdb.wal": No space left`: `Could not write to WAL file "flexrecon.duckdb.wal": No space left`,
		`open '` + dir + `/flex recon/x.tmp': denied`:                                                  `open 'x.tmp': denied`,
		`read ` + inbox + `/late.csv: gone`:                                                            `read ` + inbox + `/late.csv: gone`,
		`read "` + inbox + `/late file.csv": gone`:                                                     `read "` + inbox + `/late file.csv": gone`,
		`read ` + in + `/late.csv, ` + in + `box/x.csv, ` + dir + in + `/y.tmp`:                        `read ` + in + `/late.csv, x.csv, y.tmp`,
		`POST /oauth2/token: 503`:                                                                      `POST /oauth2/token: 503`,
	} {
		if got := c.cut(text); got != want {
			t.Errorf("cut(%q)\n = %q\nwant %q", text, got, want)
		}
	}
}
