package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// VOD codes of PullUpload (its documentation's error list).
const (
	CodeFailedMediaType  ErrorCode = "FailedOperation.MediaType"
	CodeInvalidMediaURL  ErrorCode = "InvalidParameterValue.MediaUrl"
	CodeCoverURLNotFound ErrorCode = "ResourceNotFound.CoverUrl"
	CodeInvalidCoverURL  ErrorCode = "InvalidParameterValue.CoverUrl"
)

// PullUploadTask ErrCodes (PullUploadTask's documentation): 40000 invalid input, 60000 source file
// error, 70000 internal error (retry advised). The emulator ends a pull with 40000 when the URL cannot
// be fetched (no connection, or the origin answers 4xx: the URL is wrong), with 60000 when the origin
// fails (5xx) or sends no or incomplete data, and with 70000 only when told to (FailNextPulls).
const (
	PullErrInvalidInput  = 40000
	PullErrSourceFile    = 60000
	PullErrInternalError = 70000
)

const (
	taskTypePullUpload = "PullUpload"
	// pullSessionIDLifetime: PullUpload's documentation says a SessionId refuses a repeat for three days
	// (PullUploadTask's says seven; the request's documentation is followed).
	pullSessionIDLifetime = 3 * 24 * time.Hour
	// pullFetchTimeout bounds one fetch of a media file; maxCoverBytes bounds a cover (fetched at once).
	pullFetchTimeout  = 30 * time.Minute
	coverFetchTimeout = 10 * time.Second
	maxCoverBytes     = 10 << 20
	maxPullURLChars   = 4096
)

// pullCoverTypes are the cover formats PullUpload documents for CoverUrl.
var pullCoverTypes = []string{"gif", "jpeg", "jpg", "png"}

// PullJob is what a PullUpload task knows of its fetch and its result. The fetch runs in the background
// and updates Fetched; the media is created when the task finishes (finishPull), as VOD reports its
// FileId only then.
type PullJob struct {
	MediaURL      string
	MediaType     string // lowercase, from the request or the URL
	MediaName     string
	StorageRegion string
	Bucket        string
	MediaKey      string // where the fetched bytes go, without the leading "/"
	ClassID       int64
	ExpireTime    time.Time
	Procedure     string
	SourceContext string
	cover         []byte // fetched when the pull was requested
	coverType     string
	// packageKeys are the keys of a pulled HLS stream's other files (variant playlists, segments), which
	// become the media's PackageKeys: DeleteMedia removes them with the playlist.
	packageKeys []string

	Fetched int64 // bytes fetched so far
	Total   int64 // Content-Length, -1 when the origin did not say
	Done    bool  // the fetch ended, successfully or not
	doneAt  time.Time
	// ErrCode and Message: why the pull failed (0 while it has not, or when it succeeded).
	ErrCode         int64
	Message         string
	ProcedureTaskID string
}

// finishTime is when the task finishes: at end (its duration), or when the fetch ended if later. Until
// the fetch ends, never.
func (p *PullJob) finishTime(end time.Time) time.Time {
	switch {
	case !p.Done:
		return time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	case p.doneAt.After(end):
		return p.doneAt
	}
	return end
}

// pullRunner runs the fetches of pull tasks until the server closes.
type pullRunner struct {
	ctx    context.Context
	stop   context.CancelFunc
	client *http.Client
	wg     sync.WaitGroup
	// failNext counts the next pulls that end with ErrCode 70000 (FailNextPulls).
	failNext atomic.Int64
}

func newPullRunner() *pullRunner {
	ctx, stop := context.WithCancel(context.Background())
	return &pullRunner{ctx: ctx, stop: stop, client: &http.Client{Timeout: pullFetchTimeout}}
}

// close cancels the fetches in progress and waits for them.
func (r *pullRunner) close() {
	r.stop()
	r.wg.Wait()
}

