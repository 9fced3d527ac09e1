package client

import (
	"context"
	"net/url"
	"time"
)

// Wire types and calls of the Reseller Store. Decimals are strings.

// CatalogPlanResource is a priced resource of a catalog plan.
type CatalogPlanResource struct {
	_         noCompare
	Name      string `json:"name"`
	Unit      string `json:"unit"`
	UnitPrice string `json:"unit_price"`
	Min       string `json:"min"`
	// Max is "0" for no limit.
	Max string `json:"max"`
}

// CatalogPlan is one way to buy a catalog service.
type CatalogPlan struct {
	_                 noCompare
	ID                string                `json:"id,omitempty"`
	Name              string                `json:"name"`
	BillingPeriod     string                `json:"billing_period"`
	TrialDays         int                   `json:"trial_days"`
	DecreaseAtRenewal bool                  `json:"decrease_at_renewal"`
	AutoRenew         bool                  `json:"auto_renew"`
	Resources         []CatalogPlanResource `json:"resources"`
}

// CatalogService is a service of the Reseller Store catalog.
type CatalogService struct {
	_           noCompare
	ID          string        `json:"id"`
	ProviderID  string        `json:"provider_id"`
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Currency    string        `json:"currency"`
	Plans       []CatalogPlan `json:"plans"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
	Version     int           `json:"version"`
}

// NewCatalogService creates or replaces a catalog service.
type NewCatalogService struct {
	_           noCompare
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Currency    string        `json:"currency,omitempty"`
	Plans       []CatalogPlan `json:"plans"`
	Version     int           `json:"version,omitempty"`
}

// ResellerClient is a reseller's customer.
type ResellerClient struct {
	_         noCompare
	ID        string    `json:"id"`
	PartnerID string    `json:"partner_id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version"`
}

// NewResellerClient creates a client.
type NewResellerClient struct {
	_     noCompare
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
}

// ResourceAmount is an amount of one resource of a subscription.
type ResourceAmount struct {
	_         noCompare
	Name      string `json:"name"`
	Unit      string `json:"unit,omitempty"`
	Amount    string `json:"amount"`
	UnitPrice string `json:"unit_price,omitempty"`
}

// AmountInput asks for an amount of one resource of a plan, in an order or
// a change of amounts (the plan gives its unit and price).
type AmountInput struct {
	_      noCompare
	Name   string `json:"name"`
	Amount string `json:"amount"`
}

// Subscription is a plan ordered by a reseller for one client.
type Subscription struct {
	_                 noCompare
	ID                string           `json:"id"`
	PartnerID         string           `json:"partner_id"`
	ClientID          string           `json:"client_id"`
	ServiceID         string           `json:"service_id"`
	PlanID            string           `json:"plan_id"`
	ProviderID        string           `json:"provider_id"`
	ServiceName       string           `json:"service_name"`
	PlanName          string           `json:"plan_name"`
	Currency          string           `json:"currency"`
	BillingPeriod     string           `json:"billing_period"`
	DecreaseAtRenewal bool             `json:"decrease_at_renewal"`
	AutoRenew         bool             `json:"auto_renew"`
	Status            string           `json:"status"`
	Resources         []ResourceAmount `json:"resources"`
	Scheduled         []ResourceAmount `json:"scheduled,omitempty"`
	TrialEndsAt       *time.Time       `json:"trial_ends_at,omitempty"`
	PeriodStart       time.Time        `json:"period_start"`
	PeriodEnd         time.Time        `json:"period_end"`
	CreatedAt         time.Time        `json:"created_at"`
	UpdatedAt         time.Time        `json:"updated_at"`
	Version           int              `json:"version"`
}

// SubscriptionEvent is one entry of a subscription's history.
type SubscriptionEvent struct {
	_              noCompare
	ID             string           `json:"id"`
	SubscriptionID string           `json:"subscription_id"`
	Seq            int              `json:"seq"`
	Type           string           `json:"type"`
	From           string           `json:"from,omitempty"`
	To             string           `json:"to"`
	Resources      []ResourceAmount `json:"resources"`
	Actor          string           `json:"actor"`
	At             time.Time        `json:"at"`
}

// Charge is one line billed to a reseller.
type Charge struct {
	_              noCompare
	ID             string    `json:"id"`
	PartnerID      string    `json:"partner_id"`
	ClientID       string    `json:"client_id"`
	SubscriptionID string    `json:"subscription_id"`
	ServiceID      string    `json:"service_id"`
	Kind           string    `json:"kind"`
	Resource       string    `json:"resource"`
	Unit           string    `json:"unit"`
	Quantity       string    `json:"quantity"`
	UnitPrice      string    `json:"unit_price"`
	Fraction       string    `json:"fraction"`
	Amount         string    `json:"amount"`
	Currency       string    `json:"currency"`
	PeriodStart    time.Time `json:"period_start"`
	PeriodEnd      time.Time `json:"period_end"`
	Description    string    `json:"description"`
	CreatedAt      time.Time `json:"created_at"`
}

// Order orders a subscription: give ClientID or NewClient.
type Order struct {
	_         noCompare
	ClientID  string             `json:"client_id,omitempty"`
	NewClient *NewResellerClient `json:"new_client,omitempty"`
	ServiceID string             `json:"service_id"`
	PlanID    string             `json:"plan_id"`
	Resources []AmountInput      `json:"resources"`
}

// ResourceUsage is the amount of one resource in use.
type ResourceUsage struct {
	_        noCompare
	Resource string `json:"resource"`
	Unit     string `json:"unit"`
	Amount   string `json:"amount"`
}

// AnalyticsPoint is one period of an analytics row.
type AnalyticsPoint struct {
	_             noCompare
	Period        string          `json:"period"`
	Cost          string          `json:"cost"`
	Change        string          `json:"change"`
	ChangePercent *string         `json:"change_percent"`
	Consumption   []ResourceUsage `json:"consumption"`
}

// AnalyticsRow is one client's or service's analytics.
type AnalyticsRow struct {
	_      noCompare
	ID     string           `json:"id"`
	Name   string           `json:"name"`
	Total  string           `json:"total"`
	Points []AnalyticsPoint `json:"points"`
}

// Analytics is cost and consumption over time.
type Analytics struct {
	_           noCompare
	PartnerID   string           `json:"partner_id"`
	By          string           `json:"by"`
	Granularity string           `json:"granularity"`
	From        string           `json:"from"`
	To          string           `json:"to"`
	Periods     []string         `json:"periods"`
	Totals      []AnalyticsPoint `json:"totals"`
	Rows        []AnalyticsRow   `json:"rows"`
	Total       string           `json:"total"`
	Currency    string           `json:"currency"`
	Currencies  []string         `json:"currencies"`
}

// AnalyticsQuery selects analytics: By is client or service, Granularity
// month or day, From and To dates (YYYY-MM-DD); empty means the default.
type AnalyticsQuery struct {
	_                         noCompare
	By, Granularity, From, To string
	// Currency keeps the charges in this ISO 4217 code; empty is the
	// currency of most of them.
	Currency string
}

func (q AnalyticsQuery) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"by": q.By, "granularity": q.Granularity, "from": q.From, "to": q.To,
		"currency": q.Currency} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// Catalog returns the services the caller's account may buy.
func (c *Client) Catalog(ctx context.Context, p Page) (*List[CatalogService], error) {
	var l List[CatalogService]
	err := c.call(ctx, "GET", "/catalog", p.query(nil), nil, &l)
	return &l, err
}

// ProvidedServices returns the catalog services the caller's account offers.
func (c *Client) ProvidedServices(ctx context.Context, p Page) (*List[CatalogService], error) {
	var l List[CatalogService]
	err := c.call(ctx, "GET", "/catalog/services", p.query(nil), nil, &l)
	return &l, err
}

// CreateCatalogService offers a service in the catalog.
func (c *Client) CreateCatalogService(ctx context.Context, in NewCatalogService) (*CatalogService, error) {
	var s CatalogService
	err := c.call(ctx, "POST", "/catalog/services", nil, in, &s)
	return &s, err
}

// CatalogService returns a catalog service the caller provides or may buy.
func (c *Client) CatalogService(ctx context.Context, id string) (*CatalogService, error) {
	var s CatalogService
	err := c.call(ctx, "GET", "/catalog/services/"+url.PathEscape(id), nil, nil, &s)
	return &s, err
}

// UpdateCatalogService replaces a service's name, description and plans;
// in.Version must be the stored version (0 skips the check).
func (c *Client) UpdateCatalogService(ctx context.Context, id string, in NewCatalogService) (*CatalogService, error) {
	var s CatalogService
	err := c.call(ctx, "PATCH", "/catalog/services/"+url.PathEscape(id), nil, in, &s)
	return &s, err
}

// ResellerClients returns one page of the caller's clients; q filters names.
func (c *Client) ResellerClients(ctx context.Context, q, status string, p Page) (*List[ResellerClient], error) {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if status != "" {
		v.Set("status", status)
	}
	var l List[ResellerClient]
	err := c.call(ctx, "GET", "/clients", p.query(v), nil, &l)
	return &l, err
}

// CreateResellerClient adds a client.
func (c *Client) CreateResellerClient(ctx context.Context, in NewResellerClient) (*ResellerClient, error) {
	var cl ResellerClient
	err := c.call(ctx, "POST", "/clients", nil, in, &cl)
	return &cl, err
}

// SetResellerClientStatus moves a client to active, on_hold or deleted.
func (c *Client) SetResellerClientStatus(ctx context.Context, id, status string) (*ResellerClient, error) {
	var cl ResellerClient
	err := c.call(ctx, "PATCH", "/clients/"+url.PathEscape(id), nil, map[string]string{"status": status}, &cl)
	return &cl, err
}

// Subscriptions returns one page of the caller's subscriptions, newest first.
func (c *Client) Subscriptions(ctx context.Context, status string, p Page) (*List[Subscription], error) {
	v := url.Values{}
	if status != "" {
		v.Set("status", status)
	}
	var l List[Subscription]
	err := c.call(ctx, "GET", "/subscriptions", p.query(v), nil, &l)
	return &l, err
}

// OrderSubscription orders a subscription.
func (c *Client) OrderSubscription(ctx context.Context, in Order) (*Subscription, error) {
	var s Subscription
	err := c.call(ctx, "POST", "/subscriptions", nil, in, &s)
	return &s, err
}

// MoveSubscription stops, activates or renews a subscription (action is
// stop, activate or renew).
func (c *Client) MoveSubscription(ctx context.Context, id, action string) (*Subscription, error) {
	var s Subscription
	err := c.call(ctx, "POST", "/subscriptions/"+url.PathEscape(id)+"/"+url.PathEscape(action), nil, nil, &s)
	return &s, err
}

// ChangeSubscriptionResources changes a subscription's resource amounts.
func (c *Client) ChangeSubscriptionResources(ctx context.Context, id string, amounts []AmountInput) (*Subscription, error) {
	var s Subscription
	err := c.call(ctx, "PATCH", "/subscriptions/"+url.PathEscape(id)+"/resources", nil, map[string]any{"resources": amounts}, &s)
	return &s, err
}

// SubscriptionChanges changes a subscription's settings; nil keeps one.
type SubscriptionChanges struct {
	_         noCompare
	AutoRenew *bool `json:"auto_renew,omitempty"`
	Version   int   `json:"version,omitempty"`
}

// UpdateSubscription changes a subscription's settings (auto_renew).
func (c *Client) UpdateSubscription(ctx context.Context, id string, in SubscriptionChanges) (*Subscription, error) {
	var s Subscription
	err := c.call(ctx, "PATCH", "/subscriptions/"+url.PathEscape(id), nil, in, &s)
	return &s, err
}

// SubscriptionHistory returns a subscription's history, oldest first.
// A page p, if given, picks the window and sort; by default the first 500.
func (c *Client) SubscriptionHistory(ctx context.Context, id string, p ...Page) (*List[SubscriptionEvent], error) {
	var l List[SubscriptionEvent]
	err := c.call(ctx, "GET", "/subscriptions/"+url.PathEscape(id)+"/history", wholePage(p).query(nil), nil, &l)
	return &l, err
}

// Charges returns one page of the charges billed to the caller's account.
func (c *Client) Charges(ctx context.Context, subscriptionID string, p Page) (*List[Charge], error) {
	v := url.Values{}
	if subscriptionID != "" {
		v.Set("subscription_id", subscriptionID)
	}
	var l List[Charge]
	err := c.call(ctx, "GET", "/charges", p.query(v), nil, &l)
	return &l, err
}

// Analytics returns cost and consumption analytics.
func (c *Client) Analytics(ctx context.Context, q AnalyticsQuery) (*Analytics, error) {
	var a Analytics
	err := c.call(ctx, "GET", "/analytics", q.values(), nil, &a)
	return &a, err
}

// AnalyticsCSV returns the analytics as CSV.
func (c *Client) AnalyticsCSV(ctx context.Context, q AnalyticsQuery) ([]byte, error) {
	res, err := c.raw(ctx, "/analytics.csv", q.values())
	if err != nil {
		return nil, err
	}
	return res.Body, nil
}

// AnalyticsCSVURL is the path of the CSV download, for a link.
func AnalyticsCSVURL(q AnalyticsQuery) string {
	v := q.values()
	if len(v) == 0 {
		return "/api/v1/analytics.csv"
	}
	return "/api/v1/analytics.csv?" + v.Encode()
}

// ChargeQuery selects charges for the CSV export: From and To are dates
// (YYYY-MM-DD, both included); empty means no bound.
type ChargeQuery struct {
	_                                             noCompare
	PartnerID, SubscriptionID, ClientID, From, To string
}

func (q ChargeQuery) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"partner_id": q.PartnerID, "subscription_id": q.SubscriptionID,
		"client_id": q.ClientID, "from": q.From, "to": q.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// ChargesCSV returns every charge the query selects as CSV.
func (c *Client) ChargesCSV(ctx context.Context, q ChargeQuery) ([]byte, error) {
	res, err := c.raw(ctx, "/charges.csv", q.values())
	if err != nil {
		return nil, err
	}
	return res.Body, nil
}

// ChargesCSVURL is the path of the charges CSV download, for a link.
func ChargesCSVURL(q ChargeQuery) string {
	v := q.values()
	if len(v) == 0 {
		return "/api/v1/charges.csv"
	}
	return "/api/v1/charges.csv?" + v.Encode()
}
