package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/ephemeral/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/validators"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

var (
	_ ephemeral.EphemeralResource              = (*uploadSessionEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigure = (*uploadSessionEphemeralResource)(nil)
)

// defaultOpenTimeout bounds one Open, retries included, when no timeouts block is given.
const defaultOpenTimeout = 2 * time.Minute

// uploadSessionEphemeralResource opens a VOD upload session (ApplyUpload). It has no Close: the API has
// no call to abandon a session, and an unused one simply expires. It has no Renew either: the temporary
// credentials have a fixed expiry that nothing can extend.
type uploadSessionEphemeralResource struct {
	data *providerData
}

// uploadSessionEphemeralResourceModel maps the ephemeral resource's arguments and results.
type uploadSessionEphemeralResourceModel struct {
	// Arguments.
	ClassID        types.Int64       `tfsdk:"class_id"`
	CoverType      types.String      `tfsdk:"cover_type"`
	Enabled        types.Bool        `tfsdk:"enabled"`
	ExpireTime     timetypes.RFC3339 `tfsdk:"expire_time"`
	ExtInfo        types.String      `tfsdk:"ext_info"`
	MediaName      types.String      `tfsdk:"media_name"`
	MediaType      types.String      `tfsdk:"media_type"`
	Procedure      types.String      `tfsdk:"procedure"`
	SessionContext types.String      `tfsdk:"session_context"`
	SourceContext  types.String      `tfsdk:"source_context"`
	StorageRegion  types.String      `tfsdk:"storage_region"`
	SubAppID       types.Int64       `tfsdk:"sub_app_id"`
	Timeouts       timeouts.Value    `tfsdk:"timeouts"`

	// Results.
	COSBucketURL     types.String `tfsdk:"cos_bucket_url"`
	CoverObjectKey   types.String `tfsdk:"cover_object_key"`
	CoverStoragePath types.String `tfsdk:"cover_storage_path"`
	CoverUploadURL   types.String `tfsdk:"cover_upload_url"`
	MediaObjectKey   types.String `tfsdk:"media_object_key"`
	MediaStoragePath types.String `tfsdk:"media_storage_path"`
	MediaUploadURL   types.String `tfsdk:"media_upload_url"`
	RequestID        types.String `tfsdk:"request_id"`
	StorageBucket    types.String `tfsdk:"storage_bucket"`
	TempCertificate  types.Object `tfsdk:"temp_certificate"`
	VodSessionKey    types.String `tfsdk:"vod_session_key"`
}

// tempCertificateModel maps the temp_certificate result.
type tempCertificateModel struct {
	Expiration  timetypes.RFC3339 `tfsdk:"expiration"`
	ExpiredTime types.Int64       `tfsdk:"expired_time"`
	SecretID    types.String      `tfsdk:"secret_id"`
	SecretKey   types.String      `tfsdk:"secret_key"`
	Token       types.String      `tfsdk:"token"`
}

var tempCertificateAttrTypes = map[string]attr.Type{
	"expiration":   timetypes.RFC3339Type{},
	"expired_time": types.Int64Type,
	"secret_id":    types.StringType,
	"secret_key":   types.StringType,
	"token":        types.StringType,
}

// NewUploadSessionEphemeralResource returns the tencentvod_upload_session ephemeral resource.
func NewUploadSessionEphemeralResource() ephemeral.EphemeralResource {
	return &uploadSessionEphemeralResource{}
}

func (r *uploadSessionEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_upload_session"
}

func (r *uploadSessionEphemeralResource) Schema(ctx context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	nonEmpty := stringvalidator.LengthAtLeast(1)

	resp.Schema = schema.Schema{
		MarkdownDescription: "Opens a VOD upload session with the `ApplyUpload` API and returns the storage bucket, the " +
			"storage paths and short-lived upload credentials, without writing any of them to state or plan. " +
			"Each plan and each apply opens a new session unless `enabled` is false (for example " +
			"`enabled = terraform.applying`); an unused session simply expires. A session for an HLS or DASH " +
			"package (`media_type` `m3u8` or `mpd`) takes the manifest at `media_object_key` and every file the " +
			"manifest lists next to it, at `dirname(media_object_key)` joined with the file's path relative to the " +
			"manifest: its temporary credentials may write any key in that directory.",
		Attributes: map[string]schema.Attribute{
			// Required arguments.
			"media_type": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "File extension of the media, such as `mp4` or `mp3`: one of the video types " +
					listOf(vod.VideoMediaTypes) + " or audio types " + listOf(vod.AudioMediaTypes) +
					". Case-insensitive; sent in lowercase.",
				Validators: []validator.String{stringvalidator.OneOfCaseInsensitive(vod.MediaTypes()...)},
			},

			// Optional arguments.
			"class_id": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Category ID of the media. `0` (the default) is the built-in \"Other\" category.",
				Validators:          []validator.Int64{int64validator.AtLeast(0)},
			},
			"cover_type": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "File extension of a cover image to upload with the media: one of " + listOf(vod.CoverTypes) +
					". Case-insensitive; sent in lowercase. Without it the cover results are null.",
				Validators: []validator.String{stringvalidator.OneOfCaseInsensitive(vod.CoverTypes...)},
			},
			"enabled": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Whether to open a session. Default `true`. When `false`, no API call is made and every " +
					"result is null. `enabled = terraform.applying` opens a session only during apply, not on every plan.",
			},
			"expire_time": schema.StringAttribute{
				Optional:   true,
				CustomType: validators.RFC3339Type{},
				MarkdownDescription: "When the media expires and is deleted, in RFC 3339 format (for example " +
					"`2030-01-01T00:00:00+08:00`). Sent to the API in UTC. A time already past is refused when " +
					"the session opens (a warning while `enabled` is false).",
			},
			"ext_info": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Reserved by the API for special purposes.",
				Validators:          []validator.String{nonEmpty},
			},
			"media_name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Name of the media. Defaults, on the API side, to a generated name.",
				Validators:          []validator.String{nonEmpty, validators.NoControlCharacters()},
			},
			"procedure": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Name of a task flow template to run automatically once the upload is committed.",
				Validators:          []validator.String{nonEmpty, validators.NoControlCharacters()},
			},
			"session_context": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Context passed through to the task flow's callback, at most 1000 characters.",
				Validators:          []validator.String{stringvalidator.UTF8LengthAtMost(1000)},
			},
			"source_context": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Context passed through to the upload-complete callback, at most 250 characters.",
				Validators:          []validator.String{stringvalidator.UTF8LengthAtMost(250)},
			},
			"storage_region": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Storage region for the media, such as `ap-chongqing`; it must be enabled for the " +
					"application. When unset, the region the API chose.",
				Validators: []validator.String{validators.Region()},
			},
			"sub_app_id": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "VOD application ID. Overrides the provider's `sub_app_id`.",
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},

			// Results.
			"cos_bucket_url": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Base URL of the storage bucket, from the provider's `cos_endpoint`.",
			},
			"cover_object_key": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Object key of the cover in the bucket (`cover_storage_path` without the leading `/`).",
			},
			"cover_storage_path": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Storage path of the cover, starting with `/`. Null without `cover_type`.",
			},
			"cover_upload_url": schema.StringAttribute{
				Computed:            true,
				Sensitive:           true,
				MarkdownDescription: "Presigned URL to upload the cover with an HTTP PUT, valid until the credentials expire.",
			},
			"media_object_key": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Object key of the media in the bucket (`media_storage_path` without the leading `/`).",
			},
			"media_storage_path": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Storage path of the media, starting with `/`.",
			},
			"media_upload_url": schema.StringAttribute{
				Computed:  true,
				Sensitive: true,
				MarkdownDescription: "Presigned URL to upload the media with an HTTP PUT, valid until the credentials expire: " +
					"`curl --upload-file FILE \"$URL\"` uploads with no object-storage tool.",
			},
			"request_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "RequestId of the `ApplyUpload` call.",
			},
			"storage_bucket": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Storage bucket to upload to, `<name>-<appid>`.",
			},
			"temp_certificate": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Temporary credentials that may write only this session's paths in the bucket.",
				Attributes: map[string]schema.Attribute{
					"expiration": schema.StringAttribute{
						Computed:            true,
						CustomType:          timetypes.RFC3339Type{},
						MarkdownDescription: "When the credentials expire, in RFC 3339 format in UTC.",
					},
					"expired_time": schema.Int64Attribute{
						Computed:            true,
						MarkdownDescription: "When the credentials expire, in Unix seconds.",
					},
					"secret_id": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "Temporary SecretId.",
					},
					"secret_key": schema.StringAttribute{
						Computed:            true,
						Sensitive:           true,
						MarkdownDescription: "Temporary SecretKey.",
					},
					"token": schema.StringAttribute{
						Computed:            true,
						Sensitive:           true,
						MarkdownDescription: "Security token, sent with the temporary credentials (as `x-cos-security-token`).",
					},
				},
			},
			"vod_session_key": schema.StringAttribute{
				Computed:            true,
				Sensitive:           true,
				MarkdownDescription: "Key that commits the upload with `CommitUpload`.",
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": ephemeralTimeoutsNamingAttributes(timeouts.Block(ctx)),
		},
	}
}

