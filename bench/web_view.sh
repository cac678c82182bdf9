#!/usr/bin/env bash
# The web view's cost on a busy run: wrk (-t 2 -c 32, a new connection per
# request, so thousands of flows are live at once: each stays in the table
# its close delay) against nginx across a veth pair, hdrlog --http on the
# client's veth, three ways in each run: without --web (the baseline),
# with --web and no page open, and with --web and the page open in
# headless Chromium (bench/web_page.mjs: the flow table reloading as the
# live stream brings news). Prints the agent's CPU (utime+stime,
# /proc/PID/stat) per second of wrk, its ratio to the baseline, the live
# flows the store held, the time of one page of the flow table sorted by
# bytes (/api/flows), and the page's load time (navigation, and until the
# flow table shows) at the start and the end of the held period. RUNS runs
# (default 1) of SECS seconds (default 10). Needs root.
set -u
cd "$(dirname "$0")/.."
. tests/lib/netns.sh
. bench/lib.sh
require_root
need_tools wrk nginx node /usr/bin/chromium
[ -d tests/e2e/web/node_modules/playwright-core ] || { echo "SKIP: run scripts/deps.sh"; exit 77; }
RUNS=${RUNS:-1}
SECS=${SECS:-10}
WEB=127.0.0.1:8189
bench_setup
fail() { echo "FAIL: $*"; exit 1; }
. tests/lib/http.sh
http_server_start


# one_way NAME [hdrlog options...]: a wrk run; prints NAME, requests/s,
# agent CPU s/s, live flows at the end (with --web), and the page's line.
one_way() {
	local name=$1 page=${PAGE:-} k0 k1 t0 t1 live=- line=- hp api=-
	shift
	: >"$tmp/err"
	ip netns exec "$NS_A" "$HDRLOG" -i "$VETH_A" --http "$@" >/dev/null 2>"$tmp/err" &
	hp=$!
	track_pid $hp
	wait_for "$tmp/err" 30 "listening on" || { cat "$tmp/err"; fail "hdrlog did not start"; }
	k0=$(cpu_ticks $hp)
	t0=$(date +%s%N)
	timeout $((SECS + 15)) ip netns exec "$NS_A" wrk -t 2 -c 32 -d "${SECS}s" \
		-H 'Connection: close' "http://$IP_B:$HTTP_PORT/small.html" >"$tmp/wrk.out" 2>&1 &
	wp=$!
	if [ -n "$page" ]; then
		sleep 2 # flows to show
		HOME=$tmp timeout $((SECS + 60)) ip netns exec "$NS_A" node bench/web_page.mjs \
			"http://$WEB" $((SECS - 5)) >"$tmp/page.out" 2>&1 || cat "$tmp/page.out"
		line=$(tail -1 "$tmp/page.out")
	elif [ "$#" -gt 0 ]; then
		sleep $((SECS / 2))
	fi
	if [ "$#" -gt 0 ]; then # one page of the flow table, sorted by bytes
		api=$(ip netns exec "$NS_A" curl -s -o /dev/null -w '%{time_total}' \
			"http://$WEB/api/flows?sort=bytes&limit=50" | awk '{ printf "%.1f", $1 * 1000 }')
	fi
	wait $wp || { cat "$tmp/wrk.out"; fail "wrk failed"; }
	k1=$(cpu_ticks $hp)
	t1=$(date +%s%N)
	if [ "$#" -gt 0 ]; then
		live=$(ip netns exec "$NS_A" curl -s "http://$WEB/api/status" |
			python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["live"], "+", d["dropped"]["live_over_limit"], "over")')
	fi
	warn_if_gone $hp
	stop_pid $hp INT 30
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$tmp/wrk.out")
	cpu=$(awk -v k="$((k1 - k0))" -v hz="$hz" -v a="$t0" -v b="$t1" \
		'BEGIN { printf "%.3f", k / hz / ((b - a) / 1e9) }')
	echo "$name|$rps|$cpu|$live|$line|$api"
}

for ((r = 1; r <= RUNS; r++)); do
	base=$(one_way "no --web")
	quiet=$(one_way "--web, no page" --web $WEB)
	open=$(PAGE=1 one_way "--web, page open" --web $WEB)
	b=$(cut -d'|' -f3 <<<"$base")
	b_rps=$(cut -d'|' -f2 <<<"$base")
	printf '%-18s %11s %13s %6s %13s %6s %12s  %s\n' way requests/s "agent CPU s/s" ratio \
		"CPU ms/1k req" ratio "/api/flows ms" "live flows at the end"
	for l in "$base" "$quiet" "$open"; do
		IFS='|' read -r name rps cpu live line api <<<"$l"
		awk -v n="$name" -v r="$rps" -v c="$cpu" -v b="$b" -v br="$b_rps" -v l="$live" -v a="$api" 'BEGIN {
			per = r > 0 ? c / r * 1e6 : 0; bper = br > 0 ? b / br * 1e6 : 0
			printf "%-18s %11s %13s %6.2f %13.3f %6.2f %12s  %s\n", n, r, c,
				(b > 0 ? c / b : 0), per, (bper > 0 ? per / bper : 0), a, l }'
	done
	echo "page: $(cut -d'|' -f5 <<<"$open")"
done
