package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flexcharge/flexrecon/internal/recon"
	"github.com/flexcharge/flexrecon/internal/store"
)

// classifyCase is one scenario and the verdict ("transmit|outcome|findings")
// it must give each transaction; every transaction of the scenario is listed,
// so a category that appears where it should not fails the case too.
type classifyCase struct {
	name string
	s    scenario
	want map[string]string
	// counted are findings that belong to no transaction (orphans,
	// quarantined rows): how many the run must list.
	counted map[string]int64
}

func classifyCases() []classifyCase {
	d := func(id string, mods ...func(*tx)) tx { return row(id, append([]func(*tx){keyed}, mods...)...) }
	expiry := func(t time.Time) func(*store.Order) { return func(o *store.Order) { o.ExpiryAt = &t } }
	urlOnly := func(t *tx) { t.descriptor = "" }
	noSiteID := registryM1() // its site has no production siteId
	noSiteID[0].Sites[0].SiteIDProd = ""
	return []classifyCase{
		{name: "transmitted", s: scenario{rows: []tx{row("T1", approved, keyed), row("T2", approved)}},
			want: map[string]string{"T1": "transmitted||", "T2": "untransmitted||"}},
		{name: "not_expected", s: scenario{rows: []tx{row("T1", approved, callcenter), row("T2", callcenter), row("T3", approved)}},
			want: map[string]string{"T1": "not_expected||", "T2": "not_expected||", "T3": "untransmitted||"}},
		{name: "not_expected: a refund, void or chargeback is no payment attempt; an error is one", s: scenario{rows: []tx{
			row("T1", status("refunded")), row("T2", status("voided")), row("T3", status("chargeback")),
			row("T4", status("error")), row("T5", status("refunded"), keyed)}},
			want: map[string]string{"T1": "not_expected||", "T2": "not_expected||", "T3": "not_expected||",
				"T4": "untransmitted||", "T5": "transmitted||"}},
		{name: "an earlier run's pushes: transmitted, transmitted_late, push_failed", s: scenario{
			rows: []tx{row("T1", approved), row("T2", approved), row("T3", approved), row("T4", approved)},
			pushes: []store.PushRecord{
				push("T1", "pushed", at("10:30")),
				push("T2", "pushed", at("10:00").Add(25*time.Hour)),
				push("T3", "failed", at("10:30")),
			}},
			want: map[string]string{"T1": "transmitted||", "T2": "transmitted_late||", "T3": "push_failed||", "T4": "untransmitted||"}},
		{name: "outcomes", s: scenario{
			rows: []tx{d("D1"), d("D2"), d("D3"), d("D4"), d("D5"), d("D6"), d("D7"), d("D8"), d("A1", approved)},
			orders: []store.Order{
				order(d("D1"), "F1", 7), order(d("D2"), "F2", 2), order(d("D3"), "F3", 6),
				order(d("D4"), "F4", 8, func(o *store.Order) { o.StatusName = "CHARGEBACK" }),
				order(d("D5"), "F5", 3),
				order(d("D6"), "F6", 4, expiry(asOf.Add(time.Hour))),
				order(d("D7"), "F7", 0, expiry(asOf.Add(-time.Hour))),
			}},
			want: map[string]string{"D1": "transmitted|recovered|", "D2": "transmitted|not_recovered|", "D3": "transmitted|refunded|",
				"D4": "transmitted|chargeback|", "D5": "transmitted|problem|", "D6": "transmitted|pending|",
				"D7": "transmitted|expired|", "D8": "transmitted|missed_evaluate|", "A1": "transmitted||"}},
		{name: "evaluated_while_off", s: scenario{
			rows:   []tx{d("D1", callcenter), d("D2", callcenter)},
			orders: []store.Order{order(d("D1", callcenter), "F1", 7)}},
			want: map[string]string{"D1": "transmitted||evaluated_while_off", "D2": "transmitted||"}},
		fieldCase("amount_mismatch", func(o *store.Order) { o.Amount = new(int64(1200)) }),
		fieldCase("currency_mismatch", func(o *store.Order) { o.Currency = "EUR" }),
		{name: "a ledger currency in lower case is no currency_mismatch", s: scenario{
			rows:   []tx{d("D1", func(t *tx) { t.currency = "usd" })},
			orders: []store.Order{order(d("D1"), "F1", 7)}},
			want: map[string]string{"D1": "transmitted|recovered|"}},
		fieldCase("site_mismatch", func(o *store.Order) { o.SiteID = "sid-other" }),
		fieldCase("descriptor_mismatch", func(o *store.Order) { o.Descriptor = "OTHER*DESC" }),
		fieldCase("profile_mismatch", func(o *store.Order) { o.IsMIT = new(true) }),
		{name: "a site registered without a siteId is compared by URL", s: scenario{
			registry: noSiteID,
			rows:     []tx{d("D1"), d("D2")},
			orders: []store.Order{order(d("D1"), "F1", 7),
				order(d("D2"), "F2", 7, func(o *store.Order) { o.SiteURL = "https://other.example" })}},
			want: map[string]string{"D1": "transmitted|recovered|", "D2": "transmitted|recovered|site_mismatch"}},
		{name: "a row naming its site by URL alone is compared by its registered descriptor", s: scenario{
			rows: []tx{d("D1", urlOnly), d("D2", urlOnly)},
			orders: []store.Order{order(d("D1", urlOnly), "F1", 7),
				order(d("D2", urlOnly), "F2", 7, func(o *store.Order) { o.Descriptor = "OTHER*DESC" })}},
			want: map[string]string{"D1": "transmitted|recovered|", "D2": "transmitted|recovered|descriptor_mismatch"}},
		{name: "what FlexCharge does not say is no difference", s: scenario{
			rows: []tx{d("D1", mit), d("D2", mit)},
			orders: []store.Order{
				order(d("D1", mit), "F1", 7, func(o *store.Order) { o.Amount, o.Currency, o.IsMIT, o.OrderSource = nil, "", nil, "" }),
				order(d("D2", mit), "F2", 7, func(o *store.Order) { o.Amount, o.IsMIT, o.OrderSource = new(int64(0)), new(false), "ecommerce" }),
			}},
			want: map[string]string{"D1": "transmitted|recovered|",
				"D2": "transmitted|recovered|amount_mismatch;profile_mismatch"}},
		{name: "environment_mismatch: a sandbox order rescues no production decline", s: scenario{
			rows: []tx{d("D1"), d("D2")},
			orders: []store.Order{order(d("D1"), "F1", 7, func(o *store.Order) { o.Environment, o.MID, o.SiteID = "sandbox", "S1", "sid-s" }),
				order(d("D2"), "F2", 7)}},
			want: map[string]string{"D1": "transmitted|missed_evaluate|environment_mismatch", "D2": "transmitted|recovered|"}},
		{name: "duplicate_evaluate", s: scenario{
			rows:   []tx{d("D1"), d("D2")},
			orders: []store.Order{order(d("D1"), "F1", 7), order(d("D1"), "F1b", 2), order(d("D2"), "F2", 7)}},
			want: map[string]string{"D1": "transmitted|recovered|duplicate_evaluate", "D2": "transmitted|recovered|"}},
		{name: "double_charge_risk", s: scenario{
			rows: []tx{d("D1"), d("A1", approved, func(t *tx) { t.order, t.at = "O-D1", "12:00" }),
				d("D2"), d("A2", approved, func(t *tx) { t.order, t.at = "O-D2", "09:00" })},
			orders: []store.Order{order(d("D1"), "F1", 7), order(d("D2"), "F2", 7)}},
			want: map[string]string{"D1": "transmitted|recovered|", "A1": "transmitted||double_charge_risk",
				"D2": "transmitted|recovered|", "A2": "transmitted||"}},
		{name: "double_charge_risk while the profile was off", s: scenario{
			rows:   []tx{d("D1", callcenter), d("A1", approved, callcenter, func(t *tx) { t.order, t.at = "O-D1", "12:00" })},
			orders: []store.Order{order(d("D1", callcenter), "F1", 7)}},
			want: map[string]string{"D1": "transmitted||evaluated_while_off", "A1": "transmitted||double_charge_risk"}},
		{name: "double_charge_risk by an order that is not the primary one", s: scenario{
			rows: []tx{d("D1"), d("A1", approved, func(t *tx) { t.order, t.at = "O-D1", "12:00" })},
			orders: []store.Order{order(d("D1"), "F1", 7),
				order(d("D1"), "F2", 6, func(o *store.Order) { o.CreatedOn = o.CreatedOn.Add(5 * time.Minute) })}},
			want: map[string]string{"D1": "transmitted|refunded|duplicate_evaluate", "A1": "transmitted||double_charge_risk"}},
		{name: "a decline asked about twice, rescued and then refused, was recovered", s: scenario{
			rows: []tx{d("D1"), d("D2")},
			orders: []store.Order{order(d("D1"), "F1", 7),
				order(d("D1"), "F1b", 2, func(o *store.Order) { o.CreatedOn = o.CreatedOn.Add(5 * time.Minute) }),
				order(d("D2"), "F2", 4),
				order(d("D2"), "F2b", 2, func(o *store.Order) { o.CreatedOn = o.CreatedOn.Add(5 * time.Minute) })}},
			want: map[string]string{"D1": "transmitted|recovered|duplicate_evaluate", "D2": "transmitted|not_recovered|duplicate_evaluate"}},
		{name: "an order naming the attempt is its decline's before one naming none, whatever either's status", s: scenario{
			rows: []tx{d("D1")},
			orders: []store.Order{order(d("D1"), "F1", 2),
				order(d("D1"), "F2", 7, func(o *store.Order) { o.TransactionID, o.CreatedOn = "", o.CreatedOn.Add(5*time.Minute) })}},
			want: map[string]string{"D1": "transmitted|not_recovered|duplicate_evaluate"}},
		{name: "no double_charge_risk by a sandbox order, which charges no one", s: scenario{
			rows:   []tx{d("D1"), d("A1", approved, func(t *tx) { t.order, t.at = "O-D1", "12:00" })},
			orders: []store.Order{order(d("D1"), "F1", 7, func(o *store.Order) { o.Environment, o.MID, o.SiteID = "sandbox", "S1", "sid-s" })}},
			want: map[string]string{"D1": "transmitted|missed_evaluate|environment_mismatch", "A1": "transmitted||"}},
		{name: "unknown_merchant", s: scenario{rows: []tx{d("T1", approved, func(t *tx) { t.merchant = "M9" }), d("T2", approved)}},
			want: map[string]string{"T1": "transmitted||unknown_merchant", "T2": "transmitted||"}},
		{name: "unknown_site", s: scenario{rows: []tx{
			d("T1", approved, func(t *tx) { t.site, t.descriptor = "https://nowhere.example", "NOPE" }),
			d("T2", approved, func(t *tx) { t.site = "" }), // known by its descriptor
			d("T3", approved)}},
			want: map[string]string{"T1": "transmitted||unknown_site", "T2": "transmitted||", "T3": "transmitted||"}},
		{name: "duplicate_row", s: scenario{rows: []tx{d("T1", approved), d("T1", approved), d("T2", approved)}},
			want: map[string]string{"T1": "transmitted||", "T1#2": "transmitted||duplicate_row", "T2": "transmitted||"}},
		{name: "duplicate_row of a decline shares its orders", s: scenario{rows: []tx{d("D1"), d("D1")},
			orders: []store.Order{order(d("D1"), "F1", 7)}},
			want: map[string]string{"D1": "transmitted|recovered|", "D1#2": "transmitted|recovered|duplicate_row"}},
		{name: "a repeat is judged by its own switch, and compared by its own profile", s: scenario{rows: []tx{d("D1", callcenter), d("D1")},
			orders: []store.Order{order(d("D1", callcenter), "F1", 7)}},
			want: map[string]string{"D1": "transmitted||evaluated_while_off", "D1#2": "transmitted|recovered|duplicate_row;profile_mismatch"}},
		{name: "a repeat whose first occurrence is days before the window shares its orders", s: scenario{
			rows: []tx{d("D1"), d("D2")},
			extra: []string{"M1,O-D1,D1,2026-11-19T10:00:00Z,10.00,USD,declined,CIT,web,https://one.example,ONE*SHOP,,production,K-D1",
				"M1,O-D2,D2,2026-11-19T10:00:00Z,10.00,USD,declined,CIT,web,https://one.example,ONE*SHOP,,production,K-D2"},
			orders: []store.Order{daysBefore(order(d("D1"), "F1", 7)),
				daysBefore(order(d("D2"), "F2", 7, func(o *store.Order) { o.TransactionID = "" })),
				daysBefore(order(d("D2"), "F2-LATE", 2, func(o *store.Order) { o.TransactionID, o.CreatedOn = "", o.CreatedOn.Add(2*time.Hour) }))}},
			want: map[string]string{"D1#2": "transmitted|recovered|duplicate_row", "D2#2": "transmitted|recovered|duplicate_row"}},
		{name: "a repeat whose first occurrence is hours before the window shares its orders", s: scenario{
			rows:   []tx{d("D1")},
			extra:  []string{"M1,O-D1,D1,2026-11-22T12:00:00Z,10.00,USD,declined,CIT,web,https://one.example,ONE*SHOP,,production,K-D1"},
			orders: []store.Order{hoursBefore(order(d("D1"), "F1", 7), 22)}},
			want: map[string]string{"D1#2": "transmitted|recovered|duplicate_row"}},
		{name: "a repeat saying another amount than its first occurrence is compared as its own row", s: scenario{
			rows:   []tx{d("D1"), d("D1", func(t *tx) { t.amount = "12.00" })},
			orders: []store.Order{order(d("D1"), "F1", 7)}},
			want: map[string]string{"D1": "transmitted|recovered|", "D1#2": "transmitted|recovered|amount_mismatch;duplicate_row"}},
		{name: "quarantined", s: scenario{rows: []tx{d("T1", approved)},
			extra: []string{"M1,O-T2,T2,2026-11-23T10:00:00Z,ten,USD,approved,CIT,web,https://one.example,ONE*SHOP,,production,K-T2"}},
			want: map[string]string{"T1": "transmitted||"}, counted: map[string]int64{"quarantined": 1}},
		{name: "orphan_order", s: scenario{rows: []tx{d("D1")},
			orders: []store.Order{order(d("D1"), "F1", 7), order(d("X1"), "FX", 7),
				order(d("X2"), "FY", 7, func(o *store.Order) { o.CreatedOn = day.Add(-48 * time.Hour) })}},
			want: map[string]string{"D1": "transmitted|recovered|"}, counted: map[string]int64{"orphan_order": 1}},
		{name: "a decline just before the window keeps its order from being an orphan", s: scenario{rows: []tx{d("D1")},
			extra: []string{"M1,O-E1,E1,2026-11-22T23:59:30Z,10.00,USD,declined,CIT,web,https://one.example,ONE*SHOP,,production,K-E1"},
			orders: []store.Order{order(d("D1"), "F1", 7),
				order(d("E1"), "FE", 7, func(o *store.Order) { o.PlacedAt, o.CreatedOn = day.Add(20*time.Second), day.Add(30*time.Second) })}},
			want: map[string]string{"D1": "transmitted|recovered|"}},
		{name: "an order naming an attempt the ledger lacks is an orphan beside a decline of its order id the day before", s: scenario{rows: []tx{d("D1")},
			extra: []string{"M1,O-E1,E1,2026-11-22T21:00:00Z,10.00,USD,declined,MIT,web,https://one.example,ONE*SHOP,,production,K-E1"},
			orders: []store.Order{order(d("D1"), "F1", 7),
				order(d("E1", mit), "FE", 7, func(o *store.Order) { o.PlacedAt, o.CreatedOn = day.Add(-3*time.Hour), day.Add(-3*time.Hour) }),
				order(d("E1", mit), "FX", 7, func(o *store.Order) { o.TransactionID, o.PlacedAt, o.CreatedOn = "X2", at("10:00"), at("10:00") })}},
			want: map[string]string{"D1": "transmitted|recovered|"}, counted: map[string]int64{"orphan_order": 1}},
		{name: "an order without a date still finds its decline, unless it names another attempt", s: scenario{rows: []tx{d("D1"), d("D2")},
			orders: []store.Order{order(d("D1"), "F1", 7, func(o *store.Order) { o.TransactionID, o.PlacedAt, o.CreatedOn = "", time.Time{}, time.Time{} }),
				order(d("D2"), "F2-OLD", 7, func(o *store.Order) { o.TransactionID, o.PlacedAt, o.CreatedOn = "PREV-D2", time.Time{}, time.Time{} })}},
			want:    map[string]string{"D1": "transmitted|recovered|", "D2": "transmitted|missed_evaluate|"},
			counted: map[string]int64{"orphan_order": 1}}, // F2-OLD: no decline is the attempt it names
		{name: "an order without a date is an orphan while the ledger has no decline it could belong to, whatever the window", s: scenario{rows: []tx{d("D1")},
			extra: []string{"M1,O-E1,E1,2026-11-20T10:00:00Z,10.00,USD,declined,CIT,web,https://one.example,ONE*SHOP,,production,K-E1"},
			orders: []store.Order{order(d("D1"), "F1", 7),
				order(d("X1"), "FX", 7, func(o *store.Order) { o.PlacedAt, o.CreatedOn = time.Time{}, time.Time{} }),
				order(d("E1"), "FE", 7, func(o *store.Order) { o.PlacedAt, o.CreatedOn = time.Time{}, time.Time{} })}},
			want: map[string]string{"D1": "transmitted|recovered|"}, counted: map[string]int64{"orphan_order": 1}},
		{name: "an order of a reused order id whose only decline is a month old is an orphan", s: scenario{rows: []tx{d("D1")},
			extra: []string{"M1,O-E1,E1,2026-10-23T21:00:00Z,10.00,USD,declined,MIT,web,https://one.example,ONE*SHOP,,production,K-E1"},
			orders: []store.Order{order(d("D1"), "F1", 7),
				order(d("E1", mit), "FE", 7, func(o *store.Order) { o.PlacedAt, o.CreatedOn = day.Add(30*time.Minute), day.Add(30*time.Minute) })}},
			want: map[string]string{"D1": "transmitted|recovered|"}, counted: map[string]int64{"orphan_order": 1}},
		{name: "an order made over an hour before a decline is not its evaluation, whatever it names", s: scenario{
			rows: []tx{d("D1"), d("D2"), d("D3"), d("D4")},
			orders: []store.Order{lastMonths(d("D1"), "F1-OLD"),
				order(d("D2"), "F2", 7, func(o *store.Order) { o.PlacedAt, o.CreatedOn = at("08:00"), at("08:00") }),
				order(d("D3"), "F3", 7), lastMonths(d("D3"), "F3-OLD"),
				order(d("D4"), "F4", 7, func(o *store.Order) { o.PlacedAt, o.CreatedOn = at("09:30"), at("09:30") })}},
			want: map[string]string{"D1": "transmitted|missed_evaluate|", "D2": "transmitted|missed_evaluate|",
				"D3": "transmitted|recovered|", "D4": "transmitted|recovered|"},
			counted: map[string]int64{"orphan_order": 1}},
		{name: "an order made over an hour after a decline is its evaluation only if it names the attempt, and within a day", s: scenario{
			rows: []tx{d("D1"), d("D2"), d("D3"), d("D4")},
			orders: []store.Order{order(d("D1"), "F1", 7, func(o *store.Order) { o.PlacedAt, o.CreatedOn = at("11:30"), at("11:30") }),
				order(d("D2"), "F2", 7, func(o *store.Order) { o.TransactionID, o.PlacedAt, o.CreatedOn = "X2", at("11:30"), at("11:30") }),
				order(d("D3"), "F3", 7, func(o *store.Order) {
					o.PlacedAt, o.CreatedOn = at("10:30").Add(24*time.Hour), at("10:30").Add(24*time.Hour)
				}),
				order(d("D4"), "F4", 7, func(o *store.Order) { o.TransactionID, o.PlacedAt, o.CreatedOn = "", at("10:50"), at("10:50") })}},
			want: map[string]string{"D1": "transmitted|recovered|", "D2": "transmitted|missed_evaluate|",
				"D3": "transmitted|missed_evaluate|", "D4": "transmitted|recovered|"},
			counted: map[string]int64{"orphan_order": 1}},
		{name: "scope: campaign over site over merchant", s: scenario{
			registry: registryM1(
				store.Switch{Profile: "cit_web", Scope: "site", ScopeValue: siteURL, State: "off", EffectiveAt: longAgo, Actor: "ops", Reason: "site paused"},
				store.Switch{Profile: "cit_web", Scope: "campaign", ScopeValue: "C9", State: "sandbox", EffectiveAt: longAgo, Actor: "ops", Reason: "campaign test"},
			),
			rows: []tx{row("D1"), row("D2", func(t *tx) { t.campaign = "C9" }),
				row("D3", func(t *tx) { t.site, t.descriptor = "https://nowhere.example", "NOPE" }),
				row("D4", func(t *tx) { t.site = "" })}},
			want: map[string]string{"D1": "not_expected||", "D2": "untransmitted|missed_evaluate|",
				"D3": "untransmitted|missed_evaluate|unknown_site", "D4": "not_expected||"}},
		{name: "sandbox switch: a production order beside a sandbox one is the decline's: it charged the customer", s: scenario{
			registry: registryM1(store.Switch{Profile: "cit_web", Scope: "merchant", State: "sandbox", EffectiveAt: day, Actor: "ops", Reason: "back to test"}),
			rows:     []tx{d("D1")},
			orders: []store.Order{order(d("D1"), "F1", 2, func(o *store.Order) { o.Environment, o.MID, o.SiteID = "sandbox", "S1", "sid-s" }),
				order(d("D1"), "F2", 7, func(o *store.Order) { o.CreatedOn = o.CreatedOn.Add(-time.Minute) })}},
			want: map[string]string{"D1": "transmitted|recovered|duplicate_evaluate;environment_mismatch"}},
		{name: "sandbox switch: an order in sandbox is no mismatch; a production one is, and its rescue stands", s: scenario{
			registry: registryM1(store.Switch{Profile: "cit_web", Scope: "merchant", State: "sandbox", EffectiveAt: day, Actor: "ops", Reason: "back to test"}),
			rows:     []tx{d("D1"), d("D2")},
			orders: []store.Order{order(d("D1"), "F1", 7, func(o *store.Order) { o.Environment, o.MID, o.SiteID = "sandbox", "S1", "sid-s" }),
				order(d("D2"), "F2", 7)}},
			want: map[string]string{"D1": "transmitted|recovered|", "D2": "transmitted|recovered|environment_mismatch"}},
		{name: "environment: a sandbox row under a production switch is test traffic, judged and matched in sandbox", s: scenario{
			rows: []tx{row("D1", sandboxRow), row("D2", sandboxRow), row("A1", approved, sandboxRow), row("D3")},
			orders: []store.Order{order(row("D1"), "F1", 7, func(o *store.Order) { o.Environment, o.MID, o.SiteID = "sandbox", "S1", "sid-s" }),
				order(row("D2"), "F2", 7), order(row("D3"), "F3", 7)}},
			want: map[string]string{"D1": "not_expected|recovered|environment_mismatch",
				"D2": "not_expected|recovered|environment_mismatch", "A1": "not_expected||environment_mismatch",
				"D3": "untransmitted|recovered|"}},
		{name: "environment: a production row, or one leaving the column empty, goes where its switch is", s: scenario{
			registry: registryM1(store.Switch{Profile: "cit_web", Scope: "merchant", State: "sandbox", EffectiveAt: day, Actor: "ops", Reason: "back to test"}),
			rows:     []tx{row("D1"), row("D2", func(t *tx) { t.env = "" }), row("D3", mit, func(t *tx) { t.env = "" })},
			orders: []store.Order{order(row("D1"), "F1", 7, func(o *store.Order) { o.Environment, o.MID, o.SiteID = "sandbox", "S1", "sid-s" }),
				order(row("D2"), "F2", 7, func(o *store.Order) { o.Environment, o.MID, o.SiteID = "sandbox", "S1", "sid-s" }),
				order(row("D3", mit), "F3", 7)}},
			want: map[string]string{"D1": "untransmitted|recovered|", "D2": "untransmitted|recovered|", "D3": "untransmitted|recovered|"}},
		midWindowCase(),
	}
}

