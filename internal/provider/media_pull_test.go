package provider

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
)

// The pulls of these tests fetch from an origin on loopback, which only the emulator can reach.

// pullOrigin serves files by path for the emulator to pull; /broken.mp4 answers 502, other unknown
// paths 404.
func pullOrigin(t *testing.T, files map[string][]byte) string {
	t.Helper()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := files[r.URL.Path]
		switch {
		case r.URL.Path == "/broken.mp4":
			http.Error(w, "origin down", http.StatusBadGateway)
		case !ok:
			http.NotFound(w, r)
		default:
			_, _ = w.Write(body)
		}
	}))
	t.Cleanup(origin.Close)
	return origin.URL
}

func pullConfig(env *testEnv, sourceURL, arguments string) string {
	return env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source_url = %q
%s
}
`, sourceURL, arguments)
}

// pullTasks returns the emulator's PullUpload tasks, oldest first.
func (e *testEnv) pullTasks() []emulator.Task {
	var pulls []emulator.Task
	for _, task := range e.emu.Tasks() {
		if task.Pull != nil {
			pulls = append(pulls, task)
		}
	}
	return pulls
}

// expectOnePull checks that the emulator ran one pull task, and how many PullUpload requests it got.
func (e *testEnv) expectOnePull(requests int) statecheck.StateCheck {
	return stateCheck(func(*tfjson.State) error {
		if got := len(e.pullTasks()); got != 1 {
			return fmt.Errorf("%d pull tasks, want 1", got)
		}
		if got := e.apiAttempts("PullUpload"); got != requests {
			return fmt.Errorf("%d PullUpload requests, want %d", got, requests)
		}
		return nil
	})
}

// expectPullTaskInState checks that pull_task_id is the emulator's last pull task, and file_id the media
// it created.
func (e *testEnv) expectPullTaskInState() statecheck.StateCheck {
	return stateCheck(func(state *tfjson.State) error {
		pulls := e.pullTasks()
		if len(pulls) == 0 {
			return fmt.Errorf("no pull task")
		}
		last := pulls[len(pulls)-1]
		taskID, _ := stateAttr(state, "tencentvod_media.test", "pull_task_id")
		fileID, _ := stateAttr(state, "tencentvod_media.test", "file_id")
		if taskID != last.TaskID || fileID != last.FileID || !strings.HasPrefix(last.SessionID, "tf-pull-") {
			return fmt.Errorf("state has pull task %v and file %v; the last pull is %s (SessionId %q) of file %s",
				taskID, fileID, last.TaskID, last.SessionID, last.FileID)
		}
		return nil
	})
}

func TestAccMediaPull_createsTheMediaFromTheURL(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(300*time.Millisecond))
	video := bytes.Repeat([]byte("lecture-"), 20_000)
	origin := pullOrigin(t, map[string][]byte{"/lectures/intro.mp4": video, "/lectures/intro.png": pngCover})
	cfg := pullConfig(env, origin+"/lectures/intro.mp4", fmt.Sprintf(`
  cover_source_url   = %q
  description        = "Migrated"
  tags               = ["lecture"]
  tasks_priority     = 5
  session_context    = "ctx"
  procedure          = "TranscodeAndSnapshot"
  wait_for_procedure = true
