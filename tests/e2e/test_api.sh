#!/usr/bin/env bash
# The API view against a real server: nginx in $NS_B serves users, orders
# (ids and UUIDs in the paths), a health check and static files; curl in
# $NS_A sends 12 requests, some the description (tests/data/openapi/
# e2e.yaml) does not allow. hdrlog runs live on both ends (server side in
# $NS_B, client side in $NS_A) with --openapi and --api-report, and later
# on tcpdump's capture (-r). Checked: every http record's route, source,
# operationId and drift; the route metrics (promtool check metrics, the
# counts per route and side); the report on SIGUSR1 and at exit, whose
# counts are the requests sent; the same from the capture. Needs root.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/netns.sh
. tests/lib/http.sh
HTTP_LOCATIONS='location = /v1/health { return 204; }'
http_test_setup
SPEC=tests/data/openapi/e2e.yaml
U1=123e4567-e89b-12d3-a456-426614174000 U2=9b2f0c1e-3d4a-4b5c-8d6e-7f8091a2b3c4
mkdir -p "$tmp/www/v1/users" "$tmp/www/v1/orders" "$tmp/www/static"
for f in v1/users/1 v1/users/2 v1/users/3 v1/users/me v1/orders/$U1 v1/orders/$U2 \
	static/111 static/222; do
	echo '{"ok":true}' >"$tmp/www/$f"
done

# hdrlog_in NS VETH METRICS_PORT NAME: hdrlog live in NS, output $tmp/NAME.*
hdrlog_in() {
	ip netns exec "$1" "$HDRLOG" -i "$2" --openapi "$SPEC" --api-report \
		--metrics-addr "127.0.0.1:$3" >"$tmp/$4.json" 2>"$tmp/$4.err" &
	track_pid $!
	eval "${4}_pid=$!"
	wait_for "$tmp/$4.err" 10 "listening on" || fail "hdrlog ($4) did not attach: $(cat "$tmp/$4.err")"
}
hdrlog_in "$NS_B" "$VETH_B" 9464 server
hdrlog_in "$NS_A" "$VETH_A" 9465 client
wait_for "$tmp/tcpdump.out" 5 "listening on" || fail "tcpdump did not start"

url=http://$IP_B:$PORT
c() { timeout 10 ip netns exec "$NS_A" curl -s "$@" >/dev/null || fail "curl $*"; }
c "$url/v1/users/1" "$url/v1/users/2" "$url/v1/users/3" "$url/v1/users/me"
c "$url/v1/orders/$U1" "$url/v1/orders/$U2" "$url/v1/orders/00000000-0000-4000-8000-000000000000"
c "$url/v1/users/999"                       # 404: undeclared
c -d 'x=1' "$url/v1/users/1"                 # 405: no post
c "$url/v1/health"
c "$url/static/111" "$url/static/222"       # not described
SENT=12
# records are written as responses end: wait for all of them
for ((i = 0; i < 50; i++)); do
	[ "$(grep -c '"hdrlog.record":"http"' "$tmp/server.json")" -ge $SENT ] &&
		[ "$(grep -c '"hdrlog.record":"http"' "$tmp/client.json")" -ge $SENT ] && break
	sleep 0.1
done

# The route metrics, server side in $NS_B, client side in $NS_A.
ip netns exec "$NS_B" curl -fs http://127.0.0.1:9464/metrics >"$tmp/server.prom" || fail "GET /metrics"
ip netns exec "$NS_A" curl -fs http://127.0.0.1:9465/metrics >"$tmp/client.prom" || fail "GET /metrics"
for side in server client; do
	promtool check metrics <"$tmp/$side.prom" >"$tmp/promtool.out" 2>&1 ||
		fail "promtool check metrics ($side): $(cat "$tmp/promtool.out")"
done
python3 - "$tmp/server.prom" "$tmp/client.prom" $SENT <<'PY' || fail "route metrics"
import re, sys
def series(path):
    out = {}
    for line in open(path):
        m = re.match(r'^(\w+)\{(.*)\} (\S+)$', line)
        if m:
            labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2)))
            out.setdefault(m.group(1), []).append((labels, float(m.group(3))))
    return out
def total(s, name, **want):
    return sum(v for l, v in s.get(name, []) if all(l.get(k) == w for k, w in want.items()))
srv, cli, sent = series(sys.argv[1]), series(sys.argv[2]), int(sys.argv[3])
want = {  # (method, route, class): count
    ("GET", "/v1/users/{id}", "2xx"): 3, ("GET", "/v1/users/me", "2xx"): 1,
    ("GET", "/v1/orders/{orderId}", "2xx"): 2, ("GET", "/v1/orders/{orderId}", "4xx"): 1,
    ("GET", "/v1/users/{id}", "4xx"): 1, ("POST", "/v1/users/{id}", "4xx"): 1,
    ("GET", "/v1/health", "2xx"): 1, ("GET", "/static/{id}", "2xx"): 2,
}
for side, s, name in (("server", srv, "http_server_request_duration_seconds_count"),
                      ("client", cli, "http_client_request_duration_seconds_count")):
    got = {(l["http_request_method"], l["http_route"], l["http_response_status_class"]): int(v)
           for l, v in s.get(name, [])}
    if got != want:
        sys.exit(f"{side}: {name} {got}, want {want}")
    labels = {k for l, _ in s[name] for k in l}
    if labels != {"http_request_method", "http_route", "http_response_status_class"}:
        sys.exit(f"labels {labels}")