// daysBefore moves an order four days back: the evaluation of a first
// occurrence processed then.
func daysBefore(o store.Order) store.Order {
	o.PlacedAt, o.CreatedOn = o.PlacedAt.AddDate(0, 0, -4), o.CreatedOn.AddDate(0, 0, -4)
	return o
}

// hoursBefore moves an order n hours back.
func hoursBefore(o store.Order, n int) store.Order {
	o.PlacedAt, o.CreatedOn = o.PlacedAt.Add(-time.Duration(n)*time.Hour), o.CreatedOn.Add(-time.Duration(n)*time.Hour)
	return o
}

// lastMonths is an order a month old for a reused order id: FlexCharge
// rescued an earlier attempt of the same order id (a monthly rebill's).
func lastMonths(t tx, id string) store.Order {
	return order(t, id, 7, func(o *store.Order) {
		o.TransactionID = "PREV-" + t.id
		o.PlacedAt, o.CreatedOn = day.AddDate(0, -1, 0), day.AddDate(0, -1, 0)
	})
}

// fieldCase is a recovered decline whose order differs in one field, beside
// a twin whose order matches in every field.
func fieldCase(category string, mod func(*store.Order)) classifyCase {
	d1, d2 := row("D1", keyed), row("D2", keyed)
	return classifyCase{name: category,
		s:    scenario{rows: []tx{d1, d2}, orders: []store.Order{order(d1, "F1", 7, mod), order(d2, "F2", 7)}},
		want: map[string]string{"D1": "transmitted|recovered|" + category, "D2": "transmitted|recovered|"}}
}

