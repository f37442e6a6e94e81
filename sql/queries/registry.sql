-- name: upsert-merchant
INSERT OR REPLACE INTO merchants (id, name) VALUES ($1, $2);

-- name: upsert-merchant-mid
INSERT OR REPLACE INTO merchant_mids (merchant_id, environment, mid) VALUES ($1, $2, $3);

-- name: forget-configured-environments
-- Seeding writes the configured environments anew: a merchant's credentials
-- taken out of the configuration no longer allow a switch there.
DELETE FROM configured_environments;

-- name: insert-configured-environment
INSERT INTO configured_environments (merchant_id, environment) VALUES ($1, $2);

-- name: upsert-site
INSERT OR REPLACE INTO sites (merchant_id, url, descriptor, site_id_sandbox, site_id_production)
VALUES ($1, $2, $3, $4, $5);

-- name: upsert-campaign
INSERT OR REPLACE INTO campaigns (merchant_id, site_url, campaign_id) VALUES ($1, $2, $3);

-- name: insert-switch-once
-- A switch from the configuration is recorded once, however often the
-- configuration is loaded; history is never rewritten.
INSERT INTO switches (id, merchant_id, profile, scope, scope_value, state, effective_at, actor, reason, recorded_at, origin)
SELECT nextval('switch_id_seq'), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
WHERE NOT EXISTS (
    SELECT 1 FROM switches WHERE merchant_id = $1 AND profile = $2 AND scope = $3 AND scope_value = $4
      AND state = $5 AND effective_at = $6
);

-- name: insert-switch
-- A switch change made from the command line or the web pages: always a new
-- row, even one that repeats an earlier change (an undo, say).
INSERT INTO switches (id, merchant_id, profile, scope, scope_value, state, effective_at, actor, reason, recorded_at, origin)
VALUES (nextval('switch_id_seq'), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
RETURNING id;

-- name: list-switches
SELECT s.id, s.merchant_id, s.profile, s.scope, s.scope_value, s.state, s.effective_at, s.actor, s.reason, s.recorded_at, s.origin
FROM switches s WHERE ($1 = '' OR s.merchant_id = $1)
ORDER BY s.merchant_id, s.profile, s.effective_at, s.id;

-- name: list-merchant-ids
-- Every registered merchant, those without a switch yet too: the page that
-- records a merchant's first switch must list it.
SELECT id FROM merchants ORDER BY id;
