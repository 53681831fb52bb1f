// Command providerschema writes the provider's schemas in the format of `terraform providers schema
// -json`, read from the provider served in process, for `make generate`.
//
// tfplugindocs normally asks Terraform for that document. Terraform 1.11 leaves out what later versions
// added - resource identity (1.12), list resources and actions (1.14) - so their pages would be missing;
// the provider itself answers for all of them. tfplugindocs reads the result with --providers-schema.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/provider"
)

// providerAddress is the key tfplugindocs looks the provider up by in a schema document: the address it
// installs the provider at when it asks Terraform itself.
const providerAddress = "registry.terraform.io/hashicorp/tencentvod"

func main() {
	out := flag.String("out", "", "file to write the schema JSON to (default: standard output)")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "providerschema:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	server, err := providerserver.NewProtocol6WithError(provider.New("docs")())()
	if err != nil {
		return fmt.Errorf("serving the provider: %w", err)
	}
	schemas, err := exportSchemas(context.Background(), server)
	if err != nil {
		return err
	}
	document, err := json.MarshalIndent(schemas, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the schemas: %w", err)
	}
	document = append(document, '\n')
	if out == "" {
		_, err = os.Stdout.Write(document)
		return err
	}
	return os.WriteFile(out, document, 0o644)
}

// exportSchemas asks server for its schemas, as Terraform does (GetProviderSchema and
// GetResourceIdentitySchemas), and converts them as `terraform providers schema -json` does.
func exportSchemas(ctx context.Context, server tfprotov6.ProviderServer) (*tfjson.ProviderSchemas, error) {
	resp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return nil, fmt.Errorf("GetProviderSchema: %w", err)
	}
	if err := diagnosticsError("GetProviderSchema", resp.Diagnostics); err != nil {
		return nil, err
	}
	// Fail rather than leave pages out silently when the provider gains something not converted here.
	if len(resp.Functions) > 0 || len(resp.StateStoreSchemas) > 0 {
		return nil, errors.New("the provider has functions or state stores, which this exporter does not convert yet")
	}
	identities, err := server.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		return nil, fmt.Errorf("GetResourceIdentitySchemas: %w", err)
	}
	if err := diagnosticsError("GetResourceIdentitySchemas", identities.Diagnostics); err != nil {
		return nil, err
	}

	c := &converter{}
	schema := &tfjson.ProviderSchema{
		ConfigSchema:             c.schema(resp.Provider),
		ResourceSchemas:          convertAll(resp.ResourceSchemas, c.schema),
		DataSourceSchemas:        convertAll(resp.DataSourceSchemas, c.schema),
		EphemeralResourceSchemas: convertAll(resp.EphemeralResourceSchemas, c.schema),
		ListResourceSchemas:      convertAll(resp.ListResourceSchemas, c.schema),
		ActionSchemas:            convertAll(resp.ActionSchemas, c.action),
		ResourceIdentitySchemas:  convertAll(identities.IdentitySchemas, c.identity),
	}
	if c.err != nil {
		return nil, c.err
	}
	return &tfjson.ProviderSchemas{
		FormatVersion: "1.0",
		Schemas:       map[string]*tfjson.ProviderSchema{providerAddress: schema},
	}, nil
}

// diagnosticsError is the error diagnostics hold, if any, with every diagnostic's text.
func diagnosticsError(rpc string, diagnostics []*tfprotov6.Diagnostic) error {
	var errs []string
	for _, d := range diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			errs = append(errs, d.Summary+": "+d.Detail)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %s", rpc, strings.Join(errs, "; "))
}

// convertAll converts each schema of a map, keeping its key; an empty map stays absent from the JSON.
func convertAll[From, To any](schemas map[string]From, convert func(From) To) map[string]To {
	if len(schemas) == 0 {
		return nil
	}
	converted := make(map[string]To, len(schemas))
	for name, s := range schemas {
		converted[name] = convert(s)
	}
	return converted
}

// converter turns protocol schemas into their JSON form. The first type it cannot convert is kept in
// err, so that the conversions read as plain assignments.
type converter struct {
	err error
}

func (c *converter) schema(s *tfprotov6.Schema) *tfjson.Schema {
	if s == nil {
		return nil
	}
	return &tfjson.Schema{Version: uint64(s.Version), Block: c.block(s.Block)}
}

func (c *converter) action(s *tfprotov6.ActionSchema) *tfjson.ActionSchema {
	if s == nil || s.Schema == nil {
		return &tfjson.ActionSchema{}
	}
	return &tfjson.ActionSchema{Block: c.block(s.Schema.Block)}
}

func (c *converter) identity(s *tfprotov6.ResourceIdentitySchema) *tfjson.IdentitySchema {
	identity := &tfjson.IdentitySchema{Version: uint64(s.Version), Attributes: map[string]*tfjson.IdentityAttribute{}}
	for _, a := range s.IdentityAttributes {
		identity.Attributes[a.Name] = &tfjson.IdentityAttribute{
			IdentityType:      c.ctyType(a.Type),
			Description:       a.Description,
			RequiredForImport: a.RequiredForImport,
			OptionalForImport: a.OptionalForImport,
		}
	}
	return identity
}

