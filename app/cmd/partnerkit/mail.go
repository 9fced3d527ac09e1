//go:build !js

package main

import (
	"errors"
	"log/slog"
	"net"
	"path/filepath"
	"strings"

	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/jobs"
	"github.com/partnerkit/partnerkit/mail"
	"github.com/partnerkit/partnerkit/mail/dirsender"
	"github.com/partnerkit/partnerkit/mail/smtpsender"
	"github.com/partnerkit/partnerkit/wiring"
)

// mailFolder is the folder of .eml files of a server without SMTP, next
// to the database file.
const mailFolder = "partnerkit-mail"

// mailOptions are the mail service's options of the server: sent over
// SMTP when cfg.smtpURL is set, else written as .eml files into a folder
// next to the database (dirsender) and logged; links start with
// cfg.publicURL, by default the listen address; sends run on the job
// engine.
func mailOptions(cfg config, https bool, engine *jobs.Engine, logger *slog.Logger) (wiring.MailOptions, error) {
	public := cfg.publicURL
	if public == "" {
		public = defaultPublicURL(cfg.addr, https)
	}
	public, err := mail.ParsePublicURL(public)
	if err != nil {
		return wiring.MailOptions{}, err
	}
	o := wiring.MailOptions{PublicURL: public, Scheduler: engine}
	if cfg.smtpURL != "" {
		if cfg.mailFrom == "" {
			return o, errors.New("PARTNERKIT_SMTP_URL needs PARTNERKIT_MAIL_FROM (-mail-from), the sender such as \"Partnerkit <noreply@example.com>\"")
		}
		s, err := smtpsender.New(smtpsender.Options{URL: cfg.smtpURL, From: cfg.mailFrom})
		if err != nil {
			return o, err
		}
		logger.Info("mail over SMTP", "server", s.Server(), "from", cfg.mailFrom, "public_url", public)
		o.Sender = s
		return o, nil
	}
	dir := mailDir(cfg.db)
	s, err := dirsender.New(dirsender.Options{Dir: dir, From: cfg.mailFrom, Logger: logger.With("component", "mail")})
	if err != nil {
		return o, err
	}
	logger.Info("mail written as .eml files (set PARTNERKIT_SMTP_URL to send it)", "folder", dir, "public_url", public)
	o.Sender = s
	return o, nil
}

// mailDir is the .eml folder next to the database file (in the working
// directory for PostgreSQL).
func mailDir(dsn string) string {
	if sqldb.IsPostgresDSN(dsn) {
		return mailFolder
	}
	path := strings.TrimPrefix(dsn, "file:")
	path, _, _ = strings.Cut(path, "?")
	return filepath.Join(filepath.Dir(path), mailFolder)
}

// defaultPublicURL is the URL of the listen address (localhost for an
// address that listens on every interface).
func defaultPublicURL(addr string, https bool) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, ""
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	scheme := "http://"
	if https {
		scheme = "https://"
	}
	if port == "" {
		return scheme + host
	}
	return scheme + net.JoinHostPort(host, port)
}
