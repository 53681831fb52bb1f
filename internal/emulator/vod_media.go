package emulator

import (
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
)

// MediaFile is one media file of the emulated account, created by CommitUpload.
type MediaFile struct {
	FileID      string
	SubAppID    uint64
	Name        string
	Description string
	ClassID     int64
	// ExpireTime is when VOD deletes the file; zero means never ("9999-12-31T23:59:59Z" on the wire).
	ExpireTime    time.Time
	Type          string // lowercase extension of the media, e.g. "mp4"
	Category      string // "Video" or "Audio"
	MediaURL      string
	CoverURL      string // "" when the file has no cover
	StorageRegion string
	Bucket        string
	MediaKey      string // object key of the media, without the leading "/"
	CoverKey      string // object key of the cover; "" when there is none
	Size          int64  // bytes of the media object at commit time (of every file, for a package)
	Tags          []string
	// KeyFrameDescs are the key-frame descriptions (打点), ordered by TimeOffset.
	KeyFrameDescs []KeyFrameDesc
	SourceContext string
	// SessionRequestID is the RequestId of the ApplyUpload that started the upload.
	SessionRequestID string
	CreateTime       time.Time
	UpdateTime       time.Time
	// Outputs are what finished processing tasks made of the file.
	Outputs MediaOutputs
	// PackageKeys are the object keys of a package's files (segments, nested playlists), stored next
	// to its manifest, the media object; nil for other media.
	PackageKeys []string
}

// KeyFrameDesc is one key-frame description: a text at a time offset of the video.
type KeyFrameDesc struct {
	TimeOffset float64 `json:"TimeOffset"` // seconds
	Content    string  `json:"Content"`
}

func (m MediaFile) clone() MediaFile {
	m.Tags = slices.Clone(m.Tags)
	if m.Tags == nil {
		m.Tags = []string{}
	}
	m.KeyFrameDescs = slices.Clone(m.KeyFrameDescs)
	m.PackageKeys = slices.Clone(m.PackageKeys)
	m.Outputs = m.Outputs.clone()
	return m
}

func (m MediaFile) expiredAt(now time.Time) bool {
	return !m.ExpireTime.IsZero() && !m.ExpireTime.After(now)
}

// neverExpires is how VOD writes "no expiry" in ExpireTime, in requests and responses.
const neverExpires = "9999-12-31T23:59:59Z"

// vodTimeLayout is the ISO 8601 form of every time VOD returns (always UTC).
const vodTimeLayout = "2006-01-02T15:04:05Z"

// parseExpireTime turns a validated ExpireTime parameter into MediaFile.ExpireTime ("" and the
// never-expires value give the zero time).
func parseExpireTime(value string) time.Time {
	if value == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return time.Time{}
	}
	if never, _ := time.Parse(time.RFC3339, neverExpires); t.Equal(never) {
		return time.Time{}
	}
	return t.UTC()
}

func formatExpireTime(t time.Time) string {
	if t.IsZero() {
		return neverExpires
	}
	return t.UTC().Format(vodTimeLayout)
}

// mediaPrefix serves media and cover objects of media files without a signature, as VOD's CDN domain
// does: GET /_media/<bucket>/<key>.
const mediaPrefix = "/_media/"

// mediaURL is the public URL of a media file's object: Options.MediaBaseURL (or the server's own URL)
// followed by /_media/<bucket>/<key>, each path segment escaped.
func (s *Server) mediaURL(bucket, key string) string {
	base := s.opts.MediaBaseURL
	if base == "" {
		base = s.url
	}
	segments := strings.Split(key, "/")
	for i, segment := range segments {
		segments[i] = url.PathEscape(segment)
	}
	return strings.TrimRight(base, "/") + mediaPrefix + url.PathEscape(bucket) + "/" + strings.Join(segments, "/")
}

// deleteMediaObjects removes the objects of m that still exist. It is called after the VOD store has
// released its lock (see vodStore).
func (s *Server) deleteMediaObjects(m MediaFile, includeCover bool) {
	s.objects.DeleteObject(m.Bucket, m.MediaKey)
	for _, key := range m.PackageKeys {
		s.objects.DeleteObject(m.Bucket, key)
	}
	if includeCover && m.CoverKey != "" {
		s.objects.DeleteObject(m.Bucket, m.CoverKey)
	}
}

// purgeExpiredMedia deletes media files whose ExpireTime has passed, with their objects. Expiry is
// applied lazily, whenever media are looked at, which is indistinguishable from outside.
func (s *Server) purgeExpiredMedia() {
	s.storeFinishedOutputs() // the outputs of processing tasks appear just as lazily
	for _, m := range s.vod.removeExpired(s.opts.Clock()) {
		s.deleteMediaObjects(m, true)
	}
}

type commitUploadRequest struct {
	VodSessionKey string  `json:"VodSessionKey"`
	SubAppID      *uint64 `json:"SubAppId,omitempty"`
}

