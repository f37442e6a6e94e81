package config

import (
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/flexcharge/flexrecon/internal/ledger"
)

// Source is one place ledger exports arrive, and how to read them.
type Source struct {
	Name string `toml:"name"`
	// Kind is inbox (a local folder), sftp or https.
	Kind string `toml:"kind"`
	// Content is what its files hold: ledger exports, or transmit logs
	// (the keys /transmit returned, which the exports may lack).
	Content string `toml:"content"`
	// Path is the local folder of an inbox, or the remote folder of an SFTP server.
	Path string `toml:"path"`
	// Pattern selects files by name (path.Match syntax), locally or remotely.
	Pattern string `toml:"pattern"`
	// Format is csv, jsonl or parquet ("auto": from each file's name); a
	// name ending in .gz is read gzipped.
	Format string `toml:"format"`

	// Host is the SFTP server, host:port.
	Host string `toml:"host"`
	User string `toml:"user"`
	// Password or Key (a PEM private key) authenticate to the SFTP server.
	Password Secret `toml:"password"`
	Key      Secret `toml:"key"`
	// HostKey is the SFTP server's public key in authorized_keys form; the
	// connection is refused when the server shows another.
	HostKey string `toml:"host_key"`

	// URL is an HTTPS export; {date} and {yyyymmdd} become the business date.
	URL string `toml:"url"`

	// Mapping turns the partner's shape into the canonical columns.
	Mapping ledger.Mapping `toml:"mapping"`
}

// What a source's files hold.
const (
	ContentLedger      = "ledger"
	ContentTransmitLog = "transmit_log"
)

// defaultPattern selects the files of the source's format, gzipped or not;
// with the format from each name, every file not hidden (a download in
// progress is a hidden temporary file).
func (s *Source) defaultPattern() string {
	switch f, _ := ledger.FormatOf(s.Format, ""); f {
	case ledger.CSV:
		return "*.csv*"
	case ledger.JSONL:
		return "*.jsonl*"
	case ledger.Parquet:
		return "*.parquet"
	}
	return "[!.]*"
}

func (c *Config) validateSources(fe *fieldErrors) {
	seen := map[string]bool{}
	for i := range c.Sources {
		s := &c.Sources[i]
		key := fmt.Sprintf("sources[%d]", i)
		if s.Name == "" {
			fe.add(key+".name", "missing")
		}
		if seen[s.Name] {
			fe.add(key+".name", "duplicate source name %q", s.Name)
		}
		seen[s.Name] = true
		c.validateSource(fe, key, s)
	}
}

func (c *Config) validateSource(fe *fieldErrors, key string, s *Source) {
	switch s.Kind {
	case "inbox":
		requireSet(fe, key+".path", s.Path)
	case "sftp":
		c.validateSFTP(fe, key, s)
	case "https":
		validateURL(fe, key+".url", s.URL)
	default:
		fe.add(key+".kind", "unsupported kind %q (want inbox, sftp or https)", s.Kind)
	}
	switch s.Content {
	case ContentLedger:
	case ContentTransmitLog:
		if f, _ := ledger.FormatOf(s.Format, ""); s.Format != "auto" && f != ledger.CSV {
			fe.add(key+".format", "a transmit log is read as CSV, not %q", s.Format)
		}
	default:
		fe.add(key+".content", "unsupported content %q (want ledger or transmit_log)", s.Content)
	}
	if s.Format != "auto" {
		if _, err := ledger.FormatOf(s.Format, ""); err != nil {
			fe.add(key+".format", "%v", err)
		}
	}
	if _, err := path.Match(s.Pattern, ""); err != nil {
		fe.add(key+".pattern", "%q is not a file pattern: %v", s.Pattern, err)
	}
	if err := s.Mapping.Validate(); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fe.add(key+".mapping", "%s", line)
		}
	}
}

func (c *Config) validateSFTP(fe *fieldErrors, key string, s *Source) {
	requireSet(fe, key+".host", s.Host)
	requireSet(fe, key+".user", s.User)
	requireSet(fe, key+".path", s.Path)
	requireSet(fe, key+".host_key", s.HostKey)
	if s.Password.Ref == "" && s.Key.Ref == "" {
		fe.add(key, "sftp needs password or key")
	}
	for name, sec := range map[string]*Secret{"password": &s.Password, "key": &s.Key} {
		if sec.Ref == "" {
			continue
		}
		if err := sec.resolve(c.Dir); err != nil {
			fe.add(key+"."+name, "%v", err)
		}
	}
}

func validateURL(fe *fieldErrors, key, raw string) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		fe.add(key, "%q is not an https:// URL", ledger.RedactURL(raw))
	}
}

func requireSet(fe *fieldErrors, key, v string) {
	if v == "" {
		fe.add(key, "missing")
	}
}
