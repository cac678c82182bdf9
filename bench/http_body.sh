#!/usr/bin/env bash
# Large HTTP bodies: curl fetches a SIZE_MB MiB file from nginx across a
# veth pair, FETCHES times on one keep-alive connection, with no agent
# (the baseline, measured in the same run) and with hdrlog --http live
# (tc) on the client's veth, ROUNDS rounds interleaved. Reports the
# download rate of each and their ratio, hdrlog's events written against
# the body bytes it passed over (counted, not copied: bpf/http_flow.h) and
# the agent's CPU time. Needs root; everything is removed on exit.
set -u
cd "$(dirname "$0")/.."
. tests/lib/netns.sh
. bench/lib.sh
require_root
need_tools nginx curl
ROUNDS=${ROUNDS:-3}
SIZE_MB=${SIZE_MB:-256}
FETCHES=${FETCHES:-4}
bench_setup
fail() { echo "FAIL: $*"; exit 1; }
. tests/lib/http.sh
http_server_start
head -c $((SIZE_MB << 20)) /dev/zero >"$tmp/www/big.bin"

# fetch: prints the MB/s of FETCHES downloads on one connection
fetch() {
	local urls=() i t0 t1
	for ((i = 0; i < FETCHES; i++)); do urls+=("http://$IP_B:$HTTP_PORT/big.bin" -o /dev/null); done
	t0=$(date +%s%N)
	timeout 120 ip netns exec "$NS_A" curl -s "${urls[@]}" || fail "curl"
	t1=$(date +%s%N)
	awk -v n=$((SIZE_MB * FETCHES)) -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / ((b - a) / 1e9) }'
}

base=() with=() ratio=()
# passed over: body bytes of the segments the kernel counted and did not
# copy, over the bodies' size (a retransmitted segment counts again)
printf '%-6s %12s %12s %7s %8s %14s %16s %10s\n' round "none MB/s" "hdrlog MB/s" ratio events "bodies (bytes)" "passed over" "agent CPU s"
for ((r = 1; r <= ROUNDS; r++)); do
	b=$(fetch)
	: >"$tmp/err"
	ip netns exec "$NS_A" "$HDRLOG" -i "$VETH_A" --http >/dev/null 2>"$tmp/err" &
	hp=$!
	track_pid $hp
	wait_for "$tmp/err" 30 "listening on" || { cat "$tmp/err"; fail "hdrlog did not start"; }
	k0=$(cpu_ticks "$hp")
	w=$(fetch)
	k1=$(cpu_ticks "$hp")
	sleep 1
	warn_if_gone "$hp"
	stop_pid "$hp" INT 30
	events=$(awk '/events written/ { for (i = 1; i < NF; i++) if ($(i+1) == "events") print $i }' "$tmp/err")
	uncopied=$(sed -n 's/.*segments (\([0-9]*\) bytes) of bodies counted.*/\1/p' "$tmp/err")
	read -r _ _ lost _ <<<"$(hdrlog_summary "$tmp/err")"
	[ "$lost" = 0 ] || echo "round $r: $lost events lost"
	bodies=$((SIZE_MB * FETCHES << 20))
	rt=$(awk -v a="$w" -v b="$b" 'BEGIN { printf "%.3f", a / b }')
	base+=("$b") with+=("$w") ratio+=("$rt")
	printf '%-6s %12s %12s %7s %8s %14s %15s%% %10s\n' "$r" "$b" "$w" "$rt" "$events" "$bodies" \
		"$(awk -v u="$uncopied" -v t="$bodies" 'BEGIN { printf "%.2f", 100 * u / t }')" \
		"$(awk -v k=$((k1 - k0)) -v hz="$hz" 'BEGIN { printf "%.2f", k / hz }')"
	grep 'http:' "$tmp/err" | head -1
done
read -r med lo hi <<<"$(stats "${ratio[@]}")"
echo "summary: download rate with hdrlog --http / without, median $med (min $lo, max $hi) over $ROUNDS rounds of $FETCHES x $SIZE_MB MiB"
