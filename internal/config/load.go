package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/flexcharge/flexrecon/internal/ledger"
)

// Load reads, defaults, validates and resolves the configuration file at path.
// Every problem is reported at once, each naming its key.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	// Relative paths in the file are its folder's, made absolute: a run
	// handed to a service started elsewhere names its workbook so it is found.
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	c, err := parse(b, filepath.Dir(abs))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

func parse(b []byte, dir string) (*Config, error) {
	var c Config
	md, err := toml.Decode(string(b), &c)
	if err != nil {
		return nil, unshownSecret(err)
	}
	if unknown := md.Undecoded(); len(unknown) > 0 {
		return nil, unknownKeys(string(b), unknown)
	}
	sum := sha256.Sum256(b)
	c.Hash, c.Dir = hex.EncodeToString(sum[:8]), dir
	c.applyDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// secretKeys are the settings that hold a Secret (or a table of them).
var secretKeys = []string{"app_key", "app_secret", "password", "key", "session_key", "webhook_keys"}

// unshownSecret is err, a file that is not TOML, without the toml
// package's message when the key it stopped at holds a secret: the message
// may quote the value, as a secret written unquoted gives
// "98765432109876543210 is out of range for int64" or "invalid datetime".
// The line and key say where to look; the key is named up to the secret's
// setting, as an inline table written there has the value as a key
// (app_secret = {s3cr3t = }).
func unshownSecret(err error) error {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return err
	}
	path := strings.Split(pe.LastKey, ".")
	i := slices.IndexFunc(path, func(k string) bool { return slices.Contains(secretKeys, k) })
	if i < 0 {
		return err
	}
	return fmt.Errorf("toml: line %d (last key %q): the value is not valid TOML (not shown: it may be the secret; write it as env:NAME or file:PATH, in quotes)",
		pe.Position.Line, strings.Join(path[:i+1], "."))
}

// unknownKeys refuses the keys of src that no setting has, each with the
// line that defines it: "unknown key merchants.colour (line 12)". A key
// spelt wrong in several tables of an array ([[merchants]]) is listed once
// for each, without a line: the toml package keeps one place per key path,
// the last table's, and would name that line for every one of them.
func unknownKeys(src string, keys []toml.Key) error {
	count := map[string]int{}
	for _, k := range keys {
		count[k.String()]++
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.String()
		if line := keyLine(src, k); line > 0 && count[names[i]] == 1 {
			names[i] += fmt.Sprintf(" (line %d)", line)
		}
	}
	sort.Strings(names)
	return fmt.Errorf("unknown key %s", strings.Join(names, ", "))
}

// keyLine is the line of src that defines key, 0 if it cannot be told.
// The toml package keeps the lines of keys to itself, and gives one only
// in the error of a value that fails to decode: so the tables on key's
// path are decoded again, each into Primitives (every table of an array of
// tables, [[merchants]]: the last may lack the key), and key's own value
// into unplaced, which always fails, not parsed here by hand.
func keyLine(src string, key toml.Key) int {
	var top map[string]toml.Primitive
	md, err := toml.Decode(src, &top)
	if err != nil {
		return 0
	}
	tables := []map[string]toml.Primitive{top}
	for i := 1; i < len(key); i++ {
		tables = subtables(&md, tables, key[:i])
	}
	for _, t := range tables {
		prim, ok := t[key[len(key)-1]]
		var pe toml.ParseError
		if ok && errors.As(md.PrimitiveDecode(prim, unplaced{}), &pe) {
			return pe.Position.Line
		}
	}
	return 0
}

// subtables decodes the tables that tables hold at the last of path (every
// one of an array of tables there), in order, into Primitives.
func subtables(md *toml.MetaData, tables []map[string]toml.Primitive, path toml.Key) []map[string]toml.Primitive {
	// A table a dotted key (d.e = 3) makes has no type of its own.
	typ := md.Type(path...)
	array := typ == "ArrayHash" || typ == "Array"
	var out []map[string]toml.Primitive
	for _, t := range tables {
		prim, ok := t[path[len(path)-1]]
		if !ok {
			continue
		}
		if !array {
			var sub map[string]toml.Primitive
			if md.PrimitiveDecode(prim, &sub) == nil {
				out = append(out, sub)
			}
			continue
		}
		var subs []map[string]toml.Primitive
		if md.PrimitiveDecode(prim, &subs) == nil {
			out = append(out, subs...)
		}
	}
	return out
}

// unplaced fails to decode whatever it is given, so that the toml package
// says where the value it was given is (keyLine).
type unplaced struct{}

func (unplaced) UnmarshalTOML(any) error { return errors.New("unplaced") }

func (c *Config) applyDefaults() {
	setDefault(&c.Timezone, "UTC")
	setDefault(&c.Database, "var/flexrecon.duckdb")
	setDefault(&c.MemoryLimit, "2.5GB")
	setDefault(&c.IngestMemoryLimit, "1.8GB")
	setDefault(&c.Output, "var/reports")
	setDefault(&c.Web.Addr, "127.0.0.1:8080")
	setDefault(&c.Schedule.Nightly, "02:30")
	if c.Schedule.TrailingDays == nil {
		days := 7
		c.Schedule.TrailingDays = &days
	}
	if c.Schedule.PendingDays == nil {
		// A managed MIT order expires at most 21 days on, and its decline
		// must be judged once after that to show expired.
		days := 31
		c.Schedule.PendingDays = &days
	}
	if c.Push.MaxAge.Duration == 0 {
		c.Push.MaxAge.Duration = 24 * time.Hour
	}
	if c.Push.MaxRetries == nil {
		retries := 6
		c.Push.MaxRetries = &retries
	}
	if c.Push.Concurrency == 0 {
		c.Push.Concurrency = 8
	}
	if c.Push.Rate == 0 {
		c.Push.Rate = 50 // FlexCharge publishes no limit: stay modest unless told otherwise
	}
	for i := range c.Sources {
		s := &c.Sources[i]
		setDefault(&s.Kind, "inbox")
		setDefault(&s.Content, ContentLedger)
		setDefault(&s.Format, "auto")
		setDefault(&s.Pattern, s.defaultPattern())
	}
	for i := range c.Merchants {
		for j := range c.Merchants[i].Switches {
			setDefault(&c.Merchants[i].Switches[j].Actor, "config")
		}
	}
}

func setDefault(s *string, v string) {
	if *s == "" {
		*s = v
	}
}

// Path makes a path from the file absolute against the file's folder.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// Print writes the configuration as TOML, secrets as their references only
// and a source URL without the password it may carry.
func (c *Config) Print(w io.Writer) error {
	shown := *c
	shown.Sources = slices.Clone(c.Sources)
	for i := range shown.Sources {
		shown.Sources[i].URL = ledger.RedactURL(shown.Sources[i].URL)
	}
	// A password's bcrypt hash is not the password, but with it a weak
	// password can be guessed offline: it stays in the file.
	shown.Web.Users = slices.Clone(c.Web.Users)
	for i := range shown.Web.Users {
		shown.Web.Users[i].PasswordHash = "(bcrypt hash, not shown)"
	}
	return toml.NewEncoder(w).Encode(shown)
}

// fieldErrors collects problems, each prefixed by the key it concerns.
type fieldErrors []error

func (fe *fieldErrors) add(key, format string, args ...any) {
	*fe = append(*fe, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
}

func (fe fieldErrors) err() error { return errors.Join(fe...) }