func (r *uploadSessionEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	var diags diag.Diagnostics
	r.data, diags = configuredData("Ephemeral Resource", req.ProviderData)
	resp.Diagnostics.Append(diags...)
}

func (r *uploadSessionEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var model uploadSessionEphemeralResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = withLogging(ctx)
	disabled := !model.Enabled.IsNull() && !model.Enabled.ValueBool()
	resp.Diagnostics.Append(checkSessionExpiry(model.ExpireTime, disabled)...)
	if resp.Diagnostics.HasError() {
		return
	}

	switch {
	case disabled:
		tflog.Debug(ctx, "upload session disabled; no ApplyUpload call")
		model.setNullResults()
	case !r.data.configKnown():
		// Only during plan: the provider block is not fully known yet. Unknown results make the consumers
		// wait for apply, when the provider is configured and the session really opens.
		tflog.Debug(ctx, "provider configuration unknown; upload session results unknown until apply")
		model.setUnknownResults()
	default:
		resp.Diagnostics.Append(r.open(ctx, &model)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	resp.Diagnostics.Append(resp.Result.Set(ctx, &model)...)
}

// checkSessionExpiry refuses an expire_time that has passed: VOD would delete the media at once. It is
// checked when the session opens, not by a validator, which would refuse every command on the
// configuration once that time has passed, `terraform destroy` included; while the session is disabled
// (enabled = terraform.applying during a plan, or a destroy) nothing is sent, so it is a warning.
func checkSessionExpiry(expiry timetypes.RFC3339, disabled bool) diag.Diagnostics {
	var diags diag.Diagnostics
	if expiry.IsNull() || expiry.IsUnknown() {
		return diags
	}
	err := validators.CheckNotInPast(expiry.ValueString(), time.Now())
	if err == nil {
		return diags
	}
	detail := fmt.Sprintf("Attribute expire_time value must be %s, got %q: %s.", validators.NotInPastAllowed,
		expiry.ValueString(), err)
	if disabled {
		diags.AddAttributeWarning(path.Root("expire_time"), "Upload Session Would Be Refused",
			detail+" The session is disabled now, so nothing is sent; it will be refused when it is enabled.")
		return diags
	}
	diags.AddAttributeError(path.Root("expire_time"), "Invalid Attribute Value", detail)
	return diags
}

// open calls ApplyUpload and fills the model's results.
func (r *uploadSessionEphemeralResource) open(ctx context.Context, model *uploadSessionEphemeralResourceModel) diag.Diagnostics {
	timeout, diags := model.Timeouts.Open(ctx, defaultOpenTimeout)
	if diags.HasError() {
		return diags
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	request, diags := model.expandApplyUploadRequest()
	if diags.HasError() {
		return diags
	}
	client, diags := r.data.Client("The upload session cannot be opened")
	if diags.HasError() {
		return diags
	}
	session, err := client.ApplyUpload(ctx, request)
	if err != nil {
		diags.Append(apiErrorDiagnostic("Unable to Open VOD Upload Session", err))
		return diags
	}
	ctx = maskSecrets(ctx, session.VodSessionKey, session.TempCertificate.SecretKey, session.TempCertificate.Token)

	urls, err := presignUploadURLs(ctx, client, session)
	if err != nil {
		diags.AddError("Unable to Presign Upload URLs",
			fmt.Sprintf("The upload session opened (RequestId %s) but its upload URLs could not be built.\n\nOriginal Error: %s",
				session.RequestID, err))
		return diags
	}
	ctx = maskSecrets(ctx, urls.media, urls.cover)

	diags.Append(model.flatten(ctx, session, urls)...)
	tflog.Info(ctx, "opened VOD upload session", map[string]any{
		"request_id":     session.RequestID,
		"storage_bucket": session.StorageBucket,
		"storage_region": session.StorageRegion,
		"media_path":     session.MediaStoragePath,
		"expires_at":     time.Unix(int64(session.TempCertificate.ExpiredTime), 0).UTC().Format(time.RFC3339),
	})
	return diags
}

// uploadURLs are a session's bucket URL and presigned PUT URLs; cover is empty without a cover path.
type uploadURLs struct {
	bucket, media, cover string
}

func presignUploadURLs(ctx context.Context, client *vod.Client, session *vod.ApplyUploadResponse) (uploadURLs, error) {
	var urls uploadURLs
	var err error
	if urls.bucket, err = client.BucketURL(session.StorageBucket, session.StorageRegion); err != nil {
		return urls, err
	}
	if urls.media, err = client.PresignedPutURL(ctx, urls.bucket, objectKey(session.MediaStoragePath), session.TempCertificate); err != nil {
		return urls, err
	}
	if session.CoverStoragePath != "" {
		if urls.cover, err = client.PresignedPutURL(ctx, urls.bucket, objectKey(session.CoverStoragePath), session.TempCertificate); err != nil {
			return urls, err
		}
	}
	return urls, nil
}

// flatten fills the results from a session. Configured arguments keep their configured values: Terraform
// rejects a result that changes them (storage_region is the API's choice only when unset).
func (m *uploadSessionEphemeralResourceModel) flatten(ctx context.Context, session *vod.ApplyUploadResponse, urls uploadURLs) diag.Diagnostics {
	m.Enabled = types.BoolValue(true)
	if m.StorageRegion.IsNull() {
		m.StorageRegion = types.StringValue(session.StorageRegion)
	}
	m.StorageBucket = types.StringValue(session.StorageBucket)
	m.VodSessionKey = types.StringValue(session.VodSessionKey)
	m.RequestID = types.StringValue(session.RequestID)
	m.COSBucketURL = types.StringValue(urls.bucket)
	m.MediaStoragePath = types.StringValue(session.MediaStoragePath)
	m.MediaObjectKey = types.StringValue(objectKey(session.MediaStoragePath))
	m.MediaUploadURL = types.StringValue(urls.media)
	m.CoverStoragePath = stringOrNull(session.CoverStoragePath)
	m.CoverObjectKey = stringOrNull(objectKey(session.CoverStoragePath))
	m.CoverUploadURL = stringOrNull(urls.cover)

	cert := session.TempCertificate
	expiry := time.Unix(int64(cert.ExpiredTime), 0).UTC()
	var diags diag.Diagnostics
	m.TempCertificate, diags = types.ObjectValueFrom(ctx, tempCertificateAttrTypes, tempCertificateModel{
		Expiration:  timetypes.NewRFC3339TimeValue(expiry),
		ExpiredTime: types.Int64Value(int64(cert.ExpiredTime)),
		SecretID:    types.StringValue(cert.SecretID),
		SecretKey:   types.StringValue(cert.SecretKey),
		Token:       types.StringValue(cert.Token),
	})
	return diags
}

// setNullResults leaves every result null, for a disabled session.
func (m *uploadSessionEphemeralResourceModel) setNullResults() {
	m.Enabled = types.BoolValue(false)
	m.setResults(types.StringNull(), types.ObjectNull(tempCertificateAttrTypes))
}

// setUnknownResults marks every result unknown, for a plan whose provider configuration is not known yet.
func (m *uploadSessionEphemeralResourceModel) setUnknownResults() {
	if m.Enabled.IsNull() {
		m.Enabled = types.BoolValue(true)
	}
	if m.StorageRegion.IsNull() {
		m.StorageRegion = types.StringUnknown()
	}
	m.setResults(types.StringUnknown(), types.ObjectUnknown(tempCertificateAttrTypes))
	if m.CoverType.IsNull() {
		// Known already: without a cover type the API returns no cover path.
		m.CoverObjectKey, m.CoverStoragePath, m.CoverUploadURL = types.StringNull(), types.StringNull(), types.StringNull()
	}
}

func (m *uploadSessionEphemeralResourceModel) setResults(s types.String, cert types.Object) {
	m.COSBucketURL, m.CoverObjectKey, m.CoverStoragePath, m.CoverUploadURL = s, s, s, s
	m.MediaObjectKey, m.MediaStoragePath, m.MediaUploadURL = s, s, s
	m.RequestID, m.StorageBucket, m.VodSessionKey = s, s, s
	m.TempCertificate = cert
}

// objectKey turns a storage path ("/dir/f0.mp4") into the object key in the bucket ("dir/f0.mp4"), as the
// official upload SDKs do.
func objectKey(storagePath string) string {
	return strings.TrimPrefix(storagePath, "/")
}

// listOf renders allowed values for a description, e.g. `mp4`, `mov`.
func listOf(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "`" + v + "`"
	}
	return strings.Join(quoted, ", ")
}
