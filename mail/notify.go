package mail

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/partnerkit/partnerkit"
)

// Notifier turns domain events into mail to the admins of the accounts
// they concern:
//
//	contract.created             contract_to_sign     the partner's admins
//	agreement.version_published  agreement_to_resign  the admins of each partner with a signed or active contract on it
//	deal.approved, deal.rejected deal_decided         the admins of the partner that registered the deal
//	usage.threshold_crossed      usage_threshold      the partner's admins
//	webhook.disabled             webhook_disabled     the admins of the endpoint's account
//
// Events arrive at least once (package events): each message is queued
// with the DedupeKey event ID + kind + recipient, so an event handled
// twice mails nobody twice. An account without admins yet (an invited
// partner) gets nothing: its invitation is its mail.
type Notifier struct {
	queue partnerkit.MailQueue
	dir   Directory
}

// NewNotifier returns a Notifier that queues on queue and finds the
// recipients in dir.
func NewNotifier(queue partnerkit.MailQueue, dir Directory) *Notifier {
	return &Notifier{queue: queue, dir: dir}
}

// EventTypes are the event types the Notifier handles (subscribe it to
// these).
func (n *Notifier) EventTypes() []string {
	return []string{"contract.created", "agreement.version_published", "deal.approved", "deal.rejected",
		"usage.threshold_crossed", "webhook.disabled"}
}

// PWA paths the messages link to.
const (
	contractsPath = "/contracts"
	dealsPath     = "/deals"
	usagePath     = "/capacity"
	webhooksPath  = "/webhooks/"
)

// Handle queues the mail of one event (an events.Handler). It returns an
// error only when the recipients could not be read or a message not
// stored; the event then comes again and the messages queued already are
// dropped as duplicates. A recipient whose address the outbox refuses is
// skipped.
func (n *Notifier) Handle(ctx context.Context, e partnerkit.Event) error {
	switch e.Type {
	case "contract.created":
		return n.contractCreated(ctx, e)
	case "agreement.version_published":
		return n.versionPublished(ctx, e)
	case "deal.approved", "deal.rejected":
		return n.dealDecided(ctx, e)
	case "usage.threshold_crossed":
		return n.thresholdCrossed(ctx, e)
	case "webhook.disabled":
		return n.webhookDisabled(ctx, e)
	}
	return nil
}

// decode reads an event's object; one that does not decode is not mail.
func decode(e partnerkit.Event, v any) bool {
	return len(e.Data.Object) > 0 && json.Unmarshal(e.Data.Object, v) == nil
}

// text is a JSON string or number as text (decimals are strings, counts
// numbers).
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*t = text(s)
		return nil
	}
	var num json.Number
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&num); err != nil {
		return err
	}
	*t = text(num.String())
	return nil
}

func (n *Notifier) contractCreated(ctx context.Context, e partnerkit.Event) error {
	var c struct {
		OwnerID     string `json:"owner_id"`
		PartnerID   string `json:"partner_id"`
		AgreementID string `json:"agreement_id"`
	}
	if !decode(e, &c) || c.PartnerID == "" {
		return nil
	}
	return n.toAdmins(ctx, e, partnerkit.MailContractToSign, c.PartnerID, e.Data.EntityID, func() (map[string]string, error) {
		data, err := n.names(ctx, c.OwnerID, c.PartnerID, c.AgreementID)
		if err == nil {
			data["contract_path"] = contractsPath
		}
		return data, err
	})
}

func (n *Notifier) versionPublished(ctx context.Context, e partnerkit.Event) error {
	var p struct {
		Agreement struct {
			ID             string `json:"id"`
			OwnerID        string `json:"owner_id"`
			Name           string `json:"name"`
			CurrentVersion int    `json:"current_version"`
		} `json:"agreement"`
		Version struct {
			Number int `json:"number"`
		} `json:"version"`
	}
	if !decode(e, &p) || p.Agreement.ID == "" {
		return nil
	}
	version := p.Version.Number
	if version == 0 {
		version = p.Agreement.CurrentVersion
	}
	contracts, err := n.dir.OpenContracts(ctx, p.Agreement.ID)
	if err != nil {
		return err
	}
	var errs []error
	done, mailed := map[string]bool{}, map[string]bool{}
	for _, c := range contracts {
		if done[c.PartnerID] {
			continue // one message per partner, however many contracts
		}
		done[c.PartnerID] = true
		errs = append(errs, n.mail(ctx, e, partnerkit.MailAgreementToResign, c.PartnerID, c.ID, func() (map[string]string, error) {
			data, err := n.names(ctx, p.Agreement.OwnerID, c.PartnerID, "")
			if err == nil {
				data["agreement_name"] = or(p.Agreement.Name, p.Agreement.ID)
				data["version"] = strconv.Itoa(version)
				data["contract_path"] = contractsPath
			}
			return data, err
		}, mailed))
	}
	return errors.Join(errs...)
}

