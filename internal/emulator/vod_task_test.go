package emulator

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// taskDetail is DescribeTaskDetail's reply as a client decodes it.
type taskDetail struct {
	TaskType         string
	Status           string
	CreateTime       string
	BeginProcessTime string
	FinishTime       string
	ProcedureTask    *struct {
		TaskId, Status, Message, FileId, FileName, FileUrl string
		ErrCode                                            int64
		MetaData                                           struct{ Size, Width, Height int64 }
		MediaProcessResultSet                              []map[string]json.RawMessage
		TasksPriority                                      int64
		TasksNotifyMode, SessionContext, SessionId         string
	}
	EditMediaTask json.RawMessage
}

// subTask is one MediaProcessTask<Type>Result.
type subTask struct {
	Status, ErrCodeExt, Message  string
	ErrCode, Progress            int64
	Input                        struct{ Definition int64 }
	Output                       json.RawMessage
	BeginProcessTime, FinishTime string
}

func describeTask(t *testing.T, srv *Server, taskID string) taskDetail {
	t.Helper()
	reply := vodCall(t, srv, "DescribeTaskDetail", map[string]any{"TaskId": taskID})
	wantCode(t, reply, "")
	var d taskDetail
	reply.decode(t, &d)
	if d.ProcedureTask == nil {
		t.Fatalf("ProcedureTask is null: %v", reply.Fields)
	}
	return d
}

// subTaskOf decodes result i of the task's MediaProcessResultSet, checking that its Type names the
// field that holds it and that the other result fields are null.
func subTaskOf(t *testing.T, d taskDetail, i int) (string, subTask) {
	t.Helper()
	result := d.ProcedureTask.MediaProcessResultSet[i]
	var stepType string
	_ = json.Unmarshal(result["Type"], &stepType)
	field := map[string]string{StepTranscode: "TranscodeTask", StepAdaptiveDynamicStreaming: "AdaptiveDynamicStreamingTask",
		StepSnapshotByTimeOffset: "SnapshotByTimeOffsetTask", StepImageSprites: "ImageSpriteTask"}[stepType]
	for name, raw := range result {
		if name != "Type" && name != field && string(raw) != "null" {
			t.Fatalf("result %d (%s): %s = %s, want null", i, stepType, name, raw)
		}
	}
	var s subTask
	if err := json.Unmarshal(result[field], &s); err != nil {
		t.Fatalf("result %d (%s): %s = %s: %v", i, stepType, field, result[field], err)
	}
	return stepType, s
}

func TestDescribeTaskDetail_statesFollowTheClock(t *testing.T) {
	t.Parallel()
	srv, clock, fileID := startTaskServer(t, Options{})
	created := clock.Now().UTC().Format(vodTimeLayout)
	id := startTask(t, srv, map[string]any{"ProcedureName": ProcedureTranscodeAndSnapshot, "FileId": fileID,
		"SessionId": "s-1", "SessionContext": "ctx", "TasksPriority": 3, "TasksNotifyMode": "Change"})

	d := describeTask(t, srv, id)
	p := d.ProcedureTask
	if d.TaskType != "Procedure" || d.Status != TaskWaiting || d.CreateTime != created || d.BeginProcessTime != "" || d.FinishTime != "" ||
		p.TaskId != id || p.Status != TaskProcessing || p.FileId != fileID || p.FileName != "clip" || p.FileUrl == "" ||
		p.MetaData.Width != 1280 || p.SessionId != "s-1" || p.SessionContext != "ctx" || p.TasksPriority != 3 ||
		p.TasksNotifyMode != "Change" || string(d.EditMediaTask) != "null" || len(p.MediaProcessResultSet) != 2 {
		t.Fatalf("waiting task = %+v %+v", d, *p)
	}
	if typ, s := subTaskOf(t, d, 0); typ != StepTranscode || s.Status != subTaskProcessing || s.Progress != 0 ||
		s.Input.Definition != DefinitionTranscode720p || string(s.Output) != "null" {
		t.Fatalf("waiting sub-task = %s %+v", typ, s)
	}

	clock.Advance(2500 * time.Millisecond) // half-way through PROCESSING (1s..4s)
	d = describeTask(t, srv, id)
	begin := clock.Now().Add(-1500 * time.Millisecond).UTC().Format(vodTimeLayout)
	if d.Status != TaskProcessing || d.BeginProcessTime != begin || d.FinishTime != "" || d.ProcedureTask.Status != TaskProcessing {
		t.Fatalf("processing task = %+v", d)
	}
	if _, s := subTaskOf(t, d, 1); s.Status != subTaskProcessing || s.Progress != 50 || string(s.Output) != "null" {
		t.Fatalf("processing sub-task = %+v", s)
	}

	clock.Advance(1500 * time.Millisecond)
	d = describeTask(t, srv, id)
	finished := clock.Now().UTC().Format(vodTimeLayout)
	if d.Status != TaskFinish || d.FinishTime != finished || d.ProcedureTask.Status != TaskFinish || d.ProcedureTask.ErrCode != 0 {
		t.Fatalf("finished task = %+v", d)
	}
	_, transcode := subTaskOf(t, d, 0)
	var out struct {
		Url        string
		Definition int64
		Width      int64
	}
	if err := json.Unmarshal(transcode.Output, &out); transcode.Status != subTaskSuccess || transcode.ErrCode != 0 ||
		transcode.ErrCodeExt != "" || transcode.Progress != 100 || transcode.FinishTime != finished || err != nil ||
		out.Definition != DefinitionTranscode720p || out.Width != 1280 || !strings.Contains(out.Url, "/_media/") {
		t.Fatalf("finished transcode = %+v, output %s", transcode, transcode.Output)
	}
	if typ, s := subTaskOf(t, d, 1); typ != StepSnapshotByTimeOffset || s.Status != subTaskSuccess || !strings.Contains(string(s.Output), "PicInfoSet") {
		t.Fatalf("finished snapshot = %s %+v", typ, s)
	}
}

