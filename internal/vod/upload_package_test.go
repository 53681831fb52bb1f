package vod_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator/objectstore"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// testPackage writes a master playlist with two variants in subdirectories, n segments each, and a
// large init section, and returns it with its contents by relative path.
func testPackage(t *testing.T, n int) (vod.Package, map[string][]byte) {
	t.Helper()
	dir := t.TempDir()
	contents := map[string][]byte{}
	pkg := vod.Package{Manifest: filepath.Join(dir, "master.m3u8")}
	add := func(rel string, content []byte) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, content, 0o600); err != nil {
			t.Fatal(err)
		}
		contents[rel] = content
		if rel != "master.m3u8" {
			pkg.Files = append(pkg.Files, vod.PackageFile{Path: p, Rel: rel, Size: int64(len(content))})
		}
	}
	add("master.m3u8", []byte("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nhi/index.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2\nlo/index.m3u8\n"))
	for _, variant := range []string{"hi", "lo"} {
		playlist := "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n"
		for i := range n {
			playlist += fmt.Sprintf("#EXTINF:4,\nseg%02d.ts\n", i)
		}
		add(variant+"/index.m3u8", []byte(playlist))
		add(variant+"/init.mp4", bytes.Repeat([]byte(variant), 3*mib/2)) // 3 MiB: a multipart upload
		for i := range n {
			add(fmt.Sprintf("%s/seg%02d.ts", variant, i), []byte(strings.Repeat(fmt.Sprintf("%s segment %d;", variant, i), 500)))
		}
	}
	return pkg, contents
}

// inFlightCounter counts the object-store PUTs in flight, holding each a little so that concurrent
// ones overlap.
type inFlightCounter struct {
	now, most atomic.Int64
}

func (c *inFlightCounter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			n := c.now.Add(1)
			defer c.now.Add(-1)
			for {
				most := c.most.Load()
				if n <= most || c.most.CompareAndSwap(most, n) {
					break
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		next.ServeHTTP(w, r)
	})
}

func openPackageSession(t *testing.T, srv *emulator.Server, cosEndpoint string, cfgs ...func(*vod.Config)) (*vod.Client, *vod.ApplyUploadResponse, string) {
	t.Helper()
	cfg := emulatorConfig(t, srv)
	cfg.SecretID, cfg.SecretKey = emulator.DefaultSecretID, emulator.DefaultSecretKey
	cfg.COSEndpoint = cosEndpoint
	for _, f := range cfgs {
		f(&cfg)
	}
	c, err := vod.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	apply, err := c.ApplyUpload(context.Background(), &vod.ApplyUploadRequest{MediaType: "m3u8", MediaName: "show"})
	if err != nil {
		t.Fatal(err)
	}
	bucketURL, err := c.BucketURL(apply.StorageBucket, apply.StorageRegion)
	if err != nil {
		t.Fatal(err)
	}
	return c, apply, bucketURL
}