// midWindowCase switches MIT off at midnight and on in production at noon:
// the morning decline is not expected, the afternoon one is a lost rescue.
func midWindowCase() classifyCase {
	return classifyCase{name: "MIT off → production at noon", s: scenario{
		registry: registryM1(midWindowSwitches()...),
		rows:     []tx{row("AM", mit, func(t *tx) { t.at = "09:00" }), row("PM", mit, func(t *tx) { t.at = "15:00" })}},
		want: map[string]string{"AM": "not_expected||", "PM": "untransmitted|missed_evaluate|"}}
}

func midWindowSwitches() []store.Switch {
	return []store.Switch{
		{Profile: "mit", Scope: "merchant", State: "off", EffectiveAt: day, Actor: "ops", Reason: "MIT paused"},
		{Profile: "mit", Scope: "merchant", State: "production", EffectiveAt: at("12:00"), Actor: "ops", Reason: "MIT live at noon"},
	}
}

// push is a push made by a run whose clock is when: lateness is judged by it.
func push(id, outcome string, when time.Time) store.PushRecord {
	p := store.PushRecord{Merchant: "M1", TransactionID: id, Env: "production", MID: "P1", Outcome: outcome, At: when, RunClock: when}
	if outcome == "pushed" {
		p.Key = "PK-" + id
	} else {
		p.Error = "400 bad request"
	}
	return p
}

func TestClassifyScenarios(t *testing.T) {
	for _, c := range classifyCases() {
		t.Run(c.name, func(t *testing.T) {
			db := classify(t, c.s)
			got := map[string]string{}
			for k, v := range verdicts(t, db) {
				got[k] = fmt.Sprintf("%s|%s|%s", v.TransmitState, v.OutcomeState, v.Findings)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("verdicts (-want +got):\n%s", diff)
			}
			n := counts(t, db)
			for _, cat := range []string{"quarantined", "orphan_order"} {
				if n[cat] != c.counted[cat] {
					t.Errorf("%s findings: got %d, want %d", cat, n[cat], c.counted[cat])
				}
			}
		})
	}
}

// TestStateCountsCountARepeatsOutcomeOnce: a decline's repeated row is the
// same attempt, so the run's counts (its page, the API, /metrics) hold its
// outcome once, as the workbook does: they said 2 missed evaluates where
// Exceptions by category said 1.
func TestStateCountsCountARepeatsOutcomeOnce(t *testing.T) {
	d := func(id string) tx { return row(id, keyed) }
	db := classify(t, scenario{rows: []tx{d("D1"), d("D1")}})
	if got := counts(t, db); got["missed_evaluate"] != 1 || got["duplicate_row"] != 1 || got["transmitted"] != 2 {
		t.Errorf("counts of a decline and its repeat, no order: %v, want missed_evaluate 1, duplicate_row 1, transmitted 2", got)
	}
}

