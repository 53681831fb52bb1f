package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	cos "github.com/tencentyun/cos-go-sdk-v5"
)

var fileIDPattern = regexp.MustCompile(`^[1-9][0-9]{18}$`)

func TestCommitUpload_createsMediaFile(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now, ClassIDs: []int64{7}})
	expires := clock.Now().Add(48 * time.Hour)
	u := applyUpload(t, srv, mustJSON(t, map[string]any{"MediaType": "MP4", "MediaName": "假期 clip", "CoverType": "png",
		"ClassId": 7, "SourceContext": "ctx-1", "ExpireTime": expires.Format(time.RFC3339)}))
	putUploadObjects(t, srv, &u)
	clock.Advance(time.Minute)

	reply := vodCall(t, srv, "CommitUpload", map[string]any{"VodSessionKey": u.VodSessionKey, "SubAppId": DefaultSubAppID})
	wantCode(t, reply, "")
	var c commitReply
	reply.decode(t, &c)
	if !fileIDPattern.MatchString(c.FileId) {
		t.Fatalf("FileId = %q", c.FileId)
	}
	// The storage path keeps the media name as given; the URL escapes it.
	if dir, ok := strings.CutSuffix(u.MediaStoragePath, "/假期 clip.mp4"); !ok {
		t.Fatalf("MediaStoragePath = %q, want the media name as its file name", u.MediaStoragePath)
	} else if wantMediaURL := srv.URL() + "/_media/" + u.StorageBucket + dir + "/%E5%81%87%E6%9C%9F%20clip.mp4"; c.MediaUrl != wantMediaURL {
		t.Fatalf("MediaUrl = %q, want %q", c.MediaUrl, wantMediaURL)
	}
	wantMediaURL := c.MediaUrl
	wantCoverURL := srv.URL() + "/_media/" + u.StorageBucket + *u.CoverStoragePath
	if c.MediaUrl != wantMediaURL || c.CoverUrl != wantCoverURL {
		t.Fatalf("urls = %q %q, want %q %q", c.MediaUrl, c.CoverUrl, wantMediaURL, wantCoverURL)
	}

	m, ok := srv.MediaFile(c.FileId)
	if !ok {
		t.Fatal("MediaFile not found")
	}
	want := MediaFile{
		FileID: c.FileId, SubAppID: DefaultSubAppID, Name: "假期 clip", ClassID: 7, ExpireTime: expires, Type: "mp4",
		Category: "Video", MediaURL: wantMediaURL, CoverURL: wantCoverURL, StorageRegion: "ap-guangzhou",
		Bucket: u.StorageBucket, MediaKey: u.mediaKey(), CoverKey: u.coverKey(), Size: int64(len(u.media)),
		Tags: []string{}, SourceContext: "ctx-1", SessionRequestID: srv.Sessions()[0].RequestID,
		CreateTime: clock.Now(), UpdateTime: clock.Now(),
	}
	if mustJSON(t, m) != mustJSON(t, want) {
		t.Fatalf("media file =\n%+v\nwant\n%+v", m, want)
	}
	if got := srv.Sessions()[0].FileID; got != c.FileId {
		t.Fatalf("session FileID = %q", got)
	}
	if all := srv.Media(); len(all) != 1 || all[0].FileID != c.FileId {
		t.Fatalf("Media() = %+v", all)
	}

	// Both URLs serve the uploaded bytes without a signature.
	for url, content := range map[string][]byte{c.MediaUrl: u.media, c.CoverUrl: u.cover} {
		resp, body := fetch(t, http.MethodGet, url, nil)
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, content) {
			t.Fatalf("GET %s = %d %q", url, resp.StatusCode, body)
		}
	}
}

func TestCommitUpload_defaultsWithoutOptionalParameters(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{SubAppIDs: []uint64{1500000000, 1500000001}})
	_, c := uploadMedia(t, srv, `{"MediaType":"flac","SubAppId":1500000001}`)
	m, _ := srv.MediaFile(c.FileId)
	// Without MediaName the file is named after its object; without CoverType there is no cover.
	if m.Name != "f0" || m.Category != "Audio" || m.Type != "flac" || !m.ExpireTime.IsZero() || m.CoverURL != "" ||
		m.CoverKey != "" || c.CoverUrl != "" || m.ClassID != 0 || m.SubAppID != 1500000001 {
		t.Fatalf("media = %+v, reply %+v", m, c)
	}
}

