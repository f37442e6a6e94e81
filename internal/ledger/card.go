package ledger

import (
	"regexp"
	"strings"
)

// digitRun is a run of digits with at most one space or dash between two,
// as a card number is written.
var digitRun = regexp.MustCompile(`[0-9](?:[ -]?[0-9])*`)

// CardLike says whether s holds something that looks like a full card
// number: within a run of digits, the digits of one or more consecutive
// groups (split at the spaces and dashes) 13 to 19 long and passing Luhn.
// It is the SQL guard's card_like (sql/migrations/013_card_spans.sql) in Go,
// for what the service reads before DuckDB does: headers and error texts.
func CardLike(s string) bool {
	for _, run := range digitRun.FindAllString(s, -1) {
		if runHoldsCard(run) {
			return true
		}
	}
	return false
}

// RedactCards replaces every run of digits in s that holds a card number, so
// that an error quoting a file's text never carries one.
func RedactCards(s string) string {
	return digitRun.ReplaceAllStringFunc(s, func(run string) string {
		if runHoldsCard(run) {
			return "[card number removed]"
		}
		return run
	})
}

func runHoldsCard(run string) bool {
	groups := strings.FieldsFunc(run, func(r rune) bool { return r == ' ' || r == '-' })
	for i := range groups {
		digits := ""
		for _, g := range groups[i:] {
			if digits += g; len(digits) > 19 {
				break
			}
			if len(digits) >= 13 && Luhn(digits) {
				return true
			}
		}
	}
	return false
}

// Luhn reports whether digits (ASCII digits only) pass the Luhn check.
func Luhn(digits string) bool {
	sum := 0
	for i := range len(digits) {
		d := int(digits[len(digits)-1-i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return len(digits) > 0 && sum%10 == 0
}
