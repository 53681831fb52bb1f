package vod

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// NeverExpires is the ExpireTime VOD uses for media that never expire.
const NeverExpires = "9999-12-31T23:59:59Z"

// MaxDescribeFileIDs is how many FileIds one DescribeMediaInfos call accepts.
const MaxDescribeFileIDs = 20

// ErrMediaNotFound matches (errors.Is) the error returned when a media file does not exist: it is in
// DescribeMediaInfos' NotExistFileIdSet, or DeleteMedia or ModifyMediaInfo answered ResourceNotFound*.
var ErrMediaNotFound = errors.New("media file not found")

// codeSessionKeyInvalid is CommitUpload's answer to an unknown, expired or already used session key.
const codeSessionKeyInvalid = "InvalidParameterValue.VodSessionKey"

// CommitUploadRequest is CommitUpload's input. VodSessionKey is a secret.
type CommitUploadRequest struct {
	VodSessionKey string  `json:"VodSessionKey"`
	SubAppID      *uint64 `json:"SubAppId,omitempty"` // nil = the client's default sub-application
}

// String keeps the session key out of logs and error text.
func (r CommitUploadRequest) String() string {
	sub := "default"
	if r.SubAppID != nil {
		sub = fmt.Sprint(*r.SubAppID)
	}
	return fmt.Sprintf("CommitUploadRequest{VodSessionKey:<redacted> SubAppId:%s}", sub)
}

// GoString redacts like String, for %#v.
func (r CommitUploadRequest) GoString() string { return r.String() }

// CommitUploadResponse is CommitUpload's output.
type CommitUploadResponse struct {
	FileID    string `json:"FileId"`
	MediaURL  string `json:"MediaUrl"`
	CoverURL  string `json:"CoverUrl"`
	RequestID string `json:"RequestId"`
}

func (r *CommitUploadResponse) getRequestID() string { return r.RequestID }

// CommitOutcomeUnknownError is returned by CommitUpload when it cannot tell whether the session was
// committed: an attempt failed in a way that may have committed it (no reply, a reply that is not an
// API response, a 5xx, InternalError) and no later attempt got the FileId. Typically the retry was
// told the session key is no longer valid: keys are single use, so the unanswered attempt most likely
// created the media file. The caller should look the file up (FindUploadedMedia) rather than upload
// again.
type CommitOutcomeUnknownError struct {
	RequestIDs []string // the RequestIds of the attempts that got one, oldest first
	// Uncertain is the first attempt that may have committed: what it got instead of the FileId.
	Uncertain *APIError
	// Err is the last attempt's error (errors.As reaches its *APIError); it is Uncertain when that
	// attempt was the last.
	Err error
}

