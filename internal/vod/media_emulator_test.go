package vod_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator/objectstore"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// These tests drive the media lifecycle (upload, commit, describe, modify, delete) against the
// in-process emulator, including its object store's multipart upload and fault injection.

const mib = 1 << 20

var ecma = crc64.MakeTable(crc64.ECMA)

// session is an upload session opened against an emulator, ready to upload to.
type session struct {
	srv       *emulator.Server
	client    *vod.Client
	apply     *vod.ApplyUploadResponse
	bucketURL string
	key       string // media object key, without the leading "/"
}

func newSession(t *testing.T, cfgs ...func(*vod.Config)) *session {
	t.Helper()
	return openSession(t, startEmulator(t, emulator.Options{}), cfgs...)
}

// openSession opens an upload session against srv, with a client configured by cfgs.
func openSession(t *testing.T, srv *emulator.Server, cfgs ...func(*vod.Config)) *session {
	t.Helper()
	cfg := emulatorConfig(t, srv)
	cfg.SecretID, cfg.SecretKey = emulator.DefaultSecretID, emulator.DefaultSecretKey
	for _, f := range cfgs {
		f(&cfg)
	}
	c, err := vod.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	apply, err := c.ApplyUpload(context.Background(), &vod.ApplyUploadRequest{MediaType: "mp4", MediaName: "clip", SourceContext: "src-ctx"})
	if err != nil {
		t.Fatalf("ApplyUpload: %v", err)
	}
	bucketURL, err := c.BucketURL(apply.StorageBucket, apply.StorageRegion)
	if err != nil {
		t.Fatal(err)
	}
	return &session{srv: srv, client: c, apply: apply, bucketURL: bucketURL, key: strings.TrimPrefix(apply.MediaStoragePath, "/")}
}

func (s *session) upload(ctx context.Context, path string, opts vod.UploadOptions) (*vod.UploadResult, error) {
	return s.client.UploadFile(ctx, s.apply.TempCertificate, s.bucketURL, s.apply.MediaStoragePath, path, opts)
}

func (s *session) store() *objectstore.Store { return s.srv.ObjectStore() }

// assertNothingLeft checks that a failed upload left neither a pending multipart upload nor an object.
func (s *session) assertNothingLeft(t *testing.T) {
	t.Helper()
	if pending := s.store().PendingUploads(); len(pending) != 0 {
		t.Errorf("pending uploads = %+v, want the failed upload aborted", pending)
	}
	if _, ok := s.store().Stat(s.apply.StorageBucket, s.key); ok {
		t.Error("the object exists after a failed upload")
	}
}

// assertStored checks the stored object's bytes and the result against the file's content.
func (s *session) assertStored(t *testing.T, content []byte, result *vod.UploadResult, wantParts int) {
	t.Helper()
	stored, ok := s.srv.Object(s.apply.StorageBucket, s.key)
	if !ok || !bytes.Equal(stored, content) {
		t.Fatalf("stored object: %d bytes (exists %v), want the file's %d bytes", len(stored), ok, len(content))
	}
	if result.Size != int64(len(content)) || result.CRC64 != crc64.Checksum(content, ecma) || result.Parts != wantParts ||
		result.ETag == "" || result.Duration <= 0 {
		t.Errorf("result = %+v, want size %d crc %d parts %d", result, len(content), crc64.Checksum(content, ecma), wantParts)
	}
}

func writeRandomFile(t *testing.T, size int) (string, []byte) {
	t.Helper()
	content := make([]byte, size)
	rng := rand.NewChaCha8([32]byte{byte(size), byte(size >> 8), byte(size >> 16)})
	_, _ = rng.Read(content)
	path := filepath.Join(t.TempDir(), "media.mp4")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, content
}

