-- report: recovery
-- sheet: Recovery
-- title: Recovery per merchant, site, profile and environment
-- column: merchant | Merchant | text | 12
-- column: site | Site | text | 28
-- column: profile | Profile | text | 14
-- column: environment | Environment | text | 12
-- column: currency | Currency | text | 9
-- column: declines | Declines | int | 10 | total
-- column: eligible | Eligible | int | 10 | total
-- column: evaluated | Evaluated | int | 10 | total
-- column: recovered | Recovered | int | 10 | total
-- column: pending | Pending | int | 10 | total
-- column: expired | Expired | int | 10 | total
-- column: refunded | Refunded | int | 10 | total
-- column: chargebacks | Chargebacks | int | 12 | total
-- column: gross_amount | Recovered gross | money:currency | 16 | total
-- column: refunded_amount | Refunded amount | money:currency | 16 | total
-- column: chargeback_amount | Chargeback amount | money:currency | 16 | total
-- column: net_amount | Recovered net | money:currency | 16 | total
-- column: recovery_rate | Recovery rate | percent | 11
-- Eligible: declines whose profile was on; evaluated: those FlexCharge made an
-- order for. A recovered order later returned or charged back leaves the
-- recovered state, so gross counts all three and net is what was kept: it is
-- the Summary's recovered amount. The amounts are the ledger's, each
-- decline's own: a FlexCharge order's amount, which may be unknown, is in
-- none of them, so an order without one never counts as recovering 0. Every
-- figure is of declines, so only they are read; a repeated row (occurrence 2
-- on) is among the declines, but its outcome is its first occurrence's and
-- is counted once. Environment is the one each decline was judged in
-- (verdicts): sandbox test traffic and a profile's sandbox days are apart
-- from its production money, as on Summary, which each row ties out to.
-- $2 is a merchant, '' for every merchant.
SELECT partner_merchant_id AS merchant, coalesce(site_url, '') AS site, profile, environment, currency,
    count(*) AS declines,
    count(*) FILTER (outcome_state IS NOT NULL) AS eligible,
    count(*) FILTER (outcome_state IS NOT NULL AND outcome_state <> 'missed_evaluate') AS evaluated,
    count(*) FILTER (outcome_state = 'recovered') AS recovered,
    count(*) FILTER (outcome_state = 'pending') AS pending,
    count(*) FILTER (outcome_state = 'expired') AS expired,
    count(*) FILTER (outcome_state = 'refunded') AS refunded,
    count(*) FILTER (outcome_state = 'chargeback') AS chargebacks,
    CAST(coalesce(sum(amount) FILTER (outcome_state IN ('recovered', 'refunded', 'chargeback')), 0) AS BIGINT) AS gross_amount,
    CAST(coalesce(sum(amount) FILTER (outcome_state = 'refunded'), 0) AS BIGINT) AS refunded_amount,
    CAST(coalesce(sum(amount) FILTER (outcome_state = 'chargeback'), 0) AS BIGINT) AS chargeback_amount,
    CAST(coalesce(sum(amount) FILTER (outcome_state = 'recovered'), 0) AS BIGINT) AS net_amount,
    CAST(count(*) FILTER (outcome_state = 'recovered') AS DOUBLE)
        / nullif(count(*) FILTER (outcome_state IS NOT NULL), 0) AS recovery_rate
FROM (
    SELECT * REPLACE (CASE WHEN occurrence = 1 THEN outcome_state END AS outcome_state)
    FROM results
    WHERE run_id = $1 AND ($2 = '' OR partner_merchant_id = $2) AND status = 'declined'
)
GROUP BY ALL
ORDER BY merchant, site, profile, environment, currency
