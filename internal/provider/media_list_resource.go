package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	listresource "github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/validators"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

var (
	_ listresource.ListResourceWithConfigure      = (*mediaListResource)(nil)
	_ listresource.ListResourceWithValidateConfig = (*mediaListResource)(nil)
)

// mediaListResource lists media for `terraform query` (Terraform 1.14 and later): each result is a
// media's identity and, when asked for, the tencentvod_media object an import of it would save, so that
// `-generate-config-out` writes configuration that plans no change once imported.
type mediaListResource struct {
	data *providerData
}

// mediaListConfigModel maps the list block of tencentvod_media: SearchMedia's conditions.
type mediaListConfigModel struct {
	SubAppID       types.Int64           `tfsdk:"sub_app_id"`
	NamePrefixes   types.List            `tfsdk:"name_prefixes"`
	Names          types.List            `tfsdk:"names"`
	Descriptions   types.List            `tfsdk:"descriptions"`
	ClassIDs       types.List            `tfsdk:"class_ids"`
	Tags           types.List            `tfsdk:"tags"`
	Categories     types.List            `tfsdk:"categories"`
	MediaTypes     types.List            `tfsdk:"media_types"`
	StorageRegions types.List            `tfsdk:"storage_regions"`
	Status         types.List            `tfsdk:"status"`
	CreateTime     *createTimeRangeModel `tfsdk:"create_time"`
}

// createTimeRangeModel maps the create_time block.
type createTimeRangeModel struct {
	After  timetypes.RFC3339 `tfsdk:"after"`
	Before timetypes.RFC3339 `tfsdk:"before"`
}

// NewMediaListResource returns the tencentvod_media list resource.
func NewMediaListResource() listresource.ListResource {
	return &mediaListResource{}
}

func (r *mediaListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_media"
}

func (r *mediaListResource) ListResourceConfigSchema(_ context.Context, _ listresource.ListResourceSchemaRequest, resp *listresource.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Lists the media of a VOD application for `terraform query` (Terraform 1.14 and later), " +
			"to adopt existing media in bulk: `terraform query -generate-config-out=media.tf` writes a " +
			"`tencentvod_media` resource and an `import` block for each, which plan no change once imported.\n\n" +
			"The arguments are `SearchMedia`'s conditions: each list matches media with any of its values, and " +
			"the arguments combine with AND. Results come oldest first; each is shown as `<media_name> (<file_id>)`.\n\n" +
			"The `list` block's own `limit` caps the results (Terraform's default is **100**): to adopt more media, " +
			"set `limit = N` in the block. `SearchMedia` returns at most 5,000 results for one search; the provider " +
			"lists past that by splitting the search by creation time (down to single seconds, then by category), " +
			"so every match is listed exactly once. Searches by `names` or `descriptions` come ranked by relevance " +
			"instead and cannot be split: when 5,000 or more media match one and `limit` is above 5,000, the list " +
			"fails; use `name_prefixes` and the other conditions to list them all.",
		Attributes: map[string]listschema.Attribute{
			"sub_app_id": listschema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "VOD application to list. Defaults to the provider's `sub_app_id` (or " +
					"`TENCENTVOD_SUB_APP_ID`); neither set: the account's default application. It becomes the " +
					"`sub_app_id` of the listed media, as an import would record it.",
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"name_prefixes": searchStrings("Media whose name starts with one of these (case-sensitive).", 10, 100),
			"names": searchStrings("Media whose name contains one of these, loosely matched (case-insensitive). "+
				"Results then come ranked by relevance, not by creation time.", 10, 100),
			"descriptions": searchStrings("Media whose description contains one of these, loosely matched. "+
				"Results then come ranked by relevance, not by creation time.", 10, 100),
			"class_ids": listschema.ListAttribute{
				ElementType:         types.Int64Type,
				Optional:            true,
				MarkdownDescription: "Media in one of these classes or their subclasses (`class_id` of `tencentvod_class`; `0` is the built-in class). At most 10.",
				Validators: []validator.List{
					listvalidator.SizeBetween(1, 10),
					listvalidator.ValueInt64sAre(int64validator.AtLeast(0)),
				},
			},
			"tags": searchStrings("Media with one of these tags.", 16, 32),
			"categories": searchChoices("Media of one of these categories: `Video`, `Audio` or `Image`.",
				"Video", "Audio", "Image"),
			"media_types":     searchStrings("Media of one of these types (container formats), such as `mp4` or `mp3`.", 10, 0),
			"storage_regions": searchStrings("Media stored in one of these regions, such as `ap-guangzhou`.", 20, 20),
			"status": searchChoices("Media in one of these states: `Normal`, `SystemForbidden` (banned by VOD) or "+
				"`Forbidden` (banned by the account).", "Normal", "SystemForbidden", "Forbidden"),
		},
		Blocks: map[string]listschema.Block{
			"create_time": listschema.SingleNestedBlock{
				MarkdownDescription: "Media created in this range, in whole seconds: from `after` (included) to " +
					"`before` (excluded). Either end may be left out.",
				Attributes: map[string]listschema.Attribute{
					"after": listschema.StringAttribute{
						Optional:            true,
						CustomType:          validators.RFC3339Type{},
						MarkdownDescription: "RFC 3339 time, such as `2025-01-01T00:00:00Z`: media created at or after it.",
					},
					"before": listschema.StringAttribute{
						Optional:            true,
						CustomType:          validators.RFC3339Type{},
						MarkdownDescription: "RFC 3339 time: media created before it.",
					},
				},
			},
		},
	}
}

