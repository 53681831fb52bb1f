package vod

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode"

	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
)

// Client-side error codes. The first four are the SDK's own; they are kept so that users who know
// the SDK recognise them.
const (
	CodeNetworkError        = "ClientError.NetworkError"
	CodeParseJSONError      = "ClientError.ParseJsonError"
	CodeHTTPStatusCodeError = "ClientError.HttpStatusCodeError"
	CodeIOError             = "ClientError.IOError"
	// CodeRequestNotSent means the call was never sent: the client-side rate limit would have held it
	// past the context's deadline or the retry budget, or the context ended while it waited.
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
	// deduplicated is set when the request carried an idempotency key (see deduplicatedRequest): the
	// API refuses its repeat rather than carrying it out twice, so it is safe to repeat.
	deduplicated bool
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

// toAPIError maps whatever the SDK returned to an *APIError.
func toAPIError(action string, err error, exchange *httpExchange) *APIError {
	got := exchange.result()
	var sdkErr *tcerr.TencentCloudSDKError
	if !errors.As(err, &sdkErr) {
		return &APIError{Action: action, Code: CodeIOError, Message: safeClientMessage(err), httpStatus: got.status, cause: err}
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
		// The SDK's own message quotes the whole body; describeReply quotes only what is safe to show.
		return &APIError{Action: action, Code: sdkErr.Code, Message: describeReply(got), RequestID: replyRequestID(got), httpStatus: got.status}
	}
	if strings.HasPrefix(sdkErr.Code, "ClientError") {
		// Other SDK-side failures (circuit breaker, type errors) carry messages built from our own
		// request, never from a response body.
		return &APIError{Action: action, Code: sdkErr.Code, Message: sdkErr.Message, httpStatus: got.status}
	}
	return &APIError{Action: action, Code: sdkErr.Code, Message: sdkErr.Message, RequestID: sdkErr.RequestId, httpStatus: got.status}
}

// HTTPStatus returns the HTTP status of the reply behind the error, or 0 when no reply arrived.
func (e *APIError) HTTPStatus() int { return e.httpStatus }

// describeReply says what the server answered when the answer was not an API response: the HTTP status
// and, unless the body looks like JSON, its beginning. A JSON body is never quoted: a truncated or
// malformed success body may hold temporary credentials.
func describeReply(got reply) string {
	if got.status == 0 {
		return "the response could not be read"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the server answered HTTP %s", got.statusText)
	switch text := bytes.TrimSpace(got.head); {
	case len(text) == 0:
		b.WriteString(" with an empty body")
	case text[0] == '{' || text[0] == '[':
		fmt.Fprintf(&b, " with %d bytes of JSON that is not a valid API response (truncated or malformed)", got.size)
	default:
		// Only what comes before any JSON: a body that wraps a success reply may hold credentials.
		before, _, _ := bytes.Cut(text, []byte("{"))
		fmt.Fprintf(&b, " with a body that is not an API response: %q", snippet(before, 120))
	}
	if got.size > int64(len(got.head)) {
		b.WriteString(" (body truncated here)")
	}
	return b.String()
}

// snippet is the start of text on one line, at most limit runes, with control characters dropped.
func snippet(text []byte, limit int) string {
	fields := strings.Fields(strings.ToValidUTF8(string(text), "?"))
	line := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.Join(fields, " "))
	if runes := []rune(line); len(runes) > limit {
		return string(runes[:limit]) + "..."
	}
	return line
}

var bodyRequestID = regexp.MustCompile(`"RequestId"\s*:\s*"([0-9A-Za-z-]{1,64})"`)

// replyRequestID finds the request id of a reply that is not an API response, from its header or from
// a RequestId field in its body.
func replyRequestID(got reply) string {
	if got.requestID != "" {
		return got.requestID
	}
	if m := bodyRequestID.FindSubmatch(got.head); m != nil {
		return string(m[1])
	}
	return ""
}

// safeClientMessage returns a transport error's text. Transport errors name the URL (always the
// API root, with no query) and the failure; they never contain headers or bodies.
func safeClientMessage(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out: " + err.Error()
	}
	return err.Error()
}

// safeToRepeat lists the actions that may be sent twice without harm: those that change nothing (see
// changesNothing), CommitUpload, which cannot create a second media file from one session key (a repeat
// is refused, see CommitOutcomeUnknownError), CreateClass, which cannot create a second class of one
// name under one parent (a repeat is refused with ClassNameDuplicate, which CreateClass resolves), and
// DeleteMedia, ModifyMediaInfo, ModifyClass and DeleteClass, which set a state, so doing them twice leaves
// the same state as once (a repeated DeleteClass is answered "no such class", which callers take as
// deleted; a repeated rename gives the class the name it already has).
func safeToRepeat(action string) bool {
	switch action {
	case "CommitUpload", "CreateClass", "DeleteMedia", "ModifyMediaInfo", "ModifyClass", "DeleteClass":
		return true
	}
	return changesNothing(action)
}

// deduplicatedRequest is implemented by requests that may carry an idempotency key, such as
// ProcessMediaByProcedure's SessionId: with one, the API refuses a repeat instead of carrying it out a
// second time, so the request is safe to repeat even though its action is not.
type deduplicatedRequest interface {
	deduplicated() bool
}

// isDeduplicated reports whether params carries an idempotency key.
func isDeduplicated(params any) bool {
	d, ok := params.(deduplicatedRequest)
	return ok && d.deduplicated()
}

// changesNothing lists the actions whose repeat leaves no trace: ApplyUpload only mints a new, unused
// session; AssumeRole mints new credentials; reads change nothing.
func changesNothing(action string) bool {
	if action == "ApplyUpload" || action == "AssumeRole" {
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
// carried out (no response, a 5xx, InternalError, an unavailable service) are retried only for actions
// that are safe to repeat or requests that an idempotency key makes safe, and a reply that is not an API
// response (which may hide a success) only for actions that change nothing. Everything else
// (AuthFailure*, InvalidParameter*, MissingParameter, UnknownParameter, UnauthorizedOperation,
// ResourceNotFound*, ...) is final.
func retryable(e *APIError) bool {
	if hasCodePrefix(e.Code, "RequestLimitExceeded") {
		return true
	}
	if !safeToRepeat(e.Action) && !e.deduplicated {
		return false
	}
	notAnAPIResponse := e.Code == CodeParseJSONError && changesNothing(e.Action)
	return throttled(e) || notAnAPIResponse || outcomeUnknown(e)
}

// throttled reports an API that refused a call for its rate limit: RequestLimitExceeded, or a gateway's
// 429 (which carries no API code to trust, so it is retried only for actions safe to repeat).
func throttled(e *APIError) bool {
	gatewayThrottled := (e.Code == CodeParseJSONError || e.Code == CodeHTTPStatusCodeError) && e.httpStatus == http.StatusTooManyRequests
	return gatewayThrottled || hasCodePrefix(e.Code, "RequestLimitExceeded")
}

// unreadableReply reports an HTTP 200 reply that is not an API response: the API answered, but what
// it did cannot be read.
func unreadableReply(e *APIError) bool {
	return e.Code == CodeParseJSONError && e.httpStatus == http.StatusOK
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
