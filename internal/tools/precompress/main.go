// Command precompress writes FILE.gz (gzip -9) and FILE.br (brotli q11,
// pure Go) next to each FILE given, so the server can send app.wasm
// compressed without compressing it per request.
package main

import (
	"compress/gzip"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/andybalholm/brotli"
)

func main() {
	for _, path := range os.Args[1:] {
		raw, err := os.ReadFile(path)
		if err != nil {
			log.Fatal(err)
		}
		gz, err := compress(path+".gz", raw, func(w io.Writer) (io.WriteCloser, error) { return gzip.NewWriterLevel(w, gzip.BestCompression) })
		if err != nil {
			log.Fatal(err)
		}
		br, err := compress(path+".br", raw, func(w io.Writer) (io.WriteCloser, error) {
			return brotli.NewWriterLevel(w, brotli.BestCompression), nil
		})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: raw %d bytes, gzip %d (%.1f%%), brotli %d (%.1f%%)\n", path, len(raw),
			gz, 100*float64(gz)/float64(len(raw)), br, 100*float64(br)/float64(len(raw)))
	}
}

func compress(path string, raw []byte, newWriter func(io.Writer) (io.WriteCloser, error)) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w, err := newWriter(f)
	if err != nil {
		return 0, err
	}
	if _, err := w.Write(raw); err != nil {
		return 0, err
	}
	if err := w.Close(); err != nil {
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}