func TestCommitUpload_errors(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now, SubAppIDs: []uint64{1500000000, 1500000001}, SessionTTL: time.Hour})

	notUploaded := applyUpload(t, srv, `{"MediaType":"mp4"}`)
	coverMissing := applyUpload(t, srv, `{"MediaType":"mp4","CoverType":"jpg"}`)
	putUploadObjects(t, srv, &coverMissing)
	srv.ObjectStore().DeleteObject(coverMissing.StorageBucket, coverMissing.coverKey())
	otherApp := applyUpload(t, srv, `{"MediaType":"mp4","SubAppId":1500000001}`)
	putUploadObjects(t, srv, &otherApp)
	committed, _ := uploadMedia(t, srv, `{"MediaType":"mp4"}`)

	tests := []struct {
		name string
		body string
		want ErrorCode
	}{
		{"missing key", `{}`, CodeMissingParameter},
		{"empty key", `{"VodSessionKey":""}`, CodeMissingParameter},
		{"key of wrong type", `{"VodSessionKey":5}`, CodeInvalidParameter},
		{"unknown parameter", `{"VodSessionKey":"k","MediaType":"mp4"}`, CodeUnknownParameter},
		{"unknown key", `{"VodSessionKey":"not-a-session"}`, CodeInvalidVodSessionKey},
		{"already committed", `{"VodSessionKey":"` + committed.VodSessionKey + `"}`, CodeInvalidVodSessionKey},
		{"media never uploaded", `{"VodSessionKey":"` + notUploaded.VodSessionKey + `"}`, CodeResourceNotFound},
		{"cover never uploaded", `{"VodSessionKey":"` + coverMissing.VodSessionKey + `"}`, CodeResourceNotFound},
		{"another application's session", `{"VodSessionKey":"` + otherApp.VodSessionKey + `","SubAppId":1500000000}`, CodeInvalidSubAppID},
		{"unknown application", `{"VodSessionKey":"` + otherApp.VodSessionKey + `","SubAppId":42}`, CodeInvalidSubAppID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, call(t, srv, apiRequest{Action: "CommitUpload", Body: tt.body}), tt.want)
		})
	}
	wantCode(t, call(t, srv, apiRequest{Action: "CommitUpload", Body: `{"VodSessionKey":"k"}`, NoRegion: true}), CodeMissingParameter)

	// The failed commits created nothing, and the sessions whose objects exist can still commit.
	if n := len(srv.Media()); n != 1 {
		t.Fatalf("%d media files after failed commits", n)
	}
	wantCode(t, vodCall(t, srv, "CommitUpload", map[string]any{"VodSessionKey": otherApp.VodSessionKey}), "")
	if message := call(t, srv, apiRequest{Action: "CommitUpload", Body: `{"VodSessionKey":"` + committed.VodSessionKey + `"}`}).Message; strings.Contains(message, committed.VodSessionKey) {
		t.Fatal("the error message repeats the session key")
	}

	// Once the session's credential has expired, the key is no longer valid.
	putUploadObjects(t, srv, &notUploaded)
	clock.Advance(time.Hour)
	wantCode(t, vodCall(t, srv, "CommitUpload", map[string]any{"VodSessionKey": notUploaded.VodSessionKey}), CodeInvalidVodSessionKey)
}

func TestCommitUpload_requireSubAppID(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{RequireSubAppID: true})
	u := applyUpload(t, srv, `{"MediaType":"mp4","SubAppId":1500000000}`)
	putUploadObjects(t, srv, &u)
	wantCode(t, vodCall(t, srv, "CommitUpload", map[string]any{"VodSessionKey": u.VodSessionKey}), CodeInvalidSubAppID)
	wantCode(t, vodCall(t, srv, "CommitUpload", map[string]any{"VodSessionKey": u.VodSessionKey, "SubAppId": 1500000000}), "")
}

