package flexcharge

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// Against a sandbox answering 20% of requests with 5xx, bursts of 429 and 5%
// dropped connections, every transmit ends with a key and is delivered
// exactly once: the sandbox injects faults before handling a request, so a
// faulted attempt never counts (see Faults).
func TestTransmitsSurviveFaultySandbox(t *testing.T) {
	e := startSandbox(t, testSeed(), SandboxOptions{RandSeed: 42,
		Faults: Faults{ErrorRate: 0.2, Burst429: 40, DropRate: 0.05}})
	opts := fastOptions()
	opts.MaxRetries = 12
	c := NewClient(e.url(EnvSandbox), opts)
	const n = 300
	txs := make([]TransmitRequest, n)
	keys := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range txs {
		cr := credA
		if i%2 == 1 {
			cr = credB
		}
		txs[i] = validTransmit(cr)
		wg.Go(func() { keys[i], errs[i] = c.Transmit(context.Background(), cr, txs[i]) })
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, tx := range txs {
		// This sandbox drops a connection before handling it, so a lost
		// answer never left a copy; the client cannot know that.
		if errs[i] != nil && !errors.Is(errs[i], ErrMaybeTwice) || keys[i] == "" || seen[keys[i]] {
			t.Errorf("transmit %s: key %q, err %v; want a fresh key", tx.Transaction.ID, keys[i], errs[i])
		}
		seen[keys[i]] = true
		if got := e.sb.Deliveries(EnvSandbox, tx.MID, tx.Transaction.ID); got != 1 {
			t.Errorf("transmit %s delivered %d times, want 1", tx.Transaction.ID, got)
		}
	}
	if total := e.req.count("/sandbox/v1/transmit"); total <= n {
		t.Errorf("transmit requests = %d for %d transmits; the faults did not bite", total, n)
	}
}
