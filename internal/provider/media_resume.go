package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/uploadcache"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// An upload interrupted half way (Ctrl-C, a cancelled CI job, a crash) resumes in the next apply from
// the parts already stored, as cos-go-sdk-v5's checkpoint files do. The create timeout is no interrupt:
// it is the user's bound on the whole create, and aborts the upload as it always did. Only the old
// session's credentials can write its path, so the checkpoint keeps the whole session, secrets
// included, in a private file of the upload cache (internal/uploadcache) - and nowhere else.
//
// A checkpoint is written once the multipart upload has started, before its first part, and deleted
// once the session is committed (whatever the commit's outcome), when the upload fails for another
// reason than an interrupt, and when a later apply finds it useless: for a changed file or changed
// arguments (the old upload is then aborted while its credentials last) or after its credentials
// expired (nothing can abort it then; the bucket's lifecycle removes the parts).

// resumeDescription is the media resource's documentation of resuming, and of what it keeps on disk.
const resumeDescription = "**Interrupted uploads resume.** When an apply is interrupted (Ctrl-C, a cancelled CI job, " +
	"a crash) while `source` is being uploaded in parts, the parts already stored are kept, and the next apply " +
	"of the same file with the same arguments continues the upload with the same upload session: it lists the " +
	"stored parts, checks each against the file (size and MD5), sends only the missing ones and commits. A new " +
	"session would write to a new path, so resuming needs the old session's temporary credentials and session " +
	"key: the provider keeps them, with the multipart upload's ID, in a checkpoint file readable by you alone " +
	"(mode 0600, in a directory of mode 0700) in `terraform-provider-tencentvod/uploads` under your user cache " +
	"directory (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS, `%LocalAppData%` on " +
	"Windows), or in `TENCENTVOD_UPLOAD_CACHE_DIR`. They are never written to state, plan or logs.\n\n" +
	"A checkpoint is useful at most as long as the session's credentials (VOD sets their lifetime; temporary " +
	"keys last at most two hours). It is deleted once the media is committed, when the upload fails for a " +
	"reason other than an interrupt (the create timeout is no interrupt: it aborts the upload as before), and " +
	"by the next upload of the file; an expired one is deleted by the next upload of any file. An upload " +
	"resumes only while a quarter of the credentials' lifetime (at most 10 minutes) is left; after a change of " +
	"the file (size or modification time) or of an argument sent to `ApplyUpload`, or too close to the expiry, " +
	"the old upload is aborted and the file uploaded anew. Once the credentials have expired nothing can abort " +
	"the old upload: its parts stay in VOD's bucket until the bucket's lifecycle removes them. VOD does not " +
	"document how long a session key lasts: the provider assumes as long as the credentials, and if VOD refuses " +
	"it when the resumed upload is committed, that apply fails and the next one uploads the file anew. A crash " +
	"keeps the checkpoint too: when the crashed apply had already completed the upload, the next apply sends " +
	"nothing again, and when it had even committed it, the next apply finds the media it created (at the " +
	"session's storage path) and tracks it. Only single files resume, one upload of a file at a time (a second " +
	"apply uploading the same file meanwhile keeps no checkpoint); packages, the cover and files of one part are " +
	"sent again whole."

// staleAbortTimeout bounds the abort of an upload whose checkpoint no longer matches, which delays the
// new upload.
const staleAbortTimeout = 30 * time.Second

// resumableUpload is the checkpoint slot of one create's media upload. Its zero value keeps no
// checkpoint: uploads then work as before, aborted when interrupted.
type resumableUpload struct {
	slot        *uploadcache.Slot // nil: no checkpoint is kept
	fingerprint string
	source      string
	session     *vod.ApplyUploadResponse
	opened      time.Time            // when session was opened
	resumeFrom  *vod.MultipartUpload // the checkpointed upload that session continues
}

