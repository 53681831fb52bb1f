package emulator

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

const testRoleARN = "qcs::cam::uin/100000000001:roleName/uploader"

type assumeRoleReply struct {
	Credentials struct {
		Token        string
		TmpSecretId  string
		TmpSecretKey string
	}
	ExpiredTime int64
	Expiration  string
}

func assumeRole(t *testing.T, srv *Server, body string) (apiReply, assumeRoleReply) {
	t.Helper()
	reply := call(t, srv, apiRequest{Service: ServiceSTS, Action: "AssumeRole", Body: body})
	var got assumeRoleReply
	if reply.ErrorCode == "" {
		reply.decode(t, &got)
	}
	return reply, got
}

func TestAssumeRole_happyPathAndUse(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now})
	policy := url.QueryEscape(`{"version":"2.0","statement":[{"effect":"allow","action":["vod:ApplyUpload"],"resource":["*"]}]}`)
	reply, creds := assumeRole(t, srv, `{"RoleArn":"`+testRoleARN+`","RoleSessionName":"terraform@ci","DurationSeconds":900,"Policy":"`+policy+`"}`)
	wantCode(t, reply, "")
	if !strings.HasPrefix(creds.Credentials.TmpSecretId, "AKID") || creds.Credentials.Token == "" || creds.Credentials.TmpSecretKey == "" {
		t.Fatalf("credentials = %+v", creds)
	}
	expires := clock.Now().Add(900 * time.Second)
	if creds.ExpiredTime != expires.Unix() || creds.Expiration != expires.UTC().Format("2006-01-02T15:04:05Z") {
		t.Fatalf("expiry = %d %q", creds.ExpiredTime, creds.Expiration)
	}
	calls := srv.Calls("AssumeRole")
	if len(calls) != 1 || calls[0].Params["Policy"] != policy || calls[0].Service != ServiceSTS {
		t.Fatalf("calls = %+v", calls)
	}

	temp := apiRequest{Body: `{"MediaType":"mp4"}`, SecretID: creds.Credentials.TmpSecretId, SecretKey: creds.Credentials.TmpSecretKey}
	withToken := temp
	withToken.Token = creds.Credentials.Token
	wantCode(t, call(t, srv, withToken), "")
	if got := srv.Calls("ApplyUpload")[0]; got.SecretID != temp.SecretID || got.Token != withToken.Token {
		t.Fatalf("ApplyUpload call = %+v", got)
	}
	wantCode(t, call(t, srv, temp), CodeTokenFailure)
	wrongToken := temp
	wrongToken.Token = "not-the-token"
	wantCode(t, call(t, srv, wrongToken), CodeTokenFailure)

	// Temporary credentials may assume a role again (role chaining).
	chained := apiRequest{Service: ServiceSTS, Action: "AssumeRole", Body: `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"chained"}`,
		SecretID: temp.SecretID, SecretKey: temp.SecretKey, Token: withToken.Token}
	wantCode(t, call(t, srv, chained), "")

	clock.Advance(901 * time.Second)
	wantCode(t, call(t, srv, withToken), CodeTokenFailure)
}

func TestAssumeRole_defaultDuration(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now})
	reply, creds := assumeRole(t, srv, `{"RoleArn":"`+testRoleARN+`","RoleSessionName":"s1"}`)
	wantCode(t, reply, "")
	if creds.ExpiredTime != clock.Now().Add(7200*time.Second).Unix() {
		t.Fatalf("ExpiredTime = %d", creds.ExpiredTime)
	}
}

