package vod

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

// Retry timing of API calls and object-storage requests alike: full-jitter exponential backoff, as the
// AWS SDK's standard retryer does, each wait drawn from [0, min(cap, base*2^n)).
const (
	backoffBase       = 250 * time.Millisecond
	defaultBackoffCap = 8 * time.Second
	// defaultRetryBudget bounds the time one call may spend retrying: retries of other failures always,
	// throttled retries only when the context has no deadline (its deadline is then the caller's bound,
	// which a throttling API must not cut short).
	defaultRetryBudget = 2 * time.Minute
)

type apiService struct {
	name, version string
}

var (
	vodService = apiService{name: "vod", version: "2018-07-17"}
	stsService = apiService{name: "sts", version: "2018-08-13"}
)

// Client calls VOD and STS. It is safe for concurrent use; all calls share the per-action rate limiters,
// one connection pool and one credential cache.
type Client struct {
	settings  settings
	logger    Logger
	clock     func() time.Time
	getenv    func(string) string
	limiters  *actionLimiters
	transport http.RoundTripper

	// sleep and jitter are replaced in tests to observe backoff without waiting.
	sleep  func(ctx context.Context, d time.Duration) error
	jitter func(ceiling time.Duration) time.Duration
	// retryBudget is defaultRetryBudget; tests shorten it.
	retryBudget time.Duration
	// progressLogInterval spaces UploadFile's progress log lines (0 = every 5 s); tests shorten it.
	progressLogInterval time.Duration
	// backoffCap caps the wait between retries of API calls and object-storage requests alike
	// (0 = 8 s); tests shorten it.
	backoffCap time.Duration
	// taskPollInterval is the first wait between polls of a task (0 = 1 s); tests shorten it.
	taskPollInterval time.Duration

	credMu    sync.Mutex
	baseCreds *credentials // from the chain (config, environment, profile, CVM role)
	callCreds *credentials // what signs calls: baseCreds, or the assumed role's on top of them
}

// NewClient resolves and validates the settings; it does not contact the network or read
// credentials (except the profile's region when no region is configured).
func NewClient(cfg Config) (*Client, error) {
	s, err := resolveSettings(cfg)
	if err != nil {
		return nil, err
	}
	c := &Client{
		settings:  s,
		logger:    cfg.Logger,
		clock:     cfg.Clock,
		getenv:    cfg.Getenv,
		limiters:  newActionLimiters(s.rateLimit),
		transport: &exchangeRecorder{next: newTransport()},
		sleep:     sleepContext,
		jitter:    fullJitter,

		retryBudget: defaultRetryBudget,
	}
	if c.logger == nil {
		c.logger = nopLogger{}
	}
	if c.clock == nil {
		c.clock = time.Now
	}
	if c.getenv == nil {
		c.getenv = os.Getenv
	}
	return c, nil
}

// Region returns the resolved API region.
func (c *Client) Region() string { return c.settings.region }

// SubAppID returns the resolved default sub-application id, 0 when none is configured.
func (c *Client) SubAppID() uint64 { return c.settings.subAppID }

// Endpoint returns the resolved VOD API endpoint.
func (c *Client) Endpoint() Endpoint { return c.settings.vodEndpoint }

// STSEndpoint returns the resolved STS endpoint.
func (c *Client) STSEndpoint() Endpoint { return c.settings.stsEndpoint }

func newTransport() http.RoundTripper {
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return http.DefaultTransport // replaced by the embedding program; use it as it is
	}
	t = t.Clone()
	// Many upload sessions may be opened at once; keep their connections for reuse.
	t.MaxIdleConnsPerHost = 64
	t.IdleConnTimeout = 30 * time.Second
	return t
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func fullJitter(ceiling time.Duration) time.Duration {
	if ceiling <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(ceiling)))
}

// backoff is the ceiling of the wait before retry n (1-based) of an API call or an object-storage
// request.
func (c *Client) backoff(n int) time.Duration {
	if c.backoffCap <= 0 {
		return backoffCeiling(n, defaultBackoffCap)
	}
	return backoffCeiling(n, c.backoffCap)
}

