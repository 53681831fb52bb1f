package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// Every class action, and the data source's read, survives the faults of a real network and API:
// throttling (retried past max_retries = 0), an InternalError or a gateway's 503 before the action runs,
// and a reply lost after it ran. A lost CreateClass reply leaves exactly one class, tracked; a rename or a
// delete whose outcome is unknown is sent again, as doing it twice leaves the same state as once.
func TestAccClass_faultsAreRetried(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	cases := map[string]struct {
		fault      emulator.Fault
		maxRetries int
		// attempts is how many times each faulty action is sent.
		attempts int
	}{
		"throttled": {
			fault:    emulator.Fault{Times: 3, Code: "RequestLimitExceeded", Message: "Too many requests."},
			attempts: 4,
		},
		"internal error": {
			fault:      emulator.Fault{Times: 1, Code: "InternalError", Message: "Injected failure."},
			maxRetries: 1,
			attempts:   2,
		},
		"gateway 503": {
			fault:      emulator.Fault{Times: 1, HTTPStatus: 503},
			maxRetries: 1,
			attempts:   2,
		},
		"lost reply": {
			fault:      emulator.Fault{Times: 1, DropConnection: true, AfterDispatch: true},
			maxRetries: 1,
			attempts:   2,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			provider := env.providerConfig(fmt.Sprintf("max_retries = %d", tc.maxRetries))
			config := func(className string) string {
				return provider + fmt.Sprintf(`
resource "tencentvod_class" "test" {
  name = %q
}

data "tencentvod_classes" "lookup" {
  path = [tencentvod_class.test.name]
}
`, className)
			}
			faulty := func(actions ...string) func() {
				return func() {
					env.baseline = map[string]int{}
					for _, action := range actions {
						env.baseline[action] = env.apiAttempts(action)
						f := tc.fault
						f.Action = action
						env.emu.InjectFault(f)
					}
				}
			}
			runTest(t, resource.TestCase{
				CheckDestroy: env.checkClassesDestroyed,
				Steps: []resource.TestStep{
					{
						PreConfig: faulty("CreateClass", "DescribeAllClass"),
						Config:    config("Faulty"),
						ConfigStateChecks: []statecheck.StateCheck{
							env.expectOnlyClass("tencentvod_class.test", "Faulty"),
							env.expectSentTimes("CreateClass", tc.attempts),
							expectLookedUp("data.tencentvod_classes.lookup", "tencentvod_class.test"),
						},
					},
					{
						PreConfig: faulty("ModifyClass"),
						Config:    config("Faulty, renamed"),
						ConfigStateChecks: []statecheck.StateCheck{
							env.expectOnlyClass("tencentvod_class.test", "Faulty, renamed"),
							env.expectSentTimes("ModifyClass", tc.attempts),
							expectLookedUp("data.tencentvod_classes.lookup", "tencentvod_class.test"),
						},
					},
					{
						PreConfig: faulty("DeleteClass"),
						Config:    provider,
						ConfigStateChecks: []statecheck.StateCheck{
							stateCheck(func(*tfjson.State) error {
								if tree, err := env.classes(); err != nil || len(tree.children(vod.TopLevelParentID)) != 1 {
									return fmt.Errorf("the class was not deleted (%v): %v", err, tree.children(vod.TopLevelParentID))
								}
								return nil
							}),
							env.expectSentTimes("DeleteClass", tc.attempts),
						},
					},
				},
			})
		})
	}
}

// expectOnlyClass checks that the application has one class besides the built-in one, at the top,
// named name, and that address tracks it.
func (e *testEnv) expectOnlyClass(address, name string) statecheck.StateCheck {
	return stateCheck(func(state *tfjson.State) error {
		id, err := classIDInState(state, address)
		if err != nil {
			return err
		}
		tree, err := e.classes()
		if err != nil {
			return err
		}
		var top []string
		for _, c := range tree.children(vod.TopLevelParentID) {
			if c.ClassID != vod.DefaultClassID {
				top = append(top, fmt.Sprintf("%d %q", c.ClassID, c.Name))
			}
		}
		if want := fmt.Sprintf("%d %q", id, name); len(top) != 1 || top[0] != want {
			return fmt.Errorf("VOD has the classes %v; want only %s, which %s tracks", top, want, address)
		}
		return nil
	})
}

// expectSentTimes checks how many times action was sent since env.baseline was taken.
func (e *testEnv) expectSentTimes(action string, want int) statecheck.StateCheck {
	return stateCheck(func(*tfjson.State) error {
		if got := e.callsSince(action); got != want {
			return fmt.Errorf("%s was sent %d times, want %d", action, got, want)
		}
		return nil
	})
}