func TestDescribeTaskDetail_failedSubTask(t *testing.T) {
	t.Parallel()
	srv, clock, fileID := startTaskServer(t, Options{})
	id := startTask(t, srv, map[string]any{"ProcedureName": ProcedureFailing, "FileId": fileID})
	clock.Advance(taskTestDuration)

	// The task still ends FINISH: the failure is in the failed sub-task (and the deprecated task-level
	// ErrCode and Message); the other sub-task succeeds.
	d := describeTask(t, srv, id)
	if d.Status != TaskFinish || d.ProcedureTask.Status != TaskFinish || d.ProcedureTask.ErrCode != failedSubTaskErrCode ||
		!strings.Contains(d.ProcedureTask.Message, "AdaptiveDynamicStreaming") {
		t.Fatalf("failed task = %+v %+v", d, *d.ProcedureTask)
	}
	if typ, s := subTaskOf(t, d, 0); typ != StepTranscode || s.Status != subTaskSuccess {
		t.Fatalf("first sub-task = %s %+v", typ, s)
	}
	typ, s := subTaskOf(t, d, 1)
	if typ != StepAdaptiveDynamicStreaming || s.Status != subTaskFail || s.ErrCode != failedSubTaskErrCode ||
		s.ErrCodeExt != failedSubTaskErrCodeExt || s.Message == "" || string(s.Output) != "null" || s.Input.Definition != DefinitionAdaptiveHLS {
		t.Fatalf("failed sub-task = %s %+v", typ, s)
	}
	// The successful sub-task's output is stored; the failed one's is not.
	info := describe(t, srv, map[string]any{"FileIds": []string{fileID}}).MediaInfoSet[0]
	if !strings.Contains(string(info["TranscodeInfo"]), `"Definition":100010`) || string(info["AdaptiveDynamicStreamingInfo"]) != "null" {
		t.Fatalf("outputs = %s / %s", info["TranscodeInfo"], info["AdaptiveDynamicStreamingInfo"])
	}
}

func TestFailNextTasks_failsTheNextRunsOnly(t *testing.T) {
	t.Parallel()
	srv, clock, fileID := startTaskServer(t, Options{})
	if err := srv.FailNextTasks("NoSuchFlow", 1); err == nil {
		t.Fatal("FailNextTasks accepted an unknown procedure")
	}
	if err := srv.FailNextTasks(ProcedureStreaming, 1); err != nil {
		t.Fatal(err)
	}
	failed := startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID})
	passed := startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID})
	clock.Advance(taskTestDuration)
	if _, s := subTaskOf(t, describeTask(t, srv, failed), 0); s.Status != subTaskFail {
		t.Fatalf("first run's first sub-task = %+v, want FAIL", s)
	}
	d := describeTask(t, srv, passed)
	for i := range d.ProcedureTask.MediaProcessResultSet {
		if _, s := subTaskOf(t, d, i); s.Status != subTaskSuccess {
			t.Fatalf("second run's sub-task %d = %+v, want SUCCESS", i, s)
		}
	}
}

