package mail

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/partnerkit/partnerkit"
)

// Service is the outbox: it queues messages (partnerkit.MailQueue), sends
// them (Send, from the scheduler's jobs) and tells what was sent (Status).
type Service struct {
	store     Store
	clock     partnerkit.Clock
	sender    Sender
	scheduler Scheduler
	renderer  *renderer
	schedule  []time.Duration
	timeout   time.Duration
}

var (
	_ partnerkit.MailQueue    = (*Service)(nil)
	_ StatusReader            = (*Service)(nil)
	_ partnerkit.MailStatuses = (*Service)(nil)
)

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock that stamps messages and decides when retries
// are due.
func WithClock(c partnerkit.Clock) Option { return func(s *Service) { s.clock = c } }

// WithSender sets how messages are sent (mail/smtpsender,
// mail/dirsender). Without one nothing is sent: messages are stored and
// stay queued (tests and programs that embed the services without mail).
func WithSender(x Sender) Option { return func(s *Service) { s.sender = x } }

// WithScheduler sets what runs the sends (the job engine, or
// LocalScheduler). Without one messages are stored and stay queued.
func WithScheduler(x Scheduler) Option { return func(s *Service) { s.scheduler = x } }

// WithPublicURL sets the URL the links of messages start with
// (PARTNERKIT_PUBLIC_URL; DefaultPublicURL without it). It panics on a URL
// that ParsePublicURL refuses: check it first.
func WithPublicURL(u string) Option {
	base, err := ParsePublicURL(u)
	if err != nil {
		panic("mail.WithPublicURL: " + err.Error())
	}
	return func(s *Service) { s.renderer = newRenderer(base) }
}

// WithRetrySchedule replaces RetrySchedule (tests use short delays).
func WithRetrySchedule(d []time.Duration) Option {
	return func(s *Service) { s.schedule = slices.Clone(d) }
}

// WithSendTimeout replaces SendTimeout, how long one send may take.
func WithSendTimeout(d time.Duration) Option { return func(s *Service) { s.timeout = d } }

// NewService returns a Service on store.
func NewService(store Store, opts ...Option) *Service {
	s := &Service{store: store, schedule: RetrySchedule, timeout: SendTimeout}
	for _, o := range opts {
		o(s)
	}
	if s.renderer == nil {
		s.renderer = newRenderer(DefaultPublicURL)
	}
	return s
}

// SetScheduler sets the scheduler after construction (the job engine is
// built with the services it runs).
func (s *Service) SetScheduler(x Scheduler) { s.scheduler = x }

// MaxAttempts is how many sends a message gets before it is marked failed.
func (s *Service) MaxAttempts() int { return len(s.schedule) + 1 }

// PublicURL is the URL the links of messages start with.
func (s *Service) PublicURL() string { return s.renderer.publicURL }

// QueueMail implements partnerkit.MailQueue: it checks the message, stores
// it in the outbox and schedules its first send now, in the transaction
// ctx carries (or one of its own). A message whose DedupeKey the outbox
// holds already is dropped without error.
//
// Returns invalid naming the problem ("kind", "to", "data.reset_path":
// see Kinds for each kind's fields).
func (s *Service) QueueMail(ctx context.Context, in partnerkit.Mail) error {
	const op = "mail.QueueMail"
	in, _, err := check(in)
	if err != nil {
		return partnerkit.WithOp(op, err)
	}
	now := s.clock.Now()
	data := make(map[string]string, len(in.Data))
	for k, v := range in.Data {
		if v != "" {
			data[k] = v
		}
	}
	m := &OutboxMessage{ID: partnerkit.NewID(PrefixMessage), Kind: in.Kind, To: in.To, AccountID: in.AccountID, Ref: in.Ref,
		DedupeKey: in.DedupeKey, Data: data, Status: StatusQueued, NextAttemptAt: &now, CreatedAt: now, UpdatedAt: now}
	return partnerkit.WithOp(op, s.store.InTx(ctx, func(ctx context.Context) error {
		inserted, err := s.store.CreateMessage(ctx, m)
		if err != nil || !inserted || s.scheduler == nil || s.sender == nil {
			return err
		}
		return s.scheduler.ScheduleSend(ctx, SendJob{MessageID: m.ID, Attempt: 1, At: now})
	}))
}

