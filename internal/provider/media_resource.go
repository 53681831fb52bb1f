package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/validators"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

var (
	_ resource.Resource                   = (*mediaResource)(nil)
	_ resource.ResourceWithConfigure      = (*mediaResource)(nil)
	_ resource.ResourceWithImportState    = (*mediaResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*mediaResource)(nil)
	_ resource.ResourceWithValidateConfig = (*mediaResource)(nil)
)

// Default operation timeouts. Create uploads the file, so it gets the most time.
const (
	defaultMediaCreateTimeout = 60 * time.Minute
	defaultMediaUpdateTimeout = 10 * time.Minute
	defaultMediaDeleteTimeout = 5 * time.Minute
	defaultMediaReadTimeout   = 2 * time.Minute
)

// Upload tuning defaults: 8 MiB parts, four at a time. Parts stream from disk, so neither setting
// decides memory use; the defaults keep requests few enough and a typical uplink busy. A package's
// files go sixteen at a time: they are many and small, so round trips, not bandwidth, bound them
// (make bench: 2,000 segments of 64 KiB, 10 ms away, go 3.3 to 3.7 times faster than one after
// another with 4 at a time, 7.4 to 9.8 times with 16).
const (
	defaultUploadPartSizeMiB        = vod.DefaultPartSize / vod.MiB
	defaultUploadConcurrency        = vod.DefaultUploadConcurrency
	defaultPackageUploadConcurrency = 16
	maxUploadPartSizeMiB            = 5 * 1024 // COS's largest part
	maxUploadConcurrency            = 64
)

// mediaResource manages one VOD media file: it uploads a local file (or commits an upload done elsewhere),
// changes what ModifyMediaInfo can change in place, and deletes the file.
type mediaResource struct {
	data *providerData
}

// mediaResourceModel maps the resource's schema.
type mediaResourceModel struct {
	// Results of processing, and metadata (media_outputs.go).
	mediaOutputsModel

	// How the media is created: exactly one of these at create.
	Source          types.String `tfsdk:"source"`
	VodSessionKeyWO types.String `tfsdk:"vod_session_key_wo"`

	// Pulled from a URL (media_pull.go).
	SourceURL      types.String `tfsdk:"source_url"`
	CoverSourceURL types.String `tfsdk:"cover_source_url"`
	TasksPriority  types.Int64  `tfsdk:"tasks_priority"`
	PullTaskID     types.String `tfsdk:"pull_task_id"`

	// Arguments.
	ClassID           types.Int64       `tfsdk:"class_id"`
	CoverSource       types.String      `tfsdk:"cover_source"`
	CoverSourceHash   types.String      `tfsdk:"cover_source_hash"`
	CoverType         types.String      `tfsdk:"cover_type"`
	Description       types.String      `tfsdk:"description"`
	ExpireTime        timetypes.RFC3339 `tfsdk:"expire_time"`
	MediaName         types.String      `tfsdk:"media_name"`
	MediaType         types.String      `tfsdk:"media_type"`
	Procedure         types.String      `tfsdk:"procedure"`
	SessionContext    types.String      `tfsdk:"session_context"`
	SourceContext     types.String      `tfsdk:"source_context"`
	SourceHash        types.String      `tfsdk:"source_hash"`
	StorageRegion     types.String      `tfsdk:"storage_region"`
	SubAppID          types.Int64       `tfsdk:"sub_app_id"`
	Tags              types.Set         `tfsdk:"tags"`
	UploadConcurrency types.Int64       `tfsdk:"upload_concurrency"`
	UploadPartSizeMiB types.Int64       `tfsdk:"upload_part_size_mib"`
	WaitForProcedure  types.Bool        `tfsdk:"wait_for_procedure"`
	Timeouts          timeouts.Value    `tfsdk:"timeouts"`

	// Results.
	Category        types.String      `tfsdk:"category"`
	CoverURL        types.String      `tfsdk:"cover_url"`
	CreateTime      timetypes.RFC3339 `tfsdk:"create_time"`
	FileID          types.String      `tfsdk:"file_id"`
	ID              types.String      `tfsdk:"id"`
	MediaURL        types.String      `tfsdk:"media_url"`
	ProcedureStatus types.String      `tfsdk:"procedure_status"`
	ProcedureTaskID types.String      `tfsdk:"procedure_task_id"`
	Size            types.Int64       `tfsdk:"size"`
	Type            types.String      `tfsdk:"type"`

	// What a streaming package (media_package.go) holds, from its local files; null for other media.
	PackageFiles       types.Int64  `tfsdk:"package_files"`
	PackageBytes       types.Int64  `tfsdk:"package_bytes"`
	PackageFingerprint types.String `tfsdk:"package_fingerprint"`
}

