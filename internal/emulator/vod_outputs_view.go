package emulator

import (
	"bytes"
	"net/http"
)

// The API objects of processing outputs, as DescribeMediaInfos (and DescribeTaskDetail's sub-task
// Output) return them.

type mediaTranscodeInfo struct {
	TranscodeSet []mediaTranscodeItem `json:"TranscodeSet"`
}

// mediaTranscodeItem is the MediaTranscodeItem object; Definition 0 is the original file.
type mediaTranscodeItem struct {
	URL                      string                 `json:"Url"`
	Definition               int64                  `json:"Definition"`
	Bitrate                  int64                  `json:"Bitrate"`
	Height                   int64                  `json:"Height"`
	Width                    int64                  `json:"Width"`
	Size                     int64                  `json:"Size"`
	Duration                 float64                `json:"Duration"`
	Md5                      string                 `json:"Md5"`
	Container                string                 `json:"Container"`
	VideoStreamSet           []mediaVideoStreamItem `json:"VideoStreamSet"`
	AudioStreamSet           []mediaAudioStreamItem `json:"AudioStreamSet"`
	DigitalWatermarkType     string                 `json:"DigitalWatermarkType"`
	CopyRightWatermarkText   string                 `json:"CopyRightWatermarkText"`
	BlindWatermarkDefinition int64                  `json:"BlindWatermarkDefinition"`
	FileID                   string                 `json:"FileId"`
}

type mediaAdaptiveDynamicStreamingInfo struct {
	AdaptiveDynamicStreamingSet []adaptiveDynamicStreamingInfoItem `json:"AdaptiveDynamicStreamingSet"`
}

// adaptiveDynamicStreamingInfoItem is the AdaptiveDynamicStreamingInfoItem object.
type adaptiveDynamicStreamingInfoItem struct {
	Definition               int64                    `json:"Definition"`
	Package                  string                   `json:"Package"`
	DrmType                  string                   `json:"DrmType"`
	URL                      string                   `json:"Url"`
	Size                     int64                    `json:"Size"`
	DigitalWatermarkType     string                   `json:"DigitalWatermarkType"`
	SubStreamSet             []mediaSubStreamInfoItem `json:"SubStreamSet"`
	CopyRightWatermarkText   string                   `json:"CopyRightWatermarkText"`
	BlindWatermarkDefinition int64                    `json:"BlindWatermarkDefinition"`
	SubtitleSet              []any                    `json:"SubtitleSet"`
	DefaultSubtitleID        string                   `json:"DefaultSubtitleId"`
	DrmEncryptType           string                   `json:"DrmEncryptType"`
}

// mediaSubStreamInfoItem is the MediaSubStreamInfoItem object.
type mediaSubStreamInfoItem struct {
	Type   string `json:"Type"`
	Width  int64  `json:"Width"`
	Height int64  `json:"Height"`
	Size   int64  `json:"Size"`
}

type mediaSnapshotByTimeOffsetInfo struct {
	SnapshotByTimeOffsetSet []mediaSnapshotByTimeOffsetItem `json:"SnapshotByTimeOffsetSet"`
}

type mediaSnapshotByTimeOffsetItem struct {
	Definition int64                        `json:"Definition"`
	PicInfoSet []mediaSnapshotByTimePicInfo `json:"PicInfoSet"`
}

type mediaSnapshotByTimePicInfo struct {
	TimeOffset          float64 `json:"TimeOffset"`
	URL                 string  `json:"Url"`
	WaterMarkDefinition []int64 `json:"WaterMarkDefinition"`
}

type mediaImageSpriteInfo struct {
	ImageSpriteSet []mediaImageSpriteItem `json:"ImageSpriteSet"`
}

type mediaImageSpriteItem struct {
	Definition  int64    `json:"Definition"`
	Height      int64    `json:"Height"`
	Width       int64    `json:"Width"`
	TotalCount  int64    `json:"TotalCount"`
	ImageURLSet []string `json:"ImageUrlSet"`
	WebVttURL   string   `json:"WebVttUrl"`
}

// transcodeInfoOf lists the original (Definition 0, while it exists) and the transcodes of m.
func (s *Server) transcodeInfoOf(m MediaFile, meta mediaMetaData) *mediaTranscodeInfo {
	info := &mediaTranscodeInfo{TranscodeSet: []mediaTranscodeItem{}}
	if object, ok := s.objects.Stat(m.Bucket, m.MediaKey); ok {
		info.TranscodeSet = append(info.TranscodeSet, mediaTranscodeItem{
			URL: m.MediaURL, Bitrate: meta.Bitrate, Height: meta.Height, Width: meta.Width, Size: meta.Size,
			Duration: meta.Duration, Md5: object.MD5, Container: meta.Container, VideoStreamSet: meta.VideoStreamSet,
			AudioStreamSet: meta.AudioStreamSet, DigitalWatermarkType: "None",
		})
	}
	for _, t := range m.Outputs.Transcodes {
		info.TranscodeSet = append(info.TranscodeSet, s.transcodeItem(m.Bucket, t))
	}
	return info
}

