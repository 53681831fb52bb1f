package provider

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// Creating media takes these steps, each a function below:
//
//  1. upload (with source): check the files, open an upload session, upload the media and cover;
//  2. commit: CommitUpload as one critical section, whose lost reply is resolved by looking the media up;
//  3. track: put the media in the state at once, so that whatever happens next it stays managed;
//  4. finish: apply what CommitUpload cannot carry (description, tags, ...) and read the media;
//  5. process: start the procedure when the provider starts it itself (media_procedure.go), wait for it
//     with wait_for_procedure, and read the media again for the outputs the task produced.
//
// Once the commit has happened, nothing that follows marks the media tainted unless a setting was
// refused: an interrupt, a timeout or a failed read leave the rest to the next apply or refresh.

// commitTimeout bounds the commit's critical section. It must end well before a CI runner follows its
// interrupt with a second signal (GitLab and GitHub runners send SIGTERM about 7.5 s after SIGINT),
// which makes Terraform exit at once and lose what the provider returns.
const commitTimeout = 5 * time.Second

// resolveTimeout bounds the search for a media file whose commit reply was lost.
const resolveTimeout = 5 * time.Second

// interruptedCommitBudget bounds the commit and that search together once Terraform was interrupted:
// what they find (the media tracked, or the diagnostic naming it) must reach Terraform before the
// runner's second signal, about 7.5 s after its interrupt.
const interruptedCommitBudget = 6500 * time.Millisecond

// commitTimeSlack widens the creation-time window searched around a lost commit: VOD stamps the media
// with its own clock, which may differ from the local one (requests are refused beyond 5 minutes).
const commitTimeSlack = 10 * time.Minute

// create runs the steps; the state it leaves in resp tracks the media as soon as it exists.
func (r *mediaResource) create(ctx context.Context, op operation, plan *mediaResourceModel, sessionKey types.String, resp *resource.CreateResponse) {
	uploadedHere := sessionKey.IsNull()
	startsProcedure := startsProcedureAfterCommit(plan, !uploadedHere)
	plan.ProcedureTaskID, plan.ProcedureStatus = types.StringNull(), types.StringNull()
	if startsProcedure {
		plan.ProcedureStatus = types.StringValue(procedureNotStarted) // until it is started
	}
	var committed *vod.CommitUploadResponse
	var diags diag.Diagnostics
	switch {
	case uploadedHere && isPackageType(plan.MediaType):
		committed, diags = r.uploadPackageAndCommit(ctx, op, plan) // media_package.go
	case uploadedHere:
		committed, diags = r.uploadAndCommit(ctx, op, plan)
	default:
		committed, diags = r.commit(maskSecrets(ctx, sessionKey.ValueString()), op, plan, sessionKey.ValueString(), nil)
	}
	resp.Diagnostics.Append(diags...)
	if committed == nil {
		return
	}

	saved := mediaState{&resp.State, resp.Identity}
	resp.Diagnostics.Append(track(ctx, plan, committed, saved)...)
	if cause := op.endedBecause(ctx); cause != "" {
		resp.Diagnostics.AddWarning("VOD Media Committed and Tracked, Not Finished",
			fmt.Sprintf("The media %s was committed and is tracked in the state, but %s before the rest of its "+
				"settings were applied and it was read back. The next apply finishes it in place; nothing is "+
				"uploaded again.", committed.FileID, cause))
		return
	}

	finished, diags := r.applyAfterCommit(ctx, op, plan, uploadedHere)
	resp.Diagnostics.Append(diags...)
	if finished {
		resp.Diagnostics.Append(saved.save(ctx, plan)...)
	}
	if !startsProcedure || resp.Diagnostics.HasError() {
		return // no procedure to start here, or the media is tainted and will be replaced
	}
	ended, diags := runProcedure(ctx, op, plan, procedureStart, saved.state, resp.Private, false)
	resp.Diagnostics.Append(diags...)
	if ended && finished {
		resp.Diagnostics.Append(readAfterProcedure(ctx, op, plan, saved)...)
	}
}

