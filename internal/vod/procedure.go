package vod

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrTaskNotFound matches the error of DescribeTaskDetail (and so WaitForTask) for a task that does not
// exist or is older than three days, and FindTaskBySession's when no task was started with the session.
var ErrTaskNotFound = errors.New("task not found")

// ErrStartOutcomeUnknown matches StartProcedure's error when the start may have created a task whose id
// could not be learned (a reply was lost and the look-up by SessionId found nothing or failed). Starting
// again with the same SessionId is then the safe retry: VOD refuses it if the first start happened, and
// its task is looked up again; a new SessionId could run the task flow twice.
var ErrStartOutcomeUnknown = errors.New("the procedure may have been started")

// Limits of ProcessMediaByProcedure's other parameters.
const (
	MaxSessionContextLength = 1000
	MinTasksPriority        = -10
	MaxTasksPriority        = 10
)

// TasksNotifyModes are the values TasksNotifyMode accepts (empty means Finish).
var TasksNotifyModes = []string{"Finish", "Change", "None"}

// codeDuplicateSessionID is ProcessMediaByProcedure's answer to a SessionId used in the last seven days.
const codeDuplicateSessionID = "InvalidParameterValue.SessionId"

// StartProcedure starts req.ProcedureName on req.FileID and returns the task id. req.SessionID is required
// (the caller makes it unique per run); it makes the start safe to retry: VOD refuses a second request
// with the same SessionId for seven days instead of starting the task flow twice. So an attempt that got
// no reply (or a 5xx, or InternalError) is sent again, and when VOD refuses a SessionId as already used,
// or no attempt's reply arrived, the task that SessionId started is looked up with FindTaskBySession and
// its id returned. That covers a caller that retries after losing the reply itself, as long as it keeps
// the SessionId: when the task cannot be found, the error matches ErrStartOutcomeUnknown, and the caller
// should start it again later with the same SessionId rather than a new one.
func (c *Client) StartProcedure(ctx context.Context, req *ProcessMediaByProcedureRequest) (string, error) {
	const action = "ProcessMediaByProcedure"
	if err := validateStart(req); err != nil {
		return "", err
	}
	params := *req
	params.SubAppID = c.defaultSubAppID(params.SubAppID)
	var history attemptHistory
	var resp envelope[ProcessMediaByProcedureResponse]
	err := c.callObserved(ctx, vodService, c.settings.vodEndpoint, action, params, &resp, c.credentialsFor, history.record)
	if err == nil {
		return startedTaskID(req, &resp.Response)
	}
	duplicate := ErrorCode(err) == codeDuplicateSessionID
	if !duplicate && history.uncertain == nil {
		return "", err // no attempt may have started anything
	}
	return c.recoverStartedTask(ctx, req, duplicate, err)
}

// validateStart checks what StartProcedure needs before anything is sent.
func validateStart(req *ProcessMediaByProcedureRequest) error {
	const action = "ProcessMediaByProcedure"
	switch {
	case req == nil || req.FileID == "":
		return missingParameter(action, "FileId")
	case req.ProcedureName == "":
		return missingParameter(action, "ProcedureName")
	case req.SessionID == "":
		// Without it a retried start could run the task flow twice.
		return missingParameter(action, "SessionId")
	}
	invalid := func(format string, args ...any) error {
		return &APIError{Action: action, Code: "ClientError.InvalidParameter", Message: fmt.Sprintf(format, args...)}
	}
	if n := utf8.RuneCountInString(req.SessionID); n > MaxSessionIDLength {
		return invalid("SessionId is %d characters long; at most %d are allowed", n, MaxSessionIDLength)
	}
	if n := utf8.RuneCountInString(req.SessionContext); n > MaxSessionContextLength {
		return invalid("SessionContext is %d characters long; at most %d are allowed", n, MaxSessionContextLength)
	}
	if p := req.TasksPriority; p != nil && (*p < MinTasksPriority || *p > MaxTasksPriority) {
		return invalid("TasksPriority is %d; it must be from %d to %d", *p, MinTasksPriority, MaxTasksPriority)
	}
	if m := req.TasksNotifyMode; m != "" && !slices.Contains(TasksNotifyModes, m) {
		return invalid("TasksNotifyMode is %q; it must be one of %s", m, strings.Join(TasksNotifyModes, ", "))
	}
	return nil
}

// startedTaskID is the task id of a successful start: its Procedure task, or, for a template whose only
// task is an audio/video review, its ReviewAudioVideo task (which DescribeTaskDetail reports and
// WaitForTask waits for like any other). Reporting that one as an error would have the caller start
// the review again at every retry. A template with neither starts nothing that can be followed.
func startedTaskID(req *ProcessMediaByProcedureRequest, resp *ProcessMediaByProcedureResponse) (string, error) {
	switch {
	case resp.TaskID != "":
		return resp.TaskID, nil
	case resp.ReviewAudioVideoTaskID != "":
		return resp.ReviewAudioVideoTaskID, nil
	}
	return "", &APIError{Action: "ProcessMediaByProcedure", Code: "ClientError.NoTaskStarted", RequestID: resp.RequestID,
		Message: fmt.Sprintf("procedure %q started no task on file %s that can be followed: its template has no media processing, "+
			"AI analysis, AI recognition or audio/video review task", req.ProcedureName, req.FileID)}
}

