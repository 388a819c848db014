// The differential conformance test: the official parser (in-process) against `meshgw-hcl json`.
//
// Corpus: every .hcl/.hcldec/.t file of the repository (found at run time), HCL's specsuite, the
// harvested hclsyntax test inputs and fuzz seeds (harvest.go), and our edge cases, whose
// .hcle/.tmpl/.hclt files are read in expression/template/traversal mode.
//
// Contract, per case: the same accept/reject; on reject, the same first error start (line:col);
// on accept, the same blocks (type, labels, in order, recursively), the same attribute names, and
// per attribute the same value (type and value, numbers as exact decimal text) where the oracle
// can evaluate it with no context, else no value on our side either and the same source text.
// Prints every disagreement, then `hcl-oracle: N cases, M agree`; exit 1 unless N == M.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"time"
)

type diffCase struct {
	path string
	mode parseMode
}

// Directories of the repository that hold no sources of ours.
var skipDirs = map[string]bool{".git": true, "build": true, "node_modules": true, ".cache": true}

func repoCases(repo string) ([]diffCase, error) {
	var out []diffCase
	edgeDir := filepath.Join(repo, "tests", "testdata", "hcl", "edge") + string(filepath.Separator)
	err := filepath.WalkDir(repo, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != repo && (skipDirs[d.Name()] || strings.HasPrefix(d.Name(), "build")) {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(p) {
		case ".hcl", ".hcldec", ".t":
			out = append(out, diffCase{p, modeConfig})
		case ".hcle": // expressions and templates only in our edge corpus: elsewhere the
			if strings.HasPrefix(p, edgeDir) { // extensions may mean something else
				out = append(out, diffCase{p, modeExpr})
			}
		case ".tmpl":
			if strings.HasPrefix(p, edgeDir) {
				out = append(out, diffCase{p, modeTemplate})
			}
		case ".hclt":
			if strings.HasPrefix(p, edgeDir) {
				out = append(out, diffCase{p, modeTraversal})
			}
		}
		return nil
	})
	return out, err
}

func specsuiteCases(hclDir string) ([]diffCase, error) {
	var out []diffCase
	err := filepath.WalkDir(filepath.Join(hclDir, "specsuite", "tests"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch filepath.Ext(p) {
		case ".hcl", ".hcldec", ".t":
			out = append(out, diffCase{p, modeConfig})
		}
		return nil
	})
	return out, err
}

// oursDocs runs `ours json [mode flag] FILES...` in batches and returns the JSON line of each file
// by name. A batch that dies (crash, timeout) is retried file by file so one bad input does not
// hide the others; a file with no output maps to a note saying why.
func oursDocs(ours string, mode parseMode, files []string) (map[string]json.RawMessage, map[string]string) {
	docs := map[string]json.RawMessage{}
	notes := map[string]string{}
	const batch = 1000 // arguments per run, well under ARG_MAX
	for i := 0; i < len(files); i += batch {
		end := i + batch
		if end > len(files) {
			end = len(files)
		}
		chunk := files[i:end]
		runOurs(ours, mode, chunk, 5*time.Minute, docs, notes)
		for _, f := range chunk {
			if _, ok := docs[f]; !ok && len(chunk) > 1 {
				delete(notes, f)
				runOurs(ours, mode, []string{f}, 20*time.Second, docs, notes)
			}
		}
	}
	return docs, notes
}

