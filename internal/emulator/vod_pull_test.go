package emulator

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// pullTask is DescribeTaskDetail's reply for a pull, as a client decodes it.
type pullTask struct {
	TaskType      string
	Status        string
	ProcedureTask map[string]any
	// PullUploadTask is the task's own section.
	PullUploadTask *struct {
		TaskId, Status, Message, FileId, FileUrl, ProcedureTaskId, SessionContext, SessionId string
		ErrCode, Progress                                                                    int64
		MediaBasicInfo                                                                       *struct{ Name, CoverUrl, Type, StorageRegion string }
		MetaData                                                                             *struct{ Size int64 }
	}
}

// origin serves files for pulls: path -> body; a path it does not know is 404.
func origin(t *testing.T, files map[string][]byte) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch body, ok := files[r.URL.Path]; {
		case r.URL.Path == "/broken.mp4":
			http.Error(w, "origin down", http.StatusBadGateway)
		case r.URL.Path == "/truncated.mp4":
			// Promise more than is sent, then hang up.
			w.Header().Set("Content-Length", "100000")
			_, _ = w.Write([]byte("only a little"))
			if hj, ok := w.(http.Hijacker); ok {
				conn, _, _ := hj.Hijack()
				_ = conn.Close()
			}
		case !ok:
			http.NotFound(w, r)
		default:
			_, _ = w.Write(body)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func startPull(t *testing.T, srv *Server, params map[string]any) string {
	t.Helper()
	reply := vodCall(t, srv, "PullUpload", params)
	wantCode(t, reply, "")
	var r struct{ TaskId string }
	reply.decode(t, &r)
	if !strings.Contains(r.TaskId, "-pull-") || !taskIDPattern.MatchString(r.TaskId) {
		t.Fatalf("TaskId %q is not shaped like a pull task id", r.TaskId)
	}
	return r.TaskId
}

func describePull(t *testing.T, srv *Server, taskID string) pullTask {
	t.Helper()
	reply := vodCall(t, srv, "DescribeTaskDetail", map[string]any{"TaskId": taskID})
	wantCode(t, reply, "")
	var d pullTask
	reply.decode(t, &d)
	if d.TaskType != "PullUpload" || d.PullUploadTask == nil || d.ProcedureTask != nil {
		t.Fatalf("TaskType %q, PullUploadTask %v, ProcedureTask %v", d.TaskType, d.PullUploadTask, d.ProcedureTask)
	}
	return d
}

// awaitFetched waits (in real time) until the emulator has fetched the pull's file, or failed to.
func awaitFetched(t *testing.T, srv *Server, taskID string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, task := range srv.Tasks() {
			if task.TaskID == taskID && task.Pull.Done {
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("the pull %s did not fetch its file within 20s", taskID)
}

func TestPullUpload_fetchesTheURLAndCreatesMediaWithCoverAndProcedure(t *testing.T) {
	t.Parallel()
	video := bytes.Repeat([]byte("pulled-video-"), 5000)
	cover := []byte("\x89PNG cover bytes")
	from := origin(t, map[string][]byte{"/library/talk.mp4": video, "/covers/talk.png": cover})
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now, TaskDuration: taskTestDuration})

	id := startPull(t, srv, map[string]any{
		"MediaUrl": from.URL + "/library/talk.mp4", "CoverUrl": from.URL + "/covers/talk.png",
		"Procedure": ProcedureTranscodeAndSnapshot, "SessionId": "pull-1", "SessionContext": "ctx", "ClassId": 0,
		"StorageRegion": "ap-chongqing", "TasksPriority": 5,
	})
	if d := describePull(t, srv, id); d.Status != TaskWaiting || d.PullUploadTask.Status != TaskProcessing ||
		d.PullUploadTask.Progress != 0 || d.PullUploadTask.FileId != "" || d.PullUploadTask.SessionId != "pull-1" {
		t.Fatalf("at once: %+v %+v", d, *d.PullUploadTask)
	}
	awaitFetched(t, srv, id)
	clock.Advance(taskTestDuration / 2)
	if d := describePull(t, srv, id); d.Status != TaskProcessing || d.PullUploadTask.Progress != 99 {
		t.Fatalf("fetched, before the task's duration: status %s, progress %d", d.Status, d.PullUploadTask.Progress)
	}
	clock.Advance(taskTestDuration)
	d := describePull(t, srv, id)
	p := d.PullUploadTask
	if d.Status != TaskFinish || p.Status != TaskFinish || p.ErrCode != 0 || p.Progress != 100 || p.FileId == "" ||
		p.FileUrl == "" || p.MediaBasicInfo == nil || p.MediaBasicInfo.Name != "talk" || p.MediaBasicInfo.Type != "mp4" ||
		p.MediaBasicInfo.StorageRegion != "ap-chongqing" || p.MetaData == nil || p.MetaData.Size != int64(len(video)) ||
		p.SessionContext != "ctx" {
		t.Fatalf("finished: %+v %+v", d, *p)
	}

	m, ok := srv.MediaFile(p.FileId)
	if !ok {
		t.Fatalf("media %s does not exist", p.FileId)
	}
	if got, _ := srv.Object(m.Bucket, m.MediaKey); !bytes.Equal(got, video) {
		t.Fatalf("stored %d bytes, want the %d the origin served", len(got), len(video))
	}
	if got, _ := srv.Object(m.Bucket, m.CoverKey); !bytes.Equal(got, cover) || m.CoverURL == "" {
		t.Fatalf("cover %q at %q, want the origin's", got, m.CoverURL)
	}
	_, body := fetch(t, http.MethodGet, p.FileUrl, nil)
	if !bytes.Equal(body, video) {
		t.Fatalf("FileUrl serves %d bytes, want %d", len(body), len(video))
	}

	// The procedure ran on the new media, and both tasks are listed.
	var procedure *Task
	for _, task := range srv.Tasks() {
		if task.TaskID == p.ProcedureTaskId {
			procedure = &task
		}
	}
	if procedure == nil || procedure.FileID != p.FileId || procedure.Procedure != ProcedureTranscodeAndSnapshot ||
		procedure.TasksPriority != 5 || procedure.SessionContext != "ctx" {
		t.Fatalf("ProcedureTaskId %q: task %+v", p.ProcedureTaskId, procedure)
	}
	reply := vodCall(t, srv, "DescribeTasks", map[string]any{"FileId": p.FileId})
	wantCode(t, reply, "")
	var listed struct{ TaskSet []taskSimpleInfo }
	reply.decode(t, &listed)
	types := map[string]string{}
	for _, info := range listed.TaskSet {
		types[info.TaskType] = info.SessionID
	}
	if len(listed.TaskSet) != 2 || types["PullUpload"] != "pull-1" || types["Procedure"] != "" {
		t.Fatalf("DescribeTasks of the file: %+v", listed.TaskSet)
	}

	// It is media like any other: described, and deleted with its objects.
	wantCode(t, vodCall(t, srv, "DescribeMediaInfos", map[string]any{"FileIds": []string{p.FileId}}), "")
	wantCode(t, vodCall(t, srv, "DeleteMedia", map[string]any{"FileId": p.FileId}), "")
	if _, ok := srv.Object(m.Bucket, m.MediaKey); ok {
		t.Fatal("DeleteMedia left the pulled object")
	}
}

func TestPullUpload_failedFetchesEndWithTheirErrCode(t *testing.T) {
	t.Parallel()
	from := origin(t, map[string][]byte{"/ok.mp4": []byte("video")})
	closed := httptest.NewServer(http.NotFoundHandler())
	unreachable := closed.URL + "/gone.mp4"
	closed.Close()
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now, TaskDuration: taskTestDuration})

	for _, tc := range []struct {
		url     string
		failing bool // FailNextPulls before it
		errCode int64
		message string
	}{
		{from.URL + "/missing.mp4", false, PullErrInvalidInput, "404"},
		{unreachable, false, PullErrInvalidInput, "could not be fetched"},
		{from.URL + "/broken.mp4", false, PullErrSourceFile, "502"},
		{from.URL + "/truncated.mp4", false, PullErrSourceFile, "in full"},
		{from.URL + "/ok.mp4", true, PullErrInternalError, "retry"},
	} {
		if tc.failing {
			srv.FailNextPulls(1)
		}
		id := startPull(t, srv, map[string]any{"MediaUrl": tc.url})
		awaitFetched(t, srv, id)
		clock.Advance(taskTestDuration)
		p := describePull(t, srv, id).PullUploadTask
		if p.Status != TaskFinish || p.ErrCode != tc.errCode || !strings.Contains(p.Message, tc.message) || p.FileId != "" {
			t.Errorf("%s: %+v, want ErrCode %d with %q", tc.url, *p, tc.errCode, tc.message)
		}
	}
	if media := srv.Media(); len(media) != 0 {
		t.Errorf("failed pulls created %d media", len(media))
	}
	if objects := srv.ObjectStore().Objects(); len(objects) != 0 {
		t.Errorf("failed pulls left %d objects", len(objects))
	}
	// The count is used up: the next pull succeeds.
	id := startPull(t, srv, map[string]any{"MediaUrl": from.URL + "/ok.mp4"})
	awaitFetched(t, srv, id)
	clock.Advance(taskTestDuration)
	if p := describePull(t, srv, id).PullUploadTask; p.ErrCode != 0 || p.FileId == "" {
		t.Errorf("after the failures: %+v", *p)
	}
}

