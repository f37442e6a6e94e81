package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const good = `
timezone = "America/New_York"
[[sources]]
name = "gateway"
path = "inbox"
[flexcharge.production]
base_url = "http://127.0.0.1:1/production/v1"
[[merchants]]
id = "M001"
name = "Acme"
[merchants.credentials.production]
mid = "mid-1"
app_key = "env:FLEXRECON_TEST_KEY"
app_secret = "file:secret.txt"
[[merchants.sites]]
url = "https://acme.example"
descriptor = "ACME*SHOP"
[[merchants.switches]]
profile = "mit"
state = "production"
effective = 2026-11-01T00:00:00Z
`

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("s3cr3t-value\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "empty.txt"), []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "flexrecon.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadResolvesSecretsAndPrintsOnlyReferences(t *testing.T) {
	t.Setenv("FLEXRECON_TEST_KEY", "k3y-value")
	withURL := good + "[[sources]]\nname = \"exports\"\nkind = \"https\"\nurl = \"https://partner:pa55word@exports.example/ledger_{date}.csv\"\n"
	cfg, err := Load(writeConfig(t, withURL))
	if err != nil {
		t.Fatal(err)
	}
	cr := cfg.Merchants[0].Credentials["production"]
	if cr.AppKey.Value() != "k3y-value" || cr.AppSecret.Value() != "s3cr3t-value" {
		t.Errorf("secrets not resolved: key %q secret %q", cr.AppKey.Value(), cr.AppSecret.Value())
	}
	var b strings.Builder
	if err := cfg.Print(&b); err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"k3y-value", "s3cr3t-value", "pa55word"} {
		if strings.Contains(b.String(), leak) {
			t.Errorf("printed configuration holds the secret %q:\n%s", leak, b.String())
		}
	}
	if !strings.Contains(b.String(), "env:FLEXRECON_TEST_KEY") {
		t.Errorf("printed configuration lacks the reference:\n%s", b.String())
	}
}

