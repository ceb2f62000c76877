//go:build ignore

// gen_icon draws icon.png with signed distance functions and 6x6
// supersampling, so edges stay smooth at every size. Regenerate with
// `go generate ./assets`; check small sizes with -size 32.
package main

import (
	"flag"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
)

type vec struct{ x, y float64 }

func (a vec) sub(b vec) vec           { return vec{a.x - b.x, a.y - b.y} }
func (a vec) add(b vec) vec           { return vec{a.x + b.x, a.y + b.y} }
func (a vec) mul(s float64) vec       { return vec{a.x * s, a.y * s} }
func (a vec) dot(b vec) float64       { return a.x*b.x + a.y*b.y }
func (a vec) len() float64            { return math.Hypot(a.x, a.y) }
func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

// rgba is a straight-alpha colour with components in 0..1.
type rgba struct{ r, g, b, a float64 }

func hex(h uint32) rgba {
	return rgba{float64(h>>16&0xff) / 255, float64(h>>8&0xff) / 255, float64(h&0xff) / 255, 1}
}

func mix(a, b rgba, t float64) rgba {
	return rgba{a.r + (b.r-a.r)*t, a.g + (b.g-a.g)*t, a.b + (b.b-a.b)*t, a.a + (b.a-a.a)*t}
}

// over composites src over dst (both straight alpha).
func over(dst, src rgba) rgba {
	a := src.a + dst.a*(1-src.a)
	if a == 0 {
		return rgba{}
	}
	f := func(s, d float64) float64 { return (s*src.a + d*dst.a*(1-src.a)) / a }
	return rgba{f(src.r, dst.r), f(src.g, dst.g), f(src.b, dst.b), a}
}

// SDFs, negative inside. Coordinates are in a 512 unit design space.

func roundBox(p, c, half vec, r float64) float64 {
	q := vec{math.Abs(p.x-c.x) - half.x + r, math.Abs(p.y-c.y) - half.y + r}
	out := vec{math.Max(q.x, 0), math.Max(q.y, 0)}.len()
	return out + math.Min(math.Max(q.x, q.y), 0) - r
}

func circle(p, c vec, r float64) float64 { return p.sub(c).len() - r }

func segment(p, a, b vec) float64 {
	pa, ba := p.sub(a), b.sub(a)
	h := clamp(pa.dot(ba)/ba.dot(ba), 0, 1)
	return pa.sub(ba.mul(h)).len()
}

// arc is the distance to the circular arc around c with radius r from angle
// a0 to a1 (radians, screen coordinates: y grows downwards).
func arc(p, c vec, r, a0, a1 float64) float64 {
	d := p.sub(c)
	ang := math.Atan2(d.y, d.x)
	for ang < a0 {
		ang += 2 * math.Pi
	}
	if ang <= a1 {
		return math.Abs(d.len() - r)
	}
	e0 := c.add(vec{math.Cos(a0), math.Sin(a0)}.mul(r))
	e1 := c.add(vec{math.Cos(a1), math.Sin(a1)}.mul(r))
	return math.Min(p.sub(e0).len(), p.sub(e1).len())
}

func triangle(p, a, b, c vec) float64 {
	e0, e1, e2 := b.sub(a), c.sub(b), a.sub(c)
	v0, v1, v2 := p.sub(a), p.sub(b), p.sub(c)
	pq := func(v, e vec) vec { return v.sub(e.mul(clamp(v.dot(e)/e.dot(e), 0, 1))) }
	pq0, pq1, pq2 := pq(v0, e0), pq(v1, e1), pq(v2, e2)
	s := math.Copysign(1, e0.x*e2.y-e0.y*e2.x)
	dmin := func(pqv, v, e vec) vec { return vec{pqv.dot(pqv), s * (v.x*e.y - v.y*e.x)} }
	d := dmin(pq0, v0, e0)
	for _, x := range []vec{dmin(pq1, v1, e1), dmin(pq2, v2, e2)} {
		d = vec{math.Min(d.x, x.x), math.Min(d.y, x.y)}
	}
	return -math.Sqrt(d.x) * math.Copysign(1, d.y)
}

