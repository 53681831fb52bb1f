package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// classTreeConfig is a top-level class "Movies", "Action/Adventure" under it, and a third level whose
// name is leafName.
func classTreeConfig(leafName string) string {
	return fmt.Sprintf(`
resource "tencentvod_class" "movies" {
  name = "Movies"
}

resource "tencentvod_class" "action" {
  name      = "Action/Adventure"
  parent_id = tencentvod_class.movies.class_id
}

resource "tencentvod_class" "leaf" {
  name      = %q
  parent_id = tencentvod_class.action.class_id
}
`, leafName)
}

// classes lists the application's classes as the service has them.
func (e *testEnv) classes() (classTree, error) {
	client, err := e.apiClient()
	if err != nil {
		return classTree{}, err
	}
	out, err := client.DescribeAllClass(context.Background(), nil)
	if err != nil {
		return classTree{}, err
	}
	return newClassTree(out.ClassInfoSet), nil
}

// createClassOutOfBand creates a class with the API client, as someone in the console would.
func (e *testEnv) createClassOutOfBand(t *testing.T, parentID int64, name string) int64 {
	t.Helper()
	client, err := e.apiClient()
	if err != nil {
		t.Fatal(err)
	}
	out, err := client.CreateClass(t.Context(), &vod.CreateClassRequest{ParentID: parentID, ClassName: name})
	if err != nil {
		t.Fatalf("creating class %q out of band: %s", name, err)
	}
	return out.ClassID
}

func (e *testEnv) deleteClassOutOfBand(t *testing.T, id int64) {
	t.Helper()
	client, err := e.apiClient()
	if err == nil {
		err = client.DeleteClass(t.Context(), &vod.DeleteClassRequest{ClassID: id})
	}
	if err != nil {
		t.Fatalf("deleting class %d out of band: %s", id, err)
	}
}

// classIDInState is the class_id a resource holds in state.
func classIDInState(state *tfjson.State, address string) (int64, error) {
	value, err := stateAttr(state, address, "class_id")
	if err != nil {
		return 0, err
	}
	number, ok := value.(interface{ Int64() (int64, error) })
	if !ok {
		return 0, fmt.Errorf("%s.class_id is %T %v", address, value, value)
	}
	return number.Int64()
}

// expectClassPath checks that the class address holds in state exists in VOD with this path of names.
func (e *testEnv) expectClassPath(address string, want ...string) statecheck.StateCheck {
	return stateCheck(func(state *tfjson.State) error {
		id, err := classIDInState(state, address)
		if err != nil {
			return err
		}
		tree, err := e.classes()
		if err != nil {
			return err
		}
		if got := tree.path(id); !slices.Equal(got, want) {
			return fmt.Errorf("class %d of %s has the path %q in VOD, want %q", id, address, got, want)
		}
		return nil
	})
}

// checkClassesDestroyed verifies that no class of the last state is left in VOD.
func (e *testEnv) checkClassesDestroyed(state *terraform.State) error {
	tree, err := e.classes()
	if err != nil {
		return err
	}
	for _, rs := range state.RootModule().Resources {
		if rs.Type != "tencentvod_class" {
			continue
		}
		id, _ := strconv.ParseInt(rs.Primary.ID, 10, 64)
		if _, found := tree.class(id); found {
			return fmt.Errorf("class %d (%s) still exists after destroy", id, rs.Primary.Attributes["name"])
		}
	}
	return nil
}

// classCalls counts the calls of a class action the emulator received since the test started
// (deltas are taken by the caller).
func (e *testEnv) classCalls(action string) int { return e.apiAttempts(action) }

