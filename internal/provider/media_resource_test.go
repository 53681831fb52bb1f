package provider

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/compare"
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
)

// Small images with valid magic bytes: the emulator, like VOD, decodes covers sent inline.
var (
	jpegCover = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00}, bytes.Repeat([]byte{7}, 200)...)
	pngCover  = append([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, bytes.Repeat([]byte{9}, 300)...)
)

// mediaFiles writes test files into a directory of the test's own.
type mediaFiles struct {
	t   *testing.T
	dir string
}

func newMediaFiles(t *testing.T) *mediaFiles {
	return &mediaFiles{t: t, dir: t.TempDir()}
}

// random writes n random bytes to name and returns its path and content.
func (m *mediaFiles) random(name string, n int) (string, []byte) {
	m.t.Helper()
	content := make([]byte, n)
	if _, err := rand.Read(content); err != nil {
		m.t.Fatal(err)
	}
	return m.write(name, content), content
}

func (m *mediaFiles) write(name string, content []byte) string {
	m.t.Helper()
	p := filepath.Join(m.dir, name)
	if err := os.WriteFile(p, content, 0o600); err != nil {
		m.t.Fatal(err)
	}
	return p
}

func sha256Hex(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// stateAttr returns an attribute of a resource in the state, as Terraform shows it.
func stateAttr(state *tfjson.State, address, name string) (any, error) {
	if state == nil || state.Values == nil || state.Values.RootModule == nil {
		return nil, fmt.Errorf("state is empty")
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.Address == address {
			return r.AttributeValues[name], nil
		}
	}
	return nil, fmt.Errorf("%s not in state", address)
}

// expectNoMedia checks that the emulator holds no media and no unfinished multipart upload.
func (e *testEnv) expectNoMedia() error {
	if media := e.emu.Media(); len(media) != 0 {
		return fmt.Errorf("%d media files left in VOD, first %s", len(media), media[0].FileID)
	}
	if pending := e.emu.ObjectStore().PendingUploads(); len(pending) != 0 {
		return fmt.Errorf("%d multipart uploads left pending, first for %s", len(pending), pending[0].Key)
	}
	return nil
}

func TestAccMedia_uploadFromSource(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	files := newMediaFiles(t)
	video, content := files.random("opening scene.mp4", 200<<10)
	cover := files.write("cover.jpg", jpegCover)

	runTest(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy:           env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source       = %q
  cover_source = %q
  description  = "first cut"
  tags         = ["b", "a"]
}
`, video, cover),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				// Defaults that follow from the file names are shown in the plan.
				plancheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("media_name"), knownvalue.StringExact("opening scene")),
				plancheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("media_type"), knownvalue.StringExact("mp4")),
				plancheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("cover_type"), knownvalue.StringExact("jpg")),
				plancheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("sub_app_id"), env.expectedSubAppID()),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				env.expectMedia("tencentvod_media.test", content, func(m mediaFacts) error {
					switch {
					case m.Name != "opening scene" || m.Description != "first cut":
						return fmt.Errorf("name %q, description %q", m.Name, m.Description)
					case !slices.Equal(sorted(m.Tags), []string{"a", "b"}):
						return fmt.Errorf("tags %v", m.Tags)
					case !bytes.Equal(m.CoverContent, jpegCover):
						return fmt.Errorf("the cover did not arrive intact")
					}
					return nil
				}),
				statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("size"), knownvalue.Int64Exact(200<<10)),
				statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("type"), knownvalue.StringExact("mp4")),
				statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("category"), knownvalue.StringExact("Video")),
				statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("expire_time"), knownvalue.Null()),
				statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("storage_region"), knownvalue.StringExact(emulator.DefaultStorageRegion)),
				statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("media_url"), knownvalue.StringRegexp(regexp.MustCompile(`^http://.*\.mp4$`))),
				statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("cover_url"), knownvalue.StringRegexp(regexp.MustCompile(`\.jpg$`))),
				statecheck.CompareValuePairs("tencentvod_media.test", tfjsonpath.New("id"), "tencentvod_media.test", tfjsonpath.New("file_id"), compare.ValuesSame()),
				stateCheck(func(*tfjson.State) error {
					// One session, one commit.
					if a, c := env.apiAttempts("ApplyUpload"), env.apiAttempts("CommitUpload"); env.emulated() && (a != 1 || c != 1) {
						return fmt.Errorf("%d ApplyUpload and %d CommitUpload calls; want 1 each", a, c)
					}
					return nil
				}),
			},
		}},
	})
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// A file larger than one part goes in parallel parts; the bytes VOD stores are the file's.
func TestAccMedia_multipartUpload(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	video, content := newMediaFiles(t).random("long.mp4", 5<<20+12345)

	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source               = %q
  upload_part_size_mib = 1
  upload_concurrency   = 3
}
`, video),
			ConfigStateChecks: []statecheck.StateCheck{
				env.expectMedia("tencentvod_media.test", content, nil),
				statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("size"), knownvalue.Int64Exact(int64(len(content)))),
				stateCheck(func(*tfjson.State) error {
					if !env.emulated() {
						return nil // the real service's pending uploads are not listed by the API client
					}
					if pending := env.emu.ObjectStore().PendingUploads(); len(pending) != 0 {
						return fmt.Errorf("%d multipart uploads left pending", len(pending))
					}
					return nil
				}),
			},
		}},
	})
}

// Name, description, category, expiry, tags and the cover change in place: same file_id, one
// ModifyMediaInfo, nothing uploaded again.
func TestAccMedia_updateInPlace(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, func(o *emulator.Options) { o.ClassIDs = []int64{emulatorTestClassID} })
	files := newMediaFiles(t)
	video, content := files.random("clip.mp4", 64<<10)
	jpeg := files.write("cover.jpg", jpegCover)
	png := files.write("cover2.png", pngCover)
	expire := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	var fileID string

	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source       = %q
  cover_source = %q
  media_name   = "before"
  tags         = ["keep", "drop"]
}
`, video, jpeg),
				ConfigStateChecks: []statecheck.StateCheck{stateCheck(func(state *tfjson.State) error {
					m, err := env.mediaInState(state, "tencentvod_media.test")
					fileID = m.FileID
					return err
				})},
			},
			{
				PreConfig: func() { env.resetCallCounts() },
				Config: env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source       = %q
  cover_source = %q
  media_name   = "after"
  description  = "now described"
  class_id     = %d
  expire_time  = %q
  tags         = ["keep", "new"]
}
`, video, png, env.testClassID(), expire.In(time.FixedZone("UTC+8", 8*3600)).Format(time.RFC3339)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{env.expectMedia("tencentvod_media.test", content, func(m mediaFacts) error {
					switch {
					case m.FileID != fileID:
						return fmt.Errorf("file_id changed from %s to %s: replaced, not updated", fileID, m.FileID)
					case m.Name != "after" || m.Description != "now described" || m.ClassID != env.testClassID():
						return fmt.Errorf("name %q, description %q, class %d", m.Name, m.Description, m.ClassID)
					case !m.ExpireTime.Equal(expire):
						return fmt.Errorf("expires %s, want %s", m.ExpireTime, expire)
					case !slices.Equal(sorted(m.Tags), []string{"keep", "new"}):
						return fmt.Errorf("tags %v", m.Tags)
					case !bytes.Equal(m.CoverContent, pngCover):
						return fmt.Errorf("the new cover is not the png")
					case env.emulated() && (env.callsSince("ApplyUpload") != 0 || env.callsSince("ModifyMediaInfo") != 1):
						return fmt.Errorf("%d ApplyUpload and %d ModifyMediaInfo calls; want 0 and 1",
							env.callsSince("ApplyUpload"), env.callsSince("ModifyMediaInfo"))
					}
					return nil
				})},
			},
			{
				// Removing the expiry makes the media never expire again.
				Config: env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source       = %q
  cover_source = %q
  media_name   = "after"
  tags         = []
}
`, video, png),
				ConfigStateChecks: []statecheck.StateCheck{
					env.expectMedia("tencentvod_media.test", content, func(m mediaFacts) error {
						if !m.ExpireTime.IsZero() || len(m.Tags) != 0 {
							return fmt.Errorf("expires %s, tags %v; want never and none", m.ExpireTime, m.Tags)
						}
						return nil
					}),
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("expire_time"), knownvalue.Null()),
				},
			},
		},
	})
}

