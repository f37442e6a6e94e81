package web_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
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
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "oscar"),
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.Click(chromedp.CSS(`#signin`)),
		chromedp.WaitVisible(chromedp.CSS(`#start-run`)),
		chromedp.SetValue(chromedp.CSS(`#from`), f.plan.From),
		chromedp.SetValue(chromedp.CSS(`#to`), f.plan.To),
		chromedp.Click(chromedp.CSS(`#start`)),
		chromedp.WaitVisible(succeeded), // the page reloads itself while a run is running
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
