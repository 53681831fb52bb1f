package vod

import (
	"context"
)

// Task statuses, as DescribeTaskDetail and DescribeTasks report them. A task that ends with an error
// is FINISH too: its ErrCode (and its sub-tasks') says whether it succeeded.
const (
	TaskWaiting    = "WAITING"
	TaskProcessing = "PROCESSING"
	TaskFinished   = "FINISH"
	TaskAborted    = "ABORTED"
)

// MaxSessionIDLength is the longest SessionId ProcessMediaByProcedure (and PullUpload) accept.
const MaxSessionIDLength = 50

// ProcessMediaByProcedureRequest is ProcessMediaByProcedure's input. SessionID deduplicates: VOD refuses
// a second request with the same SessionId for seven days, so a retry cannot start the task twice.
type ProcessMediaByProcedureRequest struct {
	FileID          string  `json:"FileId"`
	ProcedureName   string  `json:"ProcedureName"`
	TasksPriority   *int64  `json:"TasksPriority,omitempty"`   // -10..10
	TasksNotifyMode string  `json:"TasksNotifyMode,omitempty"` // Finish, Change or None
	SessionContext  string  `json:"SessionContext,omitempty"`  // at most 1000 characters
	SessionID       string  `json:"SessionId,omitempty"`       // at most MaxSessionIDLength characters
	SubAppID        *uint64 `json:"SubAppId,omitempty"`        // nil = the client's default sub-application
}

// ProcessMediaByProcedureResponse is ProcessMediaByProcedure's output.
type ProcessMediaByProcedureResponse struct {
	TaskID string `json:"TaskId"` // the Procedure task: media processing, AI analysis or recognition
	// ReviewAudioVideoTaskID is the task of the template's audio/video review, when it has one.
	ReviewAudioVideoTaskID string `json:"ReviewAudioVideoTaskId"`
	RequestID              string `json:"RequestId"`
}

func (r *ProcessMediaByProcedureResponse) getRequestID() string { return r.RequestID }

// deduplicated makes a request with a SessionId safe to repeat: VOD refuses the repeat.
func (r ProcessMediaByProcedureRequest) deduplicated() bool { return r.SessionID != "" }

// ProcessMediaByProcedure starts a task flow on a media file. It is retried after a lost reply only
// when req carries a SessionId, and then a retry may be refused as a duplicate: StartProcedure sends
// it and resolves that case to the task the SessionId started.
func (c *Client) ProcessMediaByProcedure(ctx context.Context, req *ProcessMediaByProcedureRequest) (*ProcessMediaByProcedureResponse, error) {
	const action = "ProcessMediaByProcedure"
	switch {
	case req == nil || req.FileID == "":
		return nil, missingParameter(action, "FileId")
	case req.ProcedureName == "":
		return nil, missingParameter(action, "ProcedureName")
	}
	params := *req
	params.SubAppID = c.defaultSubAppID(params.SubAppID)
	return callVOD[ProcessMediaByProcedureResponse](ctx, c, action, params)
}

// DescribeTaskDetailRequest is DescribeTaskDetail's input. Tasks can be queried for three days.
type DescribeTaskDetailRequest struct {
	TaskID   string  `json:"TaskId"`
	SubAppID *uint64 `json:"SubAppId,omitempty"`
}

// TaskDetail is DescribeTaskDetail's output. Of the per-type sections, the one of TaskType is set.
type TaskDetail struct {
	TaskID           string          `json:"-"`        // the id DescribeTaskDetail was asked for
	TaskType         string          `json:"TaskType"` // Procedure, PullUpload, ...
	Status           string          `json:"Status"`   // TaskWaiting, TaskProcessing, TaskFinished or TaskAborted
	CreateTime       string          `json:"CreateTime"`
	BeginProcessTime string          `json:"BeginProcessTime"`
	FinishTime       string          `json:"FinishTime"`
	ProcedureTask    *ProcedureTask  `json:"ProcedureTask"`
	PullUploadTask   *PullUploadTask `json:"PullUploadTask"` // pull.go
	RequestID        string          `json:"RequestId"`
}

func (r *TaskDetail) getRequestID() string { return r.RequestID }

// ProcedureTask is a task flow's progress and result. ErrCode 0 is success.
type ProcedureTask struct {
	TaskID                string                   `json:"TaskId"`
	Status                string                   `json:"Status"`
	ErrCode               int64                    `json:"ErrCode"`
	Message               string                   `json:"Message"`
	FileID                string                   `json:"FileId"`
	FileName              string                   `json:"FileName"`
	FileURL               string                   `json:"FileUrl"`
	MetaData              *MediaMetaData           `json:"MetaData"`
	MediaProcessResultSet []MediaProcessTaskResult `json:"MediaProcessResultSet"`
	TasksPriority         int64                    `json:"TasksPriority"`
	TasksNotifyMode       string                   `json:"TasksNotifyMode"`
	SessionContext        string                   `json:"SessionContext"`
	SessionID             string                   `json:"SessionId"`
}

