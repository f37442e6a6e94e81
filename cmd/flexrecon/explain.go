package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/flexcharge/flexrecon/internal/config"
	"github.com/flexcharge/flexrecon/internal/recon"
	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/jobs"
)

// explain prints what flexrecon knows about one transaction or order and
// why each of its categories was chosen, for ops answering "why is this here?".
func (m *Main) explain(ctx context.Context, args []string) error {
	fs := m.flags("explain", "--config F (--transaction ID | --order ID) [--run N]")
	cfgPath := fs.String("config", "", "configuration file")
	var q store.ExplainQuery
	fs.StringVar(&q.TransactionID, "transaction", "", "gateway transaction id (a ledger row's, or the attempt a FlexCharge order names)")
	fs.StringVar(&q.OrderID, "order", "", "merchant order id (a ledger row's, or a FlexCharge order's externalOrderId) or FlexCharge order id")
	fs.Int64Var(&q.RunID, "run", 0, "the run whose verdicts to explain (default: the latest succeeded run that judged it)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if (q.TransactionID == "") == (q.OrderID == "") {
		return errors.New("give one of --transaction and --order")
	}
	e, loc, err := m.explanation(ctx, *cfgPath, q)
	if err != nil {
		return err
	}
	if !e.Found() {
		return q.NotFound()
	}
	writeExplanation(m.Stdout, e, loc)
	return nil
}

// explanation is q explained from the database, or by the running service
// when it holds the database, with the partner's zone its times are shown in.
func (m *Main) explanation(ctx context.Context, cfgPath string, q store.ExplainQuery) (e store.Explanation, loc *time.Location, err error) {
	err = m.withDatabase(ctx, cfgPath, func(env *jobs.Env) error {
		loc = env.Location
		e, err = env.DB.Explain(ctx, q)
		return err
	}, func(cfg *config.Config, busy error) error {
		loc = cfg.Location
		v := url.Values{"transaction": {q.TransactionID}, "order": {q.OrderID}, "run": {fmt.Sprint(q.RunID)}}
		if q.RunID == 0 {
			v.Del("run")
		}
		return askService(ctx, cfg, "/api/explain?"+v.Encode(), &e, busy)
	})
	return e, loc, err
}

// writeExplanation renders an explanation as plain text.
func writeExplanation(w io.Writer, e store.Explanation, loc *time.Location) {
	writeLedger(w, e.Ledger, loc)
	writeOrders(w, e.Orders, loc)
	writeOutbox(w, e.Transmits, loc)
	writeSwitches(w, e.Switches, loc)
	writeVerdicts(w, e, loc)
}

func writeLedger(w io.Writer, rows []store.LedgerRow, loc *time.Location) {
	fmt.Fprintf(w, "Ledger rows (%d):\n", len(rows))
	for _, r := range rows {
		file := fmt.Sprintf("file %d", r.FileID)
		if r.FileName != nil {
			file = *r.FileName
		}
		fmt.Fprintf(w, "  %s #%d  merchant %s order %s  %s  %s %s  %s  site %q descriptor %q campaign %q  %s  transmit key %s  (%s line %d)\n",
			r.TransactionID, r.Occurrence, r.Merchant, r.OrderID, ts(r.ProcessedAt, loc), r.Status,
			recon.Money{Minor: r.Amount, Currency: r.Currency}, r.Profile, r.SiteURL, r.Descriptor, r.CampaignID,
			r.Environment, orNone(r.TransmitKey), file, r.Line)
	}
}

func writeOrders(w io.Writer, orders []store.ExplainedOrder, loc *time.Location) {
	fmt.Fprintf(w, "\nFlexCharge orders (%d):\n", len(orders))
	for _, o := range orders {
		fmt.Fprintf(w, "  %s %s  externalOrderId %s transactionId %s  %s(%d)  %s  mit=%s source %q site %q descriptor %q  created %s expiry %s\n",
			o.Environment, o.ID, o.ExternalOrderID, orNone(o.TransactionID), o.StatusName, o.Status,
			orderAmount(o), orUnknown(o.IsMIT), o.OrderSource, o.SiteID, o.Descriptor, created(o.CreatedOn, loc), tsOr(o.ExpiryAt, "none", loc))
	}
}

