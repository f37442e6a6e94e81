package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestServiceRefusalsShowTheirMessage: when the service refuses, a command
// says what the service said, the message of its JSON error rather than
// the JSON; an answer that is no JSON error (a proxy's page) as it came,
// and an empty one by its status alone. A JSON error is never taken for a
// finished run, whatever its status.
func TestServiceRefusalsShowTheirMessage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/behind-a-proxy":
			http.Error(w, "<html>Bad Gateway</html>", http.StatusBadGateway)
		case "/nothing-said":
			w.WriteHeader(http.StatusBadGateway)
		case "/unprocessable":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			w.Write([]byte(`{"error":"to is before from"}` + "\n"))
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"error":"your role may not do this"}` + "\n"))
		}
	}))
	defer srv.Close()
	request := func(path string) *http.Request {
		hr, err := http.NewRequest(http.MethodPost, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		return hr
	}
	var out bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &out}
	for what, err := range map[string]error{
		"ask the service: 403 Forbidden: your role may not do this":        sendToService(request("/api/switches"), http.StatusCreated, &struct{}{}),
		"hand run to service: 403 Forbidden: your role may not do this":    m.awaitHandOff(request("/api/runs")),
		"hand run to service: 422 Unprocessable Entity: to is before from": m.awaitHandOff(request("/unprocessable")),
		"ask the service: 502 Bad Gateway: <html>Bad Gateway</html>":       sendToService(request("/behind-a-proxy"), http.StatusOK, &struct{}{}),
		"ask the service: 502 Bad Gateway":                                 sendToService(request("/nothing-said"), http.StatusOK, &struct{}{}),
	} {
		if err == nil || err.Error() != what {
			t.Errorf("refused: got error %v, want %q", err, what)
		}
	}
	if out.Len() > 0 {
		t.Errorf("refused: printed %q, want nothing (no run was answered)", out.String())
	}
}
