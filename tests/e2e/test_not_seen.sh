#!/usr/bin/env bash
# Packets the interface counted against those hdrlog's programs saw.
# 1. A bounded trafgen load (60-byte UDP frames) between the test's
#    namespaces: hdrlog's "packets seen" equals the receiving veth's own
#    rx_packets delta, read by this test around the run, and hdrlog says
#    the same counts itself with 0 not seen.
# 2. A tc filter in front of hdrlog's (clsact, priority 1, tests/tools/
#    drop_udp9.bpf.c; hdrlog attached
#    by netlink at its own lower priority) drops UDP to port 9: the
#    interface counts those packets, no hdrlog program sees them, and the
#    summary, the stats record and /metrics report each one as not seen.
# 3. -i any, and a veth that appears after the start: its counters are
#    read from when it is attached, so the summary still reports them.
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
bin=${HDRLOG_BIN:-./build/hdrlog}
[ -f build/tools/drop_udp9.bpf.o ] || { echo "FAIL: build/tools/drop_udp9.bpf.o missing (make tests)"; exit 1; }
for tool in trafgen tc curl python3; do
	command -v $tool >/dev/null || { echo "SKIP: $tool missing"; exit 77; }
done
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
netns_setup || { echo "FAIL: netns setup"; exit 1; }
fail() { echo "FAIL: $*"; exit 1; }
in_a sysctl -qw net.ipv6.conf.all.disable_ipv6=1
in_b sysctl -qw net.ipv6.conf.all.disable_ipv6=1

mac_a=$(in_a cat /sys/class/net/"$VETH_A"/address)
mac_b=$(in_b cat /sys/class/net/"$VETH_B"/address)
cat >"$tmp/udp.cfg" <<EOC
{ eth(da=$mac_a, sa=$mac_b), ipv4(saddr=$IP_B, daddr=$IP_A, ttl=64), udp(sp=40000, dp=9), fill(0x41, 18) }
EOC
rx_a() { in_a cat /sys/class/net/"$VETH_A"/statistics/rx_packets; }
# send N PPS: N frames at PPS from $NS_B, bounded in time too
send() {
	timeout 20 ip netns exec "$NS_B" trafgen -o "$VETH_B" -i "$tmp/udp.cfg" \
		-n "$1" -b "$2pps" -P 1 -Q --no-sock-mem -C >"$tmp/trafgen.out" 2>&1 ||
		fail "trafgen: $(cat "$tmp/trafgen.out")"
}
# seen FILE: "packets seen" of the summary; not_seen FILE likewise
seen() { sed -n 's/^hdrlog: \([0-9]*\) packets seen.*/\1/p' "$1"; }
not_seen() { sed -n 's/.*, \([0-9]*\) not seen by hdrlog.*/\1/p' "$1"; }
counted_rx() { sed -n 's/.*interfaces counted \([0-9]*\) in and.*/\1/p' "$1"; }

# 1. under load: every packet the veth delivered was seen
N=200000
ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all --direction in >/dev/null 2>"$tmp/err1" &
pid=$!
track_pid $pid
wait_for "$tmp/err1" 10 "listening on" || fail "hdrlog did not attach: $(cat "$tmp/err1")"
rx0=$(rx_a)
send $N 200000
rx1=$(rx_a)
sleep 0.5
stop_pid $pid INT 10 || fail "hdrlog did not stop"
grep 'packets seen' "$tmp/err1"
delivered=$((rx1 - rx0))
[ "$delivered" -ge "$N" ] || fail "the veth delivered $delivered of $N"
[ "$(seen "$tmp/err1")" = "$delivered" ] ||
	fail "packets seen $(seen "$tmp/err1") != veth rx_packets delta $delivered"
[ "$(counted_rx "$tmp/err1")" = "$delivered" ] ||
	fail "hdrlog's reading of the interface: $(counted_rx "$tmp/err1") != $delivered"
