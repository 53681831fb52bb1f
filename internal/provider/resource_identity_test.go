package provider

import (
	"context"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
)

// Resource identity needs Terraform 1.12, so these tests call the RPCs such a Terraform calls, in
// process, against the emulator (see protocol_test.go).

const (
	mediaType = "tencentvod_media"
	classType = "tencentvod_class"
)

// identityOf builds the decoded identity the tests expect; a sub_app_id of 0 stands for null.
func identityOf(idName string, id tftypes.Value, subAppID int64) map[string]tftypes.Value {
	subApp := tftypes.NewValue(tftypes.Number, nil)
	if subAppID != 0 {
		subApp = tftypes.NewValue(tftypes.Number, subAppID)
	}
	return map[string]tftypes.Value{idName: id, "sub_app_id": subApp}
}

func mediaIdentityOf(fileID string, subAppID int64) map[string]tftypes.Value {
	return identityOf("file_id", tftypes.NewValue(tftypes.String, fileID), subAppID)
}

func classIdentityOf(classID, subAppID int64) map[string]tftypes.Value {
	return identityOf("class_id", tftypes.NewValue(tftypes.Number, classID), subAppID)
}

// expectIdentity fails the test unless the identity returned by rpc is want.
func (p *protocolProvider) expectIdentity(rpc, typeName string, identity *tfprotov6.ResourceIdentityData, want map[string]tftypes.Value) {
	p.t.Helper()
	got := p.decodeIdentity(typeName, identity)
	if diff := diffValues(got, want); diff != "" {
		p.t.Errorf("%s returned the identity %v, want %v (%s)", rpc, got, want, diff)
	}
}

// diffValues names the attributes whose values differ between got and want, with both values.
func diffValues(got, want map[string]tftypes.Value) string {
	var diffs []string
	for name, w := range want {
		if g, found := got[name]; !found || !g.Equal(w) {
			diffs = append(diffs, fmt.Sprintf("%s: %s, want %s", name, g, w))
		}
	}
	for name, g := range got {
		if _, found := want[name]; !found {
			diffs = append(diffs, fmt.Sprintf("%s: %s, not expected", name, g))
		}
	}
	sort.Strings(diffs)
	return strings.Join(diffs, "; ")
}

// stringValue is the Go string of a known string attribute.
func stringValue(t *testing.T, v tftypes.Value) string {
	t.Helper()
	var s string
	if err := v.As(&s); err != nil {
		t.Fatalf("%s is not a string: %s", v, err)
	}
	return s
}

// expectNoChange fails the test unless plan proposes to keep prior exactly (what `terraform plan`
// shows as "No changes").
func (p *protocolProvider) expectNoChange(typeName string, prior *tfprotov6.DynamicValue, plan *tfprotov6.PlanResourceChangeResponse) {
	p.t.Helper()
	requireNoErrors(p.t, "PlanResourceChange", plan.Diagnostics)
	schema := p.resourceSchema(typeName)
	if diff := diffValues(p.decode(schema, plan.PlannedState), p.decode(schema, prior)); diff != "" {
		p.t.Errorf("the plan changes %s: %s", typeName, diff)
	}
	if len(plan.RequiresReplace) > 0 {
		p.t.Errorf("the plan replaces %s because of %v", typeName, plan.RequiresReplace)
	}
}

// createMedia uploads a small file as a new tencentvod_media and returns the apply's response and the
// media's file ID, checked against the emulator.
func createMedia(t *testing.T, env *testEnv, p *protocolProvider) (*tfprotov6.ApplyResourceChangeResponse, string) {
	t.Helper()
	video, _ := newMediaFiles(t).random("clip.mp4", 4<<10)
	created := p.createResource(mediaType, map[string]tftypes.Value{"source": tftypes.NewValue(tftypes.String, video)})
	fileID := stringValue(t, p.decode(p.resourceSchema(mediaType), created.NewState)["file_id"])
	if _, found := env.emu.MediaFile(fileID); !found {
		t.Fatalf("the new state names media %s, which VOD does not have", fileID)
	}
	return created, fileID
}

