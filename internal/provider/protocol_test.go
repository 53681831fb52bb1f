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
	resp, err := p.server.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.14.0",
		Config:           p.objectValue(p.schemas.Provider, emulatorProviderConfig(env, overrides)),
	})
	if err != nil {
		t.Fatalf("ConfigureProvider: %s", err)
	}
	requireNoErrors(t, "ConfigureProvider", resp.Diagnostics)
	return p
}

// emulatorProviderConfig is the provider arguments pointing at env's emulator, with static credentials and
// the test sub-application, each entry of overrides replacing (or adding) one argument.
func emulatorProviderConfig(env *testEnv, overrides map[string]tftypes.Value) map[string]tftypes.Value {
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
	return config
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
	values := make(map[string]tftypes.Value, len(objectType.AttributeTypes))
	for _, a := range schema.Block.Attributes {
		values[a.Name] = tftypes.NewValue(objectType.AttributeTypes[a.Name], nil)
	}
	for _, b := range schema.Block.BlockTypes {
		values[b.TypeName] = absentBlock(b, objectType.AttributeTypes[b.TypeName])
	}
	for name, value := range attributes {
		if _, known := values[name]; !known {
			p.t.Fatalf("the schema has no attribute or block %q", name)
		}
		values[name] = value
	}
	value, err := tfprotov6.NewDynamicValue(objectType, tftypes.NewValue(objectType, values))
	if err != nil {
		p.t.Fatalf("encoding %v: %s", attributes, err)
	}
	return &value
}

// absentBlock is what Terraform sends for a nested block the configuration leaves out: an empty
// collection for list and set blocks, null for a single block.
func absentBlock(block *tfprotov6.SchemaNestedBlock, typ tftypes.Type) tftypes.Value {
	switch block.Nesting {
	case tfprotov6.SchemaNestedBlockNestingModeList, tfprotov6.SchemaNestedBlockNestingModeSet:
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

// resourceSchema is the schema of resource type typeName.
func (p *protocolProvider) resourceSchema(typeName string) *tfprotov6.Schema {
	p.t.Helper()
	schema := p.schemas.ResourceSchemas[typeName]
	if schema == nil {
		p.t.Fatalf("GetProviderSchema lists no resource %s", typeName)
	}
	return schema
}

// nullState is the state of a resource that does not exist (yet): what Terraform sends as the prior
// state of a create.
func (p *protocolProvider) nullState(typeName string) *tfprotov6.DynamicValue {
	p.t.Helper()
	typ := p.resourceSchema(typeName).ValueType()
	value, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
	if err != nil {
		p.t.Fatalf("encoding a null %s: %s", typeName, err)
	}
	return &value
}

// identitySchema is the identity schema of resource type typeName, from GetResourceIdentitySchemas.
func (p *protocolProvider) identitySchema(typeName string) *tfprotov6.ResourceIdentitySchema {
	p.t.Helper()
	resp, err := p.server.GetResourceIdentitySchemas(context.Background(), &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		p.t.Fatalf("GetResourceIdentitySchemas: %s", err)
	}
	requireNoErrors(p.t, "GetResourceIdentitySchemas", resp.Diagnostics)
	schema := resp.IdentitySchemas[typeName]
	if schema == nil {
		p.t.Fatalf("GetResourceIdentitySchemas lists no identity for %s", typeName)
	}
	return schema
}

// identityValue encodes an identity of typeName as Terraform sends it (in an import block's identity, or
// as stored with the state): the attributes given, every other attribute null.
func (p *protocolProvider) identityValue(typeName string, attributes map[string]tftypes.Value) *tfprotov6.ResourceIdentityData {
	p.t.Helper()
	objectType, ok := p.identitySchema(typeName).ValueType().(tftypes.Object)
	if !ok {
		p.t.Fatalf("the identity of %s is a %s, not an object", typeName, p.identitySchema(typeName).ValueType())
	}
	values := make(map[string]tftypes.Value, len(objectType.AttributeTypes))
	for name, typ := range objectType.AttributeTypes {
		values[name] = tftypes.NewValue(typ, nil)
	}
	for name, value := range attributes {
		if _, known := objectType.AttributeTypes[name]; !known {
			p.t.Fatalf("the identity of %s has no attribute %q", typeName, name)
		}
		values[name] = value
	}
	value, err := tfprotov6.NewDynamicValue(objectType, tftypes.NewValue(objectType, values))
	if err != nil {
		p.t.Fatalf("encoding identity %v: %s", attributes, err)
	}
	return &tfprotov6.ResourceIdentityData{IdentityData: &value}
}

// decodeIdentity unmarshals an identity of typeName into a map of its attributes.
func (p *protocolProvider) decodeIdentity(typeName string, identity *tfprotov6.ResourceIdentityData) map[string]tftypes.Value {
	p.t.Helper()
	if identity == nil || identity.IdentityData == nil {
		p.t.Fatalf("no identity of %s was returned", typeName)
	}
	decoded, err := identity.IdentityData.Unmarshal(p.identitySchema(typeName).ValueType())
	if err != nil {
		p.t.Fatalf("decoding identity: %s", err)
	}
	attributes := map[string]tftypes.Value{}
	if err := decoded.As(&attributes); err != nil {
		p.t.Fatalf("decoding identity %s as an object: %s", decoded, err)
	}
	return attributes
}

// proposedNewState is what Terraform proposes to the provider's plan from a prior state and a
// configuration: each argument as configured, and where the configuration leaves a computed attribute
// out, its prior value; for a create, the configuration. (Terraform's own rule also descends into nested blocks; this provider's
// resources have only the timeouts block, which takes its configured value.)
func (p *protocolProvider) proposedNewState(schema *tfprotov6.Schema, prior, config *tfprotov6.DynamicValue) *tfprotov6.DynamicValue {
	p.t.Helper()
	priorValues, configValues := p.decode(schema, prior), p.decode(schema, config) // a null prior decodes empty
	for _, a := range schema.Block.Attributes {
		if priorValue, found := priorValues[a.Name]; found && a.Computed && configValues[a.Name].IsNull() {
			configValues[a.Name] = priorValue
		}
	}
	return p.objectValue(schema, configValues)
}

// planResource calls PlanResourceChange for a resource with prior state (and its private data and
// identity) under config, as Terraform plans it. A create has a null prior state (nullState).
func (p *protocolProvider) planResource(typeName string, prior *tfprotov6.DynamicValue, priorPrivate []byte, priorIdentity *tfprotov6.ResourceIdentityData, config *tfprotov6.DynamicValue) *tfprotov6.PlanResourceChangeResponse {
	p.t.Helper()
	resp, err := p.server.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
		TypeName:         typeName,
		PriorState:       prior,
		PriorPrivate:     priorPrivate,
		PriorIdentity:    priorIdentity,
		ProposedNewState: p.proposedNewState(p.resourceSchema(typeName), prior, config),
		Config:           config,
	})
	if err != nil {
		p.t.Fatalf("PlanResourceChange: %s", err)
	}
	return resp
}

