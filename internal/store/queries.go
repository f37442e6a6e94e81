package store

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"reflect"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Queries holds every named statement of sql/queries. A field's tag names
// the "-- name:" header it is loaded from; a missing one stops start-up.
type Queries struct {
	CreateMigrationsTable string `query:"create-migrations-table"`
	StorageFormat         string `query:"storage-format"`
	AppliedMigrations     string `query:"applied-migrations"`
	RecordMigration       string `query:"record-migration"`
	UpsertCurrency        string `query:"upsert-currency"`
	SetMemoryLimit        string `query:"set-memory-limit" check:"skip"`
	ResetMemoryLimit      string `query:"reset-memory-limit"`

	CreateLedgerStage       string `query:"create-ledger-stage"`
	ClearLedgerStage        string `query:"clear-ledger-stage"`
	StageCSV                string `query:"stage-csv" check:"skip"`
	CardColumns             string `query:"card-columns" check:"skip"`
	CreateMisfits           string `query:"create-misfits"`
	InsertMisfits           string `query:"insert-misfits" check:"skip"`
	JSONMisfitRecords       string `query:"json-misfit-records"`
	SetJSONMisfitReasons    string `query:"set-json-misfit-reasons"`
	CreateLineShifts        string `query:"create-line-shifts"`
	InsertLineShifts        string `query:"insert-line-shifts" check:"skip"`
	StageTransmitLog        string `query:"stage-transmit-log" check:"skip"`
	TransmitLogLines        string `query:"transmit-log-lines" check:"skip"`
	TransmitLogProblem      string `query:"transmit-log-problem" check:"skip"`
	TransmitLogCardCols     string `query:"transmit-log-card-columns" check:"skip"`
	StoreTransmitLog        string `query:"store-transmit-log" check:"skip"`
	CountTransmitLog        string `query:"count-transmit-log" check:"skip"`
	DropTransmitLogStage    string `query:"drop-transmit-log-stage"`
	ShiftLines              string `query:"shift-lines" check:"skip"`
	FirstCardHit            string `query:"first-card-hit"`
	StageProblems           string `query:"stage-problems"`
	ListStageProblems       string `query:"list-stage-problems"`
	CountStageProblems      string `query:"count-stage-problems"`
	StageBusinessDate       string `query:"stage-business-date"`
	FileByHash              string `query:"file-by-hash"`
	ReplacedFileByHash      string `query:"replaced-file-by-hash"`
	LiveFileForDate         string `query:"live-file-for-date"`
	StageSharesIDs          string `query:"stage-shares-ids"`
	AdoptUnnamedCorrections string `query:"adopt-unnamed-corrections"`
	FilesAwaitingRun        string `query:"files-awaiting-run"`
	FileUnchanged           string `query:"file-unchanged"`
	RecordSeenFile          string `query:"record-seen-file"`
	InsertFile              string `query:"insert-file"`
	ReplaceFile             string `query:"replace-file"`
	MarkForced              string `query:"mark-forced"`
	StoreQuarantine         string `query:"store-quarantine"`
	StageOccurrences        string `query:"stage-occurrences"`
	ReplacedRepeats         string `query:"replaced-repeats"`
	NumberRepeats           string `query:"number-repeats"`
	RenumberStored          string `query:"renumber-stored"`
	StoreStage              string `query:"store-stage"`
	CountStoredDuplicates   string `query:"count-stored-duplicates"`
	SetFileCounts           string `query:"set-file-counts"`

	ClassifySwitches       string `query:"classify-switches"`
	ClassifyJudge          string `query:"classify-judge"`
	ClassifyPairOrders     string `query:"classify-pair-orders"`
	ClassifyRepeatRows     string `query:"classify-repeat-rows"`
	ClassifyEarlyFirsts    string `query:"classify-early-firsts"`
	ClassifyPairEarly      string `query:"classify-pair-early-firsts"`
	ClassifyAssign         string `query:"classify-assign"`
	ClassifyRepeats        string `query:"classify-assign-repeats"`
	ClassifyResults        string `query:"classify-results"`
	ClassifyFindings       string `query:"classify-findings"`
	ClassifyOrphans        string `query:"classify-orphans"`
	ClassifyExtraOrders    string `query:"classify-extra-orders"`
	ClassifyQuarantined    string `query:"classify-quarantined"`
	TieOut                 string `query:"tie-out"`
	ClearOrdersStage       string `query:"clear-orders-stage"`
	MergeOrdersStage       string `query:"merge-orders-stage"`
	DiscardStagedOrders    string `query:"discard-staged-orders"`
	PushCandidates         string `query:"push-candidates"`
	ClearPushBatch         string `query:"clear-push-batch"`
	RecordTransmits        string `query:"record-transmit-events"`
	RecordPushes           string `query:"record-pushes"`
	ApplyPushes            string `query:"apply-pushes"`
	InDoubtFindings        string `query:"in-doubt-findings"`
	DoubtsListedBefore     string `query:"doubts-listed-before"`
	UpsertMerchant         string `query:"upsert-merchant"`
	UpsertMerchantMID      string `query:"upsert-merchant-mid"`
	ForgetConfiguredEnvs   string `query:"forget-configured-environments"`
	InsertConfiguredEnv    string `query:"insert-configured-environment"`
	UpsertSite             string `query:"upsert-site"`
	UpsertCampaign         string `query:"upsert-campaign"`
	InsertSwitchOnce       string `query:"insert-switch-once"`
	ListSwitches           string `query:"list-switches"`
	ListMerchantIDs        string `query:"list-merchant-ids"`
	InsertRun              string `query:"insert-run"`
	BeginRun               string `query:"begin-run"`
	FinishRun              string `query:"finish-run"`
	SetRunWorkbook         string `query:"set-run-workbook"`
	KeepOrderSites         string `query:"keep-order-sites"`
	KeepSiteDescriptors    string `query:"keep-site-descriptors"`
	StartStage             string `query:"start-stage"`
	FinishStage            string `query:"finish-stage"`
	GetRun                 string `query:"get-run"`
	ListRuns               string `query:"list-runs"`
	AbandonRunning         string `query:"abandon-running"`
	RunReplacements        string `query:"run-replacements"`
	RunRejectedFiles       string `query:"run-rejected-files"`
	RunFilesDatedAmongDays string `query:"run-files-dated-among-days"`
	CountVerdicts          string `query:"count-verdicts"`
	RunStateCounts         string `query:"run-state-counts"`
	RunVerdicts            string `query:"run-verdicts"`

	// service.sql: the web service's audit log, webhook events and pages.
	InsertAudit        string `query:"insert-audit"`
	ListAudit          string `query:"list-audit"`
	EndSession         string `query:"end-session"`
	PruneEndedSessions string `query:"prune-ended-sessions"`
	EndedSessions      string `query:"ended-sessions"`
	PruneIdempotency   string `query:"prune-idempotency-keys"`
	KeepIdempotencyKey string `query:"keep-idempotency-key"`
	IdempotencyKey     string `query:"idempotency-key"`
	InsertWebhookEvent string `query:"insert-webhook-event"`
	WebhookOrderStatus string `query:"webhook-order-status"`
	CountWebhookEvents string `query:"count-webhook-events"`
	LastNightlySuccess string `query:"last-nightly-success"`
	NightlyCaughtUp    string `query:"nightly-caught-up"`
	LastSuccesses      string `query:"last-successes"`
	LastWholeRun       string `query:"last-whole-run"`
	EarliestPending    string `query:"earliest-pending"`
	OpenDoubts         string `query:"open-doubts"`
	RunStages          string `query:"run-stages"`
	RunExceptions      string `query:"run-exceptions"`
	OrderStatus        string `query:"order-status"`

	// registry_cli.sql, explain.sql, diff.sql: the switch, explain and runs commands.
	SwitchTarget     string `query:"switch-target"`
	InsertSwitch     string `query:"insert-switch"`
	ExplainLedger    string `query:"explain-ledger"`
	ExplainOrders    string `query:"explain-orders"`
	ExplainTransmits string `query:"explain-transmits"`
	ExplainSwitches  string `query:"explain-switches"`
	ExplainLatestRun string `query:"explain-latest-run"`
	ExplainResults   string `query:"explain-results"`
	ExplainFindings  string `query:"explain-findings"`
	ExplainOrphans   string `query:"explain-orphan-declines"`
	DiffPreviousRun  string `query:"diff-previous-run"`
	RunDiff          string `query:"run-diff"`

	InsertionOrderOff string `query:"insertion-order-off" check:"skip"`
	InsertionOrderOn  string `query:"insertion-order-on" check:"skip"`
	DropOrderPairs    string `query:"drop-order-pairs" check:"skip"`
	DropAssigned      string `query:"drop-assigned" check:"skip"`
	DropRepeatedRows  string `query:"drop-repeated-rows" check:"skip"`
	DropRunSwitches   string `query:"drop-run-switches" check:"skip"`
}

