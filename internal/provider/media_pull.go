package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	fwpath "github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/validators"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// Media pulled from a URL (source_url). VOD fetches the file itself (PullUpload) in a PullUpload task;
// the provider waits for that task, then tracks the media it created like an uploaded one.
//
// A pull is never started twice for one resource. Its SessionId is drawn once per pull and kept in
// private state, so a PullUpload repeated after a lost reply is refused by VOD and resolved to the first
// task (vod.Client.StartPull). Once the task id is known it is saved in the state (pull_task_id) before
// anything else happens; when the create timeout or an interrupt ends the wait, the state keeps the
// unfinished pull (file_id null), the next refresh records the media once the task has created it, and
// the next apply waits for the same task. A pull that fails creates nothing: create reports its ErrCode
// and Message, except 70000 (VOD's internal error), which is pulled once more with a new SessionId.

// pullStartGrace is how long a PullUpload may go on once Terraform is interrupted or the create timeout
// runs out (see criticalStep): a pull started without its task id reaching the state would run untracked.
const pullStartGrace = 5 * time.Second

// pullCoverTypes are the cover formats PullUpload takes from a URL.
var pullCoverTypes = []string{"gif", "jpeg", "jpg", "png"}

func mediaPullAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"source_url": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "http or https URL of a media file that VOD pulls itself (`PullUpload`), instead " +
				"of `source` or `vod_session_key_wo`. The URL must lead straight to the file, without referer " +
				"protection; HLS playlists (`.m3u8`, with segment URIs relative and without parameters) can be pulled, " +
				"DASH (`.mpd`) cannot. The apply waits for the pull task within the create timeout, logging its progress " +
				"at INFO; a pull that fails is an error with VOD's ErrCode (40000 invalid input, 60000 source file error) " +
				"and message, and one that fails with 70000 (VOD's internal error) is pulled once more. When the timeout " +
				"or an interrupt ends the wait, the media is saved to the state unfinished with `pull_task_id` and a " +
				"warning; the next refresh or apply finishes it from the same task, which is never started twice. " +
				"`media_type` defaults to the URL's extension and `media_name` to its file name. Changing the URL " +
				"replaces the media; to replace it when the content behind the same URL changes, set `source_hash`.",
			Validators:    []validator.String{httpURL(nil), notDASH()},
			PlanModifiers: []planmodifier.String{requiresReplaceUnlessAdopted()},
		},
		"cover_source_url": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "With `source_url`: http or https URL of a `gif`, `jpeg`/`jpg` or `png` cover image " +
				"VOD pulls with the media (`CoverUrl`). Used when the media is created only: changing it later sends " +
				"nothing (with a warning); to change the cover of existing media, set `cover_source`.",
			Validators: []validator.String{httpURL(pullCoverTypes)},
		},
		"tasks_priority": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: "With `source_url`: priority of the pull task and of the `procedure` it starts, from " +
				"-10 to 10 (higher runs first); VOD's default is 0. Used when the media is created only.",
			Validators: []validator.Int64{int64validator.Between(vod.MinTasksPriority, vod.MaxTasksPriority)},
		},
		"pull_task_id": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "With `source_url`: id of the `PullUpload` task that pulled the media. While " +
				"`file_id` is null, the pull has not finished yet: the next refresh or apply finishes the media from " +
				"this task. Null for media created otherwise.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
	}
}

