package objectstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cos "github.com/tencentyun/cos-go-sdk-v5"
)

// presignedPut is how a client should build an upload URL for a temporary
// credential with cos-go-sdk-v5 v0.7.70: pass the token as the
// x-cos-security-token query parameter so it is signed with the URL.
func presignedPut(t *testing.T, c *cos.Client, key string) *url.URL {
	t.Helper()
	u, err := c.Object.GetPresignedURL(t.Context(), http.MethodPut, key, tempID, tempKey, time.Hour,
		&cos.PresignedURLOptions{Query: &url.Values{"x-cos-security-token": {tempToken}}})
	if err != nil {
		t.Fatalf("GetPresignedURL: %v", err)
	}
	return u
}

// uploadFile sends body the way `curl --upload-file F URL` does: PUT with
// Content-Length, no Content-Type, Expect: 100-continue for large bodies.
func uploadFile(t *testing.T, rawURL string, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, rawURL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "curl/8.5.0")
	req.Header.Set("Accept", "*/*")
	if len(body) > 1<<20 {
		req.Header.Set("Expect", "100-continue")
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{ExpectContinueTimeout: 5 * time.Second}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("PUT: %v", err)
	}
	return resp
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPresigned_putWithSignedTokenQuery(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c := f.client(tempID, tempKey, tempToken)
	body := randomBytes(t, 2<<20+17)
	u := presignedPut(t, c, writableKey)
	if q := u.Query(); q.Get("x-cos-security-token") != tempToken || !strings.Contains(q.Get("q-url-param-list"), "x-cos-security-token") {
		t.Fatalf("presigned URL does not sign the token: %s", u)
	}
	resp := uploadFile(t, u.String(), body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if got := resp.Header.Get("X-Cos-Hash-Crc64ecma"); got != crc64String(body) {
		t.Errorf("CRC = %s, want %s", got, crc64String(body))
	}
	if got := resp.Header.Get("ETag"); got != `"`+md5Hex(body)+`"` {
		t.Errorf("ETag = %s", got)
	}
	stored, _ := f.store.Object(testBucket, writableKey)
	if !bytes.Equal(stored, body) {
		t.Errorf("stored %d bytes, want %d", len(stored), len(body))
	}
	if got := f.store.Objects()[0].Attrs.ContentType; got != defaultContentType {
		t.Errorf("Content-Type = %q", got)
	}
}

// GetPresignedURL2 signs with the client's own credential and adds the token itself.
func TestPresigned_putWithClientCredential(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c := f.client(tempID, tempKey, tempToken)
	u, err := c.Object.GetPresignedURL2(t.Context(), http.MethodPut, writableKey2, time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp := uploadFile(t, u.String(), []byte("cover"))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if data, _ := f.store.Object(testBucket, writableKey2); string(data) != "cover" {
		t.Errorf("stored %q", data)
	}
}

// cos-js-sdk appends the token after signing; COS accepts it unsigned.
func TestPresigned_tokenAppendedAfterSigning(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c := f.client(tempID, tempKey, tempToken)
	u, err := c.Object.GetPresignedURL(t.Context(), http.MethodPut, writableKey, tempID, tempKey, time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}

	resp := uploadFile(t, u.String(), []byte("no token"))
	assertCOSError(t, resp, http.StatusForbidden, ErrInvalidAccessKeyID)

	resp = uploadFile(t, u.String()+"&x-cos-security-token="+url.QueryEscape("wrong"), []byte("bad token"))
	assertCOSError(t, resp, http.StatusForbidden, ErrInvalidAccessKeyID)

	resp = uploadFile(t, u.String()+"&x-cos-security-token="+url.QueryEscape(tempToken), []byte("appended"))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if data, _ := f.store.Object(testBucket, writableKey); string(data) != "appended" {
		t.Errorf("stored %q", data)
	}
}

func TestPresigned_rejections(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c := f.client(tempID, tempKey, tempToken)
	good := presignedPut(t, c, writableKey).String()

	cases := map[string]struct {
		url  string
		code ErrorCode
	}{
		"key changed":        {strings.Replace(good, "/vodfiles/", "/vodfile/", 1), ErrSignatureDoesNotMatch},
		"token changed":      {strings.Replace(good, url.QueryEscape(tempToken), "other", 1), ErrSignatureDoesNotMatch},
		"signature dropped":  {strings.Split(good, "&q-signature=")[0], ErrAccessDenied},
		"unsigned request":   {strings.Split(good, "?")[0], ErrAccessDenied},
		"foreign key signed": {presignedPut(t, c, foreignKey).String(), ErrAccessDenied},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			assertCOSError(t, uploadFile(t, tc.url, []byte("x")), http.StatusForbidden, tc.code)
		})
	}
}

func TestPresigned_expiredURL(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func() time.Time { return time.Now().Add(10 * time.Minute) })
	c := f.client(tempID, tempKey, tempToken)
	u, err := c.Object.GetPresignedURL(t.Context(), http.MethodPut, writableKey, tempID, tempKey, 5*time.Minute,
		&cos.PresignedURLOptions{Query: &url.Values{"x-cos-security-token": {tempToken}}})
	if err != nil {
		t.Fatal(err)
	}
	assertCOSError(t, uploadFile(t, u.String(), []byte("late")), http.StatusForbidden, ErrAccessDenied)
}

func TestPresigned_getWithLongTermKey(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	resp := uploadFile(t, presignedPut(t, f.client(tempID, tempKey, tempToken), writableKey).String(), []byte("watch me"))
	resp.Body.Close()
	reader := f.client(longTermID, longTermKey, "")
	u, err := reader.Object.GetPresignedURL(t.Context(), http.MethodGet, writableKey, longTermID, longTermKey, time.Hour,
		&cos.PresignedURLOptions{Query: &url.Values{"response-content-type": {"video/x-test"}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := http.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer got.Body.Close()
	data, _ := io.ReadAll(got.Body)
	if got.StatusCode != http.StatusOK || string(data) != "watch me" || got.Header.Get("Content-Type") != "video/x-test" {
		t.Errorf("GET = %d %q %q", got.StatusCode, data, got.Header.Get("Content-Type"))
	}
}

// TestPresigned_curl runs the real curl binary when the machine has one; the
// net/http tests above cover the same wire behaviour without it.
func TestPresigned_curl(t *testing.T) {
	t.Parallel()
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed; TestPresigned_putWithSignedTokenQuery covers the same request with net/http")
	}
	f := newFixture(t, nil)
	body := randomBytes(t, 3<<20)
	file := filepath.Join(t.TempDir(), "upload.bin")
	if err := os.WriteFile(file, body, 0o600); err != nil {
		t.Fatal(err)
	}
	u := presignedPut(t, f.client(tempID, tempKey, tempToken), writableKey)
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, curl, "--silent", "--show-error", "--fail", "--noproxy", "*",
		"--dump-header", "-", "--upload-file", file, u.String()).CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	if !strings.Contains(strings.ToLower(string(out)), "x-cos-hash-crc64ecma: "+crc64String(body)) {
		t.Errorf("curl output lacks the CRC header:\n%s", out)
	}
	if stored, _ := f.store.Object(testBucket, writableKey); !bytes.Equal(stored, body) {
		t.Errorf("stored %d bytes, want %d", len(stored), len(body))
	}
}
