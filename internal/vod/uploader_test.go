package vod

import (
	"context"
	"errors"
	"fmt"
	"hash/crc64"
	"math/rand/v2"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	cos "github.com/tencentyun/cos-go-sdk-v5"
)

func TestPlanUpload(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                       string
		size                       int64
		opts                       UploadOptions
		wantPartSize               int64
		wantParts, wantConcurrency int
	}{
		{"empty file is one PUT", 0, UploadOptions{MultipartThreshold: 1}, DefaultPartSize, 0, 4},
		{"below the default threshold", DefaultPartSize - 1, UploadOptions{}, DefaultPartSize, 0, 4},
		{"one part or more is multipart", DefaultPartSize, UploadOptions{}, DefaultPartSize, 1, 1},
		{"last part is short", 3*MiB + 1, UploadOptions{PartSize: MiB, Concurrency: 8}, MiB, 4, 4},
		{"explicit threshold", 10 * MiB, UploadOptions{PartSize: MiB, MultipartThreshold: 20 * MiB}, MiB, 0, 4},
		{"threshold capped at the PUT limit", 6 << 30, UploadOptions{PartSize: 64 * MiB, MultipartThreshold: 100 << 30}, 64 * MiB, 96, 4},
		// 100 GiB in 8 MiB parts would be 12800 parts: grow to whole MiB so at most 10000 remain.
		{"grown to fit 10000 parts", 100 << 30, UploadOptions{}, 11 * MiB, 9310, 4},
		{"exactly 10000 parts", 10000 * MiB, UploadOptions{PartSize: MiB}, MiB, 10000, 4},
	}
	for _, tt := range tests {
		plan, err := planUpload(tt.size, tt.opts)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if plan.partSize != tt.wantPartSize || plan.parts != tt.wantParts || plan.concurrency != tt.wantConcurrency {
			t.Errorf("%s: plan = %+v, want part size %d, %d parts, concurrency %d", tt.name, plan, tt.wantPartSize, tt.wantParts, tt.wantConcurrency)
		}
		if plan.parts > maxParts {
			t.Errorf("%s: %d parts", tt.name, plan.parts)
		}
		if plan.parts > 0 {
			if off, n := plan.part(plan.parts); off+n != tt.size || n <= 0 || n > plan.partSize {
				t.Errorf("%s: last part at %d length %d does not end the file", tt.name, off, n)
			}
		}
	}
}

func TestPlanUploadRejects(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		size int64
		opts UploadOptions
		want string
	}{
		{1, UploadOptions{PartSize: MiB - 1}, "part size"},
		{1, UploadOptions{PartSize: 6 << 30}, "part size"},
		{1, UploadOptions{Concurrency: -1}, "concurrency"},
		{1, UploadOptions{Concurrency: 65}, "concurrency"},
		{1, UploadOptions{MultipartThreshold: -1}, "threshold"},
		{10001 * (5 << 30), UploadOptions{}, "too large"},
	} {
		if _, err := planUpload(tt.size, tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("planUpload(%d, %+v) err = %v, want %q", tt.size, tt.opts, err, tt.want)
		}
	}
}

func TestCombineCRCsMatchesWholeFile(t *testing.T) {
	t.Parallel()
	table := crc64.MakeTable(crc64.ECMA)
	data := make([]byte, 50_000)
	rng := rand.NewChaCha8([32]byte{1})
	_, _ = rng.Read(data)
	for _, partSize := range []int{1, 7, 4096, 49_999, 50_000} {
		var parts []partResult
		for off := 0; off < len(data); off += partSize {
			chunk := data[off:min(off+partSize, len(data))]
			parts = append(parts, partResult{crc: crc64.Checksum(chunk, table), size: int64(len(chunk))})
		}
		if got, want := combineCRCs(parts), crc64.Checksum(data, table); got != want {
			t.Errorf("part size %d: combined %d, want %d", partSize, got, want)
		}
	}
}

