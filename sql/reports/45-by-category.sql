-- report: exceptions_by_category
-- sheet: Exceptions by category
-- title: Exceptions by category (findings, and the exception states: missed evaluate, expired, problem, untransmitted, push failed)
-- column: category | Category | text | 24
-- column: exceptions | Exceptions | int | 11 | total
-- column: merchants | Merchants | int | 10
-- chart: bar | Exceptions by category | category | exceptions
-- The same exceptions "Exceptions by merchant" counts. $2 is a merchant, ''
-- for every merchant.
SELECT category, count(*) AS exceptions, count(DISTINCT partner_merchant_id) AS merchants
FROM run_exceptions($1, $2)
GROUP BY category
ORDER BY exceptions DESC, category
