package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Terraform 1.12 to 1.15 features (resource identity, list resources, actions) cannot run through the
// Terraform 1.11 on the test machines, so their tests speak the plugin protocol in process: they call the
// RPCs a newer Terraform would call, with values encoded as Terraform encodes them.

// protocolProvider is this provider served in process, its schemas fetched and, once configure ran,
// pointing at a test's emulator.
type protocolProvider struct {
	t       *testing.T
	server  tfprotov6.ProviderServer
	schemas *tfprotov6.GetProviderSchemaResponse
}

// newProtocolProvider serves the provider and configures it against env's emulator with static
// credentials and the test sub-application, as providerConfig does for Terraform-driven tests. Each
// entry of overrides replaces (or adds) one provider argument.
func newProtocolProvider(t *testing.T, env *testEnv, overrides map[string]tftypes.Value) *protocolProvider {
	t.Helper()
	skipInAccMode(t)
	p := servedProvider(t)
	config := map[string]tftypes.Value{
		"secret_id":    tftypes.NewValue(tftypes.String, emulatorSecretID),
		"secret_key":   tftypes.NewValue(tftypes.String, emulatorSecretKey),
		"endpoint":     tftypes.NewValue(tftypes.String, env.emu.URL()),
		"sts_endpoint": tftypes.NewValue(tftypes.String, env.emu.URL()),
		"cos_endpoint": tftypes.NewValue(tftypes.String, env.emu.URL()),
		"sub_app_id":   tftypes.NewValue(tftypes.Number, emulatorSubAppID),
	}
	for name, value := range overrides {
		config[name] = value
	}
	resp, err := p.server.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.14.0",
		Config:           p.objectValue(p.schemas.Provider, config),
	})
	if err != nil {
		t.Fatalf("ConfigureProvider: %s", err)
	}
	requireNoErrors(t, "ConfigureProvider", resp.Diagnostics)
	return p
}

// servedProvider serves the provider and fetches its schemas, without configuring it.
func servedProvider(t *testing.T) *protocolProvider {
	t.Helper()
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatalf("serving the provider: %s", err)
	}
	schemas, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatalf("GetProviderSchema: %s", err)
	}
	requireNoErrors(t, "GetProviderSchema", schemas.Diagnostics)
	return &protocolProvider{t: t, server: server, schemas: schemas}
}

// objectValue encodes a configuration of schema as Terraform sends it: the attributes given, every other
// attribute null, and every nested block absent (an empty list or set, or a null single block).
func (p *protocolProvider) objectValue(schema *tfprotov6.Schema, attributes map[string]tftypes.Value) *tfprotov6.DynamicValue {
	p.t.Helper()
	objectType, ok := schema.ValueType().(tftypes.Object)
	if !ok {
		p.t.Fatalf("schema's value type is %s, not an object", schema.ValueType())
	}
	known := make(map[string]bool, len(schema.Block.Attributes))
	for _, a := range schema.Block.Attributes {
		known[a.Name] = true
	}
	for _, b := range schema.Block.BlockTypes {
		known[b.TypeName] = true
	}
	values := make(map[string]tftypes.Value, len(objectType.AttributeTypes))
	for name, value := range attributes {
		if !known[name] {
			p.t.Fatalf("the schema has no attribute or block %q", name)
		}
		values[name] = value
	}
	for name, typ := range objectType.AttributeTypes {
		if _, set := values[name]; !set {
			values[name] = absentValue(typ)
		}
	}
	value, err := tfprotov6.NewDynamicValue(objectType, tftypes.NewValue(objectType, values))
	if err != nil {
		p.t.Fatalf("encoding %v: %s", attributes, err)
	}
	return &value
}

// absentValue is what Terraform sends for an attribute or block the configuration leaves out: an empty
// collection for list and set blocks, null otherwise.
func absentValue(typ tftypes.Type) tftypes.Value {
	switch typ.(type) {
	case tftypes.List, tftypes.Set:
		return tftypes.NewValue(typ, []tftypes.Value{})
	default:
		return tftypes.NewValue(typ, nil)
	}
}

// decode unmarshals value as schema's object into a map of its attributes.
func (p *protocolProvider) decode(schema *tfprotov6.Schema, value *tfprotov6.DynamicValue) map[string]tftypes.Value {
	p.t.Helper()
	if value == nil {
		p.t.Fatal("no value to decode")
	}
	decoded, err := value.Unmarshal(schema.ValueType())
	if err != nil {
		p.t.Fatalf("decoding: %s", err)
	}
	attributes := map[string]tftypes.Value{}
	if err := decoded.As(&attributes); err != nil {
		p.t.Fatalf("decoding %s as an object: %s", decoded, err)
	}
	return attributes
}

