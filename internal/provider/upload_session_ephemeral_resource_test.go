package provider

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
)

func TestAccUploadSessionEphemeral_basic(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)

	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + `
ephemeral "tencentvod_upload_session" "test" {
  media_type = "mp4"
}
` + echoProviderConfig,
			ConfigStateChecks: []statecheck.StateCheck{
				stateCheck(func(state *tfjson.State) error {
					data, err := echoData(state)
					if err != nil {
						return err
					}
					if err := checkSessionShape(data, false); err != nil {
						return err
					}
					if env.emu == nil {
						return nil
					}
					return env.checkResultsMatchEmulator(data, map[string]any{
						"MediaType": "mp4",
						"SubAppId":  float64(emulatorSubAppID),
					})
				}),
			},
		}},
	})
}

func TestAccUploadSessionEphemeral_allArguments(t *testing.T) {
	t.Parallel()
	skipInAccMode(t) // names a task flow, class and sub-application that only the emulator is known to have
	env := newTestEnv(t, func(o *emulator.Options) {
		o.ClassIDs = []int64{42}
		o.Procedures = []string{"TranscodeAndSnapshot"}
	})
	sourceContext := strings.Repeat("源", 250) // 250 characters, 750 bytes: the limit counts characters

	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + fmt.Sprintf(`
ephemeral "tencentvod_upload_session" "test" {
  media_type      = "MP4"
  cover_type      = "JPG"
  sub_app_id      = %[1]d
  media_name      = "launch trailer"
  procedure       = "TranscodeAndSnapshot"
  expire_time     = "2031-01-02T08:00:00+08:00"
  storage_region  = "ap-chongqing"
  class_id        = 42
  source_context  = %[2]q
  session_context = "pipeline=release"
  ext_info        = "reserved"
}
`, emulatorSubAppID+1, sourceContext) + echoProviderConfig,
			ConfigStateChecks: []statecheck.StateCheck{
				stateCheck(func(state *tfjson.State) error {
					data, err := echoData(state)
					if err != nil {
						return err
					}
					if err := checkSessionShape(data, true); err != nil {
						return err
					}
					// Configured arguments come back exactly as configured (Terraform requires it), even
					// where the request carries a normalised form.
					for attribute, want := range map[string]any{
						"media_type": "MP4", "cover_type": "JPG", "storage_region": "ap-chongqing",
						"expire_time": "2031-01-02T08:00:00+08:00", "class_id": float64(42),
					} {
						if data[attribute] != want {
							return fmt.Errorf("%s = %v, want the configured %v", attribute, data[attribute], want)
						}
					}
					return env.checkResultsMatchEmulator(data, map[string]any{
						"MediaType":      "mp4",
						"CoverType":      "jpg",
						"SubAppId":       float64(emulatorSubAppID + 1),
						"MediaName":      "launch trailer",
						"Procedure":      "TranscodeAndSnapshot",
						"ExpireTime":     "2031-01-02T00:00:00Z",
						"StorageRegion":  "ap-chongqing",
						"ClassId":        float64(42),
						"SourceContext":  sourceContext,
						"SessionContext": "pipeline=release",
						"ExtInfo":        "reserved",
					})
				}),
			},
		}},
	})
}

// checkSessionShape checks what holds for any opened session, on the emulator or the real API.
func checkSessionShape(data map[string]any, withCover bool) error {
	for _, attribute := range []string{
		"storage_bucket", "storage_region", "vod_session_key", "media_storage_path", "media_object_key",
		"request_id", "cos_bucket_url", "media_upload_url",
	} {
		if s, _ := data[attribute].(string); s == "" {
			return fmt.Errorf("%s is empty", attribute)
		}
	}
	if data["enabled"] != true {
		return fmt.Errorf("enabled = %v, want true", data["enabled"])
	}
	if want := strings.TrimPrefix(stringAt(data, "media_storage_path"), "/"); data["media_object_key"] != want {
		return fmt.Errorf("media_object_key = %v, want %q", data["media_object_key"], want)
	}
	for _, attribute := range []string{"cover_storage_path", "cover_object_key", "cover_upload_url"} {
		if present := data[attribute] != nil; present != withCover {
			return fmt.Errorf("%s = %v; want present=%v", attribute, data[attribute], withCover)
		}
	}
	if withCover {
		if want := strings.TrimPrefix(stringAt(data, "cover_storage_path"), "/"); data["cover_object_key"] != want {
			return fmt.Errorf("cover_object_key = %v, want %q", data["cover_object_key"], want)
		}
	}
	cert, ok := data["temp_certificate"].(map[string]any)
	if !ok {
		return fmt.Errorf("temp_certificate = %v", data["temp_certificate"])
	}
	expiredTime, _ := cert["expired_time"].(float64)
	wantExpiration := time.Unix(int64(expiredTime), 0).UTC().Format(time.RFC3339)
	if cert["expiration"] != wantExpiration || !strings.HasSuffix(wantExpiration, "Z") {
		return fmt.Errorf("temp_certificate.expiration = %v, want %s (expired_time %v in UTC)", cert["expiration"], wantExpiration, expiredTime)
	}
	if time.Unix(int64(expiredTime), 0).Before(time.Now()) {
		return fmt.Errorf("temp_certificate expired already at %s", wantExpiration)
	}
	return nil
}

