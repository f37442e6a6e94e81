// Package store is flexrecon's DuckDB database: the only package that knows
// its tables. Migrations in sql/migrations are applied at open; every
// statement comes from sql/queries, loaded and prepared once at open.
package store
