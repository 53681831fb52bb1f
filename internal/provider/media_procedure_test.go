package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
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
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// withTaskDuration makes the emulator's processing tasks take d.
func withTaskDuration(d time.Duration) func(*emulator.Options) {
	return func(o *emulator.Options) { o.TaskDuration = d }
}

// procedureConfig is a media uploaded from source with the given extra arguments.
func procedureConfig(env *testEnv, video, arguments string) string {
	return env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source = %q
%s
}
`, video, arguments)
}

// A class_id or a procedure that does not exist in the application fails the create before anything is
// uploaded, with the API's refusal and what to check.
func TestAccMedia_unknownClassOrProcedureSaysWhatToCheck(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	video, _ := newMediaFiles(t).random("talk.mp4", 16<<10)
	for _, tc := range []struct{ arguments, want string }{
		{"class_id = 4242", `(?s)InvalidParameterValue\.ClassId.*check\s+class_id\.\s+Use\s+the\s+class_id\s+of\s+a\s+tencentvod_class`},
		{`procedure = "NoSuchPreset"`, `(?s)InvalidParameter\.ProcedureNameNotExist.*check\s+procedure\s+\(names\s+are\s+case-sensitive\)`},
	} {
		runTest(t, resource.TestCase{
			Steps: []resource.TestStep{{Config: procedureConfig(env, video, tc.arguments), ExpectError: regexp.MustCompile(tc.want)}},
		})
	}
	if objects := env.emu.ObjectStore().Objects(); len(objects) != 0 {
		t.Errorf("uploaded %d objects, want none", len(objects))
	}
}

// procedureStarts returns the ProcessMediaByProcedure calls the emulator dispatched.
func (e *testEnv) procedureStarts() []emulator.Call {
	return e.emu.Calls("ProcessMediaByProcedure")
}

// expectProcedure checks procedure_status and that procedure_task_id is the emulator's last task, of the
// given procedure, on the media in the state.
func (e *testEnv) expectProcedure(status, procedure string) statecheck.StateCheck {
	return stateCheck(func(state *tfjson.State) error {
		got, err := stateAttr(state, "tencentvod_media.test", "procedure_status")
		if err != nil {
			return err
		}
		if got != status {
			return fmt.Errorf("procedure_status %v, want %s", got, status)
		}
		tasks := e.emu.Tasks()
		if len(tasks) == 0 {
			return fmt.Errorf("no task was started")
		}
		last := tasks[len(tasks)-1]
		taskID, _ := stateAttr(state, "tencentvod_media.test", "procedure_task_id")
		fileID, _ := stateAttr(state, "tencentvod_media.test", "file_id")
		if taskID != last.TaskID || fileID != last.FileID || last.Procedure != procedure {
			return fmt.Errorf("state has task %v of media %v; the last task is %s of procedure %s on media %s",
				taskID, fileID, last.TaskID, last.Procedure, last.FileID)
		}
		return nil
	})
}

// expectStartContexts checks the SessionContext of each ProcessMediaByProcedure call, in order.
func (e *testEnv) expectStartContexts(want ...string) statecheck.StateCheck {
	return stateCheck(func(*tfjson.State) error {
		var got []string
		for _, call := range e.procedureStarts() {
			context, _ := call.Params["SessionContext"].(string)
			got = append(got, context)
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			return fmt.Errorf("ProcessMediaByProcedure sent SessionContext %q, want %q", got, want)
		}
		return nil
	})
}

// expectTasks checks how many tasks the emulator started.
func (e *testEnv) expectTasks(n int) statecheck.StateCheck {
	return stateCheck(func(*tfjson.State) error {
		if tasks := e.emu.Tasks(); len(tasks) != n {
			return fmt.Errorf("%d tasks were started, want %d", len(tasks), n)
		}
		return nil
	})
}

// expectNotTainted checks that the media is tracked and not tainted.
func expectNotTainted() statecheck.StateCheck {
	return stateCheck(func(state *tfjson.State) error {
		for _, r := range state.Values.RootModule.Resources {
			if r.Address == "tencentvod_media.test" {
				if r.Tainted {
					return fmt.Errorf("the media is tainted")
				}
				return nil
			}
		}
		return fmt.Errorf("the media is not in the state")
	})
}

// expectLastCall checks which VOD action the emulator received last: after a waited procedure the media
// is read again, so that the outputs the task produced are in the state at the end of the same apply.
func (e *testEnv) expectLastCall(action string) statecheck.StateCheck {
	return stateCheck(func(*tfjson.State) error {
		calls := e.emu.Calls("")
		if len(calls) == 0 || calls[len(calls)-1].Action != action {
			return fmt.Errorf("the last call was not %s: %v", action, lastActions(calls, 4))
		}
		return nil
	})
}

func lastActions(calls []emulator.Call, n int) []string {
	var actions []string
	for _, c := range calls[max(0, len(calls)-n):] {
		actions = append(actions, c.Action)
	}
	return actions
}

// expectStreamingPresetStreams checks that the media's state lists the adaptive streams StreamingPreset
// makes: one HLS and one DASH.
func expectStreamingPresetStreams() statecheck.StateCheck {
	const n = 2
	return stateCheck(func(state *tfjson.State) error {
		streams, err := stateAttr(state, "tencentvod_media.test", "adaptive_streams")
		if err != nil {
			return err
		}
		if list, _ := streams.([]any); len(list) != n {
			return fmt.Errorf("adaptive_streams %v: want %d streams", streams, n)
		}
		return nil
	})
}

var (
	procedureStatus = tfjsonpath.New("procedure_status")
	procedureTaskID = tfjsonpath.New("procedure_task_id")
	mediaFileID     = tfjsonpath.New("file_id")
)

// With wait_for_procedure, create uploads without the procedure, starts it after the commit with a
// SessionId, waits for the task and reads the media again: the apply ends with the task finished.
func TestAccMediaProcedure_waitedForAtCreate(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(time.Second))
	video, content := newMediaFiles(t).random("talk.mp4", 32<<10)

	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config: procedureConfig(env, video, `
  procedure          = "StreamingPreset"
  wait_for_procedure = true
