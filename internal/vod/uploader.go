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
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	cos "github.com/tencentyun/cos-go-sdk-v5"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/crc64ecma"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/localfile"
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
	// Resume continues a multipart upload of this file to this key that an earlier run left pending
	// (see Checkpoint), with that run's part size: the parts the store holds with the file's bytes are
	// not sent again. When the store no longer knows the upload, a new one starts, unless the object at
	// the key already holds the file (the earlier run completed the upload but never committed it).
	Resume *MultipartUpload
	// Checkpoint, when set, is called once a multipart upload is initiated, before its first part is
	// sent, to keep what resuming it needs. When it reports true, an upload interrupted by cancelling
	// ctx is left pending and UploadFile returns an *UploadKeptError; otherwise (and when ctx's deadline
	// ends it) it is aborted like any failed upload.
	Checkpoint func(context.Context, MultipartUpload) bool
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
	// Retries is how many failed object-storage requests were sent again.
	Retries int
	// PartsFoundStored is how many parts were not sent again after a lost reply because the store
	// already had them.
	PartsFoundStored int
	// PartsResumed and BytesResumed count the parts an earlier run had stored (UploadOptions.Resume),
	// which were checked and not sent again.
	PartsResumed int
	BytesResumed int64
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
// size. A file that is not a regular file (a FIFO, a device) is refused at once, without blocking.
//
// Every object-storage request that fails transiently (no answer, 5xx, throttling) is retried with
// backoff for as long as ctx and the certificate last (see retry), and a part whose reply was lost is
// looked up in the store before it is sent again. Each request's CRC-64 is checked by the SDK, and the
// whole object's against the combination of the parts'. On any failure or cancellation the multipart
// upload is aborted on a context of its own, so no parts are left pending; if even that fails, the
// error names the upload. The file must not change while it is uploaded.
//
// Progress is logged at Info level about every 5 seconds, and at the end, for uploads that take
// longer than that.
func (c *Client) UploadFile(ctx context.Context, cert TempCertificate, bucketURL, objectKey, path string, opts UploadOptions) (*UploadResult, error) {
	started := c.clock()
	key := strings.TrimPrefix(objectKey, "/")
	if key == "" {
		return nil, errors.New("upload: object key is empty")
	}
	store, err := c.objectStoreClient(bucketURL, cert)
	if err != nil {
		return nil, fmt.Errorf("upload of %q: %w", key, err)
	}
	file, before, err := localfile.OpenRegular(path)
	if err != nil {
		return nil, fmt.Errorf("upload of %q: %w", key, err)
	}
	defer file.Close()
	if opts.Resume != nil {
		opts.PartSize = opts.Resume.PartSize // the stored parts were cut with it
	}
	plan, err := planUpload(before.Size(), opts)
	if err != nil {
		return nil, fmt.Errorf("upload of %q: %w", key, err)
	}

	u := &upload{
		client: c, store: store, bucket: bucketName(bucketURL), file: file, path: path, key: key, plan: plan,
		before: before, started: started, expires: cert.Expires(), resumeFrom: opts.Resume, checkpoint: opts.Checkpoint,
	}
	u.progress = newProgressTracker(c, key, plan, opts.Progress, time.Now())
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
	result.Duration = c.clock().Sub(started)
	result.Retries = int(u.retries.Load())
	result.PartsFoundStored = int(u.partsFound.Load())
	result.PartsResumed = int(u.partsResumed.Load())
	result.BytesResumed = u.bytesResumed.Load()
	u.progress.logFinished(ctx)
	return result, nil
}

// objectStoreClient builds a COS client for bucketURL that signs with the temporary certificate.
// The SDK's own retries are off: they are few and quick (3 attempts within about a second), and
// retry knows better (see retry).
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
	store := cos.NewClient(&cos.BaseURL{BucketURL: &url.URL{Scheme: base.Scheme, Host: base.Host}}, &http.Client{
		Transport: &cos.AuthorizationTransport{
			SecretID: cert.SecretID, SecretKey: cert.SecretKey, SessionToken: cert.Token, Transport: c.transport,
		},
	})
	store.Conf.RetryOpt.Count = 1 // one attempt per call: retry decides about more
	return store, nil
}

// bucketName is the bucket's name as the bucket URL's first host label
// (https://vodbucket-1250000000.cos.ap-guangzhou.myqcloud.com); an endpoint without it (an
// emulator's http://127.0.0.1:9000) is named by its URL. InitiateMultipartUpload's reply names it
// exactly, and replaces this guess.
func bucketName(bucketURL string) string {
	u, err := url.Parse(bucketURL)
	if err != nil {
		return bucketURL
	}
	if label, _, found := strings.Cut(u.Hostname(), "."); found && bucketHostLabel.MatchString(label) {
		return label
	}
	return bucketURL
}

