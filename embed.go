// Package flexrecon exports the SQL and templates that live at the top of the
// repository, because go:embed cannot reach parent folders.
package flexrecon

import (
	"embed"
	"io/fs"
)

//go:embed sql
var sqlFiles embed.FS

//go:embed templates
var templateFiles embed.FS

// SQL returns the sql/ tree: migrations/, queries/ and reports/.
func SQL() fs.FS { return sub(sqlFiles, "sql") }

// Templates returns the templates/ tree.
func Templates() fs.FS { return sub(templateFiles, "templates") }

func sub(f embed.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // dir is a literal that go:embed already checked
	}
	return s
}