`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectUnknownValue("tencentvod_media.test", procedureStatus),
				plancheck.ExpectUnknownValue("tencentvod_media.test", procedureTaskID),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				env.expectMedia("tencentvod_media.test", content, nil),
				env.expectProcedure("FINISH", "StreamingPreset"),
				env.expectTasks(1),
				env.expectLastCall("DescribeMediaInfos"),
				expectStreamingPresetStreams(), // StreamingPreset's HLS and DASH, read after the wait
				stateCheck(func(*tfjson.State) error {
					upload, err := env.lastApplyUpload()
					if err != nil {
						return err
					}
					if p, sent := upload.Params["Procedure"]; sent {
						return fmt.Errorf("ApplyUpload carried Procedure %v; it must be started after the commit", p)
					}
					starts := env.procedureStarts()
					if len(starts) != 1 {
						return fmt.Errorf("%d ProcessMediaByProcedure calls, want 1", len(starts))
					}
					sessionID, _ := starts[0].Params["SessionId"].(string)
					if !strings.HasPrefix(sessionID, sessionIDPrefix) || len(sessionID) > vod.MaxSessionIDLength {
						return fmt.Errorf("SessionId %q: want the %q prefix and at most %d characters", sessionID, sessionIDPrefix, vod.MaxSessionIDLength)
					}
					if name := starts[0].Params["ProcedureName"]; name != "StreamingPreset" {
						return fmt.Errorf("ProcedureName %v", name)
					}
					return nil
				}),
			},
		}},
	})
}

// A task that fails is a warning: the apply succeeds, the media stays tracked and untainted, and
// procedure_status says FAIL. The next plan proposes running the procedure again in place, which runs it
// on the same media.
func TestAccMediaProcedure_failedTaskRunsAgainInPlace(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(time.Second))
	if err := env.emu.FailNextTasks("StreamingPreset", 1); err != nil {
		t.Fatal(err)
	}
	video, _ := newMediaFiles(t).random("talk.mp4", 16<<10)
	cfg := procedureConfig(env, video, `
  procedure          = "StreamingPreset"
  wait_for_procedure = true
