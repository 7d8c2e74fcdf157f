package vm_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

// layers are the files of the fault and copy code, bottom first: a file
// may use what files of its own layer or of the layers below declare,
// never what a layer above declares (resident.go ← copy.go, copy_delay.go
// ← fault.go; see the comment at the top of resident.go).
var layers = [][]string{
	{"resident.go"},
	{"copy.go", "copy_delay.go"},
	{"fault.go"},
}

// TestLayers checks that no file of layers uses a function, method, type,
// constant or variable declared in a file of a higher layer. Names are
// matched by spelling, which is enough here: a clash would be a name worth
// changing anyway.
func TestLayers(t *testing.T) {
	fset := token.NewFileSet()
	files := map[string]*ast.File{}
	for _, layer := range layers {
		for _, name := range layer {
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files[name] = f
		}
	}
	for i, layer := range layers {
		above := map[string]string{} // name → file declaring it
		for _, higher := range layers[i+1:] {
			for _, name := range higher {
				for _, id := range declared(files[name]) {
					above[id] = name
				}
			}
		}
		for _, name := range layer {
			ast.Inspect(files[name], func(n ast.Node) bool {
				id, ok := n.(*ast.Ident)
				if !ok {
					return true
				}
				if from, ok := above[id.Name]; ok && !declaresHere(files[name], id) {
					t.Errorf("%s: %s uses %s, declared in %s above it", fset.Position(id.Pos()), name, id.Name, from)
				}
				return true
			})
		}
	}
}

// declared returns the names of the top-level functions, methods, types,
// constants and variables of f.
func declared(f *ast.File) []string {
	var names []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			names = append(names, d.Name.Name)
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					names = append(names, s.Name.Name)
				case *ast.ValueSpec:
					for _, n := range s.Names {
						names = append(names, n.Name)
					}
				}
			}
		}
	}
	return names
}

// declaresHere reports whether id is a name f declares at top level (a
// method of the same name on another type), not a use.
func declaresHere(f *ast.File, id *ast.Ident) bool {
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Name == id {
			return true
		}
	}
	return false
}
