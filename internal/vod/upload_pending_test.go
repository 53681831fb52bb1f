package vod_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator/objectstore"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// interruptAfterParts uploads path with a checkpoint that keeps the upload when keep says so, and
// interrupts the upload once `after` parts are stored. It returns what was checkpointed and the error.
func interruptAfterParts(t *testing.T, s *session, path string, after int, keep bool) (*vod.MultipartUpload, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var checkpointed *vod.MultipartUpload
	_, err := s.upload(ctx, path, vod.UploadOptions{
		PartSize: mib, Concurrency: 1,
		Checkpoint: func(_ context.Context, mu vod.MultipartUpload) bool {
			if len(s.store().PendingUploads()) != 1 || s.store().PartsStored() != 0 {
				t.Error("Checkpoint was not called between the initiation and the first part")
			}
			checkpointed = &mu
			return keep
		},
		Progress: func(p vod.UploadProgress) {
			if p.PartsDone == after {
				cancel()
			}
		},
	})
	return checkpointed, err
}

func TestEmulatorUploadInterruptedWithCheckpointIsKeptAndResumes(t *testing.T) {
	t.Parallel()
	s := newSessionWith(t, emulator.Options{})
	path, content := writeRandomFile(t, 6*mib+123)
	checkpointed, err := interruptAfterParts(t, s, path, 3, true)
	var kept *vod.UploadKeptError
	if !errors.As(err, &kept) || !errors.Is(err, context.Canceled) || checkpointed == nil {
		t.Fatalf("err = %v (checkpoint %v), want the upload kept after the interrupt", err, checkpointed)
	}
	pending := s.store().PendingUploads()
	if len(pending) != 1 || pending[0].UploadID != checkpointed.UploadID || pending[0].Parts < 3 {
		t.Fatalf("pending uploads %+v, want the checkpointed upload %s with its parts", pending, checkpointed.UploadID)
	}
	if kept.UploadID != checkpointed.UploadID || kept.PartsStored < 3 || kept.Parts != 7 || checkpointed.PartSize != mib {
		t.Errorf("kept = %+v, checkpoint = %+v", kept, checkpointed)
	}
	storedBefore := s.store().PartsStored()

	// Resumed in another run, with a part size the caller now asks differently: the checkpoint's wins.
	called := false
	result, err := s.upload(context.Background(), path, vod.UploadOptions{
		PartSize: 4 * mib, Resume: checkpointed,
		Checkpoint: func(context.Context, vod.MultipartUpload) bool { called = true; return true },
	})
	if err != nil {
		t.Fatalf("resumed upload: %v", err)
	}
	sent := s.store().PartsStored() - storedBefore
	if int(sent)+result.PartsResumed != 7 || result.PartsResumed != int(storedBefore) || result.BytesResumed != storedBefore*mib {
		t.Errorf("resumed %d parts (%d bytes), sent %d; want the %d stored parts resumed and only the rest sent",
			result.PartsResumed, result.BytesResumed, sent, storedBefore)
	}
	if called {
		t.Error("Checkpoint was called again for an upload that was resumed")
	}
	if got, _ := s.store().Object(s.apply.StorageBucket, s.key); !bytes.Equal(got, content) {
		t.Errorf("the object (%d bytes) differs from the file (%d bytes)", len(got), len(content))
	}
	if pending := s.store().PendingUploads(); len(pending) != 0 {
		t.Errorf("pending uploads after the resumed upload completed: %+v", pending)
	}
}

func TestEmulatorUploadInterruptedWithoutCheckpointIsAborted(t *testing.T) {
	t.Parallel()
	s := newSessionWith(t, emulator.Options{})
	path, _ := writeRandomFile(t, 4*mib)
	_, err := interruptAfterParts(t, s, path, 1, false)
	if err == nil || errors.Is(err, vod.ErrUploadKept) {
		t.Fatalf("err = %v, want an interrupted upload that was not kept", err)
	}
	s.assertNothingLeft(t)
}

