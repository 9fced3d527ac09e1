package client

import (
	"encoding/json"
	"time"

	"github.com/partnerkit/partnerkit"
	agreementrules "github.com/partnerkit/partnerkit/agreements/rules"
	contractrules "github.com/partnerkit/partnerkit/contracts/rules"
	partnerrules "github.com/partnerkit/partnerkit/partners/rules"
)

// Wire types of the API. Decimal figures (TB, money) are strings, exactly
// as the server sends them. Enumerations are the domains' own vocabulary
// types from their rules packages (partners/rules.AccountType,
// contracts/rules.Status, ...), which link no validator, no decimal and no
// net/http; those of capacity and resellers stay strings, because their
// rules packages need decimal. TestWireTypes (wire_test.go) fails on any
// field that exists on one side only.

// User is a person with a login.
type User struct {
	_         noCompare
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	FullName  string    `json:"full_name"`
	CreatedAt time.Time `json:"created_at"`
}

// Membership is a user's role in an account.
type Membership struct {
	_         noCompare
	UserID    string          `json:"user_id"`
	AccountID string          `json:"account_id"`
	Role      partnerkit.Role `json:"role"`
	CreatedAt time.Time       `json:"created_at"`
}

// Member is a membership with its user.
type Member struct {
	_ noCompare
	Membership
	User User `json:"user"`
}

// MembershipView is an account the user may switch to.
type MembershipView struct {
	_           noCompare
	AccountID   string                   `json:"account_id"`
	AccountName string                   `json:"account_name"`
	AccountType partnerrules.AccountType `json:"account_type"`
	// AccountStatus is "suspended" when its members cannot act there.
	AccountStatus partnerrules.Status `json:"account_status"`
	Role          partnerkit.Role     `json:"role"`
}

// Me is who the caller is.
type Me struct {
	_           noCompare
	User        *User            `json:"user,omitempty"`
	APIKeyID    string           `json:"api_key_id,omitempty"`
	AccountID   string           `json:"account_id"`
	Role        partnerkit.Role  `json:"role"`
	Memberships []MembershipView `json:"memberships"`
	// TwoFactorEnrolmentRequired, in a sign-in's answer: the session may
	// only enrol in two-factor sign-in until it is confirmed.
	TwoFactorEnrolmentRequired bool `json:"two_factor_enrolment_required,omitempty"`
}

