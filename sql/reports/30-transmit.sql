-- report: transmit
-- sheet: Transmit
-- title: Transmit per merchant, site, profile and environment
-- column: merchant | Merchant | text | 12
-- column: site | Site | text | 28
-- column: profile | Profile | text | 14
-- column: environment | Environment | text | 12
-- column: processed | Processed | int | 11 | total
-- column: on_time | Transmitted on time | int | 12 | total
-- column: late | Late | int | 9 | total
-- column: pushed | Pushed | int | 9 | total
-- column: untransmitted | Untransmitted | int | 13 | total
-- column: failed | Failed | int | 9 | total
-- column: not_expected | Not expected | int | 12 | total
-- column: coverage | Coverage | percent | 10
-- The six states partition the processed transactions, so every row adds up.
-- Coverage is of the transactions expected (expects_copy): a copy of one
-- processed while off, of a refund, void or chargeback (no payment
-- attempt), or of test traffic under a production switch, was not
-- expected, so it neither adds nor counts, key or not.
-- Pushed counts the keys this run's pushes obtained (an earlier run's key is
-- transmitted, or late); untransmitted is left
-- only by a dry run or a transaction too old to push. Environment is the
-- one each transaction was judged in, so test traffic's counts stay apart
-- from production's coverage. $2 is a merchant, '' for every merchant.
SELECT partner_merchant_id AS merchant, coalesce(site_url, '') AS site, profile, environment,
    count(*) AS processed,
    count(*) FILTER (transmit_state = 'transmitted') AS on_time,
    count(*) FILTER (transmit_state = 'transmitted_late') AS late,
    count(*) FILTER (transmit_state = 'pushed') AS pushed,
    count(*) FILTER (transmit_state = 'untransmitted') AS untransmitted,
    count(*) FILTER (transmit_state = 'push_failed') AS failed,
    count(*) FILTER (transmit_state = 'not_expected') AS not_expected,
    CAST(count(*) FILTER (expects_copy(switch_state, status, environment) AND transmit_state IN ('transmitted', 'transmitted_late', 'pushed')) AS DOUBLE)
        / nullif(count(*) FILTER (expects_copy(switch_state, status, environment)), 0) AS coverage
FROM results
WHERE run_id = $1 AND ($2 = '' OR partner_merchant_id = $2)
GROUP BY ALL
ORDER BY merchant, site, profile, environment