// expectedSubAppID is the sub_app_id a media planned without one gets: the provider's.
func (e *testEnv) expectedSubAppID() knownvalue.Check {
	if id := e.providerSubAppID(); id != 0 {
		return knownvalue.Int64Exact(id)
	}
	return knownvalue.Null()
}

// providerSubAppID is the provider's sub_app_id in this test run (0 when none is configured).
func (e *testEnv) providerSubAppID() int64 {
	if e.emulated() {
		return emulatorSubAppID
	}
	id, _ := strconv.ParseInt(os.Getenv("TENCENTVOD_SUB_APP_ID"), 10, 64)
	return id
}

func (e *testEnv) subAppIDIfUnconfigured() []string {
	if e.providerSubAppID() == 0 {
		return []string{"sub_app_id"}
	}
	return nil
}

// emulated reports whether the test runs against the emulator, where calls can be counted.
func (e *testEnv) emulated() bool { return e.emu != nil }

// resetCallCounts starts counting API calls afresh for callsSince: the emulator keeps every call, so
// tests compare against a baseline. Against the real API every count is 0.
func (e *testEnv) resetCallCounts() {
	e.baseline = map[string]int{}
	for _, action := range []string{"ApplyUpload", "CommitUpload", "ModifyMediaInfo", "DeleteMedia", "DescribeMediaInfos"} {
		e.baseline[action] = e.apiAttempts(action)
	}
}

