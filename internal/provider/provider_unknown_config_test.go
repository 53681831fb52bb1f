package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// The tests below drive the provider as Terraform does when a provider block depends on a value known only
// after apply: first at the protocol level (the only way to exercise deferral, which released Terraform
// never allows), then through Terraform itself.

// unknownConfigServer is this provider served in process and configured with a provider block whose
// secret_key and assume_role session_name are unknown, as during such a plan.
type unknownConfigServer struct {
	t       *testing.T
	server  tfprotov6.ProviderServer
	schemas *tfprotov6.GetProviderSchemaResponse
}

// The arguments unknownConfigServer leaves unknown, as messages must name them.
var unknownProviderArguments = []string{"secret_key", "assume_role[0].session_name"}

func newUnknownConfigServer(t *testing.T, deferralAllowed bool) *unknownConfigServer {
	t.Helper()
	ctx := t.Context()
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	s := &unknownConfigServer{t: t, server: server, schemas: schemas}

	roles, ok := objectType(t, schemas.Provider).AttributeTypes["assume_role"].(tftypes.List)
	if !ok {
		t.Fatal("assume_role is not a list")
	}
	roleType, ok := roles.ElementType.(tftypes.Object)
	if !ok {
		t.Fatal("assume_role's elements are not objects")
	}
	role := objectValue(roleType, map[string]tftypes.Value{
		"role_arn":     tftypes.NewValue(tftypes.String, "qcs::cam::uin/100000000001:roleName/uploader"),
		"session_name": tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
	})
	config := s.dynamic(schemas.Provider, map[string]tftypes.Value{
		"secret_id":   tftypes.NewValue(tftypes.String, emulatorSecretID),
		"secret_key":  tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"assume_role": tftypes.NewValue(tftypes.List{ElementType: roleType}, []tftypes.Value{role}),
	})
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		TerraformVersion:   "1.11.4",
		Config:             config,
		ClientCapabilities: &tfprotov6.ConfigureProviderClientCapabilities{DeferralAllowed: deferralAllowed},
	})
	if err != nil {
		t.Fatal(err)
	}
	expectNoErrors(t, "ConfigureProvider", resp.Diagnostics)
	return s
}

// objectValue builds an object of type typ with the given attributes, the others null.
func objectValue(typ tftypes.Object, attrs map[string]tftypes.Value) tftypes.Value {
	values := map[string]tftypes.Value{}
	for name, attrType := range typ.AttributeTypes {
		if v, ok := attrs[name]; ok {
			values[name] = v
		} else {
			values[name] = tftypes.NewValue(attrType, nil)
		}
	}
	return tftypes.NewValue(typ, values)
}

// objectType is the type of a schema's values.
func objectType(t *testing.T, schema *tfprotov6.Schema) tftypes.Object {
	t.Helper()
	typ, ok := schema.ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("schema value type %v is not an object", schema.ValueType())
	}
	return typ
}

func (s *unknownConfigServer) dynamic(schema *tfprotov6.Schema, attrs map[string]tftypes.Value) *tfprotov6.DynamicValue {
	s.t.Helper()
	v, err := tfprotov6.NewDynamicValue(schema.ValueType(), objectValue(objectType(s.t, schema), attrs))
	if err != nil {
		s.t.Fatal(err)
	}
	return &v
}

// mediaState is a tencentvod_media in state.
func (s *unknownConfigServer) mediaState() *tfprotov6.DynamicValue {
	return s.dynamic(s.schemas.ResourceSchemas["tencentvod_media"], map[string]tftypes.Value{
		"id":         tftypes.NewValue(tftypes.String, "5285890781213513981"),
		"file_id":    tftypes.NewValue(tftypes.String, "5285890781213513981"),
		"media_name": tftypes.NewValue(tftypes.String, "clip"),
		"sub_app_id": tftypes.NewValue(tftypes.Number, emulatorSubAppID),
	})
}

func expectNoErrors(t *testing.T, call string, diags []*tfprotov6.Diagnostic) {
	t.Helper()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Errorf("%s: unexpected error %q: %s", call, d.Summary, d.Detail)
		}
	}
}

// expectDeferred checks that a call was deferred because the provider configuration is unknown, without
// diagnostics.
func expectDeferred(t *testing.T, call string, deferred *tfprotov6.Deferred, diags []*tfprotov6.Diagnostic) {
	t.Helper()
	if deferred == nil || deferred.Reason != tfprotov6.DeferredReasonProviderConfigUnknown {
		t.Errorf("%s: deferred = %+v, want reason ProviderConfigUnknown", call, deferred)
	}
	for _, d := range diags {
		t.Errorf("%s: unexpected diagnostic %q: %s", call, d.Summary, d.Detail)
	}
}

