#!/usr/bin/env bash
# --netns: every interface of several network namespaces.
#  - --netns A,B (run from A): both ends of the veth and both loopbacks are
#    logged; records name the interface's namespace and, for a veth, its
#    peer ("NETNS/IFNAME"); a veth made in B after the start is picked up,
#    its deletion survived;
#  - --netns all, inside a pid and mount namespace of the test's own (so
#    that "all" is the test's namespaces only, never the host's): traffic
#    inside a namespace hdrlog was not pointed at is logged.
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
bin=$(realpath "${HDRLOG_BIN:-./build/hdrlog}")
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
netns_setup || { echo "FAIL: netns setup"; exit 1; }
VETH_C=hlC$$
VETH_D=hlD$$
fail=0

echo_on() { # echo_on NETNS IFACE: echo requests logged there
	grep '"hdrlog.icmp.type":8' "$tmp/out" | grep "\"network.interface.name\":\"$2\"" |
		grep -c "\"hdrlog.netns.name\":\"$1\""
}

# ---- --netns A,B ----
ip netns exec "$NS_A" "$bin" --netns "$NS_A,$NS_B" --packets all --flows >"$tmp/out" 2>"$tmp/err" &
pid=$!; track_pid $pid
wait_for "$tmp/err" 10 "listening on every interface of --netns" || { echo "FAIL: --netns did not start: $(cat "$tmp/err")"; exit 1; }
for want in "$VETH_A (netns $NS_A)" "lo (netns $NS_A)" "$VETH_B (netns $NS_B)" "lo (netns $NS_B)"; do
	grep -qF "listening on $want" "$tmp/err" || { echo "FAIL: not listening on $want"; fail=1; }
done
timeout 5 ip netns exec "$NS_A" ping -n -q -c 1 -W 2 "$IP_B" >/dev/null
timeout 5 ip netns exec "$NS_B" ping -n -q -c 1 -W 2 127.0.0.1 >/dev/null
# a veth made in B (to A) after the start
ip link add "$VETH_D" netns "$NS_B" type veth peer name "$VETH_C" netns "$NS_A" &&
	ip -n "$NS_B" link set "$VETH_D" up && ip -n "$NS_A" link set "$VETH_C" up &&
	ip -n "$NS_B" addr add 198.18.1.2/24 dev "$VETH_D" && ip -n "$NS_A" addr add 198.18.1.1/24 dev "$VETH_C" ||
	{ echo "FAIL: third veth"; exit 1; }
wait_for "$tmp/err" 5 "listening on $VETH_D (netns $NS_B)" || { echo "FAIL: the new $VETH_D was not picked up"; fail=1; }
sleep 1.2 # the next look pairs the new veth with its peer
timeout 5 ip netns exec "$NS_B" ping -n -q -c 1 -W 2 198.18.1.1 >/dev/null
sleep 0.3
ip -n "$NS_B" link del "$VETH_D"
wait_for "$tmp/err" 5 "interface $VETH_D of netns $NS_B disappeared" || { echo "FAIL: no message for the deleted $VETH_D"; fail=1; }
timeout 5 ip netns exec "$NS_A" ping -n -q -c 1 -W 2 "$IP_B" >/dev/null
sleep 0.3
kill -0 $pid 2>/dev/null || { echo "FAIL: --netns stopped when $VETH_D went"; fail=1; }
bpf_objects_of $pid >"$tmp/objects"
stop_pid $pid INT; rc=$?
[ $rc -eq 0 ] || { echo "FAIL: exit $rc: $(cat "$tmp/err")"; fail=1; }
grep -E 'Sanitizer|runtime error' "$tmp/err" && fail=1
python3 tests/lib/check_schema.py "$tmp/out" >/dev/null || { echo "FAIL: schema"; python3 tests/lib/check_schema.py "$tmp/out" | head -5; fail=1; }
[ "$(echo_on "$NS_A" "$VETH_A")" -ge 2 ] || { echo "FAIL: echo requests on $VETH_A in $NS_A"; fail=1; }
[ "$(echo_on "$NS_B" "$VETH_B")" -ge 2 ] || { echo "FAIL: echo requests on $VETH_B in $NS_B"; fail=1; }
[ "$(echo_on "$NS_B" lo)" -ge 1 ] || { echo "FAIL: the echo on lo inside $NS_B"; fail=1; }
[ "$(echo_on "$NS_B" "$VETH_D")" -ge 1 ] || { echo "FAIL: the echo on the new $VETH_D"; fail=1; }
grep "\"network.interface.name\":\"$VETH_B\"" "$tmp/out" | grep -q "\"hdrlog.interface.peer\":\"$NS_A/$VETH_A\"" ||
	{ echo "FAIL: $VETH_B does not name its peer $NS_A/$VETH_A"; fail=1; }
