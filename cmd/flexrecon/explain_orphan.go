package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/flexcharge/flexrecon/internal/store"
)

// whyOrphan says why run e.RunID found f's order an orphan, by the rules of
// classify-pair-orders: an order belongs to a first-occurrence decline of
// its merchant and order id that the run read, processed no more than an
// hour after the order was made (whatever attempt the order names).
func whyOrphan(f store.ExplainedFinding, e store.Explanation) string {
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
			why = append(why, whyNotClaimed(d, e))
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
func whyNotClaimed(d store.OrphanDecline, e store.Explanation) string {
	row := fmt.Sprintf("%s #%d (%s %s)", d.TransactionID, d.Occurrence, d.Status, ts(d.ProcessedAt))
	switch {
	case d.Status != "declined":
		return row + " is no decline: only a decline is evaluated"
	case d.Occurrence > 1:
		return row + " repeats an earlier row, and only a first occurrence claims orders"
	case d.TooFar && d.OrderCreatedOn.Year() < 2:
		return fmt.Sprintf("%s is not the attempt the order names (%s), and an order without a date pairs only with the attempt it names, or with any if it names none",
			row, d.OrderTransactionID)
	case d.TooFar:
		return fmt.Sprintf("%s was processed %s the order was made, and the order names %s: an order is made when its decline is evaluated, in real time, "+
			"so a decline over an hour from it is not its, whatever attempt it names", row, gap(d), attempt(d))
	case !d.InRun && d.LoadedAfterRun:
		return fmt.Sprintf("%s was loaded after run %d classified%s", row, e.RunID, judgedBy(d))
	case !d.InRun:
		return fmt.Sprintf("%s is outside %s, so that run never read it%s", row, runWindow(e), judgedBy(d))
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

// runWindow names the explained run's window of business days.
func runWindow(e store.Explanation) string {
	if e.Run == nil {
		return fmt.Sprintf("run %d's window", e.RunID)
	}
	return fmt.Sprintf("run %d's window (%s to %s)", e.RunID, e.Run.WindowFrom.Format(time.DateOnly), e.Run.WindowTo.Format(time.DateOnly))
}

// gap is how far from the order's making a row was processed: "3h12m
// after" or "2h before".
func gap(d store.OrphanDecline) string {
	since := d.ProcessedAt.Sub(d.OrderCreatedOn)
	if since < 0 {
		return hm(-since) + " before"
	}
	return hm(since) + " after"
}

// hm is a duration to the minute, as 3h12m, or 13h.
func hm(d time.Duration) string {
	s := strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
	if strings.HasSuffix(s, "h0m") {
		return strings.TrimSuffix(s, "0m")
	}
	return s
}