var (
	lensC   = vec{222, 222}
	lensR   = 132.0
	ringW   = 34.0
	indigo  = hex(0x3730A3)
	deep    = hex(0x1E1B4B)
	teal    = hex(0x0D9488)
	white   = rgba{1, 1, 1, 1}
	accent  = hex(0xFBBF24)
	shadowC = rgba{0.05, 0.04, 0.18, 1}
)

// hook is the U-turn "callback" arrow inside the lens: a request goes down
// and comes back up.
func hook(p vec) float64 {
	const w = 15          // half stroke width
	p = p.sub(vec{8, 18}) // centre the glyph in the glass
	top := vec{258, 146}
	bend := vec{222, 248}
	r := 36.0
	d := segment(p, top, vec{258, bend.y})
	d = math.Min(d, arc(p, bend, r, 0, math.Pi))
	d = math.Min(d, segment(p, vec{186, bend.y}, vec{186, 196}))
	return d - w
}

// arrowhead tips the hook's rising end, in the accent colour.
func arrowhead(p vec) float64 {
	p = p.sub(vec{8, 18})
	return triangle(p, vec{186, 158}, vec{155, 206}, vec{217, 206}) - 4
}

func sample(p vec) rgba {
	bg := roundBox(p, vec{256, 256}, vec{240, 240}, 108)
	if bg > 0 {
		return rgba{}
	}
	// Diagonal gradient: deep indigo top-left to teal bottom-right.
	t := clamp((p.x+p.y-32)/(2*480), 0, 1)
	var c rgba
	if t < 0.3 {
		c = mix(deep, indigo, t/0.3)
	} else {
		c = mix(indigo, teal, (t-0.3)/0.7)
	}
	// Soft light from the top-left to give depth.
	hl := clamp(1-p.sub(vec{120, 90}).len()/360, 0, 1)
	c = over(c, rgba{1, 1, 1, 0.10 * hl * hl})

	// Drop shadow of the lens and handle, offset down-right and blurred by
	// widening the falloff band.
	handleA := lensC.add(vec{1, 1}.mul((lensR + ringW/2 - 6) / math.Sqrt2))
	handleB := vec{392, 392}
	lensShape := func(q vec) float64 {
		ring := math.Abs(circle(q, lensC, lensR)) - ringW/2
		handle := segment(q, handleA, handleB) - 27
		return math.Min(ring, handle)
	}
	sd := lensShape(p.sub(vec{8, 12}))
	if sd < 24 {
		c = over(c, rgba{shadowC.r, shadowC.g, shadowC.b, 0.30 * clamp(1-(sd+6)/30, 0, 1)})
	}
	// Glass: a faint white tint inside the ring.
	if circle(p, lensC, lensR) < 0 {
		c = over(c, rgba{1, 1, 1, 0.13})
		// Glint along the upper-left inner edge.
		g := math.Abs(arc(p, lensC, lensR-40, math.Pi*1.08, math.Pi*1.42)) - 7
		if g < 0 {
			c = over(c, rgba{1, 1, 1, 0.35})
		}
	}
	if hook(p) < 0 {
		c = over(c, white)
	}
	if arrowhead(p) < 0 {
		c = over(c, accent)
	}
	if lensShape(p) < 0 {
		c = over(c, white)
	}
	return c
}

func main() {
	size := flag.Int("size", 512, "pixels")
	out := flag.String("o", "icon.png", "output file")
	flag.Parse()
	const ss = 6
	n := *size
	scale := 512 / float64(n)
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					p := vec{(float64(x) + (float64(sx)+0.5)/ss) * scale, (float64(y) + (float64(sy)+0.5)/ss) * scale}
					c := sample(p)
					// Average in premultiplied space so edges do not darken.
					r += c.r * c.a
					g += c.g * c.a
					b += c.b * c.a
					a += c.a
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(x, y, color.NRGBA{
				R: uint8(math.Round(r / a * 255)), G: uint8(math.Round(g / a * 255)),
				B: uint8(math.Round(b / a * 255)), A: uint8(math.Round(a / (ss * ss) * 255)),
			})
		}
	}
	f, err := os.Create(*out)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(f, img); err != nil {
		panic(err)
	}
}
