# A client, a router doing masquerade and a server, for the path tests
# and benchmarks (source after tests/lib/netns.sh; $tmp a temporary
# directory, fail() defined):
#   client $NS_C (c0 $IP_C) -- r0 $IP_R0 router $NS_R r1 $IP_R1 -- (s0 $IP_S) server $NS_S
# The server has no route back to the client: only the router's
# masquerade (nftables in $NS_R) answers. Addresses from 198.18.0.0/15.
#   router_setup         makes the namespaces, the veths, the masquerade
#   router_nginx_start   nginx in $NS_S on $IP_S:$PORT (config in $tmp)
#   router_cleanup       removes the namespaces (netns_cleanup stops the
#                        processes track_pid noted)
NS_C=hdrlog-17c-$$ NS_R=hdrlog-17r-$$ NS_S=hdrlog-17s-$$
IP_C=198.18.170.2 IP_R0=198.18.170.1 IP_R1=198.18.171.1 IP_S=198.18.171.2
PORT=8080

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

router_nginx_start() {
	local i
	chmod 755 "$tmp"
	mkdir -p "$tmp/www" "$tmp/logs"
	echo hello >"$tmp/www/index.html"
	cat >"$tmp/nginx.conf" <<-EOF
	daemon off;
	worker_processes 1;
	pid $tmp/nginx.pid;
	error_log $tmp/logs/error.log;
	events { worker_connections 1024; }
	http {
		access_log off;
		client_body_temp_path $tmp/client_body;
		proxy_temp_path $tmp/proxy;
		fastcgi_temp_path $tmp/fastcgi;
		uwsgi_temp_path $tmp/uwsgi;
		scgi_temp_path $tmp/scgi;
		keepalive_requests 100000;
		server { listen $IP_S:$PORT; root $tmp/www; }
	}
	EOF
	# not in a function backgrounded: the pid noted must be nginx's
	ip netns exec "$NS_S" nginx -c "$tmp/nginx.conf" -p "$tmp" -e "$tmp/logs/error.log" \
		>"$tmp/logs/nginx.out" 2>&1 &
	track_pid $!
	for ((i = 0; i < 50; i++)); do
		ip netns exec "$NS_S" ss -Htln "sport = :$PORT" | grep -q . && return 0
		sleep 0.1
	done
	cat "$tmp/logs/"*
	return 1
}
