package objectstore

import (
	"encoding/xml"
	"net/http"
	"strings"
)

// ListMultipartUploads (GET /?uploads, https://www.tencentcloud.com/document/product/436/7736): the
// uploads in progress in the bucket, oldest first. A client whose InitiateMultipartUpload reply was
// lost finds the upload it does not know of here, and aborts it.
//
// A grant sees only the uploads of keys it may write: an upload session's credentials see their own
// uploads, as the session's policy would let them. Paging (key-marker, upload-id-marker, max-uploads)
// and delimiter are not implemented: every matching upload comes in one page.

type listUploadsResult struct {
	XMLName      xml.Name       `xml:"ListMultipartUploadsResult"`
	Bucket       string         `xml:"Bucket"`
	EncodingType string         `xml:"Encoding-Type,omitempty"`
	Prefix       string         `xml:"Prefix"`
	MaxUploads   int            `xml:"MaxUploads"`
	IsTruncated  bool           `xml:"IsTruncated"`
	Uploads      []listedUpload `xml:"Upload"`
}

type listedUpload struct {
	Key          string   `xml:"Key"`
	UploadID     string   `xml:"UploadId"`
	StorageClass string   `xml:"StorageClass"`
	Initiator    partyXML `xml:"Initiator"`
	Owner        partyXML `xml:"Owner"`
	Initiated    string   `xml:"Initiated"`
}

const paramPrefix = "prefix"

// isListMultipartUploads: GET on the bucket root with ?uploads.
func isListMultipartUploads(req *request) bool {
	_, uploads := queryValue(req.query, paramUploads)
	return uploads && req.key == "" && req.r.Method == http.MethodGet
}

func (s *Store) listMultipartUploads(req *request) response {
	prefix, _ := queryValue(req.query, paramPrefix)
	urlEncoding := false
	if raw, ok := queryValue(req.query, paramEncodingType); ok {
		if raw != "url" {
			return errorResponse(newError(ErrInvalidArgument, "Invalid Encoding Method specified in Request."))
		}
		urlEncoding = true
	}
	result := listUploadsResult{Bucket: req.grant.Bucket, Prefix: prefix, MaxUploads: 1000}
	if urlEncoding {
		result.EncodingType = "url"
	}
	owner := s.owner()
	for _, u := range s.PendingUploads() { // oldest first
		if u.Bucket != req.grant.Bucket || !strings.HasPrefix(u.Key, prefix) || !req.grant.mayWrite(u.Key) {
			continue
		}
		key := u.Key
		if urlEncoding {
			key = cosEncode(key)
		}
		result.Uploads = append(result.Uploads, listedUpload{
			Key: key, UploadID: u.UploadID, StorageClass: "STANDARD", Initiator: owner, Owner: owner,
			Initiated: u.Initiated.UTC().Format("2006-01-02T15:04:05.000Z"),
		})
	}
	return xmlResponse(result)
}
