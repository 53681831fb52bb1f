package vod

// The sections of a MediaInfo that processing (a task flow, or a transcode) fills in. In each list,
// Definition names the template that made the output; in TranscodeSet, Definition 0 is the original
// file.

// Filters for DescribeMediaInfos and SearchMedia that ask for the processing outputs.
const (
	FilterTranscodeInfo                = "transcodeInfo"
	FilterAdaptiveDynamicStreamingInfo = "adaptiveDynamicStreamingInfo"
	FilterSnapshotByTimeOffsetInfo     = "snapshotByTimeOffsetInfo"
	FilterImageSpriteInfo              = "imageSpriteInfo"
)

// MediaTranscodeInfo lists a media file's transcodes.
type MediaTranscodeInfo struct {
	TranscodeSet []MediaTranscodeItem `json:"TranscodeSet"`
}

// MediaTranscodeItem is one transcode (or, with Definition 0, the original file).
type MediaTranscodeItem struct {
	URL        string  `json:"Url"`
	Definition int64   `json:"Definition"`
	Bitrate    int64   `json:"Bitrate"` // bps
	Height     int64   `json:"Height"`
	Width      int64   `json:"Width"`
	Size       int64   `json:"Size"`     // bytes
	Duration   float64 `json:"Duration"` // seconds
	Md5        string  `json:"Md5"`
	Container  string  `json:"Container"`
	// DigitalWatermarkType is None, Trace or CopyRight: one template can make a file per watermark.
	DigitalWatermarkType string                 `json:"DigitalWatermarkType"`
	VideoStreamSet       []MediaVideoStreamItem `json:"VideoStreamSet"`
	AudioStreamSet       []MediaAudioStreamItem `json:"AudioStreamSet"`
}

// MediaAdaptiveDynamicStreamingInfo lists a media file's adaptive bitrate streams.
type MediaAdaptiveDynamicStreamingInfo struct {
	AdaptiveDynamicStreamingSet []AdaptiveDynamicStreamingInfoItem `json:"AdaptiveDynamicStreamingSet"`
}

// AdaptiveDynamicStreamingInfoItem is one adaptive stream: the playlist (HLS) or manifest (DASH) a
// player opens.
type AdaptiveDynamicStreamingInfoItem struct {
	Definition int64  `json:"Definition"`
	Package    string `json:"Package"` // HLS or DASH
	DrmType    string `json:"DrmType"` // empty when not encrypted
	URL        string `json:"Url"`
	Size       int64  `json:"Size"`
	// DigitalWatermarkType is None, Trace or CopyRight: one template can make a stream per watermark.
	DigitalWatermarkType string `json:"DigitalWatermarkType"`
}

// MediaSnapshotByTimeOffsetInfo lists a media file's snapshots taken at given times.
type MediaSnapshotByTimeOffsetInfo struct {
	SnapshotByTimeOffsetSet []MediaSnapshotByTimeOffsetItem `json:"SnapshotByTimeOffsetSet"`
}

// MediaSnapshotByTimeOffsetItem is the snapshots one template took.
type MediaSnapshotByTimeOffsetItem struct {
	Definition int64                            `json:"Definition"`
	PicInfoSet []MediaSnapshotByTimePicInfoItem `json:"PicInfoSet"`
}

// MediaSnapshotByTimePicInfoItem is one snapshot.
type MediaSnapshotByTimePicInfoItem struct {
	TimeOffset          float64 `json:"TimeOffset"` // milliseconds
	URL                 string  `json:"Url"`
	WaterMarkDefinition []int64 `json:"WaterMarkDefinition"`
}

// MediaImageSpriteInfo lists a media file's image sprites (thumbnail sheets).
type MediaImageSpriteInfo struct {
	ImageSpriteSet []MediaImageSpriteItem `json:"ImageSpriteSet"`
}

// MediaImageSpriteItem is the sprite sheets one template made, with the WebVTT file that maps
// playback times to their tiles.
type MediaImageSpriteItem struct {
	Definition  int64    `json:"Definition"`
	Height      int64    `json:"Height"`
	Width       int64    `json:"Width"`
	TotalCount  int64    `json:"TotalCount"`
	ImageURLSet []string `json:"ImageUrlSet"`
	WebVttURL   string   `json:"WebVttUrl"`
}
