package client

import (
	"context"
	"net/url"
	"time"

	"github.com/partnerkit/partnerkit"
)

// SignIn starts a session (the transport keeps its cookie). For a login
// with two-factor sign-in it returns a *TwoFactorRequired error holding the
// challenge that SignInWithCode completes. Me.TwoFactorEnrolmentRequired
// says the session may only enrol in two-factor sign-in (BeginTwoFactor).
func (c *Client) SignIn(ctx context.Context, email, password string) (*Me, error) {
	var answer struct {
		Me
		TwoFactorChallenge
	}
	err := c.call(ctx, "POST", "/session", nil, map[string]string{"email": email, "password": password}, &answer)
	if err == nil && answer.TwoFactorRequired {
		return &answer.Me, &TwoFactorRequired{answer.TwoFactorChallenge}
	}
	return &answer.Me, err
}

// SignOut ends the session.
func (c *Client) SignOut(ctx context.Context) error {
	return c.call(ctx, "DELETE", "/session", nil, nil, nil)
}

// Me returns who the caller is.
func (c *Client) Me(ctx context.Context) (*Me, error) {
	var me Me
	err := c.call(ctx, "GET", "/me", nil, nil, &me)
	return &me, err
}

// SwitchAccount makes the session act in another of the user's accounts.
func (c *Client) SwitchAccount(ctx context.Context, accountID string) (*Me, error) {
	var me Me
	err := c.call(ctx, "PUT", "/me/account", nil, map[string]string{"account_id": accountID}, &me)
	return &me, err
}

// DirectoryQuery selects partners.
type DirectoryQuery struct {
	_                                noCompare
	Q, Type, Status, Sort, ManagerID string
	Page
}

func (q DirectoryQuery) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"q": q.Q, "type": q.Type, "status": q.Status, "sort": q.Sort, "manager_id": q.ManagerID} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return q.Page.query(v)
}

// PartnersPath is the address (path and query) that Partners reads for q,
// so that a page can name its first read before the app runs (the
// server's preload of the directory's first page).
func PartnersPath(q DirectoryQuery) string {
	return "/api/v1/partners" + queryPart(q.values().Encode())
}

// MePath is the address that Me reads.
const MePath = "/api/v1/me"

// queryPart is "?" and query, or "" for no query.
func queryPart(query string) string {
	if query == "" {
		return ""
	}
	return "?" + query
}

// Partners returns one page of the directory.
func (c *Client) Partners(ctx context.Context, q DirectoryQuery) (*List[DirectoryEntry], error) {
	var l List[DirectoryEntry]
	err := c.call(ctx, "GET", "/partners", q.values(), nil, &l)
	return &l, err
}

// PartnersCSV returns the whole filtered directory as CSV.
func (c *Client) PartnersCSV(ctx context.Context, q DirectoryQuery) ([]byte, error) {
	v := q.values()
	v.Set("format", "csv")
	res, err := c.raw(ctx, "/partners", v)
	if err != nil {
		return nil, err
	}
	return res.Body, nil
}

// Partner returns a partner's details.
func (c *Client) Partner(ctx context.Context, id string) (*Partner, error) {
	var p Partner
	err := c.call(ctx, "GET", "/partners/"+url.PathEscape(id), nil, nil, &p)
	return &p, err
}

// CreatePartner creates a partner.
func (c *Client) CreatePartner(ctx context.Context, in NewPartner) (*Partner, error) {
	var p Partner
	err := c.call(ctx, "POST", "/partners", nil, in, &p)
	return &p, err
}

// UpdatePartner renames or edits a partner.
func (c *Client) UpdatePartner(ctx context.Context, id string, in PartnerChanges) (*Partner, error) {
	var p Partner
	err := c.call(ctx, "PATCH", "/partners/"+url.PathEscape(id), nil, in, &p)
	return &p, err
}

// SuspendPartner suspends an active partner.
func (c *Client) SuspendPartner(ctx context.Context, id string) (*Partner, error) {
	var p Partner
	err := c.call(ctx, "POST", "/partners/"+url.PathEscape(id)+"/suspend", nil, nil, &p)
	return &p, err
}

