-- report: summary
-- sheet: Summary
-- title: Summary per merchant and environment (Exceptions: the transactions' findings and exception states; orphan orders and quarantined rows are on Exceptions by merchant)
-- column: merchant | Merchant | text | 12
-- column: merchant_name | Name | text | 22
-- column: environment | Environment | text | 12
-- column: currency | Currency | text | 9
-- column: transactions | Transactions | int | 13 | total
-- column: amount | Amount | money:currency | 16 | total
-- column: approved | Approved | int | 10 | total
-- column: declined | Declined | int | 10 | total
-- column: transmit_coverage | Transmit coverage | percent | 12
-- column: rescue_coverage | Rescue coverage | percent | 12
-- column: recovered | Recovered | int | 10 | total
-- column: recovered_amount | Recovered amount | money:currency | 16 | total
-- column: recovery_rate | Recovery rate | percent | 11
-- column: exceptions | Exceptions | int | 11 | total
-- Coverage: of the transactions FlexCharge expected (expects_copy: profile
-- on, a payment attempt, no test traffic; key or not), the share it
-- holds a copy of; of the declines it should have seen, the share it made an
-- order for. A repeated ledger row (occurrence 2 on) is the same attempt as
-- its first: counted among transactions, but its outcome (and money
-- recovered) only once. The recovered amount is the ledger's, as on
-- Recovery: an order whose amount FlexCharge did not give still recovers its
-- decline's.
-- Exceptions: the transactions' findings plus their exception states (missed
-- evaluate, expired, problem, untransmitted, push failed: migration 025 names
-- them for run_exceptions and this sheet alike); orphan orders and
-- quarantined rows have no transaction and are counted on "Exceptions by merchant".
-- $2 is a merchant for that merchant's own workbook, '' for every merchant.
WITH f AS (
    SELECT partner_merchant_id, transaction_id, occurrence, count(*) AS n FROM findings WHERE run_id = $1 AND ($2 = '' OR partner_merchant_id = $2) GROUP BY ALL
)
SELECT r.partner_merchant_id AS merchant, coalesce(any_value(r.merchant_name), '(unknown)') AS merchant_name,
    r.environment, r.currency,
    count(*) AS transactions,
    CAST(sum(r.amount) AS BIGINT) AS amount,
    count(*) FILTER (r.status = 'approved') AS approved,
    count(*) FILTER (r.status = 'declined') AS declined,
    CAST(count(*) FILTER (expects_copy(r.switch_state, r.status, r.environment) AND r.transmit_state IN ('transmitted', 'transmitted_late', 'pushed')) AS DOUBLE)
        / nullif(count(*) FILTER (expects_copy(r.switch_state, r.status, r.environment)), 0) AS transmit_coverage,
    CAST(count(*) FILTER (r.occurrence = 1 AND r.outcome_state IS NOT NULL AND r.outcome_state <> 'missed_evaluate') AS DOUBLE)
        / nullif(count(*) FILTER (r.occurrence = 1 AND r.outcome_state IS NOT NULL), 0) AS rescue_coverage,
    count(*) FILTER (r.occurrence = 1 AND r.outcome_state = 'recovered') AS recovered,
    CAST(coalesce(sum(r.amount) FILTER (r.occurrence = 1 AND r.outcome_state = 'recovered'), 0) AS BIGINT) AS recovered_amount,
    CAST(count(*) FILTER (r.occurrence = 1 AND r.outcome_state = 'recovered') AS DOUBLE)
        / nullif(count(*) FILTER (r.occurrence = 1 AND r.outcome_state IS NOT NULL), 0) AS recovery_rate,
    CAST(coalesce(sum(f.n), 0)
        + count(*) FILTER (r.occurrence = 1 AND exception_outcome(r.outcome_state))
        + count(*) FILTER (exception_transmit(r.transmit_state)) AS BIGINT) AS exceptions
FROM results r
LEFT JOIN f USING (partner_merchant_id, transaction_id, occurrence)
WHERE r.run_id = $1 AND ($2 = '' OR r.partner_merchant_id = $2)
GROUP BY r.partner_merchant_id, r.environment, r.currency
ORDER BY merchant, environment, currency
