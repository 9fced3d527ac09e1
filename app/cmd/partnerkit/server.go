//go:build !js

package main

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/partnerkit/partnerkit/app/api"
	"github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/jobs"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/webhooks"
	"github.com/partnerkit/partnerkit/webhooks/httpsender"
	"github.com/uptrace/bun"
)

// web holds the PWA's static files: app.css and icons, and app.wasm with
// its .gz and .br once `make wasm` has built them.
//
//go:embed web
var web embed.FS

// serve runs the command of the arguments (commands.go; the server by
// default) until SIGINT or SIGTERM.
func serve() {
	tuneGC(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := command(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "partnerkit:", err)
		os.Exit(1)
	}
}

// Garbage collection of the command, unless GOGC and GOMEMLIMIT say
// otherwise: the heap may grow to five times what is live between two
// collections (Go's default is twice), within a soft limit of 1 GiB. A
// request's garbage is most of what a server allocates and its live heap
// is small (about 10 MiB on 100,000 partners), so the default collected
// several hundred times a second under load: measured with the load
// harness, a list page's throughput rose by a quarter and RSS under load
// went from about 30 to 45 MiB. The limit keeps the larger target from
// growing with the transient memory of password hashes (a quarter of it
// bounds them, as GOMEMLIMIT does: DefaultPasswordSlots).
const (
	defaultGCPercent   = 400
	defaultMemoryLimit = 1 << 30
)

// tuneGC applies defaultGCPercent and defaultMemoryLimit where the
// environment sets neither GOGC nor GOMEMLIMIT.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}

// config is what the server is started with.
type config struct {
	addr, db, adminEmail, adminPassword string
	// trustedProxies are the reverse proxies whose forwarded headers count.
	trustedProxies []netip.Prefix
	// pprof, when set, is the loopback address of the profiling endpoints.
	pprof string
	// webhookAllowPrivate lets webhooks use http and private addresses.
	webhookAllowPrivate bool
	// jobRescueAfter is how long a job may run before it is taken for lost.
	jobRescueAfter time.Duration
	// tlsCert and tlsKey, when set, are the PEM files of HTTPS.
	tlsCert, tlsKey string
	// smtpURL, mailFrom and publicURL configure mail (mail.go).
	smtpURL, mailFrom, publicURL string
	// rateLimit is the API's general rate limit (api.ParseRateLimit).
	rateLimit api.RateLimit
	// secretKey is PARTNERKIT_SECRET_KEY's key (secretkey.go), nil when unset.
	secretKey []byte
}

