package web_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
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
	waitForWaitingForm(t) // the second arrives while the first is starting its run
	close(q.release)
	wg.Wait()
	if codes[0] != http.StatusInternalServerError || codes[1] != http.StatusInternalServerError || q.tries.Load() != 1 {
		t.Errorf("the start form sent twice, the first failing to queue its run: answered %v, %d tries to queue; want 500 twice and one try",
			codes, q.tries.Load())
	}
}

// waitForWaitingForm waits until a start form's submission waits for
// another's, as the stacks of the server's goroutines (in this process)
// show: a sleep only guessed that the second had come by then, and on a
// loaded machine it came after the first had given the form back, and
// started its own run.
func waitForWaitingForm(t *testing.T) {
	t.Helper()
	buf := make([]byte, 1<<20)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		n := runtime.Stack(buf, true)
		if n == len(buf) {
			buf = make([]byte, 2*len(buf))
			continue
		}
		for _, g := range strings.Split(string(buf[:n]), "\n\n") {
			if head, _, _ := strings.Cut(g, "\n"); strings.Contains(head, "[select") &&
				strings.Contains(g, "internal/web.(*formTokens).once(") {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no start form waits for another after a minute; the goroutines:\n%s", buf[:n])
		}
	}
}

// lockedBuffer is a buffer written by the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestStartFormSentAgainAndLeftIsQuiet: a form sent again whose browser
// goes away while it waits for the first (a third click leaves the second)
// logs no error: nothing failed, and no one is left to answer. It logged
// "request failed" at error level, an alert for ops, on every triple click.
func TestStartFormSentAgainAndLeftIsQuiet(t *testing.T) {
	f := newFixture(t, false)
	q := &failingQueue{Chain: f.env, queuing: make(chan struct{}), release: make(chan struct{})}
	f.chain = q
	var logs lockedBuffer
	f.log = &logs
	f.start(t, false)
	c := f.login(t, "oscar")
	// The second goes through a stand-in that says when the service has
	// answered it, its browser gone.
	left := make(chan struct{})
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.web.ServeHTTP(w, r)
		if r.Method == http.MethodPost && r.Context().Err() != nil {
			close(left)
		}
	}))
	defer proxy.Close()
	form := url.Values{"from": {f.plan.To}, "dry_run": {"1"}, "once": {startFormToken(t, f, c)}}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(q.release)
	wg.Go(func() {
		if res, err := c.PostForm(f.srv.URL+"/runs", form); err == nil {
			res.Body.Close()
		}
	})
	<-q.queuing
	ctx, leave := context.WithCancel(t.Context())
	wg.Go(func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, proxy.URL+"/runs", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if res, err := c.Do(req); err == nil {
			res.Body.Close()
			t.Errorf("the form sent again, its browser gone: answered %s", res.Status)
		}
	})
	waitForWaitingForm(t)
	leave()
	<-left
	if logged := logs.String(); strings.Contains(logged, "level=ERROR") {
		t.Errorf("the form sent again, its browser gone as it waited: the service logged an error:\n%s", logged)
	}
}

// TestStartFormChangedFromHistoryStartsItsRun: the start form gone back to
// in the browser's history, changed and sent with its old token, starts its
// run (it went to the runs list, starting nothing and saying nothing); the
// form sent again unchanged starts none, and the list says which run it
// started.
func TestStartFormChangedFromHistoryStartsItsRun(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	once := startFormToken(t, f, c)
	post := func(from string) string {
		res, err := c.PostForm(f.srv.URL+"/runs", url.Values{"from": {from}, "dry_run": {"1"}, "once": {once}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("the start form from %s: got %s, want 303", from, res.Status)
		}
		return res.Header.Get("Location")
	}
	post(f.plan.To)
	post("2026-11-22") // the day before
	runs, err := f.env.DB.Runs(t.Context(), 10)
	if err != nil || len(runs) != 2 {
		t.Fatalf("the start form sent, then changed and sent with its token: %d runs (%v), want 2", len(runs), err)
	}
	first := runs[1].ID
	again := post(f.plan.To)
	if want := fmt.Sprintf("/?again=%d", first); again != want {
		t.Errorf("the first form sent again: sent to %q, want %q", again, want)
	}
	_, page := get(t, c, f.srv.URL+again)
	contains(t, "the runs list after a form sent again", page, fmt.Sprintf(`it started run <a href="/runs/%d">%d</a>`, first, first))
	if runs, err := f.env.DB.Runs(t.Context(), 10); err != nil || len(runs) != 2 {
		t.Errorf("after the first form sent again: %d runs (%v), want 2", len(runs), err)
	}
}

// TestRunsListNamesNoRunThatIsNot: the runs list at /?again=N, for a run N
// there is not (typed, a bookmark), says nothing of a form sent again: it
// said the form had started run N, a link to a page not found.
func TestRunsListNamesNoRunThatIsNot(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	_, page := get(t, c, f.srv.URL+"/?again=999")
	if strings.Contains(page, "That form was sent already") {
		t.Errorf("the runs list at /?again=999, no run 999: it says a form started run 999:\n%.2000s", page)
	}
}
