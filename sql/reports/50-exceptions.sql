-- report: exceptions
-- sheet: Exceptions
-- title: Exceptions: one row per finding (the exception states, such as missed evaluate, are counted on Exceptions by category)
-- column: category | Category | text | 22
-- column: merchant | Merchant | text | 10
-- column: site | Site | text | 28
-- column: profile | Profile | text | 14
-- column: environment | Environment | text | 12
-- column: order_id | Order | text | 14
-- column: transaction_id | Transaction | text | 14
-- column: occurrence | Occurrence | int | 11
-- column: fc_order_id | FlexCharge order | text | 38
-- column: field | Field | text | 12
-- column: ledger_value | Ledger value | text | 20
-- column: fc_value | FlexCharge value | text | 20
-- column: processed_at | Processed | datetime | 18
-- column: age_days | Age (days) | int | 10
-- column: detail | Detail | text | 50
-- Environment is, as on every other sheet, the one the transaction was
-- judged in (its verdict's); an orphan order's is the one FlexCharge holds
-- it in; a quarantined row, judged in none, has none. So a sandbox test
-- row's findings can be told from production's, and each row ties to the
-- Summary row of its merchant and environment. The finding keeps it
-- (migration 037): joined to the run's results, the sheet cost 1.5-2 s at 10M.
-- Age is whole days elapsed from processing to the run's clock: counting
-- midnights instead would depend on a zone (in UTC, two findings of one New
-- York business day could differ by a day).
SELECT f.category, coalesce(f.partner_merchant_id, '') AS merchant, coalesce(f.site_url, '') AS site,
    coalesce(f.profile, '') AS profile,
    coalesce(f.environment, '') AS environment,
    coalesce(f.order_id, '') AS order_id, coalesce(f.transaction_id, '') AS transaction_id, f.occurrence,
    coalesce(f.fc_order_id, '') AS fc_order_id, coalesce(f.field, '') AS field,
    coalesce(f.ledger_value, '') AS ledger_value, coalesce(f.fc_value, '') AS fc_value, f.processed_at,
    CAST(floor((epoch(r.as_of) - epoch(f.processed_at)) / 86400) AS BIGINT) AS age_days, coalesce(f.detail, '') AS detail
FROM findings f JOIN runs r ON r.id = f.run_id
WHERE f.run_id = $1 AND ($2 = '' OR f.partner_merchant_id = $2)
ORDER BY f.category, merchant, environment, f.processed_at NULLS LAST, transaction_id, f.occurrence, f.field
