package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAPI_envelopeChecks(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now})
	const okBody = `{"MediaType":"mp4"}`
	tests := []struct {
		name string
		req  apiRequest
		want ErrorCode
	}{
		{"accepted", apiRequest{Body: okBody}, ""},
		{"charset utf-8 accepted", apiRequest{Body: okBody, ContentType: "application/json; charset=utf-8"}, ""},
		{"GET", apiRequest{Body: okBody, Method: http.MethodGet}, CodeUnsupportedProtocol},
		{"form content type", apiRequest{Body: okBody, ContentType: "application/x-www-form-urlencoded"}, CodeInvalidParameter},
		{"other charset", apiRequest{Body: okBody, ContentType: "application/json; charset=gbk"}, CodeInvalidParameter},
		{"unknown service host", apiRequest{Body: okBody, Host: "cvm.tencentcloudapi.com"}, CodeNoSuchProduct},
		// The real endpoint signs with its own date and service, so another scope cannot verify.
		{"scope of an unknown service", apiRequest{Body: okBody, Service: "cvm", Version: VersionVOD}, CodeSignatureFailure},
		{"scope of an unknown service and version", apiRequest{Body: okBody, Service: "cvm", Version: "2017-03-12"}, CodeSignatureFailure},
		{"sts scope for a vod action", apiRequest{Body: okBody, Service: ServiceSTS, Version: VersionVOD}, CodeSignatureFailure},
		{"vod scope for an sts action", apiRequest{Service: ServiceVOD, Version: VersionSTS, Action: "AssumeRole",
			Body: `{"RoleArn":"qcs::cam::uin/100000000001:roleName/uploader","RoleSessionName":"s1"}`}, CodeSignatureFailure},
		{"scope of the day before", apiRequest{Body: okBody, ScopeDate: "2026-02-28"}, CodeSignatureFailure},
		{"vod host with sts scope", apiRequest{Body: okBody, Service: ServiceSTS, Version: VersionVOD, Host: "vod.tencentcloudapi.com"}, CodeSignatureFailure},
		{"wrong vod version", apiRequest{Body: okBody, Version: "2019-01-01"}, CodeNoSuchVersion},
		{"sts version for vod", apiRequest{Body: okBody, Version: VersionSTS}, CodeNoSuchVersion},
		{"unknown action", apiRequest{Body: okBody, Action: "DescribeEverything"}, CodeInvalidAction},
		{"sts action on vod", apiRequest{Body: okBody, Action: "AssumeRole"}, CodeInvalidAction},
		{"missing region", apiRequest{Body: okBody, NoRegion: true}, CodeMissingParameter},
		{"unsupported region", apiRequest{Body: okBody, Region: "mars-olympus"}, CodeUnsupportedRegion},
		{"expired timestamp", apiRequest{Body: okBody, Timestamp: clock.Now().Add(-6 * time.Minute)}, CodeSignatureExpire},
		{"unknown key", apiRequest{Body: okBody, SecretID: "AKIDunknown", SecretKey: "x"}, CodeSecretIDNotFound},
		{"bad signature", apiRequest{Body: okBody, SignatureOverride: strings.Repeat("0", 64)}, CodeSignatureFailure},
		{"token with long-term key", apiRequest{Body: okBody, Token: "token"}, CodeTokenFailure},
		{"body not JSON", apiRequest{Body: `{"MediaType":`}, CodeInvalidParameter},
		{"body is an array", apiRequest{Body: `[]`}, CodeInvalidParameter},
		{"unknown parameter", apiRequest{Body: `{"MediaType":"mp4","Bogus":1}`}, CodeUnknownParameter},
		{"parameter name is case-sensitive", apiRequest{Body: `{"mediatype":"mp4"}`}, CodeUnknownParameter},
		{"string for integer", apiRequest{Body: `{"MediaType":"mp4","SubAppId":"1500000000"}`}, CodeInvalidParameter},
		{"negative unsigned", apiRequest{Body: `{"MediaType":"mp4","SubAppId":-1}`}, CodeInvalidParameter},
		{"fraction for integer", apiRequest{Body: `{"MediaType":"mp4","ClassId":1.5}`}, CodeInvalidParameter},
		{"number for string", apiRequest{Body: `{"MediaType":4}`}, CodeInvalidParameter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			wantCode(t, call(t, srv, tt.req), tt.want)
		})
	}
}

