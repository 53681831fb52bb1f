package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/validators"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

var (
	_ action.Action                   = (*processMediaAction)(nil)
	_ action.ActionWithConfigure      = (*processMediaAction)(nil)
	_ action.ActionWithValidateConfig = (*processMediaAction)(nil)
)

// defaultProcessMediaTimeout bounds a wait for the task when the configuration sets no timeout.
const defaultProcessMediaTimeout = 30 * time.Minute

// processMediaAction runs a task flow (procedure) on media already in VOD, on demand
// (`terraform apply -invoke`) or after a tencentvod_media is created (lifecycle action_trigger). It keeps
// nothing: each invocation starts the procedure once, and with wait follows its task to the end.
type processMediaAction struct {
	data *providerData
}

// NewProcessMediaAction returns the tencentvod_process_media action.
func NewProcessMediaAction() action.Action {
	return &processMediaAction{}
}

// processMediaActionModel maps the action's configuration.
type processMediaActionModel struct {
	FileID         types.String `tfsdk:"file_id"`
	Procedure      types.String `tfsdk:"procedure"`
	SessionContext types.String `tfsdk:"session_context"`
	SubAppID       types.Int64  `tfsdk:"sub_app_id"`
	TasksPriority  types.Int64  `tfsdk:"tasks_priority"`
	Timeout        types.String `tfsdk:"timeout"`
	Wait           types.Bool   `tfsdk:"wait"`
}

func (a *processMediaAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_process_media"
}

func (a *processMediaAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Runs a task flow (procedure) on media already in VOD with `ProcessMediaByProcedure`. " +
			"Requires Terraform 1.14 or later. Invoke it on demand with " +
			"`terraform apply -invoke=action.tencentvod_process_media.<name>`, or after a `tencentvod_media` is " +
			"created from its `lifecycle { action_trigger { ... } }`, to process a file right after it is uploaded " +
			"(`file_id` may then be unknown at plan).\n\n" +
			"Each invocation starts the procedure once: its start carries a random `SessionId`, so a start whose reply " +
			"is lost is retried safely and its task looked up instead of started twice. The task id is shown as soon " +
			"as the task starts. With `wait = true` the action follows the task (`DescribeTaskDetail`) and shows " +
			"its status and each sub-task's progress as they change, up to `timeout`; a task that ends in failure is " +
			"an error naming the task, the failed sub-task and VOD's message. When the timeout runs out, the error " +
			"names the task, which keeps running in VOD. An interrupt (Ctrl-C) likewise stops only the wait, not " +
			"the task; Terraform then shows nothing more from the action, so the task id is the one in the line " +
			"shown when the task started. Invoking the action again starts the procedure again.",
		Attributes: map[string]schema.Attribute{
			"file_id": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "File ID of the media to process, for example `tencentvod_media.<name>.file_id`. " +
					"It may be unknown at plan, as it is when the action is triggered by the media's creation.",
				Validators: []validator.String{stringvalidator.RegexMatches(fileIDPattern,
					"must be a VOD file ID: a string of digits")},
			},
			"procedure": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the task flow template (procedure) to run, as in `tencentvod_media`'s `procedure`.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1), validators.NoControlCharacters()},
			},
			"session_context": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Context passed through to the task flow's callback (`SessionContext`), at most " +
					"1000 characters.",
				Validators: []validator.String{stringvalidator.UTF8LengthAtMost(vod.MaxSessionContextLength)},
			},
			"sub_app_id": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "VOD application ID of the media. Defaults to the provider's `sub_app_id` (or " +
					"`TENCENTVOD_SUB_APP_ID`); when neither is set, the account's default application.",
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"tasks_priority": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Priority of the task (`TasksPriority`), from %d to %d; higher runs "+
					"first. Default: VOD's, 0.", vod.MinTasksPriority, vod.MaxTasksPriority),
				Validators: []validator.Int64{int64validator.Between(vod.MinTasksPriority, vod.MaxTasksPriority)},
			},
			"timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How long the action may take to start the task and wait for it to "+
					"end, a duration such as `\"45m\"` or `\"2h\"`. Only with `wait = true`. Default `\"%s\"`.",
					shortDuration(defaultProcessMediaTimeout)),
				Validators: []validator.String{validators.Duration()},
			},
			"wait": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Whether the action waits for the task to end, showing its progress. Default " +
					"`false`: the action ends once the task is started, and VOD runs it in the background.",
			},
		},
	}
}

