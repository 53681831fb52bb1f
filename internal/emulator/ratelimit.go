package emulator

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// rateLimits enforces per-action request rates for the (single) emulated account with token buckets
// whose burst equals the rate, driven by Options.Clock. Like the real API, it limits every VOD action
// separately: Options.RateLimit each, or the action's documented lower limit. STS is not limited.
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

// documentedLimits are the VOD actions whose documented limit is below the usual 100 calls per second.
var documentedLimits = map[string]int{
	"ParseStreamingManifest": 20,
}

// limitOf is action's calls per second: Options.RateLimit, or the action's documented limit when lower.
func (l *rateLimits) limitOf(action string) int {
	if documented, ok := documentedLimits[action]; ok {
		return min(documented, l.perSec)
	}
	return l.perSec
}

// allow takes one token for a call of service's action at now, or returns RequestLimitExceeded.
func (l *rateLimits) allow(service, action string, now time.Time) *apiError {
	if l.perSec <= 0 || service != ServiceVOD {
		return nil
	}
	perSec := l.limitOf(action)
	l.mu.Lock()
	defer l.mu.Unlock()
	if second := now.Unix(); second != l.windowStart {
		l.windowStart = second
		clear(l.windowCount)
	}
	l.windowCount[action]++
	limiter, ok := l.limiters[action]
	if !ok {
		limiter = rate.NewLimiter(rate.Limit(perSec), perSec)
		l.limiters[action] = limiter
	}
	if limiter.AllowN(now, 1) {
		return nil
	}
	return newAPIError(CodeRequestLimitExceeded,
		"Your current request times equals to `%d` in a second, which exceeds the frequency limit `%d` for a second. "+
			"Please reduce the frequency of calls.", l.windowCount[action], perSec)
}
