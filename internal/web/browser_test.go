package web_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/flexcharge/flexrecon/internal/store"
)

const chromiumPath = "/usr/bin/chromium"

var yes = true

// browserContext starts headless Chromium. CI installs it, so there a
// missing browser fails the test; elsewhere it skips.
func browserContext(t *testing.T) context.Context {
	t.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and %s is missing: %v", chromiumPath, err)
		}
		t.Skipf("no %s: %v", chromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath), chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// TestBrowserOpsRunsAndDownloads signs in as ops in a real browser, starts
// a run from the form, waits for it on the runs page and downloads the workbook.
func TestBrowserOpsRunsAndDownloads(t *testing.T) {
	ctx := browserContext(t)
	f := newFixture(t, false)
	downloads := t.TempDir()
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	succeeded := chromedp.CSS(`tr.run[data-status="succeeded"] a.workbook`)
	err := chromedp.Do(ctx,
		chromedp.Navigate(f.srv.URL+"/"),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: &yes})
			return err
		}),
		signIn("oscar"),
		chromedp.WaitVisible(chromedp.CSS(`#start-run`)),
		chromedp.SetValue(chromedp.CSS(`#from`), f.plan.From),
		chromedp.SetValue(chromedp.CSS(`#to`), f.plan.To),
		chromedp.Click(chromedp.CSS(`#start`)),
		chromedp.WaitVisible(succeeded), // the list refreshes itself while a run is running
		chromedp.Click(succeeded),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	var guid string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("waiting for the download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			guid = ev.GUID
			break
		}
	}
	b, err := os.ReadFile(filepath.Join(downloads, guid))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("PK")) || len(b) < 1000 {
		t.Errorf("downloaded workbook: got %d bytes starting %q, want an xlsx (zip)", len(b), b[:min(len(b), 4)])
	}
}

// signIn fills in the sign-in page the browser is on as name.
func signIn(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		return chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.CSS(`#name`)),
			chromedp.SendKeys(chromedp.CSS(`#name`), name),
			chromedp.SendKeys(chromedp.CSS(`#password`), password),
			chromedp.Click(chromedp.CSS(`#signin`)),
		)
	})
}

// TestBrowserPagesFollowARun: while a run is under way, the runs list
// refreshes itself without emptying the start form ops is filling in (the
// whole page's reload did, every two seconds), and a running run's own page
// refreshes itself until the run ends, to show how it ended.
func TestBrowserPagesFollowARun(t *testing.T) {
	ctx := browserContext(t)
	f := newFixture(t, false)
	first := runningRun(t, f)
	err := chromedp.Do(ctx,
		chromedp.Navigate(f.srv.URL+"/"),
		signIn("oscar"),
		chromedp.WaitVisible(chromedp.CSS(`p.busy`)),
		chromedp.SendKeys(chromedp.CSS(`#merchant`), "M00"),
		chromedp.Sleep(5*time.Second), // two of the list's refreshes
	)
	typed := ""
	if err == nil {
		typed, err = chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#merchant`)))
	}
	if err != nil || typed != "M00" {
		t.Fatalf("runs page while run %d runs: the merchant typed in is %q after 5 s (%v), want M00 kept", first.ID, typed, err)
	}
	failRun(t, f, first)
	wait, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	err = chromedp.Do(wait, chromedp.WaitVisible(chromedp.CSS(`tr.run[data-status="failed"]`)), chromedp.WaitNotPresent(chromedp.CSS(`p.busy`)))
	if err == nil {
		typed, err = chromedp.Run(wait, chromedp.Value(chromedp.CSS(`#merchant`)))
	}
	if err != nil || typed != "M00" {
		t.Errorf("runs page once run %d failed: %v, merchant %q; want the run listed as failed and the form kept", first.ID, err, typed)
	}
	second := runningRun(t, f)
	if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/runs/%d", f.srv.URL, second.ID)), chromedp.WaitVisible(chromedp.CSS(`h1`))); err != nil {
		t.Fatal(err)
	}
	failRun(t, f, second)
	wait, cancel = context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(wait, chromedp.WaitVisible(chromedp.CSS(`p[role="alert"]`))); err != nil {
		t.Errorf("run %d's page, open while it ran: its failure not shown within 15 s of it (%v)", second.ID, err)
	}
}

// TestBrowserRunsListRidesOutAnError: the runs list's refresh answered an
// error a moment (a proxy's 502 while the service restarts) keeps the page,
// the start form as ops filled it in, and refreshing: it loaded the error
// page whole, which lost the form and refreshed no more.
func TestBrowserRunsListRidesOutAnError(t *testing.T) {
	ctx := browserContext(t)
	f := newFixture(t, false)
	proxy := newOutageProxy(t, f, "/")
	run := runningRun(t, f)
	err := chromedp.Do(ctx,
		chromedp.Navigate(proxy.URL+"/"),
		signIn("oscar"),
		chromedp.WaitVisible(chromedp.CSS(`p.busy`)),
		chromedp.SendKeys(chromedp.CSS(`#merchant`), "M00"),
	)
	if err != nil {
		t.Fatal(err)
	}
	proxy.outage()
	failRun(t, f, run)
	wait, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	typed := ""
	err = chromedp.Do(wait, chromedp.WaitVisible(chromedp.CSS(`tr.run[data-status="failed"]`)))
	if err == nil {
		typed, err = chromedp.Run(wait, chromedp.Value(chromedp.CSS(`#merchant`)))
	}
	if err != nil || typed != "M00" {
		t.Errorf("runs page whose refresh was answered 502: %v, merchant %q; want run %d listed as failed and the form kept", err, typed, run.ID)
	}
}