// readAfterProcedure reads the media again once its task has ended, so that the outputs the task
// produced are in the state (and in the references to them) at the end of the same apply. A failed read
// is a warning: the media is tracked already, and the next refresh reads it.
func readAfterProcedure(ctx context.Context, op operation, plan *mediaResourceModel, saved mediaState) diag.Diagnostics {
	var diags diag.Diagnostics
	info, err := describeMedia(ctx, op.client, plan)
	if err != nil {
		reason := "reading it failed: " + err.Error()
		if cause := op.endedBecause(ctx); cause != "" {
			reason = cause + " before it was read"
		}
		diags.AddWarning("VOD Media Not Read After Processing",
			fmt.Sprintf("The procedure of media %s ended, but the media was not read again to show what it "+
				"produced, because %s. The next refresh reads it.", plan.FileID.ValueString(), reason))
		return diags
	}
	diags.Append(plan.flattenMediaInfo(ctx, info)...)
	diags.Append(saved.save(ctx, plan)...)
	return diags
}

// track saves the new media, and its identity, with what the commit returned, before anything else can
// fail: from here on it stays managed, whatever happens to the rest of the create. Results not known
// yet are null until a read fills them in. Every way of creating media saves through it.
func track(ctx context.Context, plan *mediaResourceModel, committed *vod.CommitUploadResponse, saved mediaState) diag.Diagnostics {
	plan.recordCommit(committed)
	tracked := *plan
	tracked.setUnreadResults()
	return saved.save(ctx, &tracked)
}

// recordCommit keeps what CommitUpload returned; a later read replaces the URLs with VOD's values.
func (m *mediaResourceModel) recordCommit(committed *vod.CommitUploadResponse) {
	m.FileID = types.StringValue(committed.FileID)
	m.ID = m.FileID
	if m.MediaURL.IsUnknown() {
		m.MediaURL = types.StringValue(committed.MediaURL)
	}
	if m.CoverURL.IsUnknown() {
		m.CoverURL = stringOrNull(committed.CoverURL)
	}
}

// uploadAndCommit creates media from source: it checks the files, opens an upload session, uploads the
// media (and cover) and commits the session. Nothing is sent before both files are known to be readable.
func (r *mediaResource) uploadAndCommit(ctx context.Context, op operation, plan *mediaResourceModel) (*vod.CommitUploadResponse, diag.Diagnostics) {
	var diags diag.Diagnostics
	diags.Append(checkReadableFile(path.Root("source"), plan.Source.ValueString())...)
	if !plan.CoverSource.IsNull() {
		diags.Append(checkReadableFile(path.Root("cover_source"), plan.CoverSource.ValueString())...)
	}
	request, d := plan.applyUploadRequest()
	diags.Append(d...)
	if diags.HasError() {
		return nil, diags
	}
	if startsProcedureAfterCommit(plan, false) {
		request.Procedure = "" // started after the commit instead, so that its task can be waited for
	}

	session, resumable, err := openUploadSession(ctx, op, plan, request)
	if err != nil {
		diags.Append(op.failed(ctx, "Unable to Open VOD Upload Session", "opening an upload session (ApplyUpload)",
			"Nothing was uploaded.", err))
		return nil, diags
	}
	defer resumable.release()
	ctx = maskSecrets(ctx, session.VodSessionKey, session.TempCertificate.SecretKey, session.TempCertificate.Token)
	if plan.StorageRegion.IsUnknown() {
		plan.StorageRegion = types.StringValue(session.StorageRegion)
	}

	uploadStarted := time.Now()
	if d := r.uploadSessionFiles(ctx, op, plan, session, resumable); d.HasError() {
		// A resumed session refused at once may have been committed by the apply that was interrupted;
		// an upload this apply's interrupt or timeout ended is no sign of that.
		if ctx.Err() == nil {
			if earlier, found := resumable.committedEarlier(ctx, op, plan, uploadStarted); earlier != nil {
				return earlier, found
			}
		}
		diags.Append(d...)
		return nil, diags
	}
	commitStarted := time.Now()
	committed, d := r.commit(ctx, op, plan, session.VodSessionKey, session)
	resumable.committed(ctx)
	if committed == nil && resumable.resumed() {
		if earlier, found := resumable.committedEarlier(ctx, op, plan, commitStarted); earlier != nil {
			return earlier, found
		}
		d.Append(resumable.notCommittedWarning())
	}
	diags.Append(d...)
	return committed, diags
}

// sessionUpload is one local file going to one of the session's storage paths.
type sessionUpload struct {
	attribute, file, storagePath string
}

