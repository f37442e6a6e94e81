package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

// storageFormat is the DuckDB storage format new database files are made
// in. Its string compression (dict_fsst) writes a column of repeating values
// in about half the time of the 1.0 format's dictionary, and the migrations
// name it, so a file in an older format cannot take them.
const storageFormat = "v1.5.0"

// migrate applies, in order and each in its own transaction, the files of
// sql/migrations not yet recorded in schema_migrations.
func (db *DB) migrate(ctx context.Context, sqlFS fs.FS) error {
	if err := db.checkStorageFormat(ctx); err != nil {
		return err
	}
	if _, err := db.db.ExecContext(ctx, db.q.CreateMigrationsTable); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	names, err := migrationFiles(sqlFS)
	if err != nil {
		return err
	}
	if err := db.checkNotAhead(ctx, names); err != nil {
		return err
	}
	for _, name := range names {
		if err := db.applyMigration(ctx, sqlFS, name); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

// checkMigrated reports ErrSchemaBehind unless every migration is applied.
func (db *DB) checkMigrated(ctx context.Context, sqlFS fs.FS) error {
	if err := db.checkStorageFormat(ctx); err != nil {
		return err
	}
	names, err := migrationFiles(sqlFS)
	if err != nil {
		return err
	}
	if err := db.checkNotAhead(ctx, names); err != nil {
		return err
	}
	var applied int
	if err := db.db.GetContext(ctx, &applied, db.q.CountMigrations); err != nil {
		return err
	}
	if applied < len(names) {
		return fmt.Errorf("%w (%d of %d migrations applied): any command that writes it upgrades it", ErrSchemaBehind, applied, len(names))
	}
	return nil
}

// checkStorageFormat refuses a database file made in an older storage
// format (by a flexrecon before storageFormat). An in-memory database has
// none to check.
func (db *DB) checkStorageFormat(ctx context.Context) error {
	var format sql.NullString
	if err := db.db.GetContext(ctx, &format, db.q.StorageFormat); err != nil {
		return err
	}
	if format.Valid && !strings.HasPrefix(format.String, storageFormat) {
		return fmt.Errorf("the file is in DuckDB's %s storage format, made by an earlier flexrecon; this one needs %s: "+
			"move the file aside and let flexrecon make a new one (ingest and pulls fill it again)", format.String, storageFormat)
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, sqlFS fs.FS, name string) error {
	version, err := migrationVersion(name)
	if err != nil {
		return err
	}
	var applied int
	if err := db.db.GetContext(ctx, &applied, db.q.MigrationApplied, version); err != nil {
		return err
	}
	if applied > 0 {
		return nil
	}
	body, err := fs.ReadFile(sqlFS, name)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, db.q.RecordMigration, version, path.Base(name))
		return err
	})
}

// migrationFiles lists the migrations in the order they apply. Two files
// of one number are refused: the second would be skipped as applied.
func migrationFiles(sqlFS fs.FS) ([]string, error) {
	names, err := fs.Glob(sqlFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	seen := map[int]string{}
	for _, name := range names {
		v, err := migrationVersion(name)
		if err != nil {
			return nil, err
		}
		if other, ok := seen[v]; ok {
			return nil, fmt.Errorf("migrations %s and %s have one number", other, name)
		}
		seen[v] = name
	}
	return names, nil
}

// checkNotAhead refuses a database that a later flexrecon upgraded: this
// one would read tables whose meaning changed since (an older flexrecon
// read a queued run's missing start as a scan error, for one).
func (db *DB) checkNotAhead(ctx context.Context, names []string) error {
	known, err := migrationVersion(names[len(names)-1])
	if err != nil {
		return err
	}
	var latest int
	if err := db.db.GetContext(ctx, &latest, db.q.LatestMigration); err != nil {
		return err
	}
	if latest > known {
		return fmt.Errorf("the database was upgraded by a later flexrecon (migration %d; this one knows up to %d): use that one", latest, known)
	}
	return nil
}

// migrationVersion reads the number a migration's file name starts with.
func migrationVersion(name string) (int, error) {
	prefix, _, _ := strings.Cut(path.Base(name), "_")
	v, err := strconv.Atoi(prefix)
	if err != nil {
		return 0, fmt.Errorf("file name must start with a number and '_': %q", name)
	}
	return v, nil
}
