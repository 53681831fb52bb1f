package vod

import (
	"container/heap"
	"math/rand/v2"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// sharedAccount simulates, on a fake clock, clients that each open sessions with 10 calls in flight
// (Terraform's default parallelism) through their own adaptive limiter, against one account whose API
// allows 100 calls per second with a bucket that starts full, 20 ms per call. Each client starts
// 300-600 ms late, as a Terraform run does. It returns the aggregate rate as a share of the API's limit
// (all sessions divided by the time until the last one opened) and how many calls the API refused.
func sharedAccount(clients, sessionsEach int, seed uint64) (share float64, refused int) {
	const inFlight, latency, apiRate = 10, 20 * time.Millisecond, 100
	rng := rand.New(rand.NewPCG(seed, 1))
	api := rate.NewLimiter(apiRate, apiRate)
	var events eventQueue
	var last time.Time
	for range clients {
		limiter, remaining := newAdaptiveRate(apiRate), sessionsEach
		var send, next func(now time.Time)
		next = func(now time.Time) {
			if remaining > 0 {
				remaining--
				send(now)
			}
		}
		send = func(now time.Time) {
			delay, _ := limiter.reserve(now)
			events.at(now.Add(delay), func(sent time.Time) {
				allowed := api.AllowN(sent.Add(latency/2), 1)
				answered := sent.Add(latency + time.Duration(rng.IntN(2000))*time.Microsecond)
				events.at(answered, func(now time.Time) {
					if !allowed {
						refused++
						limiter.throttledAt(sent, now)
						send(now)
						return
					}
					if now.After(last) {
						last = now
					}
					next(now)
				})
			})
		}
		start := t0.Add(time.Duration(300+rng.IntN(300)) * time.Millisecond)
		for range inFlight {
			events.at(start, next)
		}
	}
	api.AllowN(t0, 0) // the API's bucket is full at t0
	events.run()
	return float64(clients*sessionsEach) / last.Sub(t0).Seconds() / apiRate, refused
}

// Concurrent applies sharing one account keep its limit busy without hammering it: each run's
// aggregate stays at 0.9 of the limit or more (the bench's target) and refusals stay moderate; a single
// client, whose limiter matches the API's bucket, is refused a stray call at most.
func TestAdaptiveRateSharesTheAccountLimit(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ clients, sessions int }{{1, 300}, {3, 100}, {10, 30}} {
		lowest := 10.0
		for seed := range uint64(20) {
			share, refused := sharedAccount(tt.clients, tt.sessions, seed)
			lowest = min(lowest, share)
			if tt.clients == 1 && refused > 2 {
				t.Errorf("a single client was refused %d calls (seed %d)", refused, seed)
			}
			// Clients that did not slow down would be refused three to five times as often.
			if total := tt.clients * tt.sessions; refused > total*3/2 {
				t.Errorf("%d clients x %d sessions: %d calls refused (seed %d), want the limiters to back off", tt.clients, tt.sessions, refused, seed)
			}
		}
		if lowest < 0.9 {
			t.Errorf("%d clients x %d sessions: lowest aggregate %.2f of the limit over 20 runs, want at least 0.9", tt.clients, tt.sessions, lowest)
		}
	}
}

// eventQueue is a discrete-event scheduler: run calls each event's function at its time, in order.
type eventQueue []event

type event struct {
	when time.Time
	fn   func(now time.Time)
}

func (q *eventQueue) at(when time.Time, fn func(now time.Time)) { heap.Push(q, event{when, fn}) }

func (q *eventQueue) run() {
	for q.Len() > 0 {
		e := (*q)[0] // the earliest, by heap order
		heap.Pop(q)
		e.fn(e.when)
	}
}

func (q eventQueue) Len() int           { return len(q) }
func (q eventQueue) Less(i, j int) bool { return q[i].when.Before(q[j].when) }
func (q eventQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)        { *q = append(*q, x.(event)) } //nolint:forcetypeassert // container/heap's interface; at pushes only events
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}