// A failure that would happen again (here the file changed) aborts even a checkpointed upload.
func TestEmulatorUploadCheckpointedButFileChangedIsAborted(t *testing.T) {
	t.Parallel()
	s := newSessionWith(t, emulator.Options{})
	path, _ := writeRandomFile(t, 4*mib)
	appendOnce := sync.OnceFunc(func() {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Error(err)
			return
		}
		_, _ = f.Write([]byte("more"))
		_ = f.Close()
	})
	_, err := s.upload(context.Background(), path, vod.UploadOptions{
		PartSize: mib, Concurrency: 1,
		Checkpoint: func(context.Context, vod.MultipartUpload) bool { return true },
		Progress: func(p vod.UploadProgress) {
			if p.PartsDone == 1 {
				appendOnce()
			}
		},
	})
	if !errors.Is(err, vod.ErrFileChanged) || errors.Is(err, vod.ErrUploadKept) {
		t.Fatalf("err = %v, want the file change, not a kept upload", err)
	}
	s.assertNothingLeft(t)
}

// A stored part whose bytes no longer match the file's is sent again; the object is the file.
func TestEmulatorUploadResumeResendsPartsThatDiffer(t *testing.T) {
	t.Parallel()
	s := newSessionWith(t, emulator.Options{})
	path, content := writeRandomFile(t, 4*mib)
	checkpointed, err := interruptAfterParts(t, s, path, 2, true)
	if !errors.Is(err, vod.ErrUploadKept) {
		t.Fatalf("err = %v, want the upload kept", err)
	}
	// Same size, other bytes in part 1 (a caller that checks size and time only would miss this).
	content[10] ^= 0xff
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	storedBefore := s.store().PartsStored()
	result, err := s.upload(context.Background(), path, vod.UploadOptions{Resume: checkpointed})
	if err != nil {
		t.Fatal(err)
	}
	if result.PartsResumed != int(storedBefore)-1 || s.store().PartsStored()-storedBefore != 4-int64(result.PartsResumed) {
		t.Errorf("resumed %d parts of %d stored, sent %d; want part 1 sent again", result.PartsResumed, storedBefore,
			s.store().PartsStored()-storedBefore)
	}
	if got, _ := s.store().Object(s.apply.StorageBucket, s.key); !bytes.Equal(got, content) {
		t.Error("the object differs from the file")
	}
}

// An upload to resume that the store no longer knows (aborted, completed or expired) starts again
// under the same session, and the caller checkpoints the new one.
func TestEmulatorUploadResumeOfAGoneUploadStartsAgain(t *testing.T) {
	t.Parallel()
	s := newSessionWith(t, emulator.Options{})
	path, content := writeRandomFile(t, 3*mib)
	var checkpointed atomic.Pointer[vod.MultipartUpload]
	result, err := s.upload(context.Background(), path, vod.UploadOptions{
		PartSize: mib, Resume: &vod.MultipartUpload{UploadID: "gone-upload-id", PartSize: mib},
		Checkpoint: func(_ context.Context, mu vod.MultipartUpload) bool { checkpointed.Store(&mu); return true },
	})
	if err != nil {
		t.Fatal(err)
	}
	if mu := checkpointed.Load(); mu == nil || mu.UploadID == "gone-upload-id" || result.PartsResumed != 0 {
		t.Errorf("checkpoint %+v, %d parts resumed; want a new upload checkpointed", mu, result.PartsResumed)
	}
	if got, _ := s.store().Object(s.apply.StorageBucket, s.key); !bytes.Equal(got, content) {
		t.Error("the object differs from the file")
	}
}

func TestEmulatorAbortMultipartUploadOfAnEarlierRun(t *testing.T) {
	t.Parallel()
	s := newSessionWith(t, emulator.Options{})
	path, _ := writeRandomFile(t, 3*mib)
	checkpointed, err := interruptAfterParts(t, s, path, 1, true)
	if !errors.Is(err, vod.ErrUploadKept) {
		t.Fatalf("err = %v, want the upload kept", err)
	}
	ctx := context.Background()
	if err := s.client.AbortMultipartUpload(ctx, s.apply.TempCertificate, s.bucketURL, s.apply.MediaStoragePath, checkpointed.UploadID); err != nil {
		t.Fatal(err)
	}
	s.assertNothingLeft(t)
	// Aborting it again finds nothing to abort, which is not an error.
	if err := s.client.AbortMultipartUpload(ctx, s.apply.TempCertificate, s.bucketURL, s.apply.MediaStoragePath, checkpointed.UploadID); err != nil {
		t.Errorf("a second abort: %v", err)
	}
}

