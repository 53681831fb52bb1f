package provider

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// A signature the API finds too old means this machine's clock is off, not that the credentials are wrong.
func TestAccDiagnostics_signatureExpirePointsAtTheClock(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	env.emu.InjectFault(emulator.Fault{Action: "ApplyUpload", Code: "AuthFailure.SignatureExpire", Message: "Signature expired."})
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:      env.providerConfig() + sessionWithEcho,
			ExpectError: wrapTolerant(`(?s)Error code: AuthFailure\.SignatureExpire.*this machine's clock is off.*NTP.*the credentials are not the problem`),
		}},
	})
}

// The same through the API's own check: an emulator whose clock is 10 minutes ahead refuses the
// signatures of this machine, as Tencent Cloud refuses a client whose clock is off, and only once.
func TestAccDiagnostics_skewedClockPointsAtTheClock(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, func(o *emulator.Options) { o.Clock = func() time.Time { return time.Now().Add(10 * time.Minute) } })
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:      env.providerConfig() + sessionWithEcho,
			ExpectError: wrapTolerant(`(?s)Error code: AuthFailure\.SignatureExpire.*this machine's clock is off.*NTP`),
		}},
	})
	if n := env.apiAttempts("ApplyUpload"); n != 1 {
		t.Errorf("ApplyUpload was sent %d times; a refused signature is not worth repeating", n)
	}
}

// A reply that is not JSON is retried for an action that changes nothing, and the error says what the
// endpoint answered instead of claiming it did not answer.
func TestAccDiagnostics_nonJSONReplySaysWhatCame(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	env.emu.InjectFault(emulator.Fault{Action: "ApplyUpload", HTTPStatus: 502})
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.providerConfig(`max_retries = 1`) + sessionWithEcho,
			ExpectError: wrapTolerant(`(?s)The endpoint answered ApplyUpload with HTTP 502, but not with an API response\..*` +
				`Error code: ClientError\.ParseJsonError.*Message: the server answered HTTP 502 Bad Gateway with a body that is not an API response: "<html><head><title>502 Bad Gateway.*` +
				`RequestId: \(none in the reply\)`),
		}},
	})
	if n := env.emu.Attempts("ApplyUpload"); n != 2 {
		t.Errorf("%d ApplyUpload attempts; want 1 + max_retries (1)", n)
	}
}

// Throttling is retried past max_retries, until the operation's timeout; the error then says so.
func TestAccDiagnostics_throttlingIsRetriedUntilTheTimeout(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	env.emu.InjectFault(emulator.Fault{Action: "ApplyUpload", Code: "RequestLimitExceeded", Message: "Too many requests."})
	started := time.Now()
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.providerConfig(`max_retries = 0`) + `
ephemeral "tencentvod_upload_session" "test" {
  media_type = "mp4"
  timeouts {
    open = "2s"
  }
}
` + echoProviderConfig,
			ExpectError: wrapTolerant(`(?s)Error code: RequestLimitExceeded.*RequestId: [0-9a-f-]{36}.*kept refusing calls for its rate limit until the operation's time ran out`),
		}},
	})
	if n := env.emu.Attempts("ApplyUpload"); n < 3 {
		t.Errorf("%d ApplyUpload attempts; throttling must be retried although max_retries = 0", n)
	}
	if elapsed := time.Since(started); elapsed > 60*time.Second {
		t.Errorf("the test took %s; the 2s open timeout did not bound the throttling retries", elapsed)
	}
}

// Every AuthFailure code the API documents gets its own cause, not the generic credentials hint.
func TestHintForEachAuthFailureCode(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"AuthFailure.SignatureExpire":       "clock",
		"AuthFailure.SignatureFailure":      "signature does not match",
		"AuthFailure.SecretIdNotFound":      "does not exist or its key is disabled",
		"AuthFailure.InvalidSecretId":       "not a Tencent Cloud API key",
		"AuthFailure.TokenFailure":          "security token",
		"AuthFailure.MFAFailure":            "multi-factor",
		"AuthFailure.InvalidAuthorization":  "Authorization header",
		"AuthFailure.UnauthorizedOperation": "CAM does not allow",
	}
	generic := hintForCode("AuthFailure.SomethingNew")
	if !strings.Contains(generic, "Check the credentials") {
		t.Errorf("an unknown AuthFailure code gets %q, want the generic credentials hint", generic)
	}
	for code, phrase := range want {
		hint := hintForCode(code)
		if !strings.Contains(hint, phrase) || hint == generic {
			t.Errorf("%s: hint %q, want one naming %q", code, hint, phrase)
		}
	}
	if regexp.MustCompile(`credentials`).MatchString(hintForCode("AuthFailure.SignatureExpire")) &&
		!strings.Contains(hintForCode("AuthFailure.SignatureExpire"), "the credentials are not the problem") {
		t.Error("the SignatureExpire hint blames the credentials")
	}
}

// The class actions' refusals come with their remedy, after the API's code and RequestId.
func TestAPIErrorDiagnostic_classRefusalsNameTheRemedy(t *testing.T) {
	t.Parallel()
	for code, remedy := range map[string]string{
		"FailedOperation.ClassNameDuplicate":      "choose another name, or import the existing class",
		"FailedOperation.ClassLevelLimitExceeded": "at most 4 levels of classes: choose a parent nearer the top",
		"FailedOperation.ParentIdNoFound":         "The parent class does not exist (any more): check parent_id.",
		"FailedOperation.SubclassLimitExceeded":   "A class holds at most 500 subclasses: choose another parent.",
		"InvalidParameterValue.ClassId":           "check class_id. Use the class_id of a tencentvod_class, or find one by its names",
		"InvalidParameter.ProcedureNameNotExist":  "check procedure (names are case-sensitive)",
	} {
		detail := apiErrorDiagnostic("Unable to Create VOD Class", &vod.APIError{
			Action: "CreateClass", Code: code, Message: "refused", RequestID: "req-1",
		}).Detail()
		if !strings.Contains(detail, "Error code: "+code) || !strings.Contains(detail, "RequestId:  req-1") ||
			!strings.Contains(detail, remedy) {
			t.Errorf("%s:\n%s\nwant the code, the RequestId and %q", code, detail, remedy)
		}
	}
}
