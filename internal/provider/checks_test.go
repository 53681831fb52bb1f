package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// stateCheck adapts a function to statecheck.StateCheck, for checks that need values only known once
// Terraform has run (what the emulator minted).
type stateCheck func(state *tfjson.State) error

func (f stateCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f(req.State)
}

// planCheck adapts a function to plancheck.PlanCheck.
type planCheck func(plan *tfjson.Plan) error

func (f planCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f(req.Plan)
}

// secretsAbsentFromState fails when any secret appears anywhere in the state Terraform shows.
func secretsAbsentFromState(secrets func() []string) statecheck.StateCheck {
	return stateCheck(func(state *tfjson.State) error {
		return findSecrets("state", state, secrets())
	})
}

// secretsAbsentFromPlan fails when any secret appears anywhere in the plan.
func secretsAbsentFromPlan(secrets func() []string) plancheck.PlanCheck {
	return planCheck(func(plan *tfjson.Plan) error {
		return findSecrets("plan", plan, secrets())
	})
}

func findSecrets(where string, document any, secrets []string) error {
	if len(secrets) == 0 {
		return fmt.Errorf("no secrets to look for in the %s: the test did not mint any", where)
	}
	raw, err := json.Marshal(document)
	if err != nil {
		return err
	}
	for _, secret := range secrets {
		if secret != "" && strings.Contains(string(raw), secret) {
			return fmt.Errorf("a secret (%s...) appears in the %s", secret[:min(6, len(secret))], where)
		}
	}
	return nil
}

// echoData returns the data attribute of echo.test: the ephemeral value the echo provider copied.
func echoData(state *tfjson.State) (map[string]any, error) {
	if state == nil || state.Values == nil || state.Values.RootModule == nil {
		return nil, fmt.Errorf("state is empty")
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.Address == "echo.test" {
			data, ok := r.AttributeValues["data"].(map[string]any)
			if !ok {
				return nil, fmt.Errorf("echo.test data is %T, not an object", r.AttributeValues["data"])
			}
			return plainJSON(data), nil
		}
	}
	return nil, fmt.Errorf("echo.test not in state")
}

// echoProviderConfig copies the upload session named "test" into echo.test.
const echoProviderConfig = `
provider "echo" {
  data = ephemeral.tencentvod_upload_session.test
}

resource "echo" "test" {}
`

// stringAt returns data[key] as a string, "" when it is absent or not a string.
func stringAt(data map[string]any, key string) string {
	s, _ := data[key].(string)
	return s
}

// plainJSON re-decodes a value the way encoding/json does by default (numbers as float64), so that
// expectations can be written as plain literals whichever decoder produced it.
func plainJSON(value map[string]any) map[string]any {
	raw, _ := json.Marshal(value)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

// sessionSecrets lists the secrets of every upload session the emulator opened (session keys, temporary
// keys and tokens), after the other secrets a test passes, for the checks that none leaks.
func (e *testEnv) sessionSecrets(others ...string) []string {
	list := append([]string(nil), others...)
	for _, s := range e.emu.Sessions() {
		list = append(list, s.VodSessionKey, s.TempCertificate.SecretKey, s.TempCertificate.Token)
	}
	return list
}

// traceLogWithCredentialsInEnvironment makes Terraform and the provider log at TRACE to the returned
// file, and gives the emulator's credentials through the environment, as real pipelines do: a literal
// in the configuration is part of the saved plan whatever the provider does. Tests that call it cannot
// run in parallel.
func traceLogWithCredentialsInEnvironment(t *testing.T) string {
	t.Helper()
	logFile := filepath.Join(t.TempDir(), "terraform.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	t.Setenv("TENCENTCLOUD_SECRET_ID", emulatorSecretID)
	t.Setenv("TENCENTCLOUD_SECRET_KEY", emulatorSecretKey)
	return logFile
}
