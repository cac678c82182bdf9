#!/usr/bin/env bash
# HTTP transactions live: hdrlog --http attached (tc) on the client's veth
# while curl and nc talk to nginx in the other namespace, tcpdump capturing
# the same interface. Every request must appear once, complete, with the
# fields tshark finds in the capture, and the live records must equal what
# `hdrlog -r --http` makes of the capture. Needs root.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/netns.sh
. tests/lib/http.sh
http_test_setup
ip netns exec "$NS_A" "$HDRLOG" -i "$VETH_A" --http --http-header cookie \
	>"$tmp/all.json" 2>"$tmp/err" &
hdrlog_pid=$!
track_pid $hdrlog_pid
wait_for "$tmp/tcpdump.out" 30 "listening on" || fail "tcpdump did not start"
wait_for "$tmp/err" 30 "listening on" || { cat "$tmp/err"; fail "hdrlog did not start"; }
http_traffic
sleep 0.5
stop_pid $tcpdump_pid TERM 5
stop_pid $hdrlog_pid INT 10 || { cat "$tmp/err"; fail "hdrlog exit status"; }

python3 tests/lib/check_schema.py "$tmp/all.json" >"$tmp/schema.out" ||
	{ tail -5 "$tmp/schema.out"; fail "schema"; }
grep '"hdrlog.record":"http"' "$tmp/all.json" >"$tmp/http.json"
n=$(wc -l <"$tmp/http.json")
[ "$n" -eq $HTTP_SENT ] || { cat "$tmp/http.json" "$tmp/err"; fail "$n http records, want $HTTP_SENT"; }
grep -c '"hdrlog.http.outcome":"complete"' "$tmp/http.json" | grep -qx $HTTP_SENT ||
	{ cat "$tmp/http.json"; fail "not every transaction complete"; }
grep -q ' 0 lost' "$tmp/err" || { cat "$tmp/err"; fail "events lost"; }
grep -q '"Cookie: REDACTED"' "$tmp/http.json" || fail "cookie not redacted"
# the flow table's counts, made in the kernel: segments that start a
# request (the 3 pipelined requests share one); the flow records carry
# them, and sum to the same
grep -q 'http (flow table): 9 request starts (GET 6, POST 2, PUT 0, DELETE 0, HEAD 1,' "$tmp/err" ||
	{ cat "$tmp/err"; fail "kernel request counts"; }
python3 - "$tmp/all.json" <<'PY' || fail "flow records' HTTP counts"
import json, sys
flows = [json.loads(l) for l in open(sys.argv[1]) if '"hdrlog.record":"flow"' in l]
starts = sum(f.get('hdrlog.flow.http.request_starts', 0) for f in flows)
gets = sum(f.get('hdrlog.flow.http.method.get', 0) for f in flows)
print(f'flow records: {starts} request starts, {gets} GET')
sys.exit(0 if (starts, gets) == (9, 6) else 1)
PY
http_check_tshark "$tmp/cap.pcap" "$tmp/http.json"
http_check_fields "$tmp/http.json"

# live and offline: the same transactions, field for field (times aside,
# and who is talking: a capture file cannot know, docs/schema.md)
"$HDRLOG" -r "$tmp/cap.pcap" --http --http-header cookie 2>/dev/null |
	grep '"hdrlog.record":"http"' >"$tmp/offline.json"
python3 tests/lib/http_live_offline.py "$tmp/http.json" "$tmp/offline.json" --live-names-process ||
	fail "live and offline records differ"
echo "PASS: $HTTP_SENT HTTP transactions live, as tshark and the capture say"