// ReactivatePartner reactivates a suspended partner.
func (c *Client) ReactivatePartner(ctx context.Context, id string) (*Partner, error) {
	var p Partner
	err := c.call(ctx, "POST", "/partners/"+url.PathEscape(id)+"/reactivate", nil, nil, &p)
	return &p, err
}

// PartnerUsers lists a partner's console users.
// A page p, if given, picks the window and sort; by default the first 500.
func (c *Client) PartnerUsers(ctx context.Context, id string, p ...Page) (*List[Member], error) {
	var l List[Member]
	err := c.call(ctx, "GET", "/partners/"+url.PathEscape(id)+"/users", wholePage(p).query(nil), nil, &l)
	return &l, err
}

// Onboard runs the Create Partner wizard.
func (c *Client) Onboard(ctx context.Context, in Onboarding) (*OnboardingResult, error) {
	var r OnboardingResult
	err := c.call(ctx, "POST", "/onboarding", nil, in, &r)
	return &r, err
}

// ReviewInvitation returns what an invitation link shows (no sign-in).
func (c *Client) ReviewInvitation(ctx context.Context, token string) (*InvitationReview, error) {
	var r InvitationReview
	err := c.call(ctx, "GET", "/invitations/"+url.PathEscape(token), nil, nil, &r)
	return &r, err
}

// ActivateInvitation activates with an invitation link (no sign-in).
func (c *Client) ActivateInvitation(ctx context.Context, token string, in Activation) (*ActivationResult, error) {
	var r ActivationResult
	err := c.call(ctx, "POST", "/invitations/"+url.PathEscape(token)+"/activate", nil, in, &r)
	return &r, err
}

// Agreements returns one page of agreements.
func (c *Client) Agreements(ctx context.Context, q string, p Page) (*List[Agreement], error) {
	var l List[Agreement]
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	err := c.call(ctx, "GET", "/agreements", p.query(v), nil, &l)
	return &l, err
}

// CreateAgreement creates an agreement.
func (c *Client) CreateAgreement(ctx context.Context, in NewAgreement) (*Agreement, error) {
	var a Agreement
	err := c.call(ctx, "POST", "/agreements", nil, in, &a)
	return &a, err
}

// PublishVersion publishes a new version of an agreement.
func (c *Client) PublishVersion(ctx context.Context, agreementID string, doc DocumentInput) (*AgreementVersion, error) {
	var v AgreementVersion
	err := c.call(ctx, "POST", "/agreements/"+url.PathEscape(agreementID)+"/versions", nil, doc, &v)
	return &v, err
}

// Marketplaces lists the account's marketplaces.
// A page p, if given, picks the window and sort; by default the first 500.
func (c *Client) Marketplaces(ctx context.Context, p ...Page) (*List[Marketplace], error) {
	var l List[Marketplace]
	err := c.call(ctx, "GET", "/marketplaces", wholePage(p).query(nil), nil, &l)
	return &l, err
}

// ContractQuery selects contracts.
type ContractQuery struct {
	_                                         noCompare
	AccountID, PartnerID, AgreementID, Status string
	Page
}

// Contracts returns one page of contracts.
func (c *Client) Contracts(ctx context.Context, q ContractQuery) (*List[Contract], error) {
	v := url.Values{}
	for k, s := range map[string]string{"account_id": q.AccountID, "partner_id": q.PartnerID, "agreement_id": q.AgreementID, "status": q.Status} {
		if s != "" {
			v.Set(k, s)
		}
	}
	var l List[Contract]
	err := c.call(ctx, "GET", "/contracts", q.Page.query(v), nil, &l)
	return &l, err
}

// ContractAction moves a contract: sign, activate, reject, terminate or resign.
func (c *Client) ContractAction(ctx context.Context, id, action string) (*Contract, error) {
	var con Contract
	err := c.call(ctx, "POST", "/contracts/"+url.PathEscape(id)+"/"+action, nil, nil, &con)
	return &con, err
}

// InvitationQuery selects activation invitations: the caller's account's,
// or one partner's; Status is pending, activated, expired or revoked.
type InvitationQuery struct {
	_                 noCompare
	PartnerID, Status string
	Page
}

