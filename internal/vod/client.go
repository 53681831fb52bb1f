package vod

import (
	"context"
	"encoding/json"
	"errors"
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
	"golang.org/x/time/rate"
)

// Retry timing: full-jitter exponential backoff, each wait drawn from [0, min(cap, base*2^n)).
const (
	backoffBase = 250 * time.Millisecond
	backoffCap  = 8 * time.Second
	// retryBudget bounds the time one call may spend retrying even without a context deadline.
	retryBudget = 2 * time.Minute
)

type apiService struct {
	name, version string
}

var (
	vodService = apiService{name: "vod", version: "2018-07-17"}
	stsService = apiService{name: "sts", version: "2018-08-13"}
)

// Client calls VOD and STS. It is safe for concurrent use; all calls share one rate limiter, one
// connection pool and one credential cache.
type Client struct {
	settings  settings
	logger    Logger
	clock     func() time.Time
	getenv    func(string) string
	limiter   *rate.Limiter
	transport http.RoundTripper

	// sleep and jitter are replaced in tests to observe backoff without waiting.
	sleep  func(ctx context.Context, d time.Duration) error
	jitter func(ceiling time.Duration) time.Duration
	// progressLogInterval spaces UploadFile's progress log lines (0 = every 5 s); tests shorten it.
	progressLogInterval time.Duration
	// storeBackoffCap caps the wait between object-storage retries (0 = 8 s); tests shorten it.
	storeBackoffCap time.Duration

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
		limiter:   rate.NewLimiter(rate.Limit(s.rateLimit), 1),
		transport: &exchangeRecorder{next: newTransport()},
		sleep:     sleepContext,
		jitter:    fullJitter,
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

// backoffCeiling is the upper bound of the wait before retry number n (1-based).
func backoffCeiling(n int) time.Duration {
	if n > 10 {
		return backoffCap
	}
	return min(backoffCap, backoffBase*time.Duration(1<<(n-1)))
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

// call sends one action with retries, rate limiting and logging, and decodes the response into out.
func (c *Client) call(ctx context.Context, svc apiService, endpoint Endpoint, action string, params any, out apiResponse, creds credentialFunc) error {
	return c.callObserved(ctx, svc, endpoint, action, params, out, creds, nil)
}

// callObserved is call that also hands every failed attempt to observe (when not nil), so an action
// can reason about its earlier attempts once the last one has answered (see CommitUpload).
func (c *Client) callObserved(ctx context.Context, svc apiService, endpoint Endpoint, action string, params any, out apiResponse, creds credentialFunc, observe func(*APIError)) error {
	body, err := json.Marshal(params)
	if err != nil {
		return &APIError{Action: action, Code: "ClientError.InvalidParameter", Message: "cannot encode request: " + err.Error()}
	}
	// Durations and deadlines use the real clock: Config.Clock may be fixed in tests, while context
	// deadlines and the rate limiter always run on real time.
	started := time.Now()
	for attempt := 1; ; attempt++ {
		cred, err := creds(ctx)
		if err != nil {
			return err
		}
		if err := c.limiter.Wait(ctx); err != nil {
			return &APIError{Action: action, Code: CodeRequestNotSent, Message: "waiting for the client-side rate limit: " + err.Error(), cause: contextCause(ctx, err)}
		}
		c.logger.Debug(ctx, "vod: sending request", map[string]any{
			"action": action, "attempt": attempt, "region": c.settings.region, "endpoint": endpoint.Host,
		})
		apiErr := c.send(ctx, svc, endpoint, action, body, out, cred)
		if apiErr != nil && observe != nil {
			observe(apiErr)
		}
		if apiErr == nil {
			c.logger.Info(ctx, "vod: request succeeded", map[string]any{
				"action": action, "request_id": out.requestID(), "attempts": attempt,
				"duration_ms": time.Since(started).Milliseconds(),
			})
			return nil
		}
		wait, retry := c.nextWait(ctx, apiErr, attempt, started)
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

// nextWait decides whether to retry and how long to wait first. It gives up when the retries are
// used up, when the caller's context is done, or when the wait would end after the context's
// deadline or the retry budget.
func (c *Client) nextWait(ctx context.Context, apiErr *APIError, attempt int, started time.Time) (time.Duration, bool) {
	if ctx.Err() != nil || attempt > c.settings.maxRetries || !retryable(apiErr) {
		return 0, false
	}
	wait := c.jitter(backoffCeiling(attempt))
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
		return 0, false
	}
	if time.Since(started)+wait > retryBudget {
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

// httpExchange records the HTTP status of an attempt; the SDK's errors do not carry it.
type httpExchange struct {
	mu         sync.Mutex
	status     int
	statusText string
}

func (e *httpExchange) result() (int, string) {
	if e == nil {
		return 0, ""
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.status, e.statusText
}

type exchangeKey struct{}

type exchangeRecorder struct{ next http.RoundTripper }

func (r *exchangeRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if resp != nil {
		if exchange, ok := req.Context().Value(exchangeKey{}).(*httpExchange); ok {
			exchange.mu.Lock()
			exchange.status, exchange.statusText = resp.StatusCode, resp.Status
			exchange.mu.Unlock()
		}
	}
	return resp, err
}
