package emulator

import (
	"maps"
	"sync"
)

// Call is one API request that passed the envelope checks and authentication and was dispatched to its
// action handler (whatever the handler then answered).
type Call struct {
	Action    string
	Service   string // "vod" or "sts"
	Region    string // X-TC-Region, "" if absent
	SecretID  string
	Token     string // X-TC-Token, for tests only: never logged nor served by /_emulator/
	Params    map[string]any
	RequestID string
	// Code is the error code returned, "" on success.
	Code string
	// Language and UserAgent are the X-TC-Language and User-Agent headers, so that tests can check
	// what a client identifies itself as and which language it asks errors in.
	Language  string
	UserAgent string
}

// callLog records dispatched calls and counts every attempt per action, including requests that were
// rejected, faulted or rate limited before dispatch.
type callLog struct {
	mu       sync.Mutex
	calls    []Call
	attempts map[string]int
}

func newCallLog() *callLog { return &callLog{attempts: map[string]int{}} }

func (l *callLog) countAttempt(action string) {
	l.mu.Lock()
	l.attempts[action]++
	l.mu.Unlock()
}

func (l *callLog) record(c Call) {
	l.mu.Lock()
	l.calls = append(l.calls, c)
	l.mu.Unlock()
}

func (l *callLog) list(action string) []Call {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Call
	for _, c := range l.calls {
		if action == "" || c.Action == action {
			c.Params = maps.Clone(c.Params)
			out = append(out, c)
		}
	}
	return out
}

func (l *callLog) attemptCount(action string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if action == "" {
		total := 0
		for _, n := range l.attempts {
			total += n
		}
		return total
	}
	return l.attempts[action]
}
