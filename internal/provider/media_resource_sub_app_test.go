package provider

import (
	"fmt"
	"slices"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
)

// A media created without a sub-application stays in the account's default application for life: a
// sub_app_id given to the provider later applies to new media only. Every call about the media keeps
// carrying no SubAppId, so the refresh still finds it and nothing is uploaded twice.
func TestAccMedia_subAppIDPinnedAtCreate(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	// The emulator's default application is emulatorSubAppID; the later default names another one.
	laterDefault := env.providerConfig(fmt.Sprintf("sub_app_id = %d", emulatorSubAppID+1))
	runTest(t, env.subAppIDPinnedCase(t, laterDefault, func() {}))
}

// The same when the later default comes from TENCENTVOD_SUB_APP_ID. Not parallel: it sets the variable.
func TestAccMedia_subAppIDPinnedAgainstEnvironmentDefault(t *testing.T) {
	skipInAccMode(t)
	env := newTestEnv(t)
	setDefault := func() { t.Setenv("TENCENTVOD_SUB_APP_ID", fmt.Sprint(emulatorSubAppID+1)) }
	runTest(t, env.subAppIDPinnedCase(t, env.providerConfig("sub_app_id = null"), setDefault))
}

// subAppIDPinnedCase creates a media with no sub-application anywhere, then plans, refreshes, updates
// and destroys it with the provider block laterDefault, after setLaterDefault.
func (e *testEnv) subAppIDPinnedCase(t *testing.T, laterDefault string, setLaterDefault func()) resource.TestCase {
	files := newMediaFiles(t)
	video, content := files.random("clip.mp4", 4<<10)
	media := func(name string) string {
		return fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source     = %q
  media_name = %q
}
`, video, name)
	}
	var fileID string
	return resource.TestCase{
		CheckDestroy: func(s *terraform.State) error {
			return e.expectNoSubAppIDSent(fileID, "DeleteMedia")
		},
		Steps: []resource.TestStep{
			{
				Config: e.providerConfig("sub_app_id = null") + media("clip"),
				ConfigStateChecks: []statecheck.StateCheck{
					e.expectMedia("tencentvod_media.test", content, func(m mediaFacts) error {
						fileID = m.FileID
						return nil
					}),
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("sub_app_id"), knownvalue.Null()),
				},
			},
			{
				PreConfig: func() {
					setLaterDefault()
					e.resetCallCounts()
				},
				Config: laterDefault + media("clip"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("file_id"), knownvalue.StringFunc(func(id string) error {
						if id != fileID {
							return fmt.Errorf("file_id %s, want %s: the media was created again", id, fileID)
						}
						return nil
					})),
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("sub_app_id"), knownvalue.Null()),
					stateCheck(func(*tfjson.State) error {
						if n := e.callsSince("ApplyUpload"); n != 0 {
							return fmt.Errorf("%d uploads after the provider got a sub_app_id, want none", n)
						}
						return e.expectNoSubAppIDSent(fileID, "DescribeMediaInfos")
					}),
				},
			},
			{
				// An update in place goes to the same application.
				Config: laterDefault + media("renamed"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					e.expectMedia("tencentvod_media.test", content, func(m mediaFacts) error {
						if m.Name != "renamed" {
							return fmt.Errorf("name %q, want renamed", m.Name)
						}
						return e.expectNoSubAppIDSent(fileID, "ModifyMediaInfo", "DescribeMediaInfos")
					}),
				},
			},
		},
	}
}

// expectNoSubAppIDSent checks that every call of the actions about fileID (and at least one) was sent
// without SubAppId. ApplyUpload and CommitUpload, which know no file ID yet, are checked whole.
func (e *testEnv) expectNoSubAppIDSent(fileID string, actions ...string) error {
	for _, action := range append(actions, "ApplyUpload", "CommitUpload") {
		about := 0
		for _, call := range e.emu.Calls(action) {
			if !callAbout(call.Params, fileID) && !slices.Contains([]string{"ApplyUpload", "CommitUpload"}, action) {
				continue
			}
			about++
			if id, sent := call.Params["SubAppId"]; sent {
				return fmt.Errorf("%s (RequestId %s) sent SubAppId %v for a media created without one", action, call.RequestID, id)
			}
		}
		if about == 0 {
			return fmt.Errorf("no %s call about media %s was recorded", action, fileID)
		}
	}
	return nil
}

// callAbout reports whether a call's parameters name fileID (FileId, or one of FileIds).
func callAbout(params map[string]any, fileID string) bool {
	if params["FileId"] == fileID {
		return true
	}
	ids, _ := params["FileIds"].([]any)
	return slices.Contains(ids, any(fileID))
}

// The task calls about a media go to the application pinned at create too: a procedure started and
// waited for after the provider got another default (with a lost start reply, so that the task is also
// looked up with DescribeTasks) sends no SubAppId for a media created without one.
func TestAccMedia_subAppIDPinnedForProcedure(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(time.Second))
	video, _ := newMediaFiles(t).random("clip.mp4", 4<<10)
	media := func(procedure string) string {
		return fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source             = %q
  procedure          = %s
  wait_for_procedure = true
}
`, video, procedure)
	}
	laterDefault := env.providerConfig(fmt.Sprintf("sub_app_id = %d", emulatorSubAppID+1))
	var fileID string
	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: env.providerConfig("sub_app_id = null") + media("null"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("file_id"), knownvalue.StringFunc(func(id string) error {
						fileID = id
						return nil
					})),
				},
			},
			{
				PreConfig: func() {
					env.emu.InjectFault(emulator.Fault{Action: "ProcessMediaByProcedure", Times: 1, DropConnection: true, AfterDispatch: true})
				},
				Config: laterDefault + media(`"StreamingPreset"`),
				ConfigStateChecks: []statecheck.StateCheck{
					env.expectProcedure("FINISH", "StreamingPreset"),
					stateCheck(func(*tfjson.State) error {
						if err := env.expectNoSubAppIDSent(fileID, "ProcessMediaByProcedure", "DescribeTasks"); err != nil {
							return err
						}
						calls := env.emu.Calls("DescribeTaskDetail")
						if len(calls) == 0 {
							return fmt.Errorf("the task was not polled")
						}
						for _, call := range calls {
							if id, sent := call.Params["SubAppId"]; sent {
								return fmt.Errorf("DescribeTaskDetail (RequestId %s) sent SubAppId %v for a media created without one", call.RequestID, id)
							}
						}
						return nil
					}),
				},
			},
		},
	})
}
