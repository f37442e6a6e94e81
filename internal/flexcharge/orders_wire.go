package flexcharge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// A nightly pull decodes millions of orders. encoding/json validates each
// body in a separate pass, reflects per field and parses every time twice
// (the string, then the layouts); jsonReader reads the two shapes GET /orders
// returns straight from the bytes. Like encoding/json it ignores unknown
// fields, matches names case-insensitively and reads null as the zero value.

// jsonReader reads JSON values from b, starting at offset i.
type jsonReader struct {
	b      []byte
	i      int
	intern map[string]string // one copy of each repeated text (MIDs, site URLs, ...)
}

func newJSONReader(b []byte) *jsonReader {
	return &jsonReader{b: b, intern: map[string]string{}}
}

func (r *jsonReader) fail(want string) error {
	return fmt.Errorf("invalid JSON at offset %d: want %s", r.i, want)
}

// peek skips white space and returns the next byte, or 0 at the end.
func (r *jsonReader) peek() byte {
	for ; r.i < len(r.b); r.i++ {
		switch c := r.b[r.i]; c {
		case ' ', '\t', '\n', '\r':
		default:
			return c
		}
	}
	return 0
}

// null consumes a null literal and reports whether there was one.
func (r *jsonReader) null() bool {
	if r.peek() == 'n' && bytes.HasPrefix(r.b[r.i:], []byte("null")) {
		r.i += 4
		return true
	}
	return false
}

// object calls field with each key; field must read the value.
func (r *jsonReader) object(field func(key []byte) error) error {
	return r.list('{', '}', func() error {
		key, err := r.text()
		if err != nil {
			return err
		}
		if r.peek() != ':' {
			return r.fail("':'")
		}
		r.i++
		return field(key)
	})
}

// array calls elem for each element; elem must read it.
func (r *jsonReader) array(elem func() error) error { return r.list('[', ']', elem) }

// list reads open, comma-separated items, close; null is an empty list.
func (r *jsonReader) list(open, close byte, item func() error) error {
	if r.null() {
		return nil
	}
	if r.peek() != open {
		return r.fail(string(open))
	}
	r.i++
	if r.peek() == close {
		r.i++
		return nil
	}
	for {
		if err := item(); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.i++
		case close:
			r.i++
			return nil
		default:
			return r.fail("',' or " + string(close))
		}
	}
}

// text reads a string's content. Without escapes it is a slice of b, valid
// until b changes; with escapes, encoding/json decodes it.
func (r *jsonReader) text() ([]byte, error) {
	if r.peek() != '"' {
		return nil, r.fail("string")
	}
	start, escaped := r.i, false
	for i := start + 1; i < len(r.b); i++ {
		switch c := r.b[i]; {
		case c == '\\':
			escaped = true
			i++
		case c == '"':
			r.i = i + 1
			if !escaped {
				return r.b[start+1 : i], nil
			}
			var s string
			err := json.Unmarshal(r.b[start:i+1], &s)
			return []byte(s), err
		case c < 0x20:
			return nil, r.fail("no control character in a string")
		}
	}
	return nil, r.fail("closing quote")
}

// string reads a string or null; repeated texts share one copy when intern.
func (r *jsonReader) string(intern bool) (string, error) {
	if r.null() {
		return "", nil
	}
	b, err := r.text()
	if err != nil || !intern {
		return string(b), err
	}
	if s, ok := r.intern[string(b)]; ok {
		return s, nil
	}
	s := string(b)
	r.intern[s] = s
	return s, nil
}

// int reads an integer or null; like encoding/json into an int, it refuses
// fractions and exponents.
func (r *jsonReader) int() (int64, error) {
	if r.null() {
		return 0, nil
	}
	start, neg := r.i, r.peek() == '-'
	if neg {
		r.i++
	}
	first := r.i
	var n int64
	for ; r.i < len(r.b) && '0' <= r.b[r.i] && r.b[r.i] <= '9'; r.i++ {
		d := int64(r.b[r.i] - '0')
		if n > (1<<63-1-d)/10 {
			return 0, fmt.Errorf("number at offset %d overflows int64", start)
		}
		n = n*10 + d
	}
	if r.i == first || r.i < len(r.b) && bytes.IndexByte([]byte(".eE"), r.b[r.i]) >= 0 {
		r.i = start
		return 0, r.fail("integer")
	}
	if neg {
		n = -n
	}
	return n, nil
}

// bool reads true, false or null.
func (r *jsonReader) bool() (bool, error) {
	for _, lit := range []string{"true", "false"} {
		if r.peek() == lit[0] && bytes.HasPrefix(r.b[r.i:], []byte(lit)) {
			r.i += len(lit)
			return lit == "true", nil
		}
	}
	if r.null() {
		return false, nil
	}
	return false, r.fail("boolean")
}

// time reads a wire time, or null or "" as the zero time.
func (r *jsonReader) time() (time.Time, error) {
	if r.null() {
		return time.Time{}, nil
	}
	b, err := r.text()
	if err != nil {
		return time.Time{}, err
	}
	return parseWireTime(b)
}