func TestProtocol_identitySchemas(t *testing.T) {
	p := servedProvider(t)
	for typeName, idAttribute := range map[string]*tfprotov6.ResourceIdentitySchemaAttribute{
		mediaType: {Name: "file_id", Type: tftypes.String, RequiredForImport: true},
		classType: {Name: "class_id", Type: tftypes.Number, RequiredForImport: true},
	} {
		schema := p.identitySchema(typeName)
		if schema.Version != 0 {
			t.Errorf("%s: identity schema version %d, want 0", typeName, schema.Version)
		}
		want := map[string]*tfprotov6.ResourceIdentitySchemaAttribute{
			idAttribute.Name: idAttribute,
			"sub_app_id":     {Name: "sub_app_id", Type: tftypes.Number, OptionalForImport: true},
		}
		if len(schema.IdentityAttributes) != len(want) {
			t.Errorf("%s: %d identity attributes, want %d", typeName, len(schema.IdentityAttributes), len(want))
		}
		for _, got := range schema.IdentityAttributes {
			w := want[got.Name]
			switch {
			case w == nil:
				t.Errorf("%s: unexpected identity attribute %s", typeName, got.Name)
			case !got.Type.Equal(w.Type) || got.RequiredForImport != w.RequiredForImport || got.OptionalForImport != w.OptionalForImport:
				t.Errorf("%s: identity attribute %s is %s (required %t, optional %t), want %s (required %t, optional %t)",
					typeName, got.Name, got.Type, got.RequiredForImport, got.OptionalForImport, w.Type, w.RequiredForImport, w.OptionalForImport)
			case got.Description == "":
				t.Errorf("%s: identity attribute %s has no description (the docs show it)", typeName, got.Name)
			}
		}
	}
}

// Create returns the identity of the new media; each refresh returns it again, also for a state saved
// by Terraform 1.11 or an earlier release, which has none; a refresh of media deleted outside Terraform
// removes it from the state without error.
func TestProtocol_mediaIdentityOnCreateAndRead(t *testing.T) {
	env := newTestEnv(t)
	p := newProtocolProvider(t, env, nil)
	created, fileID := createMedia(t, env, p)
	want := mediaIdentityOf(fileID, emulatorSubAppID)
	p.expectIdentity("ApplyResourceChange (create)", mediaType, created.NewIdentity, want)

	read := p.readResource(mediaType, created.NewState, created.Private, created.NewIdentity)
	requireNoErrors(t, "ReadResource", read.Diagnostics)
	p.expectIdentity("ReadResource", mediaType, read.NewIdentity, want)

	fromOlderTerraform := p.readResource(mediaType, created.NewState, created.Private, nil)
	requireNoErrors(t, "ReadResource without identity", fromOlderTerraform.Diagnostics)
	p.expectIdentity("ReadResource without identity", mediaType, fromOlderTerraform.NewIdentity, want)

	plan := p.planResource(mediaType, read.NewState, read.Private, read.NewIdentity,
		p.objectValue(p.resourceSchema(mediaType), map[string]tftypes.Value{"source": p.decode(p.resourceSchema(mediaType), read.NewState)["source"]}))
	p.expectNoChange(mediaType, read.NewState, plan)
	p.expectIdentity("PlanResourceChange", mediaType, plan.PlannedIdentity, want)

	// An update in place (Terraform 1.11 sends no identity) answers with the identity too.
	for name, priorIdentity := range map[string]*tfprotov6.ResourceIdentityData{"with identity": read.NewIdentity, "without identity": nil} {
		updated := p.applyResource(mediaType, read.NewState, read.Private, priorIdentity, map[string]tftypes.Value{
			"source":     p.decode(p.resourceSchema(mediaType), read.NewState)["source"],
			"media_name": tftypes.NewValue(tftypes.String, "renamed "+name),
		})
		p.expectIdentity("ApplyResourceChange (update "+name+")", mediaType, updated.NewIdentity, want)
		if got, _ := env.emu.MediaFile(fileID); got.Name != "renamed "+name {
			t.Errorf("the update %s left the media named %q", name, got.Name)
		}
	}

	if !env.emu.RemoveMedia(fileID) {
		t.Fatalf("removing media %s out of band failed", fileID)
	}
	gone := p.readResource(mediaType, read.NewState, read.Private, nil)
	requireNoErrors(t, "ReadResource of deleted media", gone.Diagnostics)
	if state, err := gone.NewState.Unmarshal(p.resourceSchema(mediaType).ValueType()); err != nil || !state.IsNull() {
		t.Errorf("ReadResource of deleted media returned the state %v (%v), want none", state, err)
	}
}

