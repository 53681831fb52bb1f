package vod

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Polling of a running task: the first wait is defaultTaskPoll (SetTaskPollInterval in tests), each
// next one taskPollGrowth times longer, up to taskPollCapFactor times the first (15 s by default). A
// short task is seen finishing within a second or two; a long one costs a call every 15 s.
const (
	defaultTaskPoll   = time.Second
	taskPollGrowth    = 1.5
	taskPollCapFactor = 15
	// taskLookupPatienceFactor bounds, in first waits, how long a start looks for the task of a
	// SessionId before it concludes there is none (10 s by default).
	taskLookupPatienceFactor = 10
)

// subTaskFailed is the Status of a sub-task that failed.
const subTaskFailed = "FAIL"

// firstTaskPoll is the wait after the first poll of a task.
func (c *Client) firstTaskPoll() time.Duration {
	if c.taskPollInterval > 0 {
		return c.taskPollInterval
	}
	return defaultTaskPoll
}

// taskPollDelay is the wait after poll n (0-based).
func (c *Client) taskPollDelay(n int) time.Duration {
	first := c.firstTaskPoll()
	limit := taskPollCapFactor * first
	grown := float64(first) * math.Pow(taskPollGrowth, float64(n))
	if grown >= float64(limit) {
		return limit
	}
	return time.Duration(grown)
}

// WaitForTask polls DescribeTaskDetail until the task is FINISH or ABORTED (or ctx ends), calling progress
// after each poll whose status or progress changed; it returns the last detail read. A finished task is
// returned without error whether it succeeded or not: its Failure says which. The waits between polls
// grow from one second to 15 seconds; only ctx bounds the whole wait. When ctx ends first, the error
// wraps ctx's cause and says what status the task was last seen in. A task that does not exist gives an
// error matching ErrTaskNotFound. A poll that fails transiently is retried like every read, and when
// its retries run out the wait goes on with the next poll: an outage shorter than ctx costs nothing.
func (c *Client) WaitForTask(ctx context.Context, taskID string, subAppID *uint64, progress func(*TaskDetail)) (*TaskDetail, error) {
	if taskID == "" {
		return nil, missingParameter("DescribeTaskDetail", "TaskId")
	}
	w := &taskWait{taskID: taskID, started: time.Now()}
	for n := 0; ; n++ {
		detail, err := c.DescribeTaskDetail(ctx, &DescribeTaskDetailRequest{TaskID: taskID, SubAppID: subAppID})
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
				// The deadline passed, or is so close that the rate limiter would not send the poll:
				// either way the wait ended, and the caller learns the task's last status.
				return w.last, w.ended(ctx)
			}
			if !transient(err) {
				return w.last, err
			}
			w.pollErr = err
			c.logger.Warn(ctx, "vod: polling a task failed, polling on", map[string]any{
				"task_id": taskID, "code": ErrorCode(err), "error": err.Error(),
			})
		} else if w.changedBy(detail) {
			c.logger.Debug(ctx, "vod: task progressed", map[string]any{"task_id": taskID, "status": detail.Status})
			if progress != nil {
				progress(detail)
			}
		}
		if detail.Done() { // false after a failed poll: detail is nil
			return detail, nil
		}
		if err := c.sleep(ctx, c.taskPollDelay(n)); err != nil {
			return w.last, w.ended(ctx)
		}
	}
}

// transient reports a failed call that a later, identical call may not meet: the API was unavailable
// or throttled, or its reply was lost or unreadable.
func transient(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && (throttled(apiErr) || outcomeUnknown(apiErr) || apiErr.Code == CodeParseJSONError)
}

// taskWait is what WaitForTask knows of the task so far.
type taskWait struct {
	taskID   string
	started  time.Time
	last     *TaskDetail // the last detail read, nil before the first
	lastSeen string      // the last detail's progressKey
	pollErr  error       // the last poll's error when it failed
}

// changedBy records a detail just read and reports whether it shows progress since the last one.
func (w *taskWait) changedBy(detail *TaskDetail) bool {
	w.last, w.pollErr = detail, nil
	seen := detail.progressKey()
	changed := seen != w.lastSeen
	w.lastSeen = seen
	return changed
}

// ended is WaitForTask's error when ctx ended before the task did.
func (w *taskWait) ended(ctx context.Context) error {
	waited := time.Since(w.started).Round(time.Second)
	var b strings.Builder
	if w.last == nil {
		fmt.Fprintf(&b, "task %s: no status was read in %s", w.taskID, waited)
	} else {
		fmt.Fprintf(&b, "task %s still %s after %s", w.taskID, w.last.Status, waited)
	}
	if w.pollErr != nil {
		fmt.Fprintf(&b, " (the last poll failed: %v)", w.pollErr)
	}
	cause := context.Cause(ctx)
	if cause == nil { // ended just before the deadline, when the next poll could not be sent in time
		cause = context.DeadlineExceeded
	}
	return fmt.Errorf("%s: %w", b.String(), cause)
}

