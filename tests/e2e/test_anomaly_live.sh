#!/usr/bin/env bash
# --anomalies live on a veth: from $NS_B, a full-connect scan of 120 ports
# of $NS_A, a half-open sweep of 70 hosts ($NS_A answers a whole /24),
# flag combinations, fragments, IP options, land, a loopback source, an
# ICMP redirect and a TTL jump (tests/lib/anomaly_send.py, raw sockets).
# hdrlog in $NS_A must write one record of each kind, valid by the
# schema, count them in /metrics by kind; and the capture tcpdump made of
# the same traffic, read with -r, must give the same (kind, source) set.
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
bin=${HDRLOG_BIN:-./build/hdrlog}
command -v tcpdump >/dev/null || { echo "SKIP: tcpdump missing"; exit 77; }
tmp=$(mktemp -d); [ -n "${KEEP:-}" ] && echo "keeping $tmp"
trap 'netns_cleanup; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
netns_setup || { echo "FAIL: netns setup"; exit 1; }
fail() { echo "FAIL: $*"; exit 1; }

SWEEP=198.18.1 # $NS_A takes every address of it
ip -n "$NS_A" route add local $SWEEP.0/24 dev lo &&
	ip -n "$NS_B" route add $SWEEP.0/24 via $IP_A || fail "routes"

ip netns exec "$NS_A" tcpdump -Z root --immediate-mode -B 16384 -U -n -i "$VETH_A" -w "$tmp/cap.pcap" 2>"$tmp/tcpdump.err" &
tdpid=$!
track_pid $tdpid
wait_for "$tmp/tcpdump.err" 10 "listening on" || fail "tcpdump did not start"
ip netns exec "$NS_A" "$bin" -i "$VETH_A" --anomalies --metrics-addr 9464 >"$tmp/out" 2>"$tmp/err" &
pid=$!
track_pid $pid
wait_for "$tmp/err" 10 "listening on" || fail "hdrlog did not attach: $(cat "$tmp/err")"

timeout 60 ip netns exec "$NS_B" python3 tests/lib/anomaly_send.py "$IP_A" $SWEEP || fail "sending"
wait_for "$tmp/out" 5 '"ttl_jump"' || fail "no ttl_jump record: $(cat "$tmp/err")"
in_a curl -fs http://127.0.0.1:9464/metrics >"$tmp/metrics" || fail "GET /metrics"
stop_pid $pid || fail "hdrlog exit: $(cat "$tmp/err")"
sleep 0.5
python3 tests/lib/check_schema.py "$tmp/out" | tail -1 || fail "schema"

kinds="port_scan host_sweep tcp_syn_fin tcp_null tcp_xmas frag_tiny frag_overlap frag_control ip_options land martian_source icmp_redirect ttl_jump"
python3 - "$tmp/out" "$tmp/metrics" "$IP_B" "$IP_A" $kinds <<'PY' || fail "live records"
import json, re, sys
out, metrics, attacker, target, kinds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
recs = [json.loads(l) for l in open(out)]
an = [r for r in recs if r['hdrlog.record'] == 'anomaly']
got = {}
for r in an:
    got.setdefault(r['hdrlog.anomaly.kind'], []).append(r)
errors = []
for k in kinds:
    if len(got.get(k, [])) != 1:
        errors.append(f'{k}: {len(got.get(k, []))} records, want 1')
src = {'land': target, 'martian_source': '127.0.0.1'}
for k, rs in got.items():
    if k not in kinds:
        errors.append(f'unexpected kind {k}: {rs}')
    for r in rs:
        if r.get('source.address') != src.get(k, attacker) or r.get('network.interface.name') is None:
            errors.append(f'{k}: {r}')
scan = got.get('port_scan', [{}])[0]
if scan.get('hdrlog.anomaly.distinct', 0) < 100:
    errors.append(f'port_scan: {scan}')
text = open(metrics).read()
for k in kinds:
    m = re.search(r'^hdrlog_anomalies_total\{kind="%s"\} (\d+)$' % k, text, re.M)
    if not m or int(m.group(1)) != 1:
        errors.append(f'/metrics: hdrlog_anomalies_total for {k}: {m and m.group(1)}')
for e in errors:
    print(e)
print(f'{len(an)} anomaly records live, {len(kinds)} kinds')
sys.exit(1 if errors else 0)
PY
[ $? -eq 0 ] || exit 1

# the same traffic from tcpdump's capture (all of it: none dropped), the
# same kinds and sources
stop_pid $tdpid >/dev/null
grep -q "^0 packets dropped by kernel" "$tmp/tcpdump.err" || fail "tcpdump dropped packets: $(cat "$tmp/tcpdump.err")"
"$bin" --anomalies -r "$tmp/cap.pcap" >"$tmp/offline" 2>"$tmp/offline.err" || fail "-r: $(cat "$tmp/offline.err")"
python3 - "$tmp/out" "$tmp/offline" <<'PY' || fail "live and offline differ"
import json, sys
def kinds(path):
    return sorted((r['hdrlog.anomaly.kind'], r['source.address'], r.get('destination.address'))
                  for r in map(json.loads, open(path)) if r['hdrlog.record'] == 'anomaly')
live, offline = kinds(sys.argv[1]), kinds(sys.argv[2])
if live != offline:
    sys.exit(f'live {live}\noffline {offline}')
print(f'ok   offline: the same {len(live)} anomaly records')
PY
echo PASS
