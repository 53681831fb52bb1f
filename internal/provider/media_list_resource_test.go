package provider

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
)

// List resources need Terraform 1.14 (`terraform query`), so these tests call the RPCs it calls, in
// process, against the emulator (see protocol_test.go and protocol_list_test.go).

// listStart is when the bulk media of these tests begin to be created.
var listStart = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// addBulkMedia creates media in the test's emulator and returns their FileIds in creation order.
func (e *testEnv) addBulkMedia(b emulator.BulkMedia) []string {
	e.t.Helper()
	ids, err := e.emu.AddBulkMedia(b)
	if err != nil {
		e.t.Fatal(err)
	}
	return ids
}

// listedFileIDs checks that every result carries a media identity in application subAppID and a
// display name, and returns the identities' file IDs in the order listed.
func (p *protocolProvider) listedFileIDs(results []tfprotov6.ListResourceResult, subAppID int64) []string {
	p.t.Helper()
	requireNoErrors(p.t, "ListResource", listDiagnostics(results))
	ids := make([]string, 0, len(results))
	for _, r := range results {
		identity := p.decodeIdentity(mediaType, r.Identity)
		fileID := stringValue(p.t, identity["file_id"])
		if diff := diffValues(identity, mediaIdentityOf(fileID, subAppID)); diff != "" {
			p.t.Fatalf("result %q has the identity %v: %s", r.DisplayName, identity, diff)
		}
		if !strings.HasSuffix(r.DisplayName, " ("+fileID+")") {
			p.t.Fatalf("display name %q does not end with the file ID %s", r.DisplayName, fileID)
		}
		ids = append(ids, fileID)
	}
	return ids
}

// requireSameIDs fails unless got and want hold the same IDs, each once (order aside).
func requireSameIDs(t *testing.T, got, want []string) {
	t.Helper()
	count := map[string]int{}
	for _, id := range want {
		count[id]++
	}
	for _, id := range got {
		if count[id]--; count[id] < 0 {
			t.Fatalf("%s listed but not expected, or listed twice", id)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("listed %d, want %d", len(got), len(want))
	}
}

func TestProtocol_listResourceSchemas(t *testing.T) {
	p := servedProvider(t)
	for typeName, want := range map[string][]string{
		mediaType: {"sub_app_id", "name_prefixes", "names", "descriptions", "class_ids", "tags", "categories",
			"media_types", "storage_regions", "status", "create_time"},
		classType: {"sub_app_id", "parent_id"},
	} {
		schema := p.listSchema(typeName)
		var got []string
		for _, a := range schema.Block.Attributes {
			got = append(got, a.Name)
			if !a.Optional || a.Description == "" {
				t.Errorf("%s: argument %s must be optional and described", typeName, a.Name)
			}
		}
		for _, b := range schema.Block.BlockTypes {
			got = append(got, b.TypeName)
		}
		requireSameIDs(t, got, want)
		if strings.Contains(fmt.Sprint(got), "limit") {
			t.Errorf("%s: the list block has its own limit; the provider must not add one", typeName)
		}
	}
}

// Bad arguments fail validation with the attribute's name and what is allowed, before any API call.
func TestProtocol_mediaListValidation(t *testing.T) {
	env := newTestEnv(t)
	p := newProtocolProvider(t, env, nil)
	createTime := func(after, before string) tftypes.Value {
		typ, ok := p.listAttributeTypes(mediaType)["create_time"].(tftypes.Object)
		if !ok {
			t.Fatal("create_time is not a single nested block")
		}
		ends := typ.AttributeTypes
		value := func(s string) tftypes.Value {
			switch s {
			case "":
				return tftypes.NewValue(ends["after"], nil)
			case "unknown":
				return tftypes.NewValue(ends["after"], tftypes.UnknownValue)
			}
			return tftypes.NewValue(ends["after"], s)
		}
		return tftypes.NewValue(typ, map[string]tftypes.Value{"after": value(after), "before": value(before)})
	}
	for name, tc := range map[string]struct {
		config map[string]tftypes.Value
		want   []string
	}{
		"too many names": {map[string]tftypes.Value{"names": tfStringList(strings.Split("a b c d e f g h i j k", " ")...)},
			[]string{"names", "10"}},
		"empty prefix":     {map[string]tftypes.Value{"name_prefixes": tfStringList("")}, []string{"name_prefixes[0]", "between 1 and 100"}},
		"long tag":         {map[string]tftypes.Value{"tags": tfStringList(strings.Repeat("t", 33))}, []string{"tags[0]", "32"}},
		"unknown category": {map[string]tftypes.Value{"categories": tfStringList("Movie")}, []string{"categories[0]", "Video", "Image"}},
		"unknown status":   {map[string]tftypes.Value{"status": tfStringList("Banned")}, []string{"status[0]", "SystemForbidden"}},
		"negative class": {map[string]tftypes.Value{"class_ids": tftypes.NewValue(tftypes.List{ElementType: tftypes.Number},
			[]tftypes.Value{tftypes.NewValue(tftypes.Number, -1)})}, []string{"class_ids[0]", "at least 0"}},
		"bad sub_app_id":    {map[string]tftypes.Value{"sub_app_id": tftypes.NewValue(tftypes.Number, 0)}, []string{"sub_app_id", "at least 1"}},
		"malformed time":    {map[string]tftypes.Value{"create_time": createTime("yesterday", "")}, []string{"create_time.after", "RFC 3339"}},
		"empty time window": {map[string]tftypes.Value{"create_time": createTime("2025-06-02T00:00:00Z", "2025-06-01T00:00:00+08:00")}, []string{"create_time.before", "later than create_time.after"}},
		"window within one second": {map[string]tftypes.Value{"create_time": createTime("2025-06-01T00:00:00.2Z", "2025-06-01T00:00:00.7Z")},
			nil},
		"unknown values wait": {map[string]tftypes.Value{
			"names":       tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, tftypes.UnknownValue),
			"create_time": createTime("2025-06-01T00:00:00Z", "unknown")}, nil},
		"fine": {map[string]tftypes.Value{"names": tfStringList("trailer"), "categories": tfStringList("Video", "Audio"),
			"create_time": createTime("2025-06-01T00:00:00Z", "")}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			diagnostics := p.validateList(mediaType, tc.config)
			if tc.want == nil {
				requireNoErrors(t, "ValidateListResourceConfig", diagnostics)
				return
			}
			text := describeDiagnostics(diagnostics)
			for _, fragment := range tc.want {
				if !strings.Contains(text, fragment) {
					t.Errorf("diagnostics do not mention %q:\n%s", fragment, text)
				}
			}
		})
	}
	if calls := env.emu.Attempts("SearchMedia"); calls != 0 {
		t.Fatalf("validation called SearchMedia %d times", calls)
	}
}

