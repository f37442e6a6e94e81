-- Transmit logs: the keys /transmit returned, as a partner's gateway logged
-- them apart from its ledger exports (reconciliation.md, Matching). A log's
-- file is recorded in ledger_files like an export's, with no business date;
-- its rows only add keys, so a log is never replaced, and the same file
-- again is a no-op.
CREATE TABLE transmit_log (
    file_id             BIGINT NOT NULL,
    line                BIGINT NOT NULL,
    partner_merchant_id VARCHAR NOT NULL,
    transaction_id      VARCHAR NOT NULL,
    transmit_key        VARCHAR NOT NULL,
    transmitted_at      TIMESTAMPTZ NOT NULL
);
