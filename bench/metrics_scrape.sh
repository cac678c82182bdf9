#!/usr/bin/env bash
# Time to scrape /metrics: a live hdrlog (flow mode, the default) on a
# veth (tests/lib/netns.sh) with FLOWS (default 10000) UDP flows made
# first, one datagram from each of as many source ports, all still in the
# kernel's flow table (idle timeout 300 s), then a ping flood (bounded)
# during 200 scrapes with curl; prints the median and 99th percentile of
# curl's total time and the body size. The series count does not grow
# with flows (no per-flow labels).
#   bench/metrics_scrape.sh   (needs root)
set -u
cd "$(dirname "$0")/.."
. tests/lib/netns.sh
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
netns_setup || exit 1
FLOWS=${FLOWS:-10000}
ip netns exec "$NS_A" ./build/hdrlog -i "$VETH_A" --idle-timeout 300 \
	--flow-table-size 65536 --metrics-addr 9464 >/dev/null 2>"$tmp/err" &
hp=$!
track_pid $hp
wait_for "$tmp/err" 30 "listening on" || { cat "$tmp/err"; exit 1; }
# FLOWS datagrams from as many source ports (bounded: one each)
timeout 60 ip netns exec "$NS_B" python3 - "$IP_A" "$FLOWS" <<'PY'
import socket, sys
dst, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("", 20000 + i))
    s.sendto(b"flow", (dst, 9))
    s.close()
PY
sleep 1
flows=$(in_a curl -fs http://127.0.0.1:9464/metrics | awk '/^hdrlog_kernel_flows_created_total/ { n += $2 } END { print n + 0 }')
timeout 30 ip netns exec "$NS_B" ping -f -c 100000 -q "$IP_A" >/dev/null &
track_pid $!
for ((i = 0; i < 200; i++)); do
	in_a curl -fs -o "$tmp/body" -w '%{time_total}\n' http://127.0.0.1:9464/metrics
done | sort -n >"$tmp/times"
awk -v flows="$flows" -v size="$(wc -c <"$tmp/body")" -v series="$(grep -vc '^#' "$tmp/body")" \
	'{ t[NR] = $1 } END {
	printf "metrics scrape: median %.2f ms, p99 %.2f ms over %d scrapes, %d bytes, %d series, %d flows in the table\n",
		t[int(NR / 2)] * 1000, t[int(NR * 0.99)] * 1000, NR, size, series, flows }' "$tmp/times"
