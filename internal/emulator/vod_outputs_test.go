package emulator

import (
	"bytes"
	"encoding/json"
	"image/jpeg"
	"net/http"
	"strings"
	"testing"
	"time"
)

// mediaOutputs is the processing sections of a MediaInfo as a client decodes them.
type mediaOutputs struct {
	TranscodeInfo *struct {
		TranscodeSet []struct {
			Url                                string
			Definition, Bitrate, Width, Height int64
			Size                               int64
			Duration                           float64
			Md5, Container                     string
		}
	}
	AdaptiveDynamicStreamingInfo *struct {
		AdaptiveDynamicStreamingSet []struct {
			Definition   int64
			Package, Url string
			DrmType      string
			Size         int64
			SubStreamSet []struct {
				Type                string
				Width, Height, Size int64
			}
		}
	}
	SnapshotByTimeOffsetInfo *struct {
		SnapshotByTimeOffsetSet []struct {
			Definition int64
			PicInfoSet []struct {
				TimeOffset float64
				Url        string
			}
		}
	}
	ImageSpriteInfo *struct {
		ImageSpriteSet []struct {
			Definition, Width, Height, TotalCount int64
			ImageUrlSet                           []string
			WebVttUrl                             string
		}
	}
}

func outputsOf(t *testing.T, srv *Server, fileID string, filters ...string) mediaOutputs {
	t.Helper()
	params := map[string]any{"FileIds": []string{fileID}}
	if len(filters) > 0 {
		params["Filters"] = filters
	}
	d := describe(t, srv, params)
	raw, _ := json.Marshal(d.MediaInfoSet[0])
	var o mediaOutputs
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

func download(t *testing.T, url string) []byte {
	t.Helper()
	resp, body := fetch(t, http.MethodGet, url, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: HTTP %d %s", url, resp.StatusCode, body)
	}
	return body
}

func TestOutputs_appearAtFinishAndOnlyWhenAskedFor(t *testing.T) {
	t.Parallel()
	srv, clock, fileID := startTaskServer(t, Options{})
	startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID})

	clock.Advance(taskTestDuration - 1)
	o := outputsOf(t, srv, fileID)
	if len(o.TranscodeInfo.TranscodeSet) != 1 || o.AdaptiveDynamicStreamingInfo != nil || o.SnapshotByTimeOffsetInfo != nil || o.ImageSpriteInfo != nil {
		t.Fatalf("outputs before FINISH = %+v", o)
	}

	clock.Advance(1)
	o = outputsOf(t, srv, fileID)
	transcodes := o.TranscodeInfo.TranscodeSet
	if len(transcodes) != 3 || transcodes[0].Definition != 0 || transcodes[1].Definition != DefinitionTranscode360p ||
		transcodes[1].Width != 640 || transcodes[1].Height != 360 || transcodes[1].Container != "mp4" ||
		len(transcodes[1].Md5) != 32 || transcodes[1].Size <= 0 || transcodes[2].Definition != DefinitionTranscode720p {
		t.Fatalf("TranscodeSet = %+v", transcodes)
	}
	streams := o.AdaptiveDynamicStreamingInfo.AdaptiveDynamicStreamingSet
	if len(streams) != 2 || streams[0].Definition != DefinitionAdaptiveHLS || streams[0].Package != "HLS" ||
		!strings.HasSuffix(streams[0].Url, ".m3u8") || streams[1].Package != "DASH" || !strings.HasSuffix(streams[1].Url, ".mpd") ||
		streams[0].DrmType != "" || streams[0].Size <= 0 {
		t.Fatalf("AdaptiveDynamicStreamingSet = %+v", streams)
	}
	// The renditions: 360p and 720p, each its media playlist and segment; the master playlist makes the rest.
	subs := streams[0].SubStreamSet
	if len(subs) != 2 || subs[0].Type != "video" || subs[0].Width != 640 || subs[1].Height != 720 || subs[0].Size <= 0 ||
		subs[0].Size+subs[1].Size >= streams[0].Size {
		t.Fatalf("HLS SubStreamSet = %+v (Size %d)", subs, streams[0].Size)
	}
	snapshots := o.SnapshotByTimeOffsetInfo.SnapshotByTimeOffsetSet
	if len(snapshots) != 1 || snapshots[0].Definition != DefinitionSnapshot || len(snapshots[0].PicInfoSet) != 2 ||
		snapshots[0].PicInfoSet[1].TimeOffset != 500 {
		t.Fatalf("SnapshotByTimeOffsetSet = %+v", snapshots)
	}
	sprites := o.ImageSpriteInfo.ImageSpriteSet
	if len(sprites) != 1 || sprites[0].Definition != DefinitionImageSprite || sprites[0].Width != spriteWidth ||
		sprites[0].TotalCount != 1 || len(sprites[0].ImageUrlSet) != 1 || sprites[0].WebVttUrl == "" {
		t.Fatalf("ImageSpriteSet = %+v", sprites)
	}

	// Filters leave the other sections null.
	o = outputsOf(t, srv, fileID, "basicInfo", "adaptiveDynamicStreamingInfo")
	if o.AdaptiveDynamicStreamingInfo == nil || o.TranscodeInfo != nil || o.SnapshotByTimeOffsetInfo != nil || o.ImageSpriteInfo != nil {
		t.Fatalf("filtered outputs = %+v", o)
	}
	reply := vodCall(t, srv, "SearchMedia", map[string]any{"FileIds": []string{fileID}, "Filters": []string{"imageSpriteInfo"}})
	wantCode(t, reply, "")
	var found struct{ MediaInfoSet []mediaOutputs }
	reply.decode(t, &found)
	if len(found.MediaInfoSet) != 1 || found.MediaInfoSet[0].ImageSpriteInfo == nil || found.MediaInfoSet[0].TranscodeInfo != nil {
		t.Fatalf("SearchMedia outputs = %+v", found.MediaInfoSet)
	}
}

