package vod

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// actionScript answers each action with its own sequence of steps (the last step repeats), so that a
// test can script a start and the look-ups that follow it independently.
type actionScript map[string][]func(w http.ResponseWriter, call apiCall)

func scriptedByAction(t *testing.T, script actionScript) *fakeAPI {
	t.Helper()
	var mu sync.Mutex
	seen := map[string]int{}
	return newFakeAPI(t, map[string]string{"AKIDTEST": "test-secret-key"}, func(w http.ResponseWriter, _ *http.Request, call apiCall) {
		mu.Lock()
		steps, i := script[call.Action], seen[call.Action]
		seen[call.Action]++
		mu.Unlock()
		if len(steps) == 0 {
			t.Errorf("unexpected call of %s", call.Action)
			writeAPIError(w, "req-unexpected", "InvalidAction", "not scripted")
			return
		}
		steps[min(i, len(steps)-1)](w, call)
	})
}

// actions lists the actions of the calls in order.
func actions(calls []apiCall) []string {
	out := make([]string, len(calls))
	for i, call := range calls {
		out[i] = call.Action
	}
	return out
}

func countAction(calls []apiCall, action string) int {
	n := 0
	for _, call := range calls {
		if call.Action == action {
			n++
		}
	}
	return n
}

func apiError(code, message string) func(w http.ResponseWriter, _ apiCall) {
	return func(w http.ResponseWriter, _ apiCall) { writeAPIError(w, "req-"+code, code, message) }
}

func ok(fields map[string]any) func(w http.ResponseWriter, _ apiCall) {
	return func(w http.ResponseWriter, _ apiCall) { writeOK(w, "req-ok", fields) }
}

func badGateway(w http.ResponseWriter, _ apiCall) { plain500(w) }

var duplicateSession = apiError("InvalidParameterValue.SessionId", "SessionId already used")

const testTaskID = "1500000001-procedurev2-0123456789abcdef"

func startRequest() *ProcessMediaByProcedureRequest {
	return &ProcessMediaByProcedureRequest{FileID: "5285890784246869930", ProcedureName: "HLSAndSnapshots", SessionID: "tf-run-42"}
}

// taskList is one DescribeTasks page.
func taskList(scrollToken string, tasks ...map[string]any) func(w http.ResponseWriter, _ apiCall) {
	return ok(map[string]any{"TaskSet": tasks, "ScrollToken": scrollToken})
}

func listedTask(taskID, sessionID string) map[string]any {
	return map[string]any{"TaskId": taskID, "Status": "PROCESSING", "FileId": "5285890784246869930", "TaskType": "Procedure", "SessionId": sessionID}
}

func TestStartProcedureSendsSessionIDAndReturnsTaskID(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{"ProcessMediaByProcedure": {ok(map[string]any{"TaskId": testTaskID})}})
	cfg := testConfig(t, api.URL())
	cfg.SubAppID = 1500000001
	c := mustClient(t, cfg)
	id, err := c.StartProcedure(context.Background(), startRequest())
	if err != nil || id != testTaskID {
		t.Fatalf("StartProcedure = %q, %v", id, err)
	}
	got := params(t, api.Calls()[0])
	if got["SessionId"] != "tf-run-42" || got["ProcedureName"] != "HLSAndSnapshots" || got["SubAppId"] != float64(1500000001) {
		t.Errorf("sent %v", got)
	}
}

// A start whose reply is lost is sent again; VOD refuses the repeat as a duplicate SessionId, and the
// task the first attempt started is found by its SessionId, on the second page of the file's tasks.
func TestStartProcedureLostReplyThenDuplicateFindsTaskBySession(t *testing.T) {
	t.Parallel()
	for name, first := range map[string]func(w http.ResponseWriter, call apiCall){
		"dropped connection": dropped(t),
		"bad gateway":        badGateway,
		"internal error":     apiError("InternalError", "oops"),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			api := scriptedByAction(t, actionScript{
				"ProcessMediaByProcedure": {first, duplicateSession},
				"DescribeTasks": {
					taskList("page-2", listedTask("other-task", "tf-run-41"), listedTask("untagged-task", "")),
					taskList("", listedTask(testTaskID, "tf-run-42")),
				},
			})
			c := mustClient(t, testConfig(t, api.URL()))
			instantRetries(c)
			id, err := c.StartProcedure(context.Background(), startRequest())
			if err != nil || id != testTaskID {
				t.Fatalf("StartProcedure = %q, %v; want the task found by its SessionId", id, err)
			}
			calls := api.Calls()
			if got := strings.Join(actions(calls), ","); got != "ProcessMediaByProcedure,ProcessMediaByProcedure,DescribeTasks,DescribeTasks" {
				t.Fatalf("calls = %s", got)
			}
			if p := params(t, calls[2]); p["FileId"] != "5285890784246869930" || p["Limit"] != float64(MaxTaskListLimit) || p["ScrollToken"] != nil {
				t.Errorf("first DescribeTasks sent %v", p)
			}
			if p := params(t, calls[3]); p["ScrollToken"] != "page-2" {
				t.Errorf("second DescribeTasks sent %v, want the first page's ScrollToken", p)
			}
		})
	}
}