// A three-level tree is created with known levels; a new name renames in place; a fourth level is
// planned with its level known; a fifth is refused at plan, before any call creates it.
func TestAccClass_treeRenameAndDepth(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	var leafID int64
	var createsBeforeFifth int
	fourth := `
resource "tencentvod_class" "fourth" {
  name      = "Fourth"
  parent_id = tencentvod_class.leaf.class_id
}
`
	fifth := `
resource "tencentvod_class" "fifth" {
  name      = "Fifth"
  parent_id = tencentvod_class.fourth.class_id
}
`
	runTest(t, resource.TestCase{
		CheckDestroy: env.checkClassesDestroyed,
		Steps: []resource.TestStep{
			{
				Config: env.providerConfig() + classTreeConfig("Sequels"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue("tencentvod_class.movies", tfjsonpath.New("level"), knownvalue.Int64Exact(0)),
					plancheck.ExpectKnownValue("tencentvod_class.movies", tfjsonpath.New("sub_app_id"), env.expectedSubAppID()),
					plancheck.ExpectUnknownValue("tencentvod_class.action", tfjsonpath.New("level")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("tencentvod_class.movies", tfjsonpath.New("level"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue("tencentvod_class.movies", tfjsonpath.New("parent_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue("tencentvod_class.action", tfjsonpath.New("level"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue("tencentvod_class.leaf", tfjsonpath.New("level"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue("tencentvod_class.leaf", tfjsonpath.New("sub_app_id"), env.expectedSubAppID()),
					statecheck.CompareValuePairs("tencentvod_class.leaf", tfjsonpath.New("parent_id"),
						"tencentvod_class.action", tfjsonpath.New("class_id"), compare.ValuesSame()),
					env.expectClassPath("tencentvod_class.leaf", "Movies", "Action/Adventure", "Sequels"),
					stateCheck(func(state *tfjson.State) error {
						id, err := classIDInState(state, "tencentvod_class.leaf")
						leafID = id
						if got, _ := stateAttr(state, "tencentvod_class.leaf", "id"); err == nil && got != strconv.FormatInt(id, 10) {
							return fmt.Errorf("id %v, want the class_id %d", got, id)
						}
						return err
					}),
				},
			},
			{
				PreConfig: func() { env.baseline = map[string]int{"ModifyClass": env.classCalls("ModifyClass")} },
				Config:    env.providerConfig() + classTreeConfig("Sequels & Prequels"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_class.leaf", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("tencentvod_class.action", plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					env.expectClassPath("tencentvod_class.leaf", "Movies", "Action/Adventure", "Sequels & Prequels"),
					stateCheck(func(state *tfjson.State) error {
						if id, err := classIDInState(state, "tencentvod_class.leaf"); err != nil || id != leafID {
							return fmt.Errorf("class_id %d after the rename, want %d (%v)", id, leafID, err)
						}
						if n := env.callsSince("ModifyClass"); env.emulated() && n != 1 {
							return fmt.Errorf("%d ModifyClass calls for one rename, want 1", n)
						}
						return nil
					}),
				},
			},
			{
				Config: env.providerConfig() + classTreeConfig("Sequels & Prequels") + fourth,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// The parent exists: its level is looked up at plan.
					plancheck.ExpectKnownValue("tencentvod_class.fourth", tfjsonpath.New("level"), knownvalue.Int64Exact(3)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("tencentvod_class.fourth", tfjsonpath.New("level"), knownvalue.Int64Exact(3)),
					env.expectClassPath("tencentvod_class.fourth", "Movies", "Action/Adventure", "Sequels & Prequels", "Fourth"),
				},
			},
			{
				PreConfig:   func() { createsBeforeFifth = env.classCalls("CreateClass") },
				Config:      env.providerConfig() + classTreeConfig("Sequels & Prequels") + fourth + fifth,
				ExpectError: regexp.MustCompile(`(?s)Class Tree Too Deep.*parent_id.*"Fourth",\s+at\s+level\s+3.*at\s+most\s+4\s+levels`),
			},
			{
				// Nothing was created for the refused class: the plan stopped it.
				Config: env.providerConfig() + classTreeConfig("Sequels & Prequels") + fourth,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
					planCheck(func(*tfjson.Plan) error {
						if n := env.classCalls("CreateClass") - createsBeforeFifth; n != 0 {
							return fmt.Errorf("%d CreateClass calls for a class refused at plan", n)
						}
						return nil
					}),
				}},
			},
		},
	})
}

// Five levels in one configuration: at plan the parents' IDs are unknown, but Terraform plans each class
// again at apply once its parent exists, and that plan refuses the fifth level before it is created.
func TestAccClass_fifthLevelRefusedWhenPlannedAtApply(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	config := env.providerConfig() + `
resource "tencentvod_class" "l0" {
  name = "Level 0"
}
`
	for level := 1; level <= 4; level++ {
		config += fmt.Sprintf(`
resource "tencentvod_class" "l%[1]d" {
  name      = "Level %[1]d"
  parent_id = tencentvod_class.l%[2]d.class_id
}
`, level, level-1)
	}
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:      config,
			ExpectError: regexp.MustCompile(`(?s)Class Tree Too Deep.*"Level 3",\s+at\s+level\s+3`),
		}},
	})
	if n := env.classCalls("CreateClass"); env.emulated() && n != 4 {
		t.Errorf("%d CreateClass calls, want 4: the fifth level is refused before it is sent", n)
	}
}

// Names VOD refuses, and the built-in class as a parent, fail at plan with the attribute named, before
// any API call.
func TestAccClass_invalidArgumentsRefusedAtPlan(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	cases := []struct {
		name, config string
		want         *regexp.Regexp
	}{
		{"name too long", `name = "` + strings.Repeat("n", vod.MaxClassNameLength+1) + `"`,
			regexp.MustCompile(`(?s)Attribute name UTF-8 character count must be between 1 and 64, got: 65`)},
		{"name empty", `name = ""`, regexp.MustCompile(`(?s)Attribute name UTF-8 character count must be between 1 and 64, got: 0`)},
		{"control character", `name = "Movies\n"`, regexp.MustCompile(`(?s)Attribute name.*control characters`)},
		{"built-in parent", "name = \"Movies\"\nparent_id = 0", attributeMessage("parent_id value must be the class_id of a " +
			"class, at least 1, got: 0: class 0 is the built-in class (SystemDefault), which cannot hold subclasses; leave " +
			"parent_id unset (or null) for a top-level class.")},
		// -1 is the API's ParentId of a top-level class; here that is an unset parent_id.
		{"API's top-level parent", "name = \"Movies\"\nparent_id = -1", attributeMessage("parent_id value must be the " +
			"class_id of a class, at least 1, got: -1: leave parent_id unset (or null) for a top-level class.")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			runTest(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config:      env.providerConfig() + "resource \"tencentvod_class\" \"test\" {\n" + tc.config + "\n}\n",
					PlanOnly:    true,
					ExpectError: tc.want,
				}},
			})
		})
	}
	// A name of 64 characters, multi-byte ones counted as one, is allowed.
	runTest(t, resource.TestCase{
		CheckDestroy: env.checkClassesDestroyed,
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + fmt.Sprintf("resource \"tencentvod_class\" \"test\" {\nname = %q\n}\n",
				strings.Repeat("影", vod.MaxClassNameLength)),
		}},
	})
	if n := env.classCalls("CreateClass"); env.emulated() && n != 1 {
		t.Errorf("%d CreateClass calls, want only the valid one", n)
	}
}

