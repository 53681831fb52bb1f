package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// Resource identity (Terraform 1.12 and later) names the remote object of a resource instance for good:
// Terraform stores it next to the state, imports by it (`import { identity = {...} }`), and `terraform
// query` lists by it. Older Terraform neither sends nor stores it, and the resources behave as before.
//
// The identity is written by the one function that saves each resource's state (mediaState.save,
// classState.save), so that no path - a create, a partial save after a commit, an unrefreshed read - can
// leave an object in the state without its identity: the framework refuses a create, read or update that
// returns none.

var (
	_ resource.ResourceWithIdentity = (*mediaResource)(nil)
	_ resource.ResourceWithIdentity = (*classResource)(nil)
)

// subAppIDIdentityDescription documents sub_app_id in both identities. It is optional at import, as the
// AWS provider's region is: left out, the provider's sub_app_id applies, as with an import ID without one.
const subAppIDIdentityDescription = "VOD application (sub-application) ID the object belongs to; null for the " +
	"account's default application. Optional at import: left out, the provider's `sub_app_id` (or " +
	"`TENCENTVOD_SUB_APP_ID`) applies."

// mediaIdentityModel maps the identity of tencentvod_media.
type mediaIdentityModel struct {
	FileID   types.String `tfsdk:"file_id"`
	SubAppID types.Int64  `tfsdk:"sub_app_id"`
}

func (r *mediaResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"file_id": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "File ID of the media in VOD (a string of digits).",
			},
			"sub_app_id": identityschema.Int64Attribute{
				OptionalForImport: true,
				Description:       subAppIDIdentityDescription,
			},
		},
	}
}

// mediaState is where a response keeps the media: its state and, for Terraform 1.12 and later, its
// identity. Every save of a media goes through save, so that the two never part.
type mediaState struct {
	state    *tfsdk.State
	identity *tfsdk.ResourceIdentity // nil only where a caller has no identity to fill, as in unit tests
}

// save writes m to the state, and its identity next to it.
func (s mediaState) save(ctx context.Context, m *mediaResourceModel) diag.Diagnostics {
	diags := s.state.Set(ctx, m)
	diags.Append(s.saveIdentity(ctx, m)...)
	return diags
}

// saveIdentity writes only m's identity, for a response whose state stays as it is: a refresh skipped
// while the provider's configuration is unknown, and a media removed from the state, which still
// answers with the identity it had.
func (s mediaState) saveIdentity(ctx context.Context, m *mediaResourceModel) diag.Diagnostics {
	identity := mediaIdentityModel{FileID: m.FileID, SubAppID: m.SubAppID}
	if pullPending(m) {
		identity.FileID = types.StringValue("") // not known until the pull creates the media (media_pull.go)
	}
	if !isKnown(identity.FileID) || !knownOrNull(identity.SubAppID) {
		return identityIncomplete("tencentvod_media", "file_id")
	}
	return setIdentity(ctx, s.identity, &identity)
}

// classIdentityModel maps the identity of tencentvod_class.
type classIdentityModel struct {
	ClassID  types.Int64 `tfsdk:"class_id"`
	SubAppID types.Int64 `tfsdk:"sub_app_id"`
}

func (r *classResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"class_id": identityschema.Int64Attribute{
				RequiredForImport: true,
				Description:       "ID of the class in VOD (a positive number).",
			},
			"sub_app_id": identityschema.Int64Attribute{
				OptionalForImport: true,
				Description:       subAppIDIdentityDescription,
			},
		},
	}
}

// classState is where a response keeps the class: its state and its identity, saved together.
type classState struct {
	state    *tfsdk.State
	identity *tfsdk.ResourceIdentity
}

// save writes m to the state, and its identity next to it.
func (s classState) save(ctx context.Context, m *classResourceModel) diag.Diagnostics {
	diags := s.state.Set(ctx, m)
	diags.Append(s.saveIdentity(ctx, m)...)
	return diags
}

// saveIdentity writes only m's identity.
func (s classState) saveIdentity(ctx context.Context, m *classResourceModel) diag.Diagnostics {
	identity := classIdentityModel{ClassID: m.ClassID, SubAppID: m.SubAppID}
	if !isKnown(identity.ClassID) || !knownOrNull(identity.SubAppID) {
		return identityIncomplete("tencentvod_class", "class_id")
	}
	return setIdentity(ctx, s.identity, &identity)
}