// searchStrings is a list argument of strings with SearchMedia's limits: at most maxItems, each 1 to
// maxLength characters (0: no documented length).
func searchStrings(description string, maxItems, maxLength int) listschema.ListAttribute {
	each := []validator.String{stringvalidator.LengthAtLeast(1)}
	if maxLength > 0 {
		each = []validator.String{stringvalidator.UTF8LengthBetween(1, maxLength)}
		description += fmt.Sprintf(" At most %d, each at most %d characters.", maxItems, maxLength)
	} else {
		description += fmt.Sprintf(" At most %d.", maxItems)
	}
	return listschema.ListAttribute{
		ElementType:         types.StringType,
		Optional:            true,
		MarkdownDescription: description,
		Validators:          []validator.List{listvalidator.SizeBetween(1, maxItems), listvalidator.ValueStringsAre(each...)},
	}
}

// searchChoices is a list argument whose values are among allowed.
func searchChoices(description string, allowed ...string) listschema.ListAttribute {
	return listschema.ListAttribute{
		ElementType:         types.StringType,
		Optional:            true,
		MarkdownDescription: description,
		Validators: []validator.List{
			listvalidator.SizeAtLeast(1),
			listvalidator.UniqueValues(),
			listvalidator.ValueStringsAre(stringvalidator.OneOf(allowed...)),
		},
	}
}

func (r *mediaListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	var diags diag.Diagnostics
	r.data, diags = configuredData("List Resource", req.ProviderData)
	resp.Diagnostics.Append(diags...)
}

// ValidateListResourceConfig checks what the attributes' own validators cannot: that the create_time
// range is not empty.
func (r *mediaListResource) ValidateListResourceConfig(ctx context.Context, req listresource.ValidateConfigRequest, resp *listresource.ValidateConfigResponse) {
	var window createTimeRangeModel
	if diags := req.Config.GetAttribute(ctx, path.Root("create_time"), &window); diags.HasError() {
		return // absent or malformed: the schema's own validation reports a malformed time
	}
	if !isKnown(window.After) || !isKnown(window.Before) {
		return
	}
	after, afterDiags := window.After.ValueRFC3339Time()
	before, beforeDiags := window.Before.ValueRFC3339Time()
	if afterDiags.HasError() || beforeDiags.HasError() {
		return
	}
	if sent := (vod.TimeRange{After: after, Before: before}).WholeSeconds(); !sent.After.Before(sent.Before) {
		resp.Diagnostics.AddAttributeError(path.Root("create_time").AtName("before"), "Invalid Attribute Value",
			fmt.Sprintf("Attribute create_time.before must be later than create_time.after (in whole seconds), got "+
				"after %s and before %s: no media can have been created in between.",
				window.After.ValueString(), window.Before.ValueString()))
	}
}

func (r *mediaListResource) List(ctx context.Context, req listresource.ListRequest, stream *listresource.ListResultsStream) {
	if req.Limit <= 0 {
		stream.Results = listresource.NoListResults // `limit = 0`: Terraform reads no result, so none is searched for
		return
	}
	var config mediaListConfigModel
	diags := req.Config.Get(ctx, &config)
	client, notKnown := r.data.Client("tencentvod_media cannot be listed")
	diags.Append(notKnown...)
	if diags.HasError() {
		stream.Results = listresource.ListResultsStreamDiagnostics(diags)
		return
	}
	subAppID := config.SubAppID
	if subAppID.IsNull() {
		// As an import does: the provider's default, recorded in each media's state.
		subAppID = r.data.defaultSubAppID()
	}
	query, diags := config.searchQuery(ctx)
	if diags.HasError() {
		stream.Results = listresource.ListResultsStreamDiagnostics(diags)
		return
	}
	query.Search.SubAppID = pinnedSubAppID(subAppID)
	query.Limit = int(req.Limit)
	query.WithOutputs = req.IncludeResource // the outputs are part of the object an import saves

	stream.Results = func(push func(listresource.ListResult) bool) {
		ctx := withLogging(ctx)
		for info, err := range client.SearchAllMedia(ctx, query) {
			if err != nil {
				push(listresource.ListResult{Diagnostics: diag.Diagnostics{mediaListError(err)}})
				return
			}
			if !push(mediaListResult(ctx, req, info, subAppID)) {
				return
			}
		}
	}
}

