package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
)

// Credentials the in-process emulator accepts. They are not secret; tests still check that they never
// reach state, plan or logs, because a real key would be.
const (
	emulatorSecretID  = "AKIDTESTPROVIDER0000000000000000"
	emulatorSecretKey = "test-provider-secret-key-0000000000"
	emulatorSubAppID  = 1500000000
)

// accMode reports whether the tests run against the real API: TF_ACC plus credentials in the environment
// (make testacc). Otherwise every test runs against an in-process emulator (make test).
func accMode() bool {
	return os.Getenv("TF_ACC") != "" && os.Getenv("TENCENTCLOUD_SECRET_ID") != ""
}

// TestMain makes the emulator runs hermetic: no ambient credentials, profile or endpoint may leak in from
// the developer's machine, and Terraform may not call out.
func TestMain(m *testing.M) {
	if os.Getenv(providerProcessEnv) != "" {
		os.Exit(serveProviderProcess()) // a provider process a test may kill (media_resume_crash_test.go)
	}
	os.Setenv("CHECKPOINT_DISABLE", "1")
	if !accMode() {
		for _, kv := range os.Environ() {
			name, _, _ := strings.Cut(kv, "=")
			if strings.HasPrefix(name, "TENCENTCLOUD_") || strings.HasPrefix(name, "TENCENTVOD_") {
				os.Unsetenv(name)
			}
		}
		home, err := os.MkdirTemp("", "tencentvod-test-home")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		// An empty home: no ~/.tccli profile of the developer's is read. An empty CLI configuration:
		// no provider installation overrides or credentials helpers of theirs apply.
		os.Setenv("HOME", home)
		os.Setenv("XDG_CACHE_HOME", home+"/cache") // upload checkpoints, see media_resume.go
		cliConfig := home + "/terraformrc"
		if err := os.WriteFile(cliConfig, nil, 0o600); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Setenv("TF_CLI_CONFIG_FILE", cliConfig)
		code := m.Run()
		os.RemoveAll(home)
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// testProviderFactories serve this provider and the echo provider, which copies an ephemeral value into
// state so that tests can look at it.
var testProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"tencentvod": providerserver.NewProtocol6WithError(New("test")()),
	"echo":       echoprovider.NewProviderServer(),
}

// runTest runs a Terraform-driven test: against the emulator by default, against the real API in accMode.
func runTest(t *testing.T, tc resource.TestCase) {
	t.Helper()
	tc.ProtoV6ProviderFactories = testProviderFactories
	tc.TerraformVersionChecks = append(tc.TerraformVersionChecks, tfversion.SkipBelow(tfversion.Version1_10_0))
	if accMode() {
		resource.Test(t, tc)
		return
	}
	resource.UnitTest(t, tc)
}

// apiAttempts counts the requests the emulator received (for action, or all with ""). Against the real
// API nothing can be counted, so it reports 0 and the tests' "no call was made" checks hold vacuously
// there; they are meant for the emulator runs.
func (e *testEnv) apiAttempts(action string) int {
	if e.emu == nil {
		return 0
	}
	return e.emu.Attempts(action)
}

// skipInAccMode skips a test that depends on the emulator (fault injection, inspecting the service side).
func skipInAccMode(t *testing.T) {
	t.Helper()
	if accMode() {
		t.Skip("needs the local emulator: it injects faults or inspects the service side")
	}
}

// testEnv is one test's service: an emulator of its own (tests run in parallel), or the real API.
type testEnv struct {
	t   *testing.T
	emu *emulator.Server
	// baseline holds call counts taken by resetCallCounts.
	baseline map[string]int
}

// newTestEnv starts an emulator for one test. opts may tune it; keys and sub-apps are set here.
func newTestEnv(t *testing.T, opts ...func(*emulator.Options)) *testEnv {
	t.Helper()
	env := &testEnv{t: t}
	if accMode() {
		return env
	}
	o := emulator.Options{
		Keys:      map[string]string{emulatorSecretID: emulatorSecretKey},
		SubAppIDs: []uint64{emulatorSubAppID, emulatorSubAppID + 1},
	}
	for _, opt := range opts {
		opt(&o)
	}
	emu, err := emulator.Start(o)
	if err != nil {
		t.Fatalf("starting emulator: %s", err)
	}
	t.Cleanup(emu.Close)
	env.emu = emu
	return env
}

// providerConfig is a provider block pointing at this test's emulator with static credentials. Each extra
// line is added inside the block, replacing a default argument of the same name. In accMode the block
// holds only the extra lines: credentials come from the environment.
func (e *testEnv) providerConfig(extra ...string) string {
	if e.emu == nil {
		return fmt.Sprintf("provider \"tencentvod\" {\n%s\n}\n", strings.Join(extra, "\n"))
	}
	defaults := []string{
		fmt.Sprintf("secret_id = %q", emulatorSecretID),
		fmt.Sprintf("secret_key = %q", emulatorSecretKey),
		fmt.Sprintf("endpoint = %q", e.emu.URL()),
		fmt.Sprintf("sts_endpoint = %q", e.emu.URL()),
		fmt.Sprintf("cos_endpoint = %q", e.emu.URL()),
		fmt.Sprintf("sub_app_id = %d", emulatorSubAppID),
	}
	var lines []string
	for _, line := range defaults {
		if !overridden(line, extra) {
			lines = append(lines, line)
		}
	}
	return fmt.Sprintf("provider \"tencentvod\" {\n%s\n}\n", strings.Join(append(lines, extra...), "\n"))
}

// overridden reports whether one of extra sets the argument that line sets.
func overridden(line string, extra []string) bool {
	name := argumentName(line)
	for _, e := range extra {
		if argumentName(e) == name {
			return true
		}
	}
	return false
}

func argumentName(line string) string {
	name, _, found := strings.Cut(strings.TrimSpace(line), "=")
	if !found {
		return ""
	}
	return strings.TrimSpace(name)
}

// endpointsOnly is a provider block pointing at the emulator without credentials, for tests where the
// credentials come from elsewhere (environment, profile, role). In accMode it is providerConfig's.
func (e *testEnv) endpointsOnly(extra ...string) string {
	if e.emu == nil {
		return e.providerConfig(extra...)
	}
	return fmt.Sprintf(`
provider "tencentvod" {
  endpoint     = %[1]q
  sts_endpoint = %[1]q
  cos_endpoint = %[1]q
%[2]s
}
`, e.emu.URL(), strings.Join(extra, "\n"))
}

func TestProvider_schemaIsValid(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	server := providerserver.NewProtocol6(New("test")())()
	resp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Errorf("schema diagnostic: %s: %s", d.Summary, d.Detail)
	}
	if _, ok := resp.EphemeralResourceSchemas["tencentvod_upload_session"]; !ok {
		t.Errorf("ephemeral resource tencentvod_upload_session is not served; got %v", resp.EphemeralResourceSchemas)
	}
}

