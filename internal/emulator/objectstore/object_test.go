package objectstore

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	cos "github.com/tencentyun/cos-go-sdk-v5"
)

// signedDo sends a hand-made request signed by the SDK's transport with the
// temporary credential, for cases the SDK's typed API cannot produce.
func (f *fixture) signedDo(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &cos.AuthorizationTransport{
		SecretID: tempID, SecretKey: tempKey, SessionToken: tempToken,
	}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return resp
}

func (f *fixture) newRequest(t *testing.T, method, rawPath string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, f.server.URL+rawPath, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestPut_requiresContentLength(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	// A reader of unknown length makes net/http send Transfer-Encoding: chunked.
	req := f.newRequest(t, http.MethodPut, "/big.bin", io.MultiReader(strings.NewReader("chunked")))
	assertCOSError(t, f.signedDo(t, req), http.StatusLengthRequired, ErrMissingContentLength)
}

func TestPut_checksContentMD5(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	bad := f.newRequest(t, http.MethodPut, "/big.bin", strings.NewReader("ObjectContent"))
	bad.Header.Set("Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA==")
	assertCOSError(t, f.signedDo(t, bad), http.StatusBadRequest, ErrBadDigest)

	malformed := f.newRequest(t, http.MethodPut, "/big.bin", strings.NewReader("ObjectContent"))
	malformed.Header.Set("Content-MD5", "not base64")
	assertCOSError(t, f.signedDo(t, malformed), http.StatusBadRequest, ErrInvalidDigest)

	if n := len(f.store.Objects()); n != 0 {
		t.Fatalf("rejected uploads stored %d objects", n)
	}

	good := f.newRequest(t, http.MethodPut, "/big.bin", strings.NewReader("ObjectContent"))
	good.Header.Set("Content-MD5", "mQ/fVh815F3k6TAUm8m0eg==")
	resp := f.signedDo(t, good)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestHead_errorsHaveNoBody(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	resp := f.signedDo(t, f.newRequest(t, http.MethodHead, "/a/b/c", nil))
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || len(body) != 0 || resp.Header.Get("X-Cos-Request-Id") == "" {
		t.Errorf("HEAD missing = %d, %q, request id %q", resp.StatusCode, body, resp.Header.Get("X-Cos-Request-Id"))
	}
}

func TestGet_rangeAndConditional(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	resp := f.signedDo(t, f.newRequest(t, http.MethodPut, "/a/b/c", strings.NewReader("0123456789")))
	resp.Body.Close()
	etag := resp.Header.Get("ETag")

	ranged := f.newRequest(t, http.MethodGet, "/a/b/c", nil)
	ranged.Header.Set("Range", "bytes=2-4")
	resp = f.signedDo(t, ranged)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || string(body) != "234" {
		t.Errorf("Range GET = %d %q", resp.StatusCode, body)
	}

	cached := f.newRequest(t, http.MethodGet, "/a/b/c", nil)
	cached.Header.Set("If-None-Match", etag)
	resp = f.signedDo(t, cached)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match GET = %d", resp.StatusCode)
	}
}

func TestRoute_rejectsOtherRequests(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	long := "/" + strings.Repeat("k", maxKeyBytes+1)
	cases := []struct {
		method, path string
		status       int
		code         ErrorCode
	}{
		{"PATCH", "/a/b/c", http.StatusMethodNotAllowed, ErrMethodNotAllowed},
		{http.MethodPut, "/a/b/c?acl", http.StatusNotImplemented, ErrNotImplemented},
		{http.MethodPut, "/a/b/c?partNumber=1&uploadId=x", http.StatusNotFound, ErrNoSuchUpload},
		{http.MethodGet, "/a/b/c?partNumber=1", http.StatusNotImplemented, ErrNotImplemented},
		{http.MethodGet, "/a/b/c?uploads", http.StatusNotImplemented, ErrNotImplemented},
		{"PATCH", "/a/b/c?uploadId=x", http.StatusMethodNotAllowed, ErrMethodNotAllowed},
		{http.MethodGet, "/", http.StatusForbidden, ErrAccessDenied},
		{http.MethodGet, long, http.StatusBadRequest, ErrKeyTooLong},
	}
	for _, tc := range cases {
		resp := f.signedDo(t, f.newRequest(t, tc.method, tc.path, bytes.NewReader(nil)))
		assertCOSError(t, resp, tc.status, tc.code)
	}
}

func TestStore_appIDMustMatchGrantBucket(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, Options{Authorize: testGrants(time.Now), AppID: 1300000000})
	f := newFixture(t, nil)
	f.store = s // route the fixture's server to a store of another account
	_, err := f.client(longTermID, longTermKey, "").Object.Get(t.Context(), writableKey, nil)
	assertSDKError(t, err, http.StatusNotFound, ErrNoSuchBucket)
}

func TestStore_zeroOptionsKnowsNobody(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, Options{})
	r, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/x", nil)
	r.Header.Set("Authorization", "q-sign-algorithm=sha1&q-ak=AKID&q-sign-time=1;2&q-key-time=1;2&q-header-list=&q-url-param-list=&q-signature=00")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	assertCOSError(t, w.Result(), http.StatusForbidden, ErrInvalidAccessKeyID)
}

// The bucket root is out of reach of upload credentials, whatever the method: COS answers 403
// AccessDenied (a PUT to the root is a PUT Bucket, not an unimplemented object operation).
func TestRoute_bucketRootIsDeniedToUploadCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPost, http.MethodGet, http.MethodHead} {
		for _, path := range []string{"/", "/?acl"} {
			resp := f.signedDo(t, f.newRequest(t, method, path, strings.NewReader("")))
			if method == http.MethodHead {
				resp.Body.Close()
				if resp.StatusCode != http.StatusForbidden {
					t.Fatalf("HEAD %s = %d, want 403", path, resp.StatusCode)
				}
				continue
			}
			assertCOSError(t, resp, http.StatusForbidden, ErrAccessDenied)
		}
	}
	if got := f.store.Objects(); len(got) != 0 {
		t.Fatalf("objects = %+v", got)
	}
}
