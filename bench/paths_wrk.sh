#!/usr/bin/env bash
# --paths under many parallel connections: wrk (-t 2 -c CONNS, default
# 100, SECS seconds, default 5, each request on a new connection:
# "Connection: close") from a client namespace through a router doing
# masquerade to nginx (tests/lib/router.sh), hdrlog --paths (--http with
# HTTP=1) on both router interfaces inside the router namespace. Reports
# the join rate (path records of two hops against the connections wrk
# made, and against all path records to the server's port), the
# connections the join evicted early (--path-max), what hdrlog lost, and
# requests/s with and without the agent (the ratio: same run). Needs root.
set -u
cd "$(dirname "$0")/.."
. tests/lib/netns.sh
. bench/lib.sh
require_root
need_tools wrk nginx nft
CONNS=${CONNS:-100}
SECS=${SECS:-5}
HDRLOG=${HDRLOG:-$PWD/build/hdrlog}
tmp=$(mktemp -d)
. tests/lib/http.sh
. tests/lib/router.sh
trap 'router_cleanup; [ -n "${KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"' EXIT
fail() { echo "$*"; exit 1; }
router_setup || fail "router setup failed"
router_nginx_start

# prints requests/s and the requests wrk made
run_wrk() {
	timeout $((SECS + 15)) ip netns exec "$NS_C" wrk -t 2 -c "$CONNS" -d "${SECS}s" \
		-H 'Connection: close' "http://$IP_S:$PORT/small.html" >"$tmp/wrk.out" 2>&1 ||
		{ cat "$tmp/wrk.out" >&2; return 1; }
	awk '/^Requests\/sec:/ { r = $2 } / requests in / { n = $1 }
		END { print r, n }' "$tmp/wrk.out"
}

SECS=1 run_wrk >/dev/null || exit 1 # warm-up
read -r base_rps _ <<<"$(run_wrk)" || exit 1
opts="--paths"
[ "${HTTP:-0}" = 1 ] && opts="--paths --http"
# a flow table for every hop of every connection in its close delay
ip netns exec "$NS_R" "$HDRLOG" -i r0 -i r1 $opts --close-delay 1 --flow-table-size 131072 \
	>"$tmp/out.json" 2>"$tmp/err" &
pid=$!
track_pid $pid
wait_for "$tmp/err" 30 "listening on" || { cat "$tmp/err"; fail "hdrlog did not start"; }
read -r rps requests <<<"$(run_wrk)" || exit 1
sleep 1
warn_if_gone $pid
stop_pid $pid INT 60 || { cat "$tmp/err"; fail "hdrlog exit status"; }
python3 - "$tmp/out.json" "$requests" "$PORT" <<'PY'
import json, sys
path, requests, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
paths = joined = 0
for line in open(path):
    r = json.loads(line)
    if r['hdrlog.record'] == 'path' and r.get('destination.port') == port:
        paths += 1
        joined += r['hdrlog.path.hop_count'] == 2
print(f'connections made by wrk (requests): {requests}')
print(f'path records to :{port}: {paths}, of which joined over r0 and r1: {joined}')
print(f'join rate: {joined / max(requests, 1):.4f} of wrk\'s connections, '
      f'{joined / max(paths, 1):.4f} of the path records')
other = {}
for line in open(path):
    r = json.loads(line)
    if r['hdrlog.record'] == 'path' and r.get('destination.port') == port and \
            r['hdrlog.path.hop_count'] != 2:
        k = (r['hdrlog.path.hop_count'], r['hdrlog.path.join'],
             tuple((h['network.interface.name'], h['conn_state']) for h in r['hdrlog.path.hops']))
        other[k] = other.get(k, 0) + 1
for k, n in sorted(other.items(), key=lambda x: -x[1])[:5]:
    print(f'not joined: {n} x hops={k[0]} join={k[1]} {k[2]}')
PY
printf 'requests/s: %s without hdrlog, %s with (%s), ratio %.3f\n' "$base_rps" "$rps" \
	"$opts" "$(awk -v a="$rps" -v b="$base_rps" 'BEGIN { print a / b }')"
grep -o '[0-9]* lost (ringbuf full [0-9]*, sequence gaps [0-9]*)' "$tmp/err"
grep -o '[0-9]* flows ([^)]*)' "$tmp/err"
grep -o '[0-9]* paths ([^)]*)' "$tmp/err"