// checkResultsMatchEmulator checks that the results equal what the emulator minted for this session, and
// that the request carried exactly wantParams.
func (e *testEnv) checkResultsMatchEmulator(data map[string]any, wantParams map[string]any) error {
	session, ok := e.sessionByKey(stringAt(data, "vod_session_key"))
	if !ok {
		return fmt.Errorf("the emulator minted no session with the returned vod_session_key")
	}
	cert, _ := data["temp_certificate"].(map[string]any)
	url := e.emu.URL()
	want := map[string]any{
		"request_id":         session.RequestID,
		"storage_bucket":     session.StorageBucket,
		"storage_region":     session.StorageRegion,
		"media_storage_path": session.MediaStoragePath,
		"cos_bucket_url":     url,
	}
	if session.CoverStoragePath != "" {
		want["cover_storage_path"] = session.CoverStoragePath
	}
	for attribute, value := range want {
		if data[attribute] != value {
			return fmt.Errorf("%s = %v, the emulator minted %v", attribute, data[attribute], value)
		}
	}
	for attribute, value := range map[string]any{
		"secret_id": session.TempCertificate.SecretID, "secret_key": session.TempCertificate.SecretKey,
		"token": session.TempCertificate.Token, "expired_time": float64(session.TempCertificate.ExpiredTime),
	} {
		if cert[attribute] != value {
			return fmt.Errorf("temp_certificate.%s differs from what the emulator minted", attribute)
		}
	}
	mediaURL := stringAt(data, "media_upload_url")
	if !strings.HasPrefix(mediaURL, url+"/") || !strings.Contains(mediaURL, "q-signature=") {
		return fmt.Errorf("media_upload_url is not a presigned URL under %s", url)
	}
	call, ok := e.callByRequestID("ApplyUpload", session.RequestID)
	if !ok {
		return fmt.Errorf("no ApplyUpload call recorded with RequestId %s", session.RequestID)
	}
	if got := plainJSON(call.Params); !reflect.DeepEqual(got, wantParams) {
		return fmt.Errorf("ApplyUpload request parameters\n got: %v\nwant: %v", got, wantParams)
	}
	if call.Region != "ap-guangzhou" {
		return fmt.Errorf("X-TC-Region = %q, want the default ap-guangzhou", call.Region)
	}
	// English error messages (the SDK's default is Chinese) and a User-Agent naming both versions.
	if call.Language != "en-US" {
		return fmt.Errorf("X-TC-Language = %q, want en-US", call.Language)
	}
	if !regexp.MustCompile(`^Terraform/\d+\.\d+\.\d+.* terraform-provider-tencentvod/test`).MatchString(call.UserAgent) {
		return fmt.Errorf("User-Agent = %q, want Terraform's and the provider's versions", call.UserAgent)
	}
	return nil
}

func (e *testEnv) sessionByKey(key string) (emulator.UploadSession, bool) {
	for _, s := range e.emu.Sessions() {
		if s.VodSessionKey == key {
			return s, true
		}
	}
	return emulator.UploadSession{}, false
}

func (e *testEnv) callByRequestID(action, requestID string) (emulator.Call, bool) {
	for _, c := range e.emu.Calls(action) {
		if c.RequestID == requestID {
			return c, true
		}
	}
	return emulator.Call{}, false
}

