// Package validators holds the attribute validators that terraform-plugin-framework-validators does not
// offer. Each one delegates the rule itself to the package that owns it (mostly internal/vod), so that a
// value accepted at validate time is exactly what the client accepts later.
package validators
