package store

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

// migrate applies, in order and each in its own transaction, the files of
// sql/migrations not yet recorded in schema_migrations.
func (db *DB) migrate(ctx context.Context, sqlFS fs.FS) error {
	if _, err := db.db.ExecContext(ctx, db.q.CreateMigrationsTable); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	names, err := fs.Glob(sqlFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		if err := db.applyMigration(ctx, sqlFS, name); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
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

// migrationVersion reads the number a migration's file name starts with.
func migrationVersion(name string) (int, error) {
	prefix, _, _ := strings.Cut(path.Base(name), "_")
	v, err := strconv.Atoi(prefix)
	if err != nil {
		return 0, fmt.Errorf("file name must start with a number and '_': %q", name)
	}
	return v, nil
}
