package provider

import (
	"math/big"
	"path/filepath"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"
)

// The documented list blocks (examples/list-resources, which need Terraform 1.14 to run) are valid: each
// parses, names this provider, passes ValidateListResourceConfig, and lists without error against the
// emulator with the block's include_resource and limit.
func TestProtocol_listResourceExamples(t *testing.T) {
	env := newTestEnv(t)
	p := newProtocolProvider(t, env, nil)
	files, err := filepath.Glob(filepath.Join("..", "..", "examples", "list-resources", "*", "list-resource*.tfquery.hcl"))
	if err != nil || len(files) < 2 {
		t.Fatalf("found the examples %v (%v), want at least 2", files, err)
	}
	for _, file := range files {
		typeName := filepath.Base(filepath.Dir(file))
		example := readExampleFile(t, "list-resources", typeName, filepath.Base(file))
		for _, block := range parseListBlocks(t, file, example) {
			if block.typeName != typeName || block.provider != "tencentvod" {
				t.Errorf("%s: list %q %q with provider %q, want a %s of provider tencentvod", file, block.typeName, block.name, block.provider, typeName)
				continue
			}
			config := p.listConfigFromHCL(block.typeName, block.config)
			requireNoErrors(t, "ValidateListResourceConfig of "+block.name, p.validateList(block.typeName, config))
			requireNoErrors(t, "ListResource of "+block.name, listDiagnostics(p.listResources(block.typeName, config, block.includeResource, block.limit)))
		}
	}
}

// exampleListBlock is one `list` block of a .tfquery.hcl file.
type exampleListBlock struct {
	typeName, name, provider string
	includeResource          bool
	limit                    int64
	config                   *hclsyntax.Body // nil without a config block
}

// parseListBlocks reads the list blocks of a query file: the block's own arguments, and its config block
// as written.
func parseListBlocks(t *testing.T, file, source string) []exampleListBlock {
	t.Helper()
	parsed, diags := hclsyntax.ParseConfig([]byte(source), file, hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	body, ok := parsed.Body.(*hclsyntax.Body)
	if !ok {
		t.Fatalf("%s: not native HCL syntax", file)
	}
	var blocks []exampleListBlock
	for _, b := range body.Blocks {
		if b.Type != "list" || len(b.Labels) != 2 {
			t.Fatalf("%s: unexpected block %s %v", file, b.Type, b.Labels)
		}
		block := exampleListBlock{typeName: b.Labels[0], name: b.Labels[1], limit: 100} // Terraform's default limit
		for name, attr := range b.Body.Attributes {
			switch name {
			case "provider":
				block.provider = hcl.ExprAsKeyword(attr.Expr)
			case "include_resource":
				block.includeResource = exampleValue(t, attr).True()
			case "limit":
				block.limit, _ = exampleValue(t, attr).AsBigFloat().Int64()
			default:
				t.Fatalf("%s: list %s has an unexpected argument %s", file, block.name, name)
			}
		}
		for _, inner := range b.Body.Blocks {
			if inner.Type != "config" {
				t.Fatalf("%s: list %s has an unexpected block %s", file, block.name, inner.Type)
			}
			block.config = inner.Body
		}
		blocks = append(blocks, block)
	}
	return blocks
}

func exampleValue(t *testing.T, attr *hclsyntax.Attribute) cty.Value {
	t.Helper()
	value, diags := attr.Expr.Value(nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return value
}

// listConfigFromHCL encodes a config block's arguments and nested blocks as the list schema's values.
func (p *protocolProvider) listConfigFromHCL(typeName string, body *hclsyntax.Body) map[string]tftypes.Value {
	p.t.Helper()
	config := map[string]tftypes.Value{}
	if body == nil {
		return config
	}
	types := p.listAttributeTypes(typeName)
	for name, attr := range body.Attributes {
		config[name] = p.tfValue(exampleValue(p.t, attr), types[name])
	}
	for _, block := range body.Blocks {
		blockType, ok := types[block.Type].(tftypes.Object)
		if !ok {
			p.t.Fatalf("%s has no single nested block %s", typeName, block.Type)
		}
		values := map[string]tftypes.Value{}
		for name, typ := range blockType.AttributeTypes {
			values[name] = tftypes.NewValue(typ, nil)
			if attr, set := block.Body.Attributes[name]; set {
				values[name] = p.tfValue(exampleValue(p.t, attr), typ)
			}
		}
		config[block.Type] = tftypes.NewValue(blockType, values)
	}
	return config
}

// tfValue converts an HCL value to typ: strings, numbers, bools and lists of them.
func (p *protocolProvider) tfValue(v cty.Value, typ tftypes.Type) tftypes.Value {
	p.t.Helper()
	switch {
	case typ == nil:
		p.t.Fatalf("the value %#v is for an argument the schema does not have", v)
	case typ.Is(tftypes.String):
		return tftypes.NewValue(typ, v.AsString())
	case typ.Is(tftypes.Number):
		return tftypes.NewValue(typ, new(big.Float).Set(v.AsBigFloat()))
	case typ.Is(tftypes.Bool):
		return tftypes.NewValue(typ, v.True())
	case typ.Is(tftypes.List{}):
		list, ok := typ.(tftypes.List)
		if !ok {
			p.t.Fatalf("%s is not a list type", typ)
		}
		var elements []tftypes.Value
		for _, element := range v.AsValueSlice() {
			elements = append(elements, p.tfValue(element, list.ElementType))
		}
		return tftypes.NewValue(typ, elements)
	}
	p.t.Fatalf("no conversion of %#v to %s", v, typ)
	return tftypes.Value{}
}
