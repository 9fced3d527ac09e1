//go:build !js

package api

import (
	"context"
	"net/http"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/validate"
	"github.com/partnerkit/partnerkit/resellers"
)

// ResourcesInput is the body of PATCH /subscriptions/{id}/resources.
type ResourcesInput struct {
	Resources []resellers.AmountInput `json:"resources"`
}

func (a *API) resellerRoutes() {
	rs := a.cfg.Resellers
	a.handle(http.MethodGet, "/catalog/services", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		page, sort, err := listParams(r, resellers.ServiceOrder)
		if err != nil {
			return err
		}
		list, err := rs.ProvidedServices(r.Context(), actor, resellers.ServiceFilter{Sort: sort, Page: page})
		if err != nil {
			return err
		}
		return writeList(w, page, list)
	})
	a.handle(http.MethodPost, "/catalog/services", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in resellers.ServiceInput
		if err := decode(r, &in); err != nil {
			return err
		}
		svc, err := rs.CreateService(r.Context(), actor, in)
		if err != nil {
			return err
		}
		return created(w, svc)
	})
	a.handle(http.MethodGet, "/catalog/services/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		svc, err := rs.CatalogService(r.Context(), actor, r.PathValue("id"))
		return reply(w, svc, err)
	})
	a.handle(http.MethodPatch, "/catalog/services/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in resellers.ServiceInput
		if err := decode(r, &in); err != nil {
			return err
		}
		svc, err := rs.UpdateService(r.Context(), actor, r.PathValue("id"), in)
		return reply(w, svc, err)
	})
	a.handle(http.MethodGet, "/catalog", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		page, sort, err := listParams(r, resellers.ServiceOrder)
		if err != nil {
			return err
		}
		list, err := rs.Catalog(r.Context(), actor, resellers.ServiceFilter{Sort: sort, Page: page})
		if err != nil {
			return err
		}
		return writeList(w, page, list)
	})

	a.handle(http.MethodGet, "/clients", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		page, sort, err := listParams(r, resellers.ClientOrder)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		list, err := rs.Clients(r.Context(), actor, resellers.ClientFilter{PartnerID: q.Get("partner_id"),
			Status: resellers.ClientStatus(q.Get("status")), Q: q.Get("q"), Sort: sort, Page: page})
		if err != nil {
			return err
		}
		return writeList(w, page, list)
	})
	a.handle(http.MethodPost, "/clients", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in resellers.ClientInput
		if err := decode(r, &in); err != nil {
			return err
		}
		c, err := rs.CreateClient(r.Context(), actor, in)
		if err != nil {
			return err
		}
		return created(w, c)
	})
	a.handle(http.MethodGet, "/clients/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		c, err := rs.Client(r.Context(), actor, r.PathValue("id"))
		return reply(w, c, err)
	})
	a.handle(http.MethodPatch, "/clients/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in resellers.ClientUpdate
		if err := decode(r, &in); err != nil {
			return err
		}
		c, err := rs.UpdateClient(r.Context(), actor, r.PathValue("id"), in)
		return reply(w, c, err)
	})

	a.handle(http.MethodGet, "/subscriptions", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		page, sort, err := listParams(r, resellers.SubscriptionOrder)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		list, err := rs.Subscriptions(r.Context(), actor, resellers.SubscriptionFilter{PartnerID: q.Get("partner_id"),
			ClientID: q.Get("client_id"), ServiceID: q.Get("service_id"), Status: resellers.Status(q.Get("status")), Sort: sort, Page: page})
		if err != nil {
			return err
		}
		return writeList(w, page, list)
	})
	a.handle(http.MethodPost, "/subscriptions", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in resellers.OrderInput
		if err := decode(r, &in); err != nil {
			return err
		}
		sub, err := rs.Order(r.Context(), actor, in)
		if err != nil {
			return err
		}
		return created(w, sub)
	})
	a.handle(http.MethodGet, "/subscriptions/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		sub, err := rs.Subscription(r.Context(), actor, r.PathValue("id"))
		return reply(w, sub, err)
	})
	a.handle(http.MethodPatch, "/subscriptions/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in resellers.SubscriptionUpdate
		if err := decode(r, &in); err != nil {
			return err
		}
		sub, err := rs.UpdateSubscription(r.Context(), actor, r.PathValue("id"), in)
		return reply(w, sub, err)
	})
	a.handle(http.MethodGet, "/subscriptions/{id}/history", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		evs, err := rs.History(r.Context(), actor, r.PathValue("id"))
		if err != nil {
			return err
		}
		return writeWhole(w, r, evs, subscriptionEventOrder)
	})
	move := func(fn func(ctx context.Context, actor partnerkit.Actor, id string) (*resellers.Subscription, error)) handler {
		return func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
			sub, err := fn(r.Context(), actor, r.PathValue("id"))
			return reply(w, sub, err)
		}
	}
	a.handle(http.MethodPost, "/subscriptions/{id}/stop", move(rs.Stop))
	a.handle(http.MethodPost, "/subscriptions/{id}/activate", move(rs.Activate))
	a.handle(http.MethodPost, "/subscriptions/{id}/renew", move(rs.Renew))
	a.handle(http.MethodPatch, "/subscriptions/{id}/resources", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in ResourcesInput
		if err := decode(r, &in); err != nil {
			return err
		}
		sub, err := rs.ChangeResources(r.Context(), actor, r.PathValue("id"), in.Resources)
		return reply(w, sub, err)
	})

	a.handle(http.MethodGet, "/charges", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		page, sort, err := listParams(r, resellers.ChargeListOrder)
		f, ferr := chargeFilter(r)
		if err := validate.All(err, ferr); err != nil {
			return err
		}
		f.Page, f.Sort = page, sort
		list, err := rs.Charges(r.Context(), actor, f)
		if err != nil {
			return err
		}
		return writeList(w, page, list)
	})
	a.handle(http.MethodGet, "/charges.csv", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		f, err := chargeFilter(r)
		if err != nil {
			return err
		}
		return a.chargesCSV(w, r, actor, f)
	})
	a.handle(http.MethodGet, "/analytics", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		return a.analytics(w, r, actor, wantsCSV(r))
	})
	a.handle(http.MethodGet, "/analytics.csv", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		return a.analytics(w, r, actor, true)
	})
}