func TestAPI_requestIDsAreFreshUUIDs(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	seen := map[string]bool{}
	for range 5 {
		reply := call(t, srv, apiRequest{Body: `{"MediaType":"mp4"}`})
		wantCode(t, reply, "")
		if seen[reply.RequestID] {
			t.Fatalf("RequestId %s repeated", reply.RequestID)
		}
		seen[reply.RequestID] = true
	}
	bad := call(t, srv, apiRequest{Action: "Nope"})
	wantCode(t, bad, CodeInvalidAction)
	if seen[bad.RequestID] {
		t.Fatal("error reply reused a RequestId")
	}
}

func TestAPI_callsAndAttempts(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"mp4","SubAppId":1500000000}`}), "")
	wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"exe"}`}), CodeInvalidMediaType)
	wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"mp4"}`, SecretID: "AKIDnobody", SecretKey: "x"}), CodeSecretIDNotFound)

	if got := srv.Attempts("ApplyUpload"); got != 3 {
		t.Fatalf("Attempts = %d, want 3", got)
	}
	if got := srv.Attempts("CommitUpload"); got != 0 {
		t.Fatalf("Attempts(CommitUpload) = %d, want 0", got)
	}
	calls := srv.Calls("ApplyUpload")
	if len(calls) != 2 {
		t.Fatalf("Calls = %d, want 2 (the unauthenticated one is not dispatched)", len(calls))
	}
	first := calls[0]
	if first.Service != "vod" || first.Region != "ap-guangzhou" || first.SecretID != DefaultSecretID || first.Code != "" {
		t.Fatalf("call = %+v", first)
	}
	if first.Params["SubAppId"] != json.Number("1500000000") || first.Params["MediaType"] != "mp4" {
		t.Fatalf("params = %#v", first.Params)
	}
	if calls[1].Code != string(CodeInvalidMediaType) {
		t.Fatalf("second call code = %q", calls[1].Code)
	}
	if len(srv.Calls("")) != 2 {
		t.Fatal(`Calls("") should list every call`)
	}
}

func TestAPI_latencyOption(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{Latency: 150 * time.Millisecond})
	start := time.Now()
	wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"mp4"}`}), "")
	if elapsed := time.Since(start); elapsed < 150*time.Millisecond {
		t.Fatalf("call took %s, want at least the 150ms latency", elapsed)
	}
}

func TestAPI_rateLimit(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now, RateLimit: 5})
	limited := 0
	for range 10 {
		reply := call(t, srv, apiRequest{Body: `{"MediaType":"mp4"}`})
		switch reply.ErrorCode {
		case "":
		case string(CodeRequestLimitExceeded):
			limited++
			if !strings.Contains(reply.Message, "frequency limit `5`") {
				t.Fatalf("message = %q", reply.Message)
			}
		default:
			t.Fatalf("unexpected %s: %s", reply.ErrorCode, reply.Message)
		}
	}
	// The clock does not move, so exactly the burst (5) passes.
	if limited != 5 {
		t.Fatalf("%d of 10 calls were limited, want 5", limited)
	}
	// Other actions are not limited by ApplyUpload's bucket.
	wantCode(t, call(t, srv, apiRequest{Service: ServiceSTS, Action: "AssumeRole",
		Body: `{"RoleArn":"qcs::cam::uin/100000000001:roleName/uploader","RoleSessionName":"s1"}`}), "")
	clock.Advance(time.Second)
	wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"mp4"}`}), "")
}

func TestAPI_rateLimitDisabled(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{Clock: newFakeClock().Now, RateLimit: -1})
	for range 20 {
		wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"mp4"}`}), "")
	}
}