// A parent_id that is not a class of the application is refused at plan.
func TestAccClass_unknownParentRefusedAtPlan(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.createClassOutOfBand(t, vod.TopLevelParentID, "Music")
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + `
resource "tencentvod_class" "test" {
  name      = "Orphan"
  parent_id = 987654
}
`,
			ExpectError: regexp.MustCompile(`(?s)Parent Class Not Found.*parent_id 987654 is not a class of application.*"Music"`),
		}},
	})
}

// Import by <class_id> and by <sub_app_id>/<class_id> reads the same class; malformed IDs and the
// built-in class are refused with the accepted forms.
func TestAccClass_import(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	config := env.providerConfig() + `
resource "tencentvod_class" "parent" {
  name = "Shows"
}

resource "tencentvod_class" "test" {
  name      = "Season 1"
  parent_id = tencentvod_class.parent.class_id
}
`
	classIDOf := func(state *terraform.State) string {
		return state.RootModule().Resources["tencentvod_class.test"].Primary.Attributes["class_id"]
	}
	classID := func(state *terraform.State) (string, error) { return classIDOf(state), nil }
	withSubApp := func(state *terraform.State) (string, error) {
		return fmt.Sprintf("%d/%s", emulatorSubAppID, classIDOf(state)), nil
	}
	importStep := func(idFunc resource.ImportStateIdFunc) resource.TestStep {
		return resource.TestStep{
			Config:                  config,
			ResourceName:            "tencentvod_class.test",
			ImportState:             true,
			ImportStateIdFunc:       idFunc,
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"timeouts"},
		}
	}
	badImport := func(id, want string) resource.TestStep {
		return resource.TestStep{
			Config: config, ResourceName: "tencentvod_class.test", ImportState: true, ImportStateId: id,
			ExpectError: regexp.MustCompile(want),
		}
	}
	runTest(t, resource.TestCase{
		CheckDestroy: env.checkClassesDestroyed,
		Steps: []resource.TestStep{
			{Config: config},
			importStep(classID),
			importStep(withSubApp),
			badImport("shows", `(?s)Invalid Import ID.*"shows" is not a class ID.*<sub_app_id>/<class_id>`),
			badImport("app/12", `(?s)Invalid Import ID.*part before "/" must be a VOD\s+application ID`),
			badImport("1500000000/", `(?s)Invalid Import ID.*"" is not a class ID`),
			badImport("0", `(?s)Invalid Import ID.*class 0 is the built-in class`),
			badImport("424242", `(?s)Cannot import non-existent remote object`),
		},
	})
}

// <sub_app_id>/<class_id> imports a class of another application than the provider's, and pins it.
func TestAccClass_importFromAnotherApplication(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	other := int64(emulatorSubAppID + 1)
	client, err := env.apiClient()
	if err != nil {
		t.Fatal(err)
	}
	app := uint64(other)
	created, err := client.CreateClass(t.Context(), &vod.CreateClassRequest{
		ParentID: vod.TopLevelParentID, ClassName: "Elsewhere", SubAppID: &app,
	})
	if err != nil {
		t.Fatal(err)
	}
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + fmt.Sprintf(`
import {
  to = tencentvod_class.test
  id = "%[1]d/%[2]d"
}

resource "tencentvod_class" "test" {
  name       = "Elsewhere"
  sub_app_id = %[1]d
}
`, other, created.ClassID),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("tencentvod_class.test", plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("tencentvod_class.test", tfjsonpath.New("class_id"), knownvalue.Int64Exact(created.ClassID)),
				statecheck.ExpectKnownValue("tencentvod_class.test", tfjsonpath.New("sub_app_id"), knownvalue.Int64Exact(other)),
				statecheck.ExpectKnownValue("tencentvod_class.test", tfjsonpath.New("level"), knownvalue.Int64Exact(0)),
			},
		}},
	})
}

// A class deleted outside Terraform leaves the state on refresh, without an error, and is planned again.
func TestAccClass_removedOutOfBand(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	config := env.providerConfig() + `
resource "tencentvod_class" "test" {
  name = "Podcasts"
}
`
	var firstID int64
	runTest(t, resource.TestCase{
		CheckDestroy: env.checkClassesDestroyed,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{stateCheck(func(state *tfjson.State) error {
					var err error
					firstID, err = classIDInState(state, "tencentvod_class.test")
					return err
				})},
			},
			{
				PreConfig: func() { env.deleteClassOutOfBand(t, firstID) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_class.test", plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					env.expectClassPath("tencentvod_class.test", "Podcasts"),
					stateCheck(func(state *tfjson.State) error {
						if id, err := classIDInState(state, "tencentvod_class.test"); err != nil || id == firstID {
							return fmt.Errorf("class_id %d, want a new class instead of %d (%v)", id, firstID, err)
						}
						return nil
					}),
				},
			},
		},
	})
}

