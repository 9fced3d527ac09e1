//go:build !js

package observe

import (
	"context"
	"database/sql"
	"log/slog"
	"runtime"
	"time"

	"github.com/partnerkit/partnerkit/jobs"
	"github.com/partnerkit/partnerkit/webhooks"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// MetricsOptions configure NewMetrics.
type MetricsOptions struct {
	// Version is the server's release (partnerkit_build_info).
	Version string
	// Logger receives the errors of collectors (a queue-depth query that
	// failed); nil: slog.Default().
	Logger *slog.Logger
	// NoRuntime leaves out the Go runtime and process series (tests).
	NoRuntime bool
}

// Metrics is the server's Prometheus registry and the observers that feed
// it: api.Observer (Served), jobs.Observer (JobFailed) and
// webhooks.Observer (AttemptRecorded).
type Metrics struct {
	reg *prometheus.Registry
	log *slog.Logger

	requests       *prometheus.CounterVec
	duration       *prometheus.HistogramVec
	inFlight       prometheus.Gauge
	signInFailures *prometheus.CounterVec
	jobFailures    *prometheus.CounterVec
	webhookResults *prometheus.CounterVec
}

// Compile-time checks of the observer ports.
var (
	_ jobs.Observer     = (*Metrics)(nil)
	_ webhooks.Observer = (*Metrics)(nil)
)

// NewMetrics returns a registry with the request, sign-in, job and webhook
// series (see the package comment), the Go runtime's and the process's.
func NewMetrics(o MetricsOptions) *Metrics {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	m := &Metrics{reg: prometheus.NewRegistry(), log: o.Logger}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "partnerkit_http_requests_total",
		Help: "HTTP requests served, by method, route pattern and status code.",
	}, []string{"method", "route", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "partnerkit_http_request_duration_seconds",
		Help:    "Time to serve an HTTP request, by method, route pattern and status class (2xx, 4xx, ...).",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"method", "route", "class"})
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "partnerkit_http_requests_in_flight",
		Help: "HTTP requests being served.",
	})
	m.signInFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "partnerkit_signin_failures_total",
		Help: "Failed sign-ins, by reason (invalid_credentials, throttled, forbidden, invalid_request, error, other).",
	}, []string{"reason"})
	m.jobFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "partnerkit_job_failures_total",
		Help: "Failed runs of background jobs, by kind and reason (error, panic); River retries them up to their last attempt.",
	}, []string{"kind", "reason"})
	m.webhookResults = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "partnerkit_webhook_delivery_attempts_total",
		Help: "Webhook delivery attempts recorded, by outcome (succeeded; retrying: failed, another is scheduled; failed: the last failed).",
	}, []string{"outcome"})
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "partnerkit_build_info",
		Help: "Always 1: the server's version and Go version.",
	}, []string{"version", "goversion"})
	build.WithLabelValues(o.Version, runtime.Version()).Set(1)
	m.reg.MustRegister(m.requests, m.duration, m.inFlight, m.signInFailures, m.jobFailures, m.webhookResults, build)
	for _, outcome := range webhooks.AttemptOutcomes() {
		m.webhookResults.WithLabelValues(string(outcome))
	}
	if !o.NoRuntime {
		m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	return m
}

// Registry is the registry, to add an embedding application's own series.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// WatchDB adds the pool statistics of db (go_sql_open_connections,
// go_sql_in_use_connections, go_sql_idle_connections,
// go_sql_wait_count_total, go_sql_wait_duration_seconds_total, ... with
// db_name=name), read at each scrape.
func (m *Metrics) WatchDB(name string, db *sql.DB) {
	m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
}

// WatchJobs adds the job engine's queue depth (partnerkit_jobs, one query
// of River's table at each scrape) and, on SQLite, the pool statistics of
// River's own connection (db_name="partnerkit_river").
func (m *Metrics) WatchJobs(engine *jobs.Engine) {
	m.reg.MustRegister(&queueCollector{engine: engine, log: m.log})
	if pool := engine.OwnPool(); pool != nil {
		m.WatchDB("partnerkit_river", pool)
	}
}

// JobFailed implements jobs.Observer.
func (m *Metrics) JobFailed(kind string, panicked bool) {
	reason := "error"
	if panicked {
		reason = "panic"
	}
	m.jobFailures.WithLabelValues(kind, reason).Inc()
}

// AttemptRecorded implements webhooks.Observer.
func (m *Metrics) AttemptRecorded(outcome webhooks.AttemptOutcome) {
	m.webhookResults.WithLabelValues(string(outcome)).Inc()
}

var queueDesc = prometheus.NewDesc("partnerkit_jobs",
	"Partnerkit's background jobs in River's table, by state (available, scheduled, running, retryable, completed, discarded, cancelled) and kind.",
	[]string{"state", "kind"}, nil)

// queueCollector reads the queue depth at scrape time.
type queueCollector struct {
	engine *jobs.Engine
	log    *slog.Logger
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- queueDesc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	depths, err := c.engine.QueueDepths(ctx)
	if err != nil {
		c.log.Warn("metrics: job queue depth", "err", err)
		ch <- prometheus.NewInvalidMetric(queueDesc, err)
		return
	}
	for _, d := range depths {
		ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(d.Count), d.State, d.Kind)
	}
}