// NewMediaResource returns the tencentvod_media resource.
func NewMediaResource() resource.Resource {
	return &mediaResource{}
}

func (r *mediaResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_media"
	// A pull saved before it finished has no file_id yet; the refresh that finishes it sets it. The
	// framework's check that an identity never changes would refuse that, so Read makes the check
	// itself for every identity that has a file_id (checkIdentityUnchanged).
	resp.ResourceBehavior.MutableIdentity = true
}

func (r *mediaResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A VOD media file. Create it in one of these ways:\n\n" +
			"* `source`: the provider opens an upload session (`ApplyUpload`), uploads the local file (and " +
			"`cover_source`) to the session's bucket with its temporary credentials, and commits it (`CommitUpload`).\n" +
			"* `vod_session_key_wo`: the file was uploaded by something else (for example `curl` with a " +
			"`tencentvod_upload_session`'s presigned URL), and the provider only commits it with the session key. " +
			"Requires Terraform 1.11 or later; the key is used at create only and never stored.\n" +
			"* `source_url`: VOD pulls the file from an http or https URL itself (`PullUpload`), and the provider " +
			"waits for the pull task to finish; see `pull_task_id`.\n\n" +
			"`media_name`, `description`, `class_id`, `expire_time`, `tags` and the cover change in place " +
			"(`ModifyMediaInfo`); a new `procedure` runs on the existing media; `session_context`, " +
			"`wait_for_procedure` and the upload tuning change only what later applies do. A new `source`, `source_url`, `source_hash`, " +
			"`media_type`, `storage_region`, `source_context` or `sub_app_id` replaces the media.\n\n" +
			"**Processing.** With `wait_for_procedure = true`, the apply starts `procedure` after the commit and waits " +
			"for its task to end, so that the outputs read at the end of the apply (and the resources that reference " +
			"them) include what it produced. A task that fails is a warning, not an error: the media stays as it " +
			"is, `procedure_status` says `FAIL`, and the next plan proposes running the procedure again in place, " +
			"with a warning that says why; to stop, change or remove `procedure`. A wait cut short by the create timeout or an interrupt leaves the media tracked and the task recorded " +
			"(`procedure_task_id`); the next plan waits for the same task again instead of starting it twice.\n\n" +
			"Once the file is uploaded, neither an interrupt (Ctrl-C) nor the create timeout cuts the commit " +
			"short: it completes within a few seconds and the media is saved to the state, and a commit whose " +
			"reply is lost is found again with `SearchMedia`. Settings not yet applied then, and a media that " +
			"could not be read back, are completed by the next apply instead of replacing the media.\n\n" +
			"**Streaming packages.** When `source` is an HLS playlist (`.m3u8`, a master playlist with variant " +
			"playlists included) or a DASH manifest (`.mpd`), every file it lists (segments, keys, initialization " +
			"sections, nested playlists) must be a regular file in the manifest's directory or below it, also after " +
			"resolving symlinks; a missing file, a URL, an absolute path, a `..` step or a playlist reached twice is " +
			"refused at plan, which reads the manifests locally (a key handed out by a key server, an `EXT-X-KEY` whose " +
			"URI is a URL such as `https:` or `skd:`, is not a file of the package). The apply has VOD confirm each manifest " +
			"(`ParseStreamingManifest`), uploads the manifest to the media's key and the other files next to it, " +
			"`upload_concurrency` (16 by default) at a time, and commits the package as one media whose `media_url` is " +
			"the manifest's. " +
			"If any file fails, the files already stored are deleted and nothing is committed. `package_files`, " +
			"`package_bytes` and `package_fingerprint` describe the package; a change of any of its files replaces " +
			"the media, and `source_hash` works as for a single file.\n\n" +
			resumeDescription,
		Attributes: withAttributes(withAttributes(mediaResourceAttributes(), mediaOutputResourceAttributes()), mediaPullAttributes()),
		Blocks: map[string]schema.Block{
			"timeouts": resourceTimeoutsNamingAttributes(timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true})),
		},
	}
}

