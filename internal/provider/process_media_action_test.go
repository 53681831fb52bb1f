package provider

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
)

// Terraform 1.11 cannot run actions: these tests call the RPCs Terraform 1.14 calls for an action block
// (ValidateActionConfig, PlanAction, InvokeAction and its event stream) against the emulator.

const processMediaType = "tencentvod_process_media"

// processMediaArguments is an action configuration running procedure on fileID, with extra arguments.
func processMediaArguments(fileID, procedure string, extra map[string]tftypes.Value) map[string]tftypes.Value {
	arguments := map[string]tftypes.Value{
		"file_id":   tftypes.NewValue(tftypes.String, fileID),
		"procedure": tftypes.NewValue(tftypes.String, procedure),
	}
	for name, value := range extra {
		arguments[name] = value
	}
	return arguments
}

// allUnknown is every argument of the action unknown, as Terraform validates an action block whose
// values all come from variables (unknown while validating) or from resources yet to be created.
func allUnknown() map[string]tftypes.Value {
	unknown := func(typ tftypes.Type) tftypes.Value { return tftypes.NewValue(typ, tftypes.UnknownValue) }
	return map[string]tftypes.Value{
		"file_id": unknown(tftypes.String), "procedure": unknown(tftypes.String), "session_context": unknown(tftypes.String),
		"sub_app_id": unknown(tftypes.Number), "tasks_priority": unknown(tftypes.Number), "timeout": unknown(tftypes.String),
		"wait": unknown(tftypes.Bool),
	}
}

// waitFor is the arguments of an invocation that waits for the task, up to timeout.
func waitFor(timeout string) map[string]tftypes.Value {
	return map[string]tftypes.Value{
		"wait":    tftypes.NewValue(tftypes.Bool, true),
		"timeout": tftypes.NewValue(tftypes.String, timeout),
	}
}

// invokeProcessMedia invokes the action and checks that nothing it showed holds the secret key.
func (p *protocolProvider) invokeProcessMedia(ctx context.Context, arguments map[string]tftypes.Value, onProgress func(string)) invocation {
	p.t.Helper()
	result := p.invokeAction(ctx, processMediaType, arguments, onProgress)
	if strings.Contains(result.text(), emulatorSecretKey) {
		p.t.Errorf("the invocation showed the secret key:\n%s", result.text())
	}
	return result
}

// onlyTask returns the emulator's one task, failing the test when there is not exactly one.
func (e *testEnv) onlyTask() emulator.Task {
	e.t.Helper()
	tasks := e.emu.Tasks()
	if len(tasks) != 1 {
		e.t.Fatalf("the emulator has %d tasks, want 1", len(tasks))
	}
	return tasks[0]
}

// errorDiagnostic returns the one error among diagnostics, failing the test when there is not exactly one.
func errorDiagnostic(t *testing.T, diagnostics []*tfprotov6.Diagnostic) *tfprotov6.Diagnostic {
	t.Helper()
	var errs []*tfprotov6.Diagnostic
	for _, d := range diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			errs = append(errs, d)
		}
	}
	if len(errs) != 1 {
		t.Fatalf("%d errors, want 1:\n%s", len(errs), describeDiagnostics(diagnostics))
	}
	return errs[0]
}

// requireText fails the test unless text matches each pattern.
func requireText(t *testing.T, text string, patterns ...string) {
	t.Helper()
	for _, pattern := range patterns {
		if !regexp.MustCompile(pattern).MatchString(text) {
			t.Errorf("%q not found in:\n%s", pattern, text)
		}
	}
}

func TestProtocolProcessMedia_schemaIsServed(t *testing.T) {
	t.Parallel()
	p := servedProvider(t)
	s, ok := p.schemas.ActionSchemas[processMediaType]
	if !ok {
		t.Fatalf("GetProviderSchema lists no action %s; actions: %v", processMediaType, p.schemas.ActionSchemas)
	}
	required := map[string]bool{}
	for _, a := range s.Schema.Block.Attributes {
		required[a.Name] = a.Required
	}
	want := map[string]bool{"file_id": true, "procedure": true, "session_context": false, "sub_app_id": false,
		"tasks_priority": false, "timeout": false, "wait": false}
	if fmt.Sprint(required) != fmt.Sprint(want) {
		t.Errorf("attributes (name: required) %v, want %v", required, want)
	}
}

