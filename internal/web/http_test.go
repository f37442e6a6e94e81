package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/ledger"
	"github.com/flexcharge/flexrecon/internal/recon"
	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/internal/web"
	"github.com/flexcharge/flexrecon/jobs"
)

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func postJSON(t *testing.T, c *http.Client, u string, v any) (*http.Response, string) {
	t.Helper()
	b, _ := json.Marshal(v)
	res, err := c.Post(u, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestHealthNeedsNoLogin(t *testing.T) {
	f := newFixture(t, false)
	c := f.client(t)
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/login": "Sign in"} {
		res, body := get(t, c, f.srv.URL+path)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("GET %s: got %s %.200q, want 200 with %q", path, res.Status, body, want)
		}
	}
}

// TestMetricsNeedALogin: /metrics, like every page, needs a login; a
// scraper gives a name and password on each request (Prometheus'
// basic_auth), as the API's programs do.
func TestMetricsNeedALogin(t *testing.T) {
	f := newFixture(t, false)
	res, _ := get(t, f.client(t), f.srv.URL+"/metrics")
	if res.StatusCode != http.StatusUnauthorized || res.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("GET /metrics without login: got %s, want 401 asking for a login", res.Status)
	}
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/metrics", nil)
	req.SetBasicAuth("fiona", password)
	res, err := f.client(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "go_goroutines") {
		t.Errorf("GET /metrics as finance: got %s, want 200 with the metrics", res.Status)
	}
	req.SetBasicAuth("fiona", "not her password")
	if res, err = f.client(t).Do(req); err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "wrong name or password") {
		t.Errorf("GET /metrics with a wrong password: got %s %q, want 401 saying the name or password is wrong", res.Status, body)
	}
}

func TestEveryPageNeedsLogin(t *testing.T) {
	f := newFixture(t, false)
	c := f.client(t)
	for _, path := range []string{"/", "/runs/1", "/runs/1/workbook.xlsx", "/runs/1/csv/summary", "/merchants", "/audit", "/health"} {
		res, _ := get(t, c, f.srv.URL+path)
		if want := "/login?next=" + url.QueryEscape(path); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
			t.Errorf("GET %s without login: got %s to %q, want 303 to %s", path, res.Status, res.Header.Get("Location"), want)
		}
	}
	for _, path := range []string{"/api/runs", "/api/runs/1", "/api/runs/1/diff", "/api/explain?transaction=T1", "/api/switches"} {
		if res, _ := get(t, c, f.srv.URL+path); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s without login: got %s, want 401", path, res.Status)
		}
	}
	if res, _ := postJSON(t, c, f.srv.URL+"/api/runs", map[string]any{"from": "2026-11-23"}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST /api/runs without login: got %s, want 401", res.Status)
	}
	res, err := c.PostForm(f.srv.URL+"/runs", url.Values{"from": {"2026-11-23"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("POST /runs without login: got %s, want 303 to /login", res.Status)
	}
}

func TestLogin(t *testing.T) {
	f := newFixture(t, true)
	c := f.client(t)
	for _, form := range []url.Values{{"name": {"oscar"}, "password": {"wrong"}}, {"name": {"Winter2026!pw"}, "password": {password}}} {
		res, err := c.PostForm(f.srv.URL+"/login", form)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusUnauthorized || len(res.Cookies()) != 0 {
			t.Errorf("login %v: got %s with %d cookies, want 401 and none", form["name"], res.Status, len(res.Cookies()))
		}
	}
	res, err := c.PostForm(f.srv.URL+"/login", url.Values{"name": {"oscar"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	ck := res.Cookies()
	if len(ck) != 1 || !ck[0].HttpOnly || !ck[0].Secure || ck[0].SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie over TLS: got %+v, want one HttpOnly, Secure, SameSite=Lax", ck)
	}
	if r, body := get(t, c, f.srv.URL+"/audit"); r.StatusCode != http.StatusOK {
		t.Errorf("GET /audit: got %s", r.Status)
	} else {
		contains(t, "audit page", body, "login refused", "oscar", "(unknown user)")
		if strings.Contains(body, "Winter2026") {
			t.Errorf("audit page shows a name no user has (a password typed as one):\n%s", body)
		}
	}
}

func TestForgedSessionRefused(t *testing.T) {
	f := newFixture(t, false)
	c := f.client(t)
	u, _ := url.Parse(f.srv.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "flexrecon_session", Value: "b3NjYXJ8OTk5OTk5OTk5OXxmb3JnZWQ"}})
	if res, _ := get(t, c, f.srv.URL+"/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("GET / with a forged session: got %s, want 303 to /login", res.Status)
	}
}

// TestLogoutEndsTheSession: a copy of a session cookie taken before its
// user logged out is refused afterwards, also once the service has started
// again on the same database and key; signing in again still works.
func TestLogoutEndsTheSession(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "fiona")
	u, _ := url.Parse(f.srv.URL)
	copied := c.Jar.Cookies(u)
	// Another program holding the copy (not f.client, whose jar is the
	// fixture's one client's).
	thief := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	status := func() int {
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/api/runs", nil)
		for _, ck := range copied {
			req.AddCookie(ck)
		}
		res, err := thief.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := status(); got != http.StatusOK {
		t.Fatalf("GET /api/runs with the session before logout: got %d, want 200", got)
	}
	res, err := c.Post(f.srv.URL+"/logout", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := status(); got != http.StatusUnauthorized {
		t.Errorf("GET /api/runs with a copy of the ended session: got %d, want 401", got)
	}
	f.start(t, false)
	if got := status(); got != http.StatusUnauthorized {
		t.Errorf("after a restart, GET /api/runs with a copy of the ended session: got %d, want 401", got)
	}
	if res, _ := get(t, f.login(t, "fiona"), f.srv.URL+"/api/runs"); res.StatusCode != http.StatusOK {
		t.Errorf("GET /api/runs after signing in again: got %s, want 200", res.Status)
	}
}

func TestFinanceMayReadButNotChange(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "fiona")
	if res, body := get(t, c, f.srv.URL+"/"); res.StatusCode != http.StatusOK || strings.Contains(body, `id="start-run"`) {
		t.Errorf("GET / as finance: got %s (form shown: %v), want 200 without the run form", res.Status, strings.Contains(body, "start-run"))
	}
	if res, _ := postJSON(t, c, f.srv.URL+"/api/runs", map[string]any{"from": f.plan.From}); res.StatusCode != http.StatusForbidden {
		t.Errorf("POST /api/runs as finance: got %s, want 403", res.Status)
	}
	if res, _ := postJSON(t, c, f.srv.URL+"/api/switches", map[string]any{"merchant_id": "M001", "profile": "mit", "state": "off", "reason": "x"}); res.StatusCode != http.StatusForbidden {
		t.Errorf("POST /api/switches as finance: got %s, want 403", res.Status)
	}
	for path, form := range map[string]url.Values{
		"/runs":                 {"from": {f.plan.From}},
		"/merchants/m/switches": {"profile": {"cit"}, "state": {"off"}, "reason": {"x"}},
	} {
		res, err := c.PostForm(f.srv.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s as finance: got %s, want 403", path, res.Status)
		}
	}
	runs, _ := f.env.DB.Runs(t.Context(), 10)
	if len(runs) != 0 {
		t.Errorf("runs after finance's refused attempts: got %d, want 0", len(runs))
	}
}

func TestCrossSiteFormRefused(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	for name, h := range map[string][2]string{
		"fetch metadata": {"Sec-Fetch-Site", "cross-site"},
		"origin":         {"Origin", "https://evil.example"},
	} {
		req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/runs", strings.NewReader("from="+f.plan.From))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(h[0], h[1])
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: forged cross-site form: got %s, want 403", name, res.Status)
		}
	}
	if runs, _ := f.env.DB.Runs(t.Context(), 10); len(runs) != 0 {
		t.Errorf("runs after forged forms: got %d, want 0", len(runs))
	}
}

