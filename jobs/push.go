package jobs

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/recon"
	"github.com/flexcharge/flexrecon/internal/store"
)

// push transmits what FlexCharge never received, each transaction at most
// once: the intent is stored before the call and the key after it, so a crash
// in between leaves an intent the next run finds and reports as in doubt.
func push(ctx context.Context, r *run) (int64, string, error) {
	cands, err := r.env.DB.PushCandidates(ctx, r.id)
	if err != nil {
		return 0, "", err
	}
	counts, err := r.pushAll(ctx, cands)
	if err != nil {
		return 0, "", err
	}
	if err := r.env.DB.ApplyPushes(ctx, r.id); err != nil {
		return 0, "", err
	}
	return int64(len(cands)), fmt.Sprintf("%d pushed, %d failed, %d too old, %d would push (dry run)",
		counts["pushed"], counts["failed"], counts["too_old"], counts["would_push"]), nil
}

func (r *run) pushAll(ctx context.Context, cands []store.PushCandidate) (map[string]int, error) {
	var (
		mu     sync.Mutex
		counts = map[string]int{}
		first  error
		wg     sync.WaitGroup
		sem    = make(chan struct{}, max(1, r.env.Push.Concurrency))
		bar    = r.progress(len(cands))
	)
	for _, c := range cands {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			outcome, err := r.pushOne(ctx, c)
			mu.Lock()
			defer mu.Unlock()
			counts[outcome]++
			bar.Add(1)
			if err != nil && first == nil {
				first = err
			}
		}()
	}
	wg.Wait()
	bar.Finish()
	if first == nil {
		first = ctx.Err()
	}
	return counts, first
}

// pushOne handles one candidate and returns its outcome. Only a failure to
// record is an error: FlexCharge refusing a transmit is an outcome.
func (r *run) pushOne(ctx context.Context, c store.PushCandidate) (string, error) {
	rec := store.PushRecord{RunID: r.id, Merchant: c.Merchant, TransactionID: c.TransactionID,
		Env: c.Environment, MID: c.MID, InDoubt: c.InDoubt, At: time.Now().UTC()}
	switch {
	case r.req.DryRun:
		rec.Outcome = "would_push"
	case !r.req.Backfill && c.ProcessedAt.Before(r.req.AsOf.Add(-r.env.Push.MaxAge)):
		rec.Outcome, rec.Error = "too_old", fmt.Sprintf("processed more than %s before the run; push with --backfill", r.env.Push.MaxAge)
	default:
		return r.transmit(ctx, c, rec)
	}
	return rec.Outcome, r.env.DB.RecordOutcome(ctx, rec)
}

func (r *run) transmit(ctx context.Context, c store.PushCandidate, rec store.PushRecord) (string, error) {
	client, cr, err := r.clientFor(c)
	if err != nil {
		rec.Outcome, rec.Error = "failed", err.Error()
		return rec.Outcome, r.env.DB.RecordOutcome(ctx, rec)
	}
	if err := r.env.DB.RecordIntent(ctx, rec); err != nil {
		return "", err
	}
	key, err := client.Transmit(ctx, cr, transmitRequest(c, r.env.Location))
	rec.At = time.Now().UTC()
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err() // the intent stays: the next run settles it
		}
		rec.Outcome, rec.Error, rec.Retryable = "failed", err.Error(), !flexcharge.Permanent(err)
	} else {
		rec.Outcome, rec.Key = "pushed", key
	}
	return rec.Outcome, r.env.DB.RecordOutcome(context.WithoutCancel(ctx), rec)
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

func transmitRequest(c store.PushCandidate, loc *time.Location) flexcharge.TransmitRequest {
	_, offset := c.ProcessedAt.In(loc).Zone()
	return flexcharge.TransmitRequest{
		OrderID: c.OrderID, IsDeclined: c.Status == "declined", IsMIT: c.Profile == string(recon.MIT),
		IsRecurring: c.IsRecurring, OrderSource: orderSource[recon.Profile(c.Profile)], MID: c.MID,
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