func runOurs(ours string, mode parseMode, files []string, timeout time.Duration,
	docs map[string]json.RawMessage, notes map[string]string) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	args := append([]string{"json"}, mode.oursFlag()...)
	args = append(args, files...)
	cmd := exec.CommandContext(ctx, ours, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var head struct {
			File string `json:"file"`
		}
		if json.Unmarshal(line, &head) != nil {
			continue
		}
		docs[head.File] = append(json.RawMessage(nil), line...)
	}
	// Exit 1 only means some file had errors; anything else is a failure of the tool.
	if exitErr, ok := err.(*exec.ExitError); err != nil && !(ok && exitErr.ExitCode() == 1) {
		for _, f := range files {
			if _, ok := docs[f]; !ok {
				notes[f] = fmt.Sprintf("meshgw-hcl json gave no output: %v; stderr: %s", err,
					truncate(stderr.String(), 400))
			}
		}
	}
	for _, f := range files {
		if _, ok := docs[f]; !ok && notes[f] == "" {
			notes[f] = "meshgw-hcl json printed no line for this file; stderr: " + truncate(stderr.String(), 400)
		}
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// decode reads a document keeping numbers as their decimal text.
func decode(raw []byte) (map[string]interface{}, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]interface{}
	err := dec.Decode(&m)
	return m, err
}

// A disagreement: its kind (for the summary) and what differs.
type disagreement struct {
	kind, text string
}

func disagree(kind, format string, args ...interface{}) *disagreement {
	return &disagreement{kind, fmt.Sprintf(format, args...)}
}

// compareDocs returns nil when ours agrees with the oracle under the contract, else the first
// difference found.
func compareDocs(oracle, ours map[string]interface{}) *disagreement {
	oDiags, oRejects := oracle["diagnostics"].([]interface{})
	uDiags, uRejects := ours["diagnostics"].([]interface{})
	oRejects = oRejects && hasError(oDiags)
	uRejects = uRejects && hasError(uDiags)
	switch {
	case oRejects && !uRejects:
		return disagree("accept/reject", "the oracle rejects, ours accepts")
	case !oRejects && uRejects:
		return disagree("accept/reject", "the oracle accepts, ours rejects")
	case oRejects:
		o, u := firstErrorStart(oDiags), firstErrorStart(uDiags)
		if o != u {
			return disagree("first error position", "first error at %s in the oracle, at %s in ours", o, u)
		}
		return nil
	}
	if oBody, ok := oracle["body"].(map[string]interface{}); ok {
		uBody, ok := ours["body"].(map[string]interface{})
		if !ok {
			return disagree("structure", "ours has no body")
		}
		return compareBody("", oBody, uBody)
	}
	if oSteps, ok := oracle["traversal"].([]interface{}); ok {
		uSteps, ok := ours["traversal"].([]interface{})
		if !ok {
			return disagree("structure", "ours has no traversal")
		}
		return compareTraversal(oSteps, uSteps)
	}
	oExpr, _ := oracle["expr"].(map[string]interface{})
	uExpr, ok := ours["expr"].(map[string]interface{})
	if !ok {
		return disagree("structure", "ours has no expr")
	}
	return compareExpr("the expression", oExpr, uExpr)
}

func hasError(diags []interface{}) bool {
	for _, d := range diags {
		if m, ok := d.(map[string]interface{}); ok && m["severity"] == "error" {
			return true
		}
	}
	return false
}

// firstErrorStart is "line:col" of the first error's start.
func firstErrorStart(diags []interface{}) string {
	for _, d := range diags {
		m, ok := d.(map[string]interface{})
		if !ok || m["severity"] != "error" {
			continue
		}
		r, _ := m["range"].(string)
		start, _, _ := strings.Cut(r, "-")
		return start
	}
	return "(none)"
}

