#!/usr/bin/env bash
# HTTP: wrk (-t 2 -c 10 -d 5s) against our own nginx (tests/lib/http.sh:
# one worker, config in a temp dir, listening only on the server
# namespace's address, serving a 612-byte file) across a veth pair,
# without an agent and with hdrlog on the client's veth in each of MODES
# (default "flows http packets"):
#   flows    the default: flow records only
#   http     --http: flow records and an http record per transaction
#   packets  --packets all: a JSON record per packet
# RUNS rounds (default 5). A round alternates a run without an agent and
# a run of one mode, for each mode (none, flows, none, http, ...: A/B/A/B),
# and every mode's ratio is its run's requests/s against the mean of the
# no-agent runs just before and just after it: on a shared machine the
# load drifts over seconds, and a pair close in time sees the same load.
# Reports each mode's median ratio over the rounds with its spread
# (lowest-highest), requests/s, hdrlog's losses (kernel and sequence
# gaps), its own count of packets it never saw, and its CPU time
# (utime+stime of the agent process, /proc/PID/stat) per second of the
# run; with --http also the transactions logged against the requests wrk
# made ("every request logged": a few more are fine, those wrk made as it
# stopped its clock).
# The BPF programs' own time is spent in softirq on the CPUs that move the
# packets and is not in the CPU figure (build/bench/kernel_cost measures
# it per packet). Records go to /dev/null.
# Needs root. Namespaces, veth and processes are removed on exit.
set -u
cd "$(dirname "$0")/.."
. tests/lib/netns.sh
. bench/lib.sh
require_root
need_tools wrk nginx
RUNS=${RUNS:-5}
SECS=${SECS:-5}
MODES=${MODES:-"flows http packets"}
bench_setup

fail() { echo "$*"; exit 1; }
. tests/lib/http.sh
http_server_start

# bench: prints wrk's requests/s and its request count
bench() {
	timeout $((SECS + 15)) ip netns exec "$NS_A" wrk -t 2 -c 10 -d "${SECS}s" \
		"http://$IP_B:$PORT/small.html" >"$tmp/wrk.out" 2>&1 || {
		echo "wrk failed:" >&2; cat "$tmp/wrk.out" >&2; return 1; }
	if grep -q 'Non-2xx' "$tmp/wrk.out"; then
		echo "wrk got errors:" >&2; cat "$tmp/wrk.out" >&2; return 1
	fi
	awk '/^Requests\/sec:/ { r = $2 } / requests in / { n = $1 }
		END { print r, n }' "$tmp/wrk.out"
}
mode_opts() {
	case $1 in
	flows) echo "" ;;
	http) echo "--http" ;;
	packets) echo "--packets all" ;;
	esac
}

# a first run warms nginx and the page cache up; not counted
SECS=1 bench >/dev/null || exit 1
printf '%-4s %-8s %12s %10s %8s %9s %10s %16s\n' run agent requests/s requests lost "not seen" "http txns" "agent CPU s/s"
declare -A q_of cpu_of lost_of logged_of ratio_of
none=()
# none_run ROUND: a run without an agent; its requests/s in $q_none
none_run() {
	local n
	read -r q_none n <<<"$(bench)" || exit 1
	[ -n "${q_none:-}" ] || exit 1
	none+=("$q_none")
	printf '%-4s %-8s %12s %10s\n' "$1" none "$q_none" "$n"
}
none_run 1
for ((r = 1; r <= RUNS; r++)); do
	for m in $MODES; do
		before=$q_none
		# shellcheck disable=SC2046 # the options are words
		start_hdrlog $(mode_opts "$m")
		t0=$(date +%s%N)
		k0=$(cpu_ticks "$hp")
		read -r q n <<<"$(bench)" || exit 1
		k1=$(cpu_ticks "$hp")
		t1=$(date +%s%N)
		sleep 0.5
		# gone already: someone else stopped it, its counts are short
		warn_if_gone "$hp"
		stop_pid "$hp" INT 20
		read -r _ _ lost gaps _ notseen <<<"$(hdrlog_summary "$tmp/hdrlog.err")"
		[ -n "${lost:-}" ] || { echo "no hdrlog summary:"; cat "$tmp/hdrlog.err"; exit 1; }
		txns=$(sed -n 's/^hdrlog: http: \([0-9]*\) transactions logged.*/\1/p' "$tmp/hdrlog.err")
		c=$(awk -v k="$((k1 - k0))" -v hz="$hz" -v a="$t0" -v b="$t1" \
			'BEGIN { printf "%.3f", k / hz / ((b - a) / 1e9) }')
		q_of[$m]+="$q "
		cpu_of[$m]+="$c "
		lost_of[$m]=$(( ${lost_of[$m]:-0} + lost + gaps ))
		# every request logged: the transactions at least wrk's count
		if [ -n "$txns" ] && [ "$txns" -lt "$n" ]; then
			logged_of[$m]="short (run $r: $txns of $n)"
		elif [ -n "$txns" ] && [ -z "${logged_of[$m]:-}" ]; then
			logged_of[$m]=all
		fi
		printf '%-4s %-8s %12s %10s %8s %9s %10s %16s\n' "$r" "$m" "$q" "$n" \
			"$((lost + gaps))" "$notseen" "${txns:--}" "$c"
		none_run "$r" # B's other neighbour, and the next B's first
		ratio_of[$m]+="$(awk -v q="$q" -v a="$before" -v b="$q_none" \
			'BEGIN { printf "%.3f", 2 * q / (a + b) }') "
	done
done

read -r mn lo_n hi_n <<<"$(stats "${none[@]}")"
echo
echo "no agent: median $mn req/s ($lo_n-$hi_n) over ${#none[@]} runs"
line="summary: wrk requests/s against the no-agent runs around each (medians of $RUNS, lowest-highest):"
for m in $MODES; do
	# shellcheck disable=SC2086 # a list of values
	read -r mq lo hi <<<"$(stats ${q_of[$m]})"
	# shellcheck disable=SC2086
	read -r mc _ _ <<<"$(stats ${cpu_of[$m]})"
	# shellcheck disable=SC2086
	read -r mr rlo rhi <<<"$(stats ${ratio_of[$m]})"
	echo "  $m: $mq req/s ($lo-$hi), ratios ${ratio_of[$m]}, agent CPU $mc s/s"
	line+=" $m ${mr}x ($rlo-$rhi, lost ${lost_of[$m]}${logged_of[$m]:+, requests logged: ${logged_of[$m]}});"
done
echo "$line targets: flows >= 0.95, http >= 0.90"