// validatePullConfig rejects arguments that do not go with source_url, or that need it.
func validatePullConfig(config *mediaResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if config.SourceURL.IsNull() {
		for name, value := range map[string]bool{
			"cover_source_url": !config.CoverSourceURL.IsNull(), "tasks_priority": !config.TasksPriority.IsNull(),
		} {
			if value {
				diags.AddAttributeError(fwpath.Root(name), "Argument Needs source_url",
					fmt.Sprintf("%s is only used when VOD pulls the media from source_url. Without source_url, remove it.", name))
			}
		}
		return diags
	}
	for _, conflict := range []struct {
		name string
		set  bool
		why  string
	}{
		{"source", !config.Source.IsNull(),
			"Set one of source (a local file the provider uploads), vod_session_key_wo or source_url (a URL VOD pulls), not several."},
		{"vod_session_key_wo", !config.VodSessionKeyWO.IsNull(),
			"Set one of source, vod_session_key_wo (an upload session's key) or source_url (a URL VOD pulls), not several."},
		{"cover_type", !config.CoverType.IsNull(),
			"A pulled cover's type is the extension of cover_source_url; cover_type is only for uploads with source."},
		{"upload_part_size_mib", !config.UploadPartSizeMiB.IsNull(),
			"VOD fetches source_url itself: the provider uploads nothing that this could tune."},
		{"upload_concurrency", !config.UploadConcurrency.IsNull(),
			"VOD fetches source_url itself: the provider uploads nothing that this could tune."},
	} {
		if conflict.set {
			diags.AddAttributeError(fwpath.Root(conflict.name), "Argument Not Allowed With source_url", conflict.why)
		}
	}
	if !config.CoverSourceURL.IsNull() && !config.CoverSource.IsNull() {
		diags.AddAttributeError(fwpath.Root("cover_source"), "Conflicting Cover Sources",
			"Set either cover_source_url (a cover VOD pulls with the media) or cover_source (a local cover sent after "+
				"the pull), not both.")
	}
	return diags
}

// planPullDefaults derives media_type and media_name from source_url, as PullUpload would, so that the
// plan shows them, and refuses what VOD cannot pull.
func planPullDefaults(plan, config *mediaResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	plan.CoverType = types.StringNull()
	if strings.EqualFold(config.MediaType.ValueString(), "mpd") {
		diags.AddAttributeError(fwpath.Root("media_type"), "DASH Cannot Be Pulled",
			"media_type mpd (DASH) cannot be pulled from source_url: PullUpload does not support DASH. Pull an HLS "+
				"playlist (m3u8) or a single media file, or upload the DASH package with source.")
		return diags
	}
	if config.SourceURL.IsUnknown() {
		return diags // media_type and media_name stay unknown until the URL is known
	}
	u, err := url.Parse(config.SourceURL.ValueString())
	if err != nil {
		return diags // the attribute's validator reported it
	}
	base := path.Base(u.Path)
	ext := strings.ToLower(strings.TrimPrefix(path.Ext(base), "."))
	if config.MediaType.IsNull() {
		if !slices.Contains(vod.MediaTypes(), ext) {
			diags.AddAttributeError(fwpath.Root("media_type"), "Cannot Infer media_type",
				fmt.Sprintf("media_type defaults to the extension of source_url's path, but %q has %s, which is not a "+
					"supported media type. Set media_type to one of: %s.", u.Path, describeExtension(ext),
					strings.Join(vod.MediaTypes(), ", ")))
		} else {
			plan.MediaType = types.StringValue(ext)
		}
	}
	if config.MediaName.IsNull() {
		name := strings.TrimSuffix(base, path.Ext(base))
		switch n, control := utf8.RuneCountInString(name), validators.FindControlCharacter(name); {
		case n == 0 || name == "." || name == "/":
			diags.AddAttributeError(fwpath.Root("media_name"), "Cannot Infer media_name",
				fmt.Sprintf("media_name defaults to the file name of source_url without its extension, which is empty "+
					"for %q. Set media_name.", config.SourceURL.ValueString()))
		case n > maxMediaNameChars:
			diags.AddAttributeError(fwpath.Root("media_name"), "Cannot Infer media_name",
				fmt.Sprintf("media_name defaults to the file name of source_url without its extension, which has %d "+
					"characters; VOD allows at most %d. Set media_name.", n, maxMediaNameChars))
		case control != nil:
			diags.AddAttributeError(fwpath.Root("media_name"), "Cannot Infer media_name",
				fmt.Sprintf("media_name defaults to the file name of source_url without its extension, %q, but %s, "+
					"a control character VOD does not accept in names. Set media_name.", name, control))
		default:
			plan.MediaName = types.StringValue(name)
		}
	}
	return diags
}

// planPullCreate shows what a new media learns from its pull: the task id, and the procedure's task,
// which the pull starts (its id is in the pull task). Media created otherwise have no pull task.
func planPullCreate(plan *mediaResourceModel) {
	if plan.SourceURL.IsNull() {
		plan.PullTaskID = types.StringNull()
		return
	}
	plan.PullTaskID = types.StringUnknown()
	if !plan.Procedure.IsNull() {
		plan.ProcedureTaskID, plan.ProcedureStatus = types.StringUnknown(), types.StringUnknown()
	}
}