// callsSince counts the requests for action since resetCallCounts.
func (e *testEnv) callsSince(action string) int {
	return e.apiAttempts(action) - e.baseline[action]
}

// A new content (source_hash) replaces the media: a new file is uploaded and committed, the old one
// deleted.
func TestAccMedia_replacedWhenContentChanges(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	files := newMediaFiles(t)
	video, first := files.random("clip.mp4", 32<<10)
	second := append(slices.Clone(first[:1000]), []byte("a different ending")...)
	var firstID string
	step := func(content []byte) string {
		return env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source      = %q
  source_hash = %q
}
`, video, sha256Hex(content))
	}

	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: step(first),
				ConfigStateChecks: []statecheck.StateCheck{env.expectMedia("tencentvod_media.test", first, func(m mediaFacts) error {
					firstID = m.FileID
					return nil
				})},
			},
			{
				PreConfig: func() { files.write("clip.mp4", second) },
				Config:    step(second),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{env.expectMedia("tencentvod_media.test", second, func(m mediaFacts) error {
					if m.FileID == firstID {
						return fmt.Errorf("same file_id after a content change")
					}
					if _, found, err := env.lookupMedia(context.Background(), firstID); err != nil || found {
						return fmt.Errorf("the replaced media %s still exists", firstID)
					}
					return nil
				})},
			},
		},
	})
}

// Media deleted outside Terraform leaves the state on refresh, and the next apply creates it again.
func TestAccMedia_recreatedAfterRemovalOutOfBand(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	video, content := newMediaFiles(t).random("clip.mp4", 16<<10)
	cfg := env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source = %q
}
`, video)
	var firstID string

	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{env.expectMedia("tencentvod_media.test", content, func(m mediaFacts) error {
					firstID = m.FileID
					return nil
				})},
			},
			{
				PreConfig: func() { env.deleteOutOfBand(t, firstID) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{env.expectMedia("tencentvod_media.test", content, func(m mediaFacts) error {
					if m.FileID == firstID {
						return fmt.Errorf("the removed file_id came back")
					}
					return nil
				})},
			},
		},
	})
}

