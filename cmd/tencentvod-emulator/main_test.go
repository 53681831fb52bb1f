package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
)

// lockedBuffer collects stderr written by the server goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestRun_servesAndShutsDown(t *testing.T) {
	t.Parallel()
	urlFile := filepath.Join(t.TempDir(), "url")
	stdoutR, stdoutW := io.Pipe()
	var stderr lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-url-file", urlFile, "-secret-key", "cli-secret"}, stdoutW, &stderr)
		stdoutW.Close()
	}()

	line, err := bufio.NewReader(stdoutR).ReadString('\n')
	if err != nil {
		t.Fatalf("reading stdout: %v (stderr: %s)", err, stderr.String())
	}
	base, ok := strings.CutPrefix(strings.TrimSpace(line), "tencentvod-emulator listening on ")
	if !ok || !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("stdout line = %q", line)
	}
	written, err := os.ReadFile(urlFile)
	if err != nil || strings.TrimSpace(string(written)) != base {
		t.Fatalf("url file = %q, %v", written, err)
	}

	// An unsigned API call is rejected, and logged without secrets.
	req, _ := http.NewRequest(http.MethodPost, base+"/", strings.NewReader("{}"))
	req.Header.Set("X-TC-Action", "ApplyUpload")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after cancellation")
	}
	logs := stderr.String()
	if !strings.Contains(logs, "action=ApplyUpload") || !strings.Contains(logs, "code=AuthFailure.InvalidAuthorization") {
		t.Fatalf("stderr = %s", logs)
	}
	if strings.Contains(logs, "cli-secret") {
		t.Fatal("stderr contains the secret key")
	}
}

func TestParseFlags(t *testing.T) {
	t.Parallel()
	opts, urlFile, err := parseFlags([]string{
		"-addr", "127.0.0.1:0", "-secret-id", "AKIDx", "-secret-key", "k", "-app-id", "7", "-sub-app-ids", "11, 12",
		"-require-sub-app-id", "-rate-limit", "0", "-latency", "5ms", "-session-ttl", "2m", "-data-dir", "/tmp/d",
		"-cvm-roles", "a,b", "-url-file", "u", "-media-base-url", "http://media.local:8080", "-clock-skew", "-10m",
		"-task-duration", "150ms", "-procedure", "Web=adaptive:10,transcode:100030", "-procedure", "Bad=snapshot:10:fail",
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Keys["AKIDx"] != "k" || opts.AppID != 7 || len(opts.SubAppIDs) != 2 || opts.SubAppIDs[1] != 12 || !opts.RequireSubAppID ||
		opts.RateLimit != -1 || opts.Latency != 5*time.Millisecond || opts.SessionTTL != 2*time.Minute || opts.DataDir != "/tmp/d" ||
		strings.Join(opts.CVMRoles, ",") != "a,b" || urlFile != "u" || opts.MediaBaseURL != "http://media.local:8080" {
		t.Fatalf("opts = %+v, urlFile %q", opts, urlFile)
	}
	wantProcedures := []emulator.Procedure{
		{Name: "Web", Steps: []emulator.ProcedureStep{{Type: emulator.StepAdaptiveDynamicStreaming, Definition: 10}, {Type: emulator.StepTranscode, Definition: 100030}}},
		{Name: "Bad", Steps: []emulator.ProcedureStep{{Type: emulator.StepSnapshotByTimeOffset, Definition: 10, Fail: true}}},
	}
	if opts.TaskDuration != 150*time.Millisecond || !reflect.DeepEqual(opts.ProcedureTemplates, wantProcedures) {
		t.Fatalf("task duration %s, procedures %+v", opts.TaskDuration, opts.ProcedureTemplates)
	}
	if skew := time.Until(opts.Clock()); skew > -9*time.Minute || skew < -11*time.Minute {
		t.Errorf("-clock-skew -10m: the emulator's clock is %s from this machine's", skew)
	}
	defaults, _, err := parseFlags(nil, io.Discard)
	if err != nil || defaults.Keys[emulator.DefaultSecretID] != emulator.DefaultSecretKey || defaults.RateLimit != emulator.DefaultRateLimit ||
		defaults.MediaBaseURL != "" || defaults.TaskDuration != emulator.DefaultTaskDuration || defaults.ProcedureTemplates != nil {
		t.Fatalf("defaults = %+v, %v", defaults, err)
	}
	var usage strings.Builder
	_, _, err = parseFlags([]string{"-h"}, &usage)
	if !errors.Is(err, flag.ErrHelp) || exitCode(err, io.Discard) != 0 {
		t.Errorf("-h: %v, exit code %d; want flag.ErrHelp and 0", err, exitCode(err, io.Discard))
	}
	// The usage says how to add a task flow and how to make tasks fail, at start and while running.
	for _, want := range []string{"  FailingPreset=transcode:100010,adaptive:10:fail", "-procedure 'Broken=transcode:100010:fail'",
		"POST --data 'Web=adaptive:10,transcode:100030' http://ADDR/_emulator/procedures",
		"POST 'http://ADDR/_emulator/tasks/fail?procedure=StreamingPreset&count=N'", "-task-duration"} {
		if !strings.Contains(usage.String(), want) {
			t.Errorf("-h does not say %q:\n%s", want, usage.String())
		}
	}
	if _, _, err := parseFlags([]string{"-nope"}, io.Discard); exitCode(err, io.Discard) != 2 {
		t.Errorf("-nope: %v, exit code %d; want 2", err, exitCode(err, io.Discard))
	}
	var stderr strings.Builder
	if _, _, err := parseFlags([]string{"-task-duration", "0s"}, io.Discard); exitCode(err, &stderr) != 1 ||
		!strings.Contains(stderr.String(), "tencentvod-emulator: -task-duration must be positive") {
		t.Errorf("-task-duration 0s: %v, stderr %q; want exit code 1 and the error", err, stderr.String())
	}
	for _, bad := range [][]string{{"-sub-app-ids", "x"}, {"-secret-id", ""}, {"-session-ttl", "0s"}, {"extra"}, {"-nope"},
		{"-media-base-url", "media.local"}, {"-media-base-url", "ftp://h"}, {"-media-base-url", "http://h/?q=1"},
		{"-task-duration", "0s"}, {"-procedure", "Web"}, {"-procedure", "Web=encode:10"}} {
		if _, _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("parseFlags(%v) succeeded", bad)
		}
	}
}
