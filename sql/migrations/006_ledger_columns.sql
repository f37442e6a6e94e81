-- The ledger's rows in cheaper columns. Ingest writes every row of a file
-- (ten million at the target size), and DuckDB pays per VARCHAR column it
-- must analyse: closed vocabularies become ENUMs (ingest admits no other
-- values, so the existing rows convert), and every other string column names
-- its compression: none for the per-attempt keys, a dictionary (dict_fsst)
-- for values that repeat. Readers compare these columns with string literals
-- unchanged.
--
-- Why none for the keys: writing ten million of them costs 0.4 s a column
-- uncompressed, 0.7 s as FSST (DuckDB's 1.0 format) and 1.0 s as dict_fsst,
-- for two to three times the bytes (about 14 a key). Ingest's target is
-- speed; the disk is the cheaper resource (docs/benchmarks.md).

CREATE TYPE tx_initiator AS ENUM ('CIT', 'MIT');
CREATE TYPE tx_channel AS ENUM ('callcenter', 'web');

CREATE TABLE ledger_rows_typed (
    file_id              BIGINT NOT NULL,
    line                 BIGINT NOT NULL,
    partner_merchant_id  VARCHAR USING COMPRESSION dict_fsst NOT NULL,
    mid                  VARCHAR USING COMPRESSION dict_fsst,
    order_id             VARCHAR USING COMPRESSION uncompressed NOT NULL,
    transaction_id       VARCHAR USING COMPRESSION uncompressed NOT NULL,
    occurrence           INTEGER NOT NULL,
    processed_at         TIMESTAMPTZ NOT NULL,
    amount               BIGINT NOT NULL,
    currency             VARCHAR USING COMPRESSION dict_fsst NOT NULL,
    status               tx_status NOT NULL,
    response_code        VARCHAR USING COMPRESSION dict_fsst,
    response_code_source VARCHAR USING COMPRESSION dict_fsst,
    initiator            tx_initiator NOT NULL,
    channel              tx_channel NOT NULL,
    profile              tx_profile NOT NULL,
    is_recurring         BOOLEAN NOT NULL,
    site_url             VARCHAR USING COMPRESSION dict_fsst,
    descriptor           VARCHAR USING COMPRESSION dict_fsst,
    campaign_id          VARCHAR USING COMPRESSION dict_fsst,
    environment          environment NOT NULL,
    card_bin             VARCHAR USING COMPRESSION dict_fsst,
    card_last4           VARCHAR USING COMPRESSION dict_fsst,
    fc_transmit_key      VARCHAR USING COMPRESSION uncompressed,
    fc_order_id          VARCHAR USING COMPRESSION uncompressed
);
INSERT INTO ledger_rows_typed SELECT * FROM ledger_rows;

-- The views over ledger_rows go while it is replaced and come back as 005
-- made them.
DROP VIEW results;
DROP VIEW ledger_tx;
DROP TABLE ledger_rows;
ALTER TABLE ledger_rows_typed RENAME TO ledger_rows;

CREATE VIEW ledger_tx AS
SELECT * FROM ledger_rows WHERE file_id IN (SELECT id FROM ledger_files WHERE outcome = 'loaded');

CREATE VIEW results AS
SELECT v.run_id, v.file_id, v.line, l.partner_merchant_id, m.name AS merchant_name, l.transaction_id,
    l.occurrence, l.order_id, l.processed_at, l.status, l.amount, l.currency, l.profile,
    coalesce(v.site_url, l.site_url) AS site_url, l.descriptor, v.switch_state, v.switch_id, v.environment,
    coalesce(l.mid, v.mid) AS mid, coalesce(l.fc_transmit_key, v.transmit_key) AS transmit_key,
    v.transmit_state, v.fc_order_id, v.fc_status, v.outcome_state, v.differs
FROM verdicts v
JOIN ledger_rows l ON l.file_id = v.file_id AND l.line = v.line
LEFT JOIN merchants m ON m.id = l.partner_merchant_id;
