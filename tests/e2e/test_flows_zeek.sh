#!/usr/bin/env bash
# Flow lifecycles as Zeek counts them, live with real TCP between two
# namespaces and offline from tcpdump's capture of the same traffic
# (hdrlog on $VETH_A, --close-delay 1 --handshake-timeout 2):
# - a request and a response, the server closing first: the packets after
#   the FIN exchange (the final ACK) are in the record, which leaves after
#   the close delay (Zeek's tcp_close_delay), while hdrlog still runs; the
#   same again with a RST after the exchange (a raw socket's, from the
#   client's port): in the record, and the state stays SF (Zeek's
#   UpdateClosedState);
# - a client retrying a closed port with the same SYN (same port, same
#   ISN: a raw socket in $NS_B, as a TCP whose RST-ACKs are dropped on
#   the way back retransmits it) every 0.5 s, $NS_A's kernel answering
#   each with a RST-ACK: each SYN after a reset is a new connection
#   (Zeek's IsReuse on a closed connection), one REJ record per SYN;
# - split routing ($NS_A answers over a second veth pair): hdrlog sees the
#   client's side only, SYN then ACK and data, never a SYN-ACK; the
#   attempt ends as S0 at the handshake timeout although the client keeps
#   sending (Zeek's attempt timer, tcp_attempt_delay), what follows is a
#   new flow.
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
bin=${HDRLOG_BIN:-./build/hdrlog} # another build, to check that this test can fail
for tool in tcpdump python3; do
	command -v $tool >/dev/null || { echo "SKIP: $tool missing"; exit 77; }
done
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
netns_setup || { echo "FAIL: netns setup"; exit 1; }
fail() { echo "FAIL: $*"; exit 1; }

SF_PORT=8081 RST_PORT=8083 REJ_PORT=9 SPLIT_PORT=8082 REJ_CPORT=40123
VETH_C=hlC$$ VETH_D=hlD$$ # the return path of the split routing
ip link add "$VETH_C" netns "$NS_A" type veth peer name "$VETH_D" netns "$NS_B" &&
	ip -n "$NS_A" addr add 198.18.1.1/24 dev "$VETH_C" &&
	ip -n "$NS_B" addr add 198.18.1.2/24 dev "$VETH_D" &&
	ip -n "$NS_A" link set "$VETH_C" up && ip -n "$NS_B" link set "$VETH_D" up ||
	fail "second veth pair"
in_b sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf."$VETH_D".rp_filter=0 ||
	fail "rp_filter in $NS_B"

ip netns exec "$NS_A" tcpdump -Z root --immediate-mode -U -n -i "$VETH_A" -w "$tmp/cap.pcap" 2>"$tmp/tcpdump.err" &
tdpid=$!
track_pid $tdpid
wait_for "$tmp/tcpdump.err" 30 "listening on" || fail "tcpdump did not start"
opts=(--close-delay 1 --handshake-timeout 2)
ip netns exec "$NS_A" "$bin" -i "$VETH_A" "${opts[@]}" >"$tmp/live" 2>"$tmp/err" &
pid=$!
track_pid $pid
wait_for "$tmp/err" 30 "listening on" || fail "hdrlog did not attach: $(cat "$tmp/err")"

# servers in $NS_A: one answers and closes first, one reads what comes
timeout 20 ip netns exec "$NS_A" python3 - "$IP_A" $SF_PORT $SPLIT_PORT $RST_PORT <<'PY' &
import socket, sys, threading
def serve(port, answer):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[1], port))
    s.listen()
    c, _ = s.accept()
    if answer:
        c.recv(100)
        c.sendall(b'r' * 1000)
    else:
        while c.recv(4096):
            pass
    c.close()
ts = [threading.Thread(target=serve, args=(int(sys.argv[2]), True)),
      threading.Thread(target=serve, args=(int(sys.argv[3]), False)),
      threading.Thread(target=serve, args=(int(sys.argv[4]), True))]
