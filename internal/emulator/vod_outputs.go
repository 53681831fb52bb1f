package emulator

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
)

// MediaOutputs are the files processing made of a media file, one entry per template definition: a
// task that runs a definition again replaces its entry. DescribeMediaInfos and SearchMedia list them
// (Filters transcodeInfo, adaptiveDynamicStreamingInfo, snapshotByTimeOffsetInfo, imageSpriteInfo) and
// the media route serves their files. The files are small generated ones, held in memory: playlists,
// manifests, JPEG images, WebVTT, and MP4 and MPEG-TS files without samples (see vod_outputs_files.go),
// so that they outlive the original's deletion as VOD's outputs do.
type MediaOutputs struct {
	Transcodes      []TranscodeOutput
	AdaptiveStreams []AdaptiveStreamOutput
	Snapshots       []SnapshotOutput
	ImageSprites    []ImageSpriteOutput
}

// OutputFile is one downloadable file of an output, under the media's bucket.
type OutputFile struct {
	Key         string // object key, without the leading "/"
	ContentType string
	Data        []byte
}

// TranscodeOutput is a MediaTranscodeItem of a transcoding template.
type TranscodeOutput struct {
	Definition int64
	File       OutputFile
	Width      int64
	Height     int64
	Bitrate    int64 // bps
	Container  string
	Duration   float64 // seconds
	Size       int64
	Md5        string
}

// AdaptiveStreamOutput is an AdaptiveDynamicStreamingInfoItem: a master playlist (HLS) or manifest
// (DASH) and the files it references. Files[0] is the playlist or manifest.
type AdaptiveStreamOutput struct {
	Definition int64
	Package    string // HLS or DASH
	DrmType    string // "" = not encrypted
	Files      []OutputFile
	Size       int64 // of the playlists and segments together, as VOD counts it
	SubStreams []AdaptiveSubStream
}

// AdaptiveSubStream is a MediaSubStreamInfoItem: one rendition of an adaptive stream.
type AdaptiveSubStream struct {
	Type          string // "video", or "audio" for media without a picture
	Width, Height int64
	Size          int64 // of the rendition's files
}

// SnapshotOutput is a MediaSnapshotByTimeOffsetItem: JPEG pictures at time offsets.
type SnapshotOutput struct {
	Definition int64
	Pictures   []SnapshotPicture
}

// SnapshotPicture is one picture; TimeOffset is in milliseconds, as the API gives it.
type SnapshotPicture struct {
	TimeOffset float64
	File       OutputFile
}

// ImageSpriteOutput is a MediaImageSpriteItem: sheets of small pictures and the WebVTT file that maps
// time ranges to their places.
type ImageSpriteOutput struct {
	Definition int64
	Width      int64 // of one small picture
	Height     int64
	TotalCount int64 // small pictures per sheet
	Sheets     []OutputFile
	WebVTT     OutputFile
}

func (o MediaOutputs) clone() MediaOutputs {
	o.Transcodes = slices.Clone(o.Transcodes)
	o.AdaptiveStreams = slices.Clone(o.AdaptiveStreams)
	for i := range o.AdaptiveStreams {
		o.AdaptiveStreams[i].Files = slices.Clone(o.AdaptiveStreams[i].Files)
		o.AdaptiveStreams[i].SubStreams = slices.Clone(o.AdaptiveStreams[i].SubStreams)
	}
	o.Snapshots = slices.Clone(o.Snapshots)
	for i := range o.Snapshots {
		o.Snapshots[i].Pictures = slices.Clone(o.Snapshots[i].Pictures)
	}
	o.ImageSprites = slices.Clone(o.ImageSprites)
	for i := range o.ImageSprites {
		o.ImageSprites[i].Sheets = slices.Clone(o.ImageSprites[i].Sheets)
	}
	return o
}

// files lists every downloadable file of the outputs.
func (o MediaOutputs) files() []OutputFile {
	var files []OutputFile
	for _, t := range o.Transcodes {
		files = append(files, t.File)
	}
	for _, a := range o.AdaptiveStreams {
		files = append(files, a.Files...)
	}
	for _, s := range o.Snapshots {
		for _, p := range s.Pictures {
			files = append(files, p.File)
		}
	}
	for _, s := range o.ImageSprites {
		files = append(files, s.Sheets...)
		files = append(files, s.WebVTT)
	}
	return files
}

