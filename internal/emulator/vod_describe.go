package emulator

import "slices"

// maxDescribeFileIDs is the documented FileIds limit of DescribeMediaInfos ("N 从 0 开始取值，最大 19").
const maxDescribeFileIDs = 20

// mediaInfoFilters are the documented Filters values, in the order of the reference.
var mediaInfoFilters = []string{
	"basicInfo", "metaData", "transcodeInfo", "animatedGraphicsInfo", "imageSpriteInfo",
	"snapshotByTimeOffsetInfo", "sampleSnapshotInfo", "keyFrameDescInfo", "adaptiveDynamicStreamingInfo",
	"miniProgramReviewInfo", "subtitleInfo", "reviewInfo", "mpsAiMediaInfo", "knowledgeBasesInfo",
}

type describeMediaInfosRequest struct {
	FileIDs  []string `json:"FileIds"`
	SubAppID *uint64  `json:"SubAppId,omitempty"`
	Filters  []string `json:"Filters,omitempty"`
}

type mediaKeyFrameDescInfo struct {
	KeyFrameDescSet []KeyFrameDesc `json:"KeyFrameDescSet"`
}

type describeMediaInfosResponse struct {
	MediaInfoSet      []mediaInfo `json:"MediaInfoSet"`
	NotExistFileIDSet []string    `json:"NotExistFileIdSet"`
}

// mediaInfo is the MediaInfo object. Sections the filters leave out, and sections the emulator has no
// data for (other than TranscodeInfo, which lists at least the original), are null, as the real API
// returns them.
type mediaInfo struct {
	FileID                       string          `json:"FileId"`
	BasicInfo                    *mediaBasicInfo `json:"BasicInfo"`
	MetaData                     *mediaMetaData  `json:"MetaData"`
	TranscodeInfo                any             `json:"TranscodeInfo"`
	AnimatedGraphicsInfo         any             `json:"AnimatedGraphicsInfo"`
	SampleSnapshotInfo           any             `json:"SampleSnapshotInfo"`
	ImageSpriteInfo              any             `json:"ImageSpriteInfo"`
	SnapshotByTimeOffsetInfo     any             `json:"SnapshotByTimeOffsetInfo"`
	KeyFrameDescInfo             any             `json:"KeyFrameDescInfo"`
	AdaptiveDynamicStreamingInfo any             `json:"AdaptiveDynamicStreamingInfo"`
	MiniProgramReviewInfo        any             `json:"MiniProgramReviewInfo"`
	SubtitleInfo                 any             `json:"SubtitleInfo"`
	ReviewInfo                   any             `json:"ReviewInfo"`
	MPSAiMediaInfo               any             `json:"MPSAiMediaInfo"`
	ImageUnderstandingInfo       any             `json:"ImageUnderstandingInfo"`
	KnowledgeBasesInfo           any             `json:"KnowledgeBasesInfo"`
	FaceRecognitionInfo          any             `json:"FaceRecognitionInfo"`
}

type mediaBasicInfo struct {
	Name          string          `json:"Name"`
	Description   string          `json:"Description"`
	CreateTime    string          `json:"CreateTime"`
	UpdateTime    string          `json:"UpdateTime"`
	ExpireTime    string          `json:"ExpireTime"`
	ClassID       int64           `json:"ClassId"`
	ClassName     string          `json:"ClassName"`
	ClassPath     string          `json:"ClassPath"`
	CoverURL      string          `json:"CoverUrl"`
	Type          string          `json:"Type"`
	MediaURL      string          `json:"MediaUrl"`
	SourceInfo    mediaSourceData `json:"SourceInfo"`
	StorageRegion string          `json:"StorageRegion"`
	StoragePath   string          `json:"StoragePath"`
	TagSet        []string        `json:"TagSet"`
	Vid           string          `json:"Vid"`
	Category      string          `json:"Category"`
	Status        string          `json:"Status"`
	StorageClass  string          `json:"StorageClass"`
}

type mediaSourceData struct {
	SourceType        string `json:"SourceType"`
	SourceContext     string `json:"SourceContext"`
	LiveRecordInfo    any    `json:"LiveRecordInfo"`
	TrtcRecordInfo    any    `json:"TrtcRecordInfo"`
	WebPageRecordInfo any    `json:"WebPageRecordInfo"`
}

// mediaMetaData is the MediaMetaData object (see metaDataOf for the emulated values).
type mediaMetaData struct {
	Size           int64                  `json:"Size"`
	Container      string                 `json:"Container"`
	Bitrate        int64                  `json:"Bitrate"`
	Height         int64                  `json:"Height"`
	Width          int64                  `json:"Width"`
	Duration       float64                `json:"Duration"`
	Rotate         int64                  `json:"Rotate"`
	VideoStreamSet []mediaVideoStreamItem `json:"VideoStreamSet"`
	AudioStreamSet []mediaAudioStreamItem `json:"AudioStreamSet"`
	VideoDuration  float64                `json:"VideoDuration"`
	AudioDuration  float64                `json:"AudioDuration"`
	Md5            string                 `json:"Md5"`
}

