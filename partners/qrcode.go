package partners

import (
	"fmt"
	"image/color"
	"strings"

	"github.com/boombuler/barcode/qr"
)

// QRCodeSVG returns a QR code of text (error correction M) as an SVG
// document: one path of its dark modules on a white square with the
// standard quiet zone of four modules. It is drawn here, from the QR
// encoder that github.com/pquerna/otp uses: no remote service sees the
// secret.
func QRCodeSVG(text string) (string, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return "", fmt.Errorf("partners: QR code: %w", err)
	}
	const quiet = 4
	b := code.Bounds()
	w, h := b.Dx(), b.Dy()
	var path strings.Builder
	for y := range h {
		for x := 0; x < w; x++ {
			if !dark(code.At(b.Min.X+x, b.Min.Y+y)) {
				continue
			}
			run := 1
			for x+run < w && dark(code.At(b.Min.X+x+run, b.Min.Y+y)) {
				run++
			}
			fmt.Fprintf(&path, "M%d %dh%dv1h-%dz", x+quiet, y+quiet, run, run)
			x += run - 1
		}
	}
	size := w + 2*quiet
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" shape-rendering="crispEdges" role="img" aria-label="QR code">`+
		`<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`, size, size, size*6, size*6, size, size, path.String()), nil
}

func dark(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r+g+b < 3*0x8000
}
