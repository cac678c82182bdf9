#!/usr/bin/env bash
# HTTP transactions logged under load: wrk (-t 2 -c 10 -d SECS s) against
# nginx across a veth pair, hdrlog --http live (tc) on the client's veth.
# Reports wrk's requests and requests/s, hdrlog's complete http records
# (must equal wrk's completed requests: zero loss), the kernel's lost
# events, and hdrlog's CPU time (utime+stime of the agent, /proc/PID/stat)
# per second of the run; packet records are written too (to a pipe that
# counts the http ones). RUNS runs (default 2). Needs root; everything is
# removed on exit.
set -u
cd "$(dirname "$0")/.."
. tests/lib/netns.sh
. bench/lib.sh
require_root
need_tools wrk nginx
RUNS=${RUNS:-2}
SECS=${SECS:-5}
bench_setup
fail() { echo "FAIL: $*"; exit 1; }
. tests/lib/http.sh
http_server_start

printf '%-4s %10s %12s %12s %8s %14s\n' run requests requests/s "http records" lost "agent CPU s/s"
for ((r = 1; r <= RUNS; r++)); do
	: >"$tmp/err"
	ip netns exec "$NS_A" "$HDRLOG" -i "$VETH_A" --http 2>"$tmp/err" \
		> >(grep -c '"hdrlog.http.outcome":"complete"' >"$tmp/count") &
	hp=$!
	track_pid $hp
	wait_for "$tmp/err" 30 "listening on" || { cat "$tmp/err"; fail "hdrlog did not start"; }
	k0=$(cpu_ticks "$hp")
	t0=$(date +%s%N)
	timeout $((SECS + 15)) ip netns exec "$NS_A" wrk -t 2 -c 10 -d "${SECS}s" \
		"http://$IP_B:$HTTP_PORT/small.html" >"$tmp/wrk.out" 2>&1 ||
		{ cat "$tmp/wrk.out"; fail "wrk failed"; }
	k1=$(cpu_ticks "$hp")
	t1=$(date +%s%N)
	sleep 1
	warn_if_gone "$hp"
	stop_pid "$hp" INT 30
	sleep 0.5
	reqs=$(awk '/requests in/ { print $1 }' "$tmp/wrk.out")
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$tmp/wrk.out")
	read -r _ _ lost _ <<<"$(hdrlog_summary "$tmp/err")"
	logged=$(cat "$tmp/count")
	cpu=$(awk -v k="$((k1 - k0))" -v hz="$hz" -v a="$t0" -v b="$t1" \
		'BEGIN { printf "%.3f", k / hz / ((b - a) / 1e9) }')
	printf '%-4s %10s %12s %12s %8s %14s\n' "$r" "$reqs" "$rps" "$logged" "$lost" "$cpu"
	grep 'http:' "$tmp/err"
done