`)
	sameFileID := statecheck.CompareValue(compare.ValuesSame())

	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config:             cfg,
				ExpectNonEmptyPlan: true,
				ConfigStateChecks: []statecheck.StateCheck{
					env.expectProcedure("FAIL", "StreamingPreset"),
					expectNotTainted(),
					sameFileID.AddStateValue("tencentvod_media.test", mediaFileID),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue("tencentvod_media.test", procedureTaskID),
					plancheck.ExpectUnknownValue("tencentvod_media.test", procedureStatus),
				}},
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					env.expectProcedure("FINISH", "StreamingPreset"),
					env.expectTasks(2),
					sameFileID.AddStateValue("tencentvod_media.test", mediaFileID),
					env.expectLastCall("DescribeMediaInfos"),
				},
			},
		},
	})
}

// Without wait_for_procedure, source mode hands the procedure to ApplyUpload. A changed procedure then
// runs on the same media, in place; removing it calls nothing; changing wait_for_procedure alone calls
// nothing either. A procedure started without waiting shows its task's progress on refresh.
func TestAccMediaProcedure_changesInPlace(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(time.Second))
	video, _ := newMediaFiles(t).random("talk.mp4", 16<<10)
	sameFileID := statecheck.CompareValue(compare.ValuesSame())
	var starts, modifies, deletes int
	countCalls := func() {
		starts, modifies, deletes = env.apiAttempts("ProcessMediaByProcedure"), env.apiAttempts("ModifyMediaInfo"), env.apiAttempts("DeleteMedia")
	}
	expectNoChangeCalls := stateCheck(func(*tfjson.State) error {
		if s, m, d := env.apiAttempts("ProcessMediaByProcedure")-starts, env.apiAttempts("ModifyMediaInfo")-modifies,
			env.apiAttempts("DeleteMedia")-deletes; s+m+d != 0 {
			return fmt.Errorf("%d ProcessMediaByProcedure, %d ModifyMediaInfo and %d DeleteMedia calls; want none", s, m, d)
		}
		return nil
	})
	update := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionUpdate),
	}}

	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: procedureConfig(env, video, `  procedure = "TranscodePreset"`),
				ConfigStateChecks: []statecheck.StateCheck{
					sameFileID.AddStateValue("tencentvod_media.test", mediaFileID),
					statecheck.ExpectKnownValue("tencentvod_media.test", procedureStatus, knownvalue.Null()),
					statecheck.ExpectKnownValue("tencentvod_media.test", procedureTaskID, knownvalue.Null()),
					stateCheck(func(*tfjson.State) error {
						upload, err := env.lastApplyUpload()
						if err != nil {
							return err
						}
						if p := upload.Params["Procedure"]; p != "TranscodePreset" {
							return fmt.Errorf("ApplyUpload carried Procedure %v, want TranscodePreset", p)
						}
						if n := len(env.procedureStarts()); n != 0 {
							return fmt.Errorf("%d ProcessMediaByProcedure calls; VOD starts the procedure on commit", n)
						}
						return nil
					}),
				},
			},
			{
				Config: procedureConfig(env, video, `
  procedure          = "StreamingPreset"
  wait_for_procedure = true
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue("tencentvod_media.test", tfjsonpath.New("adaptive_streams")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameFileID.AddStateValue("tencentvod_media.test", mediaFileID),
					env.expectProcedure("FINISH", "StreamingPreset"),
					expectStreamingPresetStreams(), // in the state at the end of the same apply
					stateCheck(func(*tfjson.State) error {
						if n := len(env.procedureStarts()); n != 1 {
							return fmt.Errorf("%d ProcessMediaByProcedure calls, want 1", n)
						}
						return nil
					}),
				},
			},
			{
				PreConfig:        countCalls,
				Config:           procedureConfig(env, video, `  wait_for_procedure = true`),
				ConfigPlanChecks: update,
				ConfigStateChecks: []statecheck.StateCheck{
					sameFileID.AddStateValue("tencentvod_media.test", mediaFileID),
					expectNoChangeCalls,
					// The last run stays recorded.
					env.expectProcedure("FINISH", "StreamingPreset"),
				},
			},
			{
				PreConfig:        countCalls,
				Config:           procedureConfig(env, video, `  wait_for_procedure = false`),
				ConfigPlanChecks: update,
				ConfigStateChecks: []statecheck.StateCheck{
					sameFileID.AddStateValue("tencentvod_media.test", mediaFileID),
					expectNoChangeCalls,
				},
			},
			{
				// Started without waiting: the task is recorded as it was started...
				Config:           procedureConfig(env, video, `  procedure = "TranscodePreset"`),
				ConfigPlanChecks: update,
				ConfigStateChecks: []statecheck.StateCheck{
					sameFileID.AddStateValue("tencentvod_media.test", mediaFileID),
					env.expectProcedure("WAITING", "TranscodePreset"),
				},
			},
			{
				// ...and a refresh once it has finished shows it.
				PreConfig: func() { time.Sleep(2 * time.Second) },
				Config:    procedureConfig(env, video, `  procedure = "TranscodePreset"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{env.expectProcedure("FINISH", "TranscodePreset")},
			},
		},
	})
}

// session_context changes in place: the change calls nothing, and the next run of the procedure
// carries the new value.
func TestAccMediaProcedure_sessionContextChangesInPlace(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(time.Second))
	video, _ := newMediaFiles(t).random("talk.mp4", 16<<10)
	sameFileID := statecheck.CompareValue(compare.ValuesSame())
	media := func(procedure, context string) string {
		return procedureConfig(env, video, fmt.Sprintf("  procedure          = %q\n  wait_for_procedure = true\n  session_context    = %q", procedure, context))
	}

	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config:            media("TranscodePreset", "first"),
				ConfigStateChecks: []statecheck.StateCheck{sameFileID.AddStateValue("tencentvod_media.test", mediaFileID), env.expectStartContexts("first")},
			},
			{
				Config: media("TranscodePreset", "second"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{sameFileID.AddStateValue("tencentvod_media.test", mediaFileID), env.expectStartContexts("first")},
			},
			{
				Config: media("StreamingPreset", "second"),
				ConfigStateChecks: []statecheck.StateCheck{
					sameFileID.AddStateValue("tencentvod_media.test", mediaFileID),
					env.expectStartContexts("first", "second"),
					env.expectProcedure("FINISH", "StreamingPreset"),
				},
			},
		},
	})
}

// With vod_session_key_wo the provider never opens the session: it starts the procedure after the
// commit, and waits for it with wait_for_procedure.
func TestAccMediaProcedure_withSessionKey(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(time.Second))
	video, content := newMediaFiles(t).random("keynote.mp4", 24<<10)
	cfg := env.providerConfig() + `
variable "video_file" {
  type = string
}

ephemeral "tencentvod_upload_session" "video" {
  media_type = "mp4"
}

resource "terraform_data" "upload_video" {
  triggers_replace = [filemd5(var.video_file)]

  provisioner "local-exec" {
    command = <<-EOT
      printf 'url = "%s"\n' "$UPLOAD_URL" |
        curl --fail --silent --show-error --upload-file "$VIDEO_FILE" --config -
    EOT
    environment = {
      VIDEO_FILE = var.video_file
      UPLOAD_URL = ephemeral.tencentvod_upload_session.video.media_upload_url
    }
  }
}

resource "tencentvod_media" "test" {
  vod_session_key_wo = ephemeral.tencentvod_upload_session.video.vod_session_key
  procedure          = "TranscodeAndSnapshot"
  wait_for_procedure = true
  session_context    = "pipeline=release"

  depends_on = [terraform_data.upload_video]
}
`
	step := func() resource.TestStep {
		return resource.TestStep{Config: cfg, ConfigVariables: config.Variables{"video_file": config.StringVariable(video)}}
	}
	first, second := step(), step()
	first.ConfigStateChecks = []statecheck.StateCheck{
		env.expectMedia("tencentvod_media.test", content, nil),
		env.expectProcedure("FINISH", "TranscodeAndSnapshot"),
		env.expectTasks(1),
		env.expectStartContexts("pipeline=release"),
	}
	second.ConfigPlanChecks = resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	second.ConfigStateChecks = []statecheck.StateCheck{env.expectTasks(1)}

	runTest(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy:           env.checkDestroyed,
		Steps:                  []resource.TestStep{first, second},
	})
}

// When the create timeout ends the wait, the media stays tracked and untainted with the task recorded;
// the next plan waits for that same task in place instead of starting it again.
func TestAccMediaProcedure_timeoutDuringWait(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	// The emulator's clock can be moved ahead (by less than the 5 minutes a signature may be off), so
	// that a long task is nearly done when the second step plans.
	var ahead atomic.Int64
	const taskDuration = 4 * time.Minute
	env := newTestEnv(t, withTaskDuration(taskDuration), func(o *emulator.Options) {
		o.Clock = func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	})
	video, _ := newMediaFiles(t).random("talk.mp4", 16<<10)
	cfg := procedureConfig(env, video, `
  procedure          = "StreamingPreset"
  wait_for_procedure = true
  timeouts {
    create = "6s"
  }
`)
	var firstTask string

	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config:             cfg,
				ExpectNonEmptyPlan: true,
				ConfigStateChecks: []statecheck.StateCheck{
					expectNotTainted(),
					env.expectTasks(1),
					stateCheck(func(state *tfjson.State) error {
						status, _ := stateAttr(state, "tencentvod_media.test", "procedure_status")
						if status != "WAITING" && status != "PROCESSING" {
							return fmt.Errorf("procedure_status %v, want WAITING or PROCESSING", status)
						}
						taskID, _ := stateAttr(state, "tencentvod_media.test", "procedure_task_id")
						if firstTask = env.emu.Tasks()[0].TaskID; taskID != firstTask {
							return fmt.Errorf("procedure_task_id %v, want %s", taskID, firstTask)
						}
						return nil
					}),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue("tencentvod_media.test", procedureTaskID, knownvalue.NotNull()),
					plancheck.ExpectUnknownValue("tencentvod_media.test", procedureStatus),
				}},
			},
			{
				PreConfig: func() {
					// The task ends about ten seconds from now: the plan still finds it running.
					task := env.emu.Tasks()[0]
					ahead.Store(int64(time.Until(task.CreateTime.Add(taskDuration - 10*time.Second))))
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					env.expectProcedure("FINISH", "StreamingPreset"),
					env.expectTasks(1),
					expectStreamingPresetStreams(),
				},
			},
		},
	})
}

// A start whose reply is lost is sent again with the same SessionId; VOD refuses the repeat, and the
// task the first attempt started is found with DescribeTasks: exactly one task runs.
func TestAccMediaProcedure_lostStartReplyStartsOnce(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(time.Second))
	env.emu.InjectFault(emulator.Fault{Action: "ProcessMediaByProcedure", Times: 1, DropConnection: true, AfterDispatch: true})
	video, _ := newMediaFiles(t).random("talk.mp4", 16<<10)

	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config: procedureConfig(env, video, `
  procedure          = "StreamingPreset"
  wait_for_procedure = true
`),
			ConfigStateChecks: []statecheck.StateCheck{
				env.expectTasks(1),
				env.expectProcedure("FINISH", "StreamingPreset"),
				stateCheck(func(*tfjson.State) error {
					if n := env.apiAttempts("ProcessMediaByProcedure"); n < 2 {
						return fmt.Errorf("%d ProcessMediaByProcedure attempts; the lost reply was not retried", n)
					}
					return nil
				}),
			},
		}},
	})
}

// A start whose outcome stays unknown (every reply lost, and the task not found because DescribeTasks
// fails too) leaves the media tracked and untainted with NOT_STARTED, and keeps its SessionId: the next
// apply sends the start again with that SessionId, VOD refuses it as a repeat, and the task the first
// apply started is found and waited for. A new SessionId would have run the procedure twice.
func TestAccMediaProcedure_unconfirmedStartIsNotStartedTwice(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(time.Second))
	env.emu.InjectFault(emulator.Fault{Action: "ProcessMediaByProcedure", DropConnection: true, AfterDispatch: true})
	env.emu.InjectFault(emulator.Fault{Action: "DescribeTasks", Code: "UnauthorizedOperation", Message: "not now"})
	video, _ := newMediaFiles(t).random("talk.mp4", 16<<10)
	cfg := env.providerConfig("max_retries = 1") + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source             = %q
  procedure          = "StreamingPreset"
  wait_for_procedure = true
}
`, video)

	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config:             cfg,
				ExpectNonEmptyPlan: true,
				ConfigStateChecks: []statecheck.StateCheck{
					expectNotTainted(),
					env.expectTasks(1),
					statecheck.ExpectKnownValue("tencentvod_media.test", procedureStatus, knownvalue.StringExact("NOT_STARTED")),
					statecheck.ExpectKnownValue("tencentvod_media.test", procedureTaskID, knownvalue.Null()),
				},
			},
			{
				PreConfig: env.emu.ClearFaults,
				Config:    cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					env.expectTasks(1),
					env.expectProcedure("FINISH", "StreamingPreset"),
				},
			},
		},
	})
}

