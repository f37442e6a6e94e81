-- The environments each merchant has credentials for in the configuration
-- now. merchant_mids keeps every mid ever configured, since stored orders
-- are matched to their merchant through it; a switch to an environment needs
-- credentials there today, which this says. Each seeding from the
-- configuration writes it anew; until then, every mid known is taken as
-- configured.
CREATE TABLE configured_environments (
    merchant_id VARCHAR NOT NULL,
    environment VARCHAR NOT NULL
);
INSERT INTO configured_environments SELECT merchant_id, environment FROM merchant_mids;