func compareBody(path string, o, u map[string]interface{}) *disagreement {
	oAttrs, _ := o["attributes"].(map[string]interface{})
	uAttrs, _ := u["attributes"].(map[string]interface{})
	if a, b := sortedKeys(oAttrs), sortedKeys(uAttrs); !reflect.DeepEqual(a, b) {
		return disagree("structure", "%sattribute names %v in the oracle, %v in ours", path, a, b)
	}
	for _, name := range sortedKeys(oAttrs) {
		oa, _ := oAttrs[name].(map[string]interface{})
		ua, _ := uAttrs[name].(map[string]interface{})
		if d := compareExpr(fmt.Sprintf("%sattribute %q", path, name), oa, ua); d != nil {
			return d
		}
	}
	oBlocks, _ := o["blocks"].([]interface{})
	uBlocks, _ := u["blocks"].([]interface{})
	if len(oBlocks) != len(uBlocks) {
		return disagree("structure", "%s%d blocks in the oracle, %d in ours", path, len(oBlocks), len(uBlocks))
	}
	for i := range oBlocks {
		ob, _ := oBlocks[i].(map[string]interface{})
		ub, _ := uBlocks[i].(map[string]interface{})
		oHead := fmt.Sprintf("%v %v", ob["type"], ob["labels"])
		uHead := fmt.Sprintf("%v %v", ub["type"], ub["labels"])
		if ob["type"] != ub["type"] || !reflect.DeepEqual(ob["labels"], ub["labels"]) {
			return disagree("structure", "%sblock %d is %s in the oracle, %s in ours", path, i, oHead, uHead)
		}
		obody, _ := ob["body"].(map[string]interface{})
		ubody, _ := ub["body"].(map[string]interface{})
		if d := compareBody(fmt.Sprintf("%sblock %d (%s): ", path, i, oHead), obody, ubody); d != nil {
			return d
		}
	}
	return nil
}

func compareExpr(what string, o, u map[string]interface{}) *disagreement {
	if u == nil {
		return disagree("structure", "%s: missing in ours", what)
	}
	oVal, oHas := o["value"]
	uVal, uHas := u["value"]
	switch {
	case oHas && !uHas:
		return disagree("value", "%s: the oracle evaluates it to %s, ours gives no value", what, compact(oVal))
	case !oHas && uHas:
		return disagree("value", "%s: the oracle cannot evaluate it, ours gives %s", what, compact(uVal))
	case oHas && !reflect.DeepEqual(oVal, uVal):
		return disagree("value", "%s: value %s in the oracle, %s in ours", what, compact(oVal), compact(uVal))
	case !oHas && o["src"] != u["src"]:
		return disagree("source text", "%s: source %q in the oracle, %q in ours", what, o["src"], u["src"])
	}
	return nil
}

// compareTraversal compares the steps' kinds, names and keys (ranges are beyond the contract).
func compareTraversal(o, u []interface{}) *disagreement {
	strip := func(steps []interface{}) []interface{} {
		out := []interface{}{}
		for _, s := range steps {
			m, _ := s.(map[string]interface{})
			out = append(out, []interface{}{m["kind"], m["name"], m["key"]})
		}
		return out
	}
	if a, b := strip(o), strip(u); !reflect.DeepEqual(a, b) {
		return disagree("structure", "traversal %s in the oracle, %s in ours", compact(a), compact(b))
	}
	return nil
}

// writePrefixes writes every proper prefix of each case file of at most maxLen bytes as a case of
// its own: unterminated input of every shape, which exercises error positions and recovery.
func writePrefixes(dir string, cases []diffCase, maxLen int) ([]diffCase, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var out []diffCase
	for i, c := range cases {
		src, err := os.ReadFile(c.path)
		if err != nil {
			return nil, err
		}
		if len(src) > maxLen {
			continue
		}
		for n := 0; n < len(src); n++ {
			p := filepath.Join(dir, fmt.Sprintf("%04d-%s-%d%s", i, strings.TrimSuffix(filepath.Base(c.path), filepath.Ext(c.path)), n, filepath.Ext(c.path)))
			if err := os.WriteFile(p, src[:n], 0o644); err != nil {
				return nil, err
			}
			out = append(out, diffCase{p, c.mode})
		}
	}
	return out, nil
}