for t in ts: t.start()
for t in ts: t.join()
PY
track_pid $!
wait_listen tcp $SF_PORT && wait_listen tcp $SPLIT_PORT && wait_listen tcp $RST_PORT ||
	fail "servers did not start"

# 1. the close: the server's FIN first, the client's, the final ACK
timeout 5 ip netns exec "$NS_B" python3 - "$IP_A" $SF_PORT <<'PY' || fail "SF client"
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])))
c.sendall(b'hello\n')
while c.recv(4096):
    pass
c.close()
PY
# the record leaves after the close delay (1 s) at a sweep, hdrlog running
wait_for "$tmp/live" 5 "\"destination.port\":$SF_PORT" || fail "no record after the close delay"
# ... and once more, a RST from the client's port 0.2 s after the close
timeout 5 ip netns exec "$NS_B" python3 - "$IP_A" $RST_PORT "$IP_B" <<'PY' || fail "SF+RST client"
import socket, struct, sys, time
dst, dport, src = sys.argv[1], int(sys.argv[2]), sys.argv[3]
c = socket.create_connection((dst, dport))
sport = c.getsockname()[1]
c.sendall(b'hello\n')
while c.recv(4096):
    pass
c.close()
time.sleep(0.2)
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
hdr = struct.pack('!HHIIBBHHH', sport, dport, 1, 0, 5 << 4, 0x04, 0, 0, 0)
pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack('!BBH', 0, 6, len(hdr))
socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP).sendto(
    hdr[:16] + struct.pack('!H', csum(pseudo + hdr)) + hdr[18:], (dst, 0))
PY

# 2. the same SYN three times, 0.5 s apart (no socket in $NS_B owns the
# port: its kernel ignores the RST-ACKs)
timeout 5 ip netns exec "$NS_B" python3 - "$IP_A" $REJ_PORT "$IP_B" $REJ_CPORT <<'PY' || fail "SYN sender"
import socket, struct, sys, time
dst, dport, src, sport = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
hdr = struct.pack('!HHIIBBHHH', sport, dport, 123456789, 0, 5 << 4, 0x02, 64240, 0, 0)
pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack('!BBH', 0, 6, len(hdr))
syn = hdr[:16] + struct.pack('!H', csum(pseudo + hdr)) + hdr[18:]
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
for i in range(3):
    r.sendto(syn, (dst, 0))
    time.sleep(0.5)
PY

# 3. the server's answers take the other veth: hdrlog sees only the client
ip -n "$NS_A" route add "$IP_B/32" via 198.18.1.2 dev "$VETH_C" || fail "split route"
timeout 8 ip netns exec "$NS_B" python3 - "$IP_A" $SPLIT_PORT <<'PY' || fail "split client"
import socket, sys, time
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
for i in range(8):  # 4 s of data: past the 2 s handshake timeout
    c.sendall(b'd' * 100)
    time.sleep(0.5)
c.close()
PY
sleep 2.5 # the last flows' close delay and a sweep
stop_pid $pid INT 10 || fail "hdrlog exit after SIGINT: $(cat "$tmp/err")"
stop_pid $tdpid INT 10 || fail "tcpdump did not stop"
cat "$tmp/err"
"$bin" "${opts[@]}" -r "$tmp/cap.pcap" >"$tmp/offline" 2>"$tmp/offline.err" ||
	fail "offline run: $(cat "$tmp/offline.err")"
"$bin" --packets all -r "$tmp/cap.pcap" >"$tmp/packets" 2>>"$tmp/offline.err" ||
	fail "offline packets: $(cat "$tmp/offline.err")"
python3 tests/lib/check_schema.py "$tmp/live" "$tmp/offline" "$tmp/packets" | tail -1 || fail "schema"

python3 - "$tmp" $SF_PORT $REJ_PORT $SPLIT_PORT $RST_PORT <<'PY' || fail "flow records"
import json, sys
tmp, sf, rej, split, rstp = sys.argv[1], *map(int, sys.argv[2:])
def load(name, kind):
    return [json.loads(l) for l in open(f'{tmp}/{name}') if f'"hdrlog.record":"{kind}"' in l]
