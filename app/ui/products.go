package ui

import (
	"cmp"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
	contractrules "github.com/partnerkit/partnerkit/contracts/rules"
	listingrules "github.com/partnerkit/partnerkit/listings/rules"
	partnerrules "github.com/partnerkit/partnerkit/partners/rules"
)

// itemTypes are the item types a product offers, in the order listings/rules
// gives them.
var itemTypes = listingrules.ItemTypes()

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
	currency          string // the items' prices' ISO 4217 code; empty is USD
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
	c.items = []client.ProductItem{{Type: listingrules.ItemReservation}}
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
		vendors, err := api.Partners(ctx, client.DirectoryQuery{Type: string(partnerrules.TypeVendor), Page: client.Page{Limit: 200}})
		var mps *client.List[client.Marketplace]
		if err == nil {
			mps, err = api.Marketplaces(ctx)
		}
		ctx.Dispatch(func(ctx app.Context) {
			if signedOut(ctx, err) {
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
			if signedOut(ctx, err) {
				return
			}
			c.products, c.listings, c.err = products, listings, err
		})
	})
}

func (c *productsPage) Render() app.UI {
	return newShell("Products & listings",
		errorBanner(c.err),
		div("filters",
			labelFor("product-vendor", "Vendor "),
			selectOf("product-vendor", func(ctx app.Context, _ app.Event) {
				c.vendorID = valueOf(ctx)
				c.selected, c.plans = nil, nil
				c.load(ctx)
			},
				option("", "My account", c.vendorID == ""),
				app.Range(c.vendors).Slice(func(i int) app.UI {
					v := c.vendors[i]
					return option(v.ID, v.Name, v.ID == c.vendorID)
				}),
			),
		),
		c.createForm(),
		c.productTable(),
		c.offerPlans(),
	)
}

