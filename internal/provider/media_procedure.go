package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// How the media's task flow (procedure) runs. In source mode without wait_for_procedure, ApplyUpload
// carries the procedure and VOD starts it on commit; its task id reaches only VOD's event notifications,
// so procedure_task_id and procedure_status stay null. In every other case the provider starts it after
// the commit with ProcessMediaByProcedure (StartProcedure), records the task in the state at once, and,
// with wait_for_procedure, waits for it. Later applies start it again in place when it changes or its
// last run failed, and wait for an unfinished run when wait_for_procedure asks for it.

// procedure_status values: WAITING, PROCESSING, FINISH and ABORTED are the task's own statuses (FINISH only
// when every sub-task succeeded); FAIL, NOT_STARTED and UNKNOWN are the provider's.
const (
	procedureNotStarted = "NOT_STARTED"      // configured but not started yet: the next apply starts it
	procedureWaiting    = vod.TaskWaiting    // queued in VOD
	procedureProcessing = vod.TaskProcessing // running
	procedureFinished   = vod.TaskFinished   // finished, every sub-task succeeded
	procedureFailed     = "FAIL"             // finished, but a sub-task (or the task) failed
	procedureAborted    = vod.TaskAborted    // VOD aborted the task
	// procedureUnknown: VOD no longer knows the unfinished task recorded (it keeps tasks for three days),
	// so how it ended cannot be learned. It is final: waiting for that task again could never end, and
	// the next plan would propose it forever.
	procedureUnknown = "UNKNOWN"
)

// procedureStartGrace is how long the start of a task flow may go on once Terraform is interrupted or the
// operation's timeout runs out. Like the commit, the start is a short critical section that neither cuts
// short once it has begun (see criticalStep): a task started without its id reaching the state would run
// untracked. Until then a throttled start is retried for as long as the operation allows.
const procedureStartGrace = 5 * time.Second

// sessionIDPrefix starts every SessionId the provider sends, so that its tasks can be told apart in
// DescribeTasks.
const sessionIDPrefix = "tf-"

// procedureStep is what an apply does about the configured procedure.
type procedureStep int

const (
	procedureKeep   procedureStep = iota // nothing: the recorded run stands
	procedureStart                       // start the procedure (new, changed, not started or failed last time)
	procedureAwait                       // wait for the recorded, unfinished task
	procedureRecord                      // record the configured procedure without running it (first apply after an import)
)

// nextProcedureStep decides what an update does about the procedure, from the planned and the prior
// (state) values. The plan and the apply both ask it, so that what the plan shows is what runs. An
// unknown procedure counts as a change: the plan then shows the results unknown.
func nextProcedureStep(planned, prior *mediaResourceModel, adopted bool) procedureStep {
	switch {
	case planned.Procedure.IsNull():
		return procedureKeep // removing the procedure leaves the media as it is
	case planned.Procedure.IsUnknown():
		return procedureStart
	case adopted && prior.Procedure.IsNull():
		// VOD cannot say which task flows already ran on an imported media; running the configured one
		// again would reprocess it at every import. Like the other upload arguments, it is recorded.
		return procedureRecord
	case !planned.Procedure.Equal(prior.Procedure):
		return procedureStart
	}
	switch prior.ProcedureStatus.ValueString() {
	case procedureNotStarted, procedureFailed, procedureAborted:
		return procedureStart
	case procedureWaiting, procedureProcessing:
		if planned.WaitForProcedure.ValueBool() && isKnown(prior.ProcedureTaskID) {
			return procedureAwait
		}
	}
	return procedureKeep
}