// file finds the output file stored at key.
func (o MediaOutputs) file(key string) (OutputFile, bool) {
	for _, f := range o.files() {
		if f.Key == key {
			return f, true
		}
	}
	return OutputFile{}, false
}

// stepOutput is what one successful sub-task produced; exactly one field is set.
type stepOutput struct {
	Transcode      *TranscodeOutput
	AdaptiveStream *AdaptiveStreamOutput
	Snapshot       *SnapshotOutput
	ImageSprite    *ImageSpriteOutput
}

// withOutput returns o with out replacing the output of the same type and definition.
func (o MediaOutputs) withOutput(out stepOutput) MediaOutputs {
	o = o.clone()
	switch {
	case out.Transcode != nil:
		o.Transcodes = replaceByDefinition(o.Transcodes, *out.Transcode, func(t TranscodeOutput) int64 { return t.Definition })
	case out.AdaptiveStream != nil:
		o.AdaptiveStreams = replaceByDefinition(o.AdaptiveStreams, *out.AdaptiveStream, func(a AdaptiveStreamOutput) int64 { return a.Definition })
	case out.Snapshot != nil:
		o.Snapshots = replaceByDefinition(o.Snapshots, *out.Snapshot, func(s SnapshotOutput) int64 { return s.Definition })
	case out.ImageSprite != nil:
		o.ImageSprites = replaceByDefinition(o.ImageSprites, *out.ImageSprite, func(s ImageSpriteOutput) int64 { return s.Definition })
	}
	return o
}

// replaceByDefinition puts item in place of the entry with its definition, or appends it; entries stay
// ordered by definition.
func replaceByDefinition[T any](list []T, item T, definition func(T) int64) []T {
	list = slices.DeleteFunc(list, func(other T) bool { return definition(other) == definition(item) })
	list = append(list, item)
	slices.SortStableFunc(list, func(a, b T) int { return int(definition(a) - definition(b)) })
	return list
}

// withoutTranscodes drops the transcodes of definition (0 = all), as DeleteMedia's TranscodeFiles does.
func (o MediaOutputs) withoutTranscodes(definition int64) MediaOutputs {
	o = o.clone()
	o.Transcodes = slices.DeleteFunc(o.Transcodes, func(t TranscodeOutput) bool {
		return definition == 0 || t.Definition == definition
	})
	return o
}

// withoutAdaptiveStreams drops the adaptive streams of definition (0 = all).
func (o MediaOutputs) withoutAdaptiveStreams(definition int64) MediaOutputs {
	o = o.clone()
	o.AdaptiveStreams = slices.DeleteFunc(o.AdaptiveStreams, func(a AdaptiveStreamOutput) bool {
		return definition == 0 || a.Definition == definition
	})
	return o
}

// transcodeProfile is the picture size and bitrate a transcoding template produces.
type transcodeProfile struct{ width, height, bitrate int64 }

// transcodeProfiles are the emulator's preset transcoding templates (MP4, H.264 + AAC); any other
// definition keeps the source's size and bitrate.
var transcodeProfiles = map[int64]transcodeProfile{
	DefinitionTranscode360p:  {640, 360, 528_000},
	DefinitionTranscode540p:  {960, 540, 1_128_000},
	DefinitionTranscode720p:  {1280, 720, 1_928_000},
	DefinitionTranscode1080p: {1920, 1080, 3_128_000},
}

// adaptiveSubStreams are the renditions of an adaptive stream: the 360p and 720p profiles.
var adaptiveSubStreams = []transcodeProfile{
	transcodeProfiles[DefinitionTranscode360p], transcodeProfiles[DefinitionTranscode720p],
}

// Image sprite template 10: 142x80 pictures, one every 10 seconds, at most 100 per sheet (10 x 10).
const (
	spriteWidth         = 142
	spriteHeight        = 80
	spriteInterval      = 10 // seconds
	spriteColumns       = 10
	spritePicturesSheet = 100
)

// outputSource is what a sub-task reads of the media it processes.
type outputSource struct {
	mediaKey string
	meta     mediaMetaData
}

// outputDir is the folder of a media's processing outputs: next to the media object, in
// subfolders a media file name (one path segment, see objectBaseName) can never be.
func (src outputSource) outputDir() string { return path.Dir(src.mediaKey) }

