package ledger

// Column is one canonical ledger column.
type Column struct {
	Name     string
	Required bool
}

// Columns are the canonical columns of ledger-format.md, in stored order.
var Columns = []Column{
	{"partner_merchant_id", true},
	{"mid", false},
	{"order_id", true},
	{"transaction_id", true},
	{"processed_at", true},
	{"amount", true},
	{"currency", true},
	{"status", true},
	{"response_code", false},
	{"response_code_source", false},
	{"initiator", true},
	{"channel", false},
	{"is_recurring", false},
	{"site_url", false},
	{"descriptor", false},
	{"campaign_id", false},
	{"environment", false},
	{"card_bin", false},
	{"card_last4", false},
	{"fc_transmit_key", false},
	{"fc_order_id", false},
}
