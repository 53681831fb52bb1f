package provider

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// The documented examples of tencentvod_class and data.tencentvod_classes work as written: the class
// tree with media filed into it, then the lookup by path of a class that tree holds and the whole
// tree's paths. Only the media file names become paths of real files.
func TestAccClass_documentedExamples(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	skipInAccMode(t)
	files := newMediaFiles(t)
	teaser, _ := files.random("teaser.mp4", 8<<10)
	trailer, _ := files.random("trailer.mp4", 8<<10)
	classes := strings.ReplaceAll(readExampleFile(t, "resources", "tencentvod_class", "resource.tf"),
		`"teaser.mp4"`, strconv.Quote(teaser))
	lookup := strings.ReplaceAll(readExampleFile(t, "data-sources", "tencentvod_classes", "data-source.tf"),
		`"trailer.mp4"`, strconv.Quote(trailer))
	for example, file := range map[string]string{classes: teaser, lookup: trailer} {
		if !strings.Contains(example, strconv.Quote(file)) {
			t.Fatalf("the example no longer uploads %s: update this test", filepath.Base(file))
		}
	}

	runTest(t, resource.TestCase{
		CheckDestroy: env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: env.providerConfig() + classes,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("trailers_level", knownvalue.Int64Exact(2)),
					statecheck.CompareValuePairs("tencentvod_class.trailers", tfjsonpath.New("class_id"),
						"tencentvod_media.teaser", tfjsonpath.New("class_id"), compare.ValuesSame()),
				},
			},
			{
				Config: env.providerConfig() + classes + lookup,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs("tencentvod_class.action", tfjsonpath.New("class_id"),
						"tencentvod_media.trailer", tfjsonpath.New("class_id"), compare.ValuesSame()),
					statecheck.ExpectKnownOutputValue("class_paths", knownvalue.MapPartial(map[string]knownvalue.Check{
						"SystemDefault":                        knownvalue.Int64Exact(0),
						"Movies":                               knownvalue.NotNull(),
						"Movies > Action/Adventure":            knownvalue.NotNull(),
						"Movies > Action/Adventure > Trailers": knownvalue.NotNull(),
					})),
				},
			},
		},
	})
}
