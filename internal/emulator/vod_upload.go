package emulator

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ApplyUploadRequest holds the ApplyUpload parameters (the ApplyUpload API documentation). Pointer fields
// distinguish "absent" from zero.
type ApplyUploadRequest struct {
	MediaType        string  `json:"MediaType"`
	SubAppID         *uint64 `json:"SubAppId,omitempty"`
	MediaName        string  `json:"MediaName,omitempty"`
	CoverType        string  `json:"CoverType,omitempty"`
	Procedure        string  `json:"Procedure,omitempty"`
	ExpireTime       string  `json:"ExpireTime,omitempty"`
	StorageRegion    string  `json:"StorageRegion,omitempty"`
	ClassID          *int64  `json:"ClassId,omitempty"`
	SourceContext    string  `json:"SourceContext,omitempty"`
	SessionContext   string  `json:"SessionContext,omitempty"`
	ExtInfo          string  `json:"ExtInfo,omitempty"`
	MediaStoragePath string  `json:"MediaStoragePath,omitempty"`
}

type applyUploadResponse struct {
	StorageBucket    string          `json:"StorageBucket"`
	StorageRegion    string          `json:"StorageRegion"`
	VodSessionKey    string          `json:"VodSessionKey"`
	MediaStoragePath string          `json:"MediaStoragePath"`
	CoverStoragePath string          `json:"CoverStoragePath,omitempty"`
	TempCertificate  TempCertificate `json:"TempCertificate"`
}

// File types VOD accepts, from the Upload Overview (266/9760) and the FAQ (266/2846); matched
// case-insensitively because SDKs send lowercase extensions but the document lists uppercase ones.
var (
	videoTypes = []string{"WMV", "RM", "MOV", "MPEG", "MP4", "3GP", "FLV", "AVI", "RMVB", "TS", "ASF", "MPG",
		"WEBM", "MKV", "M3U8", "MPD", "WM", "ASX", "RAM", "MPE", "VOB", "DAT", "MP4V", "M4V", "F4V", "MXF", "QT", "OGG"}
	audioTypes = []string{"MP3", "M4A", "FLAC", "OGG", "WAV", "RA", "AAC", "AMR"}
	coverTypes = []string{"JPG", "JPEG", "PNG", "GIF", "BMP", "TIFF", "TIF", "HEIF", "AI", "CDR", "EPS"}
)

// Documented length limits, counted in characters.
const (
	maxSourceContextChars  = 250
	maxSessionContextChars = 1000
)

// applyUpload implements ApplyUpload: it validates the request as the real service does, then mints an
// upload session with a temporary COS credential limited to the media (and cover) object keys.
func (s *Server) applyUpload(call *apiCall) (any, *apiError) {
	var req ApplyUploadRequest
	if apiErr := call.decode(&req); apiErr != nil {
		return nil, apiErr
	}
	// Required parameters are checked before any value, as the gateway does.
	if req.MediaType == "" {
		return nil, errMissingParameter("MediaType")
	}
	subAppID, apiErr := s.resolveSubAppID(req.SubAppID)
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := s.validateApplyUpload(req, subAppID, call.Now); apiErr != nil {
		return nil, apiErr
	}
	session := s.newUploadSession(call, req, subAppID)
	s.vod.addSession(session)
	return applyUploadResponse{
		StorageBucket:    session.StorageBucket,
		StorageRegion:    session.StorageRegion,
		VodSessionKey:    session.VodSessionKey,
		MediaStoragePath: session.MediaStoragePath,
		CoverStoragePath: session.CoverStoragePath,
		TempCertificate:  session.TempCertificate,
	}, nil
}

// resolveSubAppID applies the SubAppId rules: accounts opened from 2023-12-25 must always send it, and a
// sent value must be one of the account's applications. Without it the default application is used.
func (s *Server) resolveSubAppID(sent *uint64) (uint64, *apiError) {
	if sent == nil {
		if s.opts.RequireSubAppID {
			return 0, newAPIError(CodeInvalidSubAppID,
				"SubAppId is required: accounts that activated VOD from 2023-12-25 must name the application.")
		}
		return s.opts.SubAppIDs[0], nil
	}
	if !knownSubApp(s.opts.SubAppIDs, *sent) {
		return 0, newAPIError(CodeInvalidSubAppID, "The SubAppId %d does not exist.", *sent)
	}
	return *sent, nil
}

