package main

import (
	"fmt"
	"time"

	"github.com/flexcharge/flexrecon/internal/recon"
	"github.com/flexcharge/flexrecon/internal/store"
)

// The why* functions restate, for one verdict, the rule of
// sql/queries/classify.sql that chose it; they follow its CASE order.

func whyTransmit(r store.ExplainedResult, loc *time.Location) string {
	switch r.TransmitState {
	case "transmitted":
		switch r.KeySource {
		case "transmit log":
			return fmt.Sprintf("a transmit log holds its key %s, transmitted at %s", r.TransmitKey, tsOr(r.LoggedAt, "unknown", loc))
		case "ledger":
			return "the ledger row carries FlexCharge's transmit key " + r.TransmitKey
		}
		return "FlexCharge's transmit key " + r.TransmitKey + " was found for it"
	case "transmitted_late":
		switch r.KeySource {
		case "transmit log":
			return fmt.Sprintf("a transmit log holds its key %s, transmitted at %s, more than 24 h after processing", r.TransmitKey, tsOr(r.LoggedAt, "unknown", loc))
		case "ledger":
			return fmt.Sprintf("the ledger row carries its key %s, which a transmit log says was transmitted at %s, more than 24 h after processing",
				r.TransmitKey, tsOr(r.LoggedAt, "unknown", loc))
		}
		return fmt.Sprintf("flexrecon's push got key %s at %s, more than 24 h after processing", r.TransmitKey, tsOr(r.PushedAt, "unknown", loc))
	case "pushed":
		return fmt.Sprintf("flexrecon pushed it: key %s at %s", r.TransmitKey, tsOr(r.PushedAt, "unknown", loc))
	case "not_expected":
		if r.SwitchState != "off" && !paymentAttempt[r.Status] {
			return fmt.Sprintf("a %s row is no payment attempt: FlexCharge takes a copy of approved, declined and error rows only, and no key was found", r.Status)
		}
		if r.SwitchState == "production" && r.Environment == "sandbox" {
			return "a sandbox (test) row while its profile was in production: production takes no copy of test traffic, " +
				"and the profile was not on in sandbox, so it is pushed nowhere; no key was found"
		}
		return switchText(r) + " when it was processed, and no key was found"
	case "push_failed":
		return "flexrecon's push was refused or ran out of retries: " + r.PushError + failedDoubt(r)
	case "untransmitted":
		return switchText(r) + ", and no key was found: " + untransmittedReason(r)
	}
	return "unknown state"
}

// paymentAttempt is what /transmit takes a copy of (classify-judge).
var paymentAttempt = map[string]bool{"approved": true, "declined": true, "error": true}

// untransmittedReason says why a run left a transaction untransmitted, by
// what its push step recorded, or why the push step could not take it.
func untransmittedReason(r store.ExplainedResult) string {
	switch {
	case r.RunPush == "failed":
		return "the run could not push it: " + r.RunPushError
	case r.RunPush == "" && r.Occurrence > 1:
		return "a repeated row: only its first occurrence is pushed"
	case r.RunPush == "" && r.MID == "":
		return fmt.Sprintf("no %s mid is registered for its merchant, so it cannot be pushed", r.Environment)
	case r.RunPush == "" && r.PushState == "intent":
		return "a push of it got no answer, so FlexCharge may hold it: no run sends it again on its own (push_in_doubt); once FlexCharge confirms it has no copy, reconcile --resend-in-doubt sends it"
	}
	return untransmittedBecause[r.RunPush]
}

// failedDoubt says, of a failed push that lost an answer first, that
// FlexCharge may hold it and so no run retries it, as push-candidates
// decides: only its first run lists it push_in_doubt, and a retryable
// failure reads as one the next run sends.
func failedDoubt(r store.ExplainedResult) string {
	switch {
	case r.PushInDoubt && r.PushRetryable:
		return "; an answer was lost before, so FlexCharge may hold it and no run sends it again on its own (push_in_doubt): once FlexCharge confirms it has no copy, reconcile --resend-in-doubt sends it"
	case r.PushInDoubt:
		return "; an answer was lost before, so FlexCharge may hold it (push_in_doubt), and it is not sent again"
	}
	return ""
}

// switchText says which switch judged r, or that none did: a profile no
// switch was recorded for (or a merchant not in the registry) is off.
func switchText(r store.ExplainedResult) string {
	if r.SwitchID == 0 {
		return fmt.Sprintf("no %s switch was recorded for its merchant, site or campaign, so the profile was off", r.Profile)
	}
	return fmt.Sprintf("the %s switch in force (#%d) was %s", r.Profile, r.SwitchID, r.SwitchState)
}

// untransmittedBecause is what a run's push step recorded, in words.
var untransmittedBecause = map[string]string{
	"":           "to be pushed",
	"too_old":    "too old to push without --backfill, so reported instead",
	"would_push": "a dry run, which would have pushed it",
}

// whyOutcome says why r has its outcome; listed is how many FlexCharge
// orders the explanation lists for its merchant order.
func whyOutcome(r store.ExplainedResult, listed int) string {
	order := fmt.Sprintf("its FlexCharge order %s has status %d", r.FCOrderID, r.FCStatus)
	switch r.OutcomeState {
	case "missed_evaluate":
		if r.FCOrderID != "" {
			return fmt.Sprintf("declined while %s was %s (switch #%d), and its FlexCharge order %s is a sandbox one (environment_mismatch), which moves no money: a lost rescue",
				r.Profile, r.SwitchState, r.SwitchID, r.FCOrderID)
		}
		why := fmt.Sprintf("declined while %s was %s (switch #%d), and no FlexCharge order is its evaluation: a lost rescue", r.Profile, r.SwitchState, r.SwitchID)
		if listed > 0 {
			why += "; the orders listed for its order id went elsewhere or came too early or too late: an order goes to the attempt it names, else the nearest decline, " +
				"and is never the evaluation of a decline over an hour after it, nor of one over an hour before it unless it names that attempt (then up to a day)"
		}
		return why
	case "recovered":
		return order + " (COMPLETED)"
	case "not_recovered":
		return order + " (CANCELLED)"
	case "refunded":
		return order + " (RETURNED)"
	case "chargeback":
		return order + " (CHARGEBACK)"
	case "problem":
		return order + " (PROBLEM)"
	case "expired":
		return order + ", still pending after its expiry"
	case "pending":
		return order + ", not final and not yet expired: carried to the next nights"
	}
	return order
}

func whyNoOutcome(r store.ExplainedResult) string {
	if r.Status != "declined" {
		return "only declines have an outcome"
	}
	return switchText(r) + ", so FlexCharge was not meant to rescue it"
}

func findingText(f store.ExplainedFinding) string {
	text := f.Detail
	if f.Field != "" && (f.LedgerValue != "" || f.FCValue != "") {
		diff := fmt.Sprintf("%s: ledger %s, FlexCharge %s", f.Field, orNone(f.LedgerValue), orNone(f.FCValue))
		if text == "" {
			return diff
		}
		text += " (" + diff + ")"
	}
	return text
}

func orderOf(id string) string {
	if id == "" {
		return ""
	}
	return " order " + id
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// ts writes a time as a person reads it, in the partner's zone with its
// offset, as the pages and the workbook do.
func ts(t time.Time, loc *time.Location) string { return recon.LocalTime(t, loc) }

// tsOr formats an optional time, or says what its absence means.
func tsOr(t *time.Time, none string, loc *time.Location) string {
	if t == nil {
		return none
	}
	return ts(*t, loc)
}
