-- A finding keeps the environment it is of: its transaction's verdict's (the
-- one it was judged in), an orphan order's the one FlexCharge holds it in
-- (its FlexCharge value), a quarantined row's none. The Exceptions sheet
-- found it by joining each finding to the run's results, ten million rows
-- at 10M, which cost the workbook stage 1.5-2 s; classify and push now
-- write it with the finding.
-- Runs stored before this get it once, here, by that same join. Its cost
-- grows with every stored run's verdicts (results joins them to their
-- ledger rows): about the Exceptions sheet's join once per run kept.
ALTER TABLE findings ADD COLUMN environment VARCHAR;

UPDATE findings SET environment = fc_value WHERE category = 'orphan_order';

UPDATE findings f SET environment = v.environment
FROM results v
WHERE v.run_id = f.run_id AND v.partner_merchant_id = f.partner_merchant_id
    AND v.transaction_id = f.transaction_id AND v.occurrence = f.occurrence
    AND f.category <> 'orphan_order';
