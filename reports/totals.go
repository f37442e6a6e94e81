package reports

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// span is the data rows of one sheet of a report (1-based, inclusive).
type span struct {
	sheet       string
	first, last int
}

// totals sums the total columns exactly while the rows stream past: integers
// for int columns, minor units per currency for money columns. These sums are
// the cached values of the SUM formulas, so they must equal what a
// spreadsheet recalculates; summing integers rather than floats guarantees it
// for any amount a double holds exactly.
type totals struct {
	def     *Definition
	ints    []int64
	money   []map[string]int64
	unknown []map[string]bool // per "total if known" column: currencies with a blank amount
}

func newTotals(def *Definition) *totals {
	n := len(def.Columns)
	t := &totals{def: def, ints: make([]int64, n), money: make([]map[string]int64, n), unknown: make([]map[string]bool, n)}
	for i, c := range def.Columns {
		if c.Total && c.Format == FormatMoney {
			t.money[i] = map[string]int64{}
		}
		if c.TotalIfKnown {
			t.unknown[i] = map[string]bool{}
		}
	}
	return t
}

// wanted reports whether the report has a totals row at all.
func (t *totals) wanted() bool {
	return slices.ContainsFunc(t.def.Columns, func(c Column) bool { return c.Total })
}

func (t *totals) add(vals []value) error {
	for i, c := range t.def.Columns {
		if !c.Total {
			continue
		}
		if vals[i].null {
			if c.TotalIfKnown {
				t.addUnknown(i, vals)
			}
			continue
		}
		ok := true
		if c.Format == FormatMoney {
			s := t.money[i][vals[i].currency]
			ok = addInt64(&s, vals[i].n)
			t.money[i][vals[i].currency] = s
		} else {
			ok = addInt64(&t.ints[i], vals[i].n)
		}
		if !ok {
			return fmt.Errorf("total of column %q overflows 64 bits", c.Key)
		}
	}
	return nil
}

// addUnknown marks the currency of column i's blank amount as not known in
// full. The currency gets a total (a blank one) even when none of its
// amounts is known: otherwise it would have no total row, or show 0.
func (t *totals) addUnknown(i int, vals []value) {
	cur := vals[t.def.column(t.def.Columns[i].CurrencyKey)].text
	t.unknown[i][cur] = true
	t.money[i][cur] += 0 // creates the currency's sum if it has none
}

func addInt64(sum *int64, n int64) bool {
	if (n > 0 && *sum > math.MaxInt64-n) || (n < 0 && *sum < math.MinInt64-n) {
		return false
	}
	*sum += n
	return true
}

// totalRow is one row under the data: a label and one cell per total column.
type totalRow struct {
	label    string
	labelCol int // -1 when every column is a total column
	cells    []totalCell
}

// totalCell is a formula with its exactly computed cached value.
type totalCell struct {
	col      int
	formula  string // "" when there are no data rows to refer to
	n        int64  // the sum: an integer, or minor units of currency
	money    bool
	currency string // "" for money columns that had no rows
	unknown  bool   // an amount of the currency is not known: no sum to show
}

// rows builds the totals rows: "Total" with a SUM per column, then, for money
// columns holding several currencies (where one SUM would add dollars to
// yen), one "Total XXX" row per currency adding that currency's amounts.
func (t *totals) rows(spans []span) []totalRow {
	main := totalRow{label: "Total", labelCol: t.labelCol()}
	mixed := map[string]bool{}
	for i, c := range t.def.Columns {
		if !c.Total {
			continue
		}
		cell := totalCell{col: i, n: t.ints[i], formula: sumFormula(spans, i)}
		if c.Format == FormatMoney {
			if len(t.money[i]) > 1 {
				for cur := range t.money[i] {
					mixed[cur] = true
				}
				continue
			}
			cell.money = true
			for cur, n := range t.money[i] {
				cell.currency, cell.n, cell.unknown = cur, n, t.unknown[i][cur]
			}
		}
		main.cells = append(main.cells, cell)
	}
	out := []totalRow{main}
	for _, cur := range slices.Sorted(maps.Keys(mixed)) {
		out = append(out, t.currencyRow(spans, cur, main.labelCol))
	}
	return out
}

func (t *totals) currencyRow(spans []span, cur string, labelCol int) totalRow {
	row := totalRow{label: "Total " + cur, labelCol: labelCol}
	for i, c := range t.def.Columns {
		if c.Total && c.Format == FormatMoney && len(t.money[i]) > 1 {
			cc := t.def.column(c.CurrencyKey)
			row.cells = append(row.cells, totalCell{
				col: i, n: t.money[i][cur], money: true, currency: cur, unknown: t.unknown[i][cur],
				formula: currencySumFormula(spans, cc, cur, i),
			})
		}
	}
	return row
}

// labelCol is where "Total" goes: the first column without a total.
func (t *totals) labelCol() int {
	for i, c := range t.def.Columns {
		if !c.Total {
			return i
		}
	}
	return -1
}

func sumFormula(spans []span, col int) string {
	var refs []string
	for _, s := range spans {
		refs = append(refs, rangeRef(s, col))
	}
	if len(refs) == 0 {
		return ""
	}
	return "SUM(" + strings.Join(refs, ",") + ")"
}

// currencySumFormula adds column col's amounts whose currency is cur, one
// term per sheet. It matches the code with EXACT, not SUMIF: SUMIF ignores
// case and reads ?, * and a leading < or = as patterns, so a code FlexCharge
// spells "usd" or "US?" would go into USD's total.
func currencySumFormula(spans []span, curCol int, cur string, col int) string {
	var terms []string
	for _, s := range spans {
		terms = append(terms, fmt.Sprintf(`SUMPRODUCT(--EXACT(%s,"%s"),%s)`, rangeRef(s, curCol), strings.ReplaceAll(cur, `"`, `""`), rangeRef(s, col)))
	}
	return strings.Join(terms, "+")
}

// rangeRef is an absolute reference to one column of a span, with the sheet
// name quoted so that spaces and parentheses are safe.
func rangeRef(s span, col int) string {
	return columnsRef(s, col, col)
}

// columnsRef is an absolute reference to the adjacent columns from..to of a span.
func columnsRef(s span, from, to int) string {
	return fmt.Sprintf("%s!$%s$%d:$%s$%d", quoteSheet(s.sheet), colName(from), s.first, colName(to), s.last)
}

func cellRef(sheet string, col, row int) string {
	return fmt.Sprintf("%s!$%s$%d", quoteSheet(sheet), colName(col), row)
}

func quoteSheet(name string) string {
	return "'" + strings.ReplaceAll(name, "'", "''") + "'"
}

// colName turns a 0-based column index into Excel's letters (0 → A, 26 → AA).
func colName(i int) string {
	name := ""
	for i++; i > 0; i = (i - 1) / 26 {
		name = string(rune('A'+(i-1)%26)) + name
	}
	return name
}

func cellName(col, row int) string { return colName(col) + strconv.Itoa(row) }

// partName names the n-th sheet of a report: "Exceptions", "Exceptions (2)",
// shortening the base so that the name stays within Excel's 31 characters.
func partName(base string, n int) string {
	if n == 1 {
		return base
	}
	suffix := " (" + strconv.Itoa(n) + ")"
	r := []rune(base)
	if max := maxSheetName - len(suffix); len(r) > max {
		r = r[:max]
	}
	return strings.TrimRight(string(r), " ") + suffix
}
