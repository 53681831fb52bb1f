package emulator

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestFaults_errorEnvelope(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	srv.InjectFault(Fault{Action: "ApplyUpload", Times: 2, Code: "InternalError", Message: "boom"})
	for range 2 {
		reply := call(t, srv, apiRequest{Body: `{"MediaType":"mp4"}`})
		wantCode(t, reply, CodeInternalError)
		if reply.Message != "boom" {
			t.Fatalf("message = %q", reply.Message)
		}
	}
	wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"mp4"}`}), "")
	if srv.Attempts("ApplyUpload") != 3 || len(srv.Calls("ApplyUpload")) != 1 {
		t.Fatalf("attempts %d, calls %d", srv.Attempts("ApplyUpload"), len(srv.Calls("ApplyUpload")))
	}
}

func TestFaults_matchByAction(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	srv.InjectFault(Fault{Action: "AssumeRole", Code: "ResourceUnavailable"})
	wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"mp4"}`}), "")
	for range 3 { // Times 0: until cleared
		wantCode(t, call(t, srv, apiRequest{Service: ServiceSTS, Action: "AssumeRole", Body: `{}`}), CodeResourceUnavailable)
	}
	srv.ClearFaults()
	wantCode(t, call(t, srv, apiRequest{Service: ServiceSTS, Action: "AssumeRole", Body: `{}`}), CodeMissingParameter)

	srv.InjectFault(Fault{Times: 1, Code: "RequestLimitExceeded"}) // "" matches any action
	wantCode(t, call(t, srv, apiRequest{Service: ServiceSTS, Action: "AssumeRole", Body: `{}`}), CodeRequestLimitExceeded)
	wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"mp4"}`}), "")
}

func TestFaults_httpStatus(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	srv.InjectFault(Fault{Action: "ApplyUpload", Times: 1, HTTPStatus: http.StatusBadGateway})
	resp, err := http.DefaultClient.Do(apiRequest{Body: `{"MediaType":"mp4"}`}.build(t, srv))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway || !strings.HasPrefix(string(body), "<html>") {
		t.Fatalf("got %d %q", resp.StatusCode, body)
	}
	wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"mp4"}`}), "")
}

func TestFaults_dropConnection(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	srv.InjectFault(Fault{Action: "ApplyUpload", Times: 1, DropConnection: true})
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(apiRequest{Body: `{"MediaType":"mp4"}`}.build(t, srv))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got HTTP %d, want a transport error", resp.StatusCode)
	}
	if !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "reset") {
		t.Fatalf("error = %v, want EOF or reset", err)
	}
	wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"mp4"}`}), "")
}

func TestFaults_latency(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	srv.InjectFault(Fault{Action: "ApplyUpload", Times: 1, Latency: 200 * time.Millisecond})
	start := time.Now()
	wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"mp4"}`}), "") // latency only: the call succeeds
	if elapsed := time.Since(start); elapsed < 200*time.Millisecond {
		t.Fatalf("took %s", elapsed)
	}

	// A client timeout shorter than the latency sees a timeout.
	srv.InjectFault(Fault{Action: "ApplyUpload", Times: 1, Latency: time.Second, Code: "InternalError"})
	client := &http.Client{Timeout: 50 * time.Millisecond}
	if resp, err := client.Do(apiRequest{Body: `{"MediaType":"mp4"}`}.build(t, srv)); err == nil {
		resp.Body.Close()
		t.Fatal("want a client timeout")
	}
}

func TestFaults_metadata(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{CVMRoles: []string{"r"}})
	srv.InjectFault(Fault{Times: 1, Code: "InternalError"}) // API only: does not touch metadata
	srv.InjectFault(Fault{Action: MetadataFaultAction, Times: 1, HTTPStatus: http.StatusServiceUnavailable})
	if status, _ := getURL(t, srv.URL()+"/latest/meta-data/cam/security-credentials/r"); status != http.StatusServiceUnavailable {
		t.Fatalf("status = %d, want 503", status)
	}
	if status, _ := getURL(t, srv.URL()+"/latest/meta-data/cam/security-credentials/r"); status != http.StatusOK {
		t.Fatalf("status = %d, want 200 after the fault", status)
	}
}

// A held reply arrives only once the gate opens, after the action has run; a client that gives up
// first gets nothing, and the action's change stays.
func TestFaults_holdReplyUntilOpened(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	u := applyUpload(t, srv, `{"MediaType":"mp4"}`)
	putUploadObjects(t, srv, &u)
	gate := NewGate()
	srv.InjectFault(Fault{Action: "CommitUpload", Times: 1, AfterDispatch: true, Hold: gate})

	replies := make(chan apiReply, 1)
	go func() {
		replies <- vodCall(t, srv, "CommitUpload", map[string]any{"VodSessionKey": u.VodSessionKey})
	}()
	select {
	case <-gate.Arrived():
	case <-time.After(10 * time.Second):
		t.Fatal("the commit never reached the gate")
	}
	if n := len(srv.Media()); n != 1 {
		t.Fatalf("%d media while the reply is held; the action runs before the hold", n)
	}
	select {
	case <-replies:
		t.Fatal("the reply arrived before the gate opened")
	case <-time.After(100 * time.Millisecond):
	}
	gate.Open()
	reply := <-replies
	wantCode(t, reply, "")

	// A client that stops waiting gets no reply; nothing is left blocked.
	srv.InjectFault(Fault{Action: "ApplyUpload", Times: 1, Hold: NewGate()})
	client := &http.Client{Timeout: 100 * time.Millisecond}
	if resp, err := client.Do(apiRequest{Body: `{"MediaType":"mp4"}`}.build(t, srv)); err == nil {
		resp.Body.Close()
		t.Fatal("want a client timeout while the request is held")
	}
	if n := len(srv.Sessions()); n != 1 {
		t.Fatalf("%d sessions; a request held before dispatch must not run", n)
	}
}

// A non-JSON reply is sent with HTTP 200 after the action ran, as a broken proxy might answer.
func TestFaults_nonJSONReplyAfterDispatch(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	u := applyUpload(t, srv, `{"MediaType":"mp4"}`)
	putUploadObjects(t, srv, &u)
	body := `<html>upstream reset; RequestId: 4b1d</html>`
	srv.InjectFault(Fault{Action: "CommitUpload", Times: 1, AfterDispatch: true, NonJSONBody: body})
	req := apiRequest{Action: "CommitUpload", Body: mustJSON(t, map[string]any{"VodSessionKey": u.VodSessionKey})}.build(t, srv)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(got) != body {
		t.Fatalf("got %d %q, want 200 %q", resp.StatusCode, got, body)
	}
	if n := len(srv.Media()); n != 1 {
		t.Fatalf("%d media; the commit should have happened before the broken reply", n)
	}
}
