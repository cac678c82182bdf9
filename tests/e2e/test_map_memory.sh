#!/usr/bin/env bash
# Kernel memory by mode: each run's /metrics lists what every BPF map locks
# and the summary their sum. The default flow mode, attribution's maps
# included, stays within 16 MiB (a small ring buffer, 16384 flows whose
# values hold no HTTP state without --http); --packets all alone has no
# flow table; --http's flow values are longer; --flow-table-size and
# --ringbuf-size size what they name.
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
bin=${HDRLOG_BIN:-./build/hdrlog}
command -v curl >/dev/null || { echo "SKIP: curl missing"; exit 77; }
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
netns_setup || { echo "FAIL: netns setup"; exit 1; }
fail() { echo "FAIL: $*"; exit 1; }
PORT=$((20000 + $$ % 20000))

# run NAME OPTION...: hdrlog with the options; /metrics to $tmp/NAME.m,
# stderr (the summary) to $tmp/NAME.err
run() {
	local name=$1 pid
	shift
	ip netns exec "$NS_A" "$bin" -i "$VETH_A" --metrics-addr "127.0.0.1:$PORT" \
		"$@" >/dev/null 2>"$tmp/$name.err" &
	pid=$!
	track_pid $pid
	wait_for "$tmp/$name.err" 10 "listening on" || fail "$name: $(cat "$tmp/$name.err")"
	in_a curl -fs "http://127.0.0.1:$PORT/metrics" >"$tmp/$name.m" || fail "$name: GET /metrics"
	stop_pid $pid INT 10 || fail "$name: hdrlog did not stop"
}
# map NAME MAP: its bytes in NAME's /metrics
map() { sed -n "s/^hdrlog_bpf_map_memory_bytes{map=\"$2\"} //p" "$tmp/$1.m"; }
# total NAME: the sum of NAME's maps, and the summary's MiB figure checked
total() {
	local sum mib
	sum=$(awk '/^hdrlog_bpf_map_memory_bytes/ { s += $2 } END { print s + 0 }' "$tmp/$1.m")
	mib=$(sed -n 's/.*, BPF maps \([0-9.]*\) MiB.*/\1/p' "$tmp/$1.err")
	awk -v s="$sum" -v m="$mib" 'BEGIN { exit !(m != "" && (s / 1048576 - m) ^ 2 < 0.01) }' ||
		fail "$1: summary says '$mib' MiB, the maps sum to $sum bytes"
	echo "$sum"
}

run flows
run bare --no-attribution
run packets --packets all
run http --http
run big --flow-table-size 65536 --ringbuf-size 8388608
for n in flows bare packets http big; do
	echo "$n: $(total $n) bytes, flows map $(map $n flows), events $(map $n events)"
done
[ "$(total flows)" -le $((16 << 20)) ] || fail "default flow mode locks $(total flows) bytes (> 16 MiB)"
[ "$(total bare)" -lt "$(total flows)" ] || fail "--no-attribution locks as much as attribution: $(total bare)"
# 16384 values of 320 bytes without --http, of 432 with (hdrlog/flow.h)
[ "$(map http flows)" -ge $(($(map flows flows) + 16384 * 112)) ] ||
	fail "--http flow table $(map http flows), without $(map flows flows)"
[ "$(map flows sock_owners)" -gt 0 ] || fail "attribution's maps are not counted"
[ "$(map flows events)" -lt $((5 << 20)) ] || fail "flow mode ring buffer: $(map flows events)"
[ "$(map packets flows)" -lt 65536 ] || fail "--packets all has a flow table: $(map packets flows)"
[ "$(map packets events)" -ge $((32 << 20)) ] || fail "--packets all ring buffer: $(map packets events)"
[ "$(map big flows)" -gt $((3 * $(map flows flows))) ] || fail "--flow-table-size 65536: $(map big flows)"
[ "$(map big events)" -ge $((8 << 20)) ] && [ "$(map big events)" -lt $((9 << 20)) ] ||
	fail "--ringbuf-size 8388608: $(map big events)"
echo PASS
