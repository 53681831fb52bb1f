package emulator

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// MetadataFaultAction is the Fault.Action that targets the CVM metadata service instead of an API
// action (Fault.Action "" matches API actions only).
const MetadataFaultAction = "CVMMetadata"

// Fault makes matching requests fail or slow down. Exactly one effect applies, in this order of
// precedence: DropConnection, HTTPStatus, NonJSONBody, Code. A fault with none of them only adds
// Latency (and waits at Hold) and then lets the request through.
type Fault struct {
	// Action is the X-TC-Action to match; "" matches every API action; MetadataFaultAction matches the
	// CVM metadata service.
	Action string
	// Times is how many requests the fault applies to; 0 means until ClearFaults.
	Times int
	// Code and Message are returned in a normal error envelope (HTTP 200).
	Code    string
	Message string
	// HTTPStatus, when set, answers with this status and a non-JSON HTML body, as a broken gateway does.
	HTTPStatus int
	// NonJSONBody, when set, is the whole reply, sent with HTTP 200: what a proxy's error page or a
	// truncated reply looks like to the client. With AfterDispatch the action has run first.
	NonJSONBody string
	// DropConnection closes the connection without any reply.
	DropConnection bool
	// Latency delays the request before the effect applies.
	Latency time.Duration
	// Hold, when set, holds the request (with AfterDispatch, its reply) back after Latency until the
	// gate is opened or the client gives up, so a test can act while the call is in flight.
	Hold *Gate
	// AfterDispatch applies the effect (and Latency) after the action has run instead of before, so that
	// the action's change happens but its reply is replaced: with DropConnection the client sees a lost
	// reply. It has no effect on MetadataFaultAction faults.
	AfterDispatch bool
}

type faultSet struct {
	mu     sync.Mutex
	faults []*activeFault
}

type activeFault struct {
	Fault
	remaining int // meaningful only when Times > 0
}

func (s *faultSet) add(f Fault) {
	s.mu.Lock()
	s.faults = append(s.faults, &activeFault{Fault: f, remaining: f.Times})
	s.mu.Unlock()
}

func (s *faultSet) clear() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

// take returns the first fault matching action and uses up one of its Times.
func (s *faultSet) take(action string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if !f.matches(action) {
			continue
		}
		if f.Times > 0 {
			f.remaining--
			if f.remaining == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
		}
		return f.Fault, true
	}
	return Fault{}, false
}

func (f *activeFault) matches(action string) bool {
	if f.Action == "" {
		return action != MetadataFaultAction
	}
	return f.Action == action
}

// describe names the fault's effect for the log.
func (f Fault) describe() string {
	if f.AfterDispatch {
		f.AfterDispatch = false
		return f.describe() + "-after-dispatch"
	}
	switch {
	case f.DropConnection:
		return "fault:dropped-connection"
	case f.HTTPStatus != 0:
		return fmt.Sprintf("fault:http-%d", f.HTTPStatus)
	case f.NonJSONBody != "":
		return "fault:non-json-reply"
	case f.Code == "":
		return "fault:delayed"
	default:
		return "fault:" + f.Code
	}
}

// applyFault performs the fault's effect. It reports whether the request was answered (or dropped) and
// must not be processed further.
func applyFault(w http.ResponseWriter, r *http.Request, f Fault, requestID string) (handled bool) {
	if !sleepContext(r.Context(), f.Latency) || !f.Hold.wait(r.Context()) {
		return true // the client gave up while we were slow; nothing left to answer
	}
	switch {
	case f.DropConnection:
		dropConnection(w)
		return true
	case f.HTTPStatus != 0:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.HTTPStatus)
		_, _ = fmt.Fprintf(w, "<html><head><title>%d %s</title></head><body><center><h1>%d %s</h1></center></body></html>\n",
			f.HTTPStatus, http.StatusText(f.HTTPStatus), f.HTTPStatus, http.StatusText(f.HTTPStatus))
		return true
	case f.NonJSONBody != "":
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, f.NonJSONBody)
		return true
	case f.Code != "":
		message := f.Message
		if message == "" {
			message = "Injected fault."
		}
		writeEnvelope(w, requestID, nil, &apiError{Code: ErrorCode(f.Code), Message: message})
		return true
	}
	return false
}

// dropConnection closes the TCP connection without writing a response, so the client sees EOF.
func dropConnection(w http.ResponseWriter) {
	hijacker, ok := w.(http.Hijacker)
	if !ok {
		// HTTP/2 or a test recorder: the closest we can get is aborting the handler.
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hijacker.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// sleepContext waits for d (real time, independent of Options.Clock) unless ctx ends first.
func sleepContext(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Gate holds the requests of a Fault with Hold until it is opened. Its zero value is not usable: make
// one with NewGate.
type Gate struct {
	arrived     chan struct{}
	arrivedOnce sync.Once
	open        chan struct{}
	openOnce    sync.Once
}

// NewGate returns a closed gate.
func NewGate() *Gate {
	return &Gate{arrived: make(chan struct{}), open: make(chan struct{})}
}

// Arrived is closed once a request has reached the gate (with AfterDispatch: once its action has run).
func (g *Gate) Arrived() <-chan struct{} { return g.arrived }

// Open lets every held request, and every later one, through. It may be called more than once.
func (g *Gate) Open() { g.openOnce.Do(func() { close(g.open) }) }

// wait blocks until the gate opens (true) or ctx ends (false). A nil gate does not wait.
func (g *Gate) wait(ctx context.Context) bool {
	if g == nil {
		return true
	}
	g.arrivedOnce.Do(func() { close(g.arrived) })
	select {
	case <-g.open:
		return true
	case <-ctx.Done():
		return false
	}
}
