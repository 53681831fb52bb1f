package vod

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// scripted answers the first len(script) calls with the scripted faults, then succeeds.
func scripted(t *testing.T, script ...func(w http.ResponseWriter)) *fakeAPI {
	var n atomic.Int32
	return newFakeAPI(t, map[string]string{"AKIDTEST": "test-secret-key"}, func(w http.ResponseWriter, _ *http.Request, _ apiCall) {
		i := int(n.Add(1)) - 1
		if i < len(script) {
			script[i](w)
			return
		}
		writeOK(w, fmt.Sprintf("req-%d", i), applyUploadFields())
	})
}

func limitExceeded(w http.ResponseWriter) {
	writeAPIError(w, "req-throttled", "RequestLimitExceeded", "too many requests")
}

func plain500(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte("<html>upstream exploded</html>"))
}

func TestRetriesTransientFailuresThenSucceeds(t *testing.T) {
	t.Parallel()
	api := scripted(t,
		limitExceeded,
		plain500,
		func(w http.ResponseWriter) { dropConnection(t, w) },
		func(w http.ResponseWriter) {
			writeAPIError(w, "req-uu", "RequestLimitExceeded.UinLimitExceeded", "slow down")
		},
		func(w http.ResponseWriter) { writeAPIError(w, "req-ie", "InternalError", "oops") },
	)
	logger := &recordingLogger{}
	cfg := testConfig(t, api.URL())
	cfg.Logger = logger
	c := mustClient(t, cfg)
	waits := instantRetries(c)
	resp, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"})
	if err != nil {
		t.Fatalf("ApplyUpload: %v", err)
	}
	if resp.RequestID != "req-5" || len(api.Calls()) != 6 {
		t.Errorf("request id %s after %d calls, want req-5 after 6", resp.RequestID, len(api.Calls()))
	}
	// The two throttles wait for the limiter only; the three other failures back off in turn.
	want := []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second}
	if fmt.Sprint(*waits) != fmt.Sprint(want) {
		t.Errorf("backoff ceilings = %v, want %v", *waits, want)
	}
	if logger.count("WARN", "vod: retrying request") != 3 || logger.count("DEBUG", "vod: throttled, retrying at a lower rate") != 2 ||
		logger.count("DEBUG", "vod: sending request") != 6 || logger.count("INFO", "vod: request succeeded") != 1 {
		t.Errorf("log lines:\n%s", logger.text())
	}
	if !strings.Contains(logger.text(), "code:RequestLimitExceeded") || !strings.Contains(logger.text(), "request_id:req-throttled") ||
		!strings.Contains(logger.text(), "request_id:req-5") || !strings.Contains(logger.text(), "code:ClientError.ParseJsonError") ||
		!strings.Contains(logger.text(), "code:ClientError.NetworkError") {
		t.Errorf("retry log lacks codes or request ids:\n%s", logger.text())
	}
}

func TestBackoffIsCapped(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]time.Duration{1: 250 * time.Millisecond, 5: 4 * time.Second, 6: 8 * time.Second, 40: 8 * time.Second} {
		if got := backoffCeiling(n, defaultBackoffCap); got != want {
			t.Errorf("backoffCeiling(%d) = %v, want %v", n, got, want)
		}
	}
	for range 100 {
		if d := fullJitter(time.Second); d < 0 || d >= time.Second {
			t.Fatalf("fullJitter = %v", d)
		}
	}
}

func TestNoRetryOnFinalErrors(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"AuthFailure.SignatureFailure", "InvalidParameterValue.MediaType", "MissingParameter",
		"UnknownParameter", "UnauthorizedOperation", "ResourceNotFound.FileNotExist", "FailedOperation"} {
		t.Run(code, func(t *testing.T) {
			t.Parallel()
			api := scripted(t, func(w http.ResponseWriter) { writeAPIError(w, "req-final", code, "no") })
			c := mustClient(t, testConfig(t, api.URL()))
			waits := instantRetries(c)
			_, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"})
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Code != code || apiErr.RequestID != "req-final" {
				t.Fatalf("err = %v", err)
			}
			if len(api.Calls()) != 1 || len(*waits) != 0 {
				t.Errorf("calls %d waits %v, want exactly one attempt", len(api.Calls()), *waits)
			}
			want := fmt.Sprintf("ApplyUpload: [%s] no (RequestId: req-final)", code)
			if err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
		})
	}
}

