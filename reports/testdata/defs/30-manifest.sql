-- report: manifest
-- sheet: Manifest
-- column: key | Key | key | 20
-- column: value | Value | value | 40
SELECT 'run_id' AS key, CAST($1 AS VARCHAR) AS value
UNION ALL SELECT 'findings', CAST(count(*) AS VARCHAR) FROM findings WHERE run_id = $1
ORDER BY key
