package jobs

import (
	"context"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLineGoesInQueueOrder: however the runs in line come to wait for their
// turn (here the last queued first), their turns come in the order they
// joined the line; one that gives up waiting leaves it without holding up
// the runs behind it, also when its turn comes as it gives up.
func TestLineGoesInQueueOrder(t *testing.T) {
	const n = 8
	stopped, stop := context.WithCancel(t.Context())
	stop()
	for round := range 100 {
		var l line
		for id := int64(1); id <= n; id++ {
			l.join(func() (int64, error) { return id, nil })
		}
		gaveUp := int64(2 + round%(n-1))
		var got, want []int64
		var wg sync.WaitGroup
		for id := int64(n); id > 1; id-- {
			ctx := t.Context()
			if id == gaveUp {
				ctx = stopped
			}
			wg.Go(func() {
				defer l.leave(id)
				if l.wait(ctx, id) == nil {
					got = append(got, id) // only the run whose turn it is appends
				}
			})
			if id != gaveUp {
				want = append([]int64{id}, want...)
			}
		}
		l.leave(1) // the run under way ends
		wg.Wait()
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("round %d, run %d giving up: turns (-want +got):\n%s", round, gaveUp, diff)
		}
	}
}
