package jobs

import (
	"context"
	"fmt"
	"io"

	"github.com/flexcharge/flexrecon/reports"
)

// ExportCSV writes every report of run runID, over every merchant, as one
// CSV file per report into dir ("<report>.csv"), for the programs finance
// feeds that cannot read a workbook. It returns the paths written.
func ExportCSV(ctx context.Context, env *Env, runID int64, dir string) ([]string, error) {
	opt := reports.Options{Location: env.Location}
	var paths []string
	for _, def := range env.Reports {
		path, err := writeAtomic(dir, def.Name+".csv", func(w io.Writer) error {
			return reports.WriteCSV(ctx, w, ReportSource{env.DB}, def, opt, runID, allMerchants)
		})
		if err != nil {
			return paths, fmt.Errorf("export run %d as csv: %w", runID, err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}
