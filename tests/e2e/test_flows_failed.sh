#!/usr/bin/env bash
# Failed connections live on a veth, and from tcpdump's capture of the
# same traffic:
# - UDP datagrams from $NS_B to closed ports of $NS_A, over IPv4 and IPv6:
#   $NS_A's ICMP and ICMPv6 port unreachable end each flow at once
#   (icmp_unreachable, S0), matched by the datagram they quote;
# - a SYN from $NS_A that $NS_B, a router with an "unreachable" route,
#   answers with ICMP host unreachable: the attempt ends at once;
# - a SYN $NS_B routes into a blackhole: S0 after --handshake-timeout 1,
#   one record although the client retransmits the SYN;
# - a normal exchange (SF), which --only-failed must leave out;
# - /metrics counts the flows started and the 2 unanswered TCP attempts.
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
bin=${HDRLOG_BIN:-./build/hdrlog} # another build, to check that this test can fail
for tool in tcpdump ncat python3; do
	command -v $tool >/dev/null || { echo "SKIP: $tool missing"; exit 77; }
done
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
netns_setup || { echo "FAIL: netns setup"; exit 1; }
fail() { echo "FAIL: $*"; exit 1; }

UNREACH_IP=198.19.0.9	# $NS_B: an unreachable route (ICMP host unreachable)
BLACKHOLE_IP=198.19.0.10 # $NS_B: a blackhole route (silence)
SF_PORT=8080 CLOSED_PORT=9
in_b sysctl -qw net.ipv4.ip_forward=1 || fail "forwarding in $NS_B"
ip -n "$NS_B" route add unreachable $UNREACH_IP/32 &&
	ip -n "$NS_B" route add blackhole $BLACKHOLE_IP/32 &&
	ip -n "$NS_A" route add $UNREACH_IP/32 via $IP_B &&
	ip -n "$NS_A" route add $BLACKHOLE_IP/32 via $IP_B || fail "routes"

ip netns exec "$NS_A" tcpdump -Z root --immediate-mode -U -n -i "$VETH_A" -w "$tmp/cap.pcap" 2>"$tmp/tcpdump.err" &
tdpid=$!
track_pid $tdpid
wait_for "$tmp/tcpdump.err" 30 "listening on" || fail "tcpdump did not start"
ip netns exec "$NS_A" "$bin" -i "$VETH_A" --handshake-timeout 1 --metrics-addr 9464 >"$tmp/out" 2>"$tmp/err" &
pid=$!
track_pid $pid
ip netns exec "$NS_A" "$bin" -i "$VETH_A" --only-failed --handshake-timeout 1 >"$tmp/failed" 2>"$tmp/failed.err" &
fpid=$!
track_pid $fpid
wait_for "$tmp/err" 30 "listening on" || fail "hdrlog did not attach: $(cat "$tmp/err")"
wait_for "$tmp/failed.err" 30 "listening on" || fail "hdrlog --only-failed did not attach: $(cat "$tmp/failed.err")"

# SF
timeout 10 ip netns exec "$NS_A" ncat -l --recv-only "$IP_A" $SF_PORT >/dev/null &
track_pid $!
wait_listen tcp $SF_PORT || fail "listener did not start"
echo hdrlog | timeout 5 ip netns exec "$NS_B" ncat --send-only "$IP_A" $SF_PORT || fail "SF client"
# one datagram each to a closed port
timeout 5 ip netns exec "$NS_B" python3 - "$IP_A" "$IP6_A" $CLOSED_PORT <<'PY' || fail "UDP client"
import socket, sys
for family, addr in ((socket.AF_INET, sys.argv[1]), (socket.AF_INET6, sys.argv[2])):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.sendto(b"anyone?", (addr, int(sys.argv[3])))
    s.close()
PY
# the router says unreachable: connect fails at once
timeout 5 ip netns exec "$NS_A" ncat -w 3 $UNREACH_IP 80 </dev/null 2>/dev/null && fail "unreachable address answered"
# nobody answers: SYNs at 0, 1 and 3 s, the record after 1 s
timeout 6 ip netns exec "$NS_A" ncat -w 4 $BLACKHOLE_IP 80 </dev/null >/dev/null 2>&1 &
track_pid $!
wait_for "$tmp/failed" 5 '"handshake_timeout"' || fail "no S0 record after the handshake timeout: $(cat "$tmp/failed.err")"
sleep 3.5 # the SYN retransmissions after the record

# /metrics: the flows started (the kernel's count), and the two TCP
# attempts that got no answer (the host unreachable, the blackhole)
in_a curl -fs http://127.0.0.1:9464/metrics >"$tmp/metrics" || fail "GET /metrics"
python3 - "$tmp/metrics" <<'PY' || fail "flow metrics"
import re, sys
text = open(sys.argv[1]).read()
def total(name):
    return sum(float(v) for v in re.findall(r"^%s(?:\{[^}]*\})? (\S+)$" % re.escape(name), text, re.M))
