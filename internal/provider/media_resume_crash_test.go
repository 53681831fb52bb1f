package provider

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-exec/tfexec"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator/objectstore"
)

// providerProcessEnv, set in the environment of this test binary, makes it serve the provider in
// debug mode instead of running tests (see TestMain): a provider process of its own, which a test can
// kill as a crash would. Its name avoids the TENCENTVOD_ prefix, which TestMain clears.
const providerProcessEnv = "TEST_TERRAFORM_PROVIDER_TENCENTVOD_PROCESS"

// serveProviderProcess serves the provider until the process is killed, after printing its reattach
// configuration as one line of JSON on stdout.
func serveProviderProcess() int {
	reattach := make(chan *plugin.ReattachConfig, 1)
	go func() {
		cfg := <-reattach
		line, _ := json.Marshal(tfexec.ReattachConfig{
			Protocol: string(cfg.Protocol), ProtocolVersion: cfg.ProtocolVersion, Pid: cfg.Pid, Test: cfg.Test,
			Addr: tfexec.ReattachConfigAddr{Network: cfg.Addr.Network(), String: cfg.Addr.String()},
		})
		fmt.Println(string(line))
	}()
	err := tf6server.Serve("registry.terraform.io/hashicorp/tencentvod",
		func() tfprotov6.ProviderServer { return providerserver.NewProtocol6(New("test")())() },
		tf6server.WithDebug(context.Background(), reattach, nil), tf6server.WithGoPluginLogger(hclog.NewNullLogger()))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// startProviderProcess runs the provider in a process of its own (this test binary, see
// serveProviderProcess), with this process's environment and so its upload cache, and returns the
// process and its reattach configuration.
func startProviderProcess(t *testing.T) (*exec.Cmd, tfexec.ReattachConfig) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), providerProcessEnv+"=1")
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	started := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		started <- line
	}()
	var cfg tfexec.ReattachConfig
	select {
	case line := <-started:
		if err := json.Unmarshal([]byte(line), &cfg); err != nil {
			t.Fatalf("the provider process did not start (%v): %q\n%s", err, line, stderr)
		}
	case <-time.After(time.Minute):
		t.Fatalf("the provider process did not start\n%s", stderr)
	}
	return cmd, cfg
}

// killProviderOnceReached applies the resume test's configuration with the provider in a process of
// its own, and kills that process (SIGKILL, as a crash or the OOM killer would) once reached reports
// true, polled while the apply runs.
func (rt *resumeTest) killProviderOnceReached(t *testing.T, what string, reached func() bool) {
	t.Helper()
	provider, cfg := startProviderProcess(t)
	crashed := attachTerraform(t, terraformIn(t, rt.config("")), cfg)
	applied := make(chan error, 1)
	go func() { applied <- crashed.apply(context.Background()) }()
	deadline := time.Now().Add(2 * time.Minute)
	for !reached() {
		select {
		case err := <-applied:
			t.Fatalf("the apply ended before %s: %v\n%s", what, err, crashed.output)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("never %s\n%s", what, crashed.output)
		}
	}
	if err := provider.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := crashed.awaitInterrupted(t, applied); err == nil {
		t.Fatalf("the apply whose provider was killed succeeded\n%s", crashed.output)
	}
}

