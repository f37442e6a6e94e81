-- report: by_category
-- sheet: By category
-- column: category | Category | text | 22
-- column: findings | Findings | int | 10 | total
-- column: usd | Amount USD | money:currency | 16 | total
-- column: currency | Currency | text | 9
-- chart: column | Exceptions by category | category | findings
SELECT category,
       CAST(count(*) AS BIGINT) AS findings,
       sum(amount_minor) FILTER (WHERE currency = 'USD') AS usd,
       'USD' AS currency
FROM findings
WHERE run_id = $1
GROUP BY category
ORDER BY category