func mediaResourceAttributes() map[string]schema.Attribute {
	nonEmpty := stringvalidator.LengthAtLeast(1)
	replaceUnlessAdopted := []planmodifier.String{requiresReplaceUnlessAdopted()}
	keepState := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}

	return map[string]schema.Attribute{
		// How the media is created.
		"source": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Path of a local media file to upload. Exactly one of `source` and " +
				"`vod_session_key_wo` is required to create the media. Files smaller than one part " +
				"(`upload_part_size_mib`) go in one PUT; larger ones in parallel parts streamed from disk, each " +
				"checked with CRC64. Changing the path replaces the media; to replace it when the file's content " +
				"changes, set `source_hash`. An HLS playlist (`.m3u8`) or DASH manifest (`.mpd`) is uploaded as a " +
				"package with every file it lists (see **Streaming packages**).",
			Validators:    []validator.String{nonEmpty},
			PlanModifiers: replaceUnlessAdopted,
		},
		"vod_session_key_wo": schema.StringAttribute{
			Optional:  true,
			WriteOnly: true,
			Sensitive: true,
			MarkdownDescription: "`vod_session_key` of a `tencentvod_upload_session` whose media was uploaded by " +
				"another tool; create commits it with `CommitUpload`. Write-only (Terraform 1.11 or later): it is " +
				"used once, at create, and never stored in state or plan. In this mode the arguments that only " +
				"`ApplyUpload` takes (`media_type`, `cover_type`, `storage_region`, `source_context`) belong to the " +
				"session and are rejected here; `media_name`, `description`, `class_id`, `expire_time`, `tags` and " +
				"`cover_source`, when set, are applied after the commit, and `procedure` is started after the commit " +
				"with `session_context` (waited for with `wait_for_procedure`).",
			Validators: []validator.String{nonEmpty},
		},

		// Arguments that ApplyUpload takes.
		"media_type": schema.StringAttribute{
			Optional: true,
			Computed: true,
			MarkdownDescription: "File extension of the media, such as `mp4`: one of the video types " +
				listOf(vod.VideoMediaTypes) + " or audio types " + listOf(vod.AudioMediaTypes) +
				". Defaults to the extension of `source`. `m3u8` and `mpd` make `source` a streaming package. " +
				"Changing it replaces the media.",
			Validators:    []validator.String{stringvalidator.OneOfCaseInsensitive(vod.MediaTypes()...)},
			PlanModifiers: []planmodifier.String{requiresReplaceUnlessAdopted(), stringplanmodifier.UseStateForUnknown()},
		},
		"media_name": schema.StringAttribute{
			Optional: true,
			Computed: true,
			MarkdownDescription: "Name of the media, at most 64 characters. Defaults to the base name of `source` " +
				"without its extension (with `vod_session_key_wo`, to the session's name). Changes in place.",
			Validators:    []validator.String{nonEmpty, stringvalidator.UTF8LengthAtMost(64), validators.NoControlCharacters()},
			PlanModifiers: keepState,
		},
		"cover_type": schema.StringAttribute{
			Optional: true,
			Computed: true,
			MarkdownDescription: "File extension of `cover_source` when the media is created: one of " +
				listOf(vod.CoverTypes) + ". Defaults to the extension of `cover_source`; null without a cover.",
			Validators:    []validator.String{stringvalidator.OneOfCaseInsensitive(vod.CoverTypes...)},
			PlanModifiers: keepState,
		},
		"class_id": schema.Int64Attribute{
			Optional: true,
			Computed: true,
			MarkdownDescription: "ID of the class (category) of the media: the `class_id` of a `tencentvod_class`, or " +
				"of a class found by its names with the `path` of `data.tencentvod_classes`; `0` is the built-in class " +
				"of unfiled media (`SystemDefault`). When unset, the class is left as it is (`0` for new media). " +
				"Changes in place.",
			Validators:    []validator.Int64{int64validator.AtLeast(0)},
			PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
		},
		"expire_time": schema.StringAttribute{
			Optional:   true,
			CustomType: validators.RFC3339Type{},
			// A past expiry is refused when it is planned (create or change), not by a validator: a
			// validator would also block `terraform destroy` of media whose expiry has since passed.
			MarkdownDescription: "When VOD deletes the media, in RFC 3339 format (for example " +
				"`2030-01-01T00:00:00+08:00`). Null means the media never expires. Changes in place. A time in " +
				"the past is refused when it is planned for a new media or as a change.",
		},
		"procedure": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Name of a task flow template (procedure) to run on the media. At create it runs " +
				"once the upload is committed: with `source` and without `wait_for_procedure`, `ApplyUpload` carries it " +
				"and VOD starts it on commit (its task is not tracked: `procedure_task_id` and `procedure_status` stay " +
				"null); otherwise the provider starts it after the commit with `ProcessMediaByProcedure` and records " +
				"the task. Changes in place: a new or changed name runs that procedure on the existing media, and a " +
				"procedure whose last run failed (`procedure_status` `FAIL` or `ABORTED`) or was not started " +
				"(`NOT_STARTED`) runs again at the next apply, with a warning at plan that says why. Removing it " +
				"does nothing to the media and stops such runs. The first apply after an import records it without " +
				"running it, since VOD cannot tell which procedures already ran on the media (as for the other " +
				"upload arguments); to run it then, apply once without `procedure` and once with it, or change it.",
			Validators: []validator.String{nonEmpty, validators.NoControlCharacters()},
		},
		"wait_for_procedure": schema.BoolAttribute{
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(false),
			MarkdownDescription: "Whether an apply that runs `procedure` waits for its task to end (polling " +
				"`DescribeTaskDetail` with growing intervals, progress logged at INFO), within the create or " +
				"update timeout. Default `false`. With `source`, `true` makes create start the procedure itself after " +
				"the commit instead of passing it to `ApplyUpload`, so that its task can be tracked. A failed task " +
				"is a warning, not an error. When the timeout or an interrupt ends the wait, the media stays " +
				"tracked and untainted with the task recorded, and the next plan waits for that task again. " +
				"Changing this argument alone calls nothing, unless a recorded task is still running and it is now " +
				"`true`: then the apply waits for it.",
		},
		"storage_region": schema.StringAttribute{
			Optional: true,
			Computed: true,
			MarkdownDescription: "Storage region of the media, such as `ap-chongqing`; it must be enabled for the " +
				"application. When unset, the application's default region. Changing it replaces the media.",
			Validators:    []validator.String{validators.Region()},
			PlanModifiers: []planmodifier.String{requiresReplaceUnlessAdopted(), stringplanmodifier.UseStateForUnknown()},
		},
		"source_context": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "Context passed through to the upload-complete callback, at most 250 characters. Changing it replaces the media.",
			Validators:          []validator.String{stringvalidator.UTF8LengthAtMost(250)},
			PlanModifiers:       replaceUnlessAdopted,
		},
		"session_context": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Context passed through to the task flow's callback (`SessionContext`) with each run of " +
				"`procedure`, at most 1000 characters. Changes in place: a change calls nothing, and the next run of " +
				"`procedure` carries the new value.",
			Validators: []validator.String{stringvalidator.UTF8LengthAtMost(vod.MaxSessionContextLength)},
		},
		"sub_app_id": schema.Int64Attribute{
			Optional: true,
			Computed: true,
			MarkdownDescription: "VOD application ID of the media. Defaults, at create, to the provider's `sub_app_id` " +
				"(or `TENCENTVOD_SUB_APP_ID`); the value used is kept in state, null when neither was set (the account's " +
				"default application), and every later call for this media uses it, even when the provider's default " +
				"changes. Changing it replaces the media.",
			Validators:    []validator.Int64{int64validator.AtLeast(1)},
			PlanModifiers: []planmodifier.Int64{requiresReplaceUnlessAdoptedInt64(), int64planmodifier.UseStateForUnknown()},
		},

		// Arguments for the content and how it is uploaded.
		"source_hash": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Any string that changes when the content of `source` changes, typically " +
				"`filesha256(\"video.mp4\")`. A change replaces the media, as `etag` does for `aws_s3_object`; " +
				"without it, only a change of the path is noticed.",
			PlanModifiers: replaceUnlessAdopted,
		},
		"cover_source": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Path of a local cover image. At create (with `source`) it is uploaded with the media; " +
				"a later change, or a cover added with `vod_session_key_wo`, is sent inline with `ModifyMediaInfo`, " +
				"which takes only `gif`, `jpeg`/`jpg` and `png` images of at most " + fmt.Sprint(maxInlineCoverBytes>>20) +
				" MiB. Removing it leaves the current cover in place.",
			Validators: []validator.String{nonEmpty},
		},
		"cover_source_hash": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Any string that changes when the content of `cover_source` changes, typically " +
				"`filesha256(\"cover.jpg\")`. A change uploads the cover again, in place.",
		},
		"upload_part_size_mib": schema.Int64Attribute{
			Optional: true,
			Computed: true,
			Default:  int64default.StaticInt64(defaultUploadPartSizeMiB),
			MarkdownDescription: fmt.Sprintf("Size of one part of a multipart upload, in MiB, from 1 to %d; files "+
				"smaller than one part go in a single PUT. Default `%d`. Parts stream from disk: memory use does not grow "+
				"with part size, concurrency or file size. Only used while uploading; changing it changes nothing in VOD.",
				maxUploadPartSizeMiB, defaultUploadPartSizeMiB),
			Validators: []validator.Int64{int64validator.Between(1, maxUploadPartSizeMiB)},
		},
		"upload_concurrency": schema.Int64Attribute{
			Optional: true,
			Computed: true,
			Default:  int64default.StaticInt64(defaultUploadConcurrency),
			MarkdownDescription: fmt.Sprintf("Number of parts (of a file) or files (of an HLS or DASH package) "+
				"uploaded at the same time, from 1 to %d. Default `%d` for a file and `%d` for a package, whose many "+
				"small files are bound by round trips rather than bandwidth. Only used while uploading.",
				maxUploadConcurrency, defaultUploadConcurrency, defaultPackageUploadConcurrency),
			Validators: []validator.Int64{int64validator.Between(1, maxUploadConcurrency)},
		},

		// Arguments that ModifyMediaInfo changes.
		"description": schema.StringAttribute{
			Optional: true,
			Computed: true,
			MarkdownDescription: "Description of the media, at most 128 characters. When unset, the description is " +
				"left as it is. Changes in place.",
			Validators:    []validator.String{stringvalidator.UTF8LengthAtMost(128)},
			PlanModifiers: keepState,
		},
		"tags": schema.SetAttribute{
			ElementType: types.StringType,
			Optional:    true,
			Computed:    true,
			MarkdownDescription: "Tags of the media: at most 16, each at most 32 characters. When unset, the tags " +
				"are left as they are; `[]` removes them all. Changes in place.",
			PlanModifiers: []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
			Validators: []validator.Set{
				setvalidator.SizeAtMost(maxMediaTags),
				setvalidator.ValueStringsAre(stringvalidator.LengthBetween(1, maxTagChars), validators.NoControlCharacters()),
			},
		},

		// Results.
		"id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "The media's `file_id`.",
			PlanModifiers:       keepState,
		},
		"file_id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "File ID of the media in VOD.",
			PlanModifiers:       keepState,
		},
		"media_url": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "URL of the original file, as uploaded; for playback, see `adaptive_streams`.",
			PlanModifiers:       keepState,
		},
		"cover_url": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "URL of the cover image; null when the media has no cover.",
			PlanModifiers:       keepState,
		},
		"type": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Container type VOD reports, such as `mp4`.",
			PlanModifiers:       keepState,
		},
		"category": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "`Video`, `Audio` or `Image`.",
			PlanModifiers:       keepState,
		},
		"size": schema.Int64Attribute{
			Computed:            true,
			MarkdownDescription: "Size of the media file in bytes.",
			PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
		},
		"procedure_task_id": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "Task id of the last run of `procedure` the provider started; null when none was " +
				"(no procedure, a procedure `ApplyUpload` started at create, one recorded after an import, or a run " +
				"still to start, `NOT_STARTED`).",
		},
		"procedure_status": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "Status of that run: `WAITING` or `PROCESSING` while it runs (refreshed from " +
				"`DescribeTaskDetail`), `FINISH` when every sub-task succeeded, `FAIL` when the task or a sub-task " +
				"failed, `ABORTED` when VOD aborted it, and `NOT_STARTED` when the apply ended (or VOD refused the " +
				"start) before it could start, or the start's reply was lost and its task not found (the next start " +
				"then reuses its `SessionId`, so that the procedure does not run twice). After `FAIL`, `ABORTED` or `NOT_STARTED` the next plan proposes running " +
				"`procedure` again in place; a refresh never starts it. VOD keeps tasks for three days: an unfinished " +
				"task no longer found becomes `UNKNOWN`, which is final (it is not waited for nor run again; change " +
				"`procedure` to run it). Null when `procedure_task_id` is.",
		},
		"create_time": schema.StringAttribute{
			Computed:            true,
			CustomType:          timetypes.RFC3339Type{},
			MarkdownDescription: "When the media was created, in RFC 3339 format.",
			PlanModifiers:       keepState,
		},

		// A streaming package's files, read from disk at plan (media_package.go).
		"package_files": schema.Int64Attribute{
			Computed: true,
			MarkdownDescription: "For an HLS or DASH package (`media_type` `m3u8` or `mpd`), the number of files " +
				"uploaded: the manifest, its nested playlists and every segment, each once. Null for other media.",
		},
		"package_bytes": schema.Int64Attribute{
			Computed:            true,
			MarkdownDescription: "For an HLS or DASH package, the bytes of all its files. Null for other media.",
		},
		"package_fingerprint": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "For an HLS or DASH package, a digest of the paths, sizes and modification times " +
				"of all its files, read at plan. When any file changes, is added or removed, the plan replaces the " +
				"media. Null for other media.",
		},
	}
}

