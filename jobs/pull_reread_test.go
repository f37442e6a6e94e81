package jobs_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/recon"
)

// unstableTies serves the sandbox in pages of 5 and, for the first reads of
// mid's listing, serves page 1's last order again first on page 2, in the
// place of the order it changed places with, as a server ordering orders of
// one moment otherwise from request to request does.
type unstableTies struct {
	sb       http.Handler
	mid      string
	unstable int // reads to serve so

	mu    sync.Mutex
	reads int
	last  json.RawMessage // page 1's last order
}

func (u *unstableTies) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !strings.HasSuffix(r.URL.Path, "/orders") {
		u.sb.ServeHTTP(w, r)
		return
	}
	q.Set("pageSize", "5")
	r.URL.RawQuery = q.Encode()
	rec := httptest.NewRecorder()
	u.sb.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	if q.Get("mid") == u.mid {
		body = u.shuffle(q.Get("pageNumber"), body)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rec.Code)
	w.Write(body)
}

func (u *unstableTies) shuffle(page string, body []byte) []byte {
	var p map[string]json.RawMessage
	var rows []json.RawMessage
	if json.Unmarshal(body, &p) != nil || json.Unmarshal(p["rows"], &rows) != nil || len(rows) == 0 {
		return body
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	switch page {
	case "1":
		u.reads++
		u.last = rows[len(rows)-1]
		return body
	case "2":
		if u.reads > u.unstable {
			return body
		}
		rows[0] = u.last
		p["rows"], _ = json.Marshal(rows)
		b, _ := json.Marshal(p)
		return b
	}
	return body
}

// TestPullReadsAMovedListingAgain: a server that orders orders of one moment
// otherwise from request to request failed the pull every night ("page 2
// holds order ..., read on a page before"). The pull reads that merchant's
// listing again from its start: ties that settle by the third read give
// every order once, and the log says it read again; ties that never settle
// fail the pull naming the merchant, environment, page and reason, and
// store none of that listing's orders (before, page 1's were merged as if
// read whole).
func TestPullReadsAMovedListingAgain(t *testing.T) {
	asOf := time.Date(2026, 11, 24, 2, 30, 0, 0, time.UTC)
	for name, tc := range map[string]struct {
		unstable int
		wantErr  []string // "" none
		want     int64    // orders pulled, and stored of the unstable mid
	}{
		"settles":       {unstable: 2, want: 60},
		"never settles": {unstable: 100, wantErr: []string{"merchant-0 in sandbox", "read 3 times", "page 2", "holds order"}},
	} {
		t.Run(name, func(t *testing.T) {
			seed, merchants := benchSeed(60, asOf) // 10 orders for each merchant and environment: 2 pages of 5
			mid := merchants[0].Credentials[recon.Environment(flexcharge.EnvSandbox)].MID
			sb := flexcharge.NewSandbox(seed, flexcharge.SandboxOptions{Now: func() time.Time { return asOf }})
			srv := httptest.NewServer(&unstableTies{sb: sb, mid: mid, unstable: tc.unstable})
			t.Cleanup(func() { srv.Close(); sb.Close() })
			env := pullEnv(t, srv.URL, merchants, 2)
			defer env.DB.Close()
			var log bytes.Buffer
			env.Logger = slog.New(slog.NewTextHandler(&log, nil))

			got, err := env.RefreshOutcomes(context.Background(), asOf, 1)

			if tc.wantErr == nil && (err != nil || got != tc.want) {
				t.Errorf("pull with ties that settle on the third read: %d orders, err = %v; want %d, nil", got, err, tc.want)
			}
			for _, want := range tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("pull with ties that never settle: err = %v; want it to say %q", err, want)
				}
			}
			if n := strings.Count(log.String(), "reading it again"); n != 2 {
				t.Errorf("log says %d times that the listing is read again; want 2:\n%s", n, log.String())
			}
			stored, distinct := storedOrdersOf(t, env.DB.Query, mid)
			if want := min(tc.want, 10); stored != want || distinct != want {
				t.Errorf("stored %d orders (%d distinct) of the unstable listing; want %d", stored, distinct, want)
			}
		})
	}
}

func storedOrdersOf(t *testing.T, query func(context.Context, string, ...any) (*sql.Rows, error), mid string) (stored, distinct int64) {
	t.Helper()
	rows, err := query(t.Context(), "SELECT count(*), count(DISTINCT id) FROM fc_orders WHERE mid = ?", mid)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() || rows.Scan(&stored, &distinct) != nil {
		t.Fatal("count stored orders: no answer")
	}
	return stored, distinct
}
