package provider

import (
	"fmt"
	"regexp"
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
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// These tests start processing with a procedure passed at upload (the emulator runs it from the commit
// on) and read its outputs with a refresh once the emulator's tasks have finished. They need the
// emulator: its task flows (StreamingPreset) and the way to wait for its tasks.

// processingTestEnv is an emulator whose tasks finish quickly.
func processingTestEnv(t *testing.T) *testEnv {
	t.Helper()
	skipInAccMode(t)
	return newTestEnv(t, func(o *emulator.Options) { o.TaskDuration = 2 * time.Second })
}

// waitForTasks returns once the emulator has n tasks, all finished.
func (e *testEnv) waitForTasks(n int) {
	e.t.Helper()
	if err := e.tasksFinish(n); err != nil {
		e.t.Fatal(err)
	}
}

// tasksFinish waits until the emulator has n tasks, all finished, for at most a minute.
func (e *testEnv) tasksFinish(n int) error {
	deadline := time.Now().Add(time.Minute)
	for {
		tasks := e.emu.Tasks()
		finished := 0
		for i := range tasks {
			if tasks[i].Status(time.Now()) == emulator.TaskFinish {
				finished++
			}
		}
		if len(tasks) == n && finished == n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("after a minute, %d of %d tasks have finished; want %d", finished, len(tasks), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// streamingOutputs are the lists of a media the emulator's StreamingPreset processed: adaptive streams
// HLS (10) and DASH (20), the original and two MP4 transcodes, snapshots and an image sprite.
var streamingOutputs = map[string]knownvalue.Check{
	"adaptive_streams": knownvalue.ListExact([]knownvalue.Check{
		adaptiveStream(emulator.DefinitionAdaptiveHLS, "HLS", `/master\.m3u8$`),
		adaptiveStream(emulator.DefinitionAdaptiveDASH, "DASH", `/manifest\.mpd$`),
	}),
	"transcodes": knownvalue.ListExact([]knownvalue.Check{
		transcodeDefinition(0), transcodeDefinition(emulator.DefinitionTranscode360p), transcodeDefinition(emulator.DefinitionTranscode720p),
	}),
	"snapshots": knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
		"definition": knownvalue.Int64Exact(emulator.DefinitionSnapshot),
		"urls":       knownvalue.ListPartial(map[int]knownvalue.Check{0: knownvalue.StringRegexp(regexp.MustCompile(`\.jpg$`))}),
	})}),
	"image_sprites": knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(map[string]knownvalue.Check{
		"definition": knownvalue.Int64Exact(emulator.DefinitionImageSprite),
		"urls":       knownvalue.ListPartial(map[int]knownvalue.Check{0: knownvalue.StringRegexp(regexp.MustCompile(`\.jpg$`))}),
		"webvtt_url": knownvalue.StringRegexp(regexp.MustCompile(`\.vtt$`)),
	})}),
}

func adaptiveStream(definition int64, pkg, urlPattern string) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"definition":             knownvalue.Int64Exact(definition),
		"package":                knownvalue.StringExact(pkg),
		"drm_type":               knownvalue.StringExact(""),
		"digital_watermark_type": knownvalue.StringExact("None"),
		"url":                    knownvalue.StringRegexp(regexp.MustCompile(`^http://.*` + urlPattern)),
		"size":                   knownvalue.NotNull(),
	})
}

func transcodeDefinition(definition int64) knownvalue.Check {
	return knownvalue.ObjectPartial(map[string]knownvalue.Check{
		"definition":             knownvalue.Int64Exact(definition),
		"digital_watermark_type": knownvalue.StringExact("None"),
	})
}

// expectTestMediaValues checks attributes of tencentvod_media.test.
func expectTestMediaValues(want map[string]knownvalue.Check) []statecheck.StateCheck {
	var checks []statecheck.StateCheck
	for name, check := range want {
		checks = append(checks, statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New(name), check))
	}
	return checks
}