func TestPullUpload_refusesBadRequestsWithTheDocumentedCodes(t *testing.T) {
	t.Parallel()
	from := origin(t, map[string][]byte{"/a.mp4": []byte("video"), "/c.png": []byte("png")})
	srv := startTestServer(t, Options{})
	ok := from.URL + "/a.mp4"
	for _, tc := range []struct {
		params map[string]any
		code   ErrorCode
	}{
		{map[string]any{}, CodeMissingParameter},
		{map[string]any{"MediaUrl": "ftp://example.com/a.mp4"}, CodeInvalidMediaURL},
		{map[string]any{"MediaUrl": "not a url/a.mp4"}, CodeInvalidMediaURL},
		{map[string]any{"MediaUrl": from.URL + "/stream.mpd"}, CodeFailedMediaType},
		{map[string]any{"MediaUrl": ok, "MediaType": "mpd"}, CodeFailedMediaType},
		{map[string]any{"MediaUrl": from.URL + "/noextension"}, CodeFailedMediaType},
		{map[string]any{"MediaUrl": from.URL + "/a.exe"}, CodeFailedMediaType},
		{map[string]any{"MediaUrl": ok, "CoverUrl": from.URL + "/missing.png"}, CodeCoverURLNotFound},
		{map[string]any{"MediaUrl": ok, "CoverUrl": from.URL + "/c.bmp"}, CodeInvalidCoverURL},
		{map[string]any{"MediaUrl": ok, "SessionId": strings.Repeat("s", 51)}, CodeSessionIDTooLong},
		{map[string]any{"MediaUrl": ok, "StorageRegion": "eu-moscow"}, CodeInvalidStorageRegion},
		{map[string]any{"MediaUrl": ok, "ClassId": 999}, CodeInvalidClassID},
		{map[string]any{"MediaUrl": ok, "Procedure": "NoSuchFlow"}, CodeProcedureNameNotExist},
		{map[string]any{"MediaUrl": ok, "TasksPriority": 11}, CodeInvalidParameterValue},
		{map[string]any{"MediaUrl": ok, "SourceContext": strings.Repeat("x", 251)}, CodeInvalidParameterValue},
		{map[string]any{"MediaUrl": ok, "SessionContext": strings.Repeat("x", 1001)}, CodeSessionContextTooLong},
		{map[string]any{"MediaUrl": ok, "ExpireTime": "2001-01-01T00:00:00Z"}, CodeInvalidExpireTime},
		{map[string]any{"MediaUrl": ok, "MediaStoragePath": "/x/a.mp4"}, CodeInvalidMediaStoragePath},
	} {
		reply := vodCall(t, srv, "PullUpload", tc.params)
		if reply.ErrorCode != string(tc.code) {
			t.Errorf("%v: code %q (%s), want %q", tc.params, reply.ErrorCode, reply.Message, tc.code)
		}
	}
	if tasks := srv.Tasks(); len(tasks) != 0 {
		t.Errorf("refused pulls stored %d tasks", len(tasks))
	}
	// HLS can be pulled.
	startPull(t, srv, map[string]any{"MediaUrl": from.URL + "/live/index.m3u8"})
}

