package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/recon"
	"github.com/flexcharge/flexrecon/internal/store"
)

// pushBatch bounds how many transmits share one commit, and so how many a
// crash can leave in doubt: at most one batch, 128 transactions, which the
// next runs list as push_in_doubt and do not send again (/transmit has no
// idempotency key to settle them by: a resend may be a second copy). A
// batch's DuckDB work costs milliseconds almost whatever its size: at 32 it
// took about 10 ms, 300 µs a send, several times the call itself
// (BenchmarkPush, 14k sends: 9.1 s at 32, 2.3 s at 128).
const pushBatch = 128

// push transmits what FlexCharge never received, each transaction at most
// once: a batch's intents are stored before any of its calls and the keys
// after them, so a crash or a stop in between leaves intents the next runs
// find and list as in doubt, and do not send again (see push-candidates).
func push(ctx context.Context, r *run) (int64, string, error) {
	cands, err := r.env.DB.PushCandidates(ctx, r.id)
	if err != nil {
		return 0, "", err
	}
	cands, held := r.holdDoubts(cands)
	local, send, sendCands := r.sort(cands)
	counts := map[string]int{}
	// What is decided without calling FlexCharge is written in large chunks;
	// only calls need the small batches that bound doubt after a crash.
	for start := 0; start < len(local); start += localBatch {
		if err := r.record(ctx, local[start:min(start+localBatch, len(local))], nil, counts); err != nil {
			return 0, "", err
		}
	}
	if err := r.pushAll(ctx, sendCands, send, counts); err != nil {
		return 0, "", err
	}
	if err := r.env.DB.ApplyPushes(ctx, r.id); err != nil {
		return 0, "", err
	}
	listed, err := r.env.DB.DoubtsListedBefore(ctx, r.id)
	if err != nil {
		return 0, "", err
	}
	detail := fmt.Sprintf("%d pushed, %d failed, %d too old", counts["pushed"], counts["failed"], counts["too_old"])
	if held > 0 {
		detail += fmt.Sprintf(", %d in doubt not sent again (--resend-in-doubt)", held)
	}
	if listed > 0 {
		detail += fmt.Sprintf(", %d in doubt listed by an earlier run", listed)
	}
	if r.req.DryRun {
		detail += fmt.Sprintf(", %d would push (dry run)", counts["would_push"])
	}
	return int64(len(cands)), detail, nil
}

// holdDoubts leaves out the candidates FlexCharge may hold already (in
// doubt), unless ops asked to resend them, and counts them: a resend may be
// a second copy, and /transmit has no idempotency key to settle it by.
func (r *run) holdDoubts(cands []store.PushCandidate) (kept []store.PushCandidate, held int) {
	if r.req.ResendInDoubt {
		return cands, 0
	}
	for _, c := range cands {
		if !c.InDoubt {
			kept = append(kept, c)
		}
	}
	return kept, len(cands) - len(kept)
}

// pushAll transmits in batches. Each commit holds the answers of one batch
// and the intents of the next, so a batch's intents are durable before its
// calls, its answers after them, and only the batch whose calls are under
// way is ever unanswered.
func (r *run) pushAll(ctx context.Context, cands []store.PushCandidate, recs []store.PushRecord, counts map[string]int) error {
	bar := r.progress(len(recs))
	defer bar.Finish()
	var answered []store.PushRecord
	for start := 0; start < len(recs); start += pushBatch {
		end := min(start+pushBatch, len(recs))
		// A stop between batches still stores the last batch's answers,
		// and then sends nothing more.
		if err := ctx.Err(); err != nil {
			return errors.Join(err, r.record(context.WithoutCancel(ctx), answered, nil, counts))
		}
		if err := r.record(context.WithoutCancel(ctx), answered, recs[start:end], counts); err != nil {
			return err
		}
		r.transmitAll(ctx, cands[start:end], recs[start:end])
		if err := ctx.Err(); err != nil {
			// The keys FlexCharge returned before the stop are kept, and so
			// are the calls it caught before they left, as retryable
			// failures; the calls it cut short stay intents, which the
			// next run settles.
			return errors.Join(err, r.record(context.WithoutCancel(ctx), answeredOnly(recs[start:end]), nil, counts))
		}
		answered = recs[start:end]
		bar.Add(end - start)
	}
	// The last batch's keys are stored even if a stop comes now, as every
	// batch's are: lost, they would be sent again and listed in doubt.
	return r.record(context.WithoutCancel(ctx), answered, nil, counts)
}

// answeredOnly are the records with an outcome: their call got an answer,
// or a stop caught it before it left (transmit). The others stay intents.
func answeredOnly(recs []store.PushRecord) []store.PushRecord {
	var out []store.PushRecord
	for _, rec := range recs {
		if rec.Outcome != "" {
			out = append(out, rec)
		}
	}
	return out
}

// record counts and stores outcomes, and stores the intents of the batch
// about to be sent, in one commit.
func (r *run) record(ctx context.Context, outcomes, intents []store.PushRecord, counts map[string]int) error {
	for _, rec := range outcomes {
		counts[rec.Outcome]++
	}
	return r.env.DB.RecordPushes(ctx, outcomes, intents)
}

// localBatch is how many decided-without-a-call records share a write.
const localBatch = 10_000

// sort splits candidates into those decided here (dry run, too old, no
// credentials) and those to transmit, with their records.
func (r *run) sort(cands []store.PushCandidate) (local, send []store.PushRecord, sendCands []store.PushCandidate) {
	for _, c := range cands {
		rec := r.decide(c)
		if rec.Outcome == "" {
			send, sendCands = append(send, rec), append(sendCands, c)
			continue
		}
		local = append(local, rec)
	}
	return local, send, sendCands
}

