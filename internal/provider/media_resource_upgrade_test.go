package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// attributesAddedWithProcessing are the tencentvod_media attributes that state written by earlier
// releases does not have.
var attributesAddedWithProcessing = []string{
	"wait_for_procedure", "procedure_status", "procedure_task_id", "adaptive_streams", "transcodes",
	"snapshots", "image_sprites", "duration", "width", "height", "bitrate", "container",
}

// State saved by a release before processing existed has none of its attributes. Upgrading the
// provider must not plan a change for such media: the defaults are what the media already does.
func TestAccMedia_stateFromBeforeProcessingPlansNoChange(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	skipInAccMode(t)
	video, _ := newMediaFiles(t).random("clip.mp4", 8<<10)
	tf := newDirectTerraform(t, env.providerConfig()+fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source     = %q
  media_name = "before processing"
}
`, video))
	ctx := context.Background()
	if err := tf.apply(ctx); err != nil {
		t.Fatalf("apply: %s\n%s", err, tf.output)
	}
	removeStateAttributes(t, filepath.Join(tf.tf.WorkingDir(), "terraform.tfstate"), attributesAddedWithProcessing)

	changes, err := tf.plan(ctx)
	if err != nil {
		t.Fatalf("plan: %s\n%s", err, tf.output)
	}
	if changes {
		t.Fatalf("the plan after the upgrade has changes:\n%s", tf.output)
	}
}

// removeStateAttributes deletes attributes from every resource instance of a state file, as if an
// older provider had written it.
func removeStateAttributes(t *testing.T, stateFile string, names []string) {
	t.Helper()
	raw, err := os.ReadFile(stateFile)
	if err != nil {
		t.Fatal(err)
	}
	var state map[string]any
	if err := json.Unmarshal(raw, &state); err != nil {
		t.Fatal(err)
	}
	resources, _ := state["resources"].([]any)
	for _, r := range resources {
		instances, _ := r.(map[string]any)["instances"].([]any)
		for _, i := range instances {
			attrs, _ := i.(map[string]any)["attributes"].(map[string]any)
			for _, name := range names {
				if _, ok := attrs[name]; !ok {
					t.Fatalf("the state has no %s to remove: the list of new attributes is out of date", name)
				}
				delete(attrs, name)
			}
		}
	}
	if raw, err = json.Marshal(state); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stateFile, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}
