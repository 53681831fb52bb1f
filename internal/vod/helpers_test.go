package vod

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// apiCall is one request the fake API received, with what the tests assert on.
type apiCall struct {
	Action, Service, Version, Region, Language, UserAgent string
	SecretID, Token                                       string
	SignatureValid                                        bool
	Params                                                map[string]any
	RawBody                                               string
}

// fakeAPI is a loopback Tencent Cloud API 3.0 endpoint. respond decides each answer; secretKeys lets
// it check TC3 signatures so tests prove which key signed a call.
type fakeAPI struct {
	t          *testing.T
	server     *httptest.Server
	secretKeys map[string]string

	mu      sync.Mutex
	calls   []apiCall
	respond func(w http.ResponseWriter, r *http.Request, call apiCall)
}

func newFakeAPI(t *testing.T, secretKeys map[string]string, respond func(w http.ResponseWriter, r *http.Request, call apiCall)) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, secretKeys: secretKeys, respond: respond}
	f.server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.server.Close)
	return f
}

// newSilentAPI is an API that never answers: it holds each request until the client gives up on it
// (or the test ends).
func newSilentAPI(t *testing.T) *fakeAPI {
	t.Helper()
	release := make(chan struct{})
	api := newFakeAPI(t, nil, func(_ http.ResponseWriter, r *http.Request, _ apiCall) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) }) // before the server's Close, which waits for held requests
	return api
}

func (f *fakeAPI) URL() string { return f.server.URL }

func (f *fakeAPI) Calls() []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]apiCall(nil), f.calls...)
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	call := apiCall{
		Action:    r.Header.Get("X-TC-Action"),
		Version:   r.Header.Get("X-TC-Version"),
		Region:    r.Header.Get("X-TC-Region"),
		Language:  r.Header.Get("X-TC-Language"),
		UserAgent: r.Header.Get("User-Agent"),
		Token:     r.Header.Get("X-TC-Token"),
		RawBody:   string(body),
	}
	_ = json.Unmarshal(body, &call.Params)
	id, service, ok := parseTC3Authorization(r.Header.Get("Authorization"))
	if ok {
		call.SecretID, call.Service = id, service
		if key, known := f.secretKeys[id]; known {
			call.SignatureValid = verifyTC3(r, body, key)
		}
	}
	f.mu.Lock()
	f.calls = append(f.calls, call)
	respond := f.respond
	f.mu.Unlock()
	respond(w, r, call)
}

func parseTC3Authorization(h string) (secretID, service string, ok bool) {
	rest, found := strings.CutPrefix(h, "TC3-HMAC-SHA256 Credential=")
	if !found {
		return "", "", false
	}
	scope, _, _ := strings.Cut(rest, ",")
	parts := strings.Split(scope, "/")
	if len(parts) != 4 {
		return "", "", false
	}
	return parts[0], parts[2], true
}

// verifyTC3 recomputes the signature from the published algorithm ("Signature v3", TC3-HMAC-SHA256) for
// the content-type;host header set the SDK signs.
func verifyTC3(r *http.Request, body []byte, secretKey string) bool {
	auth := r.Header.Get("Authorization")
	id, service, _ := parseTC3Authorization(auth)
	ts := r.Header.Get("X-TC-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	date := time.Unix(sec, 0).UTC().Format("2006-01-02")
	payload := sha256.Sum256(body)
	canonical := strings.Join([]string{
		r.Method, "/", "",
		"content-type:" + r.Header.Get("Content-Type") + "\nhost:" + r.Host + "\n",
		"content-type;host", hex.EncodeToString(payload[:]),
	}, "\n")
	hashed := sha256.Sum256([]byte(canonical))
	scope := date + "/" + service + "/tc3_request"
	toSign := "TC3-HMAC-SHA256\n" + ts + "\n" + scope + "\n" + hex.EncodeToString(hashed[:])
	mac := func(key []byte, msg string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	signing := mac(mac(mac([]byte("TC3"+secretKey), date), service), "tc3_request")
	want := fmt.Sprintf("TC3-HMAC-SHA256 Credential=%s/%s, SignedHeaders=content-type;host, Signature=%s",
		id, scope, hex.EncodeToString(mac(signing, toSign)))
	return auth == want
}

// writeOK answers with a success envelope carrying fields and a RequestId.
func writeOK(w http.ResponseWriter, requestID string, fields map[string]any) {
	resp := map[string]any{"RequestId": requestID}
	for k, v := range fields {
		resp[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"Response": resp})
}

// writeAPIError answers with an API 3.0 error envelope (HTTP 200, as the real API does).
func writeAPIError(w http.ResponseWriter, requestID, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"Response": map[string]any{
		"Error": map[string]any{"Code": code, "Message": message}, "RequestId": requestID,
	}})
}

// dropConnection closes the connection without answering.
func dropConnection(t *testing.T, w http.ResponseWriter) {
	hijacker, ok := w.(http.Hijacker)
	if !ok {
		t.Error("response writer cannot hijack")
		return
	}
	conn, _, err := hijacker.Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	_ = conn.Close()
}

func applyUploadFields() map[string]any {
	return map[string]any{
		"StorageBucket": "vodbucket-1250000000", "StorageRegion": "ap-chongqing",
		"VodSessionKey": "session-key-sentinel", "MediaStoragePath": "/dir/name.mp4", "CoverStoragePath": "/dir/cover.jpg",
		"TempCertificate": map[string]any{
			"SecretId": "AKIDTEMPCOS", "SecretKey": "cos-secret-key-sentinel", "Token": "cos-token-sentinel", "ExpiredTime": 1900000000,
		},
	}
}

// envMap is a hermetic environment for Config.Getenv.
func envMap(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

// testConfig points a client at api with explicit credentials, an empty environment and a home
// directory of its own, so nothing from the machine running the tests leaks in.
func testConfig(t *testing.T, endpoint string) Config {
	t.Helper()
	return Config{
		SecretID: "AKIDTEST", SecretKey: "test-secret-key",
		Endpoint: endpoint, STSEndpoint: endpoint,
		Getenv:           envMap(nil),
		HomeDir:          t.TempDir(),
		MetadataEndpoint: "http://127.0.0.1:1", // never contacted unless a test sets a CAM role
		RateLimit:        1000,
	}
}

// instantRetries makes backoff waits free and records them.
func instantRetries(c *Client) *[]time.Duration {
	var mu sync.Mutex
	waits := &[]time.Duration{}
	c.sleep = func(_ context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		*waits = append(*waits, d)
		return nil
	}
	c.jitter = func(ceiling time.Duration) time.Duration { return ceiling }
	return waits
}

func mustClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// recordingLogger keeps every line so tests can search it for secrets.
type recordingLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *recordingLogger) log(level, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %s %v", level, msg, fields))
}

func (l *recordingLogger) Debug(_ context.Context, msg string, f map[string]any) {
	l.log("DEBUG", msg, f)
}
func (l *recordingLogger) Info(_ context.Context, msg string, f map[string]any) {
	l.log("INFO", msg, f)
}
func (l *recordingLogger) Warn(_ context.Context, msg string, f map[string]any) {
	l.log("WARN", msg, f)
}

func (l *recordingLogger) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func (l *recordingLogger) count(level, msg string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range l.lines {
		if strings.HasPrefix(line, level+" "+msg) {
			n++
		}
	}
	return n
}
