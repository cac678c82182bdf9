#!/usr/bin/env bash
# make bench: every benchmark, each with its baseline measured in the same
# run. Needs root for the kernel benchmark.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "== kernel cost (BPF_PROG_TEST_RUN) =="
python3 bench/packets.py "$tmp/mix.pcap" 8
./build/bench/kernel_cost "$tmp/mix.pcap" 100000
echo
echo "== offline speed =="
bench/offline.sh