// Without include_resource, each result is an identity and a display name; the list block's limit caps
// them and the filters apply; sub_app_id lists another application, whose ID the identities carry.
func TestProtocol_mediaListIdentitiesAndLimit(t *testing.T) {
	env := newTestEnv(t)
	p := newProtocolProvider(t, env, nil)
	keep := env.addBulkMedia(emulator.BulkMedia{Count: 30, Name: "keep-%02d", CreatedFrom: listStart})
	env.addBulkMedia(emulator.BulkMedia{Count: 10, Name: "other-%d", CreatedFrom: listStart})
	elsewhere := env.addBulkMedia(emulator.BulkMedia{Count: 3, Name: "keep-elsewhere-%d", SubAppID: emulatorSubAppID + 1, CreatedFrom: listStart})

	prefix := map[string]tftypes.Value{"name_prefixes": tfStringList("keep-")}
	// `limit = 0`: Terraform reads no result (it stops once it has Limit), so nothing is searched for.
	if results := p.listResources(mediaType, prefix, false, 0); len(results) != 0 || env.emu.Attempts("SearchMedia") != 0 {
		t.Fatalf("limit 0: %d results after %d SearchMedia calls, want none of either", len(results), env.emu.Attempts("SearchMedia"))
	}
	results := p.listResources(mediaType, prefix, false, 10)
	if got := p.listedFileIDs(results, emulatorSubAppID); fmt.Sprint(got) != fmt.Sprint(keep[:10]) {
		t.Fatalf("listed %v, want the 10 oldest keep- media %v", got, keep[:10])
	}
	if results[0].DisplayName != "keep-00 ("+keep[0]+")" || results[0].Resource != nil {
		t.Fatalf("first result %q with resource %v: want keep-00 (%s) and no object", results[0].DisplayName, results[0].Resource, keep[0])
	}
	if calls := env.emu.Calls("SearchMedia"); len(calls) != 1 || fmt.Sprint(calls[0].Params["Limit"]) != "10" {
		t.Fatalf("%d SearchMedia calls, want one asking for 10", len(calls))
	}

	all := p.listResources(mediaType, prefix, false, 100)
	requireSameIDs(t, p.listedFileIDs(all, emulatorSubAppID), keep)

	prefix["sub_app_id"] = tftypes.NewValue(tftypes.Number, emulatorSubAppID+1)
	other := p.listResources(mediaType, prefix, false, 100)
	requireSameIDs(t, p.listedFileIDs(other, emulatorSubAppID+1), elsewhere)
}