func TestEmulatorMediaLifecycle(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	ctx := context.Background()
	path, content := writeRandomFile(t, 300<<10)
	result, err := s.upload(ctx, path, vod.UploadOptions{})
	if err != nil {
		t.Fatalf("UploadFile: %v", err)
	}
	s.assertStored(t, content, result, 0)

	committed, err := s.client.CommitUpload(ctx, &vod.CommitUploadRequest{VodSessionKey: s.apply.VodSessionKey})
	if err != nil {
		t.Fatalf("CommitUpload: %v", err)
	}
	if len(committed.FileID) != 19 || committed.MediaURL == "" || committed.RequestID == "" {
		t.Fatalf("commit = %+v", committed)
	}
	// The media URL serves what was uploaded.
	if got := httpGet(t, committed.MediaURL); !bytes.Equal(got, content) {
		t.Errorf("MediaUrl served %d bytes, want %d", len(got), len(content))
	}

	info, err := s.client.DescribeMedia(ctx, committed.FileID, nil)
	if err != nil {
		t.Fatalf("DescribeMedia: %v", err)
	}
	b, m := info.BasicInfo, info.MetaData
	if b == nil || m == nil || b.Name != "clip" || b.Type != "mp4" || b.MediaURL != committed.MediaURL || b.ExpireTime != vod.NeverExpires ||
		b.StoragePath != s.apply.MediaStoragePath || b.SourceInfo == nil || b.SourceInfo.SourceContext != "src-ctx" ||
		b.TagSet == nil || m.Size != int64(len(content)) || m.Container != "mp4" {
		t.Fatalf("media = %+v / %+v / %+v", info, b, m)
	}

	name, expire := "renamed", "2099-01-02T03:04:05Z"
	if _, err := s.client.ModifyMediaInfo(ctx, &vod.ModifyMediaInfoRequest{
		FileID: committed.FileID, Name: &name, ExpireTime: &expire, AddTags: []string{"a", "b"},
	}); err != nil {
		t.Fatalf("ModifyMediaInfo: %v", err)
	}
	info, err = s.client.DescribeMedia(ctx, committed.FileID, nil)
	if err != nil || info.BasicInfo.Name != "renamed" || info.BasicInfo.ExpireTime != expire || len(info.BasicInfo.TagSet) != 2 {
		t.Fatalf("after modify: %+v, %v", info.BasicInfo, err)
	}

	if err := s.client.DeleteMedia(ctx, &vod.DeleteMediaRequest{FileID: committed.FileID}); err != nil {
		t.Fatalf("DeleteMedia: %v", err)
	}
	if _, err := s.client.DescribeMedia(ctx, committed.FileID, nil); !errors.Is(err, vod.ErrMediaNotFound) {
		t.Errorf("DescribeMedia after delete: %v", err)
	}
	if err := s.client.DeleteMedia(ctx, &vod.DeleteMediaRequest{FileID: committed.FileID}); !errors.Is(err, vod.ErrMediaNotFound) {
		t.Errorf("second DeleteMedia: %v, want ErrMediaNotFound", err)
	}
	if _, err := s.client.ModifyMediaInfo(ctx, &vod.ModifyMediaInfoRequest{FileID: committed.FileID, Name: &name}); !errors.Is(err, vod.ErrMediaNotFound) {
		t.Errorf("ModifyMediaInfo after delete: %v, want ErrMediaNotFound", err)
	}
}

func httpGet(t *testing.T, target string) []byte {
	t.Helper()
	resp, err := http.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", target, resp.Status)
	}
	return buf.Bytes()
}