// TestBadConfigNamesTheKey checks each kind of bad configuration stops with
// a message naming the offending key.
func TestBadConfigNamesTheKey(t *testing.T) {
	t.Setenv("FLEXRECON_TEST_KEY", "k3y-value")
	cases := []struct {
		name, from, to, wantKey string
	}{
		{"unknown key", `name = "Acme"`, "name = \"Acme\"\ncolour = \"red\"", "merchants.colour"},
		{"unknown top-level key", `timezone = "America/New_York"`, "timezone = \"America/New_York\"\nnightly = 1", "nightly"},
		{"missing credential reference", `app_secret = "file:secret.txt"`, ``, "merchants[0].credentials.production.app_secret"},
		{"secret written in the file", `app_secret = "file:secret.txt"`, `app_secret = "s3cr3t-value"`, "merchants[0].credentials.production.app_secret"},
		{"unset environment variable", `env:FLEXRECON_TEST_KEY`, `env:FLEXRECON_NOT_SET`, "merchants[0].credentials.production.app_key"},
		{"site without url", `url = "https://acme.example"`, ``, "merchants[0].sites[0].url"},
		{"site without descriptor", `descriptor = "ACME*SHOP"`, ``, "merchants[0].sites[0].descriptor"},
		{"bad zone", `America/New_York`, `Mars/Olympus`, "timezone"},
		{"the host's zone", `America/New_York`, `Local`, "timezone"},
		{"bad switch state", `state = "production"`, `state = "on"`, "merchants[0].switches[0].state"},
		{"negative pending days", `timezone = "America/New_York"`, "timezone = \"America/New_York\"\n[schedule]\npending_days = -1", "schedule.pending_days"},
		{"plain http source with a password", `path = "inbox"`, "path = \"inbox\"\n[[sources]]\nname = \"web\"\nkind = \"https\"\nurl = \"http://partner:s3cr3t-value@exports.example/x.csv\"", "sources[1].url"},
		{"unknown source content", `path = "inbox"`, "path = \"inbox\"\ncontent = \"orders\"", "sources[0].content"},
		{"transmit log not CSV", `path = "inbox"`, "path = \"inbox\"\ncontent = \"transmit_log\"\nformat = \"jsonl\"", "sources[0].format"},
		{"memory limit in words, wrong", `timezone = "America/New_York"`, "timezone = \"America/New_York\"\nmemory_limit = \"4 gigglebytes\"", "memory_limit"},
		{"memory limit in words DuckDB lacks", `timezone = "America/New_York"`, "timezone = \"America/New_York\"\nmemory_limit = \"3 gibibytes\"", "memory_limit"},
		{"memory limit not an amount", `timezone = "America/New_York"`, "timezone = \"America/New_York\"\nmemory_limit = \"lots\"", "memory_limit"},
		{"ingest memory limit not an amount", `timezone = "America/New_York"`, "timezone = \"America/New_York\"\ningest_memory_limit = \"lots\"", "ingest_memory_limit"},
		{"negative push age", `base_url = "http://127.0.0.1:1/production/v1"`, "base_url = \"http://127.0.0.1:1/production/v1\"\n[push]\nmax_age = \"-1h\"", "push.max_age"},
		{"negative push concurrency", `base_url = "http://127.0.0.1:1/production/v1"`, "base_url = \"http://127.0.0.1:1/production/v1\"\n[push]\nconcurrency = -2", "push.concurrency"},
		{"negative push rate", `base_url = "http://127.0.0.1:1/production/v1"`, "base_url = \"http://127.0.0.1:1/production/v1\"\n[push]\nrate = -5.0", "push.rate"},
		{"push rate not a number", `base_url = "http://127.0.0.1:1/production/v1"`, "base_url = \"http://127.0.0.1:1/production/v1\"\n[push]\nrate = nan", "push.rate"},
		{"no retries", `base_url = "http://127.0.0.1:1/production/v1"`, "base_url = \"http://127.0.0.1:1/production/v1\"\n[push]\nmax_retries = 0", "push.max_retries"},
		{"webhook key not base64", `timezone = "America/New_York"`, "timezone = \"America/New_York\"\n[web.webhook_keys]\nproduction = \"env:FLEXRECON_TEST_KEY\"", "web.webhook_keys.production"},
		{"empty secret file", `app_secret = "file:secret.txt"`, `app_secret = "file:empty.txt"`, "merchants[0].credentials.production.app_secret"},
		{"production endpoint as sandbox", `[flexcharge.production]`, "[flexcharge.sandbox]\nbase_url = \"https://api.flex-charge.com/v1\"\n[flexcharge.production]", "flexcharge.sandbox.base_url"},
		{"sandbox endpoint as production", `base_url = "http://127.0.0.1:1/production/v1"`, `base_url = "https://API-sandbox.flexfactor.io/v1"`, "flexcharge.production.base_url"},
		{"endpoint without a scheme", `base_url = "http://127.0.0.1:1/production/v1"`, `base_url = "api.flex-charge.com/v1"`, "flexcharge.production.base_url"},
		{"endpoint with a query", `base_url = "http://127.0.0.1:1/production/v1"`, `base_url = "http://127.0.0.1:1/production/v1?x=1"`, "flexcharge.production.base_url"},
		{"endpoint with a fragment", `base_url = "http://127.0.0.1:1/production/v1"`, `base_url = "http://127.0.0.1:1/production/v1#top"`, "flexcharge.production.base_url"},
		{"endpoint with an empty query", `base_url = "http://127.0.0.1:1/production/v1"`, `base_url = "http://127.0.0.1:1/production/v1?"`, "flexcharge.production.base_url"},
		{"endpoint with an empty fragment", `base_url = "http://127.0.0.1:1/production/v1"`, `base_url = "http://127.0.0.1:1/production/v1#"`, "flexcharge.production.base_url"},
		{"endpoint with user info", `base_url = "http://127.0.0.1:1/production/v1"`, `base_url = "https://ops:s3cr3t-value@127.0.0.1:1/production/v1"`, "flexcharge.production.base_url"},
		{"FlexCharge over plain http", `base_url = "http://127.0.0.1:1/production/v1"`, `base_url = "http://api.flex-charge.com/v1"`, "flexcharge.production.base_url"},
		{"one endpoint for both", `[flexcharge.production]`, "[flexcharge.sandbox]\nbase_url = \"http://127.0.0.1:1/production/v1/\"\n[flexcharge.production]", "flexcharge.sandbox.base_url"},
		{"one mid for both environments", `[merchants.credentials.production]`, "[merchants.credentials.sandbox]\nmid = \"mid-1\"\napp_key = \"file:secret.txt\"\napp_secret = \"file:secret.txt\"\n[merchants.credentials.production]", "merchants[0].credentials.sandbox.mid"},
		{"one AppKey for both environments", `[merchants.credentials.production]`, "[merchants.credentials.sandbox]\nmid = \"mid-s\"\napp_key = \"env:FLEXRECON_TEST_KEY\"\napp_secret = \"file:secret.txt\"\n[merchants.credentials.production]", "merchants[0].credentials.sandbox.app_key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := strings.Replace(good, c.from, c.to, 1)
			_, err := Load(writeConfig(t, text))
			if err == nil || !strings.Contains(err.Error(), c.wantKey) {
				t.Fatalf("error %v, want one naming %q", err, c.wantKey)
			}
			if strings.Contains(err.Error(), "s3cr3t-value") || strings.Contains(err.Error(), "k3y-value") {
				t.Errorf("error leaks a secret: %v", err)
			}
		})
	}
}