// Bad input is refused by ValidateActionConfig, before the provider is even configured, with an error
// on the attribute at fault that says what is allowed; an unknown file_id (the media's, at create) is not.
func TestProtocolProcessMedia_validateConfig(t *testing.T) {
	t.Parallel()
	p := servedProvider(t)
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	num := func(n int) tftypes.Value { return tftypes.NewValue(tftypes.Number, n) }
	yes, no := tftypes.NewValue(tftypes.Bool, true), tftypes.NewValue(tftypes.Bool, false)
	tests := map[string]struct {
		arguments map[string]tftypes.Value
		attribute string // "" when valid
		message   string
	}{
		"valid":                  {arguments: map[string]tftypes.Value{"wait": yes, "timeout": str("1h")}},
		"unknown file id":        {arguments: map[string]tftypes.Value{"file_id": unknownString(), "wait": yes, "timeout": str("10m")}},
		"unknown wait":           {arguments: map[string]tftypes.Value{"wait": tftypes.NewValue(tftypes.Bool, tftypes.UnknownValue), "timeout": str("10m")}},
		"everything unknown":     {arguments: allUnknown()},
		"unknown timeout alone":  {arguments: map[string]tftypes.Value{"timeout": unknownString()}},
		"file id not digits":     {arguments: map[string]tftypes.Value{"file_id": str("my-video")}, attribute: "file_id", message: "string of digits"},
		"empty procedure":        {arguments: map[string]tftypes.Value{"procedure": str("")}, attribute: "procedure", message: "at least 1"},
		"procedure with newline": {arguments: map[string]tftypes.Value{"procedure": str("Preset\n")}, attribute: "procedure", message: "control characters"},
		"priority too high":      {arguments: map[string]tftypes.Value{"tasks_priority": num(11)}, attribute: "tasks_priority", message: "between -10 and 10"},
		"sub app id zero":        {arguments: map[string]tftypes.Value{"sub_app_id": num(0)}, attribute: "sub_app_id", message: "at least 1"},
		"session context too long": {arguments: map[string]tftypes.Value{"session_context": str(strings.Repeat("x", 1001))},
			attribute: "session_context", message: "at most 1000"},
		"timeout not a duration": {arguments: map[string]tftypes.Value{"wait": yes, "timeout": str("soon")}, attribute: "timeout", message: `duration such as "30s"`},
		"timeout without wait":   {arguments: map[string]tftypes.Value{"timeout": str("10m")}, attribute: "timeout", message: "set wait = true"},
		"timeout with wait off":  {arguments: map[string]tftypes.Value{"wait": no, "timeout": str("10m")}, attribute: "timeout", message: "set wait = true"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			resp, err := p.actionServer().ValidateActionConfig(context.Background(), &tfprotov6.ValidateActionConfigRequest{
				ActionType: processMediaType,
				Config:     p.actionConfig(processMediaType, processMediaArguments("5285890780000000001", "StreamingPreset", tt.arguments)),
			})
			if err != nil {
				t.Fatal(err)
			}
			if tt.attribute == "" {
				requireNoErrors(t, "ValidateActionConfig", resp.Diagnostics)
				return
			}
			d := errorDiagnostic(t, resp.Diagnostics)
			if want := tftypes.NewAttributePath().WithAttributeName(tt.attribute); !d.Attribute.Equal(want) {
				t.Errorf("the error is on %v, want %s: %s: %s", d.Attribute, tt.attribute, d.Summary, d.Detail)
			}
			requireText(t, d.Detail, regexp.QuoteMeta(tt.message))
		})
	}
}