// recoverStartedTask finds the task a start may have created: the SessionId was refused as already
// used (by an earlier attempt of this call, or by an earlier call of the caller), or an attempt got no
// readable reply. err is the start's final error.
func (c *Client) recoverStartedTask(ctx context.Context, req *ProcessMediaByProcedureRequest, duplicate bool, err error) (string, error) {
	task, findErr := c.awaitTaskBySession(ctx, req.FileID, req.SessionID, req.SubAppID)
	switch {
	case findErr == nil:
		c.logger.Info(ctx, "vod: found the task an earlier start created", map[string]any{
			"action": "ProcessMediaByProcedure", "task_id": task.TaskID, "file_id": req.FileID, "session_id": req.SessionID,
		})
		return task.TaskID, nil
	case !errors.Is(findErr, ErrTaskNotFound):
		return "", fmt.Errorf("%w; looking up the task it may have started failed: %w (%w)", err, findErr, ErrStartOutcomeUnknown)
	case duplicate:
		return "", fmt.Errorf("ProcessMediaByProcedure refused SessionId %q as used in the last seven days, but no task of file %s "+
			"was started with it in the last three days (the longest VOD lists tasks): start the procedure with a new SessionId: %w",
			req.SessionID, req.FileID, err)
	default:
		return "", fmt.Errorf("ProcessMediaByProcedure may have started procedure %q on file %s (an attempt got no readable reply), "+
			"but no task with SessionId %q was found; starting again with the same SessionId is safe: %w (%w)",
			req.ProcedureName, req.FileID, req.SessionID, err, ErrStartOutcomeUnknown)
	}
}

// awaitTaskBySession is FindTaskBySession, repeated for a few seconds while it finds nothing (awaitTask).
func (c *Client) awaitTaskBySession(ctx context.Context, fileID, sessionID string, subAppID *uint64) (*TaskSimpleInfo, error) {
	return c.awaitTask(ctx, func() (*TaskSimpleInfo, error) { return c.FindTaskBySession(ctx, fileID, sessionID, subAppID) })
}

// awaitTask calls find, repeated for a few seconds while it finds nothing: a task may be listed by
// DescribeTasks a moment after the start that created it answered.
func (c *Client) awaitTask(ctx context.Context, find func() (*TaskSimpleInfo, error)) (*TaskSimpleInfo, error) {
	patience := taskLookupPatienceFactor * c.firstTaskPoll()
	var waited time.Duration
	for n := 0; ; n++ {
		task, err := find()
		if !errors.Is(err, ErrTaskNotFound) {
			return task, err
		}
		wait := c.taskPollDelay(n)
		if waited+wait > patience {
			return nil, err
		}
		waited += wait
		if sleepErr := c.sleep(ctx, wait); sleepErr != nil {
			return nil, err
		}
	}
}

// FindTaskBySession finds the task of fileID started with sessionID among the last three days' tasks
// (DescribeTasks, paging with ScrollToken). It returns an error matching ErrTaskNotFound when none was.
func (c *Client) FindTaskBySession(ctx context.Context, fileID, sessionID string, subAppID *uint64) (*TaskSimpleInfo, error) {
	const action = "DescribeTasks"
	switch {
	case fileID == "":
		return nil, missingParameter(action, "FileId")
	case sessionID == "":
		return nil, missingParameter(action, "SessionId")
	}
	req := &DescribeTasksRequest{FileID: fileID, Limit: MaxTaskListLimit, SubAppID: subAppID}
	return c.findTask(ctx, req, func(task *TaskSimpleInfo) bool { return task.SessionID == sessionID },
		fmt.Sprintf("no task of file %s with SessionId %q", fileID, sessionID))
}

// findTask pages through the tasks DescribeTasks lists for req until match accepts one. When none does,
// the error matches ErrTaskNotFound and starts with notFound.
func (c *Client) findTask(ctx context.Context, req *DescribeTasksRequest, match func(*TaskSimpleInfo) bool, notFound string) (*TaskSimpleInfo, error) {
	listed := 0
	for {
		page, err := c.DescribeTasks(ctx, req)
		if err != nil {
			return nil, err
		}
		for i := range page.TaskSet {
			if task := page.TaskSet[i]; match(&task) {
				return &task, nil
			}
		}
		listed += len(page.TaskSet)
		// A token that does not move on would page forever.
		if page.ScrollToken == "" || page.ScrollToken == req.ScrollToken || len(page.TaskSet) == 0 {
			return nil, fmt.Errorf("%w: %s among the %d tasks listed from the last three days (RequestId: %s)",
				ErrTaskNotFound, notFound, listed, page.RequestID)
		}
		req.ScrollToken = page.ScrollToken
	}
}

// taskNotFoundError is DescribeTaskDetail's answer for an unknown task; it matches ErrTaskNotFound.
type taskNotFoundError struct {
	taskID string
	apiErr *APIError
}

func (e *taskNotFoundError) Error() string {
	return fmt.Sprintf("task %s not found: it does not exist in this application or is older than three days: %v", e.taskID, e.apiErr)
}

func (e *taskNotFoundError) Unwrap() []error { return []error{ErrTaskNotFound, e.apiErr} }

// asTaskNotFound makes DescribeTaskDetail's "no such task" answers match ErrTaskNotFound.
func asTaskNotFound(err error, taskID string) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) && (apiErr.HasCode("ResourceNotFound") || apiErr.Code == "InvalidParameterValue.TaskId") {
		return &taskNotFoundError{taskID: taskID, apiErr: apiErr}
	}
	return err
}
