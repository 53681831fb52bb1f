package vod

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// sequence answers the i-th call with steps[i] (the last step repeats).
func sequence(t *testing.T, steps ...func(w http.ResponseWriter, call apiCall)) *fakeAPI {
	var n atomic.Int32
	return newFakeAPI(t, map[string]string{"AKIDTEST": "test-secret-key"}, func(w http.ResponseWriter, _ *http.Request, call apiCall) {
		i := min(int(n.Add(1))-1, len(steps)-1)
		steps[i](w, call)
	})
}

func commitOK(w http.ResponseWriter, _ apiCall) {
	writeOK(w, "req-commit", map[string]any{
		"FileId": "5285890784246869930", "MediaUrl": "http://vod.example/a.mp4", "CoverUrl": "http://vod.example/a.jpg",
	})
}

func sessionKeyUsed(w http.ResponseWriter, _ apiCall) {
	writeAPIError(w, "req-used", "InvalidParameterValue.VodSessionKey", "session key invalid")
}

func dropped(t *testing.T) func(w http.ResponseWriter, _ apiCall) {
	return func(w http.ResponseWriter, _ apiCall) { dropConnection(t, w) }
}

func params(t *testing.T, call apiCall) map[string]any {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal([]byte(call.RawBody), &p); err != nil {
		t.Fatalf("request body %q: %v", call.RawBody, err)
	}
	return p
}

func TestCommitUploadMapsRequestAndResponse(t *testing.T) {
	t.Parallel()
	api := sequence(t, commitOK)
	cfg := testConfig(t, api.URL())
	cfg.SubAppID = 1500000001
	c := mustClient(t, cfg)
	resp, err := c.CommitUpload(context.Background(), &CommitUploadRequest{VodSessionKey: "vsk-sentinel"})
	if err != nil {
		t.Fatal(err)
	}
	want := CommitUploadResponse{FileID: "5285890784246869930", MediaURL: "http://vod.example/a.mp4", CoverURL: "http://vod.example/a.jpg", RequestID: "req-commit"}
	if *resp != want {
		t.Errorf("response = %+v, want %+v", *resp, want)
	}
	call := api.Calls()[0]
	if call.Action != "CommitUpload" || call.RawBody != `{"VodSessionKey":"vsk-sentinel","SubAppId":1500000001}` {
		t.Errorf("sent %s %s", call.Action, call.RawBody)
	}
}

func TestCommitUploadNeedsSessionKey(t *testing.T) {
	t.Parallel()
	c := mustClient(t, testConfig(t, "http://127.0.0.1:1"))
	for _, req := range []*CommitUploadRequest{nil, {}} {
		if _, err := c.CommitUpload(context.Background(), req); ErrorCode(err) != "ClientError.MissingParameter" {
			t.Errorf("CommitUpload(%v) err = %v", req, err)
		}
	}
}

func TestCommitUploadRequestIsRedacted(t *testing.T) {
	t.Parallel()
	sub := uint64(7)
	req := CommitUploadRequest{VodSessionKey: "vsk-sentinel", SubAppID: &sub}
	for _, s := range []string{fmt.Sprint(req), fmt.Sprintf("%+v", &req), fmt.Sprintf("%#v", req)} {
		if strings.Contains(s, "sentinel") || !strings.Contains(s, "SubAppId:7") {
			t.Errorf("printed %q", s)
		}
	}
}

func TestCommitUploadRetriesAfterNoReply(t *testing.T) {
	t.Parallel()
	api := sequence(t, dropped(t), func(w http.ResponseWriter, _ apiCall) { plain500(w) }, commitOK)
	c := mustClient(t, testConfig(t, api.URL()))
	instantRetries(c)
	resp, err := c.CommitUpload(context.Background(), &CommitUploadRequest{VodSessionKey: "k"})
	if err != nil || resp.FileID != "5285890784246869930" {
		t.Fatalf("resp %v err %v", resp, err)
	}
	if n := len(api.Calls()); n != 3 {
		t.Errorf("calls = %d, want 3", n)
	}
}

