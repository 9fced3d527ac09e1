package partnerkit

import (
	"context"
	"encoding/json"
	"time"
)

// AuditEvent records one change: who did what to which entity, when, and a
// summary of the entity before and after.
type AuditEvent struct {
	// ID is the opaque event ID ("EV-…").
	ID string `json:"id"`
	// AccountID is the account whose data changed (the tenant that may read the event).
	AccountID string `json:"account_id"`
	// Actor is the principal who acted: a user ID, an API key ID, or "public"
	// for an invitation link.
	Actor string `json:"actor"`
	// ActorAccountID is the account the actor acted in.
	ActorAccountID string `json:"actor_account_id,omitempty"`
	// Action names the change, "<entity>.<verb>" ("partner.created").
	Action string `json:"action"`
	// EntityType is the kind of entity ("partner", "agreement", "contract").
	EntityType string `json:"entity_type"`
	// EntityID is the changed entity's ID.
	EntityID string `json:"entity_id"`
	// At is when the change happened (UTC).
	At time.Time `json:"at"`
	// Before is a JSON summary of the entity before the change; empty on creation.
	Before json.RawMessage `json:"before,omitempty"`
	// After is a JSON summary of the entity after the change.
	After json.RawMessage `json:"after,omitempty"`
}

// AuditLog stores audit events. Append runs inside the caller's transaction
// (the context carries it), so a change and its record commit together.
type AuditLog interface {
	AppendAudit(ctx context.Context, e *AuditEvent) error
}

// Auditor builds and appends audit events for one service.
type Auditor struct {
	// Log receives the events; a nil Log records nothing.
	Log AuditLog
	// Clock stamps the events.
	Clock Clock
}

// Record appends an event for a change made by actor to an entity of
// account. before and after are marshalled to JSON; nil means none.
func (a Auditor) Record(ctx context.Context, actor Actor, account, action, entityType, entityID string, before, after any) error {
	if a.Log == nil {
		return nil
	}
	return a.Log.AppendAudit(ctx, a.Event(actor, account, action, entityType, entityID, before, after))
}

// Event builds the event Record appends, for a caller that stores events
// in a batch.
func (a Auditor) Event(actor Actor, account, action, entityType, entityID string, before, after any) *AuditEvent {
	principal := actor.Principal()
	if principal == "" {
		principal = "public"
	}
	return &AuditEvent{
		ID: NewID(PrefixEvent), AccountID: account, Actor: principal, ActorAccountID: actor.AccountID,
		Action: action, EntityType: entityType, EntityID: entityID, At: a.Clock.Now(),
		Before: marshalSummary(before), After: marshalSummary(after),
	}
}

func marshalSummary(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(`{"error":"unserializable"}`)
	}
	return b
}