// noAPICallsYet fails when the emulator has seen any ApplyUpload attempt so far.
func (e *testEnv) noAPICallsYet() plancheck.PlanCheck {
	return planCheck(func(*tfjson.Plan) error {
		if n := e.emu.Attempts("ApplyUpload"); n != 0 {
			return fmt.Errorf("ApplyUpload was called %d times; want none", n)
		}
		return nil
	})
}

func TestAccUploadSessionEphemeral_invalidArguments(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)

	session := func(arguments string) string {
		return env.providerConfig() + fmt.Sprintf(`
ephemeral "tencentvod_upload_session" "test" {
  %s
}
`, arguments) + echoProviderConfig
	}
	withProvider := func(extra ...string) string {
		return env.providerConfig(extra...) + `
ephemeral "tencentvod_upload_session" "test" {
  media_type = "mp4"
}
` + echoProviderConfig
	}

	cases := []struct {
		name   string
		config string
		want   string
	}{
		{"unknown media type", session(`media_type = "exe"`), `(?s)Attribute media_type value must be one of.*"mp4"`},
		{"image as media type", session(`media_type = "jpg"`), `Attribute media_type value must be one of`},
		{"missing media type", session(`media_name = "x"`), `The argument "media_type" is required`},
		{"video as cover type", session(`
  media_type = "mp4"
  cover_type = "mp4"`), `(?s)Attribute cover_type value must be one of.*"heif"`},
		{"expire time not RFC 3339", session(`
  media_type  = "mp4"
  expire_time = "2031-01-02 08:00"`), `(?s)Invalid RFC3339 String Value.*expire_time = "2031-01-02 08:00"`},
		{"source context too long", session(fmt.Sprintf(`
  media_type     = "mp4"
  source_context = %q`, strings.Repeat("源", 251))), `Attribute source_context UTF-8 character count must be at most 250, got: 251`},
		{"session context too long", session(fmt.Sprintf(`
  media_type      = "mp4"
  session_context = %q`, strings.Repeat("x", 1001))), `(?s)Attribute session_context UTF-8 character count must be at most 1000, got:\s+1001`},
		{"sub app id zero", session(`
  media_type = "mp4"
  sub_app_id = 0`), `Attribute sub_app_id value must be at least 1`},
		{"negative class id", session(`
  media_type = "mp4"
  class_id   = -1`), `Attribute class_id value must be at least 0`},
		{"storage region not a region", session(`
  media_type     = "mp4"
  storage_region = "Chongqing"`), `(?s)Attribute storage_region value must be a Tencent Cloud region ID`},
		{"empty media name", session(`
  media_type = "mp4"
  media_name = ""`), `Attribute media_name string length must be at least 1`},
		{"timeout not a duration", session(`
  media_type = "mp4"
  timeouts {
    open = "soon"
  }`), `(?s)Invalid Attribute Value Time Duration.*open = "soon"`},
		{"endpoint with unsupported scheme", withProvider(`endpoint = "ftp://127.0.0.1:21"`), `(?s)Attribute endpoint value must be a base URL`},
		{"cos endpoint with a path", withProvider(`cos_endpoint = "http://127.0.0.1:9000/bucket"`), `(?s)Attribute cos_endpoint value must be an http or https URL template`},
		{"region not a region", withProvider(`region = "Guangzhou"`), `Attribute region value must be a Tencent Cloud region ID`},
		{"negative max retries", withProvider(`max_retries = -1`), `Attribute max_retries value must be between 0 and 20`},
		{"zero rate limit", withProvider(`rate_limit = 0`), `Attribute rate_limit value must be at least 1`},
		{"provider sub app id zero", withProvider(`sub_app_id = 0`), `Attribute sub_app_id value must be at least 1`},
		{"secret id without secret key", withProvider(`secret_id = "AKIDEXAMPLE"`, `secret_key = null`), `(?s)Attribute "secret_key" must be specified when "secret_id" is specified`},
		{"two assume_role blocks", withProvider(`
  assume_role {
    role_arn     = "qcs::cam::uin/100000000001:roleName/a"
    session_name = "ci"
  }
  assume_role {
    role_arn     = "qcs::cam::uin/100000000001:roleName/b"
    session_name = "ci"
  }`), `Attribute assume_role list must contain at most 1 elements`},
		{"assume role duration too long", withProvider(`
  assume_role {
    role_arn         = "qcs::cam::uin/100000000001:roleName/a"
    session_name     = "ci"
    session_duration = 43201
  }`), `session_duration value must be between 1 and 43200`},
		{"assume role ARN malformed", withProvider(`
  assume_role {
    role_arn     = "arn:aws:iam::123456789012:role/a"
    session_name = "ci"
  }`), `role_arn must look like qcs::cam::uin/`},
		{"assume role policy not JSON", withProvider(`
  assume_role {
    role_arn     = "qcs::cam::uin/100000000001:roleName/a"
    session_name = "ci"
    policy       = "allow everything"
  }`), `(?s)assume_role\[0\]\.policy value must be a JSON object`},
		{"domain with a scheme", withProvider(`domain = "https://tencentcloudapi.com"`), `Attribute domain value must be a domain name`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			runTest(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config:      tc.config,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
	if n := env.apiAttempts(""); n != 0 {
		t.Errorf("bad input reached the API: %d calls; want none", n)
	}
}

func TestAccUploadSessionEphemeral_notUsableInResourceArguments(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + `
ephemeral "tencentvod_upload_session" "test" {
  media_type = "mp4"
}

resource "terraform_data" "bucket" {
  input = ephemeral.tencentvod_upload_session.test.storage_bucket
}
`,
			ExpectError: regexp.MustCompile(`Invalid use of ephemeral value`),
		}},
	})
}