// LoadQueries reads every queries/*.sql file of sqlFS into a Queries.
func LoadQueries(sqlFS fs.FS) (*Queries, error) {
	named, err := readNamed(sqlFS, "queries/*.sql")
	if err != nil {
		return nil, err
	}
	q := &Queries{}
	v, t := reflect.ValueOf(q).Elem(), reflect.TypeOf(*q)
	for i := range t.NumField() {
		name := t.Field(i).Tag.Get("query")
		body, ok := named[name]
		if !ok {
			return nil, fmt.Errorf("load queries: no query named %q in sql/queries", name)
		}
		v.Field(i).SetString(body)
	}
	return q, nil
}

// readNamed splits files into statements under "-- name: x" headers.
func readNamed(sqlFS fs.FS, pattern string) (map[string]string, error) {
	files, err := fs.Glob(sqlFS, pattern)
	if err != nil {
		return nil, err
	}
	named := map[string]string{}
	for _, f := range files {
		if err := readNamedFile(sqlFS, f, named); err != nil {
			return nil, fmt.Errorf("load queries from %s: %w", f, err)
		}
	}
	return named, nil
}

func readNamedFile(sqlFS fs.FS, file string, named map[string]string) error {
	b, err := fs.ReadFile(sqlFS, file)
	if err != nil {
		return err
	}
	var name string
	var body strings.Builder
	flush := func() error {
		if name == "" {
			return nil
		}
		if _, dup := named[name]; dup {
			return fmt.Errorf("query %q defined twice", name)
		}
		named[name] = strings.TrimSpace(body.String())
		body.Reset()
		return nil
	}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		line := sc.Text()
		if n, ok := strings.CutPrefix(line, "-- name:"); ok {
			if err := flush(); err != nil {
				return err
			}
			name = strings.TrimSpace(n)
			continue
		}
		body.WriteString(line + "\n")
	}
	return flush()
}

