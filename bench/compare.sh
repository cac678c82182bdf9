#!/usr/bin/env bash
# bench/compare.sh REV [ROUNDS]: kernel cost per packet and offline speed of
# this tree against git revision REV, built in a worktree of its own under
# build/, the two run alternately in the same session (the machine is
# noisy: alternating shares the noise). Prints, per row, the median of
# kernel_cost's "added ns" over ROUNDS (default 6) runs of each, and for
# hdrlog -r the best wall time of ROUNDS runs of each. Needs root for the
# kernel part. Example: bench/compare.sh 3f90128
set -eu
cd "$(dirname "$0")/.."
rev=${1:?usage: bench/compare.sh REV [ROUNDS]}
rounds=${2:-6}
here=$PWD
before=$here/build/compare-$(git rev-parse --short "$rev")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ -d "$before" ] || git worktree add --detach "$before" "$rev" >/dev/null
make -s -C "$before" all build/bench/kernel_cost >/dev/null
make -s all build/bench/kernel_cost >/dev/null
python3 bench/packets.py "$tmp/mix.pcap" 8
python3 bench/packets.py "$tmp/http.pcap" 3 http
python3 bench/packets.py "$tmp/mix200k.pcap" 200000
python3 bench/packets.py "$tmp/http20k.pcap" 20000 http

echo "== kernel cost: median added ns over $rounds runs each, alternating"
for ((r = 0; r < rounds; r++)); do
	for side in before after; do
		dir=$here
		[ $side = before ] && dir=$before
		(cd "$dir" && ./build/bench/kernel_cost "$tmp/mix.pcap" 100000 "$tmp/http.pcap" 2>/dev/null) |
			awk -v side=$side '/^(tc|xdp) / { n = split($0, a, " "); name = $0
				sub(/ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+$/, "", name)
				print side "\t" name "\t" a[n - 1] }'
	done
done >"$tmp/kernel.tsv"
python3 - "$tmp/kernel.tsv" <<'EOF'
import collections, statistics, sys
d, names = collections.defaultdict(list), []
for line in open(sys.argv[1]):
    side, name, v = line.rstrip("\n").split("\t")
    d[(name, side)].append(float(v))
    if name not in names:
        names.append(name)
print(f"{'':42} {'before':>8} {'after':>8}")
for n in names:
    print(f"{n:42} {statistics.median(d[(n, 'before')]):8.1f} {statistics.median(d[(n, 'after')]):8.1f}")
EOF

echo "== hdrlog -r: best wall time of $rounds runs each, alternating"
wall_us() { local s=$(date +%s%N); "$@" >/dev/null 2>&1; echo $((($(date +%s%N) - s) / 1000)); }
for mode in "--packets all" "--flows" "--http"; do
	for cap in mix200k http20k; do
		b=999999999 a=999999999
		for ((r = 0; r < rounds; r++)); do
			t=$(wall_us "$before/build/hdrlog" $mode -r "$tmp/$cap.pcap"); ((t < b)) && b=$t
			t=$(wall_us ./build/hdrlog $mode -r "$tmp/$cap.pcap"); ((t < a)) && a=$t
		done
		printf '%-14s %-8s before %8d us  after %8d us  after/before %.3f\n' \
			"$mode" $cap $b $a "$(awk -v a=$a -v b=$b 'BEGIN { print a / b }')"
	done
done
echo "(the worktree stays in $before; git worktree remove $before when done)"
