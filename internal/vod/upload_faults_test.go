package vod_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator/objectstore"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// These tests put the uploader through the object store's bad days: outages of a few seconds, replies
// lost on the way back, credentials that run out, aborts that cannot get through. Files are small and
// outages short; the bench runs a 2 GiB upload through a 30-second outage.

// newSessionWith opens a session against an emulator started with opts, with the waits between
// object-storage retries capped low, so that an upload resumes soon after an outage ends.
func newSessionWith(t *testing.T, opts emulator.Options) *session {
	t.Helper()
	s := openSession(t, startEmulator(t, opts))
	vod.SetBackoffCap(s.client, 300*time.Millisecond)
	return s
}

// requestCounter counts the object-storage requests the client sends, by method.
type requestCounter struct {
	next http.RoundTripper
	mu   sync.Mutex
	byOp map[string]int
}

func countRequests(c *vod.Client) *requestCounter {
	rc := &requestCounter{byOp: map[string]int{}}
	vod.WrapTransport(c, func(next http.RoundTripper) http.RoundTripper {
		rc.next = next
		return rc
	})
	return rc
}

func (rc *requestCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	rc.mu.Lock()
	rc.byOp[r.Method]++
	rc.mu.Unlock()
	return rc.next.RoundTrip(r)
}

func (rc *requestCounter) count(method string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.byOp[method]
}

// outageAfterParts starts an outage of the object store once `after` parts are stored.
func outageAfterParts(s *session, after int, d time.Duration, status int) func(vod.UploadProgress) {
	var started atomic.Bool
	return func(p vod.UploadProgress) {
		if p.PartsDone >= after && started.CompareAndSwap(false, true) {
			s.store().Outage(d, status)
		}
	}
}

func TestEmulatorUploadSurvivesOutage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		status int
	}{
		{"connection resets", 0},
		{"503 answers", http.StatusServiceUnavailable},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSessionWith(t, emulator.Options{})
			path, content := writeRandomFile(t, 6*mib)
			started := time.Now()
			result, err := s.upload(context.Background(), path, vod.UploadOptions{
				PartSize: mib, Concurrency: 2, Progress: outageAfterParts(s, 2, 2*time.Second, tt.status),
			})
			if err != nil {
				t.Fatalf("UploadFile through a 2 s outage: %v", err)
			}
			s.assertStored(t, content, result, 6)
			if pending := s.store().PendingUploads(); len(pending) != 0 {
				t.Errorf("pending uploads = %+v", pending)
			}
			if n := s.store().PartsStored(); n != 6 {
				t.Errorf("the store received %d part bodies, want each of the 6 parts once", n)
			}
			if result.Retries == 0 {
				t.Error("result.Retries = 0: the outage was not met")
			}
			if elapsed := time.Since(started); elapsed < 2*time.Second {
				t.Errorf("the upload took %v, less than the outage", elapsed)
			}
		})
	}
}

func TestEmulatorUploadPartReplyLostIsNotResent(t *testing.T) {
	t.Parallel()
	s := newSessionWith(t, emulator.Options{})
	// Part 3 is stored, but its reply never arrives.
	s.store().InjectFault(objectstore.Fault{PartNumber: 3, DropReply: true, Times: 1})
	path, content := writeRandomFile(t, 4*mib+100)
	result, err := s.upload(context.Background(), path, vod.UploadOptions{PartSize: mib, Concurrency: 2})
	if err != nil {
		t.Fatalf("UploadFile: %v", err)
	}
	s.assertStored(t, content, result, 5)
	if n := s.store().PartsStored(); n != 5 || result.PartsFoundStored != 1 {
		t.Errorf("store received %d part bodies, %d found stored; want 5 and 1 (part 3 found, not resent)", n, result.PartsFoundStored)
	}
}

func TestEmulatorUploadInitiateReplyLostLeavesNoStray(t *testing.T) {
	t.Parallel()
	s := newSessionWith(t, emulator.Options{})
	// The first InitiateMultipartUpload creates an upload whose id never reaches the client.
	s.store().InjectFault(objectstore.Fault{Method: http.MethodPost, Query: "uploads", DropReply: true, Times: 1})
	path, content := writeRandomFile(t, 2*mib)
	result, err := s.upload(context.Background(), path, vod.UploadOptions{PartSize: mib})
	if err != nil {
		t.Fatalf("UploadFile: %v", err)
	}
	s.assertStored(t, content, result, 2)
	if pending := s.store().PendingUploads(); len(pending) != 0 {
		t.Errorf("pending uploads = %+v, want the upload of the lost reply aborted", pending)
	}
}

