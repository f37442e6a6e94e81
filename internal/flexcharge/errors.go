package flexcharge

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// APIError is a refusal from FlexCharge: a non-2xx answer, or HTTP 200 with
// "success": false. Fields holds validation messages by field path, decoded
// from either of the two ModelState shapes the API uses.
type APIError struct {
	StatusCode int
	Title      string
	Fields     map[string][]string
	Message    string
	TraceID    string
}

// Error describes the refusal in one line, fields sorted so messages are stable.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "flexcharge: http %d", e.StatusCode)
	if e.Title != "" {
		b.WriteString(": " + e.Title)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "; %s: %s", k, strings.Join(e.Fields[k], " "))
	}
	return b.String()
}

// Permanent reports whether retrying the call that returned err cannot help:
// a 4xx other than 401, 408 and 429, a business failure (HTTP 200 with
// success:false), or a copy FlexCharge took without a key (ErrTaken).
// Transport errors and exhausted retries are not permanent, nor is a
// refused token: the credentials were wrong, not the request, and the same
// call succeeds once they are put right.
func Permanent(err error) bool {
	if errors.Is(err, ErrTaken) {
		return true
	}
	var e *APIError
	var te *tokenError
	if !errors.As(err, &e) || errors.As(err, &te) {
		return false
	}
	if e.StatusCode < 300 {
		return true
	}
	switch e.StatusCode {
	case http.StatusUnauthorized, http.StatusRequestTimeout, http.StatusTooManyRequests:
		return false
	}
	return e.StatusCode >= 400 && e.StatusCode < 500
}

// maxErrorText bounds how much of a non-JSON error body ends up in a message.
const maxErrorText = 300

// decodeAPIError turns an error body into an APIError. It accepts the titled
// ModelState shape {"status","title","errors":{path:[msg]}}, the flat shape
// {path:[msg],"TraceId":[...]}, the envelope {"success":false,"result",
// "errors":[...]} and plain text.
func decodeAPIError(status int, body []byte) *APIError {
	e := &APIError{StatusCode: status}
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		e.Message = strings.TrimSpace(truncate(string(body), maxErrorText))
		return e
	}
	if raw, ok := obj["errors"]; ok && isJSONObject(raw) {
		decodeTitled(e, obj)
		return e
	}
	if flat := decodeFlat(obj); flat != nil {
		e.Fields, e.TraceID = flat, popTraceID(flat)
		return e
	}
	decodeEnvelope(e, obj)
	return e
}

// decodeTitled reads the RFC 7807-like ModelState shape. status may be a
// number or a string; TraceId may hide inside errors.
func decodeTitled(e *APIError, obj map[string]json.RawMessage) {
	_ = json.Unmarshal(obj["title"], &e.Title)
	_ = json.Unmarshal(obj["traceId"], &e.TraceID)
	var fields map[string][]string
	if json.Unmarshal(obj["errors"], &fields) == nil && len(fields) > 0 {
		if id := popTraceID(fields); e.TraceID == "" {
			e.TraceID = id
		}
		e.Fields = fields
	}
}

// decodeFlat returns the fields if every value of obj is an array of strings.
func decodeFlat(obj map[string]json.RawMessage) map[string][]string {
	if len(obj) == 0 {
		return nil
	}
	fields := make(map[string][]string, len(obj))
	for k, raw := range obj {
		var msgs []string
		if json.Unmarshal(raw, &msgs) != nil {
			return nil
		}
		fields[k] = msgs
	}
	return fields
}

// popTraceID removes the TraceId pseudo-field, whatever its casing.
func popTraceID(fields map[string][]string) string {
	for k, v := range fields {
		if strings.EqualFold(k, "traceId") {
			delete(fields, k)
			if len(v) > 0 {
				return v[0]
			}
		}
	}
	return ""
}

// decodeEnvelope reads the common envelope of a business failure.
func decodeEnvelope(e *APIError, obj map[string]json.RawMessage) {
	var parts []string
	for _, k := range []string{"result", "status", "statusCode", "title", "message"} {
		var s string
		if json.Unmarshal(obj[k], &s) == nil && s != "" {
			parts = append(parts, s)
		}
	}
	if raw, ok := obj["errors"]; ok {
		if s := strings.TrimSpace(string(raw)); s != "[]" && s != "null" {
			parts = append(parts, truncate(s, maxErrorText))
		}
	}
	e.Message = strings.Join(parts, ": ")
}

func isJSONObject(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return strings.HasPrefix(s, "{")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