// pullPending reports whether m is a pulled media whose pull has not created it yet (or not as far as the
// state knows).
func pullPending(m *mediaResourceModel) bool {
	return m.FileID.IsNull() && !m.SourceURL.IsNull()
}

// planPendingPull plans the apply that finishes an unfinished pull: it waits for the task (or starts the
// pull again with the same SessionId when its start was unconfirmed), so every result is unknown.
func planPendingPull(plan, state, config *mediaResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	plan.PullTaskID = state.PullTaskID
	what := fmt.Sprintf("the pull task %s", state.PullTaskID.ValueString())
	if !isKnown(state.PullTaskID) {
		plan.PullTaskID = types.StringUnknown()
		what = "a pull whose start was not confirmed (it is sent again with the same SessionId, which VOD refuses if it ran)"
	}
	for _, s := range []*types.String{&plan.FileID, &plan.ID, &plan.MediaURL, &plan.CoverURL, &plan.Type, &plan.Category} {
		*s = types.StringUnknown()
	}
	plan.Size = types.Int64Unknown()
	plan.CreateTime = timetypes.NewRFC3339Unknown()
	for attribute, computed := range map[*types.String]types.String{
		&plan.StorageRegion: config.StorageRegion, &plan.Description: config.Description,
		&plan.MediaName: config.MediaName, &plan.MediaType: config.MediaType,
	} {
		if computed.IsNull() && attribute.IsNull() {
			*attribute = types.StringUnknown()
		}
	}
	if config.ClassID.IsNull() {
		plan.ClassID = types.Int64Unknown()
	}
	if config.Tags.IsNull() {
		plan.Tags = types.SetUnknown(types.StringType)
	}
	plan.setPackage(nil) // a pull is never a package uploaded from source
	plan.setOutputsUnknown()
	plan.Duration, plan.Container = types.Float64Unknown(), types.StringUnknown()
	plan.Width, plan.Height, plan.Bitrate = types.Int64Unknown(), types.Int64Unknown(), types.Int64Unknown()
	if !plan.Procedure.IsNull() {
		plan.ProcedureTaskID, plan.ProcedureStatus = types.StringUnknown(), types.StringUnknown()
	}
	diags.AddWarning("VOD Pull Not Finished",
		fmt.Sprintf("The media of source_url %q has not been created yet: %s has not finished as far as the state "+
			"knows. This apply waits for it, within the update timeout, and finishes the media from it; nothing is "+
			"pulled twice.", state.SourceURL.ValueString(), what))
	return diags
}

// warnCoverSourceURLChange says that a changed cover_source_url does nothing to existing media.
func warnCoverSourceURLChange(plan, state *mediaResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if state.SourceURL.IsNull() || plan.CoverSourceURL.IsNull() || plan.CoverSourceURL.Equal(state.CoverSourceURL) {
		return diags
	}
	diags.AddAttributeWarning(fwpath.Root("cover_source_url"), "Pulled Cover Not Changed",
		"cover_source_url is pulled with the media when it is created only: VOD cannot pull a cover for existing "+
			"media, so this change is recorded and sends nothing. To change the cover, set cover_source (a local "+
			"gif, jpeg or png file) instead.")
	return diags
}

// createFromURL creates the media from source_url.
func (r *mediaResource) createFromURL(ctx context.Context, op operation, plan *mediaResourceModel, resp *resource.CreateResponse) {
	plan.PullTaskID, plan.ProcedureTaskID, plan.ProcedureStatus = types.StringNull(), types.StringNull(), types.StringNull()
	failed, diags := r.pull(ctx, op, plan, mediaState{&resp.State, resp.Identity}, resp.Private, "")
	resp.Diagnostics.Append(diags...)
	if failed {
		resp.State.RemoveResource(ctx) // the pull created nothing
	}
}

// updatePendingPull finishes a media whose pull an earlier apply left unfinished: it waits for the
// recorded task, or sends the unconfirmed start again with its SessionId.
func (r *mediaResource) updatePendingPull(ctx context.Context, op operation, plan, state *mediaResourceModel, private privateData, resp *resource.UpdateResponse) {
	plan.PullTaskID = state.PullTaskID
	saved := mediaState{&resp.State, resp.Identity}
	resp.Diagnostics.Append(savePulling(ctx, plan, saved)...) // the state stays fully known whatever happens
	sessionID := ""
	if !isKnown(plan.PullTaskID) {
		sessionID = pendingPullSessionID(ctx, private)
	}
	_, diags := r.pull(ctx, op, plan, saved, resp.Private, sessionID)
	resp.Diagnostics.Append(diags...)
}