// A class with a subclass made outside Terraform is not deleted: the error names the subclass and what
// to do. Once the subclass is gone, the destroy deletes the class.
func TestAccClass_deleteRefusedWhileItHasSubclasses(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	var parentID int64
	var strayID int64
	config := env.providerConfig() + `
resource "tencentvod_class" "test" {
  name = "Archive"
}
`
	runTest(t, resource.TestCase{
		CheckDestroy: env.checkClassesDestroyed,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{stateCheck(func(state *tfjson.State) error {
					var err error
					parentID, err = classIDInState(state, "tencentvod_class.test")
					return err
				})},
			},
			{
				PreConfig:   func() { strayID = env.createClassOutOfBand(t, parentID, "Stray") },
				Config:      env.providerConfig(),
				ExpectError: regexp.MustCompile(`(?s)VOD Class Not Empty.*"Archive"\)\s+still\s+holds\s+1\s+subclass\(es\): "Stray".*delete its\s+subclasses.*DeleteClass.*UnsupportedOperation.ClassNotEmpty.*RequestId`),
			},
			{
				PreConfig: func() { env.deleteClassOutOfBand(t, strayID) },
				Config:    env.providerConfig(),
				ConfigStateChecks: []statecheck.StateCheck{stateCheck(func(*tfjson.State) error {
					if tree, err := env.classes(); err != nil || len(tree.children(vod.TopLevelParentID)) != 1 {
						return fmt.Errorf("classes left after the delete: %v (%v)", tree.byID, err)
					}
					return nil
				})},
			},
		},
	})
}

// Moving a class that holds media: without create_before_destroy the old class cannot be deleted first,
// and the error says so; with it, the new class is created, the media move to it in place, and the old,
// empty class is deleted.
func TestAccClass_moveClassHoldingMedia(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	video, content := newMediaFiles(t).random("teaser.mp4", 4<<10)
	config := func(parent, lifecycle string) string {
		return env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_class" "archive" {
  name = "Archive"
}

resource "tencentvod_class" "movies" {
  name = "Movies"
}

resource "tencentvod_class" "trailers" {
  name      = "Trailers"
  parent_id = tencentvod_class.%s.class_id
%s
}

resource "tencentvod_media" "teaser" {
  source   = %q
  class_id = tencentvod_class.trailers.class_id
}
`, parent, lifecycle, video)
	}

	var oldClassID int64
	var fileID string
	runTest(t, resource.TestCase{
		CheckDestroy: func(state *terraform.State) error {
			if err := env.checkDestroyed(state); err != nil {
				return err
			}
			return env.checkClassesDestroyed(state)
		},
		Steps: []resource.TestStep{
			{
				Config: config("archive", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					env.expectMedia("tencentvod_media.teaser", content, func(m mediaFacts) error {
						fileID = m.FileID
						return nil
					}),
					env.expectMediaClassPath("tencentvod_media.teaser", "Archive-Trailers"),
					stateCheck(func(state *tfjson.State) error {
						var err error
						oldClassID, err = classIDInState(state, "tencentvod_class.trailers")
						return err
					}),
				},
			},
			{
				Config: config("movies", ""),
				ExpectError: regexp.MustCompile(`(?s)VOD Class Not Empty.*"Trailers"\)\s+still\s+holds\s+media\s+files.*` +
					`Move its media to another class.*create_before_destroy\s+=\s+true`),
			},
			{
				Config: config("movies", createBeforeDestroy),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_class.trailers", plancheck.ResourceActionCreateBeforeDestroy),
					plancheck.ExpectResourceAction("tencentvod_media.teaser", plancheck.ResourceActionUpdate),
					// The new parent exists: the moved class's level is known at plan.
					plancheck.ExpectKnownValue("tencentvod_class.trailers", tfjsonpath.New("level"), knownvalue.Int64Exact(1)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					env.expectClassPath("tencentvod_class.trailers", "Movies", "Trailers"),
					env.expectMediaClassPath("tencentvod_media.teaser", "Movies-Trailers"),
					statecheck.CompareValuePairs("tencentvod_media.teaser", tfjsonpath.New("class_id"),
						"tencentvod_class.trailers", tfjsonpath.New("class_id"), compare.ValuesSame()),
					env.expectMedia("tencentvod_media.teaser", content, func(m mediaFacts) error {
						if m.FileID != fileID {
							return fmt.Errorf("file_id %s, want the media uploaded first (%s): it was to move, not be replaced", m.FileID, fileID)
						}
						return nil
					}),
					stateCheck(func(*tfjson.State) error {
						tree, err := env.classes()
						if err != nil {
							return err
						}
						if _, found := tree.class(oldClassID); found {
							return fmt.Errorf("the old class %d still exists", oldClassID)
						}
						return nil
					}),
				},
			},
		},
	})
}

// Moving a class moves its subtree: a subclass managed by Terraform is replaced with its parent, and
// Terraform deletes it first unless it has create_before_destroy too, which VOD refuses while it holds
// media. With it, the new tree is created, the media move, and the old tree is deleted bottom-up.
func TestAccClass_moveSubtreeHoldingMedia(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	video, content := newMediaFiles(t).random("teaser.mp4", 4<<10)
	config := func(parent, hdLifecycle string) string {
		return env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_class" "archive" {
  name = "Archive"
}

resource "tencentvod_class" "movies" {
  name = "Movies"
}

resource "tencentvod_class" "trailers" {
  name      = "Trailers"
  parent_id = tencentvod_class.%s.class_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "tencentvod_class" "hd" {
  name      = "HD"
  parent_id = tencentvod_class.trailers.class_id
%s
}

resource "tencentvod_media" "teaser" {
  source   = %q
  class_id = tencentvod_class.hd.class_id
}
`, parent, hdLifecycle, video)
	}
	runTest(t, resource.TestCase{
		CheckDestroy: func(state *terraform.State) error {
			if err := env.checkDestroyed(state); err != nil {
				return err
			}
			return env.checkClassesDestroyed(state)
		},
		Steps: []resource.TestStep{
			{Config: config("archive", ""), ConfigStateChecks: []statecheck.StateCheck{env.expectMedia("tencentvod_media.teaser", content, nil)}},
			{
				// Its parent is replaced, so the subclass is too, and Terraform deletes it first: VOD refuses.
				Config:      config("movies", ""),
				ExpectError: regexp.MustCompile(`(?s)VOD Class Not Empty.*"HD"\)\s+still\s+holds\s+media\s+files.*a\s+parent\s+being\s+replaced`),
			},
			{
				Config: config("movies", createBeforeDestroy),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_class.hd", plancheck.ResourceActionCreateBeforeDestroy),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					env.expectClassPath("tencentvod_class.hd", "Movies", "Trailers", "HD"),
					env.expectMediaClassPath("tencentvod_media.teaser", "Movies-Trailers-HD"),
				},
			},
		},
	})
}

