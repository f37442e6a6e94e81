-- name: create-migrations-table
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       VARCHAR NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

-- name: storage-format
-- The storage format of the database file (NULL in memory).
SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = current_database();

-- name: migration-applied
SELECT count(*) FROM schema_migrations WHERE version = $1;

-- name: count-migrations
SELECT count(*) FROM schema_migrations;

-- name: latest-migration
SELECT coalesce(max(version), 0) FROM schema_migrations;

-- name: record-migration
INSERT INTO schema_migrations (version, name) VALUES ($1, $2);

-- name: upsert-currency
INSERT OR REPLACE INTO currencies (code, digits) VALUES ($1, $2);

-- name: set-memory-limit
-- A template: the limit is a quoted literal (SET takes no parameters).
SET memory_limit = {{.}};

-- name: reset-memory-limit
RESET memory_limit;