func TestUserAgent(t *testing.T) {
	t.Setenv("TF_APPEND_USER_AGENT", "my-pipeline/1.0")
	got := userAgent("1.11.4", "0.1.0")
	want := "Terraform/1.11.4 (+https://www.terraform.io) terraform-plugin-framework terraform-provider-tencentvod/0.1.0 my-pipeline/1.0"
	if got != want {
		t.Errorf("userAgent = %q, want %q", got, want)
	}
}

// lastApplyUpload returns the last ApplyUpload call the emulator recorded.
func (e *testEnv) lastApplyUpload() (emulator.Call, error) {
	calls := e.emu.Calls("ApplyUpload")
	if len(calls) == 0 {
		return emulator.Call{}, fmt.Errorf("no ApplyUpload call was recorded")
	}
	return calls[len(calls)-1], nil
}

// expectApplyUploadSignedBy checks who signed the last ApplyUpload call, with which token and region.
func (e *testEnv) expectApplyUploadSignedBy(secretID func() string, wantToken bool, region string) stateCheck {
	return func(*tfjson.State) error {
		call, err := e.lastApplyUpload()
		if err != nil {
			return err
		}
		if want := secretID(); call.SecretID != want {
			return fmt.Errorf("ApplyUpload signed by SecretId %q, want %q", call.SecretID, want)
		}
		if hasToken := call.Token != ""; hasToken != wantToken {
			return fmt.Errorf("ApplyUpload sent a token: %v, want %v", hasToken, wantToken)
		}
		if call.Region != region {
			return fmt.Errorf("ApplyUpload region %q, want %q", call.Region, region)
		}
		return nil
	}
}

