package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"slices"
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
	migrations, err := migrationFiles(sqlFS)
	if err != nil {
		return err
	}
	applied, err := db.appliedMigrations(ctx, migrations)
	if err != nil {
		return err
	}
	for _, m := range migrations {
		if applied[m.version] {
			continue
		}
		if err := db.applyMigration(ctx, sqlFS, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.file, err)
		}
	}
	return nil
}

// checkMigrated reports ErrSchemaBehind unless every migration is applied.
func (db *DB) checkMigrated(ctx context.Context, sqlFS fs.FS) error {
	if err := db.checkStorageFormat(ctx); err != nil {
		return err
	}
	migrations, err := migrationFiles(sqlFS)
	if err != nil {
		return err
	}
	applied, err := db.appliedMigrations(ctx, migrations)
	if err != nil {
		return err
	}
	if len(applied) < len(migrations) {
		return fmt.Errorf("%w (%d of %d migrations applied): any command that writes it upgrades it", ErrSchemaBehind, len(applied), len(migrations))
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

func (db *DB) applyMigration(ctx context.Context, sqlFS fs.FS, m migration) error {
	body, err := fs.ReadFile(sqlFS, m.file)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, db.q.RecordMigration, m.version, m.name())
		return err
	})
}

// A migration is one file of sql/migrations.
type migration struct {
	version int
	file    string // its path in the SQL file system
}

// name is what schema_migrations records of the migration: its file's
// name, as it has since the first flexrecon.
func (m migration) name() string { return path.Base(m.file) }

// migrationFiles lists the migrations in the order they apply: by number,
// not as text, which would put 1000_ before 999_. Two files of one number
// are refused: the second would be skipped as applied.
func migrationFiles(sqlFS fs.FS) ([]migration, error) {
	files, err := fs.Glob(sqlFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	migrations := make([]migration, len(files))
	for i, file := range files {
		if migrations[i].version, err = migrationVersion(file); err != nil {
			return nil, err
		}
		migrations[i].file = file
	}
	slices.SortStableFunc(migrations, func(a, b migration) int { return cmp.Compare(a.version, b.version) })
	for i := 1; i < len(migrations); i++ {
		if migrations[i].version == migrations[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s have one number", migrations[i-1].file, migrations[i].file)
		}
	}
	return migrations, nil
}

// recordedMigration is a row of schema_migrations.
type recordedMigration struct {
	Version int    `db:"version"`
	Name    string `db:"name"`
}

// appliedMigrations reads, in one pass over schema_migrations, which of
// migrations the database has applied, and refuses it where one it
// recorded is not among them (recordedMigration.check).
func (db *DB) appliedMigrations(ctx context.Context, migrations []migration) (map[int]bool, error) {
	var recorded []recordedMigration
	if err := db.db.SelectContext(ctx, &recorded, db.q.AppliedMigrations); err != nil {
		return nil, err
	}
	known, latest := map[int]string{}, 0
	for _, m := range migrations {
		known[m.version], latest = m.name(), max(latest, m.version)
	}
	applied := map[int]bool{}
	for _, r := range recorded {
		if err := r.check(known, latest); err != nil {
			return nil, err
		}
		applied[r.Version] = true
	}
	return applied, nil
}

// check refuses a migration applied that this flexrecon does not have.
// One past its latest means a later flexrecon upgraded the database: this
// one would read tables whose meaning changed since (an older flexrecon
// read a queued run's missing start as a scan error, for one). One below
// it, or one of this number recorded under another name, was applied by
// another build (a branch's, say): the database holds a change that
// nothing this flexrecon runs accounts for, and this one's migration of
// that number would be skipped as applied. No shipped flexrecon renamed a
// migration, so a name differing always means another build.
func (r recordedMigration) check(known map[int]string, latest int) error {
	name, ok := known[r.Version]
	switch {
	case r.Version > latest:
		return fmt.Errorf("the database was upgraded by a later flexrecon (migration %d; this one knows up to %d): use that one", r.Version, latest)
	case !ok:
		return fmt.Errorf("the database has migration %d (%s), which this flexrecon does not have: %s", r.Version, r.Name, otherBuildAdvice)
	case r.Name != name:
		return fmt.Errorf("the database recorded migration %d as %s, where this flexrecon's is %s: %s", r.Version, r.Name, name, otherBuildAdvice)
	}
	return nil
}

// otherBuildAdvice says what to do with a database another build of
// flexrecon migrated.
const otherBuildAdvice = "another build of flexrecon applied it; open the file with that build, " +
	"or move it aside and let this one make a new one"

// migrationVersion reads the number a migration's file name starts with.
func migrationVersion(name string) (int, error) {
	prefix, _, _ := strings.Cut(path.Base(name), "_")
	v, err := strconv.Atoi(prefix)
	if err != nil {
		return 0, fmt.Errorf("migration %q: its file name must start with its number and '_', as 001_schema.sql does", name)
	}
	return v, nil
}