func TestUploadPackage_storesEveryFileNextToTheManifest(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	counter := &inFlightCounter{}
	cos := httptest.NewServer(counter.wrap(srv.Handler()))
	t.Cleanup(cos.Close)
	c, apply, bucketURL := openPackageSession(t, srv, cos.URL)
	pkg, contents := testPackage(t, 10)
	partsBefore := srv.ObjectStore().PartsStored()

	result, err := c.UploadPackage(context.Background(), apply.TempCertificate, bucketURL, apply.MediaStoragePath, pkg,
		vod.UploadOptions{PartSize: 1 * mib, Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	dir := path.Dir(strings.TrimPrefix(apply.MediaStoragePath, "/"))
	for rel, content := range contents {
		key := path.Join(dir, rel)
		if rel == "master.m3u8" {
			key = strings.TrimPrefix(apply.MediaStoragePath, "/")
		}
		if stored, ok := srv.Object(apply.StorageBucket, key); !ok || !bytes.Equal(stored, content) {
			t.Errorf("%s: stored %d bytes (exists %v), want %d", key, len(stored), ok, len(content))
		}
		total += int64(len(content))
	}
	if result.Files != len(contents) || result.Bytes != total {
		t.Errorf("result %+v, want %d files of %d bytes", result, len(contents), total)
	}
	if parts := srv.ObjectStore().PartsStored() - partsBefore; parts != 6 {
		t.Errorf("%d parts stored, want the two 3 MiB init sections in 3 parts each", parts)
	}
	if most := counter.most.Load(); most < 2 || most > 3 {
		t.Errorf("at most %d PUTs were in flight at once, want 2 or 3 (concurrency 3)", most)
	}
	if _, err := c.CommitUpload(context.Background(), &vod.CommitUploadRequest{VodSessionKey: apply.VodSessionKey}); err != nil {
		t.Fatalf("CommitUpload of the package: %v", err)
	}
}

func TestUploadPackage_failureRemovesWhatWasStored(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	c, apply, bucketURL := openPackageSession(t, srv, srv.URL())
	pkg, _ := testPackage(t, 10)
	srv.ObjectStore().InjectFault(objectstore.Fault{Method: http.MethodPut, KeySuffix: "lo/seg07.ts", HTTPStatus: http.StatusForbidden})

	_, err := c.UploadPackage(context.Background(), apply.TempCertificate, bucketURL, apply.MediaStoragePath, pkg,
		vod.UploadOptions{PartSize: 1 * mib, Concurrency: 4})
	if !errors.Is(err, vod.ErrPackageFile) || !strings.Contains(err.Error(), `"lo/seg07.ts"`) {
		t.Fatalf("error %v, want one naming lo/seg07.ts", err)
	}
	dir := path.Dir(apply.MediaStoragePath)[1:] + "/"
	for _, o := range srv.ObjectStore().Objects() {
		if strings.HasPrefix(o.Key, dir) {
			t.Errorf("%s is still stored after the failed package upload", o.Key)
		}
	}
	if pending := srv.ObjectStore().PendingUploads(); len(pending) != 0 {
		t.Errorf("%d multipart uploads left pending", len(pending))
	}
}

func TestUploadPackage_refusesPathsOutsideTheDirectory(t *testing.T) {
	t.Parallel()
	c, err := vod.NewClient(vod.Config{SecretID: "id", SecretKey: "key", Getenv: func(string) string { return "" }, HomeDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"../x.ts", "/abs.ts", "a/../../x.ts", "./a.ts", ""} {
		_, err := c.UploadPackage(context.Background(), vod.TempCertificate{}, "http://127.0.0.1:1", "/1/d/m.m3u8",
			vod.Package{Manifest: "m.m3u8", Files: []vod.PackageFile{{Path: "x", Rel: rel}}}, vod.UploadOptions{})
		if err == nil || !strings.Contains(err.Error(), "not a relative path") {
			t.Errorf("Rel %q: error %v", rel, err)
		}
	}
}

// A package upload that takes a while logs its progress at Info, in files and bytes.
func TestUploadPackage_logsProgress(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	logger := &lineLogger{}
	c, apply, bucketURL := openPackageSession(t, srv, srv.URL(), func(cfg *vod.Config) { cfg.Logger = logger })
	vod.SetProgressLogInterval(c, 20*time.Millisecond)
	srv.ObjectStore().InjectFault(objectstore.Fault{Method: http.MethodPut, Latency: 30 * time.Millisecond})
	pkg, contents := testPackage(t, 6)

	if _, err := c.UploadPackage(context.Background(), apply.TempCertificate, bucketURL, apply.MediaStoragePath, pkg,
		vod.UploadOptions{PartSize: 4 * mib, Concurrency: 2}); err != nil {
		t.Fatal(err)
	}
	if n := logger.count("INFO", "vod: package upload in progress"); n == 0 {
		t.Errorf("no progress logged at INFO:\n%s", logger.text())
	}
	if n := logger.count("INFO", "vod: package upload finished"); n != 1 || !strings.Contains(logger.text(), fmt.Sprintf("files_total:%d", len(contents))) {
		t.Errorf("%d end lines, want 1 naming %d files:\n%s", n, len(contents), logger.text())
	}
}

// A package is never resumed, so none of its files is checkpointed, not even one uploaded in parts.
func TestUploadPackage_neverCheckpointsAFile(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	c, apply, bucketURL := openPackageSession(t, srv, srv.URL())
	pkg, _ := testPackage(t, 2)
	var checkpoints atomic.Int64
	_, err := c.UploadPackage(context.Background(), apply.TempCertificate, bucketURL, apply.MediaStoragePath, pkg,
		vod.UploadOptions{PartSize: 1 * mib, Checkpoint: func(context.Context, vod.MultipartUpload) bool {
			checkpoints.Add(1)
			return true
		}})
	if err != nil {
		t.Fatal(err)
	}
	if n := checkpoints.Load(); n != 0 {
		t.Errorf("%d files of the package were checkpointed", n)
	}
}

// heldPUTs stands for a store that received a PUT whole, lost the client to an interrupt, and stores
// the object only after the client's cleanup has deleted the key: the first segment PUT cancels the
// upload, and is stored while the first DELETE of its key is being answered.
type heldPUTs struct {
	next      http.Handler
	interrupt func()
	once      sync.Once
	mu        sync.Mutex
	held      map[string]*http.Request
	bodies    map[string][]byte
	replayed  atomic.Int64
}

func (h *heldPUTs) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, ".ts") && r.URL.RawQuery == "":
		held := false
		h.once.Do(func() {
			body, _ := io.ReadAll(r.Body)
			h.mu.Lock()
			h.held[r.URL.Path], h.bodies[r.URL.Path] = r.Clone(context.Background()), body
			h.mu.Unlock()
			h.interrupt()
			<-r.Context().Done() // the client gave up on it
			held = true
		})
		if !held {
			h.next.ServeHTTP(w, r)
		}
	case r.Method == http.MethodDelete:
		h.next.ServeHTTP(w, r)
		h.mu.Lock()
		put, ok := h.held[r.URL.Path]
		delete(h.held, r.URL.Path)
		h.mu.Unlock()
		if ok {
			put.Body = io.NopCloser(bytes.NewReader(h.bodies[r.URL.Path]))
			recorder := httptest.NewRecorder()
			h.next.ServeHTTP(recorder, put)
			if recorder.Code == http.StatusOK {
				h.replayed.Add(1)
			}
		}
	default:
		h.next.ServeHTTP(w, r)
	}
}

