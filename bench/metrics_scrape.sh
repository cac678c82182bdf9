#!/usr/bin/env bash
# Time to scrape /metrics: a live hdrlog on a veth (tests/lib/netns.sh),
# traffic from the peer namespace (a ping flood, bounded), 200 scrapes with
# curl; prints the median and 99th percentile of curl's total time and the
# body size. The series count does not grow with flows (no per-flow
# labels), so the figure holds for any number of active flows.
#   bench/metrics_scrape.sh   (needs root)
set -u
cd "$(dirname "$0")/.."
. tests/lib/netns.sh
tmp=$(mktemp -d)
netns_setup || { netns_cleanup; rm -rf "$tmp"; exit 1; }
trap 'netns_cleanup; rm -rf "$tmp"' EXIT # after netns_setup, which sets its own
ip netns exec "$NS_A" ./build/hdrlog -i "$VETH_A" --metrics-addr 9464 >/dev/null 2>"$tmp/err" &
track_pid $!
wait_for "$tmp/err" 10 "listening on" || { cat "$tmp/err"; exit 1; }
timeout 30 ip netns exec "$NS_B" ping -f -c 100000 -q "$IP_A" >/dev/null &
track_pid $!
for ((i = 0; i < 200; i++)); do
	in_a curl -fs -o "$tmp/body" -w '%{time_total}\n' http://127.0.0.1:9464/metrics
done | sort -n >"$tmp/times"
awk -v size="$(wc -c <"$tmp/body")" -v series="$(grep -vc '^#' "$tmp/body")" \
	'{ t[NR] = $1 } END {
	printf "metrics scrape: median %.2f ms, p99 %.2f ms over %d scrapes, %d bytes, %d series\n",
		t[int(NR / 2)] * 1000, t[int(NR * 0.99)] * 1000, NR, size, series }' "$tmp/times"