// decide says what happens to a candidate without calling FlexCharge; an
// empty Outcome means it must be transmitted.
func (r *run) decide(c store.PushCandidate) store.PushRecord {
	rec := store.PushRecord{RunID: r.id, Merchant: c.Merchant, TransactionID: c.TransactionID,
		Env: c.Environment, MID: c.MID, InDoubt: c.InDoubt, At: time.Now().UTC(), RunClock: r.req.AsOf}
	// Too old and no credentials come before the dry run: a dry run lists
	// what the same run would do, and that run would leave these unsent.
	_, cr, noClient := r.clientFor(c)
	switch {
	case !r.req.Backfill && c.ProcessedAt.Before(r.req.AsOf.Add(-r.env.Push.MaxAge)):
		rec.Outcome, rec.Error = "too_old", fmt.Sprintf("processed more than %s before the run; push with --backfill", r.env.Push.MaxAge)
	case noClient != nil:
		rec.Outcome, rec.Error = "failed", noClient.Error()
	default:
		rec.MID = cr.MID // the copy goes under its credentials' mid (see transmitRequest)
		if r.req.DryRun {
			rec.Outcome = "would_push"
		}
	}
	rec.Local = rec.Outcome != ""
	return rec
}

// transmitAll sends the batch concurrently and fills each record's outcome.
func (r *run) transmitAll(ctx context.Context, cands []store.PushCandidate, recs []store.PushRecord) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, r.env.Push.Concurrency))
	for i := range cands {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			r.transmit(ctx, cands[i], &recs[i])
		}()
	}
	wg.Wait()
}

func (r *run) transmit(ctx context.Context, c store.PushCandidate, rec *store.PushRecord) {
	client, cr, _ := r.clientFor(c)
	key, err := client.Transmit(ctx, cr, transmitRequest(c, cr.MID, r.env.Location))
	rec.At = time.Now().UTC()
	if errors.Is(err, flexcharge.ErrMaybeTwice) {
		rec.InDoubt, err = true, nil // pushed, and listed: there may be two copies
	}
	if errors.Is(err, flexcharge.ErrMaybeSent) {
		rec.InDoubt = true // failed, and listed: FlexCharge may hold a copy, and a resend would be a second
	}
	stopped := err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err())
	if stopped && errors.Is(err, flexcharge.ErrMaybeSent) {
		return // no answer: the run stopped under the call, which stays an intent (in doubt)
	}
	if stopped {
		// The stop came before FlexCharge took any attempt (it waited for
		// its turn, most of a batch does): a later run sends it, and nothing
		// of it is in doubt that was not already.
		rec.Outcome, rec.Error, rec.Retryable = "failed", "the run stopped before FlexCharge took it", true
		return
	}
	if err != nil {
		rec.Outcome, rec.Error, rec.Retryable = "failed", err.Error(), !flexcharge.Permanent(err)
		return
	}
	rec.Outcome, rec.Key = "pushed", key
}

func (r *run) clientFor(c store.PushCandidate) (*flexcharge.Client, flexcharge.Credentials, error) {
	env := recon.Environment(c.Environment)
	for _, m := range r.env.Merchants {
		if cr, ok := m.Credentials[env]; ok && m.ID == c.Merchant {
			if client := r.env.Clients[env]; client != nil {
				return client, cr, nil
			}
		}
	}
	return nil, flexcharge.Credentials{}, fmt.Errorf("no %s credentials or endpoint for merchant %s", env, c.Merchant)
}

// transmitRequest is the copy of c sent under mid, the mid of the
// credentials it is sent with: the environment c's profile was on in, which
// is not always the one of the mid its ledger row gives (a production mid on
// a row whose profile was in sandbox), and FlexCharge refuses another
// merchant's mid. Anything but an approval is a copy of a declined
// attempt: only approved, declined and error rows are pushed (classify.sql),
// and an error is an attempt that failed.
func transmitRequest(c store.PushCandidate, mid string, loc *time.Location) flexcharge.TransmitRequest {
	_, offset := c.ProcessedAt.In(loc).Zone()
	return flexcharge.TransmitRequest{
		OrderID: c.OrderID, IsDeclined: c.Status != "approved", IsMIT: c.Profile == string(recon.MIT),
		IsRecurring: c.IsRecurring, OrderSource: orderSource[recon.Profile(c.Profile)], MID: mid,
		SiteID: c.SiteID, SiteURL: c.SiteURL,
		Transaction: flexcharge.TransmitTransaction{
			ID: c.TransactionID, TimestampUTC: c.ProcessedAt.UTC(), TimezoneUTCOffset: offset / 60,
			Amount: c.Amount, Currency: c.Currency, ResponseCode: c.ResponseCode,
			ResponseCodeSource: c.ResponseCodeSource, DynamicDescriptor: c.Descriptor,
		},
		PaymentMethod: flexcharge.TransmitPaymentMethod{CardBinNumber: c.CardBIN, CardLast4Digits: c.CardLast4},
		Merchant:      flexcharge.TransmitMerchant{ID: c.Merchant, Name: c.MerchantName},
	}
}

// orderSource maps a profile to /transmit's orderSource; the values are
// assumed by the contract, so they live here and nowhere else.
var orderSource = map[recon.Profile]string{
	recon.CITWeb: "ecommerce", recon.CITCallCenter: "callcenter", recon.MIT: "recurring",
}

// progress shows a bar on a terminal and nothing elsewhere.
func (r *run) progress(n int) *progressbar.ProgressBar {
	if !r.env.Progress || n == 0 {
		return progressbar.DefaultSilent(int64(n))
	}
	return progressbar.NewOptions(n, progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription("push"), progressbar.OptionShowCount())
}
