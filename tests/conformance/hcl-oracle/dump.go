// The oracle JSON shape of a parsed file, built with the official parser.
//
// Success (config mode):
//
//	{"file":F,"body":{"attributes":{NAME:{"range":"L:C-L:C","byte":[s,e],"src":S,"value":{"type":T,"value":V}}},
//	                  "blocks":[{"type":T,"labels":[...],"range":R,"body":{...}}]}}
//
// Expression/template modes put {"range","byte","src","value"} under "expr" instead of "body";
// traversal mode (ParseTraversalAbs) puts the steps under "traversal":
//
//	[{"kind":"root","name":N,"range":R},{"kind":"attr",...},{"kind":"index","key":{"type","value"},"range":R}]
//
// Failure:
//
//	{"file":F,"diagnostics":[{"severity","summary","detail","range","byte":[s,e]}]}
//
// "value" is present only when Expr.Value(nil) has no errors: the constant-folded value in cty's
// JSON form (numbers exact, as cty/json writes them with Text('f', -1)).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

type parseMode int

const (
	modeConfig parseMode = iota
	modeExpr
	modeTemplate
	modeTraversal
)

func (m parseMode) String() string {
	return [...]string{"config", "expr", "template", "traversal"}[m]
}

// The flag `meshgw-hcl json` takes for the mode.
func (m parseMode) oursFlag() []string {
	switch m {
	case modeExpr:
		return []string{"--expr"}
	case modeTemplate:
		return []string{"--template"}
	case modeTraversal:
		return []string{"--traversal"}
	}
	return nil
}

type jsonValue struct {
	Type  json.RawMessage `json:"type"`
	Value json.RawMessage `json:"value"`
}

type jsonExpr struct {
	Range string     `json:"range"`
	Byte  [2]int     `json:"byte"`
	Src   string     `json:"src"`
	Value *jsonValue `json:"value,omitempty"`
}

type jsonBlock struct {
	Type   string    `json:"type"`
	Labels []string  `json:"labels"`
	Range  string    `json:"range"`
	Body   *jsonBody `json:"body"`
}

type jsonBody struct {
	Attributes map[string]*jsonExpr `json:"attributes"`
	Blocks     []*jsonBlock         `json:"blocks"`
}

type jsonDiag struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Range    string `json:"range"`
	Byte     [2]int `json:"byte"`
}

// One step of an absolute traversal: "root" and "attr" have a name, "index" a key value.
type jsonStep struct {
	Kind  string     `json:"kind"`
	Name  string     `json:"name,omitempty"`
	Key   *jsonValue `json:"key,omitempty"`
	Range string     `json:"range"`
}

type jsonDoc struct {
	File        string      `json:"file"`
	Body        *jsonBody   `json:"body,omitempty"`
	Expr        *jsonExpr   `json:"expr,omitempty"`
	Traversal   *[]jsonStep `json:"traversal,omitempty"`
	Diagnostics []jsonDiag  `json:"diagnostics,omitempty"`
}

func rangeString(r hcl.Range) string {
	return fmt.Sprintf("%d:%d-%d:%d", r.Start.Line, r.Start.Column, r.End.Line, r.End.Column)
}

// constValue is Expr.Value(nil) in cty JSON, or nil when evaluation reports errors (or panics:
// the oracle must never take the whole run down).
func constValue(expr hclsyntax.Expression) (out *jsonValue) {
	defer func() {
		if recover() != nil {
			out = nil
		}
	}()
	val, diags := expr.Value(nil)
	if diags.HasErrors() || !val.IsWhollyKnown() {
		return nil
	}
	ty, err := ctyjson.MarshalType(val.Type())
	if err != nil {
		return nil
	}
	v, err := ctyjson.Marshal(val, val.Type())
	if err != nil {
		return nil
	}
	return &jsonValue{Type: ty, Value: v}
}

func dumpExpr(src []byte, expr hclsyntax.Expression) *jsonExpr {
	r := expr.Range()
	return &jsonExpr{
		Range: rangeString(r),
		Byte:  [2]int{r.Start.Byte, r.End.Byte},
		Src:   string(r.SliceBytes(src)),
		Value: constValue(expr),
	}
}