// procedure and wait_for_procedure may be known only at apply (here from terraform_data outputs). At
// create, the plan shows the task unknown, and the apply starts and waits. When both are unknown again
// at the next plan but turn out unchanged, the plan shows the task unknown (it might start), and the
// apply starts nothing. A second media whose procedure is unknown at plan and that does not wait hands
// it to ApplyUpload, and its task is null.
func TestAccMediaProcedure_unknownAtPlan(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(time.Second))
	files := newMediaFiles(t)
	video, _ := files.random("talk.mp4", 16<<10)
	other, _ := files.random("other.mp4", 16<<10)
	cfg := func(round string) string {
		return env.providerConfig() + fmt.Sprintf(`
resource "terraform_data" "flow" {
  input            = "StreamingPreset"
  triggers_replace = [%[1]q]
}

resource "terraform_data" "wait" {
  input            = true
  triggers_replace = [%[1]q]
}

resource "tencentvod_media" "test" {
  source             = %[2]q
  procedure          = terraform_data.flow.output
  wait_for_procedure = terraform_data.wait.output
}

resource "tencentvod_media" "other" {
  source    = %[3]q
  procedure = terraform_data.flow.output
}
`, round, video, other)
	}
	startsFor := func(media string, want int) statecheck.StateCheck {
		return stateCheck(func(state *tfjson.State) error {
			fileID, err := stateAttr(state, media, "file_id")
			if err != nil {
				return err
			}
			n := 0
			for _, call := range env.procedureStarts() {
				if call.Params["FileId"] == fileID {
					n++
				}
			}
			if n != want {
				return fmt.Errorf("%d ProcessMediaByProcedure calls for %s, want %d", n, media, want)
			}
			return nil
		})
	}

	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: cfg("1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue("tencentvod_media.test", procedureStatus),
					plancheck.ExpectUnknownValue("tencentvod_media.test", procedureTaskID),
					plancheck.ExpectUnknownValue("tencentvod_media.other", procedureStatus),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("tencentvod_media.test", procedureStatus, knownvalue.StringExact("FINISH")),
					expectStreamingPresetStreams(),
					startsFor("tencentvod_media.test", 1),
					startsFor("tencentvod_media.other", 0),
					statecheck.ExpectKnownValue("tencentvod_media.other", procedureStatus, knownvalue.Null()),
					statecheck.ExpectKnownValue("tencentvod_media.other", procedureTaskID, knownvalue.Null()),
				},
			},
			{
				Config: cfg("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue("tencentvod_media.test", procedureStatus),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("tencentvod_media.test", procedureStatus, knownvalue.StringExact("FINISH")),
					expectStreamingPresetStreams(),
					startsFor("tencentvod_media.test", 1),
					startsFor("tencentvod_media.other", 0),
					statecheck.ExpectKnownValue("tencentvod_media.other", procedureStatus, knownvalue.Null()),
				},
			},
		},
	})
}

