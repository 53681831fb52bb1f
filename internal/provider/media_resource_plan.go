package provider

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/validators"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// Limits of ModifyMediaInfo (the ModifyMediaInfo API documentation).
const (
	maxMediaTags      = 16
	maxTagChars       = 32
	maxMediaNameChars = 64
	// maxInlineCoverBytes keeps a base64 cover (4/3 of its size) under the API's 10 MB request limit.
	maxInlineCoverBytes = 7 << 20
)

// inlineCoverTypes are the image types ModifyMediaInfo's CoverData accepts.
var inlineCoverTypes = []string{"gif", "jpeg", "jpg", "png"}

// sessionOnlyAttributes are the arguments only ApplyUpload takes, and uploadTuningAttributes the ones
// only the provider's own upload uses. With vod_session_key_wo the session was opened, and the file
// uploaded, elsewhere, so both kinds are rejected there. (procedure and session_context are not among
// them: the provider starts the procedure after the commit, with session_context.)
var (
	sessionOnlyAttributes   = []string{"media_type", "cover_type", "storage_region", "source_context"}
	uploadTuningAttributes  = []string{"upload_part_size_mib", "upload_concurrency"}
	sessionKeyConflictTitle = "Argument Not Allowed With vod_session_key_wo"
)

func (r *mediaResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config mediaResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(validatePullConfig(&config)...)
	if config.VodSessionKeyWO.IsNull() {
		return
	}
	if !config.Source.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("vod_session_key_wo"), "Conflicting Media Sources",
			"Set either source (a local file the provider uploads) or vod_session_key_wo (an upload session whose "+
				"file was uploaded by another tool), not both.")
	}
	for _, name := range sessionOnlyAttributes {
		var value types.String
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(name), &value)...)
		if !value.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root(name), sessionKeyConflictTitle,
				fmt.Sprintf("%[1]s is only used when the provider opens the upload session itself (with source). "+
					"With vod_session_key_wo the session was opened by tencentvod_upload_session: set %[1]s there instead.", name))
		}
	}
	for _, name := range uploadTuningAttributes {
		var value types.Int64
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(name), &value)...)
		if !value.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root(name), sessionKeyConflictTitle,
				fmt.Sprintf("%s tunes the provider's own upload (with source). With vod_session_key_wo another "+
					"tool uploaded the file: tune that tool instead.", name))
		}
	}
}