// TestRunPagesAndDownloads runs the chain through the API as ops and reads
// every page and download of the run.
func TestRunPagesAndDownloads(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	run := succeededAPIRun(t, f, c).Run
	if !run.AsOf.Equal(f.plan.AsOf) {
		t.Errorf("POST /api/runs as_of %v: the run judged as of %v", f.plan.AsOf, run.AsOf)
	}
	base := fmt.Sprintf("%s/runs/%d", f.srv.URL, run.ID)
	pages := map[string][]string{
		f.srv.URL + "/":          {"succeeded", "workbook.xlsx", "<th>Queued</th>"},
		base:                     {"Counts", "Manifest", "Exceptions", "ingest", "workbook", "Queued ", ", started ", "took "},
		f.srv.URL + "/api/runs":  {`"status":"succeeded"`},
		f.srv.URL + "/merchants": {"History", "config", "Effective (America/New_York time)", " -05:00"},
		f.srv.URL + "/audit":     {"oscar", "run"},
		fmt.Sprint(f.srv.URL, "/api/runs/", run.ID): {fmt.Sprint(`"id":`, run.ID), `"queued_at":"20`, `"started_at":"20`, `"finished_at":"20`},
	}
	for u, wants := range pages {
		r, b := get(t, c, u)
		if r.StatusCode != http.StatusOK {
			t.Errorf("GET %s: got %s, want 200", u, r.Status)
		}
		contains(t, u, b, wants...)
	}
	stored, err := f.env.DB.GetRun(t.Context(), run.ID)
	if _, b := get(t, c, base); err != nil || stored.Workbook == "" || strings.Contains(b, filepath.Dir(stored.Workbook)) {
		t.Errorf("run page: shows where the server keeps the workbook (%q, %v), want only its link and name", stored.Workbook, err)
	}
	r, b := get(t, c, base+"/workbook.xlsx")
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(b, "PK") || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("workbook: got %s %q, want 200 and a zip attachment", r.Status, r.Header.Get("Content-Disposition"))
	}
	checkWorkbookServed(t, c, base+"/workbook.xlsx", stored.Workbook)
	r, b = get(t, c, base+"/csv/"+f.env.Reports[0].Name)
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || len(b) == 0 {
		t.Errorf("csv: got %s %q, want 200 text/csv", r.Status, r.Header.Get("Content-Type"))
	}
	for _, u := range []string{base + "/csv/nope", f.srv.URL + "/runs/999", f.srv.URL + "/runs/x/workbook.xlsx"} {
		if r, _ := get(t, c, u); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: got %s, want 404", u, r.Status)
		}
	}
	_, m := get(t, c, f.srv.URL+"/metrics")
	contains(t, "metrics", m, `flexrecon_runs_total{kind="adhoc",status="succeeded"} 1`, "flexrecon_run_duration_seconds", "flexrecon_last_run_rows")

	// A run that failed (or is still running) publishes no reports.
	failed, err := f.env.DB.StartRun(t.Context(), store.Run{Kind: "adhoc", WindowFrom: run.WindowFrom, WindowTo: run.WindowTo,
		AsOf: run.AsOf, QueuedAt: time.Now().UTC(), ConfigHash: "x", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.env.DB.FinishRun(t.Context(), failed.ID, time.Now().UTC(), errors.New("totals do not tie out")); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"/workbook.xlsx", "/csv/" + f.env.Reports[0].Name} {
		if r, _ := get(t, c, fmt.Sprintf("%s/runs/%d%s", f.srv.URL, failed.ID, u)); r.StatusCode != http.StatusConflict {
			t.Errorf("GET %s of a failed run: got %s, want 409", u, r.Status)
		}
	}
}

