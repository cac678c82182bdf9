#!/usr/bin/env bash
# Every libFuzzer target for a short while (FUZZ_SMOKE_SECONDS, default 20)
# on its seed corpus: no crash, no sanitizer report, no leak, no hang.
# Longer runs: make fuzz-long FUZZ_SECONDS=600.
set -u
cd "$(dirname "$0")/../.." || exit 1
seconds=${FUZZ_SMOKE_SECONDS:-20}

fuzzers=()
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	if [ ! -x "build/fuzz/$name" ] || [ "build/fuzz/$name" -ot "$src" ]; then
		echo "build/fuzz/$name is missing or older than $src: run 'make fuzz'"
		exit 1
	fi
	fuzzers+=("$name")
done
if [ ${#fuzzers[@]} -eq 0 ]; then
	echo "no fuzzers in tests/fuzz/"
	exit 1
fi

failed=0
for name in "${fuzzers[@]}"; do
	tests/fuzz/run.sh "$name" "$seconds" || failed=1
done
exit $failed
