package emulator

import (
	"regexp"
	"slices"
	"time"
)

type describeTaskDetailRequest struct {
	TaskID   string  `json:"TaskId"`
	SubAppID *uint64 `json:"SubAppId"`
}

// describeTaskDetailResponse carries the task's type, times and one populated <Type>Task object; the
// objects of other task types (every one the API documents) are null, as in the documented example.
type describeTaskDetailResponse struct {
	TaskType                            string         `json:"TaskType"`
	Status                              string         `json:"Status"`
	CreateTime                          string         `json:"CreateTime"`
	BeginProcessTime                    string         `json:"BeginProcessTime"`
	FinishTime                          string         `json:"FinishTime"`
	ProcedureTask                       *procedureTask `json:"ProcedureTask"`
	EditMediaTask                       any            `json:"EditMediaTask"`
	WechatPublishTask                   any            `json:"WechatPublishTask"`
	ComposeMediaTask                    any            `json:"ComposeMediaTask"`
	SplitMediaTask                      any            `json:"SplitMediaTask"`
	WechatMiniProgramPublishTask        any            `json:"WechatMiniProgramPublishTask"`
	PullUploadTask                      any            `json:"PullUploadTask"`
	TranscodeTask                       any            `json:"TranscodeTask"`
	ConcatTask                          any            `json:"ConcatTask"`
	ClipTask                            any            `json:"ClipTask"`
	CreateImageSpriteTask               any            `json:"CreateImageSpriteTask"`
	SnapshotByTimeOffsetTask            any            `json:"SnapshotByTimeOffsetTask"`
	RemoveWatermarkTask                 any            `json:"RemoveWatermarkTask"`
	RebuildMediaTask                    any            `json:"RebuildMediaTask"`
	ExtractTraceWatermarkTask           any            `json:"ExtractTraceWatermarkTask"`
	ExtractCopyRightWatermarkTask       any            `json:"ExtractCopyRightWatermarkTask"`
	ReviewAudioVideoTask                any            `json:"ReviewAudioVideoTask"`
	ReduceMediaBitrateTask              any            `json:"ReduceMediaBitrateTask"`
	DescribeFileAttributesTask          any            `json:"DescribeFileAttributesTask"`
	QualityInspectTask                  any            `json:"QualityInspectTask"`
	QualityEnhanceTask                  any            `json:"QualityEnhanceTask"`
	ComplexAdaptiveDynamicStreamingTask any            `json:"ComplexAdaptiveDynamicStreamingTask"`
	ProcessMediaByMPSTask               any            `json:"ProcessMediaByMPSTask"`
	AigcImageTask                       any            `json:"AigcImageTask"`
	AigcVideoTask                       any            `json:"AigcVideoTask"`
	ImportMediaKnowledge                any            `json:"ImportMediaKnowledge"`
	SceneAigcImageTask                  any            `json:"SceneAigcImageTask"`
	SceneAigcVideoTask                  any            `json:"SceneAigcVideoTask"`
	ProcessImageAsyncTask               any            `json:"ProcessImageAsyncTask"`
	ExtractBlindWatermarkTask           any            `json:"ExtractBlindWatermarkTask"`
	CreateAigcAdvancedCustomElementTask any            `json:"CreateAigcAdvancedCustomElementTask"`
	CreateAigcCustomVoiceTask           any            `json:"CreateAigcCustomVoiceTask"`
	CreateAigcSubjectTask               any            `json:"CreateAigcSubjectTask"`
	AigcVideoRedrawTask                 any            `json:"AigcVideoRedrawTask"`
	AigcAudioTask                       any            `json:"AigcAudioTask"`
	CreateAigcAudioCloneTask            any            `json:"CreateAigcAudioCloneTask"`
	DescribeAigcFaceInfoAsyncTask       any            `json:"DescribeAigcFaceInfoAsyncTask"`
}