// requireNoErrors fails the test when diagnostics hold an error, printing all of them.
func requireNoErrors(t *testing.T, rpc string, diagnostics []*tfprotov6.Diagnostic) {
	t.Helper()
	for _, d := range diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Fatalf("%s: %s", rpc, describeDiagnostics(diagnostics))
		}
	}
}

// describeDiagnostics renders diagnostics one per line, for failure messages and error-text checks.
func describeDiagnostics(diagnostics []*tfprotov6.Diagnostic) string {
	var text string
	for _, d := range diagnostics {
		text += fmt.Sprintf("%s: %s: %s\n", d.Severity, d.Summary, d.Detail)
	}
	return text
}

func TestProtocol_providerConfiguresAgainstTheEmulator(t *testing.T) {
	env := newTestEnv(t)
	p := newProtocolProvider(t, env, nil)
	if p.schemas.ResourceSchemas["tencentvod_media"] == nil {
		t.Fatal("GetProviderSchema lists no tencentvod_media resource")
	}
	// Configure must see the configuration it is sent: an invalid region is refused.
	bad := servedProvider(t)
	resp, err := bad.server.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{
		Config: bad.objectValue(bad.schemas.Provider, map[string]tftypes.Value{
			"region": tftypes.NewValue(tftypes.String, "not a region!"),
		}),
	})
	if err != nil {
		t.Fatalf("ConfigureProvider: %s", err)
	}
	if len(resp.Diagnostics) == 0 {
		t.Fatal("ConfigureProvider accepted an invalid region")
	}
}

// actionServer is the served provider's action RPCs, which tfprotov6.ProviderServer does not declare.
func (p *protocolProvider) actionServer() tfprotov6.ProviderServerWithActions {
	p.t.Helper()
	server, ok := p.server.(tfprotov6.ProviderServerWithActions)
	if !ok {
		p.t.Fatalf("the served provider (%T) has no action RPCs", p.server)
	}
	return server
}

// actionConfig encodes a configuration of the action typeName, as objectValue does.
func (p *protocolProvider) actionConfig(typeName string, attributes map[string]tftypes.Value) *tfprotov6.DynamicValue {
	p.t.Helper()
	s, ok := p.schemas.ActionSchemas[typeName]
	if !ok {
		p.t.Fatalf("GetProviderSchema lists no action %s", typeName)
	}
	return p.objectValue(s.Schema, attributes)
}

// invocation is what an InvokeAction stream delivered: each progress message in order, and the
// completed event's diagnostics.
type invocation struct {
	progress    []string
	diagnostics []*tfprotov6.Diagnostic
}

// text is everything the invocation showed the user, for checks that span events and diagnostics.
func (i invocation) text() string {
	return strings.Join(i.progress, "\n") + "\n" + describeDiagnostics(i.diagnostics)
}

// invokeAction calls InvokeAction as Terraform does and reads its whole event stream. ctx is the RPC's:
// cancelling it is what Terraform does when interrupted. onProgress, when set, sees each progress
// message as it arrives.
func (p *protocolProvider) invokeAction(ctx context.Context, typeName string, attributes map[string]tftypes.Value, onProgress func(string)) invocation {
	p.t.Helper()
	stream, err := p.actionServer().InvokeAction(ctx, &tfprotov6.InvokeActionRequest{
		ActionType: typeName,
		Config:     p.actionConfig(typeName, attributes),
	})
	if err != nil {
		p.t.Fatalf("InvokeAction: %s", err)
	}
	var result invocation
	completed := 0
	for event := range stream.Events {
		switch e := event.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			result.progress = append(result.progress, e.Message)
			if onProgress != nil {
				onProgress(e.Message)
			}
		case tfprotov6.CompletedInvokeActionEventType:
			result.diagnostics = e.Diagnostics
			completed++
		}
	}
	if completed != 1 {
		p.t.Fatalf("InvokeAction sent %d completed events, want 1", completed)
	}
	return result
}

// unknownString is a string whose value is known only after apply.
func unknownString() tftypes.Value { return tftypes.NewValue(tftypes.String, tftypes.UnknownValue) }