func TestCommitUploadLostReplyIsReportedAsUnknownOutcome(t *testing.T) {
	t.Parallel()
	for name, first := range map[string]func(w http.ResponseWriter, call apiCall){
		"dropped connection": dropped(t),
		"bad gateway":        func(w http.ResponseWriter, _ apiCall) { plain500(w) },
		"internal error": func(w http.ResponseWriter, _ apiCall) {
			writeAPIError(w, "req-internal", "InternalError", "oops")
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			api := sequence(t, first, sessionKeyUsed)
			c := mustClient(t, testConfig(t, api.URL()))
			instantRetries(c)
			_, err := c.CommitUpload(context.Background(), &CommitUploadRequest{VodSessionKey: "vsk-sentinel"})
			var unknown *CommitOutcomeUnknownError
			if !errors.As(err, &unknown) {
				t.Fatalf("err = %v (%T), want *CommitOutcomeUnknownError", err, err)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Code != "InvalidParameterValue.VodSessionKey" {
				t.Errorf("wrapped error = %v", unknown.Err)
			}
			if last := unknown.RequestIDs[len(unknown.RequestIDs)-1]; last != "req-used" {
				t.Errorf("request ids = %v", unknown.RequestIDs)
			}
			if name == "internal error" && strings.Join(unknown.RequestIDs, ",") != "req-internal,req-used" {
				t.Errorf("request ids = %v, want both attempts'", unknown.RequestIDs)
			}
			msg := err.Error()
			if !strings.Contains(msg, "may have been created") || !strings.Contains(msg, "FileId was not received") ||
				!strings.Contains(msg, "req-used") || strings.Contains(msg, "sentinel") {
				t.Errorf("message = %q", msg)
			}
			if len(api.Calls()) != 2 {
				t.Errorf("calls = %d, want 2", len(api.Calls()))
			}
		})
	}
}

// A reply that is HTTP 200 but not JSON is an unknown outcome: the commit may have happened. The error
// says what the API answered, never the session key.
func TestCommitUploadNonJSONReplyIsAnUnknownOutcome(t *testing.T) {
	t.Parallel()
	broken := func(w http.ResponseWriter, _ apiCall) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>proxy reset</html>"))
	}
	api := sequence(t, broken, sessionKeyUsed)
	c := mustClient(t, testConfig(t, api.URL()))
	instantRetries(c)
	_, err := c.CommitUpload(context.Background(), &CommitUploadRequest{VodSessionKey: "vsk-sentinel"})
	var unknown *CommitOutcomeUnknownError
	if !errors.As(err, &unknown) || unknown.Uncertain == nil || unknown.Uncertain.Code != CodeParseJSONError {
		t.Fatalf("err = %v (%T), want *CommitOutcomeUnknownError for the unreadable reply", err, err)
	}
	if msg := err.Error(); strings.Contains(msg, "sentinel") || !strings.Contains(msg, "HTTP 200") {
		t.Errorf("message = %q", msg)
	}
}

// When no attempt got an answer before the deadline, or a later attempt failed for another reason,
// the outcome is still unknown: nothing proves the first attempt did not commit.
func TestCommitUploadUnansweredToTheEndIsAnUnknownOutcome(t *testing.T) {
	t.Parallel()
	t.Run("deadline while waiting", func(t *testing.T) {
		t.Parallel()
		api := newSilentAPI(t)
		c := mustClient(t, testConfig(t, api.URL()))
		instantRetries(c)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, err := c.CommitUpload(ctx, &CommitUploadRequest{VodSessionKey: "k"})
		var unknown *CommitOutcomeUnknownError
		if !errors.As(err, &unknown) || !errors.Is(err, context.DeadlineExceeded) || ErrorCode(err) != CodeNetworkError {
			t.Fatalf("err = %v (%T), want an unknown outcome wrapping the deadline", err, err)
		}
	})
	t.Run("then refused for another reason", func(t *testing.T) {
		t.Parallel()
		api := sequence(t, dropped(t), func(w http.ResponseWriter, _ apiCall) {
			writeAPIError(w, "req-auth", "AuthFailure.TokenFailure", "token expired")
		})
		c := mustClient(t, testConfig(t, api.URL()))
		instantRetries(c)
		_, err := c.CommitUpload(context.Background(), &CommitUploadRequest{VodSessionKey: "k"})
		var unknown *CommitOutcomeUnknownError
		if !errors.As(err, &unknown) || ErrorCode(err) != "AuthFailure.TokenFailure" {
			t.Fatalf("err = %v (%T), want an unknown outcome", err, err)
		}
	})
}