// planProcedureUpdate shows in the plan what an update does about the procedure: a start makes the task
// id and status unknown, a wait the status; otherwise both keep their recorded values. When the update
// waits for a task, the outputs it produces are known only after apply too.
func planProcedureUpdate(plan, state *mediaResourceModel, adopted bool) {
	plan.ProcedureTaskID, plan.ProcedureStatus = state.ProcedureTaskID, state.ProcedureStatus
	mayWait := !plan.WaitForProcedure.Equal(types.BoolValue(false)) // true, or unknown until apply
	switch nextProcedureStep(plan, state, adopted) {
	case procedureStart:
		plan.ProcedureTaskID, plan.ProcedureStatus = types.StringUnknown(), types.StringUnknown()
		if mayWait {
			plan.setOutputsUnknown()
		}
	case procedureAwait:
		plan.ProcedureStatus = types.StringUnknown()
		plan.setOutputsUnknown()
	default:
		if plan.WaitForProcedure.IsUnknown() && procedureUnfinished(state.ProcedureStatus) {
			// Whether the apply waits for the running task is known only at apply.
			plan.ProcedureStatus = types.StringUnknown()
			plan.setOutputsUnknown()
		}
	}
}

// procedureRerunWarning explains a plan that runs the configured procedure again although it did not change:
// the plan itself only shows procedure_status becoming unknown, which does not say why nor how to stop it.
func procedureRerunWarning(plan, state *mediaResourceModel, adopted bool) diag.Diagnostics {
	var diags diag.Diagnostics
	if !plan.Procedure.Equal(state.Procedure) || nextProcedureStep(plan, state, adopted) != procedureStart {
		return diags
	}
	lastRun := "was not started (an earlier apply ended, or VOD refused the start, before it could start)"
	if status := state.ProcedureStatus.ValueString(); status != procedureNotStarted {
		lastRun = fmt.Sprintf("ended %s (task %s)", status, state.ProcedureTaskID.ValueString())
	}
	diags.AddAttributeWarning(path.Root("procedure"), "VOD Procedure Runs Again",
		fmt.Sprintf("The last run of procedure %q on media %s %s, so this apply runs it again on the same media. "+
			"To stop running it, set another procedure or remove procedure (removing it does nothing to the media).",
			plan.Procedure.ValueString(), state.FileID.ValueString(), lastRun))
	return diags
}

// planProcedureCreate shows the task id and status of a new media: unknown when the provider starts the
// procedure itself, null when ApplyUpload carries it or there is none.
func planProcedureCreate(plan *mediaResourceModel, sessionKeyMode bool) {
	switch {
	case plan.Procedure.IsNull():
		plan.ProcedureTaskID, plan.ProcedureStatus = types.StringNull(), types.StringNull()
	case plan.Procedure.IsUnknown() || plan.WaitForProcedure.IsUnknown() || startsProcedureAfterCommit(plan, sessionKeyMode):
		plan.ProcedureTaskID, plan.ProcedureStatus = types.StringUnknown(), types.StringUnknown()
	default:
		plan.ProcedureTaskID, plan.ProcedureStatus = types.StringNull(), types.StringNull()
	}
}

// startsProcedureAfterCommit reports whether create starts the procedure itself after the commit rather
// than handing it to ApplyUpload: always with vod_session_key_wo (the provider never opens that session),
// and with source when the apply waits for it (ApplyUpload's task id is not returned, so it could not be
// waited for).
func startsProcedureAfterCommit(plan *mediaResourceModel, sessionKeyMode bool) bool {
	return isKnown(plan.Procedure) && (sessionKeyMode || plan.WaitForProcedure.ValueBool())
}

// runProcedure does step for the media in m: it starts the procedure or waits for the recorded task, and
// keeps m and state's procedure attributes up to date at each stage, so that whatever ends the operation
// the state says what was started. It reports whether a task ran to its end here (so the media's outputs
// are worth reading again). failAsError decides whether a refused start is an error (an update) or a
// warning (a create: an error would taint the media just committed). private keeps the SessionId of a
// start whose outcome is unknown, for the next start (pendingStart).
func runProcedure(ctx context.Context, op operation, m *mediaResourceModel, step procedureStep, state *tfsdk.State, private privateData, failAsError bool) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	switch step {
	case procedureStart:
		if !startProcedure(ctx, op, m, state, private, failAsError, &diags) || !m.WaitForProcedure.ValueBool() {
			return false, diags
		}
	case procedureAwait:
		if cause := op.endedBecause(ctx); cause != "" {
			diags.Append(notWaitedFor(m, cause))
			return false, diags
		}
	default:
		return false, diags
	}
	return awaitProcedure(ctx, op, m, state, &diags), diags
}

