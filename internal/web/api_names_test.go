package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/internal/web"
	"github.com/flexcharge/flexrecon/jobs"
)

// snakeCase is a JSON name spelt as the API's requests spell theirs.
var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// TestAPIAnswersInSnakeCase: every name in every JSON answer of the API, at
// any depth, is snake_case like the requests' names, so that a script reads
// one style. The answers asked reach every nested type the fixture's data
// fills (TestAPITypesNameTheirFields covers the rest).
func TestAPIAnswersInSnakeCase(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	met, bad := map[string]bool{}, map[string]bool{}
	check := func(label string, res *http.Response, body string, want int) {
		t.Helper()
		var v any
		if err := json.Unmarshal([]byte(body), &v); err != nil || res.StatusCode != want {
			t.Fatalf("%s %s: got %s %.500s, want %d with JSON", res.Request.Method, res.Request.URL, res.Status, body, want)
		}
		walkNames(v, label, func(path, name string) {
			met[path] = true
			if where := path + "." + name; !snakeCase.MatchString(name) && !bad[where] {
				bad[where] = true
				t.Errorf("%s %s: name %q at %s, want snake_case", res.Request.Method, res.Request.URL, name, path)
			}
		})
	}
	run := map[string]any{"from": f.plan.From, "to": f.plan.To, "as_of": f.plan.AsOf.Format(time.RFC3339)}
	res, body := postJSON(t, c, f.srv.URL+"/api/runs", run)
	check("POST /api/runs", res, body, http.StatusAccepted)
	run["wait"] = true // it waits its turn after the run queued, to compare with it
	res, body = postJSON(t, c, f.srv.URL+"/api/runs", run)
	check("POST /api/runs wait", res, body, http.StatusOK)
	var finished web.FinishedRun
	if err := json.Unmarshal([]byte(body), &finished); err != nil {
		t.Fatal(err)
	}
	for label, path := range map[string]string{
		"GET /api/runs":           "/api/runs",
		"GET /api/runs/{id}":      fmt.Sprint("/api/runs/", finished.ID),
		"GET /api/runs/{id}/diff": fmt.Sprintf("/api/runs/%d/diff?limit=1", finished.ID),
		"GET /api/switches":       "/api/switches",
	} {
		res, body := get(t, c, f.srv.URL+path)
		check(label, res, body, http.StatusOK)
	}
	lists := []string{"ledger", "orders", "transmits", "switches", "results", "findings"}
	for _, o := range f.seed.Orders {
		res, body := get(t, c, f.srv.URL+"/api/explain?order="+url.QueryEscape(o.ID))
		check("GET /api/explain", res, body, http.StatusOK)
		if met["GET /api/explain.run"] && metAll(met, "GET /api/explain", lists) {
			break
		}
	}
	res, body = postJSON(t, c, f.srv.URL+"/api/switches", map[string]any{"merchant_id": f.env.Merchants[0].ID,
		"profile": "mit", "state": "off", "effective_at": "2026-12-01T00:00:00Z", "reason": "paused"})
	check("POST /api/switches", res, body, http.StatusCreated)
	reached := []string{"POST /api/runs", "POST /api/runs wait", "POST /api/runs wait.counts[]", "GET /api/runs[]",
		"GET /api/runs/{id}", "GET /api/runs/{id}/diff", "GET /api/runs/{id}/diff.counts", "GET /api/runs/{id}/diff.changes[]",
		"GET /api/switches[]", "POST /api/switches", "GET /api/explain", "GET /api/explain.run"}
	for _, l := range lists {
		reached = append(reached, "GET /api/explain."+l+"[]")
	}
	for _, path := range reached {
		if !met[path] {
			t.Errorf("no object met at %s: the answers asked leave it unchecked", path)
		}
	}
}

// metAll says whether objects were met in every list prefix.name[].
func metAll(met map[string]bool, prefix string, lists []string) bool {
	for _, l := range lists {
		if !met[prefix+"."+l+"[]"] {
			return false
		}
	}
	return true
}

// walkNames calls visit with every name of every object in v, decoded JSON,
// and the path of the object: path for v itself, path.name for a member,
// path[] for an element of a list.
func walkNames(v any, path string, visit func(path, name string)) {
	switch v := v.(type) {
	case map[string]any:
		for name, x := range v {
			visit(path, name)
			walkNames(x, path+"."+name, visit)
		}
	case []any:
		for _, x := range v {
			walkNames(x, path+"[]", visit)
		}
	}
}

// TestAPITypesNameTheirFields: every field of the types the API answers
// with, and of every type in them, has a snake_case JSON name of its own,
// so that a list the fixture's answers leave empty (an orphan's declines),
// or a field added later, cannot answer in Go's spelling unseen.
func TestAPITypesNameTheirFields(t *testing.T) {
	for _, v := range []any{store.Run{}, web.FinishedRun{}, jobs.RunDiff{}, store.Explanation{}, store.Switch{}} {
		checkJSONNames(t, reflect.TypeOf(v), map[reflect.Type]bool{})
	}
}

var marshaler = reflect.TypeFor[json.Marshaler]()

func checkJSONNames(t *testing.T, typ reflect.Type, done map[reflect.Type]bool) {
	t.Helper()
	switch {
	case typ.Kind() == reflect.Pointer, typ.Kind() == reflect.Slice, typ.Kind() == reflect.Map:
		checkJSONNames(t, typ.Elem(), done)
		return
	case typ.Kind() != reflect.Struct, done[typ], typ.Implements(marshaler), reflect.PointerTo(typ).Implements(marshaler):
		return
	}
	done[typ] = true
	for i := range typ.NumField() {
		field := typ.Field(i)
		name, _, _ := strings.Cut(field.Tag.Get("json"), ",")
		switch {
		case !field.IsExported() || name == "-":
			continue
		case field.Anonymous && name == "":
			// Its fields stand in the answer as this type's own.
		case !snakeCase.MatchString(name):
			t.Errorf("%s.%s: JSON name %q, want an explicit snake_case one", typ, field.Name, name)
		}
		checkJSONNames(t, field.Type, done)
	}
}

