package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/internal/web"
	"github.com/flexcharge/flexrecon/jobs"
)

// startFormToken is the one-time token of the start form on the runs page.
func startFormToken(t *testing.T, f *fixture, c *http.Client) string {
	t.Helper()
	_, page := get(t, c, f.srv.URL+"/")
	_, rest, ok := strings.Cut(page, `name="once" value="`)
	tok, _, _ := strings.Cut(rest, `"`)
	if !ok || tok == "" {
		t.Fatalf("runs page: no start form token in:\n%.2000s", page)
	}
	return tok
}

// failingQueue stands in front of a chain whose database fails: queuing a
// run waits for release, then fails.
type failingQueue struct {
	web.Chain
	tries   atomic.Int32
	queuing chan struct{} // closed as the first try begins
	release chan struct{}
}

func (q *failingQueue) Queue(context.Context, jobs.Request) (store.Run, error) {
	if q.tries.Add(1) == 1 {
		close(q.queuing)
	}
	<-q.release
	return store.Run{}, errors.New("queue run: database is locked")
}

// TestStartFormSentTwiceShowsTheFailure: a double click's second
// submission waits for the first, and answers the first's failure to start
// its run, which is what the browser shows: it was sent to the runs list at
// once, where no run had started, and the failure went unseen.
func TestStartFormSentTwiceShowsTheFailure(t *testing.T) {
	f := newFixture(t, false)
	q := &failingQueue{Chain: f.env, queuing: make(chan struct{}), release: make(chan struct{})}
	f.chain = q
	f.start(t, false)
	c := f.login(t, "oscar")
	form := url.Values{"from": {f.plan.To}, "dry_run": {"1"}, "once": {startFormToken(t, f, c)}}
	codes := make([]int, 2)
	post := func(i int) {
		res, err := c.PostForm(f.srv.URL+"/runs", form)
		if err != nil {
			t.Error(err)
			return
		}
		res.Body.Close()
		codes[i] = res.StatusCode
	}
	var wg sync.WaitGroup
	wg.Go(func() { post(0) })
	<-q.queuing
	wg.Go(func() { post(1) })
	time.Sleep(time.Second) // the second arrives while the first is starting its run
	close(q.release)
	wg.Wait()
	if codes[0] != http.StatusInternalServerError || codes[1] != http.StatusInternalServerError || q.tries.Load() != 1 {
		t.Errorf("the start form sent twice, the first failing to queue its run: answered %v, %d tries to queue; want 500 twice and one try",
			codes, q.tries.Load())
	}
}