func (s *Server) validateApplyUpload(req ApplyUploadRequest, subAppID uint64, now time.Time) *apiError {
	for _, check := range []func() *apiError{
		func() *apiError { return checkMediaType(req.MediaType) },
		func() *apiError {
			return checkNoControlCharacters(CodeInvalidParameterValue, "MediaName", req.MediaName)
		},
		func() *apiError { return checkCoverType(req.CoverType) },
		func() *apiError { return checkExpireTime(req.ExpireTime, now) },
		func() *apiError { return s.checkStorageRegion(req.StorageRegion) },
		func() *apiError { return s.checkClassID(subAppID, req.ClassID) },
		func() *apiError { return s.checkProcedure(req.Procedure) },
		func() *apiError { return checkContexts(req.SourceContext, req.SessionContext) },
		func() *apiError { return checkMediaStoragePath(req.MediaStoragePath) },
	} {
		if apiErr := check(); apiErr != nil {
			return apiErr
		}
	}
	return nil
}

func checkMediaType(mediaType string) *apiError {
	if !containsFold(videoTypes, mediaType) && !containsFold(audioTypes, mediaType) {
		return newAPIError(CodeInvalidMediaType, "MediaType `%s` is not a supported video or audio type.", mediaType)
	}
	return nil
}

func checkCoverType(coverType string) *apiError {
	if coverType != "" && !containsFold(coverTypes, coverType) {
		return newAPIError(CodeInvalidCoverType, "CoverType `%s` is not a supported image type.", coverType)
	}
	return nil
}

// checkExpireTime requires an ISO 8601 date-time with a zone (RFC 3339, e.g. 2024-01-01T18:00:00Z)
// that lies in the future.
func checkExpireTime(value string, now time.Time) *apiError {
	if value == "" {
		return nil
	}
	expires, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return newAPIError(CodeInvalidExpireTime, "ExpireTime `%s` is not an ISO 8601 date-time such as 2024-01-01T18:00:00Z.", value)
	}
	if !expires.After(now) {
		return newAPIError(CodeInvalidExpireTime, "ExpireTime `%s` is not in the future.", value)
	}
	return nil
}

func (s *Server) checkStorageRegion(region string) *apiError {
	if region != "" && !slices.Contains(s.opts.StorageRegions, region) {
		return newAPIError(CodeInvalidStorageRegion, "StorageRegion `%s` is not enabled for this account.", region)
	}
	return nil
}

// checkClassID refuses a class that does not exist in the application. Neither ApplyUpload nor
// ModifyMediaInfo documents a class error; InvalidParameterValue.ClassId ("参数值错误：分类 ID") is VOD's
// code for a bad class ID.
func (s *Server) checkClassID(subAppID uint64, classID *int64) *apiError {
	if classID != nil && !s.vod.classExists(subAppID, *classID) {
		return errNoSuchClass(*classID)
	}
	return nil
}

func errNoSuchClass(classID int64) *apiError {
	return newAPIError(CodeInvalidClassID, "ClassId %d does not exist in this application; see DescribeAllClass.", classID)
}

func (s *Server) checkProcedure(procedure string) *apiError {
	if procedure != "" && !s.procedures.has(procedure) {
		return newAPIError(CodeProcedureNameNotExist, "The task flow template `%s` does not exist.", procedure)
	}
	return nil
}

func checkContexts(sourceContext, sessionContext string) *apiError {
	if n := utf8.RuneCountInString(sourceContext); n > maxSourceContextChars {
		return newAPIError(CodeInvalidParameterValue,
			"SourceContext is %d characters long; the limit is %d.", n, maxSourceContextChars)
	}
	if n := utf8.RuneCountInString(sessionContext); n > maxSessionContextChars {
		return newAPIError(CodeSessionContextTooLong,
			"SessionContext is %d characters long; the limit is %d.", n, maxSessionContextChars)
	}
	return nil
}

