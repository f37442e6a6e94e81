package ledger_test

import (
	"strings"
	"testing"

	"github.com/flexcharge/flexrecon/internal/ledger"
)

func TestStrptime(t *testing.T) {
	for layout, want := range map[string]string{
		"MM/DD/YYYY HH:MM":    "%m/%d/%Y %H:%M",
		"YYYY-MM-DD HH:mm:SS": "%Y-%m-%d %H:%M:%S",
		"DD.MM.YY hh:MM AM":   "%d.%m.%y %I:%M %p",
		"%d/%m/%Y %H:%M":      "%d/%m/%Y %H:%M",
		"YYYYMMDDHHMMSS":      "%Y%m%d%H%M%S",
		"MMDDYYYY-hhMM PM":    "%m%d%Y-%I%M %p",
	} {
		if got := (ledger.Mapping{TimeLayout: layout}).Strptime(); got != want {
			t.Errorf("Strptime(%q): got %q, want %q", layout, got, want)
		}
	}
}

func TestMappingValidate(t *testing.T) {
	m := ledger.Mapping{Delimiter: ";;", Columns: map[string]string{"amout": "x"}, Values: map[string]map[string]string{"order_id": {}},
		AmountUnit: "cents", Zone: "Mars/Base"}
	err := m.Validate()
	for _, want := range []string{"delimiter", `"amout" is not a canonical column`, `"order_id" is not one of`, `"cents" is not major or minor`, "Mars/Base"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate(%+v): got %v, want it to mention %q", m, err, want)
		}
	}
}

func TestMapMissingRenamed(t *testing.T) {
	m := ledger.Mapping{Columns: map[string]string{"transaction_id": "TxnID"}}
	_, err := m.Map([]string{"partner_merchant_id", "order_id", "processed_at", "amount", "currency", "status", "initiator"})
	if err == nil || !strings.Contains(err.Error(), `line 1: header lacks required columns: transaction_id (mapped from "TxnID")`) {
		t.Errorf("Map without the renamed column: got %v", err)
	}
}

// TestMappingMapsCurrency: a source's value map may cover currency, as it
// covers the enum columns.
func TestMappingMapsCurrency(t *testing.T) {
	m := ledger.Mapping{Values: map[string]map[string]string{"currency": {"$": "USD"}}}
	if err := m.Validate(); err != nil {
		t.Errorf("validate %+v: %v, want no error", m, err)
	}
}

// TestMappingValueSpeltTwice: a value map that maps two spellings of one
// file value (the same without regard to case and spaces) to different
// values is refused, naming it: a row would get either, by Go's map order.
// Two spellings of one mapping are fine.
func TestMappingValueSpeltTwice(t *testing.T) {
	m := ledger.Mapping{Values: map[string]map[string]string{
		"status":  {"APPROVED": "approved", "approved ": "declined", "OK": "approved", "ok": "approved"},
		"channel": {"Phone": "callcenter", "phone": "callcenter"},
	}}
	err := m.Validate()
	want := `values: status: "approved" mapped to different values in different spellings (file values match without regard to case and spaces)`
	if err == nil || err.Error() != want {
		t.Errorf("Validate(%+v): got %v, want %q", m, err, want)
	}
}