// created is when an order was made, or says FlexCharge gave no date
// (stored as year 1, which read as a date).
func created(t time.Time, loc *time.Location) string {
	if store.Undated(t) {
		return "unknown"
	}
	return ts(t, loc)
}

// orderAmount is an order's amount, or says FlexCharge did not give one.
func orderAmount(o store.ExplainedOrder) string {
	if o.Amount == nil {
		return "amount unknown"
	}
	return recon.Money{Minor: *o.Amount, Currency: o.Currency}.String()
}

func orUnknown[T any](p *T) string {
	if p == nil {
		return "unknown"
	}
	return fmt.Sprint(*p)
}

func writeOutbox(w io.Writer, rows []store.OutboxRow, loc *time.Location) {
	fmt.Fprintf(w, "\nTransmit outbox (%d):\n", len(rows))
	for _, x := range rows {
		fmt.Fprintf(w, "  %s  %s mid %s  %s key %s  intent %s done %s  run %d  in doubt %t %s\n",
			x.TransactionID, x.Environment, x.MID, x.State, orNone(x.Key), ts(x.IntentAt, loc), tsOr(x.DoneAt, "no answer yet", loc), x.RunID, x.InDoubt, x.Error)
	}
}

func writeSwitches(w io.Writer, sws []store.SwitchInForce, loc *time.Location) {
	fmt.Fprintf(w, "\nSwitches in force when processed, or for an order when it was made (most specific scope wins: campaign, then site, then merchant; within a scope the latest effective at or before then):\n")
	if len(sws) == 0 {
		fmt.Fprintln(w, "  none: every profile is off until a switch turns it on")
	}
	for _, s := range sws {
		mark := "   "
		if s.Won {
			mark = "won"
		}
		fmt.Fprintf(w, "  %s %s: switch #%d %s %s → %s, effective %s, by %s (%s): %s\n",
			mark, switchSubject(s, loc), s.ID, scopeText(s.Scope, s.ScopeValue), s.Profile,
			s.State, ts(s.EffectiveAt, loc), s.Actor, s.Origin, s.Reason)
	}
}

// switchSubject names what a switch judged: a ledger row when processed, or
// an order when made.
func switchSubject(s store.SwitchInForce, loc *time.Location) string {
	if s.FCOrderID != "" {
		return fmt.Sprintf("order %s created %s", s.FCOrderID, ts(s.ProcessedAt, loc))
	}
	return fmt.Sprintf("%s #%d processed %s", s.TransactionID, s.Occurrence, ts(s.ProcessedAt, loc))
}

func writeVerdicts(w io.Writer, e store.Explanation, loc *time.Location) {
	if e.RunID == 0 {
		fmt.Fprintln(w, "\nNo run has judged it yet.")
		return
	}
	fmt.Fprintf(w, "\nVerdicts of run %d:\n", e.RunID)
	if len(e.Results) == 0 && len(e.Findings) == 0 {
		// A run asked for by --run that did not judge it: nothing under
		// the heading read as a run that found nothing wrong.
		fmt.Fprintf(w, "  none: run %d did not judge it (its window or merchant does not hold it, or it failed before judging)\n", e.RunID)
	}
	for _, r := range e.Results {
		fmt.Fprintf(w, "  %s #%d (%s, %s, switch %s):\n", r.TransactionID, r.Occurrence, r.Status, r.Profile, r.SwitchState)
		fmt.Fprintf(w, "    transmit %s: %s\n", r.TransmitState, whyTransmit(r, loc))
		if r.OutcomeState != "" {
			fmt.Fprintf(w, "    outcome %s: %s\n", r.OutcomeState, whyOutcome(r, len(e.Orders)))
		} else {
			fmt.Fprintf(w, "    no outcome: %s\n", whyNoOutcome(r))
		}
	}
	for _, f := range e.Findings {
		fmt.Fprintf(w, "  finding %s on %s%s: %s\n", f.Category, orNone(f.TransactionID), orderOf(f.FCOrderID), findingText(f))
		if f.Category == "orphan_order" {
			fmt.Fprintf(w, "    an orphan because %s\n", whyOrphan(f, e, loc))
		}
	}
}
