#!/usr/bin/env bash
# Crafted tunnels (tests/lib/tunnel_pcap.py: every kind hdrlog opens, the
# ones it must not, each cut short): the kernel programs and hdrlog -r
# must agree byte for byte (test_differential, test_flow_diff on that
# file), tshark must dissect the same tunnels, ids and inner headers, and
# the records must match docs/schema.md. Needs root for the kernel half.
set -eu
cd "${HDRLOG_ROOT:-$(dirname "$0")/../..}"
command -v tshark >/dev/null || { echo "tshark missing (scripts/deps.sh)"; exit 1; }
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root"; exit 77; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

python3 tests/lib/tunnel_pcap.py "$tmp/tunnels.pcap"
./build/hdrlog -r "$tmp/tunnels.pcap" --packets all >"$tmp/out.json" 2>"$tmp/err" ||
	{ cat "$tmp/err"; fail "hdrlog -r"; }
python3 tests/lib/check_schema.py "$tmp/out.json"
python3 tests/lib/tunnel_tshark.py "$tmp/tunnels.pcap" "$tmp/out.json"
for t in vxlan geneve gre ipip sit ip6ip6 ip4ip6; do
	grep -q "\"hdrlog.tunnel.type\":\"$t\"" "$tmp/out.json" || fail "no $t opened"
done
grep -q '"hdrlog.tunnel.nested":true' "$tmp/out.json" || fail "VXLAN in VXLAN not marked nested"
grep -q '"hdrlog.tunnel.gre.seq":5' "$tmp/out.json" || fail "GRE sequence number"
grep -q '"hdrlog.tunnel.geneve.options_length":8' "$tmp/out.json" || fail "Geneve options"
grep -q '"hdrlog.truncated":"tunnel"' "$tmp/out.json" || fail "cut tunnel headers not truncated"
# --tunnels off: the same frames as their outer headers only
./build/hdrlog -r "$tmp/tunnels.pcap" --packets all --tunnels off 2>/dev/null |
	grep -q hdrlog.tunnel && fail "--tunnels off still opened tunnels"
# --vxlan-ports: 8472 no longer VXLAN, 4789 still
./build/hdrlog -r "$tmp/tunnels.pcap" --packets all --vxlan-ports 4789 2>/dev/null |
	grep -c '"hdrlog.tunnel.destination_port":8472' | grep -qx 0 || fail "--vxlan-ports"

# bad values: a clear error, exit 2
for a in "--vxlan-ports abc" "--vxlan-ports 1,2,3" "--vxlan-ports 99999" \
	"--geneve-port 70000" "--tunnels maybe"; do
	rc=0; ./build/hdrlog -r "$tmp/tunnels.pcap" $a >/dev/null 2>"$tmp/e" || rc=$?
	[ $rc -eq 2 ] && grep -q "invalid" "$tmp/e" || fail "$a: exit $rc, $(cat "$tmp/e")"
done
rc=0; ./build/hdrlog -r "$tmp/tunnels.pcap" vxlan 16777216 >/dev/null 2>"$tmp/e" || rc=$?
[ $rc -ne 0 ] && grep -q "VNI\|id 0-16777215" "$tmp/e" || fail "vxlan 16777216 accepted"

# filters: the tunnel words select what the records say
count() { python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if eval(sys.argv[2], {"r": json.loads(l)})))' "$tmp/out.json" "$1"; }
sel() { ./build/hdrlog -r "$tmp/tunnels.pcap" --packets all "$@" 2>/dev/null | wc -l; }
for w in vxlan geneve gre; do
	want=$(count "r.get('hdrlog.tunnel.type') == '$w'")
	[ "$(sel $w)" -eq "$want" ] && [ "$want" -gt 0 ] || fail "filter '$w': $(sel $w), want $want"
done
want=$(count "'hdrlog.tunnel.type' in r")
[ "$(sel tunnel)" -eq "$want" ] || fail "filter 'tunnel'"
want=$(count "r.get('hdrlog.tunnel.type') == 'gre' and r.get('hdrlog.tunnel.id') == 77")
[ "$(sel gre 77)" -eq "$want" ] && [ "$want" -gt 0 ] || fail "filter 'gre 77'"
want=$(count "r.get('hdrlog.tunnel.type') == 'vxlan' and r.get('hdrlog.tunnel.id') == 43 and r.get('destination.port') == 80")
[ "$(sel vxlan 43 and tcp dst port 80)" -eq "$want" ] && [ "$want" -gt 0 ] || fail "filter 'vxlan 43 and tcp dst port 80'"
echo "ok   filters vxlan, geneve, gre, tunnel, gre 77, vxlan 43 and tcp dst port 80"

./build/tests/test_differential "$tmp" | tail -4
grep -q . "$tmp/out.json"
./build/tests/test_flow_diff "$tmp" | tail -3
echo "PASS: crafted tunnels: kernel = -r = tshark"
