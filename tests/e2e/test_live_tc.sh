#!/usr/bin/env bash
# Live capture on a veth with real traffic: ping, ping -6, a TCP exchange and
# a UDP datagram from $NS_B to hdrlog's side. Checks every JSON line against
# what was sent and against tcpdump/tshark capturing the same interface at
# the same time (same packets, same header values), then that the summary
# reports no loss and that nothing stays attached or loaded after SIGINT.
# HDRLOG_TEST_HOOK=xdp (test_live_xdp.sh) runs the same with --hook xdp.
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
hook=${HDRLOG_TEST_HOOK:-tc}
bin=${HDRLOG_BIN:-./build/hdrlog} # another build, to check that this test can fail
for tool in tcpdump tshark ncat python3 bpftool; do
	command -v $tool >/dev/null || { echo "SKIP: $tool missing"; exit 77; }
done
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
netns_setup || { echo "FAIL: netns setup"; exit 1; }
fail() { echo "FAIL: $*"; exit 1; }

ICMP_ID=4242 ICMP6_ID=4243 TCP_PORT=8080 TCP_CPORT=40001
UDP_PORT=9999 UDP_CPORT=40002
TCP_LINE=hdrlog-tcp-line UDP_PAYLOAD=hdrlog-udp-datagram

# The independent witness first, so it sees everything hdrlog sees.
ip netns exec "$NS_A" tcpdump -Z root --immediate-mode -U -n -i "$VETH_A" \
	-w "$tmp/cap.pcap" 2>"$tmp/tcpdump.err" &
tdpid=$!
track_pid $tdpid
wait_for "$tmp/tcpdump.err" 30 "listening on" || fail "tcpdump did not start: $(cat "$tmp/tcpdump.err")"

hook_opt=()
[ "$hook" = xdp ] && hook_opt=(--hook xdp)
ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all "${hook_opt[@]}" >"$tmp/out" 2>"$tmp/err" &
pid=$!
track_pid $pid
wait_for "$tmp/err" 30 "listening on" || fail "hdrlog did not attach: $(cat "$tmp/err")"
if [ "$hook" = xdp ]; then
	grep -qE "listening on $VETH_A: XDP ingress \((native|generic)\), tc egress" "$tmp/err" ||
		fail "XDP mode not reported: $(cat "$tmp/err")"
else
	grep -q "listening on $VETH_A: tc ingress egress" "$tmp/err" || fail "attach message: $(cat "$tmp/err")"
fi
bpf_objects_of $pid >"$tmp/objects"
grep -q '^prog' "$tmp/objects" || fail "no BPF programs found in /proc/$pid/fdinfo"

# Traffic: all bounded by count and by timeout.
timeout 10 ip netns exec "$NS_A" ncat -l --recv-only "$IP_A" $TCP_PORT >"$tmp/tcp.recv" &
track_pid $!
timeout 10 ip netns exec "$NS_A" ncat -u -l --recv-only "$IP_A" $UDP_PORT >"$tmp/udp.recv" &
udp_listener=$!
track_pid $udp_listener
wait_listen tcp $TCP_PORT && wait_listen udp $UDP_PORT || fail "ncat listeners did not start"

timeout 10 ip netns exec "$NS_B" ping -n -q -c 3 -i 0.2 -W 2 -e $ICMP_ID "$IP_A" >/dev/null || fail "ping"
timeout 10 ip netns exec "$NS_B" ping -6 -n -q -c 2 -i 0.2 -W 2 -e $ICMP6_ID "$IP6_A" >/dev/null || fail "ping -6"
echo "$TCP_LINE" | timeout 5 ip netns exec "$NS_B" ncat --send-only -p $TCP_CPORT "$IP_A" $TCP_PORT ||
	fail "TCP client"
printf %s "$UDP_PAYLOAD" | timeout 5 ip netns exec "$NS_B" ncat -u --send-only -p $UDP_CPORT "$IP_A" $UDP_PORT ||
	fail "UDP client"
for ((i = 0; i < 30; i++)); do
	[ -s "$tmp/udp.recv" ] && [ -s "$tmp/tcp.recv" ] && break
	sleep 0.1
done
grep -q "$TCP_LINE" "$tmp/tcp.recv" || fail "TCP line not received by the listener"
grep -q "$UDP_PAYLOAD" "$tmp/udp.recv" || fail "UDP datagram not received by the listener"
sleep 0.5 # the last FIN/ACK

stop_pid $pid INT 10; rc=$?
[ $rc -eq 0 ] || fail "hdrlog exit $rc after SIGINT: $(cat "$tmp/err")"
stop_pid $tdpid INT 10 || fail "tcpdump did not stop"
stop_pid $udp_listener TERM 5