`, origin+"/lectures/intro.png"))
	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("media_type"), knownvalue.StringExact("mp4")),
				plancheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("media_name"), knownvalue.StringExact("intro")),
				plancheck.ExpectUnknownValue("tencentvod_media.test", tfjsonpath.New("pull_task_id")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				env.expectMedia("tencentvod_media.test", video, func(m mediaFacts) error {
					if m.Name != "intro" || m.Description != "Migrated" || !bytes.Equal(m.CoverContent, pngCover) ||
						strings.Join(m.Tags, ",") != "lecture" {
						return fmt.Errorf("media %+v, %d bytes of cover", m, len(m.CoverContent))
					}
					return nil
				}),
				env.expectOnePull(1),
				env.expectPullTaskInState(),
				env.expectProcedure("FINISH", "TranscodeAndSnapshot"),
				stateCheck(func(*tfjson.State) error {
					pull := env.pullTasks()[0]
					if pull.TasksPriority != 5 || pull.SessionContext != "ctx" || pull.Pull.Procedure != "TranscodeAndSnapshot" {
						return fmt.Errorf("the pull carried priority %d, SessionContext %q, procedure %q",
							pull.TasksPriority, pull.SessionContext, pull.Pull.Procedure)
					}
					return nil
				}),
				statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("transcodes"), knownvalue.ListSizeExact(2)),
			},
		}, {
			// Nothing changes: nothing is pulled again.
			Config:            cfg,
			ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			ConfigStateChecks: []statecheck.StateCheck{env.expectOnePull(1)},
		}},
	})
}

// Each ErrCode of a failed pull is an error that says it; 70000 is pulled once more with a new SessionId,
// and nothing is created or tracked by a pull that failed.
func TestAccMediaPull_failedPullsReportTheirErrCode(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(50*time.Millisecond))
	origin := pullOrigin(t, map[string][]byte{"/ok.mp4": []byte("video bytes")})
	for _, tc := range []struct {
		path       string
		failPulls  int
		want       string
		pullsAfter int
	}{
		{"/missing.mp4", 0, `(?s)VOD Pull Failed.*404.*error 40000.*ErrCode 40000 means the input is invalid.*Nothing was created`, 1},
		{"/broken.mp4", 0, `(?s)VOD Pull Failed.*502.*error 60000.*source file is at fault`, 2},
		{"/ok.mp4", 2, `(?s)VOD Pull Failed.*error 70000.*tried twice`, 4},
	} {
		env.emu.FailNextPulls(tc.failPulls)
		runTest(t, resource.TestCase{Steps: []resource.TestStep{{
			Config: pullConfig(env, origin+tc.path, ""), ExpectError: wrapTolerant(tc.want),
		}}})
		if got := len(env.pullTasks()); got != tc.pullsAfter {
			t.Errorf("%s: %d pull tasks in all, want %d", tc.path, got, tc.pullsAfter)
		}
		if media := env.emu.Media(); len(media) != 0 {
			t.Errorf("%s: a failed pull created media %s", tc.path, media[0].FileID)
		}
	}
	// One internal error is retried as a new pull, which succeeds.
	env.emu.FailNextPulls(1)
	runTest(t, resource.TestCase{Steps: []resource.TestStep{{
		Config: pullConfig(env, origin+"/ok.mp4", ""),
		ConfigStateChecks: []statecheck.StateCheck{
			env.expectMedia("tencentvod_media.test", []byte("video bytes"), nil),
			env.expectPullTaskInState(),
			stateCheck(func(*tfjson.State) error {
				pulls := env.pullTasks()
				if n := len(pulls); n != 6 || pulls[4].SessionID == pulls[5].SessionID {
					return fmt.Errorf("%d pull tasks, the last two with SessionIds %q and %q; want 6, the retry with a new one",
						n, pulls[n-2].SessionID, pulls[n-1].SessionID)
				}
				return nil
			}),
		},
	}}})
}

// A PullUpload whose reply is lost after VOD started the pull is sent again with the same SessionId,
// refused, and resolved to the first task: one pull, one media.
func TestAccMediaPull_lostReplyPullsOnce(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(100*time.Millisecond))
	origin := pullOrigin(t, map[string][]byte{"/a.mp4": []byte("pulled once")})
	env.emu.InjectFault(emulator.Fault{Action: "PullUpload", DropConnection: true, AfterDispatch: true, Times: 1})
	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config: pullConfig(env, origin+"/a.mp4", ""),
			ConfigStateChecks: []statecheck.StateCheck{
				env.expectMedia("tencentvod_media.test", []byte("pulled once"), nil),
				env.expectOnePull(2),
				env.expectPullTaskInState(),
				stateCheck(func(*tfjson.State) error {
					if media := env.emu.Media(); len(media) != 1 {
						return fmt.Errorf("%d media, want 1", len(media))
					}
					return nil
				}),
			},
		}},
	})
}

// timedOutPullConfig pulls with a create timeout shorter than the emulator's tasks.
func timedOutPullConfig(env *testEnv, sourceURL string) string {
	return pullConfig(env, sourceURL, `
  description = "late"
  timeouts {
    create = "1s"
  }
