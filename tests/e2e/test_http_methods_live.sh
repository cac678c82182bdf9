#!/usr/bin/env bash
# Extension methods and HTTP/0.9 live: hdrlog --http attached (tc) on the
# client's veth while curl sends QUERY, PROPFIND and CCM_POST (RFC 9110
# 9.1: any token is a method), each on a connection of its own that starts
# with it, and nc an HTTP/0.9 Simple-Request (RFC 1945 4.1), to nginx in
# the other namespace. The kernel must know each connection as HTTP by its
# request line and count the requests as "other"; every transaction is
# logged complete with its method and nginx's status, and the live records
# equal what `hdrlog -r --http` makes of tcpdump's capture. Needs root.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/netns.sh
. tests/lib/http.sh
http_test_setup
ip netns exec "$NS_A" "$HDRLOG" -i "$VETH_A" --http >"$tmp/all.json" 2>"$tmp/err" &
hdrlog_pid=$!
track_pid $hdrlog_pid
wait_for "$tmp/tcpdump.out" 5 "listening on" || fail "tcpdump did not start"
wait_for "$tmp/err" 10 "listening on" || { cat "$tmp/err"; fail "hdrlog did not start"; }
url=http://$IP_B:$PORT
c() { timeout 10 ip netns exec "$NS_A" curl -s -o /dev/null "$@"; }
c -X QUERY "$url/api/v1/items?q=1"
c -X PROPFIND -H 'Depth: 1' "$url/small.html"
c -X CCM_POST -d 'x=1' "$url/post"
# HTTP/0.9: nginx answers with the body alone and closes
{ printf 'GET /api/v1/items\r\n'; sleep 1; } |
	timeout 10 ip netns exec "$NS_A" nc "$IP_B" $PORT >"$tmp/http09.out"
grep -q '"id":3' "$tmp/http09.out" || fail "nginx did not answer the HTTP/0.9 request: $(cat "$tmp/http09.out")"
sleep 0.5
stop_pid $tcpdump_pid TERM 5
stop_pid $hdrlog_pid INT 10 || { cat "$tmp/err"; fail "hdrlog exit status"; }

python3 tests/lib/check_schema.py "$tmp/all.json" >"$tmp/schema.out" ||
	{ tail -5 "$tmp/schema.out"; fail "schema"; }
grep -q ' 0 lost' "$tmp/err" || { cat "$tmp/err"; fail "events lost"; }
grep -q 'http (flow table): 4 request starts (GET 1, .*TRACE 0, other 3)' "$tmp/err" ||
	{ cat "$tmp/err"; fail "kernel request counts"; }
python3 - "$tmp/all.json" <<'PY' || fail "records"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
http = {r['http.request.method'] + ' ' + r.get('network.protocol.version', '?'):
        (r.get('http.response.status_code'), r['hdrlog.http.outcome'], r.get('http.request.body.size'),
         r.get('http.response.body.size'))
        for r in recs if r['hdrlog.record'] == 'http'}
# nginx: 405 for methods its static files do not take, `return` for any
want = {'QUERY 1.1': (405, 'complete', 0), 'PROPFIND 1.1': (405, 'complete', 0),
        'CCM_POST 1.1': (201, 'complete', 3), 'GET 0.9': (None, 'complete', 0)}
got = {k: v[:3] for k, v in http.items()}
flows = [r for r in recs if r['hdrlog.record'] == 'flow' and r['network.transport'] == 'tcp']
other = sorted(f.get('hdrlog.flow.http.method.other', 0) for f in flows)
print(f'http: {http}\nflows: method.other {other}')
ok = got == want and other == [0, 1, 1, 1] and http['GET 0.9'][3] == 9
sys.exit(0 if ok else 1)
PY
# live and offline: the same transactions, field for field (times aside,
# and who is talking: a capture file cannot know, docs/schema.md)
"$HDRLOG" -r "$tmp/cap.pcap" --http 2>/dev/null | grep '"hdrlog.record":"http"' >"$tmp/offline.json"
grep '"hdrlog.record":"http"' "$tmp/all.json" >"$tmp/live.json"
python3 tests/lib/http_live_offline.py "$tmp/live.json" "$tmp/offline.json" ||
	fail "live and offline records differ"
echo "PASS: extension methods and HTTP/0.9 live"
