//go:build !js

package api

import (
	"net/http"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/listings"
)

func (a *API) listingRoutes() {
	l := a.cfg.Listings
	a.handle(http.MethodGet, "/products", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		page, sort, err := listParams(r, listings.ProductOrder)
		if err != nil {
			return err
		}
		list, err := l.ListProducts(r.Context(), actor, listings.ProductFilter{VendorID: r.URL.Query().Get("vendor_id"),
			Sort: sort, Page: page})
		if err != nil {
			return err
		}
		return writeList(w, page, list)
	})
	a.handle(http.MethodPost, "/products", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in listings.ProductInput
		if err := decode(r, &in); err != nil {
			return err
		}
		p, err := l.CreateProduct(r.Context(), actor, in)
		if err != nil {
			return err
		}
		return created(w, p)
	})
	a.handle(http.MethodGet, "/products/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		p, err := l.GetProduct(r.Context(), actor, r.PathValue("id"))
		return reply(w, p, err)
	})
	a.handle(http.MethodPatch, "/products/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in listings.UpdateProductInput
		if err := decode(r, &in); err != nil {
			return err
		}
		p, err := l.UpdateProduct(r.Context(), actor, r.PathValue("id"), in)
		return reply(w, p, err)
	})
	a.handle(http.MethodDelete, "/products/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		if err := l.DeleteProduct(r.Context(), actor, r.PathValue("id")); err != nil {
			return err
		}
		return noContent(w)
	})
	a.handle(http.MethodGet, "/products/{id}/offer-plans", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		set, err := l.OfferPlans(r.Context(), actor, r.PathValue("id"), r.URL.Query().Get("tenant_id"))
		return reply(w, set, err)
	})

	a.handle(http.MethodGet, "/listings", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		page, sort, err := listParams(r, listings.ListingOrder)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		list, err := l.ListListings(r.Context(), actor, listings.ListingFilter{VendorID: q.Get("vendor_id"),
			ProductID: q.Get("product_id"), MarketplaceID: q.Get("marketplace_id"), Sort: sort, Page: page})
		if err != nil {
			return err
		}
		return writeList(w, page, list)
	})
	a.handle(http.MethodPost, "/listings", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in listings.ListingInput
		if err := decode(r, &in); err != nil {
			return err
		}
		li, err := l.CreateListing(r.Context(), actor, in)
		if err != nil {
			return err
		}
		return created(w, li)
	})
	a.handle(http.MethodDelete, "/listings/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		if err := l.RemoveListing(r.Context(), actor, r.PathValue("id")); err != nil {
			return err
		}
		return noContent(w)
	})
}
