package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestInspection_withoutSecrets(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	reply := call(t, srv, apiRequest{Body: `{"MediaType":"mp4","CoverType":"png"}`})
	wantCode(t, reply, "")
	var upload applyUploadReply
	reply.decode(t, &upload)

	status, body := getURL(t, srv.URL()+"/_emulator/sessions")
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	var sessions []map[string]any
	if err := json.Unmarshal(body, &sessions); err != nil || len(sessions) != 1 {
		t.Fatalf("sessions = %s", body)
	}
	if sessions[0]["media_storage_path"] != upload.MediaStoragePath || sessions[0]["request_id"] != reply.RequestID ||
		sessions[0]["storage_bucket"] != upload.StorageBucket {
		t.Fatalf("session view = %v", sessions[0])
	}
	for _, secret := range []string{upload.TempCertificate.SecretKey, upload.TempCertificate.Token, upload.VodSessionKey, DefaultSecretKey} {
		if strings.Contains(string(body), secret) {
			t.Fatalf("/_emulator/sessions leaks a secret")
		}
	}
	status, body = getURL(t, srv.URL()+"/_emulator/calls")
	if status != http.StatusOK || !strings.Contains(string(body), `"action": "ApplyUpload"`) || strings.Contains(string(body), DefaultSecretKey) {
		t.Fatalf("calls = %d %s", status, body)
	}
	if status, body = getURL(t, srv.URL()+"/_emulator/objects"); status != http.StatusOK || strings.TrimSpace(string(body)) != "[]" {
		t.Fatalf("objects = %d %s", status, body)
	}
	if status, _ = getURL(t, srv.URL()+"/_emulator/"); status != http.StatusOK {
		t.Fatalf("index = %d", status)
	}
}

func TestRouting_objectStoreGetsTheRest(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	// An unsigned object request is answered by the object store (COS XML error), not the API.
	status, body := getURL(t, srv.URL()+"/some/key.mp4")
	if status != http.StatusForbidden || !strings.Contains(string(body), "<Error>") {
		t.Fatalf("object request = %d %s", status, body)
	}
	// POST / without X-TC-Action is not an API call either.
	resp, err := http.Post(srv.URL()+"/", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Content-Type") == "application/json" {
		t.Fatalf("POST / without X-TC-Action reached the API")
	}
}

func TestHandler_inProcess(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_emulator/sessions", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
}

func TestStart_badAddress(t *testing.T) {
	t.Parallel()
	if srv, err := Start(Options{Addr: "256.0.0.1:bad"}); err == nil {
		srv.Close()
		t.Fatal("Start accepted an invalid address")
	}
}