// Done reports whether the task has ended, successfully or not.
func (t *TaskDetail) Done() bool {
	return t != nil && (t.Status == TaskFinished || t.Status == TaskAborted)
}

// progressKey sums up what a progress report would show: the status and each sub-task's state.
func (t *TaskDetail) progressKey() string {
	var b strings.Builder
	b.WriteString(t.Status)
	if t.ProcedureTask != nil {
		for i := range t.ProcedureTask.MediaProcessResultSet {
			r := &t.ProcedureTask.MediaProcessResultSet[i]
			if res := r.Outcome(); res != nil {
				fmt.Fprintf(&b, "|%s:%s:%d", r.Name(), res.Status, res.Progress)
			}
		}
	}
	return b.String()
}

// TaskFailure describes why a finished task failed: nil when it succeeded.
type TaskFailure struct {
	TaskID string
	// SubTask names the sub-task that failed, e.g. "Transcode (definition 100030)"; "" for the task itself.
	SubTask    string
	ErrCode    int64
	ErrCodeExt string
	Message    string
}

// Error says in one sentence which task and sub-task failed, and why.
func (f *TaskFailure) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "task %s failed", f.TaskID)
	if f.SubTask != "" {
		fmt.Fprintf(&b, " in sub-task %s", f.SubTask)
	}
	message := f.Message
	if message == "" {
		message = "no message given"
	}
	fmt.Fprintf(&b, ": %s", message)
	switch {
	case f.ErrCode != 0 && f.ErrCodeExt != "":
		fmt.Fprintf(&b, " (error %d, %s)", f.ErrCode, f.ErrCodeExt)
	case f.ErrCode != 0:
		fmt.Fprintf(&b, " (error %d)", f.ErrCode)
	case f.ErrCodeExt != "":
		fmt.Fprintf(&b, " (%s)", f.ErrCodeExt)
	}
	return b.String()
}

// Failure describes why the task failed: the first sub-task that failed, else the task's own error, else
// (for an ABORTED task) that it was aborted. It is nil for a task that succeeded or has not finished.
func (t *TaskDetail) Failure() *TaskFailure {
	if !t.Done() {
		return nil
	}
	failure := &TaskFailure{TaskID: t.TaskID}
	proc := t.ProcedureTask
	if proc != nil {
		if failure.TaskID == "" {
			failure.TaskID = proc.TaskID
		}
		if r, res := proc.failedSubTask(); r != nil {
			failure.SubTask, failure.ErrCode, failure.ErrCodeExt, failure.Message = r.Name(), res.ErrCode, res.ErrCodeExt, res.Message
			return failure
		}
		if proc.ErrCode != 0 {
			failure.ErrCode, failure.Message = proc.ErrCode, proc.Message
			return failure
		}
	}
	if t.Status == TaskAborted {
		failure.Message = "the task was aborted"
		if proc != nil && proc.Message != "" {
			failure.Message = "the task was aborted: " + proc.Message
		}
		return failure
	}
	return nil
}

// failedSubTask is the first sub-task that failed, with its result, or nil.
func (p *ProcedureTask) failedSubTask() (*MediaProcessTaskResult, *SubTaskResult) {
	for i := range p.MediaProcessResultSet {
		r := &p.MediaProcessResultSet[i]
		if res := r.Outcome(); res != nil && (res.ErrCode != 0 || res.Status == subTaskFailed) {
			return r, res
		}
	}
	return nil, nil
}

// Outcome is the sub-task's result: of its per-type sections, the one that is set.
func (r *MediaProcessTaskResult) Outcome() *SubTaskResult {
	for _, res := range []*SubTaskResult{
		r.TranscodeTask, r.AdaptiveDynamicStreamingTask, r.SnapshotByTimeOffsetTask, r.ImageSpriteTask,
		r.CoverBySnapshotTask, r.AnimatedGraphicTask, r.SampleSnapshotTask,
	} {
		if res != nil {
			return res
		}
	}
	return nil
}

// Name names the sub-task for people: its type and its template, e.g. "Transcode (definition 100030)".
func (r *MediaProcessTaskResult) Name() string {
	if res := r.Outcome(); res != nil && res.Input != nil {
		return fmt.Sprintf("%s (definition %d)", r.Type, res.Input.Definition)
	}
	return r.Type
}