// procedureTask is the ProcedureTask object. Its ErrCode and Message are deprecated in favour of each
// sub-task's; the emulator still fills them with the first failed sub-task's, and its Status is only
// ever PROCESSING or FINISH (also while the outer task is WAITING), as documented.
type procedureTask struct {
	TaskID                   string                   `json:"TaskId"`
	Status                   string                   `json:"Status"`
	ErrCode                  int64                    `json:"ErrCode"`
	Message                  string                   `json:"Message"`
	FileID                   string                   `json:"FileId"`
	FileName                 string                   `json:"FileName"`
	FileURL                  string                   `json:"FileUrl"`
	MetaData                 mediaMetaData            `json:"MetaData"`
	MediaProcessResultSet    []mediaProcessTaskResult `json:"MediaProcessResultSet"`
	AiContentReviewResultSet []any                    `json:"AiContentReviewResultSet"`
	AiAnalysisResultSet      []any                    `json:"AiAnalysisResultSet"`
	AiRecognitionResultSet   []any                    `json:"AiRecognitionResultSet"`
	TasksPriority            int64                    `json:"TasksPriority"`
	TasksNotifyMode          string                   `json:"TasksNotifyMode"`
	SessionContext           string                   `json:"SessionContext"`
	SessionID                string                   `json:"SessionId"`
	Operator                 string                   `json:"Operator"`
	OperationType            string                   `json:"OperationType"`
}

// mediaProcessTaskResult is the MediaProcessTaskResult object: Type and the matching result object.
type mediaProcessTaskResult struct {
	Type                         string         `json:"Type"`
	TranscodeTask                *subTaskResult `json:"TranscodeTask"`
	AnimatedGraphicTask          *subTaskResult `json:"AnimatedGraphicTask"`
	SnapshotByTimeOffsetTask     *subTaskResult `json:"SnapshotByTimeOffsetTask"`
	SampleSnapshotTask           *subTaskResult `json:"SampleSnapshotTask"`
	ImageSpriteTask              *subTaskResult `json:"ImageSpriteTask"`
	CoverBySnapshotTask          *subTaskResult `json:"CoverBySnapshotTask"`
	AdaptiveDynamicStreamingTask *subTaskResult `json:"AdaptiveDynamicStreamingTask"`
}

// subTaskResult is the common shape of the MediaProcessTask<Type>Result objects. Output is null until
// the sub-task succeeded.
type subTaskResult struct {
	Status           string       `json:"Status"`
	ErrCodeExt       string       `json:"ErrCodeExt"`
	ErrCode          int64        `json:"ErrCode"`
	Message          string       `json:"Message"`
	Progress         int64        `json:"Progress"`
	Input            subTaskInput `json:"Input"`
	Output           any          `json:"Output"`
	BeginProcessTime string       `json:"BeginProcessTime"`
	FinishTime       string       `json:"FinishTime"`
}

// subTaskInput is the <Type>TaskInput object; only the template definition is set.
type subTaskInput struct {
	Definition int64 `json:"Definition"`
}

// taskIDPattern is the shape of every VOD task ID: "<app id>-<type>-<hex>..." (the examples show
// procedurev2, Procedure, EditMedia, transcode and wechat-mini-program-publish tasks, so a type may
// itself hold hyphens).
var taskIDPattern = regexp.MustCompile(`^[0-9]+-[A-Za-z0-9-]+-[0-9a-zA-Z]+$`)

// describeTaskDetail implements DescribeTaskDetail for Procedure tasks. A TaskId that is not shaped
// like a task ID is InvalidParameterValue.TaskId; a well-formed one that names no task of the
// application in the last 3 days is ResourceNotFound.
func (s *Server) describeTaskDetail(call *apiCall) (any, *apiError) {
	var req describeTaskDetailRequest
	if apiErr := call.decode(&req); apiErr != nil {
		return nil, apiErr
	}
	if req.TaskID == "" {
		return nil, errMissingParameter("TaskId")
	}
	subAppID, apiErr := s.resolveSubAppID(req.SubAppID)
	if apiErr != nil {
		return nil, apiErr
	}
	if !taskIDPattern.MatchString(req.TaskID) {
		return nil, newAPIError(CodeInvalidTaskID, "TaskId `%s` is not a task ID.", req.TaskID)
	}
	s.purgeExpiredMedia() // also stores the outputs of finished tasks
	tasks := s.tasks.queryable(subAppID, call.Now)
	i := slices.IndexFunc(tasks, func(t Task) bool { return t.TaskID == req.TaskID })
	if i < 0 {
		return nil, errTaskNotFound(req.TaskID)
	}
	return s.taskDetail(tasks[i], call.Now), nil
}

func (s *Server) taskDetail(t Task, now time.Time) describeTaskDetailResponse {
	begin, finish := taskTimes(t, now)
	detail := describeTaskDetailResponse{
		TaskType: t.taskType(), Status: t.Status(now), CreateTime: formatTaskTime(t.CreateTime),
		BeginProcessTime: formatTaskTime(begin), FinishTime: formatTaskTime(finish),
	}
	if t.Pull != nil {
		detail.PullUploadTask = s.pullUploadTaskOf(t, now)
	} else {
		detail.ProcedureTask = s.procedureTaskOf(t, now)
	}
	return detail
}

