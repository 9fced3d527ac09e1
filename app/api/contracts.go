//go:build !js

package api

import (
	"context"
	"mime"
	"net/http"
	"strconv"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/contracts"
)

func (a *API) contractRoutes() {
	ag, c := a.cfg.Agreements, a.cfg.Contracts
	a.handle(http.MethodPost, "/onboarding", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in contracts.OnboardingInput
		if err := decode(r, &in); err != nil {
			return err
		}
		res, err := c.Onboard(r.Context(), actor, in)
		if err != nil {
			return err
		}
		return created(w, res)
	})
	a.handle(http.MethodGet, "/invitations", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		page, sort, err := listParams(r, contracts.InvitationOrder)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		list, err := c.Invitations(r.Context(), actor, contracts.InvitationFilter{PartnerID: q.Get("partner_id"),
			Status: contracts.InvitationStatus(q.Get("status")), Sort: sort, Page: page})
		if err != nil {
			return err
		}
		return writeList(w, page, list)
	})
	a.handle(http.MethodPost, "/invitations/{id}/resend", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in contracts.ResendInput
		if err := decodeOptional(r, &in); err != nil {
			return err
		}
		res, err := c.ResendInvitation(r.Context(), actor, r.PathValue("id"), in)
		return reply(w, res, err)
	})
	a.handle(http.MethodPost, "/invitations/{id}/revoke", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		inv, err := c.RevokeInvitation(r.Context(), actor, r.PathValue("id"))
		return reply(w, inv, err)
	})
	a.public(http.MethodGet, "/invitations/{token}", func(w http.ResponseWriter, r *http.Request) error {
		rev, err := c.ReviewInvitation(r.Context(), r.PathValue("token"))
		return reply(w, rev, err)
	})
	a.public(http.MethodGet, "/invitations/{token}/document", func(w http.ResponseWriter, r *http.Request) error {
		v, content, err := c.InvitationDocument(r.Context(), r.PathValue("token"))
		if err != nil {
			return err
		}
		return writeDocument(w, v, content)
	})
	a.public(http.MethodPost, "/invitations/{token}/activate", func(w http.ResponseWriter, r *http.Request) error {
		var in contracts.ActivationInput
		if err := decode(r, &in); err != nil {
			return err
		}
		res, err := c.ActivateInvitation(r.Context(), r.PathValue("token"), in)
		if err != nil {
			return err
		}
		return created(w, res)
	})

	a.handle(http.MethodGet, "/agreements", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		page, sort, err := listParams(r, agreements.ListOrder)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		list, err := ag.List(r.Context(), actor, agreements.ListFilter{OwnerID: q.Get("owner_id"),
			Type: agreements.Type(q.Get("type")), Q: q.Get("q"), Sort: sort, Page: page})
		if err != nil {
			return err
		}
		return writeList(w, page, list)
	})
	a.handle(http.MethodPost, "/agreements", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in agreements.CreateInput
		if err := decode(r, &in); err != nil {
			return err
		}
		agr, err := ag.Create(r.Context(), actor, in)
		if err != nil {
			return err
		}
		return created(w, agr)
	})
	a.handle(http.MethodGet, "/agreements/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		agr, err := ag.Get(r.Context(), actor, r.PathValue("id"))
		return reply(w, agr, err)
	})
	a.handle(http.MethodPatch, "/agreements/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in agreements.UpdateInput
		if err := decode(r, &in); err != nil {
			return err
		}
		agr, err := ag.Update(r.Context(), actor, r.PathValue("id"), in)
		return reply(w, agr, err)
	})
	a.handle(http.MethodGet, "/agreements/{id}/versions", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		vs, err := ag.Versions(r.Context(), actor, r.PathValue("id"))
		if err != nil {
			return err
		}
		return writeWhole(w, r, vs, versionOrder)
	})
	a.handle(http.MethodPost, "/agreements/{id}/versions", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in agreements.DocumentInput
		if err := decode(r, &in); err != nil {
			return err
		}
		v, err := ag.Publish(r.Context(), actor, r.PathValue("id"), in)
		if err != nil {
			return err
		}
		return created(w, v)
	})
	a.handle(http.MethodGet, "/agreements/{id}/versions/{n}/document", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil {
			return partnerkit.NotFound("agreement version", r.PathValue("n"))
		}
		v, content, err := ag.Document(r.Context(), actor, r.PathValue("id"), n)
		if err != nil {
			return err
		}
		return writeDocument(w, v, content)
	})
	a.handle(http.MethodDelete, "/agreements/{id}/versions/{n}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil {
			return partnerkit.NotFound("agreement version", r.PathValue("n"))
		}
		if err := ag.DeleteVersion(r.Context(), actor, r.PathValue("id"), n); err != nil {
			return err
		}
		return noContent(w)
	})

	a.handle(http.MethodGet, "/marketplaces", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		ms, err := c.Marketplaces(r.Context(), actor)
		if err != nil {
			return err
		}
		return writeWhole(w, r, ms, marketplaceOrder)
	})
	a.handle(http.MethodPost, "/marketplaces", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in contracts.MarketplaceInput
		if err := decode(r, &in); err != nil {
			return err
		}
		m, err := c.CreateMarketplace(r.Context(), actor, in)
		if err != nil {
			return err
		}
		return created(w, m)
	})

	a.handle(http.MethodGet, "/contracts", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		page, sort, err := listParams(r, contracts.ListOrder)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		list, err := c.List(r.Context(), actor, contracts.ListFilter{AccountID: q.Get("account_id"), PartnerID: q.Get("partner_id"),
			AgreementID: q.Get("agreement_id"), Status: contracts.Status(q.Get("status")), Sort: sort, Page: page})
		if err != nil {
			return err
		}
		return writeList(w, page, list)
	})
	a.handle(http.MethodPost, "/contracts", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in contracts.CreateInput
		if err := decode(r, &in); err != nil {
			return err
		}
		con, err := c.Create(r.Context(), actor, in)
		if err != nil {
			return err
		}
		return created(w, con)
	})
	a.handle(http.MethodGet, "/contracts/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		con, err := c.Get(r.Context(), actor, r.PathValue("id"))
		return reply(w, con, err)
	})
	a.handle(http.MethodGet, "/contracts/{id}/events", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		es, err := c.Events(r.Context(), actor, r.PathValue("id"))
		if err != nil {
			return err
		}
		return writeWhole(w, r, es, contractEventOrder)
	})
	a.handle(http.MethodGet, "/contracts/{id}/document", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		v, content, err := c.Document(r.Context(), actor, r.PathValue("id"))
		if err != nil {
			return err
		}
		return writeDocument(w, v, content)
	})
	for _, act := range []struct {
		name string
		fn   func(context.Context, partnerkit.Actor, string) (*contracts.Contract, error)
	}{{"sign", c.Sign}, {"activate", c.Activate}, {"reject", c.Reject}, {"terminate", c.Terminate}, {"resign", c.SignUpdate}} {
		a.handle(http.MethodPost, "/contracts/{id}/"+act.name, func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
			con, err := act.fn(r.Context(), actor, r.PathValue("id"))
			return reply(w, con, err)
		})
	}
}

// writeDocument sends a version's document: the file's bytes with its
// media type, or the document's description as JSON for a URL or none.
func writeDocument(w http.ResponseWriter, v *agreements.Version, content []byte) error {
	if v.Document.Kind != agreements.DocumentFile {
		return ok(w, v)
	}
	// Only PDF and plain text open in the browser; anything else (Markdown)
	// downloads.
	disposition := "attachment"
	if mt, _, _ := mime.ParseMediaType(v.Document.MediaType); mt == "application/pdf" || mt == "text/plain" {
		disposition = "inline"
	}
	w.Header().Set("Content-Type", v.Document.MediaType)
	w.Header().Set("Content-Disposition", contentDisposition(disposition, v.Document.FileName))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox")
	_, _ = w.Write(content)
	return nil
}
