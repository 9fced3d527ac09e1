package wiring

import (
	"context"
	"fmt"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/mail"
	"github.com/partnerkit/partnerkit/partners"
)

// MailOptions configure the mail service of Stores.Mail.
type MailOptions struct {
	// Sender sends the messages (mail/smtpsender, mail/dirsender); nil
	// sends nothing: messages are stored and stay queued.
	Sender mail.Sender
	// PublicURL starts the links of messages (PARTNERKIT_PUBLIC_URL; see
	// mail.ParsePublicURL); empty means mail.DefaultPublicURL.
	PublicURL string
	// Scheduler runs the sends: the job engine (package jobs) on SQL
	// stores. On the memory stores nil means an in-process
	// mail.LocalScheduler (Services.MailScheduler).
	Scheduler mail.Scheduler
	// Options are more options of the service (its retry schedule, send
	// timeout); they come last.
	Options []mail.Option
}

// newMail builds the mail service of st, or nil without a mail store.
func newMail(st Stores, o Options) (*mail.Service, *mail.LocalScheduler, error) {
	if st.Mail == nil {
		return nil, nil, nil
	}
	opts := []mail.Option{mail.WithClock(o.Clock)}
	if o.Mail.PublicURL != "" {
		if _, err := mail.ParsePublicURL(o.Mail.PublicURL); err != nil {
			return nil, nil, fmt.Errorf("wiring: %w", err)
		}
		opts = append(opts, mail.WithPublicURL(o.Mail.PublicURL))
	}
	if o.Mail.Sender != nil {
		opts = append(opts, mail.WithSender(o.Mail.Sender))
	}
	var local *mail.LocalScheduler
	scheduler := o.Mail.Scheduler
	if scheduler == nil {
		if tx, ok := afterCommitter(st.Partners); ok {
			local = mail.NewLocalScheduler(tx, o.Clock)
			scheduler = local
		}
	}
	if scheduler != nil {
		opts = append(opts, mail.WithScheduler(scheduler))
	}
	svc := mail.NewService(st.Mail, append(opts, o.Mail.Options...)...)
	if local != nil {
		local.SetSends(svc)
	}
	return svc, local, nil
}

// mailDirectory is the mail.Directory of the services: the partners
// service's admins and names, the agreements service's names and the
// contracts signed on an agreement, listed as its owner would.
type mailDirectory struct{ s *Services }

var _ mail.Directory = mailDirectory{}

// AccountAdmins implements mail.Directory.
func (d mailDirectory) AccountAdmins(ctx context.Context, accountID string) ([]string, error) {
	if accountID == "" {
		return nil, nil
	}
	return d.s.Partners.AccountAdmins(ctx, accountID)
}

// AccountName implements mail.Directory.
func (d mailDirectory) AccountName(ctx context.Context, accountID string) (string, error) {
	if accountID == "" {
		return "", nil
	}
	a, err := d.s.Partners.LookupAccount(ctx, accountID)
	if gone(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return a.Name, nil
}

// AgreementName implements mail.Directory.
func (d mailDirectory) AgreementName(ctx context.Context, agreementID string) (string, error) {
	if agreementID == "" || d.s.Agreements == nil {
		return "", nil
	}
	a, err := d.s.Agreements.Lookup(ctx, agreementID)
	if gone(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return a.Name, nil
}

// OpenContracts implements mail.Directory: the signed and active
// contracts on the agreement, as its owner's admin lists them.
func (d mailDirectory) OpenContracts(ctx context.Context, agreementID string) ([]mail.ContractRef, error) {
	if agreementID == "" || d.s.Agreements == nil || d.s.Contracts == nil {
		return nil, nil
	}
	a, err := d.s.Agreements.Lookup(ctx, agreementID)
	if gone(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	owner := partnerkit.Actor{AccountID: a.OwnerID, Role: partnerkit.RoleAdmin}
	var out []mail.ContractRef
	for _, status := range []contracts.Status{contracts.StatusSigned, contracts.StatusActive} {
		for offset := 0; ; offset += partnerkit.MaxLimit {
			page, err := d.s.Contracts.List(ctx, owner, contracts.ListFilter{AgreementID: agreementID, Status: status,
				Page: partnerkit.Page{Limit: partnerkit.MaxLimit, Offset: offset}})
			if gone(err) {
				return out, nil
			}
			if err != nil {
				return nil, err
			}
			for _, c := range page.Items {
				out = append(out, mail.ContractRef{ID: c.ID, PartnerID: c.PartnerID})
			}
			if len(page.Items) < partnerkit.MaxLimit {
				break
			}
		}
	}
	return out, nil
}

// gone reports whether err says the object does not exist (any more).
func gone(err error) bool {
	c := partnerkit.ErrorCode(err)
	return c == partnerkit.CodeNotFound || c == partnerkit.CodeGone
}

// partnersMailStatus is the partners.MailStatus of the mail service: the
// last message about a ref, in the partners service's words.
type partnersMailStatus struct{ m *mail.Service }

// Status implements partners.MailStatus.
func (p partnersMailStatus) Status(ctx context.Context, ref string) (*partners.MailDelivery, error) {
	last, err := p.m.LastMail(ctx, []string{ref})
	if err != nil {
		return nil, err
	}
	d, ok := last[ref]
	if !ok {
		return nil, partnerkit.NotFound("mail", ref)
	}
	out := &partners.MailDelivery{Status: d.Status, Error: d.Error, At: d.SentAt}
	switch mail.Status(d.Status) {
	case mail.StatusQueued:
		at := d.QueuedAt
		out.At = &at
		if d.Error != "" {
			out.Status = "retrying" // a send failed: it is tried again
		}
	case mail.StatusRefused:
		out.Status = "bounced"
	}
	return out, nil
}
