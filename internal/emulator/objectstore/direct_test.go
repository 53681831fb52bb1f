package objectstore

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cos "github.com/tencentyun/cos-go-sdk-v5"
)

func TestDirect_putStatOpenDelete(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	cover := []byte("\x89PNG\r\n\x1a\nfake png")
	info, err := f.store.PutObjectBytes(testBucket, "covers/c.png", cover, "image/png")
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != int64(len(cover)) || info.ETag != `"`+md5Hex(cover)+`"` || info.MD5 != md5Hex(cover) ||
		info.CRC64 != crc64String(cover) || info.Attrs.ContentType != "image/png" || info.Bucket != testBucket || info.Key != "covers/c.png" {
		t.Errorf("PutObjectBytes info %+v", info)
	}
	if got, ok := f.store.Stat(testBucket, "covers/c.png"); !ok || got.ETag != info.ETag {
		t.Errorf("Stat = %+v, %v", got, ok)
	}
	if _, ok := f.store.Stat("other-1250000000", "covers/c.png"); ok {
		t.Error("Stat found the object in another bucket")
	}

	// The object is served over HTTP like any other.
	head, err := f.client(longTermID, longTermKey, "").Object.Head(t.Context(), "covers/c.png", nil)
	if err != nil || head.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("HEAD: %v %v", err, head)
	}

	openInfo, body, ok := f.store.OpenObject(testBucket, "covers/c.png")
	if !ok || openInfo.Size != info.Size {
		t.Fatalf("OpenObject = %+v, %v", openInfo, ok)
	}
	defer body.Close()
	if !f.store.DeleteObject(testBucket, "covers/c.png") {
		t.Fatal("DeleteObject reported no object")
	}
	if got, _ := io.ReadAll(body); !bytes.Equal(got, cover) {
		t.Errorf("reader opened before the delete read %q", got)
	}
	if _, ok := f.store.Stat(testBucket, "covers/c.png"); ok {
		t.Error("Stat after delete")
	}
	if _, _, ok := f.store.OpenObject(testBucket, "covers/c.png"); ok {
		t.Error("OpenObject after delete")
	}
	if f.store.DeleteObject(testBucket, "covers/c.png") {
		t.Error("second DeleteObject reported an object")
	}
	_, err = f.client(longTermID, longTermKey, "").Object.Get(t.Context(), "covers/c.png", nil)
	assertSDKError(t, err, http.StatusNotFound, ErrNoSuchKey)
}

func TestDirect_putObjectBytesDefaultsAndReplaces(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, Options{})
	if _, err := s.PutObjectBytes("b-1", "k", []byte("first"), ""); err != nil {
		t.Fatal(err)
	}
	info, err := s.PutObjectBytes("b-1", "k", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != 0 || info.Attrs.ContentType != defaultContentType || info.CRC64 != "0" {
		t.Errorf("info %+v", info)
	}
	if data, ok := s.Object("b-1", "k"); !ok || len(data) != 0 || len(s.Objects()) != 1 {
		t.Errorf("Object = %q, %v; %d objects", data, ok, len(s.Objects()))
	}
}

// TestDirect_deleteMultipartObjectWhileReading: a composed object deleted
// while a reader is open stays readable to it, and its files go when the
// reader closes.
func TestDirect_deleteMultipartObjectWhileReading(t *testing.T) {
	t.Parallel()
	f, dir := newDirFixture(t)
	c := f.client(tempID, tempKey, tempToken)
	parts := [][]byte{randomBytes(t, mib), randomBytes(t, 1234)}
	completeParts(t, c, writableKey, parts...)
	_, body, ok := f.store.OpenObject(testBucket, writableKey)
	if !ok {
		t.Fatal("OpenObject")
	}
	if !f.store.DeleteObject(testBucket, writableKey) {
		t.Fatal("DeleteObject")
	}
	if files := blobFiles(t, dir); len(files) != 2 {
		t.Errorf("segments removed under an open reader: %v", files)
	}
	if got, _ := io.ReadAll(body); !bytes.Equal(got, bytes.Join(parts, nil)) {
		t.Errorf("read %d bytes", len(got))
	}
	if err := body.Close(); err != nil {
		t.Fatal(err)
	}
	if err := body.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	if files := blobFiles(t, dir); len(files) != 0 {
		t.Errorf("files after the last reader closed: %v", files)
	}
}

func TestDirect_pendingUploadsOldestFirst(t *testing.T) {
	t.Parallel()
	// The store's clock runs ahead of the client's (within the signature
	// window) so that the upload initiated second is the older one.
	var ahead atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	f := newFixture(t, nil)
	f.store = newTestStore(t, Options{Authorize: testGrants(time.Now), AppID: testAppID, Clock: clock})
	c := f.client(tempID, tempKey, tempToken)
	ahead.Store(int64(10 * time.Minute))
	later := initiate(t, c, writableKey2)
	ahead.Store(int64(5 * time.Minute))
	before := time.Now().Add(5 * time.Minute)
	older := initiate(t, c, writableKey)
	uploadPart(t, c, writableKey, older, 5, []byte("x"))
	pending := f.store.PendingUploads()
	if len(pending) != 2 || pending[0].UploadID != older || pending[1].UploadID != later ||
		pending[0].Parts != 1 || pending[0].Initiated.Before(before) || pending[1].Key != writableKey2 {
		t.Fatalf("PendingUploads %+v", pending)
	}
	if !strings.HasPrefix(older, strconv.FormatInt(pending[0].Initiated.Unix(), 10)) {
		t.Errorf("upload ID %q does not start with the Unix time", older)
	}
	if _, err := c.Object.AbortMultipartUpload(t.Context(), writableKey2, later, &cos.AbortMultipartUploadOptions{}); err != nil {
		t.Fatal(err)
	}
	if p := f.store.PendingUploads(); len(p) != 1 || p[0].UploadID != older {
		t.Errorf("after abort %+v", p)
	}
}