func TestAccUploadSessionEphemeral_disabled(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			// No credentials at all: a disabled session must not even need them.
			Config: env.endpointsOnly() + `
ephemeral "tencentvod_upload_session" "test" {
  media_type = "mp4"
  enabled    = false
}
` + echoProviderConfig,
			ConfigStateChecks: []statecheck.StateCheck{
				stateCheck(func(state *tfjson.State) error {
					data, err := echoData(state)
					if err != nil {
						return err
					}
					for attribute, value := range data {
						switch attribute {
						case "media_type", "enabled":
						default:
							if value != nil {
								return fmt.Errorf("%s = %v; want null when disabled", attribute, value)
							}
						}
					}
					if data["enabled"] != false {
						return fmt.Errorf("enabled = %v", data["enabled"])
					}
					if n := env.apiAttempts(""); n != 0 {
						return fmt.Errorf("%d API calls; want none when disabled", n)
					}
					return nil
				}),
			},
		}},
	})
}

func TestAccUploadSessionEphemeral_enabledOnlyWhenApplying(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + `
ephemeral "tencentvod_upload_session" "test" {
  media_type = "mp4"
  enabled    = terraform.applying
}

resource "terraform_data" "consumer" {
  provisioner "local-exec" {
    command     = "test -n \"$BUCKET\""
    environment = { BUCKET = ephemeral.tencentvod_upload_session.test.storage_bucket }
  }
}
`,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{env.noAPICallsYet()}},
			ConfigStateChecks: []statecheck.StateCheck{
				stateCheck(func(*tfjson.State) error {
					if n := len(env.emu.Sessions()); n != 1 {
						return fmt.Errorf("%d sessions opened; want exactly 1, during apply", n)
					}
					return nil
				}),
			},
		}},
	})
}

func TestAccUploadSessionEphemeral_unknownArgumentAtPlan(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + `
resource "terraform_data" "name" {}

ephemeral "tencentvod_upload_session" "test" {
  media_type = "mp4"
  media_name = "media-${terraform_data.name.id}"
}
` + echoProviderConfig,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{env.noAPICallsYet()}},
			ConfigStateChecks: []statecheck.StateCheck{
				stateCheck(func(state *tfjson.State) error {
					data, err := echoData(state)
					if err != nil {
						return err
					}
					session, ok := env.sessionByKey(stringAt(data, "vod_session_key"))
					if !ok || !strings.HasPrefix(session.Request.MediaName, "media-") {
						return fmt.Errorf("the session opened at apply did not carry the media name known then")
					}
					return nil
				}),
			},
		}},
	})
}