// Invitations returns one page of activation invitations, newest first.
func (c *Client) Invitations(ctx context.Context, q InvitationQuery) (*List[Invitation], error) {
	v := url.Values{}
	for k, s := range map[string]string{"partner_id": q.PartnerID, "status": q.Status} {
		if s != "" {
			v.Set(k, s)
		}
	}
	var l List[Invitation]
	err := c.call(ctx, "GET", "/invitations", q.Page.query(v), nil, &l)
	return &l, err
}

// ResendInvitation sends an invitation again with a new link (the old one
// dies), to email when it is not empty.
func (c *Client) ResendInvitation(ctx context.Context, id, email string) (*InvitationResent, error) {
	var out InvitationResent
	err := c.call(ctx, "POST", "/invitations/"+url.PathEscape(id)+"/resend", nil, map[string]string{"email": email}, &out)
	return &out, err
}

// RevokeInvitation revokes a pending invitation.
func (c *Client) RevokeInvitation(ctx context.Context, id string) (*Invitation, error) {
	var out Invitation
	err := c.call(ctx, "POST", "/invitations/"+url.PathEscape(id)+"/revoke", nil, struct{}{}, &out)
	return &out, err
}

// SetTerms sets a capacity contract's terms.
func (c *Client) SetTerms(ctx context.Context, contractID string, in TermsChange) (*Terms, error) {
	var t Terms
	err := c.call(ctx, "PUT", "/capacity/contracts/"+url.PathEscape(contractID)+"/terms", nil, in, &t)
	return &t, err
}

// CapacityContracts lists the capacity contracts (Select contract).
// A page p, if given, picks the window and sort; by default the first 500.
func (c *Client) CapacityContracts(ctx context.Context, p ...Page) (*List[CapacityContract], error) {
	var l List[CapacityContract]
	err := c.call(ctx, "GET", "/capacity/contracts", wholePage(p).query(nil), nil, &l)
	return &l, err
}

// Overview returns a capacity contract's overview.
func (c *Client) Overview(ctx context.Context, contractID string) (*Overview, error) {
	var o Overview
	err := c.call(ctx, "GET", "/capacity/contracts/"+url.PathEscape(contractID)+"/overview", nil, nil, &o)
	return &o, err
}

// SetAllocation sets a partner's allocation.
func (c *Client) SetAllocation(ctx context.Context, partnerID string, in AllocationChange) (*Allocation, error) {
	var a Allocation
	err := c.call(ctx, "PUT", "/partners/"+url.PathEscape(partnerID)+"/allocation", nil, in, &a)
	return &a, err
}

// Transfer moves a partner to another capacity contract.
func (c *Client) Transfer(ctx context.Context, partnerID, contractID string) (*Allocation, error) {
	var a Allocation
	err := c.call(ctx, "POST", "/partners/"+url.PathEscape(partnerID)+"/transfer", nil, map[string]string{"contract_id": contractID}, &a)
	return &a, err
}

// StorageAccounts returns one page of a partner's storage accounts.
func (c *Client) StorageAccounts(ctx context.Context, partnerID string, p Page) (*List[StorageAccount], error) {
	var l List[StorageAccount]
	v := url.Values{}
	if partnerID != "" {
		v.Set("partner_id", partnerID)
	}
	err := c.call(ctx, "GET", "/storage-accounts", p.query(v), nil, &l)
	return &l, err
}

// IngestUsage sends usage samples.
func (c *Client) IngestUsage(ctx context.Context, samples []Sample) (*IngestResult, error) {
	var r IngestResult
	err := c.call(ctx, "POST", "/usage", nil, map[string]any{"samples": samples}, &r)
	return &r, err
}

// UsageReport returns a usage report of a partner or a contract.
func (c *Client) UsageReport(ctx context.Context, partnerID, contractID string, from, to time.Time, granularity string) (*Report, error) {
	v := url.Values{"from": {from.Format(time.DateOnly)}, "to": {to.Format(time.DateOnly)}}
	for k, s := range map[string]string{"partner_id": partnerID, "contract_id": contractID, "granularity": granularity} {
		if s != "" {
			v.Set(k, s)
		}
	}
	var r Report
	err := c.call(ctx, "GET", "/usage/reports", v, nil, &r)
	return &r, err
}