func TestAPI_requestSizeLimit(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	body := `{"MediaType":"mp4","ExtInfo":"` + strings.Repeat("a", maxRequestBytes) + `"}`
	wantCode(t, call(t, srv, apiRequest{Body: body}), CodeRequestSizeLimitExceeded)
}

// A POST to the API endpoint that names no action is an API request all the same: the reply is the
// HTTP 200 JSON envelope with MissingParameter, not an object-store XML error.
func TestAPI_postWithoutActionGetsAnAPIError(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	signed := apiRequest{Body: `{"MediaType":"mp4"}`}.build(t, srv)
	signed.Header.Del("X-TC-Action")
	bare, err := http.NewRequest(http.MethodPost, srv.URL()+"/", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	for name, req := range map[string]*http.Request{"signed": signed, "bare": bare} {
		reply := send(t, req)
		wantCode(t, reply, CodeMissingParameter)
		if !strings.Contains(reply.Message, "`Action`") {
			t.Fatalf("%s: message %q does not name Action", name, reply.Message)
		}
	}
	if n := srv.Attempts(""); n != 2 {
		t.Fatalf("Attempts = %d, want the 2 requests counted", n)
	}
}

// A client that signs x-tc-action as well (as the document's Vector B does) lowercases its mixed-case
// value before hashing; the emulator verifies such a request.
func TestAPI_signedActionHeaderVerifies(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	req := apiRequest{Body: `{"MediaType":"mp4"}`}.build(t, srv)
	now := srv.opts.Clock()
	date := now.UTC().Format(time.DateOnly)
	const signed = "content-type;host;x-tc-action"
	canonical := "POST\n/\n\ncontent-type:application/json\nhost:" + strings.ToLower(req.URL.Host) +
		"\nx-tc-action:" + strings.ToLower(req.Header.Get("X-TC-Action")) + "\n\n" + signed + "\n" + sha256Hex([]byte(`{"MediaType":"mp4"}`))
	sig := tc3Signature(DefaultSecretKey, date, ServiceVOD, stringToSign(now.Unix(), date+"/vod/tc3_request", canonical))
	req.Header.Set("Authorization", "TC3-HMAC-SHA256 Credential="+DefaultSecretID+"/"+date+"/vod/tc3_request, SignedHeaders="+signed+", Signature="+sig)
	wantCode(t, send(t, req), "")
}

// Every VOD action has its own bucket, as on the real API; an action documented with a lower limit
// keeps it.
func TestAPI_rateLimitPerAction(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now, RateLimit: 3})
	for _, action := range []string{"ApplyUpload", "DescribeMediaInfos"} {
		body := map[string]string{"ApplyUpload": `{"MediaType":"mp4"}`, "DescribeMediaInfos": `{"FileIds":["5285890781213513981"]}`}[action]
		for i := range 3 {
			if reply := call(t, srv, apiRequest{Action: action, Body: body}); reply.ErrorCode != "" {
				t.Fatalf("%s call %d: %s %s, want it within the limit of 3", action, i+1, reply.ErrorCode, reply.Message)
			}
		}
		wantCode(t, call(t, srv, apiRequest{Action: action, Body: body}), CodeRequestLimitExceeded)
	}

	if got := newRateLimits(100).limitOf("ParseStreamingManifest"); got != 20 {
		t.Errorf("ParseStreamingManifest limit = %d at RateLimit 100, want its documented 20", got)
	}
	if got := newRateLimits(5).limitOf("ParseStreamingManifest"); got != 5 {
		t.Errorf("ParseStreamingManifest limit = %d at RateLimit 5, want 5", got)
	}
}
