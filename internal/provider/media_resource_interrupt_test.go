package provider

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
)

// applyWatcher serves the provider and hands each ApplyResourceChange's context to the test: Terraform's
// interrupt reaches the provider by cancelling that context.
type applyWatcher struct {
	tfprotov6.ProviderServer
	applying chan context.Context
}

func (w *applyWatcher) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	select {
	case w.applying <- ctx:
	default:
	}
	return w.ProviderServer.ApplyResourceChange(ctx, req)
}

// directTerraform runs Terraform commands directly (not through terraform-plugin-testing, which cannot
// interrupt a command) against this provider served in-process, as terraform-plugin-testing does it.
type directTerraform struct {
	tf       *tfexec.Terraform
	reattach *tfexec.ReattachOption
	watcher  *applyWatcher
	output   *syncBuffer
}

func (d *directTerraform) apply(ctx context.Context) error { return d.tf.Apply(ctx, d.reattach) }

func (d *directTerraform) plan(ctx context.Context) (bool, error) { return d.tf.Plan(ctx, d.reattach) }

func (d *directTerraform) destroy(ctx context.Context) error { return d.tf.Destroy(ctx, d.reattach) }

func (d *directTerraform) show(ctx context.Context) (*tfjson.State, error) {
	return d.tf.Show(ctx, d.reattach)
}

