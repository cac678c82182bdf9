#!/usr/bin/env bash
# Bodies counted, not copied: curl fetches a 4 MiB file from nginx twice
# on one keep-alive connection and POSTs 1 MiB, over the veth, with hdrlog
# --http on the client's side. The three transactions must be logged
# complete, with exact body sizes and no gap, while the kernel copies only
# the segments that start messages (and sends one empty event where a
# body ends): a handful of payload events, the bodies' bytes counted in
# the stats and in the flow record. hdrlog -r on tcpdump's capture of the
# same traffic must give the same records. Needs root.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/netns.sh
. tests/lib/http.sh
http_test_setup
BIG=4194304 UP=1048576
head -c $BIG /dev/urandom >"$tmp/www/big.bin"
head -c $UP /dev/zero >"$tmp/up.bin"
MPORT=$((19000 + $$ % 1000)) # /metrics on the namespace's loopback
ip netns exec "$NS_A" ip link set lo up
ip netns exec "$NS_A" "$HDRLOG" -i "$VETH_A" --http --close-delay 1 --metrics-addr 127.0.0.1:$MPORT \
	>"$tmp/live.json" 2>"$tmp/err" &
hdrlog_pid=$!
track_pid $hdrlog_pid
wait_for "$tmp/tcpdump.out" 30 "listening on" || fail "tcpdump did not start"
wait_for "$tmp/err" 30 "listening on" || { cat "$tmp/err"; fail "hdrlog did not start"; }
url=http://$IP_B:$HTTP_PORT
# at 50 MB/s: tcpdump, the offline side's witness, keeps up
timeout 20 ip netns exec "$NS_A" curl -s --limit-rate 50M -o /dev/null -o /dev/null \
	"$url/big.bin" "$url/big.bin" || fail "curl GET"
timeout 20 ip netns exec "$NS_A" curl -s --limit-rate 50M -o /dev/null \
	--data-binary @"$tmp/up.bin" "$url/post" || fail "curl POST"
sleep 2.5 # the FIN exchanges, then the close delay and the sweep: the flows end
timeout 5 ip netns exec "$NS_A" curl -s "http://127.0.0.1:$MPORT/metrics" >"$tmp/metrics" ||
	fail "scrape"
stop_pid $tcpdump_pid TERM 5
stop_pid $hdrlog_pid INT 10 || { cat "$tmp/err"; fail "hdrlog exit status"; }
! grep -qE '^[1-9][0-9]* packets dropped by kernel' "$tmp/tcpdump.out" ||
	fail "tcpdump, the offline side's witness, dropped packets: $(cat "$tmp/tcpdump.out")"
cat "$tmp/err"
"$HDRLOG" --http -r "$tmp/cap.pcap" >"$tmp/offline.json" 2>"$tmp/offline.err" ||
	{ cat "$tmp/offline.err"; fail "offline run"; }
python3 tests/lib/check_schema.py "$tmp/live.json" "$tmp/offline.json" >"$tmp/schema.out" ||
	{ tail -5 "$tmp/schema.out"; fail "schema"; }
grep -q ' 0 lost' "$tmp/err" || fail "events lost"

python3 - "$tmp" $BIG $UP <<'PY' || fail "records"
import json, re, sys
tmp, big, up = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
errors = []
def load(name):
    return [json.loads(l) for l in open(f'{tmp}/{name}')]
def txns(recs):
    return sorted((r['http.request.method'], r.get('http.request.body.size'),
                   r.get('http.response.body.size'), r['hdrlog.http.outcome'],
                   any('gap' in k for k in r))
                  for r in recs if r['hdrlog.record'] == 'http')
want = sorted([('GET', 0, big, 'complete', False)] * 2 +
              [('POST', up, len('created\n'), 'complete', False)])
live, off = load('live.json'), load('offline.json')
for name, recs in (('live', live), ('offline', off)):
    if txns(recs) != want:
        errors.append(f'{name} transactions {txns(recs)}, want {want}')
err = open(f'{tmp}/err').read()
events = int(re.search(r'(\d+) events written', err).group(1))
m = re.search(r'(\d+) segments \((\d+) bytes\) of bodies counted, not copied', err)
segs, uncopied = int(m.group(1)), int(m.group(2))
bodies = 2 * big + up
print(f'live: {events} events written for {bodies} body bytes; {segs} segments, '
      f'{uncopied} bytes ({100 * uncopied / bodies:.1f}%) counted, not copied')
if uncopied < 0.9 * bodies:
    errors.append(f'only {uncopied} of {bodies} body bytes passed over')
if events > 40:
    errors.append(f'{events} events written: the bodies were copied')
flows = [r for r in live if r['hdrlog.record'] == 'flow' and 'hdrlog.flow.http.request_starts' in r]
fsum = sum(r['hdrlog.flow.http.orig_uncopied_bytes'] + r['hdrlog.flow.http.resp_uncopied_bytes']
           for r in flows)
if fsum != uncopied:
    errors.append(f'flow records count {fsum} uncopied bytes, the stats {uncopied}')
# /metrics, scraped after both connections closed: the flow table's counts
metrics = {}
for line in open(f'{tmp}/metrics'):
    if line.startswith('hdrlog_http_'):
        name, value = line.rsplit(' ', 1)
        metrics[name] = int(float(value))
got = (metrics.get('hdrlog_http_message_starts_total{kind="request",method="GET"}'),
       metrics.get('hdrlog_http_message_starts_total{kind="request",method="POST"}'),
       metrics.get('hdrlog_http_message_starts_total{kind="response",status_class="2xx"}'),
       metrics.get('hdrlog_http_uncopied_bytes_total'))
print(f'/metrics: GET, POST, 2xx starts and uncopied bytes {got}')
if got != (2, 1, 3, uncopied):
    errors.append(f'/metrics {got}, want (2, 1, 3, {uncopied})')
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
PY
echo "PASS: bodies counted, not copied"
