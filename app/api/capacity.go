//go:build !js

package api

import (
	"context"
	"net/http"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/capacity"
)

// TransferInput is the body of POST /partners/{id}/transfer.
type TransferInput struct {
	ContractID string `json:"contract_id"`
}

// UsageInput is the body of POST /usage.
type UsageInput struct {
	Samples []capacity.Sample `json:"samples"`
}

// ReasonInput is the body of a deal decision.
type ReasonInput struct {
	Reason string `json:"reason" text:"multiline"`
}

func (a *API) capacityRoutes() {
	c := a.cfg.Capacity
	a.handle(http.MethodGet, "/capacity/contracts", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		cs, err := c.Contracts(r.Context(), actor)
		if err != nil {
			return err
		}
		return writeWhole(w, r, cs, capacityContractOrder)
	})
	a.handle(http.MethodPut, "/capacity/contracts/{id}/terms", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in capacity.TermsInput
		if err := decode(r, &in); err != nil {
			return err
		}
		t, err := c.SetTerms(r.Context(), actor, r.PathValue("id"), in)
		return reply(w, t, err)
	})
	a.handle(http.MethodGet, "/capacity/contracts/{id}/overview", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		o, err := c.Overview(r.Context(), actor, r.PathValue("id"))
		return reply(w, o, err)
	})
	a.handle(http.MethodGet, "/capacity/contracts/{id}/allocations", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		o, err := c.Overview(r.Context(), actor, r.PathValue("id"))
		if err != nil {
			return err
		}
		return writeWhole(w, r, o.ByPartner, allocationOrder)
	})
	a.handle(http.MethodGet, "/partners/{id}/allocation", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		al, err := c.Allocation(r.Context(), actor, r.PathValue("id"))
		return reply(w, al, err)
	})
	a.handle(http.MethodGet, "/partners/{id}/allocations", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		as, err := c.Allocations(r.Context(), actor, r.PathValue("id"))
		if err != nil {
			return err
		}
		return writeWhole(w, r, as, partnerAllocationOrder)
	})
	a.handle(http.MethodPut, "/partners/{id}/allocation", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in capacity.AllocationInput
		if err := decode(r, &in); err != nil {
			return err
		}
		al, err := c.SetAllocation(r.Context(), actor, r.PathValue("id"), in)
		return reply(w, al, err)
	})
	a.handle(http.MethodPost, "/partners/{id}/transfer", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in TransferInput
		if err := decode(r, &in); err != nil {
			return err
		}
		al, err := c.Transfer(r.Context(), actor, r.PathValue("id"), in.ContractID)
		return reply(w, al, err)
	})

	a.handle(http.MethodGet, "/storage-accounts", a.listStorageAccounts)
	a.handle(http.MethodPost, "/storage-accounts", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in capacity.StorageAccountInput
		if err := decode(r, &in); err != nil {
			return err
		}
		sa, err := c.CreateStorageAccount(r.Context(), actor, in)
		if err != nil {
			return err
		}
		return created(w, sa)
	})
	a.handle(http.MethodGet, "/storage-accounts/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		sa, err := c.StorageAccount(r.Context(), actor, r.PathValue("id"))
		return reply(w, sa, err)
	})
	a.handle(http.MethodPatch, "/storage-accounts/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in capacity.StorageAccountUpdate
		if err := decode(r, &in); err != nil {
			return err
		}
		sa, err := c.UpdateStorageAccount(r.Context(), actor, r.PathValue("id"), in)
		return reply(w, sa, err)
	})
	a.handle(http.MethodDelete, "/storage-accounts/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		sa, err := c.DeleteStorageAccount(r.Context(), actor, r.PathValue("id"))
		return reply(w, sa, err)
	})
	a.handle(http.MethodPost, "/storage-accounts/{id}/cancel-deletion", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		sa, err := c.CancelDeletion(r.Context(), actor, r.PathValue("id"))
		return reply(w, sa, err)
	})

	a.handle(http.MethodPost, "/usage", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in UsageInput
		if err := decode(r, &in); err != nil {
			return err
		}
		res, err := c.IngestUsage(r.Context(), actor, in.Samples)
		return reply(w, res, err)
	})
	a.handle(http.MethodGet, "/usage/reports", a.usageReport)

	a.handle(http.MethodGet, "/deals", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		page, sort, err := listParams(r, capacity.DealOrder)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		list, err := c.Deals(r.Context(), actor, capacity.DealFilter{AccountID: q.Get("account_id"),
			Status: capacity.DealStatus(q.Get("status")), Sort: sort, Page: page})
		if err != nil {
			return err
		}
		return writeList(w, page, list)
	})
	a.handle(http.MethodPost, "/deals", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in capacity.DealInput
		if err := decode(r, &in); err != nil {
			return err
		}
		d, err := c.RegisterDeal(r.Context(), actor, in)
		if err != nil {
			return err
		}
		return created(w, d)
	})
	a.handle(http.MethodGet, "/deals/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		d, err := c.Deal(r.Context(), actor, r.PathValue("id"))
		return reply(w, d, err)
	})
	decide := func(fn func(ctx context.Context, actor partnerkit.Actor, id, reason string) (*capacity.Deal, error)) handler {
		return func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
			var in ReasonInput
			if r.ContentLength != 0 {
				if err := decode(r, &in); err != nil {
					return err
				}
			}
			d, err := fn(r.Context(), actor, r.PathValue("id"), in.Reason)
			return reply(w, d, err)
		}
	}
	a.handle(http.MethodPost, "/deals/{id}/approve", decide(c.ApproveDeal))
	a.handle(http.MethodPost, "/deals/{id}/reject", decide(c.RejectDeal))
	a.handle(http.MethodPost, "/deals/{id}/won", decide(func(ctx context.Context, actor partnerkit.Actor, id, _ string) (*capacity.Deal, error) {
		return c.CloseDeal(ctx, actor, id, true)
	}))
	a.handle(http.MethodPost, "/deals/{id}/lost", decide(func(ctx context.Context, actor partnerkit.Actor, id, _ string) (*capacity.Deal, error) {
		return c.CloseDeal(ctx, actor, id, false)
	}))
}