// TestPushInDoubt: a push whose earlier intent got no answer is flagged once
// the run applies its pushes.
func TestPushInDoubt(t *testing.T) {
	p := push("T1", "pushed", at("10:30"))
	p.InDoubt = true
	db := classify(t, scenario{rows: []tx{row("T1", approved), row("T2", approved)},
		pushes: []store.PushRecord{p, push("T2", "pushed", at("10:30"))}})
	onlyT1InDoubt(t, db)
}

// onlyT1InDoubt applies run 1's pushes and checks that T1, not T2, is
// listed push_in_doubt.
func onlyT1InDoubt(t *testing.T, db *store.DB) {
	t.Helper()
	if err := db.ApplyPushes(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	v := verdicts(t, db)
	got := []string{v["T1"].Findings, v["T2"].Findings}
	if diff := cmp.Diff([]string{"push_in_doubt", ""}, got); diff != "" {
		t.Errorf("findings of T1, T2 (-want +got):\n%s", diff)
	}
}

// TestUnansweredIntentInDoubt: an intent a stopped run left unanswered is
// in doubt for the runs after it, even one that does not resend it.
func TestUnansweredIntentInDoubt(t *testing.T) {
	db := classify(t, scenario{rows: []tx{row("T1", approved), row("T2", approved)}, unjudged: true})
	intent := store.PushRecord{Merchant: "M1", TransactionID: "T1", Env: "production", MID: "P1", At: at("10:30"), RunClock: at("10:30")}
	if err := db.RecordPushes(context.Background(), nil, []store.PushRecord{intent}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Classify(context.Background(), 1, window, asOf); err != nil {
		t.Fatal(err)
	}
	onlyT1InDoubt(t, db)
}

// TestOldIntentOnRefundListedOnce: an intent left unanswered on a refund
// before refunds were no longer pushed is never answered (the refund is
// not_expected, so no run sends it again): the first run lists it, the next
// one counts it as listed before instead of listing it again every night.
func TestOldIntentOnRefundListedOnce(t *testing.T) {
	ctx := context.Background()
	db := classify(t, scenario{rows: []tx{row("R1", status("refunded"))}, unjudged: true})
	intent := store.PushRecord{Merchant: "M1", TransactionID: "R1", Env: "production", MID: "P1", At: at("10:30"), RunClock: at("10:30")}
	if err := db.RecordPushes(ctx, nil, []store.PushRecord{intent}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"push_in_doubt, 0 listed before", ", 1 listed before"}, findingsOfTwoRuns(t, db)); diff != "" {
		t.Errorf("refund R1 with an unanswered intent, two runs (-want +got):\n%s", diff)
	}
}

// TestResendAnsweredByLedgerListedOnce: a resend left unanswered whose
// transaction has its key from the ledger since is never sent again (it is
// transmitted), so no run answers it; it was listed push_in_doubt by every
// run while the health page counted it settled. The first run lists it (the
// resend may be a second copy), the next counts it as listed before, and
// the health page leaves it out.
func TestResendAnsweredByLedgerListedOnce(t *testing.T) {
	ctx := context.Background()
	db := classify(t, scenario{rows: []tx{row("T1", approved, keyed)}, unjudged: true})
	stopped, err := db.StartRun(ctx, adhocRun) // the run that resent it, stopped under its call
	if err != nil {
		t.Fatal(err)
	}
	resend := store.PushRecord{RunID: stopped.ID, Merchant: "M1", TransactionID: "T1", Env: "production", MID: "P1", InDoubt: true,
		At: at("10:30"), RunClock: at("10:30")}
	if err := db.RecordPushes(ctx, nil, []store.PushRecord{resend}); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishRun(ctx, stopped.ID, asOf, errors.New("stopped")); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"push_in_doubt, 0 listed before", ", 1 listed before"}, findingsOfTwoRuns(t, db)); diff != "" {
		t.Errorf("T1 keyed by the ledger after an unanswered resend, two runs (-want +got):\n%s", diff)
	}
	if d, err := db.OpenDoubts(ctx); err != nil || d.N != 0 {
		t.Errorf("open doubts: %+v, %v; want none (nothing is left to resend)", d, err)
	}
}

// findingsOfTwoRuns runs two succeeded runs over the window and says, of
// each, its findings and the doubts it counts as listed before.
func findingsOfTwoRuns(t *testing.T, db *store.DB) []string {
	t.Helper()
	ctx := context.Background()
	var got []string
	for range 2 {
		run, err := db.StartRun(ctx, adhocRun)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Classify(ctx, run.ID, window, asOf); err != nil {
			t.Fatal(err)
		}
		if err := db.ApplyPushes(ctx, run.ID); err != nil {
			t.Fatal(err)
		}
		before, err := db.DoubtsListedBefore(ctx, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.FinishRun(ctx, run.ID, asOf, nil); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s, %d listed before", dump(t, db, "SELECT coalesce(string_agg(category, ','), '') FROM findings WHERE run_id = ?", run.ID)[0][0], before))
	}
	return got
}

// TestAnsweredElsewhereNotInDoubt: an unanswered intent whose transaction
// has its key from the ledger since is not in doubt.
func TestAnsweredElsewhereNotInDoubt(t *testing.T) {
	db := classify(t, scenario{rows: []tx{row("T1", approved, keyed)}, unjudged: true})
	intent := store.PushRecord{Merchant: "M1", TransactionID: "T1", Env: "production", MID: "P1", At: at("10:30"), RunClock: at("10:30")}
	if err := db.RecordPushes(context.Background(), nil, []store.PushRecord{intent}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Classify(context.Background(), 1, window, asOf); err != nil {
		t.Fatal(err)
	}
	if err := db.ApplyPushes(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if f := verdicts(t, db)["T1"].Findings; f != "" {
		t.Errorf("T1, transmitted by the ledger's key: findings %q, want none", f)
	}
}

// TestEveryCategoryHasAScenario keeps the scenarios in step with recon's
// vocabulary: a new category needs a scenario that produces it.
func TestEveryCategoryHasAScenario(t *testing.T) {
	seen := map[string]bool{
		string(recon.PushInDoubt): true, // TestPushInDoubt
		string(recon.Pushed):      true, // TestRunDiff: a run's own push, which ApplyPushes records
	}
	for _, c := range classifyCases() {
		for _, w := range c.want {
			for _, part := range splitVerdict(w) {
				seen[part] = true
			}
		}
		for k := range c.counted {
			seen[k] = true
		}
	}
	var all []string
	for _, s := range recon.TransmitStates {
		all = append(all, string(s))
	}
	for _, s := range recon.OutcomeStates {
		all = append(all, string(s))
	}
	for _, f := range recon.Findings {
		all = append(all, string(f))
	}
	for _, c := range all {
		if !seen[c] {
			t.Errorf("no scenario produces %q", c)
		}
	}
}

func splitVerdict(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == '|' || r == ';' })
}

// TestSwitchRecordedMidRun: a switch recorded while a run classifies (after
// its orders are assigned, before its verdicts are written) judges none of
// its rows: the whole run judges by the switches as they were when it
// started. Here cit_callcenter goes to production under the run: D1 stays a
// decline evaluated while off, with no outcome, in both halves of the run.
func TestSwitchRecordedMidRun(t *testing.T) {
	d1 := row("D1", keyed, callcenter)
	db := classify(t, scenario{rows: []tx{d1}, orders: []store.Order{order(d1, "F1", 7)}, unjudged: true})
	undo := store.SetAfterWorkingTables(func() {
		_, err := db.RecordSwitch(context.Background(), store.Switch{MerchantID: "M1", Profile: "cit_callcenter", Scope: "merchant",
			State: "production", EffectiveAt: longAgo, Actor: "ops", Reason: "on, mid-run", Origin: "cli"})
		if err != nil {
			t.Error(err)
		}
	})
	defer undo()
	if _, err := db.Classify(context.Background(), 1, window, asOf); err != nil {
		t.Fatal(err)
	}
	v := verdicts(t, db)["D1"]
	if got := fmt.Sprintf("%s|%s|%s", v.TransmitState, v.OutcomeState, v.Findings); got != "transmitted||evaluated_while_off" {
		t.Errorf("D1 (transmit|outcome|findings): got %q, want %q", got, "transmitted||evaluated_while_off")
	}
}

// TestSwitchWallClockAgreesWithDuckDB: recon.WallClock, which places the
// local times ops type for a switch (config, web form), gives the instant
// DuckDB's timezone(zone, TIMESTAMP) gives the ledger's offset-less times,
// every quarter hour of both transition days, in zones going forward and back
// by an hour (both hemispheres) and by half an hour (Lord Howe).
func TestSwitchWallClockAgreesWithDuckDB(t *testing.T) {
	db := MustOpenDB(t)
	days := map[string][]string{
		"America/New_York":    {"2026-03-08", "2026-11-01"},
		"Europe/Berlin":       {"2026-03-29", "2026-10-25"},
		"Australia/Sydney":    {"2026-04-05", "2026-10-04"},
		"Australia/Lord_Howe": {"2026-04-05", "2026-10-04"},
	}
	for zone, ds := range days {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			rows, err := db.Query(context.Background(), `SELECT CAST(w AS VARCHAR), epoch_ns(timezone($1, w))
				FROM generate_series(CAST($2 AS TIMESTAMP), CAST($2 AS TIMESTAMP) + INTERVAL 1 DAY, INTERVAL 15 MINUTE) g(w)`, zone, d)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var text string
				var ns int64
				if err := rows.Scan(&text, &ns); err != nil {
					t.Fatal(err)
				}
				wall, err := time.Parse(time.DateTime, text)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := recon.WallClock(wall, loc), time.Unix(0, ns); !got.Equal(want) {
					t.Errorf("%s %s: WallClock %s, DuckDB %s", zone, text, got.UTC().Format(time.RFC3339), want.UTC().Format(time.RFC3339))
				}
				n++
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			rows.Close()
			if n != 97 {
				t.Fatalf("%s %s: %d times compared, want 97", zone, d, n)
			}
		}
	}
}