// Without a SessionId, ProcessMediaByProcedure is not safe to repeat: a lost reply is not retried.
// With one, it is. (StartProcedure always sends one; ProcessMediaByProcedure is the plain call.)
func TestProcessMediaByProcedureIsRetriedOnlyWithSessionID(t *testing.T) {
	t.Parallel()
	for _, sessionID := range []string{"", "tf-run-42"} {
		api := scriptedByAction(t, actionScript{"ProcessMediaByProcedure": {dropped(t), ok(map[string]any{"TaskId": testTaskID})}})
		c := mustClient(t, testConfig(t, api.URL()))
		instantRetries(c)
		req := startRequest()
		req.SessionID = sessionID
		_, err := c.ProcessMediaByProcedure(context.Background(), req)
		wantCalls := map[string]int{"": 1, "tf-run-42": 2}[sessionID]
		if n := len(api.Calls()); n != wantCalls {
			t.Errorf("SessionId %q: %d calls (err %v), want %d", sessionID, n, err, wantCalls)
		}
	}
}

// When every attempt's reply is lost, the outcome is unknown at the end: the task is looked up too.
func TestStartProcedureUnknownOutcomeAtTheEndFindsTask(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{
		"ProcessMediaByProcedure": {badGateway},
		"DescribeTasks":           {taskList("", listedTask(testTaskID, "tf-run-42"))},
	})
	cfg := testConfig(t, api.URL())
	retries := int64(2)
	cfg.MaxRetries = &retries
	c := mustClient(t, cfg)
	instantRetries(c)
	id, err := c.StartProcedure(context.Background(), startRequest())
	if err != nil || id != testTaskID {
		t.Fatalf("StartProcedure = %q, %v", id, err)
	}
	if n := countAction(api.Calls(), "ProcessMediaByProcedure"); n != 3 {
		t.Errorf("%d starts, want 3 (max_retries 2)", n)
	}
}

// A lost reply after which no task can be found says that the task may have started, and that
// starting again with the same SessionId is safe.
func TestStartProcedureUnknownOutcomeWithoutTaskIsExplained(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{
		"ProcessMediaByProcedure": {badGateway},
		"DescribeTasks":           {taskList("")},
	})
	cfg := testConfig(t, api.URL())
	retries := int64(1)
	cfg.MaxRetries = &retries
	c := mustClient(t, cfg)
	instantRetries(c)
	_, err := c.StartProcedure(context.Background(), startRequest())
	if err == nil || !strings.Contains(err.Error(), "may have started") || !strings.Contains(err.Error(), "same SessionId is safe") ||
		ErrorCode(err) != CodeParseJSONError || !errors.Is(err, ErrStartOutcomeUnknown) {
		t.Fatalf("err = %v", err)
	}
}

// A lost reply whose task cannot be looked up (DescribeTasks fails too) may have started a task as well:
// the caller is told to keep the SessionId.
func TestStartProcedureUnknownOutcomeWithFailedLookUp(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{
		"ProcessMediaByProcedure": {badGateway},
		"DescribeTasks":           {apiError("UnauthorizedOperation", "no DescribeTasks for you")},
	})
	cfg := testConfig(t, api.URL())
	retries := int64(0)
	cfg.MaxRetries = &retries
	c := mustClient(t, cfg)
	instantRetries(c)
	_, err := c.StartProcedure(context.Background(), startRequest())
	if err == nil || !errors.Is(err, ErrStartOutcomeUnknown) || !strings.Contains(err.Error(), "no DescribeTasks for you") {
		t.Fatalf("err = %v, want ErrStartOutcomeUnknown naming the look-up's failure", err)
	}
}

