# HTTP tests' shared parts (source after tests/lib/netns.sh, with $tmp a
# temporary directory and fail() defined): an nginx in $NS_B on
# $IP_B:$HTTP_PORT, a fixed set of requests from $NS_A, and the checks of
# hdrlog's http records against them and against tshark.
HTTP_PORT=8080
PORT=$HTTP_PORT

# Starts nginx (config, pid file and logs in $tmp) and waits until it
# listens; $HTTP_LOCATIONS, when set, goes into its server block;
# $HTTP_CONNECTIONS (default 64) is its worker_connections.
http_server_start() {
	local i
	chmod 755 "$tmp"
	mkdir -p "$tmp/www/api/v1" "$tmp/logs"
	head -c 612 /dev/zero | tr '\0' 'x' >"$tmp/www/small.html"
	echo '{"id":3}' >"$tmp/www/api/v1/items"
	cat >"$tmp/nginx.conf" <<-EOF
	daemon off;
	worker_processes 1;
	pid $tmp/nginx.pid;
	error_log $tmp/logs/error.log;
	events { worker_connections ${HTTP_CONNECTIONS:-64}; }
	http {
		access_log off;
		client_body_temp_path $tmp/client_body;
		proxy_temp_path $tmp/proxy;
		fastcgi_temp_path $tmp/fastcgi;
		uwsgi_temp_path $tmp/uwsgi;
		scgi_temp_path $tmp/scgi;
		keepalive_requests 1000;
		server {
			listen $IP_B:$PORT;
			root $tmp/www;
			location /post { return 201 "created\n"; }
			${HTTP_LOCATIONS:-}
		}
	}
	EOF
	# not in_b: a function in the background is a subshell, and its pid
	# (which netns_cleanup stops) would not be nginx's
	ip netns exec "$NS_B" nginx -c "$tmp/nginx.conf" -p "$tmp" -e "$tmp/logs/error.log" \
		>"$tmp/logs/nginx.out" 2>&1 &
	track_pid $!
	for ((i = 0; i < 50; i++)); do
		in_b ss -Htln "sport = :$PORT" | grep -q . && break
		sleep 0.1
	done
	in_b ss -Htln "sport = :$PORT" | grep -q . || { cat "$tmp/logs/"*; fail "nginx did not start"; }
}

# Sends the requests: 11 transactions (one-shot, HEAD, POST with a cookie,
# 404, 100-continue, 3 keep-alive, 3 pipelined). Sets HTTP_SENT.
http_traffic() {
	local url=http://$IP_B:$PORT
	c() { timeout 10 ip netns exec "$NS_A" curl -s "$@" >/dev/null; }
	# 1 request each
	c -A hdrlog-test/1.0 -e http://ref.example/ -H 'X-Request-Id: req-42' \
		-H 'traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' \
		"$url/api/v1/items?id=3"
	c -I "$url/small.html"
	c -d 'a=1&b=2' -H 'Cookie: secret=1' "$url/post"
	c "$url/missing"
	c -H 'Expect: 100-continue' --data-binary @"$tmp/www/small.html" "$url/post?big=1"
	# 3 on one keep-alive connection
	c "$url/small.html" "$url/api/v1/items" "$url/small.html?x=1"
	# 3 pipelined in one segment, the last closes
	# (HEAD last: tshark takes a response after a HEAD's for its body)
	{ printf 'GET /small.html HTTP/1.1\r\nHost: p\r\n\r\nGET /missing HTTP/1.1\r\nHost: p\r\n\r\nHEAD /api/v1/items HTTP/1.1\r\nHost: p\r\nConnection: close\r\n\r\n'; sleep 2; } |
		timeout 10 ip netns exec "$NS_A" nc "$IP_B" $PORT >/dev/null
	HTTP_SENT=11
}