// TestBackgroundRunFromForm starts a run from the page's form and watches it
// finish on the runs list.
func TestBackgroundRunFromForm(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	res, err := c.PostForm(f.srv.URL+"/runs", url.Values{"from": {f.plan.From}, "to": {f.plan.To}, "dry_run": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /runs as ops: got %s, want 303", res.Status)
	}
	if run := lastRunEnded(t, f); run.Status != "succeeded" || !run.DryRun {
		t.Fatalf("background run: got %+v, want a succeeded dry run", run)
	}
}

// lastRunEnded waits for the latest run to end, and returns it.
func lastRunEnded(t *testing.T, f *fixture) store.Run {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		runs, _ := f.env.DB.Runs(t.Context(), 1)
		if len(runs) == 1 && runs[0].Status != "running" && runs[0].Status != "queued" {
			return runs[0]
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("background run did not finish in 60 s")
	return store.Run{}
}

// TestStartFormAsksForBackfillAndResend: ops may ask the form for what the
// CLI and the API can (both off unless ticked), and the run records both,
// shown on its page and in the API.
func TestStartFormAsksForBackfillAndResend(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	_, list := get(t, c, f.srv.URL+"/")
	contains(t, "runs page", list, `name="backfill" value="1" id="backfill">`, `name="resend_in_doubt" value="1" id="resend_in_doubt">`)
	res, err := c.PostForm(f.srv.URL+"/runs", url.Values{"from": {f.plan.From}, "to": {f.plan.To}, "dry_run": {"1"},
		"backfill": {"1"}, "resend_in_doubt": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	run := lastRunEnded(t, f)
	if !run.Backfill || !run.ResendInDoubt {
		t.Errorf("run started by the form with backfill and resend_in_doubt ticked: got %+v, want both recorded", run)
	}
	_, body := get(t, c, fmt.Sprintf("%s/api/runs/%d", f.srv.URL, run.ID))
	contains(t, "GET /api/runs/{id}", body, `"backfill":true`, `"resend_in_doubt":true`)
	_, page := get(t, c, fmt.Sprintf("%s/runs/%d", f.srv.URL, run.ID))
	contains(t, "run page", page, "(dry run) (backfill) (resending pushes in doubt),")
}

func TestBadRunRequests(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "ada")
	for _, body := range []any{map[string]any{"from": "23/11/2026"}, map[string]any{"from": "2026-11-23", "to": "2026-11-01"},
		map[string]any{"from": "2026-11-23", "as_of": "tomorrow"}, map[string]any{"from": "2026-11-23", "merchant": "NOPE"}, "nonsense",
		// A misspelt dry run must not start a run that pushes.
		map[string]any{"from": "2026-11-23", "dryrun": true}, map[string]any{"from": "2026-11-23", "DryRun": true}} {
		if res, b := postJSON(t, c, f.srv.URL+"/api/runs", body); res.StatusCode != http.StatusBadRequest {
			t.Errorf("POST /api/runs %v: got %s %s, want 400", body, res.Status, b)
		}
	}
}

// TestCloseAbortsARun closes the server while a background run is under
// way: Close returns only once the run has recorded how it ended, and no
// run is left running.
func TestCloseAbortsARun(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	// Two runs: the second queues behind the first. Each answer is its run,
	// queued, with where to follow it.
	for range 2 {
		res, b := postJSON(t, c, f.srv.URL+"/api/runs", map[string]any{"from": f.plan.From, "to": f.plan.To})
		var queued store.Run
		if res.StatusCode != http.StatusAccepted || json.Unmarshal([]byte(b), &queued) != nil || queued.ID == 0 ||
			res.Header.Get("Location") != fmt.Sprintf("/api/runs/%d", queued.ID) {
			t.Fatalf("POST /api/runs: got %s %s (Location %q), want 202 with the queued run and its Location", res.Status, b, res.Header.Get("Location"))
		}
	}
	time.Sleep(50 * time.Millisecond) // into the chain: see the report on StartRun and cancellation
	f.web.Close()
	runs, err := f.env.DB.Runs(t.Context(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Errorf("runs after Close: %d, want both recorded", len(runs))
	}
	for _, r := range runs {
		if r.Status == "running" || r.Status == "queued" {
			t.Errorf("run %d still %s after Close", r.ID, r.Status)
		}
		if r.Status == "failed" && !strings.Contains(r.Error, "the service shut down") {
			t.Errorf("run %d stopped by Close: error %q does not say why", r.ID, r.Error)
		}
	}
	if res, _ := postJSON(t, c, f.srv.URL+"/api/runs", map[string]any{"from": f.plan.From}); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("POST /api/runs after Close: got %s, want 503", res.Status)
	}
}

// waitedRun posts a waited-for run for the fixture's day with a request
// context of ctx, and returns the answer.
func waitedRun(f *fixture, ctx context.Context) *httptest.ResponseRecorder {
	body := strings.NewReader(`{"from": "` + f.plan.From + `", "wait": true}`)
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/api/runs", body)
	req.SetBasicAuth("oscar", password)
	rec := httptest.NewRecorder()
	f.web.ServeHTTP(rec, req)
	return rec
}

// TestWaitedRunWhileShuttingDown: a waited-for run asked of a service that
// is shutting down answers 503 with the reason, not a blank or failed run.
func TestWaitedRunWhileShuttingDown(t *testing.T) {
	f := newFixture(t, false)
	f.web.Close()
	rec := waitedRun(f, context.Background())
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "shutting down") {
		t.Errorf("waited run while shutting down: got %d %q, want 503 saying so", rec.Code, rec.Body.String())
	}
}

// TestWaitedRunOutlivesItsClient: a client that goes away (a timeout) does
// not abort the run it waited for: the run finishes and is recorded.
func TestWaitedRunOutlivesItsClient(t *testing.T) {
	f := newFixture(t, false)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := waitedRun(f, ctx)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"status":"succeeded"`) {
		t.Errorf("waited run whose client left: got %d %q, want it run to its end", rec.Code, rec.Body.String())
	}
}

// TestRunPageComparesWithTheSameWindow: a run's counts stand beside those of
// the run before it over the same window, as `runs --diff` compares them:
// never a dry run, nor a run of another window.
func TestRunPageComparesWithTheSameWindow(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	start := func(from, to string, dry bool) int64 {
		res, body := postJSON(t, c, f.srv.URL+"/api/runs", map[string]any{"from": from, "to": to, "wait": true, "dry_run": dry,
			"as_of": f.plan.AsOf.Format(time.RFC3339)})
		var finished web.FinishedRun
		if err := json.Unmarshal([]byte(body), &finished); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("POST /api/runs %s..%s: got %s %s", from, to, res.Status, body)
		}
		return finished.Run.ID
	}
	start(f.plan.From, f.plan.To, true)
	first := start(f.plan.From, f.plan.To, false)
	start("2026-11-20", "2026-11-20", false)
	second := start(f.plan.From, f.plan.To, false)
	if _, body := get(t, c, fmt.Sprintf("%s/runs/%d", f.srv.URL, first)); strings.Contains(body, "beside run") {
		t.Errorf("run %d, the window's first real run, is compared with another", first)
	}
	_, page := get(t, c, fmt.Sprintf("%s/runs/%d", f.srv.URL, second))
	if !strings.Contains(page, fmt.Sprintf("beside run <a href=\"/runs/%d\">", first)) {
		t.Errorf("run %d's page does not compare it with run %d:\n%s", second, first, page)
	}
	// The page links the per-transaction diff, which the browser's session reads.
	link := regexp.MustCompile(`<a id="diff" href="([^"]+)">`).FindStringSubmatch(page)
	if link == nil {
		t.Fatalf("run %d's page links no diff against run %d:\n%s", second, first, page)
	}
	var d jobs.RunDiff
	if res, body := get(t, c, f.srv.URL+link[1]); res.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &d) != nil || d.Before != first {
		t.Errorf("GET %s: got %s %s, want run %d compared with run %d", link[1], res.Status, body, second, first)
	}
	// A negative limit is refused, as /api/runs?limit= is: Limit read it as
	// "all" and listed every change.
	if res, body := get(t, c, fmt.Sprintf("%s/api/runs/%d/diff?limit=-1", f.srv.URL, second)); res.StatusCode != http.StatusBadRequest {
		t.Errorf("GET /api/runs/%d/diff?limit=-1: got %s %.300s, want 400", second, res.Status, body)
	}
	if res, _ := get(t, c, fmt.Sprintf("%s/api/runs/%d/diff", f.srv.URL, first)); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("GET /api/runs/%d/diff of the window's first run: got %s, want 422", first, res.Status)
	}
}