func TestOutputs_urlsServeRealFiles(t *testing.T) {
	t.Parallel()
	srv, clock, fileID := startTaskServer(t, Options{})
	startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID})
	clock.Advance(taskTestDuration)
	o := outputsOf(t, srv, fileID)
	transcode := o.TranscodeInfo.TranscodeSet[1]
	if got := download(t, transcode.Url); !isMP4(got) || int64(len(got)) != transcode.Size || md5Hex(got) != transcode.Md5 {
		t.Fatalf("transcode = %q (size %d, md5 %s), want an MP4 of the listed size and MD5", got, transcode.Size, transcode.Md5)
	}
	hls := o.AdaptiveDynamicStreamingInfo.AdaptiveDynamicStreamingSet[0].Url
	master := string(download(t, hls))
	if !strings.HasPrefix(master, "#EXTM3U\n") || !strings.Contains(master, "RESOLUTION=1280x720\nstream_1.m3u8") {
		t.Fatalf("master playlist = %q", master)
	}
	base := hls[:strings.LastIndex(hls, "/")+1]
	variant := string(download(t, base+"stream_1.m3u8"))
	if !strings.Contains(variant, "#EXT-X-ENDLIST") || !strings.Contains(variant, "stream_1_0.ts") {
		t.Fatalf("media playlist = %q", variant)
	}
	checkTransportStream(t, download(t, base+"stream_1_0.ts"))
	dash := o.AdaptiveDynamicStreamingInfo.AdaptiveDynamicStreamingSet[1].Url
	if mpd := string(download(t, dash)); !strings.Contains(mpd, "<MPD") ||
		!strings.Contains(mpd, "<BaseURL>stream_0.mp4</BaseURL>") {
		t.Fatalf("DASH manifest = %q", mpd)
	}
	if got := download(t, dash[:strings.LastIndex(dash, "/")+1]+"stream_0.mp4"); !isMP4(got) {
		t.Fatalf("DASH representation = %q, want an MP4", got)
	}
	for _, url := range []string{o.SnapshotByTimeOffsetInfo.SnapshotByTimeOffsetSet[0].PicInfoSet[0].Url, o.ImageSpriteInfo.ImageSpriteSet[0].ImageUrlSet[0]} {
		if _, err := jpeg.Decode(bytes.NewReader(download(t, url))); err != nil {
			t.Fatalf("%s is not a JPEG: %v", url, err)
		}
	}
	vtt := string(download(t, o.ImageSpriteInfo.ImageSpriteSet[0].WebVttUrl))
	if !strings.HasPrefix(vtt, "WEBVTT\n") || !strings.Contains(vtt, "00:00:00.000 --> 00:00:01.000\n10_0.jpg#xywh=0,0,142,80") {
		t.Fatalf("WebVTT = %q", vtt)
	}
	// Outputs of a deleted media file are gone with it.
	wantCode(t, vodCall(t, srv, "DeleteMedia", map[string]any{"FileId": fileID}), "")
	if resp, _ := fetch(t, http.MethodGet, hls, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("playlist of a deleted media: HTTP %d, want 404", resp.StatusCode)
	}
}

