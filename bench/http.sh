#!/usr/bin/env bash
# HTTP: wrk (-t 2 -c 10 -d 5s) against our own nginx (tests/lib/http.sh:
# one worker, config in a temp dir, listening only on the server
# namespace's address, serving a 612-byte file) across a veth pair,
# without an agent and with hdrlog (per-packet JSON to /dev/null) on the
# client's veth; RUNS runs each
# (default 2), alternating. Reports requests/s, their ratio, hdrlog's events
# and losses, and hdrlog's CPU time (utime+stime of the agent process from
# /proc/PID/stat) per second of the run. The BPF programs' own time is spent
# in softirq on the CPUs that move the packets and is not in that figure
# (build/bench/kernel_cost measures it per packet).
# Needs root. Namespaces, veth and processes are removed on exit.
set -u
cd "$(dirname "$0")/.."
. tests/lib/netns.sh
. bench/lib.sh
require_root
need_tools wrk nginx
RUNS=${RUNS:-2}
SECS=${SECS:-5}
bench_setup

fail() { echo "$*"; exit 1; }
. tests/lib/http.sh
http_server_start

# bench: prints wrk's requests/s
bench() {
	timeout $((SECS + 15)) ip netns exec "$NS_A" wrk -t 2 -c 10 -d "${SECS}s" \
		"http://$IP_B:$PORT/small.html" >"$tmp/wrk.out" 2>&1 || {
		echo "wrk failed:" >&2; cat "$tmp/wrk.out" >&2; return 1; }
	if grep -q 'Non-2xx' "$tmp/wrk.out"; then
		echo "wrk got errors:" >&2; cat "$tmp/wrk.out" >&2; return 1
	fi
	awk '/^Requests\/sec:/ { print $2 }' "$tmp/wrk.out"
}
cpu_ticks() { awk '{ print $14 + $15 }' /proc/"$1"/stat; }
hz=$(getconf CLK_TCK)

printf '%-4s %-8s %12s %12s %8s %16s\n' run agent requests/s events lost "agent CPU s/s"
none=() with=() cpu=()
for ((r = 1; r <= RUNS; r++)); do
	q=$(bench) || exit 1
	none+=("$q")
	printf '%-4s %-8s %12s\n' "$r" none "$q"

	start_hdrlog
	t0=$(date +%s%N)
	k0=$(cpu_ticks "$hp")
	q=$(bench) || exit 1
	k1=$(cpu_ticks "$hp")
	t1=$(date +%s%N)
	sleep 0.5
	# gone already: someone else stopped it, its counts are short
	warn_if_gone "$hp"
	stop_pid "$hp" INT 20
	read -r _ events lost _ <<<"$(hdrlog_summary "$tmp/hdrlog.err")"
	[ -n "${lost:-}" ] || { echo "no hdrlog summary:"; cat "$tmp/hdrlog.err"; exit 1; }
	c=$(awk -v k="$((k1 - k0))" -v hz="$hz" -v a="$t0" -v b="$t1" \
		'BEGIN { printf "%.3f", k / hz / ((b - a) / 1e9) }')
	with+=("$q")
	cpu+=("$c")
	printf '%-4s %-8s %12s %12s %8s %16s\n' "$r" hdrlog "$q" "$events" "$lost" "$c"
done

read -r mn lo_n hi_n <<<"$(stats "${none[@]}")"
read -r mw lo_w hi_w <<<"$(stats "${with[@]}")"
read -r mc lo_c hi_c <<<"$(stats "${cpu[@]}")"
echo
echo "median of $RUNS: no agent $mn req/s ($lo_n-$hi_n), hdrlog $mw req/s ($lo_w-$hi_w)"
echo "summary: wrk requests/s with hdrlog per-packet JSON =" \
	"$(awk -v a="$mw" -v b="$mn" 'BEGIN { printf "%.2f", a / b }')x no-agent;" \
	"hdrlog CPU $mc s per s of run ($lo_c-$hi_c)"
