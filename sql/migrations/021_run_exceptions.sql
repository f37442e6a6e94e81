-- run_exceptions(run, merchant): one row per exception of a run, of one
-- merchant or of all (''): its findings, and the exception states of its
-- transactions (missed evaluate, expired, problem; untransmitted, push
-- failed). The sheets that count exceptions by category and by merchant read
-- this one list, so they agree. A repeated row's outcome is its first
-- occurrence's, counted once as the Recovery sheet counts it (the repeat is
-- a duplicate_row finding of its own); transmit states are every row's, as
-- the Transmit sheet counts them.
CREATE MACRO run_exceptions(run, merchant) AS TABLE
SELECT partner_merchant_id, category FROM findings
WHERE run_id = run AND (merchant = '' OR partner_merchant_id = merchant)
UNION ALL
SELECT partner_merchant_id, CAST(outcome_state AS VARCHAR) FROM results
WHERE run_id = run AND (merchant = '' OR partner_merchant_id = merchant) AND occurrence = 1
  AND outcome_state IN ('missed_evaluate', 'expired', 'problem')
UNION ALL
SELECT partner_merchant_id, CAST(transmit_state AS VARCHAR) FROM results
WHERE run_id = run AND (merchant = '' OR partner_merchant_id = merchant) AND transmit_state IN ('untransmitted', 'push_failed');