# each side sees only its own side
if srv.get("http_client_request_duration_seconds_count") or cli.get("http_server_request_duration_seconds_count"):
    sys.exit("a side counted as the other")
if total(srv, "http_server_response_body_size_bytes_count") != sent:
    sys.exit("response body size histogram")
drift = {(l["http_route"], l["drift"]): int(v) for l, v in srv.get("hdrlog_api_drift_total", [])}
if drift != {("/v1/users/{id}", "undeclared_status"): 1, ("/v1/users/{id}", "method_not_allowed"): 1,
             ("/static/{id}", "undocumented_path"): 2}:
    sys.exit(f"drift {drift}")
print(f"ok   route metrics: {sent} requests on both sides, drift counted")
PY

# The report on SIGUSR1, then at exit.
kill -USR1 "$server_pid"
wait_for "$tmp/server.err" 5 "API report" || fail "no report on SIGUSR1"
stop_pid "$server_pid" INT 10 || fail "hdrlog (server) exit $?: $(cat "$tmp/server.err")"
stop_pid "$client_pid" INT 10 || fail "hdrlog (client) exit $?: $(cat "$tmp/client.err")"
[ "$(grep -c 'hdrlog: API report: 6 routes, 12 requests' "$tmp/server.err")" -eq 2 ] ||
	{ cat "$tmp/server.err"; fail "the table, on SIGUSR1 and at exit"; }
stop_pid $tcpdump_pid TERM 5
$HDRLOG -r "$tmp/cap.pcap" --openapi "$SPEC" --api-report >"$tmp/offline.json" 2>"$tmp/offline.err" ||
	{ cat "$tmp/offline.err"; fail "hdrlog -r"; }
python3 tests/lib/check_schema.py "$tmp/server.json" "$tmp/client.json" "$tmp/offline.json" \
	>"$tmp/schema.out" || { tail -5 "$tmp/schema.out"; fail "schema"; }

# check_records FILE REPORTS: each http record's route, and the last of
# REPORTS reports (1 or 2) counting what was sent.
check_records() {
	python3 - "$1" "$2" $SENT "$U1" <<'PY' || fail "records of $1"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reports, sent, u1 = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
http = [r for r in recs if r["hdrlog.record"] == "http"]
if len(http) != sent:
    sys.exit(f"{len(http)} http records, want {sent}")
def rec(path, method="GET"):
    return [r for r in http if r["url.path"] == path and r["http.request.method"] == method][0]
def expect(path, route, source, op=None, drift=None, method="GET"):
    r = rec(path, method)
    got = (r.get("http.route"), r.get("hdrlog.api.route_source"),
           r.get("hdrlog.api.operation_id"), r.get("hdrlog.api.drift"))
    if got != (route, source, op, drift):
        sys.exit(f"{method} {path}: {got}, want {(route, source, op, drift)}")
expect("/v1/users/2", "/v1/users/{id}", "spec", "getUser")
expect("/v1/users/me", "/v1/users/me", "spec", "getMe")
expect(f"/v1/orders/{u1}", "/v1/orders/{orderId}", "spec", "getOrder")
expect("/v1/orders/00000000-0000-4000-8000-000000000000", "/v1/orders/{orderId}", "spec", "getOrder")
expect("/v1/users/999", "/v1/users/{id}", "spec", "getUser", "undeclared_status")
expect("/v1/users/1", "/v1/users/{id}", "spec", None, "method_not_allowed", "POST")
expect("/v1/health", "/v1/health", "spec", "health")
expect("/static/111", "/static/{id}", "heuristic", None, "undocumented_path")
rows = [r for r in recs if r["hdrlog.record"] == "api_route"]
per = len(rows) // reports
last = rows[-per:]
if len(rows) % reports or sum(r["hdrlog.api.requests"] for r in last) != sent:
    sys.exit(f"{len(rows)} report rows, {sum(r['hdrlog.api.requests'] for r in last)} requests in the last report, want {sent}")
row = {(r["http.request.method"], r["http.route"]): r for r in last}
u = row[("GET", "/v1/users/{id}")]
if (u["hdrlog.api.requests"], u["hdrlog.api.client_errors"], u["hdrlog.api.drift.undeclared_status"]) != (4, 1, 1):
    sys.exit(f"GET /v1/users/{{id}}: {u}")
if row[("GET", "/static/{id}")]["hdrlog.api.drift.undocumented_path"] != 2 or \
        row[("POST", "/v1/users/{id}")]["hdrlog.api.drift.method_not_allowed"] != 1:
    sys.exit("drift in the report")
if any(r["hdrlog.api.latency.p50_ns"] <= 0 for r in last):
    sys.exit("latency")
print(f"ok   {sys.argv[1]}: {sent} records routed as described, the report counts {sent} requests")
PY
}
check_records "$tmp/server.json" 2
check_records "$tmp/client.json" 1
check_records "$tmp/offline.json" 1
grep -q 'API report: 6 routes, 12 requests' "$tmp/offline.err" || fail "offline table"

# A description that cannot be read: exit 2, file and line named.
printf 'openapi: 3.0.0\npaths:\n  /a: [\n' >"$tmp/bad.yaml"
$HDRLOG -r "$tmp/cap.pcap" --openapi "$tmp/bad.yaml" >/dev/null 2>"$tmp/bad.err"
rc=$?
[ $rc -eq 2 ] && grep -q "bad.yaml:4:1: " "$tmp/bad.err" || fail "bad description: exit $rc, $(cat "$tmp/bad.err")"
echo "PASS: $SENT requests routed by the description, drift flagged, metrics, report and capture agree"
