# Shared by the live benchmarks (sourced after tests/lib/netns.sh).

# stats V...: prints the median, the minimum and the maximum of the values.
stats() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		printf "%s %s %s", v[int((NR + 1) / 2)], v[1], v[NR] }'
}

# hdrlog_summary FILE: prints "SEEN RECEIVED LOST GAPS IFACE_IN NOT_SEEN"
# from the summary line hdrlog wrote to FILE (its stderr) on exit (the
# last two "?" when it could not read the interfaces' counters); nothing
# when there is none.
hdrlog_summary() {
	awk '/packets seen/ {
		iface = "?"; notseen = "?"
		for (i = 1; i <= NF; i++) {
			if ($(i+1) == "packets" && $(i+2) == "seen,") seen = $i
			if ($(i+1) == "received,") recv = $i
			if ($(i+1) == "lost") lost = $i
			if ($i == "gaps") gaps = $(i+1) + 0
			if ($i == "counted") iface = $(i+1)
			if ($(i+1) == "not" && $(i+2) == "seen") notseen = $i
		}
		print seen, recv, lost, gaps, iface, notseen }' "$1"
}

# warn_if_gone PID: an agent that exited before the end of its run (someone
# else stopped it) leaves short counts: say so. One still draining then is
# not caught here; its summary names who stopped it ("from pid N").
warn_if_gone() {
	case $(awk '{ print $3 }' /proc/"$1"/stat 2>/dev/null) in
	""|Z)
		echo "WARNING: the tool (pid $1) exited before the end of the run:" \
			"its figures for this run are not valid" >&2
		;;
	esac
}

# need_tools CMD...: skips the benchmark (exit 77) when one is missing.
need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
	done
}

# start_hdrlog [OPTION...]: runs $HDRLOG on $VETH_A in $NS_A with the
# options (default: --packets all, a record per packet), JSON to /dev/null
# and its stderr to $tmp/hdrlog.err, and waits until it is attached. Sets
# hp to its pid; exits the benchmark when it does not start.
start_hdrlog() {
	local opts=("$@")
	[ ${#opts[@]} -gt 0 ] || opts=(--packets all)
	ip netns exec "$NS_A" "$HDRLOG" -i "$VETH_A" "${opts[@]}" >/dev/null 2>"$tmp/hdrlog.err" &
	hp=$!
	track_pid "$hp"
	wait_for "$tmp/hdrlog.err" 30 "listening on" || {
		echo "hdrlog did not start:"; cat "$tmp/hdrlog.err"; exit 1; }
}

# bench_setup: what every live benchmark starts with: $HDRLOG (built),
# $tmp, the two namespaces and their removal on exit (also on Ctrl-C).
bench_setup() {
	HDRLOG=${HDRLOG:-$PWD/build/hdrlog}
	[ -x "$HDRLOG" ] || { echo "$HDRLOG missing: run make"; exit 1; }
	tmp=$(mktemp -d)
	cleanup() { netns_cleanup; rm -rf "$tmp"; }
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	netns_setup || { echo "namespace setup failed"; exit 1; }
}

# cpu_ticks PID: the CPU time (user + system) process PID has used, in
# ticks of $hz a second
cpu_ticks() { awk '{ print $14 + $15 }' /proc/"$1"/stat; }
hz=$(getconf CLK_TCK)