func (c *converter) block(b *tfprotov6.SchemaBlock) *tfjson.SchemaBlock {
	if b == nil {
		return &tfjson.SchemaBlock{}
	}
	block := &tfjson.SchemaBlock{
		Description:     b.Description,
		DescriptionKind: descriptionKind(b.DescriptionKind),
		Deprecated:      b.Deprecated,
	}
	if len(b.Attributes) > 0 {
		block.Attributes = c.attributes(b.Attributes)
	}
	if len(b.BlockTypes) > 0 {
		block.NestedBlocks = make(map[string]*tfjson.SchemaBlockType, len(b.BlockTypes))
		for _, nested := range b.BlockTypes {
			block.NestedBlocks[nested.TypeName] = &tfjson.SchemaBlockType{
				NestingMode: nestingMode(c, blockNesting, nested.Nesting),
				Block:       c.block(nested.Block),
				MinItems:    uint64(nested.MinItems),
				MaxItems:    uint64(nested.MaxItems),
			}
		}
	}
	return block
}

func (c *converter) attributes(attributes []*tfprotov6.SchemaAttribute) map[string]*tfjson.SchemaAttribute {
	converted := make(map[string]*tfjson.SchemaAttribute, len(attributes))
	for _, a := range attributes {
		attribute := &tfjson.SchemaAttribute{
			Description:     a.Description,
			DescriptionKind: descriptionKind(a.DescriptionKind),
			Deprecated:      a.Deprecated,
			Required:        a.Required,
			Optional:        a.Optional,
			Computed:        a.Computed,
			Sensitive:       a.Sensitive,
			WriteOnly:       a.WriteOnly,
		}
		if a.NestedType != nil {
			attribute.AttributeNestedType = &tfjson.SchemaNestedAttributeType{
				Attributes:  c.attributes(a.NestedType.Attributes),
				NestingMode: nestingMode(c, objectNesting, a.NestedType.Nesting),
			}
		} else {
			attribute.AttributeType = c.ctyType(a.Type)
		}
		converted[a.Name] = attribute
	}
	return converted
}

// ctyType converts a protocol type to Terraform's own, kind by kind, so that a kind it does not know
// fails the export instead of being written wrong.
func (c *converter) ctyType(t tftypes.Type) cty.Type {
	if t == nil {
		c.fail(errors.New("an attribute has no type"))
		return cty.NilType
	}
	for _, primitive := range primitiveTypes {
		if t.Equal(primitive.from) {
			return primitive.to
		}
	}
	switch t := t.(type) {
	case tftypes.List:
		return cty.List(c.ctyType(t.ElementType))
	case tftypes.Set:
		return cty.Set(c.ctyType(t.ElementType))
	case tftypes.Map:
		return cty.Map(c.ctyType(t.ElementType))
	case tftypes.Tuple:
		elements := make([]cty.Type, len(t.ElementTypes))
		for i, e := range t.ElementTypes {
			elements[i] = c.ctyType(e)
		}
		return cty.Tuple(elements)
	case tftypes.Object:
		attributes := make(map[string]cty.Type, len(t.AttributeTypes))
		for name, a := range t.AttributeTypes {
			attributes[name] = c.ctyType(a)
		}
		if len(t.OptionalAttributes) == 0 {
			return cty.Object(attributes)
		}
		optional := make([]string, 0, len(t.OptionalAttributes))
		for name := range t.OptionalAttributes {
			optional = append(optional, name)
		}
		return cty.ObjectWithOptionalAttrs(attributes, optional)
	}
	c.fail(fmt.Errorf("type %s cannot be converted", t))
	return cty.NilType
}

// primitiveTypes pairs the primitive types (a list: tftypes' values cannot be map keys).
var primitiveTypes = []struct {
	from tftypes.Type
	to   cty.Type
}{
	{tftypes.String, cty.String},
	{tftypes.Number, cty.Number},
	{tftypes.Bool, cty.Bool},
	{tftypes.DynamicPseudoType, cty.DynamicPseudoType},
}

// nesting looks a protocol nesting mode up in modes (blockNesting or objectNesting).
func nestingMode[Mode interface {
	comparable
	fmt.Stringer
}](c *converter, modes map[Mode]tfjson.SchemaNestingMode, mode Mode) tfjson.SchemaNestingMode {
	converted, found := modes[mode]
	if !found {
		c.fail(fmt.Errorf("unknown nesting mode %s", mode))
	}
	return converted
}

func (c *converter) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

func descriptionKind(k tfprotov6.StringKind) tfjson.SchemaDescriptionKind {
	if k == tfprotov6.StringKindMarkdown {
		return tfjson.SchemaDescriptionKindMarkdown
	}
	return tfjson.SchemaDescriptionKindPlain
}

var blockNesting = map[tfprotov6.SchemaNestedBlockNestingMode]tfjson.SchemaNestingMode{
	tfprotov6.SchemaNestedBlockNestingModeSingle: tfjson.SchemaNestingModeSingle,
	tfprotov6.SchemaNestedBlockNestingModeGroup:  tfjson.SchemaNestingModeGroup,
	tfprotov6.SchemaNestedBlockNestingModeList:   tfjson.SchemaNestingModeList,
	tfprotov6.SchemaNestedBlockNestingModeSet:    tfjson.SchemaNestingModeSet,
	tfprotov6.SchemaNestedBlockNestingModeMap:    tfjson.SchemaNestingModeMap,
}

var objectNesting = map[tfprotov6.SchemaObjectNestingMode]tfjson.SchemaNestingMode{
	tfprotov6.SchemaObjectNestingModeSingle: tfjson.SchemaNestingModeSingle,
	tfprotov6.SchemaObjectNestingModeList:   tfjson.SchemaNestingModeList,
	tfprotov6.SchemaObjectNestingModeSet:    tfjson.SchemaNestingModeSet,
	tfprotov6.SchemaObjectNestingModeMap:    tfjson.SchemaNestingModeMap,
}
