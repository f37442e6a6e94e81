package ledger

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// luhnReference is the textbook Luhn check written independently of Luhn:
// from the left, doubling the digits whose distance from the end is odd.
func luhnReference(s string) bool {
	if s == "" {
		return false
	}
	total := 0
	for i, r := range s {
		if r < '0' || r > '9' {
			return false
		}
		d := int(r - '0')
		if (len(s)-i)%2 == 0 {
			d = []int{0, 2, 4, 6, 8, 1, 3, 5, 7, 9}[d]
		}
		total += d
	}
	return total%10 == 0
}

func FuzzLuhn(f *testing.F) {
	for _, s := range []string{"", "0", "4111111111111111", "4111111111111112", "79927398713", "12a4", "٣", "\xff9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Luhn(s), luhnReference(s); got != want {
			t.Errorf("Luhn(%q) = %v, reference says %v", s, got, want)
		}
	})
}

func FuzzDateFromName(f *testing.F) {
	for _, s := range []string{"ledger_2026-11-23.csv", "gw20261123.csv.gz", "2026-02-30.csv", "x2099-12-31y", "none.csv", "2026-1123", "x1202611235y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		d := DateFromName(name)
		if d.IsZero() {
			return
		}
		if d.Location() != time.UTC || d.Hour() != 0 || d.Minute() != 0 || d.Year() < 2000 || d.Year() > 2099 {
			t.Fatalf("DateFromName(%q) = %v: not a UTC date of this century", name, d)
		}
		if !spellsWhole(name, d.Format("2006-01-02")) && !spellsWhole(name, d.Format("20060102")) {
			t.Fatalf("DateFromName(%q) = %s, which the name does not spell with no digit beside it", name, d.Format(time.DateOnly))
		}
	})
}

// spellsWhole says whether name has date with no digit just before or after it.
func spellsWhole(name, date string) bool {
	isDigit := func(s string, i int) bool { return i >= 0 && i < len(s) && s[i] >= '0' && s[i] <= '9' }
	for i := strings.Index(name, date); i >= 0; {
		if !isDigit(name, i-1) && !isDigit(name, i+len(date)) {
			return true
		}
		next := strings.Index(name[i+1:], date)
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return false
}

func FuzzStrptime(f *testing.F) {
	for _, s := range []string{"MM/DD/YYYY HH:MM", "DD.MM.YY hh:mm:ss AM", "%Y-%m-%d %H:%M", "YYYYMMDDHHMMSS", "", "plain", "HH:MM:SS"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, layout string) {
		got := Mapping{TimeLayout: layout}.Strptime()
		if layout == "" || strings.Contains(layout, "%") {
			if got != layout {
				t.Fatalf("Strptime(%q) = %q, want it unchanged", layout, got)
			}
			return
		}
		if !strings.ContainsAny(layout, "YDHhmSsAPM") && got != layout {
			t.Fatalf("Strptime(%q) = %q: a layout without tokens must stay as it is", layout, got)
		}
		// Removing the directives leaves exactly the layout's other characters.
		rest := got
		for _, d := range []string{"%Y", "%y", "%d", "%H", "%I", "%M", "%S", "%p", "%m"} {
			rest = strings.ReplaceAll(rest, d, "")
		}
		if strings.Contains(rest, "%") {
			t.Fatalf("Strptime(%q) = %q: a stray %%", layout, got)
		}
		if strings.Contains(layout, "YYYY") && !strings.Contains(got, "%Y") {
			t.Fatalf("Strptime(%q) = %q: YYYY lost", layout, got)
		}
	})
}

func FuzzMapHeader(f *testing.F) {
	var names []string
	for _, c := range Columns {
		names = append(names, c.Name)
	}
	f.Add(strings.Join(names, ","), "")
	f.Add(strings.ToUpper(strings.Join(names, " , ")), "processed_at=Date")
	f.Add("a,b,c", "amount=b")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, header, rename string) {
		cols := strings.Split(header, ",")
		m := Mapping{Columns: map[string]string{}}
		for kv := range strings.SplitSeq(rename, ";") {
			if k, v, ok := strings.Cut(kv, "="); ok {
				m.Columns[k] = v
			}
		}
		fields, err := m.Map(cols)
		if err != nil {
			return
		}
		if len(fields) != len(Columns) {
			t.Fatalf("%d fields for %d columns", len(fields), len(Columns))
		}
		for i, fl := range fields {
			if fl.Source != "" && !slices.Contains(cols, fl.Source) {
				t.Fatalf("field %s maps to %q, not a header column of %q", fl.Name, fl.Source, header)
			}
			if Columns[i].Required && fl.Source == "" {
				t.Fatalf("required %s unmapped, yet no error", fl.Name)
			}
		}
	})
}
