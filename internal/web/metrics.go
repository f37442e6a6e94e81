package web

import (
	"context"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/flexcharge/flexrecon/internal/store"
)

// Metrics are what /metrics exposes, in a registry of their own so tests
// can make as many servers as they like.
type Metrics struct {
	reg       *prometheus.Registry
	durations *prometheus.HistogramVec
	runs      *prometheus.CounterVec
	states    *prometheus.GaugeVec
	succeeded *prometheus.GaugeVec
	webhooks  *prometheus.CounterVec
	doubts    prometheus.Gauge
	oldest    prometheus.Gauge
}

// NewMetrics registers the service's metrics.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "flexrecon_run_duration_seconds",
			Help: "How long runs of the chain took.", Buckets: prometheus.ExponentialBuckets(1, 2, 14)}, []string{"kind"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "flexrecon_runs_total",
			Help: "Runs of the chain by kind and how they ended."}, []string{"kind", "status"}),
		states: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "flexrecon_last_run_rows",
			Help: "Rows of the last succeeded run over every merchant, dry runs aside, per transmit state, outcome state and exception category (pushed, push failed, ...)."}, []string{"state"}),
		succeeded: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "flexrecon_last_success_timestamp_seconds",
			Help: "When the last run of each kind that succeeded ended (Unix time): alert when the nightly one grows old."}, []string{"kind"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "flexrecon_webhooks_total",
			Help: "Webhook deliveries: stored, resent (already stored) or refused."}, []string{"result"}),
		doubts: prometheus.NewGauge(prometheus.GaugeOpts{Name: "flexrecon_pushes_in_doubt",
			Help: "Transactions whose push got no answer, whatever their day: FlexCharge may hold them; ops check, then resend."}),
		oldest: prometheus.NewGauge(prometheus.GaugeOpts{Name: "flexrecon_oldest_push_in_doubt_processed_timestamp_seconds",
			Help: "When the oldest transaction whose push got no answer was processed (Unix time); 0 when none."}),
	}
	m.reg.MustRegister(m.durations, m.runs, m.states, m.succeeded, m.webhooks, m.doubts, m.oldest,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics.
func (m *Metrics) Handler() http.Handler { return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}) }

// observeRun counts a run by how it ended, a queued one stopped before its
// turn as "not started", and times it from its start (not its wait).
func (m *Metrics) observeRun(kind string, run store.Run, notStarted bool, counts []store.StateCount) {
	status := run.Status
	if notStarted || status == "" {
		status = "not started"
	}
	m.runs.WithLabelValues(kind, status).Inc()
	if took, ok := run.Took(); ok { // a run stopped before its turn has no start
		m.durations.WithLabelValues(kind).Observe(took.Seconds())
	}
	if status == "succeeded" && run.FinishedAt != nil {
		m.succeeded.WithLabelValues(kind).Set(float64(run.FinishedAt.Unix()))
	}
	m.setCounts(counts)
}

// setCounts shows a whole run's counts; none leaves the last ones.
func (m *Metrics) setCounts(counts []store.StateCount) {
	if len(counts) == 0 {
		return
	}
	m.states.Reset()
	for _, c := range counts {
		m.states.WithLabelValues(c.State).Set(float64(c.N))
	}
}

// setDoubts shows the pushes in doubt no run has answered. Only a run (its
// push, or its ledger and transmit logs giving keys) or a process that died
// under one changes them, so they are counted after every run and at start,
// not on every scrape.
func (m *Metrics) setDoubts(d store.Doubts) {
	m.doubts.Set(float64(d.N))
	m.oldest.Set(0)
	if d.Oldest.Valid {
		m.oldest.Set(float64(d.Oldest.Time.Unix()))
	}
}

// seed starts the gauges from the runs recorded before the service started,
// so an alert on a stale night holds across a restart.
func (m *Metrics) seed(ctx context.Context, db *store.DB) error {
	doubts, err := db.OpenDoubts(ctx)
	if err != nil {
		return err
	}
	m.setDoubts(doubts)
	ends, err := db.LastSuccesses(ctx)
	if err != nil {
		return err
	}
	for _, e := range ends {
		m.succeeded.WithLabelValues(e.Kind).Set(float64(e.FinishedAt.Unix()))
	}
	id, err := db.LastWholeRun(ctx)
	if err != nil || id == 0 {
		return err
	}
	counts, err := db.StateCounts(ctx, id)
	m.setCounts(counts)
	return err
}