func TestRetriesExhaustedReturnsLastError(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	api := newFakeAPI(t, nil, func(w http.ResponseWriter, _ *http.Request, _ apiCall) {
		writeAPIError(w, fmt.Sprintf("req-internal-%d", n.Add(1)), "InternalError", "try again")
	})
	two := int64(2)
	cfg := testConfig(t, api.URL())
	cfg.MaxRetries = &two
	c := mustClient(t, cfg)
	instantRetries(c)
	_, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "InternalError" || apiErr.RequestID != "req-internal-3" {
		t.Fatalf("err = %v, want the third attempt's error", err)
	}
	if len(api.Calls()) != 3 {
		t.Errorf("attempts = %d, want 1 + 2 retries", len(api.Calls()))
	}
}

// A throttled call did nothing, so it does not use up max_retries: it is retried, at the limiter's
// lowered rate, until the caller's deadline leaves no time for the next attempt.
func TestThrottlingIsRetriedUntilTheDeadlineNotMaxRetries(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	api := newFakeAPI(t, nil, func(w http.ResponseWriter, _ *http.Request, _ apiCall) {
		writeAPIError(w, fmt.Sprintf("req-throttled-%d", n.Add(1)), "RequestLimitExceeded", "too many requests")
	})
	one := int64(1)
	cfg := testConfig(t, api.URL())
	cfg.MaxRetries = &one
	c := mustClient(t, cfg)
	waits := instantRetries(c)
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.ApplyUpload(ctx, &ApplyUploadRequest{MediaType: "mp4"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "RequestLimitExceeded" || apiErr.RequestID != fmt.Sprintf("req-throttled-%d", n.Load()) {
		t.Fatalf("err = %v, want the last throttling answer", err)
	}
	if calls := len(api.Calls()); calls < 5 {
		t.Errorf("%d attempts, want throttling retried well past max_retries = 1", calls)
	}
	if len(*waits) != 0 {
		t.Errorf("throttling backed off %v; it should only wait for the limiter", *waits)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("the call took %v past its 600ms deadline", elapsed)
	}
}

// Without a deadline, throttling is retried until the retry budget runs out.
func TestThrottlingIsBoundedByTheRetryBudget(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, nil, func(w http.ResponseWriter, _ *http.Request, _ apiCall) { limitExceeded(w) })
	c := mustClient(t, testConfig(t, api.URL()))
	c.retryBudget = 300 * time.Millisecond
	start := time.Now()
	_, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"})
	if ErrorCode(err) != "RequestLimitExceeded" {
		t.Fatalf("err = %v, want the last throttling answer", err)
	}
	if calls := len(api.Calls()); calls < 3 {
		t.Errorf("%d attempts within the budget, want throttling retried", calls)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("the call took %v with a 300ms retry budget", elapsed)
	}
}

// With a deadline, throttling is retried until the deadline, past the retry budget: the deadline is the
// caller's own bound (an operation's timeout), and an API that throttles must not cut it short.
func TestThrottlingWithADeadlineOutlastsTheRetryBudget(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var last time.Time
	api := newFakeAPI(t, nil, func(w http.ResponseWriter, _ *http.Request, _ apiCall) {
		mu.Lock()
		last = time.Now()
		mu.Unlock()
		limitExceeded(w)
	})
	c := mustClient(t, testConfig(t, api.URL()))
	const budget = 100 * time.Millisecond
	c.retryBudget = budget
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.ApplyUpload(ctx, &ApplyUploadRequest{MediaType: "mp4"})
	if ErrorCode(err) != "RequestLimitExceeded" {
		t.Fatalf("err = %v, want the last throttling answer", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if retried := last.Sub(start); retried < 5*budget {
		t.Errorf("the last attempt was sent %v after the first; throttling stopped at the retry budget (%v), "+
			"not the deadline", retried, budget)
	}
}

// Without a deadline, throttling is retried within the retry budget; a throttle between other failures
// does not count against max_retries.
func TestThrottlingDoesNotCountAgainstMaxRetries(t *testing.T) {
	t.Parallel()
	api := scripted(t, plain500, limitExceeded, limitExceeded, limitExceeded)
	one := int64(1)
	cfg := testConfig(t, api.URL())
	cfg.MaxRetries = &one
	c := mustClient(t, cfg)
	instantRetries(c)
	if _, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"}); err != nil {
		t.Fatalf("ApplyUpload: %v", err)
	}
	if len(api.Calls()) != 5 {
		t.Errorf("attempts = %d, want 5 (one failure, three throttles, one success)", len(api.Calls()))
	}
}

func TestZeroMaxRetriesMeansOneAttempt(t *testing.T) {
	t.Parallel()
	api := scripted(t, plain500)
	zero := int64(0)
	cfg := testConfig(t, api.URL())
	cfg.MaxRetries = &zero
	c := mustClient(t, cfg)
	instantRetries(c)
	if _, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"}); ErrorCode(err) != CodeParseJSONError {
		t.Fatalf("err = %v", err)
	}
	if len(api.Calls()) != 1 {
		t.Errorf("attempts = %d", len(api.Calls()))
	}
}

// A reply that is not an API response is described by what it was: the HTTP status, the start of a
// body that is not JSON, and a request id when the reply has one. A JSON body is never quoted, since a
// truncated success body may hold temporary credentials.
func TestClientErrorCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		respond       func(w http.ResponseWriter)
		wantCode      string
		wantInMsg     []string
		wantRequestID string
	}{
		{"non-JSON 500", plain500, CodeParseJSONError, []string{"HTTP 500 Internal Server Error", `"<html>upstream exploded</html>"`}, ""},
		{"JSON 503", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{}`))
		}, CodeHTTPStatusCodeError, []string{"HTTP 503 Service Unavailable", "2 bytes of JSON"}, ""},
		{"dropped connection", nil, CodeNetworkError, []string{"no response"}, ""},
		{"200 garbage", func(w http.ResponseWriter) {
			_, _ = w.Write([]byte(`{"Response":{"RequestId":"req-cut-short","TempCertificate":{"SecretKey":"half-a-secret`))
		}, CodeParseJSONError, []string{"HTTP 200 OK", "JSON that is not a valid API response"}, "req-cut-short"},
		{"200 prefix before JSON", func(w http.ResponseWriter) {
			_, _ = w.Write([]byte(`)]}' {"Response":{"TempCertificate":{"SecretKey":"half-a-secret"}}}`))
		}, CodeParseJSONError, []string{"HTTP 200 OK", `: ")]}'"`}, ""},
		{"200 text with a request id header", func(w http.ResponseWriter) {
			w.Header().Set("X-TC-RequestId", "req-from-header")
			_, _ = w.Write([]byte("  upstream\nbusy\x00 " + strings.Repeat("x", 300)))
		}, CodeParseJSONError, []string{"HTTP 200 OK", `"upstream busy xxx`, `..."`}, "req-from-header"},
		{"200 empty", func(w http.ResponseWriter) {}, CodeParseJSONError, []string{"HTTP 200 OK with an empty body"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			respond := tt.respond
			api := newFakeAPI(t, nil, func(w http.ResponseWriter, _ *http.Request, _ apiCall) {
				if respond == nil {
					dropConnection(t, w)
					return
				}
				respond(w)
			})
			zero := int64(0)
			cfg := testConfig(t, api.URL())
			cfg.MaxRetries = &zero
			_, err := mustClient(t, cfg).ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"})
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Code != tt.wantCode {
				t.Fatalf("err = %v, want code %s", err, tt.wantCode)
			}
			for _, want := range tt.wantInMsg {
				if !strings.Contains(apiErr.Message, want) {
					t.Errorf("message %q lacks %q", apiErr.Message, want)
				}
			}
			if apiErr.RequestID != tt.wantRequestID {
				t.Errorf("request id = %q, want %q", apiErr.RequestID, tt.wantRequestID)
			}
			if strings.Contains(err.Error(), "half-a-secret") || strings.Contains(err.Error(), "\x00") {
				t.Errorf("error %q copies a JSON body or control characters", err)
			}
		})
	}
}

// A reply that is not JSON is retried for actions whose repeat changes nothing.
func TestUnreadableReplyIsRetriedForReads(t *testing.T) {
	t.Parallel()
	api := scripted(t, func(w http.ResponseWriter) { _, _ = w.Write([]byte("<html>maintenance</html>")) })
	c := mustClient(t, testConfig(t, api.URL()))
	waits := instantRetries(c)
	resp, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"})
	if err != nil || resp.RequestID != "req-1" {
		t.Fatalf("resp %v err %v, want the second attempt's answer", resp, err)
	}
	if len(*waits) != 1 {
		t.Errorf("waits = %v, want one backoff before the retry", *waits)
	}
}

func TestRetryableClassification(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  APIError
		want bool
	}{
		{APIError{Action: "CommitUpload", Code: "RequestLimitExceeded"}, true},
		// CommitUpload cannot commit one session twice, so it is retried like a safe action.
		{APIError{Action: "CommitUpload", Code: CodeNetworkError}, true},
		{APIError{Action: "CommitUpload", Code: "InternalError"}, true},
		{APIError{Action: "CommitUpload", Code: "InvalidParameterValue.VodSessionKey"}, false},
		{APIError{Action: "DeleteMedia", Code: CodeHTTPStatusCodeError, httpStatus: 502}, true},
		{APIError{Action: "ModifyMediaInfo", Code: CodeNetworkError}, true},
		{APIError{Action: "DeleteMedia", Code: "ResourceNotFound"}, false},
		// An action not known to be repeatable is retried only when it was refused before running.
		{APIError{Action: "ProcessMediaByProcedure", Code: CodeNetworkError}, false},
		{APIError{Action: "ProcessMediaByProcedure", Code: "InternalError"}, false},
		{APIError{Action: "ProcessMediaByProcedure", Code: "RequestLimitExceeded.UinLimitExceeded"}, true},
		{APIError{Action: "ApplyUpload", Code: CodeHTTPStatusCodeError, httpStatus: 429}, true},
		{APIError{Action: "ProcessMediaByProcedure", Code: CodeHTTPStatusCodeError, httpStatus: 429}, false},
		// With a SessionId, VOD refuses a repeated start instead of running it twice.
		{APIError{Action: "ProcessMediaByProcedure", Code: CodeNetworkError, deduplicated: true}, true},
		{APIError{Action: "ProcessMediaByProcedure", Code: "InternalError", deduplicated: true}, true},
		{APIError{Action: "ProcessMediaByProcedure", Code: "InvalidParameterValue.SessionId", deduplicated: true}, false},
		{APIError{Action: "ProcessMediaByProcedure", Code: CodeParseJSONError, httpStatus: 200, deduplicated: true}, false},
		// A class name is unique under its parent, so a repeated CreateClass is refused.
		{APIError{Action: "CreateClass", Code: CodeNetworkError}, true},
		{APIError{Action: "CreateClass", Code: "InternalError"}, true},
		{APIError{Action: "CreateClass", Code: "FailedOperation.ClassNameDuplicate"}, false},
		{APIError{Action: "ApplyUpload", Code: "InternalError.GetFileInfoError"}, true},
		{APIError{Action: "DescribeMediaInfos", Code: "ResourceUnavailable"}, true},
		{APIError{Action: "AssumeRole", Code: "ServiceUnavailable"}, true},
		{APIError{Action: "ApplyUpload", Code: CodeParseJSONError, httpStatus: 502}, true},
		// A reply that is not an API response may hide a success: repeated only when a repeat changes nothing.
		{APIError{Action: "ApplyUpload", Code: CodeParseJSONError, httpStatus: 200}, true},
		{APIError{Action: "DescribeMediaInfos", Code: CodeParseJSONError, httpStatus: 403}, true},
		{APIError{Action: "SearchMedia", Code: CodeParseJSONError, httpStatus: 200}, true},
		{APIError{Action: "CreateClass", Code: CodeParseJSONError, httpStatus: 200}, false},
		// A rename or a delete sets a state: doing it twice leaves the same state as once.
		{APIError{Action: "ModifyClass", Code: CodeNetworkError}, true},
		{APIError{Action: "ModifyClass", Code: "InternalError"}, true},
		{APIError{Action: "DeleteClass", Code: CodeNetworkError}, true},
		{APIError{Action: "DeleteClass", Code: CodeHTTPStatusCodeError, httpStatus: 503}, true},
		{APIError{Action: "DeleteClass", Code: "UnsupportedOperation.ClassNotEmpty"}, false},
		{APIError{Action: "ApplyUpload", Code: CodeHTTPStatusCodeError, httpStatus: 404}, false},
		{APIError{Action: "ApplyUpload", Code: "RequestLimitExceededX"}, false},
		{APIError{Action: "ApplyUpload", Code: "AuthFailure.SignatureExpire"}, false},
		{APIError{Action: "ApplyUpload", Code: "ResourceNotFound"}, false},
	}
	for _, tt := range tests {
		if got := retryable(&tt.err); got != tt.want {
			t.Errorf("retryable(%s %s %d) = %v, want %v", tt.err.Action, tt.err.Code, tt.err.httpStatus, got, tt.want)
		}
	}
}