// expectLookedUp checks that the data source at dataAddress found the class that classAddress tracks.
func expectLookedUp(dataAddress, classAddress string) statecheck.StateCheck {
	return stateCheck(func(state *tfjson.State) error {
		want, err := classIDInState(state, classAddress)
		if err != nil {
			return err
		}
		got, err := classIDInState(state, dataAddress)
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("%s found class %d, want %d", dataAddress, got, want)
		}
		return nil
	})
}

// The batch case for classes, run as a user runs it: `terraform apply -parallelism=20` of a tree
// of classes against an API that allows 20 calls per second per action, with the provider's default
// settings. Every class is created once and tracked, none twice; destroy removes them all.
func TestAccClass_manyAtParallelismTwentyAgainstTwentyPerSecond(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	const parents, childrenEach, perSecond = 10, 5, 20
	const classes = parents * (1 + childrenEach)
	env := newTestEnv(t, func(o *emulator.Options) { o.RateLimit = perSecond })
	var config strings.Builder
	config.WriteString(env.providerConfig())
	for p := range parents {
		fmt.Fprintf(&config, "\nresource \"tencentvod_class\" \"p%02d\" {\n  name = \"Parent %02d\"\n}\n", p, p)
		for c := range childrenEach {
			fmt.Fprintf(&config, "\nresource \"tencentvod_class\" \"p%02d_c%d\" {\n  name      = \"Child %d\"\n"+
				"  parent_id = tencentvod_class.p%02d.class_id\n}\n", p, c, c, p)
		}
	}
	tf := newDirectTerraform(t, config.String())

	if err := tf.tf.Apply(context.Background(), tf.reattach, tfexec.Parallelism(20)); err != nil {
		t.Fatalf("terraform apply -parallelism=20: %s\n%s", err, tf.output)
	}
	state, err := tf.show(context.Background())
	if err != nil {
		t.Fatalf("terraform show: %s", err)
	}
	if err := env.classesTrackedOnce(state, classes); err != nil {
		t.Fatalf("%s\n%s", err, tf.output)
	}
	// The API must really have pushed back, or the test proved nothing.
	if refused := env.emu.Attempts("CreateClass") - classes; refused < classes/10 {
		t.Fatalf("only %d CreateClass calls were refused; the API did not throttle enough to test anything", refused)
	}
	if err := tf.tf.Destroy(context.Background(), tf.reattach, tfexec.Parallelism(20)); err != nil {
		t.Fatalf("terraform destroy -parallelism=20: %s\n%s", err, tf.output)
	}
	tree, err := env.classes()
	if err != nil {
		t.Fatal(err)
	}
	if left := tree.children(vod.TopLevelParentID); len(left) != 1 {
		t.Fatalf("classes left in VOD after destroy: %v", left)
	}
}

// classesTrackedOnce checks that the state holds want untainted classes, each a distinct class of VOD
// with the name in the state, and that VOD has no other class but the built-in one.
func (e *testEnv) classesTrackedOnce(state *tfjson.State, want int) error {
	if state == nil || state.Values == nil || state.Values.RootModule == nil {
		return fmt.Errorf("state is empty")
	}
	tree, err := e.classes()
	if err != nil {
		return err
	}
	tracked := map[int64]string{}
	for _, r := range state.Values.RootModule.Resources {
		if r.Type != "tencentvod_class" {
			continue
		}
		if r.Tainted {
			return fmt.Errorf("%s is tainted", r.Address)
		}
		id, err := classIDInState(state, r.Address)
		if err != nil {
			return err
		}
		if other, dup := tracked[id]; dup {
			return fmt.Errorf("%s and %s track the same class %d", other, r.Address, id)
		}
		tracked[id] = r.Address
		class, found := tree.class(id)
		if !found || class.Name != r.AttributeValues["name"] {
			return fmt.Errorf("%s tracks class %d, which VOD has as %+v (found: %v)", r.Address, id, class, found)
		}
	}
	if len(tracked) != want {
		return fmt.Errorf("%d classes in state, want %d", len(tracked), want)
	}
	// The built-in class 0 is the one class of VOD no resource tracks.
	if inVOD := len(tree.sortedIDs()) - 1; inVOD != want {
		return fmt.Errorf("%d classes in VOD, want %d: some were created twice", inVOD, want)
	}
	return nil
}

// The create timeout runs out while CreateClass is in flight: the call is not abandoned (which would leave
// the class it made untracked, and the next apply refused as a duplicate name) but has a short grace to
// finish, so the class is in the state and the next plan has nothing to do.
func TestAccClass_createTimeoutDuringCreateKeepsTheClassTracked(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	env.emu.InjectFault(emulator.Fault{Action: "CreateClass", Times: 1, AfterDispatch: true, Latency: 3 * time.Second})
	runTest(t, resource.TestCase{
		CheckDestroy: env.checkClassesDestroyed,
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + `
resource "tencentvod_class" "test" {
  name = "Slow"
  timeouts {
    create = "1s"
  }
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				env.expectOnlyClass("tencentvod_class.test", "Slow"),
			},
		}},
	})
}