// dateRange parses the from and to query parameters (YYYY-MM-DD).
func dateRange(r *http.Request) (from, to time.Time, err error) {
	q := r.URL.Query()
	for _, d := range []struct {
		name string
		dst  *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := q.Get(d.name); v != "" {
			t, perr := time.Parse(time.DateOnly, v)
			if perr != nil {
				return from, to, partnerkit.FieldError(d.name, "must be a date like 2026-01-31")
			}
			*d.dst = t
		}
	}
	return from, to, nil
}

// chargeFilter reads the filters of GET /charges and /charges.csv.
func chargeFilter(r *http.Request) (resellers.ChargeFilter, error) {
	q := r.URL.Query()
	f := resellers.ChargeFilter{PartnerID: q.Get("partner_id"), SubscriptionID: q.Get("subscription_id"),
		ClientID: q.Get("client_id")}
	var err error
	if f.From, f.To, err = dateRange(r); err != nil {
		return f, err
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // "to" is an included day
	}
	return f, nil
}

// chargesCSV streams every charge the filter selects, a page at a time.
func (a *API) chargesCSV(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor, f resellers.ChargeFilter) error {
	rs := a.cfg.Resellers
	f.Page = partnerkit.Page{Limit: partnerkit.MaxLimit}
	page, err := rs.Charges(r.Context(), actor, f)
	if err != nil {
		return err
	}
	startCSV(w, "charges.csv")
	cw, err := resellers.NewChargesCSV(w)
	if err != nil {
		return nil
	}
	for {
		if cw.Write(page.Items) != nil {
			return nil
		}
		f.Offset += len(page.Items)
		if len(page.Items) == 0 || f.Offset >= page.Total {
			break
		}
		if page, err = rs.Charges(r.Context(), actor, f); err != nil {
			break // the header is out: end the stream
		}
	}
	_ = cw.Flush()
	return nil
}

func (a *API) analytics(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor, csv bool) error {
	q := r.URL.Query()
	aq := resellers.AnalyticsQuery{PartnerID: q.Get("partner_id"), By: resellers.GroupBy(q.Get("by")),
		Granularity: resellers.Granularity(q.Get("granularity")), Currency: q.Get("currency")}
	var err error
	if aq.From, aq.To, err = dateRange(r); err != nil {
		return err
	}
	rep, err := a.cfg.Resellers.Analytics(r.Context(), actor, aq)
	if err != nil {
		return err
	}
	if csv {
		startCSV(w, "analytics.csv")
		_ = resellers.WriteAnalyticsCSV(w, rep)
		return nil
	}
	return ok(w, rep)
}
