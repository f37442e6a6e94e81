-- report: exceptions_by_category
-- sheet: Exceptions by category
-- title: Exceptions by category
-- column: category | Category | text | 24
-- column: findings | Findings | int | 10 | total
-- column: merchants | Merchants | int | 10
-- chart: bar | Exceptions by category | category | findings
-- $2 is a merchant, '' for every merchant.
SELECT category, count(*) AS findings, count(DISTINCT partner_merchant_id) AS merchants
FROM findings
WHERE run_id = $1 AND ($2 = '' OR partner_merchant_id = $2)
GROUP BY category
ORDER BY findings DESC, category
