-- report: pushed
-- sheet: Pushed
-- title: What this run did with the transactions FlexCharge had no copy of: sent, refused, or too old to send without a backfill (a dry run: would send)
-- column: merchant | Merchant | text | 10
-- column: transaction_id | Transaction | text | 14
-- column: environment | Environment | text | 12
-- column: outcome | Outcome | text | 12
-- column: transmit_key | Transmit key | text | 38
-- column: in_doubt | In doubt | text | 9
-- column: error | Error | text | 60
-- column: pushed_at | At | datetime | 18
SELECT partner_merchant_id AS merchant, transaction_id, environment, outcome, coalesce(transmit_key, '') AS transmit_key,
    CASE WHEN in_doubt THEN 'yes' ELSE '' END AS in_doubt, coalesce(error, '') AS error, pushed_at
FROM pushes WHERE run_id = $1 AND ($2 = '' OR partner_merchant_id = $2)
ORDER BY outcome, merchant, transaction_id
