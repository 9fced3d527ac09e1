package client

import (
	"context"
	"net/url"
	"time"
)

// Calls of domain events (the catalogue and the activity feed) and of
// webhooks (endpoints, secrets, the delivery log). The wire types are in
// types.go.

// EventTypes returns the catalogue of domain event types.
// A page p, if given, picks the window and sort ("name", "entity"); by
// default the first 500.
func (c *Client) EventTypes(ctx context.Context, p ...Page) (*List[EventType], error) {
	var l List[EventType]
	err := c.call(ctx, "GET", "/event-types", wholePage(p).query(nil), nil, &l)
	return &l, err
}

// EventQuery selects events of the activity feed: of any of Types (empty:
// all), about one EntityType ("contract"), at or after Since and before
// Until (zero: unbounded). Page.Sort is "-created_at" (newest first, the
// default) or "created_at".
type EventQuery struct {
	_            noCompare
	Types        []string
	EntityType   string
	Since, Until time.Time
	Page
}

func (q EventQuery) values() url.Values {
	v := url.Values{}
	for _, t := range q.Types {
		v.Add("type", t)
	}
	if q.EntityType != "" {
		v.Set("entity_type", q.EntityType)
	}
	if !q.Since.IsZero() {
		v.Set("since", q.Since.UTC().Format(time.RFC3339Nano))
	}
	if !q.Until.IsZero() {
		v.Set("until", q.Until.UTC().Format(time.RFC3339Nano))
	}
	return q.Page.query(v)
}

// Events returns one page of the activity feed: the events of the caller's
// account and of every account it manages.
func (c *Client) Events(ctx context.Context, q EventQuery) (*List[Event], error) {
	var l List[Event]
	err := c.call(ctx, "GET", "/events", q.values(), nil, &l)
	return &l, err
}

// WebhookEndpoints lists the account's webhook endpoints (admins).
// A page p, if given, picks the window and sort ("created_at", "url"); by
// default the first 500.
func (c *Client) WebhookEndpoints(ctx context.Context, p ...Page) (*List[WebhookEndpoint], error) {
	var l List[WebhookEndpoint]
	err := c.call(ctx, "GET", "/webhooks", wholePage(p).query(nil), nil, &l)
	return &l, err
}

// CreateWebhookEndpoint registers an endpoint (admins). Its signing secret
// is in the answer only.
func (c *Client) CreateWebhookEndpoint(ctx context.Context, in NewWebhookEndpoint) (*CreatedWebhookEndpoint, error) {
	var e CreatedWebhookEndpoint
	err := c.call(ctx, "POST", "/webhooks", nil, in, &e)
	return &e, err
}

// WebhookEndpoint returns an endpoint (admins).
func (c *Client) WebhookEndpoint(ctx context.Context, id string) (*WebhookEndpoint, error) {
	var e WebhookEndpoint
	err := c.call(ctx, "GET", "/webhooks/"+url.PathEscape(id), nil, nil, &e)
	return &e, err
}

// UpdateWebhookEndpoint changes an endpoint's URL, description, event
// types or enabled flag (admins).
func (c *Client) UpdateWebhookEndpoint(ctx context.Context, id string, in WebhookEndpointChanges) (*WebhookEndpoint, error) {
	var e WebhookEndpoint
	err := c.call(ctx, "PATCH", "/webhooks/"+url.PathEscape(id), nil, in, &e)
	return &e, err
}

// DeleteWebhookEndpoint deletes an endpoint and its delivery log (admins).
func (c *Client) DeleteWebhookEndpoint(ctx context.Context, id string) error {
	return c.call(ctx, "DELETE", "/webhooks/"+url.PathEscape(id), nil, nil, nil)
}

// RotateWebhookSecret gives an endpoint a new signing secret, in the
// answer only; the previous one keeps signing for the overlap (admins).
func (c *Client) RotateWebhookSecret(ctx context.Context, id string, in WebhookSecretRotation) (*RotatedWebhookSecret, error) {
	var s RotatedWebhookSecret
	err := c.call(ctx, "POST", "/webhooks/"+url.PathEscape(id)+"/rotate-secret", nil, in, &s)
	return &s, err
}

// SendTestWebhook sends a webhook.test event to the endpoint now and
// returns its delivery, pending until the attempt is made (admins).
func (c *Client) SendTestWebhook(ctx context.Context, id string) (*WebhookDelivery, error) {
	var d WebhookDelivery
	err := c.call(ctx, "POST", "/webhooks/"+url.PathEscape(id)+"/test", nil, nil, &d)
	return &d, err
}

// WebhookDeliveryQuery selects an endpoint's deliveries: Status is pending,
// succeeded or failed ("" all); EventID keeps one event's.
type WebhookDeliveryQuery struct {
	_               noCompare
	Status, EventID string
	Page
}

// WebhookDeliveries returns one page of an endpoint's delivery log, newest
// first (admins).
func (c *Client) WebhookDeliveries(ctx context.Context, endpointID string, q WebhookDeliveryQuery) (*List[WebhookDelivery], error) {
	v := url.Values{}
	for k, s := range map[string]string{"status": q.Status, "event_id": q.EventID} {
		if s != "" {
			v.Set(k, s)
		}
	}
	var l List[WebhookDelivery]
	err := c.call(ctx, "GET", "/webhooks/"+url.PathEscape(endpointID)+"/deliveries", q.Page.query(v), nil, &l)
	return &l, err
}

// WebhookDelivery returns a delivery with every attempt (admins).
func (c *Client) WebhookDelivery(ctx context.Context, id string) (*WebhookDeliveryDetail, error) {
	var d WebhookDeliveryDetail
	err := c.call(ctx, "GET", "/webhook-deliveries/"+url.PathEscape(id), nil, nil, &d)
	return &d, err
}

// RedeliverWebhook sends a delivery again now (admins).
func (c *Client) RedeliverWebhook(ctx context.Context, deliveryID string) (*WebhookDelivery, error) {
	var d WebhookDelivery
	err := c.call(ctx, "POST", "/webhook-deliveries/"+url.PathEscape(deliveryID)+"/redeliver", nil, nil, &d)
	return &d, err
}
