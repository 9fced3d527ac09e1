package jobs_test

import (
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/internal/smtptest"
	"github.com/partnerkit/partnerkit/jobs"
	"github.com/partnerkit/partnerkit/mail"
	"github.com/partnerkit/partnerkit/mail/smtpsender"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/partnerkit/partnerkit/wiring/stores"
	"github.com/uptrace/bun"
)

// startMail starts the services and the job engine on db with mail sent
// to an SMTP server by smtpURL, retrying every 100 ms.
func startMail(t *testing.T, db *bun.DB, smtpURL string, roots *smtptest.Server) *instance {
	t.Helper()
	ctx := context.Background()
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	eng, err := jobs.New(db, jobs.Config{Rules: []jobs.Rule{}, PollInterval: 50 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	o := smtpsender.Options{URL: smtpURL, From: "Partnerkit <noreply@partners.example.com>", Timeout: 2 * time.Second}
	if roots != nil {
		o.TLSConfig = &tls.Config{RootCAs: roots.CertPool}
	}
	sender, err := smtpsender.New(o)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := wiring.New(stores.MustSQL(db), wiring.Options{Publisher: eng,
		Hasher: partners.PasswordHasher{Time: 1, MemoryKiB: 8, Threads: 1},
		Mail: wiring.MailOptions{Sender: sender, Scheduler: eng, PublicURL: "https://partners.example.com",
			Options: []mail.Option{mail.WithRetrySchedule(slices.Repeat([]time.Duration{100 * time.Millisecond}, 100))}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(ctx, svc); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := eng.Stop(stopCtx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return &instance{svc: svc, engine: eng}
}

func mailStatus(t *testing.T, svc *wiring.Services, ref string) []mail.MessageStatus {
	t.Helper()
	st, err := svc.Mail.Status(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestMailFromAnEvent runs on SQLite and PostgreSQL: a contract created
// for a partner with an admin reaches that admin over SMTP with STARTTLS
// (the event's fan-out job runs the Notifier, whose message's job sends
// it), once, with both parts and the absolute link.
func TestMailFromAnEvent(t *testing.T) {
	for _, d := range databases {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			srv := smtptest.Start(t, smtptest.Options{StartTLS: true})
			in := startMail(t, d.open(t), "smtp://"+srv.Addr, srv)
			svc := in.svc
			admin := rootAdmin(t, svc)
			p, err := svc.Partners.CreatePartner(ctx, admin, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Acme Resellers"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Partners.CreateUser(ctx, admin, partners.CreateUserInput{AccountID: p.ID, Email: "Ada@Acme.example",
				FullName: "Ada", Password: "Correct-horse-7", Role: partnerkit.RoleAdmin}); err != nil {
				t.Fatal(err)
			}
			agr, err := svc.Agreements.Create(ctx, admin, agreements.CreateInput{Type: agreements.TypeProgram, Name: "Reseller terms",
				Document: agreements.DocumentInput{Kind: agreements.DocumentURL, URL: "https://example.com/terms.pdf"}})
			if err != nil {
				t.Fatal(err)
			}
			c, err := svc.Contracts.Create(ctx, admin, contracts.CreateInput{PartnerID: p.ID, AgreementID: agr.ID})
			if err != nil {
				t.Fatal(err)
			}
			wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			got, err := srv.Wait(wctx, 1)
			if err != nil {
				t.Fatalf("no mail arrived: %v", err)
			}
			if !got[0].TLS || len(got[0].To) != 1 || got[0].To[0] != "ada@acme.example" {
				t.Fatalf("received %+v", got[0])
			}
			m, err := smtptest.Parse(got[0].Data)
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != "Provider sent you a contract to sign: Reseller terms" {
				t.Errorf("subject %q", m.Subject)
			}
			for part, body := range map[string]string{"text": m.Text, "html": m.HTML} {
				if !strings.Contains(body, "https://partners.example.com/contracts") || !strings.Contains(body, "Acme Resellers") {
					t.Errorf("%s part:\n%s", part, body)
				}
			}
			waitFor(t, "the send recorded", func() bool {
				st := mailStatus(t, svc, c.ID)
				return len(st) == 1 && st[0].Status == mail.StatusSent
			})
			time.Sleep(300 * time.Millisecond) // a duplicate would have time to arrive
			if n := len(srv.Received()); n != 1 {
				t.Fatalf("%d messages arrived, want 1", n)
			}
		})
	}
}

// TestMailRetriedUntilSMTPComesBack: with the SMTP server down, the change
// that queues a message commits, the send is retried, and the message
// arrives once the server is back; its data are erased then.
func TestMailRetriedUntilSMTPComesBack(t *testing.T) {
	ctx := context.Background()
	srv := smtptest.Start(t, smtptest.Options{})
	srv.Close()
	db := databases[0].open(t)
	in := startMail(t, db, "smtp://"+srv.Addr+"?starttls=opportunistic", nil)
	svc := in.svc
	admin := rootAdmin(t, svc)
	var p *partners.Account
	err := svc.Stores.Partners.InTx(ctx, func(ctx context.Context) error {
		var err error
		if p, err = svc.Partners.CreatePartner(ctx, admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Queued Ltd"}); err != nil {
			return err
		}
		return svc.Mail.QueueMail(ctx, partnerkit.Mail{Kind: partnerkit.MailPartnerInvitation, To: "owner@queued.example", Ref: p.ID,
			Data: map[string]string{"inviter_name": "Provider", "partner_name": p.Name, "activation_path": "/activate/tok_retry"}})
	})
	if err != nil {
		t.Fatalf("the change failed with the SMTP server down: %v", err)
	}
	if _, err := svc.Partners.GetPartner(ctx, admin, p.ID); err != nil {
		t.Fatalf("the change did not commit: %v", err)
	}
	waitFor(t, "retries", func() bool {
		st := mailStatus(t, svc, p.ID)
		return len(st) == 1 && st[0].Status == mail.StatusQueued && st[0].Attempts >= 2 && st[0].LastError != ""
	})
	back := srv.Restart(t)
	waitFor(t, "the delivery", func() bool {
		st := mailStatus(t, svc, p.ID)
		return len(st) == 1 && st[0].Status == mail.StatusSent
	})
	got := back.Received()
	if len(got) != 1 || !strings.Contains(string(got[0].Data), "tok_retry") {
		t.Fatalf("received %d messages", len(got))
	}
	st := mailStatus(t, svc, p.ID)[0]
	stored, err := svc.Stores.Mail.GetMessage(ctx, st.ID)
	if err != nil || len(stored.Data) != 0 {
		t.Fatalf("the data of a sent message stay: %v %v", stored.Data, err)
	}
	var raw string
	if err := db.NewSelect().Table("mail_messages").Column("data").Where("id = ?", st.ID).Scan(ctx, &raw); err != nil || strings.Contains(raw, "tok_retry") {
		t.Fatalf("the row keeps the token: %q %v", raw, err)
	}
}

// TestMailRefusedShowsOnStatus: a 550 answer marks the message refused at
// once; Status and LastMail say so and nothing is retried.
func TestMailRefusedShowsOnStatus(t *testing.T) {
	ctx := context.Background()
	srv := smtptest.Start(t, smtptest.Options{Refuse: map[string]*smtp.SMTPError{
		"nobody@example.com": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}}})
	in := startMail(t, databases[0].open(t), "smtp://"+srv.Addr+"?starttls=opportunistic", nil)
	svc := in.svc
	if err := svc.Mail.QueueMail(ctx, partnerkit.Mail{Kind: partnerkit.MailPasswordReset, To: "nobody@example.com", Ref: "UR-1",
		Data: map[string]string{"reset_path": "/reset-password/tok"}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the refusal", func() bool {
		st := mailStatus(t, svc, "UR-1")
		return len(st) == 1 && st[0].Status == mail.StatusRefused
	})
	time.Sleep(300 * time.Millisecond)
	st := mailStatus(t, svc, "UR-1")[0]
	if st.Attempts != 1 || !strings.Contains(st.LastError, "550") {
		t.Fatalf("status %+v", st)
	}
	last, err := svc.Mail.LastMail(ctx, []string{"UR-1"})
	if err != nil || last["UR-1"].Status != "refused" {
		t.Fatalf("LastMail %+v %v", last, err)
	}
}
