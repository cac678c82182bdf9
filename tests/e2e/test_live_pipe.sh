#!/usr/bin/env bash
# A live run whose reader goes away ends by itself, cleanly: exit 0, whole
# lines only, and nothing left attached or loaded.
#   hdrlog --packets all | head -2   while pings pass: exactly 2 lines
#   hdrlog | true                    no traffic, nothing ever written: the
#                                    closed pipe is noticed all the same
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
bin=${HDRLOG_BIN:-./build/hdrlog} # another build, to check that this test can fail
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
netns_setup || { echo "FAIL: netns setup"; exit 1; }
fail=0
bad() { echo "FAIL $*"; fail=1; }

# start NAME READER...: hdrlog (args in HL_ARGS) in $NS_A writing into a
# FIFO that READER reads; sets pid to hdrlog's and records its BPF objects.
start() {
	local name=$1
	shift
	rm -f "$tmp/fifo"
	mkfifo "$tmp/fifo"
	"$@" <"$tmp/fifo" >"$tmp/$name.out" &
	track_pid $!
	ip netns exec "$NS_A" "$bin" -i "$VETH_A" "${HL_ARGS[@]}" >"$tmp/fifo" 2>"$tmp/$name.err" &
	pid=$!
	track_pid $pid
	if ! wait_for "$tmp/$name.err" 30 "listening on"; then
		bad "$name: did not attach: $(cat "$tmp/$name.err")"
		return 1
	fi
	bpf_objects_of $pid >"$tmp/$name.objs"
}

# finish NAME: hdrlog must have ended by itself, with exit 0, leaving
# nothing behind.
finish() {
	local name=$1 rc
	wait_exit $pid 5
	rc=$?
	if [ $rc -eq 124 ]; then
		bad "$name: still running 5 s after its reader left"
	elif [ $rc -ne 0 ]; then
		bad "$name: exit $rc: $(cat "$tmp/$name.err")"
	fi
	[ -s "$tmp/$name.objs" ] || bad "$name: no BPF objects seen while it ran"
	bpf_objects_gone "$tmp/$name.objs" || bad "$name: programs or links left"
	[ -z "$(attachments_a)" ] || bad "$name: still attached: $(attachments_a)"
}

HL_ARGS=(--packets all)
if start head head -n 2; then
	timeout 10 ip netns exec "$NS_B" ping -n -q -c 20 -i 0.1 "$IP_A" >/dev/null &
	track_pid $!
	finish head
	n=$(wc -l <"$tmp/head.out")
	python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/head.out" ||
		bad "| head -2: not JSON"
	[ "$n" -eq 2 ] || bad "| head -2: $n lines"
	[ $fail -eq 0 ] && echo "ok   | head -2: 2 lines, hdrlog ended by itself (exit 0), nothing left: $(grep -m1 'packets seen' "$tmp/head.err")"
fi

HL_ARGS=()
if start true true; then
	finish true
	[ $fail -eq 0 ] && echo "ok   | true: no traffic, nothing written, hdrlog ended by itself (exit 0), nothing left"
fi

exit $fail
