package manifest

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestFiles_HLSMasterPlaylist(t *testing.T) {
	t.Parallel()
	master := "\uFEFF#EXTM3U\r\n" +
		"#EXT-X-VERSION:6\r\n" +
		`#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="English, US",URI="audio/en/index.m3u8"` + "\r\n" +
		`#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",NAME="cc1",INSTREAM-ID="CC1"` + "\r\n" +
		`#EXT-X-SESSION-KEY:METHOD=AES-128,URI="keys/session.key"` + "\n" +
		"# a comment naming not-a-file.ts\n" +
		`#EXT-X-STREAM-INF:BANDWIDTH=1280000,CODECS="avc1.4d401f,mp4a.40.2",AUDIO="aac"` + "\n" +
		"720p/index.m3u8\n\n" +
		`#EXT-X-STREAM-INF:BANDWIDTH=640000,AUDIO="aac"` + "\n" +
		"./360p//index.m3u8\n" +
		`#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=86000,URI="720p/iframes.m3u8"` + "\n" +
		"720p/index.m3u8\n"
	got, err := Files(HLS, []byte(master))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"audio/en/index.m3u8", "keys/session.key", "720p/index.m3u8", "360p/index.m3u8", "720p/iframes.m3u8"}
	if !slices.Equal(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
	for _, nested := range want {
		if IsNested(HLS, nested) != strings.HasSuffix(nested, ".m3u8") {
			t.Errorf("IsNested(%q) = %v", nested, IsNested(HLS, nested))
		}
	}
}

func TestFiles_HLSMediaPlaylist(t *testing.T) {
	t.Parallel()
	media := `#EXTM3U
#EXT-X-TARGETDURATION:4
#EXT-X-MAP:URI="init.mp4",BYTERANGE="720@0"
#EXT-X-KEY:METHOD=AES-128,URI="key.bin",IV=0x1
#EXTINF:4.0,
seg 1.m4s
#EXT-X-KEY:METHOD=NONE
#EXTINF:4.0,
sub/seg2.m4s
#EXT-X-BYTERANGE:100@0
seg 1.m4s
#EXT-X-ENDLIST
`
	got, err := Files(HLS, []byte(media))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"init.mp4", "key.bin", "seg 1.m4s", "sub/seg2.m4s"}; !slices.Equal(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
}

// Keys handed out by a key server are not files of the package; a key file next to the playlist is,
// and a key given as an absolute path is refused like any file.
func TestFiles_HLSKeysFromAKeyServerAreNotFiles(t *testing.T) {
	t.Parallel()
	playlist := "#EXTM3U\n" +
		`#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES,URI="skd://asset-1",KEYFORMAT="com.apple.streamingkeydelivery"` + "\n" +
		`#EXT-X-KEY:METHOD=AES-128,URI="https://kms.example.com/keys/1?token=a"` + "\n" +
		"#EXTINF:4,\na.ts\n" +
		`#EXT-X-KEY:METHOD=AES-128,URI="keys/2.key"` + "\n" +
		"#EXTINF:4,\nb.ts\n"
	got, err := Files(HLS, []byte(playlist))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a.ts", "keys/2.key", "b.ts"}; !slices.Equal(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
	if _, err := Files(HLS, []byte("#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"/keys/1.key\"\n#EXTINF:4,\na.ts\n")); !errors.Is(err, ErrInvalidPath) {
		t.Errorf("a key at an absolute path: error %v", err)
	}
}