// A segment the store keeps after the interrupt's cleanup deleted its key is deleted again: nothing is
// left in the session's directory.
func TestUploadPackage_interruptDeletesAgainWhatWasInFlight(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := &heldPUTs{next: srv.Handler(), interrupt: cancel, held: map[string]*http.Request{}, bodies: map[string][]byte{}}
	cos := httptest.NewServer(store)
	t.Cleanup(cos.Close)
	c, apply, bucketURL := openPackageSession(t, srv, cos.URL)
	pkg, _ := testPackage(t, 10)

	_, err := c.UploadPackage(ctx, apply.TempCertificate, bucketURL, apply.MediaStoragePath, pkg,
		vod.UploadOptions{PartSize: 4 * mib, Concurrency: 4})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want the interrupt", err)
	}
	if store.replayed.Load() != 1 {
		t.Fatalf("the held PUT was stored %d times after the first DELETE, want once", store.replayed.Load())
	}
	dir := path.Dir(apply.MediaStoragePath)[1:] + "/"
	for _, o := range srv.ObjectStore().Objects() {
		if strings.HasPrefix(o.Key, dir) {
			t.Errorf("%s is still stored after the interrupted package upload", o.Key)
		}
	}
	if pending := srv.ObjectStore().PendingUploads(); len(pending) != 0 {
		t.Errorf("%d multipart uploads left pending", len(pending))
	}
}

// deleteCounter counts the DELETEs in flight, holding each a little so that concurrent ones overlap.
type deleteCounter struct {
	next      http.Handler
	now, most atomic.Int64
}

func (c *deleteCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodDelete {
		n := c.now.Add(1)
		defer c.now.Add(-1)
		for most := c.most.Load(); n > most && !c.most.CompareAndSwap(most, n); most = c.most.Load() {
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.next.ServeHTTP(w, r)
}

// The cleanup deletes many files at once even when they were uploaded one at a time (DELETEs carry no
// bytes), and an error about files it could not delete names a few of them, not thousands.
func TestUploadPackage_cleanupOfManyFiles(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	counter := &deleteCounter{next: srv.Handler()}
	cos := httptest.NewServer(counter)
	t.Cleanup(cos.Close)
	c, apply, bucketURL := openPackageSession(t, srv, cos.URL)
	pkg, _ := testPackage(t, 10)
	lastFile := pkg.Files[len(pkg.Files)-1].Rel
	srv.ObjectStore().InjectFault(objectstore.Fault{Method: http.MethodPut, KeySuffix: lastFile, HTTPStatus: http.StatusForbidden})
	opts := vod.UploadOptions{PartSize: 4 * mib, Concurrency: 1}

	_, err := c.UploadPackage(context.Background(), apply.TempCertificate, bucketURL, apply.MediaStoragePath, pkg, opts)
	if !errors.Is(err, vod.ErrPackageFile) {
		t.Fatalf("error %v, want the failed file", err)
	}
	if most := counter.most.Load(); most < 2 {
		t.Errorf("at most %d DELETEs were in flight at once; the cleanup deleted the files one at a time", most)
	}

	srv.ObjectStore().InjectFault(objectstore.Fault{Method: http.MethodDelete, HTTPStatus: http.StatusForbidden})
	_, err = c.UploadPackage(context.Background(), apply.TempCertificate, bucketURL, apply.MediaStoragePath, pkg, opts)
	want := fmt.Sprintf("%d of the %d files sent so far could not be deleted", len(pkg.Files)+1, len(pkg.Files)+1)
	if err == nil || !strings.Contains(err.Error(), want) || !strings.HasSuffix(err.Error(), fmt.Sprintf(" and %d more", len(pkg.Files)+1-10)) {
		t.Errorf("error %v, want %q and ten keys named", err, want)
	}
}
