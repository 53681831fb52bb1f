package objectstore

import (
	"bytes"
	"crypto/md5" //nolint:gosec // multipart ETags are MD5 by definition.
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Multipart upload (https://www.tencentcloud.com/document/product/436/14112):
// Initiate, UploadPart, Complete, ListParts and Abort. Parts are staged to
// disk as they arrive; Complete composes them without copying, so its cost
// is O(parts) whatever the object size.

// COS limits for multipart uploads.
const (
	minPartNumber = 1
	maxPartNumber = 10000
	// minPartBytes is the smallest size of a part other than the last.
	minPartBytes = 1 << 20
	// maxPartBytes is the largest part, like a simple upload.
	maxPartBytes = maxSimpleUploadBytes
	// maxCompleteBodyBytes bounds the Complete XML: 10000 parts of about 100
	// bytes each fit comfortably.
	maxCompleteBodyBytes = 4 << 20
	// defaultMaxParts and maxMaxParts bound one ListParts page.
	defaultMaxParts = 1000
	maxMaxParts     = 1000
)

// Query parameters that select a multipart operation.
const (
	paramUploads          = "uploads"
	paramUploadID         = "uploadId"
	paramPartNumber       = "partNumber"
	paramEncodingType     = "encoding-type"
	paramMaxParts         = "max-parts"
	paramPartNumberMarker = "part-number-marker"
)

// multipartUpload is an upload between Initiate and Complete or Abort. It
// belongs to one bucket and key: its ID is unknown anywhere else.
type multipartUpload struct {
	id, bucket, key string
	initiated       time.Time
	attrs           ObjectAttrs // headers sent with Initiate, given to the object
	parts           map[int]uploadedPart
}

type uploadedPart struct {
	blob     Blob
	modified time.Time
}

// errNoSuchUpload is shared by every operation that names an upload ID.
func errNoSuchUpload() *cosError {
	return newError(ErrNoSuchUpload,
		"The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
}

// queryValue returns the first value of a query parameter, matching the name
// without regard to case (the signature already lowercases names).
func queryValue(query []queryParam, name string) (string, bool) {
	for _, p := range query {
		if strings.EqualFold(p.Name, name) {
			return p.Value, true
		}
	}
	return "", false
}

// multipartOperation picks the multipart operation a request asks for, if any.
func (s *Store) multipartOperation(req *request) (func(*request) response, bool) {
	_, uploads := queryValue(req.query, paramUploads)
	_, uploadID := queryValue(req.query, paramUploadID)
	_, partNumber := queryValue(req.query, paramPartNumber)
	method := req.r.Method
	switch {
	case uploads && method == http.MethodPost:
		return s.initiateMultipartUpload, true
	case uploads:
		// GET /?uploads lists a bucket's uploads: a bucket operation.
		return notImplemented("?uploads with " + method), true
	case !uploadID && !partNumber:
		return nil, false
	case method == http.MethodPut:
		return s.uploadPart, true
	case partNumber:
		return notImplemented("?partNumber with " + method), true
	case method == http.MethodPost:
		return s.completeMultipartUpload, true
	case method == http.MethodGet:
		return s.listParts, true
	case method == http.MethodDelete:
		return s.abortMultipartUpload, true
	default:
		return func(*request) response {
			return errorResponse(newError(ErrMethodNotAllowed, "The specified method is not allowed against this resource."))
		}, true
	}
}

func notImplemented(what string) func(*request) response {
	return func(*request) response {
		return errorResponse(newError(ErrNotImplemented, "The emulator does not implement "+what+"."))
	}
}

// newUploadID is shaped like a COS upload ID: Unix seconds then random hex.
func newUploadID(now time.Time) string {
	return strconv.FormatInt(now.Unix(), 10) + newBlobID() + newBlobID()
}

// lookupUploadLocked finds the request's upload; callers hold s.uploadsMu.
func (s *Store) lookupUploadLocked(req *request) (*multipartUpload, *cosError) {
	id, _ := queryValue(req.query, paramUploadID)
	u, ok := s.uploads[id]
	if !ok || u.bucket != req.grant.Bucket || u.key != req.key {
		return nil, errNoSuchUpload()
	}
	return u, nil
}

// initiateMultipartUpload answers POST /{key}?uploads. Headers that describe
// the object (Content-Type, x-cos-meta-*, ...) are kept for Complete.
func (s *Store) initiateMultipartUpload(req *request) response {
	if !req.grant.mayWrite(req.key) {
		return errorResponse(newError(ErrAccessDenied, "Access Denied."))
	}
	now := s.clock()
	u := &multipartUpload{
		id:        newUploadID(now),
		bucket:    req.grant.Bucket,
		key:       req.key,
		initiated: now,
		attrs:     attrsFromHeaders(req.r.Header),
		parts:     map[int]uploadedPart{},
	}
	s.uploadsMu.Lock()
	s.uploads[u.id] = u
	s.uploadsMu.Unlock()
	return xmlResponse(initiateResult{Bucket: u.bucket, Key: u.key, UploadID: u.id})
}

type initiateResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

// uploadPart answers PUT /{key}?partNumber=N&uploadId=ID: the body is staged
// to disk and replaces any earlier part N.
func (s *Store) uploadPart(req *request) response {
	r := req.r
	if !req.grant.mayWrite(req.key) {
		return errorResponse(newError(ErrAccessDenied, "Access Denied."))
	}
	number, cerr := parsePartNumber(req.query)
	if cerr != nil {
		return errorResponse(cerr)
	}
	if _, ok := queryValue(req.query, paramUploadID); !ok {
		return errorResponse(newError(ErrInvalidArgument, "UploadPart needs the uploadId parameter."))
	}
	// Reject an unknown upload before reading a possibly large body.
	s.uploadsMu.Lock()
	_, cerr = s.lookupUploadLocked(req)
	s.uploadsMu.Unlock()
	if cerr != nil {
		return errorResponse(cerr)
	}
	blob, cerr := s.stageUpload(r, maxPartBytes, "part")
	if cerr != nil {
		return errorResponse(cerr)
	}
	replaced, cerr := s.storePart(req, number, uploadedPart{blob: blob, modified: s.clock()})
	if cerr != nil {
		_ = s.storage.Discard(blob)
		return errorResponse(cerr)
	}
	if replaced != nil {
		_ = s.storage.Discard(*replaced)
	}
	s.partsStored.Add(1)
	header := http.Header{}
	header.Set("ETag", blob.ETag())
	header.Set("X-Cos-Hash-Crc64ecma", blob.CRC64String())
	return response{status: http.StatusOK, header: header}
}

// storePart records a staged part, returning the blob it replaced. The upload
// is looked up again: it may have been completed or aborted while the body
// was arriving.
func (s *Store) storePart(req *request, number int, part uploadedPart) (*Blob, *cosError) {
	s.uploadsMu.Lock()
	defer s.uploadsMu.Unlock()
	u, cerr := s.lookupUploadLocked(req)
	if cerr != nil {
		return nil, cerr
	}
	previous, replaced := u.parts[number]
	u.parts[number] = part
	if replaced {
		return &previous.blob, nil
	}
	return nil, nil
}

func parsePartNumber(query []queryParam) (int, *cosError) {
	raw, _ := queryValue(query, paramPartNumber)
	n, err := strconv.Atoi(raw)
	if err != nil || n < minPartNumber || n > maxPartNumber {
		return 0, newError(ErrInvalidArgument, "Part number must be an integer between 1 and 10000, inclusive.")
	}
	return n, nil
}

// completeRequest is the body cos-go-sdk-v5 sends (ETag before PartNumber,
// quotes escaped as &#34;; the XML decoder undoes both).
type completeRequest struct {
	XMLName xml.Name `xml:"CompleteMultipartUpload"`
	Parts   []struct {
		PartNumber int    `xml:"PartNumber"`
		ETag       string `xml:"ETag"`
	} `xml:"Part"`
}

type completeResult struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
}

// completeMultipartUpload answers POST /{key}?uploadId=ID: the listed parts
// become the object, every other part is discarded and the upload ends.
func (s *Store) completeMultipartUpload(req *request) response {
	if !req.grant.mayWrite(req.key) {
		return errorResponse(newError(ErrAccessDenied, "Access Denied."))
	}
	listed, cerr := readCompleteRequest(req.r)
	if cerr != nil {
		return errorResponse(cerr)
	}
	u, parts, cerr := s.takeCompletableUpload(req, listed)
	if cerr != nil {
		return errorResponse(cerr)
	}
	blobs := make([]Blob, len(listed.Parts))
	for i, p := range listed.Parts {
		blobs[i] = u.parts[p.PartNumber].blob
	}
	info, err := s.commitParts(u, blobs)
	if err != nil {
		// Give the upload back so the client may retry Complete.
		s.uploadsMu.Lock()
		s.uploads[u.id] = u
		s.uploadsMu.Unlock()
		return errorResponse(newError(ErrInternalError, "The object could not be stored."))
	}
	// The object holds its own links to the data; the parts go, listed or not.
	for _, p := range parts {
		_ = s.storage.Discard(p.blob)
	}
	header := http.Header{}
	header.Set("X-Cos-Hash-Crc64ecma", info.CRC64)
	resp := xmlResponse(completeResult{
		Location: req.r.Host + "/" + req.key,
		Bucket:   u.bucket,
		Key:      u.key,
		ETag:     info.ETag,
	})
	resp.header = header
	return resp
}

// readCompleteRequest parses the Complete body and checks its Content-MD5.
func readCompleteRequest(r *http.Request) (completeRequest, *cosError) {
	var listed completeRequest
	wantMD5, cerr := parseContentMD5(r.Header.Get("Content-MD5"))
	if cerr != nil {
		return listed, cerr
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxCompleteBodyBytes+1))
	if err != nil {
		return listed, newError(ErrIncompleteBody, "The request body could not be read.")
	}
	if len(body) > maxCompleteBodyBytes {
		return listed, newError(ErrMalformedXML, "The XML you provided is too large.")
	}
	if wantMD5 != nil {
		if sum := md5.Sum(body); !bytes.Equal(sum[:], wantMD5) { //nolint:gosec // see import comment
			return listed, newError(ErrBadDigest, "The Content-MD5 you specified did not match what we received.")
		}
	}
	malformed := newError(ErrMalformedXML,
		"The XML you provided was not well-formed or did not validate against our published schema.")
	if err := xml.Unmarshal(body, &listed); err != nil || len(listed.Parts) == 0 {
		return listed, malformed
	}
	for _, p := range listed.Parts {
		if p.PartNumber < minPartNumber || p.PartNumber > maxPartNumber || p.ETag == "" {
			return listed, malformed
		}
	}
	return listed, nil
}

// takeCompletableUpload checks the listed parts against the upload and, if
// they are valid, removes the upload so that no part can be added while the
// object is assembled. It returns the upload and all of its parts.
func (s *Store) takeCompletableUpload(req *request, listed completeRequest) (*multipartUpload, map[int]uploadedPart, *cosError) {
	s.uploadsMu.Lock()
	defer s.uploadsMu.Unlock()
	u, cerr := s.lookupUploadLocked(req)
	if cerr != nil {
		return nil, nil, cerr
	}
	if cerr := checkListedParts(u, listed); cerr != nil {
		return nil, nil, cerr
	}
	delete(s.uploads, u.id)
	return u, u.parts, nil
}

// checkListedParts applies the COS rules of Complete (doc 436/7742): part
// numbers ascending, then consecutive and each uploaded with the ETag given,
// then every part but the last at least 1 MiB. Each rule is checked over the
// whole list before the next, so the code names the first kind of mistake.
func checkListedParts(u *multipartUpload, listed completeRequest) *cosError {
	for i := 1; i < len(listed.Parts); i++ {
		if listed.Parts[i].PartNumber <= listed.Parts[i-1].PartNumber {
			return newError(ErrInvalidPartOrder, "The list of parts was not in ascending order. Parts must be ordered by part number.")
		}
	}
	for i, p := range listed.Parts {
		if i > 0 && p.PartNumber != listed.Parts[i-1].PartNumber+1 {
			return newError(ErrInvalidPart, fmt.Sprintf("Part numbers must be consecutive: part %d follows part %d.", p.PartNumber, listed.Parts[i-1].PartNumber))
		}
		part, ok := u.parts[p.PartNumber]
		if !ok {
			return newError(ErrInvalidPart, fmt.Sprintf("Part %d has not been uploaded.", p.PartNumber))
		}
		if !sameETag(p.ETag, part.blob.ETag()) {
			return newError(ErrInvalidPart, fmt.Sprintf("The ETag of part %d does not match the uploaded part.", p.PartNumber))
		}
	}
	for _, p := range listed.Parts[:len(listed.Parts)-1] {
		if u.parts[p.PartNumber].blob.Size < minPartBytes {
			return newError(ErrEntityTooSmall, fmt.Sprintf("Part %d is smaller than the minimum allowed size of 1 MiB; only the last part may be.", p.PartNumber))
		}
	}
	return nil
}

// sameETag compares ETags with or without their quotes.
func sameETag(a, b string) bool {
	return strings.EqualFold(strings.Trim(strings.TrimSpace(a), `"`), strings.Trim(b, `"`))
}

// commitParts composes the blobs and publishes them as the upload's object.
func (s *Store) commitParts(u *multipartUpload, blobs []Blob) (ObjectInfo, error) {
	whole, err := s.storage.Compose(blobs)
	if err != nil {
		return ObjectInfo{}, err
	}
	attrs := u.attrs
	attrs.ETag = multipartETag(blobs)
	info, err := s.storage.Commit(u.bucket, u.key, whole, attrs, s.clock())
	if err != nil {
		_ = s.storage.Discard(whole)
		return ObjectInfo{}, err
	}
	return info, nil
}

// multipartETag is the S3-style ETag of a multipart object: the MD5 of the
// parts' binary MD5s, then "-" and the part count ([UNCONFIRMED] for COS,
// whose SDK only requires a non-empty value).
func multipartETag(parts []Blob) string {
	h := md5.New() //nolint:gosec // see import comment
	for _, p := range parts {
		h.Write(p.MD5[:])
	}
	return `"` + hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts)) + `"`
}

