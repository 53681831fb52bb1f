package emulator

import (
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// taskTestDuration is the TaskDuration of task tests: WAITING for 1s, PROCESSING until 4s.
const taskTestDuration = 4 * time.Second

// startTaskServer starts an emulator on a fake clock whose tasks take taskTestDuration, with two
// applications, and uploads one video into the default one.
func startTaskServer(t *testing.T, opts Options) (*Server, *fakeClock, string) {
	t.Helper()
	clock := newFakeClock()
	opts.Clock, opts.TaskDuration = clock.Now, taskTestDuration
	if opts.SubAppIDs == nil {
		opts.SubAppIDs = []uint64{DefaultSubAppID, 1500000001}
	}
	srv := startTestServer(t, opts)
	_, c := uploadMedia(t, srv, `{"MediaType":"mp4","MediaName":"clip"}`)
	return srv, clock, c.FileId
}

// startTask calls ProcessMediaByProcedure and returns the TaskId, failing the test on an error.
func startTask(t *testing.T, srv *Server, params map[string]any) string {
	t.Helper()
	reply := vodCall(t, srv, "ProcessMediaByProcedure", params)
	wantCode(t, reply, "")
	var r struct {
		TaskId                        string
		ReviewAudioVideoTaskId        *string
		ImportMediaKnowledgeTaskIdSet []string
	}
	reply.decode(t, &r)
	if r.ReviewAudioVideoTaskId == nil || *r.ReviewAudioVideoTaskId != "" || r.ImportMediaKnowledgeTaskIdSet == nil {
		t.Fatalf("reply fields = %+v", reply.Fields)
	}
	return r.TaskId
}

var taskIDShape = regexp.MustCompile(`^1500000000-procedurev2-[0-9a-f]{32}$`)

func TestProcessMediaByProcedure_startsATaskWithTheDocumentedIDShape(t *testing.T) {
	t.Parallel()
	srv, _, fileID := startTaskServer(t, Options{})
	id := startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID})
	if !taskIDShape.MatchString(id) {
		t.Fatalf("TaskId = %q, want <sub app id>-procedurev2-<32 hex>", id)
	}
	other := startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID})
	if other == id {
		t.Fatal("two tasks got the same TaskId")
	}
	if tasks := srv.Tasks(); len(tasks) != 2 || tasks[0].TaskID != id || tasks[0].Procedure != ProcedureStreaming || tasks[0].FileID != fileID {
		t.Fatalf("Tasks() = %+v", tasks)
	}
}

func TestProcessMediaByProcedure_validation(t *testing.T) {
	t.Parallel()
	srv, _, fileID := startTaskServer(t, Options{})
	_, inOther := uploadMedia(t, srv, `{"MediaType":"mp4","SubAppId":1500000001}`)
	long := func(n int) string { return strings.Repeat("字", n) }
	for _, tc := range []struct {
		name   string
		params map[string]any
		want   ErrorCode
	}{
		{"no procedure", map[string]any{"FileId": fileID}, CodeMissingParameter},
		{"no file", map[string]any{"ProcedureName": ProcedureStreaming}, CodeMissingParameter},
		{"unknown procedure", map[string]any{"ProcedureName": "NoSuchFlow", "FileId": fileID}, CodeInvalidProcedureName},
		{"unknown file", map[string]any{"ProcedureName": ProcedureStreaming, "FileId": "1111111111111111111"}, CodeInvalidFileID},
		{"file of another application", map[string]any{"ProcedureName": ProcedureStreaming, "FileId": inOther.FileId}, CodeInvalidFileID},
		{"unknown application", map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID, "SubAppId": 42}, CodeInvalidSubAppID},
		{"storage path in FileID mode", map[string]any{"ProcedureName": ProcedureStreaming, "MediaStoragePath": "/a.mp4"}, CodeInvalidMediaStoragePath},
		{"priority too low", map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID, "TasksPriority": -11}, CodeInvalidParameterValue},
		{"priority too high", map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID, "TasksPriority": 11}, CodeInvalidParameterValue},
		{"priority not an integer", map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID, "TasksPriority": "1"}, CodeInvalidParameter},
		{"notify mode", map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID, "TasksNotifyMode": "Always"}, CodeInvalidParameterValue},
		{"session context too long", map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID, "SessionContext": long(1001)}, CodeSessionContextTooLong},
		{"session id too long", map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID, "SessionId": long(51)}, CodeSessionIDTooLong},
		{"unknown parameter", map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID, "Procedure": "x"}, CodeUnknownParameter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, vodCall(t, srv, "ProcessMediaByProcedure", tc.params), tc.want)
		})
	}
	if n := len(srv.Tasks()); n != 0 {
		t.Fatalf("refused requests started %d tasks", n)
	}
	// The limits themselves are allowed.
	startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID, "TasksPriority": -10,
		"TasksNotifyMode": "None", "SessionContext": long(1000), "SessionId": long(50), "ExtInfo": "x"})
	startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": inOther.FileId, "SubAppId": 1500000001, "TasksPriority": 10})
}

