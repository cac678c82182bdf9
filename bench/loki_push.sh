#!/usr/bin/env bash
# Records/s hdrlog pushes to a Loki push API on loopback with zero drops:
# N records of a generated capture through `hdrlog -r --loki-url` into
# tests/tools/loki_stub.py, in a namespace of its own (private loopback).
# The stub (Python, validating every push) is the slower side, so this is a
# floor for hdrlog; LOKI_STUB_ACCEPT_ONLY=1 makes it answer without decoding
# to show hdrlog's own rate. Prints records, seconds, records/s, dropped.
#   bench/loki_push.sh [N]   (default 200000; needs root for the namespace)
set -u
cd "$(dirname "$0")/.."
n=${1:-200000}
ns=hdrlog-bench-loki-$$
tmp=$(mktemp -d)
cleanup() {
	[ -n "${stub:-}" ] && kill "$stub" 2>/dev/null && wait "$stub" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$ns" && ip -n "$ns" link set lo up || exit 1
python3 tests/lib/udp_pcap.py "$tmp/in.pcap" "$n"
ip netns exec "$ns" env LOKI_STUB_ACCEPT_ONLY="${LOKI_STUB_ACCEPT_ONLY:-}" \
	python3 tests/tools/loki_stub.py 3100 "$tmp/loki.jsonl" &
stub=$!
for ((i = 0; i < 50; i++)); do
	ip netns exec "$ns" curl -fs http://127.0.0.1:3100/ready >/dev/null && break
	sleep 0.1
done
start=$(date +%s.%N)
ip netns exec "$ns" ./build/hdrlog -r "$tmp/in.pcap" --loki-url http://127.0.0.1:3100 \
	--loki-queue $((n + 1)) >/dev/null 2>"$tmp/err"
end=$(date +%s.%N)
summary=$(grep -E '^hdrlog: ' "$tmp/err" | tail -1)
sent=$(echo "$summary" | sed -nE 's/.*loki: ([0-9]+) sent, ([0-9]+) dropped.*/\1/p')
dropped=$(echo "$summary" | sed -nE 's/.*loki: ([0-9]+) sent, ([0-9]+) dropped.*/\2/p')
got=$(wc -l <"$tmp/loki.jsonl")
awk -v n="$n" -v s="$start" -v e="$end" -v sent="$sent" -v d="$dropped" -v got="$got" 'BEGIN {
	t = e - s
	printf "loki push: %d records, %.2f s, %.0f records/s, sent %d, dropped %d, stub stored %d\n",
		n, t, n / t, sent, d, got }'
