#!/usr/bin/env bash
# Flow records live (tc, --timeline) from real connections over a veth: a
# normal exchange (SF), a closed port (REJ), SYNs nobody answers (S0, seen
# leaving: outgoing), a reset mid-stream by the client (RSTO). A second
# agent on the same interface runs --only-failed and must log only REJ and
# S0, and report a SYN flood anomaly for three more unanswered connection
# attempts to one destination. tcpdump captures the same traffic; hdrlog
# --timeline -r on that capture must give the same flows (states,
# histories, packet and byte counts, timeline packet lists).
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

SF_PORT=8080 CLOSED_PORT=8081 RST_PORT=8082
DEAD_IP=198.18.0.3 # routed to $NS_B, which does not own it: SYNs vanish

ip netns exec "$NS_A" tcpdump -Z root --immediate-mode -U -n -i "$VETH_A" \
	-w "$tmp/cap.pcap" 2>"$tmp/tcpdump.err" &
tdpid=$!
track_pid $tdpid
wait_for "$tmp/tcpdump.err" 30 "listening on" || fail "tcpdump did not start"

ip netns exec "$NS_A" "$bin" -i "$VETH_A" --timeline --handshake-timeout 0 >"$tmp/out" 2>"$tmp/err" &
pid=$!
track_pid $pid
ip netns exec "$NS_A" "$bin" -i "$VETH_A" --only-failed --handshake-timeout 0 --syn-threshold 2 --syn-window 5 >"$tmp/failed" 2>"$tmp/failed.err" &
fpid=$!
track_pid $fpid
ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets tcp-control >"$tmp/ctl" 2>"$tmp/ctl.err" &
cpid=$!
track_pid $cpid
wait_for "$tmp/err" 30 "listening on" || fail "hdrlog did not attach: $(cat "$tmp/err")"
wait_for "$tmp/ctl.err" 30 "listening on" || fail "hdrlog --packets tcp-control did not attach: $(cat "$tmp/ctl.err")"
wait_for "$tmp/failed.err" 30 "listening on" || fail "hdrlog --only-failed did not attach: $(cat "$tmp/failed.err")"

# SF: a line to a listener that closes after it
timeout 10 ip netns exec "$NS_A" ncat -l --recv-only "$IP_A" $SF_PORT >"$tmp/sf.recv" &
track_pid $!
# RSTO: the client aborts (SO_LINGER 0) after sending
timeout 10 ip netns exec "$NS_A" ncat -l --recv-only "$IP_A" $RST_PORT >/dev/null &
track_pid $!
wait_listen tcp $SF_PORT && wait_listen tcp $RST_PORT || fail "listeners did not start"
echo hdrlog-flow | timeout 5 ip netns exec "$NS_B" ncat --send-only "$IP_A" $SF_PORT || fail "SF client"
# REJ: nothing listens
timeout 5 ip netns exec "$NS_B" ncat "$IP_A" $CLOSED_PORT </dev/null 2>/dev/null && fail "closed port accepted"
timeout 5 ip netns exec "$NS_B" python3 - "$IP_A" $RST_PORT <<'PY' || fail "RST client"
import socket, struct, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
s.sendall(b"abort me")
time.sleep(0.2)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
PY
# S0 (at exit: --handshake-timeout 0; tests/e2e/test_flows_failed.sh has
# the timeout): $NS_A's SYNs leave the veth (static neighbour), $NS_B drops them
ip -n "$NS_A" neigh add $DEAD_IP lladdr "$(ip -n "$NS_B" -br link show "$VETH_B" | awk '{print $3}')" dev "$VETH_A"
timeout 3 ip netns exec "$NS_A" ncat -w 1 $DEAD_IP 9 </dev/null 2>/dev/null && fail "dead address answered"
# half-open: three attempts at port 10, unanswered past the 1 s grace
for i in 1 2 3; do
	timeout 3 ip netns exec "$NS_A" ncat -w 1 $DEAD_IP 10 </dev/null >/dev/null 2>&1 &
