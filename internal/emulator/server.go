package emulator

import (
	"context"
	"fmt"
	"mime"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator/objectstore"
)

// Server is a running emulator: the VOD and STS APIs, the CVM metadata service, the object store and
// the inspection endpoints, all on one port.
type Server struct {
	opts     Options
	api      map[string]serviceSpec
	creds    *credentialStore
	vod      *vodStore
	calls    *callLog
	faults   *faultSet
	limits   *rateLimits
	objects  *objectstore.Store
	handler  http.Handler
	listener net.Listener
	http     *http.Server
	url      string

	// procedures and tasks: the task flows and the processing tasks started from them.
	procedures *procedureStore
	tasks      *taskStore

	closeOnce sync.Once
}

// Start builds an emulator from opts and serves it on opts.Addr until Close.
func Start(opts Options) (*Server, error) {
	s, err := newServer(opts)
	if err != nil {
		return nil, err
	}
	listener, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		_ = s.closeState()
		return nil, fmt.Errorf("emulator: listen on %s: %w", s.opts.Addr, err)
	}
	s.listener = listener
	s.url = "http://" + listener.Addr().String()
	s.http = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.http.Serve(listener) }()
	return s, nil
}

func newServer(opts Options) (*Server, error) {
	s := &Server{
		opts:   opts.withDefaults(),
		vod:    newVODStore(),
		calls:  newCallLog(),
		faults: &faultSet{},
	}
	procedures, err := newProcedureStore(s.opts.Procedures, s.opts.ProcedureTemplates)
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	s.procedures, s.tasks = procedures, &taskStore{}
	s.creds = newCredentialStore(s.opts.Keys)
	s.limits = newRateLimits(s.opts.RateLimit)
	s.api = s.apiTable()
	if err := s.vod.seedClasses(s.opts.SubAppIDs, s.opts.ClassIDs); err != nil {
		return nil, err
	}
	objects, err := objectstore.New(objectstore.Options{
		Authorize: s.authorizeObjectAccess,
		Dir:       s.opts.DataDir, // "" = a temporary directory the store removes on Close
		Clock:     s.opts.Clock,
		AppID:     s.opts.AppID,
	})
	if err != nil {
		return nil, fmt.Errorf("emulator: object store: %w", err)
	}
	s.objects = objects
	if s.opts.StorageLatency > 0 {
		objects.InjectFault(objectstore.Fault{Latency: s.opts.StorageLatency})
	}
	s.handler = s.routes()
	return s, nil
}

// route sends matching requests to a handler; routes are tried in order.
type route struct {
	matches func(r *http.Request) bool
	handler http.Handler
}

// routes is the one routing table of the emulator's port.
func (s *Server) routes() http.Handler {
	table := []route{
		{isAPIRequest, http.HandlerFunc(s.serveAPI)},
		{pathPrefix("/latest/meta-data/"), http.HandlerFunc(s.serveMetadata)},
		{pathPrefix(inspectionPrefix), s.inspectionHandler()},
		{pathPrefix(mediaPrefix), http.HandlerFunc(s.serveMedia)},
		{func(*http.Request) bool { return true }, s.objects}, // everything else is object storage
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, rt := range table {
			if rt.matches(r) {
				rt.handler.ServeHTTP(w, r)
				return
			}
		}
	})
}

// isAPIRequest: API 3.0 requests go to "/"; so do object-store requests on the bucket root, which are
// told apart by their COS signature (q-sign-algorithm, in the Authorization header or the query) or, for
// a browser form upload (POST Object), by their multipart body. Any other POST to "/", even one without
// X-TC-Action, is an API request and gets an API error reply.
func isAPIRequest(r *http.Request) bool {
	if r.URL.Path != "/" {
		return false
	}
	if r.Header.Get("X-TC-Action") != "" {
		return true
	}
	return r.Method == http.MethodPost && !isCOSSigned(r) && !isMultipartForm(r.Header.Get("Content-Type"))
}

func isCOSSigned(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Authorization"), "q-sign-algorithm=") ||
		r.URL.Query().Has("q-sign-algorithm")
}

func isMultipartForm(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && mediaType == "multipart/form-data"
}

func pathPrefix(prefix string) func(*http.Request) bool {
	return func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, prefix) }
}

