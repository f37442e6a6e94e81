package flexcharge

import "time"

// Environments the sandbox serves, one route tree each: /{env}/v1/...
const (
	EnvSandbox    = "sandbox"
	EnvProduction = "production"
)

// Sandbox rules from the contract, kept together so they are easy to find and
// change. Amount limits apply in the sandbox environment only: FlexCharge's
// real production takes real amounts.
const (
	SandboxMinAmount = 10    // cents, inclusive
	SandboxMaxAmount = 20000 // cents, inclusive
	SandboxCurrency  = "USD" // the only currency, in both environments

	TokenLifetime      = 10 * time.Minute
	MinManagedExpiry   = 14 * 24 * time.Hour // managed MIT: expiryDateUtc at least 2 weeks out
	ManagedSettleDelay = time.Minute         // a rescuable managed-MIT order completes after this

	RescueCard    = "4000002760003184" // always rescued
	ChallengeCard = "4111111111111111" // challenged with CVV or phone, else declined
)

// Fault-injection shape: a 429 burst lasts burst429Len requests and asks the
// client to wait retryAfterSeconds.
const (
	burst429Len       = 3
	retryAfterSeconds = 1
)

// Token claims the real API issues (decoded from a recorded sandbox token).
const tokenIssuer = "Api-Client-Service"

var tokenAudience = []string{"payments", "orders", "merchants", "eligibility-sftp", "eligibility", "contact"}

// Evaluate answers.
const (
	evalApproved        = "APPROVED"
	evalDeclined        = "DECLINED"
	evalChallenge       = "CHALLENGE"
	evalSubmitted       = "SUBMITTED"
	evalCaptureRequired = "CAPTUREREQUIRED"
)

// evalInput is what the outcome rules look at.
type evalInput struct {
	card          string
	hasCVVorPhone bool
	isMIT         bool
	managed       bool // isMIT with expiryDateUtc
	authorization bool // transactionType AUTHORIZATION
}

// evaluateOutcome applies the contract's test-card rules and returns the
// evaluate status, the order status, and whether a managed order will settle.
func evaluateOutcome(in evalInput) (answer string, status int, settles bool) {
	rescued := in.card == RescueCard
	switch {
	case in.managed:
		return evalSubmitted, StatusDraft, rescued
	case rescued && in.authorization:
		return evalCaptureRequired, StatusCaptureRequired, false
	case rescued:
		return evalApproved, StatusCompleted, false
	case in.card == ChallengeCard && !in.isMIT && in.hasCVVorPhone:
		return evalChallenge, StatusOnHold, false
	default:
		return evalDeclined, StatusCancelled, false
	}
}