// describeMediaInfos implements DescribeMediaInfos. IDs that do not exist, or exist in another
// application, are listed in NotExistFileIdSet rather than failing the call.
func (s *Server) describeMediaInfos(call *apiCall) (any, *apiError) {
	var req describeMediaInfosRequest
	if apiErr := call.decode(&req); apiErr != nil {
		return nil, apiErr
	}
	if req.FileIDs == nil {
		return nil, errMissingParameter("FileIds")
	}
	subAppID, apiErr := s.resolveSubAppID(req.SubAppID)
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := checkDescribeFileIDs(req.FileIDs); apiErr != nil {
		return nil, apiErr
	}
	if apiErr := checkMediaInfoFilters(req.Filters); apiErr != nil {
		return nil, apiErr
	}
	s.purgeExpiredMedia()
	resp := describeMediaInfosResponse{MediaInfoSet: []mediaInfo{}, NotExistFileIDSet: []string{}}
	for _, id := range uniqueInOrder(req.FileIDs) {
		m, ok := s.vod.mediaFile(id, subAppID)
		if !ok {
			resp.NotExistFileIDSet = append(resp.NotExistFileIDSet, id)
			continue
		}
		resp.MediaInfoSet = append(resp.MediaInfoSet, s.mediaInfoOf(m, req.Filters))
	}
	return resp, nil
}

func checkDescribeFileIDs(ids []string) *apiError {
	if len(ids) == 0 {
		return newAPIError(CodeFileIDsEmpty, "FileIds must name at least one media file.")
	}
	if len(ids) > maxDescribeFileIDs {
		return newAPIError(CodeInvalidFileIDs, "FileIds names %d media files; the limit is %d.", len(ids), maxDescribeFileIDs)
	}
	for i, id := range ids {
		if id == "" {
			return newAPIError(CodeInvalidFileIDs, "FileIds.%d is empty.", i)
		}
	}
	return nil
}

func checkMediaInfoFilters(filters []string) *apiError {
	for i, f := range filters {
		if !slices.Contains(mediaInfoFilters, f) {
			return newAPIError(CodeInvalidFilters, "Filters.%d `%s` is not one of the documented filters (basicInfo, metaData, ...).", i, f)
		}
	}
	return nil
}

// uniqueInOrder drops repeated IDs so that each media file is described once.
func uniqueInOrder(ids []string) []string {
	var out []string
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// mediaInfoOf returns the sections the filters ask for (all when there are none).
func (s *Server) mediaInfoOf(m MediaFile, filters []string) mediaInfo {
	wants := func(section string) bool { return len(filters) == 0 || slices.Contains(filters, section) }
	info := mediaInfo{FileID: m.FileID}
	if wants("basicInfo") {
		className, classPath := s.vod.classNameAndPath(m.SubAppID, m.ClassID)
		info.BasicInfo = basicInfoOf(m, className, classPath)
	}
	meta := metaDataOf(m)
	if wants("metaData") {
		info.MetaData = &meta
	}
	s.addOutputSections(&info, m, meta, wants)
	if wants("keyFrameDescInfo") && len(m.KeyFrameDescs) > 0 {
		info.KeyFrameDescInfo = mediaKeyFrameDescInfo{KeyFrameDescSet: slices.Clone(m.KeyFrameDescs)}
	}
	return info
}

// basicInfoOf is the BasicInfo of m, whose class is read from the class store by the caller.
func basicInfoOf(m MediaFile, className, classPath string) *mediaBasicInfo {
	return &mediaBasicInfo{
		Name:          m.Name,
		Description:   m.Description,
		CreateTime:    m.CreateTime.UTC().Format(vodTimeLayout),
		UpdateTime:    m.UpdateTime.UTC().Format(vodTimeLayout),
		ExpireTime:    formatExpireTime(m.ExpireTime),
		ClassID:       m.ClassID,
		ClassName:     className,
		ClassPath:     classPath,
		CoverURL:      m.CoverURL,
		Type:          m.Type,
		MediaURL:      m.MediaURL,
		SourceInfo:    mediaSourceData{SourceType: "Upload", SourceContext: m.SourceContext},
		StorageRegion: m.StorageRegion,
		StoragePath:   "/" + m.MediaKey,
		TagSet:        m.clone().Tags,
		Category:      m.Category,
		Status:        "Normal",
		StorageClass:  "STANDARD",
	}
}
