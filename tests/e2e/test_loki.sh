#!/usr/bin/env bash
# --loki-url: live records pushed to Loki's push API. Debian 12 has no
# Grafana Loki, so tests/tools/loki_stub.py stands in for it (it validates
# each push as Loki does and keeps what it accepted). All in $NS_A's
# loopback. First offline runs: Loki unreachable (exit within the drain
# time, all counted as dropped), a bad URL, 503/429 answers (retried until
# delivered) and 400 answers (counted as dropped). Then three phases under
# one live hdrlog run:
#  1. Loki up: every line hdrlog writes arrives, same text, labels
#     job/host/kind/interface; a stats record (SIGUSR1) too.
#  2. Loki down, more traffic than --loki-queue holds: hdrlog keeps
#     logging to stdout, counts the overflow, does not stall.
#  3. Loki back: the queued lines arrive; at exit sent + dropped = lines
#     written, sent = lines Loki has, in the summary and the stats record.
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
bin=${HDRLOG_BIN:-./build/hdrlog}
stub=tests/tools/loki_stub.py
for tool in python3 curl ping; do
	command -v $tool >/dev/null || { echo "SKIP: $tool missing"; exit 77; }
done
tmp=$(mktemp -d)
netns_setup || { netns_cleanup; rm -rf "$tmp"; echo "FAIL: netns setup"; exit 1; }
trap 'netns_cleanup; rm -rf "$tmp"' EXIT # after netns_setup, which sets its own
fail() { echo "FAIL: $*"; exit 1; }

LOKI_PORT=3100 QUEUE=200

