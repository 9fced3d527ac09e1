package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/mail"
	"github.com/partnerkit/partnerkit/wiring"
)

// mailFixture is the partners environment with the mail store and a mail
// service on the same database, whose scheduler records the sends it is
// given and whose sender records what it sends (and fails as told).
type mailFixture struct {
	*partnersEnv
	outbox mail.Store
	svc    *mail.Service
	jobs   *mailJobs
	sender *fakeSender
	clock  partnerkit.Clock
}

// mailJobs is a mail.Scheduler that records the jobs it is given.
type mailJobs struct {
	mu   sync.Mutex
	jobs []mail.SendJob
}

// ScheduleSend implements mail.Scheduler.
func (j *mailJobs) ScheduleSend(_ context.Context, job mail.SendJob) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.jobs = append(j.jobs, job)
	return nil
}

func (j *mailJobs) all() []mail.SendJob {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.jobs)
}

// fakeSender is a mail.Sender that records the messages it sends and
// returns the errors queued in fail first.
type fakeSender struct {
	mu   sync.Mutex
	sent []mail.Message
	fail []error
}

// Send implements mail.Sender.
func (s *fakeSender) Send(_ context.Context, m mail.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.fail) > 0 {
		err := s.fail[0]
		s.fail = s.fail[1:]
		return err
	}
	s.sent = append(s.sent, m)
	return nil
}

func (s *fakeSender) failNext(errs ...error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = append(s.fail, errs...)
}

func (s *fakeSender) messages() []mail.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// mailRetries is the fixture's retry schedule: three attempts.
var mailRetries = []time.Duration{time.Minute, time.Hour}

func newMailFixture(t *testing.T, h Harness) *mailFixture {
	t.Helper()
	e := newPartnersEnv(t, h)
	declared(t, e.stores, forMail)
	// Times with microseconds, which every store must keep.
	clock := partnerkit.Clock(TickingClock(Epoch.Add(2*time.Hour + 123456*time.Microsecond)))
	f := &mailFixture{partnersEnv: e, outbox: e.stores.Mail, jobs: &mailJobs{}, sender: &fakeSender{}, clock: clock}
	services := wired(t, e.stores, wiring.Options{Clock: clock, Hasher: CheapHasher, Mail: wiring.MailOptions{
		Sender: f.sender, Scheduler: f.jobs, PublicURL: "https://partners.example.com",
		Options: []mail.Option{mail.WithRetrySchedule(mailRetries)}}})
	f.svc = services.Mail
	return f
}

// message returns a new queued message (not stored), created at the
// fixture's next tick.
func (f *mailFixture) message(ref, dedupe string) *mail.OutboxMessage {
	now := f.clock.Now()
	return &mail.OutboxMessage{ID: partnerkit.NewID(mail.PrefixMessage), Kind: partnerkit.MailPasswordReset,
		To: "ada@example.com", AccountID: f.root.ID, Ref: ref, DedupeKey: dedupe,
		Data:   map[string]string{"reset_path": "/reset-password/tok_" + ref, "full_name": "Ada « Lovelace »"},
		Status: mail.StatusQueued, NextAttemptAt: &now, CreatedAt: now, UpdatedAt: now}
}

// reset is a valid message to queue about ref.
func reset(ref, to string) partnerkit.Mail {
	return partnerkit.Mail{Kind: partnerkit.MailPasswordReset, To: to, Ref: ref,
		Data: map[string]string{"reset_path": "/reset-password/tok_" + ref}}
}

// messageDiff says how a stored message differs from want ("" when not).
func messageDiff(got, want *mail.OutboxMessage) string {
	switch {
	case got.ID != want.ID || got.Kind != want.Kind || got.To != want.To || got.AccountID != want.AccountID ||
		got.Ref != want.Ref || got.DedupeKey != want.DedupeKey || got.Status != want.Status ||
		got.Attempts != want.Attempts || got.LastError != want.LastError:
		return fmt.Sprintf("got %+v, want %+v", *got, *want)
	case !maps.Equal(got.Data, want.Data):
		return fmt.Sprintf("data %v, want %v", got.Data, want.Data)
	case !sameTimePtr(got.NextAttemptAt, want.NextAttemptAt) || !sameTimePtr(got.SentAt, want.SentAt):
		return fmt.Sprintf("next attempt %v sent %v, want %v %v", got.NextAttemptAt, got.SentAt, want.NextAttemptAt, want.SentAt)
	case !sameTime(got.CreatedAt, want.CreatedAt) || !sameTime(got.UpdatedAt, want.UpdatedAt):
		return fmt.Sprintf("times %v %v, want %v %v (UTC)", got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt)
	}
	return ""
}

