package objectstore

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cos "github.com/tencentyun/cos-go-sdk-v5"
)

const mib = 1 << 20

// newDirFixture is a fixture whose storage lives in a directory the test can
// inspect for leftover files.
func newDirFixture(t *testing.T) (*fixture, string) {
	t.Helper()
	f := newFixture(t, nil)
	dir := t.TempDir()
	f.store = newTestStore(t, Options{Authorize: testGrants(time.Now), AppID: testAppID, Dir: dir})
	return f, dir
}

// blobFiles lists the files the storage holds (staged blobs, part links).
func blobFiles(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	for _, sub := range []string{"blobs", "tmp"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			names = append(names, sub+"/"+e.Name())
		}
	}
	return names
}

func writeTempFile(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "upload.bin")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// wantMultipartETag is the S3-style ETag computed independently of the store.
func wantMultipartETag(parts ...[]byte) string {
	var sums []byte
	for _, p := range parts {
		sum := md5.Sum(p)
		sums = append(sums, sum[:]...)
	}
	whole := md5.Sum(sums)
	return fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(whole[:]), len(parts))
}

func assertNoPendingUploads(t *testing.T, s *Store) {
	t.Helper()
	if pending := s.PendingUploads(); len(pending) != 0 {
		t.Errorf("pending uploads: %+v", pending)
	}
}

func assertObject(t *testing.T, s *Store, key string, want []byte) {
	t.Helper()
	got, ok := s.Object(testBucket, key)
	if !ok {
		t.Fatalf("object %q missing", key)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("object %q: %d bytes, want %d (content differs)", key, len(got), len(want))
	}
}

