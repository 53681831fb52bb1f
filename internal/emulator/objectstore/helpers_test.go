package objectstore

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	cos "github.com/tencentyun/cos-go-sdk-v5"
)

const (
	testBucket    = "vod-1250000000"
	testAppID     = 1250000000
	tempID        = "AKIDTEMPORARY"
	tempKey       = "temporary-secret-key"
	tempToken     = "temporary-session-token+/="
	longTermID    = "AKIDLONGTERM"
	longTermKey   = "long-term-secret-key"
	expiredID     = "AKIDEXPIRED"
	expiredKey    = "expired-secret-key"
	expiredToken  = "expired-session-token"
	writableKey   = "vodfiles/video name+(1).mp4"
	writableKey2  = "vodfiles/封面 ünï.jpg"
	foreignKey    = "vodfiles/someone-else.mp4"
	hostForBucket = testBucket + ".cos.ap-guangzhou.myqcloud.com"
)

func newTestStore(t *testing.T, opts Options) *Store {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// testGrants: a temporary upload credential, a long-term reader and an expired credential.
func testGrants(now func() time.Time) func(string) (Grant, bool) {
	return func(id string) (Grant, bool) {
		switch id {
		case tempID:
			return Grant{
				SecretKey: tempKey, Token: tempToken, ExpiresAt: now().Add(time.Hour),
				Bucket: testBucket, WritableKeys: []string{writableKey, writableKey2, "a/b/c", "big.bin"},
			}, true
		case longTermID:
			return Grant{SecretKey: longTermKey, Bucket: testBucket, ReadAll: true}, true
		case expiredID:
			return Grant{
				SecretKey: expiredKey, Token: expiredToken, ExpiresAt: now().Add(-time.Second),
				Bucket: testBucket, WritableKeys: []string{writableKey},
			}, true
		}
		return Grant{}, false
	}
}

// recordedRequest is what the server saw, for wire-format assertions.
type recordedRequest struct {
	Method, RequestURI, Path string
	Header                   http.Header
}

// fixture is a Store behind a real loopback HTTP server.
type fixture struct {
	store  *Store
	server *httptest.Server
	url    *url.URL

	mu   sync.Mutex
	seen []recordedRequest
}

func newFixture(t *testing.T, clock func() time.Time) *fixture {
	t.Helper()
	if clock == nil {
		clock = time.Now
	}
	f := &fixture{store: newTestStore(t, Options{Authorize: testGrants(time.Now), Clock: clock, AppID: testAppID})}
	f.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.seen = append(f.seen, recordedRequest{Method: r.Method, RequestURI: r.RequestURI, Path: r.URL.Path, Header: r.Header.Clone()})
		f.mu.Unlock()
		f.store.ServeHTTP(w, r)
	}))
	t.Cleanup(f.server.Close)
	f.url, _ = url.Parse(f.server.URL)
	return f
}

func (f *fixture) requests() []recordedRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recordedRequest(nil), f.seen...)
}

// client is a real cos-go-sdk-v5 client signing with the given credential.
func (f *fixture) client(id, key, token string) *cos.Client {
	return cos.NewClient(&cos.BaseURL{BucketURL: f.url}, &http.Client{
		Timeout:   10 * time.Second,
		Transport: &cos.AuthorizationTransport{SecretID: id, SecretKey: key, SessionToken: token},
	})
}

// hostClient talks to the fixture while using bucketHost as the URL host, as
// a client configured with the real https://<bucket>.cos.<region>.myqcloud.com
// template (over plain HTTP) would.
func (f *fixture) hostClient(bucketHost, id, key, token string) *cos.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	transport := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, f.url.Host)
	}}
	u, _ := url.Parse("http://" + bucketHost)
	return cos.NewClient(&cos.BaseURL{BucketURL: u}, &http.Client{
		Timeout:   10 * time.Second,
		Transport: &cos.AuthorizationTransport{SecretID: id, SecretKey: key, SessionToken: token, Transport: transport},
	})
}

// assertCOSError checks the status and the XML error body of a raw response.
func assertCOSError(t *testing.T, resp *http.Response, status int, code ErrorCode) {
	t.Helper()
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, status, body)
	}
	var e errorBody
	if err := xml.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body is not COS XML: %v: %s", err, body)
	}
	if e.Code != string(code) {
		t.Errorf("Code = %q, want %q (message %q)", e.Code, code, e.Message)
	}
	if e.RequestID == "" || e.RequestID != resp.Header.Get("X-Cos-Request-Id") {
		t.Errorf("RequestId = %q, header %q", e.RequestID, resp.Header.Get("X-Cos-Request-Id"))
	}
	if e.Message == "" || e.TraceID == "" {
		t.Errorf("Message/TraceId empty: %+v", e)
	}
}

// assertSDKError checks an error returned by cos-go-sdk-v5.
func assertSDKError(t *testing.T, err error, status int, code ErrorCode) {
	t.Helper()
	var e *cos.ErrorResponse
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want *cos.ErrorResponse", err, err)
	}
	if e.Response.StatusCode != status || e.Code != string(code) {
		t.Errorf("got %d %s (%s), want %d %s", e.Response.StatusCode, e.Code, e.Message, status, code)
	}
	if e.RequestID == "" {
		t.Errorf("RequestID empty")
	}
}

func md5Hex(data []byte) string {
	sum := md5.Sum(data)
	return hex.EncodeToString(sum[:])
}