// Contact is a person to reach at a partner.
type Contact struct {
	_     noCompare
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// Partner is an account.
type Partner struct {
	_                noCompare
	ID               string                   `json:"id"`
	Type             partnerrules.AccountType `json:"type"`
	Name             string                   `json:"name"`
	LegalName        string                   `json:"legal_name,omitempty"`
	ExternalID       string                   `json:"external_id,omitempty"`
	Status           partnerrules.Status      `json:"status"`
	ManagerID        string                   `json:"manager_id,omitempty"`
	BusinessContact  Contact                  `json:"business_contact"`
	TechnicalContact Contact                  `json:"technical_contact"`
	CreatedAt        time.Time                `json:"created_at"`
	UpdatedAt        time.Time                `json:"updated_at"`
	Version          int                      `json:"version"`
}

// DirectoryEntry is a partner with the directory's counts.
type DirectoryEntry struct {
	_ noCompare
	Partner
	SignedContracts int `json:"signed_contracts"`
	Agreements      int `json:"agreements"`
	Listings        int `json:"listings"`
}

// NewPartner describes a partner to create.
type NewPartner struct {
	_                noCompare
	Type             partnerrules.AccountType `json:"type"`
	Name             string                   `json:"name"`
	ExternalID       string                   `json:"external_id,omitempty"`
	Status           partnerrules.Status      `json:"status,omitempty"`
	BusinessContact  Contact                  `json:"business_contact"`
	TechnicalContact Contact                  `json:"technical_contact"`
}

// PartnerChanges edits a partner; nil fields stay.
type PartnerChanges struct {
	_          noCompare
	Name       *string `json:"name,omitempty"`
	LegalName  *string `json:"legal_name,omitempty"`
	ExternalID *string `json:"external_id,omitempty"`
	Version    int     `json:"version,omitempty"`
}

// Document describes an agreement version's document.
type Document struct {
	_         noCompare
	Kind      agreementrules.DocumentKind `json:"kind"`
	URL       string                      `json:"url,omitempty"`
	FileName  string                      `json:"file_name,omitempty"`
	MediaType string                      `json:"media_type,omitempty"`
	Size      int64                       `json:"size,omitempty"`
	SHA256    string                      `json:"sha256,omitempty"`
}

// DocumentInput is a new version's document; Content travels as base64.
type DocumentInput struct {
	_        noCompare
	Kind     agreementrules.DocumentKind `json:"kind"`
	URL      string                      `json:"url,omitempty"`
	FileName string                      `json:"file_name,omitempty"`
	Content  []byte                      `json:"content,omitempty"`
}

// Agreement is a document template.
type Agreement struct {
	_              noCompare
	ID             string              `json:"id"`
	OwnerID        string              `json:"owner_id"`
	Type           agreementrules.Type `json:"type"`
	Name           string              `json:"name"`
	Description    string              `json:"description"`
	CurrentVersion int                 `json:"current_version"`
	CreatedAt      time.Time           `json:"created_at"`
	UpdatedAt      time.Time           `json:"updated_at"`
	Version        int                 `json:"version"`
}

// NewAgreement describes an agreement to create.
type NewAgreement struct {
	_           noCompare
	Type        agreementrules.Type `json:"type"`
	Name        string              `json:"name"`
	Description string              `json:"description"`
	Document    DocumentInput       `json:"document"`
}

// AgreementVersion is a published version.
type AgreementVersion struct {
	_           noCompare
	AgreementID string    `json:"agreement_id"`
	Number      int       `json:"number"`
	Document    Document  `json:"document"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// Contract binds a partner to an agreement version.
type Contract struct {
	_                      noCompare
	ID                     string               `json:"id"`
	OwnerID                string               `json:"owner_id"`
	PartnerID              string               `json:"partner_id"`
	AgreementID            string               `json:"agreement_id"`
	AgreementVersion       int                  `json:"agreement_version"`
	Type                   agreementrules.Type  `json:"type"`
	MarketplaceID          string               `json:"marketplace_id,omitempty"`
	Status                 contractrules.Status `json:"status"`
	CreatedAt              time.Time            `json:"created_at"`
	UpdatedAt              time.Time            `json:"updated_at"`
	SignedAt               *time.Time           `json:"signed_at,omitempty"`
	ActivatedAt            *time.Time           `json:"activated_at,omitempty"`
	TerminatedAt           *time.Time           `json:"terminated_at,omitempty"`
	Version                int                  `json:"version"`
	LatestAgreementVersion int                  `json:"latest_agreement_version"`
	UpdatePending          bool                 `json:"update_pending"`
	// PartnerName, AgreementName and MarketplaceName name what the IDs
	// point to, so that lists show names.
	PartnerName     string `json:"partner_name,omitempty"`
	AgreementName   string `json:"agreement_name,omitempty"`
	MarketplaceName string `json:"marketplace_name,omitempty"`
}

// ContractEvent is one change of a contract.
type ContractEvent struct {
	_                noCompare
	ID               string                  `json:"id"`
	ContractID       string                  `json:"contract_id"`
	Type             contractrules.EventType `json:"type"`
	FromStatus       contractrules.Status    `json:"from_status,omitempty"`
	ToStatus         contractrules.Status    `json:"to_status"`
	AgreementVersion int                     `json:"agreement_version"`
	Actor            string                  `json:"actor"`
	At               time.Time               `json:"at"`
}

// Marketplace is where vendors' products are sold.
type Marketplace struct {
	_         noCompare
	ID        string    `json:"id"`
	OwnerID   string    `json:"owner_id"`
	Name      string    `json:"name"`
	Currency  string    `json:"currency"`
	External  bool      `json:"external"`
	CreatedAt time.Time `json:"created_at"`
}

// Onboarding is the Create Partner wizard's input.
type Onboarding struct {
	_              noCompare
	Partner        NewPartner           `json:"partner"`
	AgreementID    string               `json:"agreement_id,omitempty"`
	NewAgreement   *NewAgreement        `json:"new_agreement,omitempty"`
	MarketplaceIDs []string             `json:"marketplace_ids,omitempty"`
	Action         contractrules.Action `json:"action"`
	UserIDs        []string             `json:"user_ids,omitempty"`
	AllUsers       bool                 `json:"all_users,omitempty"`
	InviteEmail    string               `json:"invite_email,omitempty"`
}

// Invitation is an activation invitation (the token of a new one is in
// OnboardingResult). Status is pending, activated, expired or revoked.
type Invitation struct {
	_          noCompare
	ID         string                         `json:"id"`
	PartnerID  string                         `json:"partner_id"`
	ContractID string                         `json:"contract_id"`
	CreatedAt  time.Time                      `json:"created_at"`
	ExpiresAt  time.Time                      `json:"expires_at"`
	UsedAt     *time.Time                     `json:"used_at,omitempty"`
	UsedBy     string                         `json:"used_by,omitempty"`
	Status     contractrules.InvitationStatus `json:"status"`
	SentTo     string                         `json:"sent_to,omitempty"`
	SentAt     time.Time                      `json:"sent_at"`
	Sends      int                            `json:"sends"`
	RevokedAt  *time.Time                     `json:"revoked_at,omitempty"`
	RevokedBy  string                         `json:"revoked_by,omitempty"`
	Mail       *MailDelivery                  `json:"mail,omitempty"`
}

// MailDelivery is what became of the last e-mail about an object:
// Status is queued, sent, failed or refused.
type MailDelivery struct {
	_        noCompare
	To       string     `json:"to"`
	Status   string     `json:"status"`
	QueuedAt time.Time  `json:"queued_at"`
	SentAt   *time.Time `json:"sent_at,omitempty"`
	Error    string     `json:"error,omitempty"`
}

// InvitationResent is an invitation sent again, with its new link.
type InvitationResent struct {
	_               noCompare
	Invitation      Invitation `json:"invitation"`
	ActivationToken string     `json:"activation_token"`
	ActivationLink  string     `json:"activation_link"`
}

// OnboardingResult is the wizard's summary.
type OnboardingResult struct {
	_               noCompare
	Partner         Partner      `json:"partner"`
	Agreement       Agreement    `json:"agreement"`
	Contracts       []Contract   `json:"contracts"`
	Members         []Membership `json:"members,omitempty"`
	Invitation      *Invitation  `json:"invitation,omitempty"`
	ActivationToken string       `json:"activation_token,omitempty"`
	ActivationLink  string       `json:"activation_link,omitempty"`
}

// InvitationReview is what an invited company reviews.
type InvitationReview struct {
	_                    noCompare
	PartnerName          string                   `json:"partner_name"`
	PartnerType          partnerrules.AccountType `json:"partner_type"`
	InviterName          string                   `json:"inviter_name"`
	AgreementID          string                   `json:"agreement_id"`
	AgreementName        string                   `json:"agreement_name"`
	AgreementType        agreementrules.Type      `json:"agreement_type"`
	AgreementDescription string                   `json:"agreement_description"`
	AgreementVersion     int                      `json:"agreement_version"`
	Document             Document                 `json:"document"`
	ExpiresAt            time.Time                `json:"expires_at"`
}

// Activation is what the invited company enters.
type Activation struct {
	_               noCompare
	Email           string `json:"email"`
	AcceptAgreement bool   `json:"accept_agreement"`
	FullName        string `json:"full_name"`
	Password        string `json:"password"`
	LegalName       string `json:"legal_name"`
}

// ActivationResult is what activation made.
type ActivationResult struct {
	_        noCompare
	Partner  Partner  `json:"partner"`
	User     User     `json:"user"`
	Contract Contract `json:"contract"`
}

// Terms are a capacity contract's terms. AlertThresholds are the
// percentages of an allocation at which usage raises an alert.
type Terms struct {
	_                noCompare
	ContractID       string    `json:"contract_id"`
	ReservedTB       string    `json:"reserved_tb"`
	BillingModel     string    `json:"billing_model"`
	PricePerTB       string    `json:"price_per_tb"`
	ExcessPricePerTB string    `json:"excess_price_per_tb"`
	Currency         string    `json:"currency"`
	AlertThresholds  []int     `json:"alert_thresholds"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// TermsChange sets a capacity contract's terms (its offering account).
// AlertThresholds nil means the defaults (80, 90, 100); empty means none.
type TermsChange struct {
	_                noCompare
	ReservedTB       string `json:"reserved_tb"`
	BillingModel     string `json:"billing_model"`
	PricePerTB       string `json:"price_per_tb"`
	ExcessPricePerTB string `json:"excess_price_per_tb"`
	Currency         string `json:"currency"`
	AlertThresholds  []int  `json:"alert_thresholds"`
}

// CapacityContract is a contract with its terms.
type CapacityContract struct {
	_ noCompare
	Contract
	Terms Terms `json:"terms"`
}

// PartnerOverview is one partner's line of an overview.
type PartnerOverview struct {
	_              noCompare
	PartnerID      string `json:"partner_id"`
	PartnerName    string `json:"partner_name"`
	AllocatedTB    string `json:"allocated_tb"`
	UsedTB         string `json:"used_tb"`
	PayPerUse      bool   `json:"pay_per_use"`
	AllowOverdraft bool   `json:"allow_overdraft"`
}

// Overview is a capacity contract's dashboard. The excess figures cover
// Month so far: the allocation excess is usage above the partners'
// allocations (what partners owe beyond their share), the reservation excess
// usage above the contract's reservation (what the distributor owes the
// provider).
type Overview struct {
	_                         noCompare
	ContractID                string            `json:"contract_id"`
	Terms                     Terms             `json:"terms"`
	ReservedTB                string            `json:"reserved_tb"`
	AllocatedTB               string            `json:"allocated_tb"`
	UsedTB                    string            `json:"used_tb"`
	Month                     string            `json:"month"`
	AllocationExcessTBMonths  string            `json:"allocation_excess_tb_months"`
	AllocationExcessFee       string            `json:"allocation_excess_fee"`
	ReservationExcessTBMonths string            `json:"reservation_excess_tb_months"`
	ReservationExcessFee      string            `json:"reservation_excess_fee"`
	Partners                  int               `json:"partners"`
	ByPartner                 []PartnerOverview `json:"by_partner"`
	AsOf                      *time.Time        `json:"as_of,omitempty"`
}

// Allocation is a partner's share of a capacity contract.
type Allocation struct {
	_              noCompare
	PartnerID      string    `json:"partner_id"`
	ContractID     string    `json:"contract_id"`
	AllocatedTB    string    `json:"allocated_tb"`
	AllowOverdraft bool      `json:"allow_overdraft"`
	PayPerUse      bool      `json:"pay_per_use"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// AllocationChange sets an allocation.
type AllocationChange struct {
	_              noCompare
	ContractID     string `json:"contract_id,omitempty"`
	AllocatedTB    string `json:"allocated_tb"`
	AllowOverdraft *bool  `json:"allow_overdraft,omitempty"`
}

// StorageAccount is a customer's storage account.
type StorageAccount struct {
	_         noCompare
	ID        string     `json:"id"`
	PartnerID string     `json:"partner_id"`
	Name      string     `json:"name"`
	QuotaTB   string     `json:"quota_tb"`
	Status    string     `json:"status"`
	DeleteAt  *time.Time `json:"delete_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	Version   int        `json:"version"`
}

// Sample is one usage measurement.
type Sample struct {
	_                noCompare
	StorageAccountID string    `json:"storage_account_id"`
	Timestamp        time.Time `json:"timestamp"`
	Bytes            int64     `json:"bytes"`
}

// IngestResult says what a usage batch did.
type IngestResult struct {
	_        noCompare
	Received int `json:"received"`
	Inserted int `json:"inserted"`
}

// ReportRow is one period of a usage report. The reservation figures are
// empty in a partner report.
type ReportRow struct {
	_                         noCompare
	Period                    string `json:"period"`
	Days                      int    `json:"days"`
	UsedTB                    string `json:"used_tb"`
	PeakTB                    string `json:"peak_tb"`
	AllocatedTB               string `json:"allocated_tb"`
	ReservedTB                string `json:"reserved_tb,omitempty"`
	UsageFee                  string `json:"usage_fee"`
	AllocationExcessTBMonths  string `json:"allocation_excess_tb_months"`
	AllocationExcessFee       string `json:"allocation_excess_fee"`
	ReservationExcessTBMonths string `json:"reservation_excess_tb_months,omitempty"`
	ReservationExcessFee      string `json:"reservation_excess_fee,omitempty"`
	Currency                  string `json:"currency"`
}

// Report is a usage report.
type Report struct {
	_                         noCompare
	Rows                      []ReportRow `json:"rows"`
	TotalUsageFee             string      `json:"total_usage_fee"`
	TotalAllocationExcessFee  string      `json:"total_allocation_excess_fee"`
	TotalReservationExcessFee string      `json:"total_reservation_excess_fee,omitempty"`
	AsOf                      *time.Time  `json:"as_of,omitempty"`
}

// Deal is a registered opportunity.
type Deal struct {
	_             noCompare
	ID            string     `json:"id"`
	PartnerID     string     `json:"partner_id"`
	OwnerID       string     `json:"owner_id"`
	CustomerName  string     `json:"customer_name"`
	ExpectedTB    *string    `json:"expected_tb"`
	ExpectedValue *string    `json:"expected_value"`
	Currency      string     `json:"currency,omitempty"`
	CloseDate     string     `json:"close_date"`
	Note          string     `json:"note,omitempty"`
	Status        string     `json:"status"`
	Reason        string     `json:"reason,omitempty"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
}

// APIKey is an API key (without the key).
type APIKey struct {
	_           noCompare
	ID          string          `json:"id"`
	Prefix      string          `json:"prefix"`
	AccountID   string          `json:"account_id"`
	Role        partnerkit.Role `json:"role"`
	Description string          `json:"description"`
	CreatedAt   time.Time       `json:"created_at"`
	ExpiresAt   *time.Time      `json:"expires_at,omitempty"`
	RevokedAt   *time.Time      `json:"revoked_at,omitempty"`
	LastUsedAt  *time.Time      `json:"last_used_at,omitempty"`
	// Creator is who made the key (absent for a key made by another key);
	// removing that member revokes it.
	Creator *KeyCreator `json:"creator,omitempty"`
}

// KeyCreator names the user who created an API key.
type KeyCreator struct {
	_        noCompare
	UserID   string `json:"user_id"`
	Email    string `json:"email"`
	FullName string `json:"full_name"`
}

// CreatedAPIKey is a new key with the key itself, shown once.
type CreatedAPIKey struct {
	_ noCompare
	APIKey
	Key string `json:"key"`
}

// AuditEvent is one recorded change.
type AuditEvent struct {
	_     noCompare
	ID    string `json:"id"`
	Actor string `json:"actor"`
	// ActorAccountID is the account the actor acted in (another tenant's
	// for a user shared by two).
	ActorAccountID string          `json:"actor_account_id,omitempty"`
	Action         string          `json:"action"`
	EntityType     string          `json:"entity_type"`
	EntityID       string          `json:"entity_id"`
	At             time.Time       `json:"at"`
	Before         json.RawMessage `json:"before,omitempty"`
	After          json.RawMessage `json:"after,omitempty"`
}

// EventType describes one kind of domain event (GET /event-types).
type EventType struct {
	_           noCompare
	Name        string `json:"name"`
	Entity      string `json:"entity"`
	Description string `json:"description"`
}

// Event is a domain event, as the activity feed lists it and webhooks
// deliver it.
type Event struct {
	_         noCompare
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	AccountID string    `json:"account_id"`
	Data      EventData `json:"data"`
}

// EventData is the body of an event: the changed object after the change
// and, where the audit trail has it, before. Actor is a user or API key
// ID, "system" (a scheduled rule) or "public" (an invitation link).
type EventData struct {
	_          noCompare
	EntityType string          `json:"entity_type"`
	EntityID   string          `json:"entity_id"`
	Actor      string          `json:"actor"`
	Object     json.RawMessage `json:"object,omitempty"`
	Previous   json.RawMessage `json:"previous,omitempty"`
}

// WebhookEndpoint is a URL that receives an account's events; EventTypes
// empty means every type. DisabledReason is "manual" or "failing".
type WebhookEndpoint struct {
	_              noCompare
	ID             string    `json:"id"`
	AccountID      string    `json:"account_id"`
	URL            string    `json:"url"`
	Description    string    `json:"description"`
	EventTypes     []string  `json:"event_types"`
	Enabled        bool      `json:"enabled"`
	DisabledReason string    `json:"disabled_reason,omitempty"`
	SecretHint     string    `json:"secret_hint"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	Version        int       `json:"version"`
}

// NewWebhookEndpoint registers an endpoint; EventTypes empty means every
// type, Enabled nil means enabled.
type NewWebhookEndpoint struct {
	_           noCompare
	URL         string   `json:"url"`
	Description string   `json:"description"`
	EventTypes  []string `json:"event_types,omitempty"`
	Enabled     *bool    `json:"enabled,omitempty"`
}

// WebhookEndpointChanges edits an endpoint; nil fields stay (a pointer to
// an empty EventTypes means every type). Version, when not 0, must be the
// endpoint's current one.
type WebhookEndpointChanges struct {
	_           noCompare
	URL         *string   `json:"url,omitempty"`
	Description *string   `json:"description,omitempty"`
	EventTypes  *[]string `json:"event_types,omitempty"`
	Enabled     *bool     `json:"enabled,omitempty"`
	Version     int       `json:"version,omitempty"`
}

// CreatedWebhookEndpoint is a new endpoint with its signing secret, shown
// only here.
type CreatedWebhookEndpoint struct {
	_ noCompare
	WebhookEndpoint
	Secret string `json:"secret"`
}

// WebhookSecretRotation asks for a new signing secret; OverlapSeconds is
// how long the previous one keeps signing (nil: the server's default, a
// day).
type WebhookSecretRotation struct {
	_              noCompare
	OverlapSeconds *int `json:"overlap_seconds,omitempty"`
}

// RotatedWebhookSecret is an endpoint's new signing secret, shown only
// here, and until when the previous one still signs.
type RotatedWebhookSecret struct {
	_                 noCompare
	Endpoint          WebhookEndpoint `json:"endpoint"`
	Secret            string          `json:"secret"`
	PreviousExpiresAt time.Time       `json:"previous_expires_at"`
}

// WebhookDelivery is one event on its way to one endpoint. Status is
// pending, succeeded or failed; LastStatusCode 0 means no answer yet.
type WebhookDelivery struct {
	_              noCompare
	ID             string          `json:"id"`
	EndpointID     string          `json:"endpoint_id"`
	AccountID      string          `json:"account_id"`
	EventID        string          `json:"event_id"`
	EventType      string          `json:"event_type"`
	Test           bool            `json:"test"`
	Status         string          `json:"status"`
	Attempts       int             `json:"attempts"`
	LastStatusCode int             `json:"last_status_code"`
	LastError      string          `json:"last_error,omitempty"`
	NextAttemptAt  *time.Time      `json:"next_attempt_at,omitempty"`
	Payload        json.RawMessage `json:"payload"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
}

// WebhookAttempt is one POST of a delivery: when, the status answered (0:
// none), how long it took and the first bytes of the answer.
type WebhookAttempt struct {
	_          noCompare
	DeliveryID string    `json:"delivery_id"`
	Number     int       `json:"number"`
	At         time.Time `json:"at"`
	Manual     bool      `json:"manual"`
	StatusCode int       `json:"status_code"`
	LatencyMS  int64     `json:"latency_ms"`
	Response   string    `json:"response"`
	Error      string    `json:"error,omitempty"`
}

// WebhookDeliveryDetail is a delivery with its attempts, newest last.
type WebhookDeliveryDetail struct {
	_ noCompare
	WebhookDelivery
	AttemptLog []WebhookAttempt `json:"attempt_log"`
}

// noCompare makes the wire types not comparable (a struct holding it has no
// ==). Go's compiler writes an equality function for every comparable
// struct whose type the program keeps (decoding JSON into it keeps it);
// the PWA never compares these values, and in app.wasm those functions
// cost about 25 KB gzip (make wasm-size).
type noCompare [0]func()