// A deadline is the caller's bound on the whole upload: it aborts even a checkpointed upload.
func TestEmulatorUploadCheckpointedButPastItsDeadlineIsAborted(t *testing.T) {
	t.Parallel()
	s := newSessionWith(t, emulator.Options{})
	s.store().InjectFault(objectstore.Fault{Method: http.MethodPut, PartNumber: 2, Latency: time.Minute})
	path, _ := writeRandomFile(t, 3*mib)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := s.upload(ctx, path, vod.UploadOptions{
		PartSize: mib, Concurrency: 1,
		Checkpoint: func(context.Context, vod.MultipartUpload) bool { return true },
	})
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, vod.ErrUploadKept) {
		t.Fatalf("err = %v, want the deadline, not a kept upload", err)
	}
	s.assertNothingLeft(t)
}

// A run that completed its multipart upload and stopped (crashed) before committing leaves a
// checkpoint of an upload the store no longer knows, and the whole object at the key: resuming finds
// it and sends nothing. An object of the same size with other bytes is replaced.
func TestEmulatorUploadResumeOfAnUploadCompletedEarlierSendsNothing(t *testing.T) {
	t.Parallel()
	s := newSessionWith(t, emulator.Options{})
	path, content := writeRandomFile(t, 3*mib+17)
	var checkpointed *vod.MultipartUpload
	if _, err := s.upload(context.Background(), path, vod.UploadOptions{
		PartSize:   mib,
		Checkpoint: func(_ context.Context, mu vod.MultipartUpload) bool { checkpointed = &mu; return true },
	}); err != nil || checkpointed == nil {
		t.Fatalf("first upload: %v (checkpoint %v)", err, checkpointed)
	}
	sent := s.store().PartsStored()

	result, err := s.upload(context.Background(), path, vod.UploadOptions{PartSize: mib, Resume: checkpointed})
	if err != nil {
		t.Fatalf("resumed upload: %v", err)
	}
	if n := s.store().PartsStored(); n != sent || result.PartsResumed != 4 || result.BytesResumed != int64(len(content)) {
		t.Errorf("%d parts sent again, %d resumed (%d bytes); want none sent, all 4 resumed", n-sent, result.PartsResumed, result.BytesResumed)
	}
	if len(s.store().PendingUploads()) != 0 {
		t.Errorf("pending uploads: %+v", s.store().PendingUploads())
	}

	other := bytes.Clone(content)
	other[len(other)-1] ^= 0xff
	if _, err := s.store().PutObjectBytes(s.apply.StorageBucket, s.key, other, ""); err != nil {
		t.Fatal(err)
	}
	result, err = s.upload(context.Background(), path, vod.UploadOptions{PartSize: mib, Resume: checkpointed})
	if err != nil || result.PartsResumed != 0 || s.store().PartsStored() != sent+4 {
		t.Errorf("resuming over an object with other bytes: %v, %d parts resumed, %d sent; want the file sent again",
			err, result.PartsResumed, s.store().PartsStored()-sent)
	}
	if got, _ := s.store().Object(s.apply.StorageBucket, s.key); !bytes.Equal(got, content) {
		t.Error("the object differs from the file")
	}
}

// A run that stopped right after writing its checkpoint, before any part was stored, leaves an upload
// with no parts: resuming it sends them all, under the same upload.
func TestEmulatorUploadResumeOfAnUploadWithNoPartsSendsThemAll(t *testing.T) {
	t.Parallel()
	s := newSessionWith(t, emulator.Options{})
	path, content := writeRandomFile(t, 3*mib)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var checkpointed *vod.MultipartUpload
	_, err := s.upload(ctx, path, vod.UploadOptions{
		PartSize: mib, Concurrency: 1,
		Checkpoint: func(_ context.Context, mu vod.MultipartUpload) bool { checkpointed = &mu; cancel(); return true },
	})
	if !errors.Is(err, vod.ErrUploadKept) || checkpointed == nil || s.store().PartsStored() != 0 {
		t.Fatalf("err = %v, checkpoint %v, %d parts stored; want the upload kept with no parts", err, checkpointed, s.store().PartsStored())
	}
	result, err := s.upload(context.Background(), path, vod.UploadOptions{PartSize: mib, Resume: checkpointed})
	if err != nil || result.PartsResumed != 0 || s.store().PartsStored() != 3 {
		t.Fatalf("resumed upload: %v, %d parts resumed, %d sent; want all 3 sent", err, result.PartsResumed, s.store().PartsStored())
	}
	if got, _ := s.store().Object(s.apply.StorageBucket, s.key); !bytes.Equal(got, content) {
		t.Error("the object differs from the file")
	}
	if pending := s.store().PendingUploads(); len(pending) != 0 {
		t.Errorf("pending uploads: %+v", pending)
	}
}
