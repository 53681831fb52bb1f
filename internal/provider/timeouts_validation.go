package provider

import (
	ephemeralschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	resourceschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/validators"
)

// The timeouts library validates its durations with a message that does not name the attribute
// ("\"soon\" must be a string containing a sequence of decimal numbers..."), and Terraform shows some
// validation errors without their source location. These replace its validators with one that names it.
// There are two because the resource and ephemeral schema packages declare the same shapes as distinct
// types, and Go generics cannot reach struct fields.

func resourceTimeoutsNamingAttributes(block resourceschema.Block) resourceschema.Block {
	nested, ok := block.(resourceschema.SingleNestedBlock)
	if !ok {
		return block
	}
	for name, attribute := range nested.Attributes {
		if s, ok := attribute.(resourceschema.StringAttribute); ok {
			s.Validators = []validator.String{validators.Duration()}
			nested.Attributes[name] = s
		}
	}
	return nested
}

func ephemeralTimeoutsNamingAttributes(block ephemeralschema.Block) ephemeralschema.Block {
	nested, ok := block.(ephemeralschema.SingleNestedBlock)
	if !ok {
		return block
	}
	for name, attribute := range nested.Attributes {
		if s, ok := attribute.(ephemeralschema.StringAttribute); ok {
			s.Validators = []validator.String{validators.Duration()}
			nested.Attributes[name] = s
		}
	}
	return nested
}
