package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable Options.Clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// startTestServer starts an emulator closed at the end of the test.
func startTestServer(t *testing.T, opts Options) *Server {
	t.Helper()
	srv, err := Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// apiRequest describes one signed API call. Zero fields get working defaults.
type apiRequest struct {
	Service     string // default "vod"
	Version     string // default: the service's version
	Action      string // default "ApplyUpload"
	Region      string // default "ap-guangzhou"
	NoRegion    bool
	Body        string // default "{}"
	SecretID    string // default DefaultSecretID
	SecretKey   string // default DefaultSecretKey
	Token       string
	Timestamp   time.Time // default: now (the server's clock)
	ContentType string    // default "application/json"
	Method      string    // default POST
	Host        string    // sent as the Host header; default the server's address (always signed as that)
	ScopeDate   string    // the credential scope's date (and the key's); default the timestamp's UTC date
	// SignatureOverride replaces the computed signature (to test rejection).
	SignatureOverride string
}

// build signs the request with a signer written here, independently of sign.go, in the SDK's style
// (content-type;host with raw values).
func (a apiRequest) build(t *testing.T, srv *Server) *http.Request {
	t.Helper()
	if a.Service == "" {
		a.Service = ServiceVOD
	}
	if a.Version == "" {
		a.Version = map[string]string{ServiceVOD: VersionVOD, ServiceSTS: VersionSTS}[a.Service]
	}
	if a.Action == "" {
		a.Action = "ApplyUpload"
	}
	if a.Region == "" && !a.NoRegion {
		a.Region = "ap-guangzhou"
	}
	if a.Body == "" {
		a.Body = "{}"
	}
	if a.SecretID == "" {
		a.SecretID, a.SecretKey = DefaultSecretID, DefaultSecretKey
	}
	if a.Timestamp.IsZero() {
		a.Timestamp = srv.opts.Clock()
	}
	if a.ContentType == "" {
		a.ContentType = "application/json"
	}
	if a.Method == "" {
		a.Method = http.MethodPost
	}
	req, err := http.NewRequest(a.Method, srv.URL()+"/", strings.NewReader(a.Body))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(srv.URL())
	ts := strconv.FormatInt(a.Timestamp.Unix(), 10)
	date := a.Timestamp.UTC().Format("2006-01-02")
	if a.ScopeDate != "" {
		date = a.ScopeDate
	}
	bodyHash := sha256.Sum256([]byte(a.Body))
	canonical := a.Method + "\n/\n\ncontent-type:" + a.ContentType + "\nhost:" + u.Host + "\n\ncontent-type;host\n" + hex.EncodeToString(bodyHash[:])
	canonicalHash := sha256.Sum256([]byte(canonical))
	scope := date + "/" + a.Service + "/tc3_request"
	toSign := "TC3-HMAC-SHA256\n" + ts + "\n" + scope + "\n" + hex.EncodeToString(canonicalHash[:])
	mac := func(key []byte, msg string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	signature := hex.EncodeToString(mac(mac(mac(mac([]byte("TC3"+a.SecretKey), date), a.Service), "tc3_request"), toSign))
	if a.SignatureOverride != "" {
		signature = a.SignatureOverride
	}
	if a.Host != "" {
		req.Host = a.Host
	}
	req.Header.Set("Content-Type", a.ContentType)
	req.Header.Set("X-TC-Action", a.Action)
	req.Header.Set("X-TC-Version", a.Version)
	req.Header.Set("X-TC-Timestamp", ts)
	if a.Region != "" {
		req.Header.Set("X-TC-Region", a.Region)
	}
	if a.Token != "" {
		req.Header.Set("X-TC-Token", a.Token)
	}
	req.Header.Set("Authorization", "TC3-HMAC-SHA256 Credential="+a.SecretID+"/"+scope+", SignedHeaders=content-type;host, Signature="+signature)
	return req
}

// apiReply is a decoded envelope.
type apiReply struct {
	Fields    map[string]json.RawMessage
	ErrorCode string
	Message   string
	RequestID string
}

func (r apiReply) decode(t *testing.T, dst any) {
	t.Helper()
	raw, _ := json.Marshal(r.Fields)
	if err := json.Unmarshal(raw, dst); err != nil {
		t.Fatalf("decode reply: %v", err)
	}
}

// send performs the request and decodes the envelope; it fails the test unless the reply is HTTP 200 JSON.
func send(t *testing.T, req *http.Request) apiReply {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d, want 200; body %s", resp.StatusCode, body)
	}
	var envelope struct {
		Response map[string]json.RawMessage `json:"Response"`
	}
	if err := json.Unmarshal(body, &envelope); err != nil || envelope.Response == nil {
		t.Fatalf("not an API envelope: %s", body)
	}
	reply := apiReply{Fields: envelope.Response}
	_ = json.Unmarshal(envelope.Response["RequestId"], &reply.RequestID)
	if raw, ok := envelope.Response["Error"]; ok {
		var e struct{ Code, Message string }
		_ = json.Unmarshal(raw, &e)
		reply.ErrorCode, reply.Message = e.Code, e.Message
	}
	return reply
}

func call(t *testing.T, srv *Server, a apiRequest) apiReply {
	t.Helper()
	return send(t, a.build(t, srv))
}

// wantCode fails unless the reply carries code ("" = success).
func wantCode(t *testing.T, reply apiReply, code ErrorCode) {
	t.Helper()
	if reply.ErrorCode != string(code) {
		t.Fatalf("error code = %q (%s), want %q", reply.ErrorCode, reply.Message, code)
	}
	if !uuidPattern.MatchString(reply.RequestID) {
		t.Fatalf("RequestId %q is not a UUID", reply.RequestID)
	}
}