func TestAccUploadSessionEphemeral_unknownProviderConfigAtPlan(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: `
resource "terraform_data" "region" {
  input = "ap-guangzhou"
}
` + env.providerConfig(`region = terraform_data.region.id == "" ? "ap-singapore" : terraform_data.region.output`) + `
ephemeral "tencentvod_upload_session" "test" {
  media_type = "mp4"
}
` + echoProviderConfig,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{env.noAPICallsYet()}},
			ConfigStateChecks: []statecheck.StateCheck{
				stateCheck(func(state *tfjson.State) error {
					data, err := echoData(state)
					if err != nil {
						return err
					}
					if err := checkSessionShape(data, false); err != nil {
						return err
					}
					session, ok := env.sessionByKey(stringAt(data, "vod_session_key"))
					if !ok {
						return fmt.Errorf("no session minted for the echoed key")
					}
					call, _ := env.callByRequestID("ApplyUpload", session.RequestID)
					if call.Region != "ap-guangzhou" {
						return fmt.Errorf("region at apply = %q, want the value known then", call.Region)
					}
					return nil
				}),
			},
		}},
	})
}

// The documented example: terraform_data + local-exec uploads with curl and the presigned URL.
func TestAccUploadSessionEphemeral_uploadWithPresignedURL(t *testing.T) {
	t.Parallel()
	skipInAccMode(t) // reads the uploaded bytes back from the emulator
	env := newTestEnv(t)
	media := filepath.Join(t.TempDir(), "clip.mp4")
	content := []byte("not really a video, but bytes that must arrive intact: \x00\x01\x02 " + t.Name())
	writeFile(t, media, string(content))

	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:            env.providerConfig() + readExample(t, "ephemeral-resource.tf"),
			ConfigVariables:   config.Variables{"video_file": config.StringVariable(media)},
			ConfigStateChecks: []statecheck.StateCheck{env.expectUploaded(content)},
		}},
	})
}

// expectUploaded checks that exactly one session was opened and that content arrived at its media path.
func (e *testEnv) expectUploaded(content []byte) statecheck.StateCheck {
	return stateCheck(func(*tfjson.State) error {
		sessions := e.emu.Sessions()
		if len(sessions) != 1 {
			return fmt.Errorf("%d sessions; want 1", len(sessions))
		}
		got, ok := e.emu.Object(sessions[0].StorageBucket, strings.TrimPrefix(sessions[0].MediaStoragePath, "/"))
		if !ok {
			return fmt.Errorf("nothing was uploaded to the session's media path")
		}
		if string(got) != string(content) {
			return fmt.Errorf("uploaded %d bytes differ from the %d bytes of the file", len(got), len(content))
		}
		return nil
	})
}

// readExample returns an example configuration of the upload session, as the documentation shows it.
func readExample(t *testing.T, name string) string {
	t.Helper()
	return readExampleFile(t, "ephemeral-resources", "tencentvod_upload_session", name)
}

// readExampleFile returns a file of examples/, the documentation's source.
func readExampleFile(t *testing.T, dirs ...string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(append([]string{"..", "..", "examples"}, dirs...)...))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// sessionWithEcho is the smallest configuration that opens one session and records it.
const sessionWithEcho = `
ephemeral "tencentvod_upload_session" "test" {
  media_type = "mp4"
}
` + echoProviderConfig

func TestAccUploadSessionEphemeral_retriesTransientFailures(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	faults := map[string]emulator.Fault{
		"rate limited":       {Code: "RequestLimitExceeded", Message: "Your current request frequency has exceeded the limit."},
		"per-account limit":  {Code: "RequestLimitExceeded.UinLimitExceeded", Message: "Your account's request frequency has exceeded the limit."},
		"non-JSON HTTP 500":  {HTTPStatus: 500},
		"HTTP 502 gateway":   {HTTPStatus: 502},
		"dropped connection": {DropConnection: true},
	}
	for name, fault := range faults {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			fault.Action, fault.Times = "ApplyUpload", 2
			env.emu.InjectFault(fault)
			runTest(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config: env.providerConfig() + sessionWithEcho,
					ConfigStateChecks: []statecheck.StateCheck{
						stateCheck(func(*tfjson.State) error {
							failed := env.emu.Attempts("ApplyUpload") - len(env.emu.Sessions())
							if failed != 2 {
								return fmt.Errorf("%d failed attempts; want the 2 injected, each retried", failed)
							}
							return nil
						}),
					},
				}},
			})
		})
	}
}