// Status implements StatusReader: the messages queued about ref, newest
// first.
func (s *Service) Status(ctx context.Context, ref string) ([]MessageStatus, error) {
	const op = "mail.Status"
	if err := partnerkit.CheckID("ref", ref); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if ref == "" {
		return []MessageStatus{}, nil
	}
	ms, err := s.store.MessagesByRefs(ctx, []string{ref})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	out := make([]MessageStatus, len(ms))
	for i := range ms {
		out[i] = statusOf(&ms[i])
	}
	return out, nil
}

// LastMail implements partnerkit.MailStatuses: for each ref with mail,
// its last message (the newest queued). Refs are IDs, at most
// partnerkit.MaxLimit of them (a page of a list); empty ones have none.
// It checks no tenancy: the caller shows them beside objects it let the
// actor see.
func (s *Service) LastMail(ctx context.Context, refs []string) (map[string]partnerkit.MailDelivery, error) {
	const op = "mail.LastMail"
	if err := partnerkit.CheckIDs("refs", refs); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var ask []string
	for _, r := range refs {
		if r != "" && !slices.Contains(ask, r) {
			ask = append(ask, r)
		}
	}
	out := map[string]partnerkit.MailDelivery{}
	for chunk := range slices.Chunk(ask, partnerkit.MaxLimit) {
		ms, err := s.store.MessagesByRefs(ctx, chunk)
		if err != nil {
			return nil, partnerkit.WithOp(op, err)
		}
		for i := range ms { // newest first: the first of a ref is its last
			m := &ms[i]
			if _, seen := out[m.Ref]; !seen {
				out[m.Ref] = partnerkit.MailDelivery{To: m.To, Status: string(m.Status), QueuedAt: m.CreatedAt,
					SentAt: timeCopy(m.SentAt), Error: m.LastError}
			}
		}
	}
	return out, nil
}

// Send runs one scheduled send: it renders the message, hands it to the
// sender outside any transaction, and records the outcome — sent;
// refused on a permanent error; failed when the message cannot be
// rendered or the last attempt failed; else queued again with the next
// attempt scheduled on the retry schedule. A sent, refused or failed
// message's data are erased. A job whose attempt was recorded already, or
// whose message is gone or no longer queued, does nothing (and so does
// every job of a service without a sender), so a job that
// runs twice sends at most one extra message. It returns an error only
// when the outcome could not be stored (the job engine retries it).
func (s *Service) Send(ctx context.Context, job SendJob) error {
	const op = "mail.Send"
	m, err := s.store.GetMessage(ctx, job.MessageID)
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
		return nil
	}
	if err != nil {
		return partnerkit.WithOp(op, err)
	}
	if m.Status != StatusQueued || m.Attempts >= job.Attempt || s.sender == nil {
		return nil
	}
	var sendErr error
	rendered := false
	msg, err := s.renderer.render(m)
	switch {
	case err != nil:
		sendErr = err
	default:
		rendered = true
		sctx, cancel := context.WithTimeout(ctx, s.timeout)
		sendErr = s.sender.Send(sctx, *msg)
		cancel()
	}
	now := s.clock.Now()
	m.Attempts++
	m.UpdatedAt, m.LastError, m.NextAttemptAt = now, cleanError(sendErr), nil
	var next *SendJob
	switch delay, more := nextDelay(s.schedule, m.Attempts); {
	case sendErr == nil:
		m.Status, m.SentAt = StatusSent, &now
	case !rendered:
		m.Status = StatusFailed
	case IsPermanent(sendErr):
		m.Status = StatusRefused
	case more:
		at := now.Add(delay)
		m.Status, m.NextAttemptAt = StatusQueued, &at
		next = &SendJob{MessageID: m.ID, Attempt: m.Attempts + 1, At: at}
	default:
		m.Status = StatusFailed
	}
	if m.Status.Final() {
		m.Data = nil // the links carry tokens: they do not outlive the send
	}
	return partnerkit.WithOp(op, s.store.InTx(ctx, func(ctx context.Context) error {
		err := s.store.RecordAttempt(ctx, m)
		if partnerkit.ErrorCode(err) == partnerkit.CodeConflict {
			return nil // recorded by another run of this job
		}
		if err != nil || next == nil || s.scheduler == nil {
			return err
		}
		return s.scheduler.ScheduleSend(ctx, *next)
	}))
}

// cleanError returns an error's text as one line of valid text of at most
// MaxErrorLength bytes ("" for nil).
func cleanError(err error) string {
	if err == nil {
		return ""
	}
	s := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(err.Error(), "\uFFFD"))
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > MaxErrorLength {
		cut := MaxErrorLength
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return s
}