func (r *mediaResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	var diags diag.Diagnostics
	r.data, diags = configuredData("Resource", req.ProviderData)
	resp.Diagnostics.Append(diags...)
}

func (r *mediaResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config mediaResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	op, diags := r.data.newOperation(ctx, "create", "The media cannot be created", plan.Timeouts.Create, defaultMediaCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.SubAppID.IsUnknown() {
		plan.SubAppID = r.data.defaultSubAppID() // the provider's default applies at create only
	}
	resolveUploadConcurrency(&plan)
	ctx, cancel := op.start(ctx)
	defer cancel()
	if isKnown(plan.SourceURL) {
		r.createFromURL(ctx, op, &plan, resp)
		return
	}
	r.create(ctx, op, &plan, config.VodSessionKeyWO, resp)
}

func (r *mediaResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state mediaResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	state.defaultArgumentsAddedLater()
	saved := mediaState{&resp.State, resp.Identity}
	client, notKnown := r.data.Client("The media cannot be refreshed during plan")
	if notKnown.HasError() {
		// Only during a plan whose provider block depends on values known after apply. Failing would
		// fail every plan of such a configuration, so a warning replaces the error, and the prior state
		// stands until the next refresh.
		resp.Diagnostics.AddWarning("VOD Media Not Refreshed",
			fmt.Sprintf("The media %s was not read from VOD during this plan, because %s. The plan uses the "+
				"state as last saved; the next plan or refresh reads the media once those arguments are known.",
				state.FileID.ValueString(), r.data.describeUnknown()))
		resp.Diagnostics.Append(saved.saveIdentity(ctx, &state)...) // the prior state stands, as read
		return
	}
	ctx, cancel := context.WithTimeout(withLogging(ctx), defaultMediaReadTimeout)
	defer cancel()
	if pullPending(&state) && !readPendingPull(ctx, client, &state, req.Private, resp) {
		return // the pull has not created the media yet, or never will
	}

	info, err := describeMedia(ctx, client, &state)
	if isMediaNotFound(err) {
		// Deleted outside Terraform (or expired): forget it so that the next plan creates it again.
		resp.Diagnostics.AddWarning("Media No Longer Exists",
			fmt.Sprintf("The media file %s no longer exists in VOD%s; it was removed from the state and will be "+
				"created again on the next apply.", state.FileID.ValueString(), expiredSince(state.ExpireTime)))
		r.data.expired.note(state.ExpireTime, time.Now())
		resp.Diagnostics.Append(saved.saveIdentity(ctx, &state)...)
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic("Unable to Read VOD Media", err))
		return
	}
	resp.Diagnostics.Append(state.flattenMediaInfo(ctx, info)...)
	resp.Diagnostics.Append(refreshProcedureStatus(ctx, client, &state)...)
	resp.Diagnostics.Append(checkIdentityUnchanged(ctx, req.Identity, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(saved.save(ctx, &state)...)
}

// defaultArgumentsAddedLater gives arguments that state saved by an earlier release lacks the value
// that release behaved as, so that upgrading the provider plans no change for them.
func (m *mediaResourceModel) defaultArgumentsAddedLater() {
	if m.WaitForProcedure.IsNull() {
		m.WaitForProcedure = types.BoolValue(false)
	}
}

func (r *mediaResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state mediaResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	op, diags := r.data.newOperation(ctx, "update", "The media cannot be updated", plan.Timeouts.Update, defaultMediaUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := op.start(ctx)
	defer cancel()
	resolveUploadConcurrency(&plan)
	if pullPending(&state) {
		r.updatePendingPull(ctx, op, &plan, &state, req.Private, resp)
		return
	}

	adopted := isAdopted(ctx, req.Private)
	step := recordProcedureBeforeUpdate(&plan, &state, adopted)
	modify, diags := plan.modifyRequest(ctx, &state, false)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if modify != nil {
		if _, err := op.client.ModifyMediaInfo(ctx, modify); err != nil {
			resp.Diagnostics.Append(op.failed(ctx, "Unable to Update VOD Media",
				fmt.Sprintf("updating media %s (ModifyMediaInfo)", state.FileID.ValueString()),
				"The change may or may not have been applied; the next plan shows what is left to do.", err))
			return
		}
	}
	resp.Diagnostics.Append(r.refresh(ctx, op, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// An adopted (imported) media is now fully described by its configuration: later changes of the
	// upload arguments replace it like any other media.
	resp.Diagnostics.Append(clearAdopted(ctx, resp.Private)...)
	saved := mediaState{&resp.State, resp.Identity}
	resp.Diagnostics.Append(saved.save(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.updateProcedure(ctx, op, &plan, step, saved, resp.Private)...)
}

// recordProcedureBeforeUpdate decides what the update does about the procedure (nextProcedureStep, as
// the plan did) and gives the procedure's results the values to save until it is done: the recorded run,
// or NOT_STARTED for a run still to start, so that an update cut short leaves it for the next apply.
func recordProcedureBeforeUpdate(plan, state *mediaResourceModel, adopted bool) procedureStep {
	step := nextProcedureStep(plan, state, adopted)
	plan.ProcedureTaskID, plan.ProcedureStatus = state.ProcedureTaskID, state.ProcedureStatus
	if step == procedureStart {
		plan.ProcedureTaskID, plan.ProcedureStatus = types.StringNull(), types.StringValue(procedureNotStarted)
	}
	return step
}

// updateProcedure starts the procedure or waits for its task, as step says, once the media's settings
// are saved. A wait that ran to its end reads the media again, so that the outputs the task produced
// are in the state at the end of the apply.
func (r *mediaResource) updateProcedure(ctx context.Context, op operation, plan *mediaResourceModel, step procedureStep, saved mediaState, private privateData) diag.Diagnostics {
	ended, diags := runProcedure(ctx, op, plan, step, saved.state, private, true)
	if !ended || diags.HasError() {
		return diags
	}
	plan.setOutputsUnknown() // planned unknown (planProcedureUpdate): read what the task produced
	diags.Append(r.refresh(ctx, op, plan)...)
	if !diags.HasError() {
		diags.Append(saved.save(ctx, plan)...)
	}
	return diags
}

func (r *mediaResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state mediaResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	op, diags := r.data.newOperation(ctx, "delete", "The media cannot be deleted", state.Timeouts.Delete, defaultMediaDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := op.start(ctx)
	defer cancel()
	if pullPending(&state) && !resolvePullBeforeDelete(ctx, op, &state, req.Private, &resp.Diagnostics) {
		return // the pull created nothing to delete, or is still running
	}

	err := op.client.DeleteMedia(ctx, &vod.DeleteMediaRequest{
		FileID:   state.FileID.ValueString(),
		SubAppID: pinnedSubAppID(state.SubAppID),
	})
	if err != nil && !isMediaNotFound(err) {
		resp.Diagnostics.Append(op.failed(ctx, "Unable to Delete VOD Media",
			fmt.Sprintf("deleting media %s (DeleteMedia)", state.FileID.ValueString()),
			"The media may or may not have been deleted; it stays in the state, and the next destroy tries again.", err))
	}
}

func (r *mediaResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id, diags := mediaImportTarget(ctx, req)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Importing records the application the media is read from; while the provider's configuration is
	// unknown, so is its default application, and an unknown value cannot go into the imported state.
	if _, diags := r.data.Client("tencentvod_media " + id.fileID + " cannot be imported during plan"); diags.HasError() {
		resp.Diagnostics.Append(diags...)
		return
	}
	if id.subAppID.IsNull() {
		// The provider's default applies now, once; state keeps it (or null) for every later call.
		id.subAppID = r.data.defaultSubAppID()
	}
	resp.Diagnostics.Append(setImportedMedia(ctx, &resp.State, id.fileID, id.subAppID)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, &mediaIdentityModel{
		FileID:   types.StringValue(id.fileID),
		SubAppID: id.subAppID,
	})...)
	resp.Diagnostics.Append(markAdopted(ctx, resp.Private)...)
}

// attributeSetter is an object being built attribute by attribute: an imported state, or the resource
// object of a list result.
type attributeSetter interface {
	SetAttribute(ctx context.Context, p path.Path, value any) diag.Diagnostics
}

// setImportedMedia sets what an import knows of a media before Read fills in the rest: its IDs, and the
// arguments that only change what later applies do, at their defaults. The list resource builds its
// objects the same way, so that what it shows is what an import of it saves.
func setImportedMedia(ctx context.Context, target attributeSetter, fileID string, subAppID types.Int64) diag.Diagnostics {
	var diags diag.Diagnostics
	diags.Append(target.SetAttribute(ctx, path.Root("id"), fileID)...)
	diags.Append(target.SetAttribute(ctx, path.Root("file_id"), fileID)...)
	diags.Append(target.SetAttribute(ctx, path.Root("sub_app_id"), subAppID)...)
	diags.Append(target.SetAttribute(ctx, path.Root("upload_part_size_mib"), defaultUploadPartSizeMiB)...)
	diags.Append(target.SetAttribute(ctx, path.Root("upload_concurrency"), int64(defaultUploadConcurrency))...)
	diags.Append(target.SetAttribute(ctx, path.Root("wait_for_procedure"), false)...)
	return diags
}

// describeMedia reads the media's basic information and metadata, in the application pinned at create.
func describeMedia(ctx context.Context, client *vod.Client, m *mediaResourceModel) (*vod.MediaInfo, error) {
	return client.DescribeMedia(ctx, m.FileID.ValueString(), pinnedSubAppID(m.SubAppID))
}

// refresh reads the media after a change and fills the results. Unlike Read, a missing media is an error:
// it was just changed.
func (r *mediaResource) refresh(ctx context.Context, op operation, m *mediaResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	info, err := describeMedia(ctx, op.client, m)
	if err != nil {
		diags.Append(op.failed(ctx, "Unable to Read VOD Media",
			fmt.Sprintf("reading media %s back after the change", m.FileID.ValueString()), "", err))
		m.setUnreadResults()
		return diags
	}
	planned := m.mediaOutputsModel // known unless this change runs processing (setOutputsUnknown)
	diags.Append(m.flattenMediaInfo(ctx, info)...)
	m.keepPlanned(planned)
	return diags
}

// isMediaNotFound reports whether err says the media does not exist.
func isMediaNotFound(err error) bool {
	return errors.Is(err, vod.ErrMediaNotFound)
}
