package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// postKeyed posts v as JSON with the Idempotency-Key key ("" none) and
// answers the status, the run's id and the body.
func postKeyed(t *testing.T, c *http.Client, u, key string, v any) (int, int64, string) {
	t.Helper()
	b, _ := json.Marshal(v)
	req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	var run struct {
		ID int64 `json:"id"`
	}
	json.Unmarshal(body, &run)
	return res.StatusCode, run.ID, string(body)
}

// TestStartRunIdempotencyKey: a client that retries POST /api/runs after a
// timeout started a second run. With an Idempotency-Key, the same request
// sent again answers the first run (200, its id) and starts none, its clock
// written in another zone too; the key
// asking another run is a 409 naming both; no key starts a run each time.
func TestStartRunIdempotencyKey(t *testing.T) {
	f := newFixture(t, false)
	c := f.program(t, "oscar")
	u := f.srv.URL + "/api/runs"
	run := map[string]any{"from": f.plan.From, "to": f.plan.To, "as_of": f.plan.AsOf.Format(time.RFC3339), "dry_run": true}

	status, first, body := postKeyed(t, c, u, "retry-1", run)
	if status != http.StatusAccepted || first == 0 {
		t.Fatalf("POST /api/runs with a new key: %d %.300s; want 202 with a run", status, body)
	}
	status, again, body := postKeyed(t, c, u, "retry-1", run)
	if status != http.StatusOK || again != first {
		t.Errorf("POST /api/runs again with its key: %d run %d %.300s; want 200 with run %d", status, again, body, first)
	}
	sameClock := map[string]any{"from": f.plan.From, "to": f.plan.To, "as_of": f.plan.AsOf.In(time.FixedZone("", 3600)).Format(time.RFC3339), "dry_run": true}
	if status, again, body := postKeyed(t, c, u, "retry-1", sameClock); status != http.StatusOK || again != first {
		t.Errorf("POST /api/runs again with its key, its as_of in another zone: %d run %d %.300s; want 200 with run %d", status, again, body, first)
	}
	other := map[string]any{"from": f.plan.From, "to": f.plan.To, "as_of": f.plan.AsOf.Format(time.RFC3339), "dry_run": false}
	status, _, body = postKeyed(t, c, u, "retry-1", other)
	if status != http.StatusConflict || !strings.Contains(body, "Idempotency-Key") || !strings.Contains(body, "dry_run=true") || !strings.Contains(body, "dry_run=false") {
		t.Errorf("POST /api/runs with the key asking another run: %d %.300s; want 409 naming the key and both requests", status, body)
	}
	status, unkeyed, body := postKeyed(t, c, u, "", run)
	if status != http.StatusAccepted || unkeyed == first || unkeyed == 0 {
		t.Errorf("POST /api/runs without a key: %d run %d %.300s; want 202 with a new run", status, unkeyed, body)
	}
	res, body := get(t, c, u)
	var runs []struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal([]byte(body), &runs); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/runs: %s %.300s", res.Status, body)
	}
	if len(runs) != 2 {
		t.Errorf("runs after a keyed request sent twice, once asking another, and an unkeyed one: %d %v; want 2", len(runs), runs)
	}
}

// TestIdempotencyKeyOutlivesRestart: the keys were kept in memory, so a
// client retrying after the service restarted (the usual moment to retry)
// started a second run. The key sent again to a new server over the same
// database answers the first run, or 409 asking another; a day on, it
// starts a run again. The key itself is not stored.
func TestIdempotencyKeyOutlivesRestart(t *testing.T) {
	f := newFixture(t, false)
	run := map[string]any{"from": f.plan.From, "to": f.plan.To, "as_of": f.plan.AsOf.Format(time.RFC3339), "dry_run": true}
	status, first, body := postKeyed(t, f.program(t, "oscar"), f.srv.URL+"/api/runs", "retry-after-restart", run)
	if status != http.StatusAccepted || first == 0 {
		t.Fatalf("POST /api/runs with a new key: %d %.300s; want 202 with a run", status, body)
	}
	f.web.Close() // lets the run end before the next server starts
	f.start(t, false)
	c, u := f.program(t, "oscar"), f.srv.URL+"/api/runs"
	if status, again, body := postKeyed(t, c, u, "retry-after-restart", run); status != http.StatusOK || again != first {
		t.Errorf("POST /api/runs again with its key after a restart: %d run %d %.300s; want 200 with run %d", status, again, body, first)
	}
	other := map[string]any{"from": f.plan.From, "to": f.plan.To, "as_of": f.plan.AsOf.Format(time.RFC3339), "dry_run": false}
	if status, _, body := postKeyed(t, c, u, "retry-after-restart", other); status != http.StatusConflict || !strings.Contains(body, "dry_run=true") {
		t.Errorf("POST /api/runs with the key asking another run after a restart: %d %.300s; want 409 naming what it asked", status, body)
	}
	if status, again, body := postKeyed(t, f.program(t, "ada"), u, "retry-after-restart", run); status != http.StatusAccepted || again == first {
		t.Errorf("POST /api/runs with another user's key: %d run %d %.300s; want 202 with a run of its own", status, again, body)
	}
	rows, err := f.env.DB.Query(context.Background(), "SELECT count(*) FILTER (key_digest LIKE '%retry%' OR asked LIKE '%retry%'), count(*) FROM idempotency_keys")
	if err != nil {
		t.Fatal(err)
	}
	var plain, stored int
	if !rows.Next() || rows.Scan(&plain, &stored) != nil || plain != 0 || stored != 2 {
		t.Errorf("keys stored: %d, %d of them as sent; want 2, none as sent (a digest only)", stored, plain)
	}
	rows.Close()
	f.clock.advance(25 * time.Hour)
	if status, again, body := postKeyed(t, c, u, "retry-after-restart", run); status != http.StatusAccepted || again == first {
		t.Errorf("POST /api/runs with its key a day on: %d run %d %.300s; want 202 with a new run", status, again, body)
	}
}
