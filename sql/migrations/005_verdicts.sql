-- A run writes only its verdicts; what a transaction is comes from the
-- ledger row it judges. Writing ten million rows of 25 columns (most of them
-- strings copied from the ledger) cost a run more than all its judging did.
--
-- For that, the ledger keeps every row it was ever given: a corrected file
-- replaces an earlier one for the runs that follow, and the runs before it
-- still read the rows they judged. ledger_rows holds them all; ledger_tx is
-- the rows of the files in force, which is what every run judges.

CREATE TABLE verdicts (
    run_id         BIGINT NOT NULL,
    file_id        BIGINT NOT NULL,
    line           BIGINT NOT NULL,
    switch_state   switch_state NOT NULL,
    switch_id      BIGINT,
    environment    environment,
    transmit_state transmit_state NOT NULL,
    outcome_state  outcome_state,
    fc_order_id    VARCHAR USING COMPRESSION uncompressed,
    fc_status      INTEGER,
    differs        BOOLEAN NOT NULL,                   -- the primary order differs in a field a finding names
    -- Set only where the verdict is not the ledger row's own value, so that
    -- most rows store NULL: the site as registered (found by descriptor),
    -- the registry's mid for a row without one, the key of flexrecon's push.
    site_url       VARCHAR USING COMPRESSION dict_fsst,
    mid            VARCHAR USING COMPRESSION dict_fsst,
    transmit_key   VARCHAR
);

INSERT INTO verdicts
SELECT r.run_id, r.file_id, r.line, r.switch_state, r.switch_id, r.environment, r.transmit_state, r.outcome_state,
    r.fc_order_id, r.fc_status, r.differs,
    CASE WHEN r.site_url IS DISTINCT FROM l.site_url THEN r.site_url END,
    CASE WHEN l.mid IS NULL THEN r.mid END,
    CASE WHEN l.fc_transmit_key IS NULL THEN r.transmit_key END
FROM results r JOIN ledger_tx l ON l.file_id = r.file_id AND l.line = r.line;

DROP TABLE results;
ALTER TABLE ledger_tx RENAME TO ledger_rows;

CREATE VIEW ledger_tx AS
SELECT * FROM ledger_rows WHERE file_id IN (SELECT id FROM ledger_files WHERE outcome = 'loaded');

-- A run's verdicts with the ledger rows they judge, in the columns the
-- reports, the run diff and explain read.
CREATE VIEW results AS
SELECT v.run_id, v.file_id, v.line, l.partner_merchant_id, m.name AS merchant_name, l.transaction_id,
    l.occurrence, l.order_id, l.processed_at, l.status, l.amount, l.currency, l.profile,
    coalesce(v.site_url, l.site_url) AS site_url, l.descriptor, v.switch_state, v.switch_id, v.environment,
    coalesce(l.mid, v.mid) AS mid, coalesce(l.fc_transmit_key, v.transmit_key) AS transmit_key,
    v.transmit_state, v.fc_order_id, v.fc_status, v.outcome_state, v.differs
FROM verdicts v
JOIN ledger_rows l ON l.file_id = v.file_id AND l.line = v.line
LEFT JOIN merchants m ON m.id = l.partner_merchant_id;
