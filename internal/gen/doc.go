// Package gen makes deterministic synthetic data for tests, demos and
// benchmarks: a partner's ledger exports, a FlexCharge sandbox seed, a
// configuration, and the expected verdict of every transaction. Discrepancies
// are planted on purpose, and the expectations are worked out here, in Go,
// independently of the SQL that classifies them.
package gen
