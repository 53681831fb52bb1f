package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"
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
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: manyMediaConfig(t, env.providerConfig(`max_retries = 1`), media),
			ConfigStateChecks: []statecheck.StateCheck{
				stateCheck(func(state *tfjson.State) error {
					if err := allMediaCreatedUntainted(state, media); err != nil {
						return err
					}
					if n := len(env.emu.Media()); n != media {
						return fmt.Errorf("%d media in VOD, want %d", n, media)
					}
					// The API must really have pushed back, or the test proved nothing.
					if refused := refusedCalls(env, media); refused < media/4 {
						return fmt.Errorf("only %d calls were refused; the API did not throttle enough to test anything", refused)
					}
					return nil
				}),
			},
		}},
		CheckDestroy: env.checkDestroyed,
	})
}

// The issue's own case, run as a user runs it: `terraform apply -parallelism=20` of 50 media against an
// API that allows 20 calls per second per action, with the provider's default settings (a client rate
// of 100/s, so the API really refuses calls). No media may fail or be left tainted.
func TestAccMedia_fiftyMediaAtParallelismTwentyAgainstTwentyPerSecond(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	const media, perSecond = 50, 20
	env := newTestEnv(t, func(o *emulator.Options) { o.RateLimit = perSecond })
	// Whether the rate limit bites depends on how fast this machine drives Terraform: a loaded CI runner
	// may never reach 20 calls per second. The reported failure was DescribeMediaInfos running out of
	// retries, so its first calls are throttled on every machine, and the rate limit adds the rest.
	env.emu.InjectFault(emulator.Fault{Action: "DescribeMediaInfos", Times: media / 5,
		Code: "RequestLimitExceeded", Message: "Your current request times exceeds the frequency limit."})
	tf := newDirectTerraform(t, manyMediaConfig(t, env.providerConfig(), media))

	if err := tf.tf.Apply(context.Background(), tf.reattach, tfexec.Parallelism(20)); err != nil {
		t.Fatalf("terraform apply -parallelism=20: %s\n%s", err, tf.output)
	}
	state, err := tf.show(context.Background())
	if err != nil {
		t.Fatalf("terraform show: %s", err)
	}
	if err := allMediaCreatedUntainted(state, media); err != nil {
		t.Fatalf("%s\n%s", err, tf.output)
	}
	if n := len(env.emu.Media()); n != media {
		t.Fatalf("%d media in VOD, want %d", n, media)
	}
	// The API must really have pushed back, or the test proved nothing; and the client must have slowed
	// down rather than hammered it (a client that keeps its rate is refused several hundred times here).
	refused := refusedCalls(env, media)
	if refused < media/10 {
		t.Fatalf("only %d calls were refused; the API did not throttle enough to test anything", refused)
	}
	if refused > 2*media {
		t.Errorf("%d calls were refused: the client did not lower its rate when the API throttled", refused)
	}
	if err := tf.tf.Destroy(context.Background(), tf.reattach, tfexec.Parallelism(20)); err != nil {
		t.Fatalf("terraform destroy -parallelism=20: %s\n%s", err, tf.output)
	}
	if n := len(env.emu.Media()); n != 0 {
		t.Fatalf("%d media left in VOD after destroy", n)
	}
}

// manyMediaConfig is the provider block followed by n tencentvod_media (m00, m01, ...), each from a
// new 1 KiB file.
func manyMediaConfig(t *testing.T, provider string, n int) string {
	files := newMediaFiles(t)
	var config strings.Builder
	config.WriteString(provider)
	for i := range n {
		path, _ := files.random(fmt.Sprintf("clip-%02d.mp4", i), 1024)
		fmt.Fprintf(&config, "\nresource \"tencentvod_media\" \"m%02d\" {\n  source = %q\n}\n", i, path)
	}
	return config.String()
}

// refusedCalls is how many calls the API refused while creating n media, each of which takes one
// ApplyUpload, one CommitUpload and one DescribeMediaInfos that succeed.
func refusedCalls(env *testEnv, n int) int {
	return env.emu.Attempts("ApplyUpload") + env.emu.Attempts("CommitUpload") + env.emu.Attempts("DescribeMediaInfos") - 3*n
}

// allMediaCreatedUntainted checks that the state holds want tencentvod_media, none of them tainted.
func allMediaCreatedUntainted(state *tfjson.State, want int) error {
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
	if created != want {
		return fmt.Errorf("%d media in state, want %d", created, want)
	}
	return nil
}
