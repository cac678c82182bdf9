#!/usr/bin/env bash
# Interfaces as they come and go:
#  - -i a,b names two interfaces; deleting one of them leaves the run
#    going (a message names it) and the other logged, until SIGINT (exit 0);
#  - -i any attaches to every interface of the namespace, and to a veth
#    created after the start (its packets carry its name); deleting it
#    leaves the run going; nothing stays attached after the end;
#  - bad lists are refused.
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
bin=${HDRLOG_BIN:-./build/hdrlog}
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
netns_setup || { echo "FAIL: netns setup"; exit 1; }
VETH_C=hlC$$
VETH_D=hlD$$
fail=0

# second_veth: $VETH_C in $NS_A to $VETH_D in $NS_B, 198.18.1.0/24
second_veth() {
	ip link add "$VETH_C" netns "$NS_A" type veth peer name "$VETH_D" netns "$NS_B" || return 1
	ip -n "$NS_A" addr add 198.18.1.1/24 dev "$VETH_C"
	ip -n "$NS_B" addr add 198.18.1.2/24 dev "$VETH_D"
	ip -n "$NS_A" link set "$VETH_C" up
	ip -n "$NS_B" link set "$VETH_D" up
}
pings() { timeout 5 ip netns exec "$NS_B" ping -n -q -c 1 -W 2 "$1" >/dev/null; }
echo_seen() { grep '"hdrlog.icmp.type":8' "$tmp/out" | grep -c "\"network.interface.name\":\"$1\""; }

# ---- -i a,b: one deleted, the other still logged ----
second_veth || { echo "FAIL: second veth"; exit 1; }
ip netns exec "$NS_A" "$bin" -i "$VETH_A,$VETH_C" --packets all >"$tmp/out" 2>"$tmp/err" &
pid=$!; track_pid $pid
wait_for "$tmp/err" 10 "listening on $VETH_C" || { echo "FAIL: -i a,b did not attach: $(cat "$tmp/err")"; exit 1; }
bpf_objects_of $pid >"$tmp/objects"
pings 198.18.1.1
ip -n "$NS_A" link del "$VETH_C"
wait_for "$tmp/err" 5 "interface $VETH_C disappeared" || { echo "FAIL: no message for the deleted $VETH_C: $(cat "$tmp/err")"; fail=1; }
sleep 0.3
kill -0 $pid 2>/dev/null || { echo "FAIL: hdrlog stopped when one of two interfaces went"; fail=1; }
pings "$IP_A"
sleep 0.3
stop_pid $pid INT; rc=$?
[ $rc -eq 0 ] || { echo "FAIL: exit $rc after SIGINT: $(cat "$tmp/err")"; fail=1; }
[ "$(echo_seen "$VETH_C")" -ge 1 ] || { echo "FAIL: the ping on $VETH_C before its deletion was not logged"; fail=1; }
[ "$(echo_seen "$VETH_A")" -ge 1 ] || { echo "FAIL: the ping on $VETH_A after $VETH_C went was not logged"; fail=1; }
bpf_objects_gone "$tmp/objects" || { echo "FAIL: programs left"; fail=1; }
[ -z "$(attachments_a)" ] || { echo "FAIL: left attached: $(attachments_a)"; fail=1; }
[ $fail -eq 0 ] && echo "ok   -i a,b: $VETH_C deleted, the run went on, $VETH_A still logged, exit 0"

# ---- -i any: a veth made after the start ----
rm -f "$tmp/out" "$tmp/err"
ip netns exec "$NS_A" "$bin" -i any --packets all -v >"$tmp/out" 2>"$tmp/err" &
pid=$!; track_pid $pid
wait_for "$tmp/err" 10 "listening on every interface" || { echo "FAIL: -i any did not start: $(cat "$tmp/err")"; exit 1; }
grep -q "listening on $VETH_A" "$tmp/err" || { echo "FAIL: -i any: not on $VETH_A"; fail=1; }
grep -q "listening on lo" "$tmp/err" || { echo "FAIL: -i any: not on lo"; fail=1; }
second_veth || { echo "FAIL: second veth"; exit 1; }
wait_for "$tmp/err" 5 "listening on $VETH_C" || { echo "FAIL: -i any did not attach to the new $VETH_C: $(cat "$tmp/err")"; fail=1; }
bpf_objects_of $pid >"$tmp/objects"
pings 198.18.1.1
sleep 0.3
[ "$(echo_seen "$VETH_C")" -ge 1 ] || { echo "FAIL: -i any: the ping on the new $VETH_C was not logged"; fail=1; }
ip -n "$NS_A" link del "$VETH_C"
wait_for "$tmp/err" 5 "interface $VETH_C disappeared" || { echo "FAIL: -i any: no message for the deleted $VETH_C"; fail=1; }
pings "$IP_A"
sleep 0.3
kill -0 $pid 2>/dev/null || { echo "FAIL: -i any stopped when $VETH_C went"; fail=1; }
[ "$(echo_seen "$VETH_A")" -ge 1 ] || { echo "FAIL: -i any: $VETH_A not logged after $VETH_C went"; fail=1; }
stop_pid $pid INT; rc=$?
[ $rc -eq 0 ] || { echo "FAIL: -i any: exit $rc: $(cat "$tmp/err")"; fail=1; }
grep -E 'Sanitizer|runtime error' "$tmp/err" && fail=1
python3 tests/lib/check_schema.py "$tmp/out" >/dev/null || { echo "FAIL: schema"; fail=1; }
bpf_objects_gone "$tmp/objects" || { echo "FAIL: -i any: programs left"; fail=1; }
[ -z "$(attachments_a)" ] || { echo "FAIL: -i any: left attached: $(attachments_a)"; fail=1; }
[ $fail -eq 0 ] && echo "ok   -i any: lo and $VETH_A at the start, the new $VETH_C logged, its deletion survived"

# ---- refused ----
for args in "-i $VETH_A,,lo" "-i ,lo" "-i any -i lo" "-i $VETH_A,$VETH_A" "-i any --user nobody"; do
	ip netns exec "$NS_A" "$bin" $args >/dev/null 2>"$tmp/err"; rc=$?
	if [ $rc -eq 0 ] || grep -qE 'Sanitizer|runtime error' "$tmp/err"; then
		echo "FAIL: '$args' exit $rc: $(cat "$tmp/err")"; fail=1
	else
		echo "ok   '$args' refused: $(head -1 "$tmp/err")"
	fi
done
exit $fail
