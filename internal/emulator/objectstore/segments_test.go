package objectstore

import (
	"bytes"
	"hash/crc64"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDiskStorage_composeCopiesNoBytes proves Complete is O(parts): every
// segment of the composed blob is the part's own file (a hard link), not a
// copy, and the parts can be discarded without touching the object.
func TestDiskStorage_composeCopiesNoBytes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := newTestDisk(t, dir)
	parts := []Blob{stage(t, s, "aaaa"), stage(t, s, "bb"), stage(t, s, "c")}
	whole, err := s.Compose(parts)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range parts {
		partFile, err1 := os.Stat(filepath.Join(dir, "blobs", p.ID))
		segment, err2 := os.Stat(filepath.Join(dir, "blobs", whole.ID+"."+string(rune('0'+i))))
		if err1 != nil || err2 != nil || !os.SameFile(partFile, segment) {
			t.Errorf("segment %d is not the part's file: %v %v", i, err1, err2)
		}
	}
	for _, p := range parts {
		if err := s.Discard(p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Commit("b-1", "k", whole, ObjectAttrs{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, body, err := s.Open("b-1", "k")
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	if got, _ := io.ReadAll(body); string(got) != "aaaabbc" {
		t.Errorf("content %q", got)
	}
}

// TestSegmentReader_seekAndRead compares random seeks and reads of a composed
// blob (with empty and one-byte segments) against the same bytes in memory.
func TestSegmentReader_seekAndRead(t *testing.T) {
	t.Parallel()
	s := newTestDisk(t, "")
	contents := []string{"", "x", strings.Repeat("0123456789", 50), "", "tail", strings.Repeat("z", 1000), ""}
	var parts []Blob
	for _, c := range contents {
		parts = append(parts, stage(t, s, c))
	}
	want := []byte(strings.Join(contents, ""))
	whole, err := s.Compose(parts)
	if err != nil {
		t.Fatal(err)
	}
	if whole.Size != int64(len(want)) || whole.CRC64 != crc64.Checksum(want, crc64Table) {
		t.Fatalf("composed %+v", whole)
	}
	if _, err := s.Commit("b-1", "k", whole, ObjectAttrs{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, body, err := s.Open("b-1", "k")
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	model := bytes.NewReader(want)
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range 500 {
		if rng.IntN(3) == 0 {
			offset, whence := int64(rng.IntN(len(want)+20))-10, rng.IntN(3)
			gotPos, gotErr := body.Seek(offset, whence)
			wantPos, wantErr := model.Seek(offset, whence)
			if (gotErr == nil) != (wantErr == nil) || (gotErr == nil && gotPos != wantPos) {
				t.Fatalf("step %d: Seek(%d, %d) = %d, %v; want %d, %v", i, offset, whence, gotPos, gotErr, wantPos, wantErr)
			}
			if gotErr != nil {
				// bytes.Reader keeps its position on error; so does segmentReader.
				continue
			}
		}
		n := rng.IntN(700)
		got, gotErr := io.ReadAll(io.LimitReader(body, int64(n)))
		wantBytes, _ := io.ReadAll(io.LimitReader(model, int64(n)))
		if gotErr != nil || !bytes.Equal(got, wantBytes) {
			t.Fatalf("step %d: read %d bytes (%v), want %d", i, len(got), gotErr, len(wantBytes))
		}
	}
}

// TestDiskStorage_replacedComposedBlobWaitsForReaders: overwriting a
// multipart object keeps its segments until the last open reader closes.
func TestDiskStorage_replacedComposedBlobWaitsForReaders(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := newTestDisk(t, dir)
	parts := []Blob{stage(t, s, "old "), stage(t, s, "content")}
	whole, err := s.Compose(parts)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		_ = s.Discard(p)
	}
	if _, err := s.Commit("b-1", "k", whole, ObjectAttrs{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, r1, _ := s.Open("b-1", "k")
	_, r2, _ := s.Open("b-1", "k")
	if _, err := s.Commit("b-1", "k", stage(t, s, "new"), ObjectAttrs{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	countFiles := func() int {
		entries, _ := os.ReadDir(filepath.Join(dir, "blobs"))
		return len(entries)
	}
	if n := countFiles(); n != 3 {
		t.Fatalf("%d files with two readers open, want 2 segments + the new blob", n)
	}
	_ = r1.Close()
	if got, _ := io.ReadAll(r2); string(got) != "old content" {
		t.Errorf("second reader read %q", got)
	}
	if n := countFiles(); n != 3 {
		t.Fatalf("%d files with one reader open", n)
	}
	_ = r2.Close()
	if n := countFiles(); n != 1 {
		t.Errorf("%d files after the readers closed, want only the new blob", n)
	}
}

func TestDiskStorage_discardComposedAndComposeComposed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := newTestDisk(t, dir)
	part := stage(t, s, "p")
	whole, err := s.Compose([]Blob{part, part})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Compose([]Blob{whole}); err == nil {
		t.Error("composing a composed blob succeeded")
	}
	if err := s.Discard(whole); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit("b-1", "k", whole, ObjectAttrs{}, time.Now()); err == nil {
		t.Error("a discarded composed blob was committed")
	}
	_ = s.Discard(part)
	if entries, _ := os.ReadDir(filepath.Join(dir, "blobs")); len(entries) != 0 {
		t.Errorf("files left: %d", len(entries))
	}
}