done
wait_for "$tmp/failed" 6 '"syn_flood"' || fail "no SYN flood anomaly: $(cat "$tmp/failed.err")"
sleep 0.5 # the last packets

stop_pid $pid INT 10 || fail "hdrlog exit after SIGINT: $(cat "$tmp/err")"
stop_pid $fpid INT 10 || fail "hdrlog --only-failed exit after SIGINT: $(cat "$tmp/failed.err")"
stop_pid $cpid INT 10 || fail "hdrlog --packets tcp-control exit after SIGINT: $(cat "$tmp/ctl.err")"
stop_pid $tdpid INT 10 || fail "tcpdump did not stop"
echo "--- hdrlog stderr"; cat "$tmp/err"
echo "--- flows"; cat "$tmp/out"
echo "--- --only-failed"; cat "$tmp/failed"

python3 tests/lib/check_schema.py "$tmp/out" "$tmp/failed" "$tmp/ctl" || fail "schema"
# --packets tcp-control: SYN, FIN and RST packets only, every one of them
# (tcpdump's count of the same), and no loss
want=$(tcpdump -n -r "$tmp/cap.pcap" 'tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0' 2>/dev/null | wc -l)
got=$(grep -c '"hdrlog.record":"packet"' "$tmp/ctl")
echo "tcp-control: $got packet records, $want control packets in the capture"
[ "$want" -gt 0 ] && [ "$got" -eq "$want" ] || fail "--packets tcp-control: $got packet records, tcpdump counts $want control packets"
grep '"hdrlog.record":"packet"' "$tmp/ctl" | grep -vqE '"hdrlog.tcp.flags":\[[^]]*"(SYN|FIN|RST)"' &&
	fail "--packets tcp-control logged a packet without SYN, FIN or RST"
grep -q ' 0 lost (ringbuf full 0, sequence gaps 0)' "$tmp/ctl.err" || fail "--packets tcp-control loss: $(tail -1 "$tmp/ctl.err")"
"$bin" --timeline --handshake-timeout 0 -r "$tmp/cap.pcap" >"$tmp/offline" 2>"$tmp/offline.err" || fail "offline run: $(cat "$tmp/offline.err")"
python3 tests/lib/check_schema.py "$tmp/offline" || fail "offline schema"

python3 - "$tmp/out" "$tmp/failed" "$tmp/offline" "$IP_A" "$IP_B" "$DEAD_IP" \
	$SF_PORT $CLOSED_PORT $RST_PORT <<'PY' || fail "flow records"
import json, sys
out, failed, offline, ip_a, ip_b, dead = sys.argv[1:7]
sf_port, closed_port, rst_port = map(int, sys.argv[7:10])
load = lambda f: [json.loads(l) for l in open(f) if '"flow"' in l]
anomalies = [json.loads(l) for l in open(failed) if '"anomaly"' in l]
live, only, off = load(out), load(failed), load(offline)
def tcp(recs, port10=False):
    # port 10's three attempts differ only in source port: left out
    return {(r['source.address'], r['destination.address'], r['destination.port']): r
            for r in recs if r.get('network.transport') == 'tcp'
            and (port10 or r['destination.port'] != 10)}
errors = []
def expect(recs, name, key, state, history=None, direction=None, reason=None):
    r = recs.get(key)
    if r is None:
        errors.append(f'{name}: no flow {key}')
        return
    got = (r['hdrlog.flow.conn_state'], r.get('hdrlog.flow.history'))
    # letter order depends on timing (ncat --recv-only may send its FIN
    # before the client's data arrives): compare the letters
    if r['hdrlog.flow.conn_state'] != state or (
            history and sorted(got[1] or '') != sorted(history)):
        errors.append(f'{name} {key}: {got}, want {state} {history}')
    if direction and r['hdrlog.flow.direction'] != direction:
        errors.append(f'{name} {key}: direction {r["hdrlog.flow.direction"]}, want {direction}')
    if reason and r['hdrlog.flow.end_reason'] != reason:
        errors.append(f'{name} {key}: end {r["hdrlog.flow.end_reason"]}, want {reason}')
