#!/usr/bin/env bash
# Nothing stays attached or loaded when hdrlog stops, whichever way it stops
# (SIGINT, SIGTERM, SIGKILL) and however it attached (--tc-mode tcx,
# --tc-mode netlink, --hook xdp):
#  - SIGINT/SIGTERM: exit 0, summary printed, every program and link the
#    process held is freed, no XDP, no tc filter, and the clsact qdisc is
#    gone when hdrlog created it;
#  - a clsact qdisc that existed before (with someone else's filters) is
#    left in place with those filters, for tcx and netlink modes alike;
#  - SIGKILL: bpf_link attachments (tcx, XDP) die with the process, so the
#    kernel removes them: asserted. Netlink clsact filters are not links:
#    they outlive the process and keep the programs loaded. The next
#    hdrlog says so and replaces them (in any --tc-mode), logs, and leaves
#    nothing of either run when it stops; someone else's filters stay.
#  - A second hdrlog in netlink mode while the first runs is refused with
#    the first's pid, and the first's filters stay; a filter that is not
#    hdrlog's at hdrlog's priority is named and left alone.
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
command -v bpftool >/dev/null || { echo "SKIP: bpftool missing"; exit 77; }
bin=${HDRLOG_BIN:-./build/hdrlog} # another build, to check that this test can fail
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
netns_setup || { echo "FAIL: netns setup"; exit 1; }
failures=0
bad() { echo "FAIL $case: $*"; failures=$((failures + 1)); }

# Someone else's clsact qdisc with a filter in each direction (u32: this
# kernel may lack matchall and the gact action).
foreign_setup() {
	tc -n "$NS_A" qdisc add dev "$VETH_A" clsact &&
	tc -n "$NS_A" filter add dev "$VETH_A" ingress pref 1 protocol ip u32 \
		match ip src 198.19.255.1/32 classid 1:1 &&
	tc -n "$NS_A" filter add dev "$VETH_A" egress pref 2 protocol ip u32 \
		match ip dst 198.19.255.1/32 classid 1:2
}
foreign_state() {
	tc -n "$NS_A" qdisc show dev "$VETH_A" | grep clsact
	tc -n "$NS_A" filter show dev "$VETH_A" ingress
	tc -n "$NS_A" filter show dev "$VETH_A" egress
}
reset_veth() {
	tc -n "$NS_A" qdisc del dev "$VETH_A" clsact 2>/dev/null
	ip -n "$NS_A" link set dev "$VETH_A" xdp off 2>/dev/null
	return 0
}

# run_case MODE SIGNAL [foreign]: MODE is tcx, netlink or xdp.
run_case() {
	local mode=$1 sig=$2 foreign=${3:-} opts rc want_rc pid before left
	local failed_before=$failures
	case="$mode/$sig${foreign:+/existing clsact}"
	case $mode in
	tcx) opts=(--tc-mode tcx) ;;
	netlink) opts=(--tc-mode netlink) ;;
	xdp) opts=(--hook xdp) ;;
	esac
	reset_veth
	if [ -n "$foreign" ]; then
		foreign_setup || { bad "cannot set up a clsact qdisc"; return; }
		before=$(foreign_state)
		grep -q 'pref 1 u32' <<<"$before" && grep -q 'pref 2 u32' <<<"$before" ||
			{ bad "foreign filters missing: $before"; return; }
	fi

	# Not the last case's files: the redirection happens in the child,
	# after this shell may already be looking for "listening on".
	rm -f "$tmp/out" "$tmp/err"
	ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all "${opts[@]}" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	track_pid $pid
	if ! wait_for "$tmp/err" 30 "listening on"; then
		bad "did not attach: $(cat "$tmp/err")"
		stop_pid $pid KILL 5
		return
	fi
	bpf_objects_of $pid >"$tmp/objects"
	# It is attached, the way it was asked to, and it logs.
	case $mode in
	tcx) [ "$(grep -c $'^link_type:\ttcx' /proc/$pid/fdinfo/* 2>/dev/null | awk -F: '{s += $NF} END {print s}')" -eq 2 ] ||
		bad "not two tcx links" ;;
	netlink) [ "$(tc -n "$NS_A" filter show dev "$VETH_A" ingress | grep -c 'hdrlog_tc_ingre')" -eq 1 ] &&
		[ "$(tc -n "$NS_A" filter show dev "$VETH_A" egress | grep -c 'hdrlog_tc_egres')" -eq 1 ] ||
		bad "clsact filters missing: $(attachments_a)" ;;
	xdp) ip -n "$NS_A" link show dev "$VETH_A" | grep -q 'prog/xdp' || bad "no XDP program on $VETH_A" ;;
	esac
	timeout 5 ip netns exec "$NS_B" ping -n -q -c 1 -W 2 "$IP_A" >/dev/null
	wait_for "$tmp/out" 3 '"hdrlog.icmp.type":8' || bad "no ICMP echo logged"

	[ "$sig" = KILL ] && want_rc=137 || want_rc=0
	stop_pid $pid "$sig" 10; rc=$?
	[ $rc -eq $want_rc ] || bad "exit $rc, want $want_rc: $(cat "$tmp/err")"
	if [ "$sig" != KILL ]; then
		grep -q ' 0 lost ' "$tmp/err" || bad "no summary: $(cat "$tmp/err")"
	fi

	if [ "$mode/$sig" = netlink/KILL ]; then
		left=$(attachments_a)
		echo "note $case: after SIGKILL the clsact filters stay (no bpf_link):"
		echo "$left" | grep -E 'hdrlog|qdisc' | sed 's/^/    /'
		[ "$(grep -c hdrlog_tc_ <<<"$left")" -ge 2 ] || bad "no stale filters to replace"
		restart_replaces "${restart_mode:-netlink}"
		[ -z "$foreign" ] && reset_veth
		bpf_objects_gone "$tmp/objects" >/dev/null || bad "the killed run's programs still loaded after the restart"
		left=$(attachments_a | grep -E 'xdp|bpf|hdrlog')
		[ -z "$left" ] || bad "left behind after the restart: $left"
	else
		bpf_objects_gone "$tmp/objects" || bad "BPF programs or links of the dead process still exist"
		if [ -n "$foreign" ]; then
			# Only the foreign qdisc and filters: no bpf filter, no XDP.
			left=$(attachments_a | grep -E 'xdp|bpf|hdrlog')
		else
			left=$(attachments_a)
		fi
		[ -z "$left" ] || bad "left behind on $VETH_A:"$'\n'"$left"
	fi
	if [ -n "$foreign" ] && [ "$(foreign_state)" != "$before" ]; then
		bad "the existing clsact qdisc or its filters changed:"$'\n'"before: $before"$'\n'"after:  $(foreign_state)"
	fi
	[ $failures -eq "$failed_before" ] && echo "ok   $case"
}

