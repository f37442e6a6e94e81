-- report: exceptions_by_merchant
-- sheet: Exceptions by merchant
-- title: Exceptions by merchant and category (findings, and the exception states: missed evaluate, expired, problem, untransmitted, push failed)
-- column: merchant | Merchant | text | 12
-- column: merchant_name | Name | text | 22
-- column: category | Category | text | 24
-- column: exceptions | Exceptions | int | 11 | total
-- $2 is a merchant, '' for every merchant. Quarantined rows belong to a file, not a merchant.
WITH exceptions AS (
    SELECT coalesce(partner_merchant_id, '(file)') AS merchant, category FROM findings
    WHERE run_id = $1 AND ($2 = '' OR partner_merchant_id = $2)
    UNION ALL
    SELECT partner_merchant_id, outcome_state FROM results
    WHERE run_id = $1 AND ($2 = '' OR partner_merchant_id = $2) AND outcome_state IN ('missed_evaluate', 'expired', 'problem')
    UNION ALL
    SELECT partner_merchant_id, transmit_state FROM results
    WHERE run_id = $1 AND ($2 = '' OR partner_merchant_id = $2) AND transmit_state IN ('untransmitted', 'push_failed')
)
SELECT e.merchant, coalesce(m.name, '') AS merchant_name, e.category, count(*) AS exceptions
FROM exceptions e LEFT JOIN merchants m ON m.id = e.merchant
GROUP BY ALL
ORDER BY e.merchant, exceptions DESC, e.category