func (r *mediaResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan, config mediaResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	creating := req.State.Raw.IsNull()
	if creating {
		resp.Diagnostics.Append(r.planCreate(&plan, &config)...)
		planProcedureCreate(&plan, !config.VodSessionKeyWO.IsNull())
		planPullCreate(&plan)
		expiredHere := r.data != nil && r.data.expired.seen(plan.ExpireTime)
		resp.Diagnostics.Append(checkPlannedExpiry(ctx, plan.ExpireTime, timetypes.NewRFC3339Null(), expiredHere)...)
	} else {
		var state mediaResourceModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		if pullPending(&state) {
			resp.Diagnostics.Append(planPendingPull(&plan, &state, &config)...)
			resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
			return
		}
		resp.Diagnostics.Append(planCoverChange(&plan, &state)...)
		resp.Diagnostics.Append(warnCoverSourceURLChange(&plan, &state)...)
		adopted := isAdopted(ctx, req.Private)
		planProcedureUpdate(&plan, &state, adopted)
		resp.Diagnostics.Append(procedureRerunWarning(&plan, &state, adopted)...)
		resp.Diagnostics.Append(checkPlannedExpiry(ctx, plan.ExpireTime, state.ExpireTime, false)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	planUploadConcurrency(&plan, &config)
	resp.Diagnostics.Append(r.planPackageOf(ctx, req, &plan, resp)...)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// checkPlannedExpiry refuses an expire_time in the past when it is about to be sent (a create, or a new
// value): VOD would delete the media at once and every apply would upload it again. It is a plan check,
// not a validator, so that media whose expiry passed after it was applied can still be refreshed and
// destroyed while VOD holds it. Once VOD has deleted it, the refresh drops it and Terraform plans it
// anew, also in the plan it makes before a destroy: for that media (expiredHere, see expiredMedia) it is
// a warning, so that `terraform destroy` works, and the plan Terraform makes again at apply refuses it.
func checkPlannedExpiry(ctx context.Context, planned, current timetypes.RFC3339, expiredHere bool) diag.Diagnostics {
	var diags diag.Diagnostics
	if planned.IsNull() || planned.IsUnknown() {
		return diags
	}
	// The library compares parsed times, and parses a null value as the zero time: only a known
	// current expiry can make the planned one unchanged.
	if isKnown(current) {
		if equal, _ := planned.StringSemanticEquals(ctx, current); equal {
			return diags
		}
	}
	value := planned.ValueString()
	err := validators.CheckNotInPast(value, time.Now())
	if err != nil && expiredHere {
		diags.AddAttributeWarning(path.Root("expire_time"), "VOD Media Expired",
			fmt.Sprintf("VOD deleted the media when its expire_time %q passed, so this plan creates it again with "+
				"that expire_time, which apply refuses (%s). Nothing is left to destroy. To keep the media, set a "+
				"later expire_time or remove expire_time (never expires); else remove the resource from the "+
				"configuration.", value, err))
		return diags
	}
	if err != nil {
		diags.AddAttributeError(path.Root("expire_time"), "Invalid Attribute Value",
			fmt.Sprintf("Attribute expire_time value must be %s, got %q: %s. If the media expired since it was "+
				"applied, VOD has deleted it: set a later expire_time, or remove expire_time (never expires) or the "+
				"resource from the configuration; to destroy the configuration as it is, run terraform destroy "+
				"-refresh=false.", validators.NotInPastAllowed, value, err))
	}
	return diags
}

// planCreate fills the defaults that follow from the configuration (so that the plan shows them) and
// rejects what cannot work, before anything is uploaded.
func (r *mediaResource) planCreate(plan, config *mediaResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if config.Source.IsNull() && config.VodSessionKeyWO.IsNull() && config.SourceURL.IsNull() {
		diags.AddAttributeError(path.Root("source"), "Missing Media Source",
			"Creating a tencentvod_media needs exactly one of source (a local file the provider uploads), "+
				"vod_session_key_wo (the vod_session_key of a tencentvod_upload_session whose file was uploaded by "+
				"another tool) or source_url (a URL VOD pulls the file from). If vod_session_key_wo comes from an "+
				"upload session with enabled = false during plan, enable the session during plan as well.")
		return diags
	}
	if config.SubAppID.IsNull() {
		// The provider's default applies at create only: state pins it (or null) for every later call.
		plan.SubAppID = r.data.defaultSubAppID()
	}
	switch {
	case !config.SourceURL.IsNull():
		diags.Append(planPullDefaults(plan, config)...)
	case !config.Source.IsNull():
		diags.Append(planSourceDefaults(plan, config)...)
	default:
		// The session chose these; they are read back after the commit.
		plan.CoverType = types.StringNull()
	}
	if isKnown(config.CoverSource) {
		if config.Source.IsNull() {
			diags.Append(planInlineCover(config.CoverSource.ValueString())...)
		} else {
			_, d := planLocalFile(path.Root("cover_source"), config.CoverSource.ValueString())
			diags.Append(d...)
		}
	}
	return diags
}

// planSourceDefaults derives media_type, media_name and cover_type from the file names, as the official
// upload SDKs do.
func planSourceDefaults(plan, config *mediaResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if config.Source.IsUnknown() {
		return diags
	}
	source := config.Source.ValueString()
	ext := fileExtension(source)
	if config.MediaType.IsNull() {
		if !slices.Contains(vod.MediaTypes(), ext) {
			diags.AddAttributeError(path.Root("media_type"), "Cannot Infer media_type",
				fmt.Sprintf("media_type defaults to the extension of source, but %q has %s, which is not a "+
					"supported media type. Set media_type to one of: %s.", source, describeExtension(ext),
					strings.Join(vod.MediaTypes(), ", ")))
		} else {
			plan.MediaType = types.StringValue(ext)
		}
	}
	if config.MediaName.IsNull() {
		name := strings.TrimSuffix(filepath.Base(source), filepath.Ext(source))
		switch n, control := utf8.RuneCountInString(name), validators.FindControlCharacter(name); {
		case n == 0:
			diags.AddAttributeError(path.Root("media_name"), "Cannot Infer media_name",
				fmt.Sprintf("media_name defaults to the base name of source without its extension, which is empty "+
					"for %q. Set media_name.", source))
		case n > maxMediaNameChars:
			diags.AddAttributeError(path.Root("media_name"), "Cannot Infer media_name",
				fmt.Sprintf("media_name defaults to the base name of source without its extension, which has %d "+
					"characters; VOD allows at most %d. Set media_name.", n, maxMediaNameChars))
		case control != nil:
			diags.AddAttributeError(path.Root("media_name"), "Cannot Infer media_name",
				fmt.Sprintf("media_name defaults to the base name of source without its extension, %q, but %s, "+
					"a control character VOD does not accept in names. Set media_name.", name, control))
		default:
			plan.MediaName = types.StringValue(name)
		}
	}
	diags.Append(planCoverType(plan, config)...)
	_, d := planLocalFile(path.Root("source"), source)
	diags.Append(d...)
	return diags
}

func planCoverType(plan, config *mediaResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	switch {
	case !config.CoverType.IsNull():
		return diags
	case config.CoverSource.IsNull():
		plan.CoverType = types.StringNull()
	case config.CoverSource.IsUnknown():
		plan.CoverType = types.StringUnknown()
	default:
		ext := fileExtension(config.CoverSource.ValueString())
		if !slices.Contains(vod.CoverTypes, ext) {
			diags.AddAttributeError(path.Root("cover_type"), "Cannot Infer cover_type",
				fmt.Sprintf("cover_type defaults to the extension of cover_source, but %q has %s, which is not a "+
					"supported image type. Set cover_type to one of: %s.", config.CoverSource.ValueString(),
					describeExtension(ext), strings.Join(vod.CoverTypes, ", ")))
			return diags
		}
		plan.CoverType = types.StringValue(ext)
	}
	return diags
}

// planCoverChange marks the cover URL as changing when a new cover will be sent, and checks that the
// cover can be sent inline.
func planCoverChange(plan, state *mediaResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if !coverChanges(plan, state) {
		return diags
	}
	plan.CoverURL = types.StringUnknown()
	if !plan.CoverSource.IsUnknown() {
		diags.Append(planInlineCover(plan.CoverSource.ValueString())...)
	}
	return diags
}

// coverChanges reports whether an update sends a new cover: a new cover_source path, or a new
// cover_source_hash for the same path. Removing cover_source leaves the cover alone.
func coverChanges(plan, state *mediaResourceModel) bool {
	if plan.CoverSource.IsNull() {
		return false
	}
	return !plan.CoverSource.Equal(state.CoverSource) || !plan.CoverSourceHash.Equal(state.CoverSourceHash)
}

// planInlineCover checks at plan a cover that will be sent with ModifyMediaInfo: its type, the file and
// its size.
func planInlineCover(coverSource string) diag.Diagnostics {
	diags := checkInlineCover(coverSource)
	info, d := planLocalFile(path.Root("cover_source"), coverSource)
	diags.Append(d...)
	if info != nil {
		diags.Append(checkInlineCoverSize(coverSource, info.Size())...)
	}
	return diags
}

// checkInlineCover rejects covers ModifyMediaInfo cannot take, judged by the file name.
func checkInlineCover(coverSource string) diag.Diagnostics {
	var diags diag.Diagnostics
	if ext := fileExtension(coverSource); !slices.Contains(inlineCoverTypes, ext) {
		diags.AddAttributeError(path.Root("cover_source"), "Unsupported Cover Image",
			fmt.Sprintf("cover_source %q has %s. A cover set after the media is created (or with "+
				"vod_session_key_wo) is sent with ModifyMediaInfo, which accepts only %s images.",
				coverSource, describeExtension(ext), strings.Join(inlineCoverTypes, ", ")))
	}
	return diags
}

// fileExtension is the lowercase extension without the dot ("" when there is none).
func fileExtension(name string) string {
	return strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))
}

func describeExtension(ext string) string {
	if ext == "" {
		return "no extension"
	}
	return "the extension ." + ext
}

// adoptedKey marks, in private state, a media that was imported and has not been applied since. Its
// upload arguments (source, media_type, ...) cannot be read from VOD, so the first apply after an import
// records them from the configuration instead of replacing the media; procedure is recorded without
// being run (nextProcedureStep).
const adoptedKey = "adopted"

func markAdopted(ctx context.Context, private interface {
	SetKey(context.Context, string, []byte) diag.Diagnostics
}) diag.Diagnostics {
	return private.SetKey(ctx, adoptedKey, []byte(`{"imported":true}`))
}

func clearAdopted(ctx context.Context, private interface {
	SetKey(context.Context, string, []byte) diag.Diagnostics
}) diag.Diagnostics {
	return private.SetKey(ctx, adoptedKey, nil)
}

func isAdopted(ctx context.Context, private interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}) bool {
	if private == nil {
		return false
	}
	value, diags := private.GetKey(ctx, adoptedKey)
	return !diags.HasError() && len(value) > 0
}

