package vod

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	cos "github.com/tencentyun/cos-go-sdk-v5"
)

// PackageFile is one file of a streaming package other than its top manifest: a segment, a key, an
// initialization section or a nested playlist.
type PackageFile struct {
	// Path is the local file.
	Path string
	// Rel is its path relative to the top manifest's directory, "/"-separated, as the manifests list
	// it; it is stored at the same path relative to the media key's directory.
	Rel string
	// Size is its size in bytes, for progress.
	Size int64
}

// Package is an HLS or DASH package: the top manifest, which becomes the media, and every file it
// references directly or through nested playlists, each listed once.
type Package struct {
	Manifest string
	Files    []PackageFile
	// Cover is a local cover image to upload to CoverStoragePath with the package; "" for none.
	Cover, CoverStoragePath string
}

// PackageResult describes an uploaded package.
type PackageResult struct {
	Files    int // the manifest and cover included
	Bytes    int64
	Duration time.Duration
	Retries  int // failed object-storage requests sent again
}

// ErrPackageFile matches (errors.Is) the error of UploadPackage when a file of the package could not
// be uploaded; the error names the file.
var ErrPackageFile = errors.New("package file not uploaded")

// UploadPackage uploads an HLS or DASH package with an upload session's temporary certificate: the
// manifest to the media key (mediaStoragePath), the cover when there is one, then every other file to
// the media key's directory joined with the file's relative path, as VOD expects. The files go opts.Concurrency at a time (each
// as one PUT, or a multipart upload with one part at a time when it is at least a part long), so that
// a package of thousands of small segments does not take thousands of round trips one after another,
// and no more than opts.Concurrency requests are in flight. Each file is retried and verified as with
// UploadFile.
//
// On any failure or cancellation the files already stored are deleted again (on a context of their
// own, within abortBudget), and those whose upload was cut short once more a moment later, so that
// nothing is left under the session's directory; the error names the file that failed and, when some
// could not be deleted, those too. Files are never checkpointed: a package starts over.
//
// Progress is logged at Info level about every 5 seconds, and at the end for uploads that took longer.
func (c *Client) UploadPackage(ctx context.Context, cert TempCertificate, bucketURL, mediaStoragePath string, pkg Package, opts UploadOptions) (*PackageResult, error) {
	started := time.Now()
	mediaKey := strings.TrimPrefix(mediaStoragePath, "/")
	if mediaKey == "" {
		return nil, errors.New("package upload: media storage path is empty")
	}
	dir := path.Dir(mediaKey)
	for _, f := range pkg.Files {
		if !isPlainRelativePath(f.Rel) {
			return nil, fmt.Errorf("package upload: %q is not a relative path inside the manifest's directory", f.Rel)
		}
	}
	p := &packageUpload{
		client: c, cert: cert, bucketURL: bucketURL, opts: opts, started: started, totalFiles: len(pkg.Files) + 1,
	}
	if pkg.Cover != "" {
		p.totalFiles++
	}
	for _, file := range []string{pkg.Manifest, pkg.Cover} {
		if info, err := os.Stat(file); err == nil && file != "" {
			p.totalBytes += info.Size()
		}
	}
	for _, f := range pkg.Files {
		p.totalBytes += f.Size
	}
	stopLogging := p.logPeriodically(ctx)
	err := p.put(ctx, pkg.Manifest, mediaKey, "the manifest")
	if err == nil && pkg.Cover != "" {
		err = p.put(ctx, pkg.Cover, strings.TrimPrefix(pkg.CoverStoragePath, "/"), "the cover")
	}
	if err == nil {
		err = p.putFiles(ctx, dir, pkg.Files)
	}
	stopLogging()
	if err != nil {
		return nil, p.removeStored(ctx, err)
	}
	result := &PackageResult{Files: p.totalFiles, Bytes: p.bytesDone.Load(), Duration: time.Since(started),
		Retries: int(p.retries.Load())}
	if result.Duration >= c.logInterval() {
		p.log(ctx, "vod: package upload finished")
	}
	return result, nil
}

// isPlainRelativePath reports whether rel is a clean relative path that stays in its directory.
func isPlainRelativePath(rel string) bool {
	return rel != "" && !path.IsAbs(rel) && path.Clean(rel) == rel && rel != ".." && !strings.HasPrefix(rel, "../")
}

// packageUpload is one UploadPackage call in progress.
type packageUpload struct {
	client    *Client
	cert      TempCertificate
	bucketURL string
	opts      UploadOptions
	started   time.Time
	// totalFiles and totalBytes are the package's, for the progress log.
	totalFiles int
	totalBytes int64

	filesDone atomic.Int64
	bytesDone atomic.Int64
	retries   atomic.Int64

	mu        sync.Mutex
	attempted []string // keys sent so far, stored or maybe stored, to delete on failure
	cutShort  []string // keys whose upload ctx ended: the store may still be storing them
}

// put uploads one file to key. Parts of a large file go one at a time: the package's concurrency is
// spent on files. A package is never resumed (it starts over), so no file's upload is checkpointed:
// a cancelled one is aborted and deleted with the rest.
func (p *packageUpload) put(ctx context.Context, file, key, what string) error {
	opts := p.opts
	opts.Concurrency, opts.Progress, opts.Resume, opts.Checkpoint = 1, nil, nil, nil
	// Recorded before the upload: a PUT cut short by a cancellation may have been stored all the same.
	p.mu.Lock()
	p.attempted = append(p.attempted, key)
	p.mu.Unlock()
	result, err := p.client.UploadFile(ctx, p.cert, p.bucketURL, key, file, opts)
	if err != nil {
		if ctx.Err() != nil {
			p.mu.Lock()
			p.cutShort = append(p.cutShort, key)
			p.mu.Unlock()
		}
		return fmt.Errorf("%w: %s %s: %w", ErrPackageFile, what, file, err)
	}
	p.filesDone.Add(1)
	p.bytesDone.Add(result.Size)
	p.retries.Add(int64(result.Retries))
	return nil
}