// pull runs m's pull to its end and finishes the media from it: it starts the pull unless m records its
// task already (with sessionID, or a new one when ""), waits for the task and, once it has created the
// media, tracks and completes it. It reports whether the pull failed, so that nothing was created.
// Whatever else ends it (a timeout, an interrupt, an unconfirmed start, a failed poll) leaves the
// unfinished pull in the state with a warning.
func (r *mediaResource) pull(ctx context.Context, op operation, m *mediaResourceModel, saved mediaState, private privateData, sessionID string) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	// The pull an earlier apply left unfinished may be the retry already: 70000 is retried once per
	// resource, not once per apply.
	retried := pendingPullOf(ctx, private).Retry
	for {
		if !isKnown(m.PullTaskID) && !startPull(ctx, op, m, saved, private, pendingPullData{SessionID: sessionID, Retry: retried}, &diags) {
			return diags.HasError(), diags // refused: nothing was pulled; unconfirmed: saved with a warning
		}
		detail, ok := awaitPull(ctx, op, m, &diags)
		if !ok {
			return false, diags
		}
		failure := detail.Failure()
		if failure == nil {
			r.finishFromPull(ctx, op, m, detail.PullResult(), saved, private, &diags)
			return false, diags
		}
		if failure.ErrCode == vod.PullErrInternalError && !retried {
			diags.AddAttributeWarning(fwpath.Root("source_url"), "VOD Pull Retried",
				fmt.Sprintf("The pull of %s failed with VOD's internal error (%s), so it was started once more, as "+
					"a new pull with a new SessionId, as VOD advises for ErrCode 70000.", m.SourceURL.ValueString(), failure.Error()))
			m.PullTaskID, sessionID, retried = types.StringNull(), "", true
			continue
		}
		diags.AddAttributeError(fwpath.Root("source_url"), "VOD Pull Failed",
			fmt.Sprintf("VOD could not pull %s: %s.\n\n%s", m.SourceURL.ValueString(), failure.Error(), pullErrCodeAdvice(failure.ErrCode)))
		return true, diags
	}
}

// pullErrCodeAdvice says what to do about a pull's ErrCode.
func pullErrCodeAdvice(code int64) string {
	switch code {
	case vod.PullErrInvalidInput:
		return "ErrCode 40000 means the input is invalid: check that source_url (and cover_source_url) can be fetched " +
			"from the internet without a referer or a login, and the other arguments. Nothing was created."
	case vod.PullErrSourceFile:
		return "ErrCode 60000 means the source file is at fault (for example corrupt data, or an origin that fails " +
			"or cuts the transfer short): check the file behind source_url. Nothing was created."
	case vod.PullErrInternalError:
		return "ErrCode 70000 is an internal error of VOD; the pull was already tried twice. Apply again later. " +
			"Nothing was created."
	}
	return "Nothing was created."
}