func TestEmulatorMediaRemovedOutOfBandIsNotFound(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	ctx := context.Background()
	path, _ := writeRandomFile(t, 1000)
	if _, err := s.upload(ctx, path, vod.UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	committed, err := s.client.CommitUpload(ctx, &vod.CommitUploadRequest{VodSessionKey: s.apply.VodSessionKey})
	if err != nil {
		t.Fatal(err)
	}
	if !s.srv.RemoveMedia(committed.FileID) {
		t.Fatal("RemoveMedia found nothing")
	}
	if _, err := s.client.DescribeMedia(ctx, committed.FileID, nil); !errors.Is(err, vod.ErrMediaNotFound) {
		t.Errorf("DescribeMedia: %v", err)
	}
	err = s.client.DeleteMedia(ctx, &vod.DeleteMediaRequest{FileID: committed.FileID})
	var apiErr *vod.APIError
	if !errors.Is(err, vod.ErrMediaNotFound) || !errors.As(err, &apiErr) || !apiErr.HasCode("ResourceNotFound") {
		t.Errorf("DeleteMedia: %v", err)
	}
}

func TestEmulatorUploadEmptyFile(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	path, content := writeRandomFile(t, 0)
	result, err := s.upload(context.Background(), path, vod.UploadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.assertStored(t, content, result, 0)
}

// lineLogger keeps every log line as "LEVEL msg map[fields]".
type lineLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *lineLogger) add(level, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %s %v", level, msg, fields))
}

func (l *lineLogger) Debug(_ context.Context, msg string, f map[string]any) { l.add("DEBUG", msg, f) }
func (l *lineLogger) Info(_ context.Context, msg string, f map[string]any)  { l.add("INFO", msg, f) }
func (l *lineLogger) Warn(_ context.Context, msg string, f map[string]any)  { l.add("WARN", msg, f) }

func (l *lineLogger) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func (l *lineLogger) count(level, msg string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range l.lines {
		if strings.HasPrefix(line, level+" "+msg+" ") {
			n++
		}
	}
	return n
}

// progressLog collects Progress callbacks.
type progressLog struct {
	mu    sync.Mutex
	calls []vod.UploadProgress
}

func (p *progressLog) record(u vod.UploadProgress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, u)
}

func TestEmulatorUploadMultipart(t *testing.T) {
	t.Parallel()
	logger := &lineLogger{}
	s := newSession(t, func(c *vod.Config) { c.Logger = logger })
	vod.SetProgressLogInterval(s.client, 20*time.Millisecond)
	// Slow every part down so the upload lasts long enough to log progress.
	s.store().InjectFault(objectstore.Fault{Method: http.MethodPut, Query: "partNumber", Latency: 30 * time.Millisecond})
	path, content := writeRandomFile(t, 3*mib+mib/2)
	progress := &progressLog{}
	result, err := s.upload(context.Background(), path, vod.UploadOptions{PartSize: mib, Concurrency: 2, Progress: progress.record})
	if err != nil {
		t.Fatalf("UploadFile: %v", err)
	}
	s.assertStored(t, content, result, 4)
	if pending := s.store().PendingUploads(); len(pending) != 0 {
		t.Errorf("pending uploads = %+v", pending)
	}

	calls := progress.calls
	if len(calls) != 5 || calls[0].Done != 0 || calls[4].Done != int64(len(content)) || calls[4].PartsDone != 4 {
		t.Fatalf("progress calls = %+v, want start + one per part", calls)
	}
	for i, c := range calls {
		if c.Key != s.key || c.Total != int64(len(content)) || c.Parts != 4 || (i > 0 && (c.Done < calls[i-1].Done || c.PartsDone != i)) {
			t.Errorf("progress call %d = %+v", i, c)
		}
	}

	text := logger.text()
	if logger.count("INFO", "vod: upload in progress") == 0 || logger.count("INFO", "vod: upload finished") != 1 {
		t.Errorf("log:\n%s", text)
	}
	for _, want := range []string{"key:" + s.key, fmt.Sprintf("bytes_total:%d", len(content)), "percent:100", "mib_per_s:"} {
		if !strings.Contains(text, want) {
			t.Errorf("log lacks %q:\n%s", want, text)
		}
	}
	cert := s.apply.TempCertificate
	for _, secret := range []string{cert.SecretKey, cert.Token, s.apply.VodSessionKey, "q-signature"} {
		if strings.Contains(text, secret) {
			t.Errorf("log contains a secret (%.8s...)", secret)
		}
	}
}

func TestEmulatorUploadPartFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fault   objectstore.Fault
		wantErr bool
	}{
		{"part 500 twice is retried", objectstore.Fault{PartNumber: 2, Times: 2, HTTPStatus: http.StatusInternalServerError}, false},
		{"connection dropped mid-part once", objectstore.Fault{PartNumber: 3, Times: 1, AfterBodyBytes: 300 << 10, DropConnection: true}, false},
		{"part 500 every time", objectstore.Fault{PartNumber: 2, HTTPStatus: http.StatusInternalServerError}, true},
		{"connection dropped mid-part every time", objectstore.Fault{PartNumber: 3, AfterBodyBytes: 300 << 10, DropConnection: true}, true},
		{"part refused", objectstore.Fault{PartNumber: 1, Times: 1, HTTPStatus: http.StatusForbidden, Code: "AccessDenied"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSession(t)
			vod.SetBackoffCap(s.client, 100*time.Millisecond)
			s.store().InjectFault(tt.fault)
			path, content := writeRandomFile(t, 4*mib)
			// Transient failures are retried until the deadline: a fault that never ends meets it.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			result, err := s.upload(ctx, path, vod.UploadOptions{PartSize: mib, Concurrency: 2})
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("UploadFile: %v", err)
				}
				s.assertStored(t, content, result, 4)
				return
			}
			if err == nil {
				t.Fatal("UploadFile succeeded despite the fault")
			}
			wantPart := fmt.Sprintf("part %d of 4", tt.fault.PartNumber)
			if !strings.Contains(err.Error(), s.key) || !strings.Contains(err.Error(), wantPart) {
				t.Errorf("error %q does not name the key and %q", err, wantPart)
			}
			if cert := s.apply.TempCertificate; strings.Contains(err.Error(), cert.SecretKey) || strings.Contains(err.Error(), cert.Token) {
				t.Error("the error contains the temporary credentials")
			}
			s.assertNothingLeft(t)
		})
	}
}

func TestEmulatorUploadSinglePutFailure(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	s.store().InjectFault(objectstore.Fault{Method: http.MethodPut, Times: 2, HTTPStatus: http.StatusServiceUnavailable})
	path, content := writeRandomFile(t, 200<<10)
	result, err := s.upload(context.Background(), path, vod.UploadOptions{})
	if err != nil {
		t.Fatalf("UploadFile after two 503s: %v", err)
	}
	s.assertStored(t, content, result, 0)

	// Two 503s, then a PUT that hangs until the deadline: the error still says what the store answered.
	s.store().InjectFault(objectstore.Fault{Method: http.MethodPut, HTTPStatus: http.StatusServiceUnavailable, Times: 2})
	s.store().InjectFault(objectstore.Fault{Method: http.MethodPut, Latency: time.Minute})
	vod.SetBackoffCap(s.client, 100*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = s.upload(ctx, path, vod.UploadOptions{})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "single PUT") || !strings.Contains(err.Error(), "HTTP 503") {
		t.Errorf("err = %v, want the deadline and the last 503", err)
	}
}

func TestEmulatorUploadCancelled(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	s.store().InjectFault(objectstore.Fault{Method: http.MethodPut, Query: "partNumber", Latency: time.Minute})
	path, _ := writeRandomFile(t, 3*mib)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	started := time.Now()
	_, err := s.upload(ctx, path, vod.UploadOptions{PartSize: mib})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if elapsed := time.Since(started); elapsed > 10*time.Second {
		t.Errorf("cancellation took %v", elapsed)
	}
	s.assertNothingLeft(t)
}

func TestEmulatorUploadFileChangedSize(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	path, _ := writeRandomFile(t, 3*mib)
	appendOnce := sync.OnceFunc(func() {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Error(err)
			return
		}
		_, _ = f.Write([]byte("more"))
		_ = f.Close()
	})
	_, err := s.upload(context.Background(), path, vod.UploadOptions{PartSize: mib, Concurrency: 1, Progress: func(p vod.UploadProgress) {
		if p.PartsDone == 1 {
			appendOnce()
		}
	}})
	if !errors.Is(err, vod.ErrFileChanged) || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want ErrFileChanged naming the file", err)
	}
	s.assertNothingLeft(t)
}