// The same for a procedure added to an existing media: the update fails (it is not a create, so nothing
// is tainted), the state and the private state keep what the next apply needs, and that apply finds the
// task the failed one started.
func TestAccMediaProcedure_unconfirmedStartInUpdate(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(time.Second))
	video, _ := newMediaFiles(t).random("talk.mp4", 16<<10)
	cfg := func(procedure string) string {
		return env.providerConfig("max_retries = 1") + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source             = %q
  procedure          = %s
  wait_for_procedure = true
}
`, video, procedure)
	}
	faults := func() {
		env.emu.InjectFault(emulator.Fault{Action: "ProcessMediaByProcedure", DropConnection: true, AfterDispatch: true})
		env.emu.InjectFault(emulator.Fault{Action: "DescribeTasks", Code: "UnauthorizedOperation", Message: "not now"})
	}

	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{
			{Config: cfg("null")},
			{
				PreConfig:   faults,
				Config:      cfg(`"StreamingPreset"`),
				ExpectError: regexp.MustCompile(`(?s)VOD Procedure Start Unconfirmed.*same SessionId.*What the provider found:.*looking up\s+the\s+task.*not\s+now`),
			},
			{
				PreConfig: env.emu.ClearFaults,
				Config:    cfg(`"StreamingPreset"`),
				ConfigStateChecks: []statecheck.StateCheck{
					env.expectTasks(1),
					env.expectProcedure("FINISH", "StreamingPreset"),
				},
			},
		},
	})
}

// The first apply after an import records the configured procedure without running it: VOD cannot say
// which task flows already ran on the media.
func TestAccMediaProcedure_importRecordsWithoutRunning(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(time.Second))
	files := newMediaFiles(t)
	video, _ := files.random("clip.mp4", 16<<10)
	idFile := filepath.Join(files.dir, "file_id")
	var fileID string

	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: procedureConfig(env, video, ""),
				Check: func(s *terraform.State) error {
					fileID = s.RootModule().Resources["tencentvod_media.test"].Primary.ID
					return nil
				},
			},
			{
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
				PreConfig: func() { writeFile(t, idFile, fileID) },
				Config: procedureConfig(env, video, `
  procedure          = "StreamingPreset"
  wait_for_procedure = true
`) + fmt.Sprintf(`
import {
  to = tencentvod_media.test
  id = trimspace(file(%q))
}
`, idFile),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue("tencentvod_media.test", procedureStatus, knownvalue.Null()),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					env.expectTasks(0),
					statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("procedure"), knownvalue.StringExact("StreamingPreset")),
					statecheck.ExpectKnownValue("tencentvod_media.test", procedureStatus, knownvalue.Null()),
				},
			},
			{
				// Once adopted, a changed procedure runs like on any other media.
				Config: procedureConfig(env, video, `
  procedure          = "TranscodePreset"
  wait_for_procedure = true
