package objectstore

import (
	"bytes"
	"errors"
	"hash/crc64"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func newTestDisk(t *testing.T, dir string) Storage {
	t.Helper()
	s, err := NewDiskStorage(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func stage(t *testing.T, s Storage, content string) Blob {
	t.Helper()
	b, err := s.Stage(strings.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDiskStorage_composeParts is the multipart building block: parts are
// staged separately and composed into one blob with whole-object digests.
func TestDiskStorage_composeParts(t *testing.T) {
	t.Parallel()
	s := newTestDisk(t, "")
	parts := []Blob{stage(t, s, "hello, "), stage(t, s, "multipart "), stage(t, s, "world")}
	whole, err := s.Compose(parts)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte("hello, multipart world")
	if whole.Size != int64(len(want)) || whole.Parts != 3 || whole.MD5Hex() != "" || whole.CRC64 != crc64.Checksum(want, crc64Table) {
		t.Errorf("composed blob %+v", whole)
	}
	for _, p := range parts {
		if err := s.Discard(p); err != nil {
			t.Fatal(err)
		}
	}
	info, err := s.Commit("b-1", "k", whole, ObjectAttrs{ETag: `"custom-3"`}, time.Unix(100, 5))
	if err != nil {
		t.Fatal(err)
	}
	if info.ETag != `"custom-3"` || !info.LastModified.Equal(time.Unix(100, 0)) {
		t.Errorf("info %+v", info)
	}
	_, body, err := s.Open("b-1", "k")
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	if got, _ := io.ReadAll(body); !bytes.Equal(got, want) {
		t.Errorf("content %q", got)
	}
}

func TestDiskStorage_readerSurvivesOverwrite(t *testing.T) {
	t.Parallel()
	s := newTestDisk(t, "")
	if _, err := s.Commit("b-1", "k", stage(t, s, "old"), ObjectAttrs{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, body, err := s.Open("b-1", "k")
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	if _, err := s.Commit("b-1", "k", stage(t, s, "new"), ObjectAttrs{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(body); string(got) != "old" {
		t.Errorf("open reader saw %q", got)
	}
	if _, err := s.Stat("b-1", "missing"); !errors.Is(err, ErrNoSuchObject) {
		t.Errorf("Stat missing: %v", err)
	}
}

func TestDiskStorage_failedStageLeavesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := newTestDisk(t, dir)
	boom := errors.New("client went away")
	if _, err := s.Stage(io.MultiReader(strings.NewReader("partial"), errReader{boom})); !errors.Is(err, boom) {
		t.Fatalf("Stage error = %v", err)
	}
	for _, sub := range []string{"blobs", "tmp"} {
		entries, _ := os.ReadDir(filepath.Join(dir, sub))
		if len(entries) != 0 {
			t.Errorf("%s holds %d files after a failed stage", sub, len(entries))
		}
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestDiskStorage_closeRemovesOnlyItsOwnDirectory(t *testing.T) {
	t.Parallel()
	given := t.TempDir()
	s, err := NewDiskStorage(given)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(given); err != nil {
		t.Errorf("caller's directory removed: %v", err)
	}

	temp, err := NewDiskStorage("")
	if err != nil {
		t.Fatal(err)
	}
	disk, ok := temp.(*diskStorage)
	if !ok {
		t.Fatalf("NewDiskStorage returned %T", temp)
	}
	dir := disk.dir
	if err := temp.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("temporary directory %s still exists: %v", dir, err)
	}
}

func TestStore_incompleteBodyIsNotStored(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, Options{Authorize: testGrants(time.Now)})
	r := httptest.NewRequest(http.MethodPut, "/k", strings.NewReader("short"))
	r.ContentLength = 10
	blob, cerr := s.stageBody(r, nil)
	if cerr == nil || cerr.code != ErrIncompleteBody {
		t.Fatalf("stageBody = %+v, %v", blob, cerr)
	}
	if n := len(s.Objects()); n != 0 {
		t.Errorf("%d objects", n)
	}
}