// startPull sends PullUpload for m and records its task in m and the state. It reports whether the
// pull started; when its outcome is unknown, the unfinished pull is saved with a warning, and its
// SessionId stays in private state for the next apply.
func startPull(ctx context.Context, op operation, m *mediaResourceModel, saved mediaState, private privateData, pending pendingPullData, diags *diag.Diagnostics) bool {
	if pending.SessionID == "" {
		var err error
		if pending.SessionID, err = newPullSessionID(); err != nil {
			diags.AddError("Unable to Pull VOD Media", "No SessionId could be generated: "+err.Error())
			return false
		}
	}
	// Before the call: every retry of this pull, in this apply or a later one, reuses the SessionId.
	diags.Append(savePendingPull(ctx, private, pending)...)
	sessionID := pending.SessionID
	req, d := m.pullUploadRequest(sessionID)
	diags.Append(d...)
	if diags.HasError() {
		return false
	}
	startCtx, cancel := criticalStep(ctx, pullStartGrace)
	defer cancel()
	taskID, err := op.client.StartPull(startCtx, req)
	switch {
	case errors.Is(err, vod.ErrPullOutcomeUnknown):
		diags.Append(savePulling(ctx, m, saved)...)
		api := apiErrorDiagnostic("VOD Pull Unconfirmed", err)
		diags.AddWarning(api.Summary(), fmt.Sprintf("PullUpload may have started pulling %s, but its task id was not "+
			"received and the task could not be found yet. The media is saved to the state unfinished (file_id "+
			"null); the next refresh looks the task up by its SessionId, and the next apply sends the pull again "+
			"with the same SessionId, which VOD refuses if the first one ran: the file is not pulled twice.\n\n%s",
			m.SourceURL.ValueString(), api.Detail()))
		return false
	case err != nil:
		diags.Append(op.failed(ctx, "Unable to Pull VOD Media", fmt.Sprintf("asking VOD to pull %s (PullUpload)",
			m.SourceURL.ValueString()), "Nothing was pulled.", err))
		return false
	}
	m.PullTaskID = types.StringValue(taskID)
	diags.Append(savePulling(ctx, m, saved)...)
	tflog.Info(ctx, "started VOD pull", map[string]any{"source_url": m.SourceURL.ValueString(), "task_id": taskID, "session_id": sessionID})
	return true
}

// awaitPull waits for m's pull task to end, logging its progress at INFO. It reports false, with a
// warning, when the wait ended first (the unfinished pull is in the state already).
func awaitPull(ctx context.Context, op operation, m *mediaResourceModel, diags *diag.Diagnostics) (*vod.TaskDetail, bool) {
	taskID := m.PullTaskID.ValueString()
	progress := func(detail *vod.TaskDetail) {
		fields := map[string]any{"task_id": taskID, "source_url": m.SourceURL.ValueString(), "status": detail.Status}
		if detail.PullUploadTask != nil {
			fields["progress_percent"] = detail.PullUploadTask.Progress
		}
		tflog.Info(ctx, "VOD pull progress", fields)
	}
	detail, err := op.client.WaitForTask(ctx, taskID, pinnedSubAppID(m.SubAppID), progress)
	if err == nil {
		return detail, true
	}
	reason := fmt.Sprintf("reading its status failed (%s)", err)
	if cause := op.waitEndedBecause(ctx, err); cause != "" {
		reason = cause
	}
	diags.AddAttributeWarning(fwpath.Root("pull_task_id"), "VOD Pull Still Running",
		fmt.Sprintf("VOD is pulling %s in task %s, but %s before the task ended. The media is saved to the state "+
			"unfinished, with pull_task_id and file_id null: the next refresh records it once the task has created "+
			"it, and the next apply waits for the same task (raise the create or update timeout for long pulls). The "+
			"file is not pulled twice.", m.SourceURL.ValueString(), taskID, reason))
	return nil, false
}

// finishFromPull tracks the media a pull created, then completes it like an uploaded one: the settings
// PullUpload cannot carry (description, tags, cover_source), a read-back, and, with wait_for_procedure,
// the wait for the procedure's task, which the pull started.
func (r *mediaResource) finishFromPull(ctx context.Context, op operation, m *mediaResourceModel, result *vod.PullUploadTask, saved mediaState, private privateData, diags *diag.Diagnostics) {
	created := &vod.CommitUploadResponse{FileID: result.FileID, MediaURL: result.FileURL}
	if result.MediaBasicInfo != nil {
		created.CoverURL = result.MediaBasicInfo.CoverURL
	}
	m.ProcedureTaskID, m.ProcedureStatus = types.StringNull(), types.StringNull()
	if result.ProcedureTaskID != "" && !m.Procedure.IsNull() {
		m.ProcedureTaskID, m.ProcedureStatus = types.StringValue(result.ProcedureTaskID), types.StringValue(procedureWaiting)
	}
	diags.Append(track(ctx, m, created, saved)...)
	diags.Append(clearPendingPull(ctx, private)...)
	tflog.Info(ctx, "VOD pull finished", map[string]any{"task_id": m.PullTaskID.ValueString(), "file_id": result.FileID})
	if cause := op.endedBecause(ctx); cause != "" {
		diags.AddWarning("VOD Media Pulled and Tracked, Not Finished",
			fmt.Sprintf("The media %s was pulled and is tracked in the state, but %s before the rest of its settings "+
				"were applied and it was read back. The next apply finishes it in place; nothing is pulled again.",
				result.FileID, cause))
		return
	}
	finished, d := r.applyAfterCommit(ctx, op, m, false)
	diags.Append(d...)
	if finished {
		diags.Append(saved.save(ctx, m)...)
	}
	if d.HasError() || !isKnown(m.ProcedureTaskID) || !m.WaitForProcedure.ValueBool() {
		return
	}
	ended, d := runProcedure(ctx, op, m, procedureAwait, saved.state, private, false)
	diags.Append(d...)
	if ended && finished {
		diags.Append(readAfterProcedure(ctx, op, m, saved)...)
	}
}