// startProcedure starts m's procedure and records the task. It reports whether the task was started.
func startProcedure(ctx context.Context, op operation, m *mediaResourceModel, state *tfsdk.State, private privateData, failAsError bool, diags *diag.Diagnostics) bool {
	m.ProcedureTaskID, m.ProcedureStatus = types.StringNull(), types.StringValue(procedureNotStarted)
	defer func() { diags.Append(saveProcedure(ctx, m, state)...) }()
	if cause := op.endedBecause(ctx); cause != "" {
		diags.AddWarning("VOD Procedure Not Started",
			fmt.Sprintf("The procedure %q was not started on media %s, because %s first. procedure_status is %s, "+
				"and the next apply starts it in place.", m.Procedure.ValueString(), m.FileID.ValueString(), cause,
				procedureNotStarted))
		return false
	}
	sessionID, err := startSessionID(ctx, m, private)
	if err != nil {
		diags.AddError("Unable to Start VOD Procedure", "No SessionId could be generated: "+err.Error())
		return false
	}
	startCtx, cancel := criticalStep(ctx, procedureStartGrace)
	defer cancel()
	taskID, err := op.client.StartProcedure(startCtx, &vod.ProcessMediaByProcedureRequest{
		FileID:         m.FileID.ValueString(),
		ProcedureName:  m.Procedure.ValueString(),
		SessionContext: m.SessionContext.ValueString(),
		SessionID:      sessionID,
		SubAppID:       pinnedSubAppID(m.SubAppID),
	})
	if errors.Is(err, vod.ErrStartOutcomeUnknown) {
		diags.Append(savePendingStart(ctx, private, m, sessionID)...)
		diags.Append(startOutcomeUnknown(m, err, failAsError))
		return false
	}
	diags.Append(clearPendingStart(ctx, private)...) // started, or refused: the SessionId is spent either way
	if err != nil {
		diags.Append(startRefused(m, err, failAsError))
		return false
	}
	m.ProcedureTaskID, m.ProcedureStatus = types.StringValue(taskID), types.StringValue(procedureWaiting)
	tflog.Info(ctx, "started VOD procedure", map[string]any{
		"file_id": m.FileID.ValueString(), "procedure": m.Procedure.ValueString(), "task_id": taskID, "session_id": sessionID,
	})
	return true
}

// startRefused is the diagnostic of a start VOD refused or that could not be sent.
func startRefused(m *mediaResourceModel, err error, asError bool) diag.Diagnostic {
	api := apiErrorDiagnostic("Unable to Start VOD Procedure", err)
	detail := fmt.Sprintf("The procedure %q could not be started on media %s (ProcessMediaByProcedure); "+
		"procedure_status is %s, and the next apply tries again in place. Check that a task flow template of "+
		"this name exists in the application.\n\n%s%s", m.Procedure.ValueString(), m.FileID.ValueString(),
		procedureNotStarted, api.Detail(), whatStartProcedureFound(err))
	return procedureStartDiagnostic(api.Summary(), detail, asError)
}

// startOutcomeUnknown is the diagnostic of a start that may have created a task whose id was not
// learned. Its SessionId is kept (pendingStart), so the next apply's start finds that task, if there is
// one, instead of starting a second.
func startOutcomeUnknown(m *mediaResourceModel, err error, asError bool) diag.Diagnostic {
	api := apiErrorDiagnostic("VOD Procedure Start Unconfirmed", err)
	detail := fmt.Sprintf("ProcessMediaByProcedure may have started the procedure %q on media %s, but its task "+
		"id was not received and the task could not be found yet. procedure_status is %s: the next apply sends "+
		"the start again with the same SessionId, which VOD refuses if the first one ran, and then records the "+
		"task it started; the procedure does not run twice.\n\n%s%s", m.Procedure.ValueString(),
		m.FileID.ValueString(), procedureNotStarted, api.Detail(), whatStartProcedureFound(err))
	return procedureStartDiagnostic(api.Summary(), detail, asError)
}