func TestDescribeTaskDetail_errors(t *testing.T) {
	t.Parallel()
	srv, clock, fileID := startTaskServer(t, Options{})
	id := startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID})
	wantCode(t, vodCall(t, srv, "DescribeTaskDetail", map[string]any{}), CodeMissingParameter)
	wantCode(t, vodCall(t, srv, "DescribeTaskDetail", map[string]any{"TaskId": "not a task"}), CodeInvalidTaskID)
	wantCode(t, vodCall(t, srv, "DescribeTaskDetail", map[string]any{"TaskId": "1500000000-procedurev2-00"}), CodeResourceNotFound)
	// The ID of another task type (DescribeTaskDetail's WechatMiniProgramPublish example) is well formed.
	wantCode(t, vodCall(t, srv, "DescribeTaskDetail", map[string]any{"TaskId": "1500000000-wechat-mini-program-publish-e576984516ec3b3c8e49753adf6b0688t0"}),
		CodeResourceNotFound)
	wantCode(t, vodCall(t, srv, "DescribeTaskDetail", map[string]any{"TaskId": "1500000000--procedurev2"}), CodeInvalidTaskID)
	wantCode(t, vodCall(t, srv, "DescribeTaskDetail", map[string]any{"TaskId": id, "SubAppId": 1500000001}), CodeResourceNotFound)
	wantCode(t, vodCall(t, srv, "DescribeTaskDetail", map[string]any{"TaskId": id, "Extra": 1}), CodeUnknownParameter)
	// Tasks can be queried for 3 days.
	clock.Advance(72 * time.Hour)
	describeTask(t, srv, id)
	clock.Advance(time.Second)
	wantCode(t, vodCall(t, srv, "DescribeTaskDetail", map[string]any{"TaskId": id}), CodeResourceNotFound)
}

func TestCommitUpload_startsTheProcedureOfApplyUpload(t *testing.T) {
	t.Parallel()
	srv, clock, _ := startTaskServer(t, Options{})
	_, c := uploadMedia(t, srv, `{"MediaType":"mp4","Procedure":"StreamingPreset","SessionContext":"from-apply"}`)

	// The task is found by FileId; CommitUpload's reply has no TaskId.
	reply := vodCall(t, srv, "DescribeTasks", map[string]any{"FileId": c.FileId})
	wantCode(t, reply, "")
	var list struct{ TaskSet []taskSimpleInfo }
	reply.decode(t, &list)
	if len(list.TaskSet) != 1 || list.TaskSet[0].TaskType != "Procedure" || list.TaskSet[0].SessionContext != "from-apply" ||
		list.TaskSet[0].Status != TaskWaiting {
		t.Fatalf("tasks of the upload = %+v", list.TaskSet)
	}
	clock.Advance(taskTestDuration)
	d := describeTask(t, srv, list.TaskSet[0].TaskID)
	if d.Status != TaskFinish || len(d.ProcedureTask.MediaProcessResultSet) != 6 {
		t.Fatalf("task = %+v", d)
	}
	// An upload without Procedure starts nothing.
	_, plain := uploadMedia(t, srv, `{"MediaType":"mp4"}`)
	for _, task := range srv.Tasks() {
		if task.FileID == plain.FileId {
			t.Fatalf("an upload without Procedure started %+v", task)
		}
	}
}

func TestApplyUpload_acceptsEveryKnownProcedure(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{Procedures: []string{"Custom"}})
	for _, name := range []string{ProcedureLongVideoPreset, ProcedureStreaming, ProcedureTranscodeOnly, ProcedureFailing, "Custom"} {
		wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"mp4","Procedure":"` + name + `"}`}), "")
	}
	wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"mp4","Procedure":"Other"}`}), CodeProcedureNameNotExist)
}

func TestDescribeTaskDetail_listsEveryDocumentedTaskObject(t *testing.T) {
	t.Parallel()
	srv, _, fileID := startTaskServer(t, Options{})
	id := startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID})
	reply := vodCall(t, srv, "DescribeTaskDetail", map[string]any{"TaskId": id})
	wantCode(t, reply, "")
	// DescribeTaskDetailResponse's members in the API description, besides ProcedureTask.
	for _, name := range []string{"EditMediaTask", "WechatPublishTask", "ComposeMediaTask", "SplitMediaTask",
		"WechatMiniProgramPublishTask", "PullUploadTask", "TranscodeTask", "ConcatTask", "ClipTask", "CreateImageSpriteTask",
		"SnapshotByTimeOffsetTask", "RemoveWatermarkTask", "RebuildMediaTask", "ExtractTraceWatermarkTask",
		"ExtractCopyRightWatermarkTask", "ReviewAudioVideoTask", "ReduceMediaBitrateTask", "DescribeFileAttributesTask",
		"QualityInspectTask", "QualityEnhanceTask", "ComplexAdaptiveDynamicStreamingTask", "ProcessMediaByMPSTask",
		"AigcImageTask", "AigcVideoTask", "ImportMediaKnowledge", "SceneAigcImageTask", "SceneAigcVideoTask",
		"ProcessImageAsyncTask", "ExtractBlindWatermarkTask", "CreateAigcAdvancedCustomElementTask",
		"CreateAigcCustomVoiceTask", "CreateAigcSubjectTask", "AigcVideoRedrawTask", "AigcAudioTask",
		"CreateAigcAudioCloneTask", "DescribeAigcFaceInfoAsyncTask"} {
		if raw, ok := reply.Fields[name]; !ok || string(raw) != "null" {
			t.Errorf("%s = %s (present %v), want null", name, raw, ok)
		}
	}
}

