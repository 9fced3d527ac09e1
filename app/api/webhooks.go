//go:build !js

package api

import (
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/webhooks"
)

func init() {
	maps.Copy(docs, map[string]op{
		"GET /event-types": {summary: "Every domain event type, with what it carries and when it happens", out: partnerkit.EventType{}, list: true},
		"GET /events": {summary: "The activity feed: the events of the caller's account and of every account it manages, newest first",
			out: partnerkit.Event{}, list: true, query: append([]string{"type", "entity_type", "since", "until"}, pageQuery...)},
		"GET /webhooks": {summary: "The account's webhook endpoints (admins)", out: webhooks.Endpoint{}, list: true},
		"POST /webhooks": {summary: "Register a webhook endpoint (admins); its signing secret is shown only here",
			in: webhooks.EndpointInput{}, out: webhooks.CreatedEndpoint{}, status: 201},
		"GET /webhooks/{id}":    {summary: "A webhook endpoint (admins)", out: webhooks.Endpoint{}},
		"PATCH /webhooks/{id}":  {summary: "Change a webhook endpoint: URL, description, event types, enabled (admins)", in: webhooks.EndpointPatch{}, out: webhooks.Endpoint{}},
		"DELETE /webhooks/{id}": {summary: "Delete a webhook endpoint and its delivery log (admins)", status: 204},
		"POST /webhooks/{id}/rotate-secret": {summary: "Give an endpoint a new signing secret, shown only here; the previous one keeps signing for the overlap (admins)",
			in: webhooks.RotateInput{}, out: webhooks.RotatedSecret{}},
		"POST /webhooks/{id}/test": {summary: "Send a webhook.test event to the endpoint now (admins)", out: webhooks.Delivery{}, status: 202},
		"GET /webhooks/{id}/deliveries": {summary: "An endpoint's delivery log, newest first (admins)", out: webhooks.Delivery{}, list: true,
			query: append([]string{"status", "event_id"}, pageQuery...)},
		"GET /webhook-deliveries/{id}":            {summary: "A delivery with every attempt: time, status code, latency, first bytes of the answer (admins)", out: webhooks.DeliveryDetail{}},
		"POST /webhook-deliveries/{id}/redeliver": {summary: "Send a delivery again now (admins)", out: webhooks.Delivery{}, status: 202},
	})
	listOrders["GET /event-types"] = eventTypeOrder.Order
	listOrders["GET /events"] = partners.FeedOrder
	listOrders["GET /webhooks"] = endpointOrder.Order
	listOrders["GET /webhooks/{id}/deliveries"] = webhooks.DeliveryOrder
}

var (
	eventTypeOrder = wholeOrder[partnerkit.EventType]{
		Order: partnerkit.Order{Fields: []string{"name", "entity"}, Default: "name"},
		keys: map[string]func(a, b partnerkit.EventType) int{
			"name":   func(a, b partnerkit.EventType) int { return strings.Compare(a.Name, b.Name) },
			"entity": func(a, b partnerkit.EventType) int { return strings.Compare(a.Entity, b.Entity) },
		},
		id: func(t partnerkit.EventType) string { return t.Name },
	}
	endpointOrder = wholeOrder[webhooks.Endpoint]{
		Order: webhooks.EndpointOrder,
		keys: map[string]func(a, b webhooks.Endpoint) int{
			"created_at": func(a, b webhooks.Endpoint) int { return a.CreatedAt.Compare(b.CreatedAt) },
			"url":        func(a, b webhooks.Endpoint) int { return strings.Compare(a.URL, b.URL) },
		},
		id: func(e webhooks.Endpoint) string { return e.ID },
	}
)

