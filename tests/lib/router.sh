# A client, a router doing masquerade and a server, for the path tests
# and benchmarks (source after tests/lib/netns.sh and tests/lib/http.sh;
# $tmp a temporary directory, fail() defined):
#   client $NS_C (c0 $IP_C) -- r0 $IP_R0 router $NS_R r1 $IP_R1 -- (s0 $IP_S) server $NS_S
# The server has no route back to the client: only the router's
# masquerade (nftables in $NS_R) answers. Addresses from 198.18.0.0/15.
#   router_setup         makes the namespaces, the veths, the masquerade
#   router_nginx_start   nginx in $NS_S on $IP_S:$PORT (config in $tmp,
#                        small.html among its files)
#   router_cleanup       removes the namespaces (netns_cleanup stops the
#                        processes track_pid noted)
NS_C=hdrlog-17c-$$ NS_R=hdrlog-17r-$$ NS_S=hdrlog-17s-$$
IP_C=198.18.170.2 IP_R0=198.18.170.1 IP_R1=198.18.171.1 IP_S=198.18.171.2

router_cleanup() {
	local ns
	netns_cleanup
	for ns in "$NS_C" "$NS_R" "$NS_S"; do ip netns del "$ns" 2>/dev/null; done
	return 0
}

router_setup() {
	local ns x
	for ns in "$NS_C" "$NS_R" "$NS_S"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
	done
	ip link add c0 netns "$NS_C" type veth peer name r0 netns "$NS_R" || return 1
	ip link add s0 netns "$NS_S" type veth peer name r1 netns "$NS_R" || return 1
	ip -n "$NS_C" addr add $IP_C/24 dev c0
	ip -n "$NS_R" addr add $IP_R0/24 dev r0
	ip -n "$NS_R" addr add $IP_R1/24 dev r1
	ip -n "$NS_S" addr add $IP_S/24 dev s0
	for x in "$NS_C c0" "$NS_R r0" "$NS_R r1" "$NS_S s0"; do
		ip -n ${x% *} link set ${x#* } up
	done
	ip -n "$NS_C" route add default via $IP_R0
	ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$NS_R" nft -f - <<-EOF
	table ip hdrlog_router {
		chain post {
			type nat hook postrouting priority srcnat; policy accept;
			oifname "r1" masquerade
		}
	}
	EOF
}

# nginx as tests/lib/http.sh starts it, in $NS_S on $IP_S:$PORT, room
# for a thousand connections (wrk).
router_nginx_start() {
	NS_B=$NS_S IP_B=$IP_S HTTP_CONNECTIONS=1024 http_server_start
}