// Import by <file_id> and by <sub_app_id>/<file_id>. The first apply after an import records the upload
// arguments of the configuration instead of uploading again; later changes replace as usual.
func TestAccMedia_import(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	files := newMediaFiles(t)
	video, content := files.random("clip.mp4", 16<<10)
	cfg := func(hash string) string {
		return env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source      = %q
  source_hash = %q
  tags        = ["x"]
}
`, video, hash)
	}
	fileID := func(s *terraform.State) string {
		return s.RootModule().Resources["tencentvod_media.test"].Primary.ID
	}
	var firstID string
	idFile := filepath.Join(files.dir, "file_id")

	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: cfg("h1"),
				ConfigStateChecks: []statecheck.StateCheck{env.expectMedia("tencentvod_media.test", content, func(m mediaFacts) error {
					firstID = m.FileID
					return nil
				})},
			},
			{
				ResourceName:      "tencentvod_media.test",
				ImportState:       true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) { return fileID(s), nil },
				ImportStateVerify: true,
				// Not readable from VOD: how the media was uploaded.
				ImportStateVerifyIgnore: []string{"source", "source_hash", "cover_type"},
			},
			{
				ResourceName: "tencentvod_media.test",
				ImportState:  true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return fmt.Sprintf("%d/%s", emulatorSubAppID, fileID(s)), nil
				},
				ImportStateVerify: true,
				// Naming the application explicitly records it even where the provider names none.
				ImportStateVerifyIgnore: append([]string{"source", "source_hash", "cover_type"}, env.subAppIDIfUnconfigured()...),
			},
			{
				// Adopt: Terraform forgets the media (without deleting it), then an import block brings it back.
				Config: env.providerConfig() + `
removed {
  from = tencentvod_media.test
  lifecycle {
    destroy = false
  }
}
`,
			},
			{
				PreConfig: func() {
					env.resetCallCounts()
					writeFile(t, idFile, firstID)
				},
				Config: cfg("h1") + fmt.Sprintf(`
import {
  to = tencentvod_media.test
  id = trimspace(file(%q))
}
`, idFile),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{env.expectMedia("tencentvod_media.test", content, func(m mediaFacts) error {
					if m.FileID != firstID || env.callsSince("ApplyUpload") != 0 {
						return fmt.Errorf("the imported media was uploaded again")
					}
					return nil
				})},
			},
			{
				Config: cfg("h2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
		},
	})
}

func TestAccMedia_importRejectsBadIDs(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	for id, message := range map[string]string{
		"abc":              `"abc" is not a VOD file ID`,
		"0/5285890781213":  `must be a VOD application ID`,
		"x/5285890781213":  `must be a VOD application ID`,
		"1500000000/":      `"" is not a VOD file ID`,
		"1/2/3":            `is not a VOD file ID`,
		"5285890781213 ":   `is not a VOD file ID`,
		"1500000000/12ab4": `"12ab4" is not a VOD file ID`,
	} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			runTest(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config:        env.providerConfig() + `resource "tencentvod_media" "test" {}`,
					ResourceName:  "tencentvod_media.test",
					ImportState:   true,
					ImportStateId: id,
					ExpectError:   wrapTolerant(regexp.QuoteMeta(message)),
				}},
			})
		})
	}
}

// A missing file at import reports that it does not exist.
func TestAccMedia_importMissingMedia(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:        env.providerConfig() + `resource "tencentvod_media" "test" {}`,
			ResourceName:  "tencentvod_media.test",
			ImportState:   true,
			ImportStateId: "5285890781213513981",
			ExpectError:   wrapTolerant(`Cannot import non-existent remote object`),
		}},
	})
}

// The documented chain: an ephemeral upload session, curl uploading with its presigned URL, and the media
// committed with the write-only session key. The key never reaches state, and later runs commit nothing.
func TestAccMedia_commitWithSessionKey(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	video, content := newMediaFiles(t).random("keynote.mp4", 48<<10)
	secrets := func() []string { return env.sessionSecrets() }
	steps := func() resource.TestStep {
		return resource.TestStep{
			Config:          env.providerConfig() + readMediaExample(t, "resource-session-key.tf"),
			ConfigVariables: config.Variables{"video_file": config.StringVariable(video)},
		}
	}
	first := steps()
	first.ConfigStateChecks = []statecheck.StateCheck{
		env.expectMedia("tencentvod_media.keynote", content, func(m mediaFacts) error {
			if m.Name != "keynote" || m.Description != "Uploaded with curl, committed by Terraform" {
				return fmt.Errorf("name %q, description %q", m.Name, m.Description)
			}
			return nil
		}),
		statecheck.ExpectKnownValue("tencentvod_media.keynote", tfjsonpath.New("vod_session_key_wo"), knownvalue.Null()),
		statecheck.ExpectKnownValue("tencentvod_media.keynote", tfjsonpath.New("media_type"), knownvalue.StringExact("mp4")),
		statecheck.ExpectKnownValue("tencentvod_media.keynote", tfjsonpath.New("media_name"), knownvalue.StringExact("keynote")),
	}
	if env.emulated() {
		// Only the emulator can tell which secrets the sessions held.
		first.ConfigPlanChecks = resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{secretsAbsentFromPlan(secrets)}}
		first.ConfigStateChecks = append(first.ConfigStateChecks, secretsAbsentFromState(secrets))
	}
	second := steps()
	second.ConfigPlanChecks = resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	second.ConfigStateChecks = []statecheck.StateCheck{stateCheck(func(*tfjson.State) error {
		if n := env.apiAttempts("CommitUpload"); env.emulated() && n != 1 {
			return fmt.Errorf("%d CommitUpload calls after a second run; the key must be committed once", n)
		}
		return nil
	})}
	runTest(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy:           env.checkDestroyed,
		Steps:                  []resource.TestStep{first, second},
	})
}

// A commit with vod_session_key_wo whose reply is lost cannot be resolved: the upload was done elsewhere,
// so the provider does not know the session's storage path. The apply says the media may exist and how
// to import it, and makes no SearchMedia guess.
func TestAccMedia_lostCommitReplyWithSessionKey(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	env.emu.InjectFault(emulator.Fault{Action: "CommitUpload", Times: 1, DropConnection: true, AfterDispatch: true})
	video, _ := newMediaFiles(t).random("keynote.mp4", 8<<10)
	runTest(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{{
			Config:          env.providerConfig() + readMediaExample(t, "resource-session-key.tf"),
			ConfigVariables: config.Variables{"video_file": config.StringVariable(video)},
			ExpectError: wrapTolerant(`(?s)VOD Media Created But Not Tracked.*upload was done outside this resource.*` +
				`terraform import`),
		}},
	})
	if n := env.apiAttempts("SearchMedia"); n != 0 {
		t.Errorf("%d SearchMedia calls without the session's storage path", n)
	}
}

// readMediaExample returns an example configuration of the media resource, as the documentation shows it.
func readMediaExample(t *testing.T, name string) string {
	t.Helper()
	return readExampleFile(t, "resources", "tencentvod_media", name)
}

// The documented source example, with a cover, runs as written.
func TestAccMedia_documentedExample(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	files := newMediaFiles(t)
	video, content := files.random("trailer.mp4", 100<<10)
	cover := files.write("trailer.png", pngCover)
	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + readMediaExample(t, "resource.tf"),
			ConfigVariables: config.Variables{
				"video_file": config.StringVariable(video),
				"cover_file": config.StringVariable(cover),
			},
			ConfigStateChecks: []statecheck.StateCheck{env.expectMedia("tencentvod_media.trailer", content, func(m mediaFacts) error {
				if m.Name != "Launch trailer" || !bytes.Equal(m.CoverContent, pngCover) {
					return fmt.Errorf("name %q, %d bytes of cover", m.Name, len(m.CoverContent))
				}
				return nil
			}), statecheck.ExpectKnownValue("tencentvod_media.trailer", tfjsonpath.New("procedure_status"), knownvalue.StringExact("FINISH"))},
		}},
	})
}

// A part that keeps failing is retried until the create timeout, then the whole upload is aborted: no
// media, no pending multipart upload, no commit.
func TestAccMedia_failedUploadLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	cases := map[string]objectstore.Fault{
		"part keeps failing": {Method: "PUT", Query: "partNumber", PartNumber: 2, HTTPStatus: 500},
		"connection dropped mid-part": {Method: "PUT", Query: "partNumber", PartNumber: 3, AfterBodyBytes: 300 << 10,
			DropConnection: true},
	}
	for name, fault := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			env.emu.ObjectStore().InjectFault(fault)
			video, _ := newMediaFiles(t).random("clip.mp4", 4<<20)
			runTest(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config: env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source               = %q
  upload_part_size_mib = 1
  upload_concurrency   = 1

  timeouts {
    create = "3s"
  }
}
`, video),
					ExpectError: wrapTolerant(`(?s)Unable to Upload Media.*nothing was committed`),
				}},
			})
			if err := env.expectNoMedia(); err != nil {
				t.Error(err)
			}
			if n := env.apiAttempts("CommitUpload"); n != 0 {
				t.Errorf("%d CommitUpload calls after a failed upload", n)
			}
		})
	}
}