func newDirectTerraform(t *testing.T, config string) *directTerraform {
	t.Helper()
	tf := terraformIn(t, config)
	watcher := &applyWatcher{ProviderServer: providerserver.NewProtocol6(New("test")())(), applying: make(chan context.Context, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	reattach := make(chan *plugin.ReattachConfig, 1)
	closed := make(chan struct{})
	go func() {
		err := tf6server.Serve("registry.terraform.io/hashicorp/tencentvod", func() tfprotov6.ProviderServer { return watcher },
			tf6server.WithDebug(ctx, reattach, closed), tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			tf6server.WithLoggingSink(t))
		if err != nil {
			t.Errorf("serving the provider: %s", err)
		}
	}()
	var cfg *plugin.ReattachConfig
	select {
	case cfg = <-reattach:
	case <-time.After(time.Minute):
		t.Fatal("the provider server did not start")
	}
	t.Cleanup(func() {
		cancel()
		<-closed
	})
	d := attachTerraform(t, tf, tfexec.ReattachConfig{
		Protocol: string(cfg.Protocol), ProtocolVersion: cfg.ProtocolVersion, Pid: cfg.Pid, Test: cfg.Test,
		Addr: tfexec.ReattachConfigAddr{Network: cfg.Addr.Network(), String: cfg.Addr.String()},
	})
	d.watcher = watcher
	return d
}

// terraformIn returns Terraform in a new working directory holding config as main.tf.
func terraformIn(t *testing.T, config string) *tfexec.Terraform {
	t.Helper()
	terraformPath, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatalf("terraform is not on PATH: %s", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	tf, err := tfexec.NewTerraform(dir, terraformPath)
	if err != nil {
		t.Fatal(err)
	}
	return tf
}

// attachTerraform initialises tf with the provider served at cfg.
func attachTerraform(t *testing.T, tf *tfexec.Terraform, cfg tfexec.ReattachConfig) *directTerraform {
	t.Helper()
	reattachOption := tfexec.Reattach(tfexec.ReattachInfo{"registry.terraform.io/hashicorp/tencentvod": cfg})
	output := &syncBuffer{}
	tf.SetStdout(output)
	tf.SetStderr(output)
	if err := tf.Init(context.Background(), reattachOption); err != nil {
		t.Fatalf("terraform init: %s\n%s", err, output)
	}
	return &directTerraform{tf: tf, reattach: reattachOption, output: output}
}

// syncBuffer collects a command's output, written from Terraform's output goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startMediaApply starts `terraform apply` of one media from a new file, and returns the running
// Terraform, what interrupts it (terraform-exec sends SIGINT when its context is cancelled) and where
// the apply's result arrives.
func startMediaApply(t *testing.T, env *testEnv) (*directTerraform, context.CancelFunc, <-chan error) {
	t.Helper()
	video, _ := newMediaFiles(t).random("clip.mp4", 8<<10)
	tf := newDirectTerraform(t, env.providerConfig()+fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source = %q
}
`, video))
	applyCtx, interrupt := context.WithCancel(context.Background())
	t.Cleanup(interrupt)
	applied := make(chan error, 1)
	go func() { applied <- tf.apply(applyCtx) }()
	return tf, interrupt, applied
}

// awaitHeld waits until the emulator holds action at gate, and returns the context of the provider's
// ApplyResourceChange that sent it; it fails the test if the apply ends first or action never arrives.
func (d *directTerraform) awaitHeld(t *testing.T, gate *emulator.Gate, applied <-chan error, action string) context.Context {
	t.Helper()
	select {
	case <-gate.Arrived():
		return <-d.watcher.applying
	case err := <-applied:
		t.Fatalf("the apply ended before %s was held: %v\n%s", action, err, d.output)
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s never arrived\n%s", action, d.output)
	}
	return nil
}

// awaitInterrupted returns the result of the interrupted apply; it fails the test if the apply never ends.
func (d *directTerraform) awaitInterrupted(t *testing.T, applied <-chan error) error {
	t.Helper()
	select {
	case err := <-applied:
		return err
	case <-time.After(2 * time.Minute):
		t.Fatalf("the interrupted apply never ended\n%s", d.output)
	}
	return nil
}

// Ctrl-C while CommitUpload is in flight: the commit completes (Terraform's cancellation does not reach
// it), the media is saved to the state, and the next plan and apply upload nothing.
func TestAccMedia_interruptDuringCommitKeepsMediaTracked(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	gate := emulator.NewGate()
	defer gate.Open()
	env.emu.InjectFault(emulator.Fault{Action: "CommitUpload", Times: 1, AfterDispatch: true, Hold: gate})
	tf, interrupt, applied := startMediaApply(t, env)
	providerCtx := tf.awaitHeld(t, gate, applied, "CommitUpload")

	// terraform-exec interrupts Terraform (SIGINT) when its context is cancelled; Terraform passes the
	// interrupt on by cancelling the provider's context. Only then does the commit's reply arrive.
	interrupt()
	select {
	case <-providerCtx.Done():
	case <-time.After(time.Minute):
		t.Fatalf("the interrupt never reached the provider\n%s", tf.output)
	}
	gate.Open()
	if err := tf.awaitInterrupted(t, applied); !errors.Is(err, context.Canceled) {
		t.Logf("apply ended with: %v", err)
	}
	// Terraform wraps diagnostics: compare with the line breaks as spaces.
	output := strings.Join(strings.Fields(tf.output.String()), " ")
	for _, want := range []string{"VOD Media Committed and Tracked, Not Finished", "the operation was interrupted"} {
		if !strings.Contains(output, want) {
			t.Errorf("the apply's output does not say %q:\n%s", want, tf.output)
		}
	}
	if strings.Contains(output, "context canceled") {
		t.Errorf("the apply's output blames a cancelled context:\n%s", tf.output)
	}

	media := env.emu.Media()
	if len(media) != 1 {
		t.Fatalf("%d media in VOD, want the one committed", len(media))
	}
	state, err := tf.show(context.Background())
	if err != nil {
		t.Fatalf("terraform show: %s", err)
	}
	if id, err := stateAttr(state, "tencentvod_media.test", "file_id"); err != nil || id != media[0].FileID {
		t.Fatalf("file_id in state = %v (%v), want the committed media %s\n%s", id, err, media[0].FileID, output)
	}
	if env.apiAttempts("SearchMedia") != 0 {
		t.Error("the commit's reply was not received: the media was found by search instead")
	}

	changes, err := tf.plan(context.Background())
	if err != nil || changes {
		t.Fatalf("the plan after the interrupted apply has changes (%v) or failed: %v\n%s", changes, err, tf.output)
	}
	if err := tf.apply(context.Background()); err != nil {
		t.Fatalf("terraform apply: %s\n%s", err, tf.output)
	}
	if n := env.apiAttempts("ApplyUpload"); n != 1 || len(env.emu.Media()) != 1 {
		t.Errorf("%d upload sessions and %d media after the next apply; nothing should be uploaded again", n, len(env.emu.Media()))
	}
	if err := tf.destroy(context.Background()); err != nil {
		t.Fatalf("terraform destroy: %s\n%s", err, tf.output)
	}
}

// Ctrl-C before anything was committed ends the create with an error that says it was interrupted,
// not that a context was cancelled or the network failed; nothing is left in VOD or the state.
func TestAccMedia_interruptBeforeCommitSaysInterrupted(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	gate := emulator.NewGate()
	defer gate.Open()
	env.emu.InjectFault(emulator.Fault{Action: "ApplyUpload", Times: 1, Hold: gate})
	tf, interrupt, applied := startMediaApply(t, env)
	tf.awaitHeld(t, gate, applied, "ApplyUpload")
	interrupt()
	if err := tf.awaitInterrupted(t, applied); err == nil {
		t.Fatalf("the interrupted apply succeeded\n%s", tf.output)
	}
	output := strings.Join(strings.Fields(tf.output.String()), " ")
	want := "Unable to Open VOD Upload Session"
	if !strings.Contains(output, want) || !strings.Contains(output, "The operation was interrupted") ||
		!strings.Contains(output, "while opening an upload session") {
		t.Errorf("the apply's output does not say it was interrupted while opening the session:\n%s", tf.output)
	}
	for _, wrong := range []string{"context canceled", "Check endpoint"} {
		if strings.Contains(output, wrong) {
			t.Errorf("the apply's output says %q:\n%s", wrong, tf.output)
		}
	}
	if n := len(env.emu.Media()); n != 0 {
		t.Errorf("%d media in VOD after an interrupt before the commit", n)
	}
}

// Ctrl-C while CommitUpload goes unanswered and the API hangs: the commit's deadline and the search for
// its media together end well before a CI runner's SIGTERM (about 7.5 s after its interrupt), with the
// diagnostic that names the media to import.
func TestAccMedia_interruptDuringLostCommitEndsBeforeSIGTERM(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	gate := emulator.NewGate()
	defer gate.Open()
	env.emu.InjectFault(emulator.Fault{Action: "CommitUpload", Times: 1, AfterDispatch: true, Hold: gate})
	env.emu.InjectFault(emulator.Fault{Action: "SearchMedia", Hold: gate})
	tf, interrupt, applied := startMediaApply(t, env)
	tf.awaitHeld(t, gate, applied, "CommitUpload")
	interrupted := time.Now()
	interrupt()
	if err := tf.awaitInterrupted(t, applied); err == nil {
		t.Errorf("the interrupted apply succeeded; the commit's outcome was never known\n%s", tf.output)
	}
	// Commit (5 s) and search (at most until 6.5 s after the commit started), plus Terraform's own work.
	if took := time.Since(interrupted); took > 9*time.Second {
		t.Errorf("the interrupted apply ended %s after the interrupt, after a CI runner's SIGTERM", took.Round(100*time.Millisecond))
	}
	output := strings.Join(strings.Fields(tf.output.String()), " ")
	for _, want := range []string{"VOD Media Created But Not Tracked", `by its name "clip"`, "terraform import"} {
		if !strings.Contains(output, want) {
			t.Errorf("the apply's output does not say %q:\n%s", want, tf.output)
		}
	}
}

func TestLookupDeadline(t *testing.T) {
	t.Parallel()
	started := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	afterCommit := started.Add(commitTimeout)
	interrupted, cancel := context.WithCancel(context.Background())
	cancel()
	timedOut, cancelTimedOut := context.WithDeadline(context.Background(), started)
	defer cancelTimedOut()
	<-timedOut.Done()
	cases := []struct {
		name string
		ctx  context.Context
		want time.Time
	}{
		{"running", context.Background(), afterCommit.Add(resolveTimeout)},
		{"create timeout ran out: Terraform is not about to be killed", timedOut, afterCommit.Add(resolveTimeout)},
		{"interrupted", interrupted, started.Add(interruptedCommitBudget)},
	}
	for _, tc := range cases {
		if got := lookupDeadline(tc.ctx, started, afterCommit); !got.Equal(tc.want) {
			t.Errorf("%s: deadline %s after the commit started, want %s", tc.name, got.Sub(started), tc.want.Sub(started))
		}
	}
	// A commit that ended quickly leaves the search its whole resolveTimeout when that fits in the budget.
	if got := lookupDeadline(interrupted, started, started.Add(time.Second)); !got.Equal(started.Add(time.Second + resolveTimeout)) {
		t.Errorf("interrupted after a quick commit: deadline %s after the commit started", got.Sub(started))
	}
}
