#!/usr/bin/env bash
# Secrets stay out of live HTTP records by default: curl sends nginx (in
# the test's namespaces) an access token and an API key in the query, an
# X-Api-Key, an X-Auth-Token and a Proxy-Authorization header, and a
# Referer with a password; hdrlog --http --http-header '*' logs each value
# as REDACTED and the harmless ones as they are. --redact-header and
# --redact-param add names; --no-redact shows everything.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/netns.sh
. tests/lib/http.sh
http_test_setup
# the capture is not needed here; stopped once it runs (before its exec,
# the child is a copy of this shell, with its traps)
wait_for "$tmp/tcpdump.out" 30 "listening on" || fail "tcpdump did not start"
stop_pid $tcpdump_pid TERM 5

# run NAME OPTIONS...: one live run of hdrlog with OPTIONS around one request
run() {
	local name=$1 pid
	shift
	rm -f "$tmp/$name.json"
	ip netns exec "$NS_A" "$HDRLOG" -i "$VETH_A" --http --http-header '*' "$@" \
		>"$tmp/$name.json" 2>"$tmp/$name.err" &
	pid=$!
	track_pid $pid
	wait_for "$tmp/$name.err" 30 "listening on" || fail "$name: did not attach: $(cat "$tmp/$name.err")"
	ip netns exec "$NS_A" curl -s -o /dev/null -m 5 \
		-H 'X-Api-Key: key-sec-1' -H 'X-Auth-Token: tok-sec-2' -H 'Proxy-Authorization: Basic sec-3' \
		-H 'X-Tenant: acme' -e 'http://portal/login?user=bob&password=sec-4' \
		"http://$IP_B:$HTTP_PORT/small.html?access_token=sec-5&API_KEY=sec-6&page=2&user=bob"
	wait_for "$tmp/$name.json" 5 '"hdrlog.record":"http"' || fail "$name: no http record"
	stop_pid $pid INT 10 || fail "$name: exit $?"
	grep '"hdrlog.record":"http"' "$tmp/$name.json" >"$tmp/$name.http"
}

run default
l=$tmp/default.http
# (secrets with a hyphen: no Community ID, flow id or number holds one)
for s in sec-1 sec-2 sec-3 sec-4 sec-5 sec-6; do
	grep -q "$s" "$l" && fail "secret $s logged: $(cat "$l")"
done
for want in '"url.query":"access_token=REDACTED&API_KEY=REDACTED&page=2&user=bob"' \
	'"X-Api-Key: REDACTED"' '"X-Auth-Token: REDACTED"' '"Proxy-Authorization: REDACTED"' \
	'"X-Tenant: acme"' '"http.request.header.referer":"http://portal/login?user=bob&password=REDACTED"'; do
	grep -qF "$want" "$l" || fail "default: no $want in $(cat "$l")"
done
echo "ok   default: $(grep -o '"url.query":"[^"]*"' "$l")"

run added --redact-header x-tenant --redact-param 'us*'
grep -qF '"X-Tenant: REDACTED"' "$tmp/added.http" && grep -qF 'page=2&user=REDACTED"' "$tmp/added.http" ||
	fail "--redact-header/--redact-param: $(cat "$tmp/added.http")"
echo "ok   --redact-header x-tenant --redact-param 'us*'"

run none --no-redact
for s in sec-1 sec-2 sec-3 sec-4 sec-5 sec-6; do
	grep -q "$s" "$tmp/none.http" || fail "--no-redact hid $s: $(cat "$tmp/none.http")"
done
echo "ok   --no-redact"
python3 tests/lib/check_schema.py "$tmp/default.json" >/dev/null || fail "schema"
echo ok
