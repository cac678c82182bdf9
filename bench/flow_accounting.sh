#!/usr/bin/env bash
# Packets the flow table accounted against packets TCP sent and received:
# a bounded iperf3 run (SECONDS, default 3) over veth with hdrlog --flows
# on the client side; the witness is the client namespace's nstat
# TcpOutSegs + TcpRetransSegs + TcpInSegs (GSO segments counted one by one, as hdrlog does).
# Prints both and their ratio. Needs root, iperf3, nstat.
set -u
cd "$(dirname "$0")/.."
. tests/lib/netns.sh
require_root
for t in iperf3 nstat; do command -v $t >/dev/null || { echo "SKIP: $t missing"; exit 77; }; done
secs=${SECONDS_RUN:-3}
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
netns_setup || exit 1
ip netns exec "$NS_B" timeout $((secs + 10)) iperf3 -s -1 -B "$IP_B" >/dev/null 2>&1 &
track_pid $!
sleep 0.5
ip netns exec "$NS_A" ./build/hdrlog -i "$VETH_A" --flows >"$tmp/out" 2>"$tmp/err" &
pid=$!
track_pid $pid
wait_for "$tmp/err" 30 "listening on" || { cat "$tmp/err"; exit 1; }
in_a nstat -n >/dev/null # reset the history: counts from here
timeout $((secs + 10)) ip netns exec "$NS_A" iperf3 -c "$IP_B" -t "$secs" >/dev/null || exit 1
sleep 0.5
segs=$(in_a nstat -a 2>/dev/null | awk '$1 == "TcpOutSegs" || $1 == "TcpInSegs" || $1 == "TcpRetransSegs" { s += $2 } END { print s }')
stop_pid $pid INT 10 || { echo "hdrlog did not stop"; exit 1; }
acc=$(python3 -c '
import json, sys
n = 0
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("network.transport") == "tcp" and r.get("destination.port") == 5201:
        n += r["hdrlog.flow.orig.packets"] + r["hdrlog.flow.resp.packets"]
print(n)' "$tmp/out")
late=$(grep -oE '[0-9]+ late packets' "$tmp/err" | cut -d' ' -f1)
[ -n "$late" ] || { echo "no summary: $(cat "$tmp/err")"; exit 1; }
echo "iperf3 ${secs}s over veth: TCP segments (nstat, client ns) $segs;" \
	"in flow records $acc + $late late; ratio $(python3 -c "print(f'{($acc + $late) / $segs:.4f}')")"
tail -1 "$tmp/err"