// After processing, a refresh fills the outputs of the resource and the data source alike; another
// resource takes the HLS stream's URL, which plays (the playlist downloads); the metadata describes the
// file. An in-place change keeps the outputs in its plan.
func TestAccMediaOutputs_afterProcessing(t *testing.T) {
	t.Parallel()
	env := processingTestEnv(t)
	video, _ := newMediaFiles(t).random("episode.mp4", 1<<20)
	media := func(description string) string {
		return env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source      = %q
  procedure   = %q
  description = %q
}
`, video, emulator.ProcedureStreaming, description)
	}
	const consumers = `
data "tencentvod_media" "test" {
  file_id = tencentvod_media.test.file_id
}

resource "terraform_data" "player" {
  input = [for s in tencentvod_media.test.adaptive_streams : s.url if s.package == "HLS"][0]
}
`
	same := func(name string) statecheck.StateCheck {
		return statecheck.CompareValuePairs("tencentvod_media.test", tfjsonpath.New(name),
			"data.tencentvod_media.test", tfjsonpath.New(name), compare.ValuesSame())
	}
	var sameInBoth []statecheck.StateCheck
	for _, name := range []string{"adaptive_streams", "transcodes", "snapshots", "image_sprites", "duration", "width", "height", "bitrate", "container"} {
		sameInBoth = append(sameInBoth, same(name))
	}

	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: media("first cut"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue("tencentvod_media.test", tfjsonpath.New("adaptive_streams")),
					plancheck.ExpectUnknownValue("tencentvod_media.test", tfjsonpath.New("transcodes")),
					plancheck.ExpectUnknownValue("tencentvod_media.test", tfjsonpath.New("duration")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					// The emulator's metadata of a 1 MiB video: 1280x720 at 2 Mbps, so 4.194 seconds.
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("duration"), knownvalue.Float64Exact(4.194)),
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("width"), knownvalue.Int64Exact(1280)),
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("height"), knownvalue.Int64Exact(720)),
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("bitrate"), knownvalue.Int64Exact(2_000_000)),
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("container"), knownvalue.StringExact("mp4")),
					// Definition 0 is the original file, the one media_url names.
					statecheck.CompareValuePairs("tencentvod_media.test", tfjsonpath.New("transcodes").AtSliceIndex(0).AtMapKey("url"),
						"tencentvod_media.test", tfjsonpath.New("media_url"), compare.ValuesSame()),
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("transcodes").AtSliceIndex(0).AtMapKey("definition"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("transcodes").AtSliceIndex(0).AtMapKey("size"), knownvalue.Int64Exact(1<<20)),
				},
			},
			{
				PreConfig: func() { env.waitForTasks(1) },
				Config:    media("first cut") + consumers,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: append(append(expectTestMediaValues(streamingOutputs), sameInBoth...),
					statecheck.CompareValuePairs("terraform_data.player", tfjsonpath.New("output"),
						"tencentvod_media.test", tfjsonpath.New("adaptive_streams").AtSliceIndex(0).AtMapKey("url"), compare.ValuesSame()),
					env.expectPlaylist("terraform_data.player"),
				),
			},
			{
				Config: media("second cut") + consumers,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionUpdate),
					// A description changes nothing the outputs depend on: they stay known in the plan.
					plancheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("adaptive_streams"), knownvalue.ListSizeExact(2)),
					plancheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("duration"), knownvalue.Float64Exact(4.194)),
					plancheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("width"), knownvalue.Int64Exact(1280)),
					plancheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("container"), knownvalue.StringExact("mp4")),
					plancheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("transcodes"), knownvalue.ListSizeExact(3)),
					plancheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("snapshots"), knownvalue.ListSizeExact(1)),
					plancheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("image_sprites"), knownvalue.ListSizeExact(1)),
					plancheck.ExpectResourceAction("terraform_data.player", plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: expectTestMediaValues(streamingOutputs),
			},
			{
				// An import reads the outputs and metadata as a refresh does.
				ResourceName:      "tencentvod_media.test",
				ImportState:       true,
				ImportStateVerify: true,
				// Not readable from VOD: how the media was uploaded.
				ImportStateVerifyIgnore: []string{"source", "procedure"},
			},
		},
	})
}

// expectPlaylist downloads the URL held by a terraform_data's output: the HLS master playlist.
func (e *testEnv) expectPlaylist(address string) statecheck.StateCheck {
	return stateCheck(func(state *tfjson.State) error {
		url, err := stateAttr(state, address, "output")
		if err != nil {
			return err
		}
		body, err := download(e.t.Context(), fmt.Sprint(url))
		if err != nil {
			return err
		}
		if !strings.HasPrefix(string(body), "#EXTM3U") {
			return fmt.Errorf("%s is not an HLS playlist: %.40q", url, body)
		}
		return nil
	})
}

// An output deleted in VOD (DeleteMedia with DeleteParts) disappears from state at the next refresh,
// and the next apply changes nothing: no procedure runs again.
func TestAccMediaOutputs_removedOutOfBand(t *testing.T) {
	t.Parallel()
	env := processingTestEnv(t)
	video, _ := newMediaFiles(t).random("episode.mp4", 64<<10)
	cfg := env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source    = %q
  procedure = %q
}
`, video, emulator.ProcedureStreaming)
	var fileID string
	deleteParts := func() {
		client, err := env.apiClient()
		if err == nil {
			err = client.DeleteMedia(t.Context(), &vod.DeleteMediaRequest{FileID: fileID, DeleteParts: []vod.MediaDeleteItem{
				{Type: "AdaptiveDynamicStreamingFiles", Definition: emulator.DefinitionAdaptiveDASH},
				{Type: "TranscodeFiles", Definition: emulator.DefinitionTranscode360p},
			}})
		}
		if err != nil {
			t.Fatalf("deleting parts of %s: %s", fileID, err)
		}
	}
	noProcessingAgain := stateCheck(func(*tfjson.State) error {
		if n := len(env.emu.Tasks()); n != 1 {
			return fmt.Errorf("%d tasks, want the upload's only", n)
		}
		if n := env.apiAttempts("ProcessMediaByProcedure"); n != 0 {
			return fmt.Errorf("%d ProcessMediaByProcedure calls, want none", n)
		}
		return nil
	})
	afterDeletion := []statecheck.StateCheck{
		statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("adaptive_streams"), knownvalue.ListExact([]knownvalue.Check{
			adaptiveStream(emulator.DefinitionAdaptiveHLS, "HLS", `/master\.m3u8$`),
		})),
		statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("transcodes"), knownvalue.ListExact([]knownvalue.Check{
			transcodeDefinition(0), transcodeDefinition(emulator.DefinitionTranscode720p),
		})),
		noProcessingAgain,
	}

	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{stateCheck(func(state *tfjson.State) error {
					id, err := stateAttr(state, "tencentvod_media.test", "file_id")
					fileID = fmt.Sprint(id)
					return err
				})},
			},
			{
				PreConfig:         func() { env.waitForTasks(1) },
				Config:            cfg,
				ConfigStateChecks: expectTestMediaValues(streamingOutputs),
			},
			{
				// The refresh before the plan reads the media; the plan has nothing to do.
				PreConfig: deleteParts,
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: afterDeletion,
			},
		},
	})
}