// openUploadSession returns the session to upload with: the checkpointed session of an interrupted
// upload of the same files with the same arguments while its credentials last, or a new one
// (ApplyUpload). The caller must call release.
func openUploadSession(ctx context.Context, op operation, plan *mediaResourceModel, request *vod.ApplyUploadRequest) (*vod.ApplyUploadResponse, *resumableUpload, error) {
	resumable := prepareResumable(ctx, op.client, plan, request, time.Now())
	if resumable.resumeFrom != nil {
		return resumable.session, resumable, nil
	}
	resumable.opened = time.Now()
	session, err := op.client.ApplyUpload(ctx, request)
	if err != nil {
		resumable.release()
		return nil, nil, err
	}
	resumable.session = session
	return session, resumable, nil
}

// prepareResumable takes the source file's checkpoint slot and settles what an earlier apply left in
// it: resumed when it matches, discarded otherwise. Any trouble with the cache costs only the ability
// to resume, with a warning; it never fails the upload.
func prepareResumable(ctx context.Context, client *vod.Client, plan *mediaResourceModel, request *vod.ApplyUploadRequest, now time.Time) *resumableUpload {
	resumable := &resumableUpload{source: plan.Source.ValueString()}
	identity, err := uploadIdentity(client, plan, request)
	if err == nil {
		resumable.fingerprint, err = identity.Fingerprint()
	}
	dir, dirErr := uploadcache.Dir()
	if err == nil {
		err = dirErr
	}
	if err != nil {
		warnNotResumable(ctx, resumable.source, err)
		return resumable
	}
	cache := uploadcache.New(dir)
	if removed, err := cache.RemoveExpired(now); removed > 0 || err != nil {
		tflog.Debug(ctx, "removed expired upload checkpoints", map[string]any{"directory": dir, "removed": removed, "error": fmt.Sprint(err)})
	}
	slot, ok, err := cache.Lock(identity.Source.Path)
	switch {
	case err != nil:
		warnNotResumable(ctx, resumable.source, err)
		return resumable
	case !ok:
		tflog.Warn(ctx, "another upload of this file is running (in this apply or another): this one keeps no "+
			"checkpoint and cannot be resumed", map[string]any{"source": resumable.source})
		return resumable
	}
	resumable.slot = slot
	checkpoint, err := slot.Load()
	if err != nil {
		tflog.Warn(ctx, "ignoring an unreadable upload checkpoint", map[string]any{"source": resumable.source, "error": err.Error()})
		resumable.deleteCheckpoint(ctx)
		return resumable
	}
	if checkpoint != nil {
		resumable.settle(ctx, client, checkpoint, now)
	}
	return resumable
}

// uploadIdentity is what the session is opened for: the files as they are now, the endpoint and
// application, and the ApplyUpload request itself.
func uploadIdentity(client *vod.Client, plan *mediaResourceModel, request *vod.ApplyUploadRequest) (uploadcache.Identity, error) {
	source, err := uploadcache.StatFile(plan.Source.ValueString())
	if err != nil {
		return uploadcache.Identity{}, err
	}
	identity := uploadcache.Identity{Source: source, Endpoint: client.Endpoint().String(), SubAppID: client.SubAppID(), Request: *request}
	if request.SubAppID != nil {
		identity.SubAppID = *request.SubAppID
	}
	if !plan.CoverSource.IsNull() {
		cover, err := uploadcache.StatFile(plan.CoverSource.ValueString())
		if err != nil {
			return uploadcache.Identity{}, err
		}
		identity.Cover = &cover
	}
	return identity, nil
}