// bucketHostLabel is a COS bucket name as the first label of its host: <name>-<APPID>.
var bucketHostLabel = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*-[0-9]+$`)

// upload is one UploadFile call in progress.
type upload struct {
	client   *Client
	store    *cos.Client
	bucket   string
	file     *os.File
	path     string
	key      string
	plan     uploadPlan
	before   os.FileInfo
	started  time.Time // by the client's clock
	expires  time.Time // when the session's temporary credentials expire
	progress *progressTracker

	resumeFrom   *MultipartUpload                            // UploadOptions.Resume
	checkpoint   func(context.Context, MultipartUpload) bool // UploadOptions.Checkpoint
	checkpointed bool                                        // the caller keeps this upload: an interrupt leaves it pending
	listed       map[int]cos.Object                          // parts an earlier run stored, when resuming

	retries      atomic.Int64 // failed attempts that were retried
	partsFound   atomic.Int64 // parts whose reply was lost but which the store had
	partsDone    atomic.Int64 // parts stored so far, resumed ones included
	partsResumed atomic.Int64 // parts an earlier run had stored
	bytesResumed atomic.Int64
}

// putSingle sends the file as one PUT. The SDK checks the CRC-64 the server reports against the
// bytes it read.
func (u *upload) putSingle(ctx context.Context) (*UploadResult, error) {
	var resp *cos.Response
	err := u.retry(ctx, "PutObject", func() error {
		// A fresh body per attempt: net/http may still be reading the previous attempt's body after its
		// response arrived, so rewinding a shared reader could race with that read. A section reader
		// shares nothing but the file, which is read with ReadAt.
		var body io.Reader = bytes.NewReader(nil) // the SDK then sends no body rather than an empty chunked one
		if u.plan.size > 0 {
			body = u.progress.reader(io.NewSectionReader(u.file, 0, u.plan.size), 0)
		}
		var err error
		resp, err = u.store.Object.Put(ctx, u.key, body, &cos.ObjectPutOptions{
			ObjectPutHeaderOptions: &cos.ObjectPutHeaderOptions{ContentLength: u.plan.size},
		})
		return storeErrorOrNil("PutObject", u.key, resp, err)
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

// storeErrorOrNil is storeError for a failed request and nil for a successful one.
func storeErrorOrNil(op, key string, resp *cos.Response, err error) error {
	if err == nil {
		return nil
	}
	return storeError(op, key, resp, err)
}

// partResult is what the server answered for one stored part.
type partResult struct {
	etag string
	crc  uint64
	size int64
}

// putMultipart initiates (or resumes) a multipart upload, sends the parts, completes it and verifies
// the object's CRC-64. Anything that goes wrong before the object is complete aborts the upload,
// unless an interrupt leaves it to be resumed (see stop).
func (u *upload) putMultipart(ctx context.Context) (*UploadResult, error) {
	uploadID, done, err := u.startOrResume(ctx)
	if done != nil {
		return done, nil
	}
	if err != nil && uploadID == "" {
		return nil, u.failure(ctx, fmt.Errorf("upload of %q: initiating the multipart upload: %w", u.key, err))
	}
	var parts []partResult
	if err == nil {
		parts, err = u.sendParts(ctx, uploadID)
	}
	if err == nil {
		err = u.checkUnchanged()
	}
	if err != nil {
		return nil, u.stop(ctx, uploadID, u.failure(ctx, err))
	}

	want := combineCRCs(parts)
	completed, resp, err := u.complete(ctx, uploadID, parts)
	if err != nil {
		// A retried Complete whose first reply was lost finds no upload any more, though the object
		// was assembled. The object's size and CRC tell whether that happened.
		if stored, ok := u.storedAsExpected(ctx, want); ok {
			return &UploadResult{Size: u.plan.size, CRC64: want, ETag: stored, Parts: len(parts)}, nil
		}
		return nil, u.stop(ctx, uploadID, u.failure(ctx, fmt.Errorf("upload of %q: completing the multipart upload of %d parts: %w", u.key, len(parts), err)))
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

// startOrResume continues the upload to resume when the store still has it, or initiates a new one
// and lets the caller checkpoint it. On failure it returns the upload's ID when there is one. When the
// run that was interrupted had completed the upload, it returns that upload's result instead: nothing
// is left to send.
func (u *upload) startOrResume(ctx context.Context) (string, *UploadResult, error) {
	if from := u.resumeFrom; from != nil && from.PartSize == u.plan.partSize {
		u.checkpointed = true // the caller resumes from its checkpoint, which it still keeps
		resumed, err := u.resume(ctx, *from)
		if err != nil || resumed {
			return from.UploadID, nil, err
		}
		if done, err := u.completedEarlier(ctx); done != nil || err != nil {
			return from.UploadID, done, err
		}
		u.checkpointed = false
	}
	uploadID, err := u.initiate(ctx)
	if err != nil {
		return "", nil, err
	}
	if u.checkpoint != nil {
		u.checkpointed = u.checkpoint(ctx, MultipartUpload{UploadID: uploadID, PartSize: u.plan.partSize})
	}
	return uploadID, nil, nil
}

// stop ends a multipart upload that failed: kept to be resumed when it was interrupted and the caller
// checkpointed it (mayKeep), aborted otherwise.
func (u *upload) stop(ctx context.Context, uploadID string, cause error) error {
	if u.mayKeep(ctx, cause) {
		return u.keep(ctx, uploadID, cause)
	}
	return u.abort(ctx, uploadID, cause)
}

// initiate starts the multipart upload. When an attempt got no answer, the store may have created an
// upload all the same; once an attempt succeeds, such strays are aborted (see abortStrays).
func (u *upload) initiate(ctx context.Context) (string, error) {
	var initiated *cos.InitiateMultipartUploadResult
	lost := false
	err := u.retry(ctx, "InitiateMultipartUpload", func() error {
		result, resp, err := u.store.Object.InitiateMultipartUpload(ctx, u.key, nil)
		if err != nil {
			err = storeError("InitiateMultipartUpload", u.key, resp, err)
			lost = lost || noAnswer(err)
			return err
		}
		initiated = result
		return nil
	})
	if err != nil {
		return "", err
	}
	if initiated.Bucket != "" {
		u.bucket = initiated.Bucket
	}
	if lost {
		u.abortStrays(ctx, initiated.UploadID)
	}
	return initiated.UploadID, nil
}

// sendParts runs plan.concurrency workers over the parts and returns the stored parts in order, or
// the first failure (naming the part) after cancelling the others.
func (u *upload) sendParts(ctx context.Context, uploadID string) ([]partResult, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	results := make([]partResult, u.plan.parts)
	next := make(chan int)
	var wg sync.WaitGroup
	var failOnce sync.Once
	var failed error // the first part's failure, which names the part even when ctx ended first
	for range u.plan.concurrency {
		wg.Go(func() {
			for n := range next {
				if ctx.Err() != nil {
					continue // drain: another part failed or the caller gave up
				}
				res, err := u.sendPart(ctx, uploadID, n)
				if err != nil {
					failOnce.Do(func() { failed = err })
					cancel(err) // the feeder and the other workers stop
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
	if failed != nil {
		return nil, failed
	}
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return results, nil
}

// sendPart uploads part n from its section of the file, read from disk as the request is sent. When
// an attempt got no answer, the part may have been stored all the same (only the reply was lost): the
// next attempt first asks the store, and sends the part again only if the store lacks it.
func (u *upload) sendPart(ctx context.Context, uploadID string, n int) (partResult, error) {
	offset, length := u.plan.part(n)
	if earlier, ok, err := u.storedEarlier(n); err != nil || ok {
		if ok {
			u.partsResumed.Add(1)
			u.bytesResumed.Add(length)
			u.stored(length)
		}
		return earlier, err
	}
	op := fmt.Sprintf("UploadPart %d", n)
	var result partResult
	replyLost := false
	err := u.retry(ctx, op, func() error {
		if replyLost {
			found, ok, err := u.storedPart(ctx, uploadID, n)
			if err != nil {
				return err
			}
			if ok {
				result = found
				u.partsFound.Add(1)
				return nil
			}
		}
		body := u.progress.reader(io.NewSectionReader(u.file, offset, length), n)
		resp, err := u.store.Object.UploadPart(ctx, u.key, uploadID, n, body, &cos.ObjectUploadPartOptions{ContentLength: length})
		u.progress.partEnded(n)
		if err != nil {
			err = storeError(op, u.key, resp, err)
			replyLost = noAnswer(err)
			return err
		}
		crc, err := parseCRC(resp.Response)
		if err != nil {
			return err
		}
		result = partResult{etag: resp.Header.Get("ETag"), crc: crc, size: length}
		return nil
	})
	if err != nil {
		return partResult{}, fmt.Errorf("upload of %q: part %d of %d (bytes %d-%d): %w", u.key, n, u.plan.parts, offset, offset+length-1, err)
	}
	u.stored(length)
	return result, nil
}

// stored counts a part of length bytes as stored.
func (u *upload) stored(length int64) {
	u.partsDone.Add(1)
	u.progress.partStored(length)
}

// complete completes the multipart upload with the parts, retried like every request.
func (u *upload) complete(ctx context.Context, uploadID string, parts []partResult) (*cos.CompleteMultipartUploadResult, *cos.Response, error) {
	completion := &cos.CompleteMultipartUploadOptions{}
	for i, p := range parts {
		completion.Parts = append(completion.Parts, cos.Object{PartNumber: i + 1, ETag: p.etag})
	}
	var completed *cos.CompleteMultipartUploadResult
	var resp *cos.Response
	err := u.retry(ctx, "CompleteMultipartUpload", func() error {
		var err error
		completed, resp, err = u.store.Object.CompleteMultipartUpload(ctx, u.key, uploadID, completion)
		return storeErrorOrNil("CompleteMultipartUpload", u.key, resp, err)
	})
	return completed, resp, err
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

// abort discards the multipart upload and its parts. It runs on a context of its own, which the
// caller's cancellation does not reach (ctx may be why the upload failed), and retries for at most
// abortBudget (interruptedAbortBudget once the caller was interrupted) while the credentials last.
// When it cannot, the error names the upload and says until when it could still be aborted.
func (u *upload) abort(ctx context.Context, uploadID string, cause error) error {
	budget := abortBudget
	if errors.Is(ctx.Err(), context.Canceled) {
		budget = interruptedAbortBudget
	}
	abortCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), budget)
	defer cancel()
	err := u.abortUpload(abortCtx, uploadID)
	if err != nil && !isStatus(err, http.StatusNotFound) { // NoSuchUpload: nothing is left to abort
		var expired *CredentialsExpiredError
		if errors.As(err, &expired) {
			err = fmt.Errorf("the credentials expired: %w", expired.Cause)
		}
		u.client.logger.Warn(ctx, "vod: aborting a multipart upload failed", map[string]any{
			"key": u.key, "upload_id": uploadID, "error": err.Error(),
		})
		return &AbortFailedError{
			Cause: cause, AbortErr: err, UploadID: uploadID, Bucket: u.bucket, Key: u.key, Until: u.expires,
			Expired: !u.client.clock().Before(u.expires),
		}
	}
	u.client.logger.Warn(ctx, "vod: multipart upload aborted", map[string]any{"key": u.key, "error": cause.Error()})
	return cause
}

// abortUpload aborts the multipart upload uploadID of the key, retried like every request.
func (u *upload) abortUpload(ctx context.Context, uploadID string) error {
	return u.retry(ctx, "AbortMultipartUpload", func() error {
		resp, err := u.store.Object.AbortMultipartUpload(ctx, u.key, uploadID)
		return storeErrorOrNil("AbortMultipartUpload", u.key, resp, err)
	})
}

// storedAsExpected reports whether the object exists with the planned size and the expected CRC-64,
// and returns its ETag.
func (u *upload) storedAsExpected(ctx context.Context, want uint64) (string, bool) {
	headCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortBudget)
	defer cancel()
	stored, err := u.head(headCtx)
	if err != nil || stored.crc != want || stored.size != u.plan.size {
		return "", false
	}
	return stored.etag, true
}

// storedObject is what HeadObject tells of the object at the upload's key.
type storedObject struct {
	size int64
	crc  uint64
	etag string
}

// head asks the store about the object at the upload's key; an error matching a 404 when there is none.
func (u *upload) head(ctx context.Context) (storedObject, error) {
	var resp *cos.Response
	err := u.retry(ctx, "HeadObject", func() error {
		var err error
		resp, err = u.store.Object.Head(ctx, u.key, nil)
		return storeErrorOrNil("HeadObject", u.key, resp, err)
	})
	if err != nil {
		return storedObject{}, err
	}
	crc, err := parseCRC(resp.Response)
	if err != nil {
		return storedObject{}, err
	}
	return storedObject{size: resp.ContentLength, crc: crc, etag: resp.Header.Get("ETag")}, nil
}

// discardCorrupt deletes an object that failed verification, so nothing commits it by mistake.
func (u *upload) discardCorrupt(ctx context.Context, cause error) error {
	delCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortBudget)
	defer cancel()
	err := u.retry(delCtx, "DeleteObject", func() error {
		resp, err := u.store.Object.Delete(delCtx, u.key)
		return storeErrorOrNil("DeleteObject", u.key, resp, err)
	})
	if err != nil {
		return fmt.Errorf("%w; deleting the object also failed: %v", cause, err)
	}
	return fmt.Errorf("%w; the object was deleted", cause)
}
