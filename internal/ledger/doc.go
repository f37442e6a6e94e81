// Package ledger knows the partner's exports: the canonical columns, how a
// file's header maps onto them, where files are found and which business
// date they carry, and what a card number looks like. The rows themselves
// are validated and loaded in bulk by DuckDB (see internal/store).
package ledger
