package emulator

import (
	"net/http"
	"time"
)

// inspectionPrefix serves read-only JSON about the emulator's state for people and scripts. Secrets
// (secret keys, tokens, session keys) are never included.
const inspectionPrefix = "/_emulator/"

type sessionView struct {
	RequestID        string    `json:"request_id"`
	SubAppID         uint64    `json:"sub_app_id"`
	StorageBucket    string    `json:"storage_bucket"`
	StorageRegion    string    `json:"storage_region"`
	MediaStoragePath string    `json:"media_storage_path"`
	CoverStoragePath string    `json:"cover_storage_path,omitempty"`
	MediaType        string    `json:"media_type"`
	MediaName        string    `json:"media_name,omitempty"`
	ExpiredTime      uint64    `json:"expired_time"`
	CreatedAt        time.Time `json:"created_at"`
}

type objectView struct {
	Bucket       string    `json:"bucket"`
	Key          string    `json:"key"`
	Size         int64     `json:"size"`
	MD5          string    `json:"md5"`
	ETag         string    `json:"etag"`
	LastModified time.Time `json:"last_modified"`
}

type callView struct {
	Action    string         `json:"action"`
	Service   string         `json:"service"`
	Region    string         `json:"region,omitempty"`
	SecretID  string         `json:"secret_id"`
	RequestID string         `json:"request_id"`
	Code      string         `json:"code,omitempty"`
	Params    map[string]any `json:"params,omitempty"`
}

func (s *Server) inspectionHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+inspectionPrefix+"{$}", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]any{
			"endpoints": []string{inspectionPrefix + "sessions", inspectionPrefix + "objects", inspectionPrefix + "calls"},
		})
	})
	mux.HandleFunc("GET "+inspectionPrefix+"sessions", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, s.sessionViews())
	})
	mux.HandleFunc("GET "+inspectionPrefix+"objects", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, s.objectViews())
	})
	mux.HandleFunc("GET "+inspectionPrefix+"calls", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, s.callViews())
	})
	return mux
}

func (s *Server) sessionViews() []sessionView {
	views := []sessionView{}
	for _, u := range s.Sessions() {
		views = append(views, sessionView{
			RequestID: u.RequestID, SubAppID: u.SubAppID, StorageBucket: u.StorageBucket,
			StorageRegion: u.StorageRegion, MediaStoragePath: u.MediaStoragePath,
			CoverStoragePath: u.CoverStoragePath, MediaType: u.Request.MediaType, MediaName: u.Request.MediaName,
			ExpiredTime: u.TempCertificate.ExpiredTime, CreatedAt: u.CreatedAt,
		})
	}
	return views
}

func (s *Server) objectViews() []objectView {
	views := []objectView{}
	for _, o := range s.objects.Objects() {
		views = append(views, objectView{Bucket: o.Bucket, Key: o.Key, Size: o.Size, MD5: o.MD5, ETag: o.ETag,
			LastModified: o.LastModified})
	}
	return views
}

func (s *Server) callViews() []callView {
	views := []callView{}
	for _, c := range s.Calls("") {
		views = append(views, callView{Action: c.Action, Service: c.Service, Region: c.Region, SecretID: c.SecretID,
			RequestID: c.RequestID, Code: c.Code, Params: c.Params})
	}
	return views
}
