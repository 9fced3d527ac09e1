package partnerkit

import (
	"context"
	"encoding/json"
	"slices"
	"time"
)

// Every change the audit trail records is also a domain event: the audit
// event is the event (its ID, its Action as the event type), stored once.
// Services record it in the change's transaction through an AuditLog; the
// wiring gives them a PublishingLog, which also hands each event to an
// EventPublisher in the same transaction — the job engine on SQL databases
// (a job inserted with the change), an in-process dispatcher on the memory
// stores (run after the commit) — so no event is lost and none is sent for
// a change that was rolled back.

// EventPublisher takes the events of a change inside its transaction (the
// context carries it) and delivers them after the commit, at least once.
type EventPublisher interface {
	PublishEvents(ctx context.Context, events []*AuditEvent) error
}

// BatchAuditLog is an AuditLog that also stores a batch in one call.
type BatchAuditLog interface {
	AuditLog
	AppendAudits(ctx context.Context, events []*AuditEvent) error
}

// PublishingLog stores events in Log and publishes them to Publisher, both
// in the caller's transaction. A nil Publisher only stores.
type PublishingLog struct {
	Log       BatchAuditLog
	Publisher EventPublisher
}

// AppendAudit implements AuditLog.
func (l PublishingLog) AppendAudit(ctx context.Context, e *AuditEvent) error {
	if err := l.Log.AppendAudit(ctx, e); err != nil {
		return err
	}
	if l.Publisher == nil {
		return nil
	}
	return l.Publisher.PublishEvents(ctx, []*AuditEvent{e})
}

// AppendAudits implements BatchAuditLog.
func (l PublishingLog) AppendAudits(ctx context.Context, events []*AuditEvent) error {
	if err := l.Log.AppendAudits(ctx, events); err != nil {
		return err
	}
	if l.Publisher == nil || len(events) == 0 {
		return nil
	}
	return l.Publisher.PublishEvents(ctx, events)
}

// EventType describes one kind of domain event.
type EventType struct {
	// Name is the stable name ("partner.created"): the audit action, the
	// webhook payload's "type", the filter of GET /events.
	Name string `json:"name"`
	// Entity is the kind of object the event carries ("partner").
	Entity string `json:"entity"`
	// Description says when the event happens.
	Description string `json:"description"`
}

