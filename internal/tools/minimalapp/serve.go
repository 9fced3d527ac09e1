//go:build !js

package main

import (
	"log"
	"net/http"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func serve() {
	http.Handle("/", &app.Handler{Name: "Hello"})
	log.Fatal(http.ListenAndServe("127.0.0.1:8000", nil))
}
