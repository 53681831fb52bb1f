package vod

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"unicode/utf8"
)

// ErrPullOutcomeUnknown matches StartPull's error when the pull may have been started but its task id
// could not be learned (a reply was lost and the look-up by SessionId found nothing or failed). Pulling
// again with the same SessionId is the safe retry: VOD refuses it if the first pull was started, and its
// task is looked up again; a new SessionId could pull the file twice.
var ErrPullOutcomeUnknown = errors.New("the pull may have been started")

// ErrCodes of a finished PullUpload task (PullUploadTask.ErrCode).
const (
	PullErrInvalidInput  = 40000 // the input is invalid, e.g. the URL cannot be fetched
	PullErrSourceFile    = 60000 // the source file is at fault, e.g. corrupt data
	PullErrInternalError = 70000 // an internal error of VOD: retrying is advised
)

// TaskTypePullUpload is the TaskType of the task PullUpload starts.
const TaskTypePullUpload = "PullUpload"

// MaxSourceContextLength is the longest SourceContext PullUpload (and ApplyUpload) accept.
const MaxSourceContextLength = 250

// PullUploadRequest is PullUpload's input: VOD fetches MediaURL itself (HLS can be pulled, DASH cannot).
// SessionID deduplicates: VOD refuses a second request with the same SessionId for three days.
type PullUploadRequest struct {
	MediaURL       string  `json:"MediaUrl"`
	MediaType      string  `json:"MediaType,omitempty"` // "" = from the URL's extension
	MediaName      string  `json:"MediaName,omitempty"`
	CoverURL       string  `json:"CoverUrl,omitempty"` // gif, jpeg or png
	Procedure      string  `json:"Procedure,omitempty"`
	ExpireTime     string  `json:"ExpireTime,omitempty"` // ISO 8601
	StorageRegion  string  `json:"StorageRegion,omitempty"`
	ClassID        *int64  `json:"ClassId,omitempty"`
	TasksPriority  *int64  `json:"TasksPriority,omitempty"`  // -10..10
	SessionContext string  `json:"SessionContext,omitempty"` // at most 1000 characters
	SessionID      string  `json:"SessionId,omitempty"`      // at most MaxSessionIDLength characters
	SourceContext  string  `json:"SourceContext,omitempty"`  // at most 250 characters
	SubAppID       *uint64 `json:"SubAppId,omitempty"`       // nil = the client's default sub-application
}

// deduplicated makes a pull with a SessionId safe to repeat: VOD refuses the repeat.
func (r PullUploadRequest) deduplicated() bool { return r.SessionID != "" }

// PullUploadResponse is PullUpload's output.
type PullUploadResponse struct {
	TaskID    string `json:"TaskId"`
	RequestID string `json:"RequestId"`
}

func (r *PullUploadResponse) getRequestID() string { return r.RequestID }

// PullUploadTask is a pull's progress and result (DescribeTaskDetail's PullUploadTask). ErrCode 0 is
// success; FileID is set once it finished successfully.
type PullUploadTask struct {
	TaskID          string          `json:"TaskId"`
	Status          string          `json:"Status"`
	ErrCode         int64           `json:"ErrCode"`
	Message         string          `json:"Message"`
	FileID          string          `json:"FileId"`
	FileURL         string          `json:"FileUrl"`
	MediaBasicInfo  *MediaBasicInfo `json:"MediaBasicInfo"`
	MetaData        *MediaMetaData  `json:"MetaData"`
	ProcedureTaskID string          `json:"ProcedureTaskId"`
	SessionContext  string          `json:"SessionContext"`
	SessionID       string          `json:"SessionId"`
	Progress        int64           `json:"Progress"` // 0-100
}

// StartPull asks VOD to pull req.MediaURL and returns the PullUpload task's id. req.SessionID is
// required (the caller makes it unique per pull): like StartProcedure, an attempt that got no reply is
// sent again, and when VOD refuses the SessionId as already used, or no attempt's reply arrived, the task
// that SessionId started is looked up with FindPullBySession. When it cannot be found, the error matches
// ErrPullOutcomeUnknown, and the caller should pull again later with the same SessionId.
func (c *Client) StartPull(ctx context.Context, req *PullUploadRequest) (string, error) {
	const action = "PullUpload"
	if err := validatePull(req); err != nil {
		return "", err
	}
	params := *req
	params.SubAppID = c.defaultSubAppID(params.SubAppID)
	var history attemptHistory
	var resp envelope[PullUploadResponse]
	err := c.callObserved(ctx, vodService, c.settings.vodEndpoint, action, params, &resp, c.credentialsFor, history.record)
	switch {
	case err == nil && resp.Response.TaskID == "":
		return "", &APIError{Action: action, Code: "ClientError.NoTaskStarted", RequestID: resp.Response.RequestID,
			Message: "PullUpload answered without a TaskId"}
	case err == nil:
		return resp.Response.TaskID, nil
	}
	duplicate := ErrorCode(err) == codeDuplicateSessionID
	if !duplicate && history.uncertain == nil {
		return "", err // no attempt may have started anything
	}
	return c.recoverPull(ctx, &params, duplicate, err)
}

