package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
)

// isAPI says whether r is for the JSON API, whose every answer, an error
// too, a script must be able to parse.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// APIError is the body of every error the API answers.
type APIError struct {
	Message string `json:"error"`
}

// writeError answers an error with status and msg: as an APIError on the
// API, as text elsewhere (a form's refusal, /metrics to Prometheus).
func writeError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if !isAPI(r) {
		http.Error(w, msg, status)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff") // as http.Error sets it
	writeJSON(w, status, APIError{Message: msg})
}

// unroutedAPI has mux answer as ever, except that when no route takes an
// API request, its refusal (404, or 405 with the methods the path allows)
// is in JSON; a redirect to the path's clean form stays one.
func unroutedAPI(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, pattern := mux.Handler(r); pattern == "" && isAPI(r) {
			h.ServeHTTP(&jsonRefusal{ResponseWriter: w, r: r}, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// jsonRefusal passes on what a handler of the mux's own answers, except
// that an error's text becomes the same error in JSON.
type jsonRefusal struct {
	http.ResponseWriter
	r       *http.Request
	refused bool
}

func (j *jsonRefusal) WriteHeader(status int) {
	if status < http.StatusBadRequest {
		j.ResponseWriter.WriteHeader(status)
		return
	}
	j.refused = true
	writeError(j.ResponseWriter, j.r, status, http.StatusText(status))
}

func (j *jsonRefusal) Write(b []byte) (int, error) {
	if j.refused {
		return len(b), nil
	}
	return j.ResponseWriter.Write(b)
}

// maxRequestBody bounds a JSON request's body: a run's or a switch's fields
// take a few hundred bytes.
const maxRequestBody = 1 << 16

// readJSON decodes r's body, one JSON object of v's fields, into v, or
// answers why not (400, or 413 for a body too large) and says so. A name v
// does not have is refused, not passed over: a "dryrun" or "DryRun" for
// "dry_run" would otherwise start a run that pushes to FlexCharge. So is
// anything after the object, which a client meant as part of it.
func readJSON(w http.ResponseWriter, r *http.Request, v any, what string) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var tooLarge *http.MaxBytesError
	if err == nil {
		// What follows the object may itself run past the limit.
		if err = dec.Decode(&struct{}{}); err == io.EOF {
			err = nil
		} else if !errors.As(err, &tooLarge) {
			err = errors.New("more after the object")
		}
	}
	switch {
	case errors.As(err, &tooLarge):
		writeError(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is over %d bytes", maxRequestBody))
	case err != nil:
		writeError(w, r, http.StatusBadRequest, "want a JSON body with "+what+": "+err.Error())
	}
	return err == nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(withEmptyLists(v))
}

// withEmptyLists is v with every nil slice in it, at any depth, made empty:
// Go writes a nil slice as null, and a script should find a list it can
// loop over (an explanation with no findings has "findings": []).
func withEmptyLists(v any) any {
	if v == nil {
		return nil
	}
	copied := reflect.New(reflect.TypeOf(v)).Elem()
	copied.Set(reflect.ValueOf(v))
	fillLists(copied)
	return copied.Interface()
}

// fillLists makes the nil slices in v, which must be settable, empty.
func fillLists(v reflect.Value) {
	switch v.Kind() {
	case reflect.Slice:
		if v.IsNil() {
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		}
		for i := range v.Len() {
			fillLists(v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillLists(v.Field(i))
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			fillLists(v.Elem())
		}
	}
}