// A refresh that reads a different object than the identity stored with the state names is an error
// (the state was edited by hand, or moved to the wrong address): Terraform must not silently take the
// other object for the one it had.
func TestProtocol_mediaIdentityMismatchIsAnError(t *testing.T) {
	env := newTestEnv(t)
	p := newProtocolProvider(t, env, nil)
	created, fileID := createMedia(t, env, p)

	other := p.identityValue(mediaType, mediaIdentityOf("5285890781213513981", emulatorSubAppID))
	read := p.readResource(mediaType, created.NewState, created.Private, other)
	expectErrorDiagnostic(t, "ReadResource", read.Diagnostics, "Unexpected Identity Change", fileID)

	otherApp := p.identityValue(mediaType, mediaIdentityOf(fileID, emulatorSubAppID+1))
	read = p.readResource(mediaType, created.NewState, created.Private, otherApp)
	expectErrorDiagnostic(t, "ReadResource", read.Diagnostics, "Unexpected Identity Change", fileID)
}

// expectErrorDiagnostic fails the test unless diagnostics hold an error whose summary is summary and
// whose text contains each of fragments.
func expectErrorDiagnostic(t *testing.T, rpc string, diagnostics []*tfprotov6.Diagnostic, summary string, fragments ...string) {
	t.Helper()
	for _, d := range diagnostics {
		if d.Severity != tfprotov6.DiagnosticSeverityError || d.Summary != summary {
			continue
		}
		for _, f := range fragments {
			if !strings.Contains(d.Summary+" "+d.Detail, f) {
				t.Errorf("%s: the error %q does not mention %q: %s", rpc, summary, f, d.Detail)
			}
		}
		return
	}
	t.Errorf("%s: no error %q; diagnostics:\n%s", rpc, summary, describeDiagnostics(diagnostics))
}

// `import { to = tencentvod_media.x, identity = { file_id = "..." } }`: the import returns the state and
// identity, the refresh fills the state in, and a configuration that leaves the arguments to what VOD
// has plans no change. Without sub_app_id, the provider's applies, as with an import ID.
func TestProtocol_mediaImportByIdentity(t *testing.T) {
	env := newTestEnv(t)
	p := newProtocolProvider(t, env, nil)
	created, fileID := createMedia(t, env, p)
	schema := p.resourceSchema(mediaType)
	want := mediaIdentityOf(fileID, emulatorSubAppID)

	createdName := p.decode(schema, created.NewState)["media_name"]
	for name, identity := range map[string]map[string]tftypes.Value{
		"without sub_app_id": {"file_id": tftypes.NewValue(tftypes.String, fileID)},
		"with sub_app_id":    want,
	} {
		imported := p.importResource(mediaType, "", p.identityValue(mediaType, identity))
		requireNoErrors(t, "ImportResourceState "+name, imported.Diagnostics)
		if len(imported.ImportedResources) != 1 {
			t.Fatalf("ImportResourceState %s returned %d resources, want 1", name, len(imported.ImportedResources))
		}
		object := imported.ImportedResources[0]
		p.expectIdentity("ImportResourceState "+name, mediaType, object.Identity, want)

		read := p.readResource(mediaType, object.State, object.Private, object.Identity)
		requireNoErrors(t, "ReadResource after import "+name, read.Diagnostics)
		p.expectIdentity("ReadResource after import "+name, mediaType, read.NewIdentity, want)
		state := p.decode(schema, read.NewState)
		if !state["media_name"].Equal(createdName) {
			t.Errorf("import %s: the media is named %s, want %s", name, state["media_name"], createdName)
		}

		plan := p.planResource(mediaType, read.NewState, read.Private, read.NewIdentity,
			p.objectValue(schema, map[string]tftypes.Value{"media_name": createdName}))
		p.expectNoChange(mediaType, read.NewState, plan)
	}

	// An import ID returns the identity too.
	byID := p.importResource(mediaType, fileID, nil)
	requireNoErrors(t, "ImportResourceState by ID", byID.Diagnostics)
	p.expectIdentity("ImportResourceState by ID", mediaType, byID.ImportedResources[0].Identity, want)
}

