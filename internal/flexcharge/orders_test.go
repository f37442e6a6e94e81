package flexcharge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestOrdersStopsAtFirstFailedPage: pages are fetched ahead, but a failure is
// reported at its page, after the orders before it, and nothing after it.
func TestOrdersStopsAtFirstFailedPage(t *testing.T) {
	sb := NewSandbox(testSeed(seedOrders()...), SandboxOptions{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("pageNumber") == "3" {
			writeStatus(w, http.StatusBadRequest, "page 3 is broken")
			return
		}
		sb.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { srv.Close(); sb.Close() })
	c := NewClient(srv.URL+"/"+EnvSandbox+"/v1", fastOptions())
	var seen int
	err := c.Orders(context.Background(), credA, OrderQuery{PageSize: 5}, func(Order) error { seen++; return nil })
	var ae *APIError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "page 3") || seen != 10 {
		t.Errorf("Orders with page 3 failing: err = %v after %d orders; want an APIError for page 3 after 10", err, seen)
	}
}

// TestOrdersStopsAtEachError: the caller's error ends the listing as is.
func TestOrdersStopsAtEachError(t *testing.T) {
	e := startSandbox(t, testSeed(seedOrders()...), SandboxOptions{})
	c := NewClient(e.url(EnvSandbox), fastOptions())
	stop := errors.New("stop")
	var seen int
	err := c.Orders(context.Background(), credA, OrderQuery{PageSize: 2}, func(Order) error {
		if seen++; seen == 3 {
			return stop
		}
		return nil
	})
	if err != stop || seen != 3 {
		t.Errorf("Orders stopped by each at order 3: err = %v after %d orders; want %v after 3", err, seen, stop)
	}
}

// TestOrdersRefusesAPageWithoutRows: an answer that puts its orders under
// another name than the assumed "rows" fails the listing, naming the
// members it had, instead of listing no orders (which a run would take for
// no evaluation of any decline).
func TestOrdersRefusesAPageWithoutRows(t *testing.T) {
	sb := NewSandbox(testSeed(seedOrders()...), SandboxOptions{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		sb.ServeHTTP(rec, r)
		w.WriteHeader(rec.Code)
		w.Write(bytes.Replace(rec.Body.Bytes(), []byte(`"rows":`), []byte(`"items":`), 1))
	}))
	t.Cleanup(func() { srv.Close(); sb.Close() })
	c := NewClient(srv.URL+"/"+EnvSandbox+"/v1", fastOptions())
	var seen int
	err := c.Orders(context.Background(), credA, OrderQuery{}, func(Order) error { seen++; return nil })
	if err == nil || !strings.Contains(err.Error(), `"rows"`) || !strings.Contains(err.Error(), "items") {
		t.Errorf("Orders of a page naming its orders items: err = %v after %d orders; want an error naming rows and items", err, seen)
	}
}

// TestOrdersRefusesAnOrderWithoutAnID: a page with an order that has no id,
// or a null in its rows, fails the pull naming the page and row; stored,
// such orders would all be one orphan order "".
func TestOrdersRefusesAnOrderWithoutAnID(t *testing.T) {
	for name, edit := range map[string][2]string{"no id": {`"id":`, `"no_id":`}, "null": {`"rows":[`, `"rows":[null,`}} {
		t.Run(name, func(t *testing.T) {
			sb := NewSandbox(testSeed(seedOrders()...), SandboxOptions{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				rec := httptest.NewRecorder()
				sb.ServeHTTP(rec, r)
				w.WriteHeader(rec.Code)
				w.Write(bytes.Replace(rec.Body.Bytes(), []byte(edit[0]), []byte(edit[1]), 1))
			}))
			t.Cleanup(func() { srv.Close(); sb.Close() })
			c := NewClient(srv.URL+"/"+EnvSandbox+"/v1", fastOptions())
			err := c.Orders(context.Background(), credA, OrderQuery{}, func(Order) error { return nil })
			if err == nil || !strings.Contains(err.Error(), "page 1: row 1: an order without an id") {
				t.Errorf("Orders of a page whose first order has no id: err = %v; want one naming page 1, row 1", err)
			}
		})
	}
}