// checkMediaStoragePath rejects a requested storage path: only sub-applications in "FileID + Path"
// mode may choose one, and the emulated applications use the default FileID mode.
func checkMediaStoragePath(path string) *apiError {
	if path == "" {
		return nil
	}
	return newAPIError(CodeInvalidMediaStoragePath,
		"MediaStoragePath can only be specified by sub-applications in FileID + Path mode.")
}

func (s *Server) newUploadSession(call *apiCall, req ApplyUploadRequest, subAppID uint64) *UploadSession {
	region := req.StorageRegion
	if region == "" {
		region = s.opts.DefaultStorageRegion
	}
	dir := "/" + strconv.FormatUint(subAppID, 10) + "/" + randomHex(12)
	session := &UploadSession{
		RequestID:        call.RequestID,
		SubAppID:         subAppID,
		StorageBucket:    s.bucketName(region, subAppID),
		StorageRegion:    region,
		VodSessionKey:    randomAlphanumeric(64),
		MediaStoragePath: dir + "/" + objectBaseName(req.MediaName) + "." + strings.ToLower(req.MediaType),
		TempCertificate: TempCertificate{
			SecretID:    newTempSecretID(),
			SecretKey:   newTempSecretKey(),
			Token:       newSessionToken(),
			ExpiredTime: uint64(call.Now.Add(s.opts.SessionTTL).Unix()),
		},
		Request:   req.clone(),
		CreatedAt: call.Now,
	}
	if req.CoverType != "" {
		session.CoverStoragePath = dir + "/cover." + strings.ToLower(req.CoverType)
	}
	return session
}

// bucketName is the stable COS bucket of one application in one storage region, shaped like real VOD
// buckets ("vodgzp1500000000-1250000000": vod + region code + p + application + "-" + APPID).
func (s *Server) bucketName(region string, subAppID uint64) string {
	return "vod" + regionCode(region) + "p" + strconv.FormatUint(subAppID, 10) + "-" + strconv.FormatUint(s.opts.AppID, 10)
}

var regionCodes = map[string]string{
	"ap-guangzhou": "gz", "ap-shanghai": "sh", "ap-nanjing": "nj", "ap-beijing": "bj", "ap-beijing-1": "bjo",
	"ap-chengdu": "cd", "ap-chongqing": "cq", "ap-hongkong": "hk", "ap-singapore": "sg", "ap-bangkok": "bk",
	"ap-jakarta": "jkt", "ap-mumbai": "mb", "ap-seoul": "se", "ap-tokyo": "tky", "na-siliconvalley": "sv",
	"na-ashburn": "ash", "na-toronto": "tor", "eu-frankfurt": "fra", "eu-moscow": "mos", "sa-saopaulo": "sao",
}

// regionCode shortens a region for bucket names; unknown regions keep their letters and digits.
func regionCode(region string) string {
	if code, ok := regionCodes[region]; ok {
		return code
	}
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, strings.ToLower(region))
}

// objectBaseName is MediaName as the file name of the storage path: kept as given, as VOD keeps it, so
// that clients meet spaces, brackets and non-ASCII letters in object keys and must URL-encode them. Only
// '%' and '/' are escaped (as %25 and %2F), so that the name stays one path segment, and it is cut to the
// 64 characters of a media name. An empty name becomes "f0", the name real VOD uses.
func objectBaseName(mediaName string) string {
	if mediaName == "" {
		return "f0"
	}
	if runes := []rune(mediaName); len(runes) > maxMediaNameChars {
		mediaName = string(runes[:maxMediaNameChars])
	}
	return strings.NewReplacer("%", "%25", "/", "%2F").Replace(mediaName)
}

// checkNoControlCharacters refuses a name with a C0 control character or DEL (a newline taken from a
// file name, say), which VOD does not accept in names; the error names the parameter.
func checkNoControlCharacters(code ErrorCode, parameter, value string) *apiError {
	for i, r := range value {
		if r < 0x20 || r == 0x7f {
			return newAPIError(code,
				"%s must not contain control characters; it has U+%04X at byte %d.", parameter, r, i)
		}
	}
	return nil
}

func containsFold(list []string, value string) bool {
	return slices.ContainsFunc(list, func(item string) bool { return strings.EqualFold(item, value) })
}
