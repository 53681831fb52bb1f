package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// uploaded is an ApplyUpload session whose objects were put into the object store.
type uploaded struct {
	applyUploadReply
	media []byte
	cover []byte
}

func (u uploaded) mediaKey() string { return u.MediaStoragePath[1:] }
func (u uploaded) coverKey() string { return (*u.CoverStoragePath)[1:] }

// applyUpload calls ApplyUpload with body and fails the test unless it succeeds.
func applyUpload(t *testing.T, srv *Server, body string) uploaded {
	t.Helper()
	reply := call(t, srv, apiRequest{Body: body})
	wantCode(t, reply, "")
	var u uploaded
	reply.decode(t, &u.applyUploadReply)
	return u
}

// putUploadObjects stores the session's media (and cover, if requested) directly in the object store,
// as a client would have uploaded them.
func putUploadObjects(t *testing.T, srv *Server, u *uploaded) {
	t.Helper()
	u.media = []byte("media bytes of " + u.MediaStoragePath)
	if _, err := srv.ObjectStore().PutObjectBytes(u.StorageBucket, u.mediaKey(), u.media, "video/mp4"); err != nil {
		t.Fatal(err)
	}
	if u.CoverStoragePath != nil {
		u.cover = append([]byte("\x89PNG\r\n\x1a\n"), "cover of "+u.MediaStoragePath...)
		if _, err := srv.ObjectStore().PutObjectBytes(u.StorageBucket, u.coverKey(), u.cover, "image/png"); err != nil {
			t.Fatal(err)
		}
	}
}

// uploadMedia applies for an upload, puts its objects and commits it.
func uploadMedia(t *testing.T, srv *Server, applyBody string) (uploaded, commitReply) {
	t.Helper()
	u := applyUpload(t, srv, applyBody)
	putUploadObjects(t, srv, &u)
	reply := call(t, srv, apiRequest{Action: "CommitUpload", Body: mustJSON(t, map[string]any{"VodSessionKey": u.VodSessionKey})})
	wantCode(t, reply, "")
	var c commitReply
	reply.decode(t, &c)
	return u, c
}

type commitReply struct {
	FileId   string
	MediaUrl string
	CoverUrl string
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// vodCall sends a VOD action with params encoded as the JSON body.
func vodCall(t *testing.T, srv *Server, action string, params map[string]any) apiReply {
	t.Helper()
	return call(t, srv, apiRequest{Action: action, Body: mustJSON(t, params)})
}

// fetch GETs url and returns the status and body.
func fetch(t *testing.T, method, url string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, values := range header {
		req.Header[name] = values
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}
