-- report: exceptions
-- sheet: Exceptions
-- title: Exceptions: one row per finding
-- Plain comments like this one are allowed in the header.
-- column: category | Category | text | 22
-- column: merchant | Merchant | text | 18
-- column: amount | Amount | money:currency | 16 | total
-- column: currency | Currency | text | 9
-- column: rate | Recovery rate | percent | 10
-- column: processed_at | Processed | datetime | 20
-- column: booked | Booked | date | 12
-- column: age_days | Age (days) | int | 10 | total
SELECT category, merchant, amount_minor AS amount, currency, rate, processed_at, booked, age_days
FROM findings
WHERE run_id = $1
ORDER BY processed_at NULLS LAST, merchant, amount_minor
