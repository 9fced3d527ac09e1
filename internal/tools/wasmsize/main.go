// Command wasmsize compares WebAssembly binaries by raw, gzip -9 and
// brotli q11 size: wasmsize baseline.wasm app.wasm.
package main

import (
	"bytes"
	"compress/gzip"
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
	if len(os.Args) != 3 {
		log.Fatal("usage: wasmsize baseline.wasm app.wasm")
	}
	r0, g0, b0 := sizes(os.Args[1])
	r1, g1, b1 := sizes(os.Args[2])
	mib := func(n int) string { return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20)) }
	fmt.Printf("%-10s %12s %12s %8s\n", "", "minimal", "partnerkit", "ratio")
	for _, row := range []struct {
		name string
		a, b int
	}{{"raw", r0, r1}, {"gzip -9", g0, g1}, {"brotli 11", b0, b1}} {
		fmt.Printf("%-10s %12s %12s %7.2fx\n", row.name, mib(row.a), mib(row.b), float64(row.b)/float64(row.a))
	}
}