// TestAPIDiffCountsAlone: ?counts=true answers every kind's count, as the
// whole diff counts them, and lists no change (an empty list, not null); a
// ?limit= beside it is refused.
func TestAPIDiffCountsAlone(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	var ids []int64
	for _, to := range []string{f.plan.From, f.plan.To} { // the second day's broken are news
		res, body := postJSON(t, c, f.srv.URL+"/api/runs", map[string]any{"from": f.plan.From, "to": to, "wait": true,
			"as_of": f.plan.AsOf.Format(time.RFC3339)})
		var finished web.FinishedRun
		if err := json.Unmarshal([]byte(body), &finished); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("POST /api/runs %s..%s: got %s %s", f.plan.From, to, res.Status, body)
		}
		ids = append(ids, finished.Run.ID)
	}
	diff := func(query string) (jobs.RunDiff, string) {
		path := fmt.Sprintf("%s/api/runs/%d/diff?against=%d&%s", f.srv.URL, ids[1], ids[0], query)
		res, body := get(t, c, path)
		var d jobs.RunDiff
		if err := json.Unmarshal([]byte(body), &d); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: got %s %.300s", path, res.Status, body)
		}
		return d, body
	}
	all, _ := diff("limit=0")
	counts, body := diff("counts=true")
	if len(all.Changes) == 0 || !maps.Equal(all.Counts, counts.Counts) || !strings.Contains(body, `"changes":[]`) {
		t.Errorf("?counts=true answered %.500s; want the counts %v and no change", body, all.Counts)
	}
	// A limit beside counts was dropped without a word.
	path := fmt.Sprintf("%s/api/runs/%d/diff?against=%d&counts=true&limit=5", f.srv.URL, ids[1], ids[0])
	if res, body := get(t, c, path); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "limit has nothing to limit") {
		t.Errorf("GET %s: got %s %.300s, want 400 saying the limit has nothing to limit", path, res.Status, body)
	}
}

// TestRunPageSaysItListsAPart: a run with more findings than the run page
// lists says so, rather than passing the first ones off as all of them.
func TestRunPageSaysItListsAPart(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	finished := succeededAPIRun(t, f, c)
	page := fmt.Sprintf("%s/runs/%d", f.srv.URL, finished.ID)
	const note = "Only the first 500 findings are listed here"
	if _, body := get(t, c, page); strings.Contains(body, note) {
		t.Errorf("run %d with every finding listed says it lists a part:\n%s", finished.ID, body)
	}
	rows, err := f.env.DB.Query(t.Context(), `INSERT INTO findings (run_id, category, partner_merchant_id, transaction_id)
		SELECT $1, 'unknown_site', 'M001', 'T' || i FROM range(600) t(i)`, finished.ID)
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	_, body := get(t, c, page)
	_, listed, _ := strings.Cut(body, "<h2>Exceptions</h2>")
	if n := strings.Count(listed, "<tr><td>"); n != 500 {
		t.Errorf("run page lists %d findings, want 500", n)
	}
	contains(t, page, body, note+": the workbook's Exceptions sheet has every one.")
}

// TestRunPageNamesEachFindingsEnvironment: the run page's exceptions name
// the environment each finding was judged in, as the Exceptions sheet does,
// so a sandbox test row's finding is not read as production's.
func TestRunPageNamesEachFindingsEnvironment(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	finished := succeededAPIRun(t, f, c)
	rows, err := f.env.DB.Query(t.Context(), `INSERT INTO findings (run_id, category, partner_merchant_id, transaction_id, environment)
		VALUES ($1, 'amount_mismatch', 'M000', 'ENV-T1', 'sandbox'), ($1, 'amount_mismatch', 'M000', 'ENV-T2', 'production')`, finished.ID)
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	page := fmt.Sprintf("%s/runs/%d", f.srv.URL, finished.ID)
	_, body := get(t, c, page)
	for _, want := range []string{"<th>Merchant</th><th>Environment</th>",
		"<td>M000</td><td>sandbox</td><td>ENV-T1</td>", "<td>M000</td><td>production</td><td>ENV-T2</td>"} {
		contains(t, page, body, want)
	}
}

// TestMetricsKeepAWholeRunsCounts: a dry run, or a run of one merchant,
// leaves /metrics' counts as the last whole run's; each kind's last success
// has its time.
func TestMetricsKeepAWholeRunsCounts(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	run := func(extra map[string]any) {
		req := map[string]any{"from": f.plan.From, "to": f.plan.To, "wait": true, "as_of": f.plan.AsOf.Format(time.RFC3339)}
		maps.Copy(req, extra)
		if res, body := postJSON(t, c, f.srv.URL+"/api/runs", req); res.StatusCode != http.StatusOK {
			t.Fatalf("POST /api/runs %v: got %s %s", extra, res.Status, body)
		}
	}
	transmitted := regexp.MustCompile(`(?m)^flexrecon_last_run_rows\{state="transmitted"\} (\d+)$`)
	rows := func() string {
		_, m := get(t, c, f.srv.URL+"/metrics")
		if !strings.Contains(m, `flexrecon_last_success_timestamp_seconds{kind="adhoc"}`) {
			t.Errorf("metrics lack the last success's time:\n%s", m)
		}
		if g := transmitted.FindStringSubmatch(m); g != nil {
			return g[1]
		}
		return ""
	}
	run(nil)
	whole := rows()
	run(map[string]any{"dry_run": true, "merchant": f.env.Merchants[0].ID})
	if got := rows(); whole == "" || got != whole {
		t.Errorf("transmitted rows in /metrics: %q after a whole run, %q after a dry run of one merchant; want them kept", whole, got)
	}
	f.web.Close()
	f.start(t, false) // a restart: the gauges start from the recorded runs
	c = f.login(t, "oscar")
	if got := rows(); got != whole {
		t.Errorf("transmitted rows in /metrics after a restart: %q, want %q", got, whole)
	}
}

// TestSwitchThroughTheAPI: ops records a change as JSON, made by the user
// signed in; a change the registry must not take is refused with the reason.
func TestSwitchThroughTheAPI(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	change := map[string]any{"merchant_id": f.env.Merchants[0].ID, "profile": "mit", "state": "off",
		"effective_at": "2026-12-01T00:00:00Z", "reason": "paused", "actor": "someone else"}
	res, body := postJSON(t, c, f.srv.URL+"/api/switches", change)
	var sw store.Switch
	if res.StatusCode != http.StatusCreated || json.Unmarshal([]byte(body), &sw) != nil || sw.ID == 0 || sw.Actor != "oscar" || sw.Origin != "api" {
		t.Errorf("POST /api/switches: got %s %s, want 201 and the change, with its id, made by oscar", res.Status, body)
	}
	if res, body := postJSON(t, c, f.srv.URL+"/api/switches", map[string]any{"merchant": "M001", "profile": "mit"}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "merchant") {
		t.Errorf("POST /api/switches with a field it does not have: got %s %s, want 400 naming it", res.Status, body)
	}
	change["state"] = "on"
	if res, body := postJSON(t, c, f.srv.URL+"/api/switches", change); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "on") {
		t.Errorf("POST /api/switches with state on: got %s %s, want 400 naming it", res.Status, body)
	}
	if _, body := get(t, c, f.srv.URL+"/api/switches?merchant="+f.env.Merchants[0].ID); !strings.Contains(body, `"reason":"paused"`) {
		t.Errorf("GET /api/switches: the change is not listed:\n%s", body)
	}
}