// savePulling saves m as an unfinished pull: its arguments and pull_task_id, with every result not known
// yet null.
func savePulling(ctx context.Context, m *mediaResourceModel, saved mediaState) diag.Diagnostics {
	pulling := *m
	pulling.FileID, pulling.ID = types.StringNull(), types.StringNull()
	pulling.setUnreadResults()
	return saved.save(ctx, &pulling) // its identity's file_id is "" until the pull creates the media
}

// checkIdentityUnchanged refuses a refresh that read another media than the one the stored identity
// names (the state was edited by hand or moved), as the framework does for resources whose identity never
// changes: this one's may change once, from the "" file_id of an unfinished pull to the media it created.
// A sub_app_id the stored identity leaves null (an identity given to import) may be filled in.
func checkIdentityUnchanged(ctx context.Context, stored *tfsdk.ResourceIdentity, m *mediaResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if stored == nil || stored.Raw.IsNull() || stored.Raw.IsFullyNull() {
		return diags
	}
	var prior mediaIdentityModel
	if diags.Append(stored.Get(ctx, &prior)...); diags.HasError() {
		return diags
	}
	pending := prior.FileID.IsNull() || prior.FileID.ValueString() == ""
	sameFile := pending || prior.FileID.Equal(m.FileID)
	sameApp := prior.SubAppID.IsNull() || prior.SubAppID.Equal(m.SubAppID)
	if !sameFile || !sameApp {
		diags.AddError("Unexpected Identity Change",
			fmt.Sprintf("The refresh read media %s of application %s, but the identity stored with this resource "+
				"names media %s of application %s. The state was edited or moved to the wrong address: Terraform "+
				"does not take one media for another. Restore the state, or remove the resource from it and import "+
				"the media it should manage.", m.FileID.ValueString(), m.SubAppID.String(),
				prior.FileID.ValueString(), prior.SubAppID.String()))
	}
	return diags
}

// pullUploadRequest maps the planned media to PullUpload. The arguments it shares with ApplyUpload are
// mapped as for an upload.
func (m *mediaResourceModel) pullUploadRequest(sessionID string) (*vod.PullUploadRequest, diag.Diagnostics) {
	common, diags := m.applyUploadRequest()
	req := &vod.PullUploadRequest{
		MediaURL:       m.SourceURL.ValueString(),
		MediaType:      common.MediaType,
		MediaName:      common.MediaName,
		CoverURL:       m.CoverSourceURL.ValueString(),
		Procedure:      common.Procedure,
		StorageRegion:  common.StorageRegion,
		ClassID:        common.ClassID,
		TasksPriority:  knownInt64Pointer(m.TasksPriority),
		SessionContext: common.SessionContext,
		SessionID:      sessionID,
		SourceContext:  common.SourceContext,
		SubAppID:       common.SubAppID,
	}
	if common.ExpireTime != nil {
		req.ExpireTime = common.ExpireTime.UTC().Format(time.RFC3339)
	}
	return req, diags
}