// PlanAction, as Terraform calls it for an action triggered by a media's creation, accepts an unknown
// file_id and calls nothing; with an unknown provider configuration it neither panics nor fails, and
// is deferred when Terraform allows it.
func TestProtocolProcessMedia_planWithUnknownValues(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	arguments := processMediaArguments("", "StreamingPreset", waitFor("1h"))
	arguments["file_id"] = unknownString()
	plan := func(p *protocolProvider, capabilities *tfprotov6.PlanActionClientCapabilities) *tfprotov6.PlanActionResponse {
		t.Helper()
		resp, err := p.actionServer().PlanAction(context.Background(), &tfprotov6.PlanActionRequest{
			ActionType: processMediaType, Config: p.actionConfig(processMediaType, arguments), ClientCapabilities: capabilities,
		})
		if err != nil {
			t.Fatal(err)
		}
		requireNoErrors(t, "PlanAction", resp.Diagnostics)
		return resp
	}

	configured := newProtocolProvider(t, env, nil)
	before := env.emu.Attempts("")
	if resp := plan(configured, nil); resp.Deferred != nil {
		t.Errorf("a plan with a known provider configuration was deferred: %v", resp.Deferred)
	}
	resp, err := configured.actionServer().PlanAction(context.Background(), &tfprotov6.PlanActionRequest{
		ActionType: processMediaType, Config: configured.actionConfig(processMediaType, allUnknown()),
	})
	if err != nil {
		t.Fatal(err)
	}
	requireNoErrors(t, "PlanAction with every argument unknown", resp.Diagnostics)
	if n := env.emu.Attempts("") - before; n != 0 {
		t.Errorf("PlanAction made %d API calls, want none", n)
	}

	unknownProvider := newProtocolProvider(t, env, map[string]tftypes.Value{"secret_key": unknownString()})
	plan(unknownProvider, nil)
	deferring := servedProvider(t)
	configureResp, err := deferring.server.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{
		Config:             deferring.objectValue(deferring.schemas.Provider, map[string]tftypes.Value{"secret_key": unknownString()}),
		ClientCapabilities: &tfprotov6.ConfigureProviderClientCapabilities{DeferralAllowed: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	requireNoErrors(t, "ConfigureProvider", configureResp.Diagnostics)
	if resp := plan(deferring, &tfprotov6.PlanActionClientCapabilities{DeferralAllowed: true}); resp.Deferred == nil {
		t.Error("a plan with an unknown provider configuration was not deferred, though Terraform allowed it")
	}
	if n := env.emu.Attempts("") - before; n != 0 {
		t.Errorf("%d API calls with unknown values, want none", n)
	}
}

// An invocation with an unknown provider configuration (which Terraform does not send) fails with the
// unknown arguments named, and starts nothing.
func TestProtocolProcessMedia_invokeWithUnknownProviderConfiguration(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	p := newProtocolProvider(t, env, map[string]tftypes.Value{"secret_key": unknownString()})
	result := p.invokeProcessMedia(context.Background(), processMediaArguments("5285890780000000001", "StreamingPreset", nil), nil)
	d := errorDiagnostic(t, result.diagnostics)
	requireText(t, d.Summary+d.Detail, "Provider Configuration Not Known", "secret_key")
	if n := env.emu.Attempts(""); n != 0 {
		t.Errorf("%d API calls, want none", n)
	}
}

// Without wait, the action starts the task once, with the arguments given and a SessionId of its own,
// reports its id and ends.
func TestProtocolProcessMedia_invokeWithoutWait(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withTaskDuration(time.Hour))
	fileID := env.uploadedMedia(t)
	p := newProtocolProvider(t, env, nil)
	result := p.invokeProcessMedia(context.Background(), processMediaArguments(fileID, "StreamingPreset", map[string]tftypes.Value{
		"session_context": tftypes.NewValue(tftypes.String, "build 42"),
		"tasks_priority":  tftypes.NewValue(tftypes.Number, -3),
	}), nil)
	requireNoErrors(t, "InvokeAction", result.diagnostics)
	task := env.onlyTask()
	if len(result.progress) != 1 {
		t.Fatalf("progress %q, want one event", result.progress)
	}
	requireText(t, result.progress[0], regexp.QuoteMeta(task.TaskID), fileID, "StreamingPreset", `wait = false`)
	if task.FileID != fileID || task.Procedure != "StreamingPreset" || task.SessionContext != "build 42" || task.TasksPriority != -3 ||
		task.SubAppID != emulatorSubAppID || !strings.HasPrefix(task.SessionID, sessionIDPrefix) {
		t.Errorf("task %+v", task)
	}
	if n := env.emu.Attempts("DescribeTaskDetail"); n != 0 {
		t.Errorf("%d DescribeTaskDetail calls without wait, want none", n)
	}
}

// A timeout without wait, which validation refuses unless wait is unknown then (from a variable, say),
// is ignored at invocation with a warning on timeout: the task is started, and not waited for.
func TestProtocolProcessMedia_timeoutWithoutWaitAtInvocation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withTaskDuration(time.Hour))
	fileID := env.uploadedMedia(t)
	p := newProtocolProvider(t, env, nil)
	result := p.invokeProcessMedia(context.Background(), processMediaArguments(fileID, "StreamingPreset", map[string]tftypes.Value{
		"wait": tftypes.NewValue(tftypes.Bool, false), "timeout": tftypes.NewValue(tftypes.String, "10m"),
	}), nil)
	requireNoErrors(t, "InvokeAction", result.diagnostics)
	if len(result.diagnostics) != 1 || result.diagnostics[0].Severity != tfprotov6.DiagnosticSeverityWarning ||
		!result.diagnostics[0].Attribute.Equal(tftypes.NewAttributePath().WithAttributeName("timeout")) {
		t.Fatalf("diagnostics:\n%s\nwant one warning on timeout", describeDiagnostics(result.diagnostics))
	}
	requireText(t, result.diagnostics[0].Detail, "timeout was ignored", "Set wait = true")
	env.onlyTask()
	if n := env.emu.Attempts("DescribeTaskDetail"); n != 0 {
		t.Errorf("%d DescribeTaskDetail calls without wait, want none", n)
	}
}

