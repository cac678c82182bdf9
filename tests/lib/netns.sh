# Shared by the shell tests: two namespaces joined by a veth pair, with
# addresses from 198.18.0.0/15 and fd00::/8 only, removed on exit.
#   netns_setup   makes $NS_A (hdrlog side, veth $VETH_A) and $NS_B
#   in_a CMD...   runs CMD in $NS_A; in_b likewise
# Every name carries the test's PID so parallel runs do not collide.

require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: needs root (CAP_BPF, CAP_NET_ADMIN)"
		exit 77
	fi
}

NS_A=hdrlog-a-$$
NS_B=hdrlog-b-$$
VETH_A=hlA$$
VETH_B=hlB$$
IP_A=198.18.0.1
IP_B=198.18.0.2
IP6_A=fd00:4844::1
IP6_B=fd00:4844::2

netns_cleanup() {
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	return 0
}

netns_setup() {
	trap netns_cleanup EXIT
	ip netns add "$NS_A" && ip netns add "$NS_B" || return 1
	ip link add "$VETH_A" netns "$NS_A" type veth peer name "$VETH_B" netns "$NS_B" || return 1
	ip -n "$NS_A" addr add "$IP_A/24" dev "$VETH_A"
	ip -n "$NS_B" addr add "$IP_B/24" dev "$VETH_B"
	ip -n "$NS_A" addr add "$IP6_A/64" dev "$VETH_A" nodad
	ip -n "$NS_B" addr add "$IP6_B/64" dev "$VETH_B" nodad
	ip -n "$NS_A" link set lo up
	ip -n "$NS_B" link set lo up
	ip -n "$NS_A" link set "$VETH_A" up
	ip -n "$NS_B" link set "$VETH_B" up
}

in_a() { ip netns exec "$NS_A" "$@"; }
in_b() { ip netns exec "$NS_B" "$@"; }

# Waits up to $2 seconds (default 5) for file $1 to contain $3.
wait_for() {
	local file=$1 limit=${2:-5} pattern=$3 i
	for ((i = 0; i < limit * 10; i++)); do
		grep -q -- "$pattern" "$file" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
