#!/usr/bin/env bash
# Crafted HTTP captures (tests/lib/http_pcaps.py), one class of wire
# behaviour each, with the RFC rule each follows: obs-fold (RFC 9112 5.2),
# extension methods (RFC 9110 9.1), bad request lines that keep their
# fields (RFC 9112 3), HTTP/0.9 (RFC 1945 4.1) and a head that never ends,
# server bytes after a response that start no status line (RFC 9112 6.3),
# Content-Length and chunk sizes at 64 bits (RFC 9110 8.6, RFC 9112 7.1).
# hdrlog -r --http must give the expected http records in order, valid
# against the schema, and the kernel (BPF_PROG_TEST_RUN through
# build/tests/test_flow_diff) the same flows and HTTP decisions as the
# offline table.
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
bin=${HDRLOG_BIN:-./build/hdrlog} # another build, to check that this test can fail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

python3 tests/lib/http_pcaps.py "$tmp/pcaps" "$tmp/expect.json" || fail "writing the captures"
for f in "$tmp"/pcaps/*.pcap; do
	name=$(basename "$f")
	"$bin" --http -r "$f" >"$tmp/$name.out" 2>"$tmp/$name.err" ||
		fail "$name: $(cat "$tmp/$name.err")"
done
python3 tests/lib/check_schema.py "$tmp"/*.pcap.out >"$tmp/schema.out" ||
	fail "schema: $(tail -5 "$tmp/schema.out")"
tail -1 "$tmp/schema.out"

python3 - "$tmp" <<'PY' || fail "http records"
import json, sys
tmp = sys.argv[1]
expect = json.load(open(f'{tmp}/expect.json'))
errors, checked = [], 0
def mismatch(rec, want):
    return {k: (rec.get(k), v) for k, v in want.items() if rec.get(k) != v}
for name, want in sorted(expect.items()):
    recs = [json.loads(l) for l in open(f'{tmp}/{name}.out')]
    http = [r for r in recs if r['hdrlog.record'] == 'http']
    if len(http) != len(want['records']):
        errors.append(f'{name}: {len(http)} http records, want {len(want["records"])}: '
                      f'{[r.get("url.path") for r in http]}')
    for i, (r, w) in enumerate(zip(http, want['records'])):
        bad = mismatch(r, w)
        if bad:
            errors.append(f'{name} record {i + 1}: (got, want) {bad}')
        else:
            checked += 1
    if 'flow' in want:
        flow = next((r for r in recs if r['hdrlog.record'] == 'flow'), {})
        bad = mismatch(flow, want['flow'])
        if bad:
            errors.append(f'{name} flow: (got, want) {bad}')
for e in errors:
    print(e)
print(f'{len(expect)} captures, {checked} http records as expected')
sys.exit(1 if errors or not checked else 0)
PY
# the summary counts the unexpected server bytes
grep -q ', 36 unexpected response bytes$' "$tmp/unexpected_response_bytes.pcap.err" ||
	fail "summary: $(tail -1 "$tmp/unexpected_response_bytes.pcap.err")"
[ -x build/tests/test_flow_diff ] || fail "build/tests/test_flow_diff missing (make tests)"
build/tests/test_flow_diff "$tmp/pcaps" >"$tmp/diff.out" 2>&1 ||
	fail "kernel and offline flows differ: $(tail -20 "$tmp/diff.out")"
tail -1 "$tmp/diff.out"
echo "PASS"