// procedureStartDiagnostic is an error in an update, and a warning in a create, where an error would
// taint the media just committed.
func procedureStartDiagnostic(summary, detail string, asError bool) diag.Diagnostic {
	if asError {
		return diag.NewAttributeErrorDiagnostic(path.Root("procedure"), summary, detail)
	}
	return diag.NewAttributeWarningDiagnostic(path.Root("procedure"), summary,
		detail+"\n\nThe media itself was created and is tracked; this is a warning so that it is not replaced.")
}

// whatStartProcedureFound is what StartProcedure added to the API's error (the look-up of the task by its
// SessionId, and what it concluded), which the API error's fields alone do not show; "" when nothing.
func whatStartProcedureFound(err error) string {
	var apiErr *vod.APIError
	if !errors.As(err, &apiErr) || err.Error() == apiErr.Error() {
		return ""
	}
	return "\n\nWhat the provider found: " + err.Error()
}

// awaitProcedure waits, within the operation's timeout, for the recorded task to end. A task that ends
// in failure is a warning (the media is fine; the next plan proposes running the procedure again), and so
// is a wait cut short (the next plan waits for the same task again). It reports whether the task ended.
func awaitProcedure(ctx context.Context, op operation, m *mediaResourceModel, state *tfsdk.State, diags *diag.Diagnostics) bool {
	taskID := m.ProcedureTaskID.ValueString()
	defer func() { diags.Append(saveProcedure(ctx, m, state)...) }()
	logProgress := func(detail *vod.TaskDetail) {
		m.ProcedureStatus = types.StringValue(procedureStatusOf(detail))
		tflog.Info(ctx, "VOD procedure progress", procedureProgressFields(m, detail))
	}
	detail, err := op.client.WaitForTask(ctx, taskID, pinnedSubAppID(m.SubAppID), logProgress)
	switch {
	case err != nil && op.waitEndedBecause(ctx, err) != "":
		diags.Append(notWaitedFor(m, op.waitEndedBecause(ctx, err)))
		return false
	case errors.Is(err, vod.ErrTaskNotFound):
		last := m.ProcedureStatus.ValueString()
		m.ProcedureStatus = types.StringValue(procedureUnknown)
		diags.AddWarning("VOD Procedure Task Not Found",
			fmt.Sprintf("The task %s of procedure %q on media %s, last seen %s, can no longer be found (VOD keeps "+
				"tasks for three days), so it was not waited for and how it ended is unknown: procedure_status is %s, "+
				"and later plans neither wait for it nor run the procedure again. The media's outputs show what it "+
				"produced; to run the procedure again, change it.\n\nOriginal Error: %s",
				taskID, m.Procedure.ValueString(), m.FileID.ValueString(), last, procedureUnknown, err))
		return false
	case err != nil:
		d := apiErrorDiagnostic("Unable to Wait for VOD Procedure", err)
		diags.AddWarning(d.Summary(), fmt.Sprintf("The task %s of procedure %q on media %s was started, but reading "+
			"its status failed, so the apply did not wait for it to end; the next plan waits for it again.\n\n%s",
			taskID, m.Procedure.ValueString(), m.FileID.ValueString(), d.Detail()))
		return false
	}
	m.ProcedureStatus = types.StringValue(procedureStatusOf(detail))
	if failure := detail.Failure(); failure != nil {
		diags.Append(procedureFailedWarning(m, failure))
	} else {
		tflog.Info(ctx, "VOD procedure finished", map[string]any{"file_id": m.FileID.ValueString(), "task_id": taskID})
	}
	return true
}