// With include_resource, each object is what importing the media by its identity and refreshing it
// saves, and the configuration `-generate-config-out` writes from it plans no change after the import.
func TestProtocol_mediaListObjectsImportWithoutChanges(t *testing.T) {
	env := newTestEnv(t, withTaskDuration(200*time.Millisecond))
	p := newProtocolProvider(t, env, nil)
	video, _ := newMediaFiles(t).random("trailer.mp4", 8<<10)
	p.createResource(mediaType, map[string]tftypes.Value{
		"source":             tftypes.NewValue(tftypes.String, video),
		"media_name":         tftypes.NewValue(tftypes.String, "Trailer"),
		"description":        tftypes.NewValue(tftypes.String, "the summer trailer"),
		"tags":               tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, []tftypes.Value{tftypes.NewValue(tftypes.String, "promo")}),
		"expire_time":        tftypes.NewValue(tftypes.String, time.Now().Add(48*time.Hour).UTC().Format(time.RFC3339)),
		"procedure":          tftypes.NewValue(tftypes.String, "StreamingPreset"),
		"wait_for_procedure": tftypes.NewValue(tftypes.Bool, true),
	})
	env.addBulkMedia(emulator.BulkMedia{Count: 2, Categories: []string{"Audio", "Image"}, Tags: []string{"bulk"}, CreatedFrom: listStart})

	results := p.listResources(mediaType, nil, true, 100)
	if ids := p.listedFileIDs(results, emulatorSubAppID); len(ids) != 3 {
		t.Fatalf("listed %d media, want 3", len(ids))
	}
	schema := p.resourceSchema(mediaType)
	for _, result := range results {
		t.Run(result.DisplayName, func(t *testing.T) {
			if result.Resource == nil {
				t.Fatal("no object although include_resource was asked for")
			}
			imported := p.importResource(mediaType, "", result.Identity)
			requireNoErrors(t, "ImportResourceState", imported.Diagnostics)
			resource := imported.ImportedResources[0]
			read := p.readResource(mediaType, resource.State, resource.Private, resource.Identity)
			requireNoErrors(t, "ReadResource", read.Diagnostics)
			if diff := diffValues(p.decode(schema, result.Resource), p.decode(schema, read.NewState)); diff != "" {
				t.Fatalf("the listed object differs from the imported one: %s", diff)
			}
			p.expectIdentity("ReadResource", mediaType, read.NewIdentity, p.decodeIdentity(mediaType, result.Identity))
			plan := p.planResource(mediaType, read.NewState, read.Private, read.NewIdentity, p.generatedConfig(mediaType, result.Resource))
			p.expectNoChange(mediaType, read.NewState, plan)
		})
	}
	// The processed media's object carries its outputs, as a refresh reads them.
	processed := p.decode(schema, results[len(results)-1].Resource)
	if processed["media_name"].String() == "" || processed["adaptive_streams"].IsNull() {
		t.Fatalf("the uploaded media's object lacks its outputs: %v", processed)
	}
}

// More matches than SearchMedia's 5,000-result window, most of them created in the same second (so that
// second is listed per category): each is listed once, with its identity.
func TestProtocol_mediaListPastTheSearchWindow(t *testing.T) {
	env := newTestEnv(t)
	p := newProtocolProvider(t, env, nil)
	burst := env.addBulkMedia(emulator.BulkMedia{Count: 5400, Name: "burst-%d", Categories: []string{"Video", "Audio", "Image"},
		CreatedFrom: listStart, PerSecond: 5400})
	spread := env.addBulkMedia(emulator.BulkMedia{Count: 700, Name: "spread-%d", CreatedFrom: listStart.Add(time.Minute), PerSecond: 3})
	env.emu.InjectFault(emulator.Fault{Action: "SearchMedia", Times: 2, Code: "RequestLimitExceeded", Message: "slow down"})
	env.emu.InjectFault(emulator.Fault{Action: "SearchMedia", Times: 1, HTTPStatus: http.StatusBadGateway})

	results := p.listResources(mediaType, nil, false, 10000)
	requireSameIDs(t, p.listedFileIDs(results, emulatorSubAppID), append(burst, spread...))
}