// TestSwitchAtLocalTimeOnTransitionNights: a switch typed as a New York
// wall clock on a transition night (placed by recon.WallClock, as the config
// and the web form do) judges the ledger's declines written as wall clocks
// in the order the clocks say: a decline at a clock before the switch's is
// judged by the switch before. MIT is off from March 1; the switch puts it in
// production. On the spring-forward night 02:30 does not exist: DuckDB reads
// it (and the switch) as 03:30 EDT, so 01:45 EST is before it. On the
// fall-back night DuckDB reads 01:15 and 01:30 as the later (EST) ones, so
// 01:15 is before the switch and 01:45 after.
func TestSwitchAtLocalTimeOnTransitionNights(t *testing.T) {
	ctx := context.Background()
	ny, _ := time.LoadLocation("America/New_York")
	for _, c := range []struct{ day, effective, early, late string }{
		{"2026-03-08", "02:30", "01:45", "04:00"},
		{"2026-11-01", "01:30", "01:15", "01:45"},
	} {
		t.Run(c.day, func(t *testing.T) {
			wall, err := time.Parse("2006-01-02 15:04", c.day+" "+c.effective)
			if err != nil {
				t.Fatal(err)
			}
			db := MustOpenDB(t)
			reg := registryM1(
				store.Switch{Profile: "mit", Scope: "merchant", State: "off", EffectiveAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Actor: "ops", Reason: "paused"},
				store.Switch{Profile: "mit", Scope: "merchant", State: "production", EffectiveAt: recon.WallClock(wall, ny), Actor: "ops", Reason: "live at " + c.effective},
			)
			if err := db.SeedRegistry(ctx, reg, longAgo); err != nil {
				t.Fatal(err)
			}
			if _, err := loadFile(t, db, writeLedger(t, nil, []string{
				"M1,O-E,EARLY," + c.day + " " + c.early + ":00,10.00,USD,declined,MIT,web,https://one.example,ONE*SHOP,,production,K-E",
				"M1,O-L,LATE," + c.day + " " + c.late + ":00,10.00,USD,declined,MIT,web,https://one.example,ONE*SHOP,,production,K-L",
			})); err != nil {
				t.Fatal(err)
			}
			d, _ := time.Parse(time.DateOnly, c.day)
			start := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, ny)
			w := store.Window{Start: start, End: start.AddDate(0, 0, 1), FirstDay: d, LastDay: d}
			if _, err := db.Classify(ctx, 1, w, start.AddDate(0, 0, 1).Add(150*time.Minute)); err != nil {
				t.Fatal(err)
			}
			v := verdicts(t, db)
			if got := v["EARLY"].TransmitState + "|" + v["EARLY"].OutcomeState; got != "transmitted|" {
				t.Errorf("decline at %s, before the switch's %s: got %s, want transmitted| (MIT was still off)", c.early, c.effective, got)
			}
			if got := v["LATE"].OutcomeState; got != "missed_evaluate" {
				t.Errorf("decline at %s, after the switch's %s: got outcome %q, want missed_evaluate", c.late, c.effective, got)
			}
		})
	}
}