echo "--- hdrlog stderr"; cat "$tmp/err"
summary=$(grep -E '^hdrlog: [0-9]+ packets seen' "$tmp/err") || fail "no summary on stderr"
echo "$summary" | grep -q ' 0 lost (ringbuf full 0, sequence gaps 0)' || fail "loss reported: $summary"
lines=$(wc -l <"$tmp/out")
echo "$summary" | grep -q ", $lines received," || fail "summary disagrees with the $lines lines on stdout"

# Nothing left: no program or link of this process, nothing on the veth.
bpf_objects_gone "$tmp/objects" || fail "BPF objects left after exit"
left=$(attachments_a)
[ -z "$left" ] || fail "left attached to $VETH_A: $left"

# Counts against tcpdump: ICMP echo (v4, v6) and TCP packets.
count_td() { tcpdump -n -r "$tmp/cap.pcap" "$1" 2>/dev/null | wc -l; }
td_echo=$(count_td 'icmp[icmptype] == icmp-echo or icmp[icmptype] == icmp-echoreply')
td_echo6=$(count_td 'icmp6 and (ip6[40] == 128 or ip6[40] == 129)')
td_tcp=$(count_td "tcp port $TCP_PORT")
td_udp=$(count_td "udp port $UDP_PORT")
echo "tcpdump saw: $td_echo ICMP echo, $td_echo6 ICMPv6 echo, $td_tcp TCP, $td_udp UDP"

tshark -r "$tmp/cap.pcap" -T fields -E occurrence=f -E separator=/t \
	-e ip.src -e ipv6.src -e ip.dst -e ipv6.dst -e ip.proto -e ipv6.nxt \
	-e ip.ttl -e ipv6.hlim -e ip.id -e tcp.srcport -e tcp.dstport \
	-e tcp.flags -e tcp.seq_raw -e tcp.ack_raw -e udp.srcport -e udp.dstport \
	-e udp.length -e icmp.type -e icmp.ident -e icmp.seq -e icmpv6.type \
	-e icmpv6.echo.identifier -e icmpv6.echo.sequence_number \
	>"$tmp/tshark.tsv" 2>"$tmp/tshark.err" || fail "tshark: $(cat "$tmp/tshark.err")"

if [ -f tests/lib/check_schema.py ]; then
	python3 tests/lib/check_schema.py "$tmp/out" || fail "schema check (tests/lib/check_schema.py)"
	echo "ok   schema"
fi

python3 - "$tmp/out" "$tmp/tshark.tsv" "$hook" "$VETH_A" "$td_echo" "$td_echo6" "$td_tcp" "$td_udp" \
	"$ICMP_ID" "$ICMP6_ID" "$TCP_PORT" "$TCP_CPORT" "$UDP_PORT" "$UDP_CPORT" "$TCP_LINE" "$UDP_PAYLOAD" <<'EOF'
import collections, ipaddress, json, sys

(out, tsv, hook, ifname, td_echo, td_echo6, td_tcp, td_udp, icmp_id, icmp6_id,
 tcp_port, tcp_cport, udp_port, udp_cport, tcp_line, udp_payload) = sys.argv[1:]
td_echo, td_echo6, td_tcp, td_udp = map(int, (td_echo, td_echo6, td_tcp, td_udp))
icmp_id, icmp6_id, tcp_port, tcp_cport, udp_port, udp_cport = map(
    int, (icmp_id, icmp6_id, tcp_port, tcp_cport, udp_port, udp_cport))
A, B, A6, B6 = "198.18.0.1", "198.18.0.2", "fd00:4844::1", "fd00:4844::2"
errors = []

def check(cond, msg):
    if not cond:
        errors.append(msg)
    return cond

# 1. Every line is one JSON object (Python's parser, not ours).
recs = []
with open(out, "rb") as f:
    for n, raw in enumerate(f, 1):
        try:
            r = json.loads(raw.decode("utf-8"))
        except Exception as e:
            sys.exit(f"FAIL: line {n} is not valid JSON ({e}): {raw[:200]!r}")
        if not isinstance(r, dict):
            sys.exit(f"FAIL: line {n} is not a JSON object")
        recs.append(r)
check(len(recs) > 0, "no output")
for r in recs:
    check(r.get("hdrlog.record") == "packet", f"unexpected record {r}")
    check(r.get("network.interface.name") == ifname, f"interface name in {r}")
    d = r.get("network.io.direction")
    check(d in ("receive", "transmit"), f"direction {d}")
    want_hook = hook if d == "receive" else "tc"
    check(r.get("hdrlog.hook") == want_hook, f"hook {r.get('hdrlog.hook')} for {d}, want {want_hook}")
    check(r.get("hdrlog.packet.segments", 0) >= 1, f"segments in {r}")

