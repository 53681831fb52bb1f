package objectstore

import "testing"

func TestGrant_writableDirsHoldOnlyPlainKeysBelowThem(t *testing.T) {
	t.Parallel()
	g := Grant{WritableKeys: []string{"1/abc/media.m3u8"}, WritableDirs: []string{"1/abc/"}}
	for key, want := range map[string]bool{
		"1/abc/media.m3u8":    true,
		"1/abc/seg1.ts":       true,
		"1/abc/720p/seg1.ts":  true,
		"1/abcd/seg1.ts":      false,
		"1/other/seg1.ts":     false,
		"1/abc/":              false,
		"1/abc/../x/seg.ts":   false,
		"1/abc/./seg.ts":      false,
		"1/abc//seg.ts":       false,
		"1/abc/720p/../../x":  false,
		"seg1.ts":             false,
		"1/abc/720p/.hidden":  true,
		"1/abc/720p/a..b.ts":  true,
		"1/abc/720p/seg1.ts/": false,
	} {
		if got := g.mayWrite(key); got != want {
			t.Errorf("mayWrite(%q) = %v, want %v", key, got, want)
		}
		if got := g.mayRead(key); got != want {
			t.Errorf("mayRead(%q) = %v, want %v", key, got, want)
		}
	}
}
