-- report: exceptions_by_merchant
-- sheet: Exceptions by merchant
-- title: Exceptions by merchant, environment and category (findings, and the exception states: missed evaluate, expired, problem, untransmitted, push failed)
-- column: merchant | Merchant | text | 12
-- column: merchant_name | Name | text | 22
-- column: environment | Environment | text | 12
-- column: category | Category | text | 24
-- column: exceptions | Exceptions | int | 11 | total
-- $2 is a merchant, '' for every merchant. Quarantined rows belong to a file,
-- not a merchant, and were judged in no environment (blank, as on Exceptions).
-- An orphan order of a mid the registry does not hold has no merchant, and
-- is no file's: it shows as (unknown mid).
-- Environment as on Exceptions and Summary (run_exceptions, migration 040),
-- so a merchant's sandbox tests are not counted with its production.
WITH exceptions AS (
    SELECT coalesce(partner_merchant_id, CASE category WHEN 'quarantined' THEN '(file)' ELSE '(unknown mid)' END) AS merchant, coalesce(environment, '') AS environment, category
    FROM run_exceptions($1, $2)
)
SELECT e.merchant, coalesce(m.name, '') AS merchant_name, e.environment, e.category, count(*) AS exceptions
FROM exceptions e LEFT JOIN merchants m ON m.id = e.merchant
GROUP BY ALL
ORDER BY e.merchant, e.environment, exceptions DESC, e.category