func (a *processMediaAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	var diags diag.Diagnostics
	a.data, diags = configuredData("Action", req.ProviderData)
	resp.Diagnostics.Append(diags...)
}

// ValidateConfig refuses a timeout without wait: it would bound nothing.
func (a *processMediaAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	var config processMediaActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if isKnown(config.Timeout) && !config.Wait.IsUnknown() && !config.Wait.ValueBool() {
		resp.Diagnostics.AddAttributeError(path.Root("timeout"), "Timeout Without Wait",
			"timeout bounds the wait for the task, and this action does not wait (wait is false or unset): "+
				"set wait = true, or remove timeout.")
	}
}

func (a *processMediaAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var config processMediaActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Terraform invokes actions with their configuration known; should one not be, nothing is started
	// from a partial configuration.
	if unknown := unknownArguments(req.Config.Raw); len(unknown) > 0 {
		resp.Diagnostics.AddError("Action Configuration Not Known",
			"The action tencentvod_process_media was invoked with unknown arguments ("+strings.Join(unknown, ", ")+
				"), so nothing was started. Please report this issue to the provider developers.")
		return
	}
	client, diags := a.data.Client("Action tencentvod_process_media cannot run")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	run, diags := config.processRun()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	ctx = withLogging(ctx)
	if run.wait {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, run.timeout, errProcessMediaTimeout)
		defer cancel()
	}
	taskID, diags := run.start(ctx, client)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.SendProgress(action.InvokeProgressEvent{Message: run.startedMessage(taskID)})
	if run.wait {
		resp.Diagnostics.Append(run.await(ctx, client, taskID, resp.SendProgress)...)
	}
}

// processRun is one invocation of the action, from its configuration.
type processRun struct {
	// request is the start's, but for its SessionId, new at each invocation. Its SubAppID is nil for
	// the provider's default.
	request vod.ProcessMediaByProcedureRequest
	wait    bool
	timeout time.Duration
}

// processRun reads an invocation from a known configuration.
func (m *processMediaActionModel) processRun() (processRun, diag.Diagnostics) {
	var diags diag.Diagnostics
	run := processRun{
		request: vod.ProcessMediaByProcedureRequest{
			FileID:         m.FileID.ValueString(),
			ProcedureName:  m.Procedure.ValueString(),
			SessionContext: m.SessionContext.ValueString(),
			TasksPriority:  knownInt64Pointer(m.TasksPriority),
			SubAppID:       optionalSubAppID(m.SubAppID),
		},
		wait:    m.Wait.ValueBool(),
		timeout: defaultProcessMediaTimeout,
	}
	if isKnown(m.Timeout) {
		timeout, err := time.ParseDuration(m.Timeout.ValueString())
		if err != nil || timeout <= 0 { // validated already: this is a bug of ours
			diags.AddAttributeError(path.Root("timeout"), "Invalid Timeout", fmt.Sprintf("timeout %q is not a positive "+
				"duration. Please report this issue to the provider developers.", m.Timeout.ValueString()))
		}
		run.timeout = timeout
		if !run.wait {
			// ValidateConfig refuses this, unless wait was unknown then (from a variable, say).
			diags.AddAttributeWarning(path.Root("timeout"), "Timeout Without Wait", "timeout was ignored: this "+
				"action does not wait for the task (wait is false or unset), so it ended once the task was started. "+
				"Set wait = true to wait for the task, or remove timeout.")
		}
	}
	return run, diags
}

