#!/usr/bin/env bash
# Usage: tests/fuzz/run.sh FUZZER SECONDS [LIBFUZZER_OPTION...]
#
# Runs one libFuzzer target (a name such as fuzz_pcap, or its path under
# build/fuzz/) for SECONDS on top of a seed corpus made from
# ../shared/corpus/tcpdump-tests. New inputs collect in
# build/fuzz/corpus/NAME/, crashes in build/fuzz/artifacts/. Exit 0 when the
# fuzzer ran its time without a finding, 1 otherwise, 2 on bad usage.
set -u
cd "$(dirname "$0")/../.." || exit 1

if [ $# -lt 2 ] || ! [[ $2 =~ ^[0-9]+$ ]]; then
	echo "usage: $0 FUZZER SECONDS [LIBFUZZER_OPTION...]" >&2
	exit 2
fi
name=$(basename "$1")
seconds=$2
shift 2
bin=build/fuzz/$name
corpus_src=../shared/corpus/tcpdump-tests
if [ ! -x "$bin" ]; then
	echo "$bin is not built: run 'make fuzz'" >&2
	exit 1
fi

# Per target: seed directory, longest input, extra options.
opts=()
case $name in
fuzz_packet)
	seeds=build/fuzz/seeds-packet
	max_len=1601 # selector byte + an Ethernet jumbo-ish frame
	;;
fuzz_pcap)
	seeds=build/fuzz/seeds-pcap
	max_len=65536
	opts+=(-close_fd_mask=2) # offline_run's warnings; crash reports stay
	;;
fuzz_http)
	seeds=tests/fuzz/seeds-http # committed: no corpus to make them from
	max_len=4096
	opts+=(-dict=tests/fuzz/http.dict)
	;;
fuzz_api)
	seeds=tests/fuzz/seeds-api # committed: a description or a path each
	max_len=4096
	;;
*)
	seeds=
	max_len=4096
	;;
esac

# seeds made from the corpus live under build/; committed ones are kept
if [ -n "$seeds" ] && [ "${seeds#build/}" != "$seeds" ] && [ ! -f "$seeds/.done" ]; then
	if [ ! -d "$corpus_src" ]; then
		echo "no $corpus_src: fuzzing without seeds" >&2
	else
		# made aside and renamed: another run may be making it too
		[ -f "$seeds/.done" ] || rm -rf "$seeds"
		tmp_seeds=$(mktemp -d "$seeds.XXXXXX")
		python3 tests/fuzz/seeds.py "${name#fuzz_}" "$tmp_seeds" \
			"$corpus_src"/*.pcap "$corpus_src"/*.pcapng || exit 1
		touch "$tmp_seeds/.done"
		mv -T "$tmp_seeds" "$seeds" 2>/dev/null || rm -rf "$tmp_seeds"
	fi
fi

work=build/fuzz/corpus/$name
artifacts=build/fuzz/artifacts
mkdir -p "$work" "$artifacts"
dirs=("$work")
[ -n "$seeds" ] && [ -d "$seeds" ] && dirs+=("$seeds")

# A run's own log, so that two runs at once (make check and a user) do not
# write into one file; the last run's is kept as build/fuzz/NAME.log.
log=$(mktemp "build/fuzz/$name.XXXXXX.log")
start=$(date +%s)
echo "fuzzing $name for ${seconds}s (corpus ${dirs[*]})"
# -error_exitcode: libFuzzer's default, 77, is the test runner's "skip".
"$bin" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
	-rss_limit_mb=2048 -error_exitcode=1 -timeout_exitcode=1 \
	-artifact_prefix="$artifacts/$name-" -print_final_stats=1 \
	"${opts[@]}" "$@" "${dirs[@]}" >"$log" 2>&1
rc=$?
elapsed=$(($(date +%s) - start))

runs=$(grep -a '^stat::number_of_executed_units:' "$log" | tail -n 1 | tr -dc 0-9)
rate=$(grep -a '^stat::average_exec_per_sec:' "$log" | tail -n 1 | tr -dc 0-9)
cov=$(grep -ao 'cov: [0-9]*' "$log" | tail -n 1)
echo "$name: ${runs:-?} runs in ${elapsed}s, ${rate:-?} exec/s, ${cov:-cov: ?}, exit $rc"
if [ $rc -ne 0 ] || grep -aq '^==[0-9]*==ERROR\|runtime error:\|^SUMMARY:' "$log"; then
	mv "$log" "build/fuzz/$name.log"
	echo "$name FOUND A PROBLEM; last lines of build/fuzz/$name.log:"
	tail -n 60 "build/fuzz/$name.log"
	ls -t "$artifacts"/"$name"-* 2>/dev/null | head -n 5 | sed 's/^/artifact: /'
	exit 1
fi
mv "$log" "build/fuzz/$name.log"
exit 0
