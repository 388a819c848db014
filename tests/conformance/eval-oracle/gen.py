# Regenerates the kCases table of tests/unit/hcl/eval_oracle_test.cc from cases.txt: each case's
# value, type and diagnostics as HashiCorp's HCL 2.14.1 evaluates it (main.go, the Go oracle).
#   cd tests/conformance/eval-oracle
#   GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOCACHE=/tmp/gocache go build -o /tmp/eval-oracle main.go
#   python3 gen.py ../../unit/hcl/eval_oracle_test.cc /tmp/eval-oracle
import subprocess, sys
test_path = sys.argv[1]
oracle = sys.argv[2] if len(sys.argv) > 2 else '../oracle/oracle'
cases_txt = open('cases.txt').read()
out = subprocess.run([oracle], input=cases_txt, capture_output=True, text=True).stdout
cases = []
cur = None
for l in out.split('\n'):
    if not l: continue
    if l.startswith('  '):
        t = l[2:]

        if t.startswith('=> ') and t.endswith(' <nil>'): t = t[:-len(' <nil>')]
        cur[1].append(t)
    else:
        cur = [l, []]; cases.append(cur)
raw = lambda s: 'R"hcl(' + s + ')hcl"'
body = '\n'.join('    {%s,\n     %s},' % (raw(src), raw('\n'.join(exp))) for src, exp in cases)
s = open(test_path).read()
import re
a = s.index('const Case kCases[] =')
m = re.compile(r'\n\s*};\n').search(s, a)
s = s[:a] + 'const Case kCases[] = {\n' + body + '\n};\n' + s[m.end():]
open(test_path, 'w').write(s)
print(len(cases), 'cases; run clang-format -i on', test_path)
