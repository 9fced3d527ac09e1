// Command wasmsize compares WebAssembly binaries by raw, gzip -9 and
// brotli q11 size: wasmsize [-budget 1.25] baseline.wasm app.wasm. With
// -budget it exits 1 when app.wasm's gzip size is more than budget times
// the baseline's (the PWA's size budget against the minimal go-app app).
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/andybalholm/brotli"
)

func sizes(path string) (raw, gz, br int) {
	data, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	var g, b bytes.Buffer
	gw, _ := gzip.NewWriterLevel(&g, gzip.BestCompression)
	_, _ = gw.Write(data)
	_ = gw.Close()
	bw := brotli.NewWriterLevel(&b, brotli.BestCompression)
	_, _ = bw.Write(data)
	_ = bw.Close()
	return len(data), g.Len(), b.Len()
}

func main() {
	budget := flag.Float64("budget", 0, "fail when app.wasm's gzip size exceeds this many times the baseline's (0: report only)")
	flag.Parse()
	if flag.NArg() != 2 {
		log.Fatal("usage: wasmsize [-budget ratio] baseline.wasm app.wasm")
	}
	r0, g0, b0 := sizes(flag.Arg(0))
	r1, g1, b1 := sizes(flag.Arg(1))
	fmt.Printf("%-10s %12s %12s %8s\n", "", "minimal", "partnerkit", "ratio")
	for _, row := range []struct {
		name string
		a, b int
	}{{"raw", r0, r1}, {"gzip -9", g0, g1}, {"brotli 11", b0, b1}} {
		fmt.Printf("%-10s %12d %12d %7.3fx\n", row.name, row.a, row.b, float64(row.b)/float64(row.a))
	}
	if ratio := float64(g1) / float64(g0); *budget > 0 && ratio > *budget {
		fmt.Printf("app.wasm is over its budget: gzip %.3fx of the minimal app, budget %.2fx (%d bytes too many)\n",
			ratio, *budget, g1-int(*budget*float64(g0)))
		os.Exit(1)
	}
}
