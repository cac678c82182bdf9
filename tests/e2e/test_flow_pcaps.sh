#!/usr/bin/env bash
# Crafted captures (tests/lib/flow_pcaps.py), one connection story each:
# every Zeek conn_state, retransmission, out-of-order, a content gap,
# simultaneous close, RST from either side, FIN+RST, ICMP unreachable
# answers, an HTTP keep-alive story; in time (timed/): the packets after a
# close within Zeek's tcp_close_delay, a REJ retried with the same ISN
# (Zeek's IsReuse), an attempt timing out while its originator sends
# (Zeek's attempt timer); packets/: IPv4 options cut by the snap length
# (RFC 791 3.1: the fragment fields are in the fixed header). hdrlog -r
# must give the expected flow (packet) records, --only-failed exactly the
# failed ones, --http the HTTP story's transactions with its bodies passed
# over, and the kernel (BPF_PROG_TEST_RUN through build/tests/test_flow_diff,
# paced for the timeouts, and test_differential for packets/) the same
# flows, HTTP decisions and headers as the offline side.
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
bin=${HDRLOG_BIN:-./build/hdrlog} # another build, to check that this test can fail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

python3 tests/lib/flow_pcaps.py "$tmp/pcaps" "$tmp/expect.json" || fail "writing the captures"
mkdir -p "$tmp/timed" "$tmp/packets"
for f in "$tmp"/pcaps/*.pcap "$tmp"/pcaps/timed/*.pcap; do
	name=${f#"$tmp/pcaps/"}
	opts=(--handshake-timeout 0)
	[[ $name == timed/* ]] && opts=() # the default timeouts: 5 s
	"$bin" "${opts[@]}" -r "$f" >"$tmp/$name.flows" 2>"$tmp/$name.err" ||
		fail "$name: $(cat "$tmp/$name.err")"
	"$bin" "${opts[@]}" --only-failed -r "$f" >"$tmp/$name.failed" 2>>"$tmp/$name.err" ||
		fail "$name --only-failed: $(cat "$tmp/$name.err")"
done
for f in "$tmp"/pcaps/packets/*.pcap; do
	name=${f#"$tmp/pcaps/"}
	"$bin" --packets all -r "$f" >"$tmp/$name.packets" 2>"$tmp/$name.err" ||
		fail "$name: $(cat "$tmp/$name.err")"
done
python3 tests/lib/check_schema.py "$tmp"/*.flows "$tmp"/*.failed "$tmp"/timed/*.flows "$tmp"/timed/*.failed \
	"$tmp"/packets/*.packets | tail -1 || fail "schema"
# --close-delay 0: the record leaves at the second FIN, the last ACK late
"$bin" --handshake-timeout 0 --close-delay 0 -r "$tmp/pcaps/sf.pcap" >"$tmp/sf0.json" \
	2>"$tmp/sf0.err" || fail "--close-delay 0: $(cat "$tmp/sf0.err")"
grep -q '"hdrlog.flow.orig.packets":4,' "$tmp/sf0.json" && grep -q ' 1 late packets' "$tmp/sf0.err" ||
	fail "--close-delay 0: $(cat "$tmp/sf0.json" "$tmp/sf0.err")"

python3 - "$tmp" <<'PY' || fail "flow records"
import json, sys
tmp = sys.argv[1]
expect = json.load(open(f'{tmp}/expect.json'))
failed_states = {'REJ', 'S0', 'RSTOS0', 'RSTRH', 'SH', 'SHR'}
errors, checked = [], 0
def matches(rec, want):
    return all(rec.get(k) == v for k, v in want.items())
for name, wants in sorted(expect.items()):
    if name.startswith('packets/'):
        recs = [json.loads(l) for l in open(f'{tmp}/{name}.packets')]
        if len(recs) != len(wants) or not all(map(matches, recs, wants)):
            errors.append(f'{name}: {recs}, want {wants}')
        checked += len(recs)
        continue
    recs = [json.loads(l) for l in open(f'{tmp}/{name}.flows')]
    left = list(recs)
    for want in wants:
        hit = next((r for r in left if matches(r, want)), None)
        if hit is None:
            errors.append(f'{name}: no record matching {want}; got {[{k: r.get(k) for k in want} for r in recs]}')
        else:
            left.remove(hit)
            checked += 1
    if left:
        errors.append(f'{name}: records not expected: {left}')
    failed = [json.loads(l) for l in open(f'{tmp}/{name}.failed')]
    want_failed = [r for r in recs if r['hdrlog.flow.conn_state'] in failed_states
                   or r['hdrlog.flow.end_reason'] == 'icmp_unreachable']
    if sorted(map(json.dumps, failed)) != sorted(map(json.dumps, want_failed)):
        errors.append(f'{name} --only-failed: {[r["hdrlog.flow.conn_state"] for r in failed]}, '
                      f'want {[r["hdrlog.flow.conn_state"] for r in want_failed]}')
for e in errors:
    print(e)
print(f'{len(expect)} captures, {checked} flow records as expected')
sys.exit(1 if errors or not checked else 0)
PY
# the HTTP story with --http: bodies passed over, exact sizes, no gap
"$bin" --http -r "$tmp/pcaps/http_keepalive.pcap" >"$tmp/http.json" 2>"$tmp/http.err" ||
	fail "--http: $(cat "$tmp/http.err")"
python3 - "$tmp/http.json" <<'PY' || fail "http records: $(cat "$tmp/http.json")"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
txns = sorted((r['http.request.method'], r.get('http.request.body.size'),
               r.get('http.response.body.size'), r['hdrlog.http.outcome'],
               any('gap' in k for k in r)) for r in recs if r['hdrlog.record'] == 'http')
flow = next(r for r in recs if r['hdrlog.record'] == 'flow')
http = {k: v for k, v in flow.items() if k.startswith('hdrlog.flow.http')}
want = [('GET', 0, 3000, 'complete', False), ('HEAD', 0, 0, 'complete', False),
        ('POST', 2000, 5, 'complete', False)]
want_flow = {'hdrlog.flow.http_transactions': 3, 'hdrlog.flow.http.request_starts': 3,
             'hdrlog.flow.http.method.get': 1, 'hdrlog.flow.http.method.post': 1,
             'hdrlog.flow.http.method.head': 1, 'hdrlog.flow.http.response_starts': 3,
             'hdrlog.flow.http.status.2xx': 3, 'hdrlog.flow.http.orig_uncopied_bytes': 1500,
             'hdrlog.flow.http.resp_uncopied_bytes': 2000}
print(f'http story: {txns}')
ok = txns == want and http == want_flow
if not ok:
    print(f'want {want}\nflow {http}\nwant {want_flow}')
sys.exit(0 if ok else 1)
PY
[ -x build/tests/test_flow_diff ] || fail "build/tests/test_flow_diff missing (make tests)"
for run in "$tmp/pcaps" "$tmp/pcaps/timed" "--paced 10 $tmp/pcaps/timed"; do
	# shellcheck disable=SC2086 # --paced N DIR: three words
	build/tests/test_flow_diff $run >"$tmp/diff.out" 2>&1 ||
		fail "kernel and offline flows differ ($run): $(tail -20 "$tmp/diff.out")"
	tail -2 "$tmp/diff.out"
done
build/tests/test_differential "$tmp/pcaps/packets" >"$tmp/pdiff.out" 2>&1 ||
	fail "kernel and offline headers differ: $(tail -20 "$tmp/pdiff.out")"
grep -q 'frag 1,' "$tmp/pdiff.out" || fail "the kernel saw no fragment: $(tail -5 "$tmp/pdiff.out")"
tail -1 "$tmp/pdiff.out"
echo "PASS"
