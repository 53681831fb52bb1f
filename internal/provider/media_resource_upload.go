package provider

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// uploadAndCommit creates media from source: it checks the files, opens an upload session, uploads the
// media (and cover) and commits the session. Nothing is sent before both files are known to be readable.
func (r *mediaResource) uploadAndCommit(ctx context.Context, plan *mediaResourceModel) (*vod.CommitUploadResponse, diag.Diagnostics) {
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

	client := r.data.client
	session, err := client.ApplyUpload(ctx, request)
	if err != nil {
		diags.Append(apiErrorDiagnostic("Unable to Open VOD Upload Session", err))
		return nil, diags
	}
	ctx = maskSecrets(ctx, session.VodSessionKey, session.TempCertificate.SecretKey, session.TempCertificate.Token)
	if plan.StorageRegion.IsUnknown() {
		plan.StorageRegion = types.StringValue(session.StorageRegion)
	}

	if d := r.uploadSessionFiles(ctx, plan, session); d.HasError() {
		diags.Append(d...)
		return nil, diags
	}
	committed, d := commit(ctx, client, session.VodSessionKey, plan, session)
	diags.Append(d...)
	return committed, diags
}

// sessionUpload is one local file going to one of the session's storage paths.
type sessionUpload struct {
	attribute, file, storagePath string
}

// uploadSessionFiles uploads the media and, when there is one, the cover to the session's paths.
func (r *mediaResource) uploadSessionFiles(ctx context.Context, plan *mediaResourceModel, session *vod.ApplyUploadResponse) diag.Diagnostics {
	var diags diag.Diagnostics
	client := r.data.client
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
	for _, u := range uploads {
		result, err := client.UploadFile(ctx, session.TempCertificate, bucketURL, objectKey(u.storagePath), u.file, options)
		if err != nil {
			diags.AddAttributeError(path.Root(u.attribute), "Unable to Upload Media",
				fmt.Sprintf("Uploading %s %q to bucket %s failed, so nothing was committed to VOD; a partial "+
					"multipart upload, if any, was aborted, and the upload session expires unused.\n\nOriginal Error: %s",
					u.attribute, u.file, session.StorageBucket, err))
			return diags
		}
		tflog.Info(ctx, "uploaded file to VOD storage", map[string]any{
			"file": u.file, "object_key": objectKey(u.storagePath), "bytes": strconv.FormatInt(result.Size, 10),
			"parts": result.Parts, "seconds": result.Duration.Round(time.Millisecond).Seconds(),
		})
	}
	return diags
}

// commitSession creates media from an upload session opened and filled elsewhere.
func (r *mediaResource) commitSession(ctx context.Context, plan *mediaResourceModel, sessionKey string) (*vod.CommitUploadResponse, diag.Diagnostics) {
	ctx = maskSecrets(ctx, sessionKey)
	return commit(ctx, r.data.client, sessionKey, plan, nil)
}

// commit calls CommitUpload. A commit whose reply was lost is reported with what is needed to find and
// import the media, because Terraform cannot track it without its FileId.
func commit(ctx context.Context, client *vod.Client, sessionKey string, plan *mediaResourceModel, session *vod.ApplyUploadResponse) (*vod.CommitUploadResponse, diag.Diagnostics) {
	var diags diag.Diagnostics
	committed, err := client.CommitUpload(ctx, &vod.CommitUploadRequest{
		VodSessionKey: sessionKey,
		SubAppID:      pinnedSubAppID(plan.SubAppID),
	})
	var lost *vod.CommitOutcomeUnknownError
	switch {
	case errors.As(err, &lost):
		diags.AddError("VOD Media Created But Not Tracked", lostCommitDetail(plan, session, lost))
		return nil, diags
	case err != nil:
		diags.Append(apiErrorDiagnostic("Unable to Commit VOD Upload", err))
		return nil, diags
	}
	tflog.Info(ctx, "committed VOD upload", map[string]any{"file_id": committed.FileID, "request_id": committed.RequestID})
	return committed, diags
}

func lostCommitDetail(plan *mediaResourceModel, session *vod.ApplyUploadResponse, lost *vod.CommitOutcomeUnknownError) string {
	detail := "CommitUpload most likely created the media file, but its reply (with the FileId) was lost, and the " +
		"session key cannot be committed again. Terraform does not track this media, so it is not in the state.\n\n" +
		"Find it in the VOD console (Media Assets) or with DescribeMediaInfos/SearchMedia"
	if !plan.MediaName.IsUnknown() && !plan.MediaName.IsNull() {
		detail += fmt.Sprintf(" by its name %q", plan.MediaName.ValueString())
	}
	if session != nil {
		detail += fmt.Sprintf(" or its storage path %s in bucket %s", session.MediaStoragePath, session.StorageBucket)
	}
	detail += ", then either import it:\n\n    terraform import <resource address> <file_id>\n\n" +
		"or delete it and apply again.\n\nOriginal Error: " + lost.Error()
	return detail
}

// applyAfterCommit brings the new media in line with the arguments CommitUpload could not carry:
// description and tags always, and with vod_session_key_wo also the name, category, expiry and cover,
// which the session may have set differently.
// It fills the results too: from the one read it needs anyway when nothing is left to change, from a
// second read after a change.
func (r *mediaResource) applyAfterCommit(ctx context.Context, plan *mediaResourceModel, uploadedHere bool) diag.Diagnostics {
	var diags diag.Diagnostics
	info, err := r.describe(ctx, plan)
	if err != nil {
		diags.Append(apiErrorDiagnostic("Unable to Read New VOD Media", err))
		plan.setUnreadResults()
		return diags
	}
	current := *plan
	diags.Append(current.flattenMediaInfo(ctx, info)...)
	modify, d := plan.modifyRequest(ctx, &current, !uploadedHere && !plan.CoverSource.IsNull())
	diags.Append(d...)
	if modify == nil || diags.HasError() {
		// VOD already matches the plan, or the change could not be built: the state says what VOD has.
		*plan = current
		return diags
	}
	if _, err := r.data.client.ModifyMediaInfo(ctx, modify); err != nil {
		diags.Append(apiErrorDiagnostic("Unable to Finish Creating VOD Media", err))
		diags.AddError("VOD Media Created With Different Settings",
			fmt.Sprintf("The media %s was created but its settings could not be applied. It is saved in the "+
				"state as tainted: the next apply replaces it.", plan.FileID.ValueString()))
		*plan = current
		return diags
	}
	diags.Append(r.refresh(ctx, plan)...)
	return diags
}

// isMediaNotFound reports whether err says the media does not exist.
func isMediaNotFound(err error) bool {
	return errors.Is(err, vod.ErrMediaNotFound)
}
