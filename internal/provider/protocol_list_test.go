package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The list-resource RPCs of the protocol harness (protocol_test.go): what `terraform query` calls.

// listServer is the provider's list-resource half of the protocol.
func (p *protocolProvider) listServer() tfprotov6.ListResourceServer {
	p.t.Helper()
	server, ok := p.server.(tfprotov6.ListResourceServer)
	if !ok {
		p.t.Fatal("the provider server does not serve list resources")
	}
	return server
}

// listSchema is the schema of typeName's list block.
func (p *protocolProvider) listSchema(typeName string) *tfprotov6.Schema {
	p.t.Helper()
	schema := p.schemas.ListResourceSchemas[typeName]
	if schema == nil {
		p.t.Fatalf("GetProviderSchema has no list resource %s", typeName)
	}
	return schema
}

// listAttributeTypes is the type of each argument and nested block of typeName's list block.
func (p *protocolProvider) listAttributeTypes(typeName string) map[string]tftypes.Type {
	p.t.Helper()
	object, ok := p.listSchema(typeName).ValueType().(tftypes.Object)
	if !ok {
		p.t.Fatalf("the list block of %s is not an object", typeName)
	}
	return object.AttributeTypes
}

// validateList calls ValidateListResourceConfig with a list block's arguments, as `terraform validate`
// and `terraform query` do first, and returns its diagnostics.
func (p *protocolProvider) validateList(typeName string, config map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	p.t.Helper()
	resp, err := p.listServer().ValidateListResourceConfig(context.Background(), &tfprotov6.ValidateListResourceConfigRequest{
		TypeName: typeName,
		Config:   p.objectValue(p.listSchema(typeName), config),
	})
	if err != nil {
		p.t.Fatalf("ValidateListResourceConfig: %s", err)
	}
	return resp.Diagnostics
}

// listResources calls ListResource with a list block's arguments and the block's include_resource and
// limit, and collects the whole result stream.
func (p *protocolProvider) listResources(typeName string, config map[string]tftypes.Value, includeResource bool, limit int64) []tfprotov6.ListResourceResult {
	p.t.Helper()
	stream, err := p.listServer().ListResource(context.Background(), &tfprotov6.ListResourceRequest{
		TypeName:        typeName,
		Config:          p.objectValue(p.listSchema(typeName), config),
		IncludeResource: includeResource,
		Limit:           limit,
	})
	if err != nil {
		p.t.Fatalf("ListResource: %s", err)
	}
	var results []tfprotov6.ListResourceResult
	for result := range stream.Results {
		results = append(results, result)
	}
	return results
}

// listDiagnostics gathers the diagnostics of every result.
func listDiagnostics(results []tfprotov6.ListResourceResult) []*tfprotov6.Diagnostic {
	var diagnostics []*tfprotov6.Diagnostic
	for _, r := range results {
		diagnostics = append(diagnostics, r.Diagnostics...)
	}
	return diagnostics
}

// generatedConfig is the configuration `terraform query -generate-config-out` writes for a listed
// object. Terraform 1.14 derives it from the object with its ExtractLegacyConfigFromState (the framework
// does not announce the GenerateResourceConfig capability yet), whose rules the framework's
// GenerateResourceConfig copies: arguments keep the object's values; computed-only attributes, deprecated
// ones, an optional and computed `id`, and empty optional strings become null.
func (p *protocolProvider) generatedConfig(typeName string, object *tfprotov6.DynamicValue) *tfprotov6.DynamicValue {
	p.t.Helper()
	resp, err := p.server.GenerateResourceConfig(context.Background(), &tfprotov6.GenerateResourceConfigRequest{
		TypeName: typeName,
		State:    object,
	})
	if err != nil {
		p.t.Fatalf("GenerateResourceConfig: %s", err)
	}
	requireNoErrors(p.t, "GenerateResourceConfig", resp.Diagnostics)
	return resp.Config
}

// tfStringList is a list(string) value.
func tfStringList(values ...string) tftypes.Value {
	elements := make([]tftypes.Value, len(values))
	for i, v := range values {
		elements[i] = tftypes.NewValue(tftypes.String, v)
	}
	return tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, elements)
}