`)
}

// expectUnfinishedPull checks a state that holds a pull the create timeout cut short.
func (e *testEnv) expectUnfinishedPull() statecheck.StateCheck {
	return stateCheck(func(state *tfjson.State) error {
		fileID, _ := stateAttr(state, "tencentvod_media.test", "file_id")
		taskID, _ := stateAttr(state, "tencentvod_media.test", "pull_task_id")
		pulls := e.pullTasks()
		if fileID != nil || len(pulls) != 1 || taskID != pulls[0].TaskID {
			return fmt.Errorf("file_id %v, pull_task_id %v; pull tasks %d", fileID, taskID, len(pulls))
		}
		return nil
	})
}

// When the create timeout ends the wait, the media is saved unfinished with its task; the next apply
// waits for the same task and finishes the media.
func TestAccMediaPull_timeoutThenNextApplyFinishes(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(4*time.Second))
	origin := pullOrigin(t, map[string][]byte{"/long.mp4": []byte("a long pull")})
	cfg := timedOutPullConfig(env, origin+"/long.mp4")
	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config:             cfg,
			ExpectNonEmptyPlan: true, // the next apply finishes the media
			ConfigStateChecks:  []statecheck.StateCheck{env.expectUnfinishedPull(), expectNotTainted()},
		}, {
			Config: cfg,
			// The refresh before it may already have found the media (when the machine is slow); either way
			// this apply finishes it in place (TestProtocol_updateWaitsForAnUnfinishedPull covers the wait).
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionUpdate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				env.expectMedia("tencentvod_media.test", []byte("a long pull"), func(m mediaFacts) error {
					if m.Name != "long" || m.Description != "late" {
						return fmt.Errorf("media %+v", m)
					}
					return nil
				}),
				env.expectOnePull(1),
				env.expectPullTaskInState(),
			},
		}},
	})
}

// After the timeout, a refresh once the pull has ended records the media without another pull.
func TestAccMediaPull_timeoutThenRefreshRecordsTheMedia(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(3*time.Second))
	origin := pullOrigin(t, map[string][]byte{"/long.mp4": []byte("a long pull")})
	cfg := timedOutPullConfig(env, origin+"/long.mp4")
	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config:             cfg,
			ExpectNonEmptyPlan: true,
			ConfigStateChecks:  []statecheck.StateCheck{env.expectUnfinishedPull()},
		}, {
			PreConfig: func() {
				deadline := time.Now().Add(30 * time.Second)
				for len(env.emu.Media()) == 0 && time.Now().Before(deadline) {
					time.Sleep(100 * time.Millisecond)
					env.pullTasks() // finishing is lazy: looking at the tasks finishes a pull that is due
				}
			},
			RefreshState:       true,
			ExpectNonEmptyPlan: true, // the description is applied by the next apply
			Check: func(state *terraform.State) error {
				attributes := state.RootModule().Resources["tencentvod_media.test"].Primary.Attributes
				pulls := env.pullTasks()
				if len(pulls) != 1 || attributes["pull_task_id"] != pulls[0].TaskID || attributes["file_id"] == "" ||
					attributes["file_id"] != pulls[0].FileID || attributes["size"] != "11" {
					return fmt.Errorf("after the refresh: file_id %q, pull_task_id %q, size %q; pull tasks %+v",
						attributes["file_id"], attributes["pull_task_id"], attributes["size"], pulls)
				}
				return nil
			},
		}, {
			Config:            cfg,
			ConfigStateChecks: []statecheck.StateCheck{env.expectOnePull(1), env.expectPullTaskInState()},
		}},
	})
}

// Bad arguments are refused at plan, naming the attribute, before any call.
func TestAccMediaPull_invalidArgumentsAreRefusedAtPlan(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	video := filepath.Join(t.TempDir(), "v.mp4")
	writeFile(t, video, "video")
	for _, tc := range []struct{ arguments, want string }{
		{`source_url = "ftp://example.com/a.mp4"`, `(?s)source_url.*must be an http or https URL`},
		{`source_url = "https://example.com/live/stream.mpd"`, `(?s)DASH Cannot Be Pulled.*stream\.mpd`},
		{`source_url = "https://example.com/a.mp4"
  media_type = "mpd"`, `(?s)(DASH Cannot Be Pulled|Streaming Manifests Not Supported)`},
		{`source_url = "https://example.com/video"`, `(?s)Cannot Infer media_type.*source_url`},
		{`source_url = "https://example.com/a.mp4"
  source = "` + video + `"`, `(?s)Argument Not Allowed With source_url`},
		{`source_url = "https://example.com/a.mp4"
  cover_source_url = "https://example.com/c.bmp"`, `(?s)cover_source_url.*gif, jpeg, jpg, png`},
		{`source_url = "https://example.com/a.mp4"
  tasks_priority = 11`, `(?s)tasks_priority.*between -10 and 10`},
		{`source = "` + video + `"
  cover_source_url = "https://example.com/c.png"`, `(?s)Argument Needs source_url`},
		{`source_url = "https://example.com/a.mp4"
  upload_concurrency = 2`, `(?s)upload_concurrency.*provider uploads nothing`},
		{`source_url = "https://example.com/a.mp4"
  source_context = "` + strings.Repeat("x", 251) + `"`, `(?s)source_context`},
	} {
		runTest(t, resource.TestCase{Steps: []resource.TestStep{{
			Config:   env.providerConfig() + fmt.Sprintf("resource \"tencentvod_media\" \"test\" {\n  %s\n}\n", tc.arguments),
			PlanOnly: true, ExpectError: wrapTolerant(tc.want),
		}}})
	}
	if n := env.apiAttempts("PullUpload"); n != 0 {
		t.Errorf("%d PullUpload requests were sent", n)
	}
}

// The documented pull example runs as written.
func TestAccMediaPull_documentedExample(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(200*time.Millisecond))
	video := bytes.Repeat([]byte("intro"), 1000)
	origin := pullOrigin(t, map[string][]byte{"/lectures/intro.mp4": video, "/lectures/intro.png": pngCover})
	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config:          env.providerConfig() + readMediaExample(t, "resource-pull.tf"),
			ConfigVariables: config.Variables{"library_url": config.StringVariable(origin)},
			ConfigStateChecks: []statecheck.StateCheck{
				env.expectMedia("tencentvod_media.lecture", video, func(m mediaFacts) error {
					if !bytes.Equal(m.CoverContent, pngCover) {
						return fmt.Errorf("%d bytes of cover", len(m.CoverContent))
					}
					return nil
				}),
				statecheck.ExpectKnownValue("tencentvod_media.lecture", tfjsonpath.New("procedure_status"), knownvalue.StringExact("FINISH")),
				statecheck.ExpectKnownValue("tencentvod_media.lecture", tfjsonpath.New("pull_task_id"), knownvalue.StringRegexp(regexp.MustCompile(`-pull-`))),
			},
		}},
	})
}

// State saved before pulls existed has none of their attributes; upgrading plans no change.
func TestAccMediaPull_stateFromBeforePullsPlansNoChange(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	skipInAccMode(t)
	video, _ := newMediaFiles(t).random("clip.mp4", 8<<10)
	tf := newDirectTerraform(t, env.providerConfig()+fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source = %q
}
`, video))
	ctx := context.Background()
	if err := tf.apply(ctx); err != nil {
		t.Fatalf("apply: %s\n%s", err, tf.output)
	}
	removeStateAttributes(t, filepath.Join(tf.tf.WorkingDir(), "terraform.tfstate"),
		[]string{"source_url", "cover_source_url", "tasks_priority", "pull_task_id"})
	changes, err := tf.plan(ctx)
	if err != nil {
		t.Fatalf("plan: %s\n%s", err, tf.output)
	}
	if changes {
		t.Fatalf("the plan after the upgrade has changes:\n%s", tf.output)
	}
}

