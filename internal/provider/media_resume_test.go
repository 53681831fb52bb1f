package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator/objectstore"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/uploadcache"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// resumeParts is how many 1 MiB parts the file of a resume test has; the upload is interrupted while
// part heldPart is being sent, one part at a time, so parts 1 and 2 are stored and 3 and 4 are not.
const (
	resumeParts = 4
	heldPart    = 3
)

// resumeTest is a media resource whose upload gets interrupted half way through real Terraform.
type resumeTest struct {
	env     *testEnv
	video   string
	content []byte
}

func newResumeTest(t *testing.T, opts ...func(*emulator.Options)) *resumeTest {
	t.Helper()
	video, content := newMediaFiles(t).random("clip.mp4", resumeParts<<20)
	return &resumeTest{env: newTestEnv(t, opts...), video: video, content: content}
}

// config is the media resource with extra arguments.
func (rt *resumeTest) config(extra string) string {
	return rt.env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source               = %q
  upload_part_size_mib = 1
  upload_concurrency   = 1
  %s
}
`, rt.video, extra)
}

// interruptHalfWay applies config and interrupts Terraform (SIGINT) while part heldPart is held by the
// object store, once the parts before it are stored. It returns the Terraform it ran.
func (rt *resumeTest) interruptHalfWay(t *testing.T, config string) *directTerraform {
	t.Helper()
	store := rt.env.emu.ObjectStore()
	store.InjectFault(objectstore.Fault{Method: "PUT", Query: "partNumber", PartNumber: heldPart, Latency: 10 * time.Minute, Times: 1})
	tf := newDirectTerraform(t, config)
	applyCtx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	applied := make(chan error, 1)
	go func() { applied <- tf.apply(applyCtx) }()
	deadline := time.Now().Add(2 * time.Minute)
	for store.PartsStored() < heldPart-1 {
		select {
		case err := <-applied:
			t.Fatalf("the apply ended before part %d was held: %v\n%s", heldPart, err, tf.output)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("parts 1-%d were never stored\n%s", heldPart-1, tf.output)
		}
	}
	interrupt()
	if err := tf.awaitInterrupted(t, applied); err == nil {
		t.Fatalf("the interrupted apply succeeded\n%s", tf.output)
	}
	if n := store.PartsStored(); n != heldPart-1 {
		t.Fatalf("%d parts stored by the interrupted apply, want %d", n, heldPart-1)
	}
	return tf
}

// checkpointOf finds the checkpoint of the test's file in the upload cache, with its path.
func (rt *resumeTest) checkpointOf(t *testing.T) (*uploadcache.Checkpoint, string) {
	t.Helper()
	dir, err := uploadcache.Dir()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		var cp uploadcache.Checkpoint
		if json.Unmarshal(data, &cp) == nil && cp.Source == rt.video {
			return &cp, file
		}
	}
	return nil, ""
}

// expectStored checks that the one media in VOD holds exactly want, that nothing is pending but
// what keepPending names, and that the file's checkpoint is gone.
func (rt *resumeTest) expectStored(t *testing.T, want []byte, keepPending string) {
	t.Helper()
	media := rt.env.emu.Media()
	if len(media) != 1 {
		t.Fatalf("%d media in VOD, want 1", len(media))
	}
	got, ok := rt.env.emu.Object(media[0].Bucket, media[0].MediaKey)
	if !ok || !bytes.Equal(got, want) {
		t.Errorf("the media's object (%d bytes) is not the file (%d bytes)", len(got), len(want))
	}
	for _, p := range rt.env.emu.ObjectStore().PendingUploads() {
		if p.UploadID != keepPending {
			t.Errorf("multipart upload %s of %s is left pending", p.UploadID, p.Key)
		}
	}
	if cp, file := rt.checkpointOf(t); cp != nil {
		t.Errorf("the checkpoint %s is left after the upload", file)
	}
}

// Interrupted half way, the upload resumes in the next apply: no new session, only the missing parts
// sent, the object exact, the checkpoint private while it exists and deleted after the commit. The
// session's secrets reach neither the state, nor Terraform's output and log, nor the provider's log.
// Not parallel: it sets TF_LOG.
func TestAccMedia_interruptedUploadResumes(t *testing.T) {
	skipInAccMode(t)
	logDir := t.TempDir()
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", filepath.Join(logDir, "provider.log"))
	rt := newResumeTest(t)
	tf := rt.interruptHalfWay(t, rt.config(""))
	if err := tf.tf.SetLogPath(filepath.Join(logDir, "terraform.log")); err != nil {
		t.Fatal(err)
	}
	output := strings.Join(strings.Fields(tf.output.String()), " ")
	for _, want := range []string{"Unable to Upload Media", "The operation was interrupted",
		fmt.Sprintf("the %d of %d parts already stored are kept: the next apply resumes the upload", heldPart-1, resumeParts)} {
		if !strings.Contains(output, want) {
			t.Errorf("the interrupted apply does not say %q:\n%s", want, tf.output)
		}
	}

	checkpoint, file := rt.checkpointOf(t)
	if checkpoint == nil {
		t.Fatal("no checkpoint was kept for the interrupted upload")
	}
	for path, mode := range map[string]os.FileMode{file: 0o600, filepath.Dir(file): 0o700} {
		if info, err := os.Stat(path); err != nil || info.Mode().Perm() != mode {
			t.Errorf("%s has mode %v (%v), want %04o", path, info.Mode().Perm(), err, mode)
		}
	}
	pending := rt.env.emu.ObjectStore().PendingUploads()
	if len(pending) != 1 || pending[0].UploadID != checkpoint.Upload.UploadID || pending[0].Parts != heldPart-1 {
		t.Fatalf("pending uploads %+v, want the checkpointed upload %s with its %d parts", pending, checkpoint.Upload.UploadID, heldPart-1)
	}

	if err := tf.apply(context.Background()); err != nil {
		t.Fatalf("the apply after the interrupt failed: %s\n%s", err, tf.output)
	}
	if n := rt.env.apiAttempts("ApplyUpload"); n != 1 {
		t.Errorf("%d upload sessions opened; the resumed upload must use the first", n)
	}
	if n := rt.env.emu.ObjectStore().PartsStored(); n != resumeParts {
		t.Errorf("%d parts sent in all, want %d: the resumed apply sends only the %d missing parts", n, resumeParts, resumeParts-heldPart+1)
	}
	rt.expectStored(t, rt.content, "")

	state, err := tf.show(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	stateJSON, _ := json.Marshal(state)
	secrets := []string{checkpoint.Session.VodSessionKey, checkpoint.Session.TempCertificate.SecretKey, checkpoint.Session.TempCertificate.Token}
	logs := map[string]string{"state": string(stateJSON), "Terraform's output": tf.output.String()}
	for _, name := range []string{"provider.log", "terraform.log"} {
		data, err := os.ReadFile(filepath.Join(logDir, name))
		if err != nil || len(data) == 0 {
			t.Fatalf("no %s: %v", name, err)
		}
		logs[name] = string(data)
	}
	if !strings.Contains(logs["provider.log"], "resuming an interrupted upload") {
		t.Fatal("the provider's TRACE log does not show the resume; the secret check below would prove little")
	}
	for where, text := range logs {
		for _, secret := range secrets {
			if secret == "" || strings.Contains(text, secret) {
				t.Errorf("a secret of the upload session (%.6s...) appears in %s", secret, where)
			}
		}
	}
}

// A file that changed since the interrupt is not resumed: the old upload is aborted with its session's
// still valid credentials, and a new session uploads the file as it is now.
func TestAccMedia_interruptedUploadOfAChangedFileStartsOver(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	rt := newResumeTest(t)
	tf := rt.interruptHalfWay(t, rt.config(""))
	changed := bytes.Clone(rt.content)
	changed[0] ^= 0xff // same size: the modification time tells
	later := time.Now().Add(time.Minute)
	if err := os.WriteFile(rt.video, changed, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(rt.video, later, later); err != nil {
		t.Fatal(err)
	}
	if err := tf.apply(context.Background()); err != nil {
		t.Fatalf("the apply after the interrupt failed: %s\n%s", err, tf.output)
	}
	if n := rt.env.apiAttempts("ApplyUpload"); n != 2 {
		t.Errorf("%d upload sessions opened, want a new one for the changed file", n)
	}
	if n := rt.env.emu.ObjectStore().PartsStored(); n != heldPart-1+resumeParts {
		t.Errorf("%d parts sent in all, want the whole file sent again", n)
	}
	rt.expectStored(t, changed, "")
}

// Arguments that changed since the interrupt (here the media name) are not resumed either.
func TestAccMedia_interruptedUploadWithChangedArgumentsStartsOver(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	rt := newResumeTest(t)
	tf := rt.interruptHalfWay(t, rt.config(`media_name = "first name"`))
	old, _ := rt.checkpointOf(t)
	if old == nil {
		t.Fatal("no checkpoint was kept for the interrupted upload")
	}
	if err := os.WriteFile(filepath.Join(tf.tf.WorkingDir(), "main.tf"), []byte(rt.config(`media_name = "second name"`)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := tf.apply(context.Background()); err != nil {
		t.Fatalf("the apply after the interrupt failed: %s\n%s", err, tf.output)
	}
	if n := rt.env.apiAttempts("ApplyUpload"); n != 2 {
		t.Errorf("%d upload sessions opened, want a new one for the new arguments", n)
	}
	if media := rt.env.emu.Media(); len(media) != 1 || media[0].Name != "second name" ||
		media[0].SessionRequestID == old.Session.RequestID {
		t.Errorf("media %+v; want it committed from a new session, with the new name", media)
	}
	rt.expectStored(t, rt.content, "") // the old upload was aborted
}

// Credentials that expired since the interrupt end the resume: the checkpoint is deleted, nothing
// tries to abort the old upload (its parts stay until the bucket's lifecycle removes them), and a new
// session uploads the whole file.
func TestAccMedia_interruptedUploadWithExpiredCredentialsStartsOver(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	// Long enough for one apply to upload the small file; short enough to wait out.
	rt := newResumeTest(t, func(o *emulator.Options) { o.SessionTTL = 12 * time.Second })
	tf := rt.interruptHalfWay(t, rt.config(""))
	old, _ := rt.checkpointOf(t)
	if old == nil {
		t.Fatal("no checkpoint was kept for the interrupted upload")
	}
	time.Sleep(time.Until(old.Expires().Add(time.Second)))
	if err := tf.apply(context.Background()); err != nil {
		t.Fatalf("the apply after the credentials expired failed: %s\n%s", err, tf.output)
	}
	if n := rt.env.apiAttempts("ApplyUpload"); n != 2 {
		t.Errorf("%d upload sessions opened, want a new one", n)
	}
	if n := rt.env.emu.ObjectStore().PartsStored(); n != heldPart-1+resumeParts {
		t.Errorf("%d parts sent in all, want the whole file sent again", n)
	}
	rt.expectStored(t, rt.content, old.Upload.UploadID)
	if pending := rt.env.emu.ObjectStore().PendingUploads(); len(pending) != 1 {
		t.Errorf("pending uploads %+v; the expired upload cannot be aborted and stays for the bucket's lifecycle", pending)
	}
}

// VOD does not document how long a session key lasts. One refused when the resumed upload commits
// ends that apply with VOD's error and what it means; the checkpoint is gone, so the next apply uploads
// the file with a new session.
func TestAccMedia_resumedUploadWhoseSessionKeyExpiredStartsOverNextApply(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	const keyTTL = 2 * time.Second
	rt := newResumeTest(t, func(o *emulator.Options) { o.SessionKeyTTL = keyTTL })
	tf := rt.interruptHalfWay(t, rt.config(""))
	old, _ := rt.checkpointOf(t)
	if old == nil {
		t.Fatal("no checkpoint was kept for the interrupted upload")
	}
	time.Sleep(time.Until(old.Opened.Add(keyTTL + time.Second)))
	if err := tf.apply(context.Background()); err == nil {
		t.Fatalf("the resumed upload was committed with an expired session key\n%s", tf.output)
	}
	output := strings.Join(strings.Fields(tf.output.String()), " ")
	for _, want := range []string{"Unable to Commit VOD Upload", "InvalidParameterValue.VodSessionKey", "Resumed Upload Not Committed",
		"the next apply does not resume this session"} {
		if !strings.Contains(output, want) {
			t.Errorf("the apply does not say %q:\n%s", want, tf.output)
		}
	}
	if cp, _ := rt.checkpointOf(t); cp != nil || len(rt.env.emu.Media()) != 0 {
		t.Fatalf("checkpoint %v and %d media after the refused commit; want neither", cp, len(rt.env.emu.Media()))
	}
	if err := tf.apply(context.Background()); err != nil {
		t.Fatalf("the next apply failed: %s\n%s", err, tf.output)
	}
	if n := rt.env.apiAttempts("ApplyUpload"); n != 2 {
		t.Errorf("%d upload sessions opened, want a new one", n)
	}
	rt.expectStored(t, rt.content, "")
}

// resumeFixture drives prepareResumable directly, with a clock of the test's choosing.
type resumeFixture struct {
	t       *testing.T
	env     *testEnv
	client  *vod.Client
	plan    *mediaResourceModel
	request *vod.ApplyUploadRequest
}

func newResumeFixture(t *testing.T) *resumeFixture {
	t.Helper()
	env := newTestEnv(t)
	client, err := vod.NewClient(vod.Config{
		SecretID: emulatorSecretID, SecretKey: emulatorSecretKey,
		Endpoint: env.emu.URL(), STSEndpoint: env.emu.URL(), COSEndpoint: env.emu.URL(), MetadataEndpoint: env.emu.URL(),
		Getenv: func(string) string { return "" }, HomeDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	video, _ := newMediaFiles(t).random("clip.mp4", 3<<20)
	return &resumeFixture{t: t, env: env, client: client, plan: &mediaResourceModel{Source: types.StringValue(video)},
		request: &vod.ApplyUploadRequest{MediaType: "mp4"}}
}

// interrupted leaves an upload interrupted after its first part, checkpointed, and returns the
// checkpoint.
func (f *resumeFixture) interrupted() *uploadcache.Checkpoint {
	f.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := prepareResumable(ctx, f.client, f.plan, f.request, time.Now())
	defer r.release()
	if r.slot == nil || r.resumeFrom != nil {
		f.t.Fatalf("a first upload got slot %v and resumes %v", r.slot, r.resumeFrom)
	}
	r.opened = time.Now()
	session, err := f.client.ApplyUpload(ctx, f.request)
	if err != nil {
		f.t.Fatal(err)
	}
	r.session = session
	bucketURL, _ := f.client.BucketURL(session.StorageBucket, session.StorageRegion)
	options := r.uploadOptions(vod.UploadOptions{PartSize: 1 << 20, Concurrency: 1, Progress: func(p vod.UploadProgress) {
		if p.PartsDone == 1 {
			cancel()
		}
	}})
	_, err = f.client.UploadFile(ctx, session.TempCertificate, bucketURL, session.MediaStoragePath, f.plan.Source.ValueString(), options)
	if !errors.Is(err, vod.ErrUploadKept) {
		f.t.Fatalf("the interrupted upload was not kept: %v", err)
	}
	r.uploadFailed(ctx, err)
	cp, err := r.slot.Load()
	if cp == nil || err != nil {
		f.t.Fatalf("no checkpoint after the interrupt: %v", err)
	}
	return cp
}

// settleAt runs prepareResumable at now and returns its outcome, with the slot released.
func (f *resumeFixture) settleAt(now time.Time) (resumed bool, checkpointLeft bool, pending int) {
	f.t.Helper()
	r := prepareResumable(context.Background(), f.client, f.plan, f.request, now)
	defer r.release()
	if r.slot == nil {
		f.t.Fatal("prepareResumable got no checkpoint slot")
	}
	cp, _ := r.slot.Load()
	return r.resumeFrom != nil, cp != nil, len(f.env.emu.ObjectStore().PendingUploads())
}

func TestPrepareResumable_decidesByTheCredentialsLifetime(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	f := newResumeFixture(t)
	cp := f.interrupted()
	if resumed, left, pending := f.settleAt(time.Now()); !resumed || !left || pending != 1 {
		t.Errorf("while the credentials last: resumed %v, checkpoint kept %v, %d pending; want it resumed", resumed, left, pending)
	}
	// Too close to the expiry to finish: aborted with the credentials that still work, and forgotten.
	if resumed, left, pending := f.settleAt(cp.ResumableUntil()); resumed || left || pending != 0 {
		t.Errorf("near the expiry: resumed %v, checkpoint kept %v, %d pending; want it aborted and deleted", resumed, left, pending)
	}
	// Expired: nothing can abort it; the checkpoint is deleted and the parts left to the bucket's lifecycle.
	f.interrupted()
	if resumed, left, pending := f.settleAt(cp.Expires().Add(2 * time.Hour)); resumed || left || pending != 1 {
		t.Errorf("after the expiry: resumed %v, checkpoint kept %v, %d pending; want it deleted, not aborted", resumed, left, pending)
	}
}

func TestPrepareResumable_corruptCheckpointIsIgnored(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	f := newResumeFixture(t)
	r := prepareResumable(context.Background(), f.client, f.plan, f.request, time.Now())
	if r.slot == nil {
		t.Fatal("no checkpoint slot")
	}
	if err := os.WriteFile(r.slot.Path(), []byte(`{"version": 1, "session": {`), 0o600); err != nil {
		t.Fatal(err)
	}
	r.release()
	if resumed, left, _ := f.settleAt(time.Now()); resumed || left {
		t.Errorf("a corrupt checkpoint was resumed (%v) or kept (%v)", resumed, left)
	}
}

// A second upload of the same file while the first holds its slot keeps no checkpoint (and so is
// aborted when interrupted) instead of sharing the first one's.
func TestPrepareResumable_slotHeldElsewhere(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	f := newResumeFixture(t)
	first := prepareResumable(context.Background(), f.client, f.plan, f.request, time.Now())
	defer first.release()
	second := prepareResumable(context.Background(), f.client, f.plan, f.request, time.Now())
	defer second.release()
	if first.slot == nil || second.slot != nil {
		t.Errorf("slots: first %v, second %v; want only the first to hold one", first.slot, second.slot)
	}
	if options := second.uploadOptions(vod.UploadOptions{}); options.Checkpoint != nil || options.Resume != nil {
		t.Error("an upload without a slot checkpoints or resumes")
	}
}