func dumpBody(src []byte, body *hclsyntax.Body) *jsonBody {
	out := &jsonBody{Attributes: map[string]*jsonExpr{}, Blocks: []*jsonBlock{}}
	for name, attr := range body.Attributes {
		out.Attributes[name] = dumpExpr(src, attr.Expr)
	}
	for _, b := range body.Blocks {
		labels := b.Labels
		if labels == nil {
			labels = []string{}
		}
		out.Blocks = append(out.Blocks, &jsonBlock{
			Type:   b.Type,
			Labels: labels,
			Range:  rangeString(b.Range()),
			Body:   dumpBody(src, b.Body),
		})
	}
	return out
}

func dumpDiags(diags hcl.Diagnostics) []jsonDiag {
	out := []jsonDiag{}
	for _, d := range diags {
		jd := jsonDiag{Summary: d.Summary, Detail: d.Detail, Severity: "error"}
		if d.Severity == hcl.DiagWarning {
			jd.Severity = "warning"
		}
		if d.Subject != nil {
			jd.Range = rangeString(*d.Subject)
			jd.Byte = [2]int{d.Subject.Start.Byte, d.Subject.End.Byte}
		}
		out = append(out, jd)
	}
	return out
}

// oracleDoc parses src as the official parser does in `mode` and builds its JSON document.
func oracleDoc(filename string, src []byte, mode parseMode) *jsonDoc {
	doc := &jsonDoc{File: filename}
	start := hcl.InitialPos
	switch mode {
	case modeConfig:
		file, diags := hclsyntax.ParseConfig(src, filename, start)
		if diags.HasErrors() {
			doc.Diagnostics = dumpDiags(diags)
			return doc
		}
		doc.Body = dumpBody(file.Bytes, file.Body.(*hclsyntax.Body))
	case modeTraversal:
		trav, diags := hclsyntax.ParseTraversalAbs(src, filename, start)
		if diags.HasErrors() {
			doc.Diagnostics = dumpDiags(diags)
			return doc
		}
		steps := dumpTraversal(trav)
		doc.Traversal = &steps
	default:
		parse := hclsyntax.ParseExpression
		if mode == modeTemplate {
			parse = hclsyntax.ParseTemplate
		}
		expr, diags := parse(src, filename, start)
		if diags.HasErrors() {
			doc.Diagnostics = dumpDiags(diags)
			return doc
		}
		doc.Expr = dumpExpr(src, expr)
	}
	return doc
}

func dumpTraversal(trav hcl.Traversal) []jsonStep {
	steps := []jsonStep{}
	for _, t := range trav {
		switch t := t.(type) {
		case hcl.TraverseRoot:
			steps = append(steps, jsonStep{Kind: "root", Name: t.Name, Range: rangeString(t.SrcRange)})
		case hcl.TraverseAttr:
			steps = append(steps, jsonStep{Kind: "attr", Name: t.Name, Range: rangeString(t.SrcRange)})
		case hcl.TraverseIndex:
			step := jsonStep{Kind: "index", Range: rangeString(t.SrcRange)}
			ty, err1 := ctyjson.MarshalType(t.Key.Type())
			v, err2 := ctyjson.Marshal(t.Key, t.Key.Type())
			if err1 == nil && err2 == nil {
				step.Key = &jsonValue{Type: ty, Value: v}
			}
			steps = append(steps, step)
		default:
			steps = append(steps, jsonStep{Kind: fmt.Sprintf("%T", t), Range: rangeString(t.SourceRange())})
		}
	}
	return steps
}

// encodeDoc is one JSON line, without HTML escaping so that text reads as written.
func encodeDoc(doc *jsonDoc) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func parseModeFlags(args []string) (parseMode, []string) {
	mode := modeConfig
	for len(args) > 0 {
		switch args[0] {
		case "-expr", "--expr":
			mode = modeExpr
		case "-template", "--template":
			mode = modeTemplate
		case "-traversal", "--traversal":
			mode = modeTraversal
		default:
			return mode, args
		}
		args = args[1:]
	}
	return mode, args
}

func runParse(args []string) int {
	mode, files := parseModeFlags(args)
	if len(files) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return 2
	}
	code := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(os.Stderr, "hcl-oracle: %v\n", err)
			return 2
		}
		doc := oracleDoc(f, src, mode)
		if doc.Diagnostics != nil {
			code = 1
		}
		os.Stdout.Write(encodeDoc(doc))
	}
	return code
}