// backoffCeiling is the upper bound of the wait before retry number n (1-based), at most limit.
func backoffCeiling(n int, limit time.Duration) time.Duration {
	if n > 20 { // past any limit, and a larger shift would overflow
		return limit
	}
	return min(limit, backoffBase<<(n-1))
}

type nopLogger struct{}

func (nopLogger) Debug(context.Context, string, map[string]any) {}
func (nopLogger) Info(context.Context, string, map[string]any)  {}
func (nopLogger) Warn(context.Context, string, map[string]any)  {}

// apiResponse is what every response envelope offers once decoded.
type apiResponse interface {
	tchttp.Response
	requestID() string
}

// envelope decodes {"Response": {...}}; T carries the action's fields and RequestId.
type envelope[T any] struct {
	tchttp.BaseResponse
	Response T `json:"Response"`
}

type hasRequestID interface{ getRequestID() string }

func (e *envelope[T]) requestID() string {
	if r, ok := any(&e.Response).(hasRequestID); ok {
		return r.getRequestID()
	}
	return ""
}

// rawRequest hands the SDK a body we marshalled ourselves: the SDK's generic request would
// round-trip it through map[string]any and float64, losing precision on large ids.
type rawRequest struct {
	*tchttp.BaseRequest
	body []byte
}

func (r *rawRequest) MarshalJSON() ([]byte, error) { return r.body, nil }

type credentialFunc func(ctx context.Context) (credentials, error)

// callVOD sends a VOD action with the client's credentials (see call) and returns its response.
func callVOD[T any](ctx context.Context, c *Client, action string, params any) (*T, error) {
	var resp envelope[T]
	if err := c.call(ctx, vodService, c.settings.vodEndpoint, action, params, &resp, c.credentialsFor); err != nil {
		return nil, err
	}
	return &resp.Response, nil
}

// call sends one action with retries, rate limiting and logging, and decodes the response into out.
func (c *Client) call(ctx context.Context, svc apiService, endpoint Endpoint, action string, params any, out apiResponse, creds credentialFunc) error {
	return c.callObserved(ctx, svc, endpoint, action, params, out, creds, nil)
}

// callObserved is call that also hands every failed attempt to observe (when not nil), so an action
// can reason about its earlier attempts once the last one has answered (see CommitUpload).
//
// Two kinds of failure are retried differently. A throttled call (RequestLimitExceeded) did nothing: it
// slows the action's limiter down and is sent again as soon as the limiter allows, for as long as the
// caller's deadline (or, without one, the retry budget) leaves time; it does not count against
// max_retries. Other transient failures count against max_retries and wait a jittered exponential
// backoff first.
func (c *Client) callObserved(ctx context.Context, svc apiService, endpoint Endpoint, action string, params any, out apiResponse, creds credentialFunc, observe func(*APIError)) error {
	body, err := json.Marshal(params)
	if err != nil {
		return &APIError{Action: action, Code: "ClientError.InvalidParameter", Message: "cannot encode request: " + err.Error()}
	}
	// Durations and deadlines use the real clock: Config.Clock may be fixed in tests, while context
	// deadlines and the rate limiters always run on real time.
	started := time.Now()
	limiter := c.limiters.forAction(action)
	deduplicated := isDeduplicated(params)
	var lastErr *APIError
	failures := 0
	for attempt := 1; ; attempt++ {
		cred, err := creds(ctx)
		if err != nil {
			return err
		}
		sentAt, err := c.waitForLimiter(ctx, limiter, action, started, lastErr)
		if err != nil {
			return err
		}
		c.logger.Debug(ctx, "vod: sending request", map[string]any{
			"action": action, "attempt": attempt, "region": c.settings.region, "endpoint": endpoint.Host,
		})
		apiErr := c.send(ctx, svc, endpoint, action, body, out, cred)
		if apiErr != nil {
			apiErr.deduplicated = deduplicated // retryable needs it
			if observe != nil {
				observe(apiErr)
			}
		}
		if apiErr == nil {
			c.logger.Info(ctx, "vod: request succeeded", map[string]any{
				"action": action, "request_id": out.requestID(), "attempts": attempt,
				"duration_ms": time.Since(started).Milliseconds(),
			})
			return nil
		}
		lastErr = apiErr
		if throttled(apiErr) {
			limiter.throttledAt(sentAt, time.Now())
			if retryable(apiErr) && ctx.Err() == nil {
				c.logger.Debug(ctx, "vod: throttled, retrying at a lower rate", map[string]any{
					"action": action, "attempt": attempt, "code": apiErr.Code, "request_id": apiErr.RequestID,
					"rate_per_second": math.Round(limiter.Rate(time.Now())*10) / 10,
				})
				continue
			}
		} else {
			failures++
		}
		wait, retry := c.nextWait(ctx, apiErr, failures, started)
		if !retry {
			c.logger.Debug(ctx, "vod: request failed", map[string]any{
				"action": action, "code": apiErr.Code, "request_id": apiErr.RequestID, "attempts": attempt,
			})
			return apiErr
		}
		c.logger.Warn(ctx, "vod: retrying request", map[string]any{
			"action": action, "attempt": attempt, "code": apiErr.Code, "request_id": apiErr.RequestID,
			"backoff_ms": wait.Milliseconds(),
		})
		if err := c.sleep(ctx, wait); err != nil {
			return apiErr
		}
	}
}