// skip reads any value and drops it.
func (r *jsonReader) skip() error {
	switch c := r.peek(); {
	case c == '{':
		return r.object(func([]byte) error { return r.skip() })
	case c == '[':
		return r.array(r.skip)
	case c == '"':
		_, err := r.text()
		return err
	case c == 't' || c == 'f':
		_, err := r.bool()
		return err
	case c == 'n' && r.null():
		return nil
	default:
		return r.number()
	}
}

// number reads any JSON number.
func (r *jsonReader) number() error {
	start := r.i
	for ; r.i < len(r.b) && bytes.IndexByte([]byte("+-.0123456789eE"), r.b[r.i]) >= 0; r.i++ {
	}
	if !json.Valid(r.b[start:r.i]) {
		r.i = start
		return r.fail("value")
	}
	return nil
}

// field is one known member of an object: its name and how to read it into T.
type field[T any] struct {
	name string
	read func(r *jsonReader, into *T) error
}

// fields reads an object into v, by exact name first, then case-insensitively
// as encoding/json does; unknown members are skipped.
func fields[T any](r *jsonReader, v *T, known []field[T]) error {
	return r.object(func(key []byte) error {
		for _, f := range known {
			if string(key) == f.name {
				return f.read(r, v)
			}
		}
		for _, f := range known {
			if bytes.EqualFold(key, []byte(f.name)) {
				return f.read(r, v)
			}
		}
		return r.skip()
	})
}

func readString[T any](get func(*T) *string, intern bool) func(*jsonReader, *T) error {
	return func(r *jsonReader, v *T) (err error) {
		*get(v), err = r.string(intern)
		return err
	}
}

func readInt[T any](get func(*T) *int) func(*jsonReader, *T) error {
	return func(r *jsonReader, v *T) error {
		n, err := r.int()
		*get(v) = int(n)
		return err
	}
}

// readOptional reads a value that may be null (nil) with read.
func readOptional[T, V any](get func(*T) **V, read func(*jsonReader) (V, error)) func(*jsonReader, *T) error {
	return func(r *jsonReader, v *T) error {
		*get(v) = nil
		if r.null() {
			return nil
		}
		x, err := read(r)
		*get(v) = &x
		return err
	}
}

func readBool[T any](get func(*T) *bool) func(*jsonReader, *T) error {
	return func(r *jsonReader, v *T) (err error) {
		*get(v), err = r.bool()
		return err
	}
}

func readTime[T any](get func(*T) *time.Time) func(*jsonReader, *T) error {
	return func(r *jsonReader, v *T) (err error) {
		*get(v), err = r.time()
		return err
	}
}

// orderFields are Order's JSON names (types.go); the ones whose values
// repeat from order to order are interned.
var orderFields = []field[Order]{
	{"id", readString(func(o *Order) *string { return &o.ID }, false)},
	{"externalOrderId", readString(func(o *Order) *string { return &o.ExternalOrderID }, false)},
	{"mid", readString(func(o *Order) *string { return &o.MID }, true)},
	{"amount", readOptional(func(o *Order) **int64 { return &o.Amount }, (*jsonReader).int)},
	{"currencyCode", readString(func(o *Order) *string { return &o.CurrencyCode }, true)},
	{"isMIT", readOptional(func(o *Order) **bool { return &o.IsMIT }, (*jsonReader).bool)},
	{"orderSource", readString(func(o *Order) *string { return &o.OrderSource }, true)},
	{"siteId", readString(func(o *Order) *string { return &o.SiteID }, true)},
	{"siteUrl", readString(func(o *Order) *string { return &o.SiteURL }, true)},
	{"dynamicDescriptor", readString(func(o *Order) *string { return &o.DynamicDescriptor }, true)},
	{"transactionId", readString(func(o *Order) *string { return &o.TransactionID }, false)},
	{"status", readInt(func(o *Order) *int { return &o.Status })},
	{"statusName", readString(func(o *Order) *string { return &o.StatusName }, true)},
	{"orderPlacedDate", readTime(func(o *Order) *time.Time { return &o.OrderPlacedDate })},
	{"createdOn", readTime(func(o *Order) *time.Time { return &o.CreatedOn })},
	{"expiryDate", readExpiry},
	{"isTestMode", readBool(func(o *Order) *bool { return &o.IsTestMode })},
}

// readExpiry leaves ExpiryDate nil for null, "" and the zero time.
func readExpiry(r *jsonReader, o *Order) error {
	t, err := r.time()
	o.ExpiryDate = nil
	if err == nil && !t.IsZero() {
		o.ExpiryDate = &t
	}
	return err
}

// order reads one order; an order without statusName gets its code's name,
// and one without createdOn its placing time (see Order).
func (r *jsonReader) order(o *Order) error {
	if err := fields(r, o, orderFields); err != nil {
		return err
	}
	if o.StatusName == "" {
		o.StatusName = StatusName(o.Status)
	}
	if o.CreatedOn.IsZero() {
		o.CreatedOn = o.OrderPlacedDate
	}
	return nil
}

