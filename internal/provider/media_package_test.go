package provider

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator/objectstore"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/uploadcache"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// packageFiles writes the files of a package under one directory, by relative path.
type packageFiles struct {
	t     *testing.T
	dir   string
	files map[string][]byte // every file of the package, the top manifest included
}

func newPackageFiles(t *testing.T) *packageFiles {
	return &packageFiles{t: t, dir: t.TempDir(), files: map[string][]byte{}}
}

func (p *packageFiles) write(rel string, content []byte) string {
	p.t.Helper()
	file := filepath.Join(p.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(file, content, 0o600); err != nil {
		p.t.Fatal(err)
	}
	p.files[rel] = content
	return file
}

func (p *packageFiles) bytes() int64 {
	var n int64
	for _, content := range p.files {
		n += int64(len(content))
	}
	return n
}

// hlsPackage writes a master playlist with two video variants and an audio rendition in nested
// directories; one segment is listed twice, the 720p init section is larger than a 1 MiB part, and
// the segments are encrypted with a key from a key server (not a file of the package).
func hlsPackage(t *testing.T) (*packageFiles, string) {
	p := newPackageFiles(t)
	master := p.write("master.m3u8", []byte("#EXTM3U\n#EXT-X-VERSION:7\n"+
		`#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="English",DEFAULT=YES,URI="audio/en/index.m3u8"`+"\n"+
		`#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=1280x720,AUDIO="aac"`+"\nvideo/720p/index.m3u8\n"+
		`#EXT-X-STREAM-INF:BANDWIDTH=600000,RESOLUTION=640x360,AUDIO="aac"`+"\nvideo/360p/index.m3u8\n"))
	for _, variant := range []string{"video/720p", "video/360p", "audio/en"} {
		playlist := "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MAP:URI=\"init.mp4\"\n" +
			"#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"https://kms.example.com/keys/episode-1\",KEYFORMAT=\"identity\"\n"
		for i := range 4 {
			playlist += fmt.Sprintf("#EXTINF:4.0,\nsegments/seg%d.m4s\n", i)
			p.write(fmt.Sprintf("%s/segments/seg%d.m4s", variant, i), bytes.Repeat([]byte(variant+fmt.Sprint(i)), 700))
		}
		playlist += "#EXT-X-DISCONTINUITY\n#EXTINF:4.0,\nsegments/seg0.m4s\n#EXT-X-ENDLIST\n" // listed twice
		p.write(variant+"/index.m3u8", []byte(playlist))
		size := 4 << 10
		if variant == "video/720p" {
			size = 1<<20 + 300<<10
		}
		p.write(variant+"/init.mp4", bytes.Repeat([]byte{byte(len(variant))}, size))
	}
	return p, master
}

// expectPackage checks on the emulator side that the media of address is the package: its manifest at
// the media key, every other file next to it with the same bytes, all served from media_url's directory.
func (e *testEnv) expectPackage(address string, p *packageFiles, top string) statecheck.StateCheck {
	return stateCheck(func(state *tfjson.State) error {
		id, err := stateAttr(state, address, "file_id")
		if err != nil {
			return err
		}
		m, ok := e.emu.MediaFile(fmt.Sprint(id))
		if !ok {
			return fmt.Errorf("media %v not in the emulator", id)
		}
		if got, _ := e.emu.Object(m.Bucket, m.MediaKey); !bytes.Equal(got, p.files[top]) {
			return fmt.Errorf("the media key %s holds %q, not the top manifest", m.MediaKey, got)
		}
		var want []string
		for rel, content := range p.files {
			if rel == top {
				continue
			}
			key := path.Join(path.Dir(m.MediaKey), rel)
			want = append(want, key)
			if got, ok := e.emu.Object(m.Bucket, key); !ok || !bytes.Equal(got, content) {
				return fmt.Errorf("%s: stored %d bytes (exists %v), want the %d bytes of %s", key, len(got), ok, len(content), rel)
			}
		}
		if got := sorted(m.PackageKeys); !slices.Equal(got, sorted(want)) {
			return fmt.Errorf("VOD's package holds %q, want %q", got, sorted(want))
		}
		if m.Size != p.bytes() {
			return fmt.Errorf("VOD's size %d, want the package's %d bytes", m.Size, p.bytes())
		}
		// A player fetches the segments relative to the manifest's URL.
		rel := want[0][len(path.Dir(m.MediaKey))+1:]
		resp, err := http.Get(m.MediaURL[:strings.LastIndex(m.MediaURL, "/")+1] + rel)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s next to the manifest: %s", rel, resp.Status)
		}
		return nil
	})
}