// misbehaving serves the sandbox's GET /orders with the page number the
// client asks for turned into another by page, and its answer edited by
// edit, for pulls that must not run forever.
func misbehaving(t *testing.T, page func(int) int, edit func([]byte) []byte) *Client {
	t.Helper()
	sb := NewSandbox(testSeed(seedOrders()...), SandboxOptions{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n, err := strconv.Atoi(r.URL.Query().Get("pageNumber")); err == nil {
			q := r.URL.Query()
			q.Set("pageNumber", strconv.Itoa(page(n)))
			r.URL.RawQuery = q.Encode()
		}
		rec := httptest.NewRecorder()
		sb.ServeHTTP(rec, r)
		w.WriteHeader(rec.Code)
		w.Write(edit(rec.Body.Bytes()))
	}))
	t.Cleanup(func() { srv.Close(); sb.Close() })
	return NewClient(srv.URL+"/"+EnvSandbox+"/v1", fastOptions())
}

// TestOrdersStopsAListingWithoutProgress: a server that ignores pageNumber
// (answers page 1 again and again), or serves its last page again and again
// saying more follow, fails the pull at the page that shows it, naming the
// mid and the page, where the pull looped until the run was stopped. Merchant
// A has 26 sandbox orders: 6 pages of 5.
func TestOrdersStopsAListingWithoutProgress(t *testing.T) {
	never := func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"hasNextPage":false`), []byte(`"hasNextPage":true`), 1)
	}
	for name, tc := range map[string]struct {
		page func(int) int
		edit func([]byte) []byte
		want string
		seen int
	}{
		"page 1 again":      {func(int) int { return 1 }, func(b []byte) []byte { return b }, "page 2: FlexCharge answered with page 1's 5 orders again", 5},
		"last page forever": {func(n int) int { return min(n, 6) }, never, "page 6: FlexCharge says more pages follow, beyond the 6", 25},
	} {
		t.Run(name, func(t *testing.T) {
			c := misbehaving(t, tc.page, tc.edit)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var seen int
			err := c.Orders(ctx, credA, OrderQuery{PageSize: 5}, func(Order) error { seen++; return nil })
			if err == nil || !strings.Contains(err.Error(), "mid "+credA.MID) || !strings.Contains(err.Error(), tc.want) || seen != tc.seen {
				t.Errorf("Orders from a server whose listing makes no progress: err = %v after %d orders; want %q after %d", err, seen, tc.want, tc.seen)
			}
		})
	}
}

// TestOrdersFailsAListingThatEndsEarly: a page before the last its first
// page announced that says no page follows, or comes back without orders,
// fails the pull naming the mid and the page, where the pull ended without
// error and the orders of the pages after it were silently missing.
// Merchant A has 26 sandbox orders: 6 pages of 5.
func TestOrdersFailsAListingThatEndsEarly(t *testing.T) {
	atPage3 := func(edit func([]byte) []byte) func([]byte) []byte {
		return func(b []byte) []byte {
			if !bytes.Contains(b, []byte(`"pageNumber":3,`)) {
				return b
			}
			return edit(b)
		}
	}
	last := func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"hasNextPage":true`), []byte(`"hasNextPage":false`), 1)
	}
	empty := func(b []byte) []byte {
		var page map[string]any
		if err := json.Unmarshal(b, &page); err != nil {
			t.Fatal(err)
		}
		page["rows"] = []any{}
		out, _ := json.Marshal(page)
		return out
	}
	for name, edit := range map[string]func([]byte) []byte{"says it is the last": last, "empty": empty} {
		t.Run(name, func(t *testing.T) {
			c := misbehaving(t, func(n int) int { return n }, atPage3(edit))
			var seen int
			err := c.Orders(context.Background(), credA, OrderQuery{PageSize: 5}, func(Order) error { seen++; return nil })
			want := "page 3: FlexCharge ends its listing (no next page, or no orders) before the 6 pages"
			if err == nil || !strings.Contains(err.Error(), "mid "+credA.MID) || !strings.Contains(err.Error(), want) || seen != 10 {
				t.Errorf("Orders whose page 3 of 6 ends the listing: err = %v after %d orders; want %q after 10", err, seen, want)
			}
		})
	}
}