// searchQuery turns the list block into SearchAllMedia's query, without its application.
func (m *mediaListConfigModel) searchQuery(ctx context.Context) (vod.SearchAllQuery, diag.Diagnostics) {
	var q vod.SearchAllQuery
	var diags diag.Diagnostics
	for _, field := range []struct {
		list   types.List
		target *[]string
	}{
		{m.NamePrefixes, &q.Search.NamePrefixes},
		{m.Names, &q.Search.Names},
		{m.Descriptions, &q.Search.Descriptions},
		{m.Tags, &q.Search.Tags},
		{m.Categories, &q.Search.Categories},
		{m.MediaTypes, &q.Search.MediaTypes},
		{m.StorageRegions, &q.Search.StorageRegions},
		{m.Status, &q.Search.Status},
	} {
		diags.Append(field.list.ElementsAs(ctx, field.target, false)...)
	}
	diags.Append(m.ClassIDs.ElementsAs(ctx, &q.Search.ClassIDs, false)...)
	if m.CreateTime != nil {
		var window vod.TimeRange
		if isKnown(m.CreateTime.After) {
			after, d := m.CreateTime.After.ValueRFC3339Time()
			diags.Append(d...)
			window.After = after
		}
		if isKnown(m.CreateTime.Before) {
			before, d := m.CreateTime.Before.ValueRFC3339Time()
			diags.Append(d...)
			window.Before = before
		}
		if !window.After.IsZero() || !window.Before.IsZero() {
			q.Search.CreateTime = &window
		}
	}
	return q, diags
}

// mediaListResult is one listed media: its identity, its display name and, when asked for, the object
// an import saves (setImportedMedia, then Read's flattenMediaInfo). Read also refreshes the status of a
// procedure the state recorded; an imported media has none.
func mediaListResult(ctx context.Context, req listresource.ListRequest, info *vod.MediaInfo, subAppID types.Int64) listresource.ListResult {
	result := req.NewListResult(ctx)
	name := ""
	if info.BasicInfo != nil {
		name = info.BasicInfo.Name
	}
	result.DisplayName = fmt.Sprintf("%s (%s)", name, info.FileID)
	result.Diagnostics.Append(setIdentity(ctx, result.Identity, &mediaIdentityModel{
		FileID:   types.StringValue(info.FileID),
		SubAppID: subAppID,
	})...)
	if !req.IncludeResource {
		return result
	}
	result.Diagnostics.Append(setImportedMedia(ctx, result.Resource, info.FileID, subAppID)...)
	var m mediaResourceModel
	result.Diagnostics.Append(result.Resource.Get(ctx, &m)...)
	if result.Diagnostics.HasError() {
		return result
	}
	result.Diagnostics.Append(m.flattenMediaInfo(ctx, info)...)
	result.Diagnostics.Append(result.Resource.Set(ctx, &m)...)
	return result
}

// mediaListError explains why the listing stopped.
func mediaListError(err error) diag.Diagnostic {
	var tooMany *vod.TooManyMatchesError
	if !errors.As(err, &tooMany) {
		return apiErrorDiagnostic("Unable to List VOD Media", err)
	}
	if tooMany.Second.IsZero() {
		return diag.NewErrorDiagnostic("Too Many VOD Media to List",
			fmt.Sprintf("%d or more media match this list block. With names or descriptions, SearchMedia ranks "+
				"results by relevance and pages through only the first %d, so no more can be listed reliably. "+
				"Use name_prefixes and the other arguments instead (those results come by creation time, and the "+
				"provider lists past %d by splitting the search), narrow the search, or set the list block's "+
				"limit to at most %d.", vod.MaxSearchResults, vod.MaxSearchResults, vod.MaxSearchResults, vod.MaxSearchResults))
	}
	return diag.NewErrorDiagnostic("Too Many VOD Media to List",
		fmt.Sprintf("%d or more media of category %s were created in the second %s, and SearchMedia lists at most "+
			"%d for one search, so they cannot all be listed. Add arguments that tell them apart (name_prefixes, "+
			"class_ids, tags, media_types, storage_regions), or list around that second with create_time.",
			vod.MaxSearchResults, tooMany.Category, tooMany.Second.Format(time.RFC3339), vod.MaxSearchResults))
}