func TestProcessMediaByProcedure_refusesAMediaWhoseOriginalWasDeleted(t *testing.T) {
	t.Parallel()
	srv, _, fileID := startTaskServer(t, Options{})
	wantCode(t, vodCall(t, srv, "DeleteMedia", map[string]any{"FileId": fileID,
		"DeleteParts": []map[string]any{{"Type": "OriginalFiles"}}}), "")
	wantCode(t, vodCall(t, srv, "ProcessMediaByProcedure", map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID}),
		CodeFailedOperation)
}

func TestProcessMediaByProcedure_sessionIDDeduplicatesForSevenDaysPerApplication(t *testing.T) {
	t.Parallel()
	srv, clock, fileID := startTaskServer(t, Options{})
	params := map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID, "SessionId": "create-1"}
	first := startTask(t, srv, params)

	// A repeat (even of another procedure) is refused, and its reply carries no TaskId.
	params["ProcedureName"] = ProcedureTranscodeOnly
	reply := vodCall(t, srv, "ProcessMediaByProcedure", params)
	wantCode(t, reply, CodeInvalidSessionID)
	if _, ok := reply.Fields["TaskId"]; ok {
		t.Fatalf("refused reply carries a TaskId: %v", reply.Fields)
	}
	// After the 3 days of queries the SessionId is still taken.
	clock.Advance(6 * 24 * time.Hour)
	wantCode(t, vodCall(t, srv, "ProcessMediaByProcedure", params), CodeInvalidSessionID)
	// Another SessionId, or none, is a new task.
	startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID, "SessionId": "create-2"})
	startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID})
	startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID, "SessionId": ""})
	// Seven days on, the SessionId can be used again.
	clock.Advance(24*time.Hour + time.Second)
	again := startTask(t, srv, params)
	if again == first {
		t.Fatal("the reused SessionId returned the old TaskId")
	}
}

func TestProcessMediaByProcedure_sessionIDIsPerApplication(t *testing.T) {
	t.Parallel()
	srv, _, fileID := startTaskServer(t, Options{})
	_, other := uploadMedia(t, srv, `{"MediaType":"mp4","SubAppId":1500000001}`)
	startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID, "SessionId": "same"})
	startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": other.FileId, "SubAppId": 1500000001, "SessionId": "same"})
}

func TestTaskStore_addFreesASessionIDAfterSevenDaysEvenWhileItsTaskRuns(t *testing.T) {
	t.Parallel()
	var s taskStore
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// A task longer than the SessionId's lifetime has not stored its outputs when the SessionId frees.
	long := &Task{TaskID: "1-procedurev2-a", SubAppID: 1, SessionID: "s", CreateTime: now, Duration: 8 * 24 * time.Hour}
	if !s.add(long, now) {
		t.Fatal("first task refused")
	}
	if s.add(&Task{TaskID: "1-procedurev2-b", SubAppID: 1, SessionID: "s", CreateTime: now}, now.Add(sessionIDLifetime)) {
		t.Fatal("the SessionId was reusable within 7 days")
	}
	later := now.Add(sessionIDLifetime + time.Second)
	if !s.add(&Task{TaskID: "1-procedurev2-c", SubAppID: 1, SessionID: "s", CreateTime: later}, later) {
		t.Fatal("the SessionId was still taken after 7 days")
	}
}

func TestProcessMediaByProcedure_concurrentRepeatsOfASessionIDStartOneTask(t *testing.T) {
	t.Parallel()
	srv, clock, fileID := startTaskServer(t, Options{})
	if err := srv.FailNextTasks(ProcedureTranscodeOnly, 1); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			vodCall(t, srv, "ProcessMediaByProcedure", map[string]any{"ProcedureName": ProcedureTranscodeOnly, "FileId": fileID, "SessionId": "once"})
		})
	}
	wg.Wait()
	clock.Advance(taskTestDuration)
	if tasks := srv.Tasks(); len(tasks) != 1 || !tasks[0].Failed() {
		t.Fatalf("tasks = %+v, want one, failed", tasks)
	}
}