// uploadSessionFiles uploads the media and, when there is one, the cover to the session's paths.
// The media file's upload resumes an interrupted one, or is checkpointed to be resumed (media_resume.go).
func (r *mediaResource) uploadSessionFiles(ctx context.Context, op operation, plan *mediaResourceModel, session *vod.ApplyUploadResponse, resumable *resumableUpload) diag.Diagnostics {
	var diags diag.Diagnostics
	client := op.client
	bucketURL, err := client.BucketURL(session.StorageBucket, session.StorageRegion)
	if err != nil {
		diags.AddError("Unable to Upload Media", "The upload session's bucket cannot be reached: "+err.Error())
		return diags
	}
	options := vod.UploadOptions{
		PartSize:    plan.UploadPartSizeMiB.ValueInt64() << 20,
		Concurrency: int(plan.UploadConcurrency.ValueInt64()),
	}
	uploads := []sessionUpload{{"source", plan.Source.ValueString(), session.MediaStoragePath}}
	if !plan.CoverSource.IsNull() {
		uploads = append(uploads, sessionUpload{"cover_source", plan.CoverSource.ValueString(), session.CoverStoragePath})
	}
	for i, u := range uploads {
		fileOptions := options
		if i == 0 {
			fileOptions = resumable.uploadOptions(options)
		}
		result, err := client.UploadFile(ctx, session.TempCertificate, bucketURL, objectKey(u.storagePath), u.file, fileOptions)
		if err != nil {
			resumable.uploadFailed(ctx, err)
			diags.Append(uploadFailed(ctx, op, u, session.StorageBucket, err))
			return diags
		}
		tflog.Info(ctx, "uploaded file to VOD storage", map[string]any{
			"file": u.file, "object_key": objectKey(u.storagePath), "bytes": strconv.FormatInt(result.Size, 10),
			"parts": result.Parts, "parts_resumed": result.PartsResumed, "seconds": result.Duration.Round(time.Millisecond).Seconds(),
		})
	}
	return diags
}

// uploadFailed is the diagnostic of a file that could not be uploaded: why, and what it leaves behind.
func uploadFailed(ctx context.Context, op operation, u sessionUpload, bucket string, err error) diag.Diagnostic {
	cause := op.endedBecause(ctx)
	if cause == "" {
		return diag.NewAttributeErrorDiagnostic(path.Root(u.attribute), "Unable to Upload Media",
			fmt.Sprintf("Uploading %s %q to bucket %s failed, so %s\n\nOriginal Error: %s",
				u.attribute, u.file, bucket, uploadLeftBehind(err), err))
	}
	detail := fmt.Sprintf("%s while uploading %s %q to bucket %s, so %s", sentence(cause), u.attribute, u.file,
		bucket, uploadLeftBehind(err))
	if errors.Is(err, vod.ErrAbortFailed) {
		detail += "\n\nOriginal Error: " + err.Error() // names the pending upload and how long it can be aborted
	}
	return diag.NewAttributeErrorDiagnostic(path.Root(u.attribute), "Unable to Upload Media", detail)
}

// uploadLeftBehind says what a failed upload leaves in storage: normally nothing, since a multipart
// upload is aborted on failure; when even the abort failed, the error names the pending upload.
func uploadLeftBehind(err error) string {
	if kept := (*vod.UploadKeptError)(nil); errors.As(err, &kept) {
		return uploadKeptDetail(kept)
	}
	if errors.Is(err, vod.ErrAbortFailed) {
		return "nothing was committed to VOD, but its multipart upload could not be aborted and stays pending " +
			"(see below); the upload session expires unused."
	}
	return "nothing was committed to VOD; a partial multipart upload, if any, was aborted, and the upload " +
		"session expires unused."
}

// commit calls CommitUpload as one critical section: once the files are uploaded, Terraform's
// cancellation (an interrupt) and the create timeout no longer reach it; commitTimeout bounds it
// instead. Either it commits and the media is tracked, or it is refused and nothing was created, or
// its outcome is unknown and the media is looked up (resolveLostCommit). session is nil when the upload
// was done elsewhere (vod_session_key_wo).
func (r *mediaResource) commit(ctx context.Context, op operation, plan *mediaResourceModel, sessionKey string, session *vod.ApplyUploadResponse) (*vod.CommitUploadResponse, diag.Diagnostics) {
	var diags diag.Diagnostics
	commitCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
	defer cancel()
	started := time.Now()
	committed, err := op.client.CommitUpload(commitCtx, &vod.CommitUploadRequest{
		VodSessionKey: sessionKey,
		SubAppID:      pinnedSubAppID(plan.SubAppID),
	})
	var lost *vod.CommitOutcomeUnknownError
	switch {
	case errors.As(err, &lost):
		return r.resolveLostCommit(ctx, op, plan, session, lost, started)
	case err != nil && commitCtx.Err() != nil:
		diags.AddError("Unable to Commit VOD Upload", fmt.Sprintf("CommitUpload could not be sent within %s, so "+
			"nothing was committed and the upload session expires unused. Apply again.\n\nOriginal Error: %s",
			commitTimeout, err))
		return nil, diags
	case err != nil:
		diags.Append(apiErrorDiagnostic("Unable to Commit VOD Upload", err))
		return nil, diags
	}
	tflog.Info(ctx, "committed VOD upload", map[string]any{"file_id": committed.FileID, "request_id": committed.RequestID})
	return committed, diags
}