// createResource plans and applies a new resource of typeName with the given configuration, as
// `terraform apply` does, and returns what the apply returned.
func (p *protocolProvider) createResource(typeName string, config map[string]tftypes.Value) *tfprotov6.ApplyResourceChangeResponse {
	p.t.Helper()
	return p.applyResource(typeName, p.nullState(typeName), nil, nil, config)
}

// applyResource plans config against a prior state (with its private data and identity) and applies
// the plan, as `terraform apply` does; a create has a null prior state (nullState).
func (p *protocolProvider) applyResource(typeName string, prior *tfprotov6.DynamicValue, priorPrivate []byte, priorIdentity *tfprotov6.ResourceIdentityData, config map[string]tftypes.Value) *tfprotov6.ApplyResourceChangeResponse {
	p.t.Helper()
	configValue := p.objectValue(p.resourceSchema(typeName), config)
	plan := p.planResource(typeName, prior, priorPrivate, priorIdentity, configValue)
	requireNoErrors(p.t, "PlanResourceChange", plan.Diagnostics)
	resp, err := p.server.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{
		TypeName:        typeName,
		PriorState:      prior,
		PlannedState:    plan.PlannedState,
		PlannedPrivate:  plan.PlannedPrivate,
		PlannedIdentity: plan.PlannedIdentity,
		Config:          configValue,
	})
	if err != nil {
		p.t.Fatalf("ApplyResourceChange: %s", err)
	}
	requireNoErrors(p.t, "ApplyResourceChange", resp.Diagnostics)
	return resp
}

// readResource refreshes a resource as Terraform does before each plan.
func (p *protocolProvider) readResource(typeName string, state *tfprotov6.DynamicValue, private []byte, identity *tfprotov6.ResourceIdentityData) *tfprotov6.ReadResourceResponse {
	p.t.Helper()
	resp, err := p.server.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{
		TypeName:        typeName,
		CurrentState:    state,
		Private:         private,
		CurrentIdentity: identity,
	})
	if err != nil {
		p.t.Fatalf("ReadResource: %s", err)
	}
	return resp
}

// importResource calls ImportResourceState with an import ID, or with an identity when id is "".
func (p *protocolProvider) importResource(typeName, id string, identity *tfprotov6.ResourceIdentityData) *tfprotov6.ImportResourceStateResponse {
	p.t.Helper()
	resp, err := p.server.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{
		TypeName: typeName,
		ID:       id,
		Identity: identity,
	})
	if err != nil {
		p.t.Fatalf("ImportResourceState: %s", err)
	}
	return resp
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
func (p *protocolProvider) actionServer() tfprotov6.ActionServer {
	p.t.Helper()
	server, ok := p.server.(tfprotov6.ActionServer)
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