func TestPullUpload_sessionIDRefusesARepeatForThreeDays(t *testing.T) {
	t.Parallel()
	from := origin(t, map[string][]byte{"/a.mp4": []byte("video")})
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now, SubAppIDs: []uint64{DefaultSubAppID, DefaultSubAppID + 1}})
	params := map[string]any{"MediaUrl": from.URL + "/a.mp4", "SessionId": "once"}
	first := startPull(t, srv, params)
	wantCode(t, vodCall(t, srv, "PullUpload", params), CodeInvalidSessionID)
	// Another application has its own SessionIds.
	startPull(t, srv, map[string]any{"MediaUrl": from.URL + "/a.mp4", "SessionId": "once", "SubAppId": DefaultSubAppID + 1})

	// The refused repeat is not a task; the first one is listed with its SessionId.
	reply := vodCall(t, srv, "DescribeTasks", map[string]any{})
	var listed struct{ TaskSet []taskSimpleInfo }
	reply.decode(t, &listed)
	if len(listed.TaskSet) != 1 || listed.TaskSet[0].TaskID != first || listed.TaskSet[0].SessionID != "once" ||
		listed.TaskSet[0].TaskType != "PullUpload" {
		t.Fatalf("DescribeTasks: %+v", listed.TaskSet)
	}
	clock.Advance(3*24*time.Hour + time.Second)
	startPull(t, srv, params)
}