// What cannot be listed fails with an error saying why and what to do: a search by names ranked by
// relevance over 5,000 matches (with a limit above 5,000), and a second holding 5,000 media of one category.
func TestProtocol_mediaListRefusals(t *testing.T) {
	env := newTestEnv(t)
	p := newProtocolProvider(t, env, nil)
	env.addBulkMedia(emulator.BulkMedia{Count: 5001, Name: "crowd-%d", CreatedFrom: listStart, PerSecond: 5001})

	byName := map[string]tftypes.Value{"names": tfStringList("crowd")}
	results := p.listResources(mediaType, byName, false, 6000)
	expectErrorDiagnostic(t, "ListResource", listDiagnostics(results), "Too Many VOD Media to List", "relevance", "name_prefixes", "limit")
	// Within the window, the most relevant are listed.
	if ids := p.listedFileIDs(p.listResources(mediaType, byName, false, 100), emulatorSubAppID); len(ids) != 100 {
		t.Fatalf("listed %d by relevance, want 100", len(ids))
	}

	results = p.listResources(mediaType, nil, false, 6000)
	expectErrorDiagnostic(t, "ListResource", listDiagnostics(results), "Too Many VOD Media to List",
		"2025-06-01T12:00:00Z", "Video", "create_time")

	// An API error shows the action, its code and RequestId.
	env.emu.InjectFault(emulator.Fault{Action: "SearchMedia", Code: "InternalError", Message: "broken"})
	results = p.listResources(mediaType, nil, false, 10)
	expectErrorDiagnostic(t, "ListResource", listDiagnostics(results), "Unable to List VOD Media", "SearchMedia", "InternalError", "RequestId")
}

// Without a sub_app_id in the list block or the provider, the account's default application is listed
// and, as an import records it, the identities and objects carry a null sub_app_id.
func TestProtocol_mediaListInTheDefaultApplication(t *testing.T) {
	env := newTestEnv(t)
	p := newProtocolProvider(t, env, map[string]tftypes.Value{"sub_app_id": tftypes.NewValue(tftypes.Number, nil)})
	ids := env.addBulkMedia(emulator.BulkMedia{Count: 3, CreatedFrom: listStart})
	env.addBulkMedia(emulator.BulkMedia{Count: 2, SubAppID: emulatorSubAppID + 1, CreatedFrom: listStart})

	results := p.listResources(mediaType, nil, true, 100)
	requireSameIDs(t, p.listedFileIDs(results, 0), ids)
	if object := p.decode(p.resourceSchema(mediaType), results[0].Resource); !object["sub_app_id"].IsNull() {
		t.Fatalf("the object's sub_app_id is %s, want null", object["sub_app_id"])
	}
	if call := env.emu.Calls("SearchMedia")[0]; call.Params["SubAppId"] != nil {
		t.Fatalf("SearchMedia was sent SubAppId %v, want none", call.Params["SubAppId"])
	}
}

// Results stream as the pages arrive: Terraform, once it has what it wants (or interrupted), stops
// reading, and no more SearchMedia calls are made; a cancelled request makes none.
func TestProtocol_mediaListStreams(t *testing.T) {
	env := newTestEnv(t)
	p := newProtocolProvider(t, env, nil)
	env.addBulkMedia(emulator.BulkMedia{Count: 1200, CreatedFrom: listStart, PerSecond: 2})

	stream, err := p.listServer().ListResource(context.Background(), &tfprotov6.ListResourceRequest{
		TypeName: mediaType,
		Config:   p.objectValue(p.listSchema(mediaType), nil),
		Limit:    1000,
	})
	if err != nil {
		t.Fatal(err)
	}
	for result := range stream.Results {
		requireNoErrors(t, "ListResource", result.Diagnostics)
		break // the first result came with the first page of 500; Terraform stops reading here
	}
	if calls := env.emu.Attempts("SearchMedia"); calls != 1 {
		t.Fatalf("%d SearchMedia calls for the first result, want 1", calls)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	stream, err = p.listServer().ListResource(ctx, &tfprotov6.ListResourceRequest{
		TypeName: mediaType,
		Config:   p.objectValue(p.listSchema(mediaType), nil),
		Limit:    1000,
	})
	if err != nil {
		t.Fatal(err)
	}
	var results []tfprotov6.ListResourceResult
	for result := range stream.Results {
		results = append(results, result)
	}
	expectErrorDiagnostic(t, "ListResource", listDiagnostics(results), "Unable to List VOD Media", "context canceled")
	if calls := env.emu.Attempts("SearchMedia"); calls != 1 {
		t.Fatalf("%d SearchMedia calls in all, want none after the cancellation", calls)
	}
}
