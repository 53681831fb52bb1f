package provider

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// createClass creates a tencentvod_class and returns its class ID.
func (p *protocolProvider) createClass(name string, parentID int64) int64 {
	p.t.Helper()
	config := map[string]tftypes.Value{"name": tftypes.NewValue(tftypes.String, name)}
	if parentID != 0 {
		config["parent_id"] = tftypes.NewValue(tftypes.Number, parentID)
	}
	created := p.createResource(classType, config)
	return int64Value(p.t, p.decode(p.resourceSchema(classType), created.NewState)["class_id"])
}

// int64Value is the Go int64 of a known number attribute.
func int64Value(t *testing.T, v tftypes.Value) int64 {
	t.Helper()
	var n big.Float
	if err := v.As(&n); err != nil {
		t.Fatalf("%s is not a number: %s", v, err)
	}
	i, _ := n.Int64()
	return i
}

// listedClasses checks each result's class identity in application subAppID and returns the display names.
func (p *protocolProvider) listedClasses(results []tfprotov6.ListResourceResult, subAppID int64) []string {
	p.t.Helper()
	requireNoErrors(p.t, "ListResource", listDiagnostics(results))
	var names []string
	for _, r := range results {
		identity := p.decodeIdentity(classType, r.Identity)
		id := int64Value(p.t, identity["class_id"])
		if diff := diffValues(identity, classIdentityOf(id, subAppID)); diff != "" {
			p.t.Fatalf("result %q: %s", r.DisplayName, diff)
		}
		names = append(names, r.DisplayName)
	}
	return names
}

// Classes are listed parent first, shown by path, without the built-in class; each object is what an
// import saves and plans no change with the configuration generated from it.
func TestProtocol_classList(t *testing.T) {
	env := newTestEnv(t)
	p := newProtocolProvider(t, env, nil)
	movies := p.createClass("Movies", 0)
	trailers := p.createClass("Trailers", movies)
	music := p.createClass("Music", 0)

	results := p.listResources(classType, nil, true, 100)
	want := fmt.Sprint([]string{fmt.Sprintf("Movies (%d)", movies), fmt.Sprintf("Movies > Trailers (%d)", trailers),
		fmt.Sprintf("Music (%d)", music)})
	if got := fmt.Sprint(p.listedClasses(results, emulatorSubAppID)); got != want {
		t.Fatalf("listed %s, want %s", got, want)
	}
	schema := p.resourceSchema(classType)
	for _, result := range results {
		imported := p.importResource(classType, "", result.Identity)
		requireNoErrors(t, "ImportResourceState", imported.Diagnostics)
		resource := imported.ImportedResources[0]
		read := p.readResource(classType, resource.State, resource.Private, resource.Identity)
		requireNoErrors(t, "ReadResource", read.Diagnostics)
		if diff := diffValues(p.decode(schema, result.Resource), p.decode(schema, read.NewState)); diff != "" {
			t.Fatalf("%s: the listed object differs from the imported one: %s", result.DisplayName, diff)
		}
		plan := p.planResource(classType, read.NewState, read.Private, read.NewIdentity, p.generatedConfig(classType, result.Resource))
		p.expectNoChange(classType, read.NewState, plan)
	}

	underMovies := map[string]tftypes.Value{"parent_id": tftypes.NewValue(tftypes.Number, movies)}
	if got := p.listedClasses(p.listResources(classType, underMovies, false, 100), emulatorSubAppID); len(got) != 1 || got[0] != fmt.Sprintf("Movies > Trailers (%d)", trailers) {
		t.Fatalf("under Movies: %v, want Trailers only", got)
	}
	if got := p.listedClasses(p.listResources(classType, nil, false, 2), emulatorSubAppID); len(got) != 2 {
		t.Fatalf("limit 2: %v", got)
	}
	calls := env.emu.Attempts("DescribeAllClass")
	if got := p.listResources(classType, nil, false, 0); len(got) != 0 || env.emu.Attempts("DescribeAllClass") != calls {
		t.Fatalf("limit 0: %d results, %d more DescribeAllClass calls; want none of either", len(got), env.emu.Attempts("DescribeAllClass")-calls)
	}
	otherApp := map[string]tftypes.Value{"sub_app_id": tftypes.NewValue(tftypes.Number, emulatorSubAppID+1)}
	if got := p.listResources(classType, otherApp, false, 100); len(got) != 0 {
		t.Fatalf("another application without classes: %d results", len(got))
	}
	if diagnostics := p.validateList(classType, map[string]tftypes.Value{"parent_id": tftypes.NewValue(tftypes.Number, 0)}); len(diagnostics) == 0 {
		t.Fatal("parent_id 0 (the built-in class, which has no subclasses) was accepted")
	}
}
