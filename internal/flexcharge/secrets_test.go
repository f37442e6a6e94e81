package flexcharge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// lockedBuffer lets concurrent slog handlers share one buffer under -race.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestCredentialsNeverPrintSecrets(t *testing.T) {
	var logged lockedBuffer
	log := slog.New(slog.NewJSONHandler(&logged, nil))
	log.Info("creds", "cr", credA)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("creds", "cr", credA, "ptr", &credA)
	js, _ := json.Marshal(credA)
	outs := map[string]string{
		"%v": fmt.Sprintf("%v", credA), "%+v": fmt.Sprintf("%+v", credA), "%#v": fmt.Sprintf("%#v", credA),
		"%s": fmt.Sprintf("%s", credA), "%q": fmt.Sprintf("%q", credA), "ptr %+v": fmt.Sprintf("%+v", &credA),
		"in struct %+v": fmt.Sprintf("%+v", struct{ C Credentials }{credA}),
		"slog":          logged.String(), "json": string(js),
	}
	for how, out := range outs {
		if strings.Contains(out, credA.AppKey) || strings.Contains(out, credA.AppSecret) {
			t.Errorf("%s printed a secret: %s", how, out)
		}
		if !strings.Contains(out, credA.MID) {
			t.Errorf("%s lost the MID: %s", how, out)
		}
	}
}

func TestLogsAndErrorsNeverHoldSecretsOrTokens(t *testing.T) {
	e := startSandbox(t, testSeed(), SandboxOptions{RandSeed: 7, Faults: Faults{ErrorRate: 0.3, DropRate: 0.05}})
	var logged lockedBuffer
	opts := fastOptions()
	opts.Logger = slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.MaxRetries = 12
	c := NewClient(e.url(EnvSandbox), opts)
	var errs []string
	for range 30 {
		if _, err := c.Transmit(context.Background(), credA, validTransmit(credA)); err != nil {
			errs = append(errs, err.Error())
		}
	}
	bad := Credentials{MID: credA.MID, AppKey: credA.AppKey, AppSecret: "wrong-secret-xyz"}
	if _, err := c.Transmit(context.Background(), bad, validTransmit(credA)); err != nil {
		errs = append(errs, err.Error())
	}
	if _, err := c.Order(context.Background(), credA, "no-such-order"); err != nil {
		errs = append(errs, err.Error())
	}
	if !strings.Contains(logged.String(), "flexcharge retry") {
		t.Fatalf("no retries logged; the fault injection did not bite:\n%s", logged.String())
	}
	secrets := []string{credA.AppKey, credA.AppSecret, bad.AppSecret}
	for a := range e.req.auths {
		secrets = append(secrets, strings.TrimPrefix(a, "Bearer "))
	}
	haystack := logged.String() + strings.Join(errs, "\n")
	for _, s := range secrets {
		if strings.Contains(haystack, s) {
			t.Errorf("a secret or token (%.12s…) appears in logs or errors", s)
		}
	}
}

// TestRefusalQuotingTheCredentialsKeepsThemOut: a token refusal that
// quotes the AppKey and AppSecret it refused (as ASP.NET's "The value '…'
// is not valid" does), in JSON escaped as Go writes it, as ASP.NET does or
// otherwise, gives an error without them.
func TestRefusalQuotingTheCredentialsKeepsThemOut(t *testing.T) {
	quoting := map[string]func(w http.ResponseWriter, key, secret string){
		"go": func(w http.ResponseWriter, key, secret string) {
			writeTitled(w, http.StatusBadRequest, map[string][]string{
				"AppKey": {"The value '" + key + "' is not valid."}, "AppSecret": {"The value '" + secret + "' is not valid."}})
		},
		// System.Text.Json, ASP.NET's, escapes + (base64's) and <>&'" as \u002B...
		"asp.net": func(w http.ResponseWriter, key, secret string) {
			esc := strings.NewReplacer("+", `\u002B`, "<", `\u003C`, ">", `\u003E`, "&", `\u0026`, "'", `\u0027`, `"`, `\u0022`).Replace
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"title":"Bad","status":400,"errors":{"AppKey":["%s"],"AppSecret":["%s"]}}`,
				esc("The value '"+key+"' is not valid."), esc("The value '"+secret+"' is not valid."))
		},
		"quotes only": func(w http.ResponseWriter, key, secret string) {
			esc := strings.NewReplacer(`"`, `\"`).Replace
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"title":"Bad","status":400,"errors":{"AppKey":["The value '%s' is not valid."],"AppSecret":["The value '%s' is not valid."]}}`,
				esc(key), esc(secret))
		},
		// A gateway's page quoting the refused request as a form, hex digits
		// in either case.
		"url-encoded": func(w http.ResponseWriter, key, secret string) {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, "rejected: AppKey=%s&AppSecret=%s /%s", url.QueryEscape(key), strings.ToLower(url.QueryEscape(secret)), url.PathEscape(secret))
		},
	}
	for name, quote := range quoting {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var req tokenRequest
				json.NewDecoder(r.Body).Decode(&req)
				quote(w, req.AppKey, req.AppSecret)
			}))
			t.Cleanup(srv.Close)
			cr := Credentials{MID: credA.MID, AppKey: "key-9f2c/41+q", AppSecret: `se"cret+77<x>&`}
			_, err := NewClient(srv.URL+"/v1", fastOptions()).Transmit(context.Background(), cr, validTransmit(credA))
			if err == nil || !strings.Contains(err.Error(), "is not valid") && !strings.Contains(err.Error(), "rejected") {
				t.Fatalf("Transmit with refused credentials: %v; want the refusal", err)
			}
			for _, secret := range []string{cr.AppKey, cr.AppSecret, "cret+77", "cret%2B77", "cret%2b77", "9f2c%2F41"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error holds a secret (%.6s…): %v", secret, err)
				}
			}
		})
	}
}

