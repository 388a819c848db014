// Harvesting the official parser's own test inputs as case files.
//
// The hclsyntax `*_test.go` tables hold a few hundred hand-written inputs, each a struct literal
// with an `input` (or, for traversals, `src`) string field. We read them with go/parser + go/ast (never importing or copying
// HashiCorp's test code into the repository) and classify each input by the table it comes from:
// ParseConfig and normal-mode scanner tables are config files, expression tables expressions,
// template tables templates, the ParseTraversalAbs table traversals. The Go fuzz seeds (`go test fuzz v1` files holding one
// `[]byte("...")`) are unquoted the same way. Cases are written into a build directory at test
// time only.
package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

const defaultHCLDir = "/usr/share/gocode/src/github.com/hashicorp/hcl/v2"

type harvestedCase struct {
	name string // unique, file-name safe: "parser_test-TestParseConfig-012"
	mode parseMode
	src  []byte
}

func (c harvestedCase) ext() string {
	return [...]string{".hcl", ".hcle", ".tmpl", ".hclt"}[c.mode]
}

// Which table holds which kind of input, by test function name.
var harvestTables = map[string]map[string]parseMode{
	"parser_test.go": {
		"TestParseConfig":            modeConfig,
		"TestParseConfigDiagnostics": modeConfig,
	},
	"expression_test.go": {
		"TestExpressionParseAndValue": modeExpr,
		"TestExpressionErrorMessages": modeExpr,
	},
	"expression_template_test.go": {
		"TestTemplateExprParseAndValue": modeTemplate,
	},
	"scan_tokens_test.go": {
		"TestScanTokens_normal":   modeConfig,
		"TestScanTokens_template": modeTemplate,
	},
	"parse_traversal_test.go": {
		"TestParseTraversalAbs": modeTraversal,
	},
}

// stringConst evaluates a string literal or a `+` concatenation of them.
func stringConst(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		a, ok1 := stringConst(e.X)
		b, ok2 := stringConst(e.Y)
		return a + b, ok1 && ok2
	case *ast.ParenExpr:
		return stringConst(e.X)
	}
	return "", false
}

// The field holding a table row's input: `input`, or `src` in the traversal table.
func isInputField(name string) bool { return name == "input" || name == "src" }

// inputFieldIndex is the position of the input field in a table's element struct, or -1.
func inputFieldIndex(st *ast.StructType) int {
	i := 0
	for _, f := range st.Fields.List {
		for _, n := range f.Names {
			if isInputField(n.Name) {
				return i
			}
			i++
		}
	}
	return -1
}

// tableInputs finds `[]struct{input ...}{...}` and `map[K]struct{input ...}{...}` literals in fn
// and returns their input strings in source order.
func tableInputs(fn *ast.FuncDecl) []string {
	var out []string
	ast.Inspect(fn, func(n ast.Node) bool {
		lit, ok := n.(*ast.CompositeLit)
		if !ok {
			return true
		}
		var elem ast.Expr
		switch t := lit.Type.(type) {
		case *ast.ArrayType:
			elem = t.Elt
		case *ast.MapType:
			elem = t.Value
		default:
			return true
		}
		st, ok := elem.(*ast.StructType)
		if !ok {
			return true
		}
		idx := inputFieldIndex(st)
		if idx < 0 {
			return true
		}
		for _, el := range lit.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				el = kv.Value // a map table: the row is the entry's value
			}
			row, ok := el.(*ast.CompositeLit)
			if !ok {
				continue
			}
			if s, ok := rowInput(row, idx); ok {
				out = append(out, s)
			}
		}
		return false
	})
	return out
}

func rowInput(row *ast.CompositeLit, idx int) (string, bool) {
	for i, el := range row.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok && isInputField(id.Name) {
				return stringConst(kv.Value)
			}
			continue
		}
		if i == idx {
			return stringConst(el)
		}
	}
	return "", false
}

