package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"
)

func getURL(t *testing.T, u string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

func TestMetadata_roleCredentials(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now, CVMRoles: []string{"vod-uploader"}, SessionTTL: 10 * time.Minute})

	status, body := getURL(t, srv.URL()+"/latest/meta-data/cam/security-credentials/")
	if status != http.StatusOK || string(body) != "vod-uploader" {
		t.Fatalf("role list = %d %q", status, body)
	}
	status, body = getURL(t, srv.URL()+"/latest/meta-data/cam/security-credentials/vod-uploader")
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	var creds struct {
		TmpSecretId, TmpSecretKey, Token, Expiration, Code string
		ExpiredTime                                        int64
	}
	if err := json.Unmarshal(body, &creds); err != nil {
		t.Fatal(err)
	}
	expires := clock.Now().Add(10 * time.Minute)
	if creds.Code != "Success" || creds.ExpiredTime != expires.Unix() || creds.Expiration != expires.Format("2006-01-02T15:04:05Z") || creds.Token == "" {
		t.Fatalf("credentials = %+v", creds)
	}

	use := apiRequest{Body: `{"MediaType":"mp4"}`, SecretID: creds.TmpSecretId, SecretKey: creds.TmpSecretKey, Token: creds.Token}
	wantCode(t, call(t, srv, use), "")
	clock.Advance(10 * time.Minute)
	wantCode(t, call(t, srv, use), CodeTokenFailure)
}

func TestMetadata_unknownRolesAndPaths(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{CVMRoles: []string{"vod-uploader"}})
	for _, path := range []string{
		"/latest/meta-data/cam/security-credentials/other-role",
		"/latest/meta-data/placement/region",
	} {
		if status, _ := getURL(t, srv.URL()+path); status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, status)
		}
	}
	noRoles := startTestServer(t, Options{})
	if status, _ := getURL(t, noRoles.URL()+"/latest/meta-data/cam/security-credentials/"); status != http.StatusNotFound {
		t.Errorf("role list without roles = %d, want 404", status)
	}
}