# http_check_tshark PCAP JSON: the requests in JSON (http records only)
# and their final status codes are those tshark finds in PCAP.
http_check_tshark() {
	local pcap=$1 json=$2
# the same requests and responses as tshark sees them (tshark pairs
# neither pipelined responses nor those after a 100 Continue: compare the
# requests, and the final status codes, as multisets)
tshark -r "$pcap" -Y http.request -T fields -E separator=/t \
	-E aggregator='|' -e http.request.method -e http.request.uri -e http.host \
	-e http.user_agent >"$tmp/ts_req" 2>/dev/null
tshark -r "$pcap" -Y http.response -T fields -E aggregator='|' \
	-e http.response.code >"$tmp/ts_resp" 2>/dev/null
python3 - "$tmp/ts_req" "$tmp/ts_resp" "$json" <<'EOF' || fail "hdrlog and tshark differ"
import json, sys
from collections import Counter
treq, tcode = Counter(), Counter()
for line in open(sys.argv[1]):
    cols = [c.split('|') for c in line.rstrip('\n').split('\t')]
    n = len(cols[0])
    for i in range(n):
        treq[tuple(c[i] if len(c) == n else '' for c in cols)] += 1
for line in open(sys.argv[2]):
    for code in line.split('|'):
        if not 100 <= int(code) < 200:
            tcode[code.strip()] += 1
oreq, ocode = Counter(), Counter()
for line in open(sys.argv[3]):
    r = json.loads(line)
    uri = r.get('url.path', '') + ('?' + r['url.query'] if 'url.query' in r else '')
    host = r.get('server.address', '') + (':%d' % r['server.port'] if 'server.port' in r else '')
    oreq[(r.get('http.request.method', ''), uri, host, r.get('user_agent.original', ''))] += 1
    ocode[str(r.get('http.response.status_code', ''))] += 1
ok = True
for what, t, o in (('requests', treq, oreq), ('status codes', tcode, ocode)):
    if t != o:
        print(what, 'tshark only:', t - o, 'hdrlog only:', o - t)
        ok = False
print(f'{sum(oreq.values())} requests and responses as tshark sees them')
sys.exit(0 if ok else 1)
EOF

}

# http_check_fields JSON: the fields of chosen transactions.
http_check_fields() {
	local json=$1 first kv
	# the fields of the first request
	first=$(grep '"url.query":"id=3"' "$json")
	for kv in '"http.request.method":"GET"' '"url.path":"/api/v1/items"' \
		'"server.address":"198.18.0.2"' '"server.port":8080' \
		'"user_agent.original":"hdrlog-test/1.0"' \
		'"http.request.header.referer":"http://ref.example/"' \
		'"http.request.header.x-request-id":"req-42"' \
		'"http.response.status_code":200' '"http.response.body.size":9' \
		'"network.protocol.version":"1.1"' '"hdrlog.http.transaction":1' \
		'"source.address":"198.18.0.1"' '"destination.port":8080'; do
		case "$first" in *"$kv"*) ;; *) echo "$first"; fail "missing $kv";; esac
	done
	grep -q '"hdrlog.http.time_to_first_byte_ns":' <<<"$first" || fail "no ttfb"
	# HEAD: no body; 100-continue: counted; keep-alive: indexes 1..3
	grep '"http.request.method":"HEAD"' "$json" | grep -q '"http.response.body.size":0' ||
		fail "HEAD response body"
	grep -q '"hdrlog.http.interim_responses":1' "$json" || fail "100 Continue not counted"
	grep -q '"http.request.body.size":612' "$json" || fail "request body"
	grep -q '"hdrlog.http.transaction":3' "$json" || fail "keep-alive indexes"
}

# What both HTTP e2e tests start with: the tools or exit 77, $tmp (kept
# with KEEP=1), the namespaces and their removal on exit, fail(), nginx,
# and tcpdump writing the HTTP port's packets to $tmp/cap.pcap
# ($tcpdump_pid).
http_test_setup() {
	local t
	require_root
	for t in nginx curl nc tcpdump tshark; do
		command -v "$t" >/dev/null || { echo "SKIP: $t missing"; exit 77; }
	done
	HDRLOG=${HDRLOG:-$PWD/build/hdrlog}
	tmp=$(mktemp -d)
	cleanup() { netns_cleanup; [ -n "${KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"; }
	netns_setup || { echo "namespace setup failed"; exit 1; }
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	fail() { echo "FAIL: $*"; exit 1; }
	http_server_start
	ip netns exec "$NS_A" tcpdump -i "$VETH_A" -s 0 -B 65536 -U -w "$tmp/cap.pcap" \
		tcp port $HTTP_PORT >"$tmp/tcpdump.out" 2>&1 &
	tcpdump_pid=$!
	track_pid $tcpdump_pid
}
