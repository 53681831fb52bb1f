package objectstore

import (
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Fault makes matching requests misbehave, before authentication, the way a
// flaky network or an overloaded COS front end would.
type Fault struct {
	// Method matches the HTTP method ("" = any), e.g. "PUT".
	Method string
	// KeySuffix matches the end of the decoded object key ("" = any).
	KeySuffix string
	// Query requires a query parameter with this name (case-insensitive, ""
	// = none required), e.g. "partNumber" to hit only multipart parts.
	Query string
	// PartNumber, when positive, matches only UploadPart requests for that
	// part (partNumber=N), e.g. to fail part 2 of an upload.
	PartNumber int
	// Times is how many requests the fault affects; 0 = until ClearFaults
	// (or until For has passed).
	Times int
	// For, when positive, ends the fault that long after InjectFault: with
	// DropConnection or HTTPStatus and no other condition, an outage of the
	// whole store for a time window, after which it recovers by itself.
	For time.Duration

	// Latency delays the request; alone it only slows the request down.
	Latency time.Duration
	// AfterBodyBytes reads this much of the request body (at most all of it)
	// before failing, so a drop happens mid-upload.
	AfterBodyBytes int64
	// DropConnection closes the connection without any reply.
	DropConnection bool
	// DropReply handles the request as usual (a part is stored, an upload
	// initiated) and then closes the connection without the reply, as when
	// the network fails on the way back.
	DropReply bool
	// HTTPStatus replies with this status and a COS error body
	// (Code/Message default from the status, e.g. 500 InternalError).
	HTTPStatus int
	Code       string
	Message    string
}

// InjectFault adds a fault; faults are tried in the order they were added
// and the first match wins.
func (s *Store) InjectFault(f Fault) {
	s.faultsMu.Lock()
	defer s.faultsMu.Unlock()
	s.faults = append(s.faults, &injectedFault{Fault: f, until: deadlineAfter(f.For)})
}

// Outage makes every object-store request fail for d, from now: with a
// status (e.g. 503) it answers that error, with status 0 it resets the
// connection without a reply. It then recovers by itself.
func (s *Store) Outage(d time.Duration, status int) {
	s.InjectFault(Fault{For: d, HTTPStatus: status, DropConnection: status == 0})
}

// injectedFault is a Fault with the end of its time window (zero = none).
type injectedFault struct {
	Fault
	until time.Time
}

// deadlineAfter is now + d by the wall clock, since a fault's window is
// real time even when the store runs on a test clock; zero when d <= 0.
func deadlineAfter(d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return time.Now().Add(d)
}

func (f *injectedFault) over(now time.Time) bool { return !f.until.IsZero() && !now.Before(f.until) }

// ClearFaults removes every fault.
func (s *Store) ClearFaults() {
	s.faultsMu.Lock()
	defer s.faultsMu.Unlock()
	s.faults = nil
}

func (f *Fault) matches(r *http.Request) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
		return false
	}
	if !strings.HasSuffix(strings.TrimPrefix(r.URL.Path, "/"), f.KeySuffix) {
		return false
	}
	if f.Query == "" && f.PartNumber <= 0 {
		return true
	}
	query, _ := parseQuery(r.URL.RawQuery)
	if f.Query != "" {
		if _, ok := queryValue(query, f.Query); !ok {
			return false
		}
	}
	if f.PartNumber > 0 {
		raw, ok := queryValue(query, paramPartNumber)
		if n, err := strconv.Atoi(raw); !ok || err != nil || n != f.PartNumber {
			return false
		}
	}
	return true
}

// takeFault returns a copy of the first matching fault and uses up one of
// its Times. Faults whose window is over are dropped first.
func (s *Store) takeFault(r *http.Request) (Fault, bool) {
	s.faultsMu.Lock()
	defer s.faultsMu.Unlock()
	now := time.Now()
	s.faults = slices.DeleteFunc(s.faults, func(f *injectedFault) bool { return f.over(now) })
	for i, f := range s.faults {
		if !f.matches(r) {
			continue
		}
		taken := f.Fault
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return taken, true
	}
	return Fault{}, false
}

// applyFault acts out a matching fault; it reports whether the request has
// been answered (or abandoned) and must not be handled further.
func (s *Store) applyFault(w http.ResponseWriter, r *http.Request, ids requestIDs) bool {
	f, ok := s.takeFault(r)
	if !ok {
		return false
	}
	if f.Latency > 0 {
		timer := time.NewTimer(f.Latency)
		select {
		case <-timer.C:
		case <-r.Context().Done():
			timer.Stop()
			return true
		}
	}
	if f.DropReply {
		s.write(discardReply{header: http.Header{}}, r, s.handle(r), ids)
		dropConnection(w)
		return true
	}
	if !f.DropConnection && f.HTTPStatus == 0 {
		return false
	}
	if f.AfterBodyBytes > 0 {
		_, _ = io.CopyN(io.Discard, r.Body, f.AfterBodyBytes)
	}
	if f.DropConnection {
		dropConnection(w)
		return true
	}
	e := &cosError{code: ErrorCode(f.Code), status: f.HTTPStatus, message: f.Message}
	if e.code == "" {
		e.code = codeForStatus(f.HTTPStatus)
	}
	if e.message == "" {
		e.message = "Injected fault: " + http.StatusText(f.HTTPStatus)
	}
	writeError(w, r, e, ids)
	return true
}

// discardReply is a ResponseWriter that throws the reply away.
type discardReply struct{ header http.Header }

func (d discardReply) Header() http.Header         { return d.header }
func (d discardReply) Write(b []byte) (int, error) { return len(b), nil }
func (d discardReply) WriteHeader(int)             {}

// dropConnection closes the client's connection with no reply. Hijacking
// works through wrappers that implement Unwrap; if it is impossible
// (HTTP/2), aborting the handler makes net/http reset the stream instead.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}