// settle decides about an earlier apply's checkpoint: resume it when it is for the same upload and its
// credentials last long enough, otherwise abort its upload (while the credentials still allow) and
// delete it.
func (r *resumableUpload) settle(ctx context.Context, client *vod.Client, checkpoint *uploadcache.Checkpoint, now time.Time) {
	expires := checkpoint.Expires()
	fields := map[string]any{
		"source": r.source, "upload_id": checkpoint.Upload.UploadID,
		"credentials_expire": expires.UTC().Format(time.RFC3339),
	}
	var reason string
	switch {
	case !now.Before(expires):
		tflog.Warn(ctx, "not resuming an interrupted upload: its session's credentials expired, so it can "+
			"neither be resumed nor aborted; the bucket's lifecycle removes its parts", fields)
		r.deleteCheckpoint(ctx)
		return
	case checkpoint.Fingerprint != r.fingerprint:
		reason = "the file or the upload's arguments changed"
	case !now.Before(checkpoint.ResumableUntil()):
		reason = "its session's credentials expire too soon to finish it"
	default:
		session := checkpoint.Session
		upload := checkpoint.Upload
		r.session, r.opened, r.resumeFrom = &session, checkpoint.Opened, &upload
		tflog.Info(ctx, "resuming an interrupted upload with its upload session", fields)
		return
	}
	fields["reason"] = reason
	tflog.Info(ctx, "not resuming an interrupted upload: aborting it", fields)
	if err := abortCheckpointed(ctx, client, checkpoint); err != nil {
		fields["error"] = err.Error()
		tflog.Warn(ctx, "could not abort an interrupted upload; the bucket's lifecycle removes its parts", fields)
	}
	r.deleteCheckpoint(ctx)
}

// abortCheckpointed aborts the multipart upload of a checkpoint, with the session's credentials.
func abortCheckpointed(ctx context.Context, client *vod.Client, checkpoint *uploadcache.Checkpoint) error {
	session := checkpoint.Session
	ctx = maskSecrets(ctx, session.VodSessionKey, session.TempCertificate.SecretKey, session.TempCertificate.Token)
	bucketURL, err := client.BucketURL(session.StorageBucket, session.StorageRegion)
	if err != nil {
		return err
	}
	abortCtx, cancel := context.WithTimeout(ctx, staleAbortTimeout)
	defer cancel()
	return client.AbortMultipartUpload(abortCtx, session.TempCertificate, bucketURL, objectKey(session.MediaStoragePath),
		checkpoint.Upload.UploadID)
}

// uploadOptions adds resuming to the options of the media file's upload: continue the checkpointed
// upload, or checkpoint a new one.
func (r *resumableUpload) uploadOptions(options vod.UploadOptions) vod.UploadOptions {
	if r == nil || r.slot == nil {
		return options
	}
	options.Resume = r.resumeFrom
	options.Checkpoint = r.checkpoint
	return options
}

// checkpoint writes the checkpoint of a multipart upload that is about to send its first part. It
// reports whether the upload may be left pending when interrupted: not when its credentials are too
// short-lived for any later apply to resume it.
func (r *resumableUpload) checkpoint(ctx context.Context, upload vod.MultipartUpload) bool {
	if !time.Now().Before(vod.ResumableUntil(r.opened, r.session.TempCertificate.Expires())) {
		tflog.Debug(ctx, "no upload checkpoint: the session's credentials expire too soon to resume it", map[string]any{"source": r.source})
		return false
	}
	err := r.slot.Save(&uploadcache.Checkpoint{
		Fingerprint: r.fingerprint, Source: r.source, Session: *r.session, Upload: upload, Opened: r.opened.UTC(),
	})
	if err != nil {
		warnNotResumable(ctx, r.source, err)
		return false
	}
	tflog.Debug(ctx, "wrote upload checkpoint", map[string]any{"source": r.source, "checkpoint": r.slot.Path(), "upload_id": upload.UploadID})
	return true
}

// uploadFailed keeps the checkpoint of an upload left pending to be resumed, and deletes any other.
func (r *resumableUpload) uploadFailed(ctx context.Context, err error) {
	if !errors.Is(err, vod.ErrUploadKept) {
		r.deleteCheckpoint(ctx)
	}
}

// committed deletes the checkpoint once the session was committed or refused: nothing is left to resume.
func (r *resumableUpload) committed(ctx context.Context) { r.deleteCheckpoint(ctx) }