// createBeforeDestroy is the lifecycle block a moved class needs while it holds media.
const createBeforeDestroy = "  lifecycle {\n    create_before_destroy = true\n  }"

// expectMediaClassPath checks the ClassPath that VOD reports for the media address holds.
func (e *testEnv) expectMediaClassPath(address, want string) statecheck.StateCheck {
	return stateCheck(func(state *tfjson.State) error {
		id, err := stateAttr(state, address, "file_id")
		if err != nil {
			return err
		}
		client, err := e.apiClient()
		if err != nil {
			return err
		}
		fileID, _ := id.(string)
		info, err := client.DescribeMedia(context.Background(), fileID, nil)
		if err != nil {
			return err
		}
		if info.BasicInfo == nil || info.BasicInfo.ClassPath != want {
			return fmt.Errorf("media %s has the class path %+v in VOD, want %q", fileID, info.BasicInfo, want)
		}
		return nil
	})
}

// While the provider block is not known (secret_key from a resource not created yet), a class in state
// is kept without a call, and a new class is planned with what only the provider knows left unknown (no
// lookup of its parent); at apply Terraform plans again with the provider known, and the level is known.
func TestAccClass_unknownProviderConfig(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	kids := `
resource "tencentvod_class" "kids" {
  name = "Kids"
}
`
	// songs names its application: only the provider's state stops a lookup of its parent at plan.
	cartoons := fmt.Sprintf(`
resource "tencentvod_class" "cartoons" {
  name      = "Cartoons"
  parent_id = tencentvod_class.kids.class_id
}

resource "tencentvod_class" "songs" {
  name       = "Songs"
  parent_id  = tencentvod_class.kids.class_id
  sub_app_id = %d
}
`, emulatorSubAppID)
	var callsBefore int
	runTest(t, resource.TestCase{
		CheckDestroy: env.checkClassesDestroyed,
		Steps: []resource.TestStep{
			{Config: env.providerConfig() + kids},
			{
				PreConfig: func() { callsBefore = env.apiAttempts("") },
				Config:    env.unknownSecretKeyProvider() + kids + cartoons,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_class.kids", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("tencentvod_class.cartoons", plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue("tencentvod_class.cartoons", tfjsonpath.New("sub_app_id")),
					plancheck.ExpectUnknownValue("tencentvod_class.cartoons", tfjsonpath.New("level")),
					plancheck.ExpectUnknownValue("tencentvod_class.songs", tfjsonpath.New("level")),
					planCheck(func(*tfjson.Plan) error {
						if n := env.apiAttempts("") - callsBefore; n != 0 {
							return fmt.Errorf("%d API calls during a plan whose provider is not known", n)
						}
						return nil
					}),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("tencentvod_class.cartoons", tfjsonpath.New("level"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue("tencentvod_class.cartoons", tfjsonpath.New("sub_app_id"), knownvalue.Int64Exact(emulatorSubAppID)),
					env.expectClassPath("tencentvod_class.cartoons", "Kids", "Cartoons"),
					statecheck.ExpectKnownValue("tencentvod_class.songs", tfjsonpath.New("level"), knownvalue.Int64Exact(1)),
				},
			},
		},
	})
}

// The data source and an import cannot be read while the provider block is not known: one clear error
// each, no crash.
func TestAccClass_readsWithUnknownProviderConfig(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	id := env.createClassOutOfBand(t, vod.TopLevelParentID, "Adopted")
	for name, config := range map[string]string{
		"data source": `
data "tencentvod_classes" "test" {
  path = ["Adopted"]
}
`,
		"import": fmt.Sprintf(`
import {
  to = tencentvod_class.test
  id = "%d"
}

resource "tencentvod_class" "test" {
  name = "Adopted"
}
`, id),
	} {
		t.Run(name, func(t *testing.T) {
			runTest(t, resource.TestCase{
				Steps: []resource.TestStep{{Config: env.unknownSecretKeyProvider() + config, ExpectError: notKnownAtPlan}},
			})
		})
	}
}

// classResourceDirectly is the class resource configured with the test's API client, for calling its
// methods the way Terraform does, with states built by its state method.
type classResourceDirectly struct {
	t        *testing.T
	resource *classResource
	schema   fwresource.SchemaResponse
}

func (e *testEnv) classResourceDirectly(t *testing.T) classResourceDirectly {
	t.Helper()
	client, err := e.apiClient()
	if err != nil {
		t.Fatal(err)
	}
	d := classResourceDirectly{t: t, resource: &classResource{data: &providerData{client: client}}}
	d.resource.Schema(t.Context(), fwresource.SchemaRequest{}, &d.schema)
	return d
}

// state is a state of class id in the test's application; name "" leaves the name null, as an import
// does before its read.
func (d classResourceDirectly) state(id int64, name string) tfsdk.State {
	d.t.Helper()
	ctx := d.t.Context()
	state := tfsdk.State{Schema: d.schema.Schema, Raw: tftypes.NewValue(d.schema.Schema.Type().TerraformType(ctx), nil)}
	var diags diag.Diagnostics
	diags.Append(state.SetAttribute(ctx, path.Root("id"), strconv.FormatInt(id, 10))...)
	diags.Append(state.SetAttribute(ctx, path.Root("class_id"), id)...)
	diags.Append(state.SetAttribute(ctx, path.Root("sub_app_id"), int64(emulatorSubAppID))...)
	if name != "" {
		diags.Append(state.SetAttribute(ctx, path.Root("name"), name)...)
		diags.Append(state.SetAttribute(ctx, path.Root("level"), int64(0))...)
	}
	if diags.HasError() {
		d.t.Fatalf("building the state: %v", diags)
	}
	return state
}

// deleteClassDirectly runs the resource's Delete, as Terraform does when it destroys without refreshing
// first (terraform destroy -refresh=false), on a state that holds class id.
func (e *testEnv) deleteClassDirectly(t *testing.T, id int64, name string) diag.Diagnostics {
	t.Helper()
	d := e.classResourceDirectly(t)
	var resp fwresource.DeleteResponse
	d.resource.Delete(t.Context(), fwresource.DeleteRequest{State: d.state(id, name)}, &resp)
	return resp.Diagnostics
}

// A class that is already gone when Terraform deletes it is deleted: whatever error DeleteClass gives
// for it, the class listing shows it is not there. A class that is there and cannot be deleted still
// fails.
func TestClassResource_deleteOfAClassAlreadyGone(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	id := env.createClassOutOfBand(t, vod.TopLevelParentID, "Gone")
	env.deleteClassOutOfBand(t, id)
	if diags := env.deleteClassDirectly(t, id, "Gone"); diags.HasError() {
		t.Errorf("deleting a class already gone: %v", diags)
	}
	if n := env.apiAttempts("DeleteClass"); n != 2 {
		t.Errorf("%d DeleteClass calls, want the out-of-band one and the resource's", n)
	}

	parent := env.createClassOutOfBand(t, vod.TopLevelParentID, "Parent")
	env.createClassOutOfBand(t, parent, "Child")
	diags := env.deleteClassDirectly(t, parent, "Parent")
	if !diags.HasError() || !strings.Contains(diags[0].Detail(), `"Child"`) {
		t.Errorf("deleting a class with a subclass: %v, want the not-empty error naming the subclass", diags)
	}
}

// sub_app_id is pinned at create: a new provider default leaves the class where it is (no change
// planned, later calls go to its application); a new sub_app_id on the class replaces it.
func TestAccClass_subAppIDPinnedAtCreate(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	class := `
resource "tencentvod_class" "test" {
  name = "Pinned"
}
`
	other := int64(emulatorSubAppID + 1)
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: env.providerConfig() + class},
			{
				Config: env.providerConfig(fmt.Sprintf("sub_app_id = %d", other)) + class,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_class.test", plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("tencentvod_class.test", tfjsonpath.New("sub_app_id"), knownvalue.Int64Exact(emulatorSubAppID)),
					env.expectClassPath("tencentvod_class.test", "Pinned"),
				},
			},
			{
				// A rename under the new default stays in place, in the class's own application.
				Config: env.providerConfig(fmt.Sprintf("sub_app_id = %d", other)) + strings.Replace(class, "Pinned", "Pinned too", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_class.test", plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue("tencentvod_class.test", tfjsonpath.New("sub_app_id"), knownvalue.Int64Exact(emulatorSubAppID)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{env.expectClassPath("tencentvod_class.test", "Pinned too")},
			},
			{
				Config: env.providerConfig() + strings.Replace(class, "}", fmt.Sprintf("  sub_app_id = %d\n}", other), 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_class.test", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("tencentvod_class.test", tfjsonpath.New("sub_app_id"), knownvalue.Int64Exact(other)),
					stateCheck(func(*tfjson.State) error {
						if tree, err := env.classes(); err != nil || len(tree.children(vod.TopLevelParentID)) != 1 {
							return fmt.Errorf("the provider's application still has classes besides the built-in one: %v (%v)", tree.byID, err)
						}
						return nil
					}),
				},
			},
		},
	})
}