// An identity that names no media is refused before any call, naming the attribute and what it takes.
func TestProtocol_mediaImportByInvalidIdentity(t *testing.T) {
	env := newTestEnv(t)
	p := newProtocolProvider(t, env, nil)
	for name, tc := range map[string]struct {
		identity map[string]tftypes.Value
		message  string
	}{
		"file_id not digits": {mediaIdentityOf("abc", 0), `Identity file_id "abc" is not a VOD file ID`},
		"file_id empty":      {mediaIdentityOf("", 0), `Identity file_id "" is not a VOD file ID`},
		"sub_app_id negative": {
			identityOf("file_id", tftypes.NewValue(tftypes.String, "5285890781213513981"), -1),
			"Identity sub_app_id -1 is not a VOD application ID",
		},
		"unknown file_id": {
			identityOf("file_id", tftypes.NewValue(tftypes.String, tftypes.UnknownValue), 0),
			"must be known",
		},
	} {
		t.Run(name, func(t *testing.T) {
			before := env.apiAttempts("")
			resp := p.importResource(mediaType, "", p.identityValue(mediaType, tc.identity))
			expectErrorDiagnostic(t, "ImportResourceState", resp.Diagnostics, "Invalid Import Identity", tc.message)
			if n := env.apiAttempts("") - before; n != 0 {
				t.Errorf("%d API calls for an invalid identity, want none", n)
			}
		})
	}
}

// Every save of new media carries its identity, also the early ones: the media tracked right after its
// commit, when it cannot be read back (a warning, not an error), and a refresh skipped while the
// provider's configuration is unknown.
func TestProtocol_mediaIdentityOnPartialSaves(t *testing.T) {
	env := newTestEnv(t)
	p := newProtocolProvider(t, env, map[string]tftypes.Value{"max_retries": tftypes.NewValue(tftypes.Number, 0)})
	env.emu.InjectFault(emulator.Fault{Action: "DescribeMediaInfos", Times: 1, Code: "InternalError", Message: "Injected outage."})
	video, _ := newMediaFiles(t).random("clip.mp4", 4<<10)
	created := p.createResource(mediaType, map[string]tftypes.Value{"source": tftypes.NewValue(tftypes.String, video)})
	if !strings.Contains(describeDiagnostics(created.Diagnostics), "Committed and Tracked, Not Read") {
		t.Fatalf("the create was read back despite the fault; diagnostics:\n%s", describeDiagnostics(created.Diagnostics))
	}
	media := env.emu.Media()
	if len(media) != 1 {
		t.Fatalf("%d media in VOD, want 1", len(media))
	}
	want := mediaIdentityOf(media[0].FileID, emulatorSubAppID)
	p.expectIdentity("ApplyResourceChange (tracked, not read)", mediaType, created.NewIdentity, want)

	unknownConfig := newProtocolProvider(t, env, map[string]tftypes.Value{
		"secret_key": tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
	})
	before := env.apiAttempts("")
	read := unknownConfig.readResource(mediaType, created.NewState, created.Private, nil)
	requireNoErrors(t, "ReadResource with an unknown provider configuration", read.Diagnostics)
	if !strings.Contains(describeDiagnostics(read.Diagnostics), "Not Refreshed") {
		t.Fatalf("the media was refreshed with an unknown provider configuration; diagnostics:\n%s", describeDiagnostics(read.Diagnostics))
	}
	if n := env.apiAttempts("") - before; n != 0 {
		t.Errorf("%d API calls with an unknown provider configuration, want none", n)
	}
	unknownConfig.expectIdentity("ReadResource (not refreshed)", mediaType, read.NewIdentity, want)
}

