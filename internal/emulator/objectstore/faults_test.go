package objectstore

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestFault_serverErrorIsRetriedBySDK(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.store.InjectFault(Fault{Method: http.MethodPut, KeySuffix: ".mp4", HTTPStatus: http.StatusInternalServerError, Times: 1})
	c := f.client(tempID, tempKey, tempToken)
	if _, err := c.Object.Put(t.Context(), writableKey, strings.NewReader("retried"), nil); err != nil {
		t.Fatalf("Put: %v", err)
	}
	reqs := f.requests()
	if len(reqs) != 2 || reqs[1].Header.Get("X-Cos-Sdk-Retry") != "true" {
		t.Fatalf("want one failed attempt and one SDK retry, saw %+v", reqs)
	}
	if data, _ := f.store.Object(testBucket, writableKey); string(data) != "retried" {
		t.Errorf("stored %q", data)
	}
}

func TestFault_statusWithCodeUntilCleared(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.store.InjectFault(Fault{Method: http.MethodPut, HTTPStatus: http.StatusServiceUnavailable, Code: "SlowDown", Message: "Please reduce your request rate."})
	for range 2 {
		resp := uploadFile(t, presignedPut(t, f.client(tempID, tempKey, tempToken), writableKey).String(), []byte("x"))
		assertCOSError(t, resp, http.StatusServiceUnavailable, "SlowDown")
	}
	f.store.ClearFaults()
	resp := uploadFile(t, presignedPut(t, f.client(tempID, tempKey, tempToken), writableKey).String(), []byte("x"))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("after ClearFaults: %d", resp.StatusCode)
	}
}

func TestFault_dropConnectionMidUpload(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.store.InjectFault(Fault{Method: http.MethodPut, DropConnection: true, AfterBodyBytes: 64 << 10, Times: 1})
	body := bytes.Repeat([]byte("v"), 1<<20)
	url := presignedPut(t, f.client(tempID, tempKey, tempToken), writableKey).String()
	f.putExpectingNoReply(t, url, body)

	resp := uploadFile(t, url, body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("upload after the one-shot fault: %d", resp.StatusCode)
	}
}

func TestFault_matching(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.store.InjectFault(Fault{Query: "partNumber", HTTPStatus: http.StatusInternalServerError})
	f.store.InjectFault(Fault{KeySuffix: "elsewhere.mp4", HTTPStatus: http.StatusInternalServerError})
	f.store.InjectFault(Fault{Method: http.MethodGet, HTTPStatus: http.StatusInternalServerError})
	f.store.InjectFault(Fault{Method: http.MethodPut, Latency: 150 * time.Millisecond, Times: 1})

	start := time.Now()
	resp := uploadFile(t, presignedPut(t, f.client(tempID, tempKey, tempToken), writableKey).String(), []byte("slow"))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT hit a fault meant for other requests: %d", resp.StatusCode)
	}
	if elapsed := time.Since(start); elapsed < 150*time.Millisecond {
		t.Errorf("latency fault not applied: %v", elapsed)
	}
}

func TestFault_partNumberMatcher(t *testing.T) {
	t.Parallel()
	f := Fault{Method: http.MethodPut, PartNumber: 2}
	cases := map[string]bool{
		"/k?partNumber=2&uploadId=u":  true,
		"/k?uploadId=u&partnumber=2":  true,
		"/k?partNumber=12&uploadId=u": false,
		"/k?partNumber=1&uploadId=u":  false,
		"/k?partNumber=x&uploadId=u":  false,
		"/k":                          false,
	}
	for target, want := range cases {
		r := httptest.NewRequest(http.MethodPut, target, nil)
		if got := f.matches(r); got != want {
			t.Errorf("PartNumber 2 matches %s = %v, want %v", target, got, want)
		}
	}
	withQuery := Fault{Query: "uploadId", PartNumber: 1}
	if withQuery.matches(httptest.NewRequest(http.MethodPut, "/k?partNumber=1", nil)) {
		t.Error("Query and PartNumber must both match")
	}
	if !withQuery.matches(httptest.NewRequest(http.MethodPut, "/k?partNumber=1&uploadId=u", nil)) {
		t.Error("Query and PartNumber both present should match")
	}
}

func TestFault_outageEndsByItself(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.store.Outage(300*time.Millisecond, http.StatusServiceUnavailable)
	resp := uploadFile(t, presignedPut(t, f.client(tempID, tempKey, tempToken), writableKey).String(), []byte("x"))
	assertCOSError(t, resp, http.StatusServiceUnavailable, codeForStatus(http.StatusServiceUnavailable))
	// Every kind of request fails during the outage, not only PUT.
	if _, err := f.client(tempID, tempKey, tempToken).Object.Head(t.Context(), writableKey, nil); err == nil {
		t.Error("HEAD succeeded during the outage")
	}
	time.Sleep(400 * time.Millisecond)
	resp = uploadFile(t, presignedPut(t, f.client(tempID, tempKey, tempToken), writableKey).String(), []byte("x"))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("after the outage: %d", resp.StatusCode)
	}
}

func TestFault_outageResetsConnections(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.store.Outage(time.Minute, 0)
	f.putExpectingNoReply(t, presignedPut(t, f.client(tempID, tempKey, tempToken), writableKey).String(), []byte("x"))
}

// putExpectingNoReply PUTs body to url on a new connection and fails the test if the store replies
// or stores an object.
func (f *fixture) putExpectingNoReply(t *testing.T, url string, body []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("PUT got a reply where the connection should have been dropped: %d", resp.StatusCode)
	}
	if n := len(f.store.Objects()); n != 0 {
		t.Fatalf("PUT without a reply stored %d objects", n)
	}
}

func TestFault_dropReplyStoresThePart(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c := f.client(tempID, tempKey, tempToken)
	c.Conf.RetryOpt.Count = 1
	id := initiate(t, c, writableKey)
	f.store.InjectFault(Fault{PartNumber: 1, DropReply: true, Times: 1})
	if _, err := c.Object.UploadPart(t.Context(), writableKey, id, 1, bytes.NewReader([]byte("part one")), nil); err == nil {
		t.Fatal("UploadPart got a reply")
	}
	listed, _, err := c.Object.ListParts(t.Context(), writableKey, id, nil)
	if err != nil || len(listed.Parts) != 1 || listed.Parts[0].Size != int64(len("part one")) {
		t.Fatalf("ListParts = %+v, %v: want the part whose reply was dropped", listed, err)
	}
	if n := f.store.PartsStored(); n != 1 {
		t.Errorf("PartsStored = %d", n)
	}
}