// FailNextPulls makes the next n PullUpload tasks end with ErrCode 70000 (internal error, retry
// advised) once their fetch is done; n = 0 cancels.
func (s *Server) FailNextPulls(n int) { s.pulls.failNext.Store(int64(max(n, 0))) }

// takeFailure reports whether the pull that just fetched its file must fail with 70000.
func (r *pullRunner) takeFailure() bool {
	for {
		n := r.failNext.Load()
		if n <= 0 {
			return false
		}
		if r.failNext.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

type pullUploadRequest struct {
	MediaURL         string  `json:"MediaUrl"`
	MediaType        string  `json:"MediaType"`
	SubAppID         *uint64 `json:"SubAppId"`
	MediaName        string  `json:"MediaName"`
	CoverURL         string  `json:"CoverUrl"`
	Procedure        string  `json:"Procedure"`
	ExpireTime       string  `json:"ExpireTime"`
	StorageRegion    string  `json:"StorageRegion"`
	ClassID          *int64  `json:"ClassId"`
	TasksPriority    *int64  `json:"TasksPriority"`
	SessionContext   string  `json:"SessionContext"`
	SessionID        string  `json:"SessionId"`
	ExtInfo          string  `json:"ExtInfo"`
	SourceContext    string  `json:"SourceContext"`
	MediaStoragePath string  `json:"MediaStoragePath"`
}

type pullUploadResponse struct {
	TaskID string `json:"TaskId"`
}

// pullUpload implements PullUpload: it checks the request, fetches the cover (a cover that cannot be
// fetched is ResourceNotFound.CoverUrl), stores a PullUpload task and starts fetching the media in the
// background. A SessionId used by a pull of the application in the last three days is refused with
// InvalidParameterValue.SessionId, and nothing is started.
func (s *Server) pullUpload(call *apiCall) (any, *apiError) {
	var req pullUploadRequest
	if apiErr := call.decode(&req); apiErr != nil {
		return nil, apiErr
	}
	if req.MediaURL == "" {
		return nil, errMissingParameter("MediaUrl")
	}
	subAppID, apiErr := s.resolveSubAppID(req.SubAppID)
	if apiErr != nil {
		return nil, apiErr
	}
	job, apiErr := s.checkPullUpload(req, subAppID, call.Now)
	if apiErr != nil {
		return nil, apiErr
	}
	if req.CoverURL != "" {
		if job.cover, apiErr = s.fetchCover(req.CoverURL); apiErr != nil {
			return nil, apiErr
		}
		job.coverType = urlExtension(req.CoverURL)
	}
	task, started := s.startPullTask(job, req, subAppID, call.Now)
	if !started {
		return nil, newAPIError(CodeInvalidSessionID,
			"A pull with the SessionId `%s` was already requested in the last 3 days.", req.SessionID)
	}
	return pullUploadResponse{TaskID: task.TaskID}, nil
}

// checkPullUpload validates every parameter and works out the pull's media type, name and storage place.
func (s *Server) checkPullUpload(req pullUploadRequest, subAppID uint64, now time.Time) (*PullJob, *apiError) {
	mediaURL, apiErr := checkPullURL(CodeInvalidMediaURL, "MediaUrl", req.MediaURL)
	if apiErr != nil {
		return nil, apiErr
	}
	mediaType := strings.ToLower(req.MediaType)
	if mediaType == "" {
		mediaType = urlExtension(req.MediaURL)
	}
	switch {
	case mediaType == "mpd":
		return nil, newAPIError(CodeFailedMediaType, "DASH media (mpd) cannot be pulled; HLS (m3u8) can.")
	case mediaType == "":
		return nil, newAPIError(CodeFailedMediaType, "The MediaUrl `%s` has no file extension: set MediaType.", req.MediaURL)
	case !containsFold(videoTypes, mediaType) && !containsFold(audioTypes, mediaType):
		return nil, newAPIError(CodeFailedMediaType, "The media type `%s` is not a supported video or audio type.", mediaType)
	}
	for _, check := range []func() *apiError{
		func() *apiError {
			return checkNoControlCharacters(CodeInvalidParameterValue, "MediaName", req.MediaName)
		},
		func() *apiError { return checkPullCoverURL(req.CoverURL) },
		func() *apiError { return checkExpireTime(req.ExpireTime, now) },
		func() *apiError { return s.checkStorageRegion(req.StorageRegion) },
		func() *apiError { return s.checkClassID(subAppID, req.ClassID) },
		func() *apiError { return s.checkProcedure(req.Procedure) },
		func() *apiError { return checkContexts(req.SourceContext, req.SessionContext) },
		func() *apiError { return checkMediaStoragePath(req.MediaStoragePath) },
		func() *apiError { return checkPullPriority(req.TasksPriority) },
		func() *apiError {
			if n := utf8.RuneCountInString(req.SessionID); n > maxSessionIDChars {
				return newAPIError(CodeSessionIDTooLong, "SessionId is %d characters long; the limit is %d.", n, maxSessionIDChars)
			}
			return nil
		},
	} {
		if apiErr := check(); apiErr != nil {
			return nil, apiErr
		}
	}
	region := req.StorageRegion
	if region == "" {
		region = s.opts.DefaultStorageRegion
	}
	name := req.MediaName
	if name == "" {
		// Like an upload without MediaName, the media is named after its file.
		base := path.Base(mediaURL.Path)
		name = strings.TrimSuffix(base, path.Ext(base))
	}
	job := &PullJob{
		MediaURL: req.MediaURL, MediaType: mediaType, MediaName: name, StorageRegion: region,
		Bucket:   s.bucketName(region, subAppID),
		MediaKey: strconv.FormatUint(subAppID, 10) + "/" + randomHex(12) + "/" + objectBaseName(name) + "." + mediaType,
		Total:    -1, ExpireTime: parseExpireTime(req.ExpireTime), Procedure: req.Procedure, SourceContext: req.SourceContext,
	}
	if req.ClassID != nil {
		job.ClassID = *req.ClassID
	}
	return job, nil
}

// checkPullURL requires an absolute http or https URL with a host.
func checkPullURL(code ErrorCode, parameter, raw string) (*url.URL, *apiError) {
	u, err := url.Parse(raw)
	switch {
	case len(raw) > maxPullURLChars:
		return nil, newAPIError(code, "%s is %d characters long; the limit is %d.", parameter, len(raw), maxPullURLChars)
	case err != nil:
		return nil, newAPIError(code, "%s `%s` is not a URL: %s.", parameter, raw, err)
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return nil, newAPIError(code, "%s `%s` must be an http or https URL.", parameter, raw)
	}
	return u, nil
}

func checkPullCoverURL(raw string) *apiError {
	if raw == "" {
		return nil
	}
	if _, apiErr := checkPullURL(CodeInvalidCoverURL, "CoverUrl", raw); apiErr != nil {
		return apiErr
	}
	if ext := urlExtension(raw); !containsFold(pullCoverTypes, ext) {
		return newAPIError(CodeInvalidCoverURL, "CoverUrl `%s` must name a gif, jpeg (jpg) or png file.", raw)
	}
	return nil
}

func checkPullPriority(p *int64) *apiError {
	if p != nil && (*p < minTasksPriority || *p > maxTasksPriority) {
		return newAPIError(CodeInvalidParameterValue, "TasksPriority %d is outside %d to %d.", *p, minTasksPriority, maxTasksPriority)
	}
	return nil
}

// urlExtension is the lowercase extension of the URL's path, without the dot ("" when none).
func urlExtension(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimPrefix(path.Ext(u.Path), "."))
}

// fetchCover fetches a pull's cover at once: a cover that cannot be fetched fails the request.
func (s *Server) fetchCover(coverURL string) ([]byte, *apiError) {
	ctx, cancel := context.WithTimeout(s.pulls.ctx, coverFetchTimeout)
	defer cancel()
	notFound := func(why string) *apiError {
		return newAPIError(CodeCoverURLNotFound, "The cover `%s` could not be fetched: %s.", coverURL, why)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, coverURL, nil)
	if err != nil {
		return nil, notFound(err.Error())
	}
	resp, err := s.pulls.client.Do(req)
	if err != nil {
		return nil, notFound(err.Error())
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, notFound("the origin answered " + resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxCoverBytes+1))
	switch {
	case err != nil:
		return nil, notFound(err.Error())
	case len(data) == 0:
		return nil, notFound("it is empty")
	case len(data) > maxCoverBytes:
		return nil, notFound(fmt.Sprintf("it is larger than %d MiB", maxCoverBytes>>20))
	}
	return data, nil
}

// startPullTask stores the task of job and starts its fetch. It reports false, and stores nothing, when
// the SessionId was already used.
func (s *Server) startPullTask(job *PullJob, req pullUploadRequest, subAppID uint64, now time.Time) (Task, bool) {
	s.tasks.startMu.Lock()
	defer s.tasks.startMu.Unlock()
	priority := int64(0)
	if req.TasksPriority != nil {
		priority = *req.TasksPriority
	}
	t := &Task{
		TaskID: strconv.FormatUint(subAppID, 10) + "-pull-" + randomHex(16), SubAppID: subAppID, Pull: job,
		Procedure: req.Procedure, FileName: job.MediaName, Bucket: job.Bucket, SessionID: req.SessionID,
		SessionContext: req.SessionContext, TasksPriority: priority, CreateTime: now, Duration: s.opts.TaskDuration,
	}
	if !s.tasks.add(t, now) {
		return Task{}, false
	}
	s.pulls.wg.Add(1)
	go func() {
		defer s.pulls.wg.Done()
		s.fetchPull(t.TaskID, *job)
	}()
	return t.clone(), true
}

// fetchPull fetches the media of a pull into the object store and records how it ended.
func (s *Server) fetchPull(taskID string, job PullJob) {
	stored := []string{job.MediaKey}
	errCode, message := s.fetchObject(job.MediaURL, job.Bucket, job.MediaKey, func(total, fetched int64) {
		s.tasks.updatePull(taskID, func(p *PullJob) { p.Total, p.Fetched = total, fetched })
	})
	if errCode == 0 && job.MediaType == "m3u8" {
		var segments []string
		segments, errCode, message = s.fetchHLSSegments(job.Bucket, job.MediaURL, job.MediaKey)
		stored = append(stored, segments...)
	}
	if errCode == 0 && s.pulls.takeFailure() {
		errCode, message = PullErrInternalError, "The emulator failed this pull on purpose (FailNextPulls): retry it."
	}
	if errCode != 0 {
		for _, key := range stored {
			s.objects.DeleteObject(job.Bucket, key)
		}
	}
	s.tasks.updatePull(taskID, func(p *PullJob) {
		p.Done, p.doneAt, p.ErrCode, p.Message = true, s.opts.Clock(), int64(errCode), message
		if errCode == 0 {
			p.packageKeys = stored[1:]
		}
	})
}

// fetchObject streams rawURL to bucket/key, reporting the bytes fetched (and the Content-Length, -1
// when unknown) as they come; progress may be nil. It returns the ErrCode and message of a fetch that
// failed (see PullErrInvalidInput).
func (s *Server) fetchObject(rawURL, bucket, key string, progress func(total, fetched int64)) (int, string) {
	req, err := http.NewRequestWithContext(s.pulls.ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return PullErrInvalidInput, "`" + rawURL + "` cannot be requested: " + err.Error()
	}
	resp, err := s.pulls.client.Do(req)
	if err != nil {
		return PullErrInvalidInput, "`" + rawURL + "` could not be fetched: " + err.Error()
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode >= 500:
		return PullErrSourceFile, "The origin of `" + rawURL + "` failed: it answered " + resp.Status + "."
	case resp.StatusCode != http.StatusOK:
		return PullErrInvalidInput, "`" + rawURL + "` cannot be fetched: the origin answered " + resp.Status + "."
	}
	var body io.Reader = resp.Body
	if progress != nil {
		total := resp.ContentLength
		body = &pullProgressReader{r: resp.Body, report: func(n int64) { progress(total, n) }}
	}
	info, err := s.objects.PutObjectFrom(bucket, key, body, resp.Header.Get("Content-Type"))
	switch {
	case err != nil && errors.Is(err, context.Canceled):
		return PullErrInternalError, "The emulator stopped before the pull ended."
	case err != nil:
		return PullErrSourceFile, "`" + rawURL + "` could not be read from the origin in full: " + err.Error()
	case info.Size == 0:
		return PullErrSourceFile, "The origin sent an empty file for `" + rawURL + "`."
	}
	return 0, ""
}

// pullProgressReader reports the bytes read so far after each read.
type pullProgressReader struct {
	r      io.Reader
	n      int64
	report func(int64)
}

func (p *pullProgressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if n > 0 {
		p.report(p.n)
	}
	return n, err
}

// updatePull changes the pull of task taskID.
func (s *taskStore) updatePull(taskID string, change func(*PullJob)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tasks {
		if t.TaskID == taskID && t.Pull != nil {
			change(t.Pull)
		}
	}
}

// setPullResult records what a finished pull created (or why it failed after all).
func (s *taskStore) setPullResult(taskID string, m MediaFile, meta mediaMetaData, change func(*PullJob)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tasks {
		if t.TaskID == taskID && t.Pull != nil {
			t.FileID, t.FileURL, t.meta = m.FileID, m.MediaURL, meta
			change(t.Pull)
		}
	}
}

// finishPull creates the media of a pull whose fetch succeeded, once its task has finished, with its
// cover, and starts the procedure the pull named. A class deleted meanwhile fails the pull (40000).
func (s *Server) finishPull(t Task) {
	job := t.Pull
	if job.ErrCode != 0 {
		return
	}
	now := s.opts.Clock()
	info, ok := s.objects.Stat(job.Bucket, job.MediaKey)
	if !ok {
		s.tasks.setPullResult(t.TaskID, MediaFile{}, mediaMetaData{}, func(p *PullJob) {
			p.ErrCode, p.Message = PullErrInternalError, "The pulled file was lost before the media was created."
		})
		return
	}
	m := MediaFile{
		SubAppID: t.SubAppID, Name: job.MediaName, ClassID: job.ClassID, ExpireTime: job.ExpireTime,
		Type: job.MediaType, Category: mediaCategory(job.MediaType), MediaURL: s.mediaURL(job.Bucket, job.MediaKey),
		StorageRegion: job.StorageRegion, Bucket: job.Bucket, MediaKey: job.MediaKey, Size: info.Size, Tags: []string{},
		SourceContext: job.SourceContext, CreateTime: now, UpdateTime: now, PackageKeys: slices.Clone(job.packageKeys),
	}
	for _, key := range m.PackageKeys { // as for an uploaded package, the size of every file
		if segment, ok := s.objects.Stat(job.Bucket, key); ok {
			m.Size += segment.Size
		}
	}
	if len(job.cover) > 0 {
		m.CoverKey = path.Dir(job.MediaKey) + "/cover." + job.coverType
		if _, err := s.objects.PutObjectBytes(job.Bucket, m.CoverKey, job.cover, ""); err == nil {
			m.CoverURL = s.mediaURL(job.Bucket, m.CoverKey)
		} else {
			m.CoverKey = ""
		}
	}
	stored, apiErr := s.vod.addPulled(m)
	if apiErr != nil {
		s.deleteMediaObjects(m, true)
		s.tasks.setPullResult(t.TaskID, MediaFile{}, mediaMetaData{}, func(p *PullJob) {
			p.ErrCode, p.Message = PullErrInvalidInput, apiErr.Message
		})
		return
	}
	procedureTaskID := ""
	if job.Procedure != "" {
		if task, ok := s.startProcedureTask(stored, job.Procedure, taskOrigin{
			sessionContext: t.SessionContext, priority: t.TasksPriority,
		}, now); ok {
			procedureTaskID = task.TaskID
		}
	}
	s.tasks.setPullResult(t.TaskID, stored, metaDataOf(stored), func(p *PullJob) { p.ProcedureTaskID = procedureTaskID })
}

// addPulled stores the media file of a finished pull under a fresh FileID, unless its class was
// deleted meanwhile.
func (s *vodStore) addPulled(m MediaFile) (MediaFile, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.classes.exists(m.SubAppID, m.ClassID) {
		return MediaFile{}, errNoSuchClass(m.ClassID)
	}
	m.FileID = s.unusedFileID()
	stored := m.clone()
	s.media = append(s.media, &stored)
	s.mediaByID[m.FileID] = &stored
	return m.clone(), nil
}

// pullUploadTask is the PullUploadTask object. Its Status is PROCESSING until the task finishes (also
// while the outer task is WAITING), as documented.
type pullUploadTask struct {
	TaskID                 string          `json:"TaskId"`
	Status                 string          `json:"Status"`
	ErrCode                int64           `json:"ErrCode"`
	Message                string          `json:"Message"`
	FileID                 string          `json:"FileId"`
	MediaBasicInfo         *mediaBasicInfo `json:"MediaBasicInfo"`
	MetaData               *mediaMetaData  `json:"MetaData"`
	FileURL                string          `json:"FileUrl"`
	ProcedureTaskID        string          `json:"ProcedureTaskId"`
	ReviewAudioVideoTaskID string          `json:"ReviewAudioVideoTaskId"`
	SessionContext         string          `json:"SessionContext"`
	SessionID              string          `json:"SessionId"`
	Progress               int64           `json:"Progress"`
}

func (s *Server) pullUploadTaskOf(t Task, now time.Time) *pullUploadTask {
	job := t.Pull
	p := &pullUploadTask{
		TaskID: t.TaskID, Status: TaskProcessing, SessionContext: t.SessionContext, SessionID: t.SessionID,
		Progress: pullProgress(t, now),
	}
	if t.Status(now) != TaskFinish {
		return p
	}
	p.Status, p.ErrCode, p.Message = TaskFinish, job.ErrCode, job.Message
	if job.ErrCode != 0 || t.FileID == "" {
		return p
	}
	p.FileID, p.FileURL, p.ProcedureTaskID = t.FileID, t.FileURL, job.ProcedureTaskID
	meta := t.meta
	p.MetaData = &meta
	if m, ok := s.vod.mediaFile(t.FileID, t.SubAppID); ok {
		className, classPath := s.vod.classNameAndPath(m.SubAppID, m.ClassID)
		p.MediaBasicInfo = basicInfoOf(m, className, classPath)
	}
	return p
}

// pullProgress is how far a pull is, 0 to 100: the share of the file fetched, held below 100 until
// the task finishes.
func pullProgress(t Task, now time.Time) int64 {
	switch job := t.Pull; {
	case t.Status(now) == TaskFinish:
		return 100
	case t.Status(now) == TaskWaiting:
		return 0
	case job.Total > 0:
		return min(99, 100*job.Fetched/job.Total)
	case job.Done:
		return 99
	}
	return 0
}

// addPullRoutes adds POST /_emulator/pulls/fail?count=N (default 1): the next N pulls end with ErrCode
// 70000 once fetched.
func (s *Server) addPullRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST "+inspectionPrefix+"pulls/fail", func(w http.ResponseWriter, r *http.Request) {
		count := 1
		if raw := r.URL.Query().Get("count"); raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil || n < 0 {
				http.Error(w, "count must be a whole number of pulls, 0 or more", http.StatusBadRequest)
				return
			}
			count = n
		}
		s.FailNextPulls(count)
		writeJSON(w, map[string]any{"failing_pulls": count})
	})
}