// knownOrNull reports whether v can go into an identity: Terraform refuses unknown values there.
func knownOrNull(v types.Int64) bool { return !v.IsUnknown() }

// identityIncomplete refuses to save an object whose identity is not known: Terraform refuses an
// identity with unknown values, and one without the object's ID names nothing an import could find, and
// would have to change once the ID is known, which Terraform 1.12 and later (and the framework) refuse.
func identityIncomplete(typeName, idAttribute string) diag.Diagnostics {
	var diags diag.Diagnostics
	diags.AddError("Provider Bug: Incomplete Resource Identity",
		fmt.Sprintf("The provider was about to save a %s without a known %s or sub_app_id. Its resource identity "+
			"(Terraform 1.12 and later) names the object by them and cannot change once saved. This is a bug in "+
			"the provider; please report it.", typeName, idAttribute))
	return diags
}

// setIdentity writes identity unless the response has none to fill.
func setIdentity(ctx context.Context, target *tfsdk.ResourceIdentity, identity any) diag.Diagnostics {
	if target == nil {
		return nil
	}
	return target.Set(ctx, identity)
}

// importedIdentity reads the identity an `import` block gives (Terraform 1.12 and later) into target.
// It reports false when the import gave an ID instead.
func importedIdentity(ctx context.Context, req resource.ImportStateRequest, target any) (bool, diag.Diagnostics) {
	if req.ID != "" || req.Identity == nil || req.Identity.Raw.IsNull() {
		return false, nil
	}
	if !req.Identity.Raw.IsFullyKnown() {
		var diags diag.Diagnostics
		diags.AddError("Invalid Import Identity", fmt.Sprintf("The identity of an import must be known "+
			"when Terraform plans the import; got %s. Use values that do not depend on resources not yet created.",
			req.Identity.Raw))
		return true, diags
	}
	return true, req.Identity.Get(ctx, target)
}

// mediaImportTarget is the media an import names: by the identity of an `import` block, or by an
// import ID (`terraform import`, or an `import` block's `id`).
func mediaImportTarget(ctx context.Context, req resource.ImportStateRequest) (mediaImportID, diag.Diagnostics) {
	var identity mediaIdentityModel
	byIdentity, diags := importedIdentity(ctx, req, &identity)
	if !byIdentity {
		return parseMediaImportID(req.ID)
	}
	target := mediaImportID{fileID: identity.FileID.ValueString(), subAppID: identity.SubAppID}
	if diags.HasError() {
		return target, diags
	}
	if !fileIDPattern.MatchString(target.fileID) {
		diags.AddError("Invalid Import Identity", fmt.Sprintf("Identity file_id %q is not a VOD file ID (a string "+
			"of digits, for example 5285890781213513981).", target.fileID))
	}
	diags.Append(checkIdentitySubAppID(identity.SubAppID)...)
	return target, diags
}

// classImportTarget is the class an import names: by the identity of an `import` block, or by an
// import ID.
func classImportTarget(ctx context.Context, req resource.ImportStateRequest) (classImportID, diag.Diagnostics) {
	var identity classIdentityModel
	byIdentity, diags := importedIdentity(ctx, req, &identity)
	if !byIdentity {
		return parseClassImportID(req.ID)
	}
	target := classImportID{classID: identity.ClassID.ValueInt64(), subAppID: identity.SubAppID}
	if diags.HasError() {
		return target, diags
	}
	switch {
	case target.classID < 0:
		diags.AddError("Invalid Import Identity", fmt.Sprintf("Identity class_id %d is not a class ID (a positive "+
			"number).", target.classID))
	case target.classID == vod.DefaultClassID:
		diags.AddError("Invalid Import Identity", "Identity class_id 0: "+builtInClassNotManaged)
	}
	diags.Append(checkIdentitySubAppID(identity.SubAppID)...)
	return target, diags
}

// checkIdentitySubAppID refuses an imported identity's sub_app_id that no application can have.
func checkIdentitySubAppID(subAppID types.Int64) diag.Diagnostics {
	var diags diag.Diagnostics
	if isKnown(subAppID) && subAppID.ValueInt64() < 1 {
		diags.AddError("Invalid Import Identity", fmt.Sprintf("Identity sub_app_id %d is not a VOD application "+
			"ID (a positive number). Leave it out to import from the provider's sub_app_id.", subAppID.ValueInt64()))
	}
	return diags
}
