-- An order copy stored by a run judged as of a future date was stamped as
-- fetched then, and every later pull and webhook, older than that stamp,
-- was ignored. Pulls now never stamp a copy later than the time it was
-- fetched; copies stamped so before are brought back to now.
UPDATE fc_orders SET fetched_at = now() WHERE fetched_at > now();