pkts = [p for p in load('packets', 'packet') if p.get('network.transport') == 'tcp']
def frames(port, flag=None, to_server=None):
    """capture frames of the connection to port, optionally one way"""
    out = []
    for p in pkts:
        if port not in (p['source.port'], p['destination.port']):
            continue
        if to_server is not None and (p['destination.port'] == port) != to_server:
            continue
        if flag and flag not in p['hdrlog.tcp.flags']:
            continue
        out.append(p)
    return out
def summary(r):
    return (r['hdrlog.flow.conn_state'], r.get('hdrlog.flow.history'), r['hdrlog.flow.end_reason'],
            r['hdrlog.flow.orig.packets'], r['hdrlog.flow.resp.packets'])
errors = []
for side in ('live', 'offline'):
    recs = [r for r in load(side, 'flow') if r.get('network.transport') == 'tcp']
    by_port = {}
    for r in sorted(recs, key=lambda r: r['timestamp']):
        by_port.setdefault(r['destination.port'], []).append(r)
    # 1. every packet of the connection, the final ACK too, in one record
    got = [summary(r) for r in by_port.get(sf, [])]
    want = [('SF', 'fin', len(frames(sf, to_server=True)), len(frames(sf, to_server=False)))]
    last = frames(sf)[-1]['hdrlog.tcp.flags'] if frames(sf) else []
    if [g[:1] + g[2:] for g in got] != want or last != ['ACK']:
        errors.append(f'{side} close: {got}, want {want}, the last frame a pure ACK ({last})')
    # ... and the RST after it
    got = [summary(r) for r in by_port.get(rstp, [])]
    want = [('SF', 'fin', len(frames(rstp, to_server=True)), len(frames(rstp, to_server=False)))]
    last = frames(rstp)[-1]['hdrlog.tcp.flags'] if frames(rstp) else []
    if [g[:1] + g[2:] for g in got] != want or last != ['RST'] or not got[0][1].endswith('R') \
            or by_port[rstp][0].get('hdrlog.flow.tcp.reset_by') != 'originator':
        errors.append(f'{side} close, RST: {got}, want {want} ending in R, the last frame the RST')
    # 2. one REJ per SYN the client sent
    syns = len(frames(rej, 'SYN', to_server=True))
    got = [summary(r) for r in by_port.get(rej, [])]
    if syns != 3 or got != [('REJ', 'Sr', 'rst', 1, 1)] * syns:
        errors.append(f'{side} REJ retried: {got}, want {syns} (3) REJ Sr 1/1')
    # 3. S0 at the timeout with the packets until then, then a new flow
    recs3 = by_port.get(split, [])
    client = frames(split, to_server=True)
    first = recs3[0] if recs3 else {}
    if not recs3 or summary(first)[:3] != ('S0', 'SAD', 'handshake_timeout') or \
            first['hdrlog.flow.resp.packets'] or len(recs3) < 2 or \
            sum(r['hdrlog.flow.orig.packets'] for r in recs3) != len(client) or \
            any(r['hdrlog.flow.originator_seen'] for r in recs3[1:]) or \
            frames(split, to_server=False):
        errors.append(f'{side} split routing: {[summary(r) for r in recs3]}, {len(client)} '
                      f'client frames, {len(frames(split, to_server=False))} server frames seen')
    print(f'{side}: close {[summary(r) for r in by_port.get(sf, [])]}, '
          f'{[summary(r) for r in by_port.get(rstp, [])]}; '
          f'{len(by_port.get(rej, []))} REJ for {syns} SYNs; split {[summary(r) for r in recs3]}')
def tcp(name):  # the other flows (IPv6 neighbour discovery...) may differ
    return sorted(summary(r) for r in load(name, 'flow') if r.get('network.transport') == 'tcp')
live, offline = tcp('live'), tcp('offline')
if live != offline:
    errors.append(f'live and offline differ:\n  {live}\n  {offline}')
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
PY
echo "PASS"