func TestCommitUpload_singleUseUnderConcurrency(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	u := applyUpload(t, srv, `{"MediaType":"mp4"}`)
	putUploadObjects(t, srv, &u)
	const attempts = 12
	codes := make(chan string, attempts)
	var wg sync.WaitGroup
	for range attempts {
		req := apiRequest{Action: "CommitUpload", Body: mustJSON(t, map[string]any{"VodSessionKey": u.VodSessionKey})}.build(t, srv)
		wg.Go(func() {
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				codes <- "transport: " + err.Error()
				return
			}
			defer resp.Body.Close()
			var envelope struct {
				Response struct{ Error struct{ Code string } }
			}
			_ = json.NewDecoder(resp.Body).Decode(&envelope)
			codes <- envelope.Response.Error.Code
		})
	}
	wg.Wait()
	close(codes)
	successes := 0
	for code := range codes {
		switch code {
		case "":
			successes++
		case string(CodeInvalidVodSessionKey):
		default:
			t.Fatalf("unexpected reply %q", code)
		}
	}
	if successes != 1 || len(srv.Media()) != 1 {
		t.Fatalf("%d successful commits, %d media files; want exactly one", successes, len(srv.Media()))
	}
}

func TestCommitUpload_temporaryKeyLosesWriteAccess(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	u := applyUpload(t, srv, `{"MediaType":"mp4"}`)
	base, _ := url.Parse(srv.URL())
	client := cos.NewClient(&cos.BaseURL{BucketURL: base}, &http.Client{Transport: &cos.AuthorizationTransport{
		SecretID: u.TempCertificate.SecretId, SecretKey: u.TempCertificate.SecretKey, SessionToken: u.TempCertificate.Token,
	}})
	ctx := context.Background()
	if _, err := client.Object.Put(ctx, u.mediaKey(), strings.NewReader("first"), nil); err != nil {
		t.Fatalf("Put before commit: %v", err)
	}
	wantCode(t, vodCall(t, srv, "CommitUpload", map[string]any{"VodSessionKey": u.VodSessionKey}), "")

	_, err := client.Object.Put(ctx, u.mediaKey(), strings.NewReader("replaced"), nil)
	if cosErr, ok := cos.IsCOSError(err); !ok || cosErr.Response.StatusCode != http.StatusForbidden {
		t.Fatalf("Put after commit: err = %v, want a 403 COS error", err)
	}
	if got, _ := srv.Object(u.StorageBucket, u.mediaKey()); string(got) != "first" {
		t.Fatalf("object = %q after a refused write", got)
	}
	resp, err := client.Object.Get(ctx, u.mediaKey(), nil)
	if err != nil {
		t.Fatalf("Get after commit: %v", err)
	}
	resp.Body.Close()

	// Reading stays limited to the session's own keys: another session's media is off limits.
	other := applyUpload(t, srv, `{"MediaType":"mp4"}`)
	if err := putObject(srv, other.StorageBucket, other.mediaKey()); err != nil {
		t.Fatal(err)
	}
	_, err = client.Object.Get(ctx, other.mediaKey(), nil)
	if cosErr, ok := cos.IsCOSError(err); !ok || cosErr.Response.StatusCode != http.StatusForbidden {
		t.Fatalf("Get of another session's object after commit: err = %v, want a 403 COS error", err)
	}
}