func (c *productsPage) createForm() app.UI {
	return box(
		h2("Create a product"),
		form("product-form", c.create,
			field(c, "product-name", "Name", "text", &c.name, c.formErr, "name"),
			field(c, "product-description", "Description", "text", &c.description, c.formErr, "description"),
			field(c, "product-currency", "Currency of the prices (ISO 4217, such as USD or EUR; USD when left empty)", "text",
				&c.currency, c.formErr, "currency"),
			fieldError(c.formErr, "vendor_id"),
			fieldError(c.formErr, "items"),
			div("table-wrap", table("product-items",
				thead("Item", "Type", "Unit", "Price", "MPN", ""),
				tbody(app.Range(c.items).Slice(func(i int) app.UI { return c.itemRow(i) })),
			)),
			app.Elem("button").Attr("type", "button").ID("add-item").Class("small").Text("Add item").OnClick(func(ctx app.Context, _ app.Event) {
				c.items = append(c.items, client.ProductItem{Type: listingrules.ItemReservation})
			}),
			errorBanner(c.formErr),
			submitButton("create-product", "Create product"),
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
		return tdBody(
			app.ElemSelfClosing("input").ID(id).Attr("aria-label", label+" of item "+itoa(i+1)).Attr("type", "text").Attr("value", value).OnInput(func(ctx app.Context, _ app.Event) {
				if i < len(c.items) {
					set(&c.items[i], valueOf(ctx))
				}
			}),
			fieldError(c.formErr, prefix+name),
		)
	}
	return trOf("item-row",
		input("name", "Name", it.Name, func(it *client.ProductItem, v string) { it.Name = v }),
		tdBody(
			app.Elem("select").ID("item-type-"+itoa(i)).Attr("aria-label", "Type of item "+itoa(i+1)).OnChange(func(ctx app.Context, _ app.Event) {
				if i < len(c.items) {
					c.items[i].Type = listingrules.ItemType(valueOf(ctx))
				}
			}).Body(app.Range(itemTypes).Slice(func(j int) app.UI {
				return option(string(itemTypes[j]), itemTypes[j].Label(), it.Type == itemTypes[j])
			})),
			fieldError(c.formErr, prefix+"type"),
		),
		input("unit", "Unit", it.Unit, func(it *client.ProductItem, v string) { it.Unit = v }),
		input("price", "Price", it.Price, func(it *client.ProductItem, v string) { it.Price = v }),
		input("mpn", "MPN", it.MPN, func(it *client.ProductItem, v string) { it.MPN = v }),
		tdBody(app.If(len(c.items) > 1, func() app.UI {
			return typeButton("small link", "Remove", func(ctx app.Context, _ app.Event) {
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
		Currency: contractrules.NormalizeCurrency(c.currency), Items: append([]client.ProductItem(nil), c.items...)}
	fields := map[string]string{}
	if in.Currency != "" && !contractrules.ValidCurrency(in.Currency) { // the server's rule
		fields["currency"] = contractrules.CurrencyProblem
	}
	for i, it := range in.Items {
		if it.Price == "" {
			in.Items[i].Price = "0"
		}
		for name, p := range listingrules.ItemProblems(it.Name, it.MPN, it.Type, it.Unit) { // the server's rule
			fields["items["+itoa(i)+"]."+name] = p
		}
	}
	if c.formErr = partnerkit.FieldErrors(fields); c.formErr != nil {
		return
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
				c.name, c.description, c.currency = "", "", ""
				c.items = []client.ProductItem{{Type: listingrules.ItemReservation}}
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
		return box(
			h2("Products"),
			div("filters",
				labelFor("listing-marketplace", "Marketplace to list on "),
				selectOf("listing-marketplace", func(ctx app.Context, _ app.Event) {
					c.marketplaceID = valueOf(ctx)
				}, app.Range(c.marketplaces).Slice(func(i int) app.UI {
					m := c.marketplaces[i]
					return option(m.ID, m.Name, m.ID == c.marketplaceID)
				})),
			),
			app.If(c.listingErr != nil, func() app.UI {
				return app.Elem("div").ID("listing-error").Class("error").Attr("role", "alert").Text(cmp.Or(partnerkit.ErrorFields(c.listingErr)["marketplace_id"], errorText(c.listingErr)))
			}),
			app.If(len(items) == 0, func() app.UI { return empty("no-products", "No products yet: create one above.") }),
			app.If(len(items) > 0, func() app.UI { return app.Elem("div").OnClick(c.act).Body(c.productTable2(items)) }),
		)
	})
}

var productsHead = []string{"Product", "Items", "Listed on", ""}

// productTable2 lists the products with their items, the marketplaces each
// is listed on, and their buttons, for act.
func (c *productsPage) productTable2(items []client.Product) app.UI {
	rows := make([]string, len(items))
	for i, p := range items {
		name := "<strong>" + esc(p.Name) + "</strong>"
		if p.Description != "" {
			name += rawf(`<span class="hint"> — $</span>`, p.Description)
		}
		its := "<ul>"
		for _, it := range p.Items {
			its += rawf(`<li>$</li>`, it.Name+" ("+it.Type.Label()+", "+price(it.Price, p.Currency)+" per "+it.Unit+")")
		}
		listed := ""
		for _, l := range c.listedOn(p.ID) {
			listed += rawf(`<span class="badge listing">$ <button type="button" class="small link remove-listing" aria-label="Remove listing" data-act="unlist" data-id="$">×</button></span>`,
				c.marketplaceName(l.MarketplaceID), l.ID)
		}
		rows[i] = row(productsHead, attr("class", "product-row")+attr("data-id", p.ID), name, its+"</ul>", listed,
			`<span class="row-actions">`+rowButton("small list-product", "List on marketplace", "list", p.ID)+rowButton("small show-plans", "Offer plans", "plans", p.ID)+`</span>`)
	}
	return cards("products", productsHead, rows)
}

// act does what the product button that was clicked does: list it on the
// chosen marketplace, remove a listing, or show its offer plans.
func (c *productsPage) act(ctx app.Context, e app.Event) {
	act, id := clickedAct(e)
	switch act {
	case "list":
		c.list(ctx, id)
	case "unlist":
		c.removeListing(ctx, id)
	case "plans":
		for _, p := range c.products.Items {
			if p.ID == id {
				selected := p
				c.selected, c.plans, c.plansErr = &selected, nil, nil
			}
		}
	}
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
		return divID("offer-plans-view",
			h2("Offer plans of "+p.Name+" on Microsoft's commercial marketplace"),
			form("offer-plans-form", c.showPlans,
				field(c, "tenant-id", "Tenant ID", "text", &c.tenantID, c.plansErr, "tenant_id"),
				app.If(c.plansErr != nil && len(partnerkit.ErrorFields(c.plansErr)) == 0, func() app.UI {
					return app.Elem("div").Class("error").Attr("role", "alert").Text(errorText(c.plansErr))
				}),
				submitButton("show-offer-plans", "Show offer plans"),
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
	return divID("offer-plans",
		dl(
			dt("Landing page"),
			app.Elem("dd").Body(app.Elem("code").ID("landing-page-url").Text(s.LandingPageURL)),
			dt("Webhook"),
			app.Elem("dd").Body(app.Elem("code").ID("webhook-url").Text(s.WebhookURL)),
		),
		div("table-wrap", table("plans",
			thead("Plan", "Pricing", "Price", "Dimensions"),
			tbody(app.Range(s.Plans).Slice(func(i int) app.UI {
				pl := s.Plans[i]
				cost := ""
				if len(pl.Dimensions) == 0 {
					cost = price(pl.Price, s.Currency) + " per " + pl.Unit
				}
				return app.Elem("tr").Class("plan").Attr("data-pricing", pl.PricingModel).Body(
					tdc("plan-name", pl.Name),
					tdc("plan-pricing", pl.PricingLabel),
					td(cost),
					tdBody(app.If(len(pl.Dimensions) == 0, func() app.UI {
						return span("hint", "no dimensions")
					}).Else(func() app.UI {
						return app.Elem("ul").Body(app.Range(pl.Dimensions).Slice(func(j int) app.UI {
							d := pl.Dimensions[j]
							return app.Elem("li").Class("dimension").Text(d.Name + ": " + price(d.Price, s.Currency) + " per " + d.Unit)
						}))
					})),
				)
			})),
		)),
	)
}
