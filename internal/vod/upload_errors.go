package vod

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	cos "github.com/tencentyun/cos-go-sdk-v5"
)

// StoreError is a failed object-storage request, told in the user's terms: which operation on which
// key, and what the store answered (HTTP status, COS error code and message, request id) or, when it
// did not answer, the network error. The SDK's own errors repeat the URL and add internal notes (such
// that it "can't get reader content length" for any body it cannot measure itself).
type StoreError struct {
	Op        string // e.g. "UploadPart 3", "CompleteMultipartUpload"
	Key       string
	Status    int // 0: no HTTP answer
	Code      string
	Message   string
	RequestID string
	// Err is the network error when Status is 0, or why a successful reply could not be used (the
	// SDK's CRC-64 check of what it sent failed); nil for an error reply.
	Err error
}

func (e *StoreError) Error() string {
	switch {
	case e.Status == 0:
		return fmt.Sprintf("%s of %q: no answer from object storage: %v", e.Op, e.Key, e.Err)
	case e.Err != nil:
		return fmt.Sprintf("%s of %q: object storage answered HTTP %d, but the reply failed a check: %v", e.Op, e.Key, e.Status, e.Err)
	}
	msg := fmt.Sprintf("%s of %q: object storage answered HTTP %d", e.Op, e.Key, e.Status)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.RequestID != "" {
		msg += " (RequestId: " + e.RequestID + ")"
	}
	return msg
}

func (e *StoreError) Unwrap() error { return e.Err }

// storeError turns what the SDK returned for op into a *StoreError; context errors pass through
// unchanged so that callers can tell a cancellation from a failure.
func storeError(op, key string, resp *cos.Response, err error) error {
	err = lastSDKError(err)
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var cosErr *cos.ErrorResponse
	if errors.As(err, &cosErr) && cosErr.Response != nil {
		return &StoreError{
			Op: op, Key: key, Status: cosErr.Response.StatusCode, Code: cosErr.Code, Message: cosErr.Message,
			RequestID: firstNonEmpty(cosErr.RequestID, cosErr.Response.Header.Get("X-Cos-Request-Id")),
		}
	}
	status, requestID := 0, ""
	if resp != nil && resp.Response != nil {
		status, requestID = resp.StatusCode, resp.Header.Get("X-Cos-Request-Id")
		if status >= 300 {
			return &StoreError{Op: op, Key: key, Status: status, RequestID: requestID}
		}
	}
	// The URL of a url.Error is noise here (the key is named already) and long.
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	return &StoreError{Op: op, Key: key, Status: status, RequestID: requestID, Err: err}
}

// lastSDKError unpacks the SDK's RetryError, which joins every attempt's error (and, first, notes
// such as its failure to measure a body whose length was given anyway): only the last one is the
// outcome.
func lastSDKError(err error) error {
	var retryErr *cos.RetryError
	if errors.As(err, &retryErr) && len(retryErr.Errs) > 0 {
		return retryErr.Errs[len(retryErr.Errs)-1]
	}
	return err
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// transientStoreCodes are COS error codes that say "try again" whatever their HTTP status.
var transientStoreCodes = map[string]bool{
	"SlowDown": true, "RequestTimeout": true, "ServiceUnavailable": true, "InternalError": true,
	"TooManyRequests": true,
}

// isTransient tells whether a request that failed with err may succeed if sent again: no answer at
// all (connection refused or reset, a reply lost), a reply that failed the SDK's CRC-64 check (the
// bytes were damaged on the way), a 5xx, 429 or a throttling or timeout code. Other answers
// (AccessDenied, InvalidPart, NoSuchUpload, ...) will not change by retrying.
func isTransient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var se *StoreError
	if !errors.As(err, &se) {
		return false
	}
	return se.Err != nil || se.Status >= 500 || se.Status == http.StatusTooManyRequests || transientStoreCodes[se.Code]
}

// noAnswer tells whether a request got no answer from the store (its Status is 0): the store may
// have carried it out all the same, with only the reply lost.
func noAnswer(err error) bool { return isStatus(err, 0) }

// isStatus tells whether err is a StoreError with the given HTTP status.
func isStatus(err error, status int) bool {
	var se *StoreError
	return errors.As(err, &se) && se.Status == status
}

// ErrCredentialsExpired matches (errors.Is) the error UploadFile returns when the upload session's
// temporary credentials ran out before the upload was done.
var ErrCredentialsExpired = errors.New("upload session credentials expired")

// CredentialsExpiredError says that the upload outlasted its session's temporary credentials.
type CredentialsExpiredError struct {
	Key     string
	Expired time.Time
	Elapsed time.Duration // since the upload started
	// Cause is what object storage last answered (AccessDenied after the expiry, or the transient
	// failure that was still being retried when the credentials were about to run out).
	Cause error
}

func (e *CredentialsExpiredError) Error() string {
	// "run out at": the upload may give up just before the expiry, when its next retry would come after it.
	return fmt.Sprintf("upload of %q: the upload session's temporary credentials run out at %s, and the upload, "+
		"running for %s, needed longer than they last. VOD sets their lifetime, so the upload must finish "+
		"sooner: use a faster link, send fewer, larger parts in parallel, or upload a smaller file "+
		"(object storage last answered: %v)",
		e.Key, e.Expired.UTC().Format(time.RFC3339), e.Elapsed.Round(time.Second), e.Cause)
}

func (e *CredentialsExpiredError) Unwrap() []error { return []error{ErrCredentialsExpired, e.Cause} }

// ErrAbortFailed matches (errors.Is) an UploadFile error whose multipart upload could not be
// aborted, so that its parts stay in the bucket.
var ErrAbortFailed = errors.New("the multipart upload could not be aborted")

// AbortFailedError is an upload failure whose multipart upload could not be aborted either.
type AbortFailedError struct {
	Cause    error // why the upload failed
	AbortErr error // why the abort failed
	UploadID string
	Bucket   string
	Key      string
	// Until is when the session's temporary credentials expire: the last moment anything can abort it.
	Until time.Time
	// Expired: the credentials had already expired when the abort gave up.
	Expired bool
}

func (e *AbortFailedError) Error() string {
	until := e.Until.UTC().Format(time.RFC3339)
	msg := fmt.Sprintf("%v; aborting the multipart upload also failed (%v): upload id %s of key %q in bucket %s "+
		"keeps its parts. VOD owns the bucket: only this upload session's temporary credentials can abort it",
		e.Cause, e.AbortErr, e.UploadID, e.Key, e.Bucket)
	if e.Expired {
		return msg + ", and they expired at " + until + ", so nothing can abort it any more"
	}
	return msg + ", until they expire at " + until + ", and nothing keeps a copy of them"
}

func (e *AbortFailedError) Unwrap() []error { return []error{ErrAbortFailed, e.Cause} }
