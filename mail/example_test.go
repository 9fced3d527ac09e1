package mail_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/mail"
	"github.com/partnerkit/partnerkit/mail/memstore"
)

// printer is a mail.Sender that prints what it sends.
type printer struct{}

func (printer) Send(_ context.Context, m mail.Message) error {
	link := m.Text[strings.Index(m.Text, "https://"):]
	fmt.Printf("to %s: %s\n%s\n", m.To, m.Subject, link[:strings.IndexByte(link, '\n')])
	return nil
}

// jobs is a mail.Scheduler that keeps the jobs it is given (the job
// engine runs them; here the example does).
type jobs []mail.SendJob

func (j *jobs) ScheduleSend(_ context.Context, job mail.SendJob) error {
	*j = append(*j, job)
	return nil
}

// ExampleService queues a message (in the caller's transaction, when
// there is one), runs its send job and shows what was sent about the
// object.
func ExampleService() {
	ctx := context.Background()
	var scheduled jobs
	svc := mail.NewService(memstore.New(nil), mail.WithSender(printer{}), mail.WithScheduler(&scheduled),
		mail.WithPublicURL("https://partners.example.com"))
	err := svc.QueueMail(ctx, partnerkit.Mail{Kind: partnerkit.MailTeamInvitation, To: "ada@example.com", Ref: "TI-1",
		Data: map[string]string{"account_name": "Acme", "invite_path": "/join/t0ken"}})
	if err != nil {
		panic(err)
	}
	for _, job := range scheduled {
		if err := svc.Send(ctx, job); err != nil {
			panic(err)
		}
	}
	st, _ := svc.Status(ctx, "TI-1")
	fmt.Println(st[0].Status, st[0].To)
	// Output:
	// to ada@example.com: Join Acme on Partnerkit
	// https://partners.example.com/join/t0ken
	// sent ada@example.com
}