// produce makes the output of one sub-task.
func (src outputSource) produce(step ProcedureStep) stepOutput {
	switch step.Type {
	case StepTranscode:
		return stepOutput{Transcode: src.transcode(step.Definition)}
	case StepAdaptiveDynamicStreaming:
		return stepOutput{AdaptiveStream: src.adaptiveStream(step.Definition)}
	case StepSnapshotByTimeOffset:
		return stepOutput{Snapshot: src.snapshots(step.Definition)}
	default:
		return stepOutput{ImageSprite: src.imageSprite(step.Definition)}
	}
}

func (src outputSource) transcode(definition int64) *TranscodeOutput {
	profile, ok := transcodeProfiles[definition]
	if !ok {
		profile = transcodeProfile{src.meta.Width, src.meta.Height, src.meta.Bitrate}
	}
	if src.meta.Width == 0 { // audio: no picture to scale
		profile.width, profile.height = 0, 0
	}
	data := emptyMP4(src.meta.Duration)
	return &TranscodeOutput{
		Definition: definition,
		File: OutputFile{Key: fmt.Sprintf("%s/transcode/f0.f%d.mp4", src.outputDir(), definition),
			ContentType: "video/mp4", Data: data},
		Width: profile.width, Height: profile.height, Bitrate: profile.bitrate, Container: "mp4",
		Duration: src.meta.Duration, Size: int64(len(data)), Md5: md5Hex(data),
	}
}

// adaptiveStream packages the source as HLS (a master playlist, one media playlist per rendition,
// one MPEG-TS segment each) or, for definition 20, as DASH (a manifest and one MP4 file per rendition).
func (src outputSource) adaptiveStream(definition int64) *AdaptiveStreamOutput {
	dir := fmt.Sprintf("%s/adaptive.%d/", src.outputDir(), definition)
	out := &AdaptiveStreamOutput{Definition: definition, Package: "HLS"}
	if definition == DefinitionAdaptiveDASH {
		out.Package = "DASH"
		out.Files = append(out.Files, OutputFile{Key: dir + "manifest.mpd", ContentType: "application/dash+xml",
			Data: []byte(src.dashManifest())})
		for i := range adaptiveSubStreams {
			out.addSubStream(src, i, OutputFile{Key: dir + "stream_" + strconv.Itoa(i) + ".mp4", ContentType: "video/mp4",
				Data: emptyMP4(src.meta.Duration)})
		}
	} else {
		out.Files = append(out.Files, OutputFile{Key: dir + "master.m3u8", ContentType: hlsContentType,
			Data: []byte(hlsMasterPlaylist())})
		for i := range adaptiveSubStreams {
			out.addSubStream(src, i,
				OutputFile{Key: dir + "stream_" + strconv.Itoa(i) + ".m3u8", ContentType: hlsContentType,
					Data: []byte(src.hlsMediaPlaylist(i))},
				OutputFile{Key: dir + "stream_" + strconv.Itoa(i) + "_0.ts", ContentType: "video/mp2t",
					Data: emptyTransportStream()})
		}
	}
	for _, f := range out.Files {
		out.Size += int64(len(f.Data))
	}
	return out
}

// addSubStream adds rendition i of adaptiveSubStreams, made of files.
func (out *AdaptiveStreamOutput) addSubStream(src outputSource, i int, files ...OutputFile) {
	sub := AdaptiveSubStream{Type: "video", Width: adaptiveSubStreams[i].width, Height: adaptiveSubStreams[i].height}
	if src.meta.Width == 0 { // audio: no picture
		sub = AdaptiveSubStream{Type: "audio"}
	}
	for _, f := range files {
		sub.Size += int64(len(f.Data))
	}
	out.Files = append(out.Files, files...)
	out.SubStreams = append(out.SubStreams, sub)
}

const hlsContentType = "application/vnd.apple.mpegurl"

func md5Hex(data []byte) string {
	sum := md5.Sum(data)
	return hex.EncodeToString(sum[:])
}

func hlsMasterPlaylist() string {
	var b strings.Builder
	b.WriteString("#EXTM3U\n#EXT-X-VERSION:3\n")
	for i, s := range adaptiveSubStreams {
		fmt.Fprintf(&b, "#EXT-X-STREAM-INF:BANDWIDTH=%d,RESOLUTION=%dx%d\nstream_%d.m3u8\n", s.bitrate, s.width, s.height, i)
	}
	return b.String()
}

