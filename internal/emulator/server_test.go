package emulator

import (
	"encoding/json"
	"io"
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
	// Requests on the bucket root that carry a COS signature, and browser form uploads, are object-store
	// requests too (a POST without either is an API call: TestAPI_postWithoutActionGetsAnAPIError).
	for name, req := range map[string]*http.Request{
		"COS-signed POST": newRequest(t, http.MethodPost, srv.URL()+"/?delete", "application/xml",
			"q-sign-algorithm=sha1&q-ak=AKIDnobody&q-sign-time=1;2&q-key-time=1;2&q-header-list=&q-url-param-list=&q-signature=0"),
		"form upload": newRequest(t, http.MethodPost, srv.URL()+"/", "multipart/form-data; boundary=x", ""),
	} {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), "<Error>") {
			t.Fatalf("%s reached the API: %d %s", name, resp.StatusCode, body)
		}
	}
}

func newRequest(t *testing.T, method, url, contentType, authorization string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	return req
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