// TestMultipart_sdkUpload drives Object.Upload, which splits the file into
// 1 MiB parts sent by concurrent workers and checks the whole-object CRC-64
// returned by Complete against its own.
func TestMultipart_sdkUpload(t *testing.T) {
	t.Parallel()
	f, dir := newDirFixture(t)
	c := f.client(tempID, tempKey, tempToken)
	data := randomBytes(t, 3*mib+12345)
	path := writeTempFile(t, data)
	res, _, err := c.Object.Upload(t.Context(), writableKey, path, &cos.MultiUploadOptions{
		PartSize: 1, ThreadPoolSize: 3,
		OptIni: &cos.InitiateMultipartUploadOptions{ObjectPutHeaderOptions: &cos.ObjectPutHeaderOptions{
			ContentType: "video/mp4", XCosMetaXXX: &http.Header{"X-Cos-Meta-Origin": {"multipart"}},
		}},
	})
	if err != nil {
		t.Fatalf("Upload: %v", err)
	}
	want := wantMultipartETag(data[:mib], data[mib:2*mib], data[2*mib:3*mib], data[3*mib:])
	if res.ETag != want || res.Key != writableKey || res.Bucket != testBucket {
		t.Errorf("result %+v, want ETag %s", res, want)
	}
	assertObject(t, f.store, writableKey, data)
	assertNoPendingUploads(t, f.store)

	head, err := c.Object.Head(t.Context(), writableKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, value := range map[string]string{
		"Content-Length": strconv.Itoa(len(data)), "ETag": want, "Content-Type": "video/mp4",
		"X-Cos-Hash-Crc64ecma": crc64String(data), "X-Cos-Meta-Origin": "multipart",
	} {
		if got := head.Header.Get(name); got != value {
			t.Errorf("HEAD %s = %q, want %q", name, got, value)
		}
	}
	info, ok := f.store.Stat(testBucket, writableKey)
	if !ok || info.MD5 != "" || info.Size != int64(len(data)) || info.CRC64 != crc64String(data) {
		t.Errorf("Stat = %+v, %v (multipart objects leave MD5 empty)", info, ok)
	}

	// Only the object's four segment links remain: parts were discarded.
	if files := blobFiles(t, dir); len(files) != 4 {
		t.Errorf("storage files after Complete: %v", files)
	}
}

// TestMultipart_rangeReadsAcrossParts reads the composed object through GET
// with ranges that start, end and straddle part boundaries.
func TestMultipart_rangeReadsAcrossParts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c := f.client(tempID, tempKey, tempToken)
	data := randomBytes(t, 2*mib+100)
	if _, _, err := c.Object.Upload(t.Context(), writableKey, writeTempFile(t, data), &cos.MultiUploadOptions{PartSize: 1}); err != nil {
		t.Fatal(err)
	}
	ranges := [][2]int{{0, 0}, {mib - 10, mib + 10}, {mib, mib}, {mib - 1, 2*mib + 5}, {2 * mib, len(data) - 1}, {5, len(data) - 1}}
	for _, r := range ranges {
		resp, err := c.Object.Get(t.Context(), writableKey, &cos.ObjectGetOptions{Range: fmt.Sprintf("bytes=%d-%d", r[0], r[1])})
		if err != nil {
			t.Fatalf("GET range %v: %v", r, err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(got, data[r[0]:r[1]+1]) {
			t.Errorf("range %v: status %d, %d bytes", r, resp.StatusCode, len(got))
		}
	}
}

// TestMultipart_partLevelCalls uses each part-level SDK call: parts uploaded
// out of order, one overwritten, listed page by page, then completed.
func TestMultipart_partLevelCalls(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c := f.client(tempID, tempKey, tempToken)
	ctx := t.Context()
	key := writableKey2 // non-ASCII key: travels encoded, listed url-encoded

	init, _, err := c.Object.InitiateMultipartUpload(ctx, key, &cos.InitiateMultipartUploadOptions{
		ObjectPutHeaderOptions: &cos.ObjectPutHeaderOptions{ContentType: "image/jpeg"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if init.UploadID == "" || init.Key != key || init.Bucket != testBucket {
		t.Fatalf("initiate result %+v", init)
	}
	pending := f.store.PendingUploads()
	if len(pending) != 1 || pending[0].UploadID != init.UploadID || pending[0].Key != key || pending[0].Bucket != testBucket || pending[0].Parts != 0 {
		t.Fatalf("PendingUploads = %+v", pending)
	}

	parts := [][]byte{randomBytes(t, mib), randomBytes(t, mib+1), randomBytes(t, 777)}
	first2 := randomBytes(t, mib) // part 2 is uploaded twice; the second one counts
	upload := func(n int, body []byte) {
		t.Helper()
		resp, err := c.Object.UploadPart(ctx, key, init.UploadID, n, bytes.NewReader(body), nil)
		if err != nil {
			t.Fatalf("UploadPart %d: %v", n, err)
		}
		if got := resp.Header.Get("ETag"); got != `"`+md5Hex(body)+`"` {
			t.Errorf("part %d ETag %s", n, got)
		}
		if got := resp.Header.Get("X-Cos-Hash-Crc64ecma"); got != crc64String(body) {
			t.Errorf("part %d CRC %s", n, got)
		}
	}
	upload(3, parts[2])
	upload(2, first2)
	upload(1, parts[0])
	upload(2, parts[1])
	if p := f.store.PendingUploads(); len(p) != 1 || p[0].Parts != 3 {
		t.Fatalf("PendingUploads = %+v", p)
	}

	page1, _, err := c.Object.ListParts(ctx, key, init.UploadID, &cos.ObjectListPartsOptions{MaxParts: "2", EncodingType: "url"})
	if err != nil {
		t.Fatal(err)
	}
	if !page1.IsTruncated || len(page1.Parts) != 2 || page1.Parts[0].PartNumber != 1 || page1.Parts[1].PartNumber != 2 ||
		page1.NextPartNumberMarker != "2" || page1.MaxParts != "2" || page1.EncodingType != "url" || page1.UploadID != init.UploadID {
		t.Fatalf("page 1 %+v", page1)
	}
	if decoded, err := url.QueryUnescape(page1.Key); err != nil || decoded != key || page1.Key == key {
		t.Errorf("url-encoded Key %q", page1.Key)
	}
	if page1.Parts[1].ETag != `"`+md5Hex(parts[1])+`"` || page1.Parts[1].Size != int64(len(parts[1])) {
		t.Errorf("part 2 listed as %+v: the re-upload should have replaced it", page1.Parts[1])
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", page1.Parts[0].LastModified); err != nil {
		t.Errorf("LastModified: %v", err)
	}
	if page1.Initiator == nil || page1.Owner == nil || strings.Contains(page1.Initiator.ID, tempID) {
		t.Errorf("Initiator/Owner %+v %+v", page1.Initiator, page1.Owner)
	}
	page2, _, err := c.Object.ListParts(ctx, key, init.UploadID, &cos.ObjectListPartsOptions{PartNumberMarker: page1.NextPartNumberMarker})
	if err != nil {
		t.Fatal(err)
	}
	if page2.IsTruncated || len(page2.Parts) != 1 || page2.Parts[0].PartNumber != 3 || page2.Key != key || page2.PartNumberMarker != "2" {
		t.Fatalf("page 2 %+v", page2)
	}

	var complete cos.CompleteMultipartUploadOptions
	for i, p := range parts {
		complete.Parts = append(complete.Parts, cos.Object{PartNumber: i + 1, ETag: `"` + md5Hex(p) + `"`})
	}
	res, resp, err := c.Object.CompleteMultipartUpload(ctx, key, init.UploadID, &complete)
	if err != nil {
		t.Fatal(err)
	}
	whole := bytes.Join(parts, nil)
	if res.ETag != wantMultipartETag(parts...) || res.Key != key || res.Bucket != testBucket || !strings.HasSuffix(res.Location, "/"+key) {
		t.Errorf("complete result %+v", res)
	}
	if got := resp.Header.Get("X-Cos-Hash-Crc64ecma"); got != crc64String(whole) {
		t.Errorf("whole-object CRC %s, want %s", got, crc64String(whole))
	}
	assertObject(t, f.store, key, whole)
	assertNoPendingUploads(t, f.store)
	if info, _ := f.store.Stat(testBucket, key); info.Attrs.ContentType != "image/jpeg" {
		t.Errorf("Content-Type from Initiate lost: %+v", info.Attrs)
	}

	// The upload is over: its ID is unknown now.
	_, err = c.Object.UploadPart(ctx, key, init.UploadID, 4, strings.NewReader("late"), nil)
	assertSDKError(t, err, http.StatusNotFound, ErrNoSuchUpload)
	_, _, err = c.Object.ListParts(ctx, key, init.UploadID, nil)
	assertSDKError(t, err, http.StatusNotFound, ErrNoSuchUpload)
}

func TestMultipart_singlePartAndOverwrite(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c := f.client(tempID, tempKey, tempToken)
	ctx := t.Context()
	if _, err := c.Object.Put(ctx, writableKey, strings.NewReader("simple object first"), nil); err != nil {
		t.Fatal(err)
	}
	// A single small part is allowed: it is the last one.
	data := []byte("just one small part")
	completeParts(t, c, writableKey, data)
	assertObject(t, f.store, writableKey, data)
	if n := len(f.store.Objects()); n != 1 {
		t.Errorf("%d objects", n)
	}
}

// completeParts runs a whole part-level upload of the given parts.
func completeParts(t *testing.T, c *cos.Client, key string, parts ...[]byte) *cos.CompleteMultipartUploadResult {
	t.Helper()
	ctx := t.Context()
	id := initiate(t, c, key)
	opt := &cos.CompleteMultipartUploadOptions{}
	for i, p := range parts {
		opt.Parts = append(opt.Parts, cos.Object{PartNumber: i + 1, ETag: uploadPart(t, c, key, id, i+1, p)})
	}
	res, _, err := c.Object.CompleteMultipartUpload(ctx, key, id, opt)
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	return res
}

func initiate(t *testing.T, c *cos.Client, key string) string {
	t.Helper()
	res, _, err := c.Object.InitiateMultipartUpload(t.Context(), key, nil)
	if err != nil {
		t.Fatalf("Initiate: %v", err)
	}
	return res.UploadID
}

func uploadPart(t *testing.T, c *cos.Client, key, id string, n int, body []byte) string {
	t.Helper()
	resp, err := c.Object.UploadPart(t.Context(), key, id, n, bytes.NewReader(body), nil)
	if err != nil {
		t.Fatalf("UploadPart %d: %v", n, err)
	}
	return resp.Header.Get("ETag")
}

// TestMultipart_completeRules covers the COS rules of Complete through the
// SDK. Each rejection leaves the upload usable, so a correct Complete follows.
func TestMultipart_completeRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c := f.client(tempID, tempKey, tempToken)
	ctx := t.Context()
	small, big1, big2 := randomBytes(t, 1000), randomBytes(t, mib), randomBytes(t, mib+5)
	id := initiate(t, c, writableKey)
	e1 := uploadPart(t, c, writableKey, id, 1, big1)
	e2 := uploadPart(t, c, writableKey, id, 2, small)
	e3 := uploadPart(t, c, writableKey, id, 3, big2)
	e4 := uploadPart(t, c, writableKey, id, 4, small)
	part := func(n int, etag string) cos.Object { return cos.Object{PartNumber: n, ETag: etag} }
	cases := []struct {
		name  string
		parts []cos.Object
		code  ErrorCode
	}{
		{"small part not last", []cos.Object{part(1, e1), part(2, e2), part(3, e3)}, ErrEntityTooSmall},
		{"descending", []cos.Object{part(1, e1), part(3, e3), part(2, e2)}, ErrInvalidPartOrder},
		{"duplicate", []cos.Object{part(1, e1), part(1, e1)}, ErrInvalidPartOrder},
		{"gap", []cos.Object{part(1, e1), part(3, e3)}, ErrInvalidPart},
		{"wrong ETag", []cos.Object{part(1, e1), part(2, `"`+md5Hex(big1)+`"`)}, ErrInvalidPart},
		{"never uploaded", []cos.Object{part(4, e4), part(5, e4)}, ErrInvalidPart},
	}
	for _, tc := range cases {
		_, _, err := c.Object.CompleteMultipartUpload(ctx, writableKey, id, &cos.CompleteMultipartUploadOptions{Parts: tc.parts})
		if err == nil {
			t.Fatalf("%s: Complete succeeded", tc.name)
		}
		assertSDKError(t, err, http.StatusBadRequest, tc.code)
	}
	if len(f.store.Objects()) != 0 || len(f.store.PendingUploads()) != 1 {
		t.Fatalf("rejected Completes changed state: objects %v, pending %v", f.store.Objects(), f.store.PendingUploads())
	}

	// Parts need not start at 1; unlisted parts are dropped. Unquoted ETags are accepted.
	res, _, err := c.Object.CompleteMultipartUpload(ctx, writableKey, id, &cos.CompleteMultipartUploadOptions{
		Parts: []cos.Object{part(3, strings.Trim(e3, `"`)), part(4, e4)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.ETag != wantMultipartETag(big2, small) {
		t.Errorf("ETag %s", res.ETag)
	}
	assertObject(t, f.store, writableKey, append(append([]byte{}, big2...), small...))
	assertNoPendingUploads(t, f.store)
	_, _, err = c.Object.CompleteMultipartUpload(ctx, writableKey, id, &cos.CompleteMultipartUploadOptions{Parts: []cos.Object{part(3, e3)}})
	assertSDKError(t, err, http.StatusNotFound, ErrNoSuchUpload)
}

func TestMultipart_abortDiscardsParts(t *testing.T) {
	t.Parallel()
	f, dir := newDirFixture(t)
	c := f.client(tempID, tempKey, tempToken)
	ctx := t.Context()
	id := initiate(t, c, writableKey)
	uploadPart(t, c, writableKey, id, 1, randomBytes(t, mib))
	uploadPart(t, c, writableKey, id, 2, randomBytes(t, 10))
	if files := blobFiles(t, dir); len(files) != 2 {
		t.Fatalf("files before abort: %v", files)
	}
	resp, err := c.Object.AbortMultipartUpload(ctx, writableKey, id)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("Abort status %d", resp.StatusCode)
	}
	assertNoPendingUploads(t, f.store)
	if files := blobFiles(t, dir); len(files) != 0 {
		t.Errorf("files after abort: %v", files)
	}
	if n := len(f.store.Objects()); n != 0 {
		t.Errorf("%d objects", n)
	}
	_, err = c.Object.AbortMultipartUpload(ctx, writableKey, id)
	assertSDKError(t, err, http.StatusNotFound, ErrNoSuchUpload)
	_, err = c.Object.UploadPart(ctx, writableKey, id, 1, strings.NewReader("after abort"), nil)
	assertSDKError(t, err, http.StatusNotFound, ErrNoSuchUpload)
	if files := blobFiles(t, dir); len(files) != 0 {
		t.Errorf("a part refused after abort left files: %v", files)
	}
}

// TestMultipart_uploadIDBelongsToItsKey: an upload ID used on another key
// (even one the credential may write) is unknown there.
func TestMultipart_uploadIDBelongsToItsKey(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c := f.client(tempID, tempKey, tempToken)
	ctx := t.Context()
	id := initiate(t, c, writableKey)
	etag := uploadPart(t, c, writableKey, id, 1, []byte("part"))

	_, err := c.Object.UploadPart(ctx, "a/b/c", id, 1, strings.NewReader("x"), nil)
	assertSDKError(t, err, http.StatusNotFound, ErrNoSuchUpload)
	_, _, err = c.Object.ListParts(ctx, "a/b/c", id, nil)
	assertSDKError(t, err, http.StatusNotFound, ErrNoSuchUpload)
	_, _, err = c.Object.CompleteMultipartUpload(ctx, "a/b/c", id, &cos.CompleteMultipartUploadOptions{Parts: []cos.Object{{PartNumber: 1, ETag: etag}}})
	assertSDKError(t, err, http.StatusNotFound, ErrNoSuchUpload)
	_, err = c.Object.AbortMultipartUpload(ctx, "a/b/c", id)
	assertSDKError(t, err, http.StatusNotFound, ErrNoSuchUpload)
	_, err = c.Object.UploadPart(ctx, writableKey, "no-such-upload", 1, strings.NewReader("x"), nil)
	assertSDKError(t, err, http.StatusNotFound, ErrNoSuchUpload)

	if p := f.store.PendingUploads(); len(p) != 1 || p[0].Parts != 1 {
		t.Errorf("the upload was disturbed: %+v", p)
	}
}

// TestMultipart_grants: multipart operations count as writes of the key.
func TestMultipart_grants(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := t.Context()
	writer := f.client(tempID, tempKey, tempToken)
	reader := f.client(longTermID, longTermKey, "")

	_, _, err := writer.Object.InitiateMultipartUpload(ctx, foreignKey, nil)
	assertSDKError(t, err, http.StatusForbidden, ErrAccessDenied)
	_, _, err = reader.Object.InitiateMultipartUpload(ctx, writableKey, nil)
	assertSDKError(t, err, http.StatusForbidden, ErrAccessDenied)

	id := initiate(t, writer, writableKey)
	_, err = reader.Object.UploadPart(ctx, writableKey, id, 1, strings.NewReader("x"), nil)
	assertSDKError(t, err, http.StatusForbidden, ErrAccessDenied)
	_, _, err = reader.Object.ListParts(ctx, writableKey, id, nil)
	assertSDKError(t, err, http.StatusForbidden, ErrAccessDenied)
	_, _, err = reader.Object.CompleteMultipartUpload(ctx, writableKey, id, &cos.CompleteMultipartUploadOptions{Parts: []cos.Object{{PartNumber: 1, ETag: `"x"`}}})
	assertSDKError(t, err, http.StatusForbidden, ErrAccessDenied)
	_, err = reader.Object.AbortMultipartUpload(ctx, writableKey, id)
	assertSDKError(t, err, http.StatusForbidden, ErrAccessDenied)
	_, err = f.client(expiredID, expiredKey, expiredToken).Object.AbortMultipartUpload(ctx, writableKey, id)
	assertSDKError(t, err, http.StatusForbidden, ErrAccessDenied)
	if p := f.store.PendingUploads(); len(p) != 1 || p[0].Parts != 0 {
		t.Errorf("rejected requests changed the upload: %+v", p)
	}
}

// TestMultipart_revokedWriteStopsUpload: once the grant no longer lists the
// key (the VOD emulator revokes it at CommitUpload), parts are refused.
func TestMultipart_revokedWriteStopsUpload(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	revoked := false
	grants := testGrants(time.Now)
	f := newFixture(t, nil)
	f.store = newTestStore(t, Options{AppID: testAppID, Authorize: func(id string) (Grant, bool) {
		g, ok := grants(id)
		mu.Lock()
		defer mu.Unlock()
		if revoked {
			g.WritableKeys = nil
		}
		return g, ok
	}})
	c := f.client(tempID, tempKey, tempToken)
	id := initiate(t, c, writableKey)
	mu.Lock()
	revoked = true
	mu.Unlock()
	_, err := c.Object.UploadPart(t.Context(), writableKey, id, 1, strings.NewReader("x"), nil)
	assertSDKError(t, err, http.StatusForbidden, ErrAccessDenied)
}

// rawMultipart sends signed hand-made requests for cases the SDK cannot produce.
func rawMultipart(t *testing.T, f *fixture, method, key, query string, body []byte, header http.Header) *http.Response {
	t.Helper()
	req := f.newRequest(t, method, "/"+url.PathEscape(key)+"?"+query, bytes.NewReader(body))
	for name, values := range header {
		req.Header[name] = values
	}
	return f.signedDo(t, req)
}

func TestMultipart_rawErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c := f.client(tempID, tempKey, tempToken)
	id := initiate(t, c, writableKey)
	etag := uploadPart(t, c, writableKey, id, 1, []byte("part one"))
	goodXML := []byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>` + etag + `</ETag></Part></CompleteMultipartUpload>`)
	md5Of := func(b []byte) string { sum := md5.Sum(b); return base64.StdEncoding.EncodeToString(sum[:]) }
	q := "uploadId=" + id
	cases := []struct {
		name, method, query string
		body                []byte
		header              http.Header
		status              int
		code                ErrorCode
	}{
		{"part number 0", http.MethodPut, "partNumber=0&" + q, []byte("x"), nil, 400, ErrInvalidArgument},
		{"part number 10001", http.MethodPut, "partNumber=10001&" + q, []byte("x"), nil, 400, ErrInvalidArgument},
		{"part number not a number", http.MethodPut, "partNumber=one&" + q, []byte("x"), nil, 400, ErrInvalidArgument},
		{"part without uploadId", http.MethodPut, "partNumber=1", []byte("x"), nil, 400, ErrInvalidArgument},
		{"part Content-MD5 mismatch", http.MethodPut, "partNumber=2&" + q, []byte("x"), http.Header{"Content-Md5": {md5Of([]byte("y"))}}, 400, ErrBadDigest},
		{"part Content-MD5 malformed", http.MethodPut, "partNumber=2&" + q, []byte("x"), http.Header{"Content-Md5": {"nope"}}, 400, ErrInvalidDigest},
		{"complete not XML", http.MethodPost, q, []byte("not xml"), nil, 400, ErrMalformedXML},
		{"complete wrong root", http.MethodPost, q, []byte(`<Other><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></Other>`), nil, 400, ErrMalformedXML},
		{"complete no parts", http.MethodPost, q, []byte(`<CompleteMultipartUpload></CompleteMultipartUpload>`), nil, 400, ErrMalformedXML},
		{"complete part number text", http.MethodPost, q, []byte(`<CompleteMultipartUpload><Part><PartNumber>x</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>`), nil, 400, ErrMalformedXML},
		{"complete part without ETag", http.MethodPost, q, []byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>`), nil, 400, ErrMalformedXML},
		{"complete Content-MD5 mismatch", http.MethodPost, q, goodXML, http.Header{"Content-Md5": {md5Of([]byte("other"))}}, 400, ErrBadDigest},
		{"complete unknown upload", http.MethodPost, "uploadId=unknown", goodXML, nil, 404, ErrNoSuchUpload},
		{"list max-parts negative", http.MethodGet, "max-parts=-1&" + q, nil, nil, 400, ErrInvalidArgument},
		{"list marker not a number", http.MethodGet, "part-number-marker=x&" + q, nil, nil, 400, ErrInvalidArgument},
		{"list bad encoding", http.MethodGet, "encoding-type=base64&" + q, nil, nil, 400, ErrInvalidArgument},
		{"list unknown upload", http.MethodGet, "uploadId=unknown", nil, nil, 404, ErrNoSuchUpload},
		{"abort unknown upload", http.MethodDelete, "uploadId=unknown", nil, nil, 404, ErrNoSuchUpload},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := rawMultipart(t, f, tc.method, writableKey, tc.query, tc.body, tc.header)
			assertCOSError(t, resp, tc.status, tc.code)
		})
	}
	if p := f.store.PendingUploads(); len(p) != 1 || p[0].Parts != 1 {
		t.Fatalf("rejected requests changed the upload: %+v", p)
	}

	// The body as the SDK sends it (ETag first, quotes as &#34;), with Content-MD5.
	sdkXML := []byte(`<CompleteMultipartUpload><Part><ETag>&#34;` + strings.Trim(etag, `"`) + `&#34;</ETag><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>`)
	resp := rawMultipart(t, f, http.MethodPost, writableKey, q, sdkXML, http.Header{"Content-Md5": {md5Of(sdkXML)}, "Content-Type": {"application/xml"}})
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var res completeResult
	if resp.StatusCode != http.StatusOK || xml.Unmarshal(body, &res) != nil || res.ETag != wantMultipartETag([]byte("part one")) {
		t.Fatalf("Complete: %d %s", resp.StatusCode, body)
	}
	if resp.Header.Get("Content-Type") != "application/xml" || resp.Header.Get("X-Cos-Hash-Crc64ecma") != crc64String([]byte("part one")) {
		t.Errorf("Complete headers %v", resp.Header)
	}
	assertObject(t, f.store, writableKey, []byte("part one"))
}