// TestRefusalQuotingTheTokenKeepsItOut: a refusal that quotes the bearer
// token it refused gives an error without it, whether it comes as an error
// status or, as the contract allows, as HTTP 200 with "success": false.
func TestRefusalQuotingTheTokenKeepsItOut(t *testing.T) {
	for name, refuse := range map[string]func(http.ResponseWriter, string){
		"403": func(w http.ResponseWriter, msg string) {
			writeTitled(w, http.StatusForbidden, map[string][]string{"Authorization": {msg}})
		},
		"200 success false": func(w http.ResponseWriter, msg string) {
			writeJSON(w, http.StatusOK, map[string]any{"success": false, "result": msg})
		},
	} {
		t.Run(name, func(t *testing.T) {
			e := startSandbox(t, testSeed(), SandboxOptions{})
			var token atomic.Value
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasSuffix(r.URL.Path, "/transmit") {
					e.sb.ServeHTTP(w, r)
					return
				}
				token.Store(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
				refuse(w, "The token '"+token.Load().(string)+"' may not transmit.")
			}))
			t.Cleanup(srv.Close)
			_, err := NewClient(srv.URL+"/"+EnvSandbox+"/v1", fastOptions()).Transmit(context.Background(), credA, validTransmit(credA))
			if err == nil || !strings.Contains(err.Error(), "may not transmit") {
				t.Fatalf("Transmit refused naming its token: %v; want the refusal", err)
			}
			if sent, _ := token.Load().(string); sent == "" || strings.Contains(err.Error(), sent) {
				t.Errorf("the error holds the token (%.12s…): %v", sent, err)
			}
		})
	}
}

// TestRedirectsAreNotFollowed: a 3xx to any call is an error naming its
// status and that redirects are not followed, and the Location (another
// host) gets nothing: followed, a 307 or 308 to the token call sent the
// AppKey and AppSecret again to it, and a redirected transmit or listing
// went where no one configured.
func TestRedirectsAreNotFollowed(t *testing.T) {
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(other.Close)
	e := startSandbox(t, testSeed(seedOrders()...), SandboxOptions{})
	for _, tc := range []struct {
		path   string
		status int
		call   func(*Client) error
	}{
		{"/oauth2/token", http.StatusTemporaryRedirect, func(c *Client) error {
			_, err := c.Transmit(context.Background(), credA, validTransmit(credA))
			return err
		}},
		{"/transmit", http.StatusPermanentRedirect, func(c *Client) error {
			_, err := c.Transmit(context.Background(), credA, validTransmit(credA))
			return err
		}},
		{"/orders", http.StatusFound, func(c *Client) error {
			return c.Orders(context.Background(), credA, OrderQuery{}, func(Order) error { return nil })
		}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, tc.path) {
					http.Redirect(w, r, other.URL+r.URL.Path, tc.status)
					return
				}
				e.sb.ServeHTTP(w, r)
			}))
			t.Cleanup(srv.Close)
			err := tc.call(NewClient(srv.URL+"/"+EnvSandbox+"/v1", fastOptions()))
			want := fmt.Sprintf("HTTP %d, a redirect to %s: redirects are not followed", tc.status, other.URL)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s redirected with %d: %v; want an error saying %q", tc.path, tc.status, err, want)
			}
			if Permanent(err) || errors.Is(err, ErrMaybeSent) {
				t.Errorf("%s redirected with %d: %v; want a failure a later run retries, FlexCharge holding nothing", tc.path, tc.status, err)
			}
			if n := elsewhere.Load(); n != 0 {
				t.Errorf("%s redirected with %d: the Location's host got %d requests, want none", tc.path, tc.status, n)
			}
		})
	}
}