// Outputs that appear while an in-place update runs do not break it (Terraform refuses a result that
// differs from a known planned value): the update keeps the planned outputs, and the next refresh
// shows the new ones.
func TestAccMediaOutputs_processingFinishedDuringUpdate(t *testing.T) {
	t.Parallel()
	env := processingTestEnv(t)
	video, _ := newMediaFiles(t).random("episode.mp4", 64<<10)
	media := func(description string) string {
		return env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source      = %q
  description = %q
}
`, video, description)
	}
	var fileID string
	// While the update's ModifyMediaInfo is held, a task flow runs to the end on the media.
	processWhileUpdating := func() {
		gate := emulator.NewGate()
		env.emu.InjectFault(emulator.Fault{Action: "ModifyMediaInfo", Times: 1, Hold: gate})
		go func() {
			defer gate.Open()
			select {
			case <-gate.Arrived():
			case <-time.After(time.Minute):
				t.Error("the update's ModifyMediaInfo never came")
				return
			}
			client, err := env.apiClient()
			if err == nil {
				_, err = client.ProcessMediaByProcedure(t.Context(), &vod.ProcessMediaByProcedureRequest{
					FileID: fileID, ProcedureName: emulator.ProcedureStreaming,
				})
			}
			if err != nil {
				t.Errorf("starting processing: %s", err)
				return
			}
			if err := env.tasksFinish(1); err != nil {
				t.Error(err)
			}
		}()
	}
	noOutputs := []statecheck.StateCheck{
		statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("adaptive_streams"), knownvalue.ListSizeExact(0)),
		statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("transcodes"), knownvalue.ListExact([]knownvalue.Check{transcodeDefinition(0)})),
		statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("snapshots"), knownvalue.ListSizeExact(0)),
		statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("image_sprites"), knownvalue.ListSizeExact(0)),
	}

	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: media("first cut"),
				ConfigStateChecks: append(noOutputs, stateCheck(func(state *tfjson.State) error {
					id, err := stateAttr(state, "tencentvod_media.test", "file_id")
					fileID = fmt.Sprint(id)
					return err
				})),
			},
			{
				PreConfig:         processWhileUpdating,
				Config:            media("second cut"),
				ConfigStateChecks: noOutputs,
			},
			{
				Config: media("second cut"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: expectTestMediaValues(streamingOutputs),
			},
		},
	})
}

// The documented examples print the HLS stream's URL once the media is processed.
func TestAccMediaOutputs_documentedExamples(t *testing.T) {
	t.Parallel()
	env := processingTestEnv(t)
	video, _ := newMediaFiles(t).random("episode.mp4", 64<<10)
	cfg := env.providerConfig() + readMediaExample(t, "resource-playback.tf") +
		strings.ReplaceAll(readExampleFile(t, "data-sources", "tencentvod_media", "data-source.tf"), "var.file_id", "tencentvod_media.episode.file_id")
	vars := config.Variables{"video_file": config.StringVariable(video), "file_id": config.StringVariable("1")}
	hls := regexp.MustCompile(`^http://.*/master\.m3u8$`)
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				// The example waits for the task flow: its outputs are known at the end of the apply.
				Config: cfg, ConfigVariables: vars,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("hls_url", knownvalue.StringRegexp(hls)),
					statecheck.ExpectKnownOutputValue("playback", knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"hls_url":  knownvalue.StringRegexp(hls),
						"duration": knownvalue.Float64Exact(1),
					})),
				},
			},
		},
	})
}
