// Package webhooks delivers Partnerkit's domain events to the HTTP
// endpoints an account registers: a partner's ERP or CRM learns of every
// contract signed, partner suspended or usage threshold crossed without
// polling.
//
// An account's admins register endpoints (a URL, the event types wanted or
// all, enabled or not). Each endpoint has a signing secret, shown once and
// stored so that it can sign; rotating it keeps the old one signing for an
// overlap window. Every event of the endpoint's account or of an account it
// manages becomes one Delivery per endpoint; each attempt POSTs
//
//	{"id", "type", "created_at", "account_id", "data"}
//
// with a Partnerkit-Signature header (t=<unix>,v1=<hex HMAC-SHA256 of
// "<t>.<body>">, one v1 per live secret) and Partnerkit-Event-Id. A 2xx
// answer within DeliveryTimeout is success; anything else is retried on
// RetrySchedule (exponential, with jitter, for about three days), after
// which the endpoint is disabled and its account gets a webhook.disabled
// event. Receivers written in Go check requests with Verify.
//
// Outbound requests cannot be aimed at the server's own network: URLs whose
// host is, or resolves to, a loopback, private, link-local, unspecified or
// cloud-metadata address are refused when saved, and the HTTP sender checks
// again at connect time (against DNS rebinding), unless the service allows
// private addresses (development and tests). https is required unless the
// same setting allows http.
//
// The package holds the rules only: the store (webhooks/bunstore,
// webhooks/memstore), the HTTP sender (webhooks/httpsender) and the job
// engine that runs deliveries (package jobs) are adapters behind the ports
// of ports.go.
package webhooks

import (
	"encoding/json"
	"time"
)

// Endpoint is a URL that receives an account's events.
type Endpoint struct {
	// ID is the opaque endpoint ID ("WH-…").
	ID string `json:"id"`
	// AccountID is the account whose events (and its partners') the
	// endpoint receives, and whose admins manage it.
	AccountID string `json:"account_id"`
	// URL receives the POSTs.
	URL string `json:"url"`
	// Description says what the endpoint is for.
	Description string `json:"description"`
	// EventTypes are the event types delivered; empty means every type.
	EventTypes []string `json:"event_types"`
	// Enabled endpoints receive events; disabled ones receive nothing.
	Enabled bool `json:"enabled"`
	// DisabledReason says why a disabled endpoint was disabled: "manual",
	// or "failing" when deliveries failed for the whole retry schedule.
	DisabledReason string `json:"disabled_reason,omitempty"`
	// SecretHint is the end of the current signing secret ("…3fa9"), to
	// tell secrets apart; the secret itself is shown once.
	SecretHint string `json:"secret_hint"`
	// CreatedAt and UpdatedAt are the endpoint's times.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version is the optimistic-concurrency version, incremented by every
	// change.
	Version int `json:"version"`
}

// Receives reports whether the endpoint wants events of type t.
func (e *Endpoint) Receives(t string) bool {
	if len(e.EventTypes) == 0 {
		return true
	}
	for _, x := range e.EventTypes {
		if x == t {
			return true
		}
	}
	return false
}

// Reasons an endpoint is disabled.
const (
	DisabledManually = "manual"
	DisabledFailing  = "failing"
)

// Secret is one signing secret of an endpoint. The current secret has no
// expiry; a rotated-out one signs until ExpiresAt.
type Secret struct {
	EndpointID string
	// Value is the secret ("whsec_…").
	Value     string
	CreatedAt time.Time
	// ExpiresAt is nil for the current secret.
	ExpiresAt *time.Time
}

// DeliveryStatus is where a delivery is.
type DeliveryStatus string

// Delivery statuses.
const (
	// DeliveryPending: an attempt is scheduled.
	DeliveryPending DeliveryStatus = "pending"
	// DeliverySucceeded: an attempt got a 2xx.
	DeliverySucceeded DeliveryStatus = "succeeded"
	// DeliveryFailed: every scheduled attempt failed, or the endpoint was
	// disabled or deleted before it could succeed.
	DeliveryFailed DeliveryStatus = "failed"
)

// DeliveryStatuses lists every delivery status.
func DeliveryStatuses() []DeliveryStatus {
	return []DeliveryStatus{DeliveryPending, DeliverySucceeded, DeliveryFailed}
}

