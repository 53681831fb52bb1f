package objectstore

import (
	"encoding/xml"
	"net/http"
)

// ErrorCode is a COS error code as it appears in <Error><Code>.
// Codes and statuses follow https://www.tencentcloud.com/document/product/436/7730.
// If you add a code, also add its status to ErrorCode.Status.
type ErrorCode string

const (
	// ErrAccessDenied: the grant does not allow the operation, the signature
	// time window is over, or the temporary credential has expired.
	ErrAccessDenied ErrorCode = "AccessDenied"
	// ErrInvalidAccessKeyID: the SecretId is unknown, or a temporary SecretId
	// arrived without its matching x-cos-security-token.
	ErrInvalidAccessKeyID ErrorCode = "InvalidAccessKeyId"
	// ErrSignatureDoesNotMatch: q-signature differs from the one computed here.
	ErrSignatureDoesNotMatch ErrorCode = "SignatureDoesNotMatch"
	// ErrNoSuchKey: the object does not exist.
	ErrNoSuchKey ErrorCode = "NoSuchKey"
	// ErrNoSuchUpload: the multipart upload ID is unknown.
	ErrNoSuchUpload ErrorCode = "NoSuchUpload"
	// ErrNoSuchBucket: the bucket does not exist.
	ErrNoSuchBucket ErrorCode = "NoSuchBucket"
	// ErrInvalidArgument: a parameter or header is malformed.
	ErrInvalidArgument ErrorCode = "InvalidArgument"
	// ErrInvalidDigest: Content-MD5 is not base64 of 16 bytes.
	ErrInvalidDigest ErrorCode = "InvalidDigest"
	// ErrBadDigest: Content-MD5 does not match the received body.
	ErrBadDigest ErrorCode = "BadDigest"
	// ErrIncompleteBody: fewer bytes arrived than Content-Length announced.
	ErrIncompleteBody ErrorCode = "IncompleteBody"
	// ErrMissingContentLength: a PUT without Content-Length (e.g. chunked).
	ErrMissingContentLength ErrorCode = "MissingContentLength"
	// ErrEntityTooLarge: a simple upload above 5 GiB.
	ErrEntityTooLarge ErrorCode = "EntityTooLarge"
	// ErrEntityTooSmall: a multipart part other than the last is below 1 MiB.
	ErrEntityTooSmall ErrorCode = "EntityTooSmall"
	// ErrInvalidPart: a listed part is missing or its ETag differs.
	ErrInvalidPart ErrorCode = "InvalidPart"
	// ErrInvalidPartOrder: parts are not listed in ascending order.
	ErrInvalidPartOrder ErrorCode = "InvalidPartOrder"
	// ErrMalformedXML: a request's XML body (CompleteMultipartUpload) is not
	// well-formed or lists no valid part.
	ErrMalformedXML ErrorCode = "MalformedXML"
	// ErrKeyTooLong: the object key exceeds the COS limit.
	ErrKeyTooLong ErrorCode = "KeyTooLong"
	// ErrMethodNotAllowed: the HTTP method is not defined for the resource.
	ErrMethodNotAllowed ErrorCode = "MethodNotAllowed"
	// ErrNotImplemented: a real COS operation this emulator does not offer.
	ErrNotImplemented ErrorCode = "NotImplemented"
	// ErrInternalError: an unexpected server-side failure (retried by SDKs).
	ErrInternalError ErrorCode = "InternalError"
	// ErrServiceUnavailable: the service is temporarily overloaded (retried by SDKs).
	ErrServiceUnavailable ErrorCode = "ServiceUnavailable"
)

// Status is the HTTP status COS sends with the code.
func (c ErrorCode) Status() int {
	switch c {
	case ErrAccessDenied, ErrInvalidAccessKeyID, ErrSignatureDoesNotMatch:
		return http.StatusForbidden
	case ErrNoSuchKey, ErrNoSuchUpload, ErrNoSuchBucket:
		return http.StatusNotFound
	case ErrMissingContentLength:
		return http.StatusLengthRequired
	case ErrMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case ErrNotImplemented:
		return http.StatusNotImplemented
	case ErrServiceUnavailable:
		return http.StatusServiceUnavailable
	case ErrInternalError:
		return http.StatusInternalServerError
	default:
		return http.StatusBadRequest
	}
}

// codeForStatus picks a plausible code for an injected fault that names only a status.
func codeForStatus(status int) ErrorCode {
	switch status {
	case http.StatusForbidden:
		return ErrAccessDenied
	case http.StatusNotFound:
		return ErrNoSuchKey
	case http.StatusServiceUnavailable:
		return ErrServiceUnavailable
	case http.StatusBadRequest:
		return ErrInvalidArgument
	default:
		return ErrInternalError
	}
}

// cosError is a failed request: it becomes the XML <Error> body.
type cosError struct {
	code    ErrorCode
	status  int // 0 = code.Status()
	message string
}

func newError(code ErrorCode, message string) *cosError {
	return &cosError{code: code, message: message}
}

func (e *cosError) httpStatus() int {
	if e.status != 0 {
		return e.status
	}
	return e.code.Status()
}

// errorBody is the wire form of a COS error (cos-go-sdk-v5 error.go decodes it).
type errorBody struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Resource  string   `xml:"Resource"`
	RequestID string   `xml:"RequestId"`
	TraceID   string   `xml:"TraceId"`
}
