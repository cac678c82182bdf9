#!/usr/bin/env bash
# The sanitizer build (ASan + LSan + UBSan) on the agent's normal and error
# paths, live and offline: no leak, no sanitizer report.
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
bin=./build/hdrlog-asan
[ -x $bin ] || { echo "missing $bin: run make asan"; exit 1; }
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:exitcode=99
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
fail=0

# expect CODE NAME CMD...: CMD exits with CODE and the sanitizers are quiet.
expect() {
	local want=$1 name=$2 rc; shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne "$want" ] || grep -qE 'Sanitizer|runtime error' "$tmp/err"; then
		echo "FAIL $name: exit $rc (want $want)"; sed 's/^/    /' "$tmp/err" | head -30
		fail=1
	else
		echo "ok   $name"
	fi
}

corpus=../shared/corpus/tcpdump-tests
expect 0 "offline" $bin --packets all -r $corpus/dns_tcp.pcap
expect 0 "offline text -c" $bin --packets all -r $corpus/802.1ad_QinQ.pcap -o text -c 1
expect 2 "missing pcap" $bin -r "$tmp/nothing.pcap"
expect 2 "bad option" $bin -c abc
expect 2 "unknown interface" $bin -i nosuchif0
expect 2 "unwritable -w" $bin -r $corpus/dns_tcp.pcap -w /proc/nonexistent/x

netns_setup
ip netns exec "$NS_A" $bin -i "$VETH_A" --packets all --stats-interval 1 >"$tmp/live" 2>"$tmp/live.err" &
pid=$!
wait_for "$tmp/live.err" 10 "listening on" || { echo "FAIL: live run did not attach"; cat "$tmp/live.err"; exit 1; }
timeout 10 ip netns exec "$NS_B" ping -c 3 -i 0.2 "$IP_A" >/dev/null
sleep 1.2
kill -INT $pid
timeout 20 tail --pid=$pid -f /dev/null
wait $pid; rc=$?
if [ $rc -ne 0 ] || grep -qE 'Sanitizer|runtime error' "$tmp/live.err"; then
	echo "FAIL live: exit $rc"; cat "$tmp/live.err"; fail=1
else
	echo "ok   live ($(wc -l <"$tmp/live") lines)"
fi
grep -q '"hdrlog.record":"stats"' "$tmp/live" || { echo "FAIL: no stats record"; fail=1; }

# Error path after load: attaching XDP twice to one interface fails.
ip netns exec "$NS_A" $bin -i "$VETH_A" --hook xdp >/dev/null 2>"$tmp/x1.err" &
xpid=$!
wait_for "$tmp/x1.err" 10 "listening on"
expect 1 "attach failure" ip netns exec "$NS_A" $bin -i "$VETH_A" --hook xdp
kill -TERM $xpid; timeout 20 tail --pid=$xpid -f /dev/null
exit $fail
