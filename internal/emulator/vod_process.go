package emulator

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// VOD codes of the processing actions (ProcessMediaByProcedure, DescribeTaskDetail, DescribeTasks;
// vod/v20180717/errors.go and the actions' documentation).
const (
	CodeInvalidProcedureName ErrorCode = "InvalidParameterValue.ProcedureName"
	CodeInvalidFileID        ErrorCode = "InvalidParameterValue.FileId"
	CodeInvalidSessionID     ErrorCode = "InvalidParameterValue.SessionId"
	CodeSessionIDTooLong     ErrorCode = "InvalidParameterValue.SessionIdTooLong"
	CodeInvalidTaskID        ErrorCode = "InvalidParameterValue.TaskId"
)

// ProcessMediaByProcedure limits, from its documentation.
const (
	maxSessionIDChars = 50
	minTasksPriority  = -10
	maxTasksPriority  = 10
)

// tasksNotifyModes are the documented TasksNotifyMode values ("" means Finish).
var tasksNotifyModes = []string{"Finish", "Change", "None"}

type processMediaByProcedureRequest struct {
	ProcedureName    string  `json:"ProcedureName"`
	FileID           string  `json:"FileId"`
	MediaStoragePath string  `json:"MediaStoragePath"`
	SubAppID         *uint64 `json:"SubAppId"`
	TasksPriority    *int64  `json:"TasksPriority"`
	TasksNotifyMode  string  `json:"TasksNotifyMode"`
	SessionContext   string  `json:"SessionContext"`
	SessionID        string  `json:"SessionId"`
	ExtInfo          string  `json:"ExtInfo"`
}

type processMediaByProcedureResponse struct {
	TaskID                        string   `json:"TaskId"`
	ReviewAudioVideoTaskID        string   `json:"ReviewAudioVideoTaskId"`
	ImportMediaKnowledgeTaskIDSet []string `json:"ImportMediaKnowledgeTaskIdSet"`
}

// processMediaByProcedure implements ProcessMediaByProcedure: it starts a Procedure task of the named
// task flow on a media file. A SessionId already used in the application in the last 7 days is
// refused with InvalidParameterValue.SessionId and starts nothing (the reply has no TaskId).
func (s *Server) processMediaByProcedure(call *apiCall) (any, *apiError) {
	var req processMediaByProcedureRequest
	if apiErr := call.decode(&req); apiErr != nil {
		return nil, apiErr
	}
	if req.ProcedureName == "" {
		return nil, errMissingParameter("ProcedureName")
	}
	if req.FileID == "" && req.MediaStoragePath == "" {
		return nil, newAPIError(CodeMissingParameter, "One of FileId and MediaStoragePath is required.")
	}
	subAppID, apiErr := s.resolveSubAppID(req.SubAppID)
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := checkProcessMediaByProcedure(req); apiErr != nil {
		return nil, apiErr
	}
	if !s.procedures.has(req.ProcedureName) {
		return nil, newAPIError(CodeInvalidProcedureName, "The task flow template `%s` does not exist.", req.ProcedureName)
	}
	s.purgeExpiredMedia()
	m, ok := s.vod.mediaFile(req.FileID, subAppID)
	if !ok {
		return nil, newAPIError(CodeInvalidFileID, "The media file `%s` does not exist.", req.FileID)
	}
	if _, ok := s.objects.Stat(m.Bucket, m.MediaKey); !ok {
		// DeleteMedia's documentation: once the original is deleted, no processing can be started.
		return nil, newAPIError(CodeFailedOperation, "The original file of media `%s` was deleted; it cannot be processed.", m.FileID)
	}
	priority := int64(0)
	if req.TasksPriority != nil {
		priority = *req.TasksPriority
	}
	task, started := s.startProcedureTask(m, req.ProcedureName, taskOrigin{
		sessionID: req.SessionID, sessionContext: req.SessionContext, priority: priority, notifyMode: req.TasksNotifyMode,
	}, call.Now)
	if !started {
		return nil, newAPIError(CodeInvalidSessionID,
			"A task with the SessionId `%s` was already started in the last 7 days.", req.SessionID)
	}
	return processMediaByProcedureResponse{TaskID: task.TaskID, ImportMediaKnowledgeTaskIDSet: []string{}}, nil
}