func compact(v interface{}) string {
	b, _ := json.Marshal(v)
	return truncate(string(b), 300)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func runDiff(args []string) int {
	fset := flag.NewFlagSet("diff", flag.ExitOnError)
	ours := fset.String("ours", "", "the meshgw-hcl binary")
	repo := fset.String("repo", "", "the repository root (searched for .hcl/.hcldec/.t files)")
	work := fset.String("work", "", "a scratch directory for the harvested case files")
	hclDir := fset.String("hcl", defaultHCLDir, "the hcl/v2 source tree (specsuite, hclsyntax tests)")
	verbose := fset.Bool("v", false, "print both documents for each disagreement in full")
	truncations := fset.Int("truncations", 0, "also diff every prefix of each corpus file up to this many bytes long (0: off)")
	minHarvest := fset.Int("min-harvest", 300, "fail when fewer test inputs are harvested (a broken harvest must not shrink the corpus silently)")
	fset.Parse(args)
	if *ours == "" || *repo == "" || *work == "" {
		fmt.Fprint(os.Stderr, usage)
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "hcl-oracle diff: %v\n", err)
		return 2
	}

	cases, err := repoCases(*repo)
	if err != nil {
		return fail(err)
	}
	spec, err := specsuiteCases(*hclDir)
	if err != nil {
		return fail(err)
	}
	cases = append(cases, spec...)
	harvested, err := harvest(*hclDir)
	if err != nil {
		return fail(err)
	}
	if len(harvested) < *minHarvest {
		return fail(fmt.Errorf("harvested only %d inputs from %s, expected at least %d", len(harvested), *hclDir, *minHarvest))
	}
	caseDir := filepath.Join(*work, "cases")
	if err := os.RemoveAll(caseDir); err != nil {
		return fail(err)
	}
	byMode, err := writeCases(caseDir, harvested)
	if err != nil {
		return fail(err)
	}
	for _, m := range []parseMode{modeConfig, modeExpr, modeTemplate, modeTraversal} {
		for _, p := range byMode[m] {
			cases = append(cases, diffCase{p, m})
		}
	}
	if *truncations > 0 {
		prefixes, err := writePrefixes(filepath.Join(*work, "prefixes"), cases, *truncations)
		if err != nil {
			return fail(err)
		}
		cases = append(cases, prefixes...)
	}

	var agree, identical int
	counts := map[parseMode]int{}
	kinds := map[string]int{}
	for _, m := range []parseMode{modeConfig, modeExpr, modeTemplate, modeTraversal} {
		var files []string
		for _, c := range cases {
			if c.mode == m {
				files = append(files, c.path)
			}
		}
		counts[m] = len(files)
		if len(files) == 0 {
			continue
		}
		docs, notes := oursDocs(*ours, m, files)
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				return fail(err)
			}
			oDoc := encodeDoc(oracleDoc(f, src, m))
			uDoc, ok := docs[f]
			var why *disagreement
			if !ok {
				why = disagree("meshgw-hcl failed", "%s", notes[f])
			} else {
				oMap, _ := decode(oDoc)
				uMap, err := decode(uDoc)
				if err != nil {
					why = disagree("meshgw-hcl failed", "ours printed invalid JSON: %v", err)
				} else {
					why = compareDocs(oMap, uMap)
					if reflect.DeepEqual(oMap, uMap) {
						identical++ // beyond the contract: diagnostics text and every range too
					}
				}
			}
			if why == nil {
				agree++
				continue
			}
			kinds[why.kind]++
			n := 600
			if *verbose {
				n = 1 << 20
			}
			fmt.Printf("DISAGREE %s (%s): %s\n  oracle: %s\n  ours:   %s\n", f, m, why.text,
				truncate(strings.TrimSpace(string(oDoc)), n), truncate(strings.TrimSpace(string(uDoc)), n))
		}
	}
	fmt.Printf("(%d config, %d expr, %d template, %d traversal cases; %d harvested from %s; %d documents identical to the oracle's)\n",
		counts[modeConfig], counts[modeExpr], counts[modeTemplate], counts[modeTraversal], len(harvested), *hclDir, identical)
	if len(kinds) > 0 {
		var parts []string
		for _, k := range sortedKeys(kinds) {
			parts = append(parts, fmt.Sprintf("%s %d", k, kinds[k]))
		}
		fmt.Printf("(disagreements by kind: %s)\n", strings.Join(parts, ", "))
	}
	fmt.Printf("hcl-oracle: %d cases, %d agree\n", len(cases), agree)
	if agree != len(cases) {
		return 1
	}
	return 0
}
