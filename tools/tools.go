//go:build generate

// Package tools pins the code generators used by `make generate`. It lives in its
// own module so their dependencies never reach the provider's go.mod.
package tools

import (
	// tfplugindocs renders docs/ from templates/, examples/ and the provider schema.
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
)

// Format the examples first: the docs embed them verbatim. Needs Terraform on PATH.
//go:generate terraform fmt -recursive ../examples/

// Write the provider's schemas as `terraform providers schema -json` does, from the provider itself:
// Terraform 1.11 would leave out resource identity (1.12+), list resources and actions (1.14+), and
// their docs with them.
//go:generate go -C .. run ./internal/cmd/providerschema -out tools/providers-schema.json

// Generate documentation.
//go:generate go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs generate --provider-dir .. --provider-name tencentvod --providers-schema providers-schema.json

// Check the generated documentation against the registry's layout and the provider schema.
//go:generate go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs validate --provider-dir .. --provider-name tencentvod --providers-schema providers-schema.json