// expectStoredOnlyUnder checks that every object in the store belongs to the media of address: nothing
// of a replaced or failed package is left.
func (e *testEnv) expectStoredOnlyUnder(address string) statecheck.StateCheck {
	return stateCheck(func(state *tfjson.State) error {
		id, err := stateAttr(state, address, "file_id")
		if err != nil {
			return err
		}
		m, _ := e.emu.MediaFile(fmt.Sprint(id))
		for _, o := range e.emu.ObjectStore().Objects() {
			if !strings.HasPrefix(o.Key, path.Dir(m.MediaKey)+"/") {
				return fmt.Errorf("%s is stored, outside the current package %s", o.Key, path.Dir(m.MediaKey))
			}
		}
		return nil
	})
}

// expectNothingStored checks that no media, no object and no multipart upload is left.
func (e *testEnv) expectNothingStored(*terraform.State) error {
	if err := e.expectNoMedia(); err != nil {
		return err
	}
	if objects := e.emu.ObjectStore().Objects(); len(objects) != 0 {
		return fmt.Errorf("%d objects left in storage, first %s", len(objects), objects[0].Key)
	}
	return nil
}

func packageConfig(env *testEnv, source, extra string) string {
	return env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source               = %q
  upload_part_size_mib = 1
  upload_concurrency   = 4
%s
}
`, source, extra)
}

// A master playlist with variants in nested directories is uploaded as one media, each file once and
// next to the manifest; a changed segment replaces the media, and the old package's files go with it.
func TestAccMediaPackage_hlsMasterPlaylist(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	p, master := hlsPackage(t)
	cover := newMediaFiles(t).write("cover.jpg", jpegCover)
	config := packageConfig(env, master, fmt.Sprintf("cover_source = %q", cover))
	const fileCount = 1 + 3*(1+1+4) // master; per rendition: playlist, init, 4 segments
	var firstFingerprint string
	const changedSegment, changedContent = "video/360p/segments/seg2.m4s", "a re-encoded segment"
	changedBytes := p.bytes() - int64(len(p.files[changedSegment])) + int64(len(changedContent))

	runTest(t, resource.TestCase{
		CheckDestroy: env.expectNothingStored,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("media_type"), knownvalue.StringExact("m3u8")),
					plancheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("package_files"), knownvalue.Int64Exact(fileCount)),
					plancheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("package_bytes"), knownvalue.Int64Exact(p.bytes())),
					planCheck(func(*tfjson.Plan) error {
						if n := env.apiAttempts("ParseStreamingManifest"); n != 0 {
							return fmt.Errorf("the plan called ParseStreamingManifest %d times; it parses locally", n)
						}
						return nil
					}),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					env.expectPackage("tencentvod_media.test", p, "master.m3u8"),
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("media_url"), knownvalue.StringRegexp(regexp.MustCompile(`/master\.m3u8$`))),
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("type"), knownvalue.StringExact("m3u8")),
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("cover_url"), knownvalue.StringRegexp(regexp.MustCompile(`\.jpg$`))),
					stateCheck(func(state *tfjson.State) error {
						// VOD decides on each of the four manifests, once.
						if n := env.apiAttempts("ParseStreamingManifest"); n != 4 {
							return fmt.Errorf("%d ParseStreamingManifest calls, want 4", n)
						}
						fingerprint, err := stateAttr(state, "tencentvod_media.test", "package_fingerprint")
						firstFingerprint = fmt.Sprint(fingerprint)
						return err
					}),
				},
			},
			{
				// A segment changes: the plan replaces the media, and only the new package is stored.
				PreConfig: func() {
					later := time.Now().Add(time.Minute)
					seg := p.write(changedSegment, []byte(changedContent))
					if err := os.Chtimes(seg, later, later); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("package_bytes"), knownvalue.Int64Exact(changedBytes)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					env.expectPackage("tencentvod_media.test", p, "master.m3u8"),
					env.expectStoredOnlyUnder("tencentvod_media.test"),
					stateCheck(func(state *tfjson.State) error {
						if fingerprint, _ := stateAttr(state, "tencentvod_media.test", "package_fingerprint"); fmt.Sprint(fingerprint) == firstFingerprint {
							return fmt.Errorf("the fingerprint did not change with a segment")
						}
						return nil
					}),
				},
			},
			{
				// Local files removed after the upload: the plan warns and changes nothing, as for a
				// single source file.
				PreConfig: func() {
					if err := os.RemoveAll(filepath.Join(p.dir, "audio")); err != nil {
						t.Fatal(err)
					}
				},
				Config:   config,
				PlanOnly: true,
			},
		},
	})
}

// A DASH manifest's SegmentTemplate is expanded into its segments, which are uploaded with it.
func TestAccMediaPackage_dash(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	p := newPackageFiles(t)
	mpd := p.write("stream.mpd", []byte(`<?xml version="1.0" encoding="UTF-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT8S" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011">
  <Period>
    <AdaptationSet contentType="video" segmentAlignment="true">
      <SegmentTemplate timescale="1000" initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/chunk-$Number%05d$.m4s" startNumber="1" duration="4000"/>
      <Representation id="v1080" bandwidth="5000000" width="1920" height="1080"/>
      <Representation id="v480" bandwidth="1000000" width="854" height="480"/>
    </AdaptationSet>
    <AdaptationSet contentType="text"><Representation id="subs" bandwidth="100"><BaseURL>subs/en.vtt</BaseURL></Representation></AdaptationSet>
  </Period>
