package ui

import (
	"cmp"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
)

// itemTypes are the item types a product offers, with their labels.
var itemTypes = []struct{ value, label string }{
	{"reservation", "Reservation"},
	{"pay_as_you_go", "Pay as you go"},
}

// itemTypeLabel is an item type as the page shows it.
func itemTypeLabel(t string) string {
	for _, it := range itemTypes {
		if it.value == t {
			return it.label
		}
	}
	return t
}

// productsPage lists a vendor's products and listings: create a product
// with its items, list it on a marketplace (which needs an active
// distribution contract: the API's conflict shows as it is), and view its
// Microsoft commercial marketplace offer plans for a tenant.
type productsPage struct {
	app.Compo
	mounted
	vendors      []client.DirectoryEntry
	marketplaces []client.Marketplace
	vendorID     string
	products     *client.List[client.Product]
	listings     *client.List[client.Listing]
	err          error

	name, description string
	items             []client.ProductItem
	formErr           error

	marketplaceID string
	listingErr    error

	selected *client.Product
	tenantID string
	plans    *client.OfferPlanSet
	plansErr error
}

func (c *productsPage) OnMount(ctx app.Context) {
	if api == nil { // prerendering on the server: the browser loads the data
		return
	}
	c.keep(ctx)
	c.items = []client.ProductItem{{Type: "reservation"}}
	c.loadVendors(ctx)
}

// loadVendors loads the vendors the account manages and its marketplaces,
// then the first vendor's products.
func (c *productsPage) loadVendors(ctx app.Context) {
	if api == nil {
		return
	}
	ctx = c.own(ctx)
	ctx.Async(func() {
		vendors, err := api.Partners(ctx, client.DirectoryQuery{Type: "vendor", Page: client.Page{Limit: 200}})
		var mps *client.List[client.Marketplace]
		if err == nil {
			mps, err = api.Marketplaces(ctx)
		}
		ctx.Dispatch(func(ctx app.Context) {
			if unauthorized(err) {
				ctx.Navigate("/signin")
				return
			}
			c.err = err
			if err != nil {
				return
			}
			c.vendors, c.marketplaces = vendors.Items, mps.Items
			if c.vendorID == "" && len(c.vendors) > 0 {
				c.vendorID = c.vendors[0].ID
			}
			if c.marketplaceID == "" && len(c.marketplaces) > 0 {
				c.marketplaceID = c.marketplaces[0].ID
			}
			c.load(ctx)
		})
	})
}

// load loads the selected vendor's products and listings.
func (c *productsPage) load(ctx app.Context) {
	if api == nil {
		return
	}
	vendor := c.vendorID
	ctx = c.own(ctx)
	ctx.Async(func() {
		products, err := api.Products(ctx, vendor, client.Page{Limit: 200})
		var listings *client.List[client.Listing]
		if err == nil {
			listings, err = api.Listings(ctx, client.ListingQuery{VendorID: vendor, Page: client.Page{Limit: 200}})
		}
		ctx.Dispatch(func(ctx app.Context) {
			if unauthorized(err) {
				ctx.Navigate("/signin")
				return
			}
			c.products, c.listings, c.err = products, listings, err
		})
	})
}

func (c *productsPage) Render() app.UI {
	return newShell("Products & listings",
		errorBanner(c.err),
		app.Div().Class("filters").Body(
			app.Label().For("product-vendor").Text("Vendor "),
			app.Select().ID("product-vendor").OnChange(func(ctx app.Context, _ app.Event) {
				c.vendorID = ctx.JSSrc().Get("value").String()
				c.selected, c.plans = nil, nil
				c.load(ctx)
			}).Body(
				app.Option().Value("").Selected(c.vendorID == "").Text("My account"),
				app.Range(c.vendors).Slice(func(i int) app.UI {
					v := c.vendors[i]
					return app.Option().Value(v.ID).Selected(v.ID == c.vendorID).Text(v.Name)
				}),
			),
		),
		c.createForm(),
		c.productTable(),
		c.offerPlans(),
	)
}

