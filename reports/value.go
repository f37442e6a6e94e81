package reports

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/flexcharge/flexrecon/internal/recon"
)

// value is one cell after conversion: which field holds it depends on the
// column's format.
type value struct {
	null     bool
	text     string    // text, key, value
	n        int64     // int; money in minor units
	f        float64   // percent
	t        time.Time // date; datetime already in the report's zone
	currency string    // money
}

func (v *value) set(f Format, raw any, loc *time.Location) error {
	var err error
	switch f {
	case FormatInt:
		v.n, err = toInt64(raw)
	case FormatPercent:
		v.f, err = toFloat(raw)
	case FormatDate, FormatDateTime:
		t, ok := raw.(time.Time)
		if !ok {
			return fmt.Errorf("got %T %v, want a date or timestamp", raw, raw)
		}
		if f == FormatDateTime {
			t = t.In(loc)
		}
		v.t = t
	default:
		v.text = toText(raw, loc)
	}
	return err
}

func (v *value) setMoney(raw any, currency string) error {
	n, err := toInt64(raw)
	if err != nil {
		return err
	}
	// A currency flexrecon does not know (a FlexCharge order may carry
	// any code, or none) is kept: its amount shows as the minor units
	// given, and never fails a workbook finance is waiting for.
	if n == math.MinInt64 { // has no positive counterpart, so no decimal text
		return fmt.Errorf("amount %d out of range", n)
	}
	v.n, v.currency = n, currency
	return nil
}

// decimal is the exact major-unit text of a money value ("-19.99").
func (v *value) decimal() string {
	return recon.Money{Minor: v.n, Currency: v.currency}.Decimal()
}

// major is a money value as the float a spreadsheet stores. It is parsed from
// the exact decimal text, so the cell holds the double nearest to the true
// amount and the XML shows that same decimal text.
func (v *value) major() float64 {
	f, _ := strconv.ParseFloat(v.decimal(), 64) // decimal() always yields a valid number
	return f
}

// toInt64 accepts every integer type the DuckDB driver returns, including
// HUGEINT (*big.Int) and DECIMAL with scale 0, as long as it fits.
func toInt64(raw any) (int64, error) {
	switch x := raw.(type) {
	case int64:
		return x, nil
	case int32:
		return int64(x), nil
	case int:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint64:
		if x > math.MaxInt64 {
			return 0, fmt.Errorf("UBIGINT %d does not fit in 64 signed bits", x)
		}
		return int64(x), nil
	case *big.Int:
		return bigToInt64(x)
	case big.Int:
		return bigToInt64(&x)
	case fmt.Stringer: // duckdb.Decimal: accepted when its text is an integer
		if n, err := strconv.ParseInt(x.String(), 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("got %T %v, want an integer", raw, raw)
}

func bigToInt64(x *big.Int) (int64, error) {
	if x == nil || !x.IsInt64() {
		return 0, fmt.Errorf("HUGEINT %v does not fit in 64 bits; cast it to BIGINT in the query", x)
	}
	return x.Int64(), nil
}

func toFloat(raw any) (float64, error) {
	switch x := raw.(type) {
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case interface{ Float64() float64 }: // duckdb.Decimal
		return x.Float64(), nil
	}
	n, err := toInt64(raw)
	if err != nil {
		return 0, fmt.Errorf("got %T %v, want a number", raw, raw)
	}
	return float64(n), nil
}

func toText(raw any, loc *time.Location) string {
	switch x := raw.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case time.Time:
		return x.In(loc).Format(time.RFC3339Nano)
	case bool:
		return strconv.FormatBool(x)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(raw)
}

// text renders v as CSV shows it: exact money, RFC 3339 times, ratios as
// plain decimals.
func (v *value) csvText(f Format) string {
	if v.null {
		return ""
	}
	switch f {
	case FormatInt:
		return strconv.FormatInt(v.n, 10)
	case FormatMoney:
		return v.decimal()
	case FormatPercent:
		return strconv.FormatFloat(v.f, 'f', -1, 64)
	case FormatDate:
		return v.t.Format(time.DateOnly)
	case FormatDateTime:
		return v.t.Format(time.RFC3339Nano)
	}
	return inert(v.text)
}

// inert keeps a text a spreadsheet would run as a formula (a ledger value
// like =HYPERLINK(...)) from being one, by a leading apostrophe, as OWASP
// advises for CSV; a negative number stays as it is.
func inert(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '@', '\t', '\r':
		return "'" + s
	case '-':
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return "'" + s
		}
	}
	return s
}

// excelEpoch is day 0 of Excel's 1900 date system as it behaves after
// February 1900 (Excel counts a 29 February 1900 that never was).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// serial converts a time's wall clock, in whatever zone it carries, to an
// Excel date serial: spreadsheets have no zones, so the zone is applied
// before, by converting datetime values to the report's location.
func serial(t time.Time) float64 {
	y, m, d := t.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	days := (day.Unix() - excelEpoch.Unix()) / 86400
	h, mi, s := t.Clock()
	secs := float64(h*3600+mi*60+s) + float64(t.Nanosecond())/1e9
	return float64(days) + secs/86400
}