// readPendingPull refreshes an unfinished pull. It reports true when the pull has created the media
// (state then has its file_id, for the read that follows); otherwise it has saved what it learned, or
// removed a pull that created nothing, so that the next apply pulls again.
func readPendingPull(ctx context.Context, client *vod.Client, state *mediaResourceModel, private privateData, resp *resource.ReadResponse) bool {
	saved := mediaState{&resp.State, resp.Identity}
	if !isKnown(state.PullTaskID) {
		sessionID := pendingPullSessionID(ctx, private)
		if sessionID == "" {
			resp.Diagnostics.AddWarning("VOD Pull Lost", "The state holds a pull whose start was not confirmed and "+
				"whose SessionId is not known; it was removed from the state, and the next apply pulls source_url again.")
			resp.Diagnostics.Append(saved.saveIdentity(ctx, state)...)
			resp.State.RemoveResource(ctx)
			return false
		}
		task, err := client.FindPullBySession(ctx, sessionID, pinnedSubAppID(state.SubAppID))
		if err != nil {
			tflog.Info(ctx, "the unconfirmed VOD pull was not found; the next apply sends it again with its SessionId",
				map[string]any{"session_id": sessionID, "error": err.Error()})
			resp.Diagnostics.Append(saved.saveIdentity(ctx, state)...)
			return false
		}
		state.PullTaskID = types.StringValue(task.TaskID)
	}
	detail, err := client.DescribeTaskDetail(ctx, &vod.DescribeTaskDetailRequest{
		TaskID: state.PullTaskID.ValueString(), SubAppID: pinnedSubAppID(state.SubAppID),
	})
	var failure *vod.TaskFailure
	if err == nil {
		failure = detail.Failure()
	}
	switch {
	case errors.Is(err, vod.ErrTaskNotFound) || failure != nil:
		why := "VOD no longer knows it (it keeps tasks for three days)"
		if failure != nil {
			why = "it failed: " + failure.Error()
		}
		resp.Diagnostics.AddWarning("VOD Pull Created Nothing",
			fmt.Sprintf("The pull of %s (task %s) did not create the media: %s. It was removed from the state, and the "+
				"next apply pulls source_url again.", state.SourceURL.ValueString(), state.PullTaskID.ValueString(), why))
		resp.Diagnostics.Append(saved.saveIdentity(ctx, state)...)
		resp.State.RemoveResource(ctx)
		return false
	case err != nil:
		d := apiErrorDiagnostic("Unable to Read VOD Pull Status", err)
		resp.Diagnostics.AddWarning(d.Summary(), fmt.Sprintf("The pull task %s was not refreshed; the next refresh "+
			"tries again.\n\n%s", state.PullTaskID.ValueString(), d.Detail()))
	case detail.PullResult() != nil:
		result := detail.PullResult()
		state.FileID, state.ID = types.StringValue(result.FileID), types.StringValue(result.FileID)
		if result.ProcedureTaskID != "" && !state.Procedure.IsNull() {
			state.ProcedureTaskID, state.ProcedureStatus = types.StringValue(result.ProcedureTaskID), types.StringValue(procedureWaiting)
		}
		resp.Diagnostics.Append(clearPendingPull(ctx, resp.Private)...)
		return true
	default:
		tflog.Info(ctx, "VOD pull still running", map[string]any{"task_id": state.PullTaskID.ValueString(), "status": detail.Status})
	}
	resp.Diagnostics.Append(saved.save(ctx, state)...)
	return false
}

// resolvePullBeforeDelete finds what an unfinished pull created before its media is deleted: it waits,
// within the delete timeout, for the task to end. It reports true when there is media to delete (its
// file_id is then in state); a pull that created nothing leaves nothing to delete, and one still running
// when the timeout runs out is an error that keeps the resource, so that its media is not left behind.
func resolvePullBeforeDelete(ctx context.Context, op operation, state *mediaResourceModel, private privateData, diags *diag.Diagnostics) bool {
	subAppID := pinnedSubAppID(state.SubAppID)
	if !isKnown(state.PullTaskID) {
		sessionID := pendingPullSessionID(ctx, private)
		if sessionID == "" {
			return false
		}
		task, err := op.client.FindPullBySession(ctx, sessionID, subAppID)
		switch {
		case errors.Is(err, vod.ErrTaskNotFound):
			return false // the unconfirmed pull never started
		case err != nil:
			diags.Append(op.failed(ctx, "Unable to Delete VOD Media", "looking up the unconfirmed pull (DescribeTasks)",
				"The media stays in the state, and the next destroy tries again.", err))
			return false
		}
		state.PullTaskID = types.StringValue(task.TaskID)
	}
	detail, err := op.client.WaitForTask(ctx, state.PullTaskID.ValueString(), subAppID, nil)
	switch {
	case errors.Is(err, vod.ErrTaskNotFound):
		return false
	case err != nil:
		diags.Append(op.failed(ctx, "Unable to Delete VOD Media",
			fmt.Sprintf("waiting for the pull task %s to end, to delete the media it creates", state.PullTaskID.ValueString()),
			"The media stays in the state, and the next destroy tries again.", err))
		return false
	}
	result := detail.PullResult()
	if result == nil {
		return false // the pull failed: nothing to delete
	}
	state.FileID = types.StringValue(result.FileID)
	return true
}