// tencentvod_class: the identity on create, read, import and rename, a refresh that finds another
// class an error, an import by identity that plans no change, and a class deleted outside Terraform
// removed from the state without error.
func TestProtocol_classIdentity(t *testing.T) {
	env := newTestEnv(t)
	p := newProtocolProvider(t, env, nil)
	schema := p.resourceSchema(classType)
	config := map[string]tftypes.Value{"name": tftypes.NewValue(tftypes.String, "Trailers")}
	created := p.createResource(classType, config)
	var number big.Float
	if err := p.decode(schema, created.NewState)["class_id"].As(&number); err != nil {
		t.Fatalf("the new class has no class_id: %s", err)
	}
	classID, _ := number.Int64()
	if classID < 1 {
		t.Fatalf("the new class has class_id %d", classID)
	}
	want := classIdentityOf(classID, emulatorSubAppID)
	p.expectIdentity("ApplyResourceChange (create)", classType, created.NewIdentity, want)

	read := p.readResource(classType, created.NewState, created.Private, nil)
	requireNoErrors(t, "ReadResource", read.Diagnostics)
	p.expectIdentity("ReadResource", classType, read.NewIdentity, want)

	mismatch := p.readResource(classType, created.NewState, created.Private, p.identityValue(classType, classIdentityOf(classID+1000, emulatorSubAppID)))
	expectErrorDiagnostic(t, "ReadResource", mismatch.Diagnostics, "Unexpected Identity Change")

	imported := p.importResource(classType, "", p.identityValue(classType, map[string]tftypes.Value{
		"class_id": tftypes.NewValue(tftypes.Number, classID),
	}))
	requireNoErrors(t, "ImportResourceState", imported.Diagnostics)
	object := imported.ImportedResources[0]
	p.expectIdentity("ImportResourceState", classType, object.Identity, want)
	refreshed := p.readResource(classType, object.State, object.Private, object.Identity)
	requireNoErrors(t, "ReadResource after import", refreshed.Diagnostics)
	p.expectIdentity("ReadResource after import", classType, refreshed.NewIdentity, want)
	plan := p.planResource(classType, refreshed.NewState, refreshed.Private, refreshed.NewIdentity, p.objectValue(schema, config))
	p.expectNoChange(classType, refreshed.NewState, plan)

	renamed := p.applyResource(classType, refreshed.NewState, refreshed.Private, nil,
		map[string]tftypes.Value{"name": tftypes.NewValue(tftypes.String, "Teasers")})
	p.expectIdentity("ApplyResourceChange (rename)", classType, renamed.NewIdentity, want)

	byID := p.importResource(classType, fmt.Sprintf("%d/%d", emulatorSubAppID, classID), nil)
	requireNoErrors(t, "ImportResourceState by ID", byID.Diagnostics)
	p.expectIdentity("ImportResourceState by ID", classType, byID.ImportedResources[0].Identity, want)

	builtIn := p.importResource(classType, "", p.identityValue(classType, classIdentityOf(0, 0)))
	expectErrorDiagnostic(t, "ImportResourceState", builtIn.Diagnostics, "Invalid Import Identity", "built-in class")

	env.deleteClassOutOfBand(t, classID)
	gone := p.readResource(classType, refreshed.NewState, refreshed.Private, nil)
	requireNoErrors(t, "ReadResource of a deleted class", gone.Diagnostics)
	if state, err := gone.NewState.Unmarshal(schema.ValueType()); err != nil || !state.IsNull() {
		t.Errorf("ReadResource of a deleted class returned the state %v (%v), want none", state, err)
	}
}

// Both identities are at version 0, the first: Terraform asks to upgrade an identity only when it was
// stored at another version than the provider's, so a request for version 0 (or a version this
// provider never had) is answered with an error, not a guess.
func TestProtocol_upgradeResourceIdentity(t *testing.T) {
	env := newTestEnv(t)
	p := newProtocolProvider(t, env, nil)
	for _, typeName := range []string{mediaType, classType} {
		for _, tc := range []struct {
			version int64
			summary string
		}{
			{0, "Unexpected Identity Upgrade Request"},
			{1, "Unable to Upgrade Resource Identity"},
		} {
			resp, err := p.server.UpgradeResourceIdentity(context.Background(), &tfprotov6.UpgradeResourceIdentityRequest{
				TypeName:    typeName,
				Version:     tc.version,
				RawIdentity: &tfprotov6.RawState{JSON: []byte(`{"sub_app_id":1500000000}`)},
			})
			if err != nil {
				t.Fatalf("UpgradeResourceIdentity: %s", err)
			}
			expectErrorDiagnostic(t, fmt.Sprintf("UpgradeResourceIdentity %s version %d", typeName, tc.version), resp.Diagnostics, tc.summary)
			if resp.UpgradedIdentity != nil {
				t.Errorf("UpgradeResourceIdentity %s version %d returned an identity", typeName, tc.version)
			}
		}
	}
}