func (s *Server) procedureTaskOf(t Task, now time.Time) *procedureTask {
	p := &procedureTask{
		TaskID: t.TaskID, Status: TaskProcessing, FileID: t.FileID, FileName: t.FileName, FileURL: t.FileURL,
		MetaData: t.meta, MediaProcessResultSet: []mediaProcessTaskResult{}, AiContentReviewResultSet: []any{},
		AiAnalysisResultSet: []any{}, AiRecognitionResultSet: []any{}, TasksPriority: t.TasksPriority,
		TasksNotifyMode: t.TasksNotifyMode, SessionContext: t.SessionContext, SessionID: t.SessionID,
	}
	finished := t.Status(now) == TaskFinish
	if finished {
		p.Status = TaskFinish
	}
	for i, step := range t.Steps {
		result := s.subTaskResultOf(t, i, now)
		if result.Status == subTaskFail && p.ErrCode == 0 {
			p.ErrCode, p.Message = result.ErrCode, result.Message
		}
		p.MediaProcessResultSet = append(p.MediaProcessResultSet, resultOfType(step.Type, result))
	}
	return p
}

// subTaskResultOf is sub-task i of t at now: PROCESSING (with its progress) until the task finishes,
// then SUCCESS with its output or FAIL with an error (see failureAtStart, or a source that was deleted
// meanwhile).
func (s *Server) subTaskResultOf(t Task, i int, now time.Time) *subTaskResult {
	step := t.Steps[i]
	begin, finish := taskTimes(t, now)
	r := &subTaskResult{Status: subTaskProcessing, Progress: t.progress(now), Input: subTaskInput{Definition: step.Definition},
		BeginProcessTime: formatTaskTime(begin), FinishTime: formatTaskTime(finish)}
	failure := t.failures[i]
	if failure == nil && t.sourceLost {
		failure = &subTaskFailure{sourceFileErrCode, lostSourceErrCodeExt,
			"The source file does not exist: media " + t.FileID + " or its original was deleted before the task finished."}
	}
	switch {
	case t.Status(now) != TaskFinish:
	case failure != nil:
		r.Status, r.ErrCode, r.ErrCodeExt, r.Message = subTaskFail, failure.errCode, failure.errCodeExt, failure.message
	default:
		r.Status = subTaskSuccess
		r.Output = s.outputItem(t.Bucket, t.outputs[i])
	}
	return r
}

// resultOfType puts result into the field of MediaProcessTaskResult that matches the sub-task type.
func resultOfType(stepType string, result *subTaskResult) mediaProcessTaskResult {
	r := mediaProcessTaskResult{Type: stepType}
	switch stepType {
	case StepTranscode:
		r.TranscodeTask = result
	case StepAdaptiveDynamicStreaming:
		r.AdaptiveDynamicStreamingTask = result
	case StepSnapshotByTimeOffset:
		r.SnapshotByTimeOffsetTask = result
	case StepImageSprites:
		r.ImageSpriteTask = result
	}
	return r
}

// Limits of DescribeTasks, from its documentation.
const (
	defaultTasksLimit = 10
	maxTasksLimit     = 100
)

type describeTasksRequest struct {
	SubAppID    *uint64    `json:"SubAppId"`
	Status      string     `json:"Status"`
	FileID      string     `json:"FileId"`
	CreateTime  *timeRange `json:"CreateTime"`
	FinishTime  *timeRange `json:"FinishTime"`
	Sort        *sortBy    `json:"Sort"`
	Limit       *uint64    `json:"Limit"`
	ScrollToken string     `json:"ScrollToken"`
}

type describeTasksResponse struct {
	TaskSet     []taskSimpleInfo `json:"TaskSet"`
	ScrollToken string           `json:"ScrollToken"`
}