func (n *Notifier) dealDecided(ctx context.Context, e partnerkit.Event) error {
	var d struct {
		PartnerID    string `json:"partner_id"`
		OwnerID      string `json:"owner_id"`
		CustomerName string `json:"customer_name"`
		Reason       string `json:"reason"`
	}
	if !decode(e, &d) || d.PartnerID == "" {
		return nil
	}
	return n.toAdmins(ctx, e, partnerkit.MailDealDecided, d.PartnerID, e.Data.EntityID, func() (map[string]string, error) {
		data, err := n.names(ctx, d.OwnerID, d.PartnerID, "")
		if err == nil {
			data["customer_name"] = or(d.CustomerName, "a customer")
			data["decision"] = strings.TrimPrefix(e.Type, "deal.")
			data["reason"] = d.Reason
			data["deal_path"] = dealsPath
		}
		return data, err
	})
}

func (n *Notifier) thresholdCrossed(ctx context.Context, e partnerkit.Event) error {
	var a struct {
		PartnerID   string `json:"partner_id"`
		Threshold   text   `json:"threshold"`
		UsedTB      text   `json:"used_tb"`
		AllocatedTB text   `json:"allocated_tb"`
		Month       string `json:"month"`
	}
	if !decode(e, &a) || a.PartnerID == "" {
		return nil
	}
	return n.toAdmins(ctx, e, partnerkit.MailUsageThreshold, a.PartnerID, a.PartnerID, func() (map[string]string, error) {
		name, err := n.dir.AccountName(ctx, a.PartnerID)
		return map[string]string{"account_name": name, "threshold": or(string(a.Threshold), "?"), "used_tb": or(string(a.UsedTB), "?"),
			"allocated_tb": or(string(a.AllocatedTB), "?"), "month": or(a.Month, e.CreatedAt.Format("2006-01")), "usage_path": usagePath}, err
	})
}

func (n *Notifier) webhookDisabled(ctx context.Context, e partnerkit.Event) error {
	var w struct {
		ID        string `json:"id"`
		AccountID string `json:"account_id"`
		URL       string `json:"url"`
		Reason    string `json:"disabled_reason"`
	}
	if !decode(e, &w) || w.AccountID == "" || w.ID == "" {
		return nil
	}
	return n.toAdmins(ctx, e, partnerkit.MailWebhookDisabled, w.AccountID, w.ID, func() (map[string]string, error) {
		name, err := n.dir.AccountName(ctx, w.AccountID)
		data := map[string]string{"account_name": name, "webhook_url": or(w.URL, w.ID), "endpoint_path": webhooksPath + w.ID}
		if w.Reason == "manual" {
			data["reason"] = "an admin disabled it"
		}
		return data, err
	})
}

// names returns the data fields owner_name, account_name and, when
// agreementID is set, agreement_name.
func (n *Notifier) names(ctx context.Context, ownerID, partnerID, agreementID string) (map[string]string, error) {
	owner, err := n.dir.AccountName(ctx, ownerID)
	if err != nil {
		return nil, err
	}
	partner, err := n.dir.AccountName(ctx, partnerID)
	if err != nil {
		return nil, err
	}
	data := map[string]string{"owner_name": or(owner, "Your partner manager"), "account_name": partner}
	if agreementID != "" {
		agreement, err := n.dir.AgreementName(ctx, agreementID)
		if err != nil {
			return nil, err
		}
		data["agreement_name"] = or(agreement, agreementID)
	}
	return data, nil
}

// fields builds a message's data fields; it runs only when the message
// has a recipient (an invited partner has no admin yet, and its names are
// then not read).
type fields func() (map[string]string, error)

// toAdmins queues one message of kind to each admin of an account.
func (n *Notifier) toAdmins(ctx context.Context, e partnerkit.Event, kind, accountID, ref string, data fields) error {
	return n.mail(ctx, e, kind, accountID, ref, data, map[string]bool{})
}

// mail queues one message of kind to each admin of an account not in
// mailed already, and adds them to it.
func (n *Notifier) mail(ctx context.Context, e partnerkit.Event, kind, accountID, ref string, data fields, mailed map[string]bool) error {
	admins, err := n.dir.AccountAdmins(ctx, accountID)
	if err != nil {
		return err
	}
	var to []string
	for _, addr := range admins {
		if key := strings.ToLower(strings.TrimSpace(addr)); !mailed[key] {
			mailed[key] = true // one message per address and event
			to = append(to, addr)
		}
	}
	if len(to) == 0 {
		return nil
	}
	d, err := data()
	if err != nil {
		return err
	}
	var errs []error
	for _, addr := range to {
		err := n.queue.QueueMail(ctx, partnerkit.Mail{Kind: kind, To: addr, AccountID: accountID, Ref: ref,
			Data: d, DedupeKey: DedupeKey(e.ID, kind, addr)})
		if partnerkit.ErrorCode(err) == partnerkit.CodeInvalid {
			continue // an address the outbox refuses: retrying would not help
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// DedupeKey is the DedupeKey of the message of kind an event sends to an
// address: the event's ID, the kind and a hash of the address (in lower
// case), which fits MaxKeyLength whatever the address.
func DedupeKey(eventID, kind, to string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(to))))
	return eventID + "/" + kind + "/" + hex.EncodeToString(sum[:16])
}

func or(s, fallback string) string {
	if strings.TrimSpace(s) == "" {
		return fallback
	}
	return s
}
