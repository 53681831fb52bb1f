package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// classElement is what classes shows for one class.
func classElement(id int64, parent knownvalue.Check, name string, level int64, subclasses []int64, path ...string) knownvalue.Check {
	subclassChecks := []knownvalue.Check{}
	for _, s := range subclasses {
		subclassChecks = append(subclassChecks, knownvalue.Int64Exact(s))
	}
	pathChecks := []knownvalue.Check{}
	for _, p := range path {
		pathChecks = append(pathChecks, knownvalue.StringExact(p))
	}
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"class_id":     knownvalue.Int64Exact(id),
		"parent_id":    parent,
		"name":         knownvalue.StringExact(name),
		"level":        knownvalue.Int64Exact(level),
		"subclass_ids": knownvalue.ListExact(subclassChecks),
		"path":         knownvalue.ListExact(pathChecks),
	})
}

// The whole tree, parents before subclasses, with paths; a path lookup through a name that contains
// "/"; the built-in class by its name.
func TestAccClassesDataSource_treeAndPathLookup(t *testing.T) {
	t.Parallel()
	skipInAccMode(t) // it asserts the application's whole tree
	env := newTestEnv(t)
	movies := env.createClassOutOfBand(t, vod.TopLevelParentID, "Movies")
	music := env.createClassOutOfBand(t, vod.TopLevelParentID, "Music")
	action := env.createClassOutOfBand(t, movies, "Action/Adventure")
	drama := env.createClassOutOfBand(t, movies, "Drama")
	heists := env.createClassOutOfBand(t, action, "Heists")

	top := knownvalue.Null()
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: env.providerConfig() + `
data "tencentvod_classes" "all" {}

data "tencentvod_classes" "action" {
  path = ["Movies", "Action/Adventure"]
}

data "tencentvod_classes" "heists" {
  path = ["Movies", "Action/Adventure", "Heists"]
}

data "tencentvod_classes" "default" {
  path = ["SystemDefault"]
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.tencentvod_classes.all", tfjsonpath.New("classes"), knownvalue.ListExact([]knownvalue.Check{
						classElement(vod.DefaultClassID, top, "SystemDefault", 0, nil, "SystemDefault"),
						classElement(movies, top, "Movies", 0, []int64{action, drama}, "Movies"),
						classElement(action, knownvalue.Int64Exact(movies), "Action/Adventure", 1, []int64{heists}, "Movies", "Action/Adventure"),
						classElement(heists, knownvalue.Int64Exact(action), "Heists", 2, nil, "Movies", "Action/Adventure", "Heists"),
						classElement(drama, knownvalue.Int64Exact(movies), "Drama", 1, nil, "Movies", "Drama"),
						classElement(music, top, "Music", 0, nil, "Music"),
					})),
					statecheck.ExpectKnownValue("data.tencentvod_classes.all", tfjsonpath.New("class_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.tencentvod_classes.action", tfjsonpath.New("class_id"), knownvalue.Int64Exact(action)),
					statecheck.ExpectKnownValue("data.tencentvod_classes.heists", tfjsonpath.New("class_id"), knownvalue.Int64Exact(heists)),
					statecheck.ExpectKnownValue("data.tencentvod_classes.default", tfjsonpath.New("class_id"), knownvalue.Int64Exact(vod.DefaultClassID)),
				},
			},
			{
				// "Action/Adventure" is one name, not two.
				Config: env.providerConfig() + `
data "tencentvod_classes" "split" {
  path = ["Movies", "Action", "Adventure"]
}
`,
				ExpectError: regexp.MustCompile(`(?s)VOD Class Not Found.*element\s+1:\s+no\s+class\s+named\s+"Action"\s+under\s+"Movies"\s+\(class\s+` +
					fmt.Sprint(movies) + `\);\s+the\s+classes\s+there\s+are:\s+"Action/Adventure",\s+"Drama".*` +
					`reference\s+its\s+class_id.*depends_on`),
			},
			{
				Config: env.providerConfig() + `
data "tencentvod_classes" "missing" {
  path = ["Films"]
}
`,
				ExpectError: regexp.MustCompile(`(?s)element\s+0:\s+no\s+class\s+named\s+"Films"\s+at\s+the\s+top\s+level.*"SystemDefault",\s+"Movies",\s+"Music"`),
			},
		},
	})
	// Separate cases: the post-test destroy runs the last step's configuration, which must be valid.
	for path, want := range map[string]string{
		`[]`:               `(?s)Attribute path list must contain at least 1 elements and at most 4`,
		`["Movies", null]`: `(?s)Null List Value.*path = \["Movies", null\].*contains a null value`,
		`["Movies", ""]`:   `(?s)Attribute path\[1\] UTF-8 character count must be between 1 and 64, got: 0`,
	} {
		runTest(t, resource.TestCase{
			Steps: []resource.TestStep{{
				Config:      env.providerConfig() + "data \"tencentvod_classes\" \"bad\" {\n  path = " + path + "\n}\n",
				ExpectError: regexp.MustCompile(want),
			}},
		})
	}
}

// The data source reads the application it is given, not the provider's.
func TestAccClassesDataSource_otherApplication(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	env.createClassOutOfBand(t, vod.TopLevelParentID, "Only in the default application")
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + fmt.Sprintf(`
data "tencentvod_classes" "other" {
  sub_app_id = %d
}
`, emulatorSubAppID+1),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.tencentvod_classes.other", tfjsonpath.New("classes"), knownvalue.ListExact([]knownvalue.Check{
					classElement(vod.DefaultClassID, knownvalue.Null(), "SystemDefault", 0, nil, "SystemDefault"),
				})),
			},
		}},
	})
}

// Classes created by Terraform, looked up by path in the same apply, and a media uploaded into the
// class found: VOD reports the media's class path.
func TestAccClassesDataSource_mediaUploadedIntoClassFoundByPath(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	video, content := newMediaFiles(t).random("heist.mp4", 4<<10)
	runTest(t, resource.TestCase{
		CheckDestroy: env.checkClassesDestroyed,
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + classTreeConfig("Heists") + fmt.Sprintf(`
data "tencentvod_classes" "heists" {
  path       = ["Movies", "Action/Adventure", "Heists"]
  depends_on = [tencentvod_class.leaf]
}

resource "tencentvod_media" "heist" {
  source   = %q
  class_id = data.tencentvod_classes.heists.class_id
}
`, video),
			ConfigStateChecks: []statecheck.StateCheck{
				env.expectMedia("tencentvod_media.heist", content, nil),
				env.expectMediaClassPath("tencentvod_media.heist", "Movies-Action/Adventure-Heists"),
				statecheck.CompareValuePairs("tencentvod_media.heist", tfjsonpath.New("class_id"),
					"tencentvod_class.leaf", tfjsonpath.New("class_id"), compare.ValuesSame()),
			},
		}},
	})
}