// MediaProcessTaskResult is one sub-task of a task flow. Type names it (Transcode,
// AdaptiveDynamicStreaming, SnapshotByTimeOffset, ImageSprite, CoverBySnapshot, AnimatedGraphics,
// SampleSnapshot) and the matching section holds its result.
type MediaProcessTaskResult struct {
	Type                         string         `json:"Type"`
	TranscodeTask                *SubTaskResult `json:"TranscodeTask"`
	AnimatedGraphicTask          *SubTaskResult `json:"AnimatedGraphicTask"`
	SnapshotByTimeOffsetTask     *SubTaskResult `json:"SnapshotByTimeOffsetTask"`
	SampleSnapshotTask           *SubTaskResult `json:"SampleSnapshotTask"`
	ImageSpriteTask              *SubTaskResult `json:"ImageSpriteTask"`
	CoverBySnapshotTask          *SubTaskResult `json:"CoverBySnapshotTask"`
	AdaptiveDynamicStreamingTask *SubTaskResult `json:"AdaptiveDynamicStreamingTask"`
}

// SubTaskResult is what every sub-task result has in common; its Output differs per type and is not
// decoded (the outputs are read from DescribeMediaInfos instead).
type SubTaskResult struct {
	Status     string        `json:"Status"`
	ErrCode    int64         `json:"ErrCode"`
	ErrCodeExt string        `json:"ErrCodeExt"`
	Message    string        `json:"Message"`
	Progress   int64         `json:"Progress"`
	Input      *SubTaskInput `json:"Input"`
}

// SubTaskInput is the part of a sub-task's input that names its template.
type SubTaskInput struct {
	Definition int64 `json:"Definition"`
}

// DescribeTaskDetail reads a task. It is a read, so it is retried like the other reads. A task that
// does not exist (or is older than three days) gives an error matching ErrTaskNotFound.
func (c *Client) DescribeTaskDetail(ctx context.Context, req *DescribeTaskDetailRequest) (*TaskDetail, error) {
	const action = "DescribeTaskDetail"
	if req == nil || req.TaskID == "" {
		return nil, missingParameter(action, "TaskId")
	}
	params := *req
	params.SubAppID = c.defaultSubAppID(params.SubAppID)
	detail, err := callVOD[TaskDetail](ctx, c, action, params)
	if err != nil {
		return nil, asTaskNotFound(err, req.TaskID)
	}
	detail.TaskID = req.TaskID
	return detail, nil
}

// Limits of DescribeTasks' pages.
const (
	DefaultTaskListLimit = 10
	MaxTaskListLimit     = 100
)

// DescribeTasksRequest is DescribeTasks' input: tasks of the last three days, newest first unless
// Sort says otherwise. ScrollToken continues where the previous page ended.
type DescribeTasksRequest struct {
	Status      string     `json:"Status,omitempty"` // TaskWaiting, TaskProcessing or TaskFinished
	FileID      string     `json:"FileId,omitempty"`
	CreateTime  *TimeRange `json:"CreateTime,omitempty"`
	FinishTime  *TimeRange `json:"FinishTime,omitempty"`
	Sort        *SortBy    `json:"Sort,omitempty"` // Field CreateTime or FinishTime
	Limit       uint64     `json:"Limit,omitempty"`
	ScrollToken string     `json:"ScrollToken,omitempty"`
	SubAppID    *uint64    `json:"SubAppId,omitempty"`
}

// DescribeTasksResponse is DescribeTasks' output; ScrollToken is empty on the last page.
type DescribeTasksResponse struct {
	TaskSet     []TaskSimpleInfo `json:"TaskSet"`
	ScrollToken string           `json:"ScrollToken"`
	RequestID   string           `json:"RequestId"`
}

func (r *DescribeTasksResponse) getRequestID() string { return r.RequestID }

// TaskSimpleInfo is a task as DescribeTasks lists it.
type TaskSimpleInfo struct {
	TaskID           string `json:"TaskId"`
	Status           string `json:"Status"`
	FileID           string `json:"FileId"`
	TaskType         string `json:"TaskType"`
	CreateTime       string `json:"CreateTime"`
	BeginProcessTime string `json:"BeginProcessTime"`
	FinishTime       string `json:"FinishTime"`
	SessionID        string `json:"SessionId"`
	SessionContext   string `json:"SessionContext"`
}

// DescribeTasks lists tasks, one page at a time.
func (c *Client) DescribeTasks(ctx context.Context, req *DescribeTasksRequest) (*DescribeTasksResponse, error) {
	if req == nil {
		req = &DescribeTasksRequest{}
	}
	params := *req
	params.SubAppID = c.defaultSubAppID(params.SubAppID)
	return callVOD[DescribeTasksResponse](ctx, c, "DescribeTasks", params)
}