# start_loki: the stub in $NS_A (LOKI_STUB_ANSWERS from the caller's env)
start_loki() {
	ip netns exec "$NS_A" env LOKI_STUB_ANSWERS="${LOKI_STUB_ANSWERS:-}" python3 "$stub" $LOKI_PORT "$tmp/loki.jsonl" 2>>"$tmp/loki.err" &
	loki_pid=$!
	track_pid $loki_pid
	for ((i = 0; i < 100; i++)); do
		in_a curl -fs "http://127.0.0.1:$LOKI_PORT/ready" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "Loki stub not ready: $(cat "$tmp/loki.err")"
}
# arrived: lines Loki accepted so far
arrived() { cat "$tmp/loki.jsonl" 2>/dev/null | wc -l; }
# wait_arrived N SECONDS: until Loki has N lines
wait_arrived() {
	for ((i = 0; i < $2 * 10; i++)); do
		[ "$(arrived)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
packets() { grep -c '"hdrlog.record":"packet"' "$tmp/out"; }

# 0. Offline, Loki never there: exit within the drain time, all counted.
python3 tests/lib/udp_pcap.py "$tmp/udp.pcap" 500 || fail "writing the capture"
start=$SECONDS
ip netns exec "$NS_A" "$bin" -r "$tmp/udp.pcap" --loki-url "http://127.0.0.1:$LOKI_PORT" >/dev/null 2>"$tmp/e0"
rc=$?
[ $rc -eq 0 ] || fail "exit $rc with Loki unreachable: $(cat "$tmp/e0")"
[ $((SECONDS - start)) -le 8 ] || fail "took $((SECONDS - start)) s with Loki unreachable"
grep -q "loki: 0 sent, 500 dropped" "$tmp/e0" || fail "unreachable Loki: $(cat "$tmp/e0")"
ip netns exec "$NS_A" "$bin" -r "$tmp/udp.pcap" --loki-url "ftp://127.0.0.1:$LOKI_PORT" >/dev/null 2>"$tmp/e1"
[ $? -eq 2 ] && grep -q "invalid --loki-url" "$tmp/e1" || fail "ftp URL: $(cat "$tmp/e1")"
echo "ok   offline: unreachable Loki counted (500 dropped), bad URL refused"

# 0b. Retried answers (503, 429) end in delivery; a 400 is a counted drop.
LOKI_STUB_ANSWERS=503,429,503 start_loki
ip netns exec "$NS_A" "$bin" -r "$tmp/udp.pcap" --loki-url "http://127.0.0.1:$LOKI_PORT" >/dev/null 2>"$tmp/e2"
grep -q "loki: 500 sent, 0 dropped" "$tmp/e2" && grep -q "sending failed (HTTP 503" "$tmp/e2" &&
	grep -q "loki: sending again" "$tmp/e2" || fail "503/429 not retried: $(cat "$tmp/e2")"
[ "$(arrived)" -eq 500 ] || fail "after retries Loki has $(arrived) of 500 lines"
stop_pid $loki_pid TERM 5
: >"$tmp/loki.jsonl"
LOKI_STUB_ANSWERS='400*' start_loki
ip netns exec "$NS_A" "$bin" -r "$tmp/udp.pcap" --loki-url "http://127.0.0.1:$LOKI_PORT" >/dev/null 2>"$tmp/e3"
grep -q "loki: 0 sent, 500 dropped" "$tmp/e3" && grep -q "lines rejected: HTTP 400 stub: forced answer" "$tmp/e3" ||
	fail "400 not counted as a drop: $(cat "$tmp/e3")"
stop_pid $loki_pid TERM 5
: >"$tmp/loki.jsonl"
echo "ok   offline: 503 and 429 retried until delivered, 400 counted as dropped"

start_loki
ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all --loki-url "http://127.0.0.1:$LOKI_PORT" \
	--loki-queue $QUEUE >"$tmp/out" 2>"$tmp/err" &
pid=$!
track_pid $pid
wait_for "$tmp/err" 30 "listening on" || fail "hdrlog did not attach: $(cat "$tmp/err")"

# 1. Loki up.
timeout 10 ip netns exec "$NS_B" ping -n -q -c 20 -i 0.02 -W 2 "$IP_A" >/dev/null || fail "ping"
for ((i = 0; i < 50; i++)); do
	[ "$(packets)" -ge 40 ] && break
	sleep 0.1
done
kill -USR1 $pid
wait_for "$tmp/out" 5 '"hdrlog.record":"stats"' || fail "no stats record"
phase1=$(wc -l <"$tmp/out")
[ "$(packets)" -ge 40 ] || fail "hdrlog logged $(packets) packets for 20 pings"
wait_arrived "$phase1" 10 || fail "phase 1: Loki has $(arrived) of $phase1 lines"
python3 - "$tmp/out" "$tmp/loki.jsonl" "$phase1" "$VETH_A" "$(hostname)" <<'EOF' || fail "phase 1 content"
import json, sys
out, loki, n, iface, host = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
written = open(out).read().splitlines()[:n]
# Loki orders by timestamp within a stream; hdrlog's are strictly
# increasing in the order it wrote the lines, across streams too
got = sorted((json.loads(l) for l in open(loki)), key=lambda g: int(g['ts']))
lines = [g['line'] for g in got]
assert lines[:n] == written, 'Loki lines differ from stdout (text or order)'
for g in got[:n]:
    rec = json.loads(g['line'])
    kind = rec['hdrlog.record']
    want = {'job': 'hdrlog', 'host': host, 'kind': kind}
    if kind == 'packet':
        want['interface'] = iface
    assert g['labels'] == want, f"labels {g['labels']} != {want}"
ts = [int(g['ts']) for g in got]
assert len(set(ts)) == len(ts), 'duplicate timestamps'
print(f'phase 1: {n} lines arrived, labels right')
EOF

# 2. Loki down: more lines than the queue holds.
stop_pid $loki_pid TERM 5
timeout 20 ip netns exec "$NS_B" ping -n -q -c 300 -i 0.005 -W 2 "$IP_A" >/dev/null || fail "ping during the outage"
sleep 1
during=$(($(wc -l <"$tmp/out") - phase1))
[ "$during" -gt $((QUEUE * 2)) ] || fail "only $during lines during the outage"
grep -q "loki: sending failed" "$tmp/err" || fail "no push failure reported: $(cat "$tmp/err")"
grep -q "loki: queue full ($QUEUE lines)" "$tmp/err" || fail "no queue-full report: $(cat "$tmp/err")"

# 3. Loki back: the backoff (at most 5 s) finds it again.
start_loki
timeout 10 ip netns exec "$NS_B" ping -n -q -c 5 -i 0.05 -W 2 "$IP_A" >/dev/null || fail "ping after the outage"
sleep 1
kill -USR1 $pid
sleep 0.5
stop_pid $pid INT 15 || fail "hdrlog exit $? after SIGINT: $(cat "$tmp/err")"
cat "$tmp/err"
total=$(wc -l <"$tmp/out")
summary=$(grep -E '^hdrlog: [0-9]+ packets seen' "$tmp/err") || fail "no summary"
echo "$summary" | grep -q ' 0 lost (ringbuf full 0' || fail "kernel loss: $summary"
sent=$(echo "$summary" | sed -nE 's/.*loki: ([0-9]+) sent, ([0-9]+) dropped.*/\1/p')
dropped=$(echo "$summary" | sed -nE 's/.*loki: ([0-9]+) sent, ([0-9]+) dropped.*/\2/p')
[ -n "$sent" ] && [ -n "$dropped" ] || fail "no Loki counts in the summary: $summary"
echo "lines $total, Loki sent $sent, dropped $dropped, Loki has $(arrived)"
[ $((sent + dropped)) -eq "$total" ] || fail "sent $sent + dropped $dropped != $total lines written"
[ "$(arrived)" -eq "$sent" ] || fail "Loki has $(arrived) lines, hdrlog says $sent sent"
[ "$dropped" -gt 0 ] || fail "nothing dropped although the outage overflowed the queue"
[ "$sent" -ge $((phase1 + QUEUE)) ] || fail "queued lines lost: sent $sent < $phase1 + $QUEUE"
# every line Loki has is one hdrlog wrote, in order
python3 - "$tmp/out" "$tmp/loki.jsonl" <<'EOF' || fail "Loki's lines are not a subsequence of stdout"
import json, sys
written = open(sys.argv[1]).read().splitlines()
got = [g['line'] for g in sorted((json.loads(l) for l in open(sys.argv[2])),
                                 key=lambda g: int(g['ts']))]
i = 0
for line in got:
    while i < len(written) and written[i] != line:
        i += 1
    assert i < len(written), f'not written (or out of order): {line[:80]}'
    i += 1
print('every Loki line was written, in order;', sum(json.loads(l)['gzip'] for l in open(sys.argv[2])), 'arrived gzip-compressed')
EOF
# the last stats record's Loki fields are consistent too
python3 - "$tmp/out" <<'EOF' || fail "stats record"
import json, sys
st = [json.loads(l) for l in open(sys.argv[1]) if '"hdrlog.record":"stats"' in l][-1]
q, s, d = (st[f'hdrlog.stats.sink.loki.{k}'] for k in ('queue_depth', 'sent', 'dropped'))
n = st['hdrlog.stats.sink.stdout.sent']
assert q + s + d == n, f'queued {q} + sent {s} + dropped {d} != {n} lines'
assert d > 0, 'stats record shows no drops'
print(f'stats record: queued {q} sent {s} dropped {d} of {n}')
EOF
python3 tests/lib/check_schema.py "$tmp/out" || fail "schema check"
echo "PASS: Loki phases 1-3"
