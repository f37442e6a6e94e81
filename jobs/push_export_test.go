package jobs

import "context"

// PushRun runs only the push stage of an existing run, for benchmarks that
// time it apart from the stages that prepare its results.
func (e *Env) PushRun(ctx context.Context, runID int64, req Request) (string, error) {
	r := &run{env: e, req: req, id: runID, window: e.window(req)}
	_, detail, err := push(ctx, r)
	return detail, err
}