func (e *CommitOutcomeUnknownError) Error() string {
	var b strings.Builder
	b.WriteString("CommitUpload: the media file may have been created, but its FileId was not received")
	if e.Uncertain != nil {
		fmt.Fprintf(&b, "; the attempt that may have committed got: %s", e.Uncertain.Message)
	}
	if ErrorCode(e.Err) == codeSessionKeyInvalid {
		b.WriteString("; the retry was told the session key is no longer valid, so an attempt most likely used it")
	}
	if len(e.RequestIDs) > 0 {
		fmt.Fprintf(&b, " (RequestIds: %s)", strings.Join(e.RequestIDs, ", "))
	}
	if e.Err != nil && e.Err != error(e.Uncertain) {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *CommitOutcomeUnknownError) Unwrap() error { return e.Err }

// CommitUpload confirms an upload session and creates the media file. A nil req.SubAppID means the
// client's sub-application.
//
// It is retried on network errors and 5xx answers: a session key commits at most once, so a repeat
// cannot create a second file. When an attempt may have committed and no attempt returned the
// FileId, the error is a *CommitOutcomeUnknownError.
func (c *Client) CommitUpload(ctx context.Context, req *CommitUploadRequest) (*CommitUploadResponse, error) {
	const action = "CommitUpload"
	if req == nil || req.VodSessionKey == "" {
		return nil, missingParameter(action, "VodSessionKey")
	}
	params := *req
	params.SubAppID = c.defaultSubAppID(params.SubAppID)
	var history attemptHistory
	var resp envelope[CommitUploadResponse]
	if err := c.callObserved(ctx, vodService, c.settings.vodEndpoint, action, params, &resp, c.credentialsFor, history.record); err != nil {
		return nil, history.explain(err)
	}
	out := resp.Response
	return &out, nil
}

// attemptHistory remembers what the attempts of a call that creates something (CommitUpload,
// CreateClass, ProcessMediaByProcedure) answered, so that the call can tell, once the last attempt has
// answered, whether an earlier one may have created it.
type attemptHistory struct {
	requestIDs []string
	uncertain  *APIError // the first attempt that failed in a way that may have carried out the request
}

// record is called for every failed attempt, the last one included.
func (h *attemptHistory) record(e *APIError) {
	if e.RequestID != "" {
		h.requestIDs = append(h.requestIDs, e.RequestID)
	}
	if h.uncertain == nil && (outcomeUnknown(e) || unreadableReply(e)) {
		h.uncertain = e
	}
}

// explain turns the final error into a CommitOutcomeUnknownError when an attempt may have committed:
// no later failure, whatever it says, proves that it did not.
func (h *attemptHistory) explain(err error) error {
	if h.uncertain == nil {
		return err
	}
	return &CommitOutcomeUnknownError{RequestIDs: slices.Clone(h.requestIDs), Uncertain: h.uncertain, Err: err}
}

// DescribeMediaInfosRequest is DescribeMediaInfos' input. Filters names the sections to return
// (lowerCamel, e.g. "basicInfo", "metaData"); none means all of them.
type DescribeMediaInfosRequest struct {
	FileIDs  []string `json:"FileIds"`
	Filters  []string `json:"Filters,omitempty"`
	SubAppID *uint64  `json:"SubAppId,omitempty"` // nil = the client's default sub-application
}

// DescribeMediaInfosResponse is DescribeMediaInfos' output. Unknown ids are listed in
// NotExistFileIDSet rather than failing the call.
type DescribeMediaInfosResponse struct {
	MediaInfoSet      []MediaInfo `json:"MediaInfoSet"`
	NotExistFileIDSet []string    `json:"NotExistFileIdSet"`
	RequestID         string      `json:"RequestId"`
}

func (r *DescribeMediaInfosResponse) getRequestID() string { return r.RequestID }

// MediaInfo is one media file. Sections that were not requested, or that VOD has nothing for, are nil.
// Of the processing sections, those a task flow's playback outputs are in are decoded.
type MediaInfo struct {
	FileID                       string                             `json:"FileId"`
	BasicInfo                    *MediaBasicInfo                    `json:"BasicInfo"`
	MetaData                     *MediaMetaData                     `json:"MetaData"`
	TranscodeInfo                *MediaTranscodeInfo                `json:"TranscodeInfo"`
	AdaptiveDynamicStreamingInfo *MediaAdaptiveDynamicStreamingInfo `json:"AdaptiveDynamicStreamingInfo"`
	SnapshotByTimeOffsetInfo     *MediaSnapshotByTimeOffsetInfo     `json:"SnapshotByTimeOffsetInfo"`
	ImageSpriteInfo              *MediaImageSpriteInfo              `json:"ImageSpriteInfo"`
}

// MediaBasicInfo is a media file's name, class, URLs and storage. Times are ISO 8601 strings as the
// API sends them (UTC, e.g. "2024-01-01T08:00:00Z"); ExpireTime is NeverExpires when the file does
// not expire.
type MediaBasicInfo struct {
	Name          string           `json:"Name"`
	Description   string           `json:"Description"`
	CreateTime    string           `json:"CreateTime"`
	UpdateTime    string           `json:"UpdateTime"`
	ExpireTime    string           `json:"ExpireTime"`
	ClassID       int64            `json:"ClassId"`
	ClassName     string           `json:"ClassName"`
	ClassPath     string           `json:"ClassPath"`
	CoverURL      string           `json:"CoverUrl"`
	Type          string           `json:"Type"`
	MediaURL      string           `json:"MediaUrl"`
	SourceInfo    *MediaSourceData `json:"SourceInfo"`
	StorageRegion string           `json:"StorageRegion"`
	StoragePath   string           `json:"StoragePath"`
	TagSet        []string         `json:"TagSet"`
	Vid           string           `json:"Vid"`
	Category      string           `json:"Category"`     // Video, Audio or Image
	Status        string           `json:"Status"`       // Normal or Forbidden
	StorageClass  string           `json:"StorageClass"` // STANDARD, STANDARD_IA, ARCHIVE or DEEP_ARCHIVE
}

// MediaSourceData says where a media file came from.
type MediaSourceData struct {
	SourceType    string `json:"SourceType"` // e.g. Upload, Record, VideoProcessing
	SourceContext string `json:"SourceContext"`
}

// MediaMetaData is what VOD measured of a media file.
type MediaMetaData struct {
	Size           int64                  `json:"Size"` // bytes
	Container      string                 `json:"Container"`
	Bitrate        int64                  `json:"Bitrate"` // bps
	Height         int64                  `json:"Height"`
	Width          int64                  `json:"Width"`
	Duration       float64                `json:"Duration"` // seconds
	Rotate         int64                  `json:"Rotate"`
	VideoStreamSet []MediaVideoStreamItem `json:"VideoStreamSet"`
	AudioStreamSet []MediaAudioStreamItem `json:"AudioStreamSet"`
	VideoDuration  float64                `json:"VideoDuration"`
	AudioDuration  float64                `json:"AudioDuration"`
	Md5            string                 `json:"Md5"`
}

// MediaVideoStreamItem is one video stream of a media file.
type MediaVideoStreamItem struct {
	Bitrate  int64  `json:"Bitrate"`
	Height   int64  `json:"Height"`
	Width    int64  `json:"Width"`
	Codec    string `json:"Codec"`
	Fps      int64  `json:"Fps"`
	CodecTag string `json:"CodecTag"`
}

// MediaAudioStreamItem is one audio stream of a media file.
type MediaAudioStreamItem struct {
	Bitrate      int64  `json:"Bitrate"`
	SamplingRate int64  `json:"SamplingRate"`
	Codec        string `json:"Codec"`
}

// DescribeMediaInfos reads up to MaxDescribeFileIDs media files.
func (c *Client) DescribeMediaInfos(ctx context.Context, req *DescribeMediaInfosRequest) (*DescribeMediaInfosResponse, error) {
	const action = "DescribeMediaInfos"
	if req == nil || len(req.FileIDs) == 0 {
		return nil, missingParameter(action, "FileIds")
	}
	if len(req.FileIDs) > MaxDescribeFileIDs {
		return nil, &APIError{Action: action, Code: "ClientError.InvalidParameter",
			Message: fmt.Sprintf("FileIds has %d entries, at most %d are allowed", len(req.FileIDs), MaxDescribeFileIDs)}
	}
	params := *req
	params.SubAppID = c.defaultSubAppID(params.SubAppID)
	return callVOD[DescribeMediaInfosResponse](ctx, c, action, params)
}

// describeMediaFilters are the sections MediaInfo decodes; asking only for them leaves out the
// sections nothing here reads (reviews, AI results, subtitles, ...), which can be long.
var describeMediaFilters = append(append([]string{}, basicMediaFilters...),
	FilterTranscodeInfo, FilterAdaptiveDynamicStreamingInfo, FilterSnapshotByTimeOffsetInfo, FilterImageSpriteInfo)

// basicMediaFilters are the sections that say which file a media is, without its processing outputs:
// enough to recognise a media file among many.
var basicMediaFilters = []string{"basicInfo", "metaData"}

// DescribeMedia reads one media file's basic information and metadata. It returns an error matching
// ErrMediaNotFound when the file does not exist (or belongs to another sub-application).
func (c *Client) DescribeMedia(ctx context.Context, fileID string, subAppID *uint64) (*MediaInfo, error) {
	if fileID == "" {
		return nil, missingParameter("DescribeMediaInfos", "FileIds")
	}
	resp, err := c.DescribeMediaInfos(ctx, &DescribeMediaInfosRequest{
		FileIDs: []string{fileID}, Filters: describeMediaFilters, SubAppID: subAppID,
	})
	if err != nil {
		return nil, err
	}
	for i := range resp.MediaInfoSet {
		if resp.MediaInfoSet[i].FileID == fileID {
			info := resp.MediaInfoSet[i]
			return &info, nil
		}
	}
	// Listed in NotExistFileIdSet, or (defensively) missing from both lists.
	return nil, fmt.Errorf("%w: FileId %s (RequestId: %s)", ErrMediaNotFound, fileID, resp.RequestID)
}

// DeleteMediaRequest is DeleteMedia's input. No DeleteParts deletes the media file and everything
// made from it.
type DeleteMediaRequest struct {
	FileID      string            `json:"FileId"`
	DeleteParts []MediaDeleteItem `json:"DeleteParts,omitempty"`
	SubAppID    *uint64           `json:"SubAppId,omitempty"` // nil = the client's default sub-application
}

// MediaDeleteItem names a part of a media file to delete: Type is OriginalFiles, TranscodeFiles,
// AdaptiveDynamicStreamingFiles, WechatPublishFiles or WechatMiniProgramPublishFiles; Definition
// narrows it to one template (0 = all).
type MediaDeleteItem struct {
	Type       string `json:"Type"`
	Definition int64  `json:"Definition,omitempty"`
}

type deleteMediaResponse struct {
	RequestID string `json:"RequestId"`
}

func (r *deleteMediaResponse) getRequestID() string { return r.RequestID }

// DeleteMedia deletes a media file (or the parts named in DeleteParts). A file that does not exist
// gives an error matching ErrMediaNotFound; callers that only want the file gone treat that as
// success. That includes a retry whose earlier attempt deleted the file but lost the reply.
func (c *Client) DeleteMedia(ctx context.Context, req *DeleteMediaRequest) error {
	const action = "DeleteMedia"
	if req == nil || req.FileID == "" {
		return missingParameter(action, "FileId")
	}
	params := *req
	params.SubAppID = c.defaultSubAppID(params.SubAppID)
	_, err := callVOD[deleteMediaResponse](ctx, c, action, params)
	return asMediaNotFound(err)
}

// ModifyMediaInfoRequest is ModifyMediaInfo's input. Nil fields are left unchanged. ExpireTime is
// ISO 8601 (e.g. "2030-01-01T00:00:00Z") or NeverExpires; CoverData is a base64 gif, jpeg or png;
// ClearTags 1 removes every tag (it cannot be combined with AddTags).
type ModifyMediaInfoRequest struct {
	FileID      string   `json:"FileId"`
	SubAppID    *uint64  `json:"SubAppId,omitempty"` // nil = the client's default sub-application
	Name        *string  `json:"Name,omitempty"`
	Description *string  `json:"Description,omitempty"`
	ClassID     *int64   `json:"ClassId,omitempty"`
	ExpireTime  *string  `json:"ExpireTime,omitempty"`
	CoverData   *string  `json:"CoverData,omitempty"`
	AddTags     []string `json:"AddTags,omitempty"`
	DeleteTags  []string `json:"DeleteTags,omitempty"`
	ClearTags   *int64   `json:"ClearTags,omitempty"`
}

// ModifyMediaInfoResponse is ModifyMediaInfo's output. CoverURL is set only when CoverData was sent.
type ModifyMediaInfoResponse struct {
	CoverURL  string `json:"CoverUrl"`
	RequestID string `json:"RequestId"`
}

func (r *ModifyMediaInfoResponse) getRequestID() string { return r.RequestID }

// ModifyMediaInfo changes a media file's attributes. A file that does not exist gives an error
// matching ErrMediaNotFound.
func (c *Client) ModifyMediaInfo(ctx context.Context, req *ModifyMediaInfoRequest) (*ModifyMediaInfoResponse, error) {
	const action = "ModifyMediaInfo"
	if req == nil || req.FileID == "" {
		return nil, missingParameter(action, "FileId")
	}
	params := *req
	params.SubAppID = c.defaultSubAppID(params.SubAppID)
	resp, err := callVOD[ModifyMediaInfoResponse](ctx, c, action, params)
	return resp, asMediaNotFound(err)
}

// WithoutSubAppID returns a SubAppID that sends no SubAppId at all, not even the client's default: the
// account's default application. Callers that pinned "no sub-application" when a media file was made
// pass it, so that a default configured later does not move their calls to another application.
func WithoutSubAppID() *uint64 { return new(uint64) }

// defaultSubAppID returns what a request sends as SubAppId: sent, or the client's sub-application when
// none was sent and one is configured. nil, and WithoutSubAppID, leave SubAppId out of the request.
func (c *Client) defaultSubAppID(sent *uint64) *uint64 {
	if sent != nil && *sent == 0 {
		return nil
	}
	if sent != nil || c.settings.subAppID == 0 {
		return sent
	}
	id := c.settings.subAppID
	return &id
}

func missingParameter(action, name string) *APIError {
	return &APIError{Action: action, Code: "ClientError.MissingParameter", Message: name + " is required"}
}

// mediaNotFoundError is an *APIError with a ResourceNotFound* code that also matches ErrMediaNotFound.
type mediaNotFoundError struct{ apiErr *APIError }

func (e *mediaNotFoundError) Error() string   { return e.apiErr.Error() }
func (e *mediaNotFoundError) Unwrap() []error { return []error{ErrMediaNotFound, e.apiErr} }

// asMediaNotFound makes a ResourceNotFound* answer match ErrMediaNotFound; other errors pass through.
func asMediaNotFound(err error) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.HasCode("ResourceNotFound") {
		return &mediaNotFoundError{apiErr: apiErr}
	}
	return err
}
