// Package jobs is the nightly reconciliation chain: ingest the ledger, pull
// FlexCharge orders, classify, push what FlexCharge never received, and write
// the workbook. Every step works on a business window handed to it, never on
// "now", so a run can be repeated and a schedule tested with a fake clock.
package jobs
