package emulator

import (
	"context"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	cos "github.com/tencentyun/cos-go-sdk-v5"
)

func TestParseStreamingManifest_listsTheFiles(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	reply := vodCall(t, srv, "ParseStreamingManifest", map[string]any{
		"MediaManifestContent": "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nhi/index.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2\nlo/index.m3u8\n",
	})
	wantCode(t, reply, "")
	var got struct{ MediaSegmentSet []string }
	reply.decode(t, &got)
	if want := []string{"hi/index.m3u8", "lo/index.m3u8"}; !slices.Equal(got.MediaSegmentSet, want) {
		t.Errorf("MediaSegmentSet %q, want %q", got.MediaSegmentSet, want)
	}

	reply = vodCall(t, srv, "ParseStreamingManifest", map[string]any{"ManifestType": "mpd",
		"MediaManifestContent": `<MPD><Period><AdaptationSet><Representation id="1"><BaseURL>v.mp4</BaseURL></Representation></AdaptationSet></Period></MPD>`})
	wantCode(t, reply, "")
	reply.decode(t, &got)
	if want := []string{"v.mp4"}; !slices.Equal(got.MediaSegmentSet, want) {
		t.Errorf("mpd MediaSegmentSet %q, want %q", got.MediaSegmentSet, want)
	}
}

func TestParseStreamingManifest_refusesBadManifests(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	for content, code := range map[string]ErrorCode{
		"#EXTM3U\nhttps://cdn.example.com/a.ts\n": CodeInvalidManifestContent,
		"#EXTM3U\n/abs/a.ts\n":                    CodeInvalidManifestContent,
		"#EXTM3U\nsub/../../a.ts\n":               CodeInvalidManifestContent,
		"a.ts\n":                                  CodeInvalidManifestContent,
		"":                                        CodeMissingParameter,
	} {
		reply := vodCall(t, srv, "ParseStreamingManifest", map[string]any{"MediaManifestContent": content})
		wantCode(t, reply, code)
	}
	reply := vodCall(t, srv, "ParseStreamingManifest", map[string]any{"MediaManifestContent": "#EXTM3U\n", "ManifestType": "flv"})
	wantCode(t, reply, CodeInvalidParameterValue)
}

func TestParseStreamingManifest_limitedTo20PerSecond(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now, RateLimit: 100})
	params := map[string]any{"MediaManifestContent": "#EXTM3U\na.ts\n"}
	for range 20 {
		wantCode(t, vodCall(t, srv, "ParseStreamingManifest", params), "")
	}
	wantCode(t, vodCall(t, srv, "ParseStreamingManifest", params), CodeRequestLimitExceeded)
}