// Without a sub_app_id anywhere, media lives in the account's default application: its identity's
// sub_app_id is null, as the state's is, and an import by identity without one finds it there.
func TestProtocol_mediaIdentityInTheDefaultApplication(t *testing.T) {
	env := newTestEnv(t)
	p := newProtocolProvider(t, env, map[string]tftypes.Value{"sub_app_id": tftypes.NewValue(tftypes.Number, nil)})
	created, fileID := createMedia(t, env, p)
	want := mediaIdentityOf(fileID, 0)
	p.expectIdentity("ApplyResourceChange (create)", mediaType, created.NewIdentity, want)

	imported := p.importResource(mediaType, "", p.identityValue(mediaType, mediaIdentityOf(fileID, 0)))
	requireNoErrors(t, "ImportResourceState", imported.Diagnostics)
	object := imported.ImportedResources[0]
	p.expectIdentity("ImportResourceState", mediaType, object.Identity, want)
	read := p.readResource(mediaType, object.State, object.Private, object.Identity)
	requireNoErrors(t, "ReadResource after import", read.Diagnostics)
	p.expectIdentity("ReadResource after import", mediaType, read.NewIdentity, want)
}

// emptyResponse is the state and identity a Create response starts with (both null), for resource r.
func emptyResponse(t *testing.T, r resource.ResourceWithIdentity) (*tfsdk.State, *tfsdk.ResourceIdentity) {
	t.Helper()
	ctx := context.Background()
	var schema resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &schema)
	var identity resource.IdentitySchemaResponse
	r.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &identity)
	if schema.Diagnostics.HasError() || identity.Diagnostics.HasError() {
		t.Fatalf("schemas: %v %v", schema.Diagnostics, identity.Diagnostics)
	}
	return &tfsdk.State{Schema: schema.Schema, Raw: tftypes.NewValue(schema.Schema.Type().TerraformType(ctx), nil)},
		&tfsdk.ResourceIdentity{Schema: identity.IdentitySchema, Raw: tftypes.NewValue(identity.IdentitySchema.Type().TerraformType(ctx), nil)}
}

// An identity without the object's ID (or with unknown values) names nothing and would have to change
// later, which Terraform 1.12+ refuses on the next refresh while Terraform 1.11 never notices: the save
// helpers refuse it at once, on every Terraform version, so that no save writes one by mistake.
func TestIdentity_saveRefusesAnObjectWithoutItsID(t *testing.T) {
	ctx := context.Background()
	mediaStates := map[string]mediaResourceModel{
		"file_id null":        {FileID: types.StringNull(), SubAppID: types.Int64Value(emulatorSubAppID)},
		"file_id unknown":     {FileID: types.StringUnknown(), SubAppID: types.Int64Value(emulatorSubAppID)},
		"sub_app_id unknown":  {FileID: types.StringValue("5285890781213513981"), SubAppID: types.Int64Unknown()},
		"both null (default)": {FileID: types.StringNull(), SubAppID: types.Int64Null()},
	}
	for name, m := range mediaStates {
		state, identity := emptyResponse(t, &mediaResource{})
		diags := mediaState{state, identity}.saveIdentity(ctx, &m)
		if !diags.HasError() || !strings.Contains(fmt.Sprint(diags), "Incomplete Resource Identity") {
			t.Errorf("media, %s: saving the identity returned %v, want the Incomplete Resource Identity error", name, diags)
		}
	}
	classStates := map[string]classResourceModel{
		"class_id null":      {ClassID: types.Int64Null(), SubAppID: types.Int64Value(emulatorSubAppID)},
		"class_id unknown":   {ClassID: types.Int64Unknown(), SubAppID: types.Int64Null()},
		"sub_app_id unknown": {ClassID: types.Int64Value(12), SubAppID: types.Int64Unknown()},
	}
	for name, m := range classStates {
		state, identity := emptyResponse(t, &classResource{})
		diags := classState{state, identity}.saveIdentity(ctx, &m)
		if !diags.HasError() || !strings.Contains(fmt.Sprint(diags), "Incomplete Resource Identity") {
			t.Errorf("class, %s: saving the identity returned %v, want the Incomplete Resource Identity error", name, diags)
		}
	}

	// A null sub_app_id (the account's default application) is a complete identity.
	state, identity := emptyResponse(t, &mediaResource{})
	m := mediaResourceModel{FileID: types.StringValue("5285890781213513981"), SubAppID: types.Int64Null()}
	if diags := (mediaState{state, identity}).saveIdentity(ctx, &m); diags.HasError() {
		t.Fatalf("saving the identity of media in the default application: %v", diags)
	}
	var saved mediaIdentityModel
	if diags := identity.Get(ctx, &saved); diags.HasError() || saved.FileID.ValueString() != "5285890781213513981" || !saved.SubAppID.IsNull() {
		t.Errorf("the saved identity is %+v (%v), want file_id 5285890781213513981 and a null sub_app_id", saved, diags)
	}
}

