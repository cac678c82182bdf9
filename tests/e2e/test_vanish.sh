#!/usr/bin/env bash
# The interface hdrlog is attached to disappears (the veth pair is deleted)
# while it runs: hdrlog notices within a few seconds, says which interface
# went away, exits non-zero and leaves no program or link behind. For tcx,
# netlink (clsact) and XDP attachments.
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
bin=${HDRLOG_BIN:-./build/hdrlog} # another build, to check that this test can fail
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
netns_setup || { echo "FAIL: netns setup"; exit 1; }
fail=0

for mode in tcx netlink xdp; do
	case $mode in
	xdp) opts=(--hook xdp) ;;
	*) opts=(--tc-mode $mode) ;;
	esac
	ip -n "$NS_A" link show "$VETH_A" >/dev/null 2>&1 || veth_setup || { echo "FAIL: veth"; exit 1; }
	rm -f "$tmp/out" "$tmp/err" # not the last round's "listening on"
	ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all "${opts[@]}" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	track_pid $pid
	wait_for "$tmp/err" 30 "listening on" || { echo "FAIL $mode: did not attach: $(cat "$tmp/err")"; stop_pid $pid KILL; fail=1; continue; }
	bpf_objects_of $pid >"$tmp/objects"
	timeout 5 ip netns exec "$NS_B" ping -n -q -c 1 -W 2 "$IP_A" >/dev/null
	start=$SECONDS
	ip -n "$NS_A" link del "$VETH_A" || { echo "FAIL: cannot delete $VETH_A"; exit 1; }
	wait_exit $pid 5; rc=$?
	took=$((SECONDS - start))
	if [ $rc -eq 124 ]; then
		echo "FAIL $mode: still running 5 s after $VETH_A was deleted"; fail=1
	elif [ $rc -eq 0 ]; then
		echo "FAIL $mode: exit 0 after losing its interface"; fail=1
	elif ! grep -q "$VETH_A" <(grep -iv 'listening on' "$tmp/err"); then
		echo "FAIL $mode: exit $rc, but no message names $VETH_A:"; sed 's/^/    /' "$tmp/err"; fail=1
	elif grep -qE 'Sanitizer|runtime error|Segmentation' "$tmp/err"; then
		echo "FAIL $mode: crash report:"; sed 's/^/    /' "$tmp/err"; fail=1
	else
		echo "ok   $mode: exit $rc after ${took}s: $(grep -v 'listening on' "$tmp/err" | grep -m1 "$VETH_A")"
	fi
	bpf_objects_gone "$tmp/objects" || { echo "FAIL $mode: programs left"; fail=1; }
	grep -q '"hdrlog.icmp.type":8' "$tmp/out" || { echo "FAIL $mode: the ping before the deletion was not logged"; fail=1; }
done
exit $fail