// procedureFailedWarning reports a task that ended in failure. It is a warning, not an error: the media
// is fine and stays tracked (an error would taint it, and the next apply would upload it again).
func procedureFailedWarning(m *mediaResourceModel, failure *vod.TaskFailure) diag.Diagnostic {
	return diag.NewAttributeWarningDiagnostic(path.Root("procedure_status"), "VOD Procedure Failed",
		fmt.Sprintf("The procedure %q on media %s ended in failure: %s.\n\n"+
			"The media is kept as it is and procedure_status is %s; the next plan proposes running the procedure "+
			"again in place, on the same media. If the failure will not go away by itself (the source file or the "+
			"task flow template is at fault), fix the template in VOD, set another procedure, or remove procedure: "+
			"removing it stops the runs and does nothing to the media.", m.Procedure.ValueString(),
			m.FileID.ValueString(), failure.Error(), m.ProcedureStatus.ValueString()))
}

// notWaitedFor is the warning of a wait cut short by the timeout or an interrupt.
func notWaitedFor(m *mediaResourceModel, cause string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("VOD Procedure Still Running",
		fmt.Sprintf("The task %s of procedure %q on media %s was started and is recorded in the state "+
			"(procedure_task_id), but %s before it ended; it was last seen %s. The media stays as it is. The next "+
			"refresh updates procedure_status, and while the task is unfinished the next plan proposes waiting "+
			"for the same task again in place; it is not started twice.", m.ProcedureTaskID.ValueString(),
			m.Procedure.ValueString(), m.FileID.ValueString(), cause, m.ProcedureStatus.ValueString()))
}

// saveProcedure writes m's procedure attributes into the state, whatever the rest of it holds.
func saveProcedure(ctx context.Context, m *mediaResourceModel, state *tfsdk.State) diag.Diagnostics {
	var diags diag.Diagnostics
	diags.Append(state.SetAttribute(ctx, path.Root("procedure"), m.Procedure)...)
	diags.Append(state.SetAttribute(ctx, path.Root("procedure_task_id"), m.ProcedureTaskID)...)
	diags.Append(state.SetAttribute(ctx, path.Root("procedure_status"), m.ProcedureStatus)...)
	return diags
}

// procedureStatusOf is the procedure_status of a task: its own status, or FAIL for one that finished
// with a failed sub-task.
func procedureStatusOf(detail *vod.TaskDetail) string {
	if detail.Status == vod.TaskFinished && detail.Failure() != nil {
		return procedureFailed
	}
	return detail.Status
}

// procedureUnfinished reports whether a status may still change.
func procedureUnfinished(status types.String) bool {
	s := status.ValueString()
	return s == procedureWaiting || s == procedureProcessing
}

// procedureProgressFields are the log fields of a progress report: the status and each sub-task's.
func procedureProgressFields(m *mediaResourceModel, detail *vod.TaskDetail) map[string]any {
	fields := map[string]any{
		"file_id": m.FileID.ValueString(), "task_id": m.ProcedureTaskID.ValueString(), "status": detail.Status,
	}
	if detail.ProcedureTask == nil {
		return fields
	}
	for i := range detail.ProcedureTask.MediaProcessResultSet {
		r := &detail.ProcedureTask.MediaProcessResultSet[i]
		if sub := r.Outcome(); sub != nil {
			key := r.Type
			if sub.Input != nil {
				key = fmt.Sprintf("%s_%d", r.Type, sub.Input.Definition)
			}
			fields[key] = fmt.Sprintf("%s %d%%", sub.Status, sub.Progress)
		}
	}
	return fields
}