// A SessionId refused on the first attempt was used by an earlier call (a create that is run again):
// its task is returned.
func TestStartProcedureDuplicateOnFirstCallFindsEarlierTask(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{
		"ProcessMediaByProcedure": {duplicateSession},
		"DescribeTasks":           {taskList("", listedTask(testTaskID, "tf-run-42"))},
	})
	c := mustClient(t, testConfig(t, api.URL()))
	id, err := c.StartProcedure(context.Background(), startRequest())
	if err != nil || id != testTaskID {
		t.Fatalf("StartProcedure = %q, %v", id, err)
	}
	if n := countAction(api.Calls(), "ProcessMediaByProcedure"); n != 1 {
		t.Errorf("%d starts, want 1", n)
	}
}

// A refused SessionId whose task cannot be found is an error that says so; the look-up is repeated for
// a few seconds (a new task may be listed late), not forever.
func TestStartProcedureDuplicateWithoutTaskIsAnError(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{
		"ProcessMediaByProcedure": {duplicateSession},
		"DescribeTasks":           {taskList("", listedTask("other-task", "tf-run-41"))},
	})
	c := mustClient(t, testConfig(t, api.URL()))
	waits := instantRetries(c)
	_, err := c.StartProcedure(context.Background(), startRequest())
	if err == nil || ErrorCode(err) != "InvalidParameterValue.SessionId" || errors.Is(err, ErrStartOutcomeUnknown) {
		t.Fatalf("err = %v, want the duplicate SessionId answer (a spent SessionId, not an unknown outcome)", err)
	}
	for _, want := range []string{`SessionId "tf-run-42"`, "no task of file 5285890784246869930", "new SessionId", "(RequestId: req-InvalidParameterValue.SessionId)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err %q does not say %q", err, want)
		}
	}
	var waited time.Duration
	for _, w := range *waits {
		waited += w
	}
	lookups := countAction(api.Calls(), "DescribeTasks")
	if lookups < 2 || waited > taskLookupPatienceFactor*defaultTaskPoll {
		t.Errorf("%d look-ups over %s; want a few, within %s", lookups, waited, taskLookupPatienceFactor*defaultTaskPoll)
	}
}

// An answer that says the start did nothing is returned as it is, with no look-up.
func TestStartProcedureRefusalIsReturned(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{
		"ProcessMediaByProcedure": {apiError("InvalidParameterValue.ProcedureName", "no such procedure")},
	})
	c := mustClient(t, testConfig(t, api.URL()))
	_, err := c.StartProcedure(context.Background(), startRequest())
	if ErrorCode(err) != "InvalidParameterValue.ProcedureName" || len(api.Calls()) != 1 {
		t.Fatalf("err = %v after %d calls", err, len(api.Calls()))
	}
}

func TestStartProcedureChecksItsRequestFirst(t *testing.T) {
	t.Parallel()
	c := mustClient(t, testConfig(t, "http://127.0.0.1:1")) // never contacted
	with := func(change func(*ProcessMediaByProcedureRequest)) *ProcessMediaByProcedureRequest {
		req := startRequest()
		change(req)
		return req
	}
	tooHigh, tooLow := int64(11), int64(-11)
	withSession := func(id string) *ProcessMediaByProcedureRequest {
		req := startRequest()
		req.SessionID = id
		return req
	}
	for _, tt := range []struct {
		req  *ProcessMediaByProcedureRequest
		code string
		text string
	}{
		{nil, "ClientError.MissingParameter", "FileId is required"},
		{withSession(""), "ClientError.MissingParameter", "SessionId is required"},
		{withSession(strings.Repeat("s", MaxSessionIDLength+1)), "ClientError.InvalidParameter", "SessionId is 51 characters long; at most 50 are allowed"},
		{with(func(r *ProcessMediaByProcedureRequest) { r.SessionContext = strings.Repeat("c", 1001) }), "ClientError.InvalidParameter", "SessionContext is 1001 characters long; at most 1000"},
		{with(func(r *ProcessMediaByProcedureRequest) { r.TasksPriority = &tooHigh }), "ClientError.InvalidParameter", "TasksPriority is 11; it must be from -10 to 10"},
		{with(func(r *ProcessMediaByProcedureRequest) { r.TasksPriority = &tooLow }), "ClientError.InvalidParameter", "TasksPriority is -11"},
		{with(func(r *ProcessMediaByProcedureRequest) { r.TasksNotifyMode = "Always" }), "ClientError.InvalidParameter", `TasksNotifyMode is "Always"; it must be one of Finish, Change, None`},
	} {
		_, err := c.StartProcedure(context.Background(), tt.req)
		if ErrorCode(err) != tt.code || !strings.Contains(err.Error(), tt.text) {
			t.Errorf("StartProcedure(%v) err = %v, want %s %q", tt.req, err, tt.code, tt.text)
		}
	}
}