// An API refusal shows the action, the error code, the message and the RequestId, with the remedy.
func TestAccClass_duplicateNameShowsTheAPIError(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.createClassOutOfBand(t, vod.TopLevelParentID, "News")
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + `
resource "tencentvod_class" "test" {
  name = "News"
}
`,
			ExpectError: regexp.MustCompile(`(?s)Unable to Create VOD Class.*Action:\s+CreateClass.*` +
				`Error code:\s+FailedOperation.ClassNameDuplicate.*Message:.*RequestId:\s+\S+.*import the existing\s+class`),
		}},
	})
}

// A rename to a name another class under the same parent has is refused at plan, naming that class,
// before any call; the same name under another parent is allowed.
func TestAccClass_renameToATakenNameRefusedAtPlan(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	config := func(teasersName string) string {
		return env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_class" "movies" {
  name = "Movies"
}

resource "tencentvod_class" "trailers" {
  name      = "Trailers"
  parent_id = tencentvod_class.movies.class_id
}

resource "tencentvod_class" "teasers" {
  name      = %q
  parent_id = tencentvod_class.movies.class_id
}
`, teasersName)
	}
	runTest(t, resource.TestCase{
		CheckDestroy: env.checkClassesDestroyed,
		Steps: []resource.TestStep{
			{Config: config("Teasers")},
			{
				PreConfig:   func() { env.baseline = map[string]int{"ModifyClass": env.classCalls("ModifyClass")} },
				Config:      config("Trailers"),
				ExpectError: regexp.MustCompile(`(?s)VOD Class Name Already Used.*name.*renamed\s+to\s+"Trailers":\s+class\s+\d+\s+under\s+"Movies"\s+\(class\s+\d+\)\s+already\s+has\s+that\s+name`),
			},
			{
				// The refused rename made no call; a name only another parent has is fine.
				PreConfig: func() {
					if n := env.callsSince("ModifyClass"); n != 0 {
						t.Errorf("%d ModifyClass calls for a rename refused at plan", n)
					}
				},
				Config:            config("Movies"),
				ConfigStateChecks: []statecheck.StateCheck{env.expectClassPath("tencentvod_class.teasers", "Movies", "Movies")},
			},
		},
	})
}

// updateClassDirectly runs the resource's Update, renaming class id from name to newName, as Terraform
// does at apply.
func (e *testEnv) updateClassDirectly(t *testing.T, id int64, name, newName string) diag.Diagnostics {
	t.Helper()
	d := e.classResourceDirectly(t)
	planned := d.state(id, newName)
	resp := fwresource.UpdateResponse{State: planned}
	d.resource.Update(t.Context(), fwresource.UpdateRequest{State: d.state(id, name), Plan: tfsdk.Plan(planned)}, &resp)
	return resp.Diagnostics
}

// A name taken between plan and apply (the plan's check cannot see it) fails the rename with the API's
// action, code, message and RequestId.
func TestClassResource_renameRefusedAtApplyShowsTheAPIError(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	id := env.createClassOutOfBand(t, vod.TopLevelParentID, "Shorts")
	env.createClassOutOfBand(t, vod.TopLevelParentID, "Clips")
	diags := env.updateClassDirectly(t, id, "Shorts", "Clips")
	want := regexp.MustCompile(`(?s)Action:\s+ModifyClass.*Error code:\s+FailedOperation.ClassNameDuplicate.*Message:\s+\S.*RequestId:\s+[0-9a-f-]{8,}`)
	if !diags.HasError() || diags[0].Summary() != "Unable to Rename VOD Class" || !want.MatchString(diags[0].Detail()) {
		t.Errorf("renaming to a taken name: %v, want the API's refusal", diags)
	}
	if tree, err := env.classes(); err != nil || !slices.Equal(tree.path(id), []string{"Shorts"}) {
		t.Errorf("class %d after the refused rename: %v (%v)", id, tree.path(id), err)
	}
}

// The read of a class that is gone removes it from the state. After a refresh it warns that the class
// will be created again; during an import (no name in state yet) it adds nothing to Terraform's own
// "Cannot import non-existent remote object", which a warning about re-creating it would contradict.
func TestClassResource_readOfAClassThatIsGone(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	d := env.classResourceDirectly(t)
	for name, wantWarning := range map[string]bool{"Podcasts": true, "": false} {
		prior := d.state(424242, name)
		resp := fwresource.ReadResponse{State: prior}
		d.resource.Read(t.Context(), fwresource.ReadRequest{State: prior}, &resp)
		switch {
		case !resp.State.Raw.IsNull():
			t.Errorf("name %q: the class is still in the state", name)
		case resp.Diagnostics.HasError():
			t.Errorf("name %q: %v", name, resp.Diagnostics)
		case wantWarning && (resp.Diagnostics.WarningsCount() != 1 || !strings.Contains(resp.Diagnostics[0].Detail(), `("Podcasts")`)):
			t.Errorf("after a refresh: %v, want a warning naming the class", resp.Diagnostics)
		case !wantWarning && len(resp.Diagnostics) != 0:
			t.Errorf("during an import: %v, want no diagnostics", resp.Diagnostics)
		}
	}
}

// sub_app_id known only after apply: the class is planned with its application unknown (its level known
// when it has no parent), the data source is read at apply, and all of them use that application.
func TestAccClass_subAppIDKnownAfterApply(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	other := int64(emulatorSubAppID + 1)
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + fmt.Sprintf(`
resource "terraform_data" "app" {
  input = %d
}

resource "tencentvod_class" "top" {
  name       = "Top"
  sub_app_id = terraform_data.app.output
}

resource "tencentvod_class" "child" {
  name       = "Child"
  parent_id  = tencentvod_class.top.class_id
  sub_app_id = terraform_data.app.output
}

data "tencentvod_classes" "child" {
  path       = ["Top", "Child"]
  sub_app_id = terraform_data.app.output
  depends_on = [tencentvod_class.child]
}
`, other),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectUnknownValue("tencentvod_class.top", tfjsonpath.New("sub_app_id")),
				plancheck.ExpectKnownValue("tencentvod_class.top", tfjsonpath.New("level"), knownvalue.Int64Exact(0)),
				plancheck.ExpectUnknownValue("tencentvod_class.child", tfjsonpath.New("level")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("tencentvod_class.child", tfjsonpath.New("sub_app_id"), knownvalue.Int64Exact(other)),
				statecheck.ExpectKnownValue("tencentvod_class.child", tfjsonpath.New("level"), knownvalue.Int64Exact(1)),
				statecheck.CompareValuePairs("data.tencentvod_classes.child", tfjsonpath.New("class_id"),
					"tencentvod_class.child", tfjsonpath.New("class_id"), compare.ValuesSame()),
				stateCheck(func(*tfjson.State) error {
					if tree, err := env.classes(); err != nil || len(tree.byID) != 1 {
						return fmt.Errorf("the provider's application has classes besides the built-in one: %v (%v)", tree.byID, err)
					}
					return nil
				}),
			},
		}},
	})
}

// Ctrl-C while CreateClass is in flight: the class is created and its reply still arrives, so the class
// is in the state and the next plan has nothing to do (an abandoned call would leave the class untracked,
// and the next apply refused as a duplicate name).
func TestAccClass_interruptDuringCreateKeepsTheClassTracked(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	gate := emulator.NewGate()
	defer gate.Open()
	env.emu.InjectFault(emulator.Fault{Action: "CreateClass", Times: 1, AfterDispatch: true, Hold: gate})
	tf := newDirectTerraform(t, env.providerConfig()+`
resource "tencentvod_class" "test" {
  name = "Interrupted"
}
`)
	applyCtx, interrupt := context.WithCancel(context.Background())
	t.Cleanup(interrupt)
	applied := make(chan error, 1)
	go func() { applied <- tf.apply(applyCtx) }()
	providerCtx := tf.awaitHeld(t, gate, applied, "CreateClass")

	interrupt() // only then does CreateClass's reply arrive
	select {
	case <-providerCtx.Done():
	case <-time.After(time.Minute):
		t.Fatalf("the interrupt never reached the provider\n%s", tf.output)
	}
	gate.Open()
	if err := tf.awaitInterrupted(t, applied); err != nil {
		t.Logf("apply ended with: %v", err)
	}

	tree, err := env.classes()
	if err != nil {
		t.Fatal(err)
	}
	created, err := tree.lookup([]string{"Interrupted"})
	if err != nil {
		t.Fatalf("the class was not created: %s", err)
	}
	state, err := tf.show(context.Background())
	if err != nil {
		t.Fatalf("terraform show: %s", err)
	}
	if id, err := classIDInState(state, "tencentvod_class.test"); err != nil || id != created.ClassID {
		t.Fatalf("class_id in state = %d (%v), want the class created, %d\n%s", id, err, created.ClassID, tf.output)
	}
	changes, err := tf.plan(context.Background())
	if err != nil || changes {
		t.Fatalf("the plan after the interrupted apply has changes (%v) or failed: %v\n%s", changes, err, tf.output)
	}
	if err := tf.destroy(context.Background()); err != nil {
		t.Fatalf("terraform destroy: %s\n%s", err, tf.output)
	}
}

// criticalStep lasts as long as the operation, and outlives its interrupt or its timeout by its grace,
// and no more.
func TestCriticalStep(t *testing.T) {
	t.Parallel()
	deadline := time.Now().Add(time.Hour)
	parent, interrupt := context.WithDeadline(context.Background(), deadline)
	defer interrupt()
	long, cancelLong := criticalStep(parent, time.Hour)
	defer cancelLong()
	short, cancelShort := criticalStep(parent, time.Millisecond)
	defer cancelShort()
	if got, ok := long.Deadline(); !ok || !got.Equal(deadline.Add(time.Hour)) {
		t.Errorf("deadline %v (%v), want the operation's and the grace, %v", got, ok, deadline.Add(time.Hour))
	}
	interrupt()
	select {
	case <-short.Done():
	case <-time.After(time.Minute):
		t.Fatal("the step outlived its grace after the interrupt")
	}
	if long.Err() != nil {
		t.Errorf("the step with an hour's grace ended at the interrupt: %v", long.Err())
	}

	timedOut, cancelTimedOut := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancelTimedOut()
	afterTimeout, cancelAfterTimeout := criticalStep(timedOut, time.Hour)
	defer cancelAfterTimeout()
	<-timedOut.Done()
	time.Sleep(10 * time.Millisecond)
	if afterTimeout.Err() != nil {
		t.Errorf("the step with an hour's grace ended at the operation's timeout: %v", afterTimeout.Err())
	}
	shortAfterTimeout, cancelShortAfterTimeout := criticalStep(timedOut, time.Millisecond)
	defer cancelShortAfterTimeout()
	select {
	case <-shortAfterTimeout.Done():
	case <-time.After(time.Minute):
		t.Fatal("the step outlived its grace after the timeout")
	}
}
