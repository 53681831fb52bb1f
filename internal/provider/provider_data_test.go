package provider

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// While the provider configuration is unknown (during plan) providerData holds no client. Every type
// reaches it through providerData.Client, which names the unknown arguments instead of returning nil, and
// the steps of one operation use the client that operation took (operation.client). This test keeps it
// so: no other code may read a field named client, so no code path can meet a nil client.
func TestProviderDataClientIsOnlyReachedThroughItsAccessor(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "provider.go" {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "client" {
				return true
			}
			if ident, ok := sel.X.(*ast.Ident); ok && ident.Name == "op" {
				return true // the client an operation took from the accessor when it started
			}
			t.Errorf("%s reads .client directly; use providerData.Client (or the operation's client)", fset.Position(sel.Pos()))
			return true
		})
	}
}