// abortMultipartUpload answers DELETE /{key}?uploadId=ID: the upload ends and
// its parts are discarded. A part still arriving is refused when it ends.
func (s *Store) abortMultipartUpload(req *request) response {
	if !req.grant.mayWrite(req.key) {
		return errorResponse(newError(ErrAccessDenied, "Access Denied."))
	}
	s.uploadsMu.Lock()
	u, cerr := s.lookupUploadLocked(req)
	if cerr == nil {
		delete(s.uploads, u.id)
	}
	s.uploadsMu.Unlock()
	if cerr != nil {
		return errorResponse(cerr)
	}
	for _, p := range u.parts {
		_ = s.storage.Discard(p.blob)
	}
	return response{status: http.StatusNoContent}
}

type listPartsResult struct {
	XMLName              xml.Name     `xml:"ListPartsResult"`
	Bucket               string       `xml:"Bucket"`
	EncodingType         string       `xml:"Encoding-type,omitempty"`
	Key                  string       `xml:"Key"`
	UploadID             string       `xml:"UploadId"`
	Initiator            partyXML     `xml:"Initiator"`
	Owner                partyXML     `xml:"Owner"`
	StorageClass         string       `xml:"StorageClass"`
	PartNumberMarker     int          `xml:"PartNumberMarker"`
	NextPartNumberMarker int          `xml:"NextPartNumberMarker"`
	MaxParts             int          `xml:"MaxParts"`
	IsTruncated          bool         `xml:"IsTruncated"`
	Parts                []listedPart `xml:"Part"`
}