// Deals returns one page of deals.
func (c *Client) Deals(ctx context.Context, status string, p Page) (*List[Deal], error) {
	v := url.Values{}
	if status != "" {
		v.Set("status", status)
	}
	var l List[Deal]
	err := c.call(ctx, "GET", "/deals", p.query(v), nil, &l)
	return &l, err
}

// Team lists the members of the caller's account.
// A page p, if given, picks the window and sort; by default the first 500.
func (c *Client) Team(ctx context.Context, p ...Page) (*List[Member], error) {
	var l List[Member]
	err := c.call(ctx, "GET", "/team", wholePage(p).query(nil), nil, &l)
	return &l, err
}

// APIKeys lists the account's API keys.
// A page p, if given, picks the window and sort; by default the first 500.
func (c *Client) APIKeys(ctx context.Context, p ...Page) (*List[APIKey], error) {
	var l List[APIKey]
	err := c.call(ctx, "GET", "/api-keys", wholePage(p).query(nil), nil, &l)
	return &l, err
}

// CreateAPIKey creates an API key; the key is in the answer only.
func (c *Client) CreateAPIKey(ctx context.Context, description, role string, expiresAt *time.Time) (*CreatedAPIKey, error) {
	var k CreatedAPIKey
	err := c.call(ctx, "POST", "/api-keys", nil, map[string]any{"description": description, "role": role, "expires_at": expiresAt}, &k)
	return &k, err
}

// RevokeAPIKey revokes an API key.
func (c *Client) RevokeAPIKey(ctx context.Context, id string) (*APIKey, error) {
	var k APIKey
	err := c.call(ctx, "DELETE", "/api-keys/"+url.PathEscape(id), nil, nil, &k)
	return &k, err
}

// AuditTrail returns one page of an entity's audit trail.
func (c *Client) AuditTrail(ctx context.Context, entityID string, p Page) (*List[AuditEvent], error) {
	var l List[AuditEvent]
	err := c.call(ctx, "GET", "/audit", p.query(url.Values{"entity_id": {entityID}}), nil, &l)
	return &l, err
}

// Agreement returns an agreement.
func (c *Client) Agreement(ctx context.Context, id string) (*Agreement, error) {
	var a Agreement
	err := c.call(ctx, "GET", "/agreements/"+url.PathEscape(id), nil, nil, &a)
	return &a, err
}

// AgreementChanges renames or describes an agreement; nil fields stay.
type AgreementChanges struct {
	_           noCompare
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
	Version     int     `json:"version,omitempty"`
}

// UpdateAgreement renames or describes an agreement.
func (c *Client) UpdateAgreement(ctx context.Context, id string, in AgreementChanges) (*Agreement, error) {
	var a Agreement
	err := c.call(ctx, "PATCH", "/agreements/"+url.PathEscape(id), nil, in, &a)
	return &a, err
}

// AgreementVersions lists an agreement's versions.
// A page p, if given, picks the window and sort; by default the first 500.
func (c *Client) AgreementVersions(ctx context.Context, id string, p ...Page) (*List[AgreementVersion], error) {
	var l List[AgreementVersion]
	err := c.call(ctx, "GET", "/agreements/"+url.PathEscape(id)+"/versions", wholePage(p).query(nil), nil, &l)
	return &l, err
}

// NewStorageAccount describes a storage account.
type NewStorageAccount struct {
	_         noCompare
	PartnerID string `json:"partner_id,omitempty"`
	Name      string `json:"name"`
	QuotaTB   string `json:"quota_tb"`
}

// CreateStorageAccount creates a storage account.
func (c *Client) CreateStorageAccount(ctx context.Context, in NewStorageAccount) (*StorageAccount, error) {
	var a StorageAccount
	err := c.call(ctx, "POST", "/storage-accounts", nil, in, &a)
	return &a, err
}

// DeleteStorageAccount schedules a storage account's removal in 30 days.
func (c *Client) DeleteStorageAccount(ctx context.Context, id string) (*StorageAccount, error) {
	var a StorageAccount
	err := c.call(ctx, "DELETE", "/storage-accounts/"+url.PathEscape(id), nil, nil, &a)
	return &a, err
}