// A commit whose outcome is unknown (reply lost, or HTTP 200 with a body that is not JSON) is resolved:
// the media is found with SearchMedia by this upload's storage path and tracked. A commit whose request
// never arrived is simply retried.
func TestAccMedia_lostCommitReply(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	for name, fault := range map[string]emulator.Fault{
		"reply lost after the commit": {Action: "CommitUpload", Times: 1, DropConnection: true, AfterDispatch: true},
		"non-JSON reply after the commit": {Action: "CommitUpload", Times: 1, AfterDispatch: true,
			NonJSONBody: "<html><body>502 Bad Gateway</body></html>"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			env.emu.InjectFault(fault)
			video, content := newMediaFiles(t).random("clip.mp4", 8<<10)
			runTest(t, resource.TestCase{
				CheckDestroy: env.checkDestroyed,
				Steps: []resource.TestStep{{
					Config: env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source      = %q
  media_name  = "orphan candidate"
  description = "applied after the commit"
}
`, video),
					ConfigStateChecks: []statecheck.StateCheck{
						env.expectMedia("tencentvod_media.test", content, func(m mediaFacts) error {
							if m.Description != "applied after the commit" {
								return fmt.Errorf("description %q: the steps after the commit did not run", m.Description)
							}
							return nil
						}),
						statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("media_name"), knownvalue.StringExact("orphan candidate")),
					},
				}},
			})
			if n := len(env.emu.Media()); n != 0 {
				t.Errorf("%d media files left after destroy; the found media was not the tracked one", n)
			}
			if n := env.apiAttempts("SearchMedia"); n == 0 {
				t.Error("no SearchMedia call: the media cannot have been found by search")
			}
			if n := env.apiAttempts("ApplyUpload"); n != 1 {
				t.Errorf("%d upload sessions; the found media should not be uploaded again", n)
			}
		})
	}
	t.Run("not found: reported with how to import", func(t *testing.T) {
		t.Parallel()
		env := newTestEnv(t)
		env.emu.InjectFault(emulator.Fault{Action: "CommitUpload", Times: 1, AfterDispatch: true,
			NonJSONBody: `<html>upstream reset {"RequestId": "3f2a-77-rid"}</html>`})
		// Credentials without SearchMedia permission: the lookup fails, and only the report is left.
		env.emu.InjectFault(emulator.Fault{Action: "SearchMedia", Code: "UnauthorizedOperation", Message: "No permission."})
		video, _ := newMediaFiles(t).random("clip.mp4", 8<<10)
		runTest(t, resource.TestCase{
			Steps: []resource.TestStep{{
				Config: env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source     = %q
  media_name = "orphan candidate"
}
`, video),
				ExpectError: wrapTolerant(`(?s)VOD Media Created But Not Tracked.*SearchMedia failed too.*UnauthorizedOperation.*` +
					`orphan candidate.*storage path /.*terraform import.*HTTP 200.*3f2a-77-rid`),
			}},
		})
		if n := len(env.emu.Media()); n != 1 {
			t.Errorf("%d media files; the commit should have created exactly one", n)
		}
	})
	t.Run("request dropped before the commit", func(t *testing.T) {
		t.Parallel()
		env := newTestEnv(t)
		env.emu.InjectFault(emulator.Fault{Action: "CommitUpload", Times: 1, DropConnection: true})
		video, content := newMediaFiles(t).random("clip.mp4", 8<<10)
		runTest(t, resource.TestCase{
			CheckDestroy: env.checkDestroyed,
			Steps: []resource.TestStep{{
				Config: env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source = %q
}
`, video),
				ConfigStateChecks: []statecheck.StateCheck{env.expectMedia("tencentvod_media.test", content, nil)},
			}},
		})
	})
}

// Delete treats media that is already gone as deleted.
func TestAccMedia_destroyWhenAlreadyDeleted(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	video, _ := newMediaFiles(t).random("clip.mp4", 8<<10)
	cfgDestroy := env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source = %q
}
`, video)
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfgDestroy},
			{
				// The media vanishes between the refresh and the delete: VOD answers ResourceNotFound.
				PreConfig: func() {
					env.emu.InjectFault(emulator.Fault{Action: "DeleteMedia", Times: 1, Code: "ResourceNotFound",
						Message: "The media file does not exist."})
				},
				Config:  cfgDestroy,
				Destroy: true,
			},
		},
	})
}

