package ledger

import "testing"

func TestCardLike(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"4111111111111111", true},
		{"PAY 4111 1111 1111 1111", true},
		{"4111-1111-1111-1111", true},
		{"CARD 4111111111111111 12/28", true}, // the run is 18 digits; its first group is a card
		{"4111 1111 1111 1111 123", true},     // 19 digits fail Luhn; the first four groups pass
		{"12-4111111111111111", true},         // a group after the first
		{"41111111111111111234", false},       // one long number is tried whole
		{"4111-1111-1111-1112", false},        // fails Luhn
		{"ORDER 123456789012", false},         // 12 digits
		{"4111  1111 1111 1111", false},       // two spaces end a run
		{"https://shop1.example/4111111111111111", true},
	}
	for _, tt := range tests {
		if got := CardLike(tt.text); got != tt.want {
			t.Errorf("CardLike(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestRedactCards(t *testing.T) {
	got := RedactCards(`Duplicate struct entry name "4111111111111111" near ORD-12345678901234`)
	want := `Duplicate struct entry name "[card number removed]" near ORD-12345678901234`
	if got != want {
		t.Errorf("RedactCards:\n got %s\nwant %s", got, want)
	}
}