func (c *productsPage) createForm() app.UI {
	return app.Div().Body(
		app.H2().Text("Create a product"),
		app.Form().ID("product-form").OnSubmit(c.create).Body(
			field(c, "product-name", "Name", "text", &c.name, c.formErr, "name"),
			field(c, "product-description", "Description", "text", &c.description, c.formErr, "description"),
			fieldError(c.formErr, "vendor_id"),
			fieldError(c.formErr, "items"),
			app.Div().Class("table-wrap").Body(app.Table().ID("product-items").Body(
				app.THead().Body(app.Tr().Body(app.Th().Text("Item"), app.Th().Text("Type"), app.Th().Text("Unit"),
					app.Th().Text("Price"), app.Th().Text("MPN"), app.Th().Text(""))),
				app.TBody().Body(app.Range(c.items).Slice(func(i int) app.UI { return c.itemRow(i) })),
			)),
			app.Button().Type("button").ID("add-item").Class("small").Text("Add item").
				OnClick(func(ctx app.Context, _ app.Event) {
					c.items = append(c.items, client.ProductItem{Type: "reservation"})
				}),
			errorBanner(c.formErr),
			app.Button().Type("submit").ID("create-product").Text("Create product"),
		),
	)
}

// itemRow renders the inputs of item i, with the API's errors for them.
// Handlers write through the index when they fire, never through a pointer
// taken at render time: adding an item moves the slice, and go-app keeps
// the handlers of elements it reuses.
func (c *productsPage) itemRow(i int) app.UI {
	it := c.items[i]
	prefix := "items[" + itoa(i) + "]."
	input := func(name, label, value string, set func(it *client.ProductItem, v string)) app.UI {
		id := "item-" + name + "-" + itoa(i)
		return app.Td().Body(
			app.Input().ID(id).Attr("aria-label", label+" of item "+itoa(i+1)).Type("text").Value(value).
				OnInput(func(ctx app.Context, _ app.Event) {
					if i < len(c.items) {
						set(&c.items[i], ctx.JSSrc().Get("value").String())
					}
				}),
			fieldError(c.formErr, prefix+name),
		)
	}
	return app.Tr().Class("item-row").Body(
		input("name", "Name", it.Name, func(it *client.ProductItem, v string) { it.Name = v }),
		app.Td().Body(
			app.Select().ID("item-type-"+itoa(i)).Attr("aria-label", "Type of item "+itoa(i+1)).
				OnChange(func(ctx app.Context, _ app.Event) {
					if i < len(c.items) {
						c.items[i].Type = ctx.JSSrc().Get("value").String()
					}
				}).Body(app.Range(itemTypes).Slice(func(j int) app.UI {
				return app.Option().Value(itemTypes[j].value).Selected(it.Type == itemTypes[j].value).Text(itemTypes[j].label)
			})),
			fieldError(c.formErr, prefix+"type"),
		),
		input("unit", "Unit", it.Unit, func(it *client.ProductItem, v string) { it.Unit = v }),
		input("price", "Price", it.Price, func(it *client.ProductItem, v string) { it.Price = v }),
		input("mpn", "MPN", it.MPN, func(it *client.ProductItem, v string) { it.MPN = v }),
		app.Td().Body(app.If(len(c.items) > 1, func() app.UI {
			return app.Button().Type("button").Class("small link").Text("Remove").OnClick(func(ctx app.Context, _ app.Event) {
				if i < len(c.items) {
					c.items = append(c.items[:i:i], c.items[i+1:]...)
				}
			})
		})),
	)
}

func (c *productsPage) create(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if api == nil {
		return
	}
	in := client.NewProduct{VendorID: c.vendorID, Name: c.name, Description: c.description,
		Items: append([]client.ProductItem(nil), c.items...)}
	for i := range in.Items {
		if in.Items[i].Price == "" {
			in.Items[i].Price = "0"
		}
	}
	ctx = c.own(ctx)
	ctx.Async(func() {
		p, err := api.CreateProduct(ctx, in)
		ctx.Dispatch(func(ctx app.Context) {
			c.formErr = err
			if err == nil {
				// The inputs were typed in: only a form reset clears what they show.
				if f := app.Window().GetElementByID("product-form"); f.Truthy() {
					f.Call("reset")
				}
				c.name, c.description = "", ""
				c.items = []client.ProductItem{{Type: "reservation"}}
				c.selected, c.plans = p, nil
				c.load(ctx)
			}
		})
	})
}