// TestSignInGoesOnToThePageAskedFor: a link to a page (a run's, from a
// mail) followed while signed out leads, once signed in, to that page; an
// address to another site given as the page leads to the start page.
func TestSignInGoesOnToThePageAskedFor(t *testing.T) {
	f := newFixture(t, false)
	c := f.client(t)
	res, _ := get(t, c, f.srv.URL+"/runs/1?tab=sites")
	login := res.Header.Get("Location")
	if _, page := get(t, c, f.srv.URL+login); !strings.Contains(page, `name="next" value="/runs/1?tab=sites"`) {
		t.Fatalf("sign-in page from %s: got %.600s, want the page asked for in its form", login, page)
	}
	for next, want := range map[string]string{
		"/runs/1?tab=sites":     "/runs/1?tab=sites",
		"":                      "/",
		"//evil.example/runs":   "/",
		`/\evil.example`:        "/",
		"https://evil.example/": "/",
		"/runs/1\x7f\n":         "/",
	} {
		res, err := f.client(t).PostForm(f.srv.URL+"/login", url.Values{"name": {"fiona"}, "password": {password}, "next": {next}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
			t.Errorf("sign in with next %q: got %s to %q, want 303 to %q", next, res.Status, res.Header.Get("Location"), want)
		}
	}
}

// TestLockedOutSignInKeepsThePageAskedFor: the sign-in page shown again
// while locked out (429) still goes on, once signed in, to the page asked
// for, as the one shown after a wrong password does.
func TestLockedOutSignInKeepsThePageAskedFor(t *testing.T) {
	f := newFixture(t, false)
	for i := range 6 {
		res, err := f.client(t).PostForm(f.srv.URL+"/login", url.Values{"name": {"oscar"}, "password": {"wrong"}, "next": {"/runs/1?tab=sites"}})
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if i < 5 {
			continue
		}
		if res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("sign-in 6 of 6 with a wrong password: got %s, want 429", res.Status)
		}
		if !strings.Contains(string(page), `name="next" value="/runs/1?tab=sites"`) {
			t.Errorf("sign-in page while locked out: got %.600s, want the page asked for in its form", page)
		}
	}
}