func TestRetryStopsBeforeContextDeadline(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, nil, func(w http.ResponseWriter, _ *http.Request, _ apiCall) { plain500(w) })
	c := mustClient(t, testConfig(t, api.URL()))
	waits := instantRetries(c)
	ctx, cancel := context.WithTimeout(context.Background(), 900*time.Millisecond)
	defer cancel()
	_, err := c.ApplyUpload(ctx, &ApplyUploadRequest{MediaType: "mp4"})
	if ErrorCode(err) != CodeParseJSONError {
		t.Fatalf("err = %v", err)
	}
	// Ceilings 250ms and 500ms fit in 900ms; the 1s wait would pass the deadline.
	if len(*waits) != 2 || len(api.Calls()) != 3 {
		t.Errorf("waits %v calls %d, want 2 waits and 3 attempts", *waits, len(api.Calls()))
	}
}

func TestContextCancellationStopsTheCall(t *testing.T) {
	t.Parallel()
	api := newSilentAPI(t)
	c := mustClient(t, testConfig(t, api.URL()))
	waits := instantRetries(c)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.ApplyUpload(ctx, &ApplyUploadRequest{MediaType: "mp4"})
	if !errors.Is(err, context.Canceled) || ErrorCode(err) != CodeNetworkError {
		t.Fatalf("err = %v, want a network error wrapping context.Canceled", err)
	}
	if time.Since(start) > 5*time.Second || len(*waits) != 0 {
		t.Errorf("took %v with waits %v", time.Since(start), *waits)
	}
}

