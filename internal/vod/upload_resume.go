package vod

import (
	"context"
	"crypto/md5" //nolint:gosec // COS part ETags are the MD5 of the part; this compares with them.
	"encoding/hex"
	"fmt"
	"hash/crc64"
	"io"
	"strconv"
	"strings"

	cos "github.com/tencentyun/cos-go-sdk-v5"
)

// A request whose reply is lost may still have done its work. These helpers ask the store what it
// has, so that a part already stored is not sent again and an upload initiated twice is not left
// pending.

// storedPart asks the store (ListParts) whether it holds part n of the upload with the size and
// content of the file's section: the same length and an ETag equal to the section's MD5. It returns
// the part as if it had just been stored (with the section's CRC-64), and whether it was found.
func (u *upload) storedPart(ctx context.Context, uploadID string, n int) (partResult, bool, error) {
	offset, length := u.plan.part(n)
	listed, resp, err := u.store.Object.ListParts(ctx, u.key, uploadID, &cos.ObjectListPartsOptions{
		PartNumberMarker: strconv.Itoa(n - 1), MaxParts: "1",
	})
	if err != nil {
		return partResult{}, false, storeError(fmt.Sprintf("ListParts (looking for part %d)", n), u.key, resp, err)
	}
	var part *cos.Object
	for i := range listed.Parts {
		if listed.Parts[i].PartNumber == n {
			part = &listed.Parts[i]
		}
	}
	if part == nil || part.Size != length {
		return partResult{}, false, nil
	}
	md5sum, crc, err := sectionSums(u.file, offset, length)
	if err != nil {
		return partResult{}, false, fmt.Errorf("reading part %d of %s: %w", n, u.path, err)
	}
	if !strings.EqualFold(strings.Trim(part.ETag, `"`), md5sum) {
		return partResult{}, false, nil
	}
	u.client.logger.Debug(ctx, "vod: part found stored after its reply was lost", map[string]any{"key": u.key, "part": n})
	return partResult{etag: part.ETag, crc: crc, size: length}, true, nil
}

var ecmaTable = crc64.MakeTable(crc64.ECMA)

// sectionSums reads length bytes at offset and returns their MD5 (hex) and CRC-64/ECMA.
func sectionSums(r io.ReaderAt, offset, length int64) (string, uint64, error) {
	md5Hash := md5.New() //nolint:gosec // see import comment
	crcHash := crc64.New(ecmaTable)
	if _, err := io.Copy(io.MultiWriter(md5Hash, crcHash), io.NewSectionReader(r, offset, length)); err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(md5Hash.Sum(nil)), crcHash.Sum64(), nil
}

// abortStrays aborts the other multipart uploads of the key (ListMultipartUploads): an
// InitiateMultipartUpload whose reply was lost may have created one that nothing else knows of. The
// key is the upload session's own, so every other upload of it is a stray of this one. It only does
// its best: a store that does not allow the listing leaves the strays to its own cleanup, and the log
// says so.
func (u *upload) abortStrays(ctx context.Context, keep string) {
	var strays []string
	err := u.retry(ctx, "ListMultipartUploads", func() error {
		listed, resp, err := u.store.Bucket.ListMultipartUploads(ctx, &cos.ListMultipartUploadsOptions{Prefix: u.key})
		if err != nil {
			return storeError("ListMultipartUploads", u.key, resp, err)
		}
		strays = strays[:0]
		for _, up := range listed.Uploads {
			if up.Key == u.key && up.UploadID != keep {
				strays = append(strays, up.UploadID)
			}
		}
		return nil
	})
	if err != nil {
		u.client.logger.Warn(ctx, "vod: could not look for multipart uploads left by a lost reply", map[string]any{
			"key": u.key, "error": err.Error(),
		})
		return
	}
	for _, id := range strays {
		err := u.abortUpload(ctx, id)
		fields := map[string]any{"key": u.key, "upload_id": id}
		if err != nil {
			fields["error"] = err.Error()
			u.client.logger.Warn(ctx, "vod: could not abort a multipart upload left by a lost reply", fields)
			continue
		}
		u.client.logger.Warn(ctx, "vod: aborted a multipart upload left by a lost reply", fields)
	}
}
