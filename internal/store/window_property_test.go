package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/store"
)

// TestOrderChoiceIndependentOfWindowRandom: for dated orders (and undated
// ones naming an attempt), every decline's verdict (outcome, primary order,
// findings) and every order's orphan finding is the same in each run whose
// window holds it: one-day, two-day and three-day windows over random
// declines, retries, repeated rows and orders of both environments placed
// around the days' edges, some made up to a day after the attempt they
// name. WINDOW_SEED_FROM and WINDOW_SEED_TO run other seeds.
func TestOrderChoiceIndependentOfWindowRandom(t *testing.T) {
	for seed := seedFrom(); seed <= seedTo(); seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { checkWindowIndependence(t, seed) })
	}
}

type declineRow struct {
	order, id string
	at        time.Time
	status    string
}

func (d declineRow) csv() string {
	return fmt.Sprintf("M1,%s,%s,%s,10.00,USD,%s,CIT,web,https://one.example,ONE*SHOP,,production,K-%s",
		d.order, d.id, d.at.UTC().Format(time.RFC3339), d.status, d.id)
}

func checkWindowIndependence(t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 7))
	start := day.AddDate(0, 0, -1) // 2026-11-22
	edges := []time.Time{start, start.AddDate(0, 0, 1), start.AddDate(0, 0, 2), start.AddDate(0, 0, 3)}
	near := func() time.Time {
		e := edges[r.IntN(len(edges))]
		return e.Add(time.Duration(r.IntN(360)-180) * time.Minute)
	}
	var rows []declineRow
	var extra []string
	var orders []store.Order
	n := 0
	for o := 0; o < 4; o++ {
		oid := fmt.Sprintf("O%d", o)
		var mine []declineRow
		base := near()
		for k := 0; k < 2+r.IntN(4); k++ {
			n++
			d := declineRow{order: oid, id: fmt.Sprintf("D%d", n), at: base.Add(time.Duration(r.IntN(200)-100) * time.Minute), status: "declined"}
			if r.IntN(8) == 0 {
				d.status = "approved"
			}
			mine = append(mine, d)
			extra = append(extra, d.csv())
			if r.IntN(6) == 0 {
				extra = append(extra, d.csv()) // a repeated row
			}
		}
		rows = append(rows, mine...)
		for k := 0; k < 1+r.IntN(4); k++ {
			a := mine[r.IntN(len(mine))]
			offs := []int{-60, 60, -61, 61}
			off := time.Duration(r.IntN(170)-85) * time.Minute
			if r.IntN(5) == 0 {
				off = time.Duration(offs[r.IntN(len(offs))]) * time.Minute
			}
			if r.IntN(8) == 0 {
				off = time.Duration(r.IntN(26*60)) * time.Minute // late, perhaps too late even for the attempt it names
			}
			made := a.at.Add(off)
			names := a.id
			switch r.IntN(6) {
			case 0:
				names = ""
			case 1:
				names = mine[r.IntN(len(mine))].id
			case 2:
				names = "X" + a.id
			}
			env, mid, sid := "production", "P1", "sid-p"
			if r.IntN(4) == 0 {
				env, mid, sid = "sandbox", "S1", "sid-s"
			}
			status := []int{7, 2, 6}[r.IntN(3)]
			fo := store.Order{Environment: env, ID: fmt.Sprintf("F%s-%d", oid, k), ExternalOrderID: oid, MID: mid, Amount: new(int64(1000)),
				Currency: "USD", IsMIT: new(false), OrderSource: "web", SiteID: sid, SiteURL: siteURL, Descriptor: siteDesc,
				TransactionID: names, Status: status, PlacedAt: made, CreatedOn: made}
			if r.IntN(10) == 0 && names != "" {
				fo.PlacedAt, fo.CreatedOn = time.Time{}, time.Time{}
			}
			orders = append(orders, fo)
		}
	}
	db := classify(t, scenario{extra: extra, orders: orders, unjudged: true})
	type win struct{ from, days int }
	wins := []win{{0, 1}, {1, 1}, {2, 1}, {0, 2}, {1, 2}, {0, 3}}
	ctx := context.Background()
	decl := map[string]map[string][]int{} // decline -> verdict -> runs
	orphan := map[string]map[bool][]int{} // order -> orphan? -> runs
	for i, w := range wins {
		run := int64(i + 1)
		s := start.AddDate(0, 0, w.from)
		e := s.AddDate(0, 0, w.days)
		if _, err := db.Classify(ctx, run, store.Window{Start: s, End: e, FirstDay: s, LastDay: e.AddDate(0, 0, -1)}, asOf); err != nil {
			t.Fatal(err)
		}
		vs, err := db.Verdicts(ctx, run)
		if err != nil {
			t.Fatal(err)
		}
		picked := map[string]string{}
		q, err := db.Query(ctx, `SELECT transaction_id || '#' || occurrence, coalesce(fc_order_id, '') FROM results WHERE run_id = $1`, run)
		if err != nil {
			t.Fatal(err)
		}
		for q.Next() {
			var k, v string
			if err := q.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			picked[k] = v
		}
		q.Close()
		for _, v := range vs {
			k := fmt.Sprintf("%s#%d", v.TransactionID, v.Occurrence)
			got := fmt.Sprintf("%s|%s|%s", v.OutcomeState, picked[k], v.Findings)
			if decl[k] == nil {
				decl[k] = map[string][]int{}
			}
			decl[k][got] = append(decl[k][got], int(run))
		}
		orphans := map[string]bool{}
		q, err = db.Query(ctx, `SELECT fc_value || ' ' || fc_order_id FROM findings WHERE run_id = $1 AND category = 'orphan_order'`, run)
		if err != nil {
			t.Fatal(err)
		}
		for q.Next() {
			var k string
			if err := q.Scan(&k); err != nil {
				t.Fatal(err)
			}
			orphans[k] = true
		}
		q.Close()
		for _, o := range orders {
			if o.CreatedOn.Before(s) || !o.CreatedOn.Before(e) {
				continue
			}
			k := o.Environment + " " + o.ID
			if orphan[k] == nil {
				orphan[k] = map[bool][]int{}
			}
			orphan[k][orphans[k]] = append(orphan[k][orphans[k]], int(run))
		}
	}
	var bad []string
	for k, m := range decl {
		if len(m) > 1 {
			bad = append(bad, fmt.Sprintf("decline %s: %v", k, m))
		}
	}
	for k, m := range orphan {
		if len(m) > 1 {
			bad = append(bad, fmt.Sprintf("order %s orphan: %v", k, m))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		var sc []string
		for _, d := range rows {
			sc = append(sc, fmt.Sprintf("%s %s %s %s", d.order, d.id, d.status, d.at.Format(time.RFC3339)))
		}
		for _, o := range orders {
			sc = append(sc, fmt.Sprintf("order %s %s %s names=%q made=%s status=%d", o.Environment, o.ID, o.ExternalOrderID, o.TransactionID, o.CreatedOn.Format(time.RFC3339), o.Status))
		}
		t.Errorf("windows disagree (runs: 1-3 one day each from 11-22, 4-5 two days, 6 three days):\n%s\nscenario:\n%s",
			strings.Join(bad, "\n"), strings.Join(sc, "\n"))
	}
}

func seedFrom() uint64 { return envSeed("WINDOW_SEED_FROM", 1) }
func seedTo() uint64   { return envSeed("WINDOW_SEED_TO", 6) }

func envSeed(name string, def uint64) uint64 {
	var v uint64
	if _, err := fmt.Sscan(os.Getenv(name), &v); err != nil {
		return def
	}
	return v
}
