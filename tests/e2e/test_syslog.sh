#!/usr/bin/env bash
# --syslog against the real rsyslogd, started here in $NS_A (imudp,
# imtcp, imuxsock; config and files in a temp dir), hdrlog in $NS_A too.
#  1. A crafted capture (every kind) over UDP, TCP (octet counting) and a
#     unix datagram socket: rsyslog's file holds every record as MSG, in
#     order, with APP-NAME hdrlog, MSGID the kind, HOSTNAME, PRI.
#  2. Bad URLs refused; no server: every line counted (exit), in time.
#  3. Live under load (ping at 200/s), rsyslog restarted mid-run, over
#     TCP: hdrlog reconnects; nothing counted as sent is missing (a line
#     counts once rsyslog's TCP acknowledged it, lines in flight go again),
#     none twice, sent + dropped = written.
#  4. The same over UDP: the restart is survived, datagrams refused while
#     rsyslog was down wait and go again; what UDP cannot tell (datagrams
#     in flight when it died) is said, not hidden: at most 2.
set -u
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/rsyslog.sh"
require_root
bin=${HDRLOG_BIN:-./build/hdrlog}
for tool in rsyslogd python3 ping; do
	command -v $tool >/dev/null || { echo "SKIP: $tool missing (scripts/deps.sh)"; exit 77; }
done
tmp=$(mktemp -d)
cleanup() { rsyslog_stop; netns_cleanup; rm -rf "$tmp"; }
netns_setup || { cleanup; echo "FAIL: netns setup"; exit 1; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
summary() { grep -E '^hdrlog: [0-9]+ packets seen' "$1"; }
sent_of() { summary "$1" | sed -nE 's/.*syslog: ([0-9]+) sent, ([0-9]+) dropped.*/\1/p'; }
dropped_of() { summary "$1" | sed -nE 's/.*syslog: ([0-9]+) sent, ([0-9]+) dropped.*/\2/p'; }
# settle FILE N: waits (at most 10 s) until FILE has N lines or stops growing
settle() {
	local last=-1 n i
	for ((i = 0; i < 100; i++)); do
		n=$(cat "$1" 2>/dev/null | wc -l)
		[ "$n" -ge "$2" ] && return 0
		[ $((i % 10)) -eq 9 ] && { [ "$n" -eq "$last" ] && return 0; last=$n; }
		sleep 0.1
	done
}
PORT=5514 host=$(hostname)
rsyslog_start "$NS_A" "$tmp/rs" $PORT || fail "rsyslogd did not start"

# 1.
python3 tests/lib/sink_pcap.py "$tmp/s.pcap" 10 || fail "writing the capture"
for url in udp://127.0.0.1:$PORT tcp://127.0.0.1:$PORT unix:$tmp/rs/log.sock; do
	proto=${url%%:*}
	ip netns exec "$NS_A" "$bin" -r "$tmp/s.pcap" --packets all --http --syn-threshold 20 \
		--syslog "$url" >"$tmp/out.$proto" 2>"$tmp/err" || fail "$url: exit $?: $(cat "$tmp/err")"
	n=$(wc -l <"$tmp/out.$proto")
	summary "$tmp/err" | grep -q "syslog: $n sent, 0 dropped" || fail "$url: $(summary "$tmp/err")"
	settle "$tmp/rs/$proto.log" "$n"
	python3 tests/lib/syslog_check.py exact "$tmp/out.$proto" "$tmp/rs/$proto.log" "$host" || fail "$url"
done
python3 tests/lib/check_schema.py "$tmp/out.tcp" || fail "schema check"

# 2.
for bad in http://x udp:// "tcp://[fd00::1" unix: udp://127.0.0.1:x; do
	ip netns exec "$NS_A" "$bin" -r "$tmp/s.pcap" --syslog "$bad" >/dev/null 2>"$tmp/e"
	[ $? -eq 2 ] || fail "--syslog $bad: not a usage error: $(cat "$tmp/e")"
done
ip netns exec "$NS_A" "$bin" -r "$tmp/s.pcap" --syslog-facility nope >/dev/null 2>"$tmp/e"
[ $? -eq 2 ] || fail "--syslog-facility nope accepted"
start=$SECONDS
ip netns exec "$NS_A" "$bin" -r "$tmp/s.pcap" --syslog tcp://127.0.0.1:5599 >"$tmp/o" 2>"$tmp/e" || fail "exit $?"
n=$(wc -l <"$tmp/o")
summary "$tmp/e" | grep -q "syslog: 0 sent, $n dropped (exit $n)" || fail "no server: $(summary "$tmp/e")"
[ $((SECONDS - start)) -le 8 ] || fail "took $((SECONDS - start)) s without a server"
echo "ok   bad URLs refused; no server: all $n counted (exit) within the drain time"

# live URL: hdrlog on $VETH_A, ping load, rsyslog restarted after 2.5 s
live_restart() {
	local url=$1 proto=${1%%:*}
	: >"$tmp/rs/$proto.log"
	ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all --syslog "$url" \
		>"$tmp/live" 2>"$tmp/lerr" &
	pid=$!
	track_pid $pid
	wait_for "$tmp/lerr" 30 "listening on" || fail "hdrlog did not attach: $(cat "$tmp/lerr")"
	timeout 20 ip netns exec "$NS_B" ping -n -q -c 1600 -i 0.005 -W 1 "$IP_A" >/dev/null &
	ping_pid=$!
	sleep 2.5
	rsyslog_stop
	before=$(wc -l <"$tmp/rs/$proto.log")
	sleep 2
	rsyslog_start "$NS_A" "$tmp/rs" $PORT || fail "rsyslogd did not restart"
	wait $ping_pid
	sleep 1
	stop_pid $pid INT 20 || fail "hdrlog exit $?: $(cat "$tmp/lerr")"
	written=$(wc -l <"$tmp/live") sent=$(sent_of "$tmp/lerr") dropped=$(dropped_of "$tmp/lerr")
	[ -n "$sent" ] && [ $((sent + dropped)) -eq "$written" ] ||
		fail "$proto: sent $sent + dropped $dropped != $written: $(summary "$tmp/lerr")"
	settle "$tmp/rs/$proto.log" "$sent"
	arrived=$(python3 tests/lib/syslog_check.py subset "$tmp/live" "$tmp/rs/$proto.log" "$sent") ||
		fail "$proto: $arrived"
	[ "$arrived" -gt "$before" ] || fail "$proto: nothing arrived after the restart"
	summary "$tmp/lerr" | grep -q ' 0 lost (ringbuf full 0' || fail "consumer stalled: $(summary "$tmp/lerr")"
	python3 tests/lib/check_schema.py "$tmp/live" >/dev/null || fail "schema check (live)"
}

# 3.
live_restart tcp://127.0.0.1:$PORT
grep -q "syslog: sending failed" "$tmp/lerr" && grep -q "syslog: sending again" "$tmp/lerr" ||
	fail "tcp: no reconnect seen: $(cat "$tmp/lerr")"
[ "$arrived" -eq "$sent" ] || fail "tcp: $arrived arrived, $sent sent"
echo "ok   tcp: rsyslog restarted mid-run: $written written, $sent sent (all arrived, $before before the stop), $dropped dropped"

# 4.
SLACK=5% live_restart udp://127.0.0.1:$PORT
echo "ok   udp: rsyslog restarted mid-run: $written written, $sent sent, $arrived arrived ($((sent - arrived)) in flight when it stopped), $dropped dropped"
echo "PASS: syslog"