// TestSignInGoesNotOnToSigningInOrOut: a page to go on to that signs in
// (the form again, as though the sign-in had failed) or out (a form's
// post only: 405) leads to the start page instead, however it is spelled.
func TestSignInGoesNotOnToSigningInOrOut(t *testing.T) {
	f := newFixture(t, false)
	for _, next := range []string{"/login", "/login?next=/runs/1", "/logout", "/./login", "/runs/../logout", "/%6cogin"} {
		res, err := f.client(t).PostForm(f.srv.URL+"/login", url.Values{"name": {"fiona"}, "password": {password}, "next": {next}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
			t.Errorf("sign in with next %q: got %s to %q, want 303 to /", next, res.Status, res.Header.Get("Location"))
		}
	}
}

// checkWorkbookServed checks that u serves the workbook file at path as it
// is, a part of it when asked for one, and once the file is gone, the
// workbook rendered again.
func checkWorkbookServed(t *testing.T, c *http.Client, u, path string) {
	t.Helper()
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, b := get(t, c, u); b != string(file) {
		t.Errorf("workbook download: %d bytes, want the run's file, %d bytes", len(b), len(file))
	}
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Range", "bytes=0-1")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusPartialContent || res.Header.Get("Last-Modified") == "" {
		t.Errorf("workbook download of its first two bytes: got %s, Last-Modified %q; want 206 and the file's time", res.Status, res.Header.Get("Last-Modified"))
	}
	// A browser resumes only if the file is the one it began (If-Range).
	req.Header.Set("If-Range", res.Header.Get("Last-Modified"))
	if res, err = c.Do(req); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusPartialContent {
		t.Errorf("workbook download resumed if the file is as of %q: got %s, want 206", req.Header.Get("If-Range"), res.Status)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if r, b := get(t, c, u); r.StatusCode != http.StatusOK || !strings.HasPrefix(b, "PK") {
		t.Errorf("workbook download once its file is gone: got %s, %d bytes; want it rendered again", r.Status, len(b))
	}
}

// TestRunOfFailingDatabase: a run asked for while the database fails is an
// error of the service, 500, not a run that is not there.
func TestRunOfFailingDatabase(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	id := succeededRun(t, f)
	if err := f.env.DB.Close(); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{fmt.Sprint("/runs/", id), fmt.Sprint("/api/runs/", id)} {
		if r, _ := get(t, c, f.srv.URL+u); r.StatusCode != http.StatusInternalServerError {
			t.Errorf("GET %s with the database closed: got %s, want 500", u, r.Status)
		}
	}
}

// TestHealthSaysWhenBehind: the health page says the nightly run is behind
// once a night has fired (at 02:30, an hour's grace) without a run covering
// its day, not only a day later.
func TestHealthSaysWhenBehind(t *testing.T) {
	f := newFixture(t, false)
	succeededRunOf(t, f, "nightly") // covers 2026-11-23
	// Signed in before the clock moves: a session begun at a time set more
	// than its 12 h before the real one has a cookie the client's jar, on
	// the real clock, drops as expired, so from 2026-11-25 21:00 UTC on the
	// page answered the sign-in page and the test always failed.
	c := f.login(t, "fiona")
	for at, want := range map[string]bool{
		"2026-11-24T12:00": false, // the night covering the 23rd ran
		"2026-11-25T03:00": false, // the 24th's night fired at 02:30, and may take an hour
		"2026-11-25T04:00": true,  // it has not covered the 24th
	} {
		local, err := time.ParseInLocation("2006-01-02T15:04", at, f.env.Location)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.set(local)
		_, body := get(t, c, f.srv.URL+"/health")
		if got := strings.Contains(body, "(behind)"); got != want {
			t.Errorf("health at %s with the 23rd covered: behind %t, want %t", at, got, want)
		}
	}
}

// TestHealthAfterTheDemoIsNotBehind: a database whose only run is the
// demo's (`make demo`, then serve) has no night to be behind until the
// first night since the service started has fired, an hour ago; meanwhile
// the page names the demo's run. It said "behind" from the start.
func TestHealthAfterTheDemoIsNotBehind(t *testing.T) {
	f := newFixture(t, false)
	demo := succeededRunOf(t, f, "demo")
	c := f.login(t, "fiona")
	_, body := get(t, c, f.srv.URL+"/health")
	if strings.Contains(body, "(behind)") || !strings.Contains(body, fmt.Sprintf(`<a href="/runs/%d">%d</a> (demo)`, demo, demo)) {
		t.Errorf("health at start after a demo run:\n%s\nwant no (behind), and demo run %d named", body, demo)
	}
	f.clock.advance(2 * 24 * time.Hour) // a night fired at 02:30 since, with no nightly run
	c = f.login(t, "fiona")             // the first session ended 12 h on
	if _, body := get(t, c, f.srv.URL+"/health"); !strings.Contains(body, "(behind)") {
		t.Errorf("health two days on with no nightly run:\n%s\nwant (behind)", body)
	}
}

// TestHealthAfterAFailedFirstNightStaysBehindOnRestart: a service whose
// first nightly run failed is behind an hour on, and still after a
// restart: counting the nights due from the restart alone, it said behind
// again only an hour after the next night, and a service restarted each
// day never did.
func TestHealthAfterAFailedFirstNightStaysBehindOnRestart(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "fiona") // before the clock moves back: see TestHealthSaysWhenBehind
	at := func(local string) {
		t.Helper()
		when, err := time.ParseInLocation("2006-01-02T15:04", local, f.env.Location)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.set(when)
	}
	at("2026-11-23T12:00")
	f.start(t, false) // serve started on the 23rd, before any night fired
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	run, err := f.env.DB.StartRun(t.Context(), store.Run{Kind: "nightly", WindowFrom: day, WindowTo: day,
		AsOf: day, QueuedAt: time.Now().UTC(), ConfigHash: "x", Version: "test"})
	if err == nil { // the 23rd's night, fired at 02:30 on the 24th, failed
		err = f.env.DB.FinishRun(t.Context(), run.ID, time.Now().UTC(), errors.New("pull orders: 503"))
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, restart := range []bool{false, true} {
		at("2026-11-24T09:00")
		if restart {
			f.start(t, false) // restarted the morning after
		}
		if _, body := get(t, c, f.srv.URL+"/health"); !strings.Contains(body, "(behind)") {
			t.Errorf("health the morning after a failed first night (restarted: %t):\n%s\nwant (behind)", restart, body)
		}
	}
}

// TestMerchantRunServesNoOtherMerchantsWorkbook: a merchant's run recorded
// when every run wrote every merchant's workbook points at that file; its
// download is the merchant's workbook rendered again, not that file, which
// finance would send the merchant with the others' figures in it.
func TestMerchantRunServesNoOtherMerchantsWorkbook(t *testing.T) {
	f := newFixture(t, false)
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	run, err := f.env.DB.StartRun(t.Context(), store.Run{Kind: "adhoc", WindowFrom: day, WindowTo: day, AsOf: day,
		Merchant: "M001", QueuedAt: time.Now().UTC(), ConfigHash: "x", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	every := filepath.Join(t.TempDir(), fmt.Sprintf("flexrecon-run-%d.xlsx", run.ID))
	if err := os.WriteFile(every, []byte("every merchant's figures"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := f.env.DB.SetRunWorkbook(t.Context(), run.ID, store.WorkbookFile{Path: every}); err != nil {
		t.Fatal(err)
	}
	if err := f.env.DB.FinishRun(t.Context(), run.ID, time.Now().UTC(), nil); err != nil {
		t.Fatal(err)
	}
	r, b := get(t, f.login(t, "fiona"), fmt.Sprintf("%s/runs/%d/workbook.xlsx", f.srv.URL, run.ID))
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(b, "PK") {
		t.Errorf("workbook of run %d of M001, which points at every merchant's: got %s %.40q, want M001's rendered again", run.ID, r.Status, b)
	}
	if got, want := r.Header.Get("Content-Disposition"), fmt.Sprintf("flexrecon-run-%d-M001.xlsx", run.ID); !strings.Contains(got, want) {
		t.Errorf("workbook of run %d of M001: Content-Disposition %q, want it named %s, as the run wrote it", run.ID, got, want)
	}
}

// TestWorkbookNotTheRunsIsRenderedAgain: a run's workbook file changed
// since the run wrote it (another service writing into the same folder, a
// hand's edit of one byte, the size unchanged) is not served as the run's:
// the download is the workbook rendered again. So is the file of a run that
// recorded no digest of it (before flexrecon kept one).
func TestWorkbookNotTheRunsIsRenderedAgain(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	run, err := f.env.DB.GetRun(t.Context(), succeededAPIRun(t, f, c).ID)
	if err != nil {
		t.Fatal(err)
	}
	edited, err := os.ReadFile(run.Workbook)
	if err != nil {
		t.Fatal(err)
	}
	edited[len(edited)/2] ^= 1
	if err := os.WriteFile(run.Workbook, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	u := fmt.Sprintf("%s/runs/%d/workbook.xlsx", f.srv.URL, run.ID)
	if r, b := get(t, c, u); r.StatusCode != http.StatusOK || !strings.HasPrefix(b, "PK") || b == string(edited) {
		t.Errorf("workbook of run %d, its file edited since: got %s, the edited file %t; want it rendered again", run.ID, r.Status, b == string(edited))
	}
	if err := f.env.DB.SetRunWorkbook(t.Context(), run.ID, store.WorkbookFile{Path: run.Workbook}); err != nil {
		t.Fatal(err)
	}
	if r, b := get(t, c, u); r.StatusCode != http.StatusOK || !strings.HasPrefix(b, "PK") || b == string(edited) {
		t.Errorf("workbook of run %d, which recorded no digest: got %s, the file %t; want it rendered again", run.ID, r.Status, b == string(edited))
	}
}

// succeededAPIRun runs the chain over f's plan through the API as c,
// waiting for it, and fails unless it succeeded with its counts.
func succeededAPIRun(t *testing.T, f *fixture, c *http.Client) web.FinishedRun {
	t.Helper()
	res, body := postJSON(t, c, f.srv.URL+"/api/runs", map[string]any{"from": f.plan.From, "to": f.plan.To, "wait": true,
		"as_of": f.plan.AsOf.Format(time.RFC3339)})
	var finished web.FinishedRun
	if err := json.Unmarshal([]byte(body), &finished); err != nil || res.StatusCode != http.StatusOK || finished.Status != "succeeded" || len(finished.Counts) == 0 {
		t.Fatalf("POST /api/runs wait: got %s %s, want 200 and a succeeded run with its counts", res.Status, body)
	}
	return finished
}

// TestCSVForExcelHasABOM: a CSV asked for Excel (?excel=1, the run page's
// "for Excel" link) starts with a UTF-8 byte-order mark, so Excel on Windows
// reads non-ASCII site names right; a plain CSV has none, so a program's
// first column keeps its name.
func TestCSVForExcelHasABOM(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "fiona")
	run := succeededAPIRun(t, f, f.login(t, "oscar"))
	u := fmt.Sprintf("%s/runs/%d/csv/%s", f.srv.URL, run.ID, f.env.Reports[0].Name)
	_, plain := get(t, c, u)
	r, excel := get(t, c, u+"?excel=1")
	if r.StatusCode != http.StatusOK || strings.HasPrefix(plain, "\ufeff") || excel != "\ufeff"+plain {
		t.Errorf("GET %s?excel=1: got %s %.20q; plain %.20q; want the plain CSV after a BOM, and no BOM on the plain", u, r.Status, excel, plain)
	}
	_, page := get(t, c, fmt.Sprintf("%s/runs/%d", f.srv.URL, run.ID))
	contains(t, "run page", page, fmt.Sprintf(`href="/runs/%d/csv/%s?excel=1"`, run.ID, f.env.Reports[0].Name))
}

// TestShownErrorsNameNoServerFolders: a failed run's error and its stages'
// details, as the pages and the API show them, name files by their names
// (DuckDB's WAL, a workbook's temporary file), not where the server keeps
// them; a path in the configured inbox stays whole (ops fixes the inbox it
// names), as does a FlexCharge address. The health page names the database
// without its folder.
func TestShownErrorsNameNoServerFolders(t *testing.T) {
	f := newFixture(t, false)
	dir, inbox := filepath.Dir(f.env.DB.Path()), f.env.Sources[0].Path
	wal := f.env.DB.Path() + ".wal"
	walName := filepath.Base(wal)
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	run, err := f.env.DB.StartRun(t.Context(), store.Run{Kind: "adhoc", WindowFrom: day, WindowTo: day, AsOf: day,
		QueuedAt: time.Now().UTC(), ConfigHash: "x", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	runErr := fmt.Sprintf(`run %d: push: IO Error: Could not write to WAL file "%s": No space left on device; POST /oauth2/token: 503; GET https://example.com/tmp/x.csv: 404`, run.ID, wal)
	detail := fmt.Sprintf("failed: open %s: permission denied; read dir %s/late.csv: gone", filepath.Join(dir, "out", ".flexrecon-run-1.xlsx-9.tmp"), inbox)
	for _, err := range []error{
		f.env.DB.StartStage(t.Context(), run.ID, "push", time.Now().UTC()),
		f.env.DB.FinishStage(t.Context(), run.ID, "push", time.Now().UTC(), 0, detail),
		f.env.DB.FinishRun(t.Context(), run.ID, time.Now().UTC(), errors.New(runErr)),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	c := f.login(t, "fiona")
	wants := map[string][]string{
		"/":                                 {walName + "&#34;: No space left on device", "POST /oauth2/token: 503", "https://example.com/tmp/x.csv"},
		fmt.Sprintf("/runs/%d", run.ID):     {walName + "&#34;: No space left on device", "open .flexrecon-run-1.xlsx-9.tmp: permission denied", inbox + "/late.csv: gone"},
		fmt.Sprintf("/api/runs/%d", run.ID): {walName + `\": No space left on device`},
		"/api/runs":                         {walName + `\": No space left on device`},
		"/health":                           {"<td>" + filepath.Base(f.env.DB.Path()) + "</td>"},
	}
	for path, want := range wants {
		_, body := get(t, c, f.srv.URL+path)
		contains(t, path, body, want...)
		if strings.Contains(strings.ReplaceAll(body, inbox, "(inbox)"), dir) {
			t.Errorf("GET %s shows the server's folder %s:\n%.3000s", path, dir, body)
		}
	}
}

// TestStartFormSentTwiceStartsOneRun: the start form sent twice at once (a
// double click) starts one run, both answers going to the runs list; a
// form refused (a bad date) and sent again corrected starts its run.
func TestStartFormSentTwiceStartsOneRun(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	post := func(from, once string) int {
		res, err := c.PostForm(f.srv.URL+"/runs", url.Values{"from": {from}, "dry_run": {"1"}, "once": {once}})
		if err != nil {
			t.Error(err)
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	once := startFormToken(t, f, c)
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range codes {
		wg.Go(func() { codes[i] = post(f.plan.To, once) })
	}
	wg.Wait()
	runs, err := f.env.DB.Runs(t.Context(), 10)
	if err != nil || len(runs) != 1 || codes[0] != http.StatusSeeOther || codes[1] != http.StatusSeeOther {
		t.Errorf("the start form sent twice: answered %v, %d runs (%v); want 303 twice and one run", codes, len(runs), err)
	}
	once = startFormToken(t, f, c)
	if code := post("23/11/2026", once); code != http.StatusBadRequest {
		t.Errorf("the start form with a bad date: got %d, want 400", code)
	}
	if code := post(f.plan.To, once); code != http.StatusSeeOther {
		t.Errorf("the start form corrected: got %d, want 303", code)
	}
	if runs, err := f.env.DB.Runs(t.Context(), 10); err != nil || len(runs) != 2 {
		t.Errorf("after the corrected form: %d runs (%v), want 2", len(runs), err)
	}
}

// TestAPIRunShowsItsStages: GET /api/runs/{id} answers a run's stages so
// far, so that a script following a run at night sees where it is: the
// stage under way without an end, and the stage that failed with why.
func TestAPIRunShowsItsStages(t *testing.T) {
	f := newFixture(t, false)
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	run, err := f.env.DB.StartRun(t.Context(), store.Run{Kind: "adhoc", WindowFrom: day, WindowTo: day, AsOf: day,
		QueuedAt: time.Now().UTC(), ConfigHash: "x", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		f.env.DB.StartStage(t.Context(), run.ID, "ingest", time.Now().UTC()),
		f.env.DB.FinishStage(t.Context(), run.ID, "ingest", time.Now().UTC(), 12, "1 files loaded, 0 rejected"),
		f.env.DB.StartStage(t.Context(), run.ID, "pull orders", time.Now().UTC()),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	c := f.program(t, "fiona")
	u := fmt.Sprintf("%s/api/runs/%d", f.srv.URL, run.ID)
	var got struct { // as a script reads it
		Stages []struct {
			Stage      string     `json:"stage"`
			FinishedAt *time.Time `json:"finished_at"`
			Rows       int64      `json:"rows"`
			Detail     string     `json:"detail"`
		} `json:"stages"`
	}
	if res, body := get(t, c, u); res.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &got) != nil ||
		len(got.Stages) != 2 || got.Stages[0].FinishedAt == nil || got.Stages[0].Rows != 12 || got.Stages[1].Stage != "pull orders" || got.Stages[1].FinishedAt != nil {
		t.Fatalf("GET %s of a run pulling orders: got %s %s; want ingest ended with 12 rows, pull orders under way", u, res.Status, body)
	}
	if err := f.env.DB.FinishStage(t.Context(), run.ID, "pull orders", time.Now().UTC(), 0, "failed: list orders of mid 7: GET /orders: 503"); err != nil {
		t.Fatal(err)
	}
	if _, body := get(t, c, u); json.Unmarshal([]byte(body), &got) != nil || len(got.Stages) != 2 || got.Stages[1].Detail != "failed: list orders of mid 7: GET /orders: 503" {
		t.Errorf("GET %s once pulling orders failed: got %s, want the stage's failure", u, body)
	}
}

// TestHealthShowsPushesInDoubtOfAnyDay: a push a failed run left without an
// answer is shown on the health page and in /metrics, whatever its day (a
// run lists only its window's), until a later run answers it.
func TestHealthShowsPushesInDoubtOfAnyDay(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	req := map[string]any{"from": f.plan.From, "to": f.plan.To, "wait": true, "dry_run": true, "as_of": f.plan.AsOf.Format(time.RFC3339)}
	res, body := postJSON(t, c, f.srv.URL+"/api/runs", req)
	var dry web.FinishedRun
	if err := json.Unmarshal([]byte(body), &dry); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/runs (dry run): got %s %s", res.Status, body)
	}
	candidates, err := f.env.DB.PushCandidates(t.Context(), dry.ID)
	if err != nil || len(candidates) == 0 {
		t.Fatalf("push candidates of dry run %d: %d, %v; want some", dry.ID, len(candidates), err)
	}
	tx := candidates[0]
	push := func(runErr error, outcomes, intents []store.PushRecord) {
		t.Helper()
		run, err := f.env.DB.StartRun(t.Context(), store.Run{Kind: "adhoc", WindowFrom: tx.ProcessedAt, WindowTo: tx.ProcessedAt,
			AsOf: f.plan.AsOf, QueuedAt: time.Now().UTC(), ConfigHash: "x", Version: "test"})
		for i := range outcomes {
			outcomes[i].RunID = run.ID
		}
		for i := range intents {
			intents[i].RunID = run.ID
		}
		if err == nil {
			err = f.env.DB.RecordPushes(t.Context(), outcomes, intents)
		}
		if err == nil {
			err = f.env.DB.FinishRun(t.Context(), run.ID, time.Now().UTC(), runErr)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	rec := store.PushRecord{Merchant: tx.Merchant, TransactionID: tx.TransactionID, Env: tx.Environment, MID: tx.MID,
		Outcome: "intent", At: time.Now().UTC(), RunClock: f.plan.AsOf}
	push(errors.New("the process running it stopped before it finished"), nil, []store.PushRecord{rec})
	f.web.Close()
	f.start(t, false) // as serve starts after a crash: the gauges count from the log
	c = f.login(t, "oscar")
	_, h := get(t, c, f.srv.URL+"/health")
	when := recon.LocalTime(tx.ProcessedAt, f.env.Location)
	contains(t, "health with a push unanswered", h, "<strong>1</strong>, the oldest processed "+when)
	_, m := get(t, c, f.srv.URL+"/metrics")
	contains(t, "metrics with a push unanswered", m, "flexrecon_pushes_in_doubt 1\n",
		fmt.Sprintf("flexrecon_oldest_push_in_doubt_processed_timestamp_seconds %g\n", float64(tx.ProcessedAt.Unix())))

	answered := rec
	answered.Outcome, answered.Key = "pushed", "key-1"
	push(nil, []store.PushRecord{answered}, nil)
	_, h = get(t, c, f.srv.URL+"/health")
	contains(t, "health once the push is answered", h, `<td id="doubts">none</td>`)

	// A transaction a run judged no longer expected at /transmit (a refund,
	// test traffic) is never sent again, so no run answers its intent and a
	// resend cannot settle it: the run lists it once; counted, it held the
	// gauge above 0 for good.
	rows, err := f.env.DB.Query(t.Context(), `SELECT partner_merchant_id, transaction_id, environment FROM results
		WHERE run_id = $1 AND occurrence = 1 AND transmit_state = 'not_expected' LIMIT 1`, dry.ID)
	if err != nil {
		t.Fatal(err)
	}
	dropped := rec
	for rows.Next() {
		if err := rows.Scan(&dropped.Merchant, &dropped.TransactionID, &dropped.Env); err != nil {
			t.Fatal(err)
		}
	}
	rows.Close()
	if dropped.TransactionID == tx.TransactionID {
		t.Fatalf("dry run %d judged no transaction not_expected", dry.ID)
	}
	push(errors.New("the process running it stopped before it finished"), nil, []store.PushRecord{dropped})
	_, h = get(t, c, f.srv.URL+"/health")
	contains(t, "health with an unanswered push of a transaction not expected", h, `<td id="doubts">none</td>`)
}

// TestHealthShowsForcedFilesAwaitingARun: a correction put in force with
// ingest --replace waits for a recorded run of every merchant over its
// day, which a correction of a day no night reaches back to may never get;
// it showed nowhere meanwhile. The health page names it until such a run
// takes it in, and not after.
func TestHealthShowsForcedFilesAwaitingARun(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	run := func(dry bool) {
		req := map[string]any{"from": f.plan.From, "to": f.plan.To, "wait": true, "dry_run": dry, "as_of": f.plan.AsOf.Format(time.RFC3339)}
		if res, body := postJSON(t, c, f.srv.URL+"/api/runs", req); res.StatusCode != http.StatusOK {
			t.Fatalf("POST /api/runs (dry run %t): got %s %s", dry, res.Status, body)
		}
	}
	run(false) // the day's exports in force, named by no correction
	src := f.env.Sources[0]
	files, err := ledger.Discover(src.Name, src.Path, src.Pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("files of %s: %d, %v", src.Path, len(files), err)
	}
	file := cutOff(t, files[len(files)-1])
	lf, err := store.NewLoadFile(file, src.Format, src.Mapping, f.env.Location)
	if err != nil {
		t.Fatal(err)
	}
	lf.Replace = true // as ingest --replace loads it: under no run
	if out, err := f.env.DB.IngestFile(t.Context(), lf); err != nil || out.Replacement == nil {
		t.Fatalf("ingest --replace %s: %+v, %v; want it to replace the day's export", file.Name, out, err)
	}
	waiting := fmt.Sprintf("<strong>%s</strong> for %s", file.Name, file.BusinessDate.Format(time.DateOnly))
	for _, dry := range []bool{true, false} {
		_, h := get(t, c, f.srv.URL+"/health")
		if dry {
			contains(t, "health after ingest --replace", h, waiting)
		} else {
			contains(t, "health after a dry run", h, waiting)
		}
		run(dry)
	}
	_, h := get(t, c, f.srv.URL+"/health")
	contains(t, "health after a run of the file's day", h, `<td id="awaiting">none</td>`)
}

// cutOff writes, outside the inbox, export's header and first row under a
// name of its day, as a partner's job that died would: a file
// ingest --replace puts in force over the export.
func cutOff(t *testing.T, export ledger.File) ledger.File {
	t.Helper()
	body, err := os.ReadFile(export.Path)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), strings.TrimSuffix(export.Name, ".csv")+"_cut.csv")
	if err := os.WriteFile(path, []byte(strings.Join(strings.SplitAfter(string(body), "\n")[:2], "")), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := ledger.Describe(export.Source, path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
