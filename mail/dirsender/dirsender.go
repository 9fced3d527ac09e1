// Package dirsender is the mail.Sender that writes each message as an .eml
// file (RFC 5322, the MIME message go-mail builds, its parts 8bit so that
// the file reads as text and links are never wrapped) into a folder and logs the file's path: the server's sender
// when no SMTP server is configured, so that a newcomer running
// `make run` still gets working links (open the file in a mail client, or
// read it: the text part is plain text). The log names the file, never its
// content: the links in it carry tokens.
package dirsender

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit/mail"
	"github.com/partnerkit/partnerkit/mail/internal/message"
)

// DefaultFrom is the sender when Options.From is empty.
const DefaultFrom = message.DefaultFrom

// Options configure a Sender.
type Options struct {
	// Dir is the folder; it is made (mode 0700) at the first message.
	Dir string
	// From is the sender ("Partnerkit <noreply@example.com>"); empty
	// means DefaultFrom.
	From string
	// Logger receives one line per file written (nil: slog.Default()).
	Logger *slog.Logger
	// Now is the clock of the Date header and of file names (nil:
	// time.Now).
	Now func() time.Time
}

// Sender writes messages into a folder.
type Sender struct {
	dir, from string
	log       *slog.Logger
	now       func() time.Time
}

var _ mail.Sender = (*Sender)(nil)

// New returns a Sender writing into o.Dir. It refuses a path that is a
// file; it makes the folder when it writes the first message.
func New(o Options) (*Sender, error) {
	if o.Dir == "" {
		return nil, fmt.Errorf("mail folder: no folder given")
	}
	s := &Sender{dir: o.Dir, from: o.From, log: o.Logger, now: o.Now}
	if s.from == "" {
		s.from = DefaultFrom
	}
	if _, err := message.CheckFrom(s.from); err != nil {
		return nil, err
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if fi, err := os.Stat(o.Dir); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("mail folder %s: not a folder", o.Dir)
	}
	return s, nil
}

// Dir is the folder the messages go to.
func (s *Sender) Dir() string { return s.dir }

// Send implements mail.Sender: it writes <time>-<kind>-<message ID>.eml
// (through a temporary file, so a reader never sees half a message) and
// logs its path. A failure to write is temporary.
func (s *Sender) Send(ctx context.Context, m mail.Message) error {
	now := s.now()
	msg, err := message.Build(s.from, m, now, true)
	if err != nil {
		return mail.Permanent(err)
	}
	name := fmt.Sprintf("%s-%s-%s.eml", now.UTC().Format("20060102T150405.000Z"), safe(m.Kind), safe(m.ID))
	path := filepath.Join(s.dir, name)
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("mail folder: %w", err)
	}
	tmp, err := os.CreateTemp(s.dir, ".partnerkit-mail-*")
	if err != nil {
		return fmt.Errorf("mail folder: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, nothing to remove
	if _, err := msg.WriteTo(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	s.log.InfoContext(ctx, "mail written", "path", path, "kind", m.Kind, "id", m.ID)
	return nil
}

// safe keeps the letters, digits, '-' and '_' of s, for a file name.
func safe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}