func TestEmulatorUploadAbortRetriedThroughOutage(t *testing.T) {
	t.Parallel()
	t.Run("after a permanent failure", func(t *testing.T) {
		t.Parallel()
		s := newSessionWith(t, emulator.Options{})
		requests := countRequests(s.client)
		s.store().InjectFault(objectstore.Fault{PartNumber: 2, HTTPStatus: http.StatusBadRequest, Code: "InvalidDigest", Times: 1})
		// Aborts fail for the next 2 seconds.
		s.store().InjectFault(objectstore.Fault{Method: http.MethodDelete, DropConnection: true, For: 2 * time.Second})
		path, _ := writeRandomFile(t, 3*mib)
		_, err := s.upload(context.Background(), path, vod.UploadOptions{PartSize: mib, Concurrency: 1})
		if err == nil || !strings.Contains(err.Error(), "InvalidDigest") || errors.Is(err, vod.ErrAbortFailed) {
			t.Fatalf("err = %v, want the part's InvalidDigest and a successful abort", err)
		}
		s.assertNothingLeft(t)
		if n := requests.count(http.MethodDelete); n < 2 {
			t.Errorf("%d abort requests, want the abort retried through the outage", n)
		}
	})
	t.Run("after cancellation", func(t *testing.T) {
		t.Parallel()
		s := newSessionWith(t, emulator.Options{})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var once sync.Once
		path, _ := writeRandomFile(t, 4*mib)
		_, err := s.upload(ctx, path, vod.UploadOptions{PartSize: mib, Concurrency: 1, Progress: func(p vod.UploadProgress) {
			if p.PartsDone == 1 {
				once.Do(func() {
					s.store().Outage(2*time.Second, 0)
					time.AfterFunc(200*time.Millisecond, cancel) // cancelled during the outage
				})
			}
		}})
		if !errors.Is(err, context.Canceled) || errors.Is(err, vod.ErrAbortFailed) {
			t.Fatalf("err = %v, want context.Canceled and a successful abort", err)
		}
		s.assertNothingLeft(t)
	})
}

// After an interrupt, an abort that keeps failing gives up within seconds, not the 30 s it may take
// otherwise: a CI runner sends SIGTERM about 7.5 s after its interrupt, and Terraform then exits at once,
// so the error naming the pending upload must come before that.
func TestEmulatorUploadAbortAfterInterruptGivesUpSoon(t *testing.T) {
	t.Parallel()
	s := newSessionWith(t, emulator.Options{})
	s.store().InjectFault(objectstore.Fault{Method: http.MethodDelete, HTTPStatus: http.StatusServiceUnavailable})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var interrupted atomic.Int64
	path, _ := writeRandomFile(t, 4*mib)
	_, err := s.upload(ctx, path, vod.UploadOptions{PartSize: mib, Concurrency: 1, Progress: func(p vod.UploadProgress) {
		if p.PartsDone == 1 && interrupted.CompareAndSwap(0, time.Now().UnixNano()) {
			cancel()
		}
	}})
	if !errors.Is(err, vod.ErrAbortFailed) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want the interrupt and an abort that failed", err)
	}
	if took := time.Since(time.Unix(0, interrupted.Load())); took > 20*time.Second {
		t.Errorf("the upload returned %s after the interrupt; the abort must give up within seconds", took.Round(time.Second))
	}
	if pending := s.store().PendingUploads(); len(pending) != 1 || !strings.Contains(err.Error(), pending[0].UploadID) {
		t.Errorf("pending uploads %+v; the error must name the one left: %v", pending, err)
	}
}

