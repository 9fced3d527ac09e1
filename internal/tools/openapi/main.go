// Command openapi writes the API's OpenAPI document — the one GET
// /api/v1/openapi.json serves, for every service on the memory stores —
// to standard output or to the file -o names, for linters and generators
// (make openapi-check).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/partnerkit/partnerkit/app/api"
	"github.com/partnerkit/partnerkit/app/server"
)

func main() {
	out := flag.String("o", "", "the file to write (standard output if empty)")
	flag.Parse()
	doc, err := api.New(server.Memory(server.Options{})).OpenAPI()
	if err == nil {
		var data []byte
		if data, err = json.MarshalIndent(doc, "", "  "); err == nil {
			data = append(data, '\n')
			if *out == "" {
				_, err = os.Stdout.Write(data)
			} else {
				err = os.WriteFile(*out, data, 0o644)
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "openapi:", err)
		os.Exit(1)
	}
}
