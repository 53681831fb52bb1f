package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// newOperation prepares the operation name ("create", "update" or "delete") of a resource: its client,
// from the provider data's accessor (cannot says what an unknown provider configuration prevents), and
// its timeout, from the resource's timeouts block (timeout, such as plan.Timeouts.Create) or fallback.
func (d *providerData) newOperation(ctx context.Context, name, cannot string,
	timeout func(context.Context, time.Duration) (time.Duration, diag.Diagnostics), fallback time.Duration,
) (operation, diag.Diagnostics) {
	client, diags := d.Client(cannot)
	if diags.HasError() {
		return operation{}, diags
	}
	limit, timeoutDiags := timeout(ctx, fallback)
	diags.Append(timeoutDiags...)
	return operation{name: name, timeout: limit, client: client}, diags
}

// operation is one Create, Update or Delete, bounded by its value in the timeouts block. When its
// context ends, the error it leaves behind ("context deadline exceeded", "context canceled") says
// little: operation words the real cause, the timeout that ran out (with its value) or the interrupt.
type operation struct {
	name    string // "create", "update" or "delete", as in the timeouts block
	timeout time.Duration
	// client is the configured API client, taken from the provider data's accessor when the operation
	// starts; every step of the operation calls the API through it.
	client *vod.Client
}

// start returns the operation's context: the RPC's, with logging prepared and the timeout applied.
func (op operation) start(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(withLogging(ctx), op.timeout)
}

// endedBecause says why ctx (the operation's context) ended, or "" while it runs. A context that
// ended without reaching its deadline was cancelled by Terraform, which does so when it is interrupted.
func (op operation) endedBecause(ctx context.Context) string {
	switch err := ctx.Err(); {
	case err == nil:
		return ""
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("the %s timeout (%s) ran out", op.name, op.timeout)
	default:
		return "the operation was interrupted (Terraform was asked to stop, for example with Ctrl-C)"
	}
}

// waitEndedBecause says why a task wait that returned err ended before the task did: the operation's
// context ended, or its deadline was so close that the client did not send another poll (err then wraps
// context.DeadlineExceeded while ctx still runs). It is "" when the wait failed for another reason.
func (op operation) waitEndedBecause(ctx context.Context, err error) string {
	if cause := op.endedBecause(ctx); cause != "" {
		return cause
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("the %s timeout (%s) ran out", op.name, op.timeout)
	}
	return ""
}

// failed is the diagnostic for a step that failed with err while doing what ("uploading source ...").
// When the operation's context has ended, that is the cause reported, with consequence (what it
// leaves behind, may be ""); otherwise the error is reported as the API returned it.
func (op operation) failed(ctx context.Context, summary, what, consequence string, err error) diag.Diagnostic {
	cause := op.endedBecause(ctx)
	if cause == "" {
		return apiErrorDiagnostic(summary, err)
	}
	detail := fmt.Sprintf("%s while %s.", sentence(cause), what)
	if consequence != "" {
		detail += " " + consequence
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		detail += fmt.Sprintf("\n\nIf the %s needs more time, raise %s in the resource's timeouts block.", op.name, op.name)
	}
	return diag.NewErrorDiagnostic(summary, detail)
}

// sentence capitalises the first letter of an ASCII phrase.
func sentence(phrase string) string {
	if phrase == "" || phrase[0] < 'a' || phrase[0] > 'z' {
		return phrase
	}
	return string(phrase[0]-'a'+'A') + phrase[1:]
}

// criticalStep returns the context of a short step that creates or starts something remote, such as
// CreateClass or a procedure's start: cutting a call short once it may have been carried out would leave
// what it made untracked. The step runs for as long as ctx (the operation's) does, so a throttled call is
// retried for as long as the operation allows, and once ctx ends, by its timeout or by Terraform's
// interrupt, the step has grace more to finish (a CI runner follows an interrupt with a second signal
// about 7.5 s later).
func criticalStep(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	shielded, cancel := context.WithCancel(context.WithoutCancel(ctx))
	if deadline, ok := ctx.Deadline(); ok {
		// The API client plans its retries within the deadline it sees.
		var cancelDeadline context.CancelFunc
		shielded, cancelDeadline = context.WithDeadline(shielded, deadline.Add(grace))
		cancelBoth := cancel
		cancel = func() { cancelDeadline(); cancelBoth() }
	}
	stop := context.AfterFunc(ctx, func() {
		time.AfterFunc(grace, cancel) // cancel is idempotent: a late timer does nothing
	})
	return shielded, func() {
		stop()
		cancel()
	}
}