ours = [r for r in recs if r.get("source.address") in (A, B, A6, B6)]

# 2. ICMP echo: requests in, replies out, the ping's id and seq, TTL 64.
def echo(proto_type, src, dst, ident, seqs, direction, v6):
    got = [r for r in ours if r.get("hdrlog.icmp.type") == proto_type and r.get("source.address") == src]
    check(len(got) == len(seqs), f"{len(got)} ICMP type {proto_type} from {src}, want {len(seqs)}")
    check(sorted(r.get("hdrlog.icmp.seq") for r in got) == seqs, f"ICMP type {proto_type} seqs {[r.get('hdrlog.icmp.seq') for r in got]}")
    for r in got:
        check(r.get("destination.address") == dst, f"dst {r.get('destination.address')} want {dst}")
        check(r.get("hdrlog.icmp.id") == ident, f"ICMP id {r.get('hdrlog.icmp.id')} want {ident}")
        check(r.get("hdrlog.icmp.code") == 0, "ICMP code")
        check(r.get("network.io.direction") == direction, f"ICMP type {proto_type} direction {r.get('network.io.direction')}")
        check(r.get("hdrlog.ip.ttl") == 64, f"TTL/hop limit {r.get('hdrlog.ip.ttl')}")
        check(r.get("network.type") == ("ipv6" if v6 else "ipv4"), "network.type")
        check(r.get("network.transport") == ("ipv6-icmp" if v6 else "icmp"), "network.transport")
        check(r.get("hdrlog.payload_length") == 56, f"ICMP payload {r.get('hdrlog.payload_length')}")
        check(r.get("hdrlog.ip.length") == (64 if v6 else 84), f"IP length {r.get('hdrlog.ip.length')}")
    return got

echo(8, B, A, icmp_id, [1, 2, 3], "receive", False)
echo(0, A, B, icmp_id, [1, 2, 3], "transmit", False)
e6 = echo(128, B6, A6, icmp6_id, [1, 2], "receive", True)
echo(129, A6, B6, icmp6_id, [1, 2], "transmit", True)
for r in e6:  # RFC 5952 form, and equal to what Python makes of it
    check(str(ipaddress.IPv6Address(r["source.address"])) == r["source.address"], "IPv6 not in RFC 5952 form")

# 3. TCP: handshake flags, ports, MSS, seq/ack arithmetic, the data segment.
tcp = [r for r in ours if r.get("network.transport") == "tcp"]
def tcp_with(flags, sport):
    return [r for r in tcp if r.get("hdrlog.tcp.flags") == flags and r.get("source.port") == sport]
syn, synack = tcp_with(["SYN"], tcp_cport), tcp_with(["SYN", "ACK"], tcp_port)
if check(len(syn) == 1 and len(synack) == 1, f"{len(syn)} SYN, {len(synack)} SYN-ACK, want 1 each"):
    s, sa = syn[0], synack[0]
    check((s["source.address"], s["destination.address"], s["destination.port"]) == (B, A, tcp_port), f"SYN endpoints {s}")
    check(s["network.io.direction"] == "receive", "SYN direction")
    check((sa["source.address"], sa["destination.address"], sa["destination.port"]) == (A, B, tcp_cport), f"SYN-ACK endpoints {sa}")
    check(sa["network.io.direction"] == "transmit", "SYN-ACK direction")
    check(s.get("hdrlog.tcp.mss") == 1460 and sa.get("hdrlog.tcp.mss") == 1460,
          f"MSS {s.get('hdrlog.tcp.mss')}/{sa.get('hdrlog.tcp.mss')}, want 1460 (MTU 1500)")
    check(s.get("hdrlog.tcp.sack_permitted") is True, "SYN without SACK-permitted")
    check("hdrlog.tcp.tsval" in s and "hdrlog.tcp.wscale" in s, "SYN without timestamps/window scale")
    check(sa["hdrlog.tcp.ack"] == (s["hdrlog.tcp.seq"] + 1) % 2**32, "SYN-ACK ack != SYN seq + 1")
    ack = [r for r in tcp if r.get("hdrlog.tcp.flags") == ["ACK"] and r.get("source.port") == tcp_cport
           and r.get("hdrlog.tcp.ack") == (sa["hdrlog.tcp.seq"] + 1) % 2**32
           and r.get("hdrlog.tcp.seq") == (s["hdrlog.tcp.seq"] + 1) % 2**32]
    check(len(ack) >= 1, "no ACK completing the handshake")
    data = [r for r in tcp if r.get("source.port") == tcp_cport and r.get("hdrlog.payload_length", 0) > 0]
    check(len(data) == 1 and data[0]["hdrlog.payload_length"] == len(tcp_line) + 1,
          f"TCP data segments {[(r.get('hdrlog.tcp.flags'), r.get('hdrlog.payload_length')) for r in data]}")
    check(any("FIN" in r["hdrlog.tcp.flags"] for r in tcp if r.get("source.port") == tcp_cport), "no FIN from the client")

