// Command icons draws the app's PNG icons (standard, large and maskable)
// into a directory: go run ./internal/tools/icons app/cmd/partnerkit/web
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"os"
	"path/filepath"
)

var (
	brand = color.RGBA{0x1f, 0x4e, 0x8c, 0xff}
	white = color.RGBA{0xff, 0xff, 0xff, 0xff}
)

func main() {
	dir := "."
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	for name, spec := range map[string]struct {
		size   int
		safety float64 // share of the size the glyph may use
	}{"icon-192.png": {192, 0.6}, "icon-512.png": {512, 0.6}, "icon-maskable-512.png": {512, 0.45}} {
		if err := write(filepath.Join(dir, name), spec.size, spec.safety); err != nil {
			log.Fatal(err)
		}
	}
}

// write draws a brand square with a white "P" made of rectangles.
func write(path string, size int, safety float64) error {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	fill := func(x0, y0, x1, y1 float64, c color.RGBA) {
		for y := int(y0 * float64(size)); y < int(y1*float64(size)); y++ {
			for x := int(x0 * float64(size)); x < int(x1*float64(size)); x++ {
				img.Set(x, y, c)
			}
		}
	}
	fill(0, 0, 1, 1, brand)
	m := (1 - safety) / 2 // margin
	s := safety
	fill(m, m, m+s*0.22, m+s, white)           // stem
	fill(m, m, m+s*0.8, m+s*0.18, white)       // top of the bowl
	fill(m, m+s*0.42, m+s*0.8, m+s*0.6, white) // bottom of the bowl
	fill(m+s*0.62, m, m+s*0.8, m+s*0.6, white) // right of the bowl
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return png.Encode(f, img)
}
