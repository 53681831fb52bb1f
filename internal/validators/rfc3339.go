package validators

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

var (
	_ basetypes.StringTypable                    = RFC3339Type{}
	_ basetypes.StringValuable                   = malformedRFC3339{}
	_ xattr.ValidateableAttribute                = malformedRFC3339{}
	_ basetypes.StringValuableWithSemanticEquals = timetypes.RFC3339{}
)

// RFC3339Type is timetypes.RFC3339Type (an RFC 3339 string whose `Z` and `+00:00` forms are semantically
// equal) whose validation error names the attribute. The library's "Invalid RFC3339 String Value" does
// not, and Terraform shows some validation errors without their source location (an ephemeral resource's
// argument set from a variable), which leaves the user guessing which argument is wrong.
//
// Its values are timetypes.RFC3339, so models, state and semantic equality stay the library's. Only a
// malformed string becomes a malformedRFC3339 value, whose validation error stops it before any model
// reads it.
type RFC3339Type struct {
	timetypes.RFC3339Type
}

func (t RFC3339Type) String() string { return "validators.RFC3339Type" }

// Equal also accepts the library's type, which is the type of the (valid) values this type makes:
// objects holding them check that each value's type equals the schema's.
func (t RFC3339Type) Equal(o attr.Type) bool {
	switch o.(type) {
	case RFC3339Type, timetypes.RFC3339Type:
		return true
	}
	return false
}

func (t RFC3339Type) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	if in.IsNull() || in.IsUnknown() {
		return timetypes.RFC3339{StringValue: in}, nil
	}
	if _, err := time.Parse(time.RFC3339, in.ValueString()); err != nil {
		return malformedRFC3339{StringValue: in, reason: err.Error()}, nil
	}
	return timetypes.RFC3339{StringValue: in}, nil
}

// ValueFromTerraform is redefined because the embedded one calls the library's ValueFromString.
func (t RFC3339Type) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	value, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	stringValue, ok := value.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", value)
	}
	valuable, diags := t.ValueFromString(ctx, stringValue)
	if diags.HasError() {
		return nil, fmt.Errorf("converting %s: %v", stringValue, diags)
	}
	return valuable, nil
}

// malformedRFC3339 is a configured string that is not RFC 3339; it exists only to fail validation.
type malformedRFC3339 struct {
	basetypes.StringValue
	reason string
}

func (v malformedRFC3339) Type(context.Context) attr.Type { return RFC3339Type{} }

func (v malformedRFC3339) Equal(o attr.Value) bool {
	other, ok := o.(malformedRFC3339)
	return ok && v.StringValue.Equal(other.StringValue)
}

func (v malformedRFC3339) ValidateAttribute(_ context.Context, req xattr.ValidateAttributeRequest, resp *xattr.ValidateAttributeResponse) {
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid RFC3339 String Value",
		"Attribute "+req.Path.String()+" value must be an RFC 3339 date-time with a time zone, such as "+
			"2030-01-01T00:00:00Z or 2030-01-01T08:00:00+08:00, got "+quote(v.ValueString())+": "+v.reason)
}
