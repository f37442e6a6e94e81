-- A verdict no longer keeps whether its primary order differs from it.
-- Nothing read the flag (the findings name each difference, field by field),
-- and it was not what it said: a repeated row's was set wherever the repeat
-- said otherwise than its first occurrence (a descriptor left out, the
-- ledger's environment column), to have findings compare it again, whether
-- they then found a difference or not. Every run wrote it on every row.
CREATE OR REPLACE VIEW results AS
SELECT v.run_id, v.file_id, v.line, l.partner_merchant_id, m.name AS merchant_name, l.transaction_id,
    coalesce(v.occurrence, l.occurrence) AS occurrence, l.order_id, l.processed_at, l.status, l.amount, l.currency, l.profile,
    coalesce(v.site_url, l.site_url) AS site_url, l.descriptor, v.switch_state, v.switch_id, v.environment,
    coalesce(l.mid, v.mid) AS mid, coalesce(l.fc_transmit_key, v.transmit_key) AS transmit_key,
    v.transmit_state, v.fc_order_id, v.fc_status, v.outcome_state
FROM verdicts v
JOIN ledger_rows l ON l.file_id = v.file_id AND l.line = v.line
LEFT JOIN merchants m ON m.id = l.partner_merchant_id;

ALTER TABLE verdicts DROP COLUMN differs;