func TestMultipart_listPartsMaxPartsZeroAndCap(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c := f.client(tempID, tempKey, tempToken)
	ctx := t.Context()
	id := initiate(t, c, writableKey)
	uploadPart(t, c, writableKey, id, 7, []byte("seven"))
	res, _, err := c.Object.ListParts(ctx, writableKey, id, &cos.ObjectListPartsOptions{MaxParts: "0"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.IsTruncated || len(res.Parts) != 0 {
		t.Errorf("max-parts=0: %+v", res)
	}
	res, _, err = c.Object.ListParts(ctx, writableKey, id, &cos.ObjectListPartsOptions{MaxParts: "5000"})
	if err != nil {
		t.Fatal(err)
	}
	if res.MaxParts != "1000" || res.IsTruncated || len(res.Parts) != 1 || res.Parts[0].PartNumber != 7 || res.EncodingType != "" || res.Key != writableKey {
		t.Errorf("max-parts=5000: %+v", res)
	}
}

// TestMultipart_partFaultRetriedBySDK: a one-shot 500 on a part is retried by
// the SDK's Upload workers and the upload completes.
func TestMultipart_partFaultRetriedBySDK(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.store.InjectFault(Fault{Method: http.MethodPut, Query: "partNumber", Times: 1, HTTPStatus: http.StatusInternalServerError})
	c := f.client(tempID, tempKey, tempToken)
	data := randomBytes(t, 2*mib+1)
	if _, _, err := c.Object.Upload(t.Context(), writableKey, writeTempFile(t, data), &cos.MultiUploadOptions{PartSize: 1}); err != nil {
		t.Fatalf("Upload: %v", err)
	}
	assertObject(t, f.store, writableKey, data)
	// Three parts, one of them sent twice.
	parts := 0
	for _, r := range f.requests() {
		if r.Method == http.MethodPut {
			parts++
		}
	}
	if parts != 4 {
		t.Errorf("%d UploadPart requests, want 4", parts)
	}
}

// TestMultipart_droppedPartIsRetried: the connection drops mid-way through
// part 2; the SDK re-sends the part (its reader is seekable).
func TestMultipart_droppedPartIsRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.store.InjectFault(Fault{PartNumber: 2, DropConnection: true, AfterBodyBytes: 256 << 10, Times: 1})
	c := f.client(tempID, tempKey, tempToken)
	parts := [][]byte{randomBytes(t, mib), randomBytes(t, mib), randomBytes(t, 10)}
	completeParts(t, c, writableKey, parts...)
	assertObject(t, f.store, writableKey, bytes.Join(parts, nil))
	var sent []string
	for _, r := range f.requests() {
		if r.Method == http.MethodPut {
			sent = append(sent, r.RequestURI[strings.Index(r.RequestURI, "partNumber="):][:len("partNumber=1")])
		}
	}
	if strings.Join(sent, ",") != "partNumber=1,partNumber=2,partNumber=2,partNumber=3" {
		t.Errorf("parts sent: %v", sent)
	}
}

// TestMultipart_persistentPartFault: a fault on one part number only fails
// that part, however often it is retried.
func TestMultipart_persistentPartFault(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.store.InjectFault(Fault{PartNumber: 3, HTTPStatus: http.StatusServiceUnavailable})
	c := f.client(tempID, tempKey, tempToken)
	ctx := t.Context()
	id := initiate(t, c, writableKey)
	uploadPart(t, c, writableKey, id, 1, []byte("one"))
	uploadPart(t, c, writableKey, id, 30, []byte("thirty"))
	_, err := c.Object.UploadPart(ctx, writableKey, id, 3, bytes.NewReader([]byte("three")), nil)
	assertSDKError(t, err, http.StatusServiceUnavailable, ErrServiceUnavailable)
	if p := f.store.PendingUploads(); len(p) != 1 || p[0].Parts != 2 {
		t.Errorf("PendingUploads %+v", p)
	}
}

// TestMultipart_concurrentUploads runs several uploads of different keys at
// once with concurrent part workers (run with -race).
func TestMultipart_concurrentUploads(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c := f.client(tempID, tempKey, tempToken)
	keys := []string{writableKey, writableKey2, "a/b/c"}
	data := map[string][]byte{}
	for _, k := range keys {
		data[k] = randomBytes(t, 2*mib+len(k))
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(keys))
	for _, k := range keys {
		path := writeTempFile(t, data[k])
		wg.Go(func() {
			_, _, err := c.Object.Upload(context.Background(), k, path, &cos.MultiUploadOptions{PartSize: 1, ThreadPoolSize: 3})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range keys {
		assertObject(t, f.store, k, data[k])
	}
	assertNoPendingUploads(t, f.store)
}