</MPD>`))
	for _, rep := range []string{"v1080", "v480"} {
		p.write(rep+"/init.mp4", []byte("init of "+rep))
		p.write(rep+"/chunk-00001.m4s", bytes.Repeat([]byte(rep+"1"), 2000))
		p.write(rep+"/chunk-00002.m4s", bytes.Repeat([]byte(rep+"2"), 2000))
	}
	p.write("subs/en.vtt", []byte("WEBVTT\n"))

	runTest(t, resource.TestCase{
		CheckDestroy: env.expectNothingStored,
		Steps: []resource.TestStep{
			{
				Config: packageConfig(env, mpd, `source_hash = "v1"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("media_type"), knownvalue.StringExact("mpd")),
					plancheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("package_files"), knownvalue.Int64Exact(8)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					env.expectPackage("tencentvod_media.test", p, "stream.mpd"),
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("media_url"), knownvalue.StringRegexp(regexp.MustCompile(`/stream\.mpd$`))),
				},
			},
			{
				// source_hash replaces a package as it does a single file.
				Config: packageConfig(env, mpd, `source_hash = "v2"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					env.expectPackage("tencentvod_media.test", p, "stream.mpd"),
					env.expectStoredOnlyUnder("tencentvod_media.test"),
				},
			},
		},
	})
}

// A package that cannot be uploaded whole fails `terraform plan`, naming the file and source, and calls
// no API.
func TestAccMediaPackage_refusedAtPlan(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	outside := newMediaFiles(t).write("secret.ts", []byte("not part of the package"))

	missing := newPackageFiles(t)
	missing.write("video/a.ts", []byte("a"))
	missingTop := missing.write("index.m3u8", []byte("#EXTM3U\n#EXTINF:4,\nvideo/a.ts\n#EXTINF:4,\nvideo/b.ts\n"))

	escaping := newPackageFiles(t)
	escapingTop := escaping.write("index.m3u8", []byte("#EXTM3U\n#EXTINF:4,\n../elsewhere/a.ts\n"))

	linked := newPackageFiles(t)
	linked.write("a.ts", []byte("a"))
	linkedTop := linked.write("index.m3u8", []byte("#EXTM3U\n#EXTINF:4,\na.ts\n#EXTINF:4,\nlinks/b.ts\n"))
	if err := os.MkdirAll(filepath.Join(linked.dir, "links"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(linked.dir, "links", "b.ts")); err != nil {
		t.Fatal(err)
	}

	cycle := newPackageFiles(t)
	cycleTop := cycle.write("master.m3u8", []byte("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nhi/index.m3u8\n"))
	cycle.write("hi/index.m3u8", []byte("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nagain.m3u8\n#EXTINF:4,\na.ts\n"))
	cycle.write("hi/a.ts", []byte("a"))
	cycle.write("hi/again.m3u8", []byte("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nindex.m3u8\n"))

	loop := newPackageFiles(t)
	loopTop := loop.write("master.m3u8", []byte("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nmaster.m3u8\n"))

	url := newPackageFiles(t)
	urlTop := url.write("index.m3u8", []byte("#EXTM3U\n#EXTINF:4,\nhttps://cdn.example.com/a.ts\n"))

	cases := map[string]struct{ source, message string }{
		"missing segment":           {missingTop, `(?s)Invalid Streaming Package.*segment "video/b\.ts" listed by "index\.m3u8" cannot be uploaded.*no such file`},
		"segment escaping with ..":  {escapingTop, `(?s)Invalid Streaming Package.*"\.\./elsewhere/a\.ts" steps out with "\.\."`},
		"segment escaping symlink":  {linkedTop, `(?s)Invalid Streaming Package.*segment "links/b\.ts".*is a link to .*secret\.ts, outside the directory of source`},
		"cycle between playlists":   {cycleTop, `(?s)Invalid Streaming Package.*manifest "hi/index\.m3u8" is reached twice, from "master\.m3u8" and from "hi/again\.m3u8".*cycle`},
		"playlist listing itself":   {loopTop, `(?s)Invalid Streaming Package.*manifest "master\.m3u8" is reached twice, from source`},
		"segment given as a URL":    {urlTop, `(?s)Invalid Streaming Package.*"https://cdn\.example\.com/a\.ts" is a URL`},
		"package file is not found": {filepath.Join(missing.dir, "video", "a.m3u8"), `(?s)Local File Not Found`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			before := env.apiAttempts("")
			step := resource.TestStep{Config: packageConfig(env, tc.source, ""), PlanOnly: true, ExpectError: wrapTolerant(tc.message)}
			if name == "package file is not found" {
				// Only a warning: something earlier in the apply may write the package.
				step = resource.TestStep{Config: packageConfig(env, tc.source, ""), PlanOnly: true, ExpectNonEmptyPlan: true}
			}
			runTest(t, resource.TestCase{Steps: []resource.TestStep{step}})
			if n := env.apiAttempts("") - before; n != 0 {
				t.Errorf("%d API calls were made for a package refused at plan", n)
			}
		})
	}
}

// A cycle through playlists that does not step out of the directory is refused too.
func TestScanPackage_refusesPlaylistsReachedTwice(t *testing.T) {
	t.Parallel()
	p := newPackageFiles(t)
	top := p.write("master.m3u8", []byte("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2\nb.m3u8\n"))
	p.write("a.m3u8", []byte("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nb.m3u8\n#EXTINF:4,\ns.ts\n"))
	p.write("b.m3u8", []byte("#EXTM3U\n#EXTINF:4,\ns.ts\n"))
	p.write("s.ts", []byte("s"))
	_, err := scanPackage(top, "m3u8")
	if err == nil || !strings.Contains(err.Error(), `manifest "b.m3u8" is reached twice, from "master.m3u8" and from "a.m3u8"`) {
		t.Errorf("error %v, want b.m3u8 reached twice", err)
	}

	// A segment listed by two playlists is one file of the package.
	p.write("a.m3u8", []byte("#EXTM3U\n#EXTINF:4,\ns.ts\n"))
	pkg, err := scanPackage(top, "m3u8")
	if err != nil {
		t.Fatal(err)
	}
	var rels []string
	for _, f := range pkg.files {
		rels = append(rels, f.Rel)
	}
	if want := []string{"a.m3u8", "b.m3u8", "s.ts"}; !slices.Equal(rels, want) {
		t.Errorf("files %q, want %q", rels, want)
	}
}

// A file that fails mid-package leaves nothing stored and nothing committed.
func TestAccMediaPackage_failureLeavesNothing(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	_, master := hlsPackage(t)
	env.emu.ObjectStore().InjectFault(objectstore.Fault{Method: http.MethodPut, KeySuffix: "video/360p/segments/seg3.m4s", HTTPStatus: http.StatusForbidden})

	runTest(t, resource.TestCase{
		CheckDestroy: env.expectNothingStored,
		Steps: []resource.TestStep{{
			Config:      packageConfig(env, master, ""),
			ExpectError: wrapTolerant(`(?s)Unable to Upload Media.*nothing was committed.*video/360p/segments/seg3\.m4s`),
		}},
	})
	if err := env.expectNothingStored(nil); err != nil {
		t.Error(err)
	}
	if n := env.apiAttempts("CommitUpload"); n != 0 {
		t.Errorf("%d CommitUpload calls after a failed package upload", n)
	}
}

// When VOD reads a manifest differently from the provider, the apply stops before opening a session.
func TestAccMediaPackage_disagreementWithVOD(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	p := newPackageFiles(t)
	top := p.write("index.m3u8", []byte("#EXTM3U\n#EXTINF:4,\na.ts\n"))
	p.write("a.ts", []byte("a"))
	env.emu.InjectFault(emulator.Fault{
		Action: "ParseStreamingManifest", AfterDispatch: true,
		NonJSONBody: `{"Response":{"MediaSegmentSet":["a.ts","b.ts"],"RequestId":"req-disagree"}}`,
	})

	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:      packageConfig(env, top, ""),
			ExpectError: wrapTolerant(`(?s)Streaming Manifest Read Differently by VOD.*req-disagree.*"index\.m3u8".*only VOD found: "b\.ts"`),
		}},
	})
	if n := env.apiAttempts("ApplyUpload"); n != 0 {
		t.Errorf("%d ApplyUpload calls after VOD disagreed", n)
	}
}

// The documented package example runs as written.
func TestAccMediaPackage_documentedExample(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	p, _ := hlsPackage(t)
	runTest(t, resource.TestCase{
		CheckDestroy: env.expectNothingStored,
		Steps: []resource.TestStep{{
			Config:            env.providerConfig() + readMediaExample(t, "resource-package.tf"),
			ConfigVariables:   config.Variables{"package_dir": config.StringVariable(p.dir)},
			ConfigStateChecks: []statecheck.StateCheck{env.expectPackage("tencentvod_media.episode", p, "master.m3u8")},
		}},
	})
}

// The upload session's documented package pattern: a tool run by local-exec uploads the package with the
// session's credentials (the manifest to its key, the other files next to it), and tencentvod_media
// commits it. A small program built on the official COS SDK stands in for the example's script.
func TestAccUploadSessionEphemeral_uploadPackageWithCredentials(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	tool := buildTestTool(t, "./testdata/cosput")
	p, _ := hlsPackage(t)

	example := readExample(t, "ephemeral-resource-package.tf")
	const script = `"${path.module}/scripts/cos-upload-package.sh"`
	if !strings.Contains(example, script) {
		t.Fatalf("the example no longer runs %s; update this test with it", script)
	}
	runTest(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy:           env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config:            env.providerConfig() + strings.Replace(example, script, fmt.Sprintf("%q", tool), 1),
			ConfigVariables:   config.Variables{"package_dir": config.StringVariable(p.dir)},
			ConfigStateChecks: []statecheck.StateCheck{env.expectPackage("tencentvod_media.episode", p, "master.m3u8")},
		}},
	})
}

// A package imported into Terraform is adopted by the first apply, which records its package values
// without uploading it again; the next plan is empty.
func TestAccMediaPackage_importAdopts(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	p, master := hlsPackage(t)
	client, err := env.apiClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	session, err := client.ApplyUpload(ctx, &vod.ApplyUploadRequest{MediaType: "m3u8", MediaName: "master"})
	if err != nil {
		t.Fatal(err)
	}
	bucketURL, _ := client.BucketURL(session.StorageBucket, session.StorageRegion)
	pkg, err := scanPackage(master, "m3u8")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.UploadPackage(ctx, session.TempCertificate, bucketURL, session.MediaStoragePath,
		vod.Package{Manifest: master, Files: pkg.files}, vod.UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	committed, err := client.CommitUpload(ctx, &vod.CommitUploadRequest{VodSessionKey: session.VodSessionKey})
	if err != nil {
		t.Fatal(err)
	}
	config := env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source = %q
}
`, master)
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: config + fmt.Sprintf("import {\n  to = tencentvod_media.test\n  id = %q\n}\n", committed.FileID),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					env.expectPackage("tencentvod_media.test", p, "master.m3u8"),
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("file_id"), knownvalue.StringExact(committed.FileID)),
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("package_files"), knownvalue.Int64Exact(int64(len(p.files)))),
				},
			},
			{Config: config, PlanOnly: true},
		},
	})
	if n := env.apiAttempts("ApplyUpload"); n != 1 {
		t.Errorf("%d ApplyUpload calls; the imported package was uploaded again", n)
	}
}