func TestCommitUpload_rateLimited(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now, RateLimit: 2})
	for range 2 {
		wantCode(t, vodCall(t, srv, "CommitUpload", map[string]any{"VodSessionKey": "unknown"}), CodeInvalidVodSessionKey)
	}
	wantCode(t, vodCall(t, srv, "CommitUpload", map[string]any{"VodSessionKey": "unknown"}), CodeRequestLimitExceeded)
	// ApplyUpload has its own budget.
	wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"mp4"}`}), "")
	clock.Advance(time.Second)
	wantCode(t, vodCall(t, srv, "CommitUpload", map[string]any{"VodSessionKey": "unknown"}), CodeInvalidVodSessionKey)
}

func TestCommitUpload_mediaBaseURL(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{MediaBaseURL: "https://cdn.example.com:8443/"})
	u, c := uploadMedia(t, srv, `{"MediaType":"mp4","CoverType":"png"}`)
	if c.MediaUrl != "https://cdn.example.com:8443/_media/"+u.StorageBucket+u.MediaStoragePath ||
		c.CoverUrl != "https://cdn.example.com:8443/_media/"+u.StorageBucket+*u.CoverStoragePath {
		t.Fatalf("urls = %q %q", c.MediaUrl, c.CoverUrl)
	}
	// The path part still works on the emulator's own address.
	path := strings.TrimPrefix(c.MediaUrl, "https://cdn.example.com:8443")
	if resp, body := fetch(t, http.MethodGet, srv.URL()+path, nil); resp.StatusCode != http.StatusOK || !bytes.Equal(body, u.media) {
		t.Fatalf("GET = %d %q", resp.StatusCode, body)
	}
}

func TestCommitUpload_lostReply(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	u := applyUpload(t, srv, `{"MediaType":"mp4"}`)
	putUploadObjects(t, srv, &u)
	srv.InjectFault(Fault{Action: "CommitUpload", DropConnection: true, AfterDispatch: true, Times: 1})
	body := mustJSON(t, map[string]any{"VodSessionKey": u.VodSessionKey})

	if resp, err := http.DefaultClient.Do(apiRequest{Action: "CommitUpload", Body: body}.build(t, srv)); err == nil {
		resp.Body.Close()
		t.Fatalf("got HTTP %d, want a dropped connection", resp.StatusCode)
	}
	// The action ran: the media file exists although its FileId never reached the client.
	media := srv.Media()
	if len(media) != 1 || srv.Sessions()[0].FileID != media[0].FileID {
		t.Fatalf("media = %+v", media)
	}
	calls := srv.Calls("CommitUpload")
	if len(calls) != 1 || calls[0].Code != "" {
		t.Fatalf("calls = %+v", calls)
	}
	// Repeating the commit cannot create a second file.
	wantCode(t, call(t, srv, apiRequest{Action: "CommitUpload", Body: body}), CodeInvalidVodSessionKey)
	if len(srv.Media()) != 1 || srv.Attempts("CommitUpload") != 2 {
		t.Fatalf("media %d, attempts %d", len(srv.Media()), srv.Attempts("CommitUpload"))
	}
}

// The single-use check in vodStore.commit is what makes concurrent commits safe; the earlier check in
// committableSession only gives the early, cheap answer.
func TestVODStore_commitIsSingleUse(t *testing.T) {
	t.Parallel()
	store := newVODStore()
	store.addSession(&UploadSession{VodSessionKey: "key", TempCertificate: TempCertificate{SecretID: "AKIDx"}})
	first, apiErr := store.commit("key", MediaFile{Name: "a"})
	if apiErr != nil || !fileIDPattern.MatchString(first.FileID) {
		t.Fatalf("first commit = %+v, %v", first, apiErr)
	}
	if _, apiErr := store.commit("key", MediaFile{Name: "b"}); apiErr == nil || apiErr.Code != CodeInvalidVodSessionKey {
		t.Fatalf("second commit error = %v", apiErr)
	}
	if _, apiErr := store.commit("other", MediaFile{}); apiErr == nil {
		t.Fatal("commit of an unknown key succeeded")
	}
	if media := store.allMedia(); len(media) != 1 || media[0].Name != "a" {
		t.Fatalf("media = %+v", media)
	}
}

func TestNewFileID(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		id := newFileID()
		if !fileIDPattern.MatchString(id) || seen[id] {
			t.Fatalf("newFileID() = %q (seen before: %v)", id, seen[id])
		}
		seen[id] = true
	}
}

func putObject(srv *Server, bucket, key string) error {
	_, err := srv.ObjectStore().PutObjectBytes(bucket, key, []byte("other"), "")
	return err
}

// With SessionKeyTTL the key expires before the session's credentials, which may still write.
func TestCommitUpload_sessionKeyShorterLivedThanTheCredentials(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now, SessionKeyTTL: time.Minute})
	u := applyUpload(t, srv, `{"MediaType":"mp4"}`)
	putUploadObjects(t, srv, &u)
	clock.Advance(time.Minute)
	wantCode(t, vodCall(t, srv, "CommitUpload", map[string]any{"VodSessionKey": u.VodSessionKey}), CodeInvalidVodSessionKey)
	fresh := applyUpload(t, srv, `{"MediaType":"mp4"}`)
	putUploadObjects(t, srv, &fresh)
	wantCode(t, vodCall(t, srv, "CommitUpload", map[string]any{"VodSessionKey": fresh.VodSessionKey}), "")
}