func TestRequestTimeoutIsRetried(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	api := newFakeAPI(t, nil, func(w http.ResponseWriter, r *http.Request, _ apiCall) {
		if n.Add(1) == 1 {
			<-r.Context().Done() // hang until the client gives up
			return
		}
		writeOK(w, "req-after-timeout", applyUploadFields())
	})
	cfg := testConfig(t, api.URL())
	cfg.RequestTimeout = 100 * time.Millisecond
	c := mustClient(t, cfg)
	instantRetries(c)
	resp, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"})
	if err != nil || resp.RequestID != "req-after-timeout" {
		t.Fatalf("resp %v err %v", resp, err)
	}
}

func TestRateLimitIsSharedAcrossCalls(t *testing.T) {
	t.Parallel()
	api := scripted(t)
	cfg := testConfig(t, api.URL())
	cfg.RateLimit = 50
	c := mustClient(t, cfg)
	start := time.Now()
	var wg sync.WaitGroup
	for range 60 {
		wg.Go(func() {
			if _, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// 60 calls at 50/s: a second's worth (50) at once, then 10 more 20ms apart.
	if elapsed := time.Since(start); elapsed < 180*time.Millisecond {
		t.Errorf("60 calls at 50/s took %v, want at least ~200ms", elapsed)
	}
}

func TestRateLimitWaitHonoursContext(t *testing.T) {
	t.Parallel()
	api := scripted(t)
	cfg := testConfig(t, api.URL())
	cfg.RateLimit = 0.5
	c := mustClient(t, cfg)
	if _, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.ApplyUpload(ctx, &ApplyUploadRequest{MediaType: "mp4"})
	if ErrorCode(err) != CodeRequestNotSent {
		t.Fatalf("err = %v, want %s", err, CodeRequestNotSent)
	}
	if len(api.Calls()) != 1 {
		t.Errorf("calls = %d", len(api.Calls()))
	}
}

func TestRequestHeaders(t *testing.T) {
	t.Parallel()
	api := scripted(t)
	cfg := testConfig(t, api.URL())
	cfg.UserAgent = "terraform-provider-tencentvod/1.2.3"
	cfg.Region = "ap-singapore"
	c := mustClient(t, cfg)
	if _, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"}); err != nil {
		t.Fatal(err)
	}
	call := api.Calls()[0]
	if call.Action != "ApplyUpload" || call.Service != "vod" || call.Version != "2018-07-17" || call.Region != "ap-singapore" ||
		call.Language != "en-US" || call.UserAgent != "terraform-provider-tencentvod/1.2.3" || !call.SignatureValid {
		t.Errorf("call = %+v", call)
	}
}

func TestLogsAndErrorsCarryNoSecrets(t *testing.T) {
	t.Parallel()
	secrets := []string{"explicit-secret-sentinel", "assumed-key", "assumed-token", "session-key-sentinel",
		"cos-secret-key-sentinel", "cos-token-sentinel", "policy-sentinel"}
	var n atomic.Int32
	api := newFakeAPI(t, nil, func(w http.ResponseWriter, _ *http.Request, call apiCall) {
		switch {
		case call.Action == "AssumeRole":
			writeOK(w, "req-sts", map[string]any{
				"Credentials": map[string]any{"TmpSecretId": "AKIDASSUMED", "TmpSecretKey": "assumed-key", "Token": "assumed-token"},
				"ExpiredTime": time.Now().Add(time.Hour).Unix(),
			})
		case n.Add(1) == 1:
			limitExceeded(w)
		case n.Load() == 2:
			writeOK(w, "req-vod", applyUploadFields())
		default:
			writeAPIError(w, "req-denied", "AuthFailure.SignatureFailure", "bad signature")
		}
	})
	logger := &recordingLogger{}
	cfg := testConfig(t, api.URL())
	cfg.SecretKey = "explicit-secret-sentinel"
	cfg.SecurityToken = "explicit-token-sentinel"
	secrets = append(secrets, cfg.SecurityToken)
	cfg.Logger = logger
	cfg.AssumeRole = &AssumeRoleConfig{RoleARN: "arn", SessionName: "s", Policy: `{"statement":"policy-sentinel"}`}
	c := mustClient(t, cfg)
	instantRetries(c)
	resp, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"})
	if err != nil {
		t.Fatal(err)
	}
	_, failure := c.ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"})
	if failure == nil {
		t.Fatal("second call should fail")
	}
	printed := strings.Join([]string{logger.text(), failure.Error(), fmt.Sprint(resp), fmt.Sprintf("%+v", *resp), fmt.Sprintf("%#v", resp.TempCertificate),
		fmt.Sprint(c.callCreds), fmt.Sprintf("%v", *c.baseCreds)}, "\n")
	for _, s := range secrets {
		if strings.Contains(printed, s) {
			t.Errorf("secret %q leaked into logs, errors or printed values:\n%s", s, printed)
		}
	}
	if logger.count("DEBUG", "vod: sending request") == 0 {
		t.Fatal("logger received nothing; the test would prove nothing")
	}
}