// EventTypes is every domain event, by domain. The README's table of
// events is this one; a test checks that every event a service emits is
// listed here.
var EventTypes = []EventType{
	{"partner.created", "partner", "A partner account was created (also each row of a bulk load)."},
	{"partner.updated", "partner", "A partner's profile or contacts changed."},
	{"partner.activated", "partner", "A partner's first user accepted the invitation; the account is active."},
	{"partner.suspended", "partner", "A partner was suspended."},
	{"partner.reactivated", "partner", "A suspended partner was reactivated."},
	{"partner.deleted", "partner", "A partner without dependents was deleted."},
	{"user.created", "user", "A user was created in an account."},
	{"membership.created", "user", "A user joined an account's team."},
	{"membership.role_changed", "user", "A team member's role changed."},
	{"membership.removed", "user", "A user left an account's team."},
	{"team_invitation.created", "partner", "A team invitation was sent."},
	{"team_invitation.resent", "partner", "A team invitation was sent again with a new link (the previous link no longer works)."},
	{"team_invitation.revoked", "partner", "A team invitation was revoked: its link no longer works."},
	{"user.password_changed", "user", "A user changed their password, or set a new one with a reset link; their other sessions ended."},
	{"user.two_factor_enabled", "user", "A user turned two-factor sign-in on."},
	{"user.two_factor_disabled", "user", "A user turned two-factor sign-in off."},
	{"user.recovery_codes_regenerated", "user", "A user made new two-factor recovery codes; the old ones no longer work."},
	{"partner.security_changed", "partner", "An account's security settings changed (two-factor sign-in required of every member, or not)."},
	{"api_key.created", "api_key", "An API key was created."},
	{"api_key.revoked", "api_key", "An API key was revoked."},
	{"agreement.created", "agreement", "An agreement was created with its first draft."},
	{"agreement.updated", "agreement", "An agreement's name, description or draft changed."},
	{"agreement.version_published", "agreement", "A new version of an agreement was published."},
	{"agreement.version_deleted", "agreement", "An unpublished version of an agreement was deleted."},
	{"marketplace.created", "marketplace", "A marketplace was created."},
	{"contract.created", "contract", "A contract was created for a partner."},
	{"contract.signed", "contract", "A partner signed a contract."},
	{"contract.activated", "contract", "A signed contract was activated."},
	{"contract.rejected", "contract", "A contract was rejected."},
	{"contract.terminated", "contract", "A contract was terminated."},
	{"contract.resigned", "contract", "A partner signed a newer version of the contract's agreement."},
	{"invitation.created", "partner", "An activation invitation was created for a partner (the event is about the invited partner; its object is the invitation)."},
	{"invitation.activated", "invitation", "An activation invitation was used."},
	{"invitation.expired", "invitation", "An unused activation invitation passed its expiry."},
	{"invitation.resent", "partner", "An activation invitation was sent again with a new link (the previous link no longer works)."},
	{"invitation.revoked", "partner", "An activation invitation was revoked by the account that issued it."},
	{"capacity.terms_changed", "contract", "A distribution contract's capacity terms (reservation, rates, thresholds) changed."},
	{"allocation.changed", "partner", "A partner's capacity allocation was set."},
	{"allocation.transferred", "partner", "Capacity moved between two partners' allocations."},
	{"usage.threshold_crossed", "partner", "A partner's used capacity crossed a threshold of its allocation (once per threshold per month)."},
	{"deal.submitted", "deal", "A deal registration was submitted."},
	{"deal.approved", "deal", "A deal registration was approved."},
	{"deal.rejected", "deal", "A deal registration was rejected."},
	{"deal.won", "deal", "An approved deal was won."},
	{"deal.lost", "deal", "An approved deal was lost."},
	{"storage_account.created", "storage_account", "A storage account was created."},
	{"storage_account.updated", "storage_account", "A storage account's quota or settings changed."},
	{"storage_account.deletion_scheduled", "storage_account", "A storage account was scheduled for deletion in 30 days."},
	{"storage_account.deletion_cancelled", "storage_account", "A scheduled deletion was cancelled."},
	{"storage_account.purged", "storage_account", "A storage account's 30-day deletion ran."},
	{"product.created", "product", "A product was created."},
	{"product.updated", "product", "A product changed."},
	{"product.deleted", "product", "A product was deleted."},
	{"listing.created", "listing", "A product was listed on a marketplace."},
	{"listing.removed", "listing", "A listing was removed."},
	{"catalog_service.created", "catalog_service", "A reseller catalog service was created."},
	{"catalog_service.updated", "catalog_service", "A reseller catalog service changed."},
	{"client.created", "client", "A reseller client was created."},
	{"client.updated", "client", "A reseller client changed."},
	{"subscription.ordered", "subscription", "A subscription was ordered."},
	{"subscription.activated", "subscription", "A stopped subscription was activated again."},
	{"subscription.stopped", "subscription", "A subscription was stopped."},
	{"subscription.renewed", "subscription", "A subscription was renewed for another period (by hand, or automatically where the plan says so)."},
	{"subscription.resources_changed", "subscription", "A subscription's resources changed."},
	{"subscription.decrease_scheduled", "subscription", "A decrease of a subscription's resources was scheduled for the period end."},
	{"subscription.expired", "subscription", "A subscription reached the end of its period without renewal."},
	{"webhook.created", "webhook", "A webhook endpoint was created."},
	{"webhook.updated", "webhook", "A webhook endpoint changed (URL, event types, enabled)."},
	{"webhook.secret_rotated", "webhook", "A webhook endpoint's signing secret was rotated."},
	{"webhook.deleted", "webhook", "A webhook endpoint was deleted."},
	{"webhook.disabled", "webhook", "A webhook endpoint failed for about three days and was disabled."},
}

// TestEventType is the type of the event a webhook endpoint's "send test
// event" action delivers; it is never stored or published.
const TestEventType = "webhook.test"

// KnownEventType reports whether name is in EventTypes.
func KnownEventType(name string) bool {
	return slices.ContainsFunc(EventTypes, func(t EventType) bool { return t.Name == name })
}

// Event is a domain event as webhooks deliver it and GET /events lists it.
type Event struct {
	// ID is the event's ID (the audit event's), stable across redeliveries:
	// receivers deduplicate by it.
	ID string `json:"id"`
	// Type is the event type ("partner.created").
	Type string `json:"type"`
	// CreatedAt is when the change happened.
	CreatedAt time.Time `json:"created_at"`
	// AccountID is the account the event belongs to.
	AccountID string `json:"account_id"`
	// Data describes the change.
	Data EventData `json:"data"`
}

// EventData is the body of an event: the changed object after the change
// and, where the audit trail has it, before.
type EventData struct {
	// EntityType and EntityID name the changed object.
	EntityType string `json:"entity_type"`
	EntityID   string `json:"entity_id"`
	// Actor is the principal who acted (a user or API key ID, "system"
	// for a scheduled rule, "public" for an invitation link).
	Actor string `json:"actor"`
	// Object is the object after the change (absent on deletion).
	Object json.RawMessage `json:"object,omitempty"`
	// Previous is the object before the change (absent on creation).
	Previous json.RawMessage `json:"previous,omitempty"`
}

// EventOf returns the domain event of an audit event.
func EventOf(e *AuditEvent) Event {
	return Event{ID: e.ID, Type: e.Action, CreatedAt: e.At, AccountID: e.AccountID,
		Data: EventData{EntityType: e.EntityType, EntityID: e.EntityID, Actor: e.Actor, Object: e.After, Previous: e.Before}}
}
