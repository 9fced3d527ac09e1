package mail

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"github.com/partnerkit/partnerkit"
)

// Kind describes one kind of mail: its subject and the data fields its
// templates read. A field whose name ends in "_path" is a path of the PWA
// ("/activate/<token>"); the templates read it as the absolute link of the
// same name ending in "_url" (activation_path → activation_url), built
// with the public URL when the message is rendered.
type Kind struct {
	// Name is the kind (partnerkit.MailPartnerInvitation, …).
	Name string
	// Subject is the subject line, a text/template over the data.
	Subject string
	// Required are the fields every message of the kind has (not blank);
	// Optional the others it may have. No other field is accepted.
	Required, Optional []string
	// Values, when a field has an entry, lists the values it may take.
	Values map[string][]string
}

// Fields returns every field of the kind, required first.
func (k *Kind) Fields() []string { return slices.Concat(k.Required, k.Optional) }

// Kinds describes every kind of partnerkit.MailKinds, in that order.
var Kinds = []Kind{
	{Name: partnerkit.MailPartnerInvitation,
		Subject:  `{{.inviter_name}} invites {{.partner_name}} to Partnerkit`,
		Required: []string{"inviter_name", "partner_name", "activation_path"},
		Optional: []string{"agreement_name", "expires_at", "recipient_name"}},
	{Name: partnerkit.MailTeamInvitation,
		Subject:  `Join {{.account_name}} on Partnerkit`,
		Required: []string{"account_name", "invite_path"},
		Optional: []string{"inviter", "role", "expires_at"}},
	{Name: partnerkit.MailPasswordReset,
		Subject:  `Reset your Partnerkit password`,
		Required: []string{"reset_path"},
		Optional: []string{"full_name", "expires_at", "address"}},
	{Name: partnerkit.MailPasswordChanged,
		Subject:  `Your Partnerkit password was changed`,
		Optional: []string{"full_name", "changed_at", "method", "sessions_ended", "address", "security_path"},
		Values:   map[string][]string{"method": {"reset", "change"}}},
	{Name: partnerkit.MailNewSignIn,
		Subject:  `New sign-in to your Partnerkit account`,
		Optional: []string{"full_name", "device", "address", "at", "security_path"}},
	{Name: partnerkit.MailContractToSign,
		Subject:  `{{.owner_name}} sent you a contract to sign: {{.agreement_name}}`,
		Required: []string{"owner_name", "agreement_name", "contract_path"},
		Optional: []string{"account_name"}},
	{Name: partnerkit.MailAgreementToResign,
		Subject:  `Version {{.version}} of {{.agreement_name}} awaits your signature`,
		Required: []string{"owner_name", "agreement_name", "version", "contract_path"},
		Optional: []string{"account_name"}},
	{Name: partnerkit.MailDealDecided,
		Subject:  `Your deal for {{.customer_name}} was {{.decision}}`,
		Required: []string{"customer_name", "decision", "deal_path"},
		Optional: []string{"reason", "owner_name", "account_name"},
		Values:   map[string][]string{"decision": {"approved", "rejected"}}},
	{Name: partnerkit.MailUsageThreshold,
		Subject:  `{{if .account_name}}{{.account_name}}: u{{else}}U{{end}}sage reached {{.threshold}} % of the allocation`,
		Required: []string{"threshold", "used_tb", "allocated_tb", "month", "usage_path"},
		Optional: []string{"account_name"}},
	{Name: partnerkit.MailWebhookDisabled,
		Subject:  `A webhook endpoint was disabled`,
		Required: []string{"webhook_url", "endpoint_path"},
		Optional: []string{"account_name", "reason"}},
	{Name: partnerkit.MailTwoFactorChanged,
		Subject:  `Two-factor sign-in turned {{if eq .enabled "true"}}on{{else}}off{{end}} for your Partnerkit account`,
		Required: []string{"enabled"},
		Optional: []string{"full_name", "at", "address", "security_path"},
		Values:   map[string][]string{"enabled": {"true", "false"}}},
}

// KindOf returns the description of a kind, and false for an unknown one.
func KindOf(name string) (*Kind, bool) {
	for i := range Kinds {
		if Kinds[i].Name == name {
			return &Kinds[i], true
		}
	}
	return nil, false
}

// CheckAddress returns what is wrong with an address ("" when nothing):
// it must be one plain address (name@example.com, no display name, no
// list) of at most MaxAddressLength bytes.
func CheckAddress(addr string) string {
	const problem = "must be one e-mail address such as name@example.com"
	if addr == "" {
		return partnerkit.ProblemRequired
	}
	if len(addr) > MaxAddressLength {
		return fmt.Sprintf("must be at most %d characters", MaxAddressLength)
	}
	if p := partnerkit.TextProblem(addr, false); p != "" {
		return p
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Name != "" || a.Address != addr || !strings.Contains(addr, "@") {
		return problem
	}
	return ""
}

// check validates a message to queue and returns it normalised (its
// address trimmed). Problems name "kind", "to", "account_id", "ref",
// "dedupe_key" or "data.<field>".
func check(m partnerkit.Mail) (partnerkit.Mail, *Kind, error) {
	problems := map[string]string{}
	m.To = strings.TrimSpace(m.To)
	k, ok := KindOf(m.Kind)
	if !ok {
		problems["kind"] = fmt.Sprintf("%q is not a kind of mail (one of %s)", m.Kind, strings.Join(partnerkit.MailKinds, ", "))
	}
	if p := CheckAddress(m.To); p != "" {
		problems["to"] = p
	}
	for field, v := range map[string]string{"account_id": m.AccountID, "ref": m.Ref, "dedupe_key": m.DedupeKey} {
		if len(v) > MaxKeyLength {
			problems[field] = fmt.Sprintf("must be at most %d bytes", MaxKeyLength)
		} else if p := partnerkit.TextProblem(v, false); p != "" {
			problems[field] = p
		}
	}
	if k != nil {
		for name, v := range m.Data {
			field := "data." + name
			if !slices.Contains(k.Fields(), name) {
				problems[field] = fmt.Sprintf("is not a field of %s mail (its fields: %s)", k.Name, strings.Join(k.Fields(), ", "))
				continue
			}
			if p := partnerkit.TextFieldProblem(v, false, true, MaxFieldLength); p != "" {
				problems[field] = p
				continue
			}
			if allowed, ok := k.Values[name]; ok && v != "" && !slices.Contains(allowed, v) {
				problems[field] = "must be one of " + strings.Join(allowed, ", ")
				continue
			}
			if strings.HasSuffix(name, "_path") && v != "" {
				if p := pathProblem(v); p != "" {
					problems[field] = p
				}
			}
		}
		for _, name := range k.Required {
			if _, bad := problems["data."+name]; !bad && partnerkit.IsBlank(m.Data[name]) {
				problems["data."+name] = partnerkit.ProblemRequired
			}
		}
	}
	if err := partnerkit.FieldErrors(problems); err != nil {
		return m, nil, err
	}
	return m, k, nil
}

// pathProblem says what is wrong with a PWA path: it must start with one
// slash and be a path, not a URL of its own.
func pathProblem(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\ \t\r\n") {
		return `must be a path of the PWA starting with "/" (such as /activate/<token>)`
	}
	return ""
}
