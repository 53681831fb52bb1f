package vod

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	cos "github.com/tencentyun/cos-go-sdk-v5"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/crc64ecma"
)

// Object-storage limits (COS multipart upload rules) and the uploader's defaults.
const (
	MiB = int64(1) << 20

	// DefaultPartSize balances request overhead against the memory and retry cost of a part: each
	// part in flight is streamed from disk, and a failed part is resent whole.
	DefaultPartSize = 8 * MiB
	// DefaultUploadConcurrency is how many parts are sent at once.
	DefaultUploadConcurrency = 4

	minPartSize     = 1 * MiB // COS refuses smaller parts other than the last (EntityTooSmall)
	maxPartSize     = 5 << 30 // 5 GiB, COS's limit for a part and for a single PUT
	maxParts        = 10000
	maxSinglePut    = maxPartSize
	maxConcurrency  = 64
	abortTimeout    = 30 * time.Second // an abort runs after ctx may be done, on its own clock
	crcHeader       = "x-cos-hash-crc64ecma"
	defaultLogEvery = 5 * time.Second
)

// ErrFileChanged matches (errors.Is) the error UploadFile returns when the file's size or
// modification time changed while it was being uploaded.
var ErrFileChanged = errors.New("changed during the upload")

// UploadOptions tunes UploadFile. Zero values take the defaults.
type UploadOptions struct {
	// PartSize is the multipart part size (default DefaultPartSize, at least 1 MiB, at most 5 GiB).
	// It is raised, in whole MiB, when the file would otherwise need more than 10000 parts.
	PartSize int64
	// Concurrency is how many parts are sent at once (default DefaultUploadConcurrency, at most 64).
	Concurrency int
	// MultipartThreshold: files smaller than this go as one PUT, others as a multipart upload.
	// The default is the part size, so a file that fits in one part is sent in one request, and a
	// larger one gets part-level retries and parallelism. It is capped at 5 GiB, the PUT limit.
	MultipartThreshold int64
	// Progress, when set, is called when the upload starts and after each part (or the single PUT)
	// is stored. Calls are serialised; Done only grows.
	Progress func(UploadProgress)
}

// UploadProgress is a snapshot of an upload. Parts is 0 for a single PUT.
type UploadProgress struct {
	Key       string
	Done      int64
	Total     int64
	Parts     int
	PartsDone int
}

// UploadResult describes the stored object.
type UploadResult struct {
	Size     int64
	CRC64    uint64 // CRC-64/ECMA of the object, as verified against the server's x-cos-hash-crc64ecma
	ETag     string
	Parts    int // 0 = single PUT
	Duration time.Duration
}

// uploadPlan is UploadOptions resolved for one file.
type uploadPlan struct {
	size        int64
	partSize    int64
	parts       int // 0 = single PUT
	concurrency int
}

