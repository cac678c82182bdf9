#!/usr/bin/env bash
# Overhead on bulk TCP: iperf3 throughput over a veth pair without an agent,
# with hdrlog in its default flow mode and with per-packet JSON (both to
# /dev/null) on the server's veth,
# RUNS runs each (default 3), alternating so that noise from other jobs
# hits both alike; -t 5 each. With hdrlog it also checks the accounting:
# hdrlog's events (one per skb) against the veth's rx+tx packet counters
# (skbs too) over the same run. hdrlog's "packets seen" counts the TCP
# segments inside each GSO skb, so it is larger than the veth counters.
# Needs root. Namespaces, veth and processes are removed on exit.
set -u
cd "$(dirname "$0")/.."
. tests/lib/netns.sh
. bench/lib.sh
require_root
need_tools iperf3
RUNS=${RUNS:-3}
SECS=${SECS:-5}
bench_setup

ip netns exec "$NS_A" iperf3 -s -B "$IP_A" -p 5201 >"$tmp/server.log" 2>&1 &
track_pid $!
wait_listen tcp 5201 10 || { echo "iperf3 server did not start"; exit 1; }

counters_a() { # rx+tx packets of $VETH_A
	echo $(($(in_a cat /sys/class/net/"$VETH_A"/statistics/rx_packets) +
		$(in_a cat /sys/class/net/"$VETH_A"/statistics/tx_packets)))
}

# client: prints the receiver's throughput in Gbit/s
client() {
	timeout $((SECS + 15)) ip netns exec "$NS_B" iperf3 -c "$IP_A" -p 5201 \
		-t "$SECS" -J >"$tmp/client.json" 2>&1 || {
		echo "iperf3 client failed:" >&2; cat "$tmp/client.json" >&2; return 1; }
	python3 -c 'import json, sys
print("%.2f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e9))' \
		"$tmp/client.json"
}

printf '%-4s %-8s %10s %12s %12s %12s %8s %10s\n' run agent Gbit/s \
	"veth skbs" "events" "segments" lost "events/skb"
none=() flows=() with=() acct=()
for ((r = 1; r <= RUNS; r++)); do
	g=$(client) || exit 1
	none+=("$g")
	printf '%-4s %-8s %10s\n' "$r" none "$g"

	# the default: flow records, no packet events
	start_hdrlog --packets none
	g=$(client) || exit 1
	sleep 0.5
	warn_if_gone "$hp"
	stop_pid "$hp" INT 20
	flows+=("$g")
	printf '%-4s %-8s %10s\n' "$r" flows "$g"

	start_hdrlog
	c0=$(counters_a)
	g=$(client) || exit 1
	c1=$(counters_a)
	sleep 0.5
	# gone already: someone else stopped it, its counts are short
	warn_if_gone "$hp"
	stop_pid "$hp" INT 20
	read -r seen events lost _ <<<"$(hdrlog_summary "$tmp/hdrlog.err")"
	[ -n "${lost:-}" ] || { echo "no hdrlog summary:"; cat "$tmp/hdrlog.err"; exit 1; }
	skbs=$((c1 - c0))
	a=$(awk -v e="$events" -v s="$skbs" 'BEGIN { printf "%.4f", e / s }')
	with+=("$g")
	acct+=("$a")
	printf '%-4s %-8s %10s %12s %12s %12s %8s %10s\n' "$r" hdrlog "$g" \
		"$skbs" "$events" "$seen" "$lost" "$a"
done

read -r mn lo_n hi_n <<<"$(stats "${none[@]}")"
read -r mw lo_w hi_w <<<"$(stats "${with[@]}")"
read -r mf lo_f hi_f <<<"$(stats "${flows[@]}")"
read -r ma lo_a hi_a <<<"$(stats "${acct[@]}")"
echo
echo "median of $RUNS: no agent $mn Gbit/s ($lo_n-$hi_n), hdrlog flows $mf Gbit/s ($lo_f-$hi_f), hdrlog per-packet $mw Gbit/s ($lo_w-$hi_w)"
echo "summary: iperf3 TCP with hdrlog flow records (default) =" \
	"$(awk -v a="$mf" -v b="$mn" 'BEGIN { printf "%.1f", 100 * a / b }')% of no-agent throughput;" \
	"with per-packet JSON =" \
	"$(awk -v a="$mw" -v b="$mn" 'BEGIN { printf "%.1f", 100 * a / b }')% of no-agent throughput;" \
	"accounting events/veth skbs = $ma ($lo_a-$hi_a)"