L = tcp(live)
expect(L, 'live', (ip_b, ip_a, sf_port), 'SF', 'ShADaFf', 'incoming', 'fin')
expect(L, 'live', (ip_b, ip_a, closed_port), 'REJ', 'Sr', 'incoming', 'rst')
expect(L, 'live', (ip_b, ip_a, rst_port), 'RSTO', None, 'incoming', 'rst')
expect(L, 'live', (ip_a, dead, 9), 'S0', 'S', 'outgoing', 'end_of_capture')
sf = L.get((ip_b, ip_a, sf_port))
if sf and (sf['hdrlog.flow.orig.payload_bytes'] != len('hdrlog-flow\n')
           or 'hdrlog.flow.tcp.srtt_ns' not in sf
           or 'hdrlog.flow.tcp.syn_to_synack_ns' not in sf):
    errors.append(f'SF flow: payload/RTT/handshake fields wrong: {sf}')
states = sorted(r['hdrlog.flow.conn_state'] for r in only)
if states != ['REJ'] + ['S0'] * 4:
    errors.append(f'--only-failed: {states}, want REJ and four S0')
if [(a['destination.address'], a['destination.port']) for a in anomalies] != [(dead, 10)] \
        or anomalies[0]['hdrlog.anomaly.unanswered_syns'] != 3:
    errors.append(f'SYN flood anomalies: {anomalies}, want one for {dead} port 10 with 3 SYNs')
O = tcp(off)
fields = ('hdrlog.flow.conn_state', 'hdrlog.flow.history', 'network.community_id',
          'hdrlog.flow.orig.packets', 'hdrlog.flow.resp.packets',
          'hdrlog.flow.orig.bytes', 'hdrlog.flow.resp.bytes',
          'hdrlog.flow.orig.retransmits', 'hdrlog.flow.end_reason')
for k, r in L.items():
    o = O.get(k)
    if o is None:
        errors.append(f'offline lacks {k}')
        continue
    # tcpdump taps ingress before tc and egress after it: near-simultaneous
    # packets of the two directions may swap, and with them history letters
    for f in fields:
        a, b = r.get(f), o.get(f)
        if f == 'hdrlog.flow.history':
            a, b = sorted(a or ''), sorted(b or '')
        if a != b:
            errors.append(f'{k} {f}: live {r.get(f)} offline {o.get(f)}')
    # timelines: the same packets (times differ, order may as above)
    strip = lambda r: sorted(tuple(sorted((k, v) for k, v in e.items() if k != 't_us'))
                             for e in r.get('hdrlog.flow.timeline', []))
    if strip(r) != strip(o) or not r.get('hdrlog.flow.timeline'):
        errors.append(f'{k} timeline: live {r.get("hdrlog.flow.timeline")} offline {o.get("hdrlog.flow.timeline")}')
if sf:
    tl = sf.get('hdrlog.flow.timeline', [])
    first = [(e['from'], e['tcp_flags'], e['seq'], e['ack']) for e in tl[:2]]
    # every packet of the flow, 7 or 8 of them: the client may ACK the
    # server's FIN before sending its own
    pkts = sf['hdrlog.flow.orig.packets'] + sf['hdrlog.flow.resp.packets']
    if first != [('originator', 2, 0, 0), ('responder', 18, 0, 1)] or len(tl) != pkts:
        errors.append(f'SF timeline: {tl}')
if set(O) != set(L):
    errors.append(f'offline flows {sorted(O)} != live {sorted(L)}')
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
PY
grep -qE ', [0-9]+ flows \([0-9]+ records, [0-9]+ suppressed, 0 evicted, 0 records lost' "$tmp/err" ||
	fail "flow summary: $(tail -1 "$tmp/err")"
echo "PASS"