func TestOutputs_aRunReplacesItsDefinitions(t *testing.T) {
	t.Parallel()
	srv, clock, fileID := startTaskServer(t, Options{})
	startTask(t, srv, map[string]any{"ProcedureName": ProcedureTranscodeOnly, "FileId": fileID})
	clock.Advance(taskTestDuration)
	startTask(t, srv, map[string]any{"ProcedureName": ProcedureTranscodeAndSnapshot, "FileId": fileID})
	clock.Advance(taskTestDuration)
	o := outputsOf(t, srv, fileID)
	var definitions []int64
	for _, tr := range o.TranscodeInfo.TranscodeSet {
		definitions = append(definitions, tr.Definition)
	}
	if len(definitions) != 5 || definitions[3] != DefinitionTranscode720p || o.SnapshotByTimeOffsetInfo == nil {
		t.Fatalf("definitions after two runs = %v, want 0 and four transcodes (100030 once)", definitions)
	}
}

func TestDeleteMedia_deletePartsRemovesOutputs(t *testing.T) {
	t.Parallel()
	srv, clock, fileID := startTaskServer(t, Options{})
	startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID})
	clock.Advance(taskTestDuration)
	before := outputsOf(t, srv, fileID)
	hls := before.AdaptiveDynamicStreamingInfo.AdaptiveDynamicStreamingSet[0].Url

	deleteParts := func(parts ...map[string]any) {
		t.Helper()
		wantCode(t, vodCall(t, srv, "DeleteMedia", map[string]any{"FileId": fileID, "DeleteParts": parts}), "")
	}
	deleteParts(map[string]any{"Type": "AdaptiveDynamicStreamingFiles", "Definition": DefinitionAdaptiveHLS})
	o := outputsOf(t, srv, fileID)
	if s := o.AdaptiveDynamicStreamingInfo.AdaptiveDynamicStreamingSet; len(s) != 1 || s[0].Package != "DASH" {
		t.Fatalf("streams after deleting definition 10 = %+v", s)
	}
	if resp, _ := fetch(t, http.MethodGet, hls, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("deleted playlist: HTTP %d, want 404", resp.StatusCode)
	}
	deleteParts(map[string]any{"Type": "TranscodeFiles", "Definition": DefinitionTranscode360p})
	if s := outputsOf(t, srv, fileID).TranscodeInfo.TranscodeSet; len(s) != 2 || s[1].Definition != DefinitionTranscode720p {
		t.Fatalf("transcodes after deleting 100010 = %+v", s)
	}
	// Definition 0 (or none) deletes every transcode (but not the original) and every stream.
	deleteParts(map[string]any{"Type": "TranscodeFiles", "Definition": 0}, map[string]any{"Type": "AdaptiveDynamicStreamingFiles"})
	o = outputsOf(t, srv, fileID)
	if len(o.TranscodeInfo.TranscodeSet) != 1 || o.TranscodeInfo.TranscodeSet[0].Definition != 0 || o.AdaptiveDynamicStreamingInfo != nil ||
		o.SnapshotByTimeOffsetInfo == nil {
		t.Fatalf("outputs after deleting all = %+v", o)
	}
	// The original goes with OriginalFiles, and with it Definition 0.
	deleteParts(map[string]any{"Type": "OriginalFiles"})
	if s := outputsOf(t, srv, fileID).TranscodeInfo.TranscodeSet; len(s) != 0 {
		t.Fatalf("TranscodeSet without the original = %+v", s)
	}
}

