#!/usr/bin/env bash
# The sanitizer build (ASan + LSan + UBSan) on the agent's normal and error
# paths, live and offline: no leak, no sanitizer report.
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
bin=./build/hdrlog-asan
[ -x $bin ] || { echo "missing $bin: run make asan"; exit 1; }
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:exitcode=99
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
fail=0

# expect CODE NAME CMD...: CMD exits with CODE and the sanitizers are quiet.
expect() {
	local want=$1 name=$2 rc; shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne "$want" ] || grep -qE 'Sanitizer|runtime error' "$tmp/err"; then
		echo "FAIL $name: exit $rc (want $want)"; sed 's/^/    /' "$tmp/err" | head -30
		fail=1
	else
		echo "ok   $name"
	fi
}

corpus=../shared/corpus/tcpdump-tests
expect 0 "offline" $bin --packets all -r $corpus/dns_tcp.pcap
expect 0 "offline text -c" $bin --packets all -r $corpus/802.1ad_QinQ.pcap -o text -c 1
expect 2 "missing pcap" $bin -r "$tmp/nothing.pcap"
expect 2 "bad option" $bin -c abc
expect 2 "unknown interface" $bin -i nosuchif0
expect 2 "unwritable -w" $bin -r $corpus/dns_tcp.pcap -w /proc/nonexistent/x
expect 0 "offline filter with sets, sampling" $bin -r $corpus/dns_tcp.pcap --sample 2 \
	'port 53 or port 54 or port 55 or port 56 or net 10.0.0.0/8'
expect 2 "bad filter" $bin -r $corpus/dns_tcp.pcap 'port 53 or'
expect 2 "missing filter file" $bin -r $corpus/dns_tcp.pcap --filter-file "$tmp/none"
mkdir "$tmp/rot"
expect 0 "offline rotate, retain, compress" $bin -r $corpus/dns_tcp.pcap -w "$tmp/rot/x.json" \
	--rotate-size 4k --retain 2 --compress
expect 0 "offline, Loki unreachable" $bin -r $corpus/dns_tcp.pcap --loki-url http://127.0.0.1:1
expect 0 "offline, --anomalies, Alertmanager unreachable" $bin -r $corpus/tcp_eight_lowest_weight_flags_set.pcap \
	--alertmanager-url http://127.0.0.1:1
expect 2 "bad --metrics-addr" $bin -r $corpus/dns_tcp.pcap --metrics-addr 127.0.0.1:0

netns_setup
# the log stores unreachable (in $NS_A: nothing listens there), their bad
# options: every path frees what it took
printf 'u:p\n' >"$tmp/cred"
expect 0 "offline, ClickHouse and syslog unreachable" ip netns exec "$NS_A" $bin -r $corpus/dns_tcp.pcap \
	--clickhouse-url http://127.0.0.1:8123 --clickhouse-credentials "$tmp/cred" \
	--syslog tcp://127.0.0.1:5514
expect 0 "offline, syslog over UDP and unix unreachable" ip netns exec "$NS_A" $bin -r $corpus/dns_tcp.pcap \
	--syslog udp://127.0.0.1:5514 --loki-url http://127.0.0.1:3100
expect 0 "offline, syslog unix socket missing" $bin -r $corpus/dns_tcp.pcap --syslog "unix:$tmp/none.sock"
expect 2 "bad --clickhouse-credentials" $bin -r $corpus/dns_tcp.pcap \
	--clickhouse-url http://127.0.0.1:8123 --clickhouse-credentials "$tmp/none"
expect 2 "bad --clickhouse-table" $bin -r $corpus/dns_tcp.pcap \
	--clickhouse-url http://127.0.0.1:8123 --clickhouse-table 'flow=a;b'
expect 2 "bad --syslog" $bin -r $corpus/dns_tcp.pcap --syslog "udp://[fd00::1"
# live with every exporter: /metrics scraped, lines pushed to the Loki stub
ip netns exec "$NS_A" python3 tests/tools/loki_stub.py 3100 "$tmp/loki.jsonl" &
track_pid $!
ip netns exec "$NS_A" $bin -i "$VETH_A" --packets all --stats-interval 1 --metrics-addr 9464 \
	--loki-url http://127.0.0.1:3100 >"$tmp/live" 2>"$tmp/live.err" &
pid=$!
wait_for "$tmp/live.err" 30 "listening on" || { echo "FAIL: live run did not attach"; cat "$tmp/live.err"; exit 1; }
timeout 10 ip netns exec "$NS_B" ping -c 3 -i 0.2 "$IP_A" >/dev/null
sleep 1.2
in_a curl -fs http://127.0.0.1:9464/metrics | grep -q '^hdrlog_packets_total{' ||
	{ echo "FAIL: /metrics"; fail=1; }
kill -INT $pid
timeout 20 tail --pid=$pid -f /dev/null
wait $pid; rc=$?
if [ $rc -ne 0 ] || grep -qE 'Sanitizer|runtime error' "$tmp/live.err"; then
	echo "FAIL live: exit $rc"; cat "$tmp/live.err"; fail=1
else
	echo "ok   live ($(wc -l <"$tmp/live") lines)"
fi
grep -q '"hdrlog.record":"stats"' "$tmp/live" || { echo "FAIL: no stats record"; fail=1; }

# A live filter from a file, reloaded by SIGHUP: good, then bad.
echo "icmp or port 1 or port 2 or port 3 or port 4" >"$tmp/rules"
ip netns exec "$NS_A" $bin -i "$VETH_A" --filter-file "$tmp/rules" --sample 2 >"$tmp/flt" 2>"$tmp/flt.err" &
pid=$!
wait_for "$tmp/flt.err" 30 "listening on" || { echo "FAIL: filtered run did not attach"; cat "$tmp/flt.err"; exit 1; }
echo "icmp or net 10.0.0.0/8 or net 11.0.0.0/8 or net 12.0.0.0/8 or net 13.0.0.0/8" >"$tmp/rules"
kill -HUP $pid
wait_for "$tmp/flt.err" 5 "filter reloaded"
echo "icmp or" >"$tmp/rules"
kill -HUP $pid
wait_for "$tmp/flt.err" 5 "keeping the previous filter"
timeout 10 ip netns exec "$NS_B" ping -c 3 -i 0.2 "$IP_A" >/dev/null
kill -INT $pid
timeout 20 tail --pid=$pid -f /dev/null
wait $pid; rc=$?
if [ $rc -ne 0 ] || grep -qE 'Sanitizer|runtime error' "$tmp/flt.err" ||
   ! grep -q "keeping the previous filter" "$tmp/flt.err"; then
	echo "FAIL live filter with reloads: exit $rc"; cat "$tmp/flt.err"; fail=1
else
	echo "ok   live filter, two SIGHUP reloads ($(wc -l <"$tmp/flt") lines)"
fi

# Error path after load: attaching XDP twice to one interface fails.
ip netns exec "$NS_A" $bin -i "$VETH_A" --hook xdp >/dev/null 2>"$tmp/x1.err" &
xpid=$!
wait_for "$tmp/x1.err" 30 "listening on"
expect 1 "attach failure" ip netns exec "$NS_A" $bin -i "$VETH_A" --hook xdp
kill -TERM $xpid; timeout 20 tail --pid=$xpid -f /dev/null
exit $fail