type partyXML struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

type listedPart struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
}

// listParts answers GET /{key}?uploadId=ID with one page of parts in
// ascending order, after part-number-marker, at most max-parts of them.
func (s *Store) listParts(req *request) response {
	if !req.grant.mayWrite(req.key) {
		return errorResponse(newError(ErrAccessDenied, "Access Denied."))
	}
	page, cerr := parseListPartsParams(req.query)
	if cerr != nil {
		return errorResponse(cerr)
	}
	s.uploadsMu.Lock()
	defer s.uploadsMu.Unlock()
	u, cerr := s.lookupUploadLocked(req)
	if cerr != nil {
		return errorResponse(cerr)
	}
	owner := s.owner()
	result := listPartsResult{
		Bucket:           u.bucket,
		Key:              u.key,
		UploadID:         u.id,
		Initiator:        owner,
		Owner:            owner,
		StorageClass:     storageClassOf(u.attrs),
		PartNumberMarker: page.marker,
		MaxParts:         page.maxParts,
	}
	if page.urlEncoding {
		result.EncodingType = "url"
		result.Key = cosEncode(u.key)
	}
	numbers := slices.Sorted(maps.Keys(u.parts))
	for _, n := range numbers {
		if n <= page.marker {
			continue
		}
		if len(result.Parts) == page.maxParts {
			result.IsTruncated = true
			break
		}
		p := u.parts[n]
		result.Parts = append(result.Parts, listedPart{
			PartNumber:   n,
			LastModified: p.modified.UTC().Format("2006-01-02T15:04:05.000Z"),
			ETag:         p.blob.ETag(),
			Size:         p.blob.Size,
		})
	}
	if len(result.Parts) > 0 {
		result.NextPartNumberMarker = result.Parts[len(result.Parts)-1].PartNumber
	}
	return xmlResponse(result)
}