// applyAfterCrash applies again, with the provider in this process, and checks that the upload session
// of the crashed apply was committed with the file exact, that sent parts were sent in all, and that
// the state tracks the one media. It returns the Terraform it ran.
func (rt *resumeTest) applyAfterCrash(t *testing.T, sent int64) *directTerraform {
	t.Helper()
	tf := newDirectTerraform(t, rt.config(""))
	if err := tf.apply(context.Background()); err != nil {
		t.Fatalf("the apply after the crash failed: %s\n%s", err, tf.output)
	}
	if n := rt.env.apiAttempts("ApplyUpload"); n != 1 {
		t.Errorf("%d upload sessions opened; the resumed upload must use the first", n)
	}
	if n := rt.env.emu.ObjectStore().PartsStored(); n != sent {
		t.Errorf("%d parts sent in all, want %d", n, sent)
	}
	rt.expectStored(t, rt.content, "") // the slot's lock died with the provider: the resume took it
	state, err := tf.show(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if id, err := stateAttr(state, "tencentvod_media.test", "file_id"); err != nil || id != rt.env.emu.Media()[0].FileID {
		t.Errorf("file_id in state = %v (%v), want the one media %s", id, err, rt.env.emu.Media()[0].FileID)
	}
	return tf
}

// A provider killed half way through an upload leaves its checkpoint, written before the first part,
// and its lock, which dies with it: the next apply resumes the upload from the parts stored, sends
// only the missing ones, and the object is exact.
func TestAccMedia_uploadResumesAfterTheProviderIsKilled(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	rt := newResumeTest(t)
	store := rt.env.emu.ObjectStore()
	store.InjectFault(objectstore.Fault{Method: "PUT", Query: "partNumber", PartNumber: heldPart, Latency: 10 * time.Minute, Times: 1})
	rt.killProviderOnceReached(t, fmt.Sprintf("parts 1-%d were stored", heldPart-1), func() bool {
		return store.PartsStored() >= heldPart-1
	})
	if checkpoint, _ := rt.checkpointOf(t); checkpoint == nil {
		t.Fatal("no checkpoint was left by the killed provider")
	}
	if pending := store.PendingUploads(); len(pending) != 1 || pending[0].Parts != heldPart-1 {
		t.Fatalf("pending uploads %+v after the crash, want one with %d parts", pending, heldPart-1)
	}
	rt.applyAfterCrash(t, resumeParts) // the missing parts only
}

// A provider killed after its upload completed, while CommitUpload was on its way, leaves a checkpoint
// of an upload the store no longer knows: the next apply finds the object whole (size and CRC-64),
// sends nothing and commits the session.
func TestAccMedia_uploadCompletedButNotCommittedWhenTheProviderIsKilledIsCommittedNext(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	rt := newResumeTest(t)
	gate := emulator.NewGate()
	defer gate.Open()
	rt.env.emu.InjectFault(emulator.Fault{Action: "CommitUpload", Times: 1, Hold: gate})
	rt.killProviderOnceReached(t, "CommitUpload was sent", func() bool {
		select {
		case <-gate.Arrived():
			return true
		default:
			return false
		}
	})
	if checkpoint, _ := rt.checkpointOf(t); checkpoint == nil || len(rt.env.emu.Media()) != 0 {
		t.Fatalf("checkpoint %v and %d media after the crash; want the checkpoint and no media", checkpoint, len(rt.env.emu.Media()))
	}
	rt.applyAfterCrash(t, resumeParts) // nothing sent again
}

// A provider killed while the commit of its upload was on its way, after VOD committed it, leaves the
// checkpoint of a session VOD now refuses as used: the next apply finds the media that commit created
// at the session's storage path and tracks it, instead of leaving it untracked and uploading again.
func TestAccMedia_uploadCommittedWhenTheProviderIsKilledIsFoundAndTracked(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	rt := newResumeTest(t)
	gate := emulator.NewGate()
	defer gate.Open()
	rt.env.emu.InjectFault(emulator.Fault{Action: "CommitUpload", Times: 1, AfterDispatch: true, Hold: gate})
	rt.killProviderOnceReached(t, "CommitUpload was committed", func() bool {
		select {
		case <-gate.Arrived():
			return true
		default:
			return false
		}
	})
	if checkpoint, _ := rt.checkpointOf(t); checkpoint == nil || len(rt.env.emu.Media()) != 1 {
		t.Fatalf("checkpoint %v and %d media after the crash; want the checkpoint and the committed media", checkpoint, len(rt.env.emu.Media()))
	}
	tf := rt.applyAfterCrash(t, resumeParts)
	if output := strings.Join(strings.Fields(tf.output.String()), " "); !strings.Contains(output, "VOD Media Committed by an Interrupted Apply") {
		t.Errorf("the apply does not say it found the media the interrupted apply committed:\n%s", tf.output)
	}
}
