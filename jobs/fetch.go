package jobs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/flexcharge/flexrecon/internal/ledger"
)

// fetchTimeout bounds one HTTPS download; an export of a few gigabytes
// arrives well within it on any link a partner would use.
const fetchTimeout = 30 * time.Minute

// fetch copies a remote source's exports into its local folder, where
// ingest finds them as it finds an inbox's. An inbox needs nothing. A file
// fetched again is harmless: loading the same content twice is a no-op.
func fetch(ctx context.Context, r *run, src Source) error {
	switch src.Kind {
	case "", "inbox":
		return nil
	case "sftp", "https":
	default:
		return fmt.Errorf("fetch source %s: unsupported kind %q", src.Name, src.Kind)
	}
	if err := os.MkdirAll(src.Path, 0o750); err != nil {
		return fmt.Errorf("fetch source %s: %w", src.Name, err)
	}
	if src.Kind == "https" {
		return fetchDays(ctx, r, src)
	}
	if src.SFTP == nil {
		return fmt.Errorf("fetch source %s: no sftp server configured", src.Name)
	}
	got, err := ledger.FetchSFTP(ctx, *src.SFTP, src.Path)
	if err != nil {
		return err
	}
	r.env.Logger.Info("ledger files fetched", "run", r.id, "source", src.Name, "files", len(got))
	return nil
}

// fetchDays downloads the export of each business day of the run. A day the
// server has no export for is logged and skipped: the tie-out and the
// report show what is missing, and the other days still load.
func fetchDays(ctx context.Context, r *run, src Source) error {
	client := &http.Client{Timeout: fetchTimeout}
	for day := dateOnly(r.req.From); !day.After(dateOnly(r.req.To)); day = day.AddDate(0, 0, 1) {
		path, err := ledger.FetchHTTPS(ctx, client, src.URL, day, src.Path, nil)
		switch {
		case errors.Is(err, ledger.ErrNoExport):
			r.env.Logger.Warn("no ledger export for the day", "run", r.id, "source", src.Name, "day", day.Format(time.DateOnly))
		case err != nil:
			return err
		default:
			r.env.Logger.Info("ledger file fetched", "run", r.id, "source", src.Name, "file", path)
		}
	}
	return nil
}
