package partners

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/validate"
)

// FeedOrder is how the activity feed (Events) sorts: newest first by default.
var FeedOrder = partnerkit.Order{Fields: []string{"created_at"}, Default: "-created_at"}

// EventFilter selects a page of the events feed.
type EventFilter struct {
	// Types keeps the events of these types (partnerkit.EventTypes); empty
	// keeps all.
	Types []string `json:"types"`
	// EntityType keeps the events about one kind of object ("contract").
	EntityType string `json:"entity_type"`
	// Since and Until bound the events' times: Since inclusive, Until
	// exclusive; zero is unbounded.
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	// Sort is created_at or -created_at (the default, newest first).
	Sort partnerkit.Sort `json:"sort"`
	partnerkit.Page
}

// Events returns one page of the events of the actor's tenancy — its
// account's and those of every account it manages — newest first: the
// activity feed. Each event is what webhooks deliver.
//
// Returns invalid naming "types[i]", "entity_type", "until", "sort",
// "limit" or "offset".
func (s *Service) Events(ctx context.Context, actor partnerkit.Actor, f EventFilter) (partnerkit.List[partnerkit.Event], error) {
	const op = "partners.Events"
	var out partnerkit.List[partnerkit.Event]
	if err := actor.RequireAccount(); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	page, pageErr := f.Page.Normalize()
	sort, sortErr := FeedOrder.Check(f.Sort)
	errs := []error{pageErr, sortErr, partnerkit.CheckText("entity_type", f.EntityType, false)}
	for i, t := range f.Types {
		if !partnerkit.KnownEventType(t) {
			errs = append(errs, partnerkit.FieldError(fmt.Sprintf("types[%d]", i), "is not an event type (GET /event-types lists them)"))
		} else if slices.Index(f.Types, t) < i {
			errs = append(errs, partnerkit.FieldError(fmt.Sprintf("types[%d]", i), "is listed twice"))
		}
	}
	if len(f.Types) > 100 {
		errs = append(errs, partnerkit.FieldError("types", "must list at most 100 event types"))
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		errs = append(errs, partnerkit.FieldError("until", "must be after since"))
	}
	if err := validate.All(errs...); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	storeSort := partnerkit.Sort("-at")
	if sort == "created_at" {
		storeSort = "at"
	}
	items, total, err := s.store.Events(ctx, EventQuery{VisibleTo: actor.AccountID, Types: f.Types, EntityType: f.EntityType,
		Since: f.Since.UTC(), Until: f.Until.UTC(), Sort: storeSort, Limit: page.Limit, Offset: page.Offset})
	if err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	out.Items, out.Total = make([]partnerkit.Event, len(items)), total
	for i := range items {
		out.Items[i] = partnerkit.EventOf(&items[i])
	}
	return out, nil
}

// EventsByID returns the audit events among ids, in the order of ids,
// with no tenancy check: the job engine loads the events it fans out.
func (s *Service) EventsByID(ctx context.Context, ids []string) ([]partnerkit.AuditEvent, error) {
	const op = "partners.EventsByID"
	if err := partnerkit.CheckIDs("ids", ids); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	found, err := s.store.AuditEventsByID(ctx, ids)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	byID := make(map[string]partnerkit.AuditEvent, len(found))
	for _, e := range found {
		byID[e.ID] = e
	}
	out := make([]partnerkit.AuditEvent, 0, len(ids))
	for _, id := range ids {
		if e, ok := byID[id]; ok {
			out = append(out, e)
		}
	}
	return out, nil
}
