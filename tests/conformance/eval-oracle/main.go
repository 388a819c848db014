package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

func main() {
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{
			"var": cty.ObjectVal(map[string]cty.Value{
				"dc": cty.StringVal("dc1"), "n": cty.NumberIntVal(3),
				"list": cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}),
				"map": cty.MapVal(map[string]cty.Value{"k": cty.StringVal("v")}),
				"objs": cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"a": cty.NumberIntVal(1)}), cty.ObjectVal(map[string]cty.Value{"a": cty.NumberIntVal(2)})}),
				"unk": cty.UnknownVal(cty.String),
				"nul": cty.NullVal(cty.String),
			}),
		},
		Functions: map[string]function.Function{
			"upper": stdlib.UpperFunc, "lower": stdlib.LowerFunc, "format": stdlib.FormatFunc,
			"join": stdlib.JoinFunc, "split": stdlib.SplitFunc, "concat": stdlib.ConcatFunc,
			"length": stdlib.LengthFunc, "lookup": stdlib.LookupFunc, "merge": stdlib.MergeFunc,
			"coalesce": stdlib.CoalesceFunc, "min": stdlib.MinFunc, "max": stdlib.MaxFunc,
			"jsonencode": stdlib.JSONEncodeFunc, "jsondecode": stdlib.JSONDecodeFunc,
			"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "floor": stdlib.FloorFunc,
			"keys": stdlib.KeysFunc, "values": stdlib.ValuesFunc, "contains": stdlib.ContainsFunc,
			"trimspace": stdlib.TrimSpaceFunc, "replace": stdlib.ReplaceFunc, "substr": stdlib.SubstrFunc,
			"element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc, "distinct": stdlib.DistinctFunc,
			"range": stdlib.RangeFunc,
			"tostring": stdlib.MakeToFunc(cty.String), "tonumber": stdlib.MakeToFunc(cty.Number), "tobool": stdlib.MakeToFunc(cty.Bool),
		},
	}
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		src := sc.Text()
		code := src
		tpl := false
		useCtx := ctx
		if strings.HasPrefix(code, "NIL ") {
			code = code[4:]
			useCtx = nil
		}
		if strings.HasPrefix(code, "ML ") {
			code = strings.ReplaceAll(code[3:], "\\n", "\n")
		} else if strings.HasPrefix(code, "TPL ") {
			code = strings.ReplaceAll(code[4:], "\\n", "\n")
			tpl = true
		}
		var expr hclsyntax.Expression
		var diags hcl.Diagnostics
		if tpl {
			expr, diags = hclsyntax.ParseTemplate([]byte(code), "t.hcl", hcl.Pos{Line: 1, Column: 1})
		} else {
			expr, diags = hclsyntax.ParseExpression([]byte(code), "t.hcl", hcl.Pos{Line: 1, Column: 1})
		}
		if diags.HasErrors() {
			fmt.Printf("%s\n  PARSE %s\n", src, diags.Error())
			continue
		}
		v, diags := expr.Value(useCtx)
		fmt.Printf("%s\n", src)
		for _, d := range diags {
			fmt.Printf("  DIAG %s | %s | %s\n", d.Summary, d.Detail, d.Subject)
		}
		if !v.IsKnown() {
			tj, _ := ctyjson.MarshalType(v.Type())
			fmt.Printf("  UNKNOWN %s\n", tj)
			continue
		}
		if !v.IsWhollyKnown() {
			tj, _ := ctyjson.MarshalType(v.Type())
			fmt.Printf("  PARTIAL %s\n", tj)
			continue
		}
		tj, _ := ctyjson.MarshalType(v.Type())
		vj, err := ctyjson.Marshal(v, v.Type())
		fmt.Printf("  => %s : %s %v\n", vj, tj, err)
	}
}
