package vod

import (
	"context"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	cos "github.com/tencentyun/cos-go-sdk-v5"
)

// An upload interrupted half way can continue in a later process, as long as that process has the
// upload session (its credentials write the session's keys and no others) and the multipart upload's
// ID. The caller keeps them (see UploadOptions.Checkpoint); this file continues and discards such
// uploads.

// MultipartUpload names a multipart upload in progress and the part size its parts were cut with:
// what a later UploadFile needs to continue it (UploadOptions.Resume).
type MultipartUpload struct {
	UploadID string `json:"upload_id"`
	PartSize int64  `json:"part_size"`
}

// ErrUploadKept matches (errors.Is) the error UploadFile returns when it was interrupted and left its
// multipart upload pending, because the caller kept what resuming it needs (UploadOptions.Checkpoint).
var ErrUploadKept = errors.New("the multipart upload was kept to be resumed")

// UploadKeptError is an interrupted upload whose multipart upload was left pending to be resumed.
type UploadKeptError struct {
	Cause       error // why the upload stopped: the caller's context ended
	Key         string
	UploadID    string
	PartsStored int // parts stored and kept so far
	Parts       int // parts of the whole file
	// Until is when the session's temporary credentials expire.
	Until time.Time
}

func (e *UploadKeptError) Error() string {
	return fmt.Sprintf("%v; multipart upload %s of %q keeps its %d of %d parts stored, to be resumed",
		e.Cause, e.UploadID, e.Key, e.PartsStored, e.Parts)
}

func (e *UploadKeptError) Unwrap() []error { return []error{ErrUploadKept, e.Cause} }

// maxListedParts is the most parts one ListParts reply carries (COS's limit).
const maxListedParts = 1000

// listParts returns every part the store holds for the upload, by part number, following the
// listing's pages.
func (u *upload) listParts(ctx context.Context, uploadID string) (map[int]cos.Object, error) {
	parts := map[int]cos.Object{}
	marker := ""
	for {
		var listed *cos.ObjectListPartsResult
		err := u.retry(ctx, "ListParts", func() error {
			var resp *cos.Response
			var err error
			listed, resp, err = u.store.Object.ListParts(ctx, u.key, uploadID, &cos.ObjectListPartsOptions{
				PartNumberMarker: marker, MaxParts: strconv.Itoa(maxListedParts),
			})
			return storeErrorOrNil("ListParts", u.key, resp, err)
		})
		if err != nil {
			return nil, err
		}
		for _, p := range listed.Parts {
			parts[p.PartNumber] = p
		}
		if !listed.IsTruncated || listed.NextPartNumberMarker == "" || listed.NextPartNumberMarker == marker {
			return parts, nil
		}
		marker = listed.NextPartNumberMarker
	}
}

// resume prepares to continue the multipart upload from: it lists the parts already stored, which
// sendPart then checks against the file instead of sending them again. It reports false when the
// store no longer knows the upload (it was completed or aborted, or it expired): the caller then
// starts a new one.
func (u *upload) resume(ctx context.Context, from MultipartUpload) (bool, error) {
	listed, err := u.listParts(ctx, from.UploadID)
	if isStatus(err, http.StatusNotFound) {
		u.client.logger.Warn(ctx, "vod: the multipart upload to resume is gone; starting it again", map[string]any{
			"key": u.key, "upload_id": from.UploadID,
		})
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("listing the parts stored by multipart upload %s: %w", from.UploadID, err)
	}
	u.listed = listed
	u.client.logger.Info(ctx, "vod: resuming multipart upload", map[string]any{
		"key": u.key, "upload_id": from.UploadID, "parts_listed": len(listed), "parts": u.plan.parts,
	})
	return true, nil
}