// refreshProcedureStatus reads the status of an unfinished task during a refresh. A task that can no
// longer be found (VOD keeps tasks for three days) is UNKNOWN from then on; another failure is a
// warning, since the media itself was read.
func refreshProcedureStatus(ctx context.Context, client *vod.Client, m *mediaResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if !procedureUnfinished(m.ProcedureStatus) || !isKnown(m.ProcedureTaskID) {
		return diags // a finished (or failed) run keeps its status: refreshing never starts anything
	}
	detail, err := client.DescribeTaskDetail(ctx, &vod.DescribeTaskDetailRequest{
		TaskID: m.ProcedureTaskID.ValueString(), SubAppID: pinnedSubAppID(m.SubAppID),
	})
	switch {
	case errors.Is(err, vod.ErrTaskNotFound):
		tflog.Info(ctx, "VOD procedure task no longer found; how it ended is unknown", map[string]any{
			"task_id": m.ProcedureTaskID.ValueString(), "last_status": m.ProcedureStatus.ValueString(),
		})
		m.ProcedureStatus = types.StringValue(procedureUnknown)
	case err != nil:
		d := apiErrorDiagnostic("Unable to Read VOD Procedure Status", err)
		diags.AddWarning(d.Summary(), fmt.Sprintf("The status of task %s of media %s was not refreshed; "+
			"procedure_status keeps its last value %s.\n\n%s", m.ProcedureTaskID.ValueString(),
			m.FileID.ValueString(), m.ProcedureStatus.ValueString(), d.Detail()))
	default:
		m.ProcedureStatus = types.StringValue(procedureStatusOf(detail))
	}
	return diags
}

// privateData is the resource's private state, as Create and Update responses hold it.
type privateData interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
	SetKey(context.Context, string, []byte) diag.Diagnostics
}

// pendingStartKey keeps, in private state, the SessionId of a start whose outcome is unknown.
const pendingStartKey = "procedure_pending_start"

// pendingStart is a start of Procedure on FileID that may have created a task whose id was not learned.
// The next start of the same procedure on the same media sends SessionID again: VOD refuses it if the
// first start ran, and StartProcedure then finds that task by its SessionId. A new SessionId would start
// the task flow a second time.
type pendingStart struct {
	FileID    string `json:"file_id"`
	Procedure string `json:"procedure"`
	SessionID string `json:"session_id"`
}

// startSessionID is the SessionId for starting m's procedure: the pending start's when it was the same
// procedure on the same media, else a new one.
func startSessionID(ctx context.Context, m *mediaResourceModel, private privateData) (string, error) {
	if private != nil {
		raw, _ := private.GetKey(ctx, pendingStartKey)
		var pending pendingStart
		if len(raw) > 0 && json.Unmarshal(raw, &pending) == nil && pending.SessionID != "" &&
			pending.FileID == m.FileID.ValueString() && pending.Procedure == m.Procedure.ValueString() {
			tflog.Info(ctx, "starting VOD procedure again with the SessionId of a start whose outcome is unknown", map[string]any{
				"file_id": pending.FileID, "procedure": pending.Procedure, "session_id": pending.SessionID,
			})
			return pending.SessionID, nil
		}
	}
	return newProcedureSessionID(m.FileID.ValueString())
}

func savePendingStart(ctx context.Context, private privateData, m *mediaResourceModel, sessionID string) diag.Diagnostics {
	if private == nil {
		return nil
	}
	raw, err := json.Marshal(pendingStart{FileID: m.FileID.ValueString(), Procedure: m.Procedure.ValueString(), SessionID: sessionID})
	if err != nil {
		return nil // three strings always encode
	}
	return private.SetKey(ctx, pendingStartKey, raw)
}

func clearPendingStart(ctx context.Context, private privateData) diag.Diagnostics {
	if private == nil {
		return nil
	}
	return private.SetKey(ctx, pendingStartKey, nil)
}

// newProcedureSessionID returns a SessionId unique to one start: the prefix, a random token and as much
// of the file id as fits in the API's 50 characters. The client repeats it on retries, and VOD refuses a
// repeated SessionId instead of starting the task flow twice.
func newProcedureSessionID(fileID string) (string, error) {
	token := make([]byte, 8)
	if _, err := rand.Read(token); err != nil {
		return "", err
	}
	id := sessionIDPrefix + hex.EncodeToString(token) + "-" + fileID
	if len(id) > vod.MaxSessionIDLength {
		id = id[:vod.MaxSessionIDLength]
	}
	return id, nil
}
