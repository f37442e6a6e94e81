// Package reports turns report definitions into the workbook finance downloads
// every morning, and into CSV files.
//
// A report is one SQL file in sql/reports: a header of "-- key: value" lines
// (report name, sheet, title, columns with their formats and widths, an
// optional chart) followed by the query. Adding a column to a report means
// editing that file and nothing else. LoadDefinitions parses the files once at
// start-up, so a malformed header stops the program before any run.
//
// The renderers take a Querier rather than a database: reports never imports
// the store, which hands it *sql.Rows. WriteWorkbook streams every sheet
// through excelize's StreamWriter, so a million-row list costs temp-file
// space rather than memory; lists longer than a sheet continue on further
// sheets ("Exceptions (2)", ...). WriteCSV writes one report as RFC 4180 CSV.
//
// Money arrives as BIGINT minor units with its currency in another column.
// It is turned into major units through exact decimal text; the only float is
// the final cell value, and totals are summed as integers so that the cached
// value of a SUM formula is what Excel or LibreOffice recalculates. A money
// column marked "total if known" takes a blank for an amount not known and
// leaves its currency's total blank, formula and all, rather than show a
// partial sum as a full one.
//
// xlsx.go is the only file in the repository that imports excelize.
package reports