// The limits count characters, not bytes, and include their ends.
func TestStartProcedureAcceptsParametersAtTheirLimits(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{"ProcessMediaByProcedure": {ok(map[string]any{"TaskId": testTaskID})}})
	c := mustClient(t, testConfig(t, api.URL()))
	req := startRequest()
	req.SessionID = strings.Repeat("é", MaxSessionIDLength)
	req.SessionContext = strings.Repeat("é", MaxSessionContextLength)
	lowest := int64(MinTasksPriority)
	req.TasksPriority, req.TasksNotifyMode = &lowest, "Change"
	if _, err := c.StartProcedure(context.Background(), req); err != nil {
		t.Fatal(err)
	}
}

// A template whose only task is an audio/video review starts a ReviewAudioVideo task, not a Procedure
// task: that is the task to follow (an error would make the caller start the review again).
func TestStartProcedureOfAReviewOnlyTemplateReturnsTheReviewTask(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{"ProcessMediaByProcedure": {ok(map[string]any{"TaskId": "", "ReviewAudioVideoTaskId": "review-1"})}})
	c := mustClient(t, testConfig(t, api.URL()))
	id, err := c.StartProcedure(context.Background(), startRequest())
	if err != nil || id != "review-1" {
		t.Fatalf("StartProcedure = %q, %v; want the review task", id, err)
	}
}

// A template that starts neither kind of task leaves nothing to follow.
func TestStartProcedureWithoutAnyTaskIsAnError(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{"ProcessMediaByProcedure": {ok(map[string]any{"TaskId": "", "ReviewAudioVideoTaskId": ""})}})
	c := mustClient(t, testConfig(t, api.URL()))
	_, err := c.StartProcedure(context.Background(), startRequest())
	if ErrorCode(err) != "ClientError.NoTaskStarted" || !strings.Contains(err.Error(), `procedure "HLSAndSnapshots" started no task`) {
		t.Fatalf("err = %v", err)
	}
}

func TestFindTaskBySessionStopsAtARepeatedScrollToken(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{"DescribeTasks": {taskList("same", listedTask("other-task", "x"))}})
	c := mustClient(t, testConfig(t, api.URL()))
	_, err := c.FindTaskBySession(context.Background(), "5285890784246869930", "tf-run-42", nil)
	if !errors.Is(err, ErrTaskNotFound) || len(api.Calls()) != 2 {
		t.Fatalf("err = %v after %d calls, want ErrTaskNotFound after 2", err, len(api.Calls()))
	}
}

// taskDetail is a DescribeTaskDetail answer for a Procedure task with the given sub-task results.
func taskDetail(status string, procErrCode int, procMessage string, subTasks ...map[string]any) func(w http.ResponseWriter, _ apiCall) {
	return ok(map[string]any{
		"TaskType": "Procedure", "Status": status,
		"ProcedureTask": map[string]any{
			"TaskId": testTaskID, "Status": status, "ErrCode": procErrCode, "Message": procMessage,
			"MediaProcessResultSet": subTasks,
		},
	})
}

func transcode(definition int, status string, progress int, errCode int, errCodeExt, message string) map[string]any {
	return map[string]any{"Type": "Transcode", "TranscodeTask": map[string]any{
		"Status": status, "ErrCode": errCode, "ErrCodeExt": errCodeExt, "Message": message, "Progress": progress,
		"Input": map[string]any{"Definition": definition},
	}}
}

