-- report: recovery_by_profile
-- sheet: Recovery by profile
-- title: Recovery rate by profile and environment
-- column: profile | Profile | text | 16
-- column: environment | Environment | text | 12
-- column: eligible | Eligible | int | 10 | total
-- column: recovered | Recovered | int | 10 | total
-- column: recovery_rate | Recovery rate | percent | 13
-- chart: column | Recovery rate by profile and environment | profile, environment | recovery_rate
-- Rates over every merchant and currency: counts only, since amounts in
-- different currencies do not add; a repeated row's outcome counts once.
-- Sandbox (test) rates are apart from production ones: a test rescue is no
-- recovery. The chart labels each bar by profile and environment: by
-- profile alone, a profile's sandbox bar beside its production one bore the
-- same name. $2 is a merchant, '' for every merchant.
SELECT profile, environment,
    count(*) AS eligible,
    count(*) FILTER (outcome_state = 'recovered') AS recovered,
    CAST(count(*) FILTER (outcome_state = 'recovered') AS DOUBLE) / count(*) AS recovery_rate
FROM results
WHERE run_id = $1 AND ($2 = '' OR partner_merchant_id = $2) AND outcome_state IS NOT NULL AND occurrence = 1
GROUP BY profile, environment
ORDER BY profile, environment
