package mail_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/memdb"
	"github.com/partnerkit/partnerkit/internal/smtptest"
	"github.com/partnerkit/partnerkit/mail"
	"github.com/partnerkit/partnerkit/mail/memstore"
	"github.com/partnerkit/partnerkit/mail/smtpsender"
)

// outbox is a mail service on the memory store with the in-process
// scheduler and an SMTP sender to srvAddr, retrying every 50 ms.
type outbox struct {
	db    *memdb.DB
	store *memstore.Store
	svc   *mail.Service
	sched *mail.LocalScheduler
}

func newOutbox(t *testing.T, smtpURL string, retries int) *outbox {
	t.Helper()
	db := memdb.New()
	o := &outbox{db: db, store: memstore.New(db), sched: mail.NewLocalScheduler(db, nil)}
	t.Cleanup(o.sched.Close)
	sender, err := smtpsender.New(smtpsender.Options{URL: smtpURL, From: "Partnerkit <noreply@partners.example.com>", Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	o.svc = mail.NewService(o.store, mail.WithSender(sender), mail.WithScheduler(o.sched),
		mail.WithPublicURL("https://partners.example.com"), mail.WithRetrySchedule(slices.Repeat([]time.Duration{50 * time.Millisecond}, retries)))
	o.sched.SetSends(o.svc)
	o.sched.OnError = func(err error) { t.Errorf("send: %v", err) }
	return o
}

func (o *outbox) idle(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := o.sched.Idle(ctx); err != nil {
		t.Fatalf("sends still scheduled: %v", err)
	}
}

func (o *outbox) status(t *testing.T, ref string) mail.MessageStatus {
	t.Helper()
	st, err := o.svc.Status(context.Background(), ref)
	if err != nil || len(st) != 1 {
		t.Fatalf("status of %s: %v, %v", ref, st, err)
	}
	return st[0]
}

var changes = memdb.NewTable[string, string]()

// change commits a change of its own (a row of changes) that queues m in
// its transaction, or rolls it back when fail is set.
func (o *outbox) change(t *testing.T, key string, m partnerkit.Mail, fail error) error {
	t.Helper()
	return o.db.InTx(context.Background(), func(ctx context.Context) error {
		if err := o.db.Update(ctx, func(tx *memdb.Tx) error { changes.Put(tx, key, "done"); return nil }); err != nil {
			return err
		}
		if err := o.svc.QueueMail(ctx, m); err != nil {
			return err
		}
		return fail
	})
}

func invitation(ref, to string) partnerkit.Mail {
	return partnerkit.Mail{Kind: partnerkit.MailTeamInvitation, To: to, Ref: ref, AccountID: "PA-1",
		Data: map[string]string{"account_name": "Acme", "invite_path": "/join/tok_" + ref, "role": "staff", "expires_at": "2026-03-04T05:06:07Z"}}
}

// TestSMTPConversation: a message queued in a committed change reaches a
// real SMTP server (STARTTLS, a self-signed certificate, a password) with
// its headers, both parts and its absolute link; its data are erased once
// sent.
func TestSMTPConversation(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{StartTLS: true, User: "mailer", Password: "s3cret"})
	o := newOutbox(t, "smtp://mailer:s3cret@"+srv.Addr+"?insecure_skip_verify=1", 2)
	if err := o.change(t, "conversation", invitation("TI-1", "ada@example.com"), nil); err != nil {
		t.Fatal(err)
	}
	o.idle(t)
	got := srv.Received()
	if len(got) != 1 || !got[0].TLS || got[0].Authed != "mailer" || got[0].To[0] != "ada@example.com" {
		t.Fatalf("received %+v", got)
	}
	p, err := smtptest.Parse(got[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "Join Acme on Partnerkit" || !strings.Contains(p.Header.Get("To"), "ada@example.com") ||
		!strings.Contains(p.Header.Get("From"), "noreply@partners.example.com") {
		t.Errorf("headers %v", p.Header)
	}
	for part, body := range map[string]string{"text": p.Text, "html": p.HTML} {
		if !strings.Contains(body, "https://partners.example.com/join/tok_TI-1") || !strings.Contains(body, "4 March 2026, 05:06 UTC") {
			t.Errorf("%s part:\n%s", part, body)
		}
	}
	st := o.status(t, "TI-1")
	if st.Status != mail.StatusSent || st.SentAt == nil || st.Attempts != 1 {
		t.Fatalf("status %+v", st)
	}
	m, err := o.store.GetMessage(context.Background(), st.ID)
	if err != nil || len(m.Data) != 0 {
		t.Fatalf("the data of a sent message stay: %v %v", m.Data, err)
	}
}

// TestSMTPDown: while the server is down the message is retried; the
// change that queued it committed all the same; when the server is back
// the message arrives once.
func TestSMTPDown(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	srv.Close()
	o := newOutbox(t, "smtp://"+srv.Addr+"?starttls=opportunistic", 200)
	if err := o.change(t, "down", invitation("TI-2", "ada@example.com"), nil); err != nil {
		t.Fatalf("the change failed with the SMTP server down: %v", err)
	}
	if v, ok := changes.Get("down"); !ok || v != "done" {
		t.Fatal("the change did not commit")
	}
	deadline := time.Now().Add(10 * time.Second)
	for st := o.status(t, "TI-2"); st.Attempts < 3; st = o.status(t, "TI-2") {
		if time.Now().After(deadline) {
			t.Fatalf("not retried: %+v", st)
		}
		if st.Status != mail.StatusQueued {
			t.Fatalf("status %+v while the server is down", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st := o.status(t, "TI-2"); st.LastError == "" || !strings.Contains(st.LastError, "dial") {
		t.Fatalf("the failure is not shown: %+v", st)
	}
	back := srv.Restart(t)
	o.idle(t)
	if n := len(back.Received()); n != 1 {
		t.Fatalf("%d messages arrived, want 1", n)
	}
	if st := o.status(t, "TI-2"); st.Status != mail.StatusSent || st.LastError != "" {
		t.Fatalf("status %+v", st)
	}
}

// TestRefused: a 550 answer marks the message refused at once, and Status
// and LastMail show it.
func TestRefused(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{Refuse: map[string]*smtp.SMTPError{
		"gone@example.com": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox"}}})
	o := newOutbox(t, "smtp://"+srv.Addr+"?starttls=opportunistic", 5)
	if err := o.change(t, "refused", invitation("TI-3", "gone@example.com"), nil); err != nil {
		t.Fatal(err)
	}
	o.idle(t)
	st := o.status(t, "TI-3")
	if st.Status != mail.StatusRefused || st.Attempts != 1 || !strings.Contains(st.LastError, "550") || !strings.Contains(st.LastError, "No such mailbox") {
		t.Fatalf("status %+v", st)
	}
	last, err := o.svc.LastMail(context.Background(), []string{"TI-3"})
	if err != nil || last["TI-3"].Status != "refused" || last["TI-3"].To != "gone@example.com" {
		t.Fatalf("LastMail %+v %v", last, err)
	}
	if len(srv.Received()) != 0 {
		t.Fatal("a refused message was accepted")
	}
	if m, _ := o.store.GetMessage(context.Background(), st.ID); len(m.Data) != 0 {
		t.Fatalf("a refused message keeps its data %v", m.Data)
	}
}

// TestRolledBackChangeSendsNothing: the message of a change rolled back is
// neither stored nor sent.
func TestRolledBackChangeSendsNothing(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	o := newOutbox(t, "smtp://"+srv.Addr+"?starttls=opportunistic", 1)
	boom := errors.New("boom")
	if err := o.change(t, "rolled", invitation("TI-4", "ada@example.com"), boom); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	o.idle(t)
	if st, _ := o.svc.Status(context.Background(), "TI-4"); len(st) != 0 || len(srv.Received()) != 0 {
		t.Fatalf("a rolled-back change mailed: %v, %d received", st, len(srv.Received()))
	}
	if _, ok := changes.Get("rolled"); ok {
		t.Fatal("the change was not rolled back")
	}
}

// TestDedupeKey: a message queued twice with one DedupeKey is stored and
// sent once.
func TestDedupeKey(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	o := newOutbox(t, "smtp://"+srv.Addr+"?starttls=opportunistic", 1)
	m := invitation("TI-5", "ada@example.com")
	m.DedupeKey = mail.DedupeKey("EV-1", m.Kind, m.To)
	for range 3 {
		if err := o.svc.QueueMail(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	o.idle(t)
	if n := len(srv.Received()); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
	o.status(t, "TI-5")
}

// directory is a mail.Directory of fixed accounts.
type directory struct {
	admins    map[string][]string
	names     map[string]string
	contracts []mail.ContractRef
}

func (d directory) AccountAdmins(_ context.Context, id string) ([]string, error) {
	return d.admins[id], nil
}
func (d directory) AccountName(_ context.Context, id string) (string, error) { return d.names[id], nil }
func (d directory) AgreementName(_ context.Context, id string) (string, error) {
	return d.names[id], nil
}
func (d directory) OpenContracts(context.Context, string) ([]mail.ContractRef, error) {
	return d.contracts, nil
}

// queue is a partnerkit.MailQueue that records what it is given and
// checks it as the outbox does.
type queue struct {
	mu   sync.Mutex
	mail []partnerkit.Mail
}

func (q *queue) QueueMail(_ context.Context, m partnerkit.Mail) error {
	if _, err := mail.Render(m, ""); err != nil {
		return err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.mail = append(q.mail, m)
	return nil
}

func event(t *testing.T, typ, entityID string, object any) partnerkit.Event {
	t.Helper()
	b, err := json.Marshal(object)
	if err != nil {
		t.Fatal(err)
	}
	return partnerkit.Event{ID: partnerkit.NewID(partnerkit.PrefixEvent), Type: typ, CreatedAt: time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC),
		Data: partnerkit.EventData{EntityID: entityID, Object: b}}
}

func TestNotifier(t *testing.T) {
	dir := directory{
		admins: map[string][]string{"PA-partner": {"a1@example.com", "a2@example.com"}, "PA-p2": {"a2@example.com", "not an address"},
			"PA-owner": {"boss@example.com"}},
		names:     map[string]string{"PA-partner": "Acme", "PA-p2": "Beta", "PA-owner": "Provider", "AGR-1": "Reseller terms"},
		contracts: []mail.ContractRef{{ID: "CTR-1", PartnerID: "PA-partner"}, {ID: "CTR-2", PartnerID: "PA-partner"}, {ID: "CTR-3", PartnerID: "PA-p2"}},
	}
	for _, tc := range []struct {
		name  string
		event partnerkit.Event
		kind  string
		to    []string
		data  map[string]string
	}{
		{"ContractCreated", event(t, "contract.created", "CTR-1", map[string]any{"id": "CTR-1", "owner_id": "PA-owner",
			"partner_id": "PA-partner", "agreement_id": "AGR-1", "status": "pending"}),
			partnerkit.MailContractToSign, []string{"a1@example.com", "a2@example.com"},
			map[string]string{"owner_name": "Provider", "agreement_name": "Reseller terms", "account_name": "Acme", "contract_path": "/contracts"}},
		{"VersionPublished", event(t, "agreement.version_published", "AGR-1", map[string]any{
			"agreement": map[string]any{"id": "AGR-1", "owner_id": "PA-owner", "name": "Reseller terms", "current_version": 3},
			"version":   map[string]any{"agreement_id": "AGR-1", "number": 3}}),
			// One message per admin: a2 administers both partners.
			partnerkit.MailAgreementToResign, []string{"a1@example.com", "a2@example.com"},
			map[string]string{"agreement_name": "Reseller terms", "version": "3", "owner_name": "Provider"}},
		{"DealRejected", event(t, "deal.rejected", "DL-1", map[string]any{"id": "DL-1", "partner_id": "PA-partner", "owner_id": "PA-owner",
			"customer_name": "Big Co", "reason": "Duplicate", "status": "rejected"}),
			partnerkit.MailDealDecided, []string{"a1@example.com", "a2@example.com"},
			map[string]string{"decision": "rejected", "customer_name": "Big Co", "reason": "Duplicate", "deal_path": "/deals"}},
		{"DealApproved", event(t, "deal.approved", "DL-2", map[string]any{"id": "DL-2", "partner_id": "PA-p2", "owner_id": "PA-owner",
			"customer_name": "Small Co", "status": "approved"}),
			partnerkit.MailDealDecided, []string{"a2@example.com"}, map[string]string{"decision": "approved"}},
		{"ThresholdCrossed", event(t, "usage.threshold_crossed", "PA-partner", map[string]any{"partner_id": "PA-partner",
			"contract_id": "CTR-1", "threshold": 90, "used_tb": "9.5", "allocated_tb": "10", "month": "2026-05"}),
			partnerkit.MailUsageThreshold, []string{"a1@example.com", "a2@example.com"},
			map[string]string{"threshold": "90", "used_tb": "9.5", "allocated_tb": "10", "month": "2026-05", "account_name": "Acme"}},
		{"WebhookDisabled", event(t, "webhook.disabled", "WH-1", map[string]any{"id": "WH-1", "account_id": "PA-owner",
			"url": "https://erp.example.com/hook", "enabled": false, "disabled_reason": "failing"}),
			partnerkit.MailWebhookDisabled, []string{"boss@example.com"},
			map[string]string{"webhook_url": "https://erp.example.com/hook", "endpoint_path": "/webhooks/WH-1"}},
		{"InvitedPartnerHasNoAdmins", event(t, "contract.created", "CTR-9", map[string]any{"id": "CTR-9", "owner_id": "PA-owner",
			"partner_id": "PA-invited", "agreement_id": "AGR-1"}), "", nil, nil},
		{"OtherEvent", event(t, "partner.created", "PA-x", map[string]any{"id": "PA-x"}), "", nil, nil},
		{"BadObject", partnerkit.Event{ID: "EV-bad", Type: "deal.approved", Data: partnerkit.EventData{Object: json.RawMessage(`[1]`)}}, "", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := &queue{}
			n := mail.NewNotifier(q, dir)
			for range 2 { // at least once: twice
				if err := n.Handle(context.Background(), tc.event); err != nil {
					t.Fatal(err)
				}
			}
			if len(q.mail) != 2*len(tc.to) {
				t.Fatalf("queued %d, want %d (twice to %v): %+v", len(q.mail), 2*len(tc.to), tc.to, q.mail)
			}
			var to []string
			for i, m := range q.mail {
				if m.Kind != tc.kind {
					t.Errorf("kind %s, want %s", m.Kind, tc.kind)
				}
				if want := mail.DedupeKey(tc.event.ID, tc.kind, m.To); m.DedupeKey != want {
					t.Errorf("dedupe key %q, want %q", m.DedupeKey, want)
				}
				if i >= len(tc.to) {
					if q.mail[i-len(tc.to)].DedupeKey != m.DedupeKey {
						t.Error("the event handled again queued under another key")
					}
					continue
				}
				to = append(to, m.To)
				for k, v := range tc.data {
					if m.Data[k] != v {
						t.Errorf("data %s = %q, want %q", k, m.Data[k], v)
					}
				}
			}
			if !slices.Equal(to, tc.to) {
				t.Errorf("to %v, want %v", to, tc.to)
			}
			if tc.kind != "" && !slices.Contains(n.EventTypes(), tc.event.Type) {
				t.Errorf("%s is not among the Notifier's event types", tc.event.Type)
			}
		})
	}
}