// A package's files go 16 at a time unless upload_concurrency says otherwise: the plan shows it at
// create and again when the package is replaced, and a later plan leaves it as it is.
func TestAccMediaPackage_uploadConcurrencyDefault(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	p, master := hlsPackage(t)
	config := func(hash string) string {
		return env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source      = %q
  source_hash = %q
}
`, master, hash)
	}
	concurrency := func(want int64) plancheck.PlanCheck {
		return plancheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("upload_concurrency"), knownvalue.Int64Exact(want))
	}
	runTest(t, resource.TestCase{
		CheckDestroy: env.expectNothingStored,
		Steps: []resource.TestStep{
			{
				Config:            config("v1"),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{concurrency(defaultPackageUploadConcurrency)}},
				ConfigStateChecks: []statecheck.StateCheck{env.expectPackage("tencentvod_media.test", p, "master.m3u8")},
			},
			{
				Config: config("v2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionDestroyBeforeCreate),
					concurrency(defaultPackageUploadConcurrency),
				}},
			},
			{Config: config("v2"), PlanOnly: true},
		},
	})
}

// upload_concurrency's default follows what source is.
func TestPlanUploadConcurrency(t *testing.T) {
	t.Parallel()
	source, noSource := types.StringValue("/media/x"), types.StringNull()
	for name, tc := range map[string]struct {
		configured        types.Int64
		source, mediaType types.String
		want              types.Int64
	}{
		"file":                     {source: source, mediaType: types.StringValue("mp4"), want: types.Int64Value(4)},
		"HLS package":              {source: source, mediaType: types.StringValue("m3u8"), want: types.Int64Value(16)},
		"DASH package, upper case": {source: source, mediaType: types.StringValue("MPD"), want: types.Int64Value(16)},
		"configured":               {configured: types.Int64Value(2), source: source, mediaType: types.StringValue("m3u8"), want: types.Int64Value(2)},
		"media type unknown":       {source: source, mediaType: types.StringUnknown(), want: types.Int64Unknown()},
		"upload session's key":     {source: noSource, mediaType: types.StringUnknown(), want: types.Int64Value(4)},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			configured := tc.configured // the zero value is null
			plan := &mediaResourceModel{Source: tc.source, MediaType: tc.mediaType, UploadConcurrency: types.Int64Value(4)}
			if !configured.IsNull() {
				plan.UploadConcurrency = configured
			}
			config := &mediaResourceModel{Source: tc.source, UploadConcurrency: configured}
			planUploadConcurrency(plan, config)
			if !plan.UploadConcurrency.Equal(tc.want) {
				t.Errorf("planned %s, want %s", plan.UploadConcurrency, tc.want)
			}
			if tc.want.IsUnknown() {
				plan.MediaType = types.StringValue("m3u8")
				if resolveUploadConcurrency(plan); plan.UploadConcurrency.ValueInt64() != 16 {
					t.Errorf("settled at apply as %s, want 16 for a package", plan.UploadConcurrency)
				}
			}
		})
	}
}

// A package upload that takes a while logs its progress at INFO, in files and bytes, and no secret of
// its session reaches the plan, the state or a TRACE log. Not parallel: it sets TF_LOG.
func TestAccMediaPackage_progressAtInfoAndNoSecrets(t *testing.T) {
	skipInAccMode(t)
	// About 25 object-storage requests one at a time, 300 ms each: longer than the 5 s between two
	// progress lines.
	env := newTestEnv(t, func(o *emulator.Options) { o.StorageLatency = 300 * time.Millisecond })
	p, master := hlsPackage(t)
	logFile := traceLogWithCredentialsInEnvironment(t)
	secrets := func() []string { return env.sessionSecrets(emulatorSecretKey) }
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.endpointsOnly() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source               = %q
  upload_part_size_mib = 1
  upload_concurrency   = 1
}
`, master),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{secretsAbsentFromPlan(secrets)}},
			ConfigStateChecks: []statecheck.StateCheck{
				secretsAbsentFromState(secrets),
				env.expectPackage("tencentvod_media.test", p, "master.m3u8"),
			},
		}},
	})
	raw, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	log := string(raw)
	// Fields come in any order.
	for _, want := range [][]string{
		{"[INFO]  tencentvod: uploading streaming package to VOD storage:", " files=19"},
		{"[INFO]  tencentvod.vod: vod: package upload in progress:", " files_done=", " files_total=19", " bytes_done="},
		{"[INFO]  tencentvod.vod: vod: package upload finished:", " files_done=19", " files_total=19"},
		{"[INFO]  tencentvod: uploaded streaming package to VOD storage:", " files=19", " seconds="},
	} {
		if !slices.ContainsFunc(strings.Split(log, "\n"), func(line string) bool {
			return !slices.ContainsFunc(want, func(part string) bool { return !strings.Contains(line, part) })
		}) {
			t.Errorf("the log has no line with %q", want)
		}
	}
	if t.Failed() {
		return // the secret check below would prove little
	}
	for _, secret := range secrets() {
		if strings.Contains(log, secret) {
			t.Errorf("a secret (%s...) appears in the TRACE log", secret[:6])
		}
	}
}

