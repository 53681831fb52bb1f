package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
)

// New media that cannot be read back after its commit is tracked with what the commit returned, not
// tainted: the next refresh fills in the rest and the next apply finishes it in place.
func TestAccMedia_unreadAfterCommitIsNotTainted(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	video, content := newMediaFiles(t).random("clip.mp4", 8<<10)
	// Every attempt of the read after the commit fails (max_retries 2: three attempts); the refresh
	// that follows the apply reads normally.
	env.emu.InjectFault(emulator.Fault{Action: "DescribeMediaInfos", Times: 3, Code: "InternalError", Message: "Injected outage."})
	cfg := env.providerConfig("max_retries = 2") + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source      = %q
  description = "set after the commit"
}
`, video)
	var fileID string
	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					stateCheck(func(state *tfjson.State) error {
						media := env.emu.Media()
						if len(media) != 1 {
							return fmt.Errorf("%d media in VOD, want 1", len(media))
						}
						fileID = media[0].FileID
						return nil
					}),
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("file_id"), knownvalue.NotNull()),
					env.expectMedia("tencentvod_media.test", content, nil),
				},
				// The description could not be applied: the refresh after the apply shows VOD's empty one.
				ExpectNonEmptyPlan: true,
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("size"), knownvalue.Int64Exact(int64(len(content)))),
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("description"), knownvalue.StringExact("set after the commit")),
					stateCheck(func(state *tfjson.State) error {
						if id, _ := stateAttr(state, "tencentvod_media.test", "file_id"); id != fileID {
							return fmt.Errorf("file_id %v, want the first upload's %s", id, fileID)
						}
						return nil
					}),
				},
			},
		},
	})
	if n := env.apiAttempts("ApplyUpload"); n != 1 {
		t.Errorf("%d upload sessions; the media was uploaded again", n)
	}
}

// A setting VOD refuses right after the commit is the one failure that taints the new media: the apply
// names it, the media stays in the state, and the next apply replaces it.
func TestAccMedia_settingRefusedAfterCommitTaints(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	video, _ := newMediaFiles(t).random("clip.mp4", 8<<10)
	env.emu.InjectFault(emulator.Fault{Action: "ModifyMediaInfo", Times: 1, Code: "InvalidParameterValue", Message: "Injected refusal."})
	cfg := env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source      = %q
  description = "set after the commit"
}
`, video)
	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)Injected refusal.*VOD Media Created With Different Settings`),
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("description"), knownvalue.StringExact("set after the commit")),
				},
			},
		},
	})
	if n := env.apiAttempts("ApplyUpload"); n != 2 {
		t.Errorf("%d upload sessions, want 2: the tainted media replaced once", n)
	}
}

// When the update or delete timeout runs out, the error names that timeout and its value.
func TestAccMedia_updateAndDeleteTimeouts(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	config := func(env *testEnv, video, description string) string {
		return env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source      = %q
  description = %q

  timeouts {
    update = "1s"
    delete = "1500ms"
  }
}
`, video, description)
	}
	for name, tc := range map[string]struct {
		slowAction, description string
		destroy                 bool
		wantError               string
	}{
		"update": {"ModifyMediaInfo", "second", false,
			`(?s)Unable to Update VOD Media.*The update timeout \(1s\) ran out while updating media [0-9]+.*raise update in the resource's timeouts block`},
		"delete": {"DeleteMedia", "first", true,
			`(?s)Unable to Delete VOD Media.*The delete timeout \(1.5s\) ran out while deleting media [0-9]+.*stays in the state`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			video, _ := newMediaFiles(t).random("clip.mp4", 8<<10)
			runTest(t, resource.TestCase{
				Steps: []resource.TestStep{
					{Config: config(env, video, "first")},
					{
						PreConfig: func() {
							env.emu.InjectFault(emulator.Fault{Action: tc.slowAction, Times: 1, Latency: 30 * time.Second})
						},
						Config:      config(env, video, tc.description),
						Destroy:     tc.destroy,
						ExpectError: wrapTolerant(tc.wantError),
					},
				},
			})
		})
	}
}

// The commit is one critical section with a deadline of its own: the create timeout does not cut it
// short, and a commit still unanswered at its own deadline is resolved by looking the media up.
func TestAccMedia_commitOutlivesTheCreateTimeout(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	cases := map[string]struct {
		replyDelay  time.Duration
		wantSearch  bool
		createLimit string
	}{
		// The create timeout runs out while the commit waits for its reply, which comes within commitTimeout.
		"reply after the create timeout": {replyDelay: 3500 * time.Millisecond, createLimit: "2s"},
		// No reply within commitTimeout: the outcome is unknown, and SearchMedia finds the media.
		"no reply within the commit's deadline": {replyDelay: time.Minute, wantSearch: true, createLimit: "60m"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			env.emu.InjectFault(emulator.Fault{Action: "CommitUpload", Times: 1, AfterDispatch: true, Latency: tc.replyDelay})
			video, content := newMediaFiles(t).random("clip.mp4", 8<<10)
			runTest(t, resource.TestCase{
				CheckDestroy: env.checkDestroyed,
				Steps: []resource.TestStep{{
					Config: env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source = %q

  timeouts {
    create = %q
  }
}
`, video, tc.createLimit),
					ConfigStateChecks: []statecheck.StateCheck{env.expectMedia("tencentvod_media.test", content, nil)},
				}},
			})
			if searched := env.apiAttempts("SearchMedia") > 0; searched != tc.wantSearch {
				t.Errorf("SearchMedia called: %v, want %v", searched, tc.wantSearch)
			}
			if n := env.apiAttempts("ApplyUpload"); n != 1 {
				t.Errorf("%d upload sessions, want 1", n)
			}
		})
	}
}