// putFiles uploads the files opts.Concurrency at a time and returns the first failure. After a failure
// no new file starts, but the files in flight finish: a request cut short might still be stored by the
// server after the cleanup looked, and be left behind.
func (p *packageUpload) putFiles(ctx context.Context, dir string, files []PackageFile) error {
	workers := p.opts.Concurrency
	if workers <= 0 {
		workers = DefaultUploadConcurrency
	}
	stop := make(chan struct{})
	next := make(chan PackageFile)
	var wg sync.WaitGroup
	var failOnce sync.Once
	var failed error
	for range min(workers, max(1, len(files))) {
		wg.Go(func() {
			for f := range next {
				if err := p.put(ctx, f.Path, path.Join(dir, f.Rel), fmt.Sprintf("file %q", f.Rel)); err != nil {
					failOnce.Do(func() {
						failed = err
						close(stop)
					})
				}
			}
		})
	}
feed:
	for _, f := range files {
		select {
		case next <- f:
		case <-stop:
			break feed
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if failed != nil {
		return failed
	}
	return context.Cause(ctx)
}

// cutShortSettle is how long the cleanup waits before deleting again the files whose upload was cut
// short: the store may have received such a PUT whole and still be storing it when the first DELETE
// came, and would keep it after that DELETE found nothing.
var cutShortSettle = time.Second

// removeStored deletes every file stored (or maybe stored) so far, so that a failed package leaves
// nothing in the session's directory, and the files whose upload was cut short once more after
// cutShortSettle. It runs on a context of its own (ctx may be why the upload failed), for at most
// abortBudget (interruptedAbortBudget after an interrupt), while the credentials last.
func (p *packageUpload) removeStored(ctx context.Context, cause error) error {
	p.mu.Lock()
	keys, cutShort := p.attempted, p.cutShort
	p.mu.Unlock()
	if len(keys) == 0 {
		return cause
	}
	budget := abortBudget
	if errors.Is(ctx.Err(), context.Canceled) {
		budget = interruptedAbortBudget
	}
	removeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), budget)
	defer cancel()
	store, err := p.client.objectStoreClient(p.bucketURL, p.cert)
	if err != nil {
		return fmt.Errorf("%w; the %d files sent so far could not be deleted: %v", cause, len(keys), err)
	}
	failed := p.deleteObjects(removeCtx, store, keys)
	if len(failed) == 0 && len(cutShort) > 0 {
		select {
		case <-time.After(cutShortSettle):
			failed = p.deleteObjects(removeCtx, store, cutShort)
		case <-removeCtx.Done():
			failed = cutShort
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%w; %d of the %d files sent so far could not be deleted and stay until the session's "+
			"directory is cleaned up (VOD does not commit them): %s", cause, len(failed), len(keys), someKeys(failed))
	}
	p.client.logger.Warn(ctx, "vod: package upload failed, stored files deleted", map[string]any{
		"files_removed": len(keys), "error": cause.Error(),
	})
	return cause
}

// minDeleteConcurrency is how many DELETEs the cleanup sends at once at least, whatever the upload's
// concurrency: they carry no bytes, and thousands of them must fit in the cleanup's budget.
const minDeleteConcurrency = 16

// deleteObjects deletes keys, at least minDeleteConcurrency at a time, and returns those it could not
// delete.
func (p *packageUpload) deleteObjects(ctx context.Context, store *cos.Client, keys []string) []string {
	var failedMu sync.Mutex
	var failed []string
	var wg sync.WaitGroup
	slots := make(chan struct{}, max(minDeleteConcurrency, p.opts.Concurrency))
	for _, key := range keys {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			u := &upload{client: p.client, store: store, key: key, expires: p.cert.Expires()}
			err := u.retry(ctx, "DeleteObject", func() error {
				resp, err := store.Object.Delete(ctx, key)
				return storeErrorOrNil("DeleteObject", key, resp, err)
			})
			if err != nil {
				failedMu.Lock()
				failed = append(failed, key)
				failedMu.Unlock()
			}
		})
	}
	wg.Wait()
	return failed
}

// someKeys names the first few keys of a list that may hold thousands.
func someKeys(keys []string) string {
	const shown = 10
	if len(keys) <= shown {
		return strings.Join(keys, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(keys[:shown], ", "), len(keys)-shown)
}

// logPeriodically logs progress every log interval until the returned stop is called.
func (p *packageUpload) logPeriodically(ctx context.Context) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		ticker := time.NewTicker(p.client.logInterval())
		defer ticker.Stop()
		for {
			select {
			case <-done:
				return
			case <-ticker.C:
				p.log(ctx, "vod: package upload in progress")
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

func (p *packageUpload) log(ctx context.Context, msg string) {
	elapsed := time.Since(p.started).Seconds()
	done := p.bytesDone.Load()
	var rate float64
	if elapsed > 0 {
		rate = float64(done) / float64(MiB) / elapsed
	}
	p.client.logger.Info(ctx, msg, map[string]any{
		"files_done": p.filesDone.Load(), "files_total": p.totalFiles,
		"bytes_done": done, "bytes_total": p.totalBytes, "mib_per_s": float64(int(rate*100)) / 100,
	})
}

// logInterval is how often long uploads log their progress.
func (c *Client) logInterval() time.Duration {
	if c.progressLogInterval > 0 {
		return c.progressLogInterval
	}
	return defaultLogEvery
}
