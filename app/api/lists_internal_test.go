package api

import "testing"

// TestEveryListHasAnOrder: a route documented as a list has an order, so it
// reads sort like the others and the OpenAPI document lists its values; and
// every order names a documented list route.
func TestEveryListHasAnOrder(t *testing.T) {
	for key, d := range docs {
		if _, ok := listOrders[key]; d.list && !ok {
			t.Errorf("list route %s has no order in listOrders", key)
		}
	}
	for key, o := range listOrders {
		if !docs[key].list {
			t.Errorf("listOrders names %s, which is not a documented list", key)
		}
		if !o.Accepts(o.Default) {
			t.Errorf("%s: the default order %q is not one of its sorts", key, o.Default)
		}
	}
}