// eventsRoutes serves the event catalogue and the activity feed.
func (a *API) eventsRoutes() {
	a.handle(http.MethodGet, "/event-types", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		if err := actor.RequireAccount(); err != nil {
			return err
		}
		return writeWhole(w, r, partnerkit.EventTypes, eventTypeOrder)
	})
	a.handle(http.MethodGet, "/events", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		page, sort, err := listParams(r, partners.FeedOrder)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		f := partners.EventFilter{EntityType: q.Get("entity_type"), Sort: sort, Page: page}
		for _, v := range q["type"] {
			for _, t := range strings.Split(v, ",") {
				if t = strings.TrimSpace(t); t != "" {
					f.Types = append(f.Types, t)
				}
			}
		}
		var errs []error
		f.Since, errs = queryTime(q.Get("since"), "since", errs)
		f.Until, errs = queryTime(q.Get("until"), "until", errs)
		if err := joinErrors(errs); err != nil {
			return err
		}
		list, err := a.cfg.Partners.Events(r.Context(), actor, f)
		if err != nil {
			return err
		}
		return writeList(w, page, list)
	})
}

// queryTime parses an RFC 3339 time of a query parameter ("" is zero).
func queryTime(v, name string, errs []error) (time.Time, []error) {
	if v == "" {
		return time.Time{}, errs
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, append(errs, partnerkit.FieldError(name, "must be an RFC 3339 time such as 2026-12-01T09:00:00Z"))
	}
	return t, errs
}

func joinErrors(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	fields := map[string]string{}
	for _, e := range errs {
		maps.Copy(fields, partnerkit.ErrorFields(e))
	}
	return partnerkit.FieldErrors(fields)
}

// webhookRoutes serves webhook endpoints and their delivery logs.
func (a *API) webhookRoutes() {
	wh := a.cfg.Webhooks
	a.handle(http.MethodGet, "/webhooks", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		list, err := wh.Endpoints(r.Context(), actor, partnerkit.Page{Limit: partnerkit.MaxLimit})
		if err != nil {
			return err
		}
		return writeWhole(w, r, list.Items, endpointOrder)
	})
	a.handle(http.MethodPost, "/webhooks", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in webhooks.EndpointInput
		if err := decode(r, &in); err != nil {
			return err
		}
		e, err := wh.CreateEndpoint(r.Context(), actor, in)
		if err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "no-store") // the secret
		return created(w, e)
	})
	a.handle(http.MethodGet, "/webhooks/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		e, err := wh.Endpoint(r.Context(), actor, r.PathValue("id"))
		return reply(w, e, err)
	})
	a.handle(http.MethodPatch, "/webhooks/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in webhooks.EndpointPatch
		if err := decode(r, &in); err != nil {
			return err
		}
		e, err := wh.UpdateEndpoint(r.Context(), actor, r.PathValue("id"), in)
		return reply(w, e, err)
	})
	a.handle(http.MethodDelete, "/webhooks/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		if err := wh.DeleteEndpoint(r.Context(), actor, r.PathValue("id")); err != nil {
			return err
		}
		return noContent(w)
	})
	a.handle(http.MethodPost, "/webhooks/{id}/rotate-secret", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in webhooks.RotateInput
		if err := decodeOptional(r, &in); err != nil {
			return err
		}
		s, err := wh.RotateSecret(r.Context(), actor, r.PathValue("id"), in)
		if err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "no-store")
		return reply(w, s, nil)
	})
	a.handle(http.MethodPost, "/webhooks/{id}/test", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		d, err := wh.SendTest(r.Context(), actor, r.PathValue("id"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusAccepted, d)
		return nil
	})
	a.handle(http.MethodGet, "/webhooks/{id}/deliveries", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		page, sort, err := listParams(r, webhooks.DeliveryOrder)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		list, err := wh.Deliveries(r.Context(), actor, r.PathValue("id"), webhooks.DeliveryFilter{
			Status: webhooks.DeliveryStatus(q.Get("status")), EventID: q.Get("event_id"), Sort: sort, Page: page})
		if err != nil {
			return err
		}
		return writeList(w, page, list)
	})
	a.handle(http.MethodGet, "/webhook-deliveries/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		d, err := wh.Delivery(r.Context(), actor, r.PathValue("id"))
		return reply(w, d, err)
	})
	a.handle(http.MethodPost, "/webhook-deliveries/{id}/redeliver", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		d, err := wh.Redeliver(r.Context(), actor, r.PathValue("id"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusAccepted, d)
		return nil
	})
}