// taskSimpleInfo is the TaskSimpleInfo object.
type taskSimpleInfo struct {
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

// taskQuery is a validated DescribeTasks request.
type taskQuery struct {
	status            string
	fileID            string
	created, finished *instantRange
	sortField         string
	descending        bool
	limit             int
	scrollToken       string
}

// describeTasks implements DescribeTasks over the application's tasks of the last 72 hours. Results
// come newest first unless Sort says otherwise; ScrollToken is the TaskId of the first task of the next
// batch ("" when there is none), as the documentation describes it.
func (s *Server) describeTasks(call *apiCall) (any, *apiError) {
	var req describeTasksRequest
	if apiErr := call.decode(&req); apiErr != nil {
		return nil, apiErr
	}
	subAppID, apiErr := s.resolveSubAppID(req.SubAppID)
	if apiErr != nil {
		return nil, apiErr
	}
	q, apiErr := req.compile()
	if apiErr != nil {
		return nil, apiErr
	}
	s.purgeExpiredMedia()
	tasks := s.tasks.queryable(subAppID, call.Now)
	sortTasks(tasks, q.sortField, q.descending, call.Now)
	if q.scrollToken != "" {
		// The token is the next task's ID. That task is looked for among all tasks, not only the
		// matching ones, since it may have changed state (e.g. finished) since the previous page.
		start := slices.IndexFunc(tasks, func(t Task) bool { return t.TaskID == q.scrollToken })
		if start < 0 {
			return nil, newAPIError(CodeInvalidParameterValue, "ScrollToken `%s` does not continue this listing.", q.scrollToken)
		}
		tasks = tasks[start:]
	}
	var matching []Task
	for _, t := range tasks {
		if q.matches(t, call.Now) {
			matching = append(matching, t)
		}
	}
	end := min(q.limit, len(matching))
	resp := describeTasksResponse{TaskSet: []taskSimpleInfo{}}
	for _, t := range matching[:end] {
		resp.TaskSet = append(resp.TaskSet, simpleInfoOf(t, call.Now))
	}
	if end < len(matching) {
		resp.ScrollToken = matching[end].TaskID
	}
	return resp, nil
}

func (r describeTasksRequest) compile() (taskQuery, *apiError) {
	q := taskQuery{status: r.Status, fileID: r.FileID, sortField: "CreateTime", descending: true,
		limit: defaultTasksLimit, scrollToken: r.ScrollToken}
	if r.Status != "" && !slices.Contains([]string{TaskWaiting, TaskProcessing, TaskFinish}, r.Status) {
		return q, newAPIError(CodeInvalidParameterValue, "Status `%s` is not one of WAITING, PROCESSING, FINISH.", r.Status)
	}
	if r.Limit != nil {
		if *r.Limit < 1 || *r.Limit > maxTasksLimit {
			return q, newAPIError(CodeInvalidParameterValue, "Limit %d is outside 1 to %d.", *r.Limit, maxTasksLimit)
		}
		q.limit = int(*r.Limit)
	}
	if r.Sort != nil {
		if !slices.Contains([]string{"CreateTime", "FinishTime"}, r.Sort.Field) {
			return q, newAPIError(CodeInvalidParameterValue, "Sort.Field `%s` is not CreateTime or FinishTime.", r.Sort.Field)
		}
		if !slices.Contains([]string{"Asc", "Desc"}, r.Sort.Order) {
			return q, newAPIError(CodeInvalidParameterValue, "Sort.Order `%s` is not Asc or Desc.", r.Sort.Order)
		}
		q.sortField, q.descending = r.Sort.Field, r.Sort.Order == "Desc"
	}
	var apiErr *apiError
	if q.created, apiErr = parseTimeRange("CreateTime", r.CreateTime); apiErr != nil {
		return q, apiErr
	}
	if q.finished, apiErr = parseTimeRange("FinishTime", r.FinishTime); apiErr != nil {
		return q, apiErr
	}
	return q, nil
}

func (q taskQuery) matches(t Task, now time.Time) bool {
	status := t.Status(now)
	switch {
	case q.status != "" && status != q.status:
		return false
	case q.fileID != "" && t.FileID != q.fileID:
		return false
	case q.created != nil && !q.created.contains(t.CreateTime):
		return false
	case q.finished != nil && (status != TaskFinish || !q.finished.contains(t.finishTime())):
		return false
	}
	return true
}

func simpleInfoOf(t Task, now time.Time) taskSimpleInfo {
	begin, finish := taskTimes(t, now)
	return taskSimpleInfo{
		TaskID: t.TaskID, Status: t.Status(now), FileID: t.FileID, TaskType: t.taskType(),
		CreateTime: formatTaskTime(t.CreateTime), BeginProcessTime: formatTaskTime(begin),
		FinishTime: formatTaskTime(finish), SessionID: t.SessionID, SessionContext: t.SessionContext,
	}
}