func (r *resumableUpload) deleteCheckpoint(ctx context.Context) {
	if r == nil || r.slot == nil {
		return
	}
	if err := r.slot.Delete(); err != nil {
		tflog.Warn(ctx, "could not delete an upload checkpoint", map[string]any{"checkpoint": r.slot.Path(), "error": err.Error()})
	}
}

// release gives the checkpoint slot up for later applies.
func (r *resumableUpload) release() {
	if r != nil {
		r.slot.Release()
	}
}

// resumed tells whether the upload continues the session of an interrupted apply.
func (r *resumableUpload) resumed() bool { return r != nil && r.resumeFrom != nil }

// committedEarlier looks for media that the interrupted apply committed with the resumed session
// before it stopped (a crash while CommitUpload was on its way), when this apply's use of the session
// failed: VOD then refuses the session key as used, and may refuse its credentials too. Media stored at
// the session's storage path, which no other session shares, is that commit's: it is returned, with a
// warning, to be tracked. It returns nil when the session was not resumed or no such media is found.
// Like the commit, the search is not cut short by an interrupt; started is when the failed step began,
// which bounds it after an interrupt as the commit's search is.
func (r *resumableUpload) committedEarlier(ctx context.Context, op operation, plan *mediaResourceModel, started time.Time) (*vod.CommitUploadResponse, diag.Diagnostics) {
	if !r.resumed() {
		return nil, nil
	}
	info, err := findCommittedMedia(ctx, op, plan, r.session.MediaStoragePath, r.opened, started)
	if err != nil {
		tflog.Debug(ctx, "no media committed by the interrupted apply", map[string]any{"error": err.Error()})
		return nil, nil
	}
	basic := info.BasicInfo
	tflog.Info(ctx, "found the media an interrupted apply committed", map[string]any{"file_id": info.FileID})
	var diags diag.Diagnostics
	diags.AddWarning("VOD Media Committed by an Interrupted Apply",
		fmt.Sprintf("This apply resumed the upload session that an interrupted apply opened at %s, but VOD no "+
			"longer accepted it: the session had been committed already, most likely by the interrupted apply before "+
			"it stopped. Media %s named %q, created at %s, is stored at this session's path %s, and is tracked "+
			"in the state like any other.",
			r.opened.UTC().Format(time.RFC3339), info.FileID, basic.Name, basic.CreateTime, basic.StoragePath))
	return committedMedia(info), diags
}

// notCommittedWarning says what a resumed session whose commit failed means for the next apply.
func (r *resumableUpload) notCommittedWarning() diag.Diagnostic {
	return diag.NewWarningDiagnostic("Resumed Upload Not Committed",
		fmt.Sprintf("This apply resumed the upload session that an interrupted apply opened at %s, and its "+
			"commit brought no media (see the error). VOD does not document how long a session key stays "+
			"valid; the provider resumes only while the session's credentials last. The checkpoint is "+
			"deleted, so the next apply does not resume this session: it uploads %s with a new one.",
			r.opened.UTC().Format(time.RFC3339), r.source))
}

// uploadKeptDetail says what an interrupted upload leaves for the next apply.
func uploadKeptDetail(kept *vod.UploadKeptError) string {
	where := "the upload cache"
	if dir, err := uploadcache.Dir(); err == nil {
		where = dir
	}
	return fmt.Sprintf("nothing was committed to VOD, but the %d of %d parts already stored are kept: the next apply "+
		"resumes the upload from them, without sending them again, if it runs well before the upload session's "+
		"credentials expire at %s (after that, it starts over). What resuming needs, the session's credentials "+
		"included, is kept in a private checkpoint file in %s until then.",
		kept.PartsStored, kept.Parts, kept.Until.UTC().Format(time.RFC3339), where)
}

func warnNotResumable(ctx context.Context, source string, err error) {
	tflog.Warn(ctx, "this upload keeps no checkpoint and cannot be resumed if interrupted", map[string]any{
		"source": source, "error": err.Error(),
	})
}