func TestCommitUploadInvalidKeyAloneIsAPlainError(t *testing.T) {
	t.Parallel()
	// Without an earlier unanswered attempt, or after mere throttling (which refused the request
	// before it ran), an invalid key is just an invalid key.
	for name, steps := range map[string][]func(w http.ResponseWriter, call apiCall){
		"first attempt":    {sessionKeyUsed},
		"after throttling": {func(w http.ResponseWriter, _ apiCall) { limitExceeded(w) }, sessionKeyUsed},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			api := sequence(t, steps...)
			c := mustClient(t, testConfig(t, api.URL()))
			instantRetries(c)
			_, err := c.CommitUpload(context.Background(), &CommitUploadRequest{VodSessionKey: "k"})
			var unknown *CommitOutcomeUnknownError
			if errors.As(err, &unknown) || ErrorCode(err) != "InvalidParameterValue.VodSessionKey" {
				t.Fatalf("err = %v (%T)", err, err)
			}
			if len(api.Calls()) != len(steps) {
				t.Errorf("calls = %d", len(api.Calls()))
			}
		})
	}
}

func describeAnswer(w http.ResponseWriter, call apiCall) {
	var p struct{ FileIds []string }
	_ = json.Unmarshal([]byte(call.RawBody), &p)
	var infos []any
	missing := []string{}
	for _, id := range p.FileIds {
		if id != "111" {
			missing = append(missing, id)
			continue
		}
		infos = append(infos, map[string]any{
			"FileId": "111",
			"BasicInfo": map[string]any{
				"Name": "clip", "Description": "d", "CreateTime": "2024-01-02T03:04:05Z", "UpdateTime": "2024-01-02T03:04:06Z",
				"ExpireTime": NeverExpires, "ClassId": 3, "ClassName": "Films", "ClassPath": "Films", "CoverUrl": "http://c/1.jpg",
				"Type": "mp4", "MediaUrl": "http://c/1.mp4", "StorageRegion": "ap-guangzhou", "StoragePath": "/a/b.mp4",
				"Vid": "", "Category": "Video", "Status": "Normal", "StorageClass": "STANDARD", "TagSet": []string{"x", "y"},
				"SourceInfo": map[string]any{"SourceType": "Upload", "SourceContext": "ctx", "LiveRecordInfo": nil},
			},
			"MetaData": map[string]any{
				"Size": int64(5) << 32, "Container": "mp4", "Bitrate": 1000, "Height": 720, "Width": 1280, "Duration": 12.5,
				"Rotate": 90, "VideoStreamSet": []any{map[string]any{"Bitrate": 900, "Height": 720, "Width": 1280, "Codec": "h264", "Fps": 25}},
				"AudioStreamSet": []any{map[string]any{"Bitrate": 100, "SamplingRate": 44100, "Codec": "aac"}},
				"VideoDuration":  12.5, "AudioDuration": 12.4, "Md5": "",
			},
			"TranscodeInfo": nil,
		})
	}
	writeOK(w, "req-describe", map[string]any{"MediaInfoSet": infos, "NotExistFileIdSet": missing})
}

func TestDescribeMediaMapsResponse(t *testing.T) {
	t.Parallel()
	api := sequence(t, describeAnswer)
	cfg := testConfig(t, api.URL())
	cfg.SubAppID = 1500000002
	c := mustClient(t, cfg)
	info, err := c.DescribeMedia(context.Background(), "111", nil)
	if err != nil {
		t.Fatal(err)
	}
	b := info.BasicInfo
	if info.FileID != "111" || b == nil || b.Name != "clip" || b.ExpireTime != NeverExpires || b.ClassID != 3 || b.ClassName != "Films" ||
		b.CreateTime != "2024-01-02T03:04:05Z" || b.MediaURL != "http://c/1.mp4" || b.CoverURL != "http://c/1.jpg" ||
		b.StoragePath != "/a/b.mp4" || b.SourceInfo == nil || b.SourceInfo.SourceContext != "ctx" || b.SourceInfo.SourceType != "Upload" ||
		strings.Join(b.TagSet, ",") != "x,y" || b.Category != "Video" || b.Status != "Normal" || b.StorageClass != "STANDARD" {
		t.Errorf("BasicInfo = %+v", b)
	}
	m := info.MetaData
	if m == nil || m.Size != 5<<32 || m.Container != "mp4" || m.Duration != 12.5 || m.Rotate != 90 || len(m.VideoStreamSet) != 1 ||
		m.VideoStreamSet[0].Codec != "h264" || m.AudioStreamSet[0].SamplingRate != 44100 {
		t.Errorf("MetaData = %+v", m)
	}
	if body := api.Calls()[0].RawBody; body != `{"FileIds":["111"],"Filters":["basicInfo","metaData","transcodeInfo",`+
		`"adaptiveDynamicStreamingInfo","snapshotByTimeOffsetInfo","imageSpriteInfo"],"SubAppId":1500000002}` {
		t.Errorf("body = %s", body)
	}
}