// TestUnknownKeyNamesItsLine: an unknown key is refused naming the file,
// the key and the line that has it, wherever the key is: at the top, in a
// table, in the second of an array of tables, in an inline table, under a
// dotted key. The line was not said, and a key spelt wrong in one of many
// merchants was left to be looked for.
func TestUnknownKeyNamesItsLine(t *testing.T) {
	t.Setenv("FLEXRECON_TEST_KEY", "k3y-value")
	text := "nightly = 1\n" + strings.NewReplacer(
		"[flexcharge.production]\n", "[flexcharge.production]\nretry.tries = 3\n",
		`descriptor = "ACME*SHOP"`+"\n", `descriptor = "ACME*SHOP"`+"\n[[merchants.sites]]\nurl = \"https://b.example\"\ndescriptor = \"B\"\ncolour = \"red\"\n",
		`path = "inbox"`, `path = "inbox"`+"\nmapping = {columns = {}, colums = {}}",
	).Replace(good)
	path := writeConfig(t, text)
	_, err := Load(path)
	want := "config " + path + ": unknown key flexcharge.production.retry.tries (line 9), merchants.sites.colour (line 24), nightly (line 1), sources.mapping.colums (line 7)"
	if err == nil || err.Error() != want {
		t.Fatalf("load:\n%s\ngot error %v,\nwant %s", text, err, want)
	}
}

// TestUnknownKeyInSeveralTablesNamesNoLine: a key spelt wrong in two
// [[merchants]] (lines 11 and 27) is listed twice with no line, since the
// toml package places only its last: both were said to be on line 27, the
// first merchant's looked for where it is not. A key in the first
// merchant's site alone (line 19) is named with its line, though the last
// merchant's sites lack it.
func TestUnknownKeyInSeveralTablesNamesNoLine(t *testing.T) {
	t.Setenv("FLEXRECON_TEST_KEY", "k3y-value")
	text := strings.Replace(strings.Replace(good, `name = "Acme"`+"\n", `name = "Acme"`+"\ncolour = \"red\"\n", 1),
		`descriptor = "ACME*SHOP"`+"\n", `descriptor = "ACME*SHOP"`+"\nshade = \"dark\"\n", 1) +
		"[[merchants]]\nid = \"M002\"\nname = \"Beta\"\ncolour = \"blue\"\n[[merchants.sites]]\nurl = \"https://beta.example\"\n"
	path := writeConfig(t, text)
	_, err := Load(path)
	want := "config " + path + ": unknown key merchants.colour, merchants.colour, merchants.sites.shade (line 19)"
	if err == nil || err.Error() != want {
		t.Fatalf("load:\n%s\ngot error %v,\nwant %s", text, err, want)
	}
}

// TestSecretNotTOMLNotShown: a secret written unquoted, which the toml
// package refuses quoting the value back (98765432109876543210 is out of
// range for int64), is refused naming its line and key, without the value.
func TestSecretNotTOMLNotShown(t *testing.T) {
	for _, value := range []string{"98765432109876543210", "1998-13-45T99:00:00Z", "1_2_3__4", "{s3cr3t = }"} {
		text := strings.Replace(good, `app_secret = "file:secret.txt"`, "app_secret = "+value, 1)
		_, err := Load(writeConfig(t, text))
		if err == nil || !strings.Contains(err.Error(), `line 14 (last key "merchants.credentials.production.app_secret`) ||
			strings.Contains(err.Error(), strings.Trim(value, "{= }")) {
			t.Errorf("load with app_secret = %s: %v, want line 14 and the key, without the value", value, err)
		}
	}
}

// TestCredentialsKeptWithoutTheirEndpoint: sandbox credentials kept after
// go-live, with the sandbox endpoint gone, are no longer refused: nothing
// calls the sandbox. A switch to the sandbox is what is refused, naming the
// switch and the endpoint it lacks.
func TestCredentialsKeptWithoutTheirEndpoint(t *testing.T) {
	t.Setenv("FLEXRECON_TEST_KEY", "k3y-value")
	kept := strings.Replace(good, "[merchants.credentials.production]",
		"[merchants.credentials.sandbox]\nmid = \"mid-s\"\napp_key = \"file:secret.txt\"\napp_secret = \"file:secret.txt\"\n[merchants.credentials.production]", 1)
	if _, err := Load(writeConfig(t, kept)); err != nil {
		t.Errorf("sandbox credentials kept without a sandbox endpoint: %v, want them accepted", err)
	}
	switched := kept + "[[merchants.switches]]\nprofile = \"cit_web\"\nstate = \"sandbox\"\neffective = 2026-11-02T00:00:00Z\n"
	_, err := Load(writeConfig(t, switched))
	if err == nil || !strings.Contains(err.Error(), "merchants[0].switches[1].state") || !strings.Contains(err.Error(), "[flexcharge.sandbox] base_url") {
		t.Errorf("a switch to the sandbox, whose endpoint is gone: %v, want an error naming the switch and the endpoint", err)
	}
}

