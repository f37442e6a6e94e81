-- Which states are exceptions, named once. The Summary counted them with a
-- list of its own beside run_exceptions' (021), and the two could drift
-- apart; both now ask these. An outcome counts once per transaction (its
-- first occurrence's), a transmit state on every row.
CREATE MACRO exception_outcome(state) AS state IN ('missed_evaluate', 'expired', 'problem');
CREATE MACRO exception_transmit(state) AS state IN ('untransmitted', 'push_failed');

-- run_exceptions(run, merchant) as in 021, by those macros.
CREATE OR REPLACE MACRO run_exceptions(run, merchant) AS TABLE
SELECT partner_merchant_id, category FROM findings
WHERE run_id = run AND (merchant = '' OR partner_merchant_id = merchant)
UNION ALL
SELECT partner_merchant_id, CAST(outcome_state AS VARCHAR) FROM results
WHERE run_id = run AND (merchant = '' OR partner_merchant_id = merchant) AND occurrence = 1
  AND exception_outcome(outcome_state)
UNION ALL
SELECT partner_merchant_id, CAST(transmit_state AS VARCHAR) FROM results
WHERE run_id = run AND (merchant = '' OR partner_merchant_id = merchant) AND exception_transmit(transmit_state);