// CancelDeletion keeps a storage account scheduled for removal.
func (c *Client) CancelDeletion(ctx context.Context, id string) (*StorageAccount, error) {
	var a StorageAccount
	err := c.call(ctx, "POST", "/storage-accounts/"+url.PathEscape(id)+"/cancel-deletion", nil, nil, &a)
	return &a, err
}

// NewDeal registers an opportunity; ExpectedTB and ExpectedValue are decimals.
type NewDeal struct {
	_             noCompare
	CustomerName  string  `json:"customer_name"`
	ExpectedTB    *string `json:"expected_tb,omitempty"`
	ExpectedValue *string `json:"expected_value,omitempty"`
	Currency      string  `json:"currency,omitempty"`
	CloseDate     string  `json:"close_date"`
	Note          string  `json:"note,omitempty"`
}

// RegisterDeal registers a deal with the partner's manager.
func (c *Client) RegisterDeal(ctx context.Context, in NewDeal) (*Deal, error) {
	var d Deal
	err := c.call(ctx, "POST", "/deals", nil, in, &d)
	return &d, err
}

// DecideDeal approves, rejects, or marks a deal won or lost.
func (c *Client) DecideDeal(ctx context.Context, id, decision, reason string) (*Deal, error) {
	var d Deal
	var body any
	if reason != "" {
		body = map[string]string{"reason": reason}
	}
	err := c.call(ctx, "POST", "/deals/"+url.PathEscape(id)+"/"+decision, nil, body, &d)
	return &d, err
}

// TeamInvitation is a new team invitation; Link is shown only here.
type TeamInvitation struct {
	_         noCompare
	ID        string          `json:"id"`
	Email     string          `json:"email"`
	Role      partnerkit.Role `json:"role"`
	ExpiresAt time.Time       `json:"expires_at"`
	Token     string          `json:"token"`
	Link      string          `json:"link"`
}

// InviteMember invites a person to the account by link.
func (c *Client) InviteMember(ctx context.Context, email, role string) (*TeamInvitation, error) {
	var inv TeamInvitation
	err := c.call(ctx, "POST", "/team/invitations", nil, map[string]string{"email": email, "role": role}, &inv)
	return &inv, err
}

// Allocation returns a partner's allocation.
func (c *Client) Allocation(ctx context.Context, partnerID string) (*Allocation, error) {
	var a Allocation
	err := c.call(ctx, "GET", "/partners/"+url.PathEscape(partnerID)+"/allocation", nil, nil, &a)
	return &a, err
}

// PartnerAllocation returns a partner's allocation, or nil when it has none
// (GET /partners/{id}/allocations, which answers that without an error).
func (c *Client) PartnerAllocation(ctx context.Context, partnerID string) (*Allocation, error) {
	var l List[Allocation]
	err := c.call(ctx, "GET", "/partners/"+url.PathEscape(partnerID)+"/allocations", nil, nil, &l)
	if err != nil || len(l.Items) == 0 {
		return nil, err
	}
	return &l.Items[0], nil
}

// TeamInvitationReview is what a team invitation link shows.
type TeamInvitationReview struct {
	_           noCompare
	AccountName string          `json:"account_name"`
	Email       string          `json:"email"`
	Role        partnerkit.Role `json:"role"`
	Registered  bool            `json:"registered"`
	ExpiresAt   time.Time       `json:"expires_at"`
}

// ReviewTeamInvitation returns what a team invitation link shows (no sign-in).
func (c *Client) ReviewTeamInvitation(ctx context.Context, token string) (*TeamInvitationReview, error) {
	var r TeamInvitationReview
	err := c.call(ctx, "GET", "/team-invitations/"+url.PathEscape(token), nil, nil, &r)
	return &r, err
}

// AcceptTeamInvitation joins with a team invitation link (no sign-in).
func (c *Client) AcceptTeamInvitation(ctx context.Context, token, fullName, password string) (*User, error) {
	var u User
	err := c.call(ctx, "POST", "/team-invitations/"+url.PathEscape(token)+"/accept", nil,
		map[string]string{"full_name": fullName, "password": password}, &u)
	return &u, err
}