// A top manifest that is a symlink is read through the link, and its files are found next to the link,
// where VOD stores them next to the media key (the official SDKs take the directory of the path they
// are given, too); a link to a directory of the package is followed.
func TestScanPackage_symlinkedManifestAndDirectory(t *testing.T) {
	t.Parallel()
	releases := newPackageFiles(t)
	target := releases.write("v2/master.m3u8", []byte("#EXTM3U\n#EXTINF:4,\nsegs/a.ts\n"))
	releases.write("v2/segs/a.ts", []byte("next to the target"))

	links := newPackageFiles(t)
	links.write("segs/a.ts", []byte("next to the link"))
	linked := filepath.Join(links.dir, "episode.m3u8")
	if err := os.Symlink(target, linked); err != nil {
		t.Fatal(err)
	}
	pkg, err := scanPackage(linked, "m3u8")
	if err != nil {
		t.Fatal(err)
	}
	if len(pkg.files) != 1 || pkg.files[0].Path != filepath.Join(links.dir, "segs", "a.ts") {
		t.Errorf("files %+v, want segs/a.ts next to the link", pkg.files)
	}

	current := filepath.Join(links.dir, "current")
	if err := os.Symlink(filepath.Join(releases.dir, "v2"), current); err != nil {
		t.Fatal(err)
	}
	pkg, err = scanPackage(filepath.Join(current, "master.m3u8"), "m3u8")
	if err != nil {
		t.Fatal(err)
	}
	if len(pkg.files) != 1 || pkg.files[0].Rel != "segs/a.ts" || pkg.bytes != int64(len("#EXTM3U\n#EXTINF:4,\nsegs/a.ts\n")+len("next to the target")) {
		t.Errorf("through a linked directory: files %+v, %d bytes", pkg.files, pkg.bytes)
	}
}