// Bad input is rejected with an error naming the argument, before anything is uploaded.
func TestAccMedia_invalidArguments(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	files := newMediaFiles(t)
	video, _ := files.random("clip.mp4", 1024)
	odd, _ := files.random("clip.xyz", 1024)
	manifest := files.write("index.m3u8", []byte("#EXTM3U\n"))
	empty := files.write("empty.mp4", nil)
	bmp := files.write("cover.bmp", []byte("BM...."))
	missing := filepath.Join(files.dir, "missing.mp4")
	long := files.write(strings.Repeat("n", 65)+".mp4", []byte("x"))

	cases := map[string]struct {
		body    string
		message string
	}{
		"neither source nor key": {`media_name = "x"`, `(?s)Missing Media Source.*exactly one of source`},
		"both source and key":    {fmt.Sprintf("source = %q\nvod_session_key_wo = \"k\"", video), `Conflicting Media Sources`},
		"session-only argument with key": {`vod_session_key_wo = "k"
source_context = "ctx"`, `(?s)Argument Not Allowed With vod_session_key_wo.*source_context`},
		"upload tuning with key":   {`vod_session_key_wo = "k"` + "\n" + `upload_concurrency = 2`, `(?s)upload_concurrency tunes the provider's own upload.*tune that tool instead`},
		"storage_region with key":  {`vod_session_key_wo = "k"` + "\n" + `storage_region = "ap-guangzhou"`, `(?s)storage_region.*set storage_region there`},
		"unknown extension":        {fmt.Sprintf("source = %q", odd), `(?s)Cannot Infer media_type.*the extension \.xyz`},
		"manifest source":          {fmt.Sprintf("source = %q", manifest), `(?s)Invalid Streaming Package.*index\.m3u8.*lists no files`},
		"manifest media_type":      {fmt.Sprintf("source = %q\nmedia_type = \"MPD\"", video), `(?s)Invalid Streaming Package.*not a DASH manifest`},
		"bad media_type":           {fmt.Sprintf("source = %q\nmedia_type = \"docx\"", video), `(?s)media_type.*value must be one of`},
		"bad cover extension":      {fmt.Sprintf("source = %q\ncover_source = \"c.svg\"", video), `(?s)Cannot Infer cover_type.*\.svg`},
		"bmp cover with key":       {fmt.Sprintf("vod_session_key_wo = \"k\"\ncover_source = %q", bmp), `(?s)Unsupported Cover Image.*gif, jpeg, jpg, png`},
		"name too long by default": {fmt.Sprintf("source = %q", long), `(?s)Cannot Infer media_name.*65 characters`},
		"too many tags":            {fmt.Sprintf("source = %q\ntags = [%s]", video, quotedList(17)), `(?s)tags.*at most 16`},
		"tag too long":             {fmt.Sprintf("source = %q\ntags = [%q]", video, strings.Repeat("t", 33)), `(?s)tags.*length must be between 1 and 32`},
		"part size zero":           {fmt.Sprintf("source = %q\nupload_part_size_mib = 0", video), `(?s)upload_part_size_mib.*between 1 and 5120`},
		"concurrency too high":     {fmt.Sprintf("source = %q\nupload_concurrency = 65", video), `(?s)upload_concurrency.*between 1 and 64`},
		"description too long":     {fmt.Sprintf("source = %q\ndescription = %q", video, strings.Repeat("d", 129)), `(?s)description.*at most 128`},
		"bad expire_time":          {fmt.Sprintf("source = %q\nexpire_time = \"tomorrow\"", video), `(?s)Invalid RFC3339 String Value.*expire_time = "tomorrow"`},
		"missing file":             {fmt.Sprintf("source = %q", missing), `(?s)Unable to Read source.*no such file.*Nothing was uploaded`},
		"empty file":               {fmt.Sprintf("source = %q", empty), `(?s)Empty source.*is empty`},
		"missing cover":            {fmt.Sprintf("source = %q\ncover_source = %q", video, filepath.Join(files.dir, "nope.jpg")), `(?s)Unable to Read cover_source.*no such file`},
		"negative class":           {fmt.Sprintf("source = %q\nclass_id = -1", video), `(?s)class_id.*at least 0`},
		"sub_app_id zero":          {fmt.Sprintf("source = %q\nsub_app_id = 0", video), `(?s)sub_app_id.*at least 1`},
		"bad storage region":       {fmt.Sprintf("source = %q\nstorage_region = \"Guangzhou\"", video), `storage_region`},
		"source_context too long":  {fmt.Sprintf("source = %q\nsource_context = %q", video, strings.Repeat("c", 251)), `(?s)source_context.*250`},
		"session_context too long": {fmt.Sprintf("source = %q\nsession_context = %q", video, strings.Repeat("c", 1001)), `(?s)session_context.*1000`},
		"media_name too long":      {fmt.Sprintf("source = %q\nmedia_name = %q", video, strings.Repeat("m", 65)), `(?s)media_name.*at most 64`},
		"empty source":             {`source = ""`, `(?s)source.*at least 1`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			before := env.mediaUploadAttempts()
			runTest(t, resource.TestCase{
				TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
				Steps: []resource.TestStep{{
					Config:      env.providerConfig() + "resource \"tencentvod_media\" \"test\" {\n" + tc.body + "\n}\n",
					ExpectError: wrapTolerant(tc.message),
				}},
			})
			if n := env.mediaUploadAttempts() - before; n != 0 {
				t.Errorf("%d API calls were made for rejected input", n)
			}
		})
	}
}

