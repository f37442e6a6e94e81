package recon

// TransmitState says whether FlexCharge has a copy of a processed transaction.
// Every ledger transaction ends in exactly one.
type TransmitState string

// Transmit states, as reconciliation.md defines them. Pushed means this run's
// own push obtained the key; a later run counts that key as it counts any
// (transmitted, or transmitted_late), so a run's Pushed is what it sent.
const (
	Transmitted     TransmitState = "transmitted"
	TransmittedLate TransmitState = "transmitted_late"
	Untransmitted   TransmitState = "untransmitted"
	Pushed          TransmitState = "pushed"
	PushFailed      TransmitState = "push_failed"
	NotExpected     TransmitState = "not_expected"
)

// TransmitStates lists the transmit states in report order.
var TransmitStates = []TransmitState{Transmitted, TransmittedLate, Pushed, Untransmitted, PushFailed, NotExpected}

// OutcomeState is what became of a decline whose profile was on.
type OutcomeState string

// Outcome states, as reconciliation.md defines them.
const (
	Recovered      OutcomeState = "recovered"
	NotRecovered   OutcomeState = "not_recovered"
	Refunded       OutcomeState = "refunded"
	Chargeback     OutcomeState = "chargeback"
	Pending        OutcomeState = "pending"
	Expired        OutcomeState = "expired"
	Problem        OutcomeState = "problem"
	MissedEvaluate OutcomeState = "missed_evaluate"
)

// OutcomeStates lists the outcome states in report order.
var OutcomeStates = []OutcomeState{Recovered, NotRecovered, Refunded, Chargeback, Pending, Expired, Problem, MissedEvaluate}

// Finding is a consistency or data-quality observation added on top of the states.
type Finding string

// Findings, as reconciliation.md defines them.
const (
	EvaluatedWhileOff   Finding = "evaluated_while_off"
	AmountMismatch      Finding = "amount_mismatch"
	CurrencyMismatch    Finding = "currency_mismatch"
	SiteMismatch        Finding = "site_mismatch"
	DescriptorMismatch  Finding = "descriptor_mismatch"
	ProfileMismatch     Finding = "profile_mismatch"
	EnvironmentMismatch Finding = "environment_mismatch"
	DuplicateEvaluate   Finding = "duplicate_evaluate"
	DoubleChargeRisk    Finding = "double_charge_risk"
	OrphanOrder         Finding = "orphan_order"
	UnknownMerchant     Finding = "unknown_merchant"
	UnknownSite         Finding = "unknown_site"
	DuplicateRow        Finding = "duplicate_row"
	Quarantined         Finding = "quarantined"
	PushInDoubt         Finding = "push_in_doubt"
)

// Findings lists every finding in report order.
var Findings = []Finding{
	EvaluatedWhileOff, AmountMismatch, CurrencyMismatch, SiteMismatch, DescriptorMismatch,
	ProfileMismatch, EnvironmentMismatch, DuplicateEvaluate, DoubleChargeRisk, OrphanOrder,
	UnknownMerchant, UnknownSite, DuplicateRow, Quarantined, PushInDoubt,
}