type listPartsPage struct {
	marker, maxParts int
	urlEncoding      bool
}

func parseListPartsParams(query []queryParam) (listPartsPage, *cosError) {
	page := listPartsPage{maxParts: defaultMaxParts}
	if raw, ok := queryValue(query, paramMaxParts); ok {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			return page, newError(ErrInvalidArgument, "max-parts must be a non-negative integer.")
		}
		page.maxParts = min(n, maxMaxParts)
	}
	if raw, ok := queryValue(query, paramPartNumberMarker); ok {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			return page, newError(ErrInvalidArgument, "part-number-marker must be a non-negative integer.")
		}
		page.marker = n
	}
	if raw, ok := queryValue(query, paramEncodingType); ok {
		if raw != "url" {
			return page, newError(ErrInvalidArgument, "Invalid Encoding Method specified in Request.")
		}
		page.urlEncoding = true
	}
	return page, nil
}

// owner is the account shown as Initiator and Owner in ListParts. The
// SecretId is not shown: like COS, the listing names the account, not the key.
func (s *Store) owner() partyXML {
	id := "qcs::cam::uin/" + strconv.FormatUint(s.appID, 10) + ":uin/" + strconv.FormatUint(s.appID, 10)
	return partyXML{ID: id, DisplayName: strconv.FormatUint(s.appID, 10)}
}

func storageClassOf(attrs ObjectAttrs) string {
	if attrs.StorageClass == "" {
		return "STANDARD"
	}
	return attrs.StorageClass
}

// xmlResponse is a 200 reply with an XML document.
func xmlResponse(v any) response {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		return errorResponse(newError(ErrInternalError, "The response could not be encoded."))
	}
	return response{status: http.StatusOK, body: buf.Bytes()}
}