`),
				ConfigStateChecks: []statecheck.StateCheck{
					env.expectTasks(1),
					env.expectProcedure("FINISH", "TranscodePreset"),
				},
			},
		},
	})
}

// A refresh reads the status of an unfinished task; a task VOD no longer knows (tasks are kept three
// days) becomes UNKNOWN without an error, and is not read again; a finished run is not read at all.
func TestMediaProcedure_refreshStatus(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(time.Hour))
	client, err := env.apiClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	media := env.uploadedMedia(t)
	taskID, err := client.StartProcedure(ctx, &vod.ProcessMediaByProcedureRequest{
		FileID: media, ProcedureName: "StreamingPreset", SessionID: "tf-test-refresh",
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		taskID, status, want string
		calls                int
	}{
		"not started is not read":  {taskID, "NOT_STARTED", "NOT_STARTED", 0},
		"waiting task is read":     {taskID, "PROCESSING", "WAITING", 1},
		"vanished task is unknown": {"1500000000-procedurev2-000000000000000000000000000000", "PROCESSING", "UNKNOWN", 1},
		"unknown task is not read": {"1500000000-procedurev2-000000000000000000000000000000", "UNKNOWN", "UNKNOWN", 0},
		"failed run is not read":   {taskID, "FAIL", "FAIL", 0},
	} {
		t.Run(name, func(t *testing.T) {
			before := env.apiAttempts("DescribeTaskDetail")
			m := mediaResourceModel{
				FileID: types.StringValue(media), SubAppID: types.Int64Value(emulatorSubAppID),
				ProcedureTaskID: types.StringValue(tc.taskID), ProcedureStatus: types.StringValue(tc.status),
			}
			if diags := refreshProcedureStatus(ctx, client, &m); diags.HasError() || diags.WarningsCount() != 0 {
				t.Fatalf("diagnostics: %v", diags)
			}
			if got := m.ProcedureStatus.ValueString(); got != tc.want {
				t.Errorf("procedure_status %s, want %s", got, tc.want)
			}
			if n := env.apiAttempts("DescribeTaskDetail") - before; n != tc.calls {
				t.Errorf("%d DescribeTaskDetail calls, want %d", n, tc.calls)
			}
		})
	}
}

// A wait for a task VOD no longer knows ends at once with a warning, and the run becomes UNKNOWN in the
// state, which is final: with the last status kept, every later plan would propose waiting again.
func TestMediaProcedure_waitForVanishedTask(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	client, err := env.apiClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var schemaResp fwresource.SchemaResponse
	NewMediaResource().Schema(ctx, fwresource.SchemaRequest{}, &schemaResp)
	state := tfsdk.State{Schema: schemaResp.Schema, Raw: tftypes.NewValue(schemaResp.Schema.Type().TerraformType(ctx), nil)}
	const vanished = "1500000000-procedurev2-000000000000000000000000000000"
	m := mediaResourceModel{
		FileID: types.StringValue(env.uploadedMedia(t)), SubAppID: types.Int64Value(emulatorSubAppID),
		Procedure: types.StringValue("StreamingPreset"), WaitForProcedure: types.BoolValue(true),
		ProcedureTaskID: types.StringValue(vanished), ProcedureStatus: types.StringValue(procedureProcessing),
	}
	var diags diag.Diagnostics
	op := operation{name: "update", timeout: time.Minute, client: client}
	if ended := awaitProcedure(ctx, op, &m, &state, &diags); ended || diags.HasError() || diags.WarningsCount() != 1 {
		t.Fatalf("ended %v, diagnostics %v; want one warning", ended, diags)
	}
	if detail := diags[0].Detail(); !strings.Contains(detail, vanished) || !strings.Contains(detail, "UNKNOWN") {
		t.Errorf("warning does not name the task and UNKNOWN:\n%s", detail)
	}
	var saved types.String
	state.GetAttribute(ctx, path.Root("procedure_status"), &saved)
	if m.ProcedureStatus.ValueString() != procedureUnknown || saved.ValueString() != procedureUnknown {
		t.Errorf("procedure_status %s, saved %s; want %s", m.ProcedureStatus, saved, procedureUnknown)
	}
	if nextProcedureStep(&m, &m, false) != procedureKeep {
		t.Error("the next plan would act on a task VOD no longer knows")
	}
}

// uploadedMedia uploads a small media with the API client and returns its file id.
func (e *testEnv) uploadedMedia(t *testing.T) string {
	t.Helper()
	client, err := e.apiClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	session, err := client.ApplyUpload(ctx, &vod.ApplyUploadRequest{MediaType: "mp4"})
	if err != nil {
		t.Fatal(err)
	}
	video, _ := newMediaFiles(t).random("v.mp4", 4<<10)
	bucketURL, err := client.BucketURL(session.StorageBucket, session.StorageRegion)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.UploadFile(ctx, session.TempCertificate, bucketURL, objectKey(session.MediaStoragePath), video, vod.UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	committed, err := client.CommitUpload(ctx, &vod.CommitUploadRequest{VodSessionKey: session.VodSessionKey})
	if err != nil {
		t.Fatal(err)
	}
	return committed.FileID
}

// What each apply does about the procedure, as both the plan and the apply decide it.
func TestNextProcedureStep(t *testing.T) {
	t.Parallel()
	model := func(procedure types.String, wait bool, taskID, status string) *mediaResourceModel {
		m := &mediaResourceModel{Procedure: procedure, WaitForProcedure: types.BoolValue(wait),
			ProcedureTaskID: types.StringNull(), ProcedureStatus: types.StringNull()}
		if taskID != "" {
			m.ProcedureTaskID = types.StringValue(taskID)
		}
		if status != "" {
			m.ProcedureStatus = types.StringValue(status)
		}
		return m
	}
	a, b := types.StringValue("A"), types.StringValue("B")
	for name, tc := range map[string]struct {
		planned, prior *mediaResourceModel
		adopted        bool
		want           procedureStep
	}{
		"removed":                       {model(types.StringNull(), true, "", ""), model(a, true, "t", "FAIL"), false, procedureKeep},
		"unknown":                       {model(types.StringUnknown(), false, "", ""), model(a, false, "t", "FINISH"), false, procedureStart},
		"added":                         {model(a, false, "", ""), model(types.StringNull(), false, "", ""), false, procedureStart},
		"changed":                       {model(b, false, "", ""), model(a, false, "t", "FINISH"), false, procedureStart},
		"same, finished":                {model(a, true, "", ""), model(a, true, "t", "FINISH"), false, procedureKeep},
		"same, failed":                  {model(a, false, "", ""), model(a, false, "t", "FAIL"), false, procedureStart},
		"same, aborted":                 {model(a, false, "", ""), model(a, false, "t", "ABORTED"), false, procedureStart},
		"same, not started":             {model(a, false, "", ""), model(a, false, "", "NOT_STARTED"), false, procedureStart},
		"same, running, waiting":        {model(a, true, "", ""), model(a, false, "t", "PROCESSING"), false, procedureAwait},
		"same, running, not waiting":    {model(a, false, "", ""), model(a, true, "t", "WAITING"), false, procedureKeep},
		"same, task no longer known":    {model(a, true, "", ""), model(a, true, "t", "UNKNOWN"), false, procedureKeep},
		"same, started by ApplyUpload":  {model(a, true, "", ""), model(a, false, "", ""), false, procedureKeep},
		"imported":                      {model(a, true, "", ""), model(types.StringNull(), false, "", ""), true, procedureRecord},
		"imported, procedure was known": {model(b, true, "", ""), model(a, false, "", ""), true, procedureStart},
	} {
		if got := nextProcedureStep(tc.planned, tc.prior, tc.adopted); got != tc.want {
			t.Errorf("%s: got step %d, want %d", name, got, tc.want)
		}
	}
}

// A failed task's warning names the task, the failed sub-task and its message (once), how to run it again,
// and how to stop running it when the failure is there to stay.
func TestProcedureFailedWarning(t *testing.T) {
	t.Parallel()
	m := &mediaResourceModel{Procedure: types.StringValue("StreamingPreset"), FileID: types.StringValue("5285890781213513981"),
		ProcedureStatus: types.StringValue(procedureFailed)}
	d := procedureFailedWarning(m, &vod.TaskFailure{TaskID: "1500000000-procedurev2-abc", SubTask: "AdaptiveDynamicStreaming (definition 10)",
		ErrCode: 70000, ErrCodeExt: "InternalError", Message: "packaging failed"})
	if d.Severity().String() != "Warning" {
		t.Errorf("severity %s, want a warning", d.Severity())
	}
	for _, want := range []string{"1500000000-procedurev2-abc", "AdaptiveDynamicStreaming (definition 10)", "packaging failed",
		"error 70000, InternalError", "FAIL", "again in place", "set another procedure, or remove procedure"} {
		if !strings.Contains(d.Detail(), want) {
			t.Errorf("detail does not say %q:\n%s", want, d.Detail())
		}
	}
	if n := strings.Count(d.Detail(), "packaging failed"); n != 1 {
		t.Errorf("detail gives the failure %d times, want once:\n%s", n, d.Detail())
	}
}

// A plan that runs an unchanged procedure again (its last run failed, was aborted or never started) says
// so, with the last run, and how to stop it; a plan that runs a new procedure, or nothing, says nothing.
func TestProcedureRerunWarning(t *testing.T) {
	t.Parallel()
	prior := func(procedure, status, taskID string) *mediaResourceModel {
		m := &mediaResourceModel{FileID: types.StringValue("5285890781213513981"), Procedure: types.StringValue(procedure),
			ProcedureStatus: types.StringValue(status), ProcedureTaskID: types.StringNull(), WaitForProcedure: types.BoolValue(true)}
		if taskID != "" {
			m.ProcedureTaskID = types.StringValue(taskID)
		}
		return m
	}
	planned := func(procedure string) *mediaResourceModel {
		return &mediaResourceModel{Procedure: types.StringValue(procedure), WaitForProcedure: types.BoolValue(true)}
	}
	cases := map[string]struct {
		plan, state *mediaResourceModel
		adopted     bool
		want        []string // nil: no warning
	}{
		"failed":       {planned("FailingPreset"), prior("FailingPreset", procedureFailed, "task-1"), false, []string{`"FailingPreset"`, "ended FAIL (task task-1)", "runs it again", "remove procedure"}},
		"aborted":      {planned("StreamingPreset"), prior("StreamingPreset", procedureAborted, "task-2"), false, []string{"ended ABORTED (task task-2)"}},
		"not started":  {planned("NoSuchPreset"), prior("NoSuchPreset", procedureNotStarted, ""), false, []string{"was not started", "set another procedure"}},
		"finished":     {planned("StreamingPreset"), prior("StreamingPreset", procedureFinished, "task-3"), false, nil},
		"changed":      {planned("TranscodePreset"), prior("StreamingPreset", procedureFailed, "task-4"), false, nil},
		"running":      {planned("StreamingPreset"), prior("StreamingPreset", procedureProcessing, "task-5"), false, nil},
		"removed":      {&mediaResourceModel{Procedure: types.StringNull()}, prior("StreamingPreset", procedureFailed, "task-6"), false, nil},
		"just adopted": {planned("StreamingPreset"), &mediaResourceModel{Procedure: types.StringNull(), ProcedureStatus: types.StringNull()}, true, nil},
	}
	for name, tc := range cases {
		diags := procedureRerunWarning(tc.plan, tc.state, tc.adopted)
		if tc.want == nil {
			if len(diags) != 0 {
				t.Errorf("%s: got %v, want no warning", name, diags)
			}
			continue
		}
		if len(diags) != 1 || diags[0].Severity().String() != "Warning" {
			t.Errorf("%s: got %v, want one warning", name, diags)
			continue
		}
		for _, want := range tc.want {
			if !strings.Contains(diags[0].Detail(), want) {
				t.Errorf("%s: warning does not say %q:\n%s", name, want, diags[0].Detail())
			}
		}
	}
}

// fakePrivate is private state in memory.
type fakePrivate map[string][]byte

func (p fakePrivate) GetKey(_ context.Context, key string) ([]byte, diag.Diagnostics) {
	return p[key], nil
}

func (p fakePrivate) SetKey(_ context.Context, key string, value []byte) diag.Diagnostics {
	p[key] = value
	return nil
}

// The SessionId of a start whose outcome is unknown is used again only for the same procedure on the
// same media: sent for another procedure, VOD would refuse it and the first procedure's task would be
// recorded as the second's.
func TestStartSessionIDReusesOnlyTheSamePendingStart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	media := func(fileID, procedure string) *mediaResourceModel {
		return &mediaResourceModel{FileID: types.StringValue(fileID), Procedure: types.StringValue(procedure)}
	}
	private := fakePrivate{}
	if diags := savePendingStart(ctx, private, media("111", "A"), "tf-pending"); diags.HasError() {
		t.Fatal(diags)
	}
	for _, tc := range []struct {
		m     *mediaResourceModel
		reuse bool
	}{
		{media("111", "A"), true},
		{media("111", "B"), false},
		{media("222", "A"), false},
	} {
		id, err := startSessionID(ctx, tc.m, private)
		if err != nil || (id == "tf-pending") != tc.reuse {
			t.Errorf("%s on %s: SessionId %q, %v; want reuse %v", tc.m.Procedure, tc.m.FileID, id, err, tc.reuse)
		}
	}
	if id, _ := startSessionID(ctx, media("111", "A"), nil); id == "tf-pending" {
		t.Error("no private state, yet the pending SessionId was used")
	}
	clearPendingStart(ctx, private)
	if id, _ := startSessionID(ctx, media("111", "A"), private); id == "tf-pending" {
		t.Error("a cleared pending start was used again")
	}
}

// SessionIds are unique per start and fit the API's limit even for the longest file ids.
func TestNewProcedureSessionID(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("9", 32)
	first, err := newProcedureSessionID(long)
	if err != nil {
		t.Fatal(err)
	}
	second, _ := newProcedureSessionID(long)
	if first == second || len(first) > vod.MaxSessionIDLength || !strings.HasPrefix(first, sessionIDPrefix) {
		t.Errorf("SessionIds %q and %q: want distinct, prefixed, at most %d characters", first, second, vod.MaxSessionIDLength)
	}
}

// Ctrl-C while the apply waits for the procedure: the media stays tracked and untainted with the task
// recorded, the output says the task is still running, and the next plan waits for the same task.
func TestAccMediaProcedure_interruptDuringWait(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(4*time.Minute))
	gate := emulator.NewGate()
	defer gate.Open()
	env.emu.InjectFault(emulator.Fault{Action: "DescribeTaskDetail", Times: 1, Hold: gate})
	video, _ := newMediaFiles(t).random("clip.mp4", 8<<10)
	tf := newDirectTerraform(t, procedureConfig(env, video, `
  procedure          = "StreamingPreset"
  wait_for_procedure = true
