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
