#!/usr/bin/env bash
# The web view (--web, docs/web.md): hdrlog --http --paths --web on the server's
# veth in $NS_B, nginx there, curl from $NS_A (one request with a hostile
# User-Agent and path), and a client in $NS_B of a python http.server in
# $NS_A. The API's answers are checked against docs/web.md, their records
# against docs/schema.md; then headless Chromium (playwright-core, in
# $NS_B: no way out) opens the page: flows, sort, filter box, a flow's
# timeline and seq search, its HTTP transaction and back, the hostile
# strings shown as text with no script run, the topology's nodes and
# edges (from the topology records: curl -> nginx, curl -> external).
# Screenshots: build/test-logs/web/. Needs root.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/netns.sh
require_root
HDRLOG=${HDRLOG:-build/hdrlog}
tmp=$(mktemp -d)
shots=build/test-logs/web
fail() { echo "FAIL: $*"; [ -f "$tmp/err" ] && tail -5 "$tmp/err"; exit 1; }
cleanup() { netns_cleanup; rm -rf "$tmp"; }
trap cleanup EXIT
NS_A=hdrlog-a18-$$
NS_B=hdrlog-b18-$$
[ -d tests/e2e/web/node_modules/playwright-core ] || fail "playwright-core missing: run scripts/deps.sh"
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium missing: run scripts/deps.sh"
netns_setup || fail "namespaces"

. tests/lib/http.sh
HTTP_LOCATIONS='location /boom { return 503 "down\n"; }'
http_server_start
BACK_PORT=8081
ip netns exec "$NS_A" python3 -m http.server $BACK_PORT --bind "$IP_A" \
	>"$tmp/back.log" 2>&1 &
track_pid $!
WEB=127.0.0.1:8188
ip netns exec "$NS_B" "$HDRLOG" -i "$VETH_B" --http --paths --topology-interval 1 --web $WEB -v \
	>"$tmp/out.json" 2>"$tmp/err" &
hdrlog_pid=$!
track_pid $hdrlog_pid
wait_for "$tmp/err" 30 "web view at" || fail "hdrlog did not start"
wait_for "$tmp/err" 30 "listening on" || fail "hdrlog did not attach"
for ((i = 0; i < 50; i++)); do
	in_a ss -Htln "sport = :$BACK_PORT" | grep -q . && break
	sleep 0.1
done

# traffic: requests to nginx, one of them hostile, two 503s; the way back
HOSTILE_UA='<script>window.__pwned=1</script>'
HOSTILE_PATH='/<script>window.__pwned=2</script>'
url=http://$IP_B:$HTTP_PORT
c() { timeout 10 ip netns exec "$NS_A" curl -s "$@" >/dev/null; }
c "$url/small.html"
c "$url/api/v1/items" "$url/small.html?x=1"
c -A "$HOSTILE_UA" "$url$HOSTILE_PATH"
c "$url/boom"
c "$url/boom"
timeout 10 ip netns exec "$NS_B" curl -s -o /dev/null "http://$IP_A:$BACK_PORT/"
REQUESTS=7

api() { ip netns exec "$NS_B" curl -s --max-time 10 "$@"; }
# until_ok SECONDS CMD...: CMD every 0.2 s until it succeeds.
until_ok() {
	local limit=$1 i
	shift
	for ((i = 0; i < limit * 5; i++)); do
		"$@" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}
# every transaction in, and a sweep after them
status_ready() {
	api "http://$WEB/api/status" >"$tmp/status.json"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["http"] >= int(sys.argv[2]) and d["sweeps"] >= 3 else 1)' \
		"$tmp/status.json" $REQUESTS
}
# ... and the topology records of both edges (--paths: a connection counts
# when its path record leaves, after its close delay)
topology_ready() {
	api "http://$WEB/api/topology" >"$tmp/topology.json"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["from"] == "topology_records" and len(d["edges"]) >= 2 and sum(e["requests"] for e in d["edges"]) >= int(sys.argv[2]) else 1)' \
		"$tmp/topology.json" $REQUESTS
}
until_ok 20 status_ready || fail "status: $(cat "$tmp/status.json")"
until_ok 20 topology_ready || fail "topology: $(cat "$tmp/topology.json")"

# ---- the API against docs/web.md, its records against docs/schema.md
check() { python3 tests/lib/check_web_api.py --records "$tmp/records.json" "$@" || fail "API schema: $1"; }
api "http://$WEB/api/flows" >"$tmp/flows.json"
api "http://$WEB/api/flows?sort=bytes&order=asc&state=live&limit=2" >"$tmp/flows2.json"
api "http://$WEB/api/flows?filter=tcp%20port%20$BACK_PORT" >"$tmp/flows3.json"
check /api/flows "$tmp/flows.json" "$tmp/flows2.json" "$tmp/flows3.json"
python3 - "$tmp/flows2.json" "$tmp/flows3.json" $BACK_PORT <<'EOF' || fail "paging, sorting or filter"
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d['flows']) <= 2 and all(f['live'] for f in d['flows']), 'limit and state'
b = [f['record']['hdrlog.flow.orig.bytes'] + f['record']['hdrlog.flow.resp.bytes'] for f in d['flows']]
assert b == sorted(b), f'sorted by bytes ascending: {b}'
f = json.load(open(sys.argv[2]))
assert f['total'] >= 1, 'the filter selects the flow to the python server'
assert all(int(sys.argv[3]) in (x['record'].get('source.port'), x['record'].get('destination.port')) for x in f['flows'])
print('paging, sort and filter: ok')
EOF
flow=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(next(f["id"] for f in d["flows"] if f["record"].get("destination.port") == 8080))' "$tmp/flows.json") ||
	fail "no flow to nginx"