// authorizeObjectAccess tells the object store what a SecretId may do:
//   - ApplyUpload temporary keys: write (and read) their session's media and cover keys in its bucket,
//     and for a package (m3u8, mpd) any key under the media key's directory;
//     once CommitUpload has used the session, only read, and (as a grant lists no readable keys
//     besides the writable ones) that read access covers the session's bucket;
//   - long-term keys: read everything in the default application's default bucket;
//   - STS and CVM temporary credentials: the same read access, with their token and expiry.
//
// The object store's grants name one bucket, so read access is limited to the default bucket.
func (s *Server) authorizeObjectAccess(secretID string) (objectstore.Grant, bool) {
	if session, ok := s.vod.sessionBySecretID(secretID); ok {
		cert := session.TempCertificate
		grant := objectstore.Grant{
			SecretKey:    cert.SecretKey,
			Token:        cert.Token,
			ExpiresAt:    time.Unix(int64(cert.ExpiredTime), 0),
			Bucket:       session.StorageBucket,
			WritableKeys: session.writableKeys(),
			WritableDirs: session.writableDirs(), // a package's files, next to its manifest
		}
		if session.FileID != "" {
			// Committed: the media belongs to VOD now; the session may still read its own keys.
			grant.WritableKeys, grant.ReadableKeys, grant.WritableDirs = nil, session.writableKeys(), nil
		}
		return grant, true
	}
	cred, ok := s.creds.lookup(secretID)
	if !ok {
		return objectstore.Grant{}, false
	}
	return objectstore.Grant{
		SecretKey: cred.SecretKey,
		Token:     cred.Token,
		ExpiresAt: cred.ExpiresAt,
		Bucket:    s.bucketName(s.opts.DefaultStorageRegion, s.opts.SubAppIDs[0]),
		ReadAll:   true,
	}, true
}

// URL is the base URL of every endpoint, e.g. http://127.0.0.1:41234.
func (s *Server) URL() string { return s.url }

// Handler serves the emulator in-process (e.g. with httptest) without the listener.
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops serving and releases the object store (removing its data directory if it made one).
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		if s.http != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if err := s.http.Shutdown(ctx); err != nil {
				_ = s.http.Close()
			}
		}
		_ = s.closeState()
	})
}

func (s *Server) closeState() error {
	if s.objects == nil {
		return nil
	}
	return s.objects.Close()
}

// InjectFault adds a fault; faults are tried in the order they were added.
func (s *Server) InjectFault(f Fault) { s.faults.add(f) }

// ClearFaults removes every API and metadata fault.
func (s *Server) ClearFaults() { s.faults.clear() }

// Calls returns the dispatched API calls of action ("" = all), oldest first.
func (s *Server) Calls(action string) []Call { return s.calls.list(action) }

// Attempts counts every request that named action in X-TC-Action ("" = all actions), including ones
// that were rejected, faulted or rate limited before dispatch.
func (s *Server) Attempts(action string) int { return s.calls.attemptCount(action) }

// CredentialOrigin says who minted a temporary SecretId: "AssumeRole" (STS) or MetadataFaultAction (the
// CVM metadata service); "" for a long-term key or an unknown one. Tests use it to prove which credentials
// signed a call.
func (s *Server) CredentialOrigin(secretID string) string {
	cred, ok := s.creds.lookup(secretID)
	switch {
	case !ok:
		return ""
	case strings.HasPrefix(cred.Origin, "sts:"):
		return "AssumeRole"
	case strings.HasPrefix(cred.Origin, "cvm:"):
		return MetadataFaultAction
	}
	return ""
}

// Sessions returns every upload session minted by ApplyUpload, oldest first.
func (s *Server) Sessions() []UploadSession { return s.vod.allSessions() }

// Object returns the bytes stored at bucket/key.
func (s *Server) Object(bucket, key string) ([]byte, bool) { return s.objects.Object(bucket, key) }

// ObjectStore gives tests the object store itself, e.g. to inject storage faults.
func (s *Server) ObjectStore() *objectstore.Store { return s.objects }

// Media returns every media file, oldest first (media past their ExpireTime are deleted first).
func (s *Server) Media() []MediaFile {
	s.purgeExpiredMedia()
	return s.vod.allMedia()
}

// MediaFile returns the media file fileID, in whichever application it is.
func (s *Server) MediaFile(fileID string) (MediaFile, bool) {
	s.purgeExpiredMedia()
	return s.vod.anyMediaFile(fileID)
}

// RemoveMedia deletes a media file and its objects out of band, as someone deleting it in the console
// would; the API then no longer finds it. It reports whether the file existed.
func (s *Server) RemoveMedia(fileID string) bool {
	s.storeFinishedOutputs() // a task that finished before the removal succeeded
	m, ok := s.vod.remove(fileID, 0)
	if ok {
		s.deleteMediaObjects(m, true)
	}
	return ok
}