func TestEmulatorCommitUploadLostReply(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	path, _ := writeRandomFile(t, 1000)
	if _, err := s.upload(context.Background(), path, vod.UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	s.srv.InjectFault(emulator.Fault{Action: "CommitUpload", DropConnection: true, AfterDispatch: true, Times: 1})
	_, err := s.client.CommitUpload(context.Background(), &vod.CommitUploadRequest{VodSessionKey: s.apply.VodSessionKey})
	var unknown *vod.CommitOutcomeUnknownError
	if !errors.As(err, &unknown) || vod.ErrorCode(err) != "InvalidParameterValue.VodSessionKey" || len(unknown.RequestIDs) == 0 {
		t.Fatalf("err = %v, want *CommitOutcomeUnknownError", err)
	}
	if strings.Contains(err.Error(), s.apply.VodSessionKey) {
		t.Error("the error contains the session key")
	}
	// The lost attempt did create the file, exactly once.
	if media := s.srv.Media(); len(media) != 1 || media[0].SessionRequestID != s.apply.RequestID {
		t.Errorf("media = %+v, want the one file the lost attempt created", media)
	}
	if n := s.srv.Attempts("CommitUpload"); n != 2 {
		t.Errorf("attempts = %d, want 2", n)
	}
}

func TestEmulatorCommitUploadDroppedBeforeDispatchIsRetried(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	path, _ := writeRandomFile(t, 1000)
	if _, err := s.upload(context.Background(), path, vod.UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	s.srv.InjectFault(emulator.Fault{Action: "CommitUpload", DropConnection: true, Times: 1})
	committed, err := s.client.CommitUpload(context.Background(), &vod.CommitUploadRequest{VodSessionKey: s.apply.VodSessionKey})
	if err != nil {
		t.Fatalf("CommitUpload: %v", err)
	}
	if media := s.srv.Media(); len(media) != 1 || media[0].FileID != committed.FileID {
		t.Errorf("media = %+v", media)
	}
	if n := s.srv.Attempts("CommitUpload"); n != 2 {
		t.Errorf("attempts = %d, want 2", n)
	}
}

// loseReplies performs matching requests but answers them with a network error, lose times.
type loseReplies struct {
	next    http.RoundTripper
	matches func(*http.Request) bool
	mu      sync.Mutex
	lose    int
}

func (l *loseReplies) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(r)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil || l.lose == 0 || !l.matches(r) {
		return resp, err
	}
	l.lose--
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return nil, errors.New("connection reset (test: reply lost)")
}

func TestEmulatorUploadCompleteReplyLost(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	isComplete := func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Query().Has("uploadId") }
	vod.WrapTransport(s.client, func(next http.RoundTripper) http.RoundTripper {
		return &loseReplies{next: next, matches: isComplete, lose: 1}
	})
	path, content := writeRandomFile(t, 2*mib+1)
	// The SDK retries Complete, which finds no upload any more; the object itself shows it worked.
	result, err := s.upload(context.Background(), path, vod.UploadOptions{PartSize: mib})
	if err != nil {
		t.Fatalf("UploadFile: %v", err)
	}
	s.assertStored(t, content, result, 3)
	if pending := s.store().PendingUploads(); len(pending) != 0 {
		t.Errorf("pending uploads = %+v", pending)
	}
}

// tamperCRC changes the CRC-64 header of matching responses, as a corrupted assembly would.
type tamperCRC struct {
	next    http.RoundTripper
	matches func(*http.Request) bool
}

func (tc *tamperCRC) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := tc.next.RoundTrip(r)
	if err == nil && tc.matches(r) {
		resp.Header.Set("X-Cos-Hash-Crc64ecma", "12345")
	}
	return resp, err
}

func TestEmulatorUploadWholeObjectCRCMismatch(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	vod.WrapTransport(s.client, func(next http.RoundTripper) http.RoundTripper {
		return &tamperCRC{next: next, matches: func(r *http.Request) bool {
			return r.Method == http.MethodPost && r.URL.Query().Has("uploadId")
		}}
	})
	path, _ := writeRandomFile(t, 2*mib)
	_, err := s.upload(context.Background(), path, vod.UploadOptions{PartSize: mib})
	if err == nil || !strings.Contains(err.Error(), "failed verification") || !strings.Contains(err.Error(), "12345") {
		t.Fatalf("err = %v", err)
	}
	// The uploader tries to delete the corrupt object; the emulator has no DELETE for objects, and
	// the error must say so rather than claim the object is gone.
	if _, stored := s.store().Stat(s.apply.StorageBucket, s.key); stored != strings.Contains(err.Error(), "deleting the object also failed") {
		t.Errorf("object stored %v, but err = %v", stored, err)
	}
	if pending := s.store().PendingUploads(); len(pending) != 0 {
		t.Errorf("pending uploads = %+v", pending)
	}
}