grep "\"network.interface.name\":\"$VETH_D\"" "$tmp/out" | grep -q "\"hdrlog.interface.peer\":\"$NS_A/$VETH_C\"" ||
	{ echo "FAIL: $VETH_D does not name its peer $NS_A/$VETH_C"; fail=1; }
grep '"hdrlog.record":"flow"' "$tmp/out" | grep -q "\"hdrlog.netns.name\":\"$NS_B\"" ||
	{ echo "FAIL: no flow record names $NS_B"; fail=1; }
bpf_objects_gone "$tmp/objects" || { echo "FAIL: programs left"; fail=1; }
[ $fail -eq 0 ] && echo "ok   --netns A,B: both veth ends, both loopbacks, peers named, a new veth picked up and its deletion survived"

# ---- --netns all, where "all" is only what this test made ----
cat >"$tmp/inner.sh" <<EOF
set -u
mkdir -p /run/netns && mount -t tmpfs hdrlog-test /run/netns || exit 3
ip netns add hdrlog-x-$$ || exit 3
ip -n hdrlog-x-$$ link set lo up
"$bin" --netns all --packets all >"$tmp/all.out" 2>"$tmp/all.err" &
h=\$!
for i in \$(seq 50); do grep -q 'listening on every interface' "$tmp/all.err" && break; sleep 0.1; done
ip netns exec hdrlog-x-$$ ping -n -q -c 1 -W 2 127.0.0.1 >/dev/null
sleep 0.3
kill -INT \$h; wait \$h
EOF
ip netns exec "$NS_A" timeout 30 unshare --mount --pid --fork --mount-proc bash "$tmp/inner.sh"; rc=$?
if [ $rc -ne 0 ]; then
	echo "FAIL: --netns all: exit $rc: $(cat "$tmp/all.err" 2>/dev/null)"; fail=1
elif ! grep '"hdrlog.icmp.type":8' "$tmp/all.out" | grep -q "\"hdrlog.netns.name\":\"hdrlog-x-$$\""; then
	echo "FAIL: --netns all: the echo inside hdrlog-x-$$ was not logged"; fail=1
elif grep 'listening on' "$tmp/all.err" | grep -vE "netns (hdrlog-x-$$|pid:[0-9]+)\\)|every interface" | grep -q .; then
	echo "FAIL: --netns all: attached outside the test's namespaces:"; grep 'listening on' "$tmp/all.err"; fail=1
else
	echo "ok   --netns all: $(grep -c 'listening on .*(netns' "$tmp/all.err") interfaces of the test's namespaces; traffic inside hdrlog-x-$$ (not named) logged"
fi
# namespaces in use by the test only: NS_A's and the one made inside
grep 'listening on .*(netns' "$tmp/all.err" | grep -v "hdrlog-x-$$" | grep -vq "$VETH_A\|lo " &&
	{ echo "FAIL: --netns all: an interface not of the test's namespaces"; fail=1; }
ip netns exec "$NS_A" "$bin" --netns /nonexistent/ns >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc -eq 0 ] || ! grep -q 'nonexistent' "$tmp/err"; then
	echo "FAIL: --netns /nonexistent/ns: exit $rc: $(cat "$tmp/err")"; fail=1
else
	echo "ok   --netns /nonexistent/ns refused: $(head -1 "$tmp/err")"
fi
exit $fail
