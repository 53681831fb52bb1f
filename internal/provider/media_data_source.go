package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

var (
	_ datasource.DataSource              = (*mediaDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*mediaDataSource)(nil)
)

// mediaDataSource looks up an existing media file by its file ID.
type mediaDataSource struct {
	data *providerData
}

// mediaDataSourceModel maps the data source's schema.
type mediaDataSourceModel struct {
	FileID   types.String `tfsdk:"file_id"`
	SubAppID types.Int64  `tfsdk:"sub_app_id"`

	Category      types.String      `tfsdk:"category"`
	ClassID       types.Int64       `tfsdk:"class_id"`
	ClassName     types.String      `tfsdk:"class_name"`
	ClassPath     types.String      `tfsdk:"class_path"`
	CoverURL      types.String      `tfsdk:"cover_url"`
	CreateTime    timetypes.RFC3339 `tfsdk:"create_time"`
	Description   types.String      `tfsdk:"description"`
	ExpireTime    timetypes.RFC3339 `tfsdk:"expire_time"`
	ID            types.String      `tfsdk:"id"`
	MediaURL      types.String      `tfsdk:"media_url"`
	Name          types.String      `tfsdk:"name"`
	Size          types.Int64       `tfsdk:"size"`
	Status        types.String      `tfsdk:"status"`
	StorageClass  types.String      `tfsdk:"storage_class"`
	StorageRegion types.String      `tfsdk:"storage_region"`
	Tags          types.Set         `tfsdk:"tags"`
	Type          types.String      `tfsdk:"type"`
	UpdateTime    timetypes.RFC3339 `tfsdk:"update_time"`

	// Processing outputs and metadata (media_outputs.go).
	mediaOutputsModel
}

// NewMediaDataSource returns the tencentvod_media data source.
func NewMediaDataSource() datasource.DataSource {
	return &mediaDataSource{}
}

func (d *mediaDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_media"
}

func (d *mediaDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up an existing VOD media file by its file ID (`DescribeMediaInfos`), with its " +
			"playback outputs and metadata. Reading a file ID that does not exist is an error.",
		Attributes: withAttributes(mediaDataSourceAttributes(), mediaOutputDataSourceAttributes()),
	}
}

const classPathDescription = "Path of the media's category as VOD reports it: the names of its classes from " +
	"the top level down, joined by `-` (`Movies-Trailers`). A name can hold `-` itself: for the names one by " +
	"one, look `class_id` up in the `classes` of `data.tencentvod_classes`."

func mediaDataSourceAttributes() map[string]schema.Attribute {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	return map[string]schema.Attribute{
		"file_id": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: "File ID of the media.",
			Validators: []validator.String{stringvalidator.RegexMatches(fileIDPattern,
				"must be a VOD file ID: a string of digits")},
		},
		"sub_app_id": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: "VOD application ID of the media. Defaults to the provider's `sub_app_id` (or " +
				"`TENCENTVOD_SUB_APP_ID`) on every read; without either, the account's default application.",
			Validators: []validator.Int64{int64validator.AtLeast(1)},
		},
		"id":             computed("The media's `file_id`."),
		"name":           computed("Name of the media."),
		"description":    computed("Description of the media."),
		"media_url":      computed("URL of the original file, as uploaded; for playback, see `adaptive_streams`."),
		"cover_url":      computed("URL of the cover image; null when the media has no cover."),
		"type":           computed("Container type, such as `mp4`."),
		"category":       computed("`Video`, `Audio` or `Image`."),
		"class_name":     computed("Name of the media's category."),
		"class_path":     computed(classPathDescription),
		"status":         computed("`Normal` or `Forbidden`."),
		"storage_class":  computed("Storage class: `STANDARD`, `STANDARD_IA`, `ARCHIVE` or `DEEP_ARCHIVE`."),
		"storage_region": computed("Storage region of the media."),
		"class_id": schema.Int64Attribute{
			Computed: true,
			MarkdownDescription: "Category ID of the media; `0` is the built-in class of unfiled media (`SystemDefault` " +
				"in `data.tencentvod_classes`; its `class_name` here is VOD's `其他`, \"Other\").",
		},
		"size": schema.Int64Attribute{
			Computed:            true,
			MarkdownDescription: "Size of the media file in bytes.",
		},
		"tags": schema.SetAttribute{
			Computed:            true,
			ElementType:         types.StringType,
			MarkdownDescription: "Tags of the media.",
		},
		"create_time": schema.StringAttribute{
			Computed:            true,
			CustomType:          timetypes.RFC3339Type{},
			MarkdownDescription: "When the media was created, in RFC 3339 format.",
		},
		"update_time": schema.StringAttribute{
			Computed:            true,
			CustomType:          timetypes.RFC3339Type{},
			MarkdownDescription: "When the media was last changed, in RFC 3339 format.",
		},
		"expire_time": schema.StringAttribute{
			Computed:            true,
			CustomType:          timetypes.RFC3339Type{},
			MarkdownDescription: "When VOD deletes the media, in RFC 3339 format; null when it never expires.",
		},
	}
}

func (d *mediaDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	var diags diag.Diagnostics
	d.data, diags = configuredData("Data Source", req.ProviderData)
	resp.Diagnostics.Append(diags...)
}

func (d *mediaDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model mediaDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(withLogging(ctx), defaultMediaReadTimeout)
	defer cancel()

	client, diags := d.data.Client("Data source tencentvod_media cannot be read during plan")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	fileID := model.FileID.ValueString()
	info, err := client.DescribeMedia(ctx, fileID, optionalSubAppID(model.SubAppID))
	if isMediaNotFound(err) {
		resp.Diagnostics.AddAttributeError(path.Root("file_id"), "VOD Media Not Found",
			fmt.Sprintf("No media with file_id %s exists in the VOD application%s.", fileID, describeSubApp(model.SubAppID, client)))
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic("Unable to Read VOD Media", err))
		return
	}
	resp.Diagnostics.Append(model.flatten(ctx, info)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}

func describeSubApp(v types.Int64, client *vod.Client) string {
	switch {
	case !v.IsNull():
		return fmt.Sprintf(" %d", v.ValueInt64())
	case client.SubAppID() != 0:
		return fmt.Sprintf(" %d", client.SubAppID())
	}
	return " (the account's default application)"
}
