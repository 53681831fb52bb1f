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
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"

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

// Every kind of protocol type converts to Terraform's own, also those this provider's schemas do not use
// yet (which TestExportMatchesTerraform therefore cannot check), and a kind the converter does not know
// fails the export.
func TestCtyType(t *testing.T) {
	for _, tc := range []struct {
		from tftypes.Type
		want cty.Type
	}{
		{tftypes.String, cty.String},
		{tftypes.Number, cty.Number},
		{tftypes.Bool, cty.Bool},
		{tftypes.DynamicPseudoType, cty.DynamicPseudoType},
		{tftypes.List{ElementType: tftypes.String}, cty.List(cty.String)},
		{tftypes.Set{ElementType: tftypes.Number}, cty.Set(cty.Number)},
		{tftypes.Map{ElementType: tftypes.Bool}, cty.Map(cty.Bool)},
		{tftypes.Tuple{ElementTypes: []tftypes.Type{tftypes.String, tftypes.Number}}, cty.Tuple([]cty.Type{cty.String, cty.Number})},
		{
			tftypes.Object{AttributeTypes: map[string]tftypes.Type{"a": tftypes.String, "b": tftypes.List{ElementType: tftypes.Number}}},
			cty.Object(map[string]cty.Type{"a": cty.String, "b": cty.List(cty.Number)}),
		},
		{
			tftypes.Object{AttributeTypes: map[string]tftypes.Type{"a": tftypes.String, "b": tftypes.Number}, OptionalAttributes: map[string]struct{}{"b": {}}},
			cty.ObjectWithOptionalAttrs(map[string]cty.Type{"a": cty.String, "b": cty.Number}, []string{"b"}),
		},
	} {
		c := &converter{}
		if got := c.ctyType(tc.from); c.err != nil || !got.Equals(tc.want) {
			t.Errorf("ctyType(%s) = %#v (%v), want %#v", tc.from, got, c.err, tc.want)
		}
	}
	c := &converter{}
	c.ctyType(nil)
	if c.err == nil {
		t.Error("ctyType(nil) converted without an error")
	}
}

// What Terraform 1.14 prints for list resources and actions, which the Terraform here cannot show: a
// list resource's schema is the `config` block's own (Terraform wraps it in a `config` block with a
// `data` attribute internally, and unwraps it for `providers schema -json`), and an action's is its
// `block`, as tfplugindocs reads them (terraform-json's ProviderSchema).
func TestExportShapesOfListResourcesAndActions(t *testing.T) {
	server, err := providerserver.NewProtocol6WithError(provider.New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	exported, err := exportSchemas(context.Background(), server)
	if err != nil {
		t.Fatal(err)
	}
	schema := exported.Schemas[providerAddress]
	for _, typeName := range []string{"tencentvod_media", "tencentvod_class"} {
		list := schema.ListResourceSchemas[typeName]
		if list == nil || list.Block == nil {
			t.Fatalf("the export has no list resource schema of %s", typeName)
		}
		if list.Block.Attributes["sub_app_id"] == nil || list.Block.NestedBlocks["config"] != nil || list.Block.Attributes["data"] != nil {
			t.Errorf("the list resource schema of %s is not the config block's own: %+v", typeName, list.Block)
		}
	}
	action := schema.ActionSchemas["tencentvod_process_media"]
	if action == nil || action.Block == nil || action.Block.Attributes["file_id"] == nil {
		t.Errorf("the export has no action schema of tencentvod_process_media with its file_id: %+v", action)
	}
}