// resolveLostCommit looks for the media a commit with an unknown outcome may have created: SearchMedia by
// name within a creation-time window around the commit, matched on the session's media storage path,
// which is unique to the session. Like the commit, the search is not cut short by an interrupt. Only
// when nothing matches (or the upload was done elsewhere, so the path is unknown) is the media reported
// as possibly created but not tracked.
func (r *mediaResource) resolveLostCommit(ctx context.Context, op operation, plan *mediaResourceModel, session *vod.ApplyUploadResponse, lost *vod.CommitOutcomeUnknownError, started time.Time) (*vod.CommitUploadResponse, diag.Diagnostics) {
	var diags diag.Diagnostics
	if session == nil {
		diags.AddError("VOD Media Created But Not Tracked", lostCommitDetail(plan, nil, lost, nil))
		return nil, diags
	}
	info, err := findCommittedMedia(ctx, op, plan, session.MediaStoragePath, started, started)
	if err != nil {
		diags.AddError("VOD Media Created But Not Tracked", lostCommitDetail(plan, session, lost, err))
		return nil, diags
	}
	basic := info.BasicInfo
	tflog.Info(ctx, "found the media of a commit whose reply was lost", map[string]any{"file_id": info.FileID})
	diags.AddWarning("VOD Media Found After an Unanswered Commit",
		fmt.Sprintf("CommitUpload did not return the new media's FileId, so the provider looked it up with "+
			"SearchMedia: media %s named %q, created at %s, is stored at this upload's path %s. It is tracked "+
			"in the state like any other.\n\nWhat CommitUpload returned: %s",
			info.FileID, basic.Name, basic.CreateTime, basic.StoragePath, lost))
	return committedMedia(info), diags
}

// committedMedia is what CommitUpload would have returned for media found by search.
func committedMedia(info *vod.MediaInfo) *vod.CommitUploadResponse {
	basic := info.BasicInfo
	return &vod.CommitUploadResponse{FileID: info.FileID, MediaURL: basic.MediaURL, CoverURL: basic.CoverURL}
}

// findCommittedMedia looks for the media a commit of the session whose media storage path is storagePath
// created since committedAfter: SearchMedia by name within a creation-time window, matched on that path,
// which no other session shares. Like the commit, the search is not cut short by an interrupt; started,
// when the step that needs it began, bounds it after an interrupt.
func findCommittedMedia(ctx context.Context, op operation, plan *mediaResourceModel, storagePath string, committedAfter, started time.Time) (*vod.MediaInfo, error) {
	findCtx, cancel := context.WithDeadline(context.WithoutCancel(ctx), lookupDeadline(ctx, started, time.Now()))
	defer cancel()
	query := vod.UploadedMediaQuery{
		StoragePath:   storagePath,
		CreatedAfter:  committedAfter.Add(-commitTimeSlack),
		CreatedBefore: time.Now().Add(commitTimeSlack),
		SubAppID:      pinnedSubAppID(plan.SubAppID),
	}
	if isKnown(plan.MediaName) {
		query.Name = plan.MediaName.ValueString()
	}
	return op.client.FindUploadedMedia(findCtx, query)
}

// lookupDeadline is when the search for the media of a commit started at commitStarted must end:
// resolveTimeout from now, and once Terraform was interrupted no later than interruptedCommitBudget
// after the commit started.
func lookupDeadline(ctx context.Context, commitStarted, now time.Time) time.Time {
	deadline := now.Add(resolveTimeout)
	if limit := commitStarted.Add(interruptedCommitBudget); errors.Is(ctx.Err(), context.Canceled) && limit.Before(deadline) {
		return limit
	}
	return deadline
}

