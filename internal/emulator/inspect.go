package emulator

import (
	"net/http"
	"time"
)

// inspectionPrefix serves JSON about the emulator's state for people and scripts, and a few controls
// (POST outage, see outage.go; POST procedures and tasks/fail, see vod_task_admin.go). Secrets (secret keys, tokens, session keys) are never included.
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

type mediaView struct {
	FileID           string    `json:"file_id"`
	SubAppID         uint64    `json:"sub_app_id"`
	Name             string    `json:"name"`
	Description      string    `json:"description,omitempty"`
	ClassID          int64     `json:"class_id"`
	ExpireTime       string    `json:"expire_time"`
	Type             string    `json:"type"`
	Category         string    `json:"category"`
	MediaURL         string    `json:"media_url"`
	CoverURL         string    `json:"cover_url,omitempty"`
	StorageRegion    string    `json:"storage_region"`
	Bucket           string    `json:"bucket"`
	MediaKey         string    `json:"media_key"`
	CoverKey         string    `json:"cover_key,omitempty"`
	Size             int64     `json:"size"`
	Tags             []string  `json:"tags"`
	SourceContext    string    `json:"source_context,omitempty"`
	SessionRequestID string    `json:"session_request_id"`
	CreateTime       time.Time `json:"create_time"`
	UpdateTime       time.Time `json:"update_time"`
	// PackageFiles counts a package's files besides its manifest (PackageKeys).
	PackageFiles int `json:"package_files,omitempty"`
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
			"endpoints": []string{inspectionPrefix + "sessions", inspectionPrefix + "objects", inspectionPrefix + "media",
				inspectionPrefix + "calls", inspectionPrefix + "uploads", inspectionPrefix + "classes",
				"POST " + inspectionPrefix + "outage?seconds=N",
				inspectionPrefix + "tasks", inspectionPrefix + "procedures", "POST " + inspectionPrefix + "procedures",
				"POST " + inspectionPrefix + "tasks/fail?procedure=NAME&count=N", "POST " + inspectionPrefix + "media/bulk"},
		})
	})
	mux.HandleFunc("GET "+inspectionPrefix+"sessions", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, s.sessionViews())
	})
	mux.HandleFunc("GET "+inspectionPrefix+"objects", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, s.objectViews())
	})
	mux.HandleFunc("GET "+inspectionPrefix+"media", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, s.mediaViews())
	})
	mux.HandleFunc("GET "+inspectionPrefix+"calls", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, s.callViews())
	})
	mux.HandleFunc("GET "+inspectionPrefix+"classes", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, s.classViews())
	})
	s.addObjectStoreRoutes(mux)
	s.addTaskRoutes(mux)
	s.addBulkMediaRoute(mux)
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

func (s *Server) mediaViews() []mediaView {
	views := []mediaView{}
	for _, m := range s.Media() {
		views = append(views, mediaView{
			FileID: m.FileID, SubAppID: m.SubAppID, Name: m.Name, Description: m.Description, ClassID: m.ClassID,
			ExpireTime: formatExpireTime(m.ExpireTime), Type: m.Type, Category: m.Category, MediaURL: m.MediaURL,
			CoverURL: m.CoverURL, StorageRegion: m.StorageRegion, Bucket: m.Bucket, MediaKey: m.MediaKey,
			CoverKey: m.CoverKey, Size: m.Size, Tags: m.Tags, SourceContext: m.SourceContext,
			SessionRequestID: m.SessionRequestID, CreateTime: m.CreateTime, UpdateTime: m.UpdateTime,
			PackageFiles: len(m.PackageKeys),
		})
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
