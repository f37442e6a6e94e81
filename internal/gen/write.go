package gen

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/recon"
)

// Files written into Options.Out.
const (
	ConfigFile   = "flexrecon.toml"
	SeedFile     = "sandbox-seed.json"
	ExpectedFile = "expected.csv"
	PlanFile     = "plan.json"
	InboxDir     = "inbox"
)

func (d *dataset) write() error {
	if err := os.MkdirAll(filepath.Join(d.opts.Out, "secrets"), 0o755); err != nil {
		return err
	}
	seed, err := d.writeSecrets()
	if err != nil {
		return err
	}
	steps := []func() error{
		func() error { return d.writeConfig() },
		func() error { return writeFile(filepath.Join(d.opts.Out, SeedFile), seedWriter(seed)) },
		func() error { return writeFile(filepath.Join(d.opts.Out, PlanFile), jsonWriter(d.plan)) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// writeSecrets writes each merchant's credentials as files the config
// references, and returns the sandbox seed that accepts them.
func (d *dataset) writeSecrets() (flexcharge.Seed, error) {
	seed := flexcharge.Seed{Orders: d.orders}
	// One webhook subscription per environment, as a partner has: every
	// merchant's deliveries are signed with the same subscriber key.
	hookKeys := map[recon.Environment]string{}
	for _, env := range recon.Environments {
		hookKeys[env] = base64.StdEncoding.EncodeToString([]byte(token(d, 64)))
		path := filepath.Join(d.opts.Out, "secrets", fmt.Sprintf("webhook-%s.key", env))
		if err := os.WriteFile(path, []byte(hookKeys[env]+"\n"), 0o600); err != nil {
			return seed, err
		}
	}
	for _, m := range d.merchants {
		for _, env := range recon.Environments {
			sm := flexcharge.SeedMerchant{Environment: string(env), MID: m.mid[env],
				AppKey: token(d, 30), AppSecret: token(d, 60), WebhookKey: hookKeys[env]}
			seed.Merchants = append(seed.Merchants, sm)
			for kind, v := range map[string]string{"key": sm.AppKey, "secret": sm.AppSecret} {
				path := filepath.Join(d.opts.Out, "secrets", fmt.Sprintf("%s-%s.%s", m.id, env, kind))
				if err := os.WriteFile(path, []byte(v+"\n"), 0o600); err != nil {
					return seed, err
				}
			}
		}
	}
	return seed, nil
}

func token(d *dataset, n int) string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[d.r.IntN(len(letters))]
	}
	return string(b)
}

const ledgerHeader = "partner_merchant_id,mid,order_id,transaction_id,processed_at,amount,currency,status,response_code," +
	"response_code_source,initiator,channel,is_recurring,site_url,descriptor,campaign_id,environment,card_bin,card_last4," +
	"fc_transmit_key,fc_order_id\n"

func appendRow(b []byte, rw row) []byte {
	initiator, channel := "CIT", "web"
	switch rw.profile {
	case recon.MIT:
		initiator, channel = "MIT", ""
	case recon.CITCallCenter:
		channel = "callcenter"
	}
	amount := recon.Money{Minor: rw.amount, Currency: rw.currency}.Decimal()
	if rw.badAmount {
		amount = "12.3.4"
	}
	b = append(b, rw.merchant...)
	b = append(b, ",,"...)
	b = append(b, rw.orderID+","+rw.txID+","...)
	b = rw.processedAt.AppendFormat(b, time.RFC3339)
	b = append(b, ","+amount+","+rw.currency+","+rw.status+","+rw.responseCode+",nmi,"+initiator+","+channel+","...)
	b = strconv.AppendBool(b, rw.recurring)
	// A production row leaves the column empty, its default, as most
	// gateways' exports do.
	env := ""
	if rw.testTraffic {
		env = string(recon.Sandbox)
	}
	b = append(b, ","+rw.siteURL+","+rw.descriptor+","+rw.campaign+","+env+","+rw.bin+","+rw.last4+","+rw.transmitKey+",\n"...)
	return b
}

func seedWriter(s flexcharge.Seed) func(*bufio.Writer) error {
	return func(w *bufio.Writer) error { return flexcharge.WriteSeed(w, s) }
}

func jsonWriter(v any) func(*bufio.Writer) error {
	return func(w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
}

// writeFile writes through a buffer and reports the first error, including Close's.
func writeFile(path string, fill func(*bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := fill(w); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