// statusOrder ranks the statuses a task goes through.
var statusOrder = []string{"WAITING", "PROCESSING", "FINISH"}

// statusesOf lists the status of each progress line after the start's, in order.
func statusesOf(t *testing.T, progress []string, taskID string) []string {
	t.Helper()
	if len(progress) < 2 {
		t.Fatalf("progress %q: no line after the start's", progress)
	}
	var statuses []string
	for _, line := range progress[1:] {
		status, found := strings.CutPrefix(line, "Task "+taskID+": ")
		if !found {
			t.Fatalf("progress line %q does not name task %s", line, taskID)
		}
		status, _, _ = strings.Cut(status, ";")
		statuses = append(statuses, status)
	}
	return statuses
}

// With wait, the action reports the task as it moves, each change once and in order, sub-tasks
// included, and ends without error once the task has finished.
func TestProtocolProcessMedia_invokeAndWait(t *testing.T) {
	t.Parallel()
	// Long enough for the polls (after 0, 1, 2.5 and 4.75 s) to see each status.
	env := newTestEnv(t, withTaskDuration(6*time.Second))
	fileID := env.uploadedMedia(t)
	p := newProtocolProvider(t, env, nil)
	result := p.invokeProcessMedia(context.Background(), processMediaArguments(fileID, "TranscodeAndSnapshot", waitFor("5m")), nil)
	requireNoErrors(t, "InvokeAction", result.diagnostics)
	task := env.onlyTask()
	if task.Status(time.Now()) != "FINISH" {
		t.Errorf("the emulator's task is %s, want FINISH", task.Status(time.Now()))
	}
	requireText(t, result.progress[0], "Started procedure", regexp.QuoteMeta(task.TaskID), "Waiting up to 5m",
		"interrupted, the task keeps running in VOD")
	statuses := statusesOf(t, result.progress, task.TaskID)
	for _, want := range statusOrder {
		if !slices.Contains(statuses, want) {
			t.Errorf("no progress line with status %s: %q", want, result.progress)
		}
	}
	if !slices.IsSortedFunc(statuses, func(a, b string) int { return slices.Index(statusOrder, a) - slices.Index(statusOrder, b) }) {
		t.Errorf("statuses out of order: %q", statuses)
	}
	if last := statuses[len(statuses)-1]; last != "FINISH" {
		t.Errorf("the last status is %s, want FINISH", last)
	}
	if len(slices.Compact(slices.Clone(result.progress))) != len(result.progress) {
		t.Errorf("a progress line was repeated: %q", result.progress)
	}
	requireText(t, result.progress[len(result.progress)-1], `Transcode \(definition 100030\) SUCCESS 100%`, `SnapshotByTimeOffset \(definition 10\) SUCCESS 100%`)
	if polls := env.emu.Attempts("DescribeTaskDetail"); polls < len(statuses) {
		t.Errorf("%d polls for %d progress lines", polls, len(statuses))
	}
}