func TestAccUploadSessionEphemeral_failsFastOnPermanentErrors(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	cases := map[string]struct {
		fault  emulator.Fault
		config func(env *testEnv) string
		want   string
	}{
		"signature rejected by the emulator": {
			config: func(env *testEnv) string { return env.providerConfig(`secret_key = "not-the-right-key"`) },
			want:   `(?s)Unable to Open VOD Upload Session.*Action: +ApplyUpload.*Error code: +AuthFailure\.SignatureFailure.*Message: +\S.*RequestId: +[0-9a-f-]{36}`,
		},
		"unauthorized": {
			fault: emulator.Fault{Code: "UnauthorizedOperation", Message: "CAM signature/authentication error."},
			want:  `(?s)Error code: +UnauthorizedOperation.*Message: +CAM signature/authentication error\..*RequestId: +[0-9a-f-]{36}.*QcloudVODFullAccess`,
		},
		"invalid sub app id": {
			fault: emulator.Fault{Code: "InvalidParameterValue.SubAppId", Message: "Invalid parameter: SubAppId."},
			want:  `(?s)Error code: +InvalidParameterValue\.SubAppId.*2023-12-25`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			config := env.providerConfig()
			if tc.config != nil {
				config = tc.config(env)
			}
			if tc.fault.Code != "" {
				tc.fault.Action = "ApplyUpload"
				env.emu.InjectFault(tc.fault)
			}
			runTest(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config:      config + sessionWithEcho,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
			if n := env.emu.Attempts("ApplyUpload"); n != 1 {
				t.Errorf("%d ApplyUpload attempts; a permanent error must not be retried", n)
			}
		})
	}
}

func TestAccUploadSessionEphemeral_givesUpAfterMaxRetries(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	env.emu.InjectFault(emulator.Fault{Action: "ApplyUpload", Code: "InternalError", Message: "Try again."})
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:      env.providerConfig(`max_retries = 2`) + sessionWithEcho,
			ExpectError: regexp.MustCompile(`(?s)Error code: +InternalError.*RequestId: +[0-9a-f-]{36}`),
		}},
	})
	if n := env.emu.Attempts("ApplyUpload"); n != 3 {
		t.Errorf("%d ApplyUpload attempts; want 1 + max_retries (2)", n)
	}
}

func TestAccUploadSessionEphemeral_openTimeout(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	env.emu.InjectFault(emulator.Fault{Action: "ApplyUpload", Latency: 10 * time.Second})
	started := time.Now()
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + `
ephemeral "tencentvod_upload_session" "test" {
  media_type = "mp4"
  timeouts {
    open = "1s"
  }
}
` + echoProviderConfig,
			ExpectError: regexp.MustCompile(`(?s)got no answer.*Error code: +ClientError\.NetworkError.*deadline exceeded.*ran out of time`),
		}},
	})
	if elapsed := time.Since(started); elapsed > 9*time.Second {
		t.Errorf("the open took %s; the 1s timeout did not cut it short", elapsed)
	}
}

// The documented credentials pattern: any object-storage tool run by local-exec gets the session's bucket,
// key and temporary credentials through `environment`. A small program built on the official COS SDK
// stands in for the example's upload script.
func TestAccUploadSessionEphemeral_uploadWithCredentialsInEnvironment(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	tool := buildTestTool(t, "./testdata/cosput")
	media := filepath.Join(t.TempDir(), "talk.mp4")
	content := []byte("pretend video " + t.Name())
	writeFile(t, media, string(content))

	example := readExample(t, "ephemeral-resource-environment.tf")
	const script = `"${path.module}/scripts/cos-upload.sh"`
	if !strings.Contains(example, script) {
		t.Fatalf("the example no longer runs %s; update this test with it", script)
	}
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:            env.providerConfig() + strings.Replace(example, script, fmt.Sprintf("%q", tool), 1),
			ConfigVariables:   config.Variables{"media_file": config.StringVariable(media)},
			ConfigStateChecks: []statecheck.StateCheck{env.expectUploaded(content)},
		}},
	})
}

// buildTestTool compiles a helper program from testdata into a temporary directory.
func buildTestTool(t *testing.T, pkg string) string {
	t.Helper()
	binary := filepath.Join(t.TempDir(), filepath.Base(pkg))
	out, err := exec.Command("go", "build", "-o", binary, pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("building %s: %s\n%s", pkg, err, out)
	}
	return binary
}