func TestWaitForTaskBacksOffUntilFinish(t *testing.T) {
	t.Parallel()
	processing := func(progress int) func(w http.ResponseWriter, _ apiCall) {
		return taskDetail(TaskProcessing, 0, "", transcode(100030, "PROCESSING", progress, 0, "", ""))
	}
	api := scriptedByAction(t, actionScript{"DescribeTaskDetail": {
		taskDetail(TaskWaiting, 0, ""),
		processing(10), processing(10), processing(40), processing(40), processing(40),
		processing(70), processing(70), processing(70), processing(90),
		taskDetail(TaskFinished, 0, "SUCCESS", transcode(100030, "SUCCESS", 100, 0, "", "SUCCESS")),
	}})
	c := mustClient(t, testConfig(t, api.URL()))
	waits := instantRetries(c)
	var reported []string
	detail, err := c.WaitForTask(context.Background(), testTaskID, nil, func(d *TaskDetail) {
		reported = append(reported, d.Status+" "+fmt.Sprint(d.ProcedureTask.MediaProcessResultSet))
	})
	if err != nil || detail.Status != TaskFinished || detail.TaskID != testTaskID || detail.Failure() != nil {
		t.Fatalf("WaitForTask = %+v, %v", detail, err)
	}
	if len(api.Calls()) != 11 {
		t.Errorf("%d polls, want 11", len(api.Calls()))
	}
	// Reported: WAITING, 10%, 40%, 70%, 90%, FINISH; unchanged polls are not.
	if len(reported) != 6 {
		t.Errorf("progress reported %d times, want 6: %v", len(reported), reported)
	}
	want := []float64{1000, 1500, 2250, 3375, 5062.5, 7593.75, 11390.625, 15000, 15000, 15000}
	if len(*waits) != len(want) {
		t.Fatalf("waits = %v, want %d", *waits, len(want))
	}
	for i, w := range want {
		if got := (*waits)[i]; got != time.Duration(w*float64(time.Millisecond)) {
			t.Errorf("wait %d = %s, want %s", i, got, time.Duration(w*float64(time.Millisecond)))
		}
	}
}

// A poll that fails transiently is retried like every read; the wait goes on.
func TestWaitForTaskSurvivesATransientPollFailure(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{"DescribeTaskDetail": {
		taskDetail(TaskProcessing, 0, ""), badGateway, taskDetail(TaskFinished, 0, ""),
	}})
	c := mustClient(t, testConfig(t, api.URL()))
	instantRetries(c)
	detail, err := c.WaitForTask(context.Background(), testTaskID, nil, nil)
	if err != nil || detail.Status != TaskFinished {
		t.Fatalf("WaitForTask = %+v, %v", detail, err)
	}
}

func TestWaitForTaskReturnsAbortedTask(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{"DescribeTaskDetail": {taskDetail(TaskAborted, 0, "")}})
	c := mustClient(t, testConfig(t, api.URL()))
	detail, err := c.WaitForTask(context.Background(), testTaskID, nil, nil)
	if err != nil || detail.Status != TaskAborted {
		t.Fatalf("WaitForTask = %+v, %v", detail, err)
	}
	failure := detail.Failure()
	if failure == nil || failure.Error() != "task "+testTaskID+" failed: the task was aborted" {
		t.Fatalf("Failure() = %v", failure)
	}
}

func TestWaitForTaskDescribesTheFailedSubTask(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{"DescribeTaskDetail": {taskDetail(TaskFinished, 30010, "source error",
		transcode(100010, "SUCCESS", 100, 0, "", "SUCCESS"),
		transcode(100030, "FAIL", 0, 30010, "SourceFileError.ContentMalformed", "the source cannot be decoded"),
	)}})
	c := mustClient(t, testConfig(t, api.URL()))
	detail, err := c.WaitForTask(context.Background(), testTaskID, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := TaskFailure{TaskID: testTaskID, SubTask: "Transcode (definition 100030)", ErrCode: 30010,
		ErrCodeExt: "SourceFileError.ContentMalformed", Message: "the source cannot be decoded"}
	if got := detail.Failure(); got == nil || *got != want {
		t.Fatalf("Failure() = %+v, want %+v", got, want)
	}
	wantText := "task " + testTaskID + " failed in sub-task Transcode (definition 100030): the source cannot be decoded (error 30010, SourceFileError.ContentMalformed)"
	if got := detail.Failure().Error(); got != wantText {
		t.Errorf("Error() = %q\nwant        %q", got, wantText)
	}
}