// A task that ends in failure is an error naming the task, the failed sub-task and VOD's message.
func TestProtocolProcessMedia_failedTask(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withTaskDuration(time.Second))
	fileID := env.uploadedMedia(t)
	p := newProtocolProvider(t, env, nil)
	result := p.invokeProcessMedia(context.Background(), processMediaArguments(fileID, emulator.ProcedureFailing, waitFor("5m")), nil)
	task := env.onlyTask()
	d := errorDiagnostic(t, result.diagnostics)
	requireText(t, d.Summary+"\n"+d.Detail, "VOD Procedure Failed", regexp.QuoteMeta(task.TaskID), fileID,
		`AdaptiveDynamicStreaming \(definition 10\)`, "error 70000")
	requireText(t, result.progress[len(result.progress)-1], regexp.QuoteMeta(task.TaskID)+": FAIL")
}

// A start that VOD refuses shows the API's error (action, code, message, RequestId) and starts nothing.
func TestProtocolProcessMedia_startRefused(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	fileID := env.uploadedMedia(t)
	p := newProtocolProvider(t, env, nil)
	result := p.invokeProcessMedia(context.Background(), processMediaArguments(fileID, "NoSuchPreset", waitFor("5m")), nil)
	d := errorDiagnostic(t, result.diagnostics)
	requireText(t, d.Detail, "ProcessMediaByProcedure", "InvalidParameterValue.ProcedureName", "NoSuchPreset",
		`RequestId:\s+[0-9a-f-]{36}`)
	if len(result.progress) != 0 || len(env.emu.Tasks()) != 0 {
		t.Errorf("progress %q and %d tasks after a refused start", result.progress, len(env.emu.Tasks()))
	}
}

// When the timeout runs out, the error names the task, which keeps running in VOD.
func TestProtocolProcessMedia_timeout(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withTaskDuration(time.Hour))
	fileID := env.uploadedMedia(t)
	p := newProtocolProvider(t, env, nil)
	// Bounded, so that a timeout that does not work fails the test rather than hanging it.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	result := p.invokeProcessMedia(ctx, processMediaArguments(fileID, "StreamingPreset", waitFor("2s")), nil)
	task := env.onlyTask()
	d := errorDiagnostic(t, result.diagnostics)
	requireText(t, d.Summary+"\n"+d.Detail, "VOD Task Still Running", regexp.QuoteMeta(task.TaskID), `timeout \(2s\) ran out`,
		"last seen (WAITING|PROCESSING)", "keeps running in VOD")
	if status := task.Status(time.Now()); status == "FINISH" {
		t.Errorf("the emulator's task is %s", status)
	}
}

// An interrupt (Terraform's StopProvider cancels the RPC's context) ends the wait at once with the task's
// id; the task keeps running. Terraform's plugin server drops the events that follow an interrupt, this
// error included, so the line of the start, which the user does see, says the same.
func TestProtocolProcessMedia_interrupted(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withTaskDuration(time.Hour))
	fileID := env.uploadedMedia(t)
	p := newProtocolProvider(t, env, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Interrupted once the task's first status is reported.
	interrupt := func(line string) {
		if strings.HasPrefix(line, "Task ") {
			cancel()
		}
	}
	start := time.Now()
	// The action's timeout, 2m, ends the wait should the interrupt not (the test then fails on its message).
	result := p.invokeProcessMedia(ctx, processMediaArguments(fileID, "StreamingPreset", waitFor("2m")), interrupt)
	task := env.onlyTask()
	d := errorDiagnostic(t, result.diagnostics)
	requireText(t, d.Summary+"\n"+d.Detail, "VOD Task Still Running", regexp.QuoteMeta(task.TaskID), "interrupted",
		"keeps running in VOD")
	requireText(t, result.progress[0], regexp.QuoteMeta(task.TaskID), "if Terraform is interrupted, the task keeps running in VOD")
	if waited := time.Since(start); waited > time.Minute {
		t.Errorf("the interrupted wait took %s", waited)
	}
	if status := task.Status(time.Now()); status == "FINISH" {
		t.Errorf("the emulator's task is %s", status)
	}
}