// A pull whose every reply is lost, and whose task cannot be looked up, is saved unfinished with its
// SessionId kept in private state; once VOD answers again, the next refresh finds the task by that
// SessionId and the apply finishes the media from it: the file is pulled once.
func TestAccMediaPull_unconfirmedStartIsFoundByItsSessionID(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(200*time.Millisecond))
	origin := pullOrigin(t, map[string][]byte{"/a.mp4": []byte("pulled once")})
	env.emu.InjectFault(emulator.Fault{Action: "PullUpload", DropConnection: true, AfterDispatch: true})
	env.emu.InjectFault(emulator.Fault{Action: "DescribeTasks", Code: "InternalError", Message: "listing is down"})
	cfg := env.providerConfig("max_retries = 1") + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source_url = %q
  timeouts {
    create = "3s"
  }
}
`, origin+"/a.mp4")
	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config:             cfg,
			ExpectNonEmptyPlan: true,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("file_id"), knownvalue.Null()),
				statecheck.ExpectKnownValue("tencentvod_media.test", tfjsonpath.New("pull_task_id"), knownvalue.Null()),
				expectNotTainted(),
				stateCheck(func(*tfjson.State) error {
					if pulls, sent := env.pullTasks(), env.apiAttempts("PullUpload"); len(pulls) != 1 || sent < 2 {
						return fmt.Errorf("%d pull tasks from %d PullUpload requests, want one task from repeated requests", len(pulls), sent)
					}
					return nil
				}),
			},
		}, {
			PreConfig: env.emu.ClearFaults,
			Config:    cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				env.expectMedia("tencentvod_media.test", []byte("pulled once"), nil),
				env.expectPullTaskInState(),
				stateCheck(func(*tfjson.State) error {
					if pulls := env.pullTasks(); len(pulls) != 1 {
						return fmt.Errorf("%d pull tasks, want 1", len(pulls))
					}
					return nil
				}),
			},
		}},
	})
}

// Destroying media whose pull is still running waits for the pull and deletes what it created, so
// that nothing is left behind in VOD.
func TestAccMediaPull_destroyWhilePullingDeletesWhatThePullCreates(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(3*time.Second))
	origin := pullOrigin(t, map[string][]byte{"/long.mp4": []byte("a long pull")})
	runTest(t, resource.TestCase{
		CheckDestroy: func(*terraform.State) error {
			pulls := env.pullTasks()
			if len(pulls) != 1 || pulls[0].FileID == "" {
				return fmt.Errorf("pull tasks %+v: want one that created media", pulls)
			}
			if media := env.emu.Media(); len(media) != 0 {
				return fmt.Errorf("media %s, created by the pull, was left behind", media[0].FileID)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config:             timedOutPullConfig(env, origin+"/long.mp4"),
			ExpectNonEmptyPlan: true,
			ConfigStateChecks:  []statecheck.StateCheck{env.expectUnfinishedPull()},
		}},
	})
}

// Terraform 1.12 and later keep an identity with the state (tested here at the protocol level). A pull
// the create timeout cut short is saved with an identity whose file_id is "" (not known yet); the
// refresh that finds the media the pull created sets it; a refresh that then reads another media is
// still an error.
func TestProtocol_pullIdentityIsSetWhenThePullFinishes(t *testing.T) {
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(2*time.Second))
	p := newProtocolProvider(t, env, nil)
	origin := pullOrigin(t, map[string][]byte{"/a.mp4": []byte("pulled")})
	schema := p.resourceSchema(mediaType)
	created := p.createResource(mediaType, map[string]tftypes.Value{
		"source_url": tftypes.NewValue(tftypes.String, origin+"/a.mp4"),
		"timeouts":   createTimeout(t, schema, "1s"),
	})
	if !strings.Contains(describeDiagnostics(created.Diagnostics), "VOD Pull Still Running") {
		t.Fatalf("the pull was not cut short; diagnostics:\n%s", describeDiagnostics(created.Diagnostics))
	}
	p.expectIdentity("ApplyResourceChange (unfinished pull)", mediaType, created.NewIdentity, mediaIdentityOf("", emulatorSubAppID))

	var read *tfprotov6.ReadResourceResponse
	for deadline := time.Now().Add(30 * time.Second); ; {
		read = p.readResource(mediaType, created.NewState, created.Private, created.NewIdentity)
		requireNoErrors(t, "ReadResource of an unfinished pull", read.Diagnostics)
		if fileID := p.decode(schema, read.NewState)["file_id"]; !fileID.IsNull() || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	media := env.emu.Media()
	if len(media) != 1 {
		t.Fatalf("%d media, want the one the pull created", len(media))
	}
	want := mediaIdentityOf(media[0].FileID, emulatorSubAppID)
	p.expectIdentity("ReadResource (pull finished)", mediaType, read.NewIdentity, want)

	again := p.readResource(mediaType, read.NewState, read.Private, read.NewIdentity)
	requireNoErrors(t, "ReadResource of the pulled media", again.Diagnostics)
	other := p.identityValue(mediaType, mediaIdentityOf("5285890781213513981", emulatorSubAppID))
	mismatch := p.readResource(mediaType, read.NewState, read.Private, other)
	expectErrorDiagnostic(t, "ReadResource", mismatch.Diagnostics, "Unexpected Identity Change", media[0].FileID)
}

// An apply on a pull the create timeout cut short plans the results unknown and waits for the same task
// (no refresh comes between the two here, so it is the update that waits).
func TestProtocol_updateWaitsForAnUnfinishedPull(t *testing.T) {
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(3*time.Second))
	p := newProtocolProvider(t, env, nil)
	origin := pullOrigin(t, map[string][]byte{"/a.mp4": []byte("pulled")})
	schema := p.resourceSchema(mediaType)
	config := map[string]tftypes.Value{
		"source_url":  tftypes.NewValue(tftypes.String, origin+"/a.mp4"),
		"description": tftypes.NewValue(tftypes.String, "late"),
		"timeouts":    createTimeout(t, schema, "1s"),
	}
	created := p.createResource(mediaType, config)
	if fileID := p.decode(schema, created.NewState)["file_id"]; !fileID.IsNull() {
		t.Fatalf("the create was not cut short: file_id %s", fileID)
	}
	plan := p.planResource(mediaType, created.NewState, created.Private, created.NewIdentity, p.objectValue(schema, config))
	requireNoErrors(t, "PlanResourceChange", plan.Diagnostics)
	if fileID := p.decode(schema, plan.PlannedState)["file_id"]; fileID.IsKnown() {
		t.Errorf("the plan shows file_id %s, want it unknown until the pull ends", fileID)
	}
	if d := describeDiagnostics(plan.Diagnostics); !regexp.MustCompile(`WARNING: VOD Pull Not Finished: .*the pull task ` +
		regexp.QuoteMeta(stringValue(t, p.decode(schema, created.NewState)["pull_task_id"])) + ` has not finished.*nothing is pulled twice`).MatchString(d) {
		t.Errorf("the plan does not warn that it waits for the unfinished pull; diagnostics:\n%s", d)
	}
	updated := p.applyResource(mediaType, created.NewState, created.Private, created.NewIdentity, config)
	media := env.emu.Media()
	pulls := 0
	for _, task := range env.emu.Tasks() {
		if task.Pull != nil {
			pulls++
		}
	}
	if len(media) != 1 || pulls != 1 {
		t.Fatalf("%d media from %d pulls, want 1 from 1", len(media), pulls)
	}
	state := p.decode(schema, updated.NewState)
	if stringValue(t, state["file_id"]) != media[0].FileID || media[0].Description != "late" {
		t.Errorf("the update saved file_id %s; VOD has media %s described %q", state["file_id"], media[0].FileID, media[0].Description)
	}
	p.expectIdentity("ApplyResourceChange (update finishing the pull)", mediaType, updated.NewIdentity,
		mediaIdentityOf(media[0].FileID, emulatorSubAppID))

	// VOD cannot pull a cover for existing media: a cover_source_url set later is recorded with a warning.
	config["cover_source_url"] = tftypes.NewValue(tftypes.String, origin+"/cover.png")
	coverPlan := p.planResource(mediaType, updated.NewState, updated.Private, updated.NewIdentity, p.objectValue(schema, config))
	requireNoErrors(t, "PlanResourceChange (cover_source_url set)", coverPlan.Diagnostics)
	if d := describeDiagnostics(coverPlan.Diagnostics); !strings.Contains(d, "WARNING: Pulled Cover Not Changed") ||
		!strings.Contains(d, "set cover_source") {
		t.Errorf("the plan does not warn that cover_source_url changes nothing; diagnostics:\n%s", d)
	}
}

// VOD's internal error (70000) is retried once per resource, not once per apply: when the create timeout
// cuts short the retry, and the retry then fails with 70000 too, the apply that waits for it reports the
// failure instead of pulling a third time.
func TestProtocol_internalErrorIsRetriedOncePerResource(t *testing.T) {
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(50*time.Millisecond))
	p := newProtocolProvider(t, env, nil)
	// The origin answers the first fetch at once and holds the second (the retry's) until released, so
	// that the create timeout ends while the retry is still fetching.
	release := make(chan struct{})
	var fetches atomic.Int32
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fetches.Add(1) == 2 {
			<-release
		}
		_, _ = w.Write([]byte("pulled"))
	}))
	t.Cleanup(origin.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	env.emu.FailNextPulls(2)
	schema := p.resourceSchema(mediaType)
	config := map[string]tftypes.Value{
		"source_url": tftypes.NewValue(tftypes.String, origin.URL+"/a.mp4"),
		"timeouts":   createTimeout(t, schema, "2s"),
	}
	created := p.createResource(mediaType, config)
	diagnostics := describeDiagnostics(created.Diagnostics)
	if !strings.Contains(diagnostics, "VOD Pull Retried") || !strings.Contains(diagnostics, "VOD Pull Still Running") {
		t.Fatalf("the create did not retry the pull and time out waiting for the retry; diagnostics:\n%s", diagnostics)
	}
	close(release)

	configValue := p.objectValue(schema, config)
	plan := p.planResource(mediaType, created.NewState, created.Private, created.NewIdentity, configValue)
	requireNoErrors(t, "PlanResourceChange", plan.Diagnostics)
	applied, err := p.server.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{
		TypeName: mediaType, PriorState: created.NewState, PlannedState: plan.PlannedState,
		PlannedPrivate: plan.PlannedPrivate, PlannedIdentity: plan.PlannedIdentity, Config: configValue,
	})
	if err != nil {
		t.Fatalf("ApplyResourceChange: %s", err)
	}
	expectErrorDiagnostic(t, "ApplyResourceChange", applied.Diagnostics, "VOD Pull Failed", "70000", "tried twice")
	if pulls, media := len(env.pullTasks()), env.emu.Media(); pulls != 2 || len(media) != 0 {
		t.Errorf("%d pull tasks and %d media; want 2 pulls (the first and its one retry) and no media", pulls, len(media))
	}
}

// createTimeout is the media resource's timeouts block with only a create timeout, for protocol tests.
func createTimeout(t *testing.T, schema *tfprotov6.Schema, create string) tftypes.Value {
	t.Helper()
	object, ok := schema.ValueType().(tftypes.Object)
	timeouts, isObject := object.AttributeTypes["timeouts"].(tftypes.Object)
	if !ok || !isObject {
		t.Fatalf("the media schema has no timeouts object: %s", schema.ValueType())
	}
	return tftypes.NewValue(timeouts, map[string]tftypes.Value{
		"create": tftypes.NewValue(tftypes.String, create),
		"update": tftypes.NewValue(tftypes.String, nil),
		"delete": tftypes.NewValue(tftypes.String, nil),
	})
}