func TestTaskDetailFailure(t *testing.T) {
	t.Parallel()
	sub := func(status string, errCode int64) MediaProcessTaskResult {
		return MediaProcessTaskResult{Type: "ImageSprite", ImageSpriteTask: &SubTaskResult{Status: status, ErrCode: errCode, Message: "m", Input: &SubTaskInput{Definition: 10}}}
	}
	tests := map[string]struct {
		detail *TaskDetail
		want   *TaskFailure
	}{
		"nil":         {nil, nil},
		"processing":  {&TaskDetail{Status: TaskProcessing, ProcedureTask: &ProcedureTask{ErrCode: 1}}, nil},
		"succeeded":   {&TaskDetail{TaskID: "t", Status: TaskFinished, ProcedureTask: &ProcedureTask{MediaProcessResultSet: []MediaProcessTaskResult{sub("SUCCESS", 0)}}}, nil},
		"no sections": {&TaskDetail{TaskID: "t", Status: TaskFinished, ProcedureTask: &ProcedureTask{MediaProcessResultSet: []MediaProcessTaskResult{{Type: "Transcode"}}}}, nil},
		"sub-task FAIL without code": {
			&TaskDetail{TaskID: "t", Status: TaskFinished, ProcedureTask: &ProcedureTask{MediaProcessResultSet: []MediaProcessTaskResult{sub("SUCCESS", 0), sub("FAIL", 0)}}},
			&TaskFailure{TaskID: "t", SubTask: "ImageSprite (definition 10)", Message: "m"},
		},
		"task error only": {
			&TaskDetail{Status: TaskFinished, ProcedureTask: &ProcedureTask{TaskID: "p", ErrCode: 70000, Message: "internal"}},
			&TaskFailure{TaskID: "p", ErrCode: 70000, Message: "internal"},
		},
		"aborted with message": {
			&TaskDetail{TaskID: "t", Status: TaskAborted, ProcedureTask: &ProcedureTask{Message: "cancelled by user"}},
			&TaskFailure{TaskID: "t", Message: "the task was aborted: cancelled by user"},
		},
		"aborted without section": {&TaskDetail{TaskID: "t", Status: TaskAborted}, &TaskFailure{TaskID: "t", Message: "the task was aborted"}},
	}
	for name, tt := range tests {
		got := tt.detail.Failure()
		if (got == nil) != (tt.want == nil) || got != nil && *got != *tt.want {
			t.Errorf("%s: Failure() = %+v, want %+v", name, got, tt.want)
		}
	}
}

func TestWaitForTaskReportsAMissingTask(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"ResourceNotFound", "InvalidParameterValue.TaskId"} {
		api := scriptedByAction(t, actionScript{"DescribeTaskDetail": {apiError(code, "task does not exist")}})
		c := mustClient(t, testConfig(t, api.URL()))
		instantRetries(c)
		detail, err := c.WaitForTask(context.Background(), testTaskID, nil, nil)
		if detail != nil || !errors.Is(err, ErrTaskNotFound) || ErrorCode(err) != code {
			t.Fatalf("%s: WaitForTask = %v, %v", code, detail, err)
		}
		for _, want := range []string{"task " + testTaskID + " not found", "older than three days", "DescribeTaskDetail: [" + code + "]", "RequestId: req-" + code} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("err %q does not say %q", err, want)
			}
		}
		if len(api.Calls()) != 1 {
			t.Errorf("%s: %d calls, want 1 (not retried)", code, len(api.Calls()))
		}
	}
}

// When the caller's deadline ends the wait, the error wraps it and names the status last seen. A poll
// that failed before the last one that succeeded is not mentioned.
func TestWaitForTaskStopsAtTheDeadlineWithTheLastStatus(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{"DescribeTaskDetail": {
		taskDetail(TaskWaiting, 0, ""), badGateway, taskDetail(TaskProcessing, 0, ""),
	}})
	cfg := testConfig(t, api.URL())
	noRetries := int64(0)
	cfg.MaxRetries = &noRetries
	c := mustClient(t, cfg)
	SetTaskPollInterval(c, 5*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	detail, err := c.WaitForTask(ctx, testTaskID, nil, nil)
	if !errors.Is(err, context.DeadlineExceeded) || detail == nil || detail.Status != TaskProcessing {
		t.Fatalf("WaitForTask = %+v, %v", detail, err)
	}
	if !strings.Contains(err.Error(), "task "+testTaskID+" still PROCESSING after") || strings.Contains(err.Error(), "poll failed") {
		t.Errorf("err = %q", err)
	}
	if n := len(api.Calls()); n < 4 {
		t.Errorf("%d polls in a second at a 5ms interval", n)
	}
}

