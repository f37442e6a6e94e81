package web_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/store"
)

// call is a request and the error status it must answer. A program's is
// signed in by basic auth as user (with the fixture's password unless pw
// says another), or not at all; a browser's by the session of client.
type call struct {
	client       *http.Client
	user, pw     string
	method, path string
	body         string
	header       map[string]string
	want         int
}

var asJSON = map[string]string{"Content-Type": "application/json"}

// TestAPIErrorsAreJSON: every error the API answers is {"error": "..."} as
// application/json with its status, whether its handler refused or what
// stands before it (the sign-in, the throttle, the router, cross-origin
// protection), so that a script can parse every answer. Headers that say
// what to do next stay.
func TestAPIErrorsAreJSON(t *testing.T) {
	f := newFixture(t, false)
	for _, c := range []call{
		{method: "GET", path: "/api/runs", want: http.StatusUnauthorized},
		{user: "fiona", pw: "not her password", method: "GET", path: "/api/runs", want: http.StatusUnauthorized},
		{user: "fiona", method: "POST", path: "/api/runs", body: `{"from": "2026-11-23"}`, header: asJSON, want: http.StatusForbidden},
		{user: "fiona", method: "GET", path: "/api/runs/999", want: http.StatusNotFound},
		{user: "fiona", method: "GET", path: "/api/runs/x/diff", want: http.StatusBadRequest},
		// A run that is not there is not found, as GET /api/runs/{id} says.
		{user: "fiona", method: "GET", path: "/api/runs/999/diff", want: http.StatusNotFound},
		{user: "fiona", method: "GET", path: "/api/runs?limit=0", want: http.StatusBadRequest},
		{user: "fiona", method: "GET", path: "/api/explain", want: http.StatusBadRequest},
		{user: "fiona", method: "GET", path: "/api/nothing-here", want: http.StatusNotFound},
		{user: "fiona", method: "DELETE", path: "/api/runs", want: http.StatusMethodNotAllowed},
		{user: "oscar", method: "POST", path: "/api/runs", body: "nonsense", header: asJSON, want: http.StatusBadRequest},
		{user: "oscar", method: "POST", path: "/api/switches", body: `{"merchant": "M001"}`, header: asJSON, want: http.StatusBadRequest},
		{user: "oscar", method: "POST", path: "/api/runs", body: `{"from": "2026-11-23"}`,
			header: map[string]string{"Content-Type": "application/json", "Origin": "https://evil.example"}, want: http.StatusForbidden},
		// A second object after the run's, which a client meant as part of it.
		{user: "oscar", method: "POST", path: "/api/runs", body: `{"from": "2026-11-23"} {"dry_run": true}`, header: asJSON, want: http.StatusBadRequest},
		{user: "oscar", method: "POST", path: "/api/switches", body: `{"reason": "` + strings.Repeat("x", 1<<16) + `"}`,
			header: asJSON, want: http.StatusRequestEntityTooLarge},
		// A run's fields, then more than the limit after them.
		{user: "oscar", method: "POST", path: "/api/runs", body: `{"from": "2026-11-23", "dry_run": true}` + strings.Repeat(" ", 1<<16),
			header: asJSON, want: http.StatusRequestEntityTooLarge},
		// A report the service does not have, of a run it does (published).
		{user: "fiona", method: "GET", path: fmt.Sprintf("/api/runs/%d/csv/nope", succeededRun(t, f)), want: http.StatusNotFound},
	} {
		res := wantJSONError(t, f, c)
		switch c.want {
		case http.StatusMethodNotAllowed:
			if got := res.Header.Get("Allow"); !strings.Contains(got, "GET") || !strings.Contains(got, "POST") {
				t.Errorf("%s %s: Allow %q, want the methods the path takes", c.method, c.path, got)
			}
		case http.StatusUnauthorized:
			if res.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s %s: no WWW-Authenticate on a 401", c.method, c.path)
			}
		}
	}
	wrong := call{user: "ada", pw: "wrong", method: "GET", path: "/api/runs", want: http.StatusUnauthorized}
	for range 5 {
		wantJSONError(t, f, wrong)
	}
	wrong.want = http.StatusTooManyRequests
	wantRetry(t, wantJSONError(t, f, wrong), 50, 60)
}

// TestPageErrorsStayText: outside the API, errors are still text: a page's,
// a browser's refused form, Prometheus' refused scrape.
func TestPageErrorsStayText(t *testing.T) {
	f := newFixture(t, false)
	fiona := f.login(t, "fiona")
	for _, c := range []call{
		{client: fiona, method: "GET", path: "/runs/999", want: http.StatusNotFound},
		{client: fiona, method: "POST", path: "/runs", body: "from=2026-11-23",
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, want: http.StatusForbidden},
		{user: "fiona", pw: "not her password", method: "GET", path: "/metrics", want: http.StatusUnauthorized},
	} {
		res, body := send(t, f, c)
		if res.StatusCode != c.want || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("%s %s: got %s %q %q, want %d as text", c.method, c.path, res.Status, res.Header.Get("Content-Type"), body, c.want)
		}
	}
}

// succeededRun records a run that succeeded, judging nothing, and returns its id.
func succeededRun(t *testing.T, f *fixture) int64 {
	t.Helper()
	return succeededRunOf(t, f, "adhoc")
}

// succeededRunOf records a succeeded run of kind over 2026-11-23.
func succeededRunOf(t *testing.T, f *fixture, kind string) int64 {
	t.Helper()
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	run, err := f.env.DB.StartRun(t.Context(), store.Run{Kind: kind, WindowFrom: day, WindowTo: day,
		AsOf: day, QueuedAt: time.Now().UTC(), ConfigHash: "x", Version: "test"})
	if err == nil {
		err = f.env.DB.FinishRun(t.Context(), run.ID, time.Now().UTC(), nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return run.ID
}

// wantJSONError sends c and fails unless it answers c.want with an error
// in JSON; it returns the answer for its headers.
func wantJSONError(t *testing.T, f *fixture, c call) *http.Response {
	t.Helper()
	res, body := send(t, f, c)
	var e map[string]any
	err := json.Unmarshal([]byte(body), &e)
	msg, _ := e["error"].(string)
	if res.StatusCode != c.want || res.Header.Get("Content-Type") != "application/json" || err != nil || len(e) != 1 || msg == "" {
		t.Errorf("%s %s: got %s %q %q, want %d with application/json {\"error\": \"...\"}",
			c.method, c.path, res.Status, res.Header.Get("Content-Type"), body, c.want)
	}
	return res
}

func send(t *testing.T, f *fixture, c call) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(c.method, f.srv.URL+c.path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	if c.user != "" {
		req.SetBasicAuth(c.user, cmp.Or(c.pw, password))
	}
	client := c.client
	if client == nil {
		client = f.client(t) // a client of its own: no session
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}