// validatePull checks what StartPull needs before anything is sent.
func validatePull(req *PullUploadRequest) error {
	const action = "PullUpload"
	switch {
	case req == nil || req.MediaURL == "":
		return missingParameter(action, "MediaUrl")
	case req.SessionID == "":
		// Without it a retried pull could fetch the file twice.
		return missingParameter(action, "SessionId")
	}
	invalid := func(format string, args ...any) error {
		return &APIError{Action: action, Code: "ClientError.InvalidParameter", Message: fmt.Sprintf(format, args...)}
	}
	if u, err := url.Parse(req.MediaURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid("MediaUrl %q is not an http or https URL", req.MediaURL)
	}
	for _, limit := range []struct {
		name, value string
		max         int
	}{
		{"SessionId", req.SessionID, MaxSessionIDLength},
		{"SessionContext", req.SessionContext, MaxSessionContextLength},
		{"SourceContext", req.SourceContext, MaxSourceContextLength},
	} {
		if n := utf8.RuneCountInString(limit.value); n > limit.max {
			return invalid("%s is %d characters long; at most %d are allowed", limit.name, n, limit.max)
		}
	}
	if p := req.TasksPriority; p != nil && (*p < MinTasksPriority || *p > MaxTasksPriority) {
		return invalid("TasksPriority is %d; it must be from %d to %d", *p, MinTasksPriority, MaxTasksPriority)
	}
	return nil
}

// recoverPull finds the task a pull may have started: the SessionId was refused as already used (by an
// earlier attempt of this call, or by an earlier call of the caller), or an attempt got no readable
// reply. err is the pull's final error.
func (c *Client) recoverPull(ctx context.Context, req *PullUploadRequest, duplicate bool, err error) (string, error) {
	task, findErr := c.awaitTask(ctx, func() (*TaskSimpleInfo, error) {
		return c.FindPullBySession(ctx, req.SessionID, req.SubAppID)
	})
	switch {
	case findErr == nil:
		c.logger.Info(ctx, "vod: found the task an earlier pull started", map[string]any{
			"action": "PullUpload", "task_id": task.TaskID, "session_id": req.SessionID,
		})
		return task.TaskID, nil
	case !errors.Is(findErr, ErrTaskNotFound):
		return "", fmt.Errorf("%w; looking up the task it may have started failed: %w (%w)", err, findErr, ErrPullOutcomeUnknown)
	case duplicate:
		return "", fmt.Errorf("PullUpload refused SessionId %q as used in the last three days, but no pull was started with "+
			"it in the last three days (the longest VOD lists tasks): pull with a new SessionId: %w", req.SessionID, err)
	default:
		return "", fmt.Errorf("PullUpload may have started pulling %s (an attempt got no readable reply), but no task with "+
			"SessionId %q was found; pulling again with the same SessionId is safe: %w (%w)",
			req.MediaURL, req.SessionID, err, ErrPullOutcomeUnknown)
	}
}

// FindPullBySession finds the PullUpload task started with sessionID among the last three days' tasks
// (DescribeTasks, paging with ScrollToken). It returns an error matching ErrTaskNotFound when none was.
func (c *Client) FindPullBySession(ctx context.Context, sessionID string, subAppID *uint64) (*TaskSimpleInfo, error) {
	if sessionID == "" {
		return nil, missingParameter("DescribeTasks", "SessionId")
	}
	req := &DescribeTasksRequest{Limit: MaxTaskListLimit, SubAppID: subAppID}
	return c.findTask(ctx, req, func(task *TaskSimpleInfo) bool {
		return task.TaskType == TaskTypePullUpload && task.SessionID == sessionID
	}, fmt.Sprintf("no pull with SessionId %q", sessionID))
}

// PullResult is the media a finished pull created, or nil when the task has not finished or failed.
func (t *TaskDetail) PullResult() *PullUploadTask {
	if !t.Done() || t.PullUploadTask == nil || t.PullUploadTask.ErrCode != 0 || t.PullUploadTask.FileID == "" {
		return nil
	}
	return t.PullUploadTask
}