// TestSwitchWithoutOffsetIsInTheConfiguredZone: an effective time written
// without an offset is the configuration's zone's wall clock, whatever the
// zone of the machine reading the file.
func TestSwitchWithoutOffsetIsInTheConfiguredZone(t *testing.T) {
	t.Setenv("FLEXRECON_TEST_KEY", "k3y-value")
	// A zone no test machine is in (+05:45), so that the host's cannot pass for it.
	text := strings.Replace(good, "effective = 2026-11-01T00:00:00Z", "effective = 2026-11-24T12:00:00", 1)
	text = strings.Replace(text, "America/New_York", "Asia/Kathmandu", 1)
	cfg, err := Load(writeConfig(t, text))
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Merchants[0].Switches[0].Effective.Time
	if want := time.Date(2026, 11, 24, 6, 15, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("effective 2026-11-24T12:00:00 in Asia/Kathmandu: got %v, want %v", got.UTC(), want)
	}
}

// TestSwitchWithoutOffsetOnTransitionNights: an effective time written
// without an offset on New York's transition nights is the instant DuckDB
// gives the ledger's rows showing the same clock (recon.WallClock; store's
// TestSwitchWallClockAgreesWithDuckDB asks DuckDB): 02:30, skipped when the
// clocks go forward, is 03:30 EDT, not 01:30 EST before the gap; 01:30,
// repeated when they go back, is the later one, EST.
func TestSwitchWithoutOffsetOnTransitionNights(t *testing.T) {
	t.Setenv("FLEXRECON_TEST_KEY", "k3y-value")
	for local, want := range map[string]time.Time{
		"2026-03-08T02:30:00": time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC),
		"2026-11-01T01:30:00": time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC),
	} {
		cfg, err := Load(writeConfig(t, strings.Replace(good, "effective = 2026-11-01T00:00:00Z", "effective = "+local, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.Merchants[0].Switches[0].Effective.Time; !got.Equal(want) {
			t.Errorf("effective %s in New York: got %s, want %s", local, got.UTC().Format(time.RFC3339), want.Format(time.RFC3339))
		}
	}
}

// TestZeroMeansZero: trailing_days = 0 (yesterday alone) is kept, not
// taken for "unset" and made 7.
func TestZeroMeansZero(t *testing.T) {
	t.Setenv("FLEXRECON_TEST_KEY", "k3y-value")
	cfg, err := Load(writeConfig(t, strings.Replace(good, `timezone = "America/New_York"`, "timezone = \"America/New_York\"\n[schedule]\ntrailing_days = 0", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if *cfg.Schedule.TrailingDays != 0 {
		t.Errorf("trailing_days = 0 read as %d", *cfg.Schedule.TrailingDays)
	}
}

// TestMemoryLimitInWords: DuckDB's spellings of an amount pass.
func TestMemoryLimitInWords(t *testing.T) {
	t.Setenv("FLEXRECON_TEST_KEY", "k3y-value")
	for _, limit := range []string{"4 gigabytes", "800MB", "2.5GB", "3GiB"} {
		if _, err := Load(writeConfig(t, strings.Replace(good, `timezone = "America/New_York"`, "timezone = \"America/New_York\"\nmemory_limit = \""+limit+"\"", 1))); err != nil {
			t.Errorf("memory_limit = %q: %v", limit, err)
		}
	}
}

// TestRelativePathsBecomeAbsolute: a file named by a relative path still
// resolves its own relative paths to absolute ones, so a path it gives to
// a service in another folder (a workbook's) is found there.
func TestRelativePathsBecomeAbsolute(t *testing.T) {
	path := writeConfig(t, good)
	t.Setenv("FLEXRECON_TEST_KEY", "k")
	t.Chdir(filepath.Dir(filepath.Dir(path)))
	c, err := Load(filepath.Join(filepath.Base(filepath.Dir(path)), "flexrecon.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if db := c.Path(c.Database); !filepath.IsAbs(db) {
		t.Errorf("database %q from a config named relatively: want an absolute path", db)
	}
}
