package provider

import (
	"fmt"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
)

// A batch of media creates against an account whose API allows far fewer calls per second than
// Terraform makes at once: every action is throttled again and again, and the provider must slow down
// and wait its turn rather than give up. With max_retries = 1, a client that counted throttling as
// failures would run out of retries at once and leave media tainted.
func TestAccMedia_batchSurvivesAThrottlingAPI(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	const media, perSecond = 40, 8
	env := newTestEnv(t, func(o *emulator.Options) { o.RateLimit = perSecond })
	files := newMediaFiles(t)
	var config strings.Builder
	config.WriteString(env.providerConfig(`max_retries = 1`))
	for i := range media {
		path, _ := files.random(fmt.Sprintf("clip-%02d.mp4", i), 1024)
		fmt.Fprintf(&config, "\nresource \"tencentvod_media\" \"m%02d\" {\n  source = %q\n}\n", i, path)
	}
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: config.String(),
			ConfigStateChecks: []statecheck.StateCheck{
				stateCheck(func(state *tfjson.State) error {
					if state == nil || state.Values == nil || state.Values.RootModule == nil {
						return fmt.Errorf("state is empty")
					}
					created := 0
					for _, r := range state.Values.RootModule.Resources {
						if r.Type != "tencentvod_media" {
							continue
						}
						if r.Tainted {
							return fmt.Errorf("%s is tainted", r.Address)
						}
						created++
					}
					if created != media || len(env.emu.Media()) != media {
						return fmt.Errorf("%d media in state and %d in VOD, want %d", created, len(env.emu.Media()), media)
					}
					// The API must really have pushed back, or the test proved nothing.
					refused := env.emu.Attempts("ApplyUpload") + env.emu.Attempts("CommitUpload") +
						env.emu.Attempts("DescribeMediaInfos") - 3*media
					if refused < media/4 {
						return fmt.Errorf("only %d calls were refused; the API did not throttle enough to test anything", refused)
					}
					return nil
				}),
			},
		}},
		CheckDestroy: env.checkDestroyed,
	})
}