started, created = total("hdrlog_flows_started_total"), total("hdrlog_kernel_flows_created_total")
unanswered = total("hdrlog_tcp_syn_unanswered_total")
if not started >= 5 or started != created or unanswered != 2:
    sys.exit(f"flows started {started} (kernel: {created}, want 5+ and equal), TCP SYNs unanswered {unanswered} (want 2)")
print(f"ok   /metrics: {started:.0f} flows started, as the kernel counted; 2 TCP attempts unanswered")
PY

stop_pid $pid INT 10 || fail "hdrlog exit after SIGINT: $(cat "$tmp/err")"
stop_pid $fpid INT 10 || fail "hdrlog --only-failed exit after SIGINT: $(cat "$tmp/failed.err")"
stop_pid $tdpid INT 10 || fail "tcpdump did not stop"
echo "--- hdrlog stderr"; cat "$tmp/err"
echo "--- --only-failed"; cat "$tmp/failed"
"$bin" --handshake-timeout 1 -r "$tmp/cap.pcap" >"$tmp/offline" 2>"$tmp/offline.err" || fail "offline run: $(cat "$tmp/offline.err")"
"$bin" --packets all -r "$tmp/cap.pcap" >"$tmp/packets" 2>>"$tmp/offline.err" || fail "offline packets: $(cat "$tmp/offline.err")"
python3 tests/lib/check_schema.py "$tmp/out" "$tmp/failed" "$tmp/offline" "$tmp/packets" || fail "schema"

python3 - "$tmp" "$IP_A" "$IP_B" "$IP6_A" "$IP6_B" $UNREACH_IP $BLACKHOLE_IP $SF_PORT $CLOSED_PORT <<'PY' || fail "flow records"
import json, sys
tmp, ip_a, ip_b, ip6_a, ip6_b, unreach, blackhole = sys.argv[1:8]
sf_port, closed = int(sys.argv[8]), int(sys.argv[9])
def load(name, kind='flow'):
    return [json.loads(l) for l in open(f'{tmp}/{name}') if f'"hdrlog.record":"{kind}"' in l]
def by_key(recs):
    out = {}
    for r in recs:
        if r.get('network.transport') in ('tcp', 'udp'):
            out.setdefault((r['source.address'], r['destination.address'],
                            r['destination.port']), []).append(r)
    return out
errors = []
want = {  # key: (state, end reason, direction, ICMP type, code, reporter)
    (ip_b, ip_a, closed): ('S0', 'icmp_unreachable', 'incoming', 3, 3, ip_a),
    (ip6_b, ip6_a, closed): ('S0', 'icmp_unreachable', 'incoming', 1, 4, ip6_a),
    (ip_a, unreach, 80): ('S0', 'icmp_unreachable', 'outgoing', 3, 1, ip_b),
    (ip_a, blackhole, 80): ('S0', 'handshake_timeout', 'outgoing', None, None, None),
    (ip_b, ip_a, sf_port): ('SF', 'fin', 'incoming', None, None, None),
}
def check(name, recs, keys, live=True):
    got = by_key(recs)
    if set(got) != set(keys):
        errors.append(f'{name}: flows {sorted(got)}, want {sorted(keys)}')
    for k in keys:
        for r in got.get(k, []):
            state, reason, direction, t, c, rep = want[k]
            have = (r['hdrlog.flow.conn_state'], r['hdrlog.flow.end_reason'],
                    r.get('hdrlog.flow.icmp_error.type'), r.get('hdrlog.flow.icmp_error.code'),
                    r.get('hdrlog.flow.icmp_error.reporter'))
            if have != (state, reason, t, c, rep):
                errors.append(f'{name} {k}: {have}, want {(state, reason, t, c, rep)}')
            if live and r['hdrlog.flow.direction'] != direction:
                errors.append(f'{name} {k}: direction {r["hdrlog.flow.direction"]}, want {direction}')
        if len(got.get(k, [])) > 1:
            errors.append(f'{name} {k}: {len(got[k])} records, want one')
failed = [k for k in want if want[k][0] != 'SF']
check('live', load('out'), list(want))
check('--only-failed', load('failed'), failed)
check('offline', load('offline'), list(want), live=False)
# the ICMP errors' packet records name the packets they quote
quotes = sorted((p['hdrlog.icmp.original.source.address'], p['hdrlog.icmp.original.destination.address'],
                 p.get('hdrlog.icmp.original.destination.port'))
                for p in load('packets', 'packet') if 'hdrlog.icmp.original.proto' in p)
want_quotes = sorted([(ip_b, ip_a, closed), (ip6_b, ip6_a, closed), (ip_a, unreach, 80)])
if quotes != want_quotes:
    errors.append(f'quoted packets {quotes}, want {want_quotes}')
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
PY
grep -qE ' 0 lost \(' "$tmp/err" || fail "loss: $(grep lost "$tmp/err")"
echo "PASS"