func TestUploadFileRejectsBadInput(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	cfg := testConfig(t, "http://127.0.0.1:1")
	cfg.Clock = func() time.Time { return now }
	c := mustClient(t, cfg)
	valid := TempCertificate{SecretID: "AKID", SecretKey: "k", Token: "t", ExpiredTime: uint64(now.Unix() + 60)}
	expired := valid
	expired.ExpiredTime = uint64(now.Unix())
	dir := t.TempDir()
	for _, tt := range []struct {
		name, bucketURL, key, path string
		cert                       TempCertificate
		want                       string
	}{
		{"expired", "http://127.0.0.1:1", "a.mp4", dir, expired, "expired"},
		{"no key", "http://127.0.0.1:1", "/", dir, valid, "empty"},
		{"bad url", "127.0.0.1:1", "a.mp4", dir, valid, "bucket URL"},
		{"missing file", "http://127.0.0.1:1", "a.mp4", dir + "/none.mp4", valid, "no such file"},
		{"directory", "http://127.0.0.1:1", "a.mp4", dir, valid, "not a regular file"},
	} {
		_, err := c.UploadFile(context.Background(), tt.cert, tt.bucketURL, tt.key, tt.path, UploadOptions{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestStoreErrorClassification(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		err       error
		transient bool
	}{
		{"no answer", &StoreError{Err: errors.New("connection reset by peer")}, true},
		{"reply failed the CRC check", &StoreError{Status: 200, Err: errors.New("verification failed")}, true},
		{"500", &StoreError{Status: 500, Code: "InternalError"}, true},
		{"503", &StoreError{Status: 503}, true},
		{"429", &StoreError{Status: 429}, true},
		{"SlowDown", &StoreError{Status: 503, Code: "SlowDown"}, true},
		{"RequestTimeout", &StoreError{Status: 400, Code: "RequestTimeout"}, true},
		{"AccessDenied", &StoreError{Status: 403, Code: "AccessDenied"}, false},
		{"InvalidPart", &StoreError{Status: 400, Code: "InvalidPart"}, false},
		{"NoSuchUpload", &StoreError{Status: 404, Code: "NoSuchUpload"}, false},
		{"wrapped", fmt.Errorf("part 2: %w", &StoreError{Status: 502}), true},
		{"cancelled", context.Canceled, false},
		{"deadline", context.DeadlineExceeded, false},
		{"not from the store", errors.New("file changed"), false},
	} {
		if got := isTransient(tt.err); got != tt.transient {
			t.Errorf("%s: isTransient = %v, want %v", tt.name, got, tt.transient)
		}
	}
}

func TestBackoffGrowsToItsCap(t *testing.T) {
	t.Parallel()
	c := &Client{}
	want := []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
	for i, w := range want {
		if got := c.backoff(i + 1); got != w {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := c.backoff(1000); got != defaultBackoffCap {
		t.Errorf("backoff(1000) = %v", got)
	}
}

// TestRetryIsBoundedByTheCredentials retries a failure that never ends, with the clock and the
// sleeps simulated: it must stop before the credentials expire, after many attempts (not a fixed
// few), and say that the credentials ran out.
func TestRetryIsBoundedByTheCredentials(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	c := &Client{logger: nopLogger{}, clock: func() time.Time { return now }, jitter: func(d time.Duration) time.Duration { return d }}
	c.sleep = func(_ context.Context, d time.Duration) error {
		now = now.Add(d)
		return nil
	}
	u := &upload{client: c, key: "k", started: now, expires: now.Add(10 * time.Minute)}
	attempts := 0
	err := u.retry(context.Background(), "UploadPart 1", func() error {
		attempts++
		return &StoreError{Op: "UploadPart 1", Key: "k", Status: 503, Code: "ServiceUnavailable"}
	})
	var expired *CredentialsExpiredError
	if !errors.As(err, &expired) || !strings.Contains(err.Error(), "HTTP 503") {
		t.Fatalf("err = %v, want *CredentialsExpiredError with the last 503", err)
	}
	if !now.Before(u.expires) || attempts < 70 {
		t.Errorf("stopped at %v (expiry %v) after %d attempts; want many attempts, all before the expiry", now, u.expires, attempts)
	}
}

func TestBucketNameFromURL(t *testing.T) {
	t.Parallel()
	for url, want := range map[string]string{
		"https://vodgzp1500000000-1250000000.cos.ap-guangzhou.myqcloud.com": "vodgzp1500000000-1250000000",
		"http://127.0.0.1:9000": "http://127.0.0.1:9000",
		"http://localhost:9000": "http://localhost:9000",
	} {
		if got := bucketName(url); got != want {
			t.Errorf("bucketName(%q) = %q, want %q", url, got, want)
		}
	}
}

// TestStoreErrorDropsSDKNoise: the SDK joins every attempt's error, after a note about bodies it
// cannot measure, and wraps network errors with the request URL.
func TestStoreErrorDropsSDKNoise(t *testing.T) {
	t.Parallel()
	sdkErr := &cos.RetryError{Errs: []error{
		errors.New("can't get reader content length, unkown reader type"), //nolint:misspell // the SDK's own text, spelled as it is
		&url.Error{Op: "Put", URL: "http://127.0.0.1:9000/dir%2Fclip.mp4?partNumber=2&uploadId=x", Err: syscall.ECONNRESET},
	}}
	err := storeError("UploadPart 2", "dir/clip.mp4", nil, sdkErr)
	want := `UploadPart 2 of "dir/clip.mp4": no answer from object storage: connection reset by peer`
	if err.Error() != want || !isTransient(err) || !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("storeError = %q (transient %v), want %q", err, isTransient(err), want)
	}
	if err := storeError("PutObject", "k", nil, &cos.RetryError{Errs: []error{context.Canceled}}); err != context.Canceled {
		t.Errorf("a cancelled request = %v, want context.Canceled itself", err)
	}
}
