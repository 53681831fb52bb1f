package objectstore

import (
	"bytes"
	"crypto/md5" //nolint:gosec // Content-MD5 is MD5 by definition.
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"
)

// maxSimpleUploadBytes is the COS limit for one PUT Object (5 GiB).
const maxSimpleUploadBytes = 5 << 30

// defaultContentType is what COS reports for objects uploaded without one.
const defaultContentType = "application/octet-stream"

const userMetadataPrefix = "x-cos-meta-"

// putObject stores the body as key: PUT Object.
func (s *Store) putObject(req *request) response {
	r := req.r
	if !req.grant.mayWrite(req.key) {
		return errorResponse(newError(ErrAccessDenied, "Access Denied."))
	}
	blob, cerr := s.stageUpload(r, maxSimpleUploadBytes, "object")
	if cerr != nil {
		return errorResponse(cerr)
	}
	info, err := s.storage.Commit(req.grant.Bucket, req.key, blob, attrsFromHeaders(r.Header), s.clock())
	if err != nil {
		_ = s.storage.Discard(blob)
		return errorResponse(newError(ErrInternalError, "The object could not be stored."))
	}
	header := http.Header{}
	header.Set("ETag", info.ETag)
	header.Set("X-Cos-Hash-Crc64ecma", info.CRC64)
	return response{status: http.StatusOK, header: header}
}

// stageUpload checks an upload's Content-Length against the limit of what
// it creates (an object or a part) and its optional Content-MD5, then
// stages the body.
func (s *Store) stageUpload(r *http.Request, maxBytes int64, what string) (Blob, *cosError) {
	if r.ContentLength < 0 {
		return Blob{}, newError(ErrMissingContentLength, "You must provide the Content-Length HTTP header.")
	}
	if r.ContentLength > maxBytes {
		return Blob{}, newError(ErrEntityTooLarge, "Your proposed upload exceeds the maximum allowed "+what+" size.")
	}
	wantMD5, cerr := parseContentMD5(r.Header.Get("Content-MD5"))
	if cerr != nil {
		return Blob{}, cerr
	}
	return s.stageBody(r, wantMD5)
}

// stageBody streams exactly Content-Length bytes to storage and checks
// Content-MD5 when given. It is the building block UploadPart will reuse.
func (s *Store) stageBody(r *http.Request, wantMD5 []byte) (Blob, *cosError) {
	// One extra byte lets a body longer than announced be detected.
	blob, err := s.storage.Stage(bodyReader{io.LimitReader(r.Body, r.ContentLength+1)})
	if errors.Is(err, errBodyRead) {
		return Blob{}, newError(ErrIncompleteBody, "You did not provide the number of bytes specified by the Content-Length HTTP header.")
	}
	if err != nil {
		return Blob{}, newError(ErrInternalError, "The object could not be stored.")
	}
	if blob.Size != r.ContentLength {
		_ = s.storage.Discard(blob)
		return Blob{}, newError(ErrIncompleteBody, "You did not provide the number of bytes specified by the Content-Length HTTP header.")
	}
	if wantMD5 != nil && !bytes.Equal(wantMD5, blob.MD5[:]) {
		_ = s.storage.Discard(blob)
		return Blob{}, newError(ErrBadDigest, "The Content-MD5 you specified did not match what we received.")
	}
	return blob, nil
}

// parseContentMD5 decodes the optional Content-MD5 header (base64 of 16 bytes).
func parseContentMD5(value string) ([]byte, *cosError) {
	if value == "" {
		return nil, nil
	}
	sum, err := base64.StdEncoding.DecodeString(value)
	if err != nil || len(sum) != md5.Size {
		return nil, newError(ErrInvalidDigest, "The Content-MD5 you specified is not valid.")
	}
	return sum, nil
}

// attrsFromHeaders keeps the headers COS stores with an object.
func attrsFromHeaders(h http.Header) ObjectAttrs {
	attrs := ObjectAttrs{
		ContentType:        h.Get("Content-Type"),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentEncoding:    h.Get("Content-Encoding"),
		CacheControl:       h.Get("Cache-Control"),
		Expires:            h.Get("Expires"),
		StorageClass:       strings.ToUpper(h.Get("X-Cos-Storage-Class")),
	}
	if attrs.ContentType == "" {
		attrs.ContentType = defaultContentType
	}
	for name, values := range h {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, userMetadataPrefix) && len(values) > 0 {
			if attrs.UserMetadata == nil {
				attrs.UserMetadata = map[string]string{}
			}
			attrs.UserMetadata[lower] = values[0]
		}
	}
	return attrs
}

// readObject answers GET Object (withBody) and HEAD Object.
func (s *Store) readObject(req *request, withBody bool) response {
	if !req.grant.mayRead(req.key) {
		return errorResponse(newError(ErrAccessDenied, "Access Denied."))
	}
	info, body, err := s.storage.Open(req.grant.Bucket, req.key)
	if errors.Is(err, ErrNoSuchObject) {
		return errorResponse(newError(ErrNoSuchKey, "The specified key does not exist."))
	}
	if err != nil {
		return errorResponse(newError(ErrInternalError, "The object could not be read."))
	}
	header := objectHeaders(info)
	if withBody {
		applyResponseOverrides(header, req.query)
	}
	return response{status: http.StatusOK, header: header, object: &objectContent{info: info, body: body}}
}

// objectHeaders are the stored headers COS returns on HEAD and GET.
// Content-Length and Last-Modified are added by http.ServeContent.
func objectHeaders(info ObjectInfo) http.Header {
	h := http.Header{}
	h.Set("Content-Type", info.Attrs.ContentType)
	h.Set("ETag", info.ETag)
	h.Set("X-Cos-Hash-Crc64ecma", info.CRC64)
	setIfNotEmpty(h, "Content-Disposition", info.Attrs.ContentDisposition)
	setIfNotEmpty(h, "Content-Encoding", info.Attrs.ContentEncoding)
	setIfNotEmpty(h, "Cache-Control", info.Attrs.CacheControl)
	setIfNotEmpty(h, "Expires", info.Attrs.Expires)
	// COS omits the class for STANDARD objects.
	if c := info.Attrs.StorageClass; c != "" && c != "STANDARD" {
		h.Set("X-Cos-Storage-Class", c)
	}
	for name, value := range info.Attrs.UserMetadata {
		h.Set(name, value)
	}
	return h
}

func setIfNotEmpty(h http.Header, name, value string) {
	if value != "" {
		h.Set(name, value)
	}
}

// responseOverrides are the GET Object parameters that replace a stored header.
var responseOverrides = map[string]string{
	"response-content-type":        "Content-Type",
	"response-content-language":    "Content-Language",
	"response-expires":             "Expires",
	"response-cache-control":       "Cache-Control",
	"response-content-disposition": "Content-Disposition",
	"response-content-encoding":    "Content-Encoding",
}

func applyResponseOverrides(h http.Header, query []queryParam) {
	for _, p := range query {
		if header, ok := responseOverrides[strings.ToLower(p.Name)]; ok {
			h.Set(header, p.Value)
		}
	}
}

// deleteObject removes key: DELETE Object. Like COS, deleting a key that
// does not exist succeeds; only writers of the key may delete it.
func (s *Store) deleteObject(req *request) response {
	if !req.grant.mayWrite(req.key) {
		return errorResponse(newError(ErrAccessDenied, "Access Denied."))
	}
	if err := s.storage.Delete(req.grant.Bucket, req.key); err != nil && !errors.Is(err, ErrNoSuchObject) {
		return errorResponse(newError(ErrInternalError, "The object could not be deleted."))
	}
	return response{status: http.StatusNoContent}
}
