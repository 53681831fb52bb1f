package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/provider"
)

// TestMain serves the provider when Terraform starts this test binary as a plugin (it sets the plugin
// handshake's magic cookie), so that the test below can ask Terraform for the schemas of the very
// provider it exports, without building a provider binary.
func TestMain(m *testing.M) {
	if os.Getenv("TF_PLUGIN_MAGIC_COOKIE") != "" {
		err := providerserver.Serve(context.Background(), provider.New("test"), providerserver.ServeOpts{
			Address: "registry.terraform.io/tencentvod/tencentvod",
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The exported document says what `terraform providers schema -json` says of the same provider, for
// everything the Terraform on PATH knows; what it does not know yet (identity, list resources, actions
// before 1.12 and 1.14) is only in the export.
func TestExportMatchesTerraform(t *testing.T) {
	fromTerraform := terraformProvidersSchema(t)
	server, err := providerserver.NewProtocol6WithError(provider.New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	exported, err := exportSchemas(context.Background(), server)
	if err != nil {
		t.Fatal(err)
	}
	ours := providerEntry(t, asJSON(t, exported), providerAddress)
	theirs := providerEntry(t, fromTerraform, "registry.terraform.io/tencentvod/tencentvod")
	identities, _ := ours["resource_identity_schemas"].(map[string]any)
	for _, typeName := range []string{"tencentvod_media", "tencentvod_class"} {
		if identities[typeName] == nil {
			t.Errorf("the export has no identity schema of %s", typeName)
		}
	}

	for _, onlyNewer := range []string{"resource_identity_schemas", "list_resource_schemas", "action_schemas"} {
		if _, known := theirs[onlyNewer]; !known {
			delete(ours, onlyNewer)
		}
	}
	if diff := firstDifference("", theirs, ours); diff != "" {
		t.Errorf("the export differs from Terraform's: %s", diff)
	}
}

// terraformProvidersSchema runs `terraform providers schema -json` with this test binary installed as
// the provider through a development override.
func terraformProvidersSchema(t *testing.T) map[string]any {
	t.Helper()
	terraform, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatalf("terraform is not on PATH (the tests need Terraform 1.11 or later): %s", err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pluginDir := filepath.Join(dir, "plugins")
	mustWrite(t, filepath.Join(dir, "terraformrc"), fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/tencentvod/tencentvod" = %q
  }
  direct {}
}
`, pluginDir))
	mustWrite(t, filepath.Join(dir, "main.tf"), `terraform {
  required_providers {
    tencentvod = { source = "tencentvod/tencentvod" }
  }
}
`)
	if err := os.MkdirAll(pluginDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, filepath.Join(pluginDir, "terraform-provider-tencentvod")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(terraform, "providers", "schema", "-json")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+filepath.Join(dir, "terraformrc"), "CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1")
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if exitErr, ok := err.(*exec.ExitError); ok {
			stderr = string(exitErr.Stderr)
		}
		t.Fatalf("terraform providers schema -json: %s\n%s", err, stderr)
	}
	var document map[string]any
	if err := json.Unmarshal(out, &document); err != nil {
		t.Fatalf("decoding Terraform's schema JSON: %s", err)
	}
	return document
}

func mustWrite(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// asJSON is v as plain JSON values, as json.Unmarshal gives them.
func asJSON(t *testing.T, v any) map[string]any {
	t.Helper()
	encoded, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var document map[string]any
	if err := json.Unmarshal(encoded, &document); err != nil {
		t.Fatal(err)
	}
	return document
}

// providerEntry is the schemas of the provider at address in a schema document.
func providerEntry(t *testing.T, document map[string]any, address string) map[string]any {
	t.Helper()
	schemas, _ := document["provider_schemas"].(map[string]any)
	entry, ok := schemas[address].(map[string]any)
	if !ok {
		t.Fatalf("the schema document has no provider %s", address)
	}
	return entry
}

// firstDifference describes the first place (in sorted key order) where two JSON values differ.
func firstDifference(path string, want, got any) string {
	wantObject, wantIsObject := want.(map[string]any)
	gotObject, gotIsObject := got.(map[string]any)
	if !wantIsObject || !gotIsObject {
		if !reflect.DeepEqual(want, got) {
			return fmt.Sprintf("%s: Terraform says %v, the export %v", path, want, got)
		}
		return ""
	}
	keys := map[string]bool{}
	for k := range wantObject {
		keys[k] = true
	}
	for k := range gotObject {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		if diff := firstDifference(path+"/"+k, wantObject[k], gotObject[k]); diff != "" {
			return diff
		}
	}
	return ""
}