// waitForLimiter waits for the action's next token and returns when the call may be sent. It does not
// wait when the token would come after the context's deadline or, for a retry without a deadline, after
// the retry budget: it returns at once, with the throttling answer that caused the retry when there was
// one (it says more than "deadline exceeded"), else with ClientError.RequestNotSent.
func (c *Client) waitForLimiter(ctx context.Context, limiter *adaptiveRate, action string, started time.Time, lastErr *APIError) (time.Time, error) {
	now := time.Now()
	delay, giveBack := limiter.reserve(now)
	notSent := func(reason string, cause error) error {
		giveBack()
		// A deadline that ends the wait (the timer may fire late on a busy machine) leaves the throttling
		// answer as the best explanation; a cancellation is reported as such.
		if lastErr != nil && !errors.Is(ctx.Err(), context.Canceled) {
			return lastErr
		}
		return &APIError{Action: action, Code: CodeRequestNotSent, Message: reason, cause: cause}
	}
	deadline, hasDeadline := ctx.Deadline()
	if hasDeadline && deadline.Sub(now) < delay {
		return time.Time{}, notSent(fmt.Sprintf("the client-side rate limit would delay the call by %s, past the operation's deadline", delay.Round(time.Millisecond)), context.DeadlineExceeded)
	}
	if lastErr != nil && !hasDeadline && now.Add(delay).Sub(started) > c.retryBudget {
		return time.Time{}, notSent("the client-side rate limit would delay the retry past the retry budget", nil)
	}
	if delay > 0 {
		if err := sleepContext(ctx, delay); err != nil {
			return time.Time{}, notSent("waiting for the client-side rate limit: "+err.Error(), contextCause(ctx, err))
		}
	}
	return time.Now(), nil
}

// nextWait decides whether to retry a failure that is not throttling, and how long to wait first. It
// gives up when max_retries failures have been retried, when the caller's context is done, or when the
// wait would end after the context's deadline or the retry budget.
func (c *Client) nextWait(ctx context.Context, apiErr *APIError, failures int, started time.Time) (time.Duration, bool) {
	if ctx.Err() != nil || failures > c.settings.maxRetries || !retryable(apiErr) {
		return 0, false
	}
	wait := c.jitter(c.backoff(failures))
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
		return 0, false
	}
	if time.Since(started)+wait > c.retryBudget {
		return 0, false
	}
	return wait, true
}

