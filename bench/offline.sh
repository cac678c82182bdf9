#!/usr/bin/env bash
# Offline speed: hdrlog -r to JSON against tcpdump -nn -e -v -r and
# tshark -T ek -r on the same captures: a generated 200k-packet mix and the
# corpus files concatenated (mergecap). Best of 3 wall-clock runs each.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 bench/packets.py "$tmp/mix.pcap" 200000
python3 bench/packets.py "$tmp/mix-small.pcap" 20000

best_of_3() { # prints the best wall time in seconds of "$@" > /dev/null
	local best=999999 t
	for _ in 1 2 3; do
		local start=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN {printf "%.4f", (b - a) / 1e9}')
		best=$(echo "$t $best" | awk '{print ($1 < $2) ? $1 : $2}')
	done
	echo "$best"
}

printf '%-22s %10s %12s %12s\n' capture packets tool seconds
report() { # capture packets tool seconds
	printf '%-22s %10s %12s %12s\n' "$@"
}
h=$(best_of_3 ./build/hdrlog --packets all -r "$tmp/mix.pcap")
t=$(best_of_3 tcpdump -nn -e -v -r "$tmp/mix.pcap")
report mix 200000 hdrlog "$h"
report mix 200000 tcpdump "$t"
# tshark is slow: time it on a tenth of the packets, scale per packet
hs=$(best_of_3 ./build/hdrlog --packets all -r "$tmp/mix-small.pcap")
ts=$(best_of_3 tshark -T ek -r "$tmp/mix-small.pcap")
report mix-small 20000 hdrlog "$hs"
report mix-small 20000 tshark "$ts"
echo "summary: offline JSON is $(echo "$t $h" | awk '{printf "%.1f", $1/$2}')x tcpdump -v text and $(echo "$ts $hs" | awk '{printf "%.1f", $1/$2}')x tshark -T ek"
