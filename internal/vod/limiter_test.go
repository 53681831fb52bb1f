package vod

import (
	"math"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func near(got, want float64) bool { return math.Abs(got-want) < 1e-6 }

func TestAdaptiveRateDropsOnThrottleOncePerRound(t *testing.T) {
	t.Parallel()
	a := newAdaptiveRate(100)
	if got := a.Rate(t0); got != 100 {
		t.Fatalf("fresh rate = %v, want the ceiling 100", got)
	}
	a.throttledAt(t0, t0)
	first := throttleRateFactor * 100
	if got := a.Rate(t0); !near(got, first) {
		t.Fatalf("rate after a throttle = %v, want %v", got, first)
	}
	// Calls sent before the decrease were sent at the old rate: their refusals say nothing new.
	for range 10 {
		a.throttledAt(t0.Add(-time.Millisecond), t0.Add(5*time.Millisecond))
	}
	if got, want := a.Rate(t0.Add(5*time.Millisecond)), first+100*0.005/rateRecoveryTime.Seconds(); !near(got, want) {
		t.Fatalf("rate after stale throttles = %v, want %v (regrowing, not lowered again)", got, want)
	}
	// A call sent after the decrease and refused again lowers it again.
	sent := t0.Add(10 * time.Millisecond)
	a.throttledAt(sent, sent)
	regrown := first + 100*0.010/rateRecoveryTime.Seconds()
	if got, want := a.Rate(sent), throttleRateFactor*regrown; !near(got, want) {
		t.Fatalf("rate after a second round = %v, want %v", got, want)
	}
}

func TestAdaptiveRateRecoversWhenThrottlingStops(t *testing.T) {
	t.Parallel()
	a := newAdaptiveRate(100)
	a.throttledAt(t0, t0)
	low := a.Rate(t0)
	tenth := t0.Add(rateRecoveryTime / 10)
	if got, want := a.Rate(tenth), low+10; !near(got, want) {
		t.Errorf("rate a tenth of the recovery time later = %v, want %v", got, want)
	}
	if got := a.Rate(t0.Add(rateRecoveryTime)); got != 100 {
		t.Errorf("rate after the recovery time = %v, want the ceiling 100", got)
	}
	if got := a.Rate(t0.Add(time.Hour)); got != 100 {
		t.Errorf("rate much later = %v, want no more than the ceiling", got)
	}
}

func TestAdaptiveRateNeverDropsBelowItsFloor(t *testing.T) {
	t.Parallel()
	a := newAdaptiveRate(100)
	now := t0
	for range 100 {
		a.throttledAt(now, now)
		now = now.Add(time.Nanosecond)
	}
	if got := a.Rate(now); got < minActionRate || got > minActionRate+0.01 {
		t.Errorf("rate after 100 rounds of throttling = %v, want the floor %v", got, minActionRate)
	}
}

// reserveDelays reserves n tokens at the same instant and returns each one's delay.
func reserveDelays(a *adaptiveRate, now time.Time, n int) []time.Duration {
	delays := make([]time.Duration, n)
	for i := range delays {
		delays[i], _ = a.reserve(now)
	}
	return delays
}

func TestAdaptiveRateBurstsOnlyUntilThrottled(t *testing.T) {
	t.Parallel()
	a := newAdaptiveRate(100)
	delays := reserveDelays(a, t0, 101)
	for i, d := range delays[:100] {
		if d != 0 {
			t.Fatalf("call %d of a fresh bucket waits %v, want a second's worth (100) at once", i, d)
		}
	}
	if delays[100] != 10*time.Millisecond {
		t.Errorf("call 101 waits %v, want 10ms at 100/s", delays[100])
	}

	// Throttled: one token at a time, spaced at the lower rate.
	b := newAdaptiveRate(100)
	b.throttledAt(t0, t0)
	lowered := throttleRateFactor * 100.0
	spacing := time.Duration(float64(time.Second) / lowered)
	for i, d := range reserveDelays(b, t0, 3) {
		if want := time.Duration(i) * spacing; d < want-time.Microsecond || d > want+time.Microsecond {
			t.Errorf("throttled call %d waits %v, want %v", i, d, want)
		}
	}
}

func TestAdaptiveRateGivesBackUnusedTokens(t *testing.T) {
	t.Parallel()
	a := newAdaptiveRate(1)
	if d, _ := a.reserve(t0); d != 0 {
		t.Fatalf("first call waits %v", d)
	}
	d, giveBack := a.reserve(t0)
	if d != time.Second {
		t.Fatalf("second call waits %v, want 1s", d)
	}
	giveBack()
	if d, _ := a.reserve(t0); d != time.Second {
		t.Errorf("after a token was given back the next call waits %v, want 1s again", d)
	}
}

func TestActionLimitersAreIndependentAndCapped(t *testing.T) {
	t.Parallel()
	l := newActionLimiters(1000)
	l.forAction("ApplyUpload").throttledAt(t0, t0)
	if got := l.forAction("ApplyUpload").Rate(t0); got >= defaultActionRate {
		t.Errorf("ApplyUpload rate = %v after a throttle", got)
	}
	if got := l.forAction("DescribeMediaInfos").Rate(t0); got != defaultActionRate {
		t.Errorf("DescribeMediaInfos rate = %v, want %v: another action's throttling must not slow it", got, defaultActionRate)
	}
	if got := l.forAction("ParseStreamingManifest").Rate(t0); got != 20 {
		t.Errorf("ParseStreamingManifest rate = %v, want its documented 20/s", got)
	}

	capped := newActionLimiters(30)
	for action, want := range map[string]float64{"ApplyUpload": 30, "CommitUpload": 30, "ParseStreamingManifest": 20} {
		if got := capped.forAction(action).Rate(t0); got != want {
			t.Errorf("with rate_limit 30, %s rate = %v, want %v", action, got, want)
		}
	}
	a := capped.forAction("ApplyUpload")
	a.throttledAt(t0, t0)
	if got := a.Rate(t0.Add(time.Hour)); got != 30 {
		t.Errorf("recovered rate = %v, want the configured cap 30", got)
	}
}
