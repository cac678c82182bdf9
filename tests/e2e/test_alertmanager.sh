#!/usr/bin/env bash
# --alertmanager-url with a real Alertmanager (Debian's
# prometheus-alertmanager), started here on loopback in $NS_A with its
# storage in a temp dir and no cluster:
# - hdrlog starts first: its first posts fail (connection refused) and are
#   retried with backoff until Alertmanager is up;
# - three SYN+FIN segments from $NS_B make one record and raise one
#   alert, labels alertname HdrlogAnomaly, kind tcp_syn_fin, source
#   $IP_B, instance, job, with a summary and a description;
# - with --anomaly-window 2, the alert is posted resolved after a quiet
#   window (Alertmanager counts a resolved alert received) and leaves the
#   API while hdrlog still runs;
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

ip netns exec "$NS_A" "$bin" -i "$VETH_A" --anomaly-window 2 --stats-interval 1 \
	--alertmanager-url $AM -w "$tmp/out" 2>"$tmp/err" &
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
wait_for "$tmp/out" 5 '"tcp_syn_fin"' || fail "no anomaly record"
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
	alerts >"$tmp/alerts.json" && grep -q HdrlogAnomaly "$tmp/alerts.json" && break
	sleep 0.2
done
python3 - "$tmp/alerts.json" "$IP_B" <<'PY' || fail "alert in Alertmanager: $(cat "$tmp/am.log" | tail -5)"
import json, sys
alerts = [a for a in json.load(open(sys.argv[1])) if a['labels'].get('alertname') == 'HdrlogAnomaly']
if len(alerts) != 1:
    sys.exit(f'{len(alerts)} alerts: {alerts}')
l, a = alerts[0]['labels'], alerts[0]['annotations']
want = {'alertname': 'HdrlogAnomaly', 'kind': 'tcp_syn_fin', 'source': sys.argv[2], 'job': 'hdrlog'}
if any(l.get(k) != v for k, v in want.items()) or not l.get('instance') \
        or 'tcp_syn_fin from ' + sys.argv[2] != a.get('summary') or not a.get('description'):
    sys.exit(f'labels {l}, annotations {a}')
if alerts[0]['status']['state'] != 'active':
    sys.exit(f'state {alerts[0]["status"]}')
print(f'ok   alert {l}')
PY
[ $? -eq 0 ] || exit 1
grep -q "alertmanager: posting again" "$tmp/err" || fail "no retry message: $(cat "$tmp/err")"

# resolved after a quiet window (2 s after the one of the record): posted
# resolved, and gone from the API while hdrlog runs
for _ in $(seq 60); do
	in_a curl -fs "$AM/metrics" | grep -q '^alertmanager_alerts_received_total{status="resolved",version="v2"} [1-9]' && break
	sleep 0.2
done
in_a curl -fs "$AM/metrics" | grep '^alertmanager_alerts_received_total' >"$tmp/received"
grep -q 'status="resolved",version="v2"} 1$' "$tmp/received" || fail "no resolved alert received: $(cat "$tmp/received")"
alerts | grep -q HdrlogAnomaly && fail "the resolved alert is still listed: $(alerts)"
kill -0 $pid || fail "hdrlog exited: $(cat "$tmp/err")"
sleep 1.2 # a stats record after the resolve
stop_pid $pid || fail "hdrlog exit: $(cat "$tmp/err")"
python3 tests/lib/check_schema.py "$tmp/out" | tail -1 || fail "schema"
python3 - "$tmp/out" <<'PY' || fail "sink counters"
import json, sys
stats = [r for r in map(json.loads, open(sys.argv[1])) if r['hdrlog.record'] == 'stats'][-1]
s = {k.rsplit('.', 1)[1]: v for k, v in stats.items() if k.startswith('hdrlog.stats.sink.alertmanager.')}
if s != {'queue_depth': 0, 'sent': 1, 'dropped': 0}:
    sys.exit(f'alertmanager sink: {s}')
print(f'ok   stats: alertmanager sink {s}')
PY
[ $? -eq 0 ] || exit 1
echo PASS