// completedEarlier is called when the upload to resume is gone: the run that was interrupted may have
// completed it and stopped (crashed) before the session was committed. The object at the session's key
// then holds the file - the same size and CRC-64 - and the upload is done, every part counted as
// resumed. It returns nil when the object is missing, differs or cannot be looked at, so that the file
// is sent again; an error only when ctx ended or the file cannot be read.
func (u *upload) completedEarlier(ctx context.Context) (*UploadResult, error) {
	stored, err := u.head(ctx)
	if err != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("upload of %q: looking for the object an earlier run may have completed: %w", u.key, err)
	}
	if err != nil || stored.size != u.plan.size {
		if err != nil && !isStatus(err, http.StatusNotFound) {
			u.client.logger.Debug(ctx, "vod: could not look for an object the interrupted run completed; sending the file again",
				map[string]any{"key": u.key, "error": err.Error()})
		}
		return nil, nil
	}
	crc := crc64.New(ecmaTable)
	if _, err := io.Copy(crc, io.NewSectionReader(u.file, 0, u.plan.size)); err != nil {
		return nil, fmt.Errorf("reading %s: %w", u.path, err)
	}
	if crc.Sum64() != stored.crc {
		return nil, nil
	}
	u.partsResumed.Store(int64(u.plan.parts))
	u.bytesResumed.Store(u.plan.size)
	u.client.logger.Info(ctx, "vod: the upload to resume was completed by the interrupted run; nothing to send", map[string]any{
		"key": u.key, "bytes": u.plan.size,
	})
	return &UploadResult{Size: u.plan.size, CRC64: stored.crc, ETag: stored.etag, Parts: u.plan.parts}, nil
}

// storedEarlier returns part n as an earlier run stored it, when the store listed it with the length
// and content (ETag = MD5) of the file's section now. A part that differs is sent again, which
// replaces it.
func (u *upload) storedEarlier(n int) (partResult, bool, error) {
	listed, ok := u.listed[n]
	if !ok {
		return partResult{}, false, nil
	}
	offset, length := u.plan.part(n)
	if listed.Size != length {
		return partResult{}, false, nil
	}
	md5sum, crc, err := sectionSums(u.file, offset, length)
	if err != nil {
		return partResult{}, false, fmt.Errorf("reading part %d of %s: %w", n, u.path, err)
	}
	if !strings.EqualFold(strings.Trim(listed.ETag, `"`), md5sum) {
		return partResult{}, false, nil
	}
	return partResult{etag: listed.ETag, crc: crc, size: length}, true, nil
}

// mayKeep tells whether a failed multipart upload is left pending for a later run rather than
// aborted: only when the caller keeps what resuming needs, and only when the caller cancelled the
// upload (an interrupt). A file that changed or a refused request would fail again, and a timeout is
// the caller's bound on the whole upload, which aborts it as it always did.
func (u *upload) mayKeep(ctx context.Context, err error) bool {
	return u.checkpointed && errors.Is(ctx.Err(), context.Canceled) && !errors.Is(err, ErrFileChanged)
}

// keep leaves the multipart upload pending and says so.
func (u *upload) keep(ctx context.Context, uploadID string, cause error) error {
	stored := int(u.partsDone.Load())
	u.client.logger.Warn(ctx, "vod: multipart upload interrupted; its parts are kept to be resumed", map[string]any{
		"key": u.key, "upload_id": uploadID, "parts_stored": stored, "parts": u.plan.parts,
	})
	return &UploadKeptError{Cause: cause, Key: u.key, UploadID: uploadID, PartsStored: stored, Parts: u.plan.parts, Until: u.expires}
}

// AbortMultipartUpload discards a multipart upload that an earlier run left pending (see
// UploadOptions.Checkpoint), with the credentials of the session that started it. An upload the
// store no longer knows counts as aborted. Transient failures are retried within ctx.
func (c *Client) AbortMultipartUpload(ctx context.Context, cert TempCertificate, bucketURL, objectKey, uploadID string) error {
	key := strings.TrimPrefix(objectKey, "/")
	store, err := c.objectStoreClient(bucketURL, cert)
	if err != nil {
		return fmt.Errorf("aborting multipart upload %s of %q: %w", uploadID, key, err)
	}
	u := &upload{client: c, store: store, key: key, started: c.clock(), expires: cert.Expires()}
	err = u.abortUpload(ctx, uploadID)
	if err != nil && !isStatus(err, http.StatusNotFound) {
		return fmt.Errorf("aborting multipart upload %s of %q: %w", uploadID, key, err)
	}
	return nil
}

// resumeMargin is how long before the credentials expire an upload may still be resumed, at most:
// the rest of the upload and the commit need time.
const resumeMargin = 10 * time.Minute

// ResumableUntil is the last moment an upload may be resumed with a session opened at opened whose
// credentials expire at expires: resumeMargin before the expiry, or a quarter of the credentials'
// lifetime when they are short-lived. VOD documents no lifetime of its own for the session key, which
// this assumes lasts as long as the credentials.
func ResumableUntil(opened, expires time.Time) time.Time {
	return expires.Add(-min(resumeMargin, expires.Sub(opened)/4))
}