type commitUploadResponse struct {
	FileID   string `json:"FileId"`
	MediaURL string `json:"MediaUrl"`
	CoverURL string `json:"CoverUrl"`
}

// commitUpload implements CommitUpload: it checks the session and its uploaded objects, then creates
// the media file. A session key commits at most once, so repeating a commit whose reply was lost
// answers InvalidParameterValue.VodSessionKey instead of creating a second file.
func (s *Server) commitUpload(call *apiCall) (any, *apiError) {
	var req commitUploadRequest
	if apiErr := call.decode(&req); apiErr != nil {
		return nil, apiErr
	}
	if req.VodSessionKey == "" {
		return nil, errMissingParameter("VodSessionKey")
	}
	subAppID, apiErr := s.resolveSubAppID(req.SubAppID)
	if apiErr != nil {
		return nil, apiErr
	}
	session, apiErr := s.committableSession(req.VodSessionKey, req.SubAppID != nil, subAppID, call.Now)
	if apiErr != nil {
		return nil, apiErr
	}
	media, apiErr := s.uploadedMedia(session, call.Now)
	if apiErr != nil {
		return nil, apiErr
	}
	media, apiErr = s.vod.commit(session.VodSessionKey, media)
	if apiErr != nil {
		return nil, apiErr
	}
	s.startUploadProcedure(session, media, call.Now)
	return commitUploadResponse{FileID: media.FileID, MediaURL: media.MediaURL, CoverURL: media.CoverURL}, nil
}

// committableSession finds the session of a CommitUpload. The messages never repeat the key.
func (s *Server) committableSession(key string, subAppSent bool, subAppID uint64, now time.Time) (UploadSession, *apiError) {
	session, ok := s.vod.sessionByKey(key)
	switch {
	case !ok:
		return UploadSession{}, newAPIError(CodeInvalidVodSessionKey, "The VodSessionKey does not exist.")
	case session.FileID != "":
		return UploadSession{}, errAlreadyCommitted
	case subAppSent && subAppID != session.SubAppID:
		return UploadSession{}, newAPIError(CodeInvalidSubAppID,
			"The VodSessionKey belongs to application %d, not %d.", session.SubAppID, subAppID)
	case !now.Before(time.Unix(int64(session.TempCertificate.ExpiredTime), 0)),
		s.opts.SessionKeyTTL > 0 && !now.Before(session.CreatedAt.Add(s.opts.SessionKeyTTL)):
		return UploadSession{}, newAPIError(CodeInvalidVodSessionKey, "The VodSessionKey has expired.")
	}
	return session, nil
}

// uploadedMedia builds the media file of a session from its uploaded objects, which must exist.
func (s *Server) uploadedMedia(session UploadSession, now time.Time) (MediaFile, *apiError) {
	mediaKey := session.MediaStoragePath[1:]
	info, ok := s.objects.Stat(session.StorageBucket, mediaKey)
	if !ok {
		return MediaFile{}, newAPIError(CodeResourceNotFound,
			"The media file was not uploaded to %s before CommitUpload.", session.MediaStoragePath)
	}
	req := session.Request
	m := MediaFile{
		SubAppID:         session.SubAppID,
		Name:             req.MediaName,
		ExpireTime:       parseExpireTime(req.ExpireTime),
		Type:             strings.ToLower(req.MediaType),
		Category:         mediaCategory(req.MediaType),
		MediaURL:         s.mediaURL(session.StorageBucket, mediaKey),
		StorageRegion:    session.StorageRegion,
		Bucket:           session.StorageBucket,
		MediaKey:         mediaKey,
		Size:             info.Size,
		Tags:             []string{},
		SourceContext:    req.SourceContext,
		SessionRequestID: session.RequestID,
		CreateTime:       now,
		UpdateTime:       now,
	}
	if isPackageType(req.MediaType) {
		keys, size, apiErr := s.packageFiles(session, mediaKey)
		if apiErr != nil {
			return MediaFile{}, apiErr
		}
		m.PackageKeys, m.Size = keys, m.Size+size
	}
	if m.Name == "" {
		// Without MediaName the file is named after its object, like the "f0" files of real uploads.
		m.Name = strings.TrimSuffix(path.Base(mediaKey), path.Ext(mediaKey))
	}
	if req.ClassID != nil {
		m.ClassID = *req.ClassID
	}
	if session.CoverStoragePath != "" {
		coverKey := session.CoverStoragePath[1:]
		if _, ok := s.objects.Stat(session.StorageBucket, coverKey); !ok {
			return MediaFile{}, newAPIError(CodeResourceNotFound,
				"The cover was not uploaded to %s before CommitUpload.", session.CoverStoragePath)
		}
		m.CoverKey = coverKey
		m.CoverURL = s.mediaURL(session.StorageBucket, coverKey)
	}
	return m, nil
}

// mediaCategory is "Video" or "Audio" from the media type (OGG, in both lists, counts as video).
func mediaCategory(mediaType string) string {
	if containsFold(videoTypes, mediaType) {
		return "Video"
	}
	return "Audio"
}