// The provider configured only from environment variables. Not parallel: it sets the process environment.
func TestAccProvider_configuredFromEnvironment(t *testing.T) {
	skipInAccMode(t)
	env := newTestEnv(t, func(o *emulator.Options) { o.RequireSubAppID = true })
	t.Setenv("TENCENTCLOUD_SECRET_ID", emulatorSecretID)
	t.Setenv("TENCENTCLOUD_SECRET_KEY", emulatorSecretKey)
	t.Setenv("TENCENTCLOUD_REGION", "ap-singapore")
	t.Setenv("TENCENTVOD_SUB_APP_ID", fmt.Sprint(emulatorSubAppID+1))
	t.Setenv("TENCENTVOD_ENDPOINT", env.emu.URL())
	t.Setenv("TENCENTVOD_STS_ENDPOINT", env.emu.URL())
	t.Setenv("TENCENTVOD_COS_ENDPOINT", env.emu.URL())

	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: `provider "tencentvod" {}` + sessionWithEcho,
			ConfigStateChecks: []statecheck.StateCheck{
				env.expectApplyUploadSignedBy(func() string { return emulatorSecretID }, false, "ap-singapore"),
				stateCheck(func(*tfjson.State) error {
					call, _ := env.lastApplyUpload()
					if plainJSON(call.Params)["SubAppId"] != float64(emulatorSubAppID+1) {
						return fmt.Errorf("SubAppId %v, want TENCENTVOD_SUB_APP_ID", call.Params["SubAppId"])
					}
					return nil
				}),
			},
		}},
	})
}

func TestAccProvider_configuredFromTccliProfile(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "ci.credential"), fmt.Sprintf(`{"secretId": %q, "secretKey": %q}`, emulatorSecretID, emulatorSecretKey))
	writeFile(t, filepath.Join(dir, "ci.configure"), `{"_sys_param": {"region": "ap-singapore", "output": "json"}}`)

	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.endpointsOnly(`profile = "ci"`, fmt.Sprintf("shared_credentials_dir = %q", dir)) + sessionWithEcho,
			ConfigStateChecks: []statecheck.StateCheck{
				env.expectApplyUploadSignedBy(func() string { return emulatorSecretID }, false, "ap-singapore"),
			},
		}},
	})
}

func TestAccProvider_explicitArgumentsWinOverEnvironment(t *testing.T) {
	skipInAccMode(t)
	env := newTestEnv(t)
	t.Setenv("TENCENTCLOUD_SECRET_ID", "AKIDFROMENVIRONMENTNOTUSED")
	t.Setenv("TENCENTCLOUD_SECRET_KEY", "environment-key-not-used")
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + sessionWithEcho,
			ConfigStateChecks: []statecheck.StateCheck{
				env.expectApplyUploadSignedBy(func() string { return emulatorSecretID }, false, "ap-guangzhou"),
			},
		}},
	})
}

// roleARN is the role the assume-role tests assume; its trust policy demands an external ID.
const roleARN = "qcs::cam::uin/100000000001:roleName/vod-uploader"

func withUploaderRole(o *emulator.Options) {
	o.Roles = map[string]emulator.RoleOptions{roleARN: {ExternalID: "pipeline-7"}}
}

func TestAccProvider_assumeRole(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withUploaderRole)
	policy := `{"version":"2.0","statement":[{"effect":"allow","action":["vod:ApplyUpload"],"resource":["*"]}]}`

	assumedSecretID := func() string {
		return env.temporarySecretIDMintedBy("AssumeRole")
	}
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.providerConfig(fmt.Sprintf(`
  assume_role {
    role_arn         = %q
    session_name     = "terraform-ci"
    session_duration = 3600
    policy           = %q
    external_id      = "pipeline-7"
  }`, roleARN, policy)) + sessionWithEcho,
			ConfigStateChecks: []statecheck.StateCheck{
				env.expectApplyUploadSignedBy(assumedSecretID, true, "ap-guangzhou"),
				stateCheck(func(*tfjson.State) error {
					calls := env.emu.Calls("AssumeRole")
					if len(calls) == 0 {
						return fmt.Errorf("no AssumeRole call")
					}
					got := calls[0]
					if got.SecretID != emulatorSecretID {
						return fmt.Errorf("AssumeRole signed by %q, want the provider's own key", got.SecretID)
					}
					want := map[string]any{
						"RoleArn": roleARN, "RoleSessionName": "terraform-ci", "DurationSeconds": float64(3600),
						"Policy": url.QueryEscape(policy), "ExternalId": "pipeline-7",
					}
					if params := plainJSON(got.Params); !reflect.DeepEqual(params, want) {
						return fmt.Errorf("AssumeRole parameters\n got: %v\nwant: %v", params, want)
					}
					return nil
				}),
			},
		}},
	})
}

func TestAccProvider_assumeRoleWithWrongExternalIDFails(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withUploaderRole)
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.providerConfig(fmt.Sprintf(`
  assume_role {
    role_arn     = %q
    session_name = "terraform-ci"
    external_id  = "someone-else"
  }`, roleARN)) + sessionWithEcho,
			ExpectError: regexp.MustCompile(`(?s)AssumeRole.*RequestId`),
		}},
	})
	if n := env.emu.Attempts("ApplyUpload"); n != 0 {
		t.Errorf("ApplyUpload was called %d times after AssumeRole failed", n)
	}
}

