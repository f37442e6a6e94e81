package web_test

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// way is how a client signs in: a browser with the login form, a program
// with basic auth on each request.
type way struct {
	name string
	ok   int // the status of a success
	send func(t *testing.T, f *fixture, name, pw string) *http.Response
}

var ways = []way{
	{"form", http.StatusSeeOther, func(t *testing.T, f *fixture, name, pw string) *http.Response {
		res, err := f.client(t).PostForm(f.srv.URL+"/login", url.Values{"name": {name}, "password": {pw}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}},
	{"basic auth", http.StatusOK, func(t *testing.T, f *fixture, name, pw string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/api/runs", nil)
		req.SetBasicAuth(name, pw)
		res, err := f.client(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}},
}

// expect sends name and pw n times the way w does and fails unless each
// answers status.
func expect(t *testing.T, f *fixture, w way, n int, name, pw string, status int) *http.Response {
	t.Helper()
	var res *http.Response
	for i := range n {
		if res = w.send(t, f, name, pw); res.StatusCode != status {
			t.Fatalf("%s sign-in %d of %d as %s: got %s, want %d", w.name, i+1, n, name, res.Status, status)
		}
	}
	return res
}

// TestRefusedAPILoginsAudited: a program's refused logins are audited like
// the form's, an unknown name (here a password typed as one) as "(unknown
// user)".
func TestRefusedAPILoginsAudited(t *testing.T) {
	f := newFixture(t, false)
	w := ways[1]
	expect(t, f, w, 1, "Spring2027!pw", password, http.StatusUnauthorized)
	expect(t, f, w, 4, "fiona", "wrong", http.StatusUnauthorized)
	want := map[string]int{"(unknown user)": 1, "fiona": 4}
	if got := refusals(t, f); !maps.Equal(got, want) {
		t.Errorf("refused logins audited by actor: got %v, want %v", got, want)
	}
}

// refusals are the refused logins audited, counted by actor.
func refusals(t *testing.T, f *fixture) map[string]int {
	t.Helper()
	log, err := f.env.DB.AuditLog(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	actors := map[string]int{}
	for _, e := range log {
		if strings.Contains(e.Actor+e.Detail, "Spring2027") {
			t.Errorf("audit row %+v shows a name no user has (a password typed as one)", e)
		}
		if e.Action == "login refused" {
			actors[e.Actor]++
		}
	}
	return actors
}