func quotedList(n int) string {
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf("%q", fmt.Sprint("t", i))
	}
	return strings.Join(items, ", ")
}

// mediaUploadAttempts counts the calls that would start or finish an upload. Parallel subtests share
// one emulator, so only these (never made for rejected input) are meaningful to count.
func (e *testEnv) mediaUploadAttempts() int {
	return e.apiAttempts("ApplyUpload") + e.apiAttempts("CommitUpload")
}

// Secrets never reach state, plan or a TRACE log, and long uploads report their progress at INFO.
// Not parallel: it sets TF_LOG.
func TestAccMedia_noSecretsInStatePlanOrLogs(t *testing.T) {
	skipInAccMode(t)
	env := newTestEnv(t)
	video, _ := newMediaFiles(t).random("clip.mp4", 3<<20)
	logFile := traceLogWithCredentialsInEnvironment(t)
	secrets := func() []string { return env.sessionSecrets(emulatorSecretKey) }
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.endpointsOnly() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source               = %q
  upload_part_size_mib = 1
}
`, video),
			ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{secretsAbsentFromPlan(secrets)}},
			ConfigStateChecks: []statecheck.StateCheck{secretsAbsentFromState(secrets)},
		}},
	})
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"CommitUpload", "uploaded file to VOD storage", "committed VOD upload"} {
		if !strings.Contains(string(log), line) {
			t.Fatalf("the TRACE log does not show %q; the secret check below would prove little", line)
		}
	}
	for _, secret := range secrets() {
		if strings.Contains(string(log), secret) {
			t.Errorf("a secret (%s...) appears in the TRACE log", secret[:6])
		}
	}
}

// wrapTolerant compiles an expected error where any space may be a line break: Terraform wraps
// diagnostics to the terminal's width.
func wrapTolerant(pattern string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(pattern, " ", `\s+`))
}

// The create timeout bounds the whole upload; the partial upload is cleaned up.
func TestAccMedia_createTimeout(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	env.emu.ObjectStore().InjectFault(objectstore.Fault{Method: "PUT", Query: "partNumber", PartNumber: 2, Latency: 20 * time.Second})
	video, _ := newMediaFiles(t).random("clip.mp4", 3<<20)
	started := time.Now()
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source               = %q
  upload_part_size_mib = 1
  upload_concurrency   = 1

  timeouts {
    create = "2s"
  }
}
`, video),
			ExpectError: wrapTolerant(`(?s)Unable to Upload Media.*The create timeout \(2s\) ran out while uploading source .*clip\.mp4.*so nothing was committed`),
		}},
	})
	if elapsed := time.Since(started); elapsed > 15*time.Second {
		t.Errorf("the apply took %s; the 2s create timeout did not cut it short", elapsed)
	}
	if err := env.expectNoMedia(); err != nil {
		t.Error(err)
	}
}
