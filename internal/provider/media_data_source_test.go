package provider

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// The data source reports what the resource created, attribute for attribute.
func TestAccMediaDataSource_readsExistingMedia(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, func(o *emulator.Options) { o.ClassIDs = []int64{emulatorTestClassID} })
	files := newMediaFiles(t)
	video, _ := files.random("intro.mp3", 20<<10)
	cover := files.write("intro.png", pngCover)

	same := func(resourceAttr, dataAttr string) statecheck.StateCheck {
		return statecheck.CompareValuePairs("tencentvod_media.test", tfjsonpath.New(resourceAttr),
			"data.tencentvod_media.test", tfjsonpath.New(dataAttr), compare.ValuesSame())
	}
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source       = %q
  cover_source = %q
  description  = "the intro"
  class_id     = %d
  expire_time  = "2099-01-01T00:00:00Z"
  tags         = ["one"]
}

data "tencentvod_media" "test" {
  file_id = tencentvod_media.test.file_id
}
`, video, cover, env.testClassID()),
			ConfigStateChecks: []statecheck.StateCheck{
				same("file_id", "id"),
				same("media_name", "name"),
				same("description", "description"),
				same("media_url", "media_url"),
				same("cover_url", "cover_url"),
				same("type", "type"),
				same("category", "category"),
				same("size", "size"),
				same("class_id", "class_id"),
				same("storage_region", "storage_region"),
				same("tags", "tags"),
				same("create_time", "create_time"),
				statecheck.ExpectKnownValue("data.tencentvod_media.test", tfjsonpath.New("category"), knownvalue.StringExact("Audio")),
				statecheck.ExpectKnownValue("data.tencentvod_media.test", tfjsonpath.New("size"), knownvalue.Int64Exact(20<<10)),
				statecheck.ExpectKnownValue("data.tencentvod_media.test", tfjsonpath.New("expire_time"), knownvalue.StringExact("2099-01-01T00:00:00Z")),
				statecheck.ExpectKnownValue("data.tencentvod_media.test", tfjsonpath.New("status"), knownvalue.StringExact("Normal")),
				statecheck.ExpectKnownValue("data.tencentvod_media.test", tfjsonpath.New("storage_class"), knownvalue.StringExact("STANDARD")),
				statecheck.ExpectKnownValue("data.tencentvod_media.test", tfjsonpath.New("class_name"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue("data.tencentvod_media.test", tfjsonpath.New("class_path"), knownvalue.StringRegexp(regexp.MustCompile(`.`))),
				// Not processed: no outputs, as empty lists; the original file is listed as definition 0.
				statecheck.ExpectKnownValue("data.tencentvod_media.test", tfjsonpath.New("adaptive_streams"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue("data.tencentvod_media.test", tfjsonpath.New("transcodes").AtSliceIndex(0).AtMapKey("definition"), knownvalue.Int64Exact(0)),
				same("transcodes", "transcodes"),
				same("duration", "duration"),
				statecheck.ExpectKnownValue("data.tencentvod_media.test", tfjsonpath.New("update_time"), knownvalue.NotNull()),
			},
		}},
	})
}

// The data source names the class the media is in, and its path, as VOD reports them: the names from
// the top level down joined by "-", each name as it is (a "/" in it included).
func TestAccMediaDataSource_classNameAndPath(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	video, _ := newMediaFiles(t).random("teaser.mp4", 8<<10)
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_class" "movies" {
  name = "Movies"
}

resource "tencentvod_class" "trailers" {
  name      = "Trailers/Teasers"
  parent_id = tencentvod_class.movies.class_id
}

resource "tencentvod_media" "test" {
  source   = %q
  class_id = tencentvod_class.trailers.class_id
}

data "tencentvod_media" "test" {
  file_id = tencentvod_media.test.file_id
}
`, video),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.CompareValuePairs("tencentvod_class.trailers", tfjsonpath.New("class_id"),
					"data.tencentvod_media.test", tfjsonpath.New("class_id"), compare.ValuesSame()),
				statecheck.ExpectKnownValue("data.tencentvod_media.test", tfjsonpath.New("class_name"), knownvalue.StringExact("Trailers/Teasers")),
				statecheck.ExpectKnownValue("data.tencentvod_media.test", tfjsonpath.New("class_path"), knownvalue.StringExact("Movies-Trailers/Teasers")),
			},
		}},
	})
}

// The documented example, reading media uploaded outside Terraform that never expires.
func TestAccMediaDataSource_documentedExample(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	fileID := env.uploadOutsideTerraform(t, "intro", []byte("some intro bytes"))
	example := readExampleFile(t, "data-sources", "tencentvod_media", "data-source.tf")
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:          env.providerConfig() + example,
			ConfigVariables: config.Variables{"file_id": config.StringVariable(fileID)},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("intro", knownvalue.ObjectExact(map[string]knownvalue.Check{
					"name":     knownvalue.StringExact("intro"),
					"url":      knownvalue.StringRegexp(regexp.MustCompile(`^http://.*\.mp4$`)),
					"size":     knownvalue.Int64Exact(16),
					"expires":  knownvalue.Null(),
					"category": knownvalue.StringExact("Video"),
					"region":   knownvalue.NotNull(),
				})),
			},
		}},
	})
}

// uploadOutsideTerraform creates a media file with the API client directly, as another tool would.
func (e *testEnv) uploadOutsideTerraform(t *testing.T, name string, content []byte) string {
	t.Helper()
	ctx := t.Context()
	client, err := e.apiClient()
	if err != nil {
		t.Fatal(err)
	}
	session, err := client.ApplyUpload(ctx, &vod.ApplyUploadRequest{MediaType: "mp4", MediaName: name})
	if err != nil {
		t.Fatal(err)
	}
	bucketURL, err := client.BucketURL(session.StorageBucket, session.StorageRegion)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), name+".mp4")
	writeFile(t, file, string(content))
	if _, err := client.UploadFile(ctx, session.TempCertificate, bucketURL, objectKey(session.MediaStoragePath), file, vod.UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	committed, err := client.CommitUpload(ctx, &vod.CommitUploadRequest{VodSessionKey: session.VodSessionKey})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = client.DeleteMedia(context.Background(), &vod.DeleteMediaRequest{FileID: committed.FileID})
	})
	return committed.FileID
}

func TestAccMediaDataSource_missingMediaIsAnError(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + `
data "tencentvod_media" "test" {
  file_id = "5285890781213513981"
}
`,
			ExpectError: wrapTolerant(`(?s)VOD Media Not Found.*No media with file_id 5285890781213513981 exists in the VOD application`),
		}},
	})
}

func TestAccMediaDataSource_rejectsMalformedFileID(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:      env.providerConfig() + "data \"tencentvod_media\" \"test\" {\n  file_id = \"abc\"\n}\n",
			ExpectError: regexp.MustCompile(`must be a VOD file ID`),
		}},
	})
}
