package vod

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// The API limits each action separately, per account: 100 calls per second for most actions, fewer for
// some. Several clients (concurrent Terraform runs, other tools) share those limits, so a client cannot
// know its share in advance. Like the AWS SDK's adaptive retry mode, every action gets a client-side token
// bucket whose rate drops when the API throttles and climbs back when it stops.
//
// The AWS SDK regrows the rate along a CUBIC curve whose constants suit long-running services: after a
// throttle it needs about five seconds to come back. A Terraform run opens its sessions in a few seconds,
// and the client that finishes last must take over the share of those that are done, so the rate here
// grows linearly (additive increase, multiplicative decrease) and is back at its ceiling within
// rateRecoveryTime of the last throttle. Half a second was chosen with the simulation in
// limiter_sim_test.go: a whole second left the last client too slow once the others had finished; a
// quarter second had 45% more calls refused for little gain.
const (
	// defaultActionRate is the documented limit of most actions, in calls per second.
	defaultActionRate = 100.0
	// throttleRateFactor is the share of its rate a bucket keeps when the API throttles (the AWS SDK's beta).
	throttleRateFactor = 0.7
	// minActionRate is the lowest a bucket's rate may drop to (the AWS SDK's minimum fill rate).
	minActionRate = 0.5
	// rateRecoveryTime is how long a bucket takes to climb from no rate at all back to its ceiling.
	rateRecoveryTime = 500 * time.Millisecond
)

// documentedActionRates are the per-second limits of the actions that allow fewer than defaultActionRate.
var documentedActionRates = map[string]float64{
	"ParseStreamingManifest": 20,
}

// actionCeiling is the most calls per second the client makes for action: the API's documented limit,
// lowered to the configured rate limit.
func actionCeiling(action string, configured float64) float64 {
	documented, ok := documentedActionRates[action]
	if !ok {
		documented = defaultActionRate
	}
	return math.Min(documented, configured)
}

// actionLimiters holds one adaptive bucket per action, created on first use.
type actionLimiters struct {
	configured float64 // the rate_limit setting, which caps every action

	mu       sync.Mutex
	byAction map[string]*adaptiveRate
}

func newActionLimiters(configured float64) *actionLimiters {
	return &actionLimiters{configured: configured, byAction: map[string]*adaptiveRate{}}
}

// forAction returns action's bucket. The first one starts full, so a client alone on the account may
// spend the second's worth of calls the API allows at once.
func (l *actionLimiters) forAction(action string) *adaptiveRate {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.byAction[action]
	if !ok {
		a = newAdaptiveRate(actionCeiling(action, l.configured))
		l.byAction[action] = a
	}
	return a
}

// adaptiveRate is one action's token bucket and the rule that moves its rate. Every method takes the
// time, so tests drive it with a fake clock.
type adaptiveRate struct {
	ceiling float64

	mu     sync.Mutex
	bucket *rate.Limiter
	// throttled is false until the first throttle. After one, the rate is floor plus linear growth since
	// lastDecrease, up to the ceiling.
	throttled    bool
	floor        float64
	lastDecrease time.Time
}

func newAdaptiveRate(ceiling float64) *adaptiveRate {
	return &adaptiveRate{ceiling: ceiling, bucket: rate.NewLimiter(rate.Limit(ceiling), fullBurst(ceiling))}
}

// fullBurst is one second's worth of calls: what the API's own bucket holds when it is full.
func fullBurst(r float64) int { return max(1, int(r)) }

// rateAt is the bucket's rate at now.
func (a *adaptiveRate) rateAt(now time.Time) float64 {
	if !a.throttled {
		return a.ceiling
	}
	regrown := a.floor + a.ceiling*now.Sub(a.lastDecrease).Seconds()/rateRecoveryTime.Seconds()
	return math.Min(a.ceiling, regrown)
}

// Rate reports the bucket's rate at now, in calls per second.
func (a *adaptiveRate) Rate(now time.Time) float64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.rateAt(now)
}

// reserve takes the next token and returns how long after now the call may be sent, and a function
// that gives the token back when the caller will not wait that long.
func (a *adaptiveRate) reserve(now time.Time) (time.Duration, func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.applyRate(now)
	r := a.bucket.ReserveN(now, 1)
	return r.DelayFrom(now), func() { r.CancelAt(now) }
}

// applyRate moves the bucket to the rate of now. While the rate is below its ceiling the bucket holds a
// single token, so calls are spaced evenly instead of sent in bursts the API would refuse.
func (a *adaptiveRate) applyRate(now time.Time) {
	r := a.rateAt(now)
	burst := 1
	if r >= a.ceiling {
		burst = fullBurst(r)
	}
	if a.bucket.Limit() != rate.Limit(r) {
		a.bucket.SetLimitAt(now, rate.Limit(r))
	}
	if a.bucket.Burst() != burst {
		a.bucket.SetBurstAt(now, burst)
	}
}

// throttledAt lowers the rate after the API throttled a call sent at sentAt. An answer to a call sent
// before the last decrease tells nothing new (that call left at the higher rate), so it is ignored:
// the rate drops once per round of calls, not once per refused call.
func (a *adaptiveRate) throttledAt(sentAt, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.throttled && sentAt.Before(a.lastDecrease) {
		return
	}
	a.floor = math.Max(minActionRate, throttleRateFactor*a.rateAt(now))
	a.throttled = true
	a.lastDecrease = now
	a.applyRate(now)
}