func (a *API) listStorageAccounts(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
	page, sort, err := listParams(r, capacity.StorageOrder)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := capacity.StorageFilter{PartnerID: q.Get("partner_id"), Status: capacity.StorageStatus(q.Get("status")), Q: q.Get("q"),
		Sort: sort, Page: page}
	if !wantsCSV(r) {
		list, err := a.cfg.Capacity.StorageAccounts(r.Context(), actor, f)
		if err != nil {
			return err
		}
		return writeList(w, page, list)
	}
	f.Page = partnerkit.Page{Limit: partnerkit.MaxLimit}
	list, err := a.cfg.Capacity.StorageAccounts(r.Context(), actor, f)
	if err != nil {
		return err
	}
	startCSV(w, "storage-accounts.csv")
	i := 0
	_ = capacity.WriteStorageAccountsCSV(w, func() (capacity.StorageAccount, bool) {
		if i == len(list.Items) && f.Offset+i < list.Total {
			f.Offset += i
			next, err := a.cfg.Capacity.StorageAccounts(r.Context(), actor, f)
			if err != nil {
				return capacity.StorageAccount{}, false
			}
			list, i = next, 0
		}
		if i >= len(list.Items) {
			return capacity.StorageAccount{}, false
		}
		i++
		return list.Items[i-1], true
	})
	return nil
}

func (a *API) usageReport(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
	q := r.URL.Query()
	rq := capacity.ReportQuery{PartnerID: q.Get("partner_id"), ContractID: q.Get("contract_id"),
		Granularity: capacity.Granularity(q.Get("granularity"))}
	for _, d := range []struct {
		name string
		dst  *time.Time
	}{{"from", &rq.From}, {"to", &rq.To}} {
		if v := q.Get(d.name); v != "" {
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				return partnerkit.FieldError(d.name, "must be a date like 2026-01-31")
			}
			*d.dst = t
		}
	}
	rep, err := a.cfg.Capacity.UsageReport(r.Context(), actor, rq)
	if err != nil {
		return err
	}
	if wantsCSV(r) {
		startCSV(w, "usage-report.csv")
		_ = capacity.WriteReportCSV(w, rep)
		return nil
	}
	return ok(w, rep)
}