// expectOneDiagnostic checks that diags holds exactly one diagnostic of the severity, with the summary,
// naming every unknown provider argument.
func expectOneDiagnostic(t *testing.T, call string, diags []*tfprotov6.Diagnostic, severity tfprotov6.DiagnosticSeverity, summary string) {
	t.Helper()
	if len(diags) != 1 {
		t.Fatalf("%s: got %d diagnostics, want 1: %+v", call, len(diags), diags)
	}
	d := diags[0]
	if d.Severity != severity || d.Summary != summary {
		t.Errorf("%s: got %v %q, want %v %q", call, d.Severity, d.Summary, severity, summary)
	}
	for _, name := range unknownProviderArguments {
		if !strings.Contains(d.Detail, name) {
			t.Errorf("%s: detail does not name the unknown argument %s: %s", call, name, d.Detail)
		}
	}
}

func TestProviderUnknownConfig_deferredWhereAllowed(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := newUnknownConfigServer(t, true)

	read, err := s.server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
		TypeName: "tencentvod_media", CurrentState: s.mediaState(),
		ClientCapabilities: &tfprotov6.ReadResourceClientCapabilities{DeferralAllowed: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	expectDeferred(t, "ReadResource", read.Deferred, read.Diagnostics)
	expectSameState(t, s.schemas.ResourceSchemas["tencentvod_media"], s.mediaState(), read.NewState)

	mediaSchema := s.schemas.ResourceSchemas["tencentvod_media"]
	proposed := s.dynamic(mediaSchema, map[string]tftypes.Value{
		"source":     tftypes.NewValue(tftypes.String, "clip.mp4"),
		"sub_app_id": tftypes.NewValue(tftypes.Number, tftypes.UnknownValue),
	})
	plan, err := s.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName:           "tencentvod_media",
		PriorState:         nullDynamic(t, mediaSchema),
		ProposedNewState:   proposed,
		Config:             s.dynamic(mediaSchema, map[string]tftypes.Value{"source": tftypes.NewValue(tftypes.String, "clip.mp4")}),
		ClientCapabilities: &tfprotov6.PlanResourceChangeClientCapabilities{DeferralAllowed: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	expectDeferred(t, "PlanResourceChange", plan.Deferred, plan.Diagnostics)

	imported, err := s.server.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{
		TypeName: "tencentvod_media", ID: "5285890781213513981",
		ClientCapabilities: &tfprotov6.ImportResourceStateClientCapabilities{DeferralAllowed: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	expectDeferred(t, "ImportResourceState", imported.Deferred, imported.Diagnostics)

	data, err := s.server.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{
		TypeName: "tencentvod_media",
		Config: s.dynamic(s.schemas.DataSourceSchemas["tencentvod_media"], map[string]tftypes.Value{
			"file_id": tftypes.NewValue(tftypes.String, "5285890781213513981"),
		}),
		ClientCapabilities: &tfprotov6.ReadDataSourceClientCapabilities{DeferralAllowed: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	expectDeferred(t, "ReadDataSource", data.Deferred, data.Diagnostics)

	opened, err := s.server.OpenEphemeralResource(ctx, &tfprotov6.OpenEphemeralResourceRequest{
		TypeName: "tencentvod_upload_session",
		Config: s.dynamic(s.schemas.EphemeralResourceSchemas["tencentvod_upload_session"], map[string]tftypes.Value{
			"media_type": tftypes.NewValue(tftypes.String, "mp4"),
		}),
		ClientCapabilities: &tfprotov6.OpenEphemeralResourceClientCapabilities{DeferralAllowed: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	expectDeferred(t, "OpenEphemeralResource", opened.Deferred, opened.Diagnostics)
}

func TestProviderUnknownConfig_withoutDeferral(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := newUnknownConfigServer(t, false)
	mediaSchema := s.schemas.ResourceSchemas["tencentvod_media"]

	// A refresh keeps the prior state and says it did not refresh.
	read, err := s.server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "tencentvod_media", CurrentState: s.mediaState()})
	if err != nil {
		t.Fatal(err)
	}
	expectOneDiagnostic(t, "ReadResource", read.Diagnostics, tfprotov6.DiagnosticSeverityWarning, "VOD Media Not Refreshed")
	expectSameState(t, mediaSchema, s.mediaState(), read.NewState)

	// Planning a create goes on, with the provider's default application unknown.
	config := s.dynamic(mediaSchema, map[string]tftypes.Value{"source": tftypes.NewValue(tftypes.String, "clip.mp4")})
	proposed := s.dynamic(mediaSchema, map[string]tftypes.Value{
		"source":               tftypes.NewValue(tftypes.String, "clip.mp4"),
		"sub_app_id":           tftypes.NewValue(tftypes.Number, tftypes.UnknownValue),
		"upload_part_size_mib": tftypes.NewValue(tftypes.Number, tftypes.UnknownValue),
		"upload_concurrency":   tftypes.NewValue(tftypes.Number, tftypes.UnknownValue),
	})
	plan, err := s.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: "tencentvod_media", PriorState: nullDynamic(t, mediaSchema), ProposedNewState: proposed, Config: config,
	})
	if err != nil {
		t.Fatal(err)
	}
	expectNoErrors(t, "PlanResourceChange", plan.Diagnostics)
	if plan.Deferred != nil {
		t.Errorf("PlanResourceChange deferred without the client's consent: %+v", plan.Deferred)
	}
	planned := attributes(t, mediaSchema, plan.PlannedState)
	if planned["sub_app_id"].IsKnown() {
		t.Errorf("planned sub_app_id = %v, want unknown until the provider is configured", planned["sub_app_id"])
	}

	// An import and a data source read fail with one clear error, and import nothing.
	imported, err := s.server.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: "tencentvod_media", ID: "5285890781213513981"})
	if err != nil {
		t.Fatal(err)
	}
	expectOneDiagnostic(t, "ImportResourceState", imported.Diagnostics, tfprotov6.DiagnosticSeverityError, "Provider Configuration Not Known")
	if len(imported.ImportedResources) != 0 {
		t.Errorf("ImportResourceState imported %d resources, want none", len(imported.ImportedResources))
	}

	data, err := s.server.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{
		TypeName: "tencentvod_media",
		Config: s.dynamic(s.schemas.DataSourceSchemas["tencentvod_media"], map[string]tftypes.Value{
			"file_id": tftypes.NewValue(tftypes.String, "5285890781213513981"),
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	expectOneDiagnostic(t, "ReadDataSource", data.Diagnostics, tfprotov6.DiagnosticSeverityError, "Provider Configuration Not Known")

	// A session opened during such a plan has unknown results, known at apply.
	sessionSchema := s.schemas.EphemeralResourceSchemas["tencentvod_upload_session"]
	opened, err := s.server.OpenEphemeralResource(ctx, &tfprotov6.OpenEphemeralResourceRequest{
		TypeName: "tencentvod_upload_session",
		Config:   s.dynamic(sessionSchema, map[string]tftypes.Value{"media_type": tftypes.NewValue(tftypes.String, "mp4")}),
	})
	if err != nil {
		t.Fatal(err)
	}
	expectNoErrors(t, "OpenEphemeralResource", opened.Diagnostics)
	if key := attributes(t, sessionSchema, opened.Result)["vod_session_key"]; key.IsKnown() {
		t.Errorf("vod_session_key = %v, want unknown", key)
	}
}

func TestUnknownArguments_namesNestedBlocks(t *testing.T) {
	t.Parallel()
	roleType := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"role_arn": tftypes.String, "session_name": tftypes.String}}
	config := tftypes.NewValue(tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"region": tftypes.String, "secret_key": tftypes.String, "assume_role": tftypes.List{ElementType: roleType},
	}}, map[string]tftypes.Value{
		"region":     tftypes.NewValue(tftypes.String, "ap-guangzhou"),
		"secret_key": tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"assume_role": tftypes.NewValue(tftypes.List{ElementType: roleType}, []tftypes.Value{
			tftypes.NewValue(roleType, map[string]tftypes.Value{
				"role_arn":     tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
				"session_name": tftypes.NewValue(tftypes.String, "s"),
			}),
		}),
	})
	got := strings.Join(unknownArguments(config), ", ")
	if want := "assume_role[0].role_arn, secret_key"; got != want {
		t.Errorf("unknownArguments = %q, want %q", got, want)
	}

	wholeBlock := tftypes.NewValue(tftypes.Object{AttributeTypes: map[string]tftypes.Type{"assume_role": tftypes.List{ElementType: roleType}}},
		map[string]tftypes.Value{"assume_role": tftypes.NewValue(tftypes.List{ElementType: roleType}, tftypes.UnknownValue)})
	if got := strings.Join(unknownArguments(wholeBlock), ", "); got != "assume_role" {
		t.Errorf("unknownArguments of an unknown block = %q, want assume_role", got)
	}
}

func nullDynamic(t *testing.T, schema *tfprotov6.Schema) *tfprotov6.DynamicValue {
	t.Helper()
	v, err := tfprotov6.NewDynamicValue(schema.ValueType(), tftypes.NewValue(schema.ValueType(), nil))
	if err != nil {
		t.Fatal(err)
	}
	return &v
}

func attributes(t *testing.T, schema *tfprotov6.Schema, v *tfprotov6.DynamicValue) map[string]tftypes.Value {
	t.Helper()
	if v == nil {
		t.Fatal("no value returned")
	}
	value, err := v.Unmarshal(schema.ValueType())
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]tftypes.Value{}
	if err := value.As(&attrs); err != nil {
		t.Fatal(err)
	}
	return attrs
}

func expectSameState(t *testing.T, schema *tfprotov6.Schema, want, got *tfprotov6.DynamicValue) {
	t.Helper()
	w, err := want.Unmarshal(schema.ValueType())
	if err != nil {
		t.Fatal(err)
	}
	if got == nil {
		t.Fatal("no new state returned")
	}
	g, err := got.Unmarshal(schema.ValueType())
	if err != nil {
		t.Fatal(err)
	}
	if !w.Equal(g) {
		t.Errorf("state changed:\n got %v\nwant %v", g, w)
	}
}

// unknownSecretKeyProvider is a provider block whose secret_key comes from a resource not created yet, with
// that resource.
func (e *testEnv) unknownSecretKeyProvider() string {
	return fmt.Sprintf(`
resource "terraform_data" "k" {
  input = %q
}
`, emulatorSecretKey) + e.providerConfig("secret_key = terraform_data.k.output")
}

var notKnownAtPlan = regexp.MustCompile(`(?s)Provider Configuration Not Known.*secret_key.*must be\s+known\s+at\s+plan`)

// A media in state is planned, not crashed on, when the provider block is not known yet: its refresh
// keeps the state (and makes no API call), and nothing is replaced.
func TestAccMedia_refreshWithUnknownProviderConfig(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	files := newMediaFiles(t)
	video, content := files.random("clip.mp4", 4<<10)
	media := fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source = %q
}
`, video)
	var fileID string
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: env.providerConfig() + media,
				ConfigStateChecks: []statecheck.StateCheck{env.expectMedia("tencentvod_media.test", content, func(m mediaFacts) error {
					fileID = m.FileID
					return nil
				})},
			},
			{
				PreConfig: env.resetCallCounts,
				Config:    env.unknownSecretKeyProvider() + media,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("terraform_data.k", plancheck.ResourceActionCreate),
					planCheck(func(*tfjson.Plan) error {
						if n := env.callsSince("DescribeMediaInfos"); n != 0 {
							return fmt.Errorf("%d DescribeMediaInfos calls during a plan whose provider is not known", n)
						}
						return nil
					}),
				}},
				ConfigStateChecks: []statecheck.StateCheck{env.expectMedia("tencentvod_media.test", content, func(m mediaFacts) error {
					if m.FileID != fileID {
						return fmt.Errorf("file_id %s, want the media created first (%s)", m.FileID, fileID)
					}
					if n := env.callsSince("ApplyUpload"); n != 0 {
						return fmt.Errorf("%d uploads, want none", n)
					}
					return nil
				})},
			},
		},
	})
}

// A data source cannot be read while the provider block is not known: one clear error, no crash.
func TestAccMediaDataSource_unknownProviderConfig(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.unknownSecretKeyProvider() + `
data "tencentvod_media" "test" {
  file_id = "5285890781213513981"
}
`,
			ExpectError: notKnownAtPlan,
		}},
	})
}

// An import block cannot be planned while the provider block is not known: one clear error, and no
// unknown value reaches the imported state.
func TestAccMedia_importWithUnknownProviderConfig(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	fileID := env.uploadOutsideTerraform(t, "adopted", []byte("adopted media"))
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.unknownSecretKeyProvider() + fmt.Sprintf(`
import {
  to = tencentvod_media.test
  id = %q
}

resource "tencentvod_media" "test" {
  source = "adopted.mp4"
}
`, fileID),
			ExpectError: notKnownAtPlan,
		}},
	})
}

// A create is planned with the values the provider decides left unknown, and applied once it is known.
func TestAccMedia_createWithUnknownProviderConfig(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	files := newMediaFiles(t)
	video, content := files.random("clip.mp4", 4<<10)
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.unknownSecretKeyProvider() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source = %q
}
`, video),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionCreate),
				plancheck.ExpectUnknownValue("tencentvod_media.test", tfjsonpath.New("sub_app_id")),
				plancheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("media_name"), knownvalue.StringExact("clip")),
				env.noAPICallsYet(),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				env.expectMedia("tencentvod_media.test", content, nil),
				statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("sub_app_id"), knownvalue.Int64Exact(emulatorSubAppID)),
			},
		}},
	})
}
