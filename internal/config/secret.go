package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Secret is a reference to a credential ("env:NAME" or "file:PATH") and,
// once resolved, its value. Only the reference is ever printed.
type Secret struct {
	Ref   string
	value string
}

// UnmarshalText keeps the reference; Resolve reads the value.
func (s *Secret) UnmarshalText(b []byte) error {
	s.Ref = string(b)
	return nil
}

// MarshalText writes the reference, never the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.shown()), nil }

// String shows the reference only.
func (s Secret) String() string { return s.shown() }

// GoString shows the reference only, so %#v cannot leak the value.
func (s Secret) GoString() string { return fmt.Sprintf("config.Secret{Ref:%q}", s.shown()) }

// notAReference stands for a Ref that is no reference: most likely the
// secret itself, written into the file, which must not be repeated.
const notAReference = "(not env:NAME or file:PATH; not shown)"

// shown is the reference, or notAReference.
func (s Secret) shown() string {
	if kind, name, ok := strings.Cut(s.Ref, ":"); s.Ref != "" && (!ok || name == "" || kind != "env" && kind != "file") {
		return notAReference
	}
	return s.Ref
}

// Value is the resolved credential.
func (s Secret) Value() string { return s.value }

// resolve reads the referenced value; relative files are taken from dir.
func (s *Secret) resolve(dir string) error {
	kind, name, ok := strings.Cut(s.Ref, ":")
	switch {
	case s.Ref == "":
		return fmt.Errorf("missing credential reference (want env:NAME or file:PATH)")
	case !ok || name == "":
		return fmt.Errorf("want a reference, env:NAME or file:PATH (the value given is not shown: it may be the secret)")
	case kind == "env":
		v, found := os.LookupEnv(name)
		if !found || v == "" {
			return fmt.Errorf("environment variable %s named by %q is not set", name, s.Ref)
		}
		s.value = v
	case kind == "file":
		if !filepath.IsAbs(name) {
			name = filepath.Join(dir, name)
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("read secret file of %q: %w", s.Ref, err)
		}
		s.value = strings.TrimSpace(string(b))
		if s.value == "" {
			return fmt.Errorf("the secret file of %q is empty", s.Ref)
		}
	default:
		return fmt.Errorf("want a reference, env:NAME or file:PATH (the value given is not shown: it may be the secret)")
	}
	return nil
}
