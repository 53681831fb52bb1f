package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// The whole life this provider gives media, in one apply: a class tree is created, a file is uploaded
// into a class found by its path of names, a task flow runs on it and the apply waits for it, and the
// resulting HLS stream's URL reaches another resource. A second plan is empty and destroy removes
// everything, classes included.
func TestAccPipeline_classesUploadProcessingAndPlaybackInOneApply(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t, withTaskDuration(time.Second))
	video, content := newMediaFiles(t).random("premiere.mp4", 32<<10)
	config := env.providerConfig() + classTreeConfig("Premieres") + fmt.Sprintf(`
data "tencentvod_classes" "premieres" {
  path       = ["Movies", "Action/Adventure", "Premieres"]
  depends_on = [tencentvod_class.leaf]
}

resource "tencentvod_media" "test" {
  source             = %q
  class_id           = data.tencentvod_classes.premieres.class_id
  procedure          = "StreamingPreset"
  wait_for_procedure = true
}

resource "terraform_data" "player" {
  input = one([for s in tencentvod_media.test.adaptive_streams : s.url if s.package == "HLS"])
}
`, video)
	runTest(t, resource.TestCase{
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(env.checkDestroyed, env.checkClassesDestroyed),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					env.expectMedia("tencentvod_media.test", content, nil),
					env.expectMediaClassPath("tencentvod_media.test", "Movies-Action/Adventure-Premieres"),
					statecheck.CompareValuePairs("tencentvod_media.test", tfjsonpath.New("class_id"),
						"tencentvod_class.leaf", tfjsonpath.New("class_id"), compare.ValuesSame()),
					env.expectProcedure("FINISH", "StreamingPreset"),
					statecheck.ExpectKnownValue("terraform_data.player", tfjsonpath.New("output"),
						knownvalue.StringRegexp(regexp.MustCompile(`^http://.*/master\.m3u8$`))),
					env.expectPlaylist("terraform_data.player"),
				},
			},
			{
				Config:            config,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{env.expectProcedure("FINISH", "StreamingPreset")},
			},
		},
	})
	if n := len(env.emu.Tasks()); n != 1 {
		t.Errorf("%d tasks ran, want 1: the second plan must not start the task flow again", n)
	}
}
