#!/usr/bin/env bash
# hdrlog's filters against libpcap's: every expression of
# tests/data/filters.txt on every frame of the tcpdump test corpus must be
# selected by both or by neither (build/tools/filter_diff, pcap_compile +
# pcap_offline_filter as the oracle). Then hdrlog -r with an expression
# logs exactly the frames tcpdump -r prints for it.
set -u
cd "$(dirname "$0")/../.." || exit 1
corpus=../shared/corpus/tcpdump-tests
tool=build/tools/filter_diff
bin=build/hdrlog

for f in "$tool" "$bin"; do
	if [ ! -x "$f" ]; then
		echo "$f is missing: run 'make all tests'"
		exit 1
	fi
done
if [ ! -d "$corpus" ]; then
	echo "no corpus at $corpus"
	exit 77
fi
fail=0
"$tool" tests/data/filters.txt "$corpus" || fail=1

# end to end through the CLI, against tcpdump when it is installed
if command -v tcpdump >/dev/null; then
	for expr in 'tcp and port 22' 'not port 22 and (icmp or udp)'; do
		want=$(tcpdump -n -r "$corpus/ssh.pcap" "$expr" 2>/dev/null | wc -l)
		got=$("$bin" --packets all -r "$corpus/ssh.pcap" $expr 2>/dev/null | wc -l)
		if [ "$want" != "$got" ]; then
			echo "FAIL hdrlog -r ssh.pcap $expr: $got lines, tcpdump $want"
			fail=1
		else
			echo "ok   hdrlog -r ssh.pcap $expr: $got packets"
		fi
	done
fi
exit $fail