// lostCommitDetail says what is needed to find and import media that may exist without being tracked.
func lostCommitDetail(plan *mediaResourceModel, session *vod.ApplyUploadResponse, lost *vod.CommitOutcomeUnknownError, searchErr error) string {
	detail := "CommitUpload may have created the media file, but its FileId was not received, and the session " +
		"key cannot be committed again. "
	switch {
	case session == nil:
		detail += "The upload was done outside this resource, so the provider cannot tell which media is this " +
			"session's. "
	case errors.Is(searchErr, vod.ErrMediaNotFound):
		detail += "SearchMedia found no media with this upload's storage path yet: the commit may not have " +
			"happened, or the search index may not show it yet. "
	default:
		detail += fmt.Sprintf("Looking it up with SearchMedia failed too: %s. ", searchErr)
	}
	detail += "Terraform does not track this media, so it is not in the state.\n\n" +
		"Find it in the VOD console (Media Assets) or with SearchMedia"
	if isKnown(plan.MediaName) {
		detail += fmt.Sprintf(" by its name %q", plan.MediaName.ValueString())
	}
	if session != nil {
		detail += fmt.Sprintf(" and its storage path %s in bucket %s", session.MediaStoragePath, session.StorageBucket)
	}
	detail += ", then either import it:\n\n    terraform import <resource address> <file_id>\n\n" +
		"or delete it and apply again.\n\nWhat CommitUpload returned: " + lost.Error()
	return detail
}

// applyAfterCommit brings the new media in line with the arguments CommitUpload could not carry:
// description and tags always, and with vod_session_key_wo also the name, category, expiry and cover,
// which the session may have set differently. It fills the results too: from the one read it needs
// anyway when nothing is left to change, from a second read after a change.
//
// It reports whether plan now holds the state to save. When the media cannot be read, or the operation
// ends, the media stays as tracked after the commit, with a warning: it exists, and the next refresh or
// apply completes it. Only a change VOD refuses is an error, which taints the media.
func (r *mediaResource) applyAfterCommit(ctx context.Context, op operation, plan *mediaResourceModel, uploadedHere bool) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	info, err := describeMedia(ctx, op.client, plan)
	if err != nil {
		diags.Append(notReadAfterCommit(ctx, op, plan, err))
		return false, diags
	}
	current := *plan
	diags.Append(current.flattenMediaInfo(ctx, info)...)
	modify, d := plan.modifyRequest(ctx, &current, !uploadedHere && !plan.CoverSource.IsNull())
	diags.Append(d...)
	if modify == nil || diags.HasError() {
		// VOD already matches the plan, or the change could not be built: the state says what VOD has.
		*plan = current
		return true, diags
	}
	if _, err := op.client.ModifyMediaInfo(ctx, modify); err != nil {
		if cause := op.endedBecause(ctx); cause != "" {
			diags.AddWarning("VOD Media Committed and Tracked, Not Finished",
				fmt.Sprintf("The media %s was committed and is tracked in the state, but %s while its settings "+
					"were being applied. The next apply applies them in place.", plan.FileID.ValueString(), cause))
			return false, diags
		}
		diags.Append(apiErrorDiagnostic("Unable to Finish Creating VOD Media", err))
		diags.AddError("VOD Media Created With Different Settings",
			fmt.Sprintf("The media %s was created but its settings could not be applied. It is saved in the "+
				"state as tainted: the next apply replaces it.", plan.FileID.ValueString()))
		*plan = current
		return true, diags
	}
	info, err = describeMedia(ctx, op.client, plan)
	if err != nil {
		diags.Append(notReadAfterCommit(ctx, op, plan, err))
		return false, diags
	}
	diags.Append(plan.flattenMediaInfo(ctx, info)...)
	return true, diags
}

// notReadAfterCommit is the warning for new media that could not be read back. It is not an error:
// an error would taint the media, and the next apply would upload it again.
func notReadAfterCommit(ctx context.Context, op operation, plan *mediaResourceModel, err error) diag.Diagnostic {
	reason := "reading it back failed: " + err.Error()
	if cause := op.endedBecause(ctx); cause != "" {
		reason = cause + " before it was read back"
	}
	return diag.NewWarningDiagnostic("VOD Media Committed and Tracked, Not Read",
		fmt.Sprintf("The media %s was committed and is tracked in the state with what CommitUpload returned "+
			"(file_id, media_url, cover_url), but %s. The next refresh fills in the rest, and the next apply "+
			"applies any setting still missing; nothing is uploaded again.", plan.FileID.ValueString(), reason))
}
