package emulator

import "math"

// The emulator does not decode media, so MetaData is derived from what it knows: the size, the type
// and the category. Video is taken to be 1280x720 H.264 at 25 fps with AAC audio, 2 Mbps in all;
// audio is AAC at 128 kbps. The duration follows from the size and that bitrate (at least one
// second), so equal files always get equal metadata.
const (
	emulatedVideoWidth    = 1280
	emulatedVideoHeight   = 720
	emulatedVideoFPS      = 25
	emulatedAudioBitrate  = 128_000
	emulatedVideoBitrate  = 1_872_000 // + the audio stream = 2 Mbps
	emulatedSamplingRate  = 44_100
	emulatedMinDurationSs = 1.0
)

// mediaVideoStreamItem is the MediaVideoStreamItem object.
type mediaVideoStreamItem struct {
	Bitrate          int64             `json:"Bitrate"`
	Height           int64             `json:"Height"`
	Width            int64             `json:"Width"`
	Codec            string            `json:"Codec"`
	Fps              int64             `json:"Fps"`
	CodecTag         string            `json:"CodecTag"`
	DynamicRangeInfo *dynamicRangeInfo `json:"DynamicRangeInfo"`
}

type dynamicRangeInfo struct {
	Type    string `json:"Type"`
	HDRType string `json:"HDRType"`
}

// mediaAudioStreamItem is the MediaAudioStreamItem object.
type mediaAudioStreamItem struct {
	Bitrate      int64  `json:"Bitrate"`
	SamplingRate int64  `json:"SamplingRate"`
	Codec        string `json:"Codec"`
}

// metaDataOf returns the emulated MetaData of m (see the constants above).
func metaDataOf(m MediaFile) mediaMetaData {
	audio := mediaAudioStreamItem{Bitrate: emulatedAudioBitrate, SamplingRate: emulatedSamplingRate, Codec: "aac"}
	meta := mediaMetaData{
		Size:           m.Size,
		Container:      containerOf(m.Type),
		VideoStreamSet: []mediaVideoStreamItem{},
		AudioStreamSet: []mediaAudioStreamItem{audio},
	}
	if m.Category != "Video" {
		meta.Bitrate = emulatedAudioBitrate
		meta.Duration = durationOf(m.Size, meta.Bitrate)
		meta.AudioDuration = meta.Duration
		return meta
	}
	meta.Bitrate = emulatedVideoBitrate + emulatedAudioBitrate
	meta.Width, meta.Height = emulatedVideoWidth, emulatedVideoHeight
	meta.Duration = durationOf(m.Size, meta.Bitrate)
	meta.VideoDuration, meta.AudioDuration = meta.Duration, meta.Duration
	meta.VideoStreamSet = append(meta.VideoStreamSet, mediaVideoStreamItem{
		Bitrate: emulatedVideoBitrate, Width: emulatedVideoWidth, Height: emulatedVideoHeight, Codec: "h264",
		Fps: emulatedVideoFPS, DynamicRangeInfo: &dynamicRangeInfo{Type: "SDR"},
	})
	return meta
}

// durationOf is the playing time of size bytes at bitrate bps, in seconds rounded to milliseconds.
func durationOf(size, bitrate int64) float64 {
	seconds := float64(size) * 8 / float64(bitrate)
	return math.Max(emulatedMinDurationSs, math.Round(seconds*1000)/1000)
}

// containerOf names the container as VOD does: HLS packages are "hls,applehttp" (the format name in
// DescribeMediaInfos' example); other media keep their type.
func containerOf(mediaType string) string {
	if mediaType == "m3u8" {
		return "hls,applehttp"
	}
	return mediaType
}
