package gen

import (
	"time"

	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/recon"
)

// outcomeStatus is the order status that produces each outcome.
var outcomeStatus = map[recon.OutcomeState]int{
	recon.Recovered:    flexcharge.StatusCompleted,
	recon.NotRecovered: flexcharge.StatusCancelled,
	recon.Refunded:     flexcharge.StatusReturned,
	recon.Problem:      flexcharge.StatusProblem,
	recon.Chargeback:   8, // the portal's CHARGEBACK; its API code is assumed
}

// judgeDecline decides FlexCharge's side of a decline: no order, or orders
// with a chosen outcome and, now and then, a planted discrepancy. It
// answers the environment of the order whose outcome the decline gets, ""
// for none.
func (d *dataset) judgeDecline(m *merchant, rw row, state recon.SwitchState, e *Expectation) recon.Environment {
	if state == recon.Off {
		if m != nil && d.chance(0.03) {
			d.addOrder(m, rw, recon.Production, flexcharge.StatusCancelled, nil)
			e.Findings = append(e.Findings, string(recon.EvaluatedWhileOff))
		}
		return ""
	}
	outcome := d.pickOutcome()
	e.Outcome = string(outcome)
	if outcome == recon.MissedEvaluate {
		return ""
	}
	status, expiry := d.orderStatus(outcome)
	env := recon.Environment(state)
	if d.chance(0.005) {
		env = other(env)
		e.Findings = append(e.Findings, string(recon.EnvironmentMismatch))
	}
	o := d.addOrder(m, rw, env, status, expiry)
	if f := d.plantMismatch(m, rw, o); f != "" {
		e.Findings = append(e.Findings, string(f))
	}
	if env == recon.Sandbox && state == recon.OnProduction {
		e.Outcome = string(recon.MissedEvaluate) // a sandbox order rescues no production decline
		return ""
	}
	return env
}

func (d *dataset) pickOutcome() recon.OutcomeState {
	weights := []struct {
		o recon.OutcomeState
		w float64
	}{
		{recon.Recovered, 0.35}, {recon.NotRecovered, 0.30}, {recon.Pending, 0.10}, {recon.Expired, 0.05},
		{recon.Refunded, 0.05}, {recon.Chargeback, 0.02}, {recon.Problem, 0.02}, {recon.MissedEvaluate, 0.11},
	}
	f := d.r.Float64()
	for _, x := range weights {
		if f -= x.w; f < 0 {
			return x.o
		}
	}
	return recon.MissedEvaluate
}

// orderStatus picks a status (and expiry) that yields outcome at asOf.
func (d *dataset) orderStatus(outcome recon.OutcomeState) (int, *time.Time) {
	pending := []int{flexcharge.StatusDraft, flexcharge.StatusOnHold, flexcharge.StatusProcessing, flexcharge.StatusCaptureRequired}
	switch outcome {
	case recon.Pending:
		expiry := d.asOf.AddDate(0, 0, 14)
		return pending[d.r.IntN(len(pending))], &expiry
	case recon.Expired:
		expiry := d.asOf.Add(-time.Hour)
		return pending[d.r.IntN(2)*2], &expiry
	}
	return outcomeStatus[outcome], nil
}

// addOrder records the order FlexCharge made for a decline.
func (d *dataset) addOrder(m *merchant, rw row, env recon.Environment, status int, expiry *time.Time) *flexcharge.SeedOrder {
	source := map[recon.Profile]string{recon.CITWeb: "ecommerce", recon.CITCallCenter: "callcenter", recon.MIT: "recurring"}[rw.profile]
	siteID := ""
	if s := m.site(rw.siteURL); s != nil {
		siteID = s.siteID[env]
	}
	name := flexcharge.StatusName(status)
	if status == 8 {
		name = "CHARGEBACK"
	}
	created := rw.processedAt.Add(2 * time.Second).UTC()
	d.orders = append(d.orders, flexcharge.SeedOrder{Environment: string(env), Order: flexcharge.Order{
		ID: guid(d.r), ExternalOrderID: rw.orderID, MID: m.mid[env], Amount: new(rw.amount), CurrencyCode: "USD",
		IsMIT: new(rw.profile == recon.MIT), OrderSource: source, SiteID: siteID, SiteURL: rw.siteURL,
		DynamicDescriptor: rw.descriptor, TransactionID: rw.txID, Status: status, StatusName: name,
		OrderPlacedDate: created, CreatedOn: created, ExpiryDate: expiry, IsTestMode: env == recon.Sandbox,
	}})
	return &d.orders[len(d.orders)-1]
}

// plantMismatch sometimes makes FlexCharge's order disagree with the ledger
// on one field, or adds a second order for the same decline.
func (d *dataset) plantMismatch(m *merchant, rw row, o *flexcharge.SeedOrder) recon.Finding {
	if !d.chance(0.06) {
		return ""
	}
	switch d.r.IntN(6) {
	case 0:
		o.Amount = new(*o.Amount + 100)
		return recon.AmountMismatch
	case 1:
		o.CurrencyCode = "EUR"
		return recon.CurrencyMismatch
	case 2:
		o.DynamicDescriptor = "OTHER*DESCRIPTOR"
		return recon.DescriptorMismatch
	case 3:
		// MIT for a website's CIT, a website's CIT for the others.
		mit := rw.profile == recon.CITWeb
		o.IsMIT, o.OrderSource = &mit, map[bool]string{true: "recurring", false: "ecommerce"}[mit]
		return recon.ProfileMismatch
	case 4:
		if o.SiteID == "" {
			return ""
		}
		o.SiteID = guid(d.r)
		return recon.SiteMismatch
	}
	second := *o
	second.ID, second.CreatedOn = guid(d.r), o.CreatedOn.Add(-time.Second)
	d.orders = append(d.orders, second)
	return recon.DuplicateEvaluate
}

// addOrphans makes orders for orders the ledger never had.
func (d *dataset) addOrphans(n int) {
	for range n {
		m := &d.merchants[d.r.IntN(len(d.merchants))]
		day := d.r.IntN(len(d.days))
		rw := row{orderID: d.id("X"), profile: recon.CITWeb, siteURL: m.sites[0].url, descriptor: m.sites[0].descriptor,
			processedAt: d.timeOn(day, 10*time.Minute), amount: 1000 + d.r.Int64N(5000)}
		rw.txID = "T" + rw.orderID[1:]
		d.addOrder(m, rw, recon.Production, flexcharge.StatusCompleted, nil)
		d.plan.Orphans++
	}
}

func other(env recon.Environment) recon.Environment {
	if env == recon.Sandbox {
		return recon.Production
	}
	return recon.Sandbox
}
