package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/flexcharge/flexrecon/internal/store"
)

// whyOrphan says why run e.RunID found f's order an orphan, by the rules of
// classify-pair-orders: an order belongs to a first-occurrence decline of
// its merchant and order id that the run read, made no more than an hour
// before or after it (a day after, if it names that very attempt).
func whyOrphan(f store.ExplainedFinding, e store.Explanation, loc *time.Location) string {
	o, ok := explainedOrder(e.Orders, f)
	switch {
	case !ok:
		return "FlexCharge's order is no longer stored, so explain cannot say more"
	case o.Merchant == "":
		return fmt.Sprintf("its %s mid %s is registered for no merchant, so no ledger decline can claim it", o.Environment, o.MID)
	}
	var why []string
	for _, d := range e.OrphanDeclines {
		if d.FCOrderID == o.ID {
			why = append(why, whyNotClaimed(d, e, loc))
		}
	}
	if len(why) == 0 {
		return fmt.Sprintf("the ledger has no row of merchant %s with order id %s, so no decline could claim it", o.Merchant, o.ExternalOrderID)
	}
	return fmt.Sprintf("no ledger row of merchant %s with order id %s claimed it: %s", o.Merchant, o.ExternalOrderID, strings.Join(why, "; "))
}

// explainedOrder is the order of an orphan finding, whose FlexCharge value
// is the order's environment.
func explainedOrder(orders []store.ExplainedOrder, f store.ExplainedFinding) (store.ExplainedOrder, bool) {
	for _, o := range orders {
		if o.ID == f.FCOrderID && o.Environment == f.FCValue {
			return o, true
		}
	}
	return store.ExplainedOrder{}, false
}

// whyNotClaimed says why one ledger row of an orphan's merchant order did
// not claim it, in the order the pairing rules apply.
func whyNotClaimed(d store.OrphanDecline, e store.Explanation, loc *time.Location) string {
	row := fmt.Sprintf("%s #%d (%s %s)", d.TransactionID, d.Occurrence, d.Status, ts(d.ProcessedAt, loc))
	switch {
	case d.Status != "declined":
		return row + " is no decline: only a decline is evaluated"
	case d.Occurrence > 1:
		return row + " repeats an earlier row, and only a first occurrence claims orders"
	case d.Undated && !d.NamesAttempt && d.OrderTransactionID != "":
		return fmt.Sprintf("%s is not the attempt the order names (%s): an order FlexCharge gave no date is the evaluation of that attempt only", row, d.OrderTransactionID)
	case d.TooFar:
		return row + " " + tooFar(d)
	case !d.InRun && d.LoadedAfterRun:
		return fmt.Sprintf("%s was loaded after run %d classified%s", row, e.RunID, judgedBy(d))
	}
	return fmt.Sprintf("%s would claim it by the rules: the order, the ledger or the registry has changed since run %d judged them", row, e.RunID)
}

// attempt is the attempt the order names, as seen from row d.
func attempt(d store.OrphanDecline) string {
	switch {
	case d.NamesAttempt:
		return "this very attempt"
	case d.OrderTransactionID == "":
		return "no attempt"
	}
	return "another attempt (" + d.OrderTransactionID + ")"
}

// judgedBy names the latest run that judged a row, if any did.
func judgedBy(d store.OrphanDecline) string {
	if d.LastRun == 0 {
		return "; no run has judged it yet"
	}
	return fmt.Sprintf("; run %d judged it", d.LastRun)
}

// tooFar says why a row processed too long before or after a dated order
// was made is not what it evaluated: the gateway asks for the evaluation
// in real time, on the decline.
func tooFar(d store.OrphanDecline) string {
	after := d.ProcessedAt.Sub(d.OrderCreatedOn)
	switch {
	case after > 0:
		return fmt.Sprintf("was processed %s after the order was made, and the order names %s: "+
			"an order is never the evaluation of a decline over an hour after it, whatever attempt it names", span(after), attempt(d))
	case d.NamesAttempt:
		return fmt.Sprintf("was processed %s before the order was made, which names this very attempt: "+
			"an order made later than a day after its decline is not taken for its evaluation", span(-after))
	}
	return fmt.Sprintf("was processed %s before the order was made, and the order names %s: "+
		"an order made over an hour after a decline is its evaluation only if it names that attempt", span(-after), attempt(d))
}

// span is a duration for a person: whole days from two days on, else hours
// and minutes, rounded up so that a span over an hour never reads as one.
func span(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	}
	up := d.Truncate(time.Minute)
	if up < d {
		up += time.Minute
	}
	h, m := int(up/time.Hour), int(up%time.Hour/time.Minute)
	switch {
	case h == 0:
		return fmt.Sprintf("%dm", m)
	case m == 0:
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%dm", h, m)
}
