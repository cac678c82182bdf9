#!/usr/bin/env bash
# Every file of ../shared/corpus/tcpdump-tests through build/hdrlog-asan
# --packets all --anomalies -r (AddressSanitizer, UndefinedBehaviorSanitizer,
# LeakSanitizer): no crash, no sanitizer report, no hang (10 s a file),
# exit 0, or 2 with a message for an unreadable or truncated file; one
# JSON line per event (packet or anomaly) counted in the summary, and
# every line valid by docs/schema.md.
set -u
cd "$(dirname "$0")/../.." || exit 1
corpus=../shared/corpus/tcpdump-tests
bin=build/hdrlog-asan
jobs=${CORPUS_JOBS:-2}

if [ ! -x "$bin" ]; then
	echo "$bin is missing: run 'make asan' (make check builds it)"
	exit 1
fi
if [ ! -d "$corpus" ]; then
	echo "no corpus at $corpus"
	exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One file: NAME.out (stdout), NAME.err (stderr), NAME.rc (exit code).
read_one() {
	local f=$1 base
	base=$tmp/$(basename "$f")
	ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		timeout 10 "$bin" --packets all --anomalies -r "$f" >"$base.out" 2>"$base.err"
	echo $? >"$base.rc"
}
export -f read_one
export tmp bin

start=$SECONDS
find "$corpus" -maxdepth 1 -type f -print0 | sort -z |
	xargs -0 -n 1 -P "$jobs" bash -c 'read_one "$1"' _

files=0 packets=0 exit2=0 bad=0
for rcfile in "$tmp"/*.rc; do
	base=${rcfile%.rc}
	name=$(basename "$base")
	rc=$(cat "$rcfile")
	files=$((files + 1))
	lines=$(wc -l <"$base.out")
	packets=$((packets + lines))
	fail=
	if grep -q 'ERROR: AddressSanitizer\|runtime error\|LeakSanitizer' "$base.err"; then
		fail="sanitizer report"
	elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		fail="timed out"
	elif [ "$rc" -eq 2 ]; then
		exit2=$((exit2 + 1))
		# besides the summary, a line must say why
		grep -qv ' packets seen, ' "$base.err" || fail="exit 2 without a message"
	elif [ "$rc" -ne 0 ]; then
		fail="exit $rc"
	fi
	# one line per packet the summary says was received; no summary
	# only for a file that could not be opened at all
	received=$(sed -n 's/.* events written, \([0-9]*\) received.*/\1/p' "$base.err")
	if [ -z "$received" ] && [ "$rc" -eq 2 ]; then
		received=0
	fi
	if [ -z "$fail" ] && [ "${received:-x}" != "$lines" ]; then
		fail="$lines lines but summary says ${received:-nothing} received"
	fi
	if [ -n "$fail" ]; then
		bad=$((bad + 1))
		echo "FAIL $name: $fail"
		head -n 30 "$base.err" | sed 's/^/    /'
	fi
done

echo "$files files read in $((SECONDS - start))s on $jobs cores: $packets packets logged, $exit2 files with exit 2, $bad failures"
[ "$files" -gt 0 ] || { echo "no files read"; exit 1; }

# Every JSON line against the schema (empty outputs are fine).
find "$tmp" -name '*.out' -size +0 -print0 |
	xargs -0 python3 tests/lib/check_schema.py >"$tmp/schema.log" 2>&1
schema_rc=$?
tail -n 1 "$tmp/schema.log"
if [ $schema_rc -ne 0 ]; then
	head -n 40 "$tmp/schema.log" | sed "s|$tmp/||"
	bad=$((bad + 1))
fi
[ $bad -eq 0 ]
