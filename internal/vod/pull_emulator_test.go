package vod_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// pullClient is a client of an emulator whose tasks take taskDuration (polled every 10 ms), and an origin
// serving files by path.
func pullClient(t *testing.T, taskDuration time.Duration, files map[string][]byte) (*emulator.Server, *vod.Client, string) {
	t.Helper()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(body)
	}))
	t.Cleanup(origin.Close)
	srv := startEmulator(t, emulator.Options{TaskDuration: taskDuration})
	cfg := emulatorConfig(t, srv)
	cfg.SecretID, cfg.SecretKey = emulator.DefaultSecretID, emulator.DefaultSecretKey
	client, err := vod.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	vod.SetTaskPollInterval(client, 10*time.Millisecond)
	return srv, client, origin.URL
}

func pullTasks(srv *emulator.Server) []emulator.Task {
	var pulls []emulator.Task
	for _, task := range srv.Tasks() {
		if task.Pull != nil {
			pulls = append(pulls, task)
		}
	}
	return pulls
}

func TestEmulatorStartPullAndWaitForTask(t *testing.T) {
	t.Parallel()
	video := bytes.Repeat([]byte("v"), 70_000)
	srv, client, origin := pullClient(t, 300*time.Millisecond, map[string][]byte{"/talk.mp4": video})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	taskID, err := client.StartPull(ctx, &vod.PullUploadRequest{MediaURL: origin + "/talk.mp4", MediaName: "Talk", SessionID: "pull-1"})
	if err != nil {
		t.Fatalf("StartPull: %v", err)
	}
	var statuses []string
	detail, err := client.WaitForTask(ctx, taskID, nil, func(d *vod.TaskDetail) { statuses = append(statuses, d.Status) })
	if err != nil {
		t.Fatalf("WaitForTask: %v", err)
	}
	result := detail.PullResult()
	if detail.TaskType != vod.TaskTypePullUpload || detail.Failure() != nil || result == nil || result.MediaBasicInfo == nil ||
		result.MediaBasicInfo.Name != "Talk" || result.SessionID != "pull-1" || result.Progress != 100 {
		t.Fatalf("detail %+v, pull %+v, failure %v", detail, detail.PullUploadTask, detail.Failure())
	}
	if len(statuses) < 2 || statuses[0] == vod.TaskFinished {
		t.Errorf("progress reported %v", statuses)
	}
	media, ok := srv.MediaFile(result.FileID)
	if !ok {
		t.Fatalf("no media %s", result.FileID)
	}
	if got, _ := srv.Object(media.Bucket, media.MediaKey); !bytes.Equal(got, video) {
		t.Errorf("the media holds %d bytes, want the %d pulled", len(got), len(video))
	}
}

func TestEmulatorFailedPullReportsErrCodeAndMessage(t *testing.T) {
	t.Parallel()
	_, client, origin := pullClient(t, 50*time.Millisecond, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	taskID, err := client.StartPull(ctx, &vod.PullUploadRequest{MediaURL: origin + "/missing.mp4", SessionID: "pull-404"})
	if err != nil {
		t.Fatal(err)
	}
	detail, err := client.WaitForTask(ctx, taskID, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	failure := detail.Failure()
	if failure == nil || failure.ErrCode != vod.PullErrInvalidInput || !strings.Contains(failure.Error(), "404") ||
		!strings.Contains(failure.Error(), "error 40000") || detail.PullResult() != nil {
		t.Fatalf("failure %v, result %+v", failure, detail.PullResult())
	}
}

// A pull whose reply is lost after VOD started it is sent again with the same SessionId, refused as a
// duplicate, and resolved to the one task there is; a later call with that SessionId finds it too.
func TestEmulatorStartPullLostReplyPullsOnce(t *testing.T) {
	t.Parallel()
	srv, client, origin := pullClient(t, time.Second, map[string][]byte{"/a.mp4": []byte("video")})
	srv.InjectFault(emulator.Fault{Action: "PullUpload", DropConnection: true, AfterDispatch: true, Times: 1})
	req := &vod.PullUploadRequest{MediaURL: origin + "/a.mp4", SessionID: "pull-lost"}
	taskID, err := client.StartPull(context.Background(), req)
	if err != nil {
		t.Fatalf("StartPull: %v", err)
	}
	if pulls := pullTasks(srv); len(pulls) != 1 || pulls[0].TaskID != taskID {
		t.Fatalf("pull tasks %+v, want the one task %s", pulls, taskID)
	}
	if n := srv.Attempts("PullUpload"); n != 2 {
		t.Errorf("attempts = %d, want 2", n)
	}
	again, err := client.StartPull(context.Background(), req)
	if err != nil || again != taskID || len(pullTasks(srv)) != 1 {
		t.Errorf("second pull = %q, %v; %d pull tasks", again, err, len(pullTasks(srv)))
	}
}

// When every reply is lost, nothing tells whether the pull started: the error says so, and a retry
// with the same SessionId later finds the task instead of pulling again.
func TestEmulatorStartPullWithoutAnyReplyIsUnknown(t *testing.T) {
	t.Parallel()
	srv, client, origin := pullClient(t, time.Second, map[string][]byte{"/a.mp4": []byte("video")})
	srv.InjectFault(emulator.Fault{Action: "DescribeTasks", Code: "InternalError", Message: "down"})
	srv.InjectFault(emulator.Fault{Action: "PullUpload", DropConnection: true, AfterDispatch: true})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req := &vod.PullUploadRequest{MediaURL: origin + "/a.mp4", SessionID: "pull-dark"}
	_, err := client.StartPull(ctx, req)
	if !errors.Is(err, vod.ErrPullOutcomeUnknown) {
		t.Fatalf("err = %v, want ErrPullOutcomeUnknown", err)
	}
	srv.ClearFaults()
	taskID, err := client.StartPull(context.Background(), req)
	if pulls := pullTasks(srv); err != nil || len(pulls) != 1 || pulls[0].TaskID != taskID {
		t.Fatalf("retry = %q, %v; pull tasks %+v", taskID, err, pulls)
	}
}

func TestStartPullChecksItsInputBeforeSending(t *testing.T) {
	t.Parallel()
	srv, client, origin := pullClient(t, time.Second, nil)
	priority := int64(11)
	for _, req := range []*vod.PullUploadRequest{
		nil,
		{SessionID: "s"},
		{MediaURL: origin + "/a.mp4"},
		{MediaURL: "ftp://example.com/a.mp4", SessionID: "s"},
		{MediaURL: origin + "/a.mp4", SessionID: strings.Repeat("s", 51)},
		{MediaURL: origin + "/a.mp4", SessionID: "s", SourceContext: strings.Repeat("x", 251)},
		{MediaURL: origin + "/a.mp4", SessionID: "s", TasksPriority: &priority},
	} {
		if _, err := client.StartPull(context.Background(), req); !strings.HasPrefix(vod.ErrorCode(err), "ClientError.") {
			t.Errorf("%+v: err %v, want a client-side error", req, err)
		}
	}
	if n := srv.Attempts("PullUpload"); n != 0 {
		t.Errorf("%d PullUpload requests were sent", n)
	}
}