// checkQueries prepares every query once, so a broken statement is a
// start-up error rather than a failure in the middle of a nightly run.
// Statements that read the temporary tables of ingest and classification are
// prepared after those tables are made, empty, in a transaction rolled back.
func (db *DB) checkQueries(ctx context.Context) error {
	conn, err := db.db.Connx(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := db.makeTempTables(ctx, tx); err != nil {
		return err
	}
	v, t := reflect.ValueOf(db.q).Elem(), reflect.TypeOf(*db.q)
	for i := range t.NumField() {
		if t.Field(i).Tag.Get("check") == "skip" {
			continue
		}
		st, err := tx.PrepareContext(ctx, v.Field(i).String())
		if err != nil {
			return fmt.Errorf("query %s: %w", t.Field(i).Tag.Get("query"), err)
		}
		st.Close()
	}
	return nil
}

func (db *DB) makeTempTables(ctx context.Context, tx *sqlx.Tx) error {
	var never time.Time
	setups := []struct {
		query string
		args  []any
	}{
		{db.q.CreateLedgerStage, nil},
		{db.q.ClearOrdersStage, nil},
		{db.q.StageProblems, nil},
		{db.q.StageOccurrences, nil},
		{db.q.NumberRepeats, nil},
		{db.q.ClassifySwitches, nil},
		{db.q.ClassifyJudge, nil},
		{db.q.ClassifyPairOrders, []any{never, never, "", never, 0, 0}},
		{db.q.ClassifyRepeatRows, []any{never, never, ""}},
		{db.q.ClassifyAssign, []any{never, never}},
	}
	for _, s := range setups {
		if _, err := tx.ExecContext(ctx, s.query, s.args...); err != nil {
			return fmt.Errorf("make temporary tables: %w", err)
		}
	}
	return nil
}