// Ctrl-C while a package is uploading: the apply says it was interrupted, the files already stored are
// deleted, nothing is committed, pending or checkpointed (a package starts over), and the next apply
// uploads the whole package.
func TestAccMediaPackage_interruptLeavesNothingAndStartsOver(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	p, master := hlsPackage(t)
	const held = "video/360p/segments/seg2.m4s"
	store := env.emu.ObjectStore()
	store.InjectFault(objectstore.Fault{Method: http.MethodPut, KeySuffix: held, Times: 1, Latency: 10 * time.Minute})
	tf := newDirectTerraform(t, packageConfig(env, master, ""))
	applyCtx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	applied := make(chan error, 1)
	go func() { applied <- tf.apply(applyCtx) }()

	// Everything but the held segment gets stored; then Ctrl-C.
	for deadline := time.Now().Add(2 * time.Minute); len(store.Objects()) < len(p.files)-1; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d files stored after two minutes\n%s", len(store.Objects()), len(p.files)-1, tf.output)
		}
	}
	interrupt()
	if err := tf.awaitInterrupted(t, applied); err == nil {
		t.Fatalf("the interrupted apply succeeded\n%s", tf.output)
	}
	output := strings.Join(strings.Fields(tf.output.String()), " ")
	for _, want := range []string{"Unable to Upload Media", "The operation was interrupted", "while uploading the package", "nothing was committed"} {
		if !strings.Contains(output, want) {
			t.Errorf("the apply's output does not say %q:\n%s", want, tf.output)
		}
	}
	if err := env.expectNothingStored(nil); err != nil {
		t.Error(err)
	}
	if pending := store.PendingUploads(); len(pending) != 0 {
		t.Errorf("%d multipart uploads left pending", len(pending))
	}
	if n := env.apiAttempts("CommitUpload"); n != 0 {
		t.Errorf("%d CommitUpload calls after the interrupt", n)
	}
	dir, err := uploadcache.Dir()
	if err != nil {
		t.Fatal(err)
	}
	checkpoints, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, file := range checkpoints {
		if content, _ := os.ReadFile(file); bytes.Contains(content, []byte(p.dir)) {
			t.Errorf("checkpoint %s was kept for a file of the package", file)
		}
	}

	if err := tf.apply(context.Background()); err != nil {
		t.Fatalf("the next apply: %s\n%s", err, tf.output)
	}
	state, err := tf.show(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var checked statecheck.CheckStateResponse
	env.expectPackage("tencentvod_media.test", p, "master.m3u8").CheckState(context.Background(), statecheck.CheckStateRequest{State: state}, &checked)
	if checked.Error != nil {
		t.Error(checked.Error)
	}
	if n := env.apiAttempts("ApplyUpload"); n != 2 {
		t.Errorf("%d upload sessions, want the interrupted one and a new one", n)
	}
	if err := tf.destroy(context.Background()); err != nil {
		t.Fatalf("terraform destroy: %s\n%s", err, tf.output)
	}
}