func messageIDs(ms []mail.OutboxMessage) []string {
	ids := make([]string, len(ms))
	for i := range ms {
		ids[i] = ms[i].ID
	}
	return ids
}

// mailSuite is the table of mail.Store's conformance tests: every method
// on the store directly, the service's queue and send lifecycle on the
// store, and one Concurrent… test per rule of the store's Concurrency
// section.
func mailSuite() suite {
	ctx := context.Background()
	return suite{tests: []test{
		{name: "MessageRoundTrip", needs: forMail, fn: func(t *testing.T, h Harness) {
			f := newMailFixture(t, h)
			m := f.message(partnerkit.NewID(partnerkit.PrefixInvitation), "")
			if !must[bool](t)(f.outbox.CreateMessage(ctx, m)) {
				t.Fatal("a new message was not inserted")
			}
			got := must[*mail.OutboxMessage](t)(f.outbox.GetMessage(ctx, m.ID))
			if diff := messageDiff(got, m); diff != "" {
				t.Fatal(diff)
			}
			bare := f.message("", "")
			bare.AccountID, bare.Data, bare.NextAttemptAt = "", nil, nil
			must[bool](t)(f.outbox.CreateMessage(ctx, bare))
			if got := must[*mail.OutboxMessage](t)(f.outbox.GetMessage(ctx, bare.ID)); messageDiff(got, bare) != "" {
				t.Fatal(messageDiff(got, bare))
			}
			_, err := f.outbox.CreateMessage(ctx, m)
			wantCode(t, err, partnerkit.CodeConflict)
			_, err = f.outbox.GetMessage(ctx, partnerkit.NewID(mail.PrefixMessage))
			wantCode(t, err, partnerkit.CodeNotFound)
			// A rolled-back transaction leaves nothing, and frees its key.
			boom := errors.New("boom")
			gone := f.message("", "key-"+partnerkit.NewID("K"))
			err = f.outbox.InTx(ctx, func(ctx context.Context) error {
				if _, err := f.outbox.CreateMessage(ctx, gone); err != nil {
					return err
				}
				if _, err := f.outbox.GetMessage(ctx, gone.ID); err != nil {
					return err // the transaction sees its own write
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("InTx returned %v", err)
			}
			_, err = f.outbox.GetMessage(ctx, gone.ID)
			wantCode(t, err, partnerkit.CodeNotFound)
			again := f.message("", gone.DedupeKey)
			if !must[bool](t)(f.outbox.CreateMessage(ctx, again)) {
				t.Fatal("the key of a rolled-back message is still taken")
			}
		}},

		{name: "DedupeKey", needs: forMail, fn: func(t *testing.T, h Harness) {
			f := newMailFixture(t, h)
			ref := partnerkit.NewID(partnerkit.PrefixInvitation)
			first := f.message(ref, "EV-1/contract_to_sign/abc")
			if !must[bool](t)(f.outbox.CreateMessage(ctx, first)) {
				t.Fatal("the first message of a key was not inserted")
			}
			dup := f.message(ref, first.DedupeKey)
			dup.To = "other@example.com"
			if must[bool](t)(f.outbox.CreateMessage(ctx, dup)) {
				t.Fatal("a second message with the same key was inserted")
			}
			_, err := f.outbox.GetMessage(ctx, dup.ID)
			wantCode(t, err, partnerkit.CodeNotFound)
			// Messages without a key never clash; other keys neither.
			for range 3 {
				if !must[bool](t)(f.outbox.CreateMessage(ctx, f.message(ref, ""))) {
					t.Fatal("a message without a key was not inserted")
				}
			}
			if !must[bool](t)(f.outbox.CreateMessage(ctx, f.message(ref, "EV-2/contract_to_sign/abc"))) {
				t.Fatal("a message with another key was not inserted")
			}
			if all := must[[]mail.OutboxMessage](t)(f.outbox.MessagesByRefs(ctx, []string{ref})); len(all) != 5 {
				t.Fatalf("%d messages about the ref, want 5", len(all))
			}
			if got := must[*mail.OutboxMessage](t)(f.outbox.GetMessage(ctx, first.ID)); got.To != first.To {
				t.Fatalf("the duplicate changed the first message: %+v", got)
			}
		}},

		{name: "RecordAttemptOnce", needs: forMail, fn: func(t *testing.T, h Harness) {
			f := newMailFixture(t, h)
			m := f.message(partnerkit.NewID(partnerkit.PrefixInvitation), "")
			must[bool](t)(f.outbox.CreateMessage(ctx, m))
			// Attempt 1 failed: queued again, with its error.
			next := f.clock.Now().Add(time.Minute)
			retry := m.Copy()
			retry.Attempts, retry.LastError, retry.NextAttemptAt, retry.UpdatedAt = 1, "421 try later", &next, f.clock.Now()
			noErr(t, f.outbox.RecordAttempt(ctx, &retry))
			if got := must[*mail.OutboxMessage](t)(f.outbox.GetMessage(ctx, m.ID)); messageDiff(got, &retry) != "" {
				t.Fatal(messageDiff(got, &retry))
			}
			// Attempt 1 again (a job run twice): conflict, nothing written.
			twice := retry.Copy()
			twice.LastError = "recorded twice"
			wantCode(t, f.outbox.RecordAttempt(ctx, &twice), partnerkit.CodeConflict)
			// Attempt 2 sent: the data are erased.
			sent := retry.Copy()
			at := f.clock.Now()
			sent.Attempts, sent.Status, sent.LastError, sent.NextAttemptAt, sent.SentAt, sent.UpdatedAt, sent.Data =
				2, mail.StatusSent, "", nil, &at, at, nil
			noErr(t, f.outbox.RecordAttempt(ctx, &sent))
			got := must[*mail.OutboxMessage](t)(f.outbox.GetMessage(ctx, m.ID))
			if diff := messageDiff(got, &sent); diff != "" {
				t.Fatal(diff)
			}
			if len(got.Data) != 0 {
				t.Fatalf("a sent message keeps its data %v", got.Data)
			}
			// A sent message takes no further attempt.
			after := sent.Copy()
			after.Attempts, after.Status = 3, mail.StatusQueued
			wantCode(t, f.outbox.RecordAttempt(ctx, &after), partnerkit.CodeConflict)
			missing := sent.Copy()
			missing.ID = partnerkit.NewID(mail.PrefixMessage)
			wantCode(t, f.outbox.RecordAttempt(ctx, &missing), partnerkit.CodeNotFound)
		}},

		{name: "MessagesByRefsOrder", needs: forMail, fn: func(t *testing.T, h Harness) {
			f := newMailFixture(t, h)
			a, b := partnerkit.NewID(partnerkit.PrefixInvitation), partnerkit.NewID(partnerkit.PrefixInvitation)
			var want []*mail.OutboxMessage
			shared := f.clock.Now()
			for i := range 6 {
				m := f.message(a, "")
				if i == 2 || i == 3 {
					m.CreatedAt, m.UpdatedAt = shared, shared // a tie, broken by ID
				}
				if i%2 == 1 {
					m.Ref = b
				}
				must[bool](t)(f.outbox.CreateMessage(ctx, m))
				want = append(want, m)
			}
			must[bool](t)(f.outbox.CreateMessage(ctx, f.message(partnerkit.NewID(partnerkit.PrefixInvitation), "")))
			slices.SortStableFunc(want, func(x, y *mail.OutboxMessage) int {
				if c := y.CreatedAt.Compare(x.CreatedAt); c != 0 {
					return c
				}
				if x.ID > y.ID {
					return -1
				}
				return 1
			})
			var wantIDs, wantA []string
			for _, m := range want {
				wantIDs = append(wantIDs, m.ID)
				if m.Ref == a {
					wantA = append(wantA, m.ID)
				}
			}
			got := must[[]mail.OutboxMessage](t)(f.outbox.MessagesByRefs(ctx, []string{a, b}))
			if !slices.Equal(messageIDs(got), wantIDs) {
				t.Fatalf("messages %v, want newest first %v", messageIDs(got), wantIDs)
			}
			for i := range got {
				if diff := messageDiff(&got[i], want[i]); diff != "" {
					t.Fatal(diff)
				}
			}
			if got := must[[]mail.OutboxMessage](t)(f.outbox.MessagesByRefs(ctx, []string{a})); !slices.Equal(messageIDs(got), wantA) {
				t.Fatalf("messages of one ref %v, want %v", messageIDs(got), wantA)
			}
			if got := must[[]mail.OutboxMessage](t)(f.outbox.MessagesByRefs(ctx, []string{"INV-none"})); len(got) != 0 {
				t.Fatalf("an unknown ref has %d messages", len(got))
			}
		}},

		{name: "QueueInCallersTransaction", needs: forMail, fn: func(t *testing.T, h Harness) {
			f := newMailFixture(t, h)
			boom := errors.New("boom")
			rolled, kept := partnerkit.NewID(partnerkit.PrefixInvitation), partnerkit.NewID(partnerkit.PrefixInvitation)
			// The partners store's transaction carries the message: a
			// rollback of the change drops it.
			err := f.store.InTx(ctx, func(ctx context.Context) error {
				noErr(t, f.svc.QueueMail(ctx, reset(rolled, "ada@example.com")))
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("InTx returned %v", err)
			}
			if got := must[[]mail.MessageStatus](t)(f.svc.Status(ctx, rolled)); len(got) != 0 {
				t.Fatalf("a rolled-back change left %d messages", len(got))
			}
			// Its job, if an engine kept one, finds nothing to send.
			for _, j := range f.jobs.all() {
				noErr(t, f.svc.Send(ctx, j))
			}
			if n := len(f.sender.messages()); n != 0 {
				t.Fatalf("a message of a rolled-back change was sent %d times", n)
			}
			noErr(t, f.store.InTx(ctx, func(ctx context.Context) error {
				return f.svc.QueueMail(ctx, reset(kept, "ada@example.com"))
			}))
			st := must[[]mail.MessageStatus](t)(f.svc.Status(ctx, kept))
			if len(st) != 1 || st[0].Status != mail.StatusQueued || st[0].To != "ada@example.com" {
				t.Fatalf("status after the commit %+v", st)
			}
			jobs := f.jobs.all()
			if last := jobs[len(jobs)-1]; last.MessageID != st[0].ID || last.Attempt != 1 || !last.At.Equal(st[0].QueuedAt) {
				t.Fatalf("job %+v for message %+v", last, st[0])
			}
			// An invalid message fails the caller's change.
			err = f.svc.QueueMail(ctx, partnerkit.Mail{Kind: partnerkit.MailPasswordReset, To: "ada@example.com"})
			wantField(t, err, partnerkit.CodeInvalid, "data.reset_path")
		}},

		{name: "SendLifecycle", needs: forMail, fn: func(t *testing.T, h Harness) {
			f := newMailFixture(t, h)
			queue := func(ref, to string) (mail.MessageStatus, mail.SendJob) {
				t.Helper()
				noErr(t, f.svc.QueueMail(ctx, reset(ref, to)))
				st := must[[]mail.MessageStatus](t)(f.svc.Status(ctx, ref))
				jobs := f.jobs.all()
				return st[0], jobs[len(jobs)-1]
			}
			status := func(ref string) mail.MessageStatus {
				t.Helper()
				return must[[]mail.MessageStatus](t)(f.svc.Status(ctx, ref))[0]
			}

			// Sent at once; the data are erased; the job run again does nothing.
			ok := partnerkit.NewID(partnerkit.PrefixInvitation)
			st, job := queue(ok, "ada@example.com")
			noErr(t, f.svc.Send(ctx, job))
			noErr(t, f.svc.Send(ctx, job))
			sent := f.sender.messages()
			if len(sent) != 1 || sent[0].ID != st.ID || sent[0].To != "ada@example.com" || sent[0].Subject == "" {
				t.Fatalf("sent %v", sent)
			}
			if got := status(ok); got.Status != mail.StatusSent || got.SentAt == nil || got.Attempts != 1 || got.LastError != "" {
				t.Fatalf("status %+v", got)
			}
			stored := must[*mail.OutboxMessage](t)(f.outbox.GetMessage(ctx, st.ID))
			if len(stored.Data) != 0 {
				t.Fatalf("a sent message keeps its data (tokens) %v", stored.Data)
			}

			// Refused for good: refused at once, data erased, no retry.
			refused := partnerkit.NewID(partnerkit.PrefixInvitation)
			st, job = queue(refused, "gone@example.com")
			f.sender.failNext(mail.Permanent(errors.New("550 5.1.1 mailbox unavailable")))
			jobsBefore := len(f.jobs.all())
			noErr(t, f.svc.Send(ctx, job))
			if got := status(refused); got.Status != mail.StatusRefused || got.LastError != "550 5.1.1 mailbox unavailable" || got.SentAt != nil {
				t.Fatalf("status %+v", got)
			}
			if len(f.jobs.all()) != jobsBefore {
				t.Fatal("a refused message was scheduled again")
			}
			if m := must[*mail.OutboxMessage](t)(f.outbox.GetMessage(ctx, st.ID)); len(m.Data) != 0 {
				t.Fatalf("a refused message keeps its data %v", m.Data)
			}

			// Temporary failures: retried on the schedule, then failed.
			down := partnerkit.NewID(partnerkit.PrefixInvitation)
			_, job = queue(down, "bob@example.com")
			f.sender.failNext(errors.New("dial tcp: connection refused"), errors.New("421 try later"), errors.New("dial tcp: timeout"))
			for n := 1; n <= 3; n++ {
				noErr(t, f.svc.Send(ctx, job))
				got := status(down)
				jobs := f.jobs.all()
				if n < 3 {
					next := jobs[len(jobs)-1]
					if got.Status != mail.StatusQueued || got.Attempts != n || next.Attempt != n+1 || next.MessageID != got.ID {
						t.Fatalf("after attempt %d: %+v, next job %+v", n, got, next)
					}
					if d := next.At.Sub(got.UpdatedAt); d < mailRetries[n-1]*9/10 || d > mailRetries[n-1]*11/10 {
						t.Fatalf("attempt %d retried after %v, want about %v", n, d, mailRetries[n-1])
					}
					job = next
					continue
				}
				if got.Status != mail.StatusFailed || got.Attempts != 3 || got.LastError != "dial tcp: timeout" {
					t.Fatalf("after the last attempt: %+v", got)
				}
				if m := must[*mail.OutboxMessage](t)(f.outbox.GetMessage(ctx, got.ID)); len(m.Data) != 0 || m.NextAttemptAt != nil {
					t.Fatalf("a failed message keeps its data %v or a next attempt %v", m.Data, m.NextAttemptAt)
				}
			}
			if n := len(f.sender.messages()); n != 1 {
				t.Fatalf("%d messages sent, want the first only", n)
			}
			// What invitation lists show.
			last := must[map[string]partnerkit.MailDelivery](t)(f.svc.LastMail(ctx, []string{ok, refused, down, "INV-none", ""}))
			if len(last) != 3 || last[ok].Status != "sent" || last[refused].Status != "refused" || last[down].Status != "failed" ||
				last[refused].Error == "" || last[ok].SentAt == nil || last[refused].To != "gone@example.com" {
				t.Fatalf("LastMail %+v", last)
			}
		}},

		{name: "ConcurrentDedupeKey", needs: forMail, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "mail.Store: the unique key on dedupe_key (INSERT … ON CONFLICT DO NOTHING)")
			f := newMailFixture(t, h)
			for round := range raceRounds {
				ref := partnerkit.NewID(partnerkit.PrefixInvitation)
				key := fmt.Sprintf("EV-race-%d/%s", round, ref)
				before := len(f.jobs.all())
				errs := Race(8, func(i int) error {
					// Each racer queues in a transaction of its own that
					// goes on a moment after the insert, as a change would.
					return f.store.InTx(ctx, func(ctx context.Context) error {
						m := reset(ref, fmt.Sprintf("admin%d@example.com", i))
						m.DedupeKey = key
						if err := f.svc.QueueMail(ctx, m); err != nil {
							return err
						}
						_, err := f.store.GetAccount(ctx, f.root.ID)
						return err
					})
				})
				Outcomes(t, errs)
				if got := must[[]mail.MessageStatus](t)(f.svc.Status(ctx, ref)); len(got) != 1 {
					t.Fatalf("round %d: %d messages with one dedupe key, want 1", round, len(got))
				}
				if n := len(f.jobs.all()) - before; n != 1 {
					t.Fatalf("round %d: %d sends scheduled, want 1", round, n)
				}
			}
		}},

		{name: "ConcurrentRecordAttempt", needs: forMail, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "mail.Store: RecordAttempt's UPDATE … WHERE status = 'queued' AND attempts = n-1")
			f := newMailFixture(t, h)
			for round := range raceRounds {
				m := f.message(partnerkit.NewID(partnerkit.PrefixInvitation), "")
				must[bool](t)(f.outbox.CreateMessage(ctx, m))
				errs := Race(6, func(i int) error {
					x := m.Copy()
					at := f.clock.Now()
					x.Attempts, x.Status, x.SentAt, x.UpdatedAt, x.Data, x.LastError = 1, mail.StatusSent, &at, at, nil, fmt.Sprint(i)
					return f.outbox.RecordAttempt(ctx, &x)
				})
				if c := Outcomes(t, errs, partnerkit.CodeConflict); c[""] != 1 || c[partnerkit.CodeConflict] != 5 {
					t.Fatalf("round %d: outcomes %v, want one success and five conflicts", round, c)
				}
				if got := must[*mail.OutboxMessage](t)(f.outbox.GetMessage(ctx, m.ID)); got.Attempts != 1 || got.Status != mail.StatusSent {
					t.Fatalf("round %d: %+v", round, got)
				}
			}
		}},
	}}
}
