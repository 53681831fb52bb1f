//go:build generate

// Package tools pins the code generators used by `make generate`. It lives in its
// own module so their dependencies never reach the provider's go.mod.
package tools

import (
	// tfplugindocs renders docs/ from templates/, examples/ and the provider schema.
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
)

// Format the examples first: the docs embed them verbatim. Needs Terraform on PATH, as
// tfplugindocs does to read the provider schema.
//go:generate terraform fmt -recursive ../examples/

// Generate documentation.
//go:generate go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs generate --provider-dir .. --provider-name tencentvod

// Check the generated documentation against the registry's layout and the provider schema.
//go:generate go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs validate --provider-dir .. --provider-name tencentvod
