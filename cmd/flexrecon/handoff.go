package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/flexcharge/flexrecon/internal/config"
	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/internal/web"
	"github.com/flexcharge/flexrecon/jobs"
)

// handOff sends req to the running service that holds the database, signed
// in as $FLEXRECON_USER with $FLEXRECON_PASSWORD, and waits for the run.
func (m *Main) handOff(ctx context.Context, cfg *config.Config, req jobs.Request, busy error) error {
	body, err := json.Marshal(web.RunRequest{From: req.From.Format(time.DateOnly), To: req.To.Format(time.DateOnly),
		Merchant: req.Merchant, DryRun: req.DryRun, Backfill: req.Backfill, ResendInDoubt: req.ResendInDoubt, AsOf: req.AsOf.Format(time.RFC3339Nano), Wait: true})
	if err != nil {
		return err
	}
	hr, err := serviceRequest(ctx, cfg, http.MethodPost, "/api/runs", bytes.NewReader(body), "an ops", busy)
	if err != nil {
		return err
	}
	hr.Header.Set("Content-Type", "application/json")
	fmt.Fprintf(m.Stderr, "the database is held by the running service; handing the run to http://%s\n", cfg.Web.Addr)
	return m.awaitHandOff(hr)
}

// serviceRequest is a request to the running service that holds the
// database (busy says so), signed in as $FLEXRECON_USER with
// $FLEXRECON_PASSWORD, who must be of role (for the message).
func serviceRequest(ctx context.Context, cfg *config.Config, method, path string, body io.Reader, role string, busy error) (*http.Request, error) {
	if !serviceAnswers(ctx, cfg.Web.Addr) {
		return nil, fmt.Errorf("%w; no service answers at http://%s, so another flexrecon command holds it: wait for it to finish", busy, cfg.Web.Addr)
	}
	user, password := os.Getenv("FLEXRECON_USER"), os.Getenv("FLEXRECON_PASSWORD")
	if user == "" || password == "" {
		return nil, fmt.Errorf("%w: set FLEXRECON_USER and FLEXRECON_PASSWORD (%s user) to ask the running service", store.ErrBusy, role)
	}
	hr, err := http.NewRequestWithContext(ctx, method, "http://"+cfg.Web.Addr+path, body)
	if err != nil {
		return nil, err
	}
	hr.SetBasicAuth(user, password)
	return hr, nil
}

// askService reads from the running service that holds the database what a
// command would have read itself: GET path, its JSON answer into out.
func askService(ctx context.Context, cfg *config.Config, path string, out any, busy error) error {
	hr, err := serviceRequest(ctx, cfg, http.MethodGet, path, nil, "a finance or ops", busy)
	if err != nil {
		return err
	}
	return sendToService(hr, http.StatusOK, out)
}

// sendToService sends hr and reads its JSON answer into out, refusing any
// status but want with what the service said.
func sendToService(hr *http.Request, want int, out any) error {
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		return fmt.Errorf("ask the service: %w", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if res.StatusCode != want {
		return refusal("ask the service", res, b)
	}
	return json.Unmarshal(b, out)
}

// refusal is an answer of the service other than the one wanted, as an
// error saying what failed, the status and the service's message (its JSON
// error's), or the body as it came when it is no JSON error (a proxy's
// page, say), or nothing more when the body is empty.
func refusal(what string, res *http.Response, body []byte) error {
	msg := string(bytes.TrimSpace(body))
	var e web.APIError
	if json.Unmarshal(body, &e) == nil && e.Message != "" {
		msg = e.Message
	}
	if msg == "" {
		return fmt.Errorf("%s: %s", what, res.Status)
	}
	return fmt.Errorf("%s: %s: %s", what, res.Status, msg)
}

// withDatabase opens the configured database and runs local with the
// chain over it; when a running service holds the database, it runs remote
// instead, with the configuration and the busy error, to ask the service.
func (m *Main) withDatabase(ctx context.Context, cfgPath string, local func(*jobs.Env) error, remote func(*config.Config, error) error) error {
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		return err
	}
	env, err := openEnv(ctx, cfg, newLogger(m, false))
	if errors.Is(err, store.ErrBusy) {
		return remote(cfg, err)
	}
	if err != nil {
		return err
	}
	defer env.DB.Close()
	return local(env)
}

// serviceAnswers says whether a flexrecon service is up at addr.
func serviceAnswers(ctx context.Context, addr string) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/healthz", nil)
	if err != nil {
		return false
	}
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// onService is path on the service hr goes to, as a URL to open; "" for
// no path.
func onService(hr *http.Request, path string) string {
	if path == "" {
		return ""
	}
	return (&url.URL{Scheme: hr.URL.Scheme, Host: hr.URL.Host, Path: path}).String()
}

func (m *Main) awaitHandOff(hr *http.Request) error {
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		return fmt.Errorf("hand run to service: %w", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	// A run that failed is answered 422 as a refusal can be, and a
	// refusal's {"error": "..."} decodes as a run with an error: only an
	// answer with a run's id is a run.
	var run web.FinishedRun
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusUnprocessableEntity || json.Unmarshal(b, &run) != nil || run.ID == 0 {
		return refusal("hand run to service", res, b)
	}
	m.printSummary(run.Run.Run, onService(hr, run.WorkbookURL), run.Counts, run.FileNotices)
	if run.Status != "succeeded" {
		return fmt.Errorf("run %d %s: %s", run.ID, run.Status, run.Error)
	}
	return nil
}