func (s *Server) transcodeItem(bucket string, t TranscodeOutput) mediaTranscodeItem {
	item := mediaTranscodeItem{
		URL: s.mediaURL(bucket, t.File.Key), Definition: t.Definition, Bitrate: t.Bitrate, Height: t.Height,
		Width: t.Width, Size: t.Size, Duration: t.Duration, Md5: t.Md5, Container: t.Container,
		VideoStreamSet: []mediaVideoStreamItem{}, DigitalWatermarkType: "None",
		AudioStreamSet: []mediaAudioStreamItem{{Bitrate: emulatedAudioBitrate, SamplingRate: emulatedSamplingRate, Codec: "aac"}},
	}
	if t.Width > 0 {
		item.VideoStreamSet = append(item.VideoStreamSet, mediaVideoStreamItem{
			Bitrate: t.Bitrate - emulatedAudioBitrate, Width: t.Width, Height: t.Height, Codec: "h264",
			Fps: emulatedVideoFPS, DynamicRangeInfo: &dynamicRangeInfo{Type: "SDR"},
		})
	}
	return item
}

func (s *Server) adaptiveItem(bucket string, a AdaptiveStreamOutput) adaptiveDynamicStreamingInfoItem {
	item := adaptiveDynamicStreamingInfoItem{
		Definition: a.Definition, Package: a.Package, DrmType: a.DrmType, URL: s.mediaURL(bucket, a.Files[0].Key),
		Size: a.Size, DigitalWatermarkType: "None", SubStreamSet: []mediaSubStreamInfoItem{}, SubtitleSet: []any{},
	}
	for _, sub := range a.SubStreams {
		item.SubStreamSet = append(item.SubStreamSet, mediaSubStreamInfoItem(sub))
	}
	return item
}

func (s *Server) snapshotItem(bucket string, o SnapshotOutput) mediaSnapshotByTimeOffsetItem {
	item := mediaSnapshotByTimeOffsetItem{Definition: o.Definition, PicInfoSet: []mediaSnapshotByTimePicInfo{}}
	for _, p := range o.Pictures {
		item.PicInfoSet = append(item.PicInfoSet, mediaSnapshotByTimePicInfo{
			TimeOffset: p.TimeOffset, URL: s.mediaURL(bucket, p.File.Key), WaterMarkDefinition: []int64{},
		})
	}
	return item
}

func (s *Server) imageSpriteItem(bucket string, o ImageSpriteOutput) mediaImageSpriteItem {
	item := mediaImageSpriteItem{Definition: o.Definition, Height: o.Height, Width: o.Width, TotalCount: o.TotalCount,
		ImageURLSet: []string{}, WebVttURL: s.mediaURL(bucket, o.WebVTT.Key)}
	for _, sheet := range o.Sheets {
		item.ImageURLSet = append(item.ImageURLSet, s.mediaURL(bucket, sheet.Key))
	}
	return item
}

// outputItem is the API object of one sub-task's output (a sub-task result's Output).
func (s *Server) outputItem(bucket string, out stepOutput) any {
	switch {
	case out.Transcode != nil:
		return s.transcodeItem(bucket, *out.Transcode)
	case out.AdaptiveStream != nil:
		return s.adaptiveItem(bucket, *out.AdaptiveStream)
	case out.Snapshot != nil:
		return s.snapshotItem(bucket, *out.Snapshot)
	case out.ImageSprite != nil:
		return s.imageSpriteItem(bucket, *out.ImageSprite)
	}
	return nil
}

// addOutputSections fills the processing sections of info that the filters ask for. An output kind the
// media has none of stays null, like the other sections the emulator has no data for; TranscodeInfo
// always lists the original.
func (s *Server) addOutputSections(info *mediaInfo, m MediaFile, meta mediaMetaData, wants func(string) bool) {
	if wants("transcodeInfo") {
		info.TranscodeInfo = s.transcodeInfoOf(m, meta)
	}
	if o := m.Outputs.AdaptiveStreams; wants("adaptiveDynamicStreamingInfo") && len(o) > 0 {
		section := &mediaAdaptiveDynamicStreamingInfo{}
		for _, a := range o {
			section.AdaptiveDynamicStreamingSet = append(section.AdaptiveDynamicStreamingSet, s.adaptiveItem(m.Bucket, a))
		}
		info.AdaptiveDynamicStreamingInfo = section
	}
	if o := m.Outputs.Snapshots; wants("snapshotByTimeOffsetInfo") && len(o) > 0 {
		section := &mediaSnapshotByTimeOffsetInfo{}
		for _, snapshot := range o {
			section.SnapshotByTimeOffsetSet = append(section.SnapshotByTimeOffsetSet, s.snapshotItem(m.Bucket, snapshot))
		}
		info.SnapshotByTimeOffsetInfo = section
	}
	if o := m.Outputs.ImageSprites; wants("imageSpriteInfo") && len(o) > 0 {
		section := &mediaImageSpriteInfo{}
		for _, sprite := range o {
			section.ImageSpriteSet = append(section.ImageSpriteSet, s.imageSpriteItem(m.Bucket, sprite))
		}
		info.ImageSpriteInfo = section
	}
}

// serveOutputFile answers GET/HEAD of a processing output file of a media file, from memory. It
// reports false when bucket/key is no output file.
func (s *Server) serveOutputFile(w http.ResponseWriter, r *http.Request, bucket, key string) bool {
	m, file, ok := s.vod.outputFile(bucket, key)
	if !ok {
		return false
	}
	w.Header().Set("Content-Type", file.ContentType)
	http.ServeContent(w, r, key, m.CreateTime, bytes.NewReader(file.Data))
	return true
}

// outputFile finds the media file that has an output file at bucket/key.
func (s *vodStore) outputFile(bucket, key string) (MediaFile, OutputFile, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, m := range s.media {
		if m.Bucket != bucket {
			continue
		}
		if f, ok := m.Outputs.file(key); ok {
			return m.clone(), f, true
		}
	}
	return MediaFile{}, OutputFile{}, false
}
