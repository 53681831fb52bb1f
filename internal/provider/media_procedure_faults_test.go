package provider

import (
	"fmt"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
)

// A start that the API keeps throttling for longer than the start's own grace is retried, not counted
// against max_retries, until it gets through; the wait then polls on through throttling and an outage of
// several polls (503s, then connections dropped), and the apply ends with the task finished, once.
func TestAccMediaProcedure_startAndWaitSurviveThrottlingAndAnOutage(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(time.Second))
	const throttledStarts = 7
	// Each refusal takes a second, so the start is throttled for longer than procedureStartGrace.
	env.emu.InjectFault(emulator.Fault{Action: "ProcessMediaByProcedure", Times: throttledStarts, Latency: time.Second,
		Code: "RequestLimitExceeded", Message: "Too many requests."})
	// Faults apply in the order injected: throttled polls, then an outage of three whole polls
	// (max_retries = 1: two attempts each).
	pollFaults := []emulator.Fault{
		{Times: 3, Code: "RequestLimitExceeded", Message: "Too many requests."},
		{Times: 4, HTTPStatus: 503},
		{Times: 2, DropConnection: true},
	}
	failedPolls := 0
	for _, f := range pollFaults {
		f.Action = "DescribeTaskDetail"
		env.emu.InjectFault(f)
		failedPolls += f.Times
	}
	video, _ := newMediaFiles(t).random("talk.mp4", 16<<10)

	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config: env.providerConfig("max_retries = 1") + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source             = %q
  procedure          = "StreamingPreset"
  wait_for_procedure = true
}
`, video),
			ConfigStateChecks: []statecheck.StateCheck{
				expectNotTainted(),
				env.expectTasks(1),
				env.expectProcedure("FINISH", "StreamingPreset"),
				expectStreamingPresetStreams(),
				stateCheck(func(*tfjson.State) error {
					if n := env.apiAttempts("ProcessMediaByProcedure"); n != throttledStarts+1 {
						return fmt.Errorf("%d ProcessMediaByProcedure attempts, want %d", n, throttledStarts+1)
					}
					if n := env.apiAttempts("DescribeTaskDetail"); n <= failedPolls {
						return fmt.Errorf("%d DescribeTaskDetail attempts: the wait did not poll on after the outage", n)
					}
					return nil
				}),
			},
		}},
	})
}