// Progress reaches Terraform as it happens, not when the invocation ends: the start's line arrives
// while the action is still waiting for a task that runs for an hour. Interrupted on that line, the
// invocation ends as interrupted; were the events held back until the end, the action's own timeout
// would have ended it first, and the error would say so.
func TestProtocolProcessMedia_progressIsStreamed(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withTaskDuration(time.Hour))
	fileID := env.uploadedMedia(t)
	p := newProtocolProvider(t, env, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var first string
	interruptOnFirst := func(line string) {
		if first == "" {
			first = line
			cancel()
		}
	}
	result := p.invokeProcessMedia(ctx, processMediaArguments(fileID, "StreamingPreset", waitFor("1m")), interruptOnFirst)
	task := env.onlyTask()
	requireText(t, first, "^Started procedure", regexp.QuoteMeta(task.TaskID))
	d := errorDiagnostic(t, result.diagnostics)
	requireText(t, d.Summary+"\n"+d.Detail, "VOD Task Still Running", regexp.QuoteMeta(task.TaskID), "Terraform was interrupted")
	if status := task.Status(time.Now()); status == "FINISH" {
		t.Errorf("the emulator's task is %s", status)
	}
}

// An invocation whose arguments are not all known (Terraform refuses to invoke one, so this is a bug)
// names them and starts nothing.
func TestProtocolProcessMedia_invokeWithUnknownArguments(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	p := newProtocolProvider(t, env, nil)
	arguments := processMediaArguments("", "StreamingPreset", map[string]tftypes.Value{
		"file_id": unknownString(), "wait": tftypes.NewValue(tftypes.Bool, tftypes.UnknownValue),
	})
	result := p.invokeProcessMedia(context.Background(), arguments, nil)
	d := errorDiagnostic(t, result.diagnostics)
	requireText(t, d.Summary+"\n"+d.Detail, "Action Configuration Not Known", `\(file_id, wait\)`, "nothing was started")
	if n := env.emu.Attempts(""); n != 0 || len(result.progress) != 0 {
		t.Errorf("%d API calls and progress %q, want none", n, result.progress)
	}
}

// A task whose status cannot be read is an error that names the task and shows the API's error; the
// task keeps running.
func TestProtocolProcessMedia_taskUnreadable(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		fault    emulator.Fault
		patterns []string
	}{
		"refused": {
			fault:    emulator.Fault{Code: "UnauthorizedOperation", Message: "Not allowed to read tasks."},
			patterns: []string{"Unable to Wait for VOD Task", "keeps running in VOD", "DescribeTaskDetail", "UnauthorizedOperation", `RequestId:\s+\S`},
		},
		"not found": {
			fault:    emulator.Fault{Code: "ResourceNotFound", Message: "The task does not exist."},
			patterns: []string{"VOD Task Not Found", "ResourceNotFound"},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, withTaskDuration(time.Hour))
			fileID := env.uploadedMedia(t)
			tt.fault.Action = "DescribeTaskDetail"
			env.emu.InjectFault(tt.fault)
			p := newProtocolProvider(t, env, nil)
			result := p.invokeProcessMedia(context.Background(), processMediaArguments(fileID, "StreamingPreset", waitFor("10m")), nil)
			d := errorDiagnostic(t, result.diagnostics)
			requireText(t, d.Summary+"\n"+d.Detail, append(tt.patterns, regexp.QuoteMeta(env.onlyTask().TaskID))...)
		})
	}
}

// sub_app_id chooses the application of the start and of the polls; without it, the provider's is used.
func TestProtocolProcessMedia_subAppID(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withTaskDuration(time.Second))
	fileID := env.uploadedMedia(t) // in the provider's application
	p := newProtocolProvider(t, env, nil)
	other := tftypes.NewValue(tftypes.Number, emulatorSubAppID+1)
	result := p.invokeProcessMedia(context.Background(), processMediaArguments(fileID, "StreamingPreset", map[string]tftypes.Value{"sub_app_id": other}), nil)
	requireText(t, describeDiagnostics(result.diagnostics), "InvalidParameterValue.FileId")
	result = p.invokeProcessMedia(context.Background(), processMediaArguments(fileID, "StreamingPreset", waitFor("5m")), nil)
	requireNoErrors(t, "InvokeAction", result.diagnostics)
	want := []any{float64(emulatorSubAppID + 1), float64(emulatorSubAppID)}
	var sent []any
	for _, call := range env.emu.Calls("ProcessMediaByProcedure") {
		sent = append(sent, plainJSON(call.Params)["SubAppId"])
	}
	if fmt.Sprint(sent) != fmt.Sprint(want) {
		t.Errorf("ProcessMediaByProcedure sent SubAppId %v, want %v", sent, want)
	}
	for _, call := range env.emu.Calls("DescribeTaskDetail") {
		if id := plainJSON(call.Params)["SubAppId"]; id != float64(emulatorSubAppID) {
			t.Errorf("DescribeTaskDetail sent SubAppId %v, want %d", id, emulatorSubAppID)
		}
	}
}