// planUpload applies the defaults and limits of UploadOptions to a file of size bytes.
func planUpload(size int64, opts UploadOptions) (uploadPlan, error) {
	partSize := opts.PartSize
	switch {
	case partSize == 0:
		partSize = DefaultPartSize
	case partSize < minPartSize || partSize > maxPartSize:
		return uploadPlan{}, fmt.Errorf("part size %d is outside 1 MiB .. 5 GiB", partSize)
	}
	// Grow the part size so the file fits in maxParts parts, in whole MiB.
	if need := ceilDiv(size, maxParts); need > partSize {
		partSize = ceilDiv(need, MiB) * MiB
	}
	if partSize > maxPartSize {
		return uploadPlan{}, fmt.Errorf("file of %d bytes is too large for %d parts of at most 5 GiB", size, maxParts)
	}
	concurrency := opts.Concurrency
	switch {
	case concurrency == 0:
		concurrency = DefaultUploadConcurrency
	case concurrency < 0 || concurrency > maxConcurrency:
		return uploadPlan{}, fmt.Errorf("concurrency %d is outside 1 .. %d", concurrency, maxConcurrency)
	}
	threshold := opts.MultipartThreshold
	switch {
	case threshold == 0:
		threshold = partSize
	case threshold < 0:
		return uploadPlan{}, fmt.Errorf("multipart threshold %d is negative", threshold)
	}
	threshold = min(threshold, maxSinglePut)
	plan := uploadPlan{size: size, partSize: partSize, concurrency: concurrency}
	// An empty file is always one PUT: a multipart upload needs at least one part with bytes.
	if size > 0 && size >= threshold {
		plan.parts = int(ceilDiv(size, partSize))
		plan.concurrency = min(concurrency, plan.parts)
	}
	return plan, nil
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// part returns the offset and length of part n (1-based).
func (p uploadPlan) part(n int) (offset, length int64) {
	offset = int64(n-1) * p.partSize
	return offset, min(p.partSize, p.size-offset)
}

// UploadFile uploads the file at path to objectKey (a leading "/" is ignored, as in
// MediaStoragePath) in the bucket at bucketURL, signing with an upload session's temporary
// certificate.
//
// Files below opts.MultipartThreshold go as one PUT; larger ones as a multipart upload whose parts
// are read from disk as they are sent, so memory use depends on the parts in flight, not on the file
// size. The object-storage SDK retries a failed PUT or part (up to 3 attempts) and checks each
// request's CRC-64; UploadFile then checks the whole object's CRC-64 against the combination of the
// parts'. On any failure or cancellation the multipart upload is aborted, so no parts are left
// pending. The file must not change while it is uploaded.
//
// Progress is logged at Info level about every 5 seconds, and at the end, for uploads that take
// longer than that.
func (c *Client) UploadFile(ctx context.Context, cert TempCertificate, bucketURL, objectKey, path string, opts UploadOptions) (*UploadResult, error) {
	started := time.Now()
	key := strings.TrimPrefix(objectKey, "/")
	if key == "" {
		return nil, errors.New("upload: object key is empty")
	}
	store, err := c.objectStoreClient(bucketURL, cert)
	if err != nil {
		return nil, fmt.Errorf("upload of %q: %w", key, err)
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("upload of %q: %w", key, err)
	}
	defer file.Close()
	before, err := file.Stat()
	if err != nil {
		return nil, fmt.Errorf("upload of %q: %w", key, err)
	}
	if !before.Mode().IsRegular() {
		return nil, fmt.Errorf("upload of %q: %s is not a regular file", key, path)
	}
	plan, err := planUpload(before.Size(), opts)
	if err != nil {
		return nil, fmt.Errorf("upload of %q: %w", key, err)
	}

	u := &upload{client: c, store: store, file: file, path: path, key: key, plan: plan, before: before}
	u.progress = newProgressTracker(c, key, plan, opts.Progress, started)
	c.logger.Debug(ctx, "vod: upload started", map[string]any{
		"key": key, "bytes_total": plan.size, "parts": plan.parts, "part_size": plan.partSize, "concurrency": plan.concurrency,
	})
	stopLogging := u.progress.logPeriodically(ctx)
	var result *UploadResult
	if plan.parts == 0 {
		result, err = u.putSingle(ctx)
	} else {
		result, err = u.putMultipart(ctx)
	}
	stopLogging()
	if err != nil {
		return nil, err
	}
	result.Duration = time.Since(started)
	u.progress.logFinished(ctx)
	return result, nil
}

// objectStoreClient builds a COS client for bucketURL that signs with the temporary certificate.
func (c *Client) objectStoreClient(bucketURL string, cert TempCertificate) (*cos.Client, error) {
	base, err := url.Parse(bucketURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("invalid bucket URL %q: must be http(s)://host", bucketURL)
	}
	if cert.SecretID == "" || cert.SecretKey == "" {
		return nil, errors.New("temporary certificate has no SecretId or SecretKey")
	}
	if expires := cert.Expires(); !expires.After(c.clock()) {
		return nil, fmt.Errorf("temporary certificate expired at %s", expires.UTC().Format(time.RFC3339))
	}
	return cos.NewClient(&cos.BaseURL{BucketURL: &url.URL{Scheme: base.Scheme, Host: base.Host}}, &http.Client{
		Transport: &cos.AuthorizationTransport{
			SecretID: cert.SecretID, SecretKey: cert.SecretKey, SessionToken: cert.Token, Transport: c.transport,
		},
	}), nil
}

// upload is one UploadFile call in progress.
type upload struct {
	client   *Client
	store    *cos.Client
	file     *os.File
	path     string
	key      string
	plan     uploadPlan
	before   os.FileInfo
	progress *progressTracker
}

// putSingle sends the file as one PUT. The SDK checks the CRC-64 the server reports against the
// bytes it read.
func (u *upload) putSingle(ctx context.Context) (*UploadResult, error) {
	resp, err := u.withRetries(ctx, func() (*cos.Response, error) {
		var body io.Reader = bytes.NewReader(nil) // the SDK then sends no body rather than an empty chunked one
		if u.plan.size > 0 {
			body = u.progress.reader(io.NewSectionReader(u.file, 0, u.plan.size), 0)
		}
		return u.store.Object.Put(ctx, u.key, body, &cos.ObjectPutOptions{
			ObjectPutHeaderOptions: &cos.ObjectPutHeaderOptions{ContentLength: u.plan.size},
		})
	})
	if err != nil {
		return nil, u.failure(ctx, fmt.Errorf("upload of %q (single PUT of %d bytes): %w", u.key, u.plan.size, err))
	}
	if err := u.checkUnchanged(); err != nil {
		return nil, err // the object holds the bytes read, but they may be a mix of two versions
	}
	crc, err := parseCRC(resp.Response)
	if err != nil {
		return nil, fmt.Errorf("upload of %q: %w", u.key, err)
	}
	u.progress.partStored(u.plan.size)
	return &UploadResult{Size: u.plan.size, CRC64: crc, ETag: resp.Header.Get("ETag")}, nil
}

// bodyAttempts is how often a PUT or a part is tried, as many times as the SDK would.
const bodyAttempts = 3

// withRetries sends a PUT or a part, retrying transient failures (no response, 5xx: the SDK's own
// rule) with backoff. send must build a fresh body each time.
//
// The SDK could retry these itself by rewinding a seekable body, but net/http may still be reading
// the previous attempt's body after the response arrived (it closes the body asynchronously), so a
// rewind of a shared reader can race with that read and corrupt the retried request. A new section
// reader per attempt shares nothing but the file, which is read with ReadAt.
func (u *upload) withRetries(ctx context.Context, send func() (*cos.Response, error)) (*cos.Response, error) {
	for attempt := 1; ; attempt++ {
		resp, err := send()
		if err == nil {
			return resp, nil
		}
		_, transient := u.store.CheckRetrieable(u.store.BaseURL.BucketURL, resp, err, false)
		if !transient || attempt >= bodyAttempts || ctx.Err() != nil {
			if attempt > 1 {
				err = fmt.Errorf("after %d attempts: %w", attempt, err)
			}
			return resp, err
		}
		wait := u.client.jitter(backoffCeiling(attempt))
		u.client.logger.Debug(ctx, "vod: retrying object-storage request", map[string]any{
			"key": u.key, "attempt": attempt, "error": err.Error(), "backoff_ms": wait.Milliseconds(),
		})
		if sleepErr := u.client.sleep(ctx, wait); sleepErr != nil {
			return resp, err
		}
	}
}

// partResult is what the server answered for one stored part.
type partResult struct {
	etag string
	crc  uint64
	size int64
}

// putMultipart initiates a multipart upload, sends the parts, completes it and verifies the
// object's CRC-64. Anything that goes wrong before the object is complete aborts the upload.
func (u *upload) putMultipart(ctx context.Context) (*UploadResult, error) {
	initiated, _, err := u.store.Object.InitiateMultipartUpload(ctx, u.key, nil)
	if err != nil {
		return nil, u.failure(ctx, fmt.Errorf("upload of %q: initiating the multipart upload: %w", u.key, err))
	}
	uploadID := initiated.UploadID
	parts, err := u.sendParts(ctx, uploadID)
	if err == nil {
		err = u.checkUnchanged()
	}
	if err != nil {
		return nil, u.abort(ctx, uploadID, u.failure(ctx, err))
	}

	want := combineCRCs(parts)
	completion := &cos.CompleteMultipartUploadOptions{}
	for i, p := range parts {
		completion.Parts = append(completion.Parts, cos.Object{PartNumber: i + 1, ETag: p.etag})
	}
	completed, resp, err := u.store.Object.CompleteMultipartUpload(ctx, u.key, uploadID, completion)
	if err != nil {
		// The SDK retries Complete; if a reply was lost the retry finds no upload, though the object
		// was assembled. The object's size and CRC tell whether that happened.
		if stored, ok := u.storedAsExpected(ctx, want); ok {
			return &UploadResult{Size: u.plan.size, CRC64: want, ETag: stored, Parts: len(parts)}, nil
		}
		return nil, u.abort(ctx, uploadID, u.failure(ctx, fmt.Errorf("upload of %q: completing the multipart upload of %d parts: %w", u.key, len(parts), err)))
	}
	got, err := parseCRC(resp.Response)
	if err == nil && got != want {
		err = fmt.Errorf("object-storage CRC-64 %d differs from %d, the CRC-64 of the parts sent", got, want)
	}
	if err != nil {
		return nil, u.discardCorrupt(ctx, fmt.Errorf("upload of %q: completed object failed verification: %w", u.key, err))
	}
	return &UploadResult{Size: u.plan.size, CRC64: want, ETag: completed.ETag, Parts: len(parts)}, nil
}

// sendParts runs plan.concurrency workers over the parts and returns the stored parts in order, or
// the first failure (naming the part) after cancelling the others.
func (u *upload) sendParts(ctx context.Context, uploadID string) ([]partResult, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	results := make([]partResult, u.plan.parts)
	next := make(chan int)
	var wg sync.WaitGroup
	for range u.plan.concurrency {
		wg.Go(func() {
			for n := range next {
				if ctx.Err() != nil {
					continue // drain: another part failed or the caller gave up
				}
				res, err := u.sendPart(ctx, uploadID, n)
				if err != nil {
					cancel(err) // the first failure is the cause; the feeder stops
					continue
				}
				results[n-1] = res
			}
		})
	}
feed:
	for n := 1; n <= u.plan.parts; n++ {
		select {
		case next <- n:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return results, nil
}

// sendPart uploads part n from its section of the file, read from disk as the request is sent.
func (u *upload) sendPart(ctx context.Context, uploadID string, n int) (partResult, error) {
	offset, length := u.plan.part(n)
	resp, err := u.withRetries(ctx, func() (*cos.Response, error) {
		body := u.progress.reader(io.NewSectionReader(u.file, offset, length), n)
		return u.store.Object.UploadPart(ctx, u.key, uploadID, n, body, &cos.ObjectUploadPartOptions{ContentLength: length})
	})
	u.progress.partEnded(n)
	if err != nil {
		return partResult{}, fmt.Errorf("upload of %q: part %d of %d (bytes %d-%d): %w", u.key, n, u.plan.parts, offset, offset+length-1, err)
	}
	crc, err := parseCRC(resp.Response)
	if err != nil {
		return partResult{}, fmt.Errorf("upload of %q: part %d of %d: %w", u.key, n, u.plan.parts, err)
	}
	u.progress.partStored(length)
	return partResult{etag: resp.Header.Get("ETag"), crc: crc, size: length}, nil
}

// combineCRCs is the CRC-64 of the parts concatenated, from their own CRCs and sizes.
func combineCRCs(parts []partResult) uint64 {
	var crc uint64
	for _, p := range parts {
		crc = crc64ecma.Combine(crc, p.crc, p.size)
	}
	return crc
}

// parseCRC reads the object-storage CRC-64 header. The SDK has already compared it with the CRC of
// the bytes it sent, for PUT and parts.
func parseCRC(resp *http.Response) (uint64, error) {
	if resp == nil {
		return 0, errors.New("no response from object storage")
	}
	v := resp.Header.Get(crcHeader)
	crc, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("object storage answered without a valid %s header (%q)", crcHeader, v)
	}
	return crc, nil
}

// checkUnchanged fails when the file's size or modification time differs from when the upload
// began: what was sent may then mix two versions of the file.
func (u *upload) checkUnchanged() error {
	now, err := os.Stat(u.path)
	if err != nil {
		return fmt.Errorf("upload of %q: %s can no longer be read: %w", u.key, u.path, err)
	}
	if now.Size() != u.before.Size() || !now.ModTime().Equal(u.before.ModTime()) {
		return fmt.Errorf("upload of %q: %s %w (size %d -> %d bytes); upload it again once it is complete",
			u.key, u.path, ErrFileChanged, u.before.Size(), now.Size())
	}
	return nil
}

// failure prefers "the file changed" over the symptom it caused (a short read, a CRC mismatch), and
// keeps context errors visible.
func (u *upload) failure(ctx context.Context, err error) error {
	if errors.Is(err, ErrFileChanged) {
		return err
	}
	if changed := u.checkUnchanged(); changed != nil {
		return fmt.Errorf("%w (%v)", changed, err)
	}
	return contextCause(ctx, err)
}

// abort discards the multipart upload and its parts. It uses a fresh context because ctx may be the
// reason the upload failed.
func (u *upload) abort(ctx context.Context, uploadID string, cause error) error {
	abortCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	defer cancel()
	_, err := u.store.Object.AbortMultipartUpload(abortCtx, u.key, uploadID)
	if err != nil && !cos.IsNotFoundError(err) {
		u.client.logger.Warn(ctx, "vod: aborting a multipart upload failed", map[string]any{"key": u.key, "error": err.Error()})
		return fmt.Errorf("%w; aborting the multipart upload also failed, its parts may stay pending until the bucket's lifecycle rules remove them: %v", cause, err)
	}
	u.client.logger.Warn(ctx, "vod: multipart upload aborted", map[string]any{"key": u.key, "error": cause.Error()})
	return cause
}

// storedAsExpected reports whether the object exists with the planned size and the expected CRC-64,
// and returns its ETag.
func (u *upload) storedAsExpected(ctx context.Context, want uint64) (string, bool) {
	headCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	defer cancel()
	resp, err := u.store.Object.Head(headCtx, u.key, nil)
	if err != nil {
		return "", false
	}
	got, err := parseCRC(resp.Response)
	if err != nil || got != want || resp.ContentLength != u.plan.size {
		return "", false
	}
	return resp.Header.Get("ETag"), true
}

// discardCorrupt deletes an object that failed verification, so nothing commits it by mistake.
func (u *upload) discardCorrupt(ctx context.Context, cause error) error {
	delCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	defer cancel()
	if _, err := u.store.Object.Delete(delCtx, u.key); err != nil {
		return fmt.Errorf("%w; deleting the object also failed: %v", cause, err)
	}
	return fmt.Errorf("%w; the object was deleted", cause)
}

// progressTracker counts stored bytes for the Progress callback and in-flight bytes for the log.
type progressTracker struct {
	client   *Client
	key      string
	plan     uploadPlan
	callback func(UploadProgress)
	started  time.Time
	logEvery time.Duration

	mu        sync.Mutex
	done      int64 // bytes of stored parts
	partsDone int
	inFlight  map[int]*countingReader // parts being sent, by number (0 = single PUT)
}

func newProgressTracker(c *Client, key string, plan uploadPlan, callback func(UploadProgress), started time.Time) *progressTracker {
	logEvery := c.progressLogInterval
	if logEvery <= 0 {
		logEvery = defaultLogEvery
	}
	t := &progressTracker{
		client: c, key: key, plan: plan, callback: callback, started: started, logEvery: logEvery,
		inFlight: map[int]*countingReader{},
	}
	t.notify()
	return t
}

// reader wraps a part's body to count the bytes handed to the transport. The wrapper cannot seek,
// which also keeps the SDK from retrying on its own (see withRetries).
func (t *progressTracker) reader(body io.Reader, part int) io.Reader {
	r := &countingReader{r: body}
	t.mu.Lock()
	t.inFlight[part] = r
	t.mu.Unlock()
	return r
}

func (t *progressTracker) partEnded(part int) {
	t.mu.Lock()
	delete(t.inFlight, part)
	t.mu.Unlock()
}

// partStored counts a stored part (or the single PUT) and tells the callback.
func (t *progressTracker) partStored(size int64) {
	t.mu.Lock()
	delete(t.inFlight, 0)
	t.done += size
	if t.plan.parts > 0 {
		t.partsDone++
	}
	t.mu.Unlock()
	t.notify()
}

// notify calls the callback with the stored bytes; the lock serialises calls.
func (t *progressTracker) notify() {
	if t.callback == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.callback(UploadProgress{Key: t.key, Done: t.done, Total: t.plan.size, Parts: t.plan.parts, PartsDone: t.partsDone})
}

// sent is stored bytes plus the bytes of parts in flight, for the log.
func (t *progressTracker) sent() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := t.done
	for _, r := range t.inFlight {
		n += r.pos.Load()
	}
	return min(n, t.plan.size)
}

// logPeriodically logs progress every logEvery until the returned stop is called.
func (t *progressTracker) logPeriodically(ctx context.Context) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		ticker := time.NewTicker(t.logEvery)
		defer ticker.Stop()
		for {
			select {
			case <-done:
				return
			case <-ticker.C:
				t.log(ctx, "vod: upload in progress", t.sent())
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// logFinished logs the end of an upload that took long enough to have been logged along the way.
func (t *progressTracker) logFinished(ctx context.Context) {
	if time.Since(t.started) >= t.logEvery {
		t.log(ctx, "vod: upload finished", t.plan.size)
	}
}

func (t *progressTracker) log(ctx context.Context, msg string, sent int64) {
	elapsed := time.Since(t.started).Seconds()
	percent := 100.0
	if t.plan.size > 0 {
		percent = float64(sent) * 100 / float64(t.plan.size)
	}
	var rate float64
	if elapsed > 0 {
		rate = float64(sent) / float64(MiB) / elapsed
	}
	t.client.logger.Info(ctx, msg, map[string]any{
		"key": t.key, "bytes_done": sent, "bytes_total": t.plan.size,
		"percent": float64(int(percent*10)) / 10, "mib_per_s": float64(int(rate*100)) / 100,
	})
}

// countingReader counts the bytes the transport has read from a body.
type countingReader struct {
	r   io.Reader
	pos atomic.Int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.pos.Add(int64(n))
	return n, err
}