// TestBrowserRunPageRidesOutAnError: a running run's page whose reload is
// answered an error a moment (a proxy's 502 while the service restarts)
// goes on following the run and shows how it ended: it reloaded itself
// whole, so stayed on the error page and followed the run no more.
func TestBrowserRunPageRidesOutAnError(t *testing.T) {
	ctx := browserContext(t)
	f := newFixture(t, false)
	run := runningRun(t, f)
	page := fmt.Sprintf("/runs/%d", run.ID)
	proxy := newOutageProxy(t, f, page)
	err := chromedp.Do(ctx,
		chromedp.Navigate(proxy.URL+page),
		signIn("oscar"),
		chromedp.WaitVisible(chromedp.CSS(`p.busy`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	proxy.outage()
	failRun(t, f, run)
	wait, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(wait, chromedp.WaitVisible(chromedp.CSS(`p[role="alert"]`))); err != nil {
		t.Errorf("run %d's page whose reload was answered 502: its failure not shown within 15 s of it (%v)", run.ID, err)
	}
}

// runningRun is a run under way, as the pages show one.
func runningRun(t *testing.T, f *fixture) store.Run {
	t.Helper()
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	run, err := f.env.DB.StartRun(t.Context(), store.Run{Kind: "adhoc", WindowFrom: day, WindowTo: day, AsOf: day,
		QueuedAt: time.Now().UTC(), ConfigHash: "x", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// failRun ends run, failed.
func failRun(t *testing.T, f *fixture, run store.Run) {
	t.Helper()
	if err := f.env.DB.FinishRun(t.Context(), run.ID, time.Now().UTC(), errors.New("run: push: FlexCharge answered 503")); err != nil {
		t.Fatal(err)
	}
}

// outageProxy serves f's pages through a proxy that, during an outage,
// answers one path 502, as a proxy does while the service restarts, and
// once the path is gone, 404.
type outageProxy struct {
	*httptest.Server
	failing atomic.Bool
	failed  chan struct{} // the path was answered 502 or 404
	gone    atomic.Bool
	asked   atomic.Int64 // times the path was asked for since it went
}

func newOutageProxy(t *testing.T, f *fixture, path string) *outageProxy {
	p := &outageProxy{failed: make(chan struct{}, 1)}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.gone.Load() && r.URL.Path == path {
			p.asked.Add(1)
			http.NotFound(w, r)
			select {
			case p.failed <- struct{}{}:
			default:
			}
			return
		}
		if p.failing.Load() && r.URL.Path == path {
			http.Error(w, "bad gateway", http.StatusBadGateway)
			select {
			case p.failed <- struct{}{}:
			default:
			}
			return
		}
		f.web.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

// outage lasts until the page has asked for its path and been answered 502
// once: a sleep, on a loaded machine, may have seen no request, and tested
// nothing.
func (p *outageProxy) outage() {
	p.failing.Store(true)
	<-p.failed
	p.failing.Store(false)
}

// TestBrowserPagesSayWhenTheirRunIsGone: a page following a run (the run's,
// the runs list) whose refresh is answered 404 stops and says so: it tried
// every 2 s forever, still saying it refreshed itself.
func TestBrowserPagesSayWhenTheirRunIsGone(t *testing.T) {
	ctx := browserContext(t)
	f := newFixture(t, false)
	run := runningRun(t, f)
	for i, page := range []string{fmt.Sprintf("/runs/%d", run.ID), "/"} {
		proxy := newOutageProxy(t, f, page)
		err := chromedp.Do(ctx, chromedp.Navigate(proxy.URL+page))
		if i == 0 { // the session's cookie is the host's, whatever the proxy's port
			err = errors.Join(err, chromedp.Do(ctx, signIn("oscar")))
		}
		if err == nil {
			err = chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`p.busy`)))
		}
		if err != nil {
			t.Fatal(err)
		}
		proxy.gone.Store(true)
		<-proxy.failed
		wait, cancel := context.WithTimeout(ctx, 15*time.Second)
		var said string
		err = chromedp.Do(wait, chromedp.WaitVisible(chromedp.CSS(`#gone[role="alert"]`)))
		if err == nil {
			said, err = chromedp.Run(wait, chromedp.Text(chromedp.CSS(`#gone`)))
		}
		cancel()
		if err != nil {
			t.Errorf("%s answered 404 when it refreshed: no notice it is gone within 15 s (%v)", page, err)
			continue
		}
		time.Sleep(5 * time.Second) // two refreshes' time
		if n := proxy.asked.Load(); n != 1 {
			t.Errorf("%s answered 404 (%q): asked for %d times since, want once and no more", page, said, n)
		}
	}
}