// TestTieOut: a run's states add up; a verdict lost, or a decline left
// without its outcome, fails the tie-out and says which states.
func TestTieOut(t *testing.T) {
	s := scenario{rows: []tx{row("D1", keyed), row("D2", keyed), row("A1", approved, keyed)},
		orders: []store.Order{order(row("D1", keyed), "F1", 7)}}
	tests := []struct {
		name, breakIt string
		want          []store.Mismatch
	}{
		{"clean", "", nil},
		{"a verdict lost", "DELETE FROM verdicts WHERE line = (SELECT line FROM ledger_tx WHERE transaction_id = 'A1')",
			[]store.Mismatch{{States: "transmit states", Merchant: "M1", Currency: "USD", LedgerCount: 3, StateCount: 2, LedgerAmount: 3000, StateAmount: 2000}}},
		{"a decline without its outcome", "UPDATE verdicts SET outcome_state = NULL WHERE line = (SELECT line FROM ledger_tx WHERE transaction_id = 'D2')",
			[]store.Mismatch{{States: "outcome states", Merchant: "M1", Currency: "USD", LedgerCount: 2, StateCount: 1, LedgerAmount: 2000, StateAmount: 1000}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := classify(t, s)
			if tt.breakIt != "" {
				dump(t, db, tt.breakIt)
			}
			got, err := db.TieOut(context.Background(), 1, window)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("tie-out (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOneDoubleChargeRiskPerRetry: a decline with two completed orders and
// an approved retry is one risk to look at, not one per order.
func TestOneDoubleChargeRiskPerRetry(t *testing.T) {
	d1 := row("D1", keyed)
	db := classify(t, scenario{
		rows:   []tx{d1, row("A1", approved, keyed, func(t *tx) { t.order, t.at = "O-D1", "12:00" })},
		orders: []store.Order{order(d1, "F1", 7), order(d1, "F2", 7)}})
	if n := counts(t, db)["double_charge_risk"]; n != 1 {
		t.Errorf("double_charge_risk findings: got %d, want 1", n)
	}
}

// TestQuarantinedFindingSaysWhere: a quarantined row's finding names its
// file, line and column and says why, and claims no site (it had none yet).
func TestQuarantinedFindingSaysWhere(t *testing.T) {
	db := classify(t, scenario{rows: []tx{row("T1", approved)},
		extra: []string{"M1,O-T2,T2,2026-11-23T10:00:00Z,ten,USD,approved,CIT,web,https://one.example,ONE*SHOP,,production,K-T2"}})
	got := dump(t, db, "SELECT coalesce(site_url, ''), field, detail FROM findings WHERE category = 'quarantined'")
	if len(got) != 1 || got[0][0] != "" || got[0][1] != "amount" ||
		!strings.Contains(got[0][2], "ledger_2026-11-23.csv, line 3: ") || !strings.Contains(got[0][2], `"ten"`) {
		t.Errorf("quarantined finding: %v; want no site, field amount, detail naming the file, line 3 and the value", got)
	}
	// The run page shows the detail where a ledger value would be.
	exc, err := db.RunExceptions(context.Background(), 1, 10)
	if err != nil || len(exc) != 1 || exc[0].LedgerValue != got[0][2] {
		t.Errorf("run page's exceptions: %+v, %v; want the quarantined row with its detail as the ledger's", exc, err)
	}
}

// TestTestTrafficIsOneFinding: a sandbox (test) row under the production
// switch is one environment_mismatch. With no order (D1) or a sandbox one
// (D3) it is field switch; with an order FlexCharge holds in production (D2)
// it is field environment against that order, which it names: D2 had both,
// two findings for one problem.
func TestTestTrafficIsOneFinding(t *testing.T) {
	sandboxOrder := func(o *store.Order) { o.Environment, o.MID, o.SiteID = "sandbox", "S1", "sid-s" }
	db := classify(t, scenario{rows: []tx{row("D1", sandboxRow), row("D2", sandboxRow), row("D3", sandboxRow)},
		orders: []store.Order{order(row("D2"), "F2", 7), order(row("D3"), "F3", 7, sandboxOrder)}})
	got := dump(t, db, `SELECT transaction_id, field, ledger_value, fc_value, coalesce(fc_order_id, ''), detail LIKE 'a sandbox (test) transaction%'
		FROM findings WHERE run_id = 1 AND category = 'environment_mismatch' ORDER BY ALL`)
	want := [][]string{
		{"D1", "switch", "sandbox", "production", "", "true"},
		{"D2", "environment", "sandbox", "production", "F2", "true"},
		{"D3", "switch", "sandbox", "production", "", "true"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("environment_mismatch findings of test traffic (transaction, field, ledger, FlexCharge, order, says test) (-want +got):\n%s", diff)
	}
}

// TestOrderSitesCountsEveryOrder: the FlexCharge side of the Sites sheet
// counts every order of the run's declines, the second order of a duplicate
// evaluate too, and the orphans.
func TestOrderSitesCountsEveryOrder(t *testing.T) {
	d := func(id string) tx { return row(id, keyed) }
	db := classify(t, scenario{rows: []tx{d("D1"), d("D2")},
		orders: []store.Order{order(d("D1"), "F1", 7), order(d("D1"), "F1b", 2), order(d("D2"), "F2", 7), order(d("X1"), "FX", 7)}})
	if err := db.KeepOrderSites(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if got := dump(t, db, "SELECT sum(fc_orders) FROM run_order_sites WHERE run_id = 1"); got[0][0] != "4" {
		t.Errorf("orders on the Sites sheet: %s, want 4 (F1, F1b, F2 and the orphan FX)", got[0][0])
	}
}

// TestOrderSitesCountsAnIDOfBothEnvironmentsOnce: FlexCharge's sandbox and
// production are separate systems, so one order id may name an order in
// each. D1's production order F1 and a sandbox orphan also named F1 are one
// order each, under its own environment: joined on the id alone, each was
// counted under both (4 orders, the amounts summed twice).
func TestOrderSitesCountsAnIDOfBothEnvironmentsOnce(t *testing.T) {
	d := row("D1", keyed)
	db := classify(t, scenario{rows: []tx{d}, orders: []store.Order{order(d, "F1", 7),
		order(row("X1"), "F1", 7, func(o *store.Order) { o.Environment, o.MID, o.SiteID = "sandbox", "S1", "sid-s" })}})
	if err := db.KeepOrderSites(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	got := dump(t, db, "SELECT environment, fc_orders, fc_amount FROM run_order_sites WHERE run_id = 1 ORDER BY ALL")
	if diff := cmp.Diff([][]string{{"production", "1", "1000"}, {"sandbox", "1", "1000"}}, got); diff != "" {
		t.Errorf("Sites rows (-want +got):\n%s", diff)
	}
}

// TestOrderSitesExtraOrderInItsDeclinesCurrency: an extra order FlexCharge
// gives no currency for is counted under its decline's, as a primary one is.
func TestOrderSitesExtraOrderInItsDeclinesCurrency(t *testing.T) {
	d := row("D1", keyed)
	db := classify(t, scenario{rows: []tx{d},
		orders: []store.Order{order(d, "F1", 7), order(d, "F1b", 2, func(o *store.Order) { o.Currency = "" })}})
	if err := db.KeepOrderSites(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	got := dump(t, db, "SELECT currency, fc_orders FROM run_order_sites WHERE run_id = 1 ORDER BY ALL")
	if diff := cmp.Diff([][]string{{"USD", "2"}}, got); diff != "" {
		t.Errorf("Sites rows (-want +got):\n%s", diff)
	}
}

// TestClassifyPlansScale: no step of a classification joins by a nested
// loop or a cross product, which at ten million rows a day take minutes (a
// join condition joined by OR once made the orphans step one: 121 s at a
// million rows). Each step's plan is DuckDB's for the scenario's data.
func TestClassifyPlansScale(t *testing.T) {
	plans := map[string]string{}
	defer store.SetStepPlanned(func(step, plan string) { plans[step] += plan })()
	c := midWindowCase()
	classify(t, c.s)
	if len(plans) < 8 {
		t.Fatalf("plans of %d steps, want every step's: %v", len(plans), plans)
	}
	for step, plan := range plans {
		for _, op := range []string{"NESTED_LOOP_JOIN", "BLOCKWISE_NL_JOIN", "CROSS_PRODUCT"} {
			if strings.Contains(plan, op) {
				t.Errorf("%s plans a %s:\n%s", step, op, plan)
			}
		}
	}
}

// TestOrderChoiceIndependentOfWindow: which of its possible declines an
// order goes to does not depend on the run's window either. An order naming
// no attempt, made between a decline just before the hour a day's run used
// to read before its window and a retry in the window, went to the retry in
// that run and to the nearer earlier decline in a run of both days; at the
// window's end, likewise with a retry just after it.
func TestOrderChoiceIndependentOfWindow(t *testing.T) {
	retry := row("D1", func(t *tx) { t.order, t.at = "O-R", "00:15" })
	last := row("D2", func(t *tx) { t.order, t.at = "O-S", "23:50" })
	unnamed := func(r tx, id string, made time.Time) store.Order {
		return order(r, id, 7, func(o *store.Order) { o.TransactionID, o.PlacedAt, o.CreatedOn = "", made, made })
	}
	db := classify(t, scenario{rows: []tx{retry, last},
		extra: []string{"M1,O-R,E0,2026-11-22T22:55:00Z,10.00,USD,declined,CIT,web,https://one.example,ONE*SHOP,,production,K-E0",
			"M1,O-S,E3,2026-11-24T00:30:00Z,10.00,USD,declined,CIT,web,https://one.example,ONE*SHOP,,production,K-E3"},
		orders: []store.Order{unnamed(retry, "FR", day.Add(-40*time.Minute)), unnamed(last, "FS", day.Add(24*time.Hour+20*time.Minute))}})
	for i, w := range []store.Window{
		{Start: day.AddDate(0, 0, -1), End: day.AddDate(0, 0, 1), FirstDay: day.AddDate(0, 0, -1), LastDay: day},
		{Start: day, End: day.AddDate(0, 0, 2), FirstDay: day, LastDay: day.AddDate(0, 0, 1)},
	} {
		if _, err := db.Classify(context.Background(), int64(i+2), w, asOf); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]string{"D1": "missed_evaluate", "D2": "missed_evaluate", "E0": "recovered", "E3": "recovered"}
	for run := int64(1); run <= 3; run++ {
		vs, err := db.Verdicts(context.Background(), run)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if v.OutcomeState != want[v.TransactionID] || strings.Contains(v.Findings, "orphan_order") {
				t.Errorf("run %d: %s is %s %s; want %s: each order id's order is the nearer decline's",
					run, v.TransactionID, v.OutcomeState, v.Findings, want[v.TransactionID])
			}
		}
		if n := dump(t, db, fmt.Sprintf("SELECT count(*) FROM findings WHERE run_id = %d AND category = 'orphan_order'", run)); n[0][0] != "0" {
			t.Errorf("run %d: %s orphans; FR and FS are E0's and E3's", run, n[0][0])
		}
	}
}

// TestPairingIndependentOfWindow: whether an order may be a decline's
// depends on the two alone, never on the run's window. An order naming its
// attempt but made 3 h before it was paired by a two-day window and not by
// a one-day one.
func TestPairingIndependentOfWindow(t *testing.T) {
	d1 := row("D1", keyed, func(t *tx) { t.at = "01:00" })
	early := func(o *store.Order) { o.PlacedAt, o.CreatedOn = day.Add(-3*time.Hour), day.Add(-3*time.Hour) }
	db := classify(t, scenario{rows: []tx{d1}, orders: []store.Order{order(d1, "F1", 7, early)}})
	two := store.Window{Start: day.AddDate(0, 0, -1), End: day.AddDate(0, 0, 1), FirstDay: day.AddDate(0, 0, -1), LastDay: day}
	if _, err := db.Classify(context.Background(), 2, two, asOf); err != nil {
		t.Fatal(err)
	}
	one, err := db.Verdicts(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	wide, err := db.Verdicts(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(one, wide); diff != "" || len(one) != 1 || one[0].OutcomeState != "missed_evaluate" {
		t.Errorf("a day's run and a two-day run disagree, or pair an order made 3 h early (-day +two days):\n%s\n%+v", diff, one)
	}
}

// TestLateOrderNamingItsAttemptStillChargedTheCustomer: FlexCharge
// completed, in production, an order naming decline D1 but stamped 1h30m
// after it (an evaluate the gateway sent late, or again), and the
// merchant's own retry of the order was approved too: D1 was rescued, and
// the customer charged twice.
func TestLateOrderNamingItsAttemptStillChargedTheCustomer(t *testing.T) {
	d1 := row("D1", keyed)
	a1 := row("A1", keyed, approved, func(t *tx) { t.order, t.at = "O-D1", "12:00" })
	late := order(d1, "F1", 7, func(o *store.Order) { o.PlacedAt, o.CreatedOn = at("11:30"), at("11:30") })
	db := classify(t, scenario{rows: []tx{d1, a1}, orders: []store.Order{late}})
	v := verdicts(t, db)["A1"]
	if !strings.Contains(v.Findings, "double_charge_risk") {
		t.Errorf("A1: %s; want double_charge_risk: F1 (COMPLETED, production) names D1 and the retry A1 was approved", v.Findings)
	}
}

// TestSameFilesInAnotherOrderSameResults: which decline an order goes to
// does not depend on which file was loaded first. Two declines of one order
// id, one per file, equally near an order naming neither: processed at the
// same second (O-SAME), or one ten minutes before and one ten minutes after
// the order (O-AROUND). Loaded in either order, the runs give the same
// verdicts, orders and findings.
func TestSameFilesInAnotherOrderSameResults(t *testing.T) {
	same := func(id, at string) tx { return row(id, keyed, func(t *tx) { t.order, t.at = "O-SAME", at }) }
	around := func(id, at string) tx { return row(id, keyed, func(t *tx) { t.order, t.at = "O-AROUND", at }) }
	unnamed := func(r tx, id string, made time.Time) store.Order {
		return order(r, id, 7, func(o *store.Order) { o.TransactionID, o.PlacedAt, o.CreatedOn = "", made, made })
	}
	first := writeLedgerNamed(t, "first_2026-11-22.csv", []tx{same("S2", "10:00"), around("R2", "10:50")})
	second := writeLedgerNamed(t, "second_2026-11-23.csv", []tx{same("S1", "10:00"), around("R1", "10:30")})
	orders := []store.Order{unnamed(same("S1", "10:00"), "FS", at("10:05")), unnamed(around("R1", "10:30"), "FR", at("10:40"))}
	results := func(files ...string) [][]string {
		db := classify(t, scenario{unjudged: true, orders: orders})
		for _, f := range files {
			if _, err := loadFile(t, db, f); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Classify(context.Background(), 1, window, asOf); err != nil {
			t.Fatal(err)
		}
		return append(dump(t, db, "SELECT transaction_id, occurrence, transmit_state, coalesce(outcome_state, ''), coalesce(fc_order_id, '') FROM results ORDER BY ALL"),
			dump(t, db, "SELECT * EXCLUDE (run_id) FROM findings ORDER BY ALL")...)
	}
	loaded, reversed := results(first, second), results(second, first)
	if diff := cmp.Diff(loaded, reversed); diff != "" {
		t.Errorf("the same files loaded in another order give other results (-first file first +second file first):\n%s", diff)
	}
	want := [][]string{{"R1", "1", "transmitted", "recovered", "FR"}, {"R2", "1", "transmitted", "missed_evaluate", ""},
		{"S1", "1", "transmitted", "recovered", "FS"}, {"S2", "1", "transmitted", "missed_evaluate", ""}}
	if diff := cmp.Diff(want, loaded); diff != "" {
		t.Errorf("results (-want +got): an order equally near two declines goes to the earlier, then the least transaction id:\n%s", diff)
	}
}

// TestDoubleChargeRiskSeenFromTheApproval: a double charge is the merchant's
// approved retry's, A2 of D2 just before the window and A6 of D6 in it (the
// risk is not D6's: on the decline, it moved from the decline to the
// approval as the nights went by, reported again). A run reads the orders
// and declines it pairs, from a day before its window on, and no older
// ones (reading weeks of orders made every run grow with the history kept):
// so not A1, whose decline's order was completed ten days before, nor A4,
// whose order FlexCharge completed five days before with no decline in the
// ledger; not A3 (over three weeks: a rebill of a reused order id), nor A5,
// whose earlier order was a sandbox one. A run of two days, holding D2
// too, reports the same.
func TestDoubleChargeRiskSeenFromTheApproval(t *testing.T) {
	earlier := func(id string, ago time.Duration) (string, store.Order) {
		when := day.Add(10*time.Hour - ago)
		line := fmt.Sprintf("M1,O-%s,%s,%s,10.00,USD,declined,CIT,web,https://one.example,ONE*SHOP,,production,K-%s",
			id, id, when.Format(time.RFC3339), id)
		return line, order(row(id), "F"+id[1:], 7, func(o *store.Order) { o.PlacedAt, o.CreatedOn = when, when.Add(time.Minute) })
	}
	retry := func(id, of string) tx {
		return row(id, approved, keyed, func(t *tx) { t.order, t.at = "O-"+of, "09:00" })
	}
	d1, f1 := earlier("D1", 10*24*time.Hour)
	d2, f2 := earlier("D2", 10*time.Hour+20*time.Minute) // 23:40 the day before
	d3, f3 := earlier("D3", 22*24*time.Hour)
	_, f4 := earlier("D4", 5*24*time.Hour)
	d5, f5 := earlier("D5", 3*24*time.Hour)
	f5.Environment, f5.MID, f5.SiteID = "sandbox", "S1", "sid-s"
	d6 := row("D6", keyed, func(t *tx) { t.at = "01:00" })
	db := classify(t, scenario{
		rows:   []tx{retry("A1", "D1"), retry("A2", "D2"), retry("A3", "D3"), retry("A4", "D4"), retry("A5", "D5"), d6, retry("A6", "D6")},
		extra:  []string{d1, d2, d3, d5},
		orders: []store.Order{f1, f2, f3, f4, f5, order(d6, "F6", 7)}})
	got := map[string]string{}
	for id, v := range verdicts(t, db) {
		got[id] = v.Findings
	}
	want := map[string]string{"A1": "", "A2": "double_charge_risk", "A3": "", "A4": "",
		"A5": "", "D6": "", "A6": "double_charge_risk"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	two := store.Window{Start: day.AddDate(0, 0, -1), End: day.AddDate(0, 0, 1), FirstDay: day.AddDate(0, 0, -1), LastDay: day}
	if _, err := db.Classify(context.Background(), 2, two, asOf); err != nil {
		t.Fatal(err)
	}
	wantRows := [][]string{
		{"A2", "F2", "rescue", "D2", "the merchant's retry was approved after FlexCharge completed the order for decline D2"},
		{"A6", "F6", "rescue", "D6", "the merchant's retry was approved after FlexCharge completed the order for decline D6"}}
	for run := 1; run <= 2; run++ {
		rows := dump(t, db, fmt.Sprintf("SELECT transaction_id, fc_order_id, field, ledger_value, detail FROM findings WHERE run_id = %d AND category = 'double_charge_risk' ORDER BY ALL", run))
		if diff := cmp.Diff(wantRows, rows); diff != "" {
			t.Errorf("run %d's double_charge_risk findings (-want +got):\n%s", run, diff)
		}
	}
}

// TestOrderSitesCountsARepeatsOrdersAlike: a repeated decline in the window
// whose first occurrence is just before it (the same attempt, stamped 20
// minutes later) has its orders counted on the Sites sheet alike: its
// primary order F1 was, and its second order F1b was not, for the first
// occurrence's being outside the window.
func TestOrderSitesCountsARepeatsOrdersAlike(t *testing.T) {
	line := "M1,O-D1,D1,%s,10.00,USD,declined,CIT,web,https://one.example,ONE*SHOP,,production,K-D1"
	first := day.Add(-10 * time.Minute)
	d1 := row("D1")
	made := func(after time.Duration) func(*store.Order) {
		return func(o *store.Order) { o.PlacedAt, o.CreatedOn = first.Add(after), first.Add(after) }
	}
	db := classify(t, scenario{
		extra:  []string{fmt.Sprintf(line, first.Format(time.RFC3339)), fmt.Sprintf(line, day.Add(10*time.Minute).Format(time.RFC3339))},
		orders: []store.Order{order(d1, "F1", 7, made(time.Minute)), order(d1, "F1b", 2, made(5*time.Minute))}})
	if err := db.KeepOrderSites(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if got := dump(t, db, "SELECT sum(fc_orders) FROM run_order_sites WHERE run_id = 1"); got[0][0] != "2" {
		t.Errorf("orders on the Sites sheet: %s, want 2 (F1 and F1b, the orders of the repeat the run judged)", got[0][0])
	}
	if v := verdicts(t, db)["D1#2"]; v.OutcomeState != "recovered" || v.Findings != "duplicate_evaluate;duplicate_row" {
		t.Errorf("the repeat: %+v; want recovered, duplicate_evaluate;duplicate_row", v)
	}
}

// TestVerdictsKeepNoDiffersFlag: a verdict keeps no flag saying its order
// differs. Nothing read it, and a repeat naming its site by URL alone
// (its first occurrence giving the descriptor too) had it set with no
// difference found: the findings name each difference.
func TestVerdictsKeepNoDiffersFlag(t *testing.T) {
	d1 := row("D1", keyed)
	db := classify(t, scenario{rows: []tx{d1, row("D1", keyed, func(t *tx) { t.descriptor = "" })},
		orders: []store.Order{order(d1, "F1", 7)}})
	if v := verdicts(t, db)["D1#2"]; v.OutcomeState != "recovered" || v.Findings != "duplicate_row" {
		t.Errorf("the repeat: %+v; want recovered, duplicate_row alone", v)
	}
	got := dump(t, db, "SELECT table_name FROM information_schema.columns WHERE column_name = 'differs' AND table_name IN ('verdicts', 'results')")
	if len(got) != 0 {
		t.Errorf("%v still keep differs, which nothing reads", got)
	}
}

// TestDoubleChargeRiskOfAnOrphanOrder: an order FlexCharge completed that
// no ledger decline claims, and the merchant's own approval of the same
// order after it, are a double charge when the run reads the order: made in
// the window, in a week's window, or the evening before a day's window.
func TestDoubleChargeRiskOfAnOrphanOrder(t *testing.T) {
	a4 := row("A4", approved, keyed, func(t *tx) { t.order, t.at = "O-D4", "09:00" })
	made := func(when time.Time) store.Order {
		return order(row("D4"), "F4", 7, func(o *store.Order) { o.PlacedAt, o.CreatedOn = when, when })
	}
	week := store.Window{Start: day.AddDate(0, 0, -6), End: day.AddDate(0, 0, 1), FirstDay: day.AddDate(0, 0, -6), LastDay: day}
	for _, c := range []struct {
		name  string
		order store.Order
		w     store.Window
	}{
		{"made the evening before the window", made(day.Add(-4 * time.Hour)), window},
		{"made in the window", made(at("08:00")), window},
		{"made in a week's window", made(day.Add(-5 * 24 * time.Hour)), week},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := classify(t, scenario{rows: []tx{a4}, orders: []store.Order{c.order}, unjudged: true})
			if _, err := db.Classify(context.Background(), 1, c.w, asOf); err != nil {
				t.Fatal(err)
			}
			got := dump(t, db, "SELECT transaction_id, coalesce(fc_order_id, '') FROM findings WHERE category = 'double_charge_risk'")
			if diff := cmp.Diff([][]string{{"A4", "F4"}}, got); diff != "" {
				t.Errorf("double_charge_risk findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDoubleChargeRiskFromTheDayBefore: a run looks for a double charge's
// first charge among the orders made from a day (the clocks' margin and a
// late evaluation's day) before its window on, and takes those made over
// an hour before the window whatever decline claims them, as it pairs
// none of them. The orders of D7, declined the afternoon before a day's
// window, and of D9, made just under a day before, are a double charge by
// their retries A7 and A9 in the window, named by the order alone; D8's,
// made just over a day before, is not read, nor its retry A8 reported.
func TestDoubleChargeRiskFromTheDayBefore(t *testing.T) {
	declined := func(id string, ago time.Duration) (string, store.Order) {
		when := day.Add(-ago)
		line := fmt.Sprintf("M1,O-%s,%s,%s,10.00,USD,declined,CIT,web,https://one.example,ONE*SHOP,,production,K-%s",
			id, id, when.Format(time.RFC3339), id)
		return line, order(row(id), "F"+id[1:], 7, func(o *store.Order) { o.PlacedAt, o.CreatedOn = when, when.Add(time.Minute) })
	}
	retry := func(id, of string) tx {
		return row(id, approved, keyed, func(t *tx) { t.order, t.at = "O-"+of, "09:00" })
	}
	d7, f7 := declined("D7", 10*time.Hour)
	d8, f8 := declined("D8", 25*time.Hour+2*time.Minute)
	d9, f9 := declined("D9", 25*time.Hour)
	db := classify(t, scenario{
		rows:   []tx{retry("A7", "D7"), retry("A8", "D8"), retry("A9", "D9")},
		extra:  []string{d7, d8, d9},
		orders: []store.Order{f7, f8, f9}})
	want := [][]string{
		{"A7", "F7", "the merchant's retry was approved after FlexCharge completed the order"},
		{"A9", "F9", "the merchant's retry was approved after FlexCharge completed the order"}}
	got := dump(t, db, "SELECT transaction_id, fc_order_id, detail FROM findings WHERE category = 'double_charge_risk' ORDER BY ALL")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("double_charge_risk findings (-want +got):\n%s", diff)
	}
}

// TestRepeatsNumberedByContentNotLoadOrder: which ledger row of a repeated
// transaction is its first occurrence (the one orders pair with) is the
// earlier processed, whichever file was loaded first. T1 at 10:00 for
// 10.00 in one file and at 12:00 for 12.00 in another, with an order for
// 10.00: loaded in either order, occurrence 1 is the 10:00 row, recovered
// with no amount_mismatch, and the 12:00 row is its repeat; the second
// file loaded adds the one repeat, whichever it is. Processed at the same
// time, 10:00, the rows are placed by their values: 10.00 before 12.00.
func TestRepeatsNumberedByContentNotLoadOrder(t *testing.T) {
	t1 := func(at, amount string) tx { return row("T1", keyed, func(t *tx) { t.at, t.amount = at, amount }) }
	results := func(files ...string) [][]string {
		db := classify(t, scenario{unjudged: true, orders: []store.Order{order(t1("10:00", "10.00"), "F1", 7)}})
		var duplicates []int64
		for _, f := range files {
			out, err := loadFile(t, db, f)
			if err != nil {
				t.Fatal(err)
			}
			duplicates = append(duplicates, out.Duplicates)
		}
		if diff := cmp.Diff([]int64{0, 1}, duplicates); diff != "" {
			t.Errorf("repeats each load adds (-want +got):\n%s", diff)
		}
		if _, err := db.Classify(context.Background(), 1, window, asOf); err != nil {
			t.Fatal(err)
		}
		return append(dump(t, db, "SELECT occurrence, strftime(processed_at, '%H:%M'), amount, coalesce(outcome_state, '') FROM results ORDER BY ALL"),
			dump(t, db, "SELECT category, occurrence FROM findings ORDER BY ALL")...)
	}
	for _, later := range []string{"12:00", "10:00"} {
		a := writeLedgerNamed(t, "a_2026-11-22.csv", []tx{t1("10:00", "10.00")})
		b := writeLedgerNamed(t, "b_2026-11-23.csv", []tx{t1(later, "12.00")})
		want := [][]string{{"1", "10:00", "1000", "recovered"}, {"2", later, "1200", "recovered"},
			{"amount_mismatch", "2"}, {"duplicate_row", "2"}}
		for _, c := range []struct {
			name  string
			files []string
		}{{"earlier first", []string{a, b}}, {"later first", []string{b, a}}} {
			if diff := cmp.Diff(want, results(c.files...)); diff != "" {
				t.Errorf("%s, the other at %s (-want +got):\n%s", c.name, later, diff)
			}
		}
	}
}

// TestRepeatsTiedInTimeNumberedByAmount: rows of one transaction processed
// at the same time are placed by their amount as a number, smaller first,
// in one file or across two, whichever is loaded first: 9.99 (999 minor
// units) before 10.00 (1000), and 0.99 before 1.00, which as text ("1000"
// < "999", "100" < "99") came after them.
func TestRepeatsTiedInTimeNumberedByAmount(t *testing.T) {
	t1 := func(amount string) tx { return row("T1", func(t *tx) { t.amount = amount }) }
	for _, c := range []struct{ small, large string }{{"9.99", "10.00"}, {"0.99", "1.00"}} {
		one := writeLedgerNamed(t, "a_2026-11-23.csv", []tx{t1(c.large), t1(c.small)})
		a := writeLedgerNamed(t, "a_2026-11-22.csv", []tx{t1(c.large)})
		b := writeLedgerNamed(t, "b_2026-11-23.csv", []tx{t1(c.small)})
		for name, files := range map[string][]string{"one file": {one}, "larger first": {a, b}, "smaller first": {b, a}} {
			db := MustOpenDB(t)
			for _, f := range files {
				if _, err := loadFile(t, db, f); err != nil {
					t.Fatal(err)
				}
			}
			want := [][]string{{"1", minor(t, c.small)}, {"2", minor(t, c.large)}}
			if diff := cmp.Diff(want, dump(t, db, "SELECT occurrence, amount FROM ledger_tx ORDER BY occurrence")); diff != "" {
				t.Errorf("%s, %s and %s at 10:00: occurrences (-want +got):\n%s", name, c.small, c.large, diff)
			}
		}
	}
}

// minor is a two-place amount's text in minor units ("9.99" is "999").
func minor(t *testing.T, amount string) string {
	t.Helper()
	return strings.TrimLeft(strings.Replace(amount, ".", "", 1), "0")
}

// TestTestTrafficNeverPushedToProduction: a sandbox row under a production
// switch is pushed nowhere (not to production, nor to sandbox, where its
// profile was not on), the production row beside it to production.
func TestTestTrafficNeverPushedToProduction(t *testing.T) {
	db := classify(t, scenario{rows: []tx{row("T1", approved, sandboxRow), row("T2", approved)}})
	cs, err := db.PushCandidates(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range cs {
		got[c.TransactionID] = c.Environment + " " + c.MID
	}
	if diff := cmp.Diff(map[string]string{"T2": "production P1"}, got); diff != "" {
		t.Errorf("push candidates' environment and mid (-want +got):\n%s", diff)
	}
}

// TestEarlyFirstOccurrencesReadTheirOwnOrders: repeats whose first
// occurrences are weeks apart read the orders around each, not every order
// made between them, and share those orders.
func TestEarlyFirstOccurrencesReadTheirOwnOrders(t *testing.T) {
	d := func(id string) tx { return row(id, keyed) }
	ago := func(o store.Order, days int) store.Order {
		o.PlacedAt, o.CreatedOn = o.PlacedAt.AddDate(0, 0, -days), o.CreatedOn.AddDate(0, 0, -days)
		return o
	}
	db := classify(t, scenario{unjudged: true, rows: []tx{d("D1"), d("D2")},
		extra: []string{"M1,O-D1,D1,2026-11-19T10:00:00Z,10.00,USD,declined,CIT,web,https://one.example,ONE*SHOP,,production,K-D1",
			"M1,O-D2,D2,2026-11-03T10:00:00Z,10.00,USD,declined,CIT,web,https://one.example,ONE*SHOP,,production,K-D2"},
		orders: []store.Order{ago(order(d("D1"), "F1", 7), 4), ago(order(d("D2"), "F2", 7), 20)}})
	took, err := db.Classify(context.Background(), 1, window, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(took, "pair early first occurrences"); n != 2 {
		t.Errorf("early pairing read the orders in %d spans, want 2 (one around each first occurrence): %s", n, took)
	}
	got := map[string]string{}
	for k, v := range verdicts(t, db) {
		got[k] = v.OutcomeState
	}
	if diff := cmp.Diff(map[string]string{"D1#2": "recovered", "D2#2": "recovered"}, got); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
}

// TestARepeatAloneInTheWindowCountsNoOutcome pins the rule README states: a
// decline repeated in the window whose first occurrence is before it (D1,
// first processed 10 minutes before the day, exported again 10 minutes
// into it) counts among the window's transactions (its transmit state),
// but its outcome, recovered by F1, counts in the run whose window holds
// the first occurrence only: day-by-day runs add up to a month's run
// without recovering the same money twice.
func TestARepeatAloneInTheWindowCountsNoOutcome(t *testing.T) {
	line := "M1,O-D1,D1,%s,10.00,USD,declined,CIT,web,https://one.example,ONE*SHOP,,production,K-D1"
	first := day.Add(-10 * time.Minute)
	made := func(o *store.Order) { o.PlacedAt, o.CreatedOn = first.Add(time.Minute), first.Add(time.Minute) }
	db := classify(t, scenario{
		extra:  []string{fmt.Sprintf(line, first.Format(time.RFC3339)), fmt.Sprintf(line, day.Add(10*time.Minute).Format(time.RFC3339))},
		orders: []store.Order{order(row("D1"), "F1", 7, made)}})
	counts, err := db.StateCounts(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int64{}
	for _, c := range counts {
		n[c.Kind] += c.N
	}
	if n["transmit"] != 1 || n["outcome"] != 0 {
		t.Errorf("run 1's counts %+v: %d transmit states and %d outcomes, want 1 and 0 (the repeat counted among transactions, its outcome with its first occurrence's window)",
			counts, n["transmit"], n["outcome"])
	}
}