func TestDescribeMediaNotFound(t *testing.T) {
	t.Parallel()
	api := sequence(t, describeAnswer)
	c := mustClient(t, testConfig(t, api.URL()))
	sub := uint64(9)
	_, err := c.DescribeMedia(context.Background(), "222", &sub)
	if !errors.Is(err, ErrMediaNotFound) || !strings.Contains(err.Error(), "222") || !strings.Contains(err.Error(), "req-describe") {
		t.Fatalf("err = %v", err)
	}
	if p := params(t, api.Calls()[0]); p["SubAppId"] != float64(9) {
		t.Errorf("params = %v", p)
	}
}

func TestDescribeMediaInfos(t *testing.T) {
	t.Parallel()
	api := sequence(t, describeAnswer)
	c := mustClient(t, testConfig(t, api.URL()))
	resp, err := c.DescribeMediaInfos(context.Background(), &DescribeMediaInfosRequest{FileIDs: []string{"111", "333"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.MediaInfoSet) != 1 || strings.Join(resp.NotExistFileIDSet, ",") != "333" || resp.RequestID != "req-describe" {
		t.Errorf("response = %+v", resp)
	}
	if body := api.Calls()[0].RawBody; body != `{"FileIds":["111","333"]}` {
		t.Errorf("body = %s, want no Filters (all sections) and no SubAppId", body)
	}
	for _, ids := range [][]string{nil, make([]string, MaxDescribeFileIDs+1)} {
		_, err := c.DescribeMediaInfos(context.Background(), &DescribeMediaInfosRequest{FileIDs: ids})
		if !strings.HasPrefix(ErrorCode(err), "ClientError.") {
			t.Errorf("%d ids: err = %v", len(ids), err)
		}
	}
	if len(api.Calls()) != 1 {
		t.Errorf("invalid requests were sent")
	}
}

func TestDeleteMedia(t *testing.T) {
	t.Parallel()
	api := sequence(t,
		func(w http.ResponseWriter, _ apiCall) { writeOK(w, "req-del", nil) },
		func(w http.ResponseWriter, _ apiCall) {
			writeAPIError(w, "req-gone", "ResourceNotFound", "no such file")
		},
		func(w http.ResponseWriter, _ apiCall) { writeAPIError(w, "req-auth", "UnauthorizedOperation", "no") },
	)
	cfg := testConfig(t, api.URL())
	cfg.SubAppID = 1500000003
	c := mustClient(t, cfg)
	ctx := context.Background()
	if err := c.DeleteMedia(ctx, &DeleteMediaRequest{FileID: "111", DeleteParts: []MediaDeleteItem{{Type: "TranscodeFiles", Definition: 100010}, {Type: "OriginalFiles"}}}); err != nil {
		t.Fatal(err)
	}
	if body := api.Calls()[0].RawBody; body != `{"FileId":"111","DeleteParts":[{"Type":"TranscodeFiles","Definition":100010},{"Type":"OriginalFiles"}],"SubAppId":1500000003}` {
		t.Errorf("body = %s", body)
	}

	err := c.DeleteMedia(ctx, &DeleteMediaRequest{FileID: "111"})
	var apiErr *APIError
	if !errors.Is(err, ErrMediaNotFound) || !errors.As(err, &apiErr) || apiErr.RequestID != "req-gone" ||
		err.Error() != "DeleteMedia: [ResourceNotFound] no such file (RequestId: req-gone)" {
		t.Fatalf("err = %v", err)
	}
	if body := api.Calls()[1].RawBody; strings.Contains(body, "DeleteParts") {
		t.Errorf("body = %s: no DeleteParts means delete everything", body)
	}

	err = c.DeleteMedia(ctx, &DeleteMediaRequest{FileID: "111"})
	if errors.Is(err, ErrMediaNotFound) || ErrorCode(err) != "UnauthorizedOperation" {
		t.Errorf("err = %v", err)
	}
	if err := c.DeleteMedia(ctx, &DeleteMediaRequest{}); ErrorCode(err) != "ClientError.MissingParameter" {
		t.Errorf("no FileId: err = %v", err)
	}
}

func TestDeleteMediaRetriesAfterNoReply(t *testing.T) {
	t.Parallel()
	api := sequence(t, dropped(t), func(w http.ResponseWriter, _ apiCall) { writeOK(w, "req-del", nil) })
	c := mustClient(t, testConfig(t, api.URL()))
	instantRetries(c)
	if err := c.DeleteMedia(context.Background(), &DeleteMediaRequest{FileID: "111"}); err != nil || len(api.Calls()) != 2 {
		t.Fatalf("err %v after %d calls", err, len(api.Calls()))
	}
}

func TestModifyMediaInfo(t *testing.T) {
	t.Parallel()
	api := sequence(t,
		func(w http.ResponseWriter, _ apiCall) {
			writeOK(w, "req-mod", map[string]any{"CoverUrl": "http://c/new.png"})
		},
		func(w http.ResponseWriter, _ apiCall) {
			writeAPIError(w, "req-nf", "ResourceNotFound.FileNotExist", "file does not exist")
		},
	)
	c := mustClient(t, testConfig(t, api.URL()))
	name, desc, expire, cover := "new name", "", NeverExpires, "iVBORw0KGgo="
	class, clearTags := int64(0), int64(1)
	resp, err := c.ModifyMediaInfo(context.Background(), &ModifyMediaInfoRequest{
		FileID: "111", Name: &name, Description: &desc, ClassID: &class, ExpireTime: &expire, CoverData: &cover,
		DeleteTags: []string{"old"}, ClearTags: &clearTags,
	})
	if err != nil || resp.CoverURL != "http://c/new.png" || resp.RequestID != "req-mod" {
		t.Fatalf("resp %+v err %v", resp, err)
	}
	want := `{"FileId":"111","Name":"new name","Description":"","ClassId":0,"ExpireTime":"9999-12-31T23:59:59Z","CoverData":"iVBORw0KGgo=","DeleteTags":["old"],"ClearTags":1}`
	if body := api.Calls()[0].RawBody; body != want {
		t.Errorf("body = %s\nwant   %s", body, want)
	}

	_, err = c.ModifyMediaInfo(context.Background(), &ModifyMediaInfoRequest{FileID: "111", AddTags: []string{"a"}})
	if !errors.Is(err, ErrMediaNotFound) || ErrorCode(err) != "ResourceNotFound.FileNotExist" {
		t.Fatalf("err = %v", err)
	}
	if body := api.Calls()[1].RawBody; body != `{"FileId":"111","AddTags":["a"]}` {
		t.Errorf("body = %s", body)
	}
	if _, err := c.ModifyMediaInfo(context.Background(), nil); ErrorCode(err) != "ClientError.MissingParameter" {
		t.Errorf("nil request: err = %v", err)
	}
}

// A commit whose reply stops partway through its body (here until the deadline ends the read) was
// carried out: its outcome is unknown, not a plain failure that would leave the media untracked.
func TestCommitUploadReplyCutShortIsAnUnknownOutcome(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	api := newFakeAPI(t, map[string]string{"AKIDTEST": "test-secret-key"}, func(w http.ResponseWriter, r *http.Request, _ apiCall) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "400")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"Response": {"FileId": "52`))
		if flusher, ok := w.(http.Flusher); ok {
			flusher.Flush()
		}
		select { // the rest never comes
		case <-r.Context().Done():
		case <-release:
		}
	})
	c := mustClient(t, testConfig(t, api.URL()))
	instantRetries(c)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.CommitUpload(ctx, &CommitUploadRequest{VodSessionKey: "vsk-sentinel"})
	var unknown *CommitOutcomeUnknownError
	if !errors.As(err, &unknown) || unknown.Uncertain == nil {
		t.Fatalf("err = %v (%T), want *CommitOutcomeUnknownError for the reply cut short", err, err)
	}
}
