// Command tencentvod-emulator runs the local Tencent Cloud VOD emulator (VOD and STS APIs, CVM metadata
// and object storage on one port) until SIGINT or SIGTERM.
//
//	go run ./cmd/tencentvod-emulator -addr 127.0.0.1:9000
//
// It prints "tencentvod-emulator listening on http://ADDR" to stdout and logs one line per API call
// (action, request id, error code; never secrets) to stderr.
//
// Task flows (procedures) for ApplyUpload's Procedure and ProcessMediaByProcedure: the built-in
// LongVideoPreset (an HLS adaptive stream), StreamingPreset (HLS and DASH streams, 360p and 720p MP4,
// snapshots, an image sprite), TranscodePreset (MP4 at 360p, 540p, 720p, 1080p), TranscodeAndSnapshot
// (720p MP4 and snapshots) and FailingPreset (a 360p MP4, then an HLS stream that fails), plus any
// -procedure, e.g.
//
//	-procedure 'Web=adaptive:10,transcode:100030,snapshot:10,sprite:10' -procedure 'Broken=transcode:100010:fail'
//
// Tasks take -task-duration (WAITING, PROCESSING, then FINISH with their outputs). While running,
// POST /_emulator/procedures (body NAME=STEPS) adds a task flow and
// POST /_emulator/tasks/fail?procedure=NAME&count=N makes its next N tasks fail; GET /_emulator/tasks
// lists the tasks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
)