// listedOn names the marketplaces a product is listed on, with their listings.
func (c *productsPage) listedOn(productID string) []client.Listing {
	if c.listings == nil {
		return nil
	}
	var out []client.Listing
	for _, l := range c.listings.Items {
		if l.ProductID == productID {
			out = append(out, l)
		}
	}
	return out
}

func (c *productsPage) marketplaceName(id string) string {
	for _, m := range c.marketplaces {
		if m.ID == id {
			return m.Name
		}
	}
	return id
}

func (c *productsPage) productTable() app.UI {
	return app.If(c.products != nil, func() app.UI {
		items := c.products.Items
		return app.Div().Body(
			app.H2().Text("Products"),
			app.Div().Class("filters").Body(
				app.Label().For("listing-marketplace").Text("Marketplace to list on "),
				app.Select().ID("listing-marketplace").OnChange(func(ctx app.Context, _ app.Event) {
					c.marketplaceID = ctx.JSSrc().Get("value").String()
				}).Body(app.Range(c.marketplaces).Slice(func(i int) app.UI {
					m := c.marketplaces[i]
					return app.Option().Value(m.ID).Selected(m.ID == c.marketplaceID).Text(m.Name)
				})),
			),
			app.If(c.listingErr != nil, func() app.UI {
				return app.Div().ID("listing-error").Class("error").Attr("role", "alert").Text(cmp.Or(partnerkit.ErrorFields(c.listingErr)["marketplace_id"], errorText(c.listingErr)))
			}),
			app.If(len(items) == 0, func() app.UI { return app.P().Class("hint").Text("No products yet.") }),
			app.Div().Class("table-wrap").Body(app.Table().ID("products").Body(
				app.THead().Body(app.Tr().Body(app.Th().Text("Product"), app.Th().Text("Items"),
					app.Th().Text("Listed on"), app.Th().Text(""))),
				app.TBody().Body(app.Range(items).Slice(func(i int) app.UI { return c.productRow(items[i]) })),
			)),
		)
	})
}

func (c *productsPage) productRow(p client.Product) app.UI {
	listed := c.listedOn(p.ID)
	return app.Tr().Class("product-row").Attr("data-id", p.ID).Body(
		app.Td().Body(app.Strong().Text(p.Name), app.If(p.Description != "", func() app.UI {
			return app.Span().Class("hint").Text(" — " + p.Description)
		})),
		app.Td().Body(app.Ul().Body(app.Range(p.Items).Slice(func(i int) app.UI {
			it := p.Items[i]
			return app.Li().Text(it.Name + " (" + itemTypeLabel(it.Type) + ", " + it.Price + " per " + it.Unit + ")")
		}))),
		app.Td().Body(app.Range(listed).Slice(func(i int) app.UI {
			l := listed[i]
			return app.Span().Class("badge listing").Body(
				app.Text(c.marketplaceName(l.MarketplaceID)+" "),
				app.Button().Class("small link remove-listing").Text("×").Attr("aria-label", "Remove listing").
					Attr("data-id", l.ID).OnClick(func(ctx app.Context, _ app.Event) { c.removeListing(ctx, dataID(ctx)) }),
			)
		})),
		app.Td().Body(
			app.Button().Class("small list-product").Text("List on marketplace").Attr("data-id", p.ID).
				OnClick(func(ctx app.Context, _ app.Event) { c.list(ctx, dataID(ctx)) }),
			app.Button().Class("small show-plans").Text("Offer plans").Attr("data-id", p.ID).
				OnClick(func(ctx app.Context, _ app.Event) {
					id := dataID(ctx)
					for _, p := range c.products.Items {
						if p.ID == id {
							selected := p
							c.selected, c.plans, c.plansErr = &selected, nil, nil
						}
					}
				}),
		),
	)
}

// dataID is the data-id of the element that fired an event. Handlers read
// IDs from the DOM, never from a closure: go-app keeps the handlers of
// elements it reuses for another row.
func dataID(ctx app.Context) string { return ctx.JSSrc().Get("dataset").Get("id").String() }

