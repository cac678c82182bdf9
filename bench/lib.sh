# Shared by the live benchmarks (sourced after tests/lib/netns.sh).

# stats V...: prints the median, the minimum and the maximum of the values.
stats() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		printf "%s %s %s", v[int((NR + 1) / 2)], v[1], v[NR] }'
}

# hdrlog_summary FILE: prints "SEEN RECEIVED LOST GAPS" from the summary
# line hdrlog wrote to FILE (its stderr) on exit; nothing when there is none.
hdrlog_summary() {
	awk '/packets seen/ {
		for (i = 1; i <= NF; i++) {
			if ($(i+1) == "packets" && $(i+2) == "seen,") seen = $i
			if ($(i+1) == "received,") recv = $i
			if ($(i+1) == "lost") lost = $i
			if ($i == "gaps") gaps = $(i+1) + 0
		}
		print seen, recv, lost, gaps }' "$1"
}

# warn_if_gone PID: an agent that exited before the end of its run (someone
# else stopped it) leaves short counts: say so.
warn_if_gone() {
	case $(awk '{ print $3 }' /proc/"$1"/stat 2>/dev/null) in
	""|Z)
		echo "WARNING: the tool (pid $1) exited before the end of the run:" \
			"its figures for this run are not valid" >&2
		;;
	esac
}
