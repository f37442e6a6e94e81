-- A run keeps the occurrence it judged each row as. A correction renumbers
-- the repeats of its transactions in other files (so that a transaction
-- always has an occurrence 1); without this, the earlier runs that read
-- those rows changed their counts and findings after the fact.
ALTER TABLE verdicts ADD COLUMN occurrence INTEGER;

-- Earlier runs keep theirs too. Only a transaction with repeats can be
-- renumbered, so only its verdicts need the number written down; the rest
-- read the ledger's (coalesce below), which will not change.
UPDATE verdicts SET occurrence = l.occurrence
FROM ledger_rows l
WHERE l.file_id = verdicts.file_id AND l.line = verdicts.line
  AND (l.partner_merchant_id, l.transaction_id) IN (
      SELECT (partner_merchant_id, transaction_id) FROM ledger_rows WHERE occurrence > 1);

CREATE OR REPLACE VIEW results AS
SELECT v.run_id, v.file_id, v.line, l.partner_merchant_id, m.name AS merchant_name, l.transaction_id,
    coalesce(v.occurrence, l.occurrence) AS occurrence, l.order_id, l.processed_at, l.status, l.amount, l.currency, l.profile,
    coalesce(v.site_url, l.site_url) AS site_url, l.descriptor, v.switch_state, v.switch_id, v.environment,
    coalesce(l.mid, v.mid) AS mid, coalesce(l.fc_transmit_key, v.transmit_key) AS transmit_key,
    v.transmit_state, v.fc_order_id, v.fc_status, v.outcome_state, v.differs
FROM verdicts v
JOIN ledger_rows l ON l.file_id = v.file_id AND l.line = v.line
LEFT JOIN merchants m ON m.id = l.partner_merchant_id;
