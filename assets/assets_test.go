package assets

import (
	"bytes"
	"image/png"
	"io/fs"
	"testing"
)

func TestIconIsA512SquarePNGWithRoundedCorners(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(Icon))
	if err != nil {
		t.Fatalf("icon.png does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
		t.Fatalf("icon is %dx%d, want 512x512", b.Dx(), b.Dy())
	}
	if _, _, _, a := img.At(2, 2).RGBA(); a != 0 {
		t.Errorf("top-left corner alpha %d, want transparent (rounded square)", a)
	}
	if _, _, _, a := img.At(256, 40).RGBA(); a != 0xffff {
		t.Errorf("top edge alpha %d, want opaque", a)
	}
	r := IconResource()
	if r.Name() != "icon.png" || !bytes.Equal(r.Content(), Icon) {
		t.Errorf("IconResource = %q with %d bytes", r.Name(), len(r.Content()))
	}
}

func TestTemplatesAreEmbedded(t *testing.T) {
	names, err := fs.Glob(Templates, "templates/*.json")
	if err != nil || len(names) < 20 {
		t.Fatalf("embedded templates: %d files, %v", len(names), err)
	}
}