func parseConfig(args []string, getenv func(string) string) (config, error) {
	def := func(key, fallback string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return fallback
	}
	var c config
	fs := flag.NewFlagSet("partnerkit", flag.ContinueOnError)
	fs.StringVar(&c.addr, "addr", def("PARTNERKIT_ADDR", "127.0.0.1:8080"), "listen address (PARTNERKIT_ADDR)")
	fs.StringVar(&c.db, "db", def("PARTNERKIT_DB", "partnerkit.db"), "SQLite file path or postgres:// DSN (PARTNERKIT_DB)")
	fs.StringVar(&c.adminEmail, "admin-email", def("PARTNERKIT_ADMIN_EMAIL", ""), "first admin's email on an empty database (PARTNERKIT_ADMIN_EMAIL)")
	fs.StringVar(&c.adminPassword, "admin-password", def("PARTNERKIT_ADMIN_PASSWORD", ""), "first admin's password (PARTNERKIT_ADMIN_PASSWORD)")
	proxies := fs.String("trusted-proxies", def("PARTNERKIT_TRUSTED_PROXIES", ""),
		"CIDRs or addresses of reverse proxies whose X-Forwarded-For/-Proto are honoured, comma-separated; empty trusts none (PARTNERKIT_TRUSTED_PROXIES)")
	fs.StringVar(&c.pprof, "pprof", def("PARTNERKIT_PPROF", ""),
		"address of net/http/pprof's profiling endpoints, such as 127.0.0.1:6060; empty serves none (PARTNERKIT_PPROF)")
	fs.BoolVar(&c.webhookAllowPrivate, "webhook-allow-private", def("PARTNERKIT_WEBHOOK_ALLOW_PRIVATE", "") == "1",
		"let webhooks use http and loopback or private addresses: development and tests only (PARTNERKIT_WEBHOOK_ALLOW_PRIVATE=1)")
	rescue := fs.String("job-rescue-after", def("PARTNERKIT_JOB_RESCUE_AFTER", "2m"),
		"how long a background job may run before it is taken for lost (its instance died) and run again (PARTNERKIT_JOB_RESCUE_AFTER)")
	fs.StringVar(&c.tlsCert, "tls-cert", def("PARTNERKIT_TLS_CERT", ""), "PEM certificate (chain) file: serve HTTPS, with -tls-key (PARTNERKIT_TLS_CERT)")
	fs.StringVar(&c.tlsKey, "tls-key", def("PARTNERKIT_TLS_KEY", ""), "PEM private key file of -tls-cert (PARTNERKIT_TLS_KEY)")
	rateLimit := fs.String("rate-limit", def("PARTNERKIT_RATE_LIMIT", ""),
		"requests per second per API key, else per client address, and the burst: 100/s,1000 (the default), or off (PARTNERKIT_RATE_LIMIT)")
	fs.StringVar(&c.smtpURL, "smtp-url", def("PARTNERKIT_SMTP_URL", ""),
		"SMTP server of the mail: smtp://user:pass@host:587 (STARTTLS required; ?starttls=opportunistic to allow plain text) or smtps://… (TLS); empty writes .eml files next to the database (PARTNERKIT_SMTP_URL)")
	fs.StringVar(&c.mailFrom, "mail-from", def("PARTNERKIT_MAIL_FROM", ""), "sender of the mail, such as \"Partnerkit <noreply@example.com>\" (PARTNERKIT_MAIL_FROM)")
	fs.StringVar(&c.publicURL, "public-url", def("PARTNERKIT_PUBLIC_URL", ""),
		"URL the links in mail start with, such as https://partners.example.com; empty means the listen address (PARTNERKIT_PUBLIC_URL)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	var err error
	if c.rateLimit, err = api.ParseRateLimit(*rateLimit); err != nil {
		return c, err
	}
	if v := getenv(secretKeyVar); v != "" { // no flag: a key stays out of the process list
		if c.secretKey, err = parseSecretKey(secretKeyVar, v); err != nil {
			return c, err
		}
	}
	if c.jobRescueAfter, err = time.ParseDuration(*rescue); err != nil || c.jobRescueAfter <= 0 {
		return c, fmt.Errorf("job-rescue-after: %q is not a positive duration such as 2m", *rescue)
	}
	c.trustedProxies, err = api.ParseTrustedProxies(*proxies)
	return c, err
}

// run serves until ctx is done, then shuts down gracefully. When ready is
// not nil it receives the listening address.
func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer, ready chan<- string) error {
	cfg, err := parseConfig(args, getenv)
	if err != nil {
		return err
	}
	tlsCfg, err := tlsConfig(cfg.tlsCert, cfg.tlsKey)
	if err != nil {
		return err
	}
	obs, err := newObservability(ctx, getenv, out) // observe.go: logger, metrics, tracing
	if err != nil {
		return err
	}
	defer obs.shutdown(ctx)
	logger := obs.logger
	db, err := openDatabase(ctx, cfg.db) // refuses a schema newer than this binary
	if err != nil {
		return err
	}
	defer db.Close()
	db = obs.instrument(db) // SQL spans when tracing: stores and jobs share it
	// River's tables, migrated with Partnerkit's own.
	if err := jobs.Migrate(ctx, db); err != nil {
		return err
	}
	engine, err := jobs.New(db, jobs.Config{Logger: logger.With("component", "jobs"), RescueAfter: cfg.jobRescueAfter, Observer: obs.metrics})
	if err != nil {
		return err
	}
	obs.watch(db, engine)
	mailOpts, err := mailOptions(cfg, tlsCfg != nil, engine, logger)
	if err != nil {
		engine.Stop(ctx)
		return err
	}
	key, err := secretKey(cfg, logger) // secretkey.go
	if err != nil {
		engine.Stop(ctx)
		return err
	}
	services := server.SQL(db, server.Options{Publisher: engine, Mail: mailOpts, SecretKey: key,
		Webhooks: append(webhookOptions(engine, cfg.webhookAllowPrivate), webhooks.WithObserver(obs.metrics))})
	// The changes' webhook deliveries are created with them from now on
	// (bootstrap's too); the engine works them once started.
	engine.Use(&services.Services)
	checkSecretKey(ctx, services.Partners, cfg, logger)
	services.Logger = logger
	services.Observer = obs.metrics
	services.TrustedProxies = cfg.trustedProxies
	services.RateLimit = cfg.rateLimit
	if err := bootstrap(ctx, services.Partners, cfg, out); err != nil {
		engine.Stop(ctx)
		return err
	}
	// Deliveries, event fan-out and the scheduled rules (storage purges,
	// period ends, invitation expiry, usage alerts) run on the job engine.
	if err := engine.Start(ctx, &services.Services); err != nil {
		engine.Stop(ctx)
		return err
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer cancel()
		if err := engine.Stop(stopCtx); err != nil {
			logger.Warn("stop the job engine", "err", err)
		}
	}()
	go optimizePeriodically(ctx, db, logger)
	go flushTouchesPeriodically(ctx, services.Partners, logger)
	defer func() { // the last-use times noted since the last batch
		if err := services.Partners.FlushTouches(context.WithoutCancel(ctx)); err != nil {
			logger.Warn("flush last-use times", "err", err)
		}
	}()
	if cfg.pprof != "" {
		go servePprof(cfg.pprof, logger)
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           obs.handler(siteHandler(services, db, staticFiles(), logger), db, engine),
		TLSConfig:         tlsCfg,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	scheme := "http://"
	if tlsCfg != nil {
		scheme = "https://"
	}
	logger.Info("partnerkit listening", "addr", scheme+ln.Addr().String(), "db", redactDSN(cfg.db), "version", version)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() {
		if tlsCfg != nil {
			errc <- srv.ServeTLS(ln, "", "")
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("partnerkit stopped")
	return nil
}

// webFS returns the embedded static files, rooted at web/.
func webFS() fs.FS {
	sub, err := fs.Sub(web, "web")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

// webhookOptions are the webhooks service's options of the server: the
// job engine schedules attempts, the HTTP sender refuses private addresses
// at connect time unless allowPrivate, and hosts are resolved when an
// endpoint is saved.
func webhookOptions(engine *jobs.Engine, allowPrivate bool) []webhooks.Option {
	return []webhooks.Option{
		webhooks.WithScheduler(engine),
		webhooks.WithSender(httpsender.New(httpsender.Options{AllowPrivate: allowPrivate})),
		webhooks.WithResolver(net.DefaultResolver),
		webhooks.AllowPrivateAddresses(allowPrivate),
	}
}

// bootstrap creates the first provider account and admin on an empty
// database, printing generated credentials once.
func bootstrap(ctx context.Context, svc *partners.Service, cfg config, out io.Writer) error {
	email, password, generated := cfg.adminEmail, cfg.adminPassword, false
	if email == "" {
		email = "admin@partnerkit.local"
	}
	if password == "" {
		password, generated = generatePassword(), true
	}
	_, _, created, err := svc.EnsureRoot(ctx, partners.BootstrapInput{
		AccountName: "Provider", AdminEmail: email, AdminFullName: "Administrator", AdminPassword: password,
	})
	if err != nil {
		return fmt.Errorf("create first admin: %w", err)
	}
	if !created {
		return nil // the database had its root already (another instance, or an earlier start)
	}
	if generated {
		fmt.Fprintf(out, "\nFirst admin created. Sign in with:\n  email:    %s\n  password: %s\nThis password is shown only once.\n\n", email, password)
	} else {
		fmt.Fprintf(out, "First admin created: %s\n", email)
	}
	return nil
}

// generatePassword returns a random password that meets the policy.
func generatePassword() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b) + "-Aa1"
}

// redactDSN hides a PostgreSQL password from logs.
func redactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" && u.User != nil {
		return u.Redacted()
	}
	return dsn
}

// optimizeEvery is how often the server refreshes the query planner's
// statistics (cheap when little changed).
const optimizeEvery = time.Minute

// optimizePeriodically runs sqldb.Optimize every optimizeEvery until ctx ends.
func optimizePeriodically(ctx context.Context, db *bun.DB, logger *slog.Logger) {
	tick := time.NewTicker(optimizeEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := sqldb.Optimize(ctx, db); err != nil && ctx.Err() == nil {
				logger.Warn("optimize the database", "err", err)
			}
		}
	}
}

// servePprof serves net/http/pprof's endpoints on their own address, never
// on the public one.
func servePprof(addr string, logger *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	logger.Info("profiling", "addr", "http://"+addr+"/debug/pprof/")
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		logger.Warn("profiling endpoints", "err", err)
	}
}

// flushTouchesPeriodically writes the last-use times of sessions and API
// keys every partners.TouchFlushEvery until ctx ends.
func flushTouchesPeriodically(ctx context.Context, svc *partners.Service, logger *slog.Logger) {
	tick := time.NewTicker(partners.TouchFlushEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := svc.FlushTouches(ctx); err != nil && ctx.Err() == nil {
				logger.Warn("flush last-use times", "err", err)
			}
		}
	}
}