api "http://$WEB/api/flows/$flow" >"$tmp/flow.json"
api "http://$WEB/api/flows/$flow/timeline" >"$tmp/timeline.json"
check /api/flows/ID "$tmp/flow.json" "$tmp/timeline.json"
api "http://$WEB/api/http" >"$tmp/http.json"
api "http://$WEB/api/http?flow=$flow" >"$tmp/http2.json"
check /api/http "$tmp/http.json" "$tmp/http2.json"
api "http://$WEB/api/http/1" >"$tmp/http1.json"
check /api/http/ID "$tmp/http1.json"
check /api/topology "$tmp/topology.json"
check /api/status "$tmp/status.json"
python3 tests/lib/check_schema.py "$tmp/records.json" || fail "the API's records against docs/schema.md"
python3 - "$tmp" "$flow" $REQUESTS "$VETH_B" <<'EOF' || fail "API contents"
import json, sys
tmp, flow, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
L = lambda f: json.load(open(f'{tmp}/{f}'))
tl = L('timeline.json')
p = tl['timeline']['packets']
assert tl['timeline']['kept'] and len(p) >= 5, 'a timeline of the connection'
assert p[0]['from'] == 'originator' and p[0]['tcp_flags'] & 2 and p[0]['seq'] == 0, 'its SYN first, seq 0'
assert p[1]['from'] == 'responder' and p[1]['tcp_flags'] & 18 == 18, 'then the SYN-ACK'
assert all(a['t_us'] <= b['t_us'] for a, b in zip(p, p[1:])), 'in time order'
h = tl['http']
assert h and all(x['flow'] == flow for x in h), "the flow's transactions link back to it"
for x in h:
    assert x['record']['hdrlog.flow.id'] == tl['flow']['record']['hdrlog.flow.id']
hl = L('http.json')
assert hl['total'] == n, f"{hl['total']} transactions, want {n}"
assert all('flow' in x for x in hl['http']), 'every transaction has its flow'
assert L('http2.json')['total'] == len(h)
t = L('topology.json')
assert t['from'] == 'topology_records', 'the graph of the topology records (--paths)'
edges = {(e['source'], e['target']) for e in t['edges']}
want = {('curl', 'nginx'), ('curl', 'external')}
assert want <= edges, f'edges {edges}'
e = next(e for e in t['edges'] if (e['source'], e['target']) == ('curl', 'nginx'))
assert (e['requests'], e['errors'], e['flows']) == (n - 1, 2, n - 2), f'edge counts {e}'
assert e['interfaces'] == [sys.argv[4]], f"interfaces {e['interfaces']}"
nodes = {x['id']: x for x in t['nodes']}
assert '198.18.0.1:8081' in nodes['external']['endpoints'], 'external hover lists its ip:port'
assert '198.18.0.2:8080' in nodes['nginx']['endpoints'], 'the server node lists its ip:port'
print('API contents: ok')
EOF
# bad input: a clear error, never a crash; nothing can change anything
code=$(api -o "$tmp/bad.json" -w '%{http_code}' "http://$WEB/api/flows?filter=port%2099999")
[ "$code" = 400 ] && grep -q '"error":"filter: ' "$tmp/bad.json" || fail "bad filter: $code $(cat "$tmp/bad.json")"
code=$(api -o /dev/null -w '%{http_code}' "http://$WEB/api/flows?limit=501")
[ "$code" = 400 ] || fail "limit 501: $code"
code=$(api -o /dev/null -w '%{http_code}' "http://$WEB/api/flows/nope/timeline")
[ "$code" = 404 ] || fail "unknown flow: $code"
code=$(api -o /dev/null -w '%{http_code}' -X POST -d x "http://$WEB/api/flows")
[ "$code" = 405 ] || fail "POST: $code"
code=$(api -o /dev/null -w '%{http_code}' -X DELETE "http://$WEB/")
[ "$code" = 405 ] || fail "DELETE: $code"
api -D "$tmp/headers" -o /dev/null "http://$WEB/"
grep -qi "^content-security-policy: default-src 'none'; script-src 'self'" "$tmp/headers" || fail "no CSP"
# the stream: a live event after a sweep, and a new transaction
timeout 4 ip netns exec "$NS_B" curl -sN "http://$WEB/api/stream" >"$tmp/stream.txt" &
stream_pid=$!
sleep 1
c "$url/small.html?stream=1"
wait $stream_pid
grep -q '^event: live' "$tmp/stream.txt" && grep -q '^event: http' "$tmp/stream.txt" &&
	grep -q 'stream=1' "$tmp/stream.txt" || fail "stream: $(head -c 300 "$tmp/stream.txt")"
echo "API: ok"

# ---- the page in Chromium, from inside $NS_B
cat >"$tmp/expect.json" <<EOF
{ "server": "$IP_B:$HTTP_PORT", "filterPort": $BACK_PORT,
  "hostile": ["$HOSTILE_UA", "$HOSTILE_PATH"], "hostileRowText": "__pwned=2",
  "nodes": ["external", "nginx", "curl"],
  "edges": [["curl", "nginx"], ["curl", "external"]] }
EOF
rm -rf "$shots"
HOME=$tmp timeout 120 ip netns exec "$NS_B" node tests/e2e/web/web_test.mjs \
	"http://$WEB" "$shots" "$tmp/expect.json" || fail "browser test"
ls "$shots"/*.png >/dev/null || fail "no screenshots"

stop_pid $hdrlog_pid INT 10 || fail "hdrlog exit status"
python3 tests/lib/check_schema.py "$tmp/out.json" >/dev/null || fail "log schema"
echo "PASS: the web view, its API and the page (screenshots in $shots)"