func (c *productsPage) list(ctx app.Context, productID string) {
	if api == nil {
		return
	}
	marketplace := c.marketplaceID
	ctx = c.own(ctx)
	ctx.Async(func() {
		_, err := api.CreateListing(ctx, productID, marketplace)
		ctx.Dispatch(func(ctx app.Context) {
			c.listingErr = err
			if err == nil {
				c.load(ctx)
			}
		})
	})
}

func (c *productsPage) removeListing(ctx app.Context, id string) {
	if api == nil {
		return
	}
	ctx = c.own(ctx)
	ctx.Async(func() {
		err := api.RemoveListing(ctx, id)
		ctx.Dispatch(func(ctx app.Context) {
			c.listingErr = err
			c.load(ctx)
		})
	})
}

// offerPlans asks for a tenant ID and shows the selected product's plans,
// their dimensions, the landing page and the webhook.
func (c *productsPage) offerPlans() app.UI {
	return app.If(c.selected != nil, func() app.UI {
		p := c.selected
		return app.Div().ID("offer-plans-view").Body(
			app.H2().Text("Offer plans of "+p.Name+" on Microsoft's commercial marketplace"),
			app.Form().ID("offer-plans-form").OnSubmit(c.showPlans).Body(
				field(c, "tenant-id", "Tenant ID", "text", &c.tenantID, c.plansErr, "tenant_id"),
				app.If(c.plansErr != nil && len(partnerkit.ErrorFields(c.plansErr)) == 0, func() app.UI {
					return app.Div().Class("error").Attr("role", "alert").Text(errorText(c.plansErr))
				}),
				app.Button().Type("submit").ID("show-offer-plans").Text("Show offer plans"),
			),
			app.If(c.plans != nil, func() app.UI { return renderPlans(c.plans) }),
		)
	})
}

func (c *productsPage) showPlans(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if api == nil || c.selected == nil {
		return
	}
	id, tenant := c.selected.ID, c.tenantID
	ctx = c.own(ctx)
	ctx.Async(func() {
		set, err := api.OfferPlans(ctx, id, tenant)
		ctx.Dispatch(func(ctx app.Context) {
			c.plansErr = err
			c.plans = nil
			if err == nil {
				c.plans = set
			}
		})
	})
}

// renderPlans shows an offer's plans and technical configuration.
func renderPlans(s *client.OfferPlanSet) app.UI {
	return app.Div().ID("offer-plans").Body(
		app.Dl().Body(
			app.Dt().Text("Landing page"),
			app.Dd().Body(app.Code().ID("landing-page-url").Text(s.LandingPageURL)),
			app.Dt().Text("Webhook"),
			app.Dd().Body(app.Code().ID("webhook-url").Text(s.WebhookURL)),
		),
		app.Div().Class("table-wrap").Body(app.Table().ID("plans").Body(
			app.THead().Body(app.Tr().Body(app.Th().Text("Plan"), app.Th().Text("Pricing"), app.Th().Text("Price"),
				app.Th().Text("Dimensions"))),
			app.TBody().Body(app.Range(s.Plans).Slice(func(i int) app.UI {
				pl := s.Plans[i]
				price := ""
				if len(pl.Dimensions) == 0 {
					price = pl.Price + " per " + pl.Unit
				}
				return app.Tr().Class("plan").Attr("data-pricing", pl.PricingModel).Body(
					app.Td().Class("plan-name").Text(pl.Name),
					app.Td().Class("plan-pricing").Text(pl.PricingLabel),
					app.Td().Text(price),
					app.Td().Body(app.If(len(pl.Dimensions) == 0, func() app.UI {
						return app.Span().Class("hint").Text("no dimensions")
					}).Else(func() app.UI {
						return app.Ul().Body(app.Range(pl.Dimensions).Slice(func(j int) app.UI {
							d := pl.Dimensions[j]
							return app.Li().Class("dimension").Text(d.Name + ": " + d.Price + " per " + d.Unit)
						}))
					})),
				)
			})),
		)),
	)
}