// TestAPIListsAreNeverNull: a list with nothing in it answers [], not null,
// so that a script can loop over it: the explanation of a transaction a run
// judged lists no orphan decline, as only an orphan order has those.
func TestAPIListsAreNeverNull(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	res, body := postJSON(t, c, f.srv.URL+"/api/runs", map[string]any{"from": f.plan.From, "to": f.plan.To, "wait": true,
		"as_of": f.plan.AsOf.Format(time.RFC3339)})
	var finished web.FinishedRun
	if err := json.Unmarshal([]byte(body), &finished); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/runs wait: got %s %s", res.Status, body)
	}
	vs, err := f.env.DB.Verdicts(t.Context(), finished.Run.ID)
	if err != nil || len(vs) == 0 {
		t.Fatalf("verdicts of run %d: %v, %v", finished.Run.ID, vs, err)
	}
	res, body = get(t, c, f.srv.URL+"/api/explain?transaction="+url.QueryEscape(vs[0].TransactionID))
	var e map[string]any
	if err := json.Unmarshal([]byte(body), &e); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/explain: %s %.300s", res.Status, body)
	}
	for _, list := range []string{"ledger", "orders", "transmits", "switches", "results", "findings", "orphan_declines"} {
		if _, ok := e[list].([]any); !ok {
			t.Errorf("%q is %v, want a list", list, e[list])
		}
	}
	if got, ok := e["orphan_declines"].([]any); !ok || len(got) != 0 {
		t.Errorf("orphan_declines of transaction %s is %v, want []", vs[0].TransactionID, e["orphan_declines"])
	}
}

// TestAPIExplainOfNothingIsNotFound: an id that nothing answers, or a run
// with neither a record nor verdicts, is 404, naming it, as the CLI says
// it; it was 200 with every list empty (or "run": null), which a script
// reads as a transaction with nothing wrong.
func TestAPIExplainOfNothingIsNotFound(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	for query, want := range map[string]string{
		"transaction=NOPE": `no ledger row or FlexCharge order for transaction "NOPE"`,
		"order=NOPE-O":     `no ledger row or FlexCharge order for order "NOPE-O"`,
		// A run nothing knows is no run that judged it nothing wrong.
		"transaction=NOPE&run=999": `no run 999: it has neither a record nor verdicts`,
	} {
		res, body := get(t, c, f.srv.URL+"/api/explain?"+query)
		var e web.APIError
		if err := json.Unmarshal([]byte(body), &e); err != nil || res.StatusCode != http.StatusNotFound || e.Message != want {
			t.Errorf("GET /api/explain?%s: got %s %.300s, want 404 saying %q", query, res.Status, body, want)
		}
	}
}

// TestAPIRunsLinkTheirWorkbook: every API answer with a run in it gives the
// URL that downloads the run's workbook, as the pages link it, once the run
// succeeded, and never the folder the server wrote it to, which is no
// client's business.
func TestAPIRunsLinkTheirWorkbook(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	res, body := postJSON(t, c, f.srv.URL+"/api/runs", map[string]any{"from": f.plan.From, "to": f.plan.To, "wait": true,
		"as_of": f.plan.AsOf.Format(time.RFC3339)})
	var finished struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal([]byte(body), &finished); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/runs wait: got %s %s", res.Status, body)
	}
	run, err := f.env.DB.GetRun(t.Context(), finished.ID)
	if err != nil || run.Workbook == "" {
		t.Fatalf("run %d: %+v, %v; want its workbook written", finished.ID, run, err)
	}
	answers := map[string]string{"POST /api/runs wait": body}
	for label, path := range map[string]string{
		"GET /api/runs":      "/api/runs",
		"GET /api/runs/{id}": fmt.Sprint("/api/runs/", run.ID),
	} {
		_, answers[label] = get(t, c, f.srv.URL+path)
	}
	for _, o := range f.seed.Orders { // the first order a run judged
		if _, body := get(t, c, f.srv.URL+"/api/explain?order="+url.QueryEscape(o.ID)); strings.Contains(body, `"run":{`) {
			answers["GET /api/explain"] = body
			break
		}
	}
	folder, link := filepath.Dir(run.Workbook), fmt.Sprintf(`"workbook_url":"/api/runs/%d/workbook.xlsx"`, run.ID)
	for label, body := range answers {
		if strings.Contains(body, folder) || !strings.Contains(body, link) {
			t.Errorf("%s: got %.1000s\nwant %s and not the server's folder %s", label, body, link, folder)
		}
	}
	if len(answers) != 4 {
		t.Errorf("answers checked: %d, want 4 (no explanation with a run?)", len(answers))
	}
	for who, c := range map[string]*http.Client{"a browser signed in": c, "a program's basic auth": f.program(t, "fiona")} {
		if res, b := get(t, c, fmt.Sprintf("%s/api/runs/%d/workbook.xlsx", f.srv.URL, run.ID)); res.StatusCode != http.StatusOK || !strings.HasPrefix(b, "PK") {
			t.Errorf("the workbook's URL, for %s: got %s, want 200 and the workbook", who, res.Status)
		}
	}
	res, body = postJSON(t, c, f.srv.URL+"/api/runs", map[string]any{"from": f.plan.From})
	if res.StatusCode != http.StatusAccepted || !strings.Contains(body, `"workbook_url":""`) {
		t.Errorf("POST /api/runs: got %s %s, want 202 and a queued run with no workbook yet", res.Status, body)
	}
}
