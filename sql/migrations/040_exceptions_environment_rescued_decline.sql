-- One number for two changes of this release (040 was the one free).
--
-- run_exceptions(run, merchant) as in 025, with each exception's
-- environment, so "Exceptions by merchant" keeps sandbox and production
-- apart as every other sheet does: a finding's own (037: its transaction's
-- verdict's, an orphan order's FlexCharge environment, none for a
-- quarantined row), an exception state's its verdict's. The same rows as
-- before: the sheets that count them by category still agree.
CREATE OR REPLACE MACRO run_exceptions(run, merchant) AS TABLE
SELECT partner_merchant_id, environment, category FROM findings
WHERE run_id = run AND (merchant = '' OR partner_merchant_id = merchant)
UNION ALL
SELECT partner_merchant_id, environment, CAST(outcome_state AS VARCHAR) FROM results
WHERE run_id = run AND (merchant = '' OR partner_merchant_id = merchant) AND occurrence = 1
  AND exception_outcome(outcome_state)
UNION ALL
SELECT partner_merchant_id, environment, CAST(transmit_state AS VARCHAR) FROM results
WHERE run_id = run AND (merchant = '' OR partner_merchant_id = merchant) AND exception_transmit(transmit_state);

-- A double_charge_risk keeps the decline its order was paired with as its
-- ledger value (the ledger's side of field rescue), where explain finds it;
-- it read the ' for decline <id>' the detail ended with, and a reworded
-- detail would have hidden every decline's risk without an error. The
-- findings of runs stored before this get it once, here, from that detail.
UPDATE findings SET ledger_value = regexp_extract(detail, ' for decline (.+)$', 1)
WHERE category = 'double_charge_risk' AND ledger_value IS NULL AND detail LIKE '% for decline %';
