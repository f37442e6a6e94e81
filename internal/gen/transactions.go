package gen

import (
	"time"

	"github.com/flexcharge/flexrecon/internal/recon"
)

// row is one ledger row as the partner exports it.
type row struct {
	merchant, orderID, txID string
	processedAt             time.Time
	amount                  int64
	currency                string
	status, responseCode    string
	profile                 recon.Profile
	recurring               bool
	siteURL, descriptor     string
	campaign                string
	bin, last4, transmitKey string
	badAmount               bool // quarantined: the amount is not a number
	testTraffic             bool // the ledger marks it environment=sandbox
}

// addTransaction makes one ledger transaction, its FlexCharge side and its
// expected verdict, planting discrepancies at fixed rates.
func (d *dataset) addTransaction() {
	day := d.r.IntN(len(d.days))
	m, rw := d.newRow(day)
	if d.chance(0.002) {
		rw.badAmount = true
		d.out.row(day, rw)
		d.plan.Quarantine++
		return
	}
	state := d.stateOf(m, rw)
	e := Expectation{Merchant: rw.merchant, TransactionID: rw.txID, Occurrence: 1}
	d.judgeTransmit(&rw, state, &e)
	d.plantTestTraffic(&rw, state, &e)
	var rescuedIn recon.Environment
	if rw.status == "declined" {
		rescuedIn = d.judgeDecline(m, rw, state, &e)
	}
	if m == nil {
		e.Findings = append(e.Findings, string(recon.UnknownMerchant))
	} else if m.site(rw.siteURL) == nil {
		e.Findings = append(e.Findings, string(recon.UnknownSite))
	}
	// Only a production rescue charges the customer.
	retry := e.Outcome == string(recon.Recovered) && rescuedIn == recon.Production && d.chance(0.03) &&
		d.dayEnd(day).Sub(rw.processedAt) > time.Second // the retry stays on the decline's business day
	d.emit(day, rw, e)
	if retry {
		d.addMerchantRetry(day, m, rw)
	}
}

// emit stores a row and its expectation, sometimes twice, as an export that
// repeats a line would.
func (d *dataset) emit(day int, rw row, e Expectation) {
	d.out.row(day, rw)
	d.out.expect(e)
	if d.chance(0.003) {
		dup := e
		dup.Occurrence = 2
		dup.Findings = append(append([]string{}, e.Findings...), string(recon.DuplicateRow))
		d.out.row(day, rw)
		d.out.expect(dup)
	}
}

func (d *dataset) newRow(day int) (*merchant, row) {
	var m *merchant
	rw := row{orderID: d.id("O"), processedAt: d.timeOn(day, 0)}
	rw.txID = "T" + rw.orderID[1:]
	rw.merchant = "M999"
	if !d.chance(0.002) {
		m = &d.merchants[d.r.IntN(len(d.merchants))]
		rw.merchant = m.id
	}
	rw.profile = d.pickProfile()
	d.pickSite(m, &rw)
	rw.amount, rw.currency = 10+d.r.Int64N(19990), "USD"
	rw.status, rw.responseCode = d.pickStatus()
	rw.recurring = rw.profile == recon.MIT
	rw.bin, rw.last4 = "400000", "3184"
	return m, rw
}

func (d *dataset) pickProfile() recon.Profile {
	switch f := d.r.Float64(); {
	case f < 0.55:
		return recon.CITWeb
	case f < 0.70:
		return recon.CITCallCenter
	default:
		return recon.MIT
	}
}

func (d *dataset) pickSite(m *merchant, rw *row) {
	if m == nil || d.chance(0.003) {
		rw.siteURL, rw.descriptor = "https://unlisted.example", "UNLISTED*SHOP"
		return
	}
	s := m.sites[d.r.IntN(len(m.sites))]
	rw.siteURL, rw.descriptor = s.url, s.descriptor
	if s.campaign != "" && d.chance(0.5) {
		rw.campaign = s.campaign
	}
}

func (d *dataset) pickStatus() (status, code string) {
	switch f := d.r.Float64(); {
	case f < 0.68:
		return "approved", "00"
	case f < 0.96:
		return "declined", []string{"05", "51", "203"}[d.r.IntN(3)]
	case f < 0.98:
		return "error", "96"
	case f < 0.99:
		return "refunded", "00"
	default:
		return "voided", "00"
	}
}

