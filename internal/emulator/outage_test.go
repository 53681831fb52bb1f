package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func postURL(t *testing.T, u string) (int, []byte) {
	t.Helper()
	resp, err := http.Post(u, "", nil)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

func TestOutageEndpointTakesTheObjectStoreDownForAWhile(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	status, body := postURL(t, srv.URL()+"/_emulator/outage?seconds=0.5&status=503")
	var outage outageView
	if status != http.StatusOK || json.Unmarshal(body, &outage) != nil || outage.Status != 503 || time.Until(outage.Until) <= 0 {
		t.Fatalf("POST outage: %d %s", status, body)
	}
	if status, _ := getURL(t, srv.URL()+"/some/object.mp4"); status != http.StatusServiceUnavailable {
		t.Errorf("object store during the outage: %d, want 503", status)
	}
	if status, _ := getURL(t, srv.URL()+"/_emulator/media"); status != http.StatusOK {
		t.Errorf("inspection during the outage: %d; only the object store is down", status)
	}
	time.Sleep(600 * time.Millisecond)
	if status, _ := getURL(t, srv.URL()+"/some/object.mp4"); status == http.StatusServiceUnavailable {
		t.Error("the object store is still down after the outage")
	}

	for _, bad := range []string{"", "seconds=0", "seconds=-1", "seconds=x", "seconds=3601", "seconds=1&status=200", "seconds=1&status=x"} {
		if status, body := postURL(t, srv.URL()+"/_emulator/outage?"+bad); status != http.StatusBadRequest || !strings.Contains(string(body), "must be") {
			t.Errorf("POST outage?%s: %d %s, want 400", bad, status, body)
		}
	}
}

func TestUploadsEndpointListsPendingUploads(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	status, body := getURL(t, srv.URL()+"/_emulator/uploads")
	var view uploadsView
	if status != http.StatusOK || json.Unmarshal(body, &view) != nil || view.Pending == nil || len(view.Pending) != 0 || view.PartsStored != 0 {
		t.Fatalf("GET uploads: %d %s", status, body)
	}
	if _, index := getURL(t, srv.URL()+"/_emulator/"); !strings.Contains(string(index), "/_emulator/uploads") {
		t.Errorf("index does not list uploads: %s", index)
	}
}