// The identity is written where the state is, by mediaState and classState (resource_identity.go): a
// resource that wrote its state any other way would leave its identity behind, which Terraform 1.11
// never notices and 1.12+ refuses. This keeps later create paths on the one helper.
func TestIdentity_statesAreSavedOnlyThroughTheSaveHelpers(t *testing.T) {
	stateSet := regexp.MustCompile(`(?i)\bstate\.Set\(`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, file := range files {
		// Data sources have no identity; resource_identity.go holds the helpers themselves.
		if strings.HasSuffix(file, "_test.go") || strings.HasSuffix(file, "_data_source.go") || file == "resource_identity.go" {
			continue
		}
		source, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for i, line := range strings.Split(string(source), "\n") {
			if stateSet.MatchString(line) {
				t.Errorf("%s:%d sets a resource's state directly; save it with mediaState.save or classState.save, "+
					"which write its identity too: %s", file, i+1, strings.TrimSpace(line))
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d source files checked: the test runs in the wrong directory", checked)
	}
}

// The first apply after an import records the configured arguments, sub_app_id among them. Media imported
// without a sub_app_id (the account's default application) take the configured one, and with Terraform
// 1.12+ their identity gains it: the media's identity may fill in a null sub_app_id, never change a set one.
func TestProtocol_mediaImportedWithoutSubAppIDKeepsItsIdentity(t *testing.T) {
	env := newTestEnv(t)
	p := newProtocolProvider(t, env, map[string]tftypes.Value{"sub_app_id": tftypes.NewValue(tftypes.Number, nil)})
	_, fileID := createMedia(t, env, p)
	schema := p.resourceSchema(mediaType)
	imported := p.importResource(mediaType, fileID, nil)
	requireNoErrors(t, "ImportResourceState", imported.Diagnostics)
	object := imported.ImportedResources[0]
	read := p.readResource(mediaType, object.State, object.Private, object.Identity)
	requireNoErrors(t, "ReadResource after import", read.Diagnostics)
	p.expectIdentity("ReadResource after import", mediaType, read.NewIdentity, mediaIdentityOf(fileID, 0))

	withSubAppID := p.objectValue(schema, map[string]tftypes.Value{"sub_app_id": tftypes.NewValue(tftypes.Number, emulatorSubAppID)})
	applied := p.applyResource(mediaType, read.NewState, read.Private, read.NewIdentity,
		map[string]tftypes.Value{"sub_app_id": tftypes.NewValue(tftypes.Number, emulatorSubAppID)})
	requireNoErrors(t, "ApplyResourceChange after import", applied.Diagnostics)
	p.expectIdentity("ApplyResourceChange after import", mediaType, applied.NewIdentity, mediaIdentityOf(fileID, emulatorSubAppID))

	fromOlderTerraform := p.planResource(mediaType, read.NewState, read.Private, nil, withSubAppID)
	requireNoErrors(t, "PlanResourceChange without identity", fromOlderTerraform.Diagnostics)
	if planned := p.decode(schema, fromOlderTerraform.PlannedState)["sub_app_id"]; !planned.Equal(tftypes.NewValue(tftypes.Number, emulatorSubAppID)) {
		t.Errorf("without identity, the plan records sub_app_id %s, want %d", planned, emulatorSubAppID)
	}

	unchanged := p.planResource(mediaType, read.NewState, read.Private, read.NewIdentity, p.objectValue(schema, nil))
	p.expectNoChange(mediaType, read.NewState, unchanged)
}