# After a SIGKILL in netlink mode: the next run says what it found, puts
# its own filters in their place (MODE: tcx removes them), logs, stops.
restart_replaces() {
	local mode=$1 pid2
	rm -f "$tmp/out2" "$tmp/err2"
	ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all --tc-mode "$mode" >"$tmp/out2" 2>"$tmp/err2" &
	pid2=$!
	track_pid $pid2
	if ! wait_for "$tmp/err2" 30 "listening on"; then
		bad "restart ($mode) failed: $(cat "$tmp/err2")"; stop_pid $pid2 KILL 5; return
	fi
	grep "earlier hdrlog" "$tmp/err2" | sed 's/^/    /'
	[ "$(grep -c "replacing the clsact filter an earlier hdrlog left on $VETH_A" "$tmp/err2")" -eq 2 ] ||
		bad "restart did not say it replaced both filters: $(cat "$tmp/err2")"
	timeout 5 ip netns exec "$NS_B" ping -n -q -c 1 -W 2 "$IP_A" >/dev/null
	wait_for "$tmp/out2" 3 '"hdrlog.icmp.type":8' || bad "the restarted hdrlog logs nothing"
	stop_pid $pid2 INT 10 || bad "restart exit $?: $(cat "$tmp/err2")"
	echo "ok   $case: the restart ($mode) replaced the stale filters"
}

for sig in INT TERM KILL; do
	for mode in tcx netlink xdp; do
		run_case $mode $sig
	done
done
restart_mode=tcx run_case netlink KILL

# Two at once in netlink mode: the second is refused, the first unharmed.
case="netlink, a second hdrlog"
reset_veth
ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all --tc-mode netlink >"$tmp/out" 2>"$tmp/err" &
pid=$!
track_pid $pid
if wait_for "$tmp/err" 30 "listening on"; then
	ip netns exec "$NS_A" "$bin" -i "$VETH_A" --tc-mode netlink >/dev/null 2>"$tmp/err2"
	rc=$?
	[ $rc -eq 1 ] && grep -q "another hdrlog (pid $pid) logs $VETH_A" "$tmp/err2" ||
		bad "exit $rc: $(cat "$tmp/err2")"
	sed 's/^/    /' "$tmp/err2"
	timeout 5 ip netns exec "$NS_B" ping -n -q -c 1 -W 2 "$IP_A" >/dev/null
	wait_for "$tmp/out" 3 '"hdrlog.icmp.type":8' || bad "the first hdrlog stopped logging"
	stop_pid $pid INT 10 || bad "first exit $?"
	[ -z "$(attachments_a | grep -E 'bpf|hdrlog')" ] || bad "left attached: $(attachments_a)"
else
	bad "did not attach: $(cat "$tmp/err")"
fi
[ $failures -eq 0 ] && echo "ok   $case"

# Someone else's filter at hdrlog's priority: named, untouched, exit 1.
case="netlink, a foreign filter at priority 0xc0de"
reset_veth
tc -n "$NS_A" qdisc add dev "$VETH_A" clsact
tc -n "$NS_A" filter add dev "$VETH_A" ingress pref $((0xc0de)) handle 1 protocol all matchall action pass 2>/dev/null ||
	tc -n "$NS_A" filter add dev "$VETH_A" ingress pref $((0xc0de)) protocol ip u32 match ip src 198.19.255.1/32 classid 1:1
before=$(tc -n "$NS_A" filter show dev "$VETH_A" ingress)
ip netns exec "$NS_A" "$bin" -i "$VETH_A" --tc-mode netlink >/dev/null 2>"$tmp/err2"
rc=$?
sed 's/^/    /' "$tmp/err2"
[ $rc -eq 1 ] || bad "exit $rc, want 1"
[ "$(tc -n "$NS_A" filter show dev "$VETH_A" ingress)" = "$before" ] || bad "the foreign filter changed"
grep -q "cannot attach\|not hdrlog's" "$tmp/err2" || bad "no clear error: $(cat "$tmp/err2")"
[ $failures -eq 0 ] && echo "ok   $case"
for sig in INT TERM KILL; do
	run_case netlink $sig foreign
	run_case tcx $sig foreign
done
reset_veth
[ $failures -eq 0 ] || { echo "FAIL: $failures failures"; exit 1; }
echo "ok"
