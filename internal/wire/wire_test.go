package wire_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/config"
	"github.com/flexcharge/flexrecon/internal/recon"
	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/internal/wire"
)

// keptSandbox is a merchant live in production that keeps its sandbox
// credentials, the sandbox endpoint gone.
const keptSandbox = `
[[sources]]
name = "gateway"
path = "inbox"
[flexcharge.production]
base_url = "http://127.0.0.1:1/production/v1"
[[merchants]]
id = "M001"
name = "Acme"
[merchants.credentials.sandbox]
mid = "mid-s"
app_key = "file:sandbox.txt"
app_secret = "file:sandbox.txt"
[merchants.credentials.production]
mid = "mid-p"
app_key = "file:production.txt"
app_secret = "file:production.txt"
[[merchants.sites]]
url = "https://acme.example"
descriptor = "ACME*SHOP"
`

// TestKeptCredentialsAllowNoSwitch: credentials kept without their
// environment's endpoint are loaded, and their mid stays in the registry
// (it names that environment's stored orders), but nothing calls that
// environment and a switch there is refused, as the file refuses one.
func TestKeptCredentialsAllowNoSwitch(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{"flexrecon.toml": keptSandbox, "sandbox.txt": "sbx-value", "production.txt": "prod-value"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Load(filepath.Join(dir, "flexrecon.toml"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	env, err := wire.Open(ctx, cfg, wire.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer env.DB.Close()
	if _, ok := env.Merchants[0].Credentials[recon.Sandbox]; ok {
		t.Errorf("the chain holds sandbox credentials, which nothing may call")
	}
	sw := store.Switch{MerchantID: "M001", Profile: "mit", Scope: "merchant", EffectiveAt: time.Now(), Actor: "ops", Reason: "test", Origin: "cli"}
	for state, refused := range map[string]bool{"sandbox": true, "production": false} {
		sw.State = state
		if _, err := env.DB.RecordSwitch(ctx, sw); errors.Is(err, store.ErrUnknownTarget) != refused {
			t.Errorf("switch to %s: %v; refused = %v wanted", state, err, refused)
		}
	}
	rows, err := env.DB.Query(ctx, "SELECT mid FROM merchant_mids WHERE merchant_id = 'M001' AND environment = 'sandbox'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var mid string
	for rows.Next() {
		rows.Scan(&mid)
	}
	if mid != "mid-s" {
		t.Errorf("the registry's sandbox mid: %q, want mid-s", mid)
	}
}