// unquoteFuzzSeed reads a `go test fuzz v1` file holding one []byte("...") or string("...").
func unquoteFuzzSeed(data []byte) ([]byte, error) {
	lines := strings.SplitN(string(data), "\n", 2)
	if len(lines) != 2 || strings.TrimSpace(lines[0]) != "go test fuzz v1" {
		return nil, fmt.Errorf("not a go test fuzz v1 file")
	}
	body := strings.TrimSpace(lines[1])
	for _, prefix := range []string{"[]byte(", "string("} {
		if strings.HasPrefix(body, prefix) && strings.HasSuffix(body, ")") {
			s, err := strconv.Unquote(body[len(prefix) : len(body)-1])
			return []byte(s), err
		}
	}
	return nil, fmt.Errorf("unsupported fuzz seed %q", body)
}

var fuzzModes = map[string]parseMode{
	"FuzzParseConfig":       modeConfig,
	"FuzzParseExpression":   modeExpr,
	"FuzzParseTemplate":     modeTemplate,
	"FuzzParseTraversalAbs": modeTraversal,
}

// harvest collects the cases from the installed hcl tree, deduplicated by (mode, input).
func harvest(hclDir string) ([]harvestedCase, error) {
	var cases []harvestedCase
	seen := map[string]bool{}
	add := func(name string, mode parseMode, src []byte) {
		key := fmt.Sprintf("%d:%x", mode, sha256.Sum256(src))
		if seen[key] {
			return
		}
		seen[key] = true
		cases = append(cases, harvestedCase{name: name, mode: mode, src: src})
	}

	syntaxDir := filepath.Join(hclDir, "hclsyntax")
	files := make([]string, 0, len(harvestTables))
	for f := range harvestTables {
		files = append(files, f)
	}
	sort.Strings(files)
	fset := token.NewFileSet()
	for _, fname := range files {
		f, err := parser.ParseFile(fset, filepath.Join(syntaxDir, fname), nil, 0)
		if err != nil {
			return nil, err
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok {
				continue
			}
			mode, ok := harvestTables[fname][fn.Name.Name]
			if !ok {
				continue
			}
			for i, s := range tableInputs(fn) {
				add(fmt.Sprintf("%s-%s-%03d", strings.TrimSuffix(fname, ".go"), fn.Name.Name, i), mode, []byte(s))
			}
		}
	}

	fuzzDir := filepath.Join(syntaxDir, "fuzz", "testdata", "fuzz")
	targets := make([]string, 0, len(fuzzModes))
	for t := range fuzzModes {
		targets = append(targets, t)
	}
	sort.Strings(targets)
	for _, target := range targets {
		entries, err := os.ReadDir(filepath.Join(fuzzDir, target))
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(fuzzDir, target, e.Name()))
			if err != nil {
				return nil, err
			}
			src, err := unquoteFuzzSeed(data)
			if err != nil {
				return nil, fmt.Errorf("%s/%s: %v", target, e.Name(), err)
			}
			base := strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))
			add(fmt.Sprintf("fuzz-%s-%s", target, base), fuzzModes[target], src)
		}
	}
	return cases, nil
}

// writeCases writes each case as DIR/<mode>/<name><ext> and returns the paths by mode.
func writeCases(dir string, cases []harvestedCase) (map[parseMode][]string, error) {
	out := map[parseMode][]string{}
	for _, c := range cases {
		sub := filepath.Join(dir, c.mode.String())
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return nil, err
		}
		p := filepath.Join(sub, c.name+c.ext())
		if err := os.WriteFile(p, c.src, 0o644); err != nil {
			return nil, err
		}
		out[c.mode] = append(out[c.mode], p)
	}
	return out, nil
}

func runHarvest(args []string) int {
	fs := flag.NewFlagSet("harvest", flag.ExitOnError)
	hclDir := fs.String("hcl", defaultHCLDir, "the hcl/v2 source tree")
	outDir := fs.String("out", "", "where to write the case files")
	fs.Parse(args)
	if *outDir == "" {
		fmt.Fprint(os.Stderr, usage)
		return 2
	}
	cases, err := harvest(*hclDir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "hcl-oracle harvest: %v\n", err)
		return 1
	}
	byMode, err := writeCases(*outDir, cases)
	if err != nil {
		fmt.Fprintf(os.Stderr, "hcl-oracle harvest: %v\n", err)
		return 1
	}
	fmt.Printf("hcl-oracle harvest: %d config, %d expr, %d template, %d traversal cases in %s\n",
		len(byMode[modeConfig]), len(byMode[modeExpr]), len(byMode[modeTemplate]),
		len(byMode[modeTraversal]), *outDir)
	return 0
}