// start starts the procedure and returns its task id, unless ctx has already ended. The start is a
// critical step: once begun, it is not cut short by an interrupt or the timeout, so that the task it
// starts is reported, not left running unknown to the user.
func (r processRun) start(ctx context.Context, client *vod.Client) (string, diag.Diagnostics) {
	var diags diag.Diagnostics
	if ctx.Err() != nil {
		diags.AddError("VOD Procedure Not Started", fmt.Sprintf("The procedure %q was not started on media %s, "+
			"because %s first.", r.request.ProcedureName, r.request.FileID, r.endedBecause(ctx)))
		return "", diags
	}
	req := r.request
	var err error
	req.SessionID, err = newProcedureSessionID(req.FileID)
	if err != nil {
		diags.AddError("Unable to Start VOD Procedure", "No SessionId could be generated: "+err.Error())
		return "", diags
	}
	startCtx, cancel := criticalStep(ctx, procedureStartGrace)
	defer cancel()
	taskID, err := client.StartProcedure(startCtx, &req)
	switch {
	case errors.Is(err, vod.ErrStartOutcomeUnknown):
		api := apiErrorDiagnostic("VOD Procedure Start Unconfirmed", err)
		diags.AddError(api.Summary(), fmt.Sprintf("ProcessMediaByProcedure may have started the procedure %q on "+
			"media %s, but its task id was not received and no task with its SessionId %q was found yet. Before "+
			"invoking the action again, look for that task (DescribeTasks with FileId %s lists each task's "+
			"SessionId, as does the VOD console): invoking it again starts the procedure a second time if the "+
			"first start ran.\n\n%s%s", r.request.ProcedureName, r.request.FileID, req.SessionID, r.request.FileID,
			api.Detail(), whatStartProcedureFound(err)))
		return "", diags
	case err != nil:
		api := apiErrorDiagnostic("Unable to Start VOD Procedure", err)
		diags.AddError(api.Summary(), fmt.Sprintf("The procedure %q was not started on media %s "+
			"(ProcessMediaByProcedure). Check that the media and a task flow template of this name exist in the "+
			"application.\n\n%s%s", r.request.ProcedureName, r.request.FileID, api.Detail(), whatStartProcedureFound(err)))
		return "", diags
	}
	tflog.Info(ctx, "started VOD procedure", map[string]any{
		"file_id": r.request.FileID, "procedure": r.request.ProcedureName, "task_id": taskID, "session_id": req.SessionID,
	})
	return taskID, diags
}

// startedMessage is the progress line of a started task. It is the one message sure to reach the user
// with the task id: once Terraform is interrupted, it stops listening to the provider (the plugin server
// drops every later event, the final error included), so the line says what an interrupt leaves behind.
func (r processRun) startedMessage(taskID string) string {
	message := fmt.Sprintf("Started procedure %q on media %s: task %s.", r.request.ProcedureName, r.request.FileID, taskID)
	if !r.wait {
		return message + " Not waiting for it (wait = false): VOD runs it in the background."
	}
	return message + fmt.Sprintf(" Waiting up to %s for it to end; if Terraform is interrupted, the task keeps "+
		"running in VOD.", shortDuration(r.timeout))
}

