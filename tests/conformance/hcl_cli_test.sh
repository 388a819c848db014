#!/bin/sh
# Checks of `meshgw-hcl json` and `meshgw-hcl validate` as commands: exact output lines and exit
# codes on files of tests/testdata/hcl/edge (the expected JSON is the official oracle's output).
#
#   hcl_cli_test.sh SOURCE_DIR MESHGW_HCL
set -u
src=$1 tool=$2
cd "$src/tests/testdata/hcl/edge" || exit 1
failures=0

# expect NAME WANT_EXIT WANT_STDOUT -- ARGS...
expect() {
  name=$1 want_code=$2 want_out=$3
  shift 4
  out=$("$tool" "$@" 2>/dev/null)
  code=$?
  if [ "$code" != "$want_code" ] || [ "$out" != "$want_out" ]; then
    printf 'FAIL %s: meshgw-hcl %s\n  exit %s (want %s)\n  got:  %s\n  want: %s\n' \
      "$name" "$*" "$code" "$want_code" "$out" "$want_out"
    failures=$((failures + 1))
  else
    printf 'ok   %s\n' "$name"
  fi
}

nl='
'
expect validate-clean 0 "" -- validate comment_hash.hcl attr_no_trailing_newline.hcl
expect validate-error 1 \
  'attr_duplicate.hcl:2:1: Attribute redefined; The argument "a" was already set at attr_duplicate.hcl:1,1-2. Each argument may be set only once.' \
  -- validate comment_hash.hcl attr_duplicate.hcl
expect validate-unreadable 1 "no-such-file.hcl: cannot read the file" -- validate no-such-file.hcl
expect validate-usage 2 "" -- validate
expect json-batch 1 \
  '{"file":"attr_duplicate.hcl","diagnostics":[{"severity":"error","summary":"Attribute redefined","detail":"The argument \"a\" was already set at attr_duplicate.hcl:1,1-2. Each argument may be set only once.","range":"2:1-2:2","byte":[6,7]}]}'"$nl"'{"file":"comment_hash.hcl","body":{"attributes":{"a":{"range":"2:5-2:6","byte":[14,15],"src":"1","value":{"type":"number","value":1}}},"blocks":[]}}' \
  -- json attr_duplicate.hcl comment_hash.hcl
expect json-clean 0 \
  '{"file":"comment_hash.hcl","body":{"attributes":{"a":{"range":"2:5-2:6","byte":[14,15],"src":"1","value":{"type":"number","value":1}}},"blocks":[]}}' \
  -- json comment_hash.hcl
expect json-expr 0 \
  '{"file":"num_expr.hcle","expr":{"range":"1:1-1:22","byte":[0,21],"src":"1 + 2 * 3 - 4 / 2 % 3","value":{"type":"number","value":5}}}' \
  -- json --expr num_expr.hcle
expect json-template 0 \
  '{"file":"tmpl_bare_for.tmpl","expr":{"range":"1:1-1:39","byte":[0,38],"src":"%{ for i in [1, 2, 3] }${i}%{ endfor }","value":{"type":"string","value":"123"}}}' \
  -- json --template tmpl_bare_for.tmpl
expect json-traversal 0 \
  '{"file":"trav_abs_simple.hclt","traversal":[{"kind":"root","name":"var","range":"1:1-1:4"},{"kind":"attr","name":"datacenter","range":"1:4-1:15"}]}' \
  -- json --traversal trav_abs_simple.hclt
expect json-usage 2 "" -- json
expect json-bad-flag 2 "" -- json --yaml comment_hash.hcl
expect json-unreadable 2 "" -- json no-such-file.hcl

if [ "$failures" -ne 0 ]; then
  echo "hcl_cli_test: $failures failed"
  exit 1
fi
echo "hcl_cli_test: all passed"
