package emulator

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// rateLimits enforces per-action request rates for the (single) emulated account with token buckets
// whose burst equals the rate, driven by Options.Clock.
type rateLimits struct {
	mu       sync.Mutex
	perSec   int // <= 0: unlimited
	limiters map[string]*rate.Limiter
	// window counts requests in the current second for the error message, which on the real gateway
	// reports the observed rate.
	windowStart int64
	windowCount map[string]int
}

func newRateLimits(perSecond int) *rateLimits {
	return &rateLimits{perSec: perSecond, limiters: map[string]*rate.Limiter{}, windowCount: map[string]int{}}
}

// allow takes one token for action at now, or returns RequestLimitExceeded.
func (l *rateLimits) allow(action string, now time.Time) *apiError {
	if l.perSec <= 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if second := now.Unix(); second != l.windowStart {
		l.windowStart = second
		clear(l.windowCount)
	}
	l.windowCount[action]++
	limiter, ok := l.limiters[action]
	if !ok {
		limiter = rate.NewLimiter(rate.Limit(l.perSec), l.perSec)
		l.limiters[action] = limiter
	}
	if limiter.AllowN(now, 1) {
		return nil
	}
	return newAPIError(CodeRequestLimitExceeded,
		"Your current request times equals to `%d` in a second, which exceeds the frequency limit `%d` for a second. "+
			"Please reduce the frequency of calls.", l.windowCount[action], l.perSec)
}