// A start whose outcome cannot be learned (its replies are lost and its task cannot be looked up) is an
// error that gives the SessionId to look for before invoking the action again.
func TestProtocolProcessMedia_startUnconfirmed(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	fileID := env.uploadedMedia(t)
	env.emu.InjectFault(emulator.Fault{Action: "ProcessMediaByProcedure", DropConnection: true, AfterDispatch: true})
	env.emu.InjectFault(emulator.Fault{Action: "DescribeTasks", Code: "InternalError", Message: "Try again later."})
	p := newProtocolProvider(t, env, map[string]tftypes.Value{"max_retries": tftypes.NewValue(tftypes.Number, 1)})
	result := p.invokeProcessMedia(context.Background(), processMediaArguments(fileID, "StreamingPreset", nil), nil)
	task := env.onlyTask()
	d := errorDiagnostic(t, result.diagnostics)
	requireText(t, d.Summary+"\n"+d.Detail, "VOD Procedure Start Unconfirmed", regexp.QuoteMeta(task.SessionID),
		"DescribeTasks", "second time")
	if len(result.progress) != 0 {
		t.Errorf("progress %q for a start that was not confirmed", result.progress)
	}
}

// An invocation whose context has already ended (Terraform was interrupted before it began) starts nothing.
func TestProtocolProcessMedia_interruptedBeforeTheStart(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	fileID := env.uploadedMedia(t)
	p := newProtocolProvider(t, env, nil)
	before := env.emu.Attempts("")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	result := p.invokeProcessMedia(ctx, processMediaArguments(fileID, "StreamingPreset", nil), nil)
	d := errorDiagnostic(t, result.diagnostics)
	requireText(t, d.Summary+"\n"+d.Detail, "VOD Procedure Not Started", "interrupted")
	if n := env.emu.Attempts("") - before; n != 0 || len(env.emu.Tasks()) != 0 {
		t.Errorf("%d API calls and %d tasks after an interrupt, want none", n, len(env.emu.Tasks()))
	}
}

// A start whose reply is lost is sent again with the same SessionId; VOD refuses the repeat and the
// action finds the task the first start created, instead of starting a second.
func TestProtocolProcessMedia_lostStartReply(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withTaskDuration(time.Hour))
	fileID := env.uploadedMedia(t)
	env.emu.InjectFault(emulator.Fault{Action: "ProcessMediaByProcedure", Times: 1, DropConnection: true, AfterDispatch: true})
	p := newProtocolProvider(t, env, nil)
	result := p.invokeProcessMedia(context.Background(), processMediaArguments(fileID, "StreamingPreset", nil), nil)
	requireNoErrors(t, "InvokeAction", result.diagnostics)
	task := env.onlyTask()
	if len(result.progress) != 1 {
		t.Fatalf("progress %q, want one event", result.progress)
	}
	requireText(t, result.progress[0], regexp.QuoteMeta(task.TaskID))
	if n := env.emu.Attempts("ProcessMediaByProcedure"); n < 2 {
		t.Errorf("%d ProcessMediaByProcedure attempts: the lost reply was not retried", n)
	}
}

