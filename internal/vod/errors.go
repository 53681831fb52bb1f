package vod

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
)

// Client-side error codes. The first four are the SDK's own; they are kept so that users who know
// the SDK recognise them.
const (
	CodeNetworkError        = "ClientError.NetworkError"
	CodeParseJSONError      = "ClientError.ParseJsonError"
	CodeHTTPStatusCodeError = "ClientError.HttpStatusCodeError"
	CodeIOError             = "ClientError.IOError"
	// CodeRequestNotSent means the context ended while the call waited for the client-side rate limit.
	CodeRequestNotSent = "ClientError.RequestNotSent"
)

// ErrNoCredentials is wrapped by the error returned when no credential source applies.
var ErrNoCredentials = errors.New("no Tencent Cloud credentials found")

// APIError is a failed call: an error the API returned (Code, Message and RequestID from the
// response envelope) or a client-side failure with one of the ClientError.* codes.
type APIError struct {
	Action    string
	Code      string
	Message   string
	RequestID string

	httpStatus int   // the HTTP status when a response arrived, else 0
	cause      error // the transport error behind ClientError.NetworkError, for errors.Is
}

// Error formats the error as "Action: [Code] Message (RequestId: id)".
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: [%s] %s", e.Action, e.Code, e.Message)
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (RequestId: %s)", e.RequestID)
	}
	return b.String()
}

// Unwrap exposes the transport error (for example context.DeadlineExceeded) behind a network error.
func (e *APIError) Unwrap() error { return e.cause }

// HasCode reports whether the error's code is code or one of its sub-codes, so HasCode
// ("ResourceNotFound") matches "ResourceNotFound.FileNotExist".
func (e *APIError) HasCode(code string) bool { return hasCodePrefix(e.Code, code) }

// ErrorCode returns the API or client error code of err, or "" when err is not an *APIError.
func ErrorCode(err error) string {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Code
	}
	return ""
}

func hasCodePrefix(code, prefix string) bool {
	return code == prefix || strings.HasPrefix(code, prefix+".")
}

// toAPIError maps whatever the SDK returned to an *APIError. Response bodies are never copied into
// the message: a truncated or malformed success body may hold temporary credentials.
func toAPIError(action string, err error, exchange *httpExchange) *APIError {
	status, statusText := exchange.result()
	var sdkErr *tcerr.TencentCloudSDKError
	if !errors.As(err, &sdkErr) {
		return &APIError{Action: action, Code: CodeIOError, Message: safeClientMessage(err), httpStatus: status, cause: err}
	}
	switch sdkErr.Code {
	case CodeNetworkError:
		cause := errors.Unwrap(sdkErr)
		msg := "no response from the server"
		if cause != nil {
			msg += ": " + safeClientMessage(cause)
		}
		return &APIError{Action: action, Code: CodeNetworkError, Message: msg, cause: cause}
	case CodeParseJSONError, CodeHTTPStatusCodeError, CodeIOError:
		return &APIError{Action: action, Code: sdkErr.Code, Message: describeBadResponse(sdkErr.Code, status, statusText), httpStatus: status}
	}
	if strings.HasPrefix(sdkErr.Code, "ClientError") {
		// Other SDK-side failures (circuit breaker, type errors) carry messages built from our own
		// request, never from a response body.
		return &APIError{Action: action, Code: sdkErr.Code, Message: sdkErr.Message, httpStatus: status}
	}
	return &APIError{Action: action, Code: sdkErr.Code, Message: sdkErr.Message, RequestID: sdkErr.RequestId, httpStatus: status}
}

func describeBadResponse(code string, status int, statusText string) string {
	switch {
	case status == 0:
		return "the response could not be read"
	case status != http.StatusOK:
		return "the server answered " + statusText + " without an API response"
	case code == CodeParseJSONError:
		return "the server answered HTTP 200 with a body that is not a valid API response"
	default:
		return "the response body could not be read"
	}
}

// safeClientMessage returns a transport error's text. Transport errors name the URL (always the
// API root, with no query) and the failure; they never contain headers or bodies.
func safeClientMessage(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out: " + err.Error()
	}
	return err.Error()
}

// safeToRepeat lists the actions that may be sent twice without harm: ApplyUpload only mints a new,
// unused session; AssumeRole mints new credentials; reads change nothing. CommitUpload cannot create a
// second media file from one session key (a repeat is refused, see CommitOutcomeUnknownError);
// DeleteMedia and ModifyMediaInfo set a state, so doing them twice leaves the same state as once.
func safeToRepeat(action string) bool {
	switch action {
	case "ApplyUpload", "AssumeRole", "CommitUpload", "DeleteMedia", "ModifyMediaInfo":
		return true
	}
	for _, prefix := range []string{"Describe", "Get", "List", "Search"} {
		if strings.HasPrefix(action, prefix) {
			return true
		}
	}
	return false
}

// retryable decides whether a failed attempt is worth repeating. Throttling is always retried: the
// request was refused before it did anything. Failures after which the request may have been
// carried out (no response, a 5xx, InternalError, an unavailable service) are retried only for
// actions that are safe to repeat. Everything else (AuthFailure*, InvalidParameter*,
// MissingParameter, UnknownParameter, UnauthorizedOperation, ResourceNotFound*, ...) is final.
func retryable(e *APIError) bool {
	if hasCodePrefix(e.Code, "RequestLimitExceeded") {
		return true
	}
	if !safeToRepeat(e.Action) {
		return false
	}
	// A gateway's 429 refused the request, like throttling, but carries no API code to trust.
	gatewayThrottled := (e.Code == CodeParseJSONError || e.Code == CodeHTTPStatusCodeError) && e.httpStatus == http.StatusTooManyRequests
	return gatewayThrottled || outcomeUnknown(e)
}

// outcomeUnknown reports a transient failure after which the request may or may not have been
// carried out: no response, a 5xx from a gateway, or an error the service itself calls transient.
func outcomeUnknown(e *APIError) bool {
	switch {
	case e.Code == CodeNetworkError:
		return true
	case e.Code == CodeParseJSONError || e.Code == CodeHTTPStatusCodeError:
		return e.httpStatus >= 500
	case hasCodePrefix(e.Code, "InternalError"),
		hasCodePrefix(e.Code, "ResourceUnavailable"),
		hasCodePrefix(e.Code, "ServiceUnavailable"):
		return true
	}
	return false
}
