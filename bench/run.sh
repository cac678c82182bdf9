#!/usr/bin/env bash
# make bench: every benchmark, each with its baseline measured in the same
# run. Needs root for the kernel benchmark.
# One benchmark failing or skipping does not stop the others.
set -u
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=()

bench() { # title command...
	echo "== $1 =="
	shift
	"$@" || failed+=("$1")
	echo
}

python3 bench/packets.py "$tmp/mix.pcap" 8
python3 bench/packets.py "$tmp/http.pcap" 3 http
python3 bench/packets.py "$tmp/tunnel.pcap" 8 tunnel
bench "kernel cost (BPF_PROG_TEST_RUN)" ./build/bench/kernel_cost "$tmp/mix.pcap" 100000 \
	"$tmp/http.pcap" "$tmp/tunnel.pcap"
bench "anomaly detector memory under a full port scan (BPF_PROG_TEST_RUN)" ./build/tests/test_anomaly_scan
bench "BPF map memory by mode" bench/map_memory.sh
bench "offline speed" bench/offline.sh
bench "API view per HTTP transaction (--openapi, heuristic)" ./build/bench/api_route
bench "--paths per connection on two interfaces (join, path, topology)" ./build/bench/path_join
bench "--paths join rate under wrk (router with masquerade)" bench/paths_wrk.sh
bench "live loss-free rate (veth, trafgen)" bench/live_rate.sh
bench "TCP throughput overhead (veth, iperf3)" bench/overhead.sh
bench "HTTP (veth, nginx + wrk)" bench/http.sh
bench "Loki push (loopback, stub)" bench/loki_push.sh
bench "Loki push, hdrlog's side (stub accepts only)" env LOKI_STUB_ACCEPT_ONLY=1 bench/loki_push.sh
bench "log stores: ClickHouse, syslog (real servers, loopback)" bench/sinks.sh
bench "/metrics scrape (veth, ping flood)" bench/metrics_scrape.sh
bench "HTTP transactions logged (veth, nginx + wrk, --http)" bench/http_txn.sh
bench "HTTP large bodies (veth, nginx + curl, --http)" bench/http_body.sh
bench "the web view on a busy run (veth, nginx + wrk, --http --web, Chromium)" bench/web_view.sh
[ ${#failed[@]} -eq 0 ] || { echo "failed: ${failed[*]}"; exit 1; }