// pageFields are the paging metadata of GET /orders, the envelope's success
// flag, and the rows.
var pageFields = []field[ordersPage]{
	{"pageNumber", readInt(func(p *ordersPage) *int { return &p.PageNumber })},
	{"pageSize", readInt(func(p *ordersPage) *int { return &p.PageSize })},
	{"pageCount", readInt(func(p *ordersPage) *int { return &p.PageCount })},
	{"hasNextPage", readBool(func(p *ordersPage) *bool { return &p.HasNextPage })},
	{"totalItemCount", readInt(func(p *ordersPage) *int { return &p.TotalItemCount })},
	{"success", readSuccess},
	{"rows", readRows},
}

func readSuccess(r *jsonReader, p *ordersPage) error {
	if r.null() {
		p.Success = nil
		return nil
	}
	ok, err := r.bool()
	p.Success = &ok
	return err
}

// readRows reads the orders of a page; even none (`[]`, null) are a slice,
// not nil, so that decodeOrdersPage knows the member was there.
func readRows(r *jsonReader, p *ordersPage) error {
	p.Rows = []Order{}
	return r.array(func() error {
		p.Rows = append(p.Rows, Order{})
		return r.order(&p.Rows[len(p.Rows)-1])
	})
}

// decodeOrdersPage reads one page of GET /orders. A page without the rows
// member is refused: the name is assumed by the contract, and an API that
// names its orders otherwise would otherwise look like one with no orders,
// making every decline a lost rescue.
func decodeOrdersPage(b []byte) (ordersPage, error) {
	var p ordersPage
	r := newJSONReader(b)
	if err := fields(r, &p, pageFields); err != nil {
		return p, err
	}
	if err := r.end(); err != nil {
		return p, err
	}
	if p.Rows == nil {
		return p, fmt.Errorf("no %q member among the page's (%s): the contract assumes the orders are there", "rows", memberNames(b))
	}
	return p, nil
}

// memberNames lists the names of the JSON object b, sorted.
func memberNames(b []byte) string {
	var obj map[string]json.RawMessage
	_ = json.Unmarshal(b, &obj)
	names := slices.Sorted(maps.Keys(obj))
	return strings.Join(names, ", ")
}

// end fails when anything but white space follows the value.
func (r *jsonReader) end() error {
	if r.peek() != 0 {
		return r.fail("end of input")
	}
	return nil
}

// wireOrder decodes the body of GET /orders/{id} through jsonReader.
type wireOrder Order

func (w *wireOrder) UnmarshalJSON(b []byte) error {
	r := newJSONReader(b)
	if err := r.order((*Order)(w)); err != nil {
		return err
	}
	return r.end()
}

// wireLayouts are the time forms the API writes: RFC 3339, and ISO 8601
// without a zone (ASP.NET's, read as UTC) or without a time.
var wireLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"}

// parseWireTime reads a wire time as UTC; "" is the zero time. The common
// forms are read digit by digit, the rest through the layouts.
func parseWireTime(b []byte) (time.Time, error) {
	if len(b) == 0 {
		return time.Time{}, nil
	}
	if t, ok := parseISOFast(b); ok {
		return t, nil
	}
	s := strings.TrimSpace(string(b))
	for _, layout := range wireLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("parse time %q", b)
}

// parseISOFast reads YYYY-MM-DDTHH:MM:SS, an optional fraction of up to nine
// digits, and Z, ±HH:MM or nothing (UTC). It declines anything else, and
// dates time.Date would normalise (Feb 30), so the layouts judge them.
func parseISOFast(b []byte) (time.Time, bool) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits(b[0:4])
	month, ok2 := digits(b[5:7])
	day, ok3 := digits(b[8:10])
	hour, ok4 := digits(b[11:13])
	minute, ok5 := digits(b[14:16])
	sec, ok6 := digits(b[17:19])
	nanos, rest, ok7 := fraction(b[19:])
	offset, ok8 := zoneOffset(rest)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 && ok8) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nanos, time.UTC)
	if t.Day() != day || t.Month() != time.Month(month) {
		return time.Time{}, false
	}
	return t.Add(-offset), true
}

// fraction reads ".ddd" (1 to 9 digits) as nanoseconds and returns what follows.
func fraction(b []byte) (int, []byte, bool) {
	if len(b) == 0 || b[0] != '.' {
		return 0, b, true
	}
	n := 1
	for n < len(b) && '0' <= b[n] && b[n] <= '9' {
		n++
	}
	if n == 1 || n > 10 {
		return 0, nil, false
	}
	v, _ := digits(b[1:n])
	for range 10 - n {
		v *= 10
	}
	return v, b[n:], true
}

// zoneOffset reads "", "Z" or ±HH:MM.
func zoneOffset(b []byte) (time.Duration, bool) {
	switch {
	case len(b) == 0 || len(b) == 1 && b[0] == 'Z':
		return 0, true
	case len(b) != 6 || b[0] != '+' && b[0] != '-' || b[3] != ':':
		return 0, false
	}
	h, ok1 := digits(b[1:3])
	m, ok2 := digits(b[4:6])
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return 0, false
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if b[0] == '-' {
		d = -d
	}
	return d, true
}

// digits reads a run of ASCII digits.
func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
