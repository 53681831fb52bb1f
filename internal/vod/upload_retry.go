package vod

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Object-storage retries wait as API calls do (Client.backoff, fullJitter). Unlike the AWS SDK's
// standard retryer, they are bounded by time, not by a count: a multi-GiB upload is worth waiting out
// a network blip or a store outage for, as long as the caller's context (the create timeout) and the
// session's temporary credentials last. Nothing else could finish the upload: the credentials cannot
// be renewed, and a new session starts from zero.
const (
	// abortBudget bounds the retries of an abort, which runs after the upload failed or was cancelled
	// and so must not hold the caller for long (CI runners kill a job seconds after interrupting it).
	abortBudget = 30 * time.Second
	// interruptedAbortBudget bounds them after an interrupt instead: CI runners follow their interrupt
	// with SIGTERM about 7.5 s later, which makes Terraform exit at once, and the error naming an upload
	// that could not be aborted must reach the user before that.
	interruptedAbortBudget = 5 * time.Second
	// expirySkew: a 403 this close to the credentials' expiry is taken for the expiry, since the
	// store's clock and ours differ a little.
	expirySkew = 5 * time.Second
)

// retry runs attempt until it succeeds or fails for good. It returns at once on a permanent failure
// (see isTransient) and when ctx ends (with ctx's error joined to the last failure); before a wait that
// would reach the credentials' expiry it returns a *CredentialsExpiredError, as it does when the store
// refuses a request because the credentials have expired. attempt must return errors made by
// storeError.
func (u *upload) retry(ctx context.Context, op string, attempt func() error) error {
	started := u.client.clock()
	var lastFailure error // what the store last answered, kept when ctx ends an attempt
	for n := 1; ; n++ {
		err := attempt()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil && lastFailure != nil && !isTransient(err) {
			err = lastFailure // the attempt only says that ctx ended; contextCause adds that below
		}
		lastFailure = err
		if u.expiredBy(err) {
			return u.expired(err)
		}
		if !isTransient(err) || ctx.Err() != nil {
			return contextCause(ctx, withAttempts(err, n, u.client.clock().Sub(started)))
		}
		wait := u.client.jitter(u.client.backoff(n))
		if !u.client.clock().Add(wait).Before(u.expires) {
			return u.expired(withAttempts(err, n, u.client.clock().Sub(started)))
		}
		u.retries.Add(1)
		u.logRetry(ctx, op, n, err, wait)
		if sleepErr := u.client.sleep(ctx, wait); sleepErr != nil {
			return contextCause(ctx, withAttempts(err, n, u.client.clock().Sub(started)))
		}
	}
}

// logRetry logs a retry: the first of a request at Info, so that a long outage does not look like a
// hang, the others at Debug.
func (u *upload) logRetry(ctx context.Context, op string, attempt int, err error, wait time.Duration) {
	fields := map[string]any{
		"key": u.key, "operation": op, "attempt": attempt, "error": err.Error(), "backoff_ms": wait.Milliseconds(),
	}
	if attempt > 1 {
		u.client.logger.Debug(ctx, "vod: retrying object-storage request", fields)
		return
	}
	fields["retry_until"] = u.retryUntil(ctx).UTC().Format(time.RFC3339)
	u.client.logger.Info(ctx, "vod: object-storage request failed, retrying", fields)
}

// retryUntil is when retries stop at the latest: the context's deadline or the credentials' expiry.
func (u *upload) retryUntil(ctx context.Context) time.Time {
	if deadline, ok := ctx.Deadline(); ok && deadline.Before(u.expires) {
		return deadline
	}
	return u.expires
}

// withAttempts adds how long a failing request was retried to its error.
func withAttempts(err error, attempts int, elapsed time.Duration) error {
	if attempts <= 1 {
		return err
	}
	return fmt.Errorf("%w (after %d attempts over %s)", err, attempts, elapsed.Round(100*time.Millisecond))
}

// expiredBy tells whether the store refused a request because the session's credentials expired: a
// 403 (AccessDenied, ExpiredToken, ...) once the expiry has come.
func (u *upload) expiredBy(err error) bool {
	return isStatus(err, http.StatusForbidden) && !u.client.clock().Add(expirySkew).Before(u.expires)
}

func (u *upload) expired(cause error) error {
	var already *CredentialsExpiredError
	if errors.As(cause, &already) {
		return cause
	}
	return &CredentialsExpiredError{Key: u.key, Expired: u.expires, Elapsed: u.client.clock().Sub(u.started), Cause: cause}
}