// await follows the task until it ends, sending a progress line each time its status or a sub-task's
// progress changes. A failed task, a wait cut short and a task that cannot be read are errors.
func (r processRun) await(ctx context.Context, client *vod.Client, taskID string, send func(action.InvokeProgressEvent)) diag.Diagnostics {
	var diags diag.Diagnostics
	progress := func(detail *vod.TaskDetail) {
		send(action.InvokeProgressEvent{Message: describeTaskProgress(detail)})
	}
	detail, err := client.WaitForTask(ctx, taskID, r.request.SubAppID, progress)
	switch {
	case err != nil && waitCutShort(ctx, err):
		diags.AddError("VOD Task Still Running", fmt.Sprintf("The task %s of procedure %q on media %s was started, "+
			"but %s before it ended; %s. The task keeps running in VOD: follow it with "+
			"DescribeTaskDetail or in the VOD console. Invoking the action again would start the procedure again.",
			taskID, r.request.ProcedureName, r.request.FileID, r.endedBecause(ctx), lastSeen(detail)))
	case errors.Is(err, vod.ErrTaskNotFound):
		diags.AddError("VOD Task Not Found", fmt.Sprintf("The task %s of procedure %q on media %s was started, but "+
			"VOD no longer finds it, so how it ends is unknown.\n\nOriginal Error: %s",
			taskID, r.request.ProcedureName, r.request.FileID, err))
	case err != nil:
		api := apiErrorDiagnostic("Unable to Wait for VOD Task", err)
		diags.AddError(api.Summary(), fmt.Sprintf("The task %s of procedure %q on media %s was started, but reading "+
			"its status failed, so the action did not wait for it to end; it keeps running in VOD.\n\n%s",
			taskID, r.request.ProcedureName, r.request.FileID, api.Detail()))
	default:
		if failure := detail.Failure(); failure != nil {
			diags.AddError("VOD Procedure Failed", fmt.Sprintf("The procedure %q on media %s ended in failure: %s\n\n"+
				"Invoking the action again starts the procedure again, as a new task.",
				r.request.ProcedureName, r.request.FileID, failure.Error()))
		}
	}
	return diags
}

// errProcessMediaTimeout is the cause of a wait's end when the action's timeout ran out, rather than a
// deadline of Terraform's.
var errProcessMediaTimeout = errors.New("the action's timeout ran out")

// waitCutShort reports whether a wait's error means that ctx ended, or all but ended: the client does not
// send a poll that its rate limit would hold past the deadline, and fails it with DeadlineExceeded.
func waitCutShort(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded)
}

// endedBecause says why ctx, the invocation's, ended: the action's timeout, or Terraform's interrupt. A
// ctx not ended yet is one whose deadline, the action's timeout (Terraform sets none), was too close for
// another poll.
func (r processRun) endedBecause(ctx context.Context) string {
	if ctx.Err() == nil || errors.Is(context.Cause(ctx), errProcessMediaTimeout) {
		return fmt.Sprintf("the action's timeout (%s) ran out", shortDuration(r.timeout))
	}
	return "Terraform was interrupted (asked to stop, for example with Ctrl-C)"
}

// lastSeen says what status a wait last read, for messages.
func lastSeen(detail *vod.TaskDetail) string {
	if detail == nil {
		return "its status was not read yet"
	}
	return "it was last seen " + procedureStatusOf(detail)
}

// describeTaskProgress is one progress line: the task's status (FAIL for one that finished with a failed
// sub-task) and each sub-task's, e.g. "Task 1-Procedure-2: PROCESSING; Transcode (definition 100030)
// PROCESSING 40%, SnapshotByTimeOffset (definition 10) WAITING 0%".
func describeTaskProgress(detail *vod.TaskDetail) string {
	line := fmt.Sprintf("Task %s: %s", detail.TaskID, procedureStatusOf(detail))
	if detail.ProcedureTask == nil {
		return line
	}
	var subTasks []string
	for i := range detail.ProcedureTask.MediaProcessResultSet {
		r := &detail.ProcedureTask.MediaProcessResultSet[i]
		if sub := r.Outcome(); sub != nil {
			subTasks = append(subTasks, fmt.Sprintf("%s %s %d%%", r.Name(), sub.Status, sub.Progress))
		}
	}
	if len(subTasks) == 0 {
		return line
	}
	return line + "; " + strings.Join(subTasks, ", ")
}

// shortDuration renders a duration as it is written in configurations: "30m" rather than "30m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