// changing serves the sandbox with change run on it (under its lock) just
// before it answers each page n of GET /orders, for listings that change
// while they are read.
func changing(t *testing.T, change func(st *orderStore, n int)) *Client {
	t.Helper()
	sb := NewSandbox(testSeed(seedOrders()...), SandboxOptions{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n, err := strconv.Atoi(r.URL.Query().Get("pageNumber")); err == nil {
			sb.mu.Lock()
			change(sb.orders, n)
			sb.mu.Unlock()
		}
		sb.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { srv.Close(); sb.Close() })
	return NewClient(srv.URL+"/"+EnvSandbox+"/v1", fastOptions())
}

// newOrders adds k orders of merchant A to st, made after every seeded one
// (as FlexCharge's new orders are, in createdOn order), named prefix-i.
func newOrders(st *orderStore, prefix string, k int) {
	for i := range k {
		id := fmt.Sprintf("%s-%02d", prefix, i)
		st.insert(&storedOrder{env: EnvSandbox, Order: Order{ID: id, ExternalOrderID: "ext-" + id, MID: credA.MID,
			Status: StatusDraft, CreatedOn: t0.Add(48*time.Hour + time.Duration(i)*time.Minute)}})
	}
}

// TestOrdersFollowsAGrowingListing: FlexCharge takes orders while a pull
// reads its listing, so later pages announce more pages than the first. The
// pull reads them all, where it failed ("says more pages follow, beyond the
// 6 its first page announced") and the nightly run with it. Merchant A has
// 26 sandbox orders: 6 pages of 5; 7 more arrive as page 2 is asked for.
func TestOrdersFollowsAGrowingListing(t *testing.T) {
	c := changing(t, func(st *orderStore, n int) {
		if n == 2 {
			newOrders(st, "late", 7)
		}
	})
	var seen []string
	err := c.Orders(context.Background(), credA, OrderQuery{PageSize: 5, To: t0.Add(72 * time.Hour)}, func(o Order) error {
		seen = append(seen, o.ID)
		return nil
	})
	if err != nil || len(seen) != 33 || seen[32] != "late-06" {
		t.Errorf("Orders while 7 orders join the 26 listed: err = %v, %d orders, last %q; want nil, 33, late-06", err, len(seen), seen[len(seen)-1])
	}
}

// TestOrdersFailsAListingThatShrinksOrRunsAway: a listing that loses orders
// while it is read (the ones after them move onto pages already read), or
// grows past twice its first announcement (a server whose listing never
// ends), still fails the pull, naming the mid (pages are fetched ahead, so
// which page shows it first varies).
func TestOrdersFailsAListingThatShrinksOrRunsAway(t *testing.T) {
	for name, tc := range map[string]struct {
		change func(st *orderStore, n int)
		want   string
	}{
		"shrinks": {func(st *orderStore, n int) {
			if n == 3 {
				k := envKey{EnvSandbox, credA.MID}
				st.byMerchant[k] = st.byMerchant[k][1:]
			}
		}, "FlexCharge's listing shrank from 26 orders (6 pages) to 25 (5 pages)"},
		"runs away": {func(st *orderStore, n int) {
			if n > 1 {
				newOrders(st, fmt.Sprintf("p%d", n), 10)
			}
		}, "FlexCharge's listing grew from 6 pages to"},
	} {
		t.Run(name, func(t *testing.T) {
			c := changing(t, tc.change)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := c.Orders(ctx, credA, OrderQuery{PageSize: 5}, func(Order) error { return nil })
			if err == nil || !strings.Contains(err.Error(), "mid "+credA.MID) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Orders of a listing that %s: err = %v; want %q", name, err, tc.want)
			}
		})
	}
}

