#!/usr/bin/env bash
# --alertmanager-url with a real Alertmanager (Debian's
# prometheus-alertmanager), started here on loopback in $NS_A with its
# storage in a temp dir and no cluster:
# - hdrlog starts first: its first posts fail (connection refused) and are
#   retried with backoff until Alertmanager is up;
# - three SYN+FIN segments from $NS_B make one record and raise one
#   alert, labels alertname HdrlogAnomaly, kind tcp_syn_fin, source
#   $IP_B, instance, job, with a summary and a description;
# - 30 SYNs to an address $NS_A drops silently make a syn_flood record
#   (--syn-threshold 20) and an alert labelled by destination ADDR:PORT;
# - with --anomaly-window 5 and --syn-window 5, both are posted resolved
#   after a quiet window (Alertmanager counts them received resolved) and
#   leave the API while hdrlog still runs;
# - the stats record counts what the sink handed and Alertmanager took.
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
bin=${HDRLOG_BIN:-./build/hdrlog}
am=$(command -v prometheus-alertmanager || command -v alertmanager) ||
	{ echo "SKIP: prometheus-alertmanager missing (scripts/deps.sh)"; exit 77; }
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
netns_setup || { echo "FAIL: netns setup"; exit 1; }
fail() { echo "FAIL: $*"; exit 1; }
AM=http://127.0.0.1:9093
SILENT=198.18.2.1 # routed to $NS_A, which drops it: SYNs get no answer
ip -n "$NS_B" route add $SILENT/32 via $IP_A && ip -n "$NS_A" route add blackhole $SILENT/32 ||
	fail "routes"

ip netns exec "$NS_A" "$bin" -i "$VETH_A" --anomaly-window 5 --stats-interval 1 \
	--syn-window 5 --syn-threshold 20 --alertmanager-url $AM -w "$tmp/out" 2>"$tmp/err" &
pid=$!
track_pid $pid
wait_for "$tmp/err" 10 "listening on" || fail "hdrlog did not attach: $(cat "$tmp/err")"

send_syn_fin() {
	timeout 10 ip netns exec "$NS_B" python3 - "$IP_A" <<'PY' || fail "sending"
import os, socket, sys
sys.path.insert(0, os.path.join(os.environ.get('HDRLOG_ROOT', '.'), 'tests/lib'))
import anomaly_pcaps as p
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.connect((sys.argv[1], 9))
me = u.getsockname()[0]
for i in range(3):
    s.sendto(p.tcp(me, sys.argv[1], 42000 + i, 80, p.SYN | p.FIN)[14:], (sys.argv[1], 0))
PY
}
send_syn_fin
timeout 10 ip netns exec "$NS_B" python3 - "$SILENT" <<'PY' || fail "sending SYNs"
import socket, sys
for i in range(30):  # non-blocking connects: one SYN each, never answered
    c = socket.socket()
    c.setblocking(False)
    c.connect_ex((sys.argv[1], 80))
    c.close()
PY
wait_for "$tmp/out" 5 '"tcp_syn_fin"' || fail "no anomaly record"
wait_for "$tmp/out" 5 '"syn_flood"' || fail "no syn_flood record"
[ "$(grep -c '"tcp_syn_fin"' "$tmp/out")" = 1 ] || fail "not one record: $(grep anomaly "$tmp/out")"
wait_for "$tmp/err" 5 "alertmanager: post failed" || fail "no failed post before Alertmanager runs: $(cat "$tmp/err")"

cat >"$tmp/am.yml" <<'YML'
route:
  receiver: blackhole
  group_wait: 0s
receivers:
  - name: blackhole
YML
ip netns exec "$NS_A" "$am" --config.file="$tmp/am.yml" --storage.path="$tmp/am-data" \
	--web.listen-address=127.0.0.1:9093 --cluster.listen-address= >"$tmp/am.log" 2>&1 &
track_pid $!

# the retried post arrives: one alert with the expected labels
alerts() { in_a curl -fs "$AM/api/v2/alerts" 2>/dev/null; }
for _ in $(seq 50); do
	alerts >"$tmp/alerts.json" && [ "$(grep -o HdrlogAnomaly "$tmp/alerts.json" | wc -l)" = 2 ] && break
	sleep 0.2
done
python3 - "$tmp/alerts.json" "$IP_B" "$SILENT:80" <<'PY' || fail "alerts in Alertmanager: $(cat "$tmp/am.log" | tail -5)"
import json, sys
alerts = {a['labels'].get('kind'): a for a in json.load(open(sys.argv[1]))
          if a['labels'].get('alertname') == 'HdrlogAnomaly'}
if sorted(alerts) != ['syn_flood', 'tcp_syn_fin']:
    sys.exit(f'alerts: {alerts}')
for kind, subject, value, summary in (('tcp_syn_fin', 'source', sys.argv[2], 'tcp_syn_fin from '),
                                      ('syn_flood', 'destination', sys.argv[3], 'syn_flood to ')):
    l, a = alerts[kind]['labels'], alerts[kind]['annotations']
    want = {'alertname': 'HdrlogAnomaly', 'kind': kind, subject: value, 'job': 'hdrlog'}
    if any(l.get(k) != v for k, v in want.items()) or not l.get('instance') or len(l) != 5 \
            or summary + value != a.get('summary') or not a.get('description'):
        sys.exit(f'labels {l}, annotations {a}')
    if alerts[kind]['status']['state'] != 'active':
        sys.exit(f'state {alerts[kind]["status"]}')
    print(f'ok   alert {l}')
PY
[ $? -eq 0 ] || exit 1
grep -q "alertmanager: posting again" "$tmp/err" || fail "no retry message: $(cat "$tmp/err")"

# resolved after a quiet window (2 s after the one of the record): posted
# resolved, and gone from the API while hdrlog runs
for _ in $(seq 100); do
	in_a curl -fs "$AM/metrics" | grep -q '^alertmanager_alerts_received_total{status="resolved",version="v2"} 2$' && break
	sleep 0.2
done
in_a curl -fs "$AM/metrics" | grep '^alertmanager_alerts_received_total' >"$tmp/received"
grep -q 'status="resolved",version="v2"} 2$' "$tmp/received" || fail "not 2 resolved alerts received: $(cat "$tmp/received")"
alerts | grep -q HdrlogAnomaly && fail "the resolved alert is still listed: $(alerts)"
kill -0 $pid || fail "hdrlog exited: $(cat "$tmp/err")"
sleep 1.2 # a stats record after the resolve
stop_pid $pid || fail "hdrlog exit: $(cat "$tmp/err")"
python3 tests/lib/check_schema.py "$tmp/out" | tail -1 || fail "schema"
python3 - "$tmp/out" <<'PY' || fail "sink counters"
import json, sys
stats = [r for r in map(json.loads, open(sys.argv[1])) if r['hdrlog.record'] == 'stats'][-1]
p = 'hdrlog.stats.sink.alertmanager.'
s = {k[len(p):]: v for k, v in stats.items() if k.startswith(p)}
if s != {'queue_depth': 0, 'sent': 2, 'dropped': 0, 'dropped.queue_full': 0, 'dropped.rejected': 0,
         'dropped.exit': 0, 'dropped.oversize': 0, 'dropped.no_memory': 0}:
    sys.exit(f'alertmanager sink: {s}')
print(f'ok   stats: alertmanager sink {s}')
PY
[ $? -eq 0 ] || exit 1
echo PASS