// A context that ends before the first answer has no status to report, and says so.
func TestWaitForTaskCancelledBeforeTheFirstPoll(t *testing.T) {
	t.Parallel()
	c := mustClient(t, testConfig(t, newSilentAPI(t).URL()))
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("terraform was interrupted")
	time.AfterFunc(50*time.Millisecond, func() { cancel(cause) })
	detail, err := c.WaitForTask(ctx, testTaskID, nil, nil)
	if detail != nil || !errors.Is(err, cause) || !strings.Contains(err.Error(), "no status was read") {
		t.Fatalf("WaitForTask = %v, %v", detail, err)
	}
}

// Once a poll's own retries run out, the wait polls on: an outage shorter than the caller's deadline
// does not end it.
func TestWaitForTaskPollsOnThroughAnOutage(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{"DescribeTaskDetail": {
		taskDetail(TaskProcessing, 0, ""), badGateway, dropped(t), badGateway, taskDetail(TaskFinished, 0, ""),
	}})
	cfg := testConfig(t, api.URL())
	noRetries := int64(0)
	cfg.MaxRetries = &noRetries
	c := mustClient(t, cfg)
	instantRetries(c)
	detail, err := c.WaitForTask(context.Background(), testTaskID, nil, nil)
	if err != nil || detail.Status != TaskFinished || len(api.Calls()) != 5 {
		t.Fatalf("WaitForTask = %+v, %v after %d polls", detail, err, len(api.Calls()))
	}
}

// A deadline that ends the wait during an outage names the last status and the last poll's failure.
func TestWaitForTaskDeadlineDuringAnOutage(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{"DescribeTaskDetail": {taskDetail(TaskProcessing, 0, ""), badGateway}})
	cfg := testConfig(t, api.URL())
	noRetries := int64(0)
	cfg.MaxRetries = &noRetries
	c := mustClient(t, cfg)
	SetTaskPollInterval(c, 5*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	detail, err := c.WaitForTask(ctx, testTaskID, nil, nil)
	if !errors.Is(err, context.DeadlineExceeded) || detail == nil || detail.Status != TaskProcessing {
		t.Fatalf("WaitForTask = %+v, %v", detail, err)
	}
	for _, want := range []string{"still PROCESSING", "the last poll failed: DescribeTaskDetail: [ClientError.ParseJsonError]"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err %q does not say %q", err, want)
		}
	}
}

// A poll refused for good (credentials, permissions) ends the wait at once.
func TestWaitForTaskStopsAtAFinalError(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{"DescribeTaskDetail": {taskDetail(TaskProcessing, 0, ""), apiError("UnauthorizedOperation", "no permission")}})
	c := mustClient(t, testConfig(t, api.URL()))
	instantRetries(c)
	detail, err := c.WaitForTask(context.Background(), testTaskID, nil, nil)
	if ErrorCode(err) != "UnauthorizedOperation" || detail == nil || detail.Status != TaskProcessing || len(api.Calls()) != 2 {
		t.Fatalf("WaitForTask = %+v, %v after %d polls", detail, err, len(api.Calls()))
	}
}

// An HTTP 200 reply that cannot be read may hide a started task: it is not sent again, the task is
// looked up instead.
func TestStartProcedureUnreadableReplyFindsTask(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{
		"ProcessMediaByProcedure": {func(w http.ResponseWriter, _ apiCall) { _, _ = w.Write([]byte(`{"Response": {"TaskId": "15`)) }},
		"DescribeTasks":           {taskList("", listedTask(testTaskID, "tf-run-42"))},
	})
	c := mustClient(t, testConfig(t, api.URL()))
	instantRetries(c)
	id, err := c.StartProcedure(context.Background(), startRequest())
	if err != nil || id != testTaskID {
		t.Fatalf("StartProcedure = %q, %v", id, err)
	}
	if got := strings.Join(actions(api.Calls()), ","); got != "ProcessMediaByProcedure,DescribeTasks" {
		t.Errorf("calls = %s", got)
	}
}