`))
	applyCtx, interrupt := context.WithCancel(context.Background())
	t.Cleanup(interrupt)
	applied := make(chan error, 1)
	go func() { applied <- tf.apply(applyCtx) }()
	providerCtx := tf.awaitHeld(t, gate, applied, "DescribeTaskDetail")

	interrupt()
	select {
	case <-providerCtx.Done():
	case <-time.After(time.Minute):
		t.Fatalf("the interrupt never reached the provider\n%s", tf.output)
	}
	gate.Open()
	_ = tf.awaitInterrupted(t, applied) // judged by what it printed and left in the state, below
	output := strings.Join(strings.Fields(tf.output.String()), " ")
	for _, want := range []string{"VOD Procedure Still Running", "the operation was interrupted", "not started twice"} {
		if !strings.Contains(output, want) {
			t.Errorf("the apply's output does not say %q:\n%s", want, tf.output)
		}
	}

	tasks := env.emu.Tasks()
	if len(tasks) != 1 {
		t.Fatalf("%d tasks, want the one started", len(tasks))
	}
	state, err := tf.show(context.Background())
	if err != nil {
		t.Fatalf("terraform show: %s", err)
	}
	for name, want := range map[string]any{"procedure_task_id": tasks[0].TaskID, "procedure_status": "WAITING", "file_id": tasks[0].FileID} {
		if got, err := stateAttr(state, "tencentvod_media.test", name); err != nil || got != want {
			t.Errorf("%s in state = %v (%v), want %v", name, got, err, want)
		}
	}
	if r := state.Values.RootModule.Resources; len(r) != 1 || r[0].Tainted {
		t.Errorf("the media is not tracked untainted: %+v", r)
	}
	if changes, err := tf.plan(context.Background()); err != nil || !changes {
		t.Fatalf("the next plan does not propose waiting again (changes %v): %v\n%s", changes, err, tf.output)
	}
	if err := tf.destroy(context.Background()); err != nil {
		t.Fatalf("terraform destroy: %s\n%s", err, tf.output)
	}
	if n := len(env.emu.Tasks()); n != 1 {
		t.Errorf("%d tasks after the next plan and destroy, want 1", n)
	}
}

// One apply uploads, waits for the procedure and hands its HLS stream to another resource: the
// reference is known at the end of that apply, without a second run.
func TestAccMediaProcedure_outputsReferencedInSameApply(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(time.Second))
	video, _ := newMediaFiles(t).random("talk.mp4", 16<<10)
	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config: procedureConfig(env, video, `
  procedure          = "StreamingPreset"
  wait_for_procedure = true
