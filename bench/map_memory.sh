#!/usr/bin/env bash
# Kernel memory of hdrlog's BPF maps by mode, as the kernel charges it
# (memlock of each map's fdinfo, summed; hdrlog_bpf_map_memory_bytes of
# /metrics), against the sizing every mode had before (a 65536-flow table
# and a 32 MiB ring buffer in every mode), measured in the same run:
#   --flow-table-size 65536 --ringbuf-size 33554432 (the old sizing)
#   flows (default), --packets all, --http, --packets all --flows
# Needs root. Namespaces and processes are removed on exit.
set -u
cd "$(dirname "$0")/.."
. tests/lib/netns.sh
. bench/lib.sh
require_root
need_tools curl
bench_setup
PORT=$((20000 + $$ % 20000 * 2))

# mem OPTION...: prints "TOTAL FLOWS EVENTS" bytes of a run with the options
mem() {
	ip netns exec "$NS_A" "$HDRLOG" -i "$VETH_A" --metrics-addr "127.0.0.1:$PORT" \
		"$@" >/dev/null 2>"$tmp/err" &
	local pid=$!
	track_pid $pid
	wait_for "$tmp/err" 10 "listening on" || { cat "$tmp/err"; return 1; }
	in_a curl -fs "http://127.0.0.1:$PORT/metrics" >"$tmp/m" ||
		{ echo "GET /metrics failed: $(cat "$tmp/err")" >&2; stop_pid $pid INT 10; return 1; }
	stop_pid $pid INT 10
	awk '/^hdrlog_bpf_map_memory_bytes/ { s += $2 }
		/map="flows"/ { f = $2 } /map="events"/ { e = $2 }
		END { print s + 0, f + 0, e + 0 }' "$tmp/m"
}
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

PORT=$((PORT + 1)) # each run a port of its own: the last one may linger
out=$(mem --flow-table-size 65536 --ringbuf-size 33554432) || exit 1
read -r old _ _ <<<"$out"
printf '%-36s %10s %10s %10s %8s\n' mode "total MiB" "flows MiB" "ring MiB" "vs old"
printf '%-36s %10s\n' "old sizing (65536 flows, 32 MiB ring)" "$(mib "$old")"
line="summary: BPF map memory"
for m in "flows (default)|" "--packets all|--packets all" "--http|--http" \
	"--packets all --flows|--packets all --flows"; do
	name=${m%%|*}
	# shellcheck disable=SC2086 # the options are words
	PORT=$((PORT + 1))
	out=$(mem ${m#*|}) || exit 1
	read -r t f e <<<"$out"
	r=$(awk -v a="$t" -v b="$old" 'BEGIN { printf "%.2f", a / b }')
	printf '%-36s %10s %10s %10s %8s\n' "$name" "$(mib "$t")" "$(mib "$f")" "$(mib "$e")" "$r"
	line+=" $name $(mib "$t") MiB (${r}x the old sizing);"
done
echo "$line target: default flow mode <= 16 MiB"
