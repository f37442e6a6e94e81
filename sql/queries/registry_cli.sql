-- Registry changes made from the command line.

-- name: switch-target
-- Is the target of a switch registered? $1 merchant, $2 scope, $3 scope value,
-- $4 state. A switch on an unknown merchant, site or campaign would never
-- apply, so the CLI refuses it rather than record a change that does
-- nothing; and one to an environment the merchant has no credentials for
-- in the configuration now would judge transactions there that no run can push or pull
-- orders for, as the configuration's own switches may not.
SELECT
    EXISTS (SELECT 1 FROM merchants WHERE id = $1) AS merchant_known,
    CASE $2
        WHEN 'site' THEN EXISTS (SELECT 1 FROM sites WHERE merchant_id = $1 AND url = $3)
        WHEN 'campaign' THEN EXISTS (SELECT 1 FROM campaigns WHERE merchant_id = $1 AND campaign_id = $3)
        ELSE true
    END AS scope_known,
    $4 = 'off' OR EXISTS (SELECT 1 FROM configured_environments WHERE merchant_id = $1 AND environment = $4) AS environment_known;
