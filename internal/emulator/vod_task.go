package emulator

import (
	"slices"
	"sync"
	"time"
)

// Task states, as DescribeTaskDetail and DescribeTasks report them.
const (
	TaskWaiting    = "WAITING"
	TaskProcessing = "PROCESSING"
	TaskFinish     = "FINISH"
)

// Sub-task states (MediaProcessTask*Result.Status).
const (
	subTaskProcessing = "PROCESSING"
	subTaskSuccess    = "SUCCESS"
	subTaskFail       = "FAIL"
)

// Task retention, from the API documentation: tasks can be queried for 3 days (DescribeTaskDetail,
// DescribeTasks: 72 hours), and a SessionId deduplicates for 7 days (ProcessMediaByProcedure).
const (
	taskQueryWindow   = 72 * time.Hour
	sessionIDLifetime = 7 * 24 * time.Hour
)

// subTaskFailure is how a sub-task fails: ErrCode is the class of PullUploadTask's ErrCode list (60000
// source file error, 70000 internal error), ErrCodeExt the video processing error code (doc 266/39145).
type subTaskFailure struct {
	errCode    int64
	errCodeExt string
	message    string
}

// Error codes of failed sub-tasks.
const (
	failedSubTaskErrCode    = 70000 // a sub-task that fails on purpose
	failedSubTaskErrCodeExt = "InternalError"
	sourceFileErrCode       = 60000                          // the source file cannot be processed
	lostSourceErrCodeExt    = "SourceFileError"              // the media or its original was deleted before the task finished
	noPictureErrCodeExt     = "SourceFileError.NoVideoMedia" // a snapshot or sprite of media without a picture
)

// failureAtStart is how step of a task on media with meta will fail, known when the task starts: a step
// marked to fail, or a snapshot or image sprite of media without a video stream (audio, images).
func failureAtStart(step ProcedureStep, procedure string, meta mediaMetaData) *subTaskFailure {
	switch {
	case step.Fail:
		return &subTaskFailure{failedSubTaskErrCode, failedSubTaskErrCodeExt,
			"The emulator failed this " + step.Type + " sub-task on purpose (task flow " + procedure + ")."}
	case meta.Width == 0 && (step.Type == StepSnapshotByTimeOffset || step.Type == StepImageSprites):
		return &subTaskFailure{sourceFileErrCode, noPictureErrCodeExt,
			"The source file has no video stream to take " + step.Type + " pictures from."}
	}
	return nil
}

// Task is a Procedure task of one media file, or a PullUpload task (Pull is set). Its state is not stored
// but computed from the clock: WAITING for the first quarter of Duration after CreateTime, PROCESSING
// until CreateTime+Duration (for a pull, and until its fetch ended), then FINISH, so that tests with a
// fake clock see every state deterministically.
type Task struct {
	TaskID          string
	Pull            *PullJob // nil for a Procedure task; see vod_pull.go
	SubAppID        uint64
	Procedure       string
	FileID          string
	FileName        string
	FileURL         string
	Bucket          string // of the media, for output URLs
	Steps           []ProcedureStep
	SessionID       string
	SessionContext  string
	TasksPriority   int64
	TasksNotifyMode string
	CreateTime      time.Time
	Duration        time.Duration

	meta     mediaMetaData
	outputs  []stepOutput      // one per step; the zero value for a failing step
	failures []*subTaskFailure // one per step; nil for a step that succeeds
	applied  bool              // whether the outputs were stored on the media
	// sourceLost: when the task finished, its media file or original was gone, so every sub-task failed.
	sourceLost bool
}

func (t *Task) beginTime() time.Time { return t.CreateTime.Add(t.Duration / 4) }
func (t *Task) finishTime() time.Time {
	end := t.CreateTime.Add(t.Duration)
	if t.Pull != nil {
		return t.Pull.finishTime(end)
	}
	return end
}

// taskType is the TaskType DescribeTaskDetail and DescribeTasks report.
func (t *Task) taskType() string {
	if t.Pull != nil {
		return taskTypePullUpload
	}
	return "Procedure"
}

// sessionIDLifetime is how long the task's SessionId refuses a repeat.
func (t *Task) sessionIDLifetime() time.Duration {
	if t.Pull != nil {
		return pullSessionIDLifetime
	}
	return sessionIDLifetime
}

// Status is the task's state at now.
func (t *Task) Status(now time.Time) string {
	switch {
	case now.Before(t.beginTime()):
		return TaskWaiting
	case now.Before(t.finishTime()):
		return TaskProcessing
	default:
		return TaskFinish
	}
}

// Failed reports whether a sub-task of the task fails.
func (t *Task) Failed() bool {
	return t.sourceLost || slices.ContainsFunc(t.failures, func(f *subTaskFailure) bool { return f != nil })
}

// progress is how far the sub-tasks are at now, 0 to 100.
func (t *Task) progress(now time.Time) int64 {
	switch t.Status(now) {
	case TaskWaiting:
		return 0
	case TaskFinish:
		return 100
	}
	done := now.Sub(t.beginTime())
	return int64(100 * done / (t.finishTime().Sub(t.beginTime())))
}