// pendingPullKey keeps, in private state, the SessionId of the resource's pull until it has created the
// media.
const pendingPullKey = "pull_pending"

type pendingPullData struct {
	SessionID string `json:"session_id"`
	// Retry marks the one new pull started after the first failed with 70000.
	Retry bool `json:"retry,omitempty"`
}

func savePendingPull(ctx context.Context, private privateData, pending pendingPullData) diag.Diagnostics {
	if private == nil {
		return nil
	}
	raw, _ := json.Marshal(pending) // strings and a bool always encode
	return private.SetKey(ctx, pendingPullKey, raw)
}

func clearPendingPull(ctx context.Context, private privateData) diag.Diagnostics {
	if private == nil {
		return nil
	}
	return private.SetKey(ctx, pendingPullKey, nil)
}

// pendingPullSessionID is the SessionId of the resource's unfinished pull, or "".
func pendingPullSessionID(ctx context.Context, private privateData) string {
	return pendingPullOf(ctx, private).SessionID
}

// pendingPullOf is what private state keeps of the resource's unfinished pull (zero when nothing).
func pendingPullOf(ctx context.Context, private privateData) pendingPullData {
	var pending pendingPullData
	if private == nil {
		return pending
	}
	if raw, _ := private.GetKey(ctx, pendingPullKey); len(raw) == 0 || json.Unmarshal(raw, &pending) != nil {
		return pendingPullData{}
	}
	return pending
}

// newPullSessionID returns a SessionId unique to one pull: the provider's prefix, "pull-" and a random
// token, well within the API's 50 characters.
func newPullSessionID() (string, error) {
	token := make([]byte, 16)
	if _, err := rand.Read(token); err != nil {
		return "", err
	}
	return sessionIDPrefix + "pull-" + hex.EncodeToString(token), nil
}

// httpURL accepts an absolute http or https URL; with extensions, its path must end in one of them.
func httpURL(extensions []string) validator.String { return httpURLValidator{extensions: extensions} }

type httpURLValidator struct{ extensions []string }

func (v httpURLValidator) Description(context.Context) string {
	if len(v.extensions) == 0 {
		return "must be an http or https URL"
	}
	return "must be an http or https URL of a " + strings.Join(v.extensions, ", ") + " file"
}

func (v httpURLValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v httpURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL",
			fmt.Sprintf("Attribute %s %q is not a URL: %s. It must be an http or https URL such as https://example.com/video.mp4.", req.Path, raw, err))
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL",
			fmt.Sprintf("Attribute %s %q must be an http or https URL with a host, such as https://example.com/video.mp4: "+
				"VOD fetches it over the internet.", req.Path, raw))
	case len(v.extensions) > 0 && !slices.Contains(v.extensions, strings.ToLower(strings.TrimPrefix(path.Ext(u.Path), "."))):
		resp.Diagnostics.AddAttributeError(req.Path, "Unsupported Cover Image",
			fmt.Sprintf("Attribute %s %q must name a %s image: PullUpload takes no other cover type.", req.Path, raw,
				strings.Join(v.extensions, ", ")))
	}
}

// notDASH refuses a URL of a DASH manifest, which PullUpload does not pull.
func notDASH() validator.String { return notDASHValidator{} }

type notDASHValidator struct{}

func (notDASHValidator) Description(context.Context) string {
	return "must not be a DASH manifest (.mpd): VOD does not pull DASH"
}

func (v notDASHValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (notDASHValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	u, err := url.Parse(req.ConfigValue.ValueString())
	if err == nil && strings.EqualFold(path.Ext(u.Path), ".mpd") {
		resp.Diagnostics.AddAttributeError(req.Path, "DASH Cannot Be Pulled",
			fmt.Sprintf("Attribute %s %q is a DASH manifest (.mpd), which PullUpload does not pull. Pull an HLS "+
				"playlist (.m3u8) or a single media file, or download the DASH package and upload it with source.",
				req.Path, req.ConfigValue.ValueString()))
	}
}