// send makes one signed attempt through the SDK's common client.
func (c *Client) send(ctx context.Context, svc apiService, endpoint Endpoint, action string, body []byte, out apiResponse, cred credentials) *APIError {
	attemptCtx, cancel := context.WithTimeout(ctx, c.settings.requestTimeout)
	defer cancel()
	exchange := &httpExchange{}
	attemptCtx = context.WithValue(attemptCtx, exchangeKey{}, exchange)

	prof := profile.NewClientProfile()
	prof.Language = "en-US"
	prof.DisableRegionBreaker = true
	// Retries are ours; the SDK's would sleep without honouring the context or the rate limit.
	prof.NetworkFailureMaxRetries = 0
	prof.RateLimitExceededMaxRetries = 0
	prof.HttpProfile.Endpoint = endpoint.Host
	prof.HttpProfile.Scheme = strings.ToUpper(endpoint.Scheme)
	// The SDK takes whole seconds; the attempt context enforces the exact timeout.
	prof.HttpProfile.ReqTimeout = int(math.Ceil(c.settings.requestTimeout.Seconds()))

	sdk := common.NewCommonClient(common.NewTokenCredential(cred.secretID, cred.secretKey, cred.token), c.settings.region, prof).
		WithHttpTransport(c.transport)

	req := &rawRequest{BaseRequest: &tchttp.BaseRequest{}, body: body}
	req.Init().WithApiInfo(svc.name, svc.version, action)
	req.SetContext(attemptCtx)
	if c.settings.userAgent != "" {
		// The SDK copies request headers onto the HTTP request after signing its own set.
		req.SetHeader(map[string]string{"User-Agent": c.settings.userAgent})
	}
	if err := sdk.Send(req, out); err != nil {
		apiErr := toAPIError(action, err, exchange)
		if apiErr.Code == CodeNetworkError && ctx.Err() != nil {
			apiErr.cause = contextCause(ctx, apiErr.cause)
		}
		return apiErr
	}
	return nil
}

// contextCause makes errors.Is(err, context.Canceled/DeadlineExceeded) work when the caller's
// context ended, whatever the transport reported.
func contextCause(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		return errors.Join(ctxErr, err)
	}
	return err
}

// httpExchange records what an attempt's HTTP exchange returned: the SDK's errors carry neither the
// status nor the body, and a reply that is not an API response is described from them.
type httpExchange struct {
	mu         sync.Mutex
	status     int
	statusText string
	requestID  string // the X-TC-RequestId header, when the reply has one
	body       bodyRecorder
}

// reply is what the exchange saw of the response.
type reply struct {
	status     int
	statusText string
	requestID  string
	head       []byte // the first bytes of the body
	size       int64  // the bytes of the body read in all
}

func (e *httpExchange) result() reply {
	if e == nil {
		return reply{}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return reply{status: e.status, statusText: e.statusText, requestID: e.requestID, head: e.body.head(), size: e.body.size()}
}

type exchangeKey struct{}

type exchangeRecorder struct{ next http.RoundTripper }

func (r *exchangeRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if resp != nil {
		if exchange, ok := req.Context().Value(exchangeKey{}).(*httpExchange); ok {
			exchange.mu.Lock()
			exchange.status, exchange.statusText = resp.StatusCode, resp.Status
			exchange.requestID = resp.Header.Get("X-TC-RequestId")
			exchange.mu.Unlock()
			exchange.body.source = resp.Body
			resp.Body = &exchange.body
		}
	}
	return resp, err
}

// bodyHeadSize is how much of a reply's body is kept to describe a reply that is not an API response.
const bodyHeadSize = 512

// bodyRecorder passes a response body through and keeps its first bodyHeadSize bytes.
type bodyRecorder struct {
	source io.ReadCloser

	mu    sync.Mutex
	kept  []byte
	total int64
}

func (b *bodyRecorder) Read(p []byte) (int, error) {
	n, err := b.source.Read(p)
	b.mu.Lock()
	if room := bodyHeadSize - len(b.kept); room > 0 {
		b.kept = append(b.kept, p[:min(n, room)]...)
	}
	b.total += int64(n)
	b.mu.Unlock()
	return n, err
}

func (b *bodyRecorder) Close() error { return b.source.Close() }

func (b *bodyRecorder) head() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.kept
}

func (b *bodyRecorder) size() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.total
}