func TestFiles_refusesPathsOutsideTheDirectory(t *testing.T) {
	t.Parallel()
	for ref, reason := range map[string]string{
		"https://cdn.example.com/seg.ts": "is a URL",
		"//cdn.example.com/seg.ts":       "is a URL",
		"skd://key-id":                   "is a URL",
		"/var/media/seg.ts":              "is an absolute path",
		`C:\media\seg.ts`:                "is an absolute path",
		"../other/seg.ts":                `steps out with ".."`,
		"a/../../seg.ts":                 `steps out with ".."`,
		"seg.ts?token=1":                 "has a query or fragment",
	} {
		for _, playlist := range []string{"#EXTM3U\n" + ref + "\n", "#EXTM3U\n#EXT-X-MAP:URI=\"" + ref + "\"\n"} {
			_, err := Files(HLS, []byte(playlist))
			var pathErr *PathError
			if !errors.As(err, &pathErr) || !errors.Is(err, ErrInvalidPath) || pathErr.Path != ref || pathErr.Reason != reason {
				t.Errorf("%q: error %v, want a PathError %q", playlist, err, reason)
			}
		}
	}
	if _, err := Files(HLS, []byte("seg.ts\n")); err == nil || !strings.Contains(err.Error(), "#EXTM3U") {
		t.Errorf("content without #EXTM3U: error %v", err)
	}
	if _, err := Files("flv", []byte("#EXTM3U\n")); err == nil {
		t.Error("an unknown manifest type was accepted")
	}
}

func TestFiles_DASHSegmentTemplateWithTimeline(t *testing.T) {
	t.Parallel()
	mpd := `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT12S">
  <Period>
    <AdaptationSet mimeType="video/mp4">
      <SegmentTemplate timescale="1000" initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/$Time$.m4s">
        <SegmentTimeline><S t="0" d="4000" r="1"/><S d="4000"/></SegmentTimeline>
      </SegmentTemplate>
      <Representation id="v720" bandwidth="2000000"/>
      <Representation id="v360" bandwidth="800000"/>
    </AdaptationSet>
    <AdaptationSet mimeType="audio/mp4">
      <BaseURL>audio/</BaseURL>
      <SegmentTemplate duration="5" startNumber="0" initialization="init-$Bandwidth$.mp4" media="seg-$Number%03d$-$$.m4s"/>
      <Representation id="a" bandwidth="128000"/>
    </AdaptationSet>
  </Period>
</MPD>`
	got, err := Files(DASH, []byte(mpd))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"v720/init.mp4", "v720/0.m4s", "v720/4000.m4s", "v720/8000.m4s",
		"v360/init.mp4", "v360/0.m4s", "v360/4000.m4s", "v360/8000.m4s",
		"audio/init-128000.mp4", "audio/seg-000-$.m4s", "audio/seg-001-$.m4s", "audio/seg-002-$.m4s",
	}
	if !slices.Equal(got, want) {
		t.Errorf("files\n %q\nwant\n %q", got, want)
	}
}

func TestFiles_DASHSegmentListAndBaseURL(t *testing.T) {
	t.Parallel()
	mpd := `<MPD mediaPresentationDuration="PT1M"><BaseURL>media/</BaseURL><Period duration="PT1M">
  <AdaptationSet><Representation id="1"><BaseURL>video/</BaseURL>
    <SegmentList><Initialization sourceURL="init.mp4"/><SegmentURL media="s1.m4s"/><SegmentURL media="s2.m4s"/></SegmentList>
  </Representation></AdaptationSet>
  <AdaptationSet><Representation id="2"><BaseURL>sub/en.vtt</BaseURL></Representation></AdaptationSet>
</Period></MPD>`
	got, err := Files(DASH, []byte(mpd))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"media/video/init.mp4", "media/video/s1.m4s", "media/video/s2.m4s", "media/sub/en.vtt"}; !slices.Equal(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}

	for name, bad := range map[string]string{
		"absolute base URL": `<MPD><Period><BaseURL>https://cdn.example.com/</BaseURL><AdaptationSet><Representation id="1"><BaseURL>v.mp4</BaseURL></Representation></AdaptationSet></Period></MPD>`,
		"escaping segment":  `<MPD><Period><AdaptationSet><Representation id="1"><SegmentList><SegmentURL media="../s.m4s"/></SegmentList></Representation></AdaptationSet></Period></MPD>`,
		"no period length":  `<MPD><Period><AdaptationSet><SegmentTemplate media="$Number$.m4s" duration="4"/><Representation id="1"/></AdaptationSet></Period></MPD>`,
		"not XML":           `#EXTM3U`,
		"no files":          `<MPD><Period/></MPD>`,
	} {
		if files, err := Files(DASH, []byte(bad)); err == nil {
			t.Errorf("%s: listed %q, want an error", name, files)
		}
	}
}
