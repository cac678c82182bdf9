#!/usr/bin/env bash
# --metrics-addr against a real Prometheus: hdrlog and Prometheus both run in
# the test's namespace $NS_A (so their loopback ports are private to it),
# Prometheus scrapes /metrics every second, $NS_B sends 20 pings and 50 UDP
# datagrams of known size, and Prometheus's query API must return exactly
# those packet and byte counts by interface, direction and transport, no
# loss, and as many events as hdrlog wrote lines. promtool checks the
# exposition format and naming.
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
bin=${HDRLOG_BIN:-./build/hdrlog}
for tool in prometheus promtool ncat python3 curl; do
	command -v $tool >/dev/null || { echo "SKIP: $tool missing"; exit 77; }
done
tmp=$(mktemp -d)
netns_setup || { netns_cleanup; rm -rf "$tmp"; echo "FAIL: netns setup"; exit 1; }
trap 'netns_cleanup; rm -rf "$tmp"' EXIT # after netns_setup, which sets its own
fail() { echo "FAIL: $*"; exit 1; }

METRICS_PORT=9464 PROM_PORT=9091 UDP_PORT=9999
PINGS=20 DATAGRAMS=50 PAYLOAD=100
UDP_FRAME=$((14 + 20 + 8 + PAYLOAD))

ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all --metrics-addr "127.0.0.1:$METRICS_PORT" \
	>"$tmp/out" 2>"$tmp/err" &
pid=$!
track_pid $pid
wait_for "$tmp/err" 30 "listening on" || fail "hdrlog did not attach: $(cat "$tmp/err")"

cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: hdrlog
    static_configs:
      - targets: ['127.0.0.1:$METRICS_PORT']
EOF
ip netns exec "$NS_A" prometheus --config.file="$tmp/prometheus.yml" \
	--storage.tsdb.path="$tmp/tsdb" --web.listen-address="127.0.0.1:$PROM_PORT" \
	>"$tmp/prom.log" 2>&1 &
track_pid $!
for ((i = 0; i < 300; i++)); do
	in_a curl -fs "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null 2>&1 && break
	sleep 0.1
done
[ $i -lt 300 ] || fail "Prometheus not ready after 30 s: $(tail -5 "$tmp/prom.log")"

# The exposition as Prometheus's own linter sees it.
in_a curl -fs "http://127.0.0.1:$METRICS_PORT/metrics" >"$tmp/metrics.txt" || fail "GET /metrics"
promtool check metrics <"$tmp/metrics.txt" >"$tmp/promtool.out" 2>&1 ||
	fail "promtool check metrics: $(cat "$tmp/promtool.out")"
code=$(in_a curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$METRICS_PORT/other")
[ "$code" = 404 ] || fail "GET /other answered $code, not 404"

# Traffic, bounded in count and time.
timeout 20 ip netns exec "$NS_A" ncat -u -l --recv-only "$IP_A" $UDP_PORT >"$tmp/udp.recv" &
track_pid $!
wait_listen udp $UDP_PORT || fail "UDP listener did not start"
timeout 20 ip netns exec "$NS_B" ping -n -q -c $PINGS -i 0.05 -W 2 "$IP_A" >/dev/null || fail "ping"
timeout 10 ip netns exec "$NS_B" python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range($DATAGRAMS):
    s.sendto(b'x' * $PAYLOAD, ('$IP_A', $UDP_PORT))
    time.sleep(0.002)
" || fail "UDP sender"

# query EXPR: prints the sum of the instant vector's values (0 when empty).
query() {
	in_a curl -fsG "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" |
		python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["status"] == "success", r
print(int(sum(float(s["value"][1]) for s in r["data"]["result"])))'
}
# expect EXPR WANT: waits up to 15 s for Prometheus to return WANT.
expect() {
	local got i
	for ((i = 0; i < 75; i++)); do
		got=$(query "$1") && [ "$got" = "$2" ] && return 0
		sleep 0.2
	done
	fail "Prometheus: $1 = ${got:-error}, want $2"
}
sel="job=\"hdrlog\",interface=\"$VETH_A\""
expect "hdrlog_packets_total{$sel,direction=\"receive\",transport=\"icmp\"}" $PINGS
expect "hdrlog_packets_total{$sel,direction=\"transmit\",transport=\"icmp\"}" $PINGS
expect "hdrlog_bytes_total{$sel,direction=\"receive\",transport=\"icmp\"}" $((PINGS * 98))
expect "hdrlog_packets_total{$sel,direction=\"receive\",transport=\"udp\"}" $DATAGRAMS
expect "hdrlog_bytes_total{$sel,direction=\"receive\",transport=\"udp\"}" $((DATAGRAMS * UDP_FRAME))
expect "hdrlog_packets_total{$sel,direction=\"transmit\",transport=\"udp\"}" 0
expect 'sum(hdrlog_kernel_ringbuf_full_total)' 0
expect 'hdrlog_events_missing_total' 0

# The totals must match hdrlog's own output. A late ARP or neighbour
# probe can still arrive while this runs, so each comparison counts the
# lines again rather than once up front.
# expect_lines EXPR: waits up to 15 s for EXPR to equal the lines written.
expect_lines() {
	local got i
	for ((i = 0; i < 75; i++)); do
		lines=$(grep -c '"hdrlog.record":"packet"' "$tmp/out")
		got=$(query "$1") && [ "$got" = "$lines" ] && return 0
		sleep 0.2
	done
	fail "Prometheus: $1 = ${got:-error}, want $lines (lines written)"
}
expect_lines 'hdrlog_events_received_total'
expect_lines 'sum(hdrlog_packets_total)'
expect_lines 'sum(hdrlog_kernel_packets_total)'
expect_lines 'hdrlog_sink_sent_records_total{sink="stdout"}'
expect 'hdrlog_sink_dropped_records_total{sink="stdout"}' 0
[ "$(query 'count(hdrlog_kernel_packets_total)')" -ge 1 ] || fail "no per-CPU kernel series"

stop_pid $pid INT 10 || fail "hdrlog exit $? after SIGINT: $(cat "$tmp/err")"
python3 tests/lib/check_schema.py "$tmp/out" || fail "schema check"
echo "PASS: Prometheus saw $PINGS pings, $DATAGRAMS datagrams, $lines packets in all"