// checkProcessMediaByProcedure checks the values of the optional parameters.
func checkProcessMediaByProcedure(req processMediaByProcedureRequest) *apiError {
	if apiErr := checkMediaStoragePath(req.MediaStoragePath); apiErr != nil {
		return apiErr
	}
	if p := req.TasksPriority; p != nil && (*p < minTasksPriority || *p > maxTasksPriority) {
		return newAPIError(CodeInvalidParameterValue, "TasksPriority %d is outside %d to %d.", *p, minTasksPriority, maxTasksPriority)
	}
	if req.TasksNotifyMode != "" && !slices.Contains(tasksNotifyModes, req.TasksNotifyMode) {
		return newAPIError(CodeInvalidParameterValue, "TasksNotifyMode `%s` is not one of Finish, Change, None.", req.TasksNotifyMode)
	}
	if n := utf8.RuneCountInString(req.SessionContext); n > maxSessionContextChars {
		return newAPIError(CodeSessionContextTooLong, "SessionContext is %d characters long; the limit is %d.", n, maxSessionContextChars)
	}
	if n := utf8.RuneCountInString(req.SessionID); n > maxSessionIDChars {
		return newAPIError(CodeSessionIDTooLong, "SessionId is %d characters long; the limit is %d.", n, maxSessionIDChars)
	}
	return nil
}

// taskOrigin is what the starter of a task passes through to it.
type taskOrigin struct {
	sessionID      string
	sessionContext string
	priority       int64
	notifyMode     string
}

// startProcedureTask creates a task of procedure on m. It reports false, and stores nothing, when the
// SessionId was already used (or the procedure no longer exists).
func (s *Server) startProcedureTask(m MediaFile, procedure string, origin taskOrigin, now time.Time) (Task, bool) {
	s.tasks.startMu.Lock()
	defer s.tasks.startMu.Unlock()
	// Checked before FailNextTasks' count is taken, so that a refused repeat does not use it up.
	if origin.sessionID != "" && s.tasks.sessionIDUsed(m.SubAppID, origin.sessionID, now) {
		return Task{}, false
	}
	steps, ok := s.procedures.stepsForNewTask(procedure)
	if !ok {
		return Task{}, false
	}
	meta := metaDataOf(m)
	src := outputSource{mediaKey: m.MediaKey, meta: meta}
	t := &Task{
		TaskID: newTaskID(m.SubAppID), SubAppID: m.SubAppID, Procedure: procedure,
		FileID: m.FileID, FileName: m.Name, FileURL: m.MediaURL, Bucket: m.Bucket, Steps: steps,
		SessionID: origin.sessionID, SessionContext: origin.sessionContext, TasksPriority: origin.priority,
		TasksNotifyMode: origin.notifyMode, CreateTime: now, Duration: s.opts.TaskDuration, meta: meta,
	}
	for _, step := range steps {
		failure := failureAtStart(step, procedure, meta)
		var out stepOutput
		if failure == nil {
			out = src.produce(step)
		}
		t.outputs, t.failures = append(t.outputs, out), append(t.failures, failure)
	}
	if !s.tasks.add(t, now) {
		return Task{}, false
	}
	return t.clone(), true
}

// newTaskID has the shape of the TaskId in ProcessMediaByProcedure's example
// ("125xxx65-procedurev2-bffb15f07530b57bc1aabb01fac74bca"), led by the application's ID.
func newTaskID(subAppID uint64) string {
	return strconv.FormatUint(subAppID, 10) + "-procedurev2-" + randomHex(16)
}

// startUploadProcedure starts the Procedure that ApplyUpload named, once CommitUpload has created the
// media, as VOD does; CommitUpload's reply does not carry the task's ID (DescribeTasks finds it by
// FileId). ApplyUpload's SessionContext is passed on to the task.
func (s *Server) startUploadProcedure(session UploadSession, m MediaFile, now time.Time) {
	if session.Request.Procedure == "" {
		return
	}
	s.startProcedureTask(m, session.Request.Procedure, taskOrigin{sessionContext: session.Request.SessionContext}, now)
}

// errTaskNotFound: the task does not exist in the application, or is older than the 3 days tasks can
// be queried for.
func errTaskNotFound(taskID string) *apiError {
	return newAPIError(CodeResourceNotFound, "The task `%s` does not exist or is older than 3 days.", taskID)
}

// formatTaskTime formats a task time; the zero time (not reached yet) is "", as TaskSimpleInfo's
// documentation says.
func formatTaskTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(vodTimeLayout)
}

// taskTimes are a task's BeginProcessTime and FinishTime at now (zero until reached).
func taskTimes(t Task, now time.Time) (begin, finish time.Time) {
	switch t.Status(now) {
	case TaskFinish:
		return t.beginTime(), t.finishTime()
	case TaskProcessing:
		return t.beginTime(), time.Time{}
	}
	return time.Time{}, time.Time{}
}