`) + `
resource "terraform_data" "player" {
  input = one([for s in tencentvod_media.test.adaptive_streams : s.url if s.package == "HLS"])
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("terraform_data.player", tfjsonpath.New("output"),
					knownvalue.StringRegexp(regexp.MustCompile(`^http://.*/master\.m3u8$`))),
			},
		}},
	})
}

// The wait logs the task's progress at INFO: each status it passes through, with the sub-tasks'.
func TestAccMediaProcedure_progressLoggedAtInfo(t *testing.T) {
	skipInAccMode(t)
	logFile := filepath.Join(t.TempDir(), "terraform.log")
	t.Setenv("TF_LOG", "INFO")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	env := newTestEnv(t, withTaskDuration(2*time.Second))
	video, _ := newMediaFiles(t).random("talk.mp4", 16<<10)
	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config: procedureConfig(env, video, `
  procedure          = "TranscodePreset"
  wait_for_procedure = true
`),
			ConfigStateChecks: []statecheck.StateCheck{env.expectProcedure("FINISH", "TranscodePreset")},
		}},
	})
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	var progress []string
	for _, line := range strings.Split(string(log), "\n") {
		if strings.Contains(line, "VOD procedure") {
			progress = append(progress, line)
		}
	}
	lines := strings.Join(progress, "\n")
	for _, want := range []string{"[INFO]  tencentvod: VOD procedure progress:", "status=PROCESSING", "status=FINISH",
		"Transcode_100010=", "[INFO]  tencentvod: VOD procedure finished"} {
		if !strings.Contains(lines, want) {
			t.Errorf("the log's procedure lines do not show %q", want)
		}
	}
}
