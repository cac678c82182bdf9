#!/usr/bin/env bash
# Live options with real traffic between two namespaces:
#  -c 5               exactly 5 lines, then hdrlog exits 0 on its own
#  --stats-interval 1 "hdrlog.record":"stats" lines, counters that add up
#  SIGUSR1            one stats line now
#  -w FILE            lines go to FILE, not stdout; SIGHUP reopens it
#  -o text            tcpdump-like lines, the same endpoints and TCP flags
#                     as tcpdump -n prints for the same packets
#  --direction in|out only that direction
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
for tool in tcpdump ncat python3; do
	command -v $tool >/dev/null || { echo "SKIP: $tool missing"; exit 77; }
done
bin=${HDRLOG_BIN:-./build/hdrlog} # another build, to check that this test can fail
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
netns_setup || { echo "FAIL: netns setup"; exit 1; }
fail=0
bad() { echo "FAIL $*"; fail=1; }
ping_b() { timeout 10 ip netns exec "$NS_B" ping -n -q -W 2 "$@" "$IP_A" >/dev/null; }
json_ok() { python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$1"; }

attached() { wait_for "$tmp/$1.err" 30 "listening on" || { bad "$1: did not attach: $(cat "$tmp/$1.err")"; return 1; }; }

# -c 5: stops by itself after exactly 5 lines while 10+ packets pass.
ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all -c 5 >"$tmp/count.out" 2>"$tmp/count.err" &
pid=$!; track_pid $pid
if attached count; then
	ping_b -c 5 -i 0.1
	wait_exit $pid 5; rc=$?
	n=$(wc -l <"$tmp/count.out")
	[ $rc -eq 0 ] && [ "$n" -eq 5 ] && json_ok "$tmp/count.out" &&
		echo "ok   -c 5: $n lines, exit 0; $(tail -n 1 "$tmp/count.err")" ||
		bad "-c 5: exit $rc, $n lines: $(cat "$tmp/count.err")"
fi

# --stats-interval 1: stats lines about once a second, counters that add up.
ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all --stats-interval 1 >"$tmp/stats.out" 2>"$tmp/stats.err" &
pid=$!; track_pid $pid
if attached stats; then
	ping_b -c 4 -i 0.5
	sleep 0.6
	stop_pid $pid INT 10 || bad "--stats-interval: exit $?"
	python3 - "$tmp/stats.out" <<'EOF' || fail=1
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
stats = [r for r in recs if r.get("hdrlog.record") == "stats"]
packets = [r for r in recs if r.get("hdrlog.record") == "packet"]
if not 2 <= len(stats) <= 4:
    sys.exit(f"FAIL --stats-interval 1: {len(stats)} stats lines in ~2.6 s")
for a, b in zip(stats, stats[1:]):
    for k in ("hdrlog.stats.packets", "hdrlog.stats.events_received"):
        if b[k] < a[k]:
            sys.exit(f"FAIL --stats-interval: {k} went down: {a[k]} -> {b[k]}")
last = stats[-1]
before = sum(1 for r in recs[:recs.index(last)] if r.get("hdrlog.record") == "packet")
if last["hdrlog.stats.events_received"] != before:
    sys.exit(f"FAIL --stats-interval: events_received {last['hdrlog.stats.events_received']}, {before} packet lines before it")
if last["hdrlog.stats.lost.ringbuf_full"] or last["hdrlog.stats.lost.seq_missing"]:
    sys.exit(f"FAIL --stats-interval: losses reported: {last}")
print(f"ok   --stats-interval 1: {len(stats)} stats lines among {len(packets)} packets, counters add up")
EOF
fi

# SIGUSR1: one stats line now, without any interval.
ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all >"$tmp/usr1.out" 2>"$tmp/usr1.err" &
pid=$!; track_pid $pid
if attached usr1; then
	ping_b -c 2 -i 0.2
	sleep 0.3
	grep -q '"hdrlog.record":"stats"' "$tmp/usr1.out" && bad "SIGUSR1: stats line before the signal"
	kill -USR1 $pid
	wait_for "$tmp/usr1.out" 3 '"hdrlog.record":"stats"' || bad "SIGUSR1: no stats line"
	sleep 0.3
	n=$(grep -c '"hdrlog.record":"stats"' "$tmp/usr1.out")
	stop_pid $pid INT 10 || bad "SIGUSR1: exit $?"
	[ "$n" -eq 1 ] && json_ok "$tmp/usr1.out" &&
		grep '"hdrlog.record":"stats"' "$tmp/usr1.out" | grep -q '"hdrlog.stats.events_received":[1-9]' &&
		echo "ok   SIGUSR1: one stats line" || bad "SIGUSR1: $n stats lines: $(grep stats "$tmp/usr1.out")"
fi

# -w FILE: lines in FILE, none on stdout; after mv + SIGHUP a new FILE.
ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all -w "$tmp/log.json" >"$tmp/w.out" 2>"$tmp/w.err" &
pid=$!; track_pid $pid
if attached w; then
	ping_b -c 1 -e 1111
	wait_for "$tmp/log.json" 3 '"hdrlog.icmp.id":1111' || bad "-w: first ping not in the file"
	mv "$tmp/log.json" "$tmp/log.json.1"
	kill -HUP $pid
	for ((i = 0; i < 30; i++)); do [ -e "$tmp/log.json" ] && break; sleep 0.1; done
	ping_b -c 1 -e 2222
	wait_for "$tmp/log.json" 3 '"hdrlog.icmp.id":2222' || bad "-w: second ping not in the reopened file"
	stop_pid $pid INT 10 || bad "-w: exit $?"
	[ ! -s "$tmp/w.out" ] || bad "-w: lines on stdout too"
	grep -q '"hdrlog.icmp.id":2222' "$tmp/log.json.1" && bad "-w: lines after SIGHUP went to the old file"
	json_ok "$tmp/log.json" && json_ok "$tmp/log.json.1" &&
		echo "ok   -w: $(wc -l <"$tmp/log.json.1") + $(wc -l <"$tmp/log.json") lines across SIGHUP" || bad "-w: invalid JSON"
fi

# -o text: compare with tcpdump -n on the same interface at the same time.
ip netns exec "$NS_A" tcpdump -Z root --immediate-mode -U -n -i "$VETH_A" -w "$tmp/text.pcap" 2>"$tmp/td.err" &
tdpid=$!; track_pid $tdpid
wait_for "$tmp/td.err" 30 "listening on" || bad "tcpdump did not start"
ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all -o text >"$tmp/text.out" 2>"$tmp/text.err" &
pid=$!; track_pid $pid
if attached text; then
	timeout 10 ip netns exec "$NS_A" ncat -l --recv-only "$IP_A" 8080 >/dev/null &
	track_pid $!
	wait_listen tcp 8080 || bad "ncat listener"
	ping_b -c 2 -i 0.2 -e 4242
	echo hello | timeout 5 ip netns exec "$NS_B" ncat --send-only -p 40001 "$IP_A" 8080
	sleep 0.5
	stop_pid $pid INT 10 || bad "-o text: exit $?"
	stop_pid $tdpid INT 10
	ts='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z'
	grep -qE "$ts $VETH_A in [0-9a-f:]{17} > [0-9a-f:]{17} IP 198\.18\.0\.2 > 198\.18\.0\.1: icmp type 8 code 0 id 4242 seq 1 ttl 64 " "$tmp/text.out" ||
		bad "-o text: no ICMP echo request line like tcpdump's"
	grep -qE "$ts $VETH_A out .* IP 198\.18\.0\.1 > 198\.18\.0\.2: icmp type 0 code 0 id 4242 seq 2 ttl 64 " "$tmp/text.out" ||
		bad "-o text: no ICMP echo reply line"
	grep -qE "$ts $VETH_A in .* IP 198\.18\.0\.2\.40001 > 198\.18\.0\.1\.8080: tcp \[S\] seq [0-9]+ win [0-9]+ mss 1460" "$tmp/text.out" ||
		bad "-o text: no SYN line"
	grep -q '^{' "$tmp/text.out" && bad "-o text: JSON lines"
	# Endpoints, flags and the ack number (the seq for a SYN), as tcpdump
	# -n -S prints them for the same packets.
	tcpdump -n -S -r "$tmp/text.pcap" tcp 2>/dev/null |
		sed -nE 's/.* IP ([0-9.]+) > ([0-9.]+): Flags \[([^]]*)\],(.*)/\1 \2 \3 \4/p' |
		while read -r s d f rest; do
			a=$(grep -oE 'ack [0-9]+' <<<"$rest"); [ -n "$a" ] || a=$(grep -oE 'seq [0-9]+' <<<"$rest")
			echo "$s $d $f $a"
		done | sort >"$tmp/td.tcp"
	sed -nE 's/.* IP ([0-9.]+) > ([0-9.]+): tcp \[([^]]*)\](.*)/\1 \2 \3 \4/p' "$tmp/text.out" |
		while read -r s d f rest; do
			a=$(grep -oE 'ack [0-9]+' <<<"$rest"); [ -n "$a" ] || a=$(grep -oE 'seq [0-9]+' <<<"$rest")
			echo "$s $d $f $a"
		done | sort >"$tmp/hl.tcp"
	if [ -s "$tmp/td.tcp" ] && cmp -s "$tmp/td.tcp" "$tmp/hl.tcp"; then
		echo "ok   -o text: $(wc -l <"$tmp/text.out") lines; $(wc -l <"$tmp/hl.tcp") TCP lines agree with tcpdump -n -S (endpoints, flags, ack/seq)"
	else
		bad "-o text: TCP lines differ from tcpdump's:"; diff "$tmp/td.tcp" "$tmp/hl.tcp" | head -20
	fi
fi

# --direction in / out: one direction only.
for dir in in out; do
	rm -f "$tmp/dir.out" "$tmp/dir.err" # not the last round's "listening on"
	ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all --direction $dir >"$tmp/dir.out" 2>"$tmp/dir.err" &
	pid=$!; track_pid $pid
	attached dir || continue
	ping_b -c 2 -i 0.2
	sleep 0.3
	stop_pid $pid INT 10 || bad "--direction $dir: exit $?"
	[ $dir = in ] && want=receive other=transmit || { want=transmit other=receive; }
	if grep -q "\"network.io.direction\":\"$other\"" "$tmp/dir.out" ||
		[ "$(grep -c "\"network.io.direction\":\"$want\"" "$tmp/dir.out")" -lt 2 ]; then
		bad "--direction $dir: $(grep -c "\"$want\"" "$tmp/dir.out") $want, $(grep -c "\"$other\"" "$tmp/dir.out") $other"
	else
		echo "ok   --direction $dir: only $want"
	fi
done

exit $fail