func (t *Task) clone() Task {
	c := *t
	c.Steps = slices.Clone(t.Steps)
	c.outputs = slices.Clone(t.outputs)
	c.failures = slices.Clone(t.failures)
	if t.Pull != nil {
		pull := *t.Pull
		c.Pull = &pull
	}
	return c
}

// taskStore holds the Procedure tasks of every application, oldest first.
type taskStore struct {
	// startMu makes starting a task one step: the SessionId check, taking a FailNextTasks count and
	// storing the task, so that a repeat refused for its SessionId never uses up a failure meant for
	// the task that was started.
	startMu sync.Mutex

	mu    sync.Mutex
	tasks []*Task
	// finishMu makes storing the outputs of finished tasks one step, so that a reader never sees a
	// finished task whose outputs another reader is still storing.
	finishMu sync.Mutex
}

// add stores t unless its SessionId was used in the same application in the last 7 days; tasks too
// old to matter for either queries or deduplication are dropped once their outputs are stored.
func (s *taskStore) add(t *Task, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tasks = slices.DeleteFunc(s.tasks, func(old *Task) bool {
		return old.applied && now.Sub(old.CreateTime) > sessionIDLifetime
	})
	if t.SessionID != "" && s.sessionIDUsedLocked(t.SubAppID, t.SessionID, now) {
		return false
	}
	s.tasks = append(s.tasks, t)
	return true
}

// sessionIDUsed reports whether a task of subAppID used sessionID in the last 7 days.
func (s *taskStore) sessionIDUsed(subAppID uint64, sessionID string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessionIDUsedLocked(subAppID, sessionID, now)
}

func (s *taskStore) sessionIDUsedLocked(subAppID uint64, sessionID string, now time.Time) bool {
	return slices.ContainsFunc(s.tasks, func(t *Task) bool {
		return t.SubAppID == subAppID && t.SessionID == sessionID && now.Sub(t.CreateTime) <= t.sessionIDLifetime()
	})
}

// queryable returns copies of the tasks of subAppID created in the last 72 hours, oldest first.
func (s *taskStore) queryable(subAppID uint64, now time.Time) []Task {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Task
	for _, t := range s.tasks {
		if t.SubAppID == subAppID && now.Sub(t.CreateTime) <= taskQueryWindow {
			out = append(out, t.clone())
		}
	}
	return out
}

func (s *taskStore) all() []Task {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Task, 0, len(s.tasks))
	for _, t := range s.tasks {
		out = append(out, t.clone())
	}
	return out
}

// takeFinished marks the tasks finished by now whose outputs were not stored yet, and returns them in
// the order they finished (so that a later run of a definition replaces an earlier one).
func (s *taskStore) takeFinished(now time.Time) []Task {
	s.mu.Lock()
	defer s.mu.Unlock()
	var due []Task
	for _, t := range s.tasks {
		if !t.applied && !now.Before(t.finishTime()) {
			t.applied = true
			due = append(due, t.clone())
		}
	}
	slices.SortStableFunc(due, func(a, b Task) int { return a.finishTime().Compare(b.finishTime()) })
	return due
}

// storeFinishedOutputs stores the outputs of the tasks finished by now on their media files, if they
// still exist. Like expiry, this happens lazily whenever media are looked at.
func (s *Server) storeFinishedOutputs() {
	s.tasks.finishMu.Lock()
	defer s.tasks.finishMu.Unlock()
	for _, t := range s.tasks.takeFinished(s.opts.Clock()) {
		if t.Pull != nil {
			s.finishPull(t)
			continue
		}
		if !s.hasOriginal(t.FileID, t.SubAppID) {
			s.tasks.markSourceLost(t.TaskID)
			continue
		}
		_, _, _, _ = s.vod.update(t.FileID, t.SubAppID, func(m MediaFile) (MediaFile, *apiError) {
			for _, out := range t.outputs {
				m.Outputs = m.Outputs.withOutput(out)
			}
			return m, nil
		})
	}
}

// hasOriginal reports whether media fileID and its original object still exist.
func (s *Server) hasOriginal(fileID string, subAppID uint64) bool {
	m, ok := s.vod.mediaFile(fileID, subAppID)
	if !ok {
		return false
	}
	_, ok = s.objects.Stat(m.Bucket, m.MediaKey)
	return ok
}

func (s *taskStore) markSourceLost(taskID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tasks {
		if t.TaskID == taskID {
			t.sourceLost = true
		}
	}
}

// sortTasks orders tasks by CreateTime or FinishTime (unfinished tasks after finished ones), ascending or
// descending; tasks of equal times keep their order (oldest first).
func sortTasks(tasks []Task, field string, descending bool, now time.Time) {
	key := func(t Task) time.Time {
		if field == "FinishTime" {
			if t.Status(now) != TaskFinish {
				return time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
			}
			return t.finishTime()
		}
		return t.CreateTime
	}
	slices.SortStableFunc(tasks, func(a, b Task) int {
		c := key(a).Compare(key(b))
		if descending {
			c = -c
		}
		return c
	})
}
