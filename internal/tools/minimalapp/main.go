// Command minimalapp is the smallest go-app v10 app, built like the
// Partnerkit PWA (server split out by build tag, same flags), as the
// baseline of `make wasm-size`.
package main

import "github.com/maxence-charriere/go-app/v10/pkg/app"

type hello struct{ app.Compo }

func (h *hello) Render() app.UI { return app.H1().Text("Hello") }

func main() {
	app.Route("/", func() app.Composer { return &hello{} })
	app.RunWhenOnBrowser()
	serve()
}