func TestOutputs_storedEvenWhenFirstLookedAtAfterTheTaskIsForgotten(t *testing.T) {
	t.Parallel()
	srv, clock, fileID := startTaskServer(t, Options{})
	startTask(t, srv, map[string]any{"ProcedureName": ProcedureTranscodeOnly, "FileId": fileID})
	// Nobody looks at the media for 8 days; then a commit starts another task, which drops old tasks.
	clock.Advance(8 * 24 * time.Hour)
	uploadMedia(t, srv, `{"MediaType":"mp4","Procedure":"TranscodePreset"}`)
	if s := outputsOf(t, srv, fileID).TranscodeInfo.TranscodeSet; len(s) != 5 {
		t.Fatalf("TranscodeSet = %+v, want the original and four transcodes", s)
	}
}

// isMP4 reports whether data is an ISO base media file: an ftyp box first, which content sniffers
// (net/http's among them) take for MP4.
func isMP4(data []byte) bool {
	return http.DetectContentType(data) == "video/mp4"
}

// checkTransportStream checks that data is MPEG-TS: whole 188-byte packets, each led by the sync
// byte, the first one a program association table with a valid CRC.
func checkTransportStream(t *testing.T, data []byte) {
	t.Helper()
	if len(data) == 0 || len(data)%tsPacketSize != 0 {
		t.Fatalf("segment of %d bytes is not whole TS packets", len(data))
	}
	for i := 0; i < len(data); i += tsPacketSize {
		if data[i] != tsSyncByte {
			t.Fatalf("TS packet at %d starts with %#x", i, data[i])
		}
	}
	sectionLength := int(data[6]&0x0F)<<8 | int(data[7])
	pat := data[5 : 8+sectionLength]            // after the header and the pointer field
	if data[5] != 0x00 || mpegCRC32(pat) != 0 { // a section's CRC makes the CRC of the whole section 0
		t.Fatalf("first TS packet holds no valid PAT: % x", data[:8+sectionLength])
	}
}

func TestMPEGCRC32_checkValue(t *testing.T) {
	t.Parallel()
	// CRC-32/MPEG-2's published check value: the CRC of "123456789".
	if got := mpegCRC32([]byte("123456789")); got != 0x0376E6E7 {
		t.Fatalf("mpegCRC32 = %#x, want 0x0376e6e7", got)
	}
}

func TestOutputs_outliveTheOriginalAndKeepTheirKindForAnyUpload(t *testing.T) {
	t.Parallel()
	srv, clock, _ := startTaskServer(t, Options{})
	// An audio file: the transcode and the stream's files are still MP4 and MPEG-TS.
	_, audio := uploadMedia(t, srv, `{"MediaType":"mp3","MediaName":"song"}`)
	startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": audio.FileId})
	clock.Advance(taskTestDuration)
	if subs := outputsOf(t, srv, audio.FileId).AdaptiveDynamicStreamingInfo.AdaptiveDynamicStreamingSet[0].SubStreamSet; len(subs) != 2 ||
		subs[0].Type != "audio" || subs[0].Width != 0 {
		t.Fatalf("SubStreamSet of an audio stream = %+v", subs)
	}
	// Deleting the original keeps every output downloadable.
	wantCode(t, vodCall(t, srv, "DeleteMedia", map[string]any{"FileId": audio.FileId,
		"DeleteParts": []map[string]any{{"Type": "OriginalFiles"}}}), "")
	m, _ := srv.MediaFile(audio.FileId)
	files := m.Outputs.files()
	if len(files) == 0 {
		t.Fatal("no outputs")
	}
	for _, f := range files {
		body := download(t, srv.mediaURL(m.Bucket, f.Key))
		switch {
		case strings.HasSuffix(f.Key, ".mp4"):
			if !isMP4(body) {
				t.Fatalf("%s = %q, want an MP4", f.Key, body)
			}
		case strings.HasSuffix(f.Key, ".ts"):
			checkTransportStream(t, body)
		case strings.HasSuffix(f.Key, ".jpg"):
			if _, err := jpeg.Decode(bytes.NewReader(body)); err != nil {
				t.Fatalf("%s is not a JPEG: %v", f.Key, err)
			}
		case len(body) == 0:
			t.Fatalf("%s is empty", f.Key)
		}
	}
}