// A wait ends with the action's timeout also when the client refuses to send a poll that its rate limit
// would hold past the deadline (the deadline has not quite passed then), and with Terraform's interrupt
// when the invocation's context is cancelled; other errors are not a wait cut short.
func TestProcessRunWaitCutShort(t *testing.T) {
	t.Parallel()
	run := processRun{timeout: time.Hour}
	limiterRefusal := fmt.Errorf("task 1-procedurev2-a still PROCESSING after 59m59s: %w", context.DeadlineExceeded)
	apiError := errors.New("DescribeTaskDetail: UnauthorizedOperation")

	running, cancel := context.WithTimeoutCause(context.Background(), run.timeout, errProcessMediaTimeout)
	defer cancel()
	if !waitCutShort(running, limiterRefusal) {
		t.Error("a poll refused for the deadline is not a wait cut short")
	}
	requireText(t, run.endedBecause(running), regexp.QuoteMeta("the action's timeout (1h) ran out"))
	if waitCutShort(running, apiError) {
		t.Error("an API error is a wait cut short")
	}

	parent, interrupt := context.WithCancel(context.Background())
	interrupted, cancel := context.WithTimeoutCause(parent, run.timeout, errProcessMediaTimeout)
	defer cancel()
	interrupt()
	if !waitCutShort(interrupted, context.Canceled) {
		t.Error("an interrupted wait is not a wait cut short")
	}
	requireText(t, run.endedBecause(interrupted), "Terraform was interrupted")
}

func TestShortDuration(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		30 * time.Minute: "30m", time.Hour: "1h", 90 * time.Minute: "1h30m", 2 * time.Second: "2s", 90 * time.Second: "1m30s",
	} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

// The documented examples configure the action as its schema and validation accept (Terraform 1.11
// cannot validate action blocks): each config block's arguments, references taken as unknown values.
func TestProcessMediaExamplesAreValid(t *testing.T) {
	t.Parallel()
	p := servedProvider(t)
	files, err := filepath.Glob("../../examples/actions/tencentvod_process_media/*.tf")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	configs := 0
	for _, file := range files {
		for name, arguments := range exampleActionConfigs(t, p, file) {
			configs++
			resp, err := p.actionServer().ValidateActionConfig(context.Background(), &tfprotov6.ValidateActionConfigRequest{
				ActionType: processMediaType, Config: p.actionConfig(processMediaType, arguments),
			})
			if err != nil {
				t.Fatal(err)
			}
			requireNoErrors(t, fmt.Sprintf("ValidateActionConfig of %s in %s", name, file), resp.Diagnostics)
		}
	}
	if configs < 2 {
		t.Errorf("%d action configurations in the examples, want the on-demand one and the triggered one", configs)
	}
}

// exampleActionConfigs reads the config blocks of the tencentvod_process_media actions in file, by
// action name, as values of the action's schema.
func exampleActionConfigs(t *testing.T, p *protocolProvider, file string) map[string]map[string]tftypes.Value {
	t.Helper()
	parsed, diags := hclparse.NewParser().ParseHCLFile(file)
	if diags.HasErrors() {
		t.Fatalf("%s: %s", file, diags)
	}
	types := map[string]tftypes.Type{}
	for _, a := range p.schemas.ActionSchemas[processMediaType].Schema.Block.Attributes {
		types[a.Name] = a.Type
	}
	body, ok := parsed.Body.(*hclsyntax.Body)
	if !ok {
		t.Fatalf("%s is not native HCL syntax", file)
	}
	configs := map[string]map[string]tftypes.Value{}
	for _, block := range body.Blocks {
		if block.Type != "action" || block.Labels[0] != processMediaType {
			continue
		}
		for _, config := range block.Body.Blocks {
			arguments := map[string]tftypes.Value{}
			for name, attribute := range config.Body.Attributes {
				typ, ok := types[name]
				if !ok {
					t.Fatalf("%s: action %s sets %s, which the schema does not have", file, block.Labels[1], name)
				}
				arguments[name] = exampleArgument(p, typ, attribute)
			}
			configs[block.Labels[1]] = arguments
		}
	}
	return configs
}

// exampleArgument is the value of an example's literal argument, or an unknown value for one with
// references (a triggered action's file_id).
func exampleArgument(p *protocolProvider, typ tftypes.Type, attribute *hclsyntax.Attribute) tftypes.Value {
	if len(attribute.Expr.Variables()) > 0 {
		return tftypes.NewValue(typ, tftypes.UnknownValue)
	}
	return p.tfValue(exampleValue(p.t, attribute), typ)
}
