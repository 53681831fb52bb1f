package vod_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// These tests start task flows on media in the emulator and wait for them, and create classes, with
// the replies the emulator can lose.

// committedMedia uploads a small file to an emulator whose tasks take taskDuration and returns the
// session (its client polls tasks every 10 ms) and the new media's FileId.
func committedMedia(t *testing.T, taskDuration time.Duration) (*session, string) {
	t.Helper()
	s := openSession(t, startEmulator(t, emulator.Options{TaskDuration: taskDuration}))
	vod.SetTaskPollInterval(s.client, 10*time.Millisecond)
	path, _ := writeRandomFile(t, 4096)
	if _, err := s.upload(context.Background(), path, vod.UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	committed, err := s.client.CommitUpload(context.Background(), &vod.CommitUploadRequest{VodSessionKey: s.apply.VodSessionKey})
	if err != nil {
		t.Fatal(err)
	}
	return s, committed.FileID
}

func TestEmulatorStartProcedureAndWaitForTask(t *testing.T) {
	t.Parallel()
	s, fileID := committedMedia(t, 400*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	taskID, err := s.client.StartProcedure(ctx, &vod.ProcessMediaByProcedureRequest{FileID: fileID, ProcedureName: "StreamingPreset", SessionID: "run-1"})
	if err != nil {
		t.Fatalf("StartProcedure: %v", err)
	}
	var statuses []string
	detail, err := s.client.WaitForTask(ctx, taskID, nil, func(d *vod.TaskDetail) { statuses = append(statuses, d.Status) })
	if err != nil {
		t.Fatalf("WaitForTask: %v", err)
	}
	if detail.Status != vod.TaskFinished || detail.Failure() != nil || detail.TaskID != taskID {
		t.Fatalf("detail = %+v, failure %v", detail, detail.Failure())
	}
	// The wait saw the task run: it reported more than the end, and the end last.
	if len(statuses) < 2 || statuses[len(statuses)-1] != vod.TaskFinished || statuses[0] == vod.TaskFinished {
		t.Errorf("progress reported %v", statuses)
	}
	media, err := s.client.DescribeMedia(ctx, fileID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if media.AdaptiveDynamicStreamingInfo == nil || len(media.AdaptiveDynamicStreamingInfo.AdaptiveDynamicStreamingSet) == 0 {
		t.Fatalf("no adaptive streams after the task: %+v", media)
	}
	playlist := httpGet(t, media.AdaptiveDynamicStreamingInfo.AdaptiveDynamicStreamingSet[0].URL)
	if len(playlist) == 0 {
		t.Error("the adaptive stream's URL served nothing")
	}
}

func TestEmulatorFailingProcedureNamesTheFailedSubTask(t *testing.T) {
	t.Parallel()
	s, fileID := committedMedia(t, 100*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	taskID, err := s.client.StartProcedure(ctx, &vod.ProcessMediaByProcedureRequest{FileID: fileID, ProcedureName: "FailingPreset", SessionID: "run-1"})
	if err != nil {
		t.Fatal(err)
	}
	detail, err := s.client.WaitForTask(ctx, taskID, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	failure := detail.Failure()
	if detail.Status != vod.TaskFinished || failure == nil || failure.TaskID != taskID ||
		failure.SubTask != "AdaptiveDynamicStreaming (definition 10)" || failure.ErrCode == 0 {
		t.Fatalf("status %s, failure %+v", detail.Status, failure)
	}
	if !strings.Contains(failure.Error(), taskID) || !strings.Contains(failure.Error(), "AdaptiveDynamicStreaming (definition 10)") {
		t.Errorf("Error() = %q", failure.Error())
	}
}

// A start whose reply is lost after the emulator started the task is retried, refused as a
// duplicate SessionId, and resolved to the one task that exists.
func TestEmulatorStartProcedureLostReplyStartsOneTask(t *testing.T) {
	t.Parallel()
	s, fileID := committedMedia(t, time.Second)
	s.srv.InjectFault(emulator.Fault{Action: "ProcessMediaByProcedure", DropConnection: true, AfterDispatch: true, Times: 1})
	req := &vod.ProcessMediaByProcedureRequest{FileID: fileID, ProcedureName: "StreamingPreset", SessionID: "run-lost"}
	taskID, err := s.client.StartProcedure(context.Background(), req)
	if err != nil {
		t.Fatalf("StartProcedure: %v", err)
	}
	tasks := s.srv.Tasks()
	if len(tasks) != 1 || tasks[0].TaskID != taskID || tasks[0].SessionID != "run-lost" {
		t.Fatalf("tasks = %+v, want the one task %s", tasks, taskID)
	}
	if n := s.srv.Attempts("ProcessMediaByProcedure"); n != 2 {
		t.Errorf("attempts = %d, want 2", n)
	}
	// A later run with the same SessionId gets the same task too, and starts none.
	again, err := s.client.StartProcedure(context.Background(), req)
	if err != nil || again != taskID || len(s.srv.Tasks()) != 1 {
		t.Errorf("second start = %q, %v; %d tasks", again, err, len(s.srv.Tasks()))
	}
}

func TestEmulatorStartProcedureUnknownProcedure(t *testing.T) {
	t.Parallel()
	s, fileID := committedMedia(t, time.Second)
	_, err := s.client.StartProcedure(context.Background(), &vod.ProcessMediaByProcedureRequest{FileID: fileID, ProcedureName: "NoSuchFlow", SessionID: "run-1"})
	if code := vod.ErrorCode(err); !strings.HasPrefix(code, "InvalidParameterValue") || code == "InvalidParameterValue.SessionId" {
		t.Fatalf("err = %v", err)
	}
	if len(s.srv.Tasks()) != 0 {
		t.Error("a task was started")
	}
}

func TestEmulatorWaitForUnknownTask(t *testing.T) {
	t.Parallel()
	s, _ := committedMedia(t, time.Second)
	_, err := s.client.WaitForTask(context.Background(), "1500000001-procedurev2-nosuchtask", nil, nil)
	if !errors.Is(err, vod.ErrTaskNotFound) {
		t.Fatalf("err = %v, want ErrTaskNotFound", err)
	}
}

// The caller's deadline ends a wait on a task that takes longer, with its last status.
func TestEmulatorWaitForTaskDeadline(t *testing.T) {
	t.Parallel()
	s, fileID := committedMedia(t, time.Hour)
	taskID, err := s.client.StartProcedure(context.Background(), &vod.ProcessMediaByProcedureRequest{FileID: fileID, ProcedureName: "StreamingPreset", SessionID: "run-1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	detail, err := s.client.WaitForTask(ctx, taskID, nil, nil)
	if !errors.Is(err, context.DeadlineExceeded) || detail == nil || !strings.Contains(err.Error(), "still "+detail.Status) {
		t.Fatalf("WaitForTask = %+v, %v", detail, err)
	}
}

// When the client-side rate limit would hold the next poll past the deadline, the wait ends as a
// deadline does: with the task's last status, not with the limiter's own refusal.
func TestEmulatorWaitForTaskDeadlineCloserThanTheNextPoll(t *testing.T) {
	t.Parallel()
	s, fileID := committedMedia(t, time.Hour)
	taskID, err := s.client.StartProcedure(context.Background(), &vod.ProcessMediaByProcedureRequest{FileID: fileID, ProcedureName: "StreamingPreset", SessionID: "run-1"})
	if err != nil {
		t.Fatal(err)
	}
	// One DescribeTaskDetail every 5 s: the first poll goes at once, the second would come after the deadline.
	slow := openSession(t, s.srv, func(c *vod.Config) { c.RateLimit = 0.2 })
	vod.SetTaskPollInterval(slow.client, 10*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	detail, err := slow.client.WaitForTask(ctx, taskID, nil, nil)
	if !errors.Is(err, context.DeadlineExceeded) || detail == nil || !strings.Contains(err.Error(), "still "+detail.Status) {
		t.Fatalf("WaitForTask = %+v, %v", detail, err)
	}
}

func classClient(t *testing.T) (*emulator.Server, *vod.Client) {
	t.Helper()
	srv := startEmulator(t, emulator.Options{})
	cfg := emulatorConfig(t, srv)
	cfg.SecretID, cfg.SecretKey = emulator.DefaultSecretID, emulator.DefaultSecretKey
	c, err := vod.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// A CreateClass whose reply is lost after the class was created returns that class, and creates no other.
func TestEmulatorCreateClassLostReply(t *testing.T) {
	t.Parallel()
	srv, c := classClient(t)
	ctx := context.Background()
	parent, err := c.CreateClass(ctx, &vod.CreateClassRequest{ParentID: vod.TopLevelParentID, ClassName: "Films"})
	if err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(emulator.Fault{Action: "CreateClass", DropConnection: true, AfterDispatch: true, Times: 1})
	child, err := c.CreateClass(ctx, &vod.CreateClassRequest{ParentID: parent.ClassID, ClassName: "Trailers"})
	if err != nil {
		t.Fatalf("CreateClass: %v", err)
	}
	var trailers []emulator.MediaClass
	for _, class := range srv.Classes(emulator.DefaultSubAppID) {
		if class.Name == "Trailers" {
			trailers = append(trailers, class)
		}
	}
	if len(trailers) != 1 || trailers[0].ID != child.ClassID || trailers[0].ParentID != parent.ClassID {
		t.Fatalf("classes named Trailers = %+v, want the one with id %d", trailers, child.ClassID)
	}
	if n := srv.Attempts("CreateClass"); n != 3 {
		t.Errorf("CreateClass attempts = %d, want 3 (Films, then Trailers twice)", n)
	}
}

// A name that is taken when the first attempt arrives is an error.
func TestEmulatorCreateClassDuplicateName(t *testing.T) {
	t.Parallel()
	_, c := classClient(t)
	ctx := context.Background()
	req := &vod.CreateClassRequest{ParentID: vod.TopLevelParentID, ClassName: "Films"}
	if _, err := c.CreateClass(ctx, req); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateClass(ctx, req); vod.ErrorCode(err) != "FailedOperation.ClassNameDuplicate" {
		t.Fatalf("second CreateClass err = %v, want ClassNameDuplicate", err)
	}
}

// The class actions' refusals match ErrClassNotEmpty and ErrClassNotFound against the emulator's codes.
func TestEmulatorClassRefusals(t *testing.T) {
	t.Parallel()
	_, c := classClient(t)
	ctx := context.Background()
	parent, err := c.CreateClass(ctx, &vod.CreateClassRequest{ParentID: vod.TopLevelParentID, ClassName: "Films"})
	if err != nil {
		t.Fatal(err)
	}
	child, err := c.CreateClass(ctx, &vod.CreateClassRequest{ParentID: parent.ClassID, ClassName: "Trailers"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteClass(ctx, &vod.DeleteClassRequest{ClassID: parent.ClassID}); !errors.Is(err, vod.ErrClassNotEmpty) {
		t.Errorf("DeleteClass of a class with a subclass: err = %v, want ErrClassNotEmpty", err)
	}
	if err := c.DeleteClass(ctx, &vod.DeleteClassRequest{ClassID: child.ClassID}); err != nil {
		t.Fatalf("DeleteClass of an empty class: %v", err)
	}
	if err := c.DeleteClass(ctx, &vod.DeleteClassRequest{ClassID: child.ClassID}); !errors.Is(err, vod.ErrClassNotFound) {
		t.Errorf("DeleteClass of a deleted class: err = %v, want ErrClassNotFound", err)
	}
	if err := c.ModifyClass(ctx, &vod.ModifyClassRequest{ClassID: child.ClassID, ClassName: "Teasers"}); !errors.Is(err, vod.ErrClassNotFound) {
		t.Errorf("ModifyClass of a deleted class: err = %v, want ErrClassNotFound", err)
	}
}