const replaceUnlessAdoptedDescription = "Changing this value replaces the media, except for the first apply " +
	"after an import, which records the configured value."

// requiresReplaceUnlessAdopted replaces the media when the value changes, unless the media was just
// imported and the value was never known.
func requiresReplaceUnlessAdopted() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(
		func(ctx context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = !req.StateValue.IsNull() || !isAdopted(ctx, req.Private)
		},
		replaceUnlessAdoptedDescription, replaceUnlessAdoptedDescription)
}

func requiresReplaceUnlessAdoptedInt64() planmodifier.Int64 {
	return int64planmodifier.RequiresReplaceIf(
		func(ctx context.Context, req planmodifier.Int64Request, resp *int64planmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = !req.StateValue.IsNull() || !isAdopted(ctx, req.Private)
		},
		replaceUnlessAdoptedDescription, replaceUnlessAdoptedDescription)
}

// mediaImportID is a parsed import ID.
type mediaImportID struct {
	fileID   string
	subAppID types.Int64
}

var fileIDPattern = regexp.MustCompile(`^[0-9]{1,32}$`)

// parseMediaImportID accepts "<file_id>" and "<sub_app_id>/<file_id>".
func parseMediaImportID(id string) (mediaImportID, diag.Diagnostics) {
	var diags diag.Diagnostics
	subApp, fileID, hasSubApp := strings.Cut(id, "/")
	if !hasSubApp {
		fileID, subApp = subApp, ""
	}
	parsed := mediaImportID{fileID: fileID, subAppID: types.Int64Null()}
	if hasSubApp {
		n, err := strconv.ParseUint(subApp, 10, 63)
		if err != nil || n == 0 {
			diags.AddError("Invalid Import ID",
				fmt.Sprintf("Import ID %q: the part before \"/\" must be a VOD application ID (a positive number). "+
					"Use <file_id> or <sub_app_id>/<file_id>, for example 5285890781213513981 or 1500000000/5285890781213513981.", id))
			return parsed, diags
		}
		parsed.subAppID = types.Int64Value(int64(n))
	}
	if !fileIDPattern.MatchString(fileID) {
		diags.AddError("Invalid Import ID",
			fmt.Sprintf("Import ID %q: %q is not a VOD file ID (a string of digits). Use <file_id> or "+
				"<sub_app_id>/<file_id>, for example 5285890781213513981 or 1500000000/5285890781213513981.", id, fileID))
	}
	return parsed, diags
}