// judgeTransmit decides whether the gateway kept a transmit key, and what a
// run at asOf will make of a row without one.
func (d *dataset) judgeTransmit(rw *row, state recon.SwitchState, e *Expectation) {
	// Drawn for every row, so that a refund's draw leaves the rows after it
	// as they were.
	kept := state == recon.Off && d.chance(0.10) || state != recon.Off && d.chance(d.opts.KeyRate)
	switch {
	case !paymentAttempt[rw.status]:
		e.Transmit = string(recon.NotExpected) // no copy of a refund or void is sent, nor a key kept
	case kept:
		rw.transmitKey = d.id("K")
		e.Transmit = string(recon.Transmitted)
	case state == recon.Off:
		e.Transmit = string(recon.NotExpected)
	case rw.processedAt.Before(d.asOf.Add(-24 * time.Hour)):
		e.Transmit = string(recon.Untransmitted) // too old to push without a backfill
	case rw.status == "approved" && d.chance(0.1):
		rw.currency = "EUR" // FlexCharge takes USD only: it refuses the transmit
		e.Transmit = string(recon.PushFailed)
	default:
		e.Transmit = string(recon.Pushed)
	}
}

// plantTestTraffic marks about 0.5 % of approvals as test traffic
// (environment=sandbox), drawn for every row from a stream of their own.
// Under a production switch such a row is judged in sandbox: production
// takes no copy of it (not_expected, unless the gateway kept a key, which
// stands), and it is an environment_mismatch (field switch). Under a
// sandbox switch it is where its switch is, and off it is off: nothing
// changes. Approvals only: they have no FlexCharge order, whose side a
// sandbox decline would need planted in sandbox.
func (d *dataset) plantTestTraffic(rw *row, state recon.SwitchState, e *Expectation) {
	if d.test.Float64() >= 0.005 || rw.status != "approved" {
		return
	}
	rw.testTraffic = true
	if state != recon.OnProduction {
		return
	}
	if rw.transmitKey == "" {
		e.Transmit = string(recon.NotExpected)
	}
	e.Findings = append(e.Findings, string(recon.EnvironmentMismatch))
}

// paymentAttempt is what /transmit takes a copy of: an approval or a failed
// attempt (declined, error). A refund or void records what became of an
// earlier payment.
var paymentAttempt = map[string]bool{"approved": true, "declined": true, "error": true}

// addMerchantRetry plants the merchant's own approved retry after FlexCharge
// already rescued the order: a double-charge risk, the retry's (the second
// charge).
func (d *dataset) addMerchantRetry(day int, m *merchant, decline row) {
	retry := decline
	retry.txID = d.id("R")
	retry.status, retry.responseCode = "approved", "00"
	retry.processedAt = decline.processedAt.Add(time.Second)
	re := Expectation{Merchant: retry.merchant, TransactionID: retry.txID, Occurrence: 1}
	state := d.stateOf(m, retry)
	retry.transmitKey = ""
	d.judgeTransmit(&retry, state, &re)
	re.Findings = append(re.Findings, string(recon.DoubleChargeRisk))
	if m.site(retry.siteURL) == nil {
		re.Findings = append(re.Findings, string(recon.UnknownSite))
	}
	d.out.row(day, retry)
	d.out.expect(re)
}

func (m *merchant) site(url string) *site {
	for i := range m.sites {
		if m.sites[i].url == url {
			return &m.sites[i]
		}
	}
	return nil
}

// dayEnd is the local midnight after a business day: days are 23 or 25 hours
// long when daylight saving starts or ends.
func (d *dataset) dayEnd(day int) time.Time {
	start := d.days[day]
	return time.Date(start.Year(), start.Month(), start.Day()+1, 0, 0, 0, 0, start.Location())
}

// timeOn is a random second of a business day, keeping margin clear of its end.
func (d *dataset) timeOn(day int, margin time.Duration) time.Time {
	span := d.dayEnd(day).Sub(d.days[day]) - margin
	return d.days[day].Add(time.Duration(d.r.Int64N(int64(span/time.Second))) * time.Second)
}
