#!/usr/bin/env bash
# --clickhouse-url against the real server: Debian's clickhouse-server
# (18.16), started here in $NS_A with its config and data in a temp dir,
# on that namespace's loopback; hdrlog runs in $NS_A too.
#  1. docs/clickhouse.sql loads; every column is a documented key.
#  2. A crafted capture (tests/lib/sink_pcap.py: every kind): the tables
#     hold exactly the records hdrlog wrote (count per kind, and the
#     flow and HTTP rows field by field); the five queries of
#     docs/clickhouse.md return what the records say (top talkers ...).
#  3. Credentials from a file; a wrong password and an unknown table are
#     counted as rejected, the rest still arrives.
#  4. Live, under load (ping at 200/s in $NS_B): ClickHouse killed and
#     restarted after OUTAGE_S seconds (default 10; the issue's 30 s:
#     OUTAGE_S=30): nothing lost, the queue held it.
#  5. Live, --clickhouse-queue 100, the server stopped (SIGSTOP) for 6 s:
#     the overflow is counted (queue_full), hdrlog does not stall, and
#     ClickHouse has exactly the records counted as sent. (6 s stays
#     under the sink's 10 s request timeout: a longer stop makes the
#     retried INSERT a possible duplicate on a plain MergeTree, see
#     docs/clickhouse.md.)
set -u
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/clickhouse.sh"
require_root
bin=${HDRLOG_BIN:-./build/hdrlog}
OUTAGE_S=${OUTAGE_S:-10}
for tool in clickhouse-server python3 curl ping; do
	command -v $tool >/dev/null || { echo "SKIP: $tool missing (scripts/deps.sh)"; exit 77; }
