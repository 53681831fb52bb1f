package vod

import (
	"context"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

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

// reader wraps a part's body to count the bytes handed to the transport.
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