func TestAssumeRole_validation(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	policy := func(doc string) string { return url.QueryEscape(doc) }
	tests := []struct {
		name string
		body string
		want ErrorCode
	}{
		{"role id form", `{"RoleArn":"qcs::cam::uin/12345678:role/4611686018427397919","RoleSessionName":"s1"}`, ""},
		{"service role form", `{"RoleArn":"qcs::cam::uin/12345678:role/tencentcloudServiceRoleName/svc","RoleSessionName":"s1"}`, ""},
		{"missing RoleArn", `{"RoleSessionName":"s1"}`, CodeMissingParameter},
		{"missing RoleSessionName", `{"RoleArn":"` + testRoleARN + `"}`, CodeMissingParameter},
		{"malformed RoleArn", `{"RoleArn":"arn:aws:iam::123:role/x","RoleSessionName":"s1"}`, CodeSTSParamError},
		{"RoleArn without uin digits", `{"RoleArn":"qcs::cam::uin/abc:roleName/x","RoleSessionName":"s1"}`, CodeSTSParamError},
		{"session name too short", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s"}`, CodeSTSParamError},
		{"session name with space", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"my session"}`, CodeSTSParamError},
		{"session name 129 chars", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"` + strings.Repeat("a", 129) + `"}`, CodeSTSParamError},
		{"duration max", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1","DurationSeconds":43200}`, ""},
		{"duration too long", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1","DurationSeconds":43201}`, CodeSTSOverTimeError},
		// DurationSeconds is an unsigned integer: a negative value is a parameter type error.
		{"negative duration", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1","DurationSeconds":-5}`, CodeInvalidParameter},
		{"duration as string", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1","DurationSeconds":"900"}`, CodeInvalidParameter},
		{"policy not JSON", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1","Policy":"` + policy("allow all") + `"}`, CodeSTSStrategyFormatError},
		{"policy without statement", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1","Policy":"` + policy(`{"version":"2.0"}`) + `"}`, CodeSTSStrategyFormatError},
		{"statement without effect", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1","Policy":"` + policy(`{"version":"2.0","statement":[{"action":["vod:*"],"resource":["*"]}]}`) + `"}`, CodeSTSStrategyFormatError},
		{"single statement without effect", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1","Policy":"` + policy(`{"version":"2.0","statement":{"action":["vod:*"],"resource":["*"]}}`) + `"}`, CodeSTSStrategyFormatError},
		{"statement with another effect", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1","Policy":"` + policy(`{"version":"2.0","statement":[{"effect":"maybe","action":["vod:*"],"resource":["*"]}]}`) + `"}`, CodeSTSStrategyFormatError},
		{"statement without action", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1","Policy":"` + policy(`{"version":"2.0","statement":[{"effect":"allow","resource":["*"]}]}`) + `"}`, CodeSTSStrategyFormatError},
		{"statement without resource", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1","Policy":"` + policy(`{"version":"2.0","statement":[{"effect":"deny","action":["vod:*"]}]}`) + `"}`, CodeSTSStrategyFormatError},
		{"single statement", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1","Policy":"` + policy(`{"version":"2.0","statement":{"effect":"Allow","action":["vod:*"],"resource":["*"]}}`) + `"}`, ""},
		{"policy with principal", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1","Policy":"` + policy(`{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["*"]}}]}`) + `"}`, CodeSTSStrategyInvalid},
		{"policy too long", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1","Policy":"` + policy(`{"version":"2.0","statement":[],"x":"`+strings.Repeat("a", 2100)+`"}`) + `"}`, CodeSTSPolicyTooLong},
		{"malformed ExternalId", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1","ExternalId":"a b"}`, CodeSTSParamError},
		{"tags accepted", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1","Tags":[{"Key":"team","Value":"media"}]}`, ""},
		{"unknown tag field", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1","Tags":[{"Key":"team","Colour":"red"}]}`, CodeUnknownParameter},
		{"unknown parameter", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1","Duration":60}`, CodeUnknownParameter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reply, _ := assumeRole(t, srv, tt.body)
			wantCode(t, reply, tt.want)
		})
	}
	wantCode(t, call(t, srv, apiRequest{Service: ServiceSTS, Action: "AssumeRole", Version: VersionVOD, Body: `{}`}), CodeNoSuchVersion)
	wantCode(t, call(t, srv, apiRequest{Service: ServiceSTS, Action: "ApplyUpload", Body: `{}`}), CodeInvalidAction)
	// STS does not need a region, but a sent one must be valid.
	wantCode(t, call(t, srv, apiRequest{Service: ServiceSTS, Action: "AssumeRole", NoRegion: true,
		Body: `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1"}`}), "")
	wantCode(t, call(t, srv, apiRequest{Service: ServiceSTS, Action: "AssumeRole", Region: "xx-nowhere",
		Body: `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1"}`}), CodeUnsupportedRegion)
}

func TestAssumeRole_configuredRoles(t *testing.T) {
	t.Parallel()
	const open = "qcs::cam::uin/100000000001:roleName/open"
	srv := startTestServer(t, Options{Roles: map[string]RoleOptions{
		testRoleARN: {ExternalID: "ext-123"},
		open:        {},
	}})
	tests := []struct {
		name string
		body string
		want ErrorCode
	}{
		{"matching ExternalId", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1","ExternalId":"ext-123"}`, ""},
		{"wrong ExternalId", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1","ExternalId":"ext-999"}`, CodeAuthUnauthorizedOperation},
		{"missing ExternalId", `{"RoleArn":"` + testRoleARN + `","RoleSessionName":"s1"}`, CodeAuthUnauthorizedOperation},
		{"role without ExternalId", `{"RoleArn":"` + open + `","RoleSessionName":"s1"}`, ""},
		{"unknown role", `{"RoleArn":"qcs::cam::uin/100000000001:roleName/other","RoleSessionName":"s1"}`, CodeSTSRoleNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { // sequential: the calls are inspected below
			reply, _ := assumeRole(t, srv, tt.body)
			wantCode(t, reply, tt.want)
		})
	}
	var sawExternalID bool
	for _, c := range srv.Calls("AssumeRole") {
		if c.Params["ExternalId"] == "ext-999" && c.Code == string(CodeAuthUnauthorizedOperation) {
			sawExternalID = true
		}
	}
	if !sawExternalID {
		t.Fatal("the rejected call's ExternalId was not recorded")
	}
}