func main() {
	os.Exit(exitCode(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

// exitCode is the process's exit status after run returned err: 0 for success and for -h (the usage
// was asked for), 2 for a command line the flag package refused (it printed why and the usage), 1 for
// any other error, which it prints.
func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	fmt.Fprintln(stderr, "tencentvod-emulator:", err)
	return 1
}

// run parses flags, serves until ctx ends or a signal arrives, then shuts down.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, urlFile, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	opts.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	server, err := emulator.Start(opts)
	if err != nil {
		return err
	}
	defer server.Close()

	if urlFile != "" {
		if err := os.WriteFile(urlFile, []byte(server.URL()+"\n"), 0o600); err != nil {
			return fmt.Errorf("write -url-file: %w", err)
		}
	}
	fmt.Fprintf(stdout, "tencentvod-emulator listening on %s\n", server.URL())

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	fmt.Fprintln(stderr, "tencentvod-emulator: shutting down")
	return nil
}

func parseFlags(args []string, output io.Writer) (emulator.Options, string, error) {
	fs := flag.NewFlagSet("tencentvod-emulator", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.Usage = func() {
		fmt.Fprint(output, "Usage: tencentvod-emulator [flags]\n\nRuns the local Tencent Cloud VOD emulator until SIGINT or SIGTERM.\n\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprint(output, processingHelp)
	}
	var (
		opts       emulator.Options
		secretID   = fs.String("secret-id", emulator.DefaultSecretID, "long-term SecretId the API accepts")
		secretKey  = fs.String("secret-key", emulator.DefaultSecretKey, "SecretKey of -secret-id")
		subAppIDs  = fs.String("sub-app-ids", strconv.FormatUint(emulator.DefaultSubAppID, 10), "comma-separated VOD application IDs; the first is the default")
		cvmRoles   = fs.String("cvm-roles", "", "comma-separated role names served by the CVM metadata endpoint")
		urlFile    = fs.String("url-file", "", "write the base URL to this file once listening (useful with port 0)")
		rateLimit  = fs.Int("rate-limit", emulator.DefaultRateLimit, "calls per second of each VOD action; negative disables the limit")
		sessionTTL = fs.Duration("session-ttl", emulator.DefaultSessionTTL, "lifetime of temporary credentials")
		clockSkew  = fs.Duration("clock-skew", 0, "how far the emulator's clock is ahead of this machine's (negative: behind), to try a client with a wrong clock")
		procedures procedureFlag
	)
	fs.Var(&procedures, "procedure", "add a task flow: NAME=TYPE:DEFINITION[:fail],... with TYPE transcode, adaptive, snapshot or sprite (repeatable); built in:\n"+builtinProcedures())
	fs.DurationVar(&opts.TaskDuration, "task-duration", emulator.DefaultTaskDuration, "how long a processing task takes from creation to FINISH")
	fs.StringVar(&opts.Addr, "addr", "127.0.0.1:9000", "listen address (port 0 picks a free port)")
	fs.Uint64Var(&opts.AppID, "app-id", emulator.DefaultAppID, "account APPID (suffix of bucket names)")
	fs.BoolVar(&opts.RequireSubAppID, "require-sub-app-id", false, "require SubAppId on every call (accounts opened from 2023-12-25)")
	fs.DurationVar(&opts.Latency, "latency", 0, "delay added to every API call")
	fs.DurationVar(&opts.StorageLatency, "storage-latency", 0, "delay added to every object-storage request, like a round trip to a remote bucket")
	fs.StringVar(&opts.DataDir, "data-dir", "", "directory for object bytes (default: a temporary directory removed on exit)")
	fs.StringVar(&opts.MediaBaseURL, "media-base-url", "", "scheme and host of MediaUrl/CoverUrl, e.g. http://localhost:9000 (default: the listen URL)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return emulator.Options{}, "", err
		}
		return emulator.Options{}, "", fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return emulator.Options{}, "", fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if *secretID == "" || *secretKey == "" {
		return emulator.Options{}, "", errors.New("-secret-id and -secret-key must not be empty")
	}
	opts.Keys = map[string]string{*secretID: *secretKey}
	if err := checkMediaBaseURL(opts.MediaBaseURL); err != nil {
		return emulator.Options{}, "", err
	}
	ids, err := parseSubAppIDs(*subAppIDs)
	if err != nil {
		return emulator.Options{}, "", err
	}
	opts.SubAppIDs = ids
	opts.CVMRoles = splitList(*cvmRoles)
	opts.RateLimit = *rateLimit
	if *rateLimit == 0 {
		opts.RateLimit = -1 // 0 on the command line means "no limit", not "default"
	}
	opts.SessionTTL = *sessionTTL
	if *sessionTTL <= 0 {
		return emulator.Options{}, "", fmt.Errorf("-session-ttl must be positive, got %s", sessionTTL.String())
	}
	if opts.TaskDuration <= 0 {
		return emulator.Options{}, "", fmt.Errorf("-task-duration must be positive, got %s", opts.TaskDuration)
	}
	opts.ProcedureTemplates = procedures
	opts.Clock = skewedClock(*clockSkew)
	return opts, *urlFile, nil
}

// errUsage marks a command line the flag package refused (it has printed why, and the usage).
var errUsage = errors.New("invalid command line")

// processingHelp ends the usage text: how to add task flows and make tasks fail, at start and while
// running.
const processingHelp = `
Processing (ApplyUpload's Procedure, ProcessMediaByProcedure, DescribeTaskDetail, DescribeTasks):
  A task of a task flow is WAITING for the first quarter of -task-duration, then PROCESSING, then
  FINISH; its outputs then appear in DescribeMediaInfos and download from /_media/.
  Add a task flow at start with -procedure NAME=STEP,STEP,... where a STEP is TYPE:DEFINITION, e.g.
    -procedure 'Web=adaptive:10,transcode:100030,snapshot:10,sprite:10'
  or while running:
    curl -X POST --data 'Web=adaptive:10,transcode:100030' http://ADDR/_emulator/procedures
  Make tasks fail (the sub-task ends FAIL with ErrCode 70000, the task still ends FINISH):
    - run FailingPreset, whose adaptive:10 step always fails;
    - end a step with :fail, e.g. -procedure 'Broken=transcode:100010:fail';
    - or make the next N tasks of a task flow fail (their first sub-task):
      curl -X POST 'http://ADDR/_emulator/tasks/fail?procedure=StreamingPreset&count=N'
  GET http://ADDR/_emulator/tasks lists the tasks with their state; GET /_emulator/procedures the
  task flows.
`

// builtinProcedures lists the built-in task flows for the usage text, one a line.
func builtinProcedures() string {
	var lines []string
	for _, p := range emulator.BuiltinProcedures() {
		lines = append(lines, "  "+p.String())
	}
	return strings.Join(lines, "\n")
}

// procedureFlag collects -procedure values, checked as they are parsed.
type procedureFlag []emulator.Procedure

func (f *procedureFlag) String() string { return fmt.Sprint(len(*f), " procedures") }

func (f *procedureFlag) Set(value string) error {
	p, err := emulator.ParseProcedure(value)
	if err != nil {
		return err
	}
	*f = append(*f, p)
	return nil
}

// skewedClock is the local clock moved by skew: with a skew of more than 5 minutes the API refuses every
// signed request with AuthFailure.SignatureExpire, as Tencent Cloud does for a client whose clock is off.
func skewedClock(skew time.Duration) func() time.Time {
	if skew == 0 {
		return time.Now
	}
	return func() time.Time { return time.Now().Add(skew) }
}

// checkMediaBaseURL accepts "" or an absolute http(s) URL without query or fragment, since media URLs
// are built by appending /_media/<bucket>/<key> to it.
func checkMediaBaseURL(value string) error {
	if value == "" {
		return nil
	}
	u, err := url.Parse(value)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("-media-base-url: %q is not an http(s) URL such as http://localhost:9000", value)
	}
	return nil
}

func parseSubAppIDs(list string) ([]uint64, error) {
	var ids []uint64
	for _, item := range splitList(list) {
		id, err := strconv.ParseUint(item, 10, 64)
		if err != nil || id == 0 {
			return nil, fmt.Errorf("-sub-app-ids: %q is not a positive integer", item)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func splitList(list string) []string {
	var items []string
	for item := range strings.SplitSeq(list, ",") {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	return items
}
