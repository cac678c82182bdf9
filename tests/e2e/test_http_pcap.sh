#!/usr/bin/env bash
# HTTP transactions from a capture file: nginx in one namespace
# (198.18.0.2:8080), curl and nc (keep-alive, pipelined, HEAD, POST, 404,
# 100-continue) in the other, captured with tcpdump on the veth; `hdrlog -r
# --http` must log every request once, paired with its response, with the
# same method, URI, Host, User-Agent and status as tshark's HTTP dissector
# on the same file. Needs root (namespaces). Everything is removed on exit.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/netns.sh
. tests/lib/http.sh
http_test_setup
wait_for "$tmp/tcpdump.out" 30 "listening on" || fail "tcpdump did not start"
http_traffic
sleep 0.5
stop_pid $tcpdump_pid TERM 5

$HDRLOG -r "$tmp/cap.pcap" --http >"$tmp/all.json" 2>"$tmp/err" ||
	{ cat "$tmp/err"; fail "hdrlog failed"; }
python3 tests/lib/check_schema.py "$tmp/all.json" >"$tmp/schema.out" ||
	{ tail -5 "$tmp/schema.out"; fail "schema"; }
grep '"hdrlog.record":"http"' "$tmp/all.json" >"$tmp/http.json"
n=$(wc -l <"$tmp/http.json")
[ "$n" -eq $HTTP_SENT ] || { cat "$tmp/http.json"; fail "$n http records, want $HTTP_SENT"; }
grep -c '"hdrlog.http.outcome":"complete"' "$tmp/http.json" | grep -qx $HTTP_SENT ||
	{ cat "$tmp/http.json"; fail "not every transaction complete"; }

http_check_tshark "$tmp/cap.pcap" "$tmp/http.json"
http_check_fields "$tmp/http.json"
# Cookie is not logged by default
grep -q 'secret' "$tmp/http.json" && fail "cookie logged"
$HDRLOG -r "$tmp/cap.pcap" --http --http-header cookie 2>/dev/null | grep -q '"Cookie: REDACTED"' ||
	fail "cookie not redacted"
$HDRLOG -r "$tmp/cap.pcap" --http --http-header cookie --no-redact 2>/dev/null |
	grep -q '"Cookie: secret=1"' || fail "--no-redact"
grep -q 'http: 11 transactions logged' "$tmp/err" || { cat "$tmp/err"; fail "summary"; }
# L4 <-> L7: each http record's Community ID is its connection's flow record's
$HDRLOG -r "$tmp/cap.pcap" --http --flows >"$tmp/joined.json" 2>/dev/null || fail "--http --flows"
python3 - "$tmp/joined.json" <<'PY' || fail "http records do not join their flows"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
flows = {(r["source.address"], r["source.port"], r["destination.address"], r["destination.port"]):
         r["network.community_id"] for r in recs if r["hdrlog.record"] == "flow"}
http = [r for r in recs if r["hdrlog.record"] == "http"]
bad = [r for r in http if flows.get((r["source.address"], r["source.port"],
       r["destination.address"], r["destination.port"])) != r["network.community_id"]]
if not http or bad:
    sys.exit(f"{len(bad)} of {len(http)} http records without their flow's Community ID")
# and each of those flow records counts its http records
per_cid = {}
for r in http:
    per_cid[r["network.community_id"]] = per_cid.get(r["network.community_id"], 0) + 1
counts = {r["network.community_id"]: r.get("hdrlog.flow.http_transactions")
          for r in recs if r["hdrlog.record"] == "flow"}
wrong = {c: (n, counts.get(c)) for c, n in per_cid.items() if counts.get(c) != n}
if wrong:
    sys.exit(f"flow records' hdrlog.flow.http_transactions (http records, flow says): {wrong}")
print(f"ok   {len(http)} http records join {len(per_cid)} flow records by Community ID; each flow counts its transactions")
PY
echo "PASS: $HTTP_SENT HTTP transactions, fields as tshark's"