// A package session's temporary key writes the package's files under its directory and nowhere else;
// CommitUpload makes one media of them, served next to the manifest, and DeleteMedia removes them all.
func TestPackageUpload_commitServeAndDelete(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	u := applyUpload(t, srv, `{"MediaType":"m3u8","MediaName":"show"}`)
	base, _ := url.Parse(srv.URL())
	client := cos.NewClient(&cos.BaseURL{BucketURL: base}, &http.Client{Transport: &cos.AuthorizationTransport{
		SecretID: u.TempCertificate.SecretId, SecretKey: u.TempCertificate.SecretKey, SessionToken: u.TempCertificate.Token,
	}})
	ctx := context.Background()
	dir := path.Dir(u.mediaKey())
	files := map[string]string{
		u.mediaKey():             "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n720p/index.m3u8\n",
		dir + "/720p/index.m3u8": "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:4,\nseg1.m4s\n#EXTINF:4,\nseg1.m4s\n",
		dir + "/720p/init.mp4":   "init",
		dir + "/720p/seg1.m4s":   "segment one",
	}
	put := func(key, content string) error {
		_, err := client.Object.Put(ctx, key, strings.NewReader(content), nil)
		return err
	}
	for _, key := range []string{u.mediaKey(), dir + "/720p/index.m3u8", dir + "/720p/init.mp4"} {
		if err := put(key, files[key]); err != nil {
			t.Fatalf("Put %s: %v", key, err)
		}
	}
	for _, outside := range []string{path.Dir(dir) + "/other/seg.ts", dir + "x/seg.ts", dir + "/../x.ts"} {
		if err := put(outside, "x"); err == nil {
			t.Errorf("Put %s outside the session's directory succeeded", outside)
		}
	}
	// A segment is missing: nothing is committed.
	reply := vodCall(t, srv, "CommitUpload", map[string]any{"VodSessionKey": u.VodSessionKey})
	wantCode(t, reply, CodeResourceNotFound)
	if !strings.Contains(reply.Message, "720p/seg1.m4s") {
		t.Errorf("message %q does not name the missing segment", reply.Message)
	}
	if err := put(dir+"/720p/seg1.m4s", files[dir+"/720p/seg1.m4s"]); err != nil {
		t.Fatal(err)
	}
	reply = vodCall(t, srv, "CommitUpload", map[string]any{"VodSessionKey": u.VodSessionKey})
	wantCode(t, reply, "")
	var c commitReply
	reply.decode(t, &c)
	m, _ := srv.MediaFile(c.FileId)
	wantKeys := []string{dir + "/720p/index.m3u8", dir + "/720p/init.mp4", dir + "/720p/seg1.m4s"}
	total := 0
	for _, content := range files {
		total += len(content)
	}
	if !slices.Equal(m.PackageKeys, wantKeys) || m.Size != int64(total) || m.Type != "m3u8" {
		t.Errorf("package keys %q, size %d, type %s; want %q, %d, m3u8", m.PackageKeys, m.Size, m.Type, wantKeys, total)
	}
	if !strings.HasSuffix(c.MediaUrl, "/show.m3u8") {
		t.Errorf("MediaUrl %s is not the manifest's", c.MediaUrl)
	}
	segmentURL := strings.TrimSuffix(c.MediaUrl, "show.m3u8") + "720p/seg1.m4s"
	if resp, body := fetch(t, http.MethodGet, segmentURL, nil); resp.StatusCode != http.StatusOK || string(body) != "segment one" {
		t.Errorf("GET %s: %d %q", segmentURL, resp.StatusCode, body)
	}
	if err := put(dir+"/720p/seg2.m4s", "late"); err == nil {
		t.Error("the session's key still writes its directory after the commit")
	}

	wantCode(t, vodCall(t, srv, "DeleteMedia", map[string]any{"FileId": c.FileId}), "")
	for key := range files {
		if _, ok := srv.Object(u.StorageBucket, key); ok {
			t.Errorf("%s is still stored after DeleteMedia", key)
		}
	}
	if resp, _ := fetch(t, http.MethodGet, segmentURL, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET %s after DeleteMedia: %d", segmentURL, resp.StatusCode)
	}
}

// A session for a single file writes only its media and cover keys, as before.
func TestApplyUpload_fileSessionWritesNoDirectory(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	applyUpload(t, srv, `{"MediaType":"mp4"}`)
	session := srv.Sessions()[0]
	if dirs := session.writableDirs(); dirs != nil {
		t.Errorf("an mp4 session may write %q", dirs)
	}
	mpd := applyUpload(t, srv, `{"MediaType":"mpd"}`)
	if got := srv.Sessions()[1].writableDirs(); !slices.Equal(got, []string{path.Dir(mpd.mediaKey()) + "/"}) {
		t.Errorf("an mpd session may write %q", got)
	}
}

// StorageLatency delays every object-storage request, as a round trip to a remote bucket would.
func TestOptions_storageLatencyDelaysObjectRequests(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{StorageLatency: 100 * time.Millisecond})
	u := applyUpload(t, srv, `{"MediaType":"mp4"}`)
	base, _ := url.Parse(srv.URL())
	client := cos.NewClient(&cos.BaseURL{BucketURL: base}, &http.Client{Transport: &cos.AuthorizationTransport{
		SecretID: u.TempCertificate.SecretId, SecretKey: u.TempCertificate.SecretKey, SessionToken: u.TempCertificate.Token,
	}})
	started := time.Now()
	if _, err := client.Object.Put(context.Background(), u.mediaKey(), strings.NewReader("x"), nil); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(started); took < 100*time.Millisecond {
		t.Errorf("the PUT took %s, less than the storage latency", took)
	}
}
