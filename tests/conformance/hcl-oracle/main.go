// hcl-oracle: meshgw's differential oracle around HashiCorp's official HCL parser (hclsyntax,
// Debian's golang-github-hashicorp-hcl-v2-dev, v2.14.1).
//
// It prints, for HCL input, the same JSON shape `meshgw-hcl json` prints from our C++ parser, so
// the two can be compared file by file. Subcommands:
//
//	hcl-oracle parse [-expr|-template|-traversal] FILE...  one JSON document per file (JSON lines)
//	hcl-oracle harvest -out DIR                   write the hclsyntax test inputs and fuzz seeds as case files
//	hcl-oracle diff -ours BIN -repo DIR -work DIR  the differential test (see diff.go)
//	hcl-oracle bench [-n K] FILE...               parse+evaluate throughput of the official parser
//
// Build (GOPATH mode, offline, against the Debian tree):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build -o hcl-oracle ./tests/conformance/hcl-oracle
//
// Single-threaded; every subcommand is a one-shot run.
package main

import (
	"fmt"
	"os"
)

const usage = `usage: hcl-oracle <command> [args]
  parse [-expr|-template|-traversal] FILE...  JSON lines: structure, values or diagnostics per file
  harvest [-hcl DIR] -out DIR               write hclsyntax test inputs and fuzz seeds as case files
  diff -ours BIN -repo DIR -work DIR [-hcl DIR] [-v]
                                            differential test against "BIN json"
  bench [-n K] FILE...                      parse+Value(nil) throughput in MB/s
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	args := os.Args[2:]
	var code int
	switch os.Args[1] {
	case "parse", "json": // "json" lets the oracle stand in for meshgw-hcl (diff self-test)
		code = runParse(args)
	case "harvest":
		code = runHarvest(args)
	case "diff":
		code = runDiff(args)
	case "bench":
		code = runBench(args)
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "hcl-oracle: unknown command %q\n%s", os.Args[1], usage)
		code = 2
	}
	os.Exit(code)
}
