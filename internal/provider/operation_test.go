package provider

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// A task wait cut short because the client would not send a poll past the deadline reads as the timeout
// running out, like a wait whose context ended; other failures are not mistaken for it.
func TestOperationWaitEndedBecause(t *testing.T) {
	op := operation{name: "create", timeout: time.Minute}
	running := context.Background()
	cutShort := fmt.Errorf("task 1 still PROCESSING after 59s: %w", context.DeadlineExceeded)
	if got, want := op.waitEndedBecause(running, cutShort), "the create timeout (1m0s) ran out"; got != want {
		t.Errorf("cut short by the limiter: %q, want %q", got, want)
	}
	if got := op.waitEndedBecause(running, errors.New("[ResourceNotFound] no such task")); got != "" {
		t.Errorf("another failure: %q, want none", got)
	}
	interrupted, cancel := context.WithCancel(context.Background())
	cancel()
	if got := op.waitEndedBecause(interrupted, context.Canceled); got != op.endedBecause(interrupted) || got == "" {
		t.Errorf("interrupted: %q, want the interrupt reported", got)
	}
}
