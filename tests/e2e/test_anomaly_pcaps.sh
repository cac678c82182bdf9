#!/usr/bin/env bash
# Crafted captures (tests/lib/anomaly_pcaps.py), one anomaly kind each and
# the boundary just under each threshold: hdrlog --anomalies -r must give
# exactly the expected anomaly records (one per kind and source per
# window), valid by docs/schema.md, counted in the stats record; and the
# kernel (BPF_PROG_TEST_RUN through build/tests/test_anomaly_diff, on a
# veth in a namespace of this test so that land and martian sources are
# checked too) the same anomaly events as the capture reader.
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
bin=${HDRLOG_BIN:-./build/hdrlog}
tmp=$(mktemp -d)
cleanup() { netns_cleanup; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

python3 tests/lib/anomaly_pcaps.py "$tmp/pcaps" "$tmp/expect.json" || fail "writing the captures"
for f in "$tmp"/pcaps/*.pcap; do
	name=$(basename "$f")
	"$bin" --anomalies -r "$f" >"$tmp/$name.out" 2>"$tmp/$name.err" ||
		fail "$name: $(cat "$tmp/$name.err")"
done
python3 tests/lib/check_schema.py "$tmp"/*.out | tail -1 || fail "schema"

python3 - "$tmp" <<'PY' || fail "anomaly records"
import json, re, sys
tmp = sys.argv[1]
expect = json.load(open(f'{tmp}/expect.json'))
errors, checked = [], 0
for name, wants in sorted(expect.items()):
    lines = [json.loads(l) for l in open(f'{tmp}/{name}.out')]
    recs = [r for r in lines if r['hdrlog.record'] == 'anomaly']
    summary = open(f'{tmp}/{name}.err').read()
    m = re.search(r'(\d+) anomaly records', summary)
    counted = int(m.group(1)) if m else 0
    left = list(recs)
    for want in wants:
        hit = next((r for r in left if all(r.get(k) == v for k, v in want.items())), None)
        if hit is None:
            errors.append(f'{name}: no record matching {want}; got {left}')
        else:
            left.remove(hit)
            checked += 1
    if left:
        errors.append(f'{name}: records not expected: {left}')
    if counted != len(recs):
        errors.append(f'{name}: the summary says {counted} anomaly records; {len(recs)} written')
for e in errors:
    print(e)
print(f'{len(expect)} captures, {checked} anomaly records as expected')
sys.exit(1 if errors or not checked else 0)
PY
[ $? -eq 0 ] || exit 1

# without --anomalies: none
"$bin" -r "$tmp/pcaps/tcp_syn_fin.pcap" 2>/dev/null | grep -q '"anomaly"' &&
	fail "anomaly records without --anomalies"
# text lines
"$bin" --anomalies -o text -r "$tmp/pcaps/port_scan.pcap" 2>/dev/null |
	grep -q 'anomaly port_scan 198.18.0.66 > 198.18.0.2 ports 50000 > 100 ~103 distinct' ||
	fail "text line of port_scan"
# thresholds are options: 99 ports are a scan at --scan-ports 99
"$bin" --anomalies --scan-ports 99 -r "$tmp/pcaps/port_scan_under.pcap" 2>/dev/null |
	grep -q '"port_scan"' || fail "--scan-ports 99"
"$bin" --anomalies --ttl-jump 9 -r "$tmp/pcaps/ttl_jump_under.pcap" 2>/dev/null |
	grep -q '"ttl_jump"' || fail "--ttl-jump 9"
"$bin" --anomalies --scan-ports 1 -r "$tmp/pcaps/port_scan.pcap" >/dev/null 2>"$tmp/err" &&
	fail "--scan-ports 1 accepted"
grep -q "invalid --scan-ports '1'" "$tmp/err" || fail "--scan-ports 1: $(cat "$tmp/err")"

# the kernel: the same events, on a veth of a namespace (not loopback)
netns_setup || fail "namespaces"
ip netns exec "$NS_A" ./build/tests/test_anomaly_diff "$tmp/pcaps" "$VETH_A" | tee "$tmp/diff" ||
	fail "kernel and capture reader differ"
grep -q ' 11:1 12:3 ' "$tmp/diff" || fail "land and martian sources not checked in the kernel"
echo "PASS"