// A pull whose origin never answers keeps its task PROCESSING, and closing the emulator ends the fetch.
func TestPullUpload_staysProcessingWhileTheOriginIsSlow(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		_, _ = w.Write([]byte("12345"))
		_ = http.NewResponseController(w).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })
	clock := newFakeClock()
	srv, err := Start(Options{Clock: clock.Now, TaskDuration: taskTestDuration})
	if err != nil {
		t.Fatal(err)
	}
	id := startPull(t, srv, map[string]any{"MediaUrl": slow.URL + "/slow.mp4"})
	deadline := time.Now().Add(10 * time.Second)
	for {
		clock.Advance(taskTestDuration)
		p := describePull(t, srv, id)
		if p.Status != TaskProcessing {
			t.Fatalf("status %s while the origin has not sent the file", p.Status)
		}
		if p.PullUploadTask.Progress == 50 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("progress %d, want 50 after half of the file", p.PullUploadTask.Progress)
		}
		time.Sleep(5 * time.Millisecond)
	}
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end the fetch in progress")
	}
}

// An HLS pull fetches the master playlist, its variant playlists and their segments, stored next to
// the media under the same relative paths.
func TestPullUpload_hlsFetchesVariantsAndSegments(t *testing.T) {
	t.Parallel()
	files := map[string][]byte{
		"/show/master.m3u8":        []byte("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\nlow/index.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2000000\nhigh/index.m3u8\n"),
		"/show/low/index.m3u8":     []byte("#EXTM3U\n#EXTINF:4,\nseg0.ts\n#EXTINF:4,\nseg1.ts\n#EXTINF:4,\nindex.m3u8\n"),
		"/show/high/index.m3u8":    []byte("#EXTM3U\n#EXTINF:4,\nparts/seg0.ts\n"),
		"/show/low/seg0.ts":        []byte("low-0"),
		"/show/low/seg1.ts":        []byte("low-1"),
		"/show/high/parts/seg0.ts": []byte("high-0"),
		"/bad/escape.m3u8":         []byte("#EXTM3U\n../secret.ts\n"),
		"/bad/query.m3u8":          []byte("#EXTM3U\nseg.ts?token=1\n"),
		"/bad/missing.m3u8":        []byte("#EXTM3U\nnot-there.ts\n"),
		"/bad/notaplaylist.m3u8":   []byte("<html>login</html>"),
	}
	from := origin(t, files)
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now, TaskDuration: taskTestDuration})

	id := startPull(t, srv, map[string]any{"MediaUrl": from.URL + "/show/master.m3u8", "MediaName": "Show"})
	awaitFetched(t, srv, id)
	clock.Advance(taskTestDuration)
	p := describePull(t, srv, id).PullUploadTask
	if p.ErrCode != 0 || p.FileId == "" {
		t.Fatalf("pull: %+v", *p)
	}
	m, _ := srv.MediaFile(p.FileId)
	dir := m.MediaKey[:strings.LastIndex(m.MediaKey, "/")]
	pulled := map[string]string{
		m.MediaKey: "/show/master.m3u8", dir + "/low/index.m3u8": "/show/low/index.m3u8",
		dir + "/low/seg0.ts": "/show/low/seg0.ts", dir + "/low/seg1.ts": "/show/low/seg1.ts",
		dir + "/high/index.m3u8": "/show/high/index.m3u8", dir + "/high/parts/seg0.ts": "/show/high/parts/seg0.ts",
	}
	var size int64
	for key, want := range pulled {
		if got, _ := srv.Object(m.Bucket, key); !bytes.Equal(got, files[want]) {
			t.Errorf("%s holds %q, want %s's %q", key, got, want, files[want])
		}
		size += int64(len(files[want]))
	}
	if m.Type != "m3u8" || m.Name != "Show" || m.Size != size {
		t.Errorf("media type %q, name %q, size %d; want m3u8, Show and %d (every file of the stream)", m.Type, m.Name, m.Size, size)
	}

	before := len(srv.ObjectStore().Objects())
	for _, tc := range []struct {
		path    string
		errCode int64
	}{
		{"/bad/escape.m3u8", PullErrInvalidInput},
		{"/bad/query.m3u8", PullErrInvalidInput},
		{"/bad/missing.m3u8", PullErrInvalidInput},
		{"/bad/notaplaylist.m3u8", PullErrSourceFile},
	} {
		id := startPull(t, srv, map[string]any{"MediaUrl": from.URL + tc.path})
		awaitFetched(t, srv, id)
		clock.Advance(taskTestDuration)
		if p := describePull(t, srv, id).PullUploadTask; p.ErrCode != tc.errCode || p.FileId != "" {
			t.Errorf("%s: %+v, want ErrCode %d", tc.path, *p, tc.errCode)
		}
	}
	if after := len(srv.ObjectStore().Objects()); after != before {
		t.Errorf("failed HLS pulls left %d objects", after-before)
	}

	// Deleting the pulled stream deletes all of it, not only its master playlist.
	wantCode(t, vodCall(t, srv, "DeleteMedia", map[string]any{"FileId": p.FileId}), "")
	for key := range pulled {
		if _, ok := srv.Object(m.Bucket, key); ok {
			t.Errorf("DeleteMedia left %s of the pulled stream", key)
		}
	}
}