// Delivery is one event on its way to one endpoint.
type Delivery struct {
	// ID is the opaque delivery ID ("WHD-…").
	ID string `json:"id"`
	// EndpointID is the receiving endpoint.
	EndpointID string `json:"endpoint_id"`
	// AccountID is the endpoint's account.
	AccountID string `json:"account_id"`
	// EventID and EventType name the delivered event.
	EventID   string `json:"event_id"`
	EventType string `json:"event_type"`
	// Test marks the deliveries of "send test event".
	Test bool `json:"test"`
	// Status is where the delivery is.
	Status DeliveryStatus `json:"status"`
	// Attempts counts the attempts made so far.
	Attempts int `json:"attempts"`
	// LastStatusCode is the HTTP status of the last attempt (0: none, or no
	// answer).
	LastStatusCode int `json:"last_status_code"`
	// LastError says why the last attempt failed ("" on success).
	LastError string `json:"last_error,omitempty"`
	// NextAttemptAt is when the next attempt is due (pending only).
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	// Payload is the exact JSON body every attempt sends.
	Payload json.RawMessage `json:"payload"`
	// CreatedAt and UpdatedAt are the delivery's times.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Attempt is one POST of a delivery.
type Attempt struct {
	// DeliveryID is the delivery attempted.
	DeliveryID string `json:"delivery_id"`
	// Number counts the delivery's attempts from 1.
	Number int `json:"number"`
	// At is when the attempt started.
	At time.Time `json:"at"`
	// Manual marks an attempt asked for by a user (redelivery).
	Manual bool `json:"manual"`
	// StatusCode is the HTTP status answered, 0 when there was no answer.
	StatusCode int `json:"status_code"`
	// LatencyMS is how long the answer took, in milliseconds.
	LatencyMS int64 `json:"latency_ms"`
	// Response is the first ResponseSnippet bytes of the answer's body.
	Response string `json:"response"`
	// Error says why the attempt failed ("" on a 2xx).
	Error string `json:"error,omitempty"`
}

// Succeeded reports whether the attempt got a 2xx.
func (a *Attempt) Succeeded() bool { return a.Error == "" && a.StatusCode >= 200 && a.StatusCode < 300 }

// DeliveryDetail is a delivery with its attempts, newest last.
type DeliveryDetail struct {
	Delivery
	AttemptLog []Attempt `json:"attempt_log"`
}

// CreatedEndpoint is a new endpoint with its signing secret, which is
// shown only here.
type CreatedEndpoint struct {
	Endpoint
	// Secret signs the deliveries ("whsec_…"): store it in the receiver.
	Secret string `json:"secret"`
}

// RotatedSecret is an endpoint's new signing secret, shown only here, and
// until when the previous one still signs.
type RotatedSecret struct {
	Endpoint Endpoint `json:"endpoint"`
	// Secret is the new secret.
	Secret string `json:"secret"`
	// PreviousExpiresAt is when the previous secret stops signing.
	PreviousExpiresAt time.Time `json:"previous_expires_at"`
}

// EndpointInput is the body of creating an endpoint.
type EndpointInput struct {
	// URL is an absolute https URL (http where private addresses are
	// allowed) of at most 2,000 characters.
	URL string `json:"url"`
	// Description is at most 500 characters.
	Description string `json:"description" validate:"max=500"`
	// EventTypes are known event types (partnerkit.EventTypes), at most 100
	// and without repeats; empty means every type.
	EventTypes []string `json:"event_types"`
	// Enabled defaults to true.
	Enabled *bool `json:"enabled"`
}

// EndpointPatch changes an endpoint; nil fields stay.
type EndpointPatch struct {
	URL         *string   `json:"url"`
	Description *string   `json:"description" validate:"omitnil,max=500"`
	EventTypes  *[]string `json:"event_types"`
	Enabled     *bool     `json:"enabled"`
	// Version, when not 0, must be the endpoint's current version.
	Version int `json:"version"`
}

// RotateInput is the body of rotating a secret.
type RotateInput struct {
	// OverlapSeconds is how long the previous secret keeps signing: 0 to
	// MaxOverlap in seconds; nil means DefaultOverlap.
	OverlapSeconds *int `json:"overlap_seconds"`
}

// Limits of endpoints.
const (
	MaxURLLength      = 2000
	MaxEventTypes     = 100
	MaxEndpoints      = 50
	DefaultOverlap    = 24 * time.Hour
	MaxOverlap        = 7 * 24 * time.Hour
	DeliveryTimeout   = 10 * time.Second
	ResponseSnippet   = 1024
	PrefixEndpoint    = "WH"
	PrefixDelivery    = "WHD"
	SignatureHeader   = "Partnerkit-Signature"
	EventIDHeader     = "Partnerkit-Event-Id"
	EventTypeHeader   = "Partnerkit-Event-Type"
	DeliveryIDHeader  = "Partnerkit-Delivery-Id"
	DefaultTolerance  = 5 * time.Minute
	secretPrefix      = "whsec_"
	secretRandomBytes = 32
)