// TestOrdersFailsAListingThatGrowsBehindIt: an order that reaches the
// listing late, created before orders already read, lands on a page already
// read and pushes the rest back by one: the next page begins with the
// previous page's last order. The pull returned no error with the late
// order missing, its decline judged as a lost rescue; it fails instead.
func TestOrdersFailsAListingThatGrowsBehindIt(t *testing.T) {
	c := changing(t, func(st *orderStore, n int) {
		if n == 5 { // pages 1 and 2 are read by now
			st.insert(&storedOrder{env: EnvSandbox, Order: Order{ID: "late-early", ExternalOrderID: "ext-late-early", MID: credA.MID,
				Status: StatusDraft, CreatedOn: t0.Add(-time.Hour)}})
		}
	})
	var seen []string
	err := c.Orders(context.Background(), credA, OrderQuery{PageSize: 5, To: t0.Add(72 * time.Hour)}, func(o Order) error {
		seen = append(seen, o.ID)
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "mid "+credA.MID) || !strings.Contains(err.Error(), "joined the listing before pages already read") {
		t.Errorf("Orders while an order created before the first joins the listing: err = %v, %d orders read, the late one read: %v; want the pull failed",
			err, len(seen), slices.Contains(seen, "late-early"))
	}
}

// TestOrdersFailsAListingReorderedBetweenPages: a server whose listing's
// only order is createdOn may list orders created at the same moment (a
// batch FlexCharge took at once) otherwise from one page's request to the
// next: an order read on page 1 comes again on page 2, not first, and the
// one it changed places with is never served. The pull, which looked only
// at page 2's first order, ended with no error and that order missing (its
// decline a lost rescue); it fails instead. Merchant A has 26 sandbox
// orders: 6 pages of 5.
func TestOrdersFailsAListingReorderedBetweenPages(t *testing.T) {
	var moved []string // page 1's last, the one never served, the one served in its place
	c := changing(t, func(st *orderStore, n int) {
		if n != 2 {
			return
		}
		list := st.byMerchant[envKey{EnvSandbox, credA.MID}]
		for _, o := range list[4:7] {
			o.CreatedOn = list[4].CreatedOn
		}
		moved = []string{list[4].ID, list[5].ID, list[6].ID}
		list[4], list[5], list[6] = list[5], list[6], list[4]
	})
	var seen []string
	err := c.Orders(context.Background(), credA, OrderQuery{PageSize: 5, To: t0.Add(72 * time.Hour)}, func(o Order) error {
		seen = append(seen, o.ID)
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "mid "+credA.MID) || !strings.Contains(err.Error(), "holds order "+moved[0]) {
		t.Errorf("Orders while the server lists orders of a moment otherwise: err = %v, %d orders read, %s never served and %s read again; want the pull failed",
			err, len(seen), moved[1], moved[0])
	}
}

// TestOrdersFailsAReorderedTieLongerThanAPage: eleven orders created at one
// moment span pages 1 to 3 (pages of 5). A server that orders them otherwise
// when page 3 is asked for serves page 1's order 5 again there, and the one
// it changed places with never. Page 3 was checked against page 2 only: the
// pull ended with no error, that order missing; it fails instead.
func TestOrdersFailsAReorderedTieLongerThanAPage(t *testing.T) {
	var moved []string // page 1's order served again, the one never served
	c := changing(t, func(st *orderStore, n int) {
		list := st.byMerchant[envKey{EnvSandbox, credA.MID}]
		if n == 1 {
			for _, o := range list[4:15] {
				o.CreatedOn = list[4].CreatedOn
			}
		}
		if n == 3 {
			moved = []string{list[4].ID, list[14].ID}
			list[4], list[14] = list[14], list[4]
		}
	})
	var seen []string
	err := c.Orders(context.Background(), credA, OrderQuery{PageSize: 5, To: t0.Add(72 * time.Hour)}, func(o Order) error {
		seen = append(seen, o.ID)
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "page 3") || !strings.Contains(err.Error(), "holds order "+moved[0]) {
		t.Errorf("Orders while the server lists a tie of three pages otherwise: err = %v, %d orders read, %s never served; want the pull failed at page 3",
			err, len(seen), moved[1])
	}
}
