//go:build !js

package api

import (
	"fmt"
	"net/http"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/internal/csvx"
	"github.com/partnerkit/partnerkit/listings"
	"github.com/partnerkit/partnerkit/partners"
)

// PartnersBatch is the body of POST /partners/batch: up to
// partners.MaxPartnerBatch partners, created all or nothing.
type PartnersBatch struct {
	Partners []partners.CreatePartnerInput `json:"partners"`
}

// PartnersCreated is the answer of POST /partners/batch: the partners in
// the order given.
type PartnersCreated struct {
	Items []partners.Account `json:"items"`
	Total int                `json:"total"`
}

// DirectoryRow documents one row of GET /partners: a partner and the
// directory's figures, which the domains that own them contribute
// (contracts.CountSignedContracts, contracts.CountAgreements,
// listings.CountListings); TestDirectoryRowNames keeps the names in step.
type DirectoryRow struct {
	partners.Account
	// SignedContracts counts the partner's signed or active contracts.
	SignedContracts int `json:"signed_contracts"`
	// Agreements counts the distinct agreements it has contracts for.
	Agreements int `json:"agreements"`
	// Listings counts its product listings.
	Listings int `json:"listings"`
}

// ContactsInput is the body of PUT /partners/{id}/contacts.
type ContactsInput struct {
	BusinessContact  *partners.Contact `json:"business_contact"`
	TechnicalContact *partners.Contact `json:"technical_contact"`
}

func (a *API) partnerRoutes() {
	p := a.cfg.Partners
	a.handle(http.MethodGet, "/partners", a.listPartners)
	a.handle(http.MethodPost, "/partners", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in partners.CreatePartnerInput
		if err := decode(r, &in); err != nil {
			return err
		}
		acc, err := p.CreatePartner(r.Context(), actor, in)
		if err != nil {
			return err
		}
		return created(w, acc)
	})
	a.handle(http.MethodPost, "/partners/batch", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in PartnersBatch
		if err := decode(r, &in); err != nil {
			return err
		}
		created, err := p.CreatePartners(r.Context(), actor, in.Partners)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Range", fmt.Sprintf("items 0-%d/%d", len(created)-1, len(created)))
		out := PartnersCreated{Items: make([]partners.Account, len(created)), Total: len(created)}
		for i, acc := range created {
			out.Items[i] = *acc
		}
		writeJSON(w, http.StatusCreated, out)
		return nil
	})
	a.handle(http.MethodGet, "/partners/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		acc, err := p.GetPartner(r.Context(), actor, r.PathValue("id"))
		return reply(w, acc, err)
	})
	a.handle(http.MethodPatch, "/partners/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in partners.UpdatePartnerInput
		if err := decode(r, &in); err != nil {
			return err
		}
		acc, err := p.UpdatePartner(r.Context(), actor, r.PathValue("id"), in)
		return reply(w, acc, err)
	})
	a.handle(http.MethodDelete, "/partners/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		if err := p.DeletePartner(r.Context(), actor, r.PathValue("id")); err != nil {
			return err
		}
		return noContent(w)
	})
	a.handle(http.MethodPost, "/partners/{id}/suspend", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		acc, err := p.SuspendPartner(r.Context(), actor, r.PathValue("id"))
		return reply(w, acc, err)
	})
	a.handle(http.MethodPost, "/partners/{id}/reactivate", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		acc, err := p.ReactivatePartner(r.Context(), actor, r.PathValue("id"))
		return reply(w, acc, err)
	})
	a.handle(http.MethodGet, "/partners/{id}/contacts", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		acc, err := p.GetPartner(r.Context(), actor, r.PathValue("id"))
		if err != nil {
			return err
		}
		return ok(w, ContactsInput{BusinessContact: &acc.BusinessContact, TechnicalContact: &acc.TechnicalContact})
	})
	a.handle(http.MethodPut, "/partners/{id}/contacts", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in ContactsInput
		if err := decode(r, &in); err != nil {
			return err
		}
		acc, err := p.UpdatePartner(r.Context(), actor, r.PathValue("id"),
			partners.UpdatePartnerInput{BusinessContact: in.BusinessContact, TechnicalContact: in.TechnicalContact})
		if err != nil {
			return err
		}
		return ok(w, ContactsInput{BusinessContact: &acc.BusinessContact, TechnicalContact: &acc.TechnicalContact})
	})
	a.handle(http.MethodGet, "/partners/{id}/users", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		ms, err := p.Members(r.Context(), actor, r.PathValue("id"))
		if err != nil {
			return err
		}
		return writeWhole(w, r, ms, memberOrder)
	})
}

// directoryFilter reads the directory's query parameters.
func directoryFilter(r *http.Request) (partners.DirectoryFilter, error) {
	q := r.URL.Query()
	page, sort, err := listParams(r, partners.DirectoryOrder)
	skip := false
	switch q.Get("total") {
	case "", "true":
	case "false":
		skip = true
	default:
		return partners.DirectoryFilter{}, partnerkit.FieldError("total", "must be true or false")
	}
	return partners.DirectoryFilter{SkipTotal: skip,
		ManagerID: q.Get("manager_id"), Q: q.Get("q"), Type: partners.AccountType(q.Get("type")),
		Status: partners.Status(q.Get("status")), Sort: sort, Page: page,
	}, err
}

func (a *API) listPartners(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
	f, err := directoryFilter(r)
	if err != nil {
		return err
	}
	if wantsCSV(r) {
		return a.partnersCSV(w, r, actor, f)
	}
	list, err := a.cfg.Partners.Directory(r.Context(), actor, f)
	if err != nil {
		return err
	}
	return writeList(w, f.Page, list)
}

// partnersCSV streams the whole filtered directory, a page at a time.
func (a *API) partnersCSV(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor, f partners.DirectoryFilter) error {
	f.SkipTotal = false // the stream pages by the total
	f.Page = partnerkit.Page{Limit: partnerkit.MaxLimit}
	first, err := a.cfg.Partners.Directory(r.Context(), actor, f)
	if err != nil {
		return err
	}
	startCSV(w, "partners.csv")
	cw := csvx.NewWriter(w)
	if err := cw.Write("id", "type", "name", "external_id", "status", "business_contact", "business_email",
		"technical_contact", "technical_email", contracts.CountSignedContracts, contracts.CountAgreements,
		listings.CountListings, "created_at"); err != nil {
		return nil
	}
	page := first
	for {
		for _, p := range page.Items {
			_ = cw.Write(p.ID, string(p.Type), p.Name, p.ExternalID, string(p.Status), p.BusinessContact.Name,
				p.BusinessContact.Email, p.TechnicalContact.Name, p.TechnicalContact.Email, itoa(p.Counts[contracts.CountSignedContracts]),
				itoa(p.Counts[contracts.CountAgreements]), itoa(p.Counts[listings.CountListings]), p.CreatedAt.Format("2006-01-02T15:04:05Z"))
		}
		f.Offset += len(page.Items)
		if len(page.Items) == 0 || f.Offset >= page.Total {
			break
		}
		if page, err = a.cfg.Partners.Directory(r.Context(), actor, f); err != nil {
			break // the header is out: end the stream
		}
	}
	_ = cw.Flush()
	return nil
}