func (src outputSource) hlsMediaPlaylist(i int) string {
	return fmt.Sprintf("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-TARGETDURATION:%d\n"+
		"#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:%.3f,\nstream_%d_0.ts\n#EXT-X-ENDLIST\n",
		int64(math.Ceil(src.meta.Duration)), src.meta.Duration, i)
}

func (src outputSource) dashManifest() string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011" `+
		`minBufferTime="PT2S" mediaPresentationDuration="PT%.3fS">`+"\n"+
		"  <Period>\n    <AdaptationSet mimeType=\"video/mp4\" segmentAlignment=\"true\">\n", src.meta.Duration)
	for i, s := range adaptiveSubStreams {
		fmt.Fprintf(&b, "      <Representation id=\"%d\" bandwidth=\"%d\" width=\"%d\" height=\"%d\"><BaseURL>stream_%d.mp4</BaseURL></Representation>\n",
			i, s.bitrate, s.width, s.height, i)
	}
	b.WriteString("    </AdaptationSet>\n  </Period>\n</MPD>\n")
	return b.String()
}

// snapshots takes pictures at the start and the middle of the media.
func (src outputSource) snapshots(definition int64) *SnapshotOutput {
	out := &SnapshotOutput{Definition: definition}
	picture := solidJPEG(src.pictureSize())
	for i, offsetMs := range []float64{0, math.Round(src.meta.Duration * 1000 / 2)} {
		out.Pictures = append(out.Pictures, SnapshotPicture{TimeOffset: offsetMs, File: OutputFile{
			Key:         fmt.Sprintf("%s/snapshotByTime/%d_%d.jpg", src.outputDir(), definition, i),
			ContentType: "image/jpeg", Data: picture,
		}})
	}
	return out
}

// pictureSize is the size of snapshots: the video's, or 1280x720 for media without a picture.
func (src outputSource) pictureSize() (int, int) {
	if src.meta.Width == 0 || src.meta.Height == 0 {
		return 1280, 720
	}
	return int(src.meta.Width), int(src.meta.Height)
}

func (src outputSource) imageSprite(definition int64) *ImageSpriteOutput {
	pictures := max(1, int(math.Ceil(src.meta.Duration/spriteInterval)))
	out := &ImageSpriteOutput{Definition: definition, Width: spriteWidth, Height: spriteHeight,
		TotalCount: int64(min(pictures, spritePicturesSheet))}
	dir := src.outputDir() + "/imageSprite/"
	var vtt strings.Builder
	vtt.WriteString("WEBVTT\n")
	for sheet := 0; sheet*spritePicturesSheet < pictures; sheet++ {
		inSheet := min(spritePicturesSheet, pictures-sheet*spritePicturesSheet)
		name := fmt.Sprintf("%d_%d.jpg", definition, sheet)
		rows := (inSheet + spriteColumns - 1) / spriteColumns
		out.Sheets = append(out.Sheets, OutputFile{Key: dir + name, ContentType: "image/jpeg",
			Data: solidJPEG(spriteWidth*min(inSheet, spriteColumns), spriteHeight*rows)})
		for i := range inSheet {
			n := sheet*spritePicturesSheet + i
			start, end := float64(n*spriteInterval), min(float64((n+1)*spriteInterval), math.Max(src.meta.Duration, 1))
			fmt.Fprintf(&vtt, "\n%s --> %s\n%s#xywh=%d,%d,%d,%d\n", vttTime(start), vttTime(end), name,
				i%spriteColumns*spriteWidth, i/spriteColumns*spriteHeight, spriteWidth, spriteHeight)
		}
	}
	out.WebVTT = OutputFile{Key: fmt.Sprintf("%s%d.vtt", dir, definition), ContentType: "text/vtt", Data: []byte(vtt.String())}
	return out
}

func vttTime(seconds float64) string {
	ms := int64(math.Round(seconds * 1000))
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3_600_000, ms/60_000%60, ms/1000%60, ms%1000)
}

// solidJPEG is a valid JPEG of the given size in one grey, the emulator's stand-in for a video frame.
func solidJPEG(width, height int) []byte {
	img := image.NewGray(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), &image.Uniform{C: color.Gray{Y: 0x80}}, image.Point{}, draw.Src)
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 50}) // encoding into memory cannot fail
	return buf.Bytes()
}