func TestDescribeTaskDetail_subTasksFailWhenTheSourceGoesBeforeTheTaskFinishes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		remove func(srv *Server, fileID string)
	}{
		{"media deleted", func(srv *Server, fileID string) {
			wantCode(t, vodCall(t, srv, "DeleteMedia", map[string]any{"FileId": fileID}), "")
		}},
		{"original deleted", func(srv *Server, fileID string) {
			wantCode(t, vodCall(t, srv, "DeleteMedia", map[string]any{"FileId": fileID,
				"DeleteParts": []map[string]any{{"Type": "OriginalFiles"}}}), "")
		}},
		{"media removed out of band", func(srv *Server, fileID string) { srv.RemoveMedia(fileID) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, clock, fileID := startTaskServer(t, Options{})
			id := startTask(t, srv, map[string]any{"ProcedureName": ProcedureTranscodeAndSnapshot, "FileId": fileID})
			clock.Advance(2 * time.Second) // PROCESSING
			tc.remove(srv, fileID)
			clock.Advance(taskTestDuration)
			d := describeTask(t, srv, id)
			if d.Status != TaskFinish || d.ProcedureTask.ErrCode != sourceFileErrCode || !strings.Contains(d.ProcedureTask.Message, fileID) {
				t.Fatalf("task = %+v %+v", d, *d.ProcedureTask)
			}
			for i := range d.ProcedureTask.MediaProcessResultSet {
				if _, s := subTaskOf(t, d, i); s.Status != subTaskFail || s.ErrCode != sourceFileErrCode ||
					s.ErrCodeExt != lostSourceErrCodeExt || string(s.Output) != "null" {
					t.Fatalf("sub-task %d = %+v, want FAIL with SourceFileError", i, s)
				}
			}
			if m, ok := srv.MediaFile(fileID); ok && len(m.Outputs.files()) != 0 {
				t.Fatalf("outputs stored on a media without its original: %+v", m.Outputs)
			}
		})
	}
}

func TestRemoveMedia_aTaskThatFinishedBeforeStillSucceeded(t *testing.T) {
	t.Parallel()
	srv, clock, fileID := startTaskServer(t, Options{})
	id := startTask(t, srv, map[string]any{"ProcedureName": ProcedureTranscodeAndSnapshot, "FileId": fileID})
	clock.Advance(taskTestDuration) // finished, though nobody has looked yet
	srv.RemoveMedia(fileID)
	d := describeTask(t, srv, id)
	for i := range d.ProcedureTask.MediaProcessResultSet {
		if _, s := subTaskOf(t, d, i); s.Status != subTaskSuccess {
			t.Fatalf("sub-task %d = %+v, want SUCCESS", i, s)
		}
	}
}

func TestDescribeTaskDetail_picturesOfMediaWithoutVideoFail(t *testing.T) {
	t.Parallel()
	srv, clock, _ := startTaskServer(t, Options{})
	_, audio := uploadMedia(t, srv, `{"MediaType":"mp3","MediaName":"song"}`)
	id := startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": audio.FileId})
	clock.Advance(taskTestDuration)
	d := describeTask(t, srv, id)
	if d.Status != TaskFinish || d.ProcedureTask.ErrCode != sourceFileErrCode {
		t.Fatalf("task = %+v %+v", d, *d.ProcedureTask)
	}
	for i := range d.ProcedureTask.MediaProcessResultSet {
		typ, s := subTaskOf(t, d, i)
		picture := typ == StepSnapshotByTimeOffset || typ == StepImageSprites
		if picture && (s.Status != subTaskFail || s.ErrCodeExt != noPictureErrCodeExt || s.ErrCode != sourceFileErrCode) ||
			!picture && s.Status != subTaskSuccess {
			t.Fatalf("%s sub-task of an audio file = %+v", typ, s)
		}
	}
	if o := outputsOf(t, srv, audio.FileId); o.SnapshotByTimeOffsetInfo != nil || o.ImageSpriteInfo != nil || o.AdaptiveDynamicStreamingInfo == nil {
		t.Fatalf("outputs of an audio file = %+v", o)
	}
}
