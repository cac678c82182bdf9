#!/usr/bin/env bash
# With no -i, hdrlog picks the interface of the default route, as tcpdump
# picks its first interface. Checked inside a namespace whose default route
# goes through its veth (the host's own routes are never touched).
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
netns_setup
ip -n "$NS_A" route add default via "$IP_B" dev "$VETH_A"

ip netns exec "$NS_A" ./build/hdrlog --packets all -c 2 >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_for "$tmp/err" 30 "listening on" || { echo "FAIL: did not attach"; cat "$tmp/err"; exit 1; }
grep -q "listening on $VETH_A" "$tmp/err" || { echo "FAIL: wrong interface"; cat "$tmp/err"; exit 1; }
timeout 10 ip netns exec "$NS_B" ping -c 2 -i 0.2 "$IP_A" >/dev/null
timeout 10 tail --pid=$pid -f /dev/null
wait $pid || { echo "FAIL: exit $?"; cat "$tmp/err"; exit 1; }
[ "$(wc -l <"$tmp/out")" -eq 2 ] || { echo "FAIL: want 2 lines (-c 2)"; cat "$tmp/out"; exit 1; }
grep -q "\"network.interface.name\":\"$VETH_A\"" "$tmp/out" || { echo "FAIL: interface name"; exit 1; }

# No default route at all: a clear message and exit 2.
ip -n "$NS_A" route del default
ip netns exec "$NS_A" ./build/hdrlog --packets all >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q "no default route" "$tmp/err" || { echo "FAIL: no route: exit $rc"; cat "$tmp/err"; exit 1; }
echo "ok"
