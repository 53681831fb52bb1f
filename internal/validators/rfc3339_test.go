package validators

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Valid, null and unknown strings become the library's own values, so models keep timetypes.RFC3339
// and its semantic equality.
func TestRFC3339Type_keepsTheLibraryValues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, in := range map[string]tftypes.Value{
		"valid":   tftypes.NewValue(tftypes.String, "2030-01-01T08:00:00+08:00"),
		"null":    tftypes.NewValue(tftypes.String, nil),
		"unknown": tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
	} {
		value, err := RFC3339Type{}.ValueFromTerraform(ctx, in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, ok := value.(timetypes.RFC3339); !ok {
			t.Fatalf("%s: value is %T, want timetypes.RFC3339", name, value)
		}
	}
	value, _ := RFC3339Type{}.ValueFromTerraform(ctx, tftypes.NewValue(tftypes.String, "2030-01-01T00:00:00Z"))
	valid, ok := value.(timetypes.RFC3339)
	if !ok {
		t.Fatalf("value is %T, want timetypes.RFC3339", value)
	}
	equal, _ := valid.StringSemanticEquals(ctx, timetypes.NewRFC3339ValueMust("2030-01-01T00:00:00+00:00"))
	if !equal {
		t.Fatal("Z and +00:00 are no longer semantically equal")
	}
	if !(RFC3339Type{}).Equal(RFC3339Type{}) || !(RFC3339Type{}).Equal(valid.Type(ctx)) || (RFC3339Type{}).Equal(basetypes.StringType{}) {
		t.Fatal("RFC3339Type must equal itself and the type of its values, and nothing else")
	}
}

// A malformed string fails validation with a message that names the attribute and the value.
func TestRFC3339Type_malformedValueNamesTheAttribute(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	value, err := RFC3339Type{}.ValueFromTerraform(ctx, tftypes.NewValue(tftypes.String, "tomorrow"))
	if err != nil {
		t.Fatal(err)
	}
	validateable, ok := value.(xattr.ValidateableAttribute)
	if !ok {
		t.Fatalf("value %T cannot be validated", value)
	}
	var resp xattr.ValidateAttributeResponse
	validateable.ValidateAttribute(ctx, xattr.ValidateAttributeRequest{Path: path.Root("expire_time")}, &resp)
	if !resp.Diagnostics.HasError() {
		t.Fatal("a malformed time passed validation")
	}
	detail := resp.Diagnostics[0].Detail()
	if !strings.HasPrefix(detail, "Attribute expire_time value must be an RFC 3339 date-time") || !strings.Contains(detail, `got "tomorrow"`) {
		t.Fatalf("detail %q does not name the attribute and the value", detail)
	}
	if !value.Type(ctx).Equal(RFC3339Type{}) || !value.Equal(value) {
		t.Fatal("the malformed value does not belong to its type")
	}
}