func TestEmulatorUploadAbortImpossibleNamesTheUpload(t *testing.T) {
	t.Parallel()
	// The credentials last 4 s: the abort is retried until they are about to expire.
	s := newSessionWith(t, emulator.Options{SessionTTL: 4 * time.Second})
	s.store().InjectFault(objectstore.Fault{PartNumber: 2, HTTPStatus: http.StatusBadRequest, Code: "InvalidDigest", Times: 1})
	s.store().InjectFault(objectstore.Fault{Method: http.MethodDelete, HTTPStatus: http.StatusServiceUnavailable})
	path, _ := writeRandomFile(t, 3*mib)
	_, err := s.upload(context.Background(), path, vod.UploadOptions{PartSize: mib, Concurrency: 1})
	var abortErr *vod.AbortFailedError
	if !errors.As(err, &abortErr) || !errors.Is(err, vod.ErrAbortFailed) {
		t.Fatalf("err = %v, want *AbortFailedError", err)
	}
	pending := s.store().PendingUploads()
	if len(pending) != 1 {
		t.Fatalf("pending uploads = %+v, want the one that could not be aborted", pending)
	}
	until := s.apply.TempCertificate.Expires().UTC().Format(time.RFC3339)
	for _, want := range []string{
		"InvalidDigest", "HTTP 503", pending[0].UploadID, s.apply.StorageBucket, s.key,
		"only this upload session's temporary credentials can abort it",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	// The abort is retried until the credentials are about to expire; on a busy machine they may have
	// expired by the time the error is written, which then says so.
	if !strings.Contains(err.Error(), "until they expire at "+until) && !strings.Contains(err.Error(), "they expired at "+until) {
		t.Errorf("error names no expiry of %s:\n%v", until, err)
	}
}

func TestEmulatorUploadCredentialsExpire(t *testing.T) {
	t.Parallel()
	s := newSessionWith(t, emulator.Options{SessionTTL: 3 * time.Second})
	// Each part takes 0.7 s: six parts one at a time outlast the credentials.
	s.store().InjectFault(objectstore.Fault{Method: http.MethodPut, Query: "partNumber", Latency: 700 * time.Millisecond})
	path, _ := writeRandomFile(t, 6*mib)
	_, err := s.upload(context.Background(), path, vod.UploadOptions{PartSize: mib, Concurrency: 1})
	var expired *vod.CredentialsExpiredError
	if !errors.As(err, &expired) || !errors.Is(err, vod.ErrCredentialsExpired) {
		t.Fatalf("err = %v, want *CredentialsExpiredError", err)
	}
	at := s.apply.TempCertificate.Expires().UTC().Format(time.RFC3339)
	for _, want := range []string{
		"temporary credentials run out at " + at, "needed longer", "faster link", "fewer, larger parts", "AccessDenied",
		// The abort fails for the same reason, and nothing else could abort the upload.
		"they expired at " + at + ", so nothing can abort it any more",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestEmulatorUploadErrorsHaveNoSDKNoise(t *testing.T) {
	t.Parallel()
	s := newSessionWith(t, emulator.Options{})
	s.store().InjectFault(objectstore.Fault{Method: http.MethodPut, HTTPStatus: http.StatusForbidden, Code: "AccessDenied", Message: "Access Denied."})
	path, _ := writeRandomFile(t, 1000)
	_, err := s.upload(context.Background(), path, vod.UploadOptions{})
	var storeErr *vod.StoreError
	if !errors.As(err, &storeErr) || storeErr.RequestID == "" {
		t.Fatalf("err = %v, want a *StoreError with a RequestId", err)
	}
	for _, want := range []string{"PutObject", s.key, "HTTP 403 AccessDenied: Access Denied.", "RequestId: " + storeErr.RequestID} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	assertNoSDKNoise(t, err)

	// Without an answer, the SDK's error would start with its note that it cannot measure the body.
	s.store().ClearFaults()
	s.store().InjectFault(objectstore.Fault{Method: http.MethodPut, DropConnection: true})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = s.upload(ctx, path, vod.UploadOptions{})
	if !errors.As(err, &storeErr) || !strings.Contains(err.Error(), "PutObject of "+`"`+s.key+`": no answer from object storage`) {
		t.Fatalf("err = %v, want a *StoreError without an answer", err)
	}
	assertNoSDKNoise(t, err)
}

func assertNoSDKNoise(t *testing.T, err error) {
	t.Helper()
	for _, noise := range []string{"reader", "http://", "TraceId"} {
		if strings.Contains(err.Error(), noise) {
			t.Errorf("error has SDK noise %q: %v", noise, err)
		}
	}
}

func TestEmulatorUploadRefusesFIFOAtOnce(t *testing.T) {
	t.Parallel()
	s := newSessionWith(t, emulator.Options{})
	fifo := filepath.Join(t.TempDir(), "pipe.mp4")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.upload(context.Background(), fifo, vod.UploadOptions{})
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "named pipe (FIFO)") || !strings.Contains(err.Error(), fifo) {
			t.Fatalf("err = %v, want a FIFO named as such", err)
		}
	case <-time.After(10 * time.Second):
		// Unblock the open so the goroutine can end, then fail.
		if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			w.Close()
		}
		t.Fatal("UploadFile blocked on a FIFO")
	}
}

// A store that refuses to list multipart uploads leaves the stray of a lost InitiateMultipartUpload
// reply to its own cleanup: the upload itself must still succeed, and the log says what was left.
func TestEmulatorUploadStrayListingRefusedStillUploads(t *testing.T) {
	t.Parallel()
	logger := &lineLogger{}
	s := newSession(t, func(c *vod.Config) { c.Logger = logger })
	s.store().InjectFault(objectstore.Fault{Method: http.MethodPost, Query: "uploads", DropReply: true, Times: 1})
	s.store().InjectFault(objectstore.Fault{Method: http.MethodGet, Query: "uploads", HTTPStatus: http.StatusForbidden, Code: "AccessDenied"})
	path, content := writeRandomFile(t, 2*mib)
	result, err := s.upload(context.Background(), path, vod.UploadOptions{PartSize: mib})
	if err != nil {
		t.Fatalf("UploadFile: %v", err)
	}
	s.assertStored(t, content, result, 2)
	if pending := s.store().PendingUploads(); len(pending) != 1 {
		t.Errorf("pending uploads = %+v, want the stray of the lost reply, which could not be listed", pending)
	}
	if logger.count("WARN", "vod: could not look for multipart uploads left by a lost reply") != 1 {
		t.Errorf("log lacks the warning about the unlisted strays:\n%s", logger.text())
	}
}