[ "$(not_seen "$tmp/err1")" = 0 ] || fail "not seen: $(not_seen "$tmp/err1")"
grep -q ' 0 lost' "$tmp/err1" || fail "events lost"

# 2. a filter in front of hdrlog's ends 1000 packets before it runs
PORT=$((20000 + $$ % 20000))
ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all --tc-mode netlink \
	--stats-interval 1 --metrics-addr "127.0.0.1:$PORT" >"$tmp/out2" 2>"$tmp/err2" &
pid=$!
track_pid $pid
wait_for "$tmp/err2" 10 "listening on" || fail "hdrlog did not attach: $(cat "$tmp/err2")"
in_a tc filter add dev "$VETH_A" ingress prio 1 handle 1 bpf da \
	obj build/tools/drop_udp9.bpf.o sec tc || fail "tc filter add"
send 1000 10000
in_a tc filter del dev "$VETH_A" ingress prio 1 handle 1 bpf || fail "tc filter del"
sleep 1.2 # a stats record and a metrics update after the traffic
in_a curl -fs "http://127.0.0.1:$PORT/metrics" >"$tmp/metrics" || fail "GET /metrics"
stop_pid $pid INT 10 || fail "hdrlog did not stop"
grep 'packets seen' "$tmp/err2"
ns=$(not_seen "$tmp/err2")
# the veth's own chatter (none: IPv6 is off) may only add to what was seen
[ "$ns" = 1000 ] || fail "not seen by hdrlog: '$ns', want 1000"
grep -q '^hdrlog_not_seen_packets_total 1000$' "$tmp/metrics" ||
	fail "/metrics: $(grep not_seen "$tmp/metrics")"
grep -q '^hdrlog_interface_packets_total{direction="receive"} ' "$tmp/metrics" ||
	fail "/metrics lacks hdrlog_interface_packets_total"
tail -n 1 "$tmp/out2" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
assert r["hdrlog.record"] == "stats", r
assert r["hdrlog.stats.not_seen"] == 1000, r["hdrlog.stats.not_seen"]
assert r["hdrlog.stats.iface.rx_packets"] >= 1000, r
' || fail "stats record: $(tail -n 1 "$tmp/out2")"
python3 tests/lib/check_schema.py "$tmp/out2" >/dev/null || fail "schema: $(python3 tests/lib/check_schema.py "$tmp/out2" | head -3)"

# 3. an interface that appears under -i any is counted from its attach
ip netns exec "$NS_A" "$bin" -i any --packets all >/dev/null 2>"$tmp/err3" &
pid=$!
track_pid $pid
wait_for "$tmp/err3" 30 "listening on every interface" || fail "hdrlog did not attach: $(cat "$tmp/err3")"
late=hlL$$
in_a ip link add "$late" type veth peer name "${late}p" netns "$NS_B" || fail "late veth"
in_a ip addr add 198.18.5.1/24 dev "$late" && in_a ip link set "$late" up &&
	in_b ip addr add 198.18.5.2/24 dev "${late}p" && in_b ip link set "${late}p" up ||
	fail "late veth addresses"
wait_for "$tmp/err3" 10 "listening on $late" || fail "the late veth was not attached: $(cat "$tmp/err3")"
in_b ping -c 5 -i 0.2 -W 1 198.18.5.1 >/dev/null || fail "ping over the late veth"
stop_pid $pid INT 10 || fail "hdrlog did not stop"
grep 'packets seen' "$tmp/err3"
[ -n "$(counted_rx "$tmp/err3")" ] || fail "the interfaces' counters were not reported with a late interface"
[ "$(counted_rx "$tmp/err3")" -ge 5 ] || fail "counted in: $(counted_rx "$tmp/err3"), want the 5 pings at least"
[ "$(not_seen "$tmp/err3")" = 0 ] || fail "not seen: $(not_seen "$tmp/err3")"
echo "PASS"