done
tmp=$(mktemp -d)
cleanup() { clickhouse_stop; netns_cleanup; rm -rf "$tmp"; }
netns_setup || { cleanup; echo "FAIL: netns setup"; exit 1; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
check() { ip netns exec "$NS_A" python3 tests/lib/clickhouse_check.py "$CH_URL" "$@"; }
summary() { grep -E '^hdrlog: [0-9]+ packets seen' "$1"; }
# field N of "clickhouse: S sent, D dropped" in the summary of $1
sent_of() { summary "$1" | sed -nE 's/.*clickhouse: ([0-9]+) sent, ([0-9]+) dropped.*/\1/p'; }
dropped_of() { summary "$1" | sed -nE 's/.*clickhouse: ([0-9]+) sent, ([0-9]+) dropped.*/\2/p'; }
truncate_all() {
	for t in flows http packets anomalies stats; do ch_query "TRUNCATE TABLE hdrlog.$t" || return 1; done
}

clickhouse_start "$NS_A" "$tmp/ch" 8123 || fail "clickhouse-server did not start"
echo "clickhouse-server $(ch_query 'SELECT version()') up"

# 1.
check schema || fail "docs/clickhouse.sql"

# 2.
python3 tests/lib/sink_pcap.py "$tmp/s.pcap" 40 || fail "writing the capture"
ip netns exec "$NS_A" "$bin" -r "$tmp/s.pcap" --packets all --http --syn-threshold 20 \
	--stats-interval 1 --clickhouse-url "$CH_URL" >"$tmp/out" 2>"$tmp/err" ||
	fail "hdrlog exit $?: $(cat "$tmp/err")"
lines=$(wc -l <"$tmp/out")
[ "$(sent_of "$tmp/err")" = "$lines" ] && [ "$(dropped_of "$tmp/err")" = 0 ] ||
	fail "not all $lines sent: $(summary "$tmp/err")"
check same "$tmp/out" || fail "ClickHouse does not hold the records written"
check queries "$tmp/out" || fail "example queries"
python3 tests/lib/check_schema.py "$tmp/out" || fail "schema check"

# 3. Credentials; rejections counted.
truncate_all || fail "truncate"
printf 'hdrlog:s3cret\n' >"$tmp/cred" && chmod 600 "$tmp/cred"
ip netns exec "$NS_A" "$bin" -r "$tmp/s.pcap" --clickhouse-url "$CH_URL" \
	--clickhouse-credentials "$tmp/cred" >"$tmp/out3" 2>"$tmp/err3" || fail "exit $?: $(cat "$tmp/err3")"
[ "$(sent_of "$tmp/err3")" = "$(wc -l <"$tmp/out3")" ] || fail "with credentials: $(summary "$tmp/err3")"
check same "$tmp/out3" flow || fail "with credentials"
printf 'hdrlog:wrong\n' >"$tmp/bad" && chmod 644 "$tmp/bad"
ip netns exec "$NS_A" "$bin" -r "$tmp/s.pcap" --clickhouse-url "$CH_URL" \
	--clickhouse-credentials "$tmp/bad" >"$tmp/out3" 2>"$tmp/err3" || fail "exit $?: $(cat "$tmp/err3")"
n=$(wc -l <"$tmp/out3")
summary "$tmp/err3" | grep -q "clickhouse: 0 sent, $n dropped (rejected $n)" &&
	grep -q "can be read by others" "$tmp/err3" && grep -q "lines rejected: HTTP 401" "$tmp/err3" ||
	fail "wrong password: $(cat "$tmp/err3")"
ip netns exec "$NS_A" "$bin" -r "$tmp/s.pcap" --http --syn-threshold 20 --clickhouse-url "$CH_URL" \
	--clickhouse-table flow=nosuch >"$tmp/out3" 2>"$tmp/err3" || fail "exit $?: $(cat "$tmp/err3")"
flows=$(grep -c '"hdrlog.record":"flow"' "$tmp/out3")
summary "$tmp/err3" | grep -q "clickhouse: $(($(wc -l <"$tmp/out3") - flows)) sent, $flows dropped (rejected $flows)" &&
	grep -q "Table hdrlog.nosuch doesn't exist" "$tmp/err3" || fail "unknown table: $(cat "$tmp/err3")"
for bad in "--clickhouse-url ftp://x" "--clickhouse-url http://x --clickhouse-database a;b" \
	"--clickhouse-url http://x --clickhouse-table flow=a.b" "--clickhouse-url http://x -o text" \
	"--clickhouse-url http://x --clickhouse-credentials $tmp/none" "--clickhouse-table flow=x"; do
	ip netns exec "$NS_A" "$bin" -r "$tmp/s.pcap" $bad >/dev/null 2>"$tmp/e"
	[ $? -eq 2 ] || fail "$bad: not a usage error: $(cat "$tmp/e")"
done
echo "ok   credentials from a file; wrong password, unknown table counted as rejected; bad options refused"

# live_run QUEUE: hdrlog on $VETH_A with packet records into ClickHouse
live_run() {
	truncate_all || fail "truncate"
	ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all --clickhouse-url "$CH_URL" \
		--clickhouse-queue "$1" --stats-interval 1 >"$tmp/live" 2>"$tmp/lerr" &
	pid=$!
	track_pid $pid
	wait_for "$tmp/lerr" 30 "listening on" || fail "hdrlog did not attach: $(cat "$tmp/lerr")"
}
# load SECONDS: 200 pings a second from $NS_B, in the background
load() {
	timeout $(($1 + 10)) ip netns exec "$NS_B" ping -n -q -c $(($1 * 200)) -i 0.005 -W 1 "$IP_A" >/dev/null &
	ping_pid=$!
}
# stop_live: SIGINT, then the totals; ClickHouse must have what was sent
stop_live() {
	stop_pid $pid INT 20 || fail "hdrlog exit $? after SIGINT: $(cat "$tmp/lerr")"
	written=$(wc -l <"$tmp/live") sent=$(sent_of "$tmp/lerr") dropped=$(dropped_of "$tmp/lerr")
	[ -n "$sent" ] && [ $((sent + dropped)) -eq "$written" ] ||
		fail "sent $sent + dropped $dropped != $written written: $(summary "$tmp/lerr")"
	python3 - "$tmp/live" <<'PY' || fail "stats record"
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r['hdrlog.record'] != 'stats':
        continue
    k = 'hdrlog.stats.sink.clickhouse.'
    q, s, d = r[k + 'queue_depth'], r[k + 'sent'], r[k + 'dropped']
    by = sum(r[k + 'dropped.' + x] for x in ('queue_full', 'rejected', 'exit', 'oversize', 'no_memory'))
    # handed to every sink: what stdout wrote and what it holds
    handed = r['hdrlog.stats.sink.stdout.sent'] + r['hdrlog.stats.sink.stdout.queue_depth']
    assert q + s + d == handed and by == d, r
PY
	python3 tests/lib/check_schema.py "$tmp/live" || fail "schema check (live)"
}

# 4. Killed and restarted under load: nothing lost.
live_run 100000
load $((OUTAGE_S + 6))
sleep 2
clickhouse_stop
echo "clickhouse-server stopped for ${OUTAGE_S}s under load"
sleep "$OUTAGE_S"
clickhouse_start "$NS_A" "$tmp/ch" 8123 || fail "clickhouse-server did not restart"
wait $ping_pid
stop_live
grep -q "clickhouse: sending failed" "$tmp/lerr" && grep -q "clickhouse: sending again" "$tmp/lerr" ||
	fail "no outage seen: $(cat "$tmp/lerr")"
[ "$dropped" -eq 0 ] || fail "$dropped dropped within the queue bound: $(summary "$tmp/lerr")"
check same "$tmp/live" packet stats || fail "records lost in the outage"
echo "ok   ${OUTAGE_S}s outage under load: $written records, all in ClickHouse"

# 5. A small queue and a stopped server: the overflow counted.
live_run 100
load 9
sleep 1.5
kill -STOP "$CH_PID"
sleep 6
kill -CONT "$CH_PID"
wait $ping_pid
stop_live
summary "$tmp/lerr" | grep -qE "clickhouse: $sent sent, $dropped dropped \(queue_full $dropped\)" &&
	[ "$dropped" -gt 0 ] || fail "no overflow counted: $(summary "$tmp/lerr")"
grep -q "clickhouse: queue full (100 lines)" "$tmp/lerr" || fail "no queue-full warning"
got=$(($(check count packet) + $(check count stats)))
[ "$got" -eq "$sent" ] || fail "ClickHouse has $got rows, hdrlog says $sent sent"
summary "$tmp/lerr" | grep -q ' 0 lost (ringbuf full 0' || fail "the consumer stalled: $(summary "$tmp/lerr")"
echo "ok   stopped server, queue 100: $written written, $sent sent, $dropped dropped (queue_full), ClickHouse has $got"
echo "PASS: ClickHouse"
