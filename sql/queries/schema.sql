-- name: create-migrations-table
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       VARCHAR NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

-- name: storage-format
-- The storage format of the database file (NULL in memory).
SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = current_database();

-- name: applied-migrations
-- Latest first: a database a later flexrecon upgraded is refused naming its latest.
SELECT version, name FROM schema_migrations ORDER BY version DESC;

-- name: record-migration
INSERT INTO schema_migrations (version, name) VALUES ($1, $2);

-- name: upsert-currency
INSERT OR REPLACE INTO currencies (code, digits) VALUES ($1, $2);

-- name: set-memory-limit
-- A template: the limit is a quoted literal (SET takes no parameters).
SET memory_limit = {{.}};

-- name: reset-memory-limit
RESET memory_limit;