// CVM role credentials come from the metadata service, which the emulator serves. Not parallel: the
// metadata endpoint is only configurable through the environment.
func TestAccProvider_camRole(t *testing.T) {
	skipInAccMode(t)
	env := newTestEnv(t, func(o *emulator.Options) { o.CVMRoles = []string{"vod-uploader"} })
	t.Setenv("TENCENTVOD_METADATA_ENDPOINT", env.emu.URL())
	fromMetadata := func() string {
		return env.temporarySecretIDMintedBy(emulator.MetadataFaultAction)
	}
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.endpointsOnly(`cam_role_name = "vod-uploader"`) + sessionWithEcho,
			ConfigStateChecks: []statecheck.StateCheck{
				env.expectApplyUploadSignedBy(fromMetadata, true, "ap-guangzhou"),
			},
		}},
	})
}

func TestAccProvider_missingCredentials(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:      env.endpointsOnly() + sessionWithEcho,
			ExpectError: regexp.MustCompile(`(?s)Missing Tencent Cloud Credentials.*secret_id.*TENCENTCLOUD_SECRET_ID.*profile.*cam_role_name`),
		}},
	})
	if n := env.emu.Attempts(""); n != 0 {
		t.Errorf("%d API calls without credentials; want none", n)
	}
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// roleCredentials are temporary credentials as the CVM metadata service hands them out.
type roleCredentials struct {
	SecretID  string `json:"TmpSecretId"`
	SecretKey string `json:"TmpSecretKey"`
	Token     string `json:"Token"`
}

// fetchRoleCredentials asks the emulator's metadata service for a role's temporary credentials.
func (e *testEnv) fetchRoleCredentials(role string) roleCredentials {
	e.t.Helper()
	resp, err := http.Get(e.emu.URL() + "/latest/meta-data/cam/security-credentials/" + role)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var creds roleCredentials
	if err := json.NewDecoder(resp.Body).Decode(&creds); err != nil || creds.Token == "" {
		e.t.Fatalf("metadata service answered %s: %v %+v", resp.Status, err, creds)
	}
	return creds
}

// temporarySecretIDMintedBy returns the temporary SecretId that the last ApplyUpload was signed with if the
// emulator minted it through origin (AssumeRole, or the CVM metadata service), else a description of
// what was expected, which then fails the comparison.
func (e *testEnv) temporarySecretIDMintedBy(origin string) string {
	call, err := e.lastApplyUpload()
	if err != nil {
		return err.Error()
	}
	if got := e.emu.CredentialOrigin(call.SecretID); got != origin {
		return fmt.Sprintf("(a SecretId minted by %s; %q was minted by %q)", origin, call.SecretID, got)
	}
	return call.SecretID
}

// Values from the environment get the same scrutiny as arguments, at configure time, with the variable
// named. Not parallel: it sets the process environment.
func TestAccProvider_invalidEnvironmentValues(t *testing.T) {
	skipInAccMode(t)
	// unset is the argument that would win over the variable: the test sets it to null.
	cases := map[string]struct{ variable, value, unset, want string }{
		"sub app id not a number": {"TENCENTVOD_SUB_APP_ID", "vod-app", "sub_app_id", `(?s)Invalid Provider Configuration.*TENCENTVOD_SUB_APP_ID`},
		"endpoint with a path":    {"TENCENTVOD_ENDPOINT", "http://127.0.0.1:9000/vod", "endpoint", `(?s)Invalid Provider Configuration.*TENCENTVOD_ENDPOINT`},
		"negative max retries":    {"TENCENTVOD_MAX_RETRIES", "-3", "max_retries", `(?s)Invalid Provider Configuration.*TENCENTVOD_MAX_RETRIES`},
		"assume role half set":    {"TENCENTCLOUD_ASSUME_ROLE_ARN", "qcs::cam::uin/100000000001:roleName/a", "cam_role_name", `(?s)Invalid Provider Configuration.*TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			env := newTestEnv(t)
			t.Setenv(tc.variable, tc.value)
			config := env.providerConfig(tc.unset + " = null")
			runTest(t, resource.TestCase{
				Steps: []resource.TestStep{{Config: config + sessionWithEcho, ExpectError: regexp.MustCompile(tc.want)}},
			})
			if n := env.emu.Attempts(""); n != 0 {
				t.Errorf("%d API calls with an invalid %s; want none", n, tc.variable)
			}
		})
	}
}
