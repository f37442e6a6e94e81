package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/config"
	"github.com/flexcharge/flexrecon/internal/gen"
)

// withWeb writes a generated configuration whose [web] section is web.
func withWeb(t *testing.T, web string) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := gen.Generate(gen.Options{Rows: 10, Seed: 1, LastDay: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), Out: dir}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, gen.ConfigFile)
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The generated [web] section runs up to [schedule]; web replaces all of it.
	start, end := strings.Index(string(text), "[web]\n"), strings.Index(string(text), "[schedule]\n")
	if start < 0 || end < start {
		t.Fatal("generated configuration has no [web] section before [schedule]")
	}
	s := string(text[:start]) + web + "\n" + string(text[end:])
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const hash = "$2a$04$Qh1Y2yF0cQ6bS0mJ0rKxVOn4cG3oN8r6Vb1yYbS3K0n2m1l0k9j8i"

func TestWebUsersAndKeys(t *testing.T) {
	t.Setenv("FLEXRECON_TEST_HOOK_KEY", "c2VjcmV0")
	path := withWeb(t, "[web]\naddr = \"127.0.0.1:9\"\nwebhook_keys = { sandbox = \"env:FLEXRECON_TEST_HOOK_KEY\" }\n"+
		"[[web.users]]\nname = \"oscar\"\nrole = \"ops\"\npassword_hash = \""+hash+"\"\n")
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Web.WebhookKeys["sandbox"].Value(); got != "c2VjcmV0" {
		t.Errorf("webhook key: got %q, want the environment's value", got)
	}
	if len(cfg.Web.Users) != 1 || cfg.Web.Users[0].Role != "ops" || cfg.Web.Users[0].PasswordHash != hash {
		t.Errorf("users: got %+v, want oscar (ops) with his hash", cfg.Web.Users)
	}
	var printed strings.Builder
	if err := cfg.Print(&printed); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(printed.String(), hash) || !strings.Contains(printed.String(), "oscar") {
		t.Errorf("printed configuration: want oscar without his password's hash:\n%s", printed.String())
	}
}

func TestWebRefusesPasswordsAndUnknownRoles(t *testing.T) {
	t.Setenv("FLEXRECON_TEST_HOOK_KEY", "c2VjcmV0")
	t.Setenv("FLEXRECON_TEST_HOOK_KEY_TOO", "c2VjcmV0")
	t.Setenv("FLEXRECON_TEST_HOOK_KEY_NL", "c2VjcmV0\n")
	for name, c := range map[string]struct{ users, want string }{
		"plain password": {"[[web.users]]\nname = \"a\"\nrole = \"ops\"\npassword_hash = \"hunter2\"\n", "password_hash"},
		"unknown role":   {"[[web.users]]\nname = \"a\"\nrole = \"root\"\npassword_hash = \"" + hash + "\"\n", "role"},
		"duplicate name": {"[[web.users]]\nname = \"a\"\nrole = \"ops\"\npassword_hash = \"" + hash + "\"\n[[web.users]]\nname = \"a\"\nrole = \"ops\"\npassword_hash = \"" + hash + "\"\n", "name"},
		"missing key":    {"webhook_keys = { sandbox = \"env:FLEXRECON_TEST_NO_SUCH\" }\n", "webhook_keys.sandbox"},

		// A delivery is told sandbox or production by the key it verifies with.
		"one key for both environments":      {"webhook_keys = { sandbox = \"env:FLEXRECON_TEST_HOOK_KEY\", production = \"env:FLEXRECON_TEST_HOOK_KEY_TOO\" }\n", "webhook_keys.sandbox"},
		"one key, spelled with a line break": {"webhook_keys = { sandbox = \"env:FLEXRECON_TEST_HOOK_KEY\", production = \"env:FLEXRECON_TEST_HOOK_KEY_NL\" }\n", "webhook_keys.sandbox"},
	} {
		_, err := config.Load(withWeb(t, "[web]\naddr = \"127.0.0.1:9\"\n"+c.users))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error naming %s", name, err, c.want)
		}
	}
}