# 4. UDP: ports and lengths.
udp = [r for r in ours if r.get("network.transport") == "udp"]
if check(len(udp) == 1, f"{len(udp)} UDP packets, want 1"):
    u = udp[0]
    check((u["source.address"], u["source.port"], u["destination.address"], u["destination.port"]) ==
          (B, udp_cport, A, udp_port), f"UDP endpoints {u}")
    check(u.get("hdrlog.udp.length") == 8 + len(udp_payload), f"UDP length {u.get('hdrlog.udp.length')}")
    check(u.get("hdrlog.payload_length") == len(udp_payload), f"UDP payload {u.get('hdrlog.payload_length')}")
    check(u["network.io.direction"] == "receive", "UDP direction")

# 5. Counts against tcpdump.
n_echo = len([r for r in ours if r.get("network.transport") == "icmp" and r.get("hdrlog.icmp.type") in (0, 8)])
n_echo6 = len([r for r in ours if r.get("network.transport") == "ipv6-icmp" and r.get("hdrlog.icmp.type") in (128, 129)])
check(n_echo == td_echo == 6, f"ICMP echo: hdrlog {n_echo}, tcpdump {td_echo}, sent 6")
check(n_echo6 == td_echo6 == 4, f"ICMPv6 echo: hdrlog {n_echo6}, tcpdump {td_echo6}, sent 4")
check(len(tcp) == td_tcp and td_tcp >= 5, f"TCP: hdrlog {len(tcp)}, tcpdump {td_tcp}")
check(len(udp) == td_udp == 1, f"UDP: hdrlog {len(udp)}, tcpdump {td_udp}")

# 6. Packet by packet against tshark: every IP packet from or to our
# addresses, as a multiset of header values.
ournets = [ipaddress.ip_network("198.18.0.0/15"), ipaddress.ip_network("fd00::/8")]
def mine(a):
    return bool(a) and any(ipaddress.ip_address(a) in n for n in ournets)
def num(s):
    return int(s, 0) if s else None
FLAGS = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"]
ts = collections.Counter()
with open(tsv) as f:
    for line in f:
        c = line.rstrip("\n").split("\t")
        c += [""] * (23 - len(c))
        src, dst = c[0] or c[1], c[2] or c[3]
        if not (mine(src) or mine(dst)):
            continue
        icmp_t = num(c[17]) if c[17] else num(c[20])
        ts[(src, dst, num(c[4] or c[5]), num(c[6] or c[7]), num(c[8]),
            num(c[9] or c[14]), num(c[10] or c[15]), num(c[11]) if c[11] else None,
            num(c[12]), num(c[13]), num(c[16]), icmp_t,
            num(c[18] or c[21]), num(c[19] or c[22]))] += 1
hl = collections.Counter()
for r in recs:
    src, dst = r.get("source.address"), r.get("destination.address")
    if not (mine(src) or mine(dst)):
        continue
    v4 = r.get("network.type") == "ipv4"
    is_tcp = "hdrlog.tcp.flags" in r
    flags = sum(1 << FLAGS.index(x) for x in r["hdrlog.tcp.flags"]) if is_tcp else None
    hl[(src, dst, r.get("hdrlog.ip.proto"), r.get("hdrlog.ip.ttl"), r.get("hdrlog.ip.id") if v4 else None,
        r.get("source.port"), r.get("destination.port"), flags,
        r.get("hdrlog.tcp.seq") if is_tcp else None, r.get("hdrlog.tcp.ack") if is_tcp else None,
        r.get("hdrlog.udp.length"), r.get("hdrlog.icmp.type"),
        r.get("hdrlog.icmp.id"), r.get("hdrlog.icmp.seq"))] += 1
only_ts, only_hl = ts - hl, hl - ts
check(not only_ts and not only_hl,
      f"per-packet mismatch with tshark:\n  only tshark: {list(only_ts.elements())}\n  only hdrlog: {list(only_hl.elements())}")
check(sum(ts.values()) >= 15, f"tshark saw only {sum(ts.values())} packets of ours")

if errors:
    print("FAIL:\n  " + "\n  ".join(errors))
    sys.exit(1)
print(f"ok   {len(recs)} JSON lines; {sum(hl.values())} packets equal to tshark's; "
      f"{n_echo}+{n_echo6} echo, {len(tcp)} TCP, {len(udp)} UDP as sent")
EOF
[ $? -eq 0 ] || exit 1
echo "ok"