// Secrets never reach state, plan or a TRACE log: the provider's own secret key and security token, and
// every session's temporary key, token, session key and presigned URLs. Not parallel: it sets TF_LOG.
func TestAccUploadSessionEphemeral_noSecretsInStatePlanOrLogs(t *testing.T) {
	skipInAccMode(t)
	env := newTestEnv(t, func(o *emulator.Options) { o.CVMRoles = []string{"ci"} })
	// Temporary credentials for the provider block, so that security_token is exercised too.
	creds := env.fetchRoleCredentials("ci")
	// From the environment, as in real pipelines: a literal in the configuration is part of the saved plan
	// whatever the provider does.
	t.Setenv("TENCENTCLOUD_SECRET_ID", creds.SecretID)
	t.Setenv("TENCENTCLOUD_SECRET_KEY", creds.SecretKey)
	t.Setenv("TENCENTCLOUD_SECURITY_TOKEN", creds.Token)
	logFile := filepath.Join(t.TempDir(), "terraform.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)

	secrets := func() []string { return env.sessionSecrets(creds.SecretKey, creds.Token) }
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.endpointsOnly() + `
ephemeral "tencentvod_upload_session" "test" {
  media_type = "mp4"
  cover_type = "jpg"
}

resource "terraform_data" "consumer" {
  provisioner "local-exec" {
    command = "test -n \"$URL\" && test -n \"$COVER_URL\" && test -n \"$KEY\" && test -n \"$TOKEN\" && test -n \"$SESSION\""
    environment = {
      URL       = ephemeral.tencentvod_upload_session.test.media_upload_url
      COVER_URL = ephemeral.tencentvod_upload_session.test.cover_upload_url
      KEY       = ephemeral.tencentvod_upload_session.test.temp_certificate.secret_key
      TOKEN     = ephemeral.tencentvod_upload_session.test.temp_certificate.token
      SESSION   = ephemeral.tencentvod_upload_session.test.vod_session_key
    }
  }
}
`,
			ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{secretsAbsentFromPlan(secrets)}},
			ConfigStateChecks: []statecheck.StateCheck{secretsAbsentFromState(secrets)},
		}},
	})

	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "ApplyUpload") || !strings.Contains(string(log), "opened VOD upload session") {
		t.Fatalf("the TRACE log (%d bytes) does not show the provider's own log lines; the check below would prove nothing", len(log))
	}
	for _, secret := range secrets() {
		if strings.Contains(string(log), secret) {
			t.Errorf("a secret (%s...) appears in the TRACE log", secret[:6])
		}
	}
	if n := len(env.emu.Sessions()); n < 2 {
		t.Errorf("only %d sessions opened; the check covered too little", n)
	}
}

// Many sessions in one run stay under the API's rate limit: the client's own limiter spaces the calls, so
// the service hardly ever has to refuse one.
func TestAccUploadSessionEphemeral_manySessionsStayUnderRateLimit(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	const sessions, perSecond = 40, 20
	env := newTestEnv(t, func(o *emulator.Options) { o.RateLimit = perSecond })
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.providerConfig(fmt.Sprintf("rate_limit = %d", perSecond)) + fmt.Sprintf(`
ephemeral "tencentvod_upload_session" "many" {
  count      = %d
  media_type = "mp4"
  enabled    = terraform.applying
}

resource "terraform_data" "consumer" {
  provisioner "local-exec" {
    command     = "test \"$COUNT\" = %[1]d"
    environment = { COUNT = length(ephemeral.tencentvod_upload_session.many[*].storage_bucket) }
  }
}
`, sessions),
			ConfigStateChecks: []statecheck.StateCheck{
				stateCheck(func(*tfjson.State) error {
					// The client's bucket paces calls at the API's own rate, so at most a stray call at the edge
					// of the first second's burst is refused (and retried).
					opened, attempts := len(env.emu.Sessions()), env.emu.Attempts("ApplyUpload")
					if opened != sessions || attempts > sessions+2 {
						return fmt.Errorf("%d sessions opened in %d attempts; want %d in at most 2 more", opened, attempts, sessions)
					}
					return nil
				}),
			},
		}},
	})
}
