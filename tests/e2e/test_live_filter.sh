#!/usr/bin/env bash
# Kernel-side selection with real traffic between two namespaces:
#  'icmp and src host B'     exactly B's echo requests, nothing else; the
#                            filter counters add up to the packets seen
#  a port set (4+ ports)     exactly the UDP datagrams to those ports
#  --filter-file + SIGHUP    ten swaps under a ping flood: every ICMP
#                            packet logged once, no sequence gap, no ring
#                            buffer drop; the last swap takes effect; a bad
#                            file keeps the old filter
#  --sample 4 --sample-mode flow
#                            whole flows kept or skipped, counters add up
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
for tool in ncat python3; do
	command -v $tool >/dev/null || { echo "SKIP: $tool missing"; exit 77; }
done
bin=${HDRLOG_BIN:-./build/hdrlog}
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
netns_setup || { echo "FAIL: netns setup"; exit 1; }
fail=0
bad() { echo "FAIL $*"; fail=1; }
attached() { wait_for "$tmp/$1.err" 30 "listening on" || { bad "$1: did not attach: $(cat "$tmp/$1.err")"; return 1; }; }
# udp_to PORT...: one datagram from B to A per port
udp_to() {
	local p
	for p in "$@"; do
		echo "hdrlog $p" | timeout 2 ip netns exec "$NS_B" ncat -u --send-only "$IP_A" "$p"
	done
}
# count FILE PYTHON-CONDITION: records of FILE for which the condition on r holds
count() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
n = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("hdrlog.record") == "packet" and eval(sys.argv[2]):
        n += 1
print(n)
EOF
}
summary_field() { sed -n "s/.*$2 \([0-9]*\).*/\1/p" "$1" | tail -n 1; }

# 1. an expression live: only B's echo requests.
ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all "icmp and src host $IP_B" >"$tmp/expr.out" 2>"$tmp/expr.err" &
pid=$!; track_pid $pid
if attached expr; then
	timeout 10 ip netns exec "$NS_B" ping -n -q -c 5 -i 0.1 -W 2 "$IP_A" >/dev/null
	udp_to 9 10
	timeout 10 ip netns exec "$NS_B" ping -6 -n -q -c 2 -i 0.1 -W 2 "$IP6_A" >/dev/null
	stop_pid $pid INT 10 || bad "expression: exit $?"
	total=$(wc -l <"$tmp/expr.out")
	req=$(count "$tmp/expr.out" 'r.get("source.address") == "'$IP_B'" and r.get("hdrlog.icmp.type") == 8')
	seen=$(sed -n 's/^hdrlog: \([0-9]*\) packets seen.*/\1/p' "$tmp/expr.err")
	matched=$(summary_field "$tmp/expr.err" "filter matched")
	notm=$(summary_field "$tmp/expr.err" "not matched")
	if [ "$total" -eq 5 ] && [ "$req" -eq 5 ] && [ "$matched" -eq 5 ] &&
	   [ $((matched + notm)) -eq "$seen" ] && [ "$seen" -gt 15 ]; then
		echo "ok   'icmp and src host $IP_B': 5 of $seen packets logged, all echo requests from B; matched $matched + not matched $notm = seen"
	else
		bad "expression: $total lines, $req echo requests from B; $(tail -n 1 "$tmp/expr.err")"
	fi
fi

# 2. a port set in the kernel: dst ports 7001-7004 of 7000-7005.
ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all --direction in \
	'udp and (dst port 7001 or 7002 or 7003 or 7004)' >"$tmp/set.out" 2>"$tmp/set.err" &
pid=$!; track_pid $pid
if attached set; then
	udp_to 7000 7001 7002 7003 7004 7005
	sleep 0.3
	stop_pid $pid INT 10 || bad "port set: exit $?"
	ports=$(python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["destination.port"]) for l in open(sys.argv[1])))' "$tmp/set.out")
	[ "$ports" = "7001 7002 7003 7004" ] && echo "ok   port set: logged dst ports $ports of 7000-7005" ||
		bad "port set: logged dst ports '$ports', want 7001-7004; $(tail -n 1 "$tmp/set.err")"
fi

# 3. --filter-file, swapped ten times by SIGHUP under a ping flood.
echo "icmp # echo only" >"$tmp/rules"
ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all --filter-file "$tmp/rules" >"$tmp/swap.out" 2>"$tmp/swap.err" &
pid=$!; track_pid $pid
if attached swap; then
	timeout 30 ip netns exec "$NS_B" ping -n -q -c 600 -i 0.01 -W 2 "$IP_A" >"$tmp/ping.txt" &
	ping_pid=$!; track_pid $ping_pid
	for i in 1 2 3 4 5 6 7 8 9 10; do
		if [ $((i % 2)) -eq 1 ]; then echo "icmp or (udp and port 5353)"; else echo "ip and icmp"; fi >"$tmp/rules"
		kill -HUP $pid
		sleep 0.3
	done
	wait $ping_pid
	reloads=$(grep -c "filter reloaded" "$tmp/swap.err")
	# the filter is "ip and icmp" now: udp to 7777 is not logged ...
	udp_to 7777
	echo "udp port 7777 or icmp" >"$tmp/rules"
	kill -HUP $pid
	wait_for "$tmp/swap.err" 5 "reloaded.*" && sleep 0.2
	# ... and after the last swap it is, twice
	udp_to 7777 7777
	# a bad file keeps the filter that runs
	echo "udp port seventy" >"$tmp/rules"
	kill -HUP $pid
	wait_for "$tmp/swap.err" 5 "keeping the previous filter" || bad "bad filter file: no message"
	udp_to 7777
	sleep 0.3
	stop_pid $pid INT 10 || bad "filter file: exit $?"
	icmp=$(count "$tmp/swap.out" 'r.get("hdrlog.icmp.type") in (0, 8)')
	u7777=$(count "$tmp/swap.out" 'r.get("destination.port") == 7777')
	sent=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' "$tmp/ping.txt")
	want=$(( ${sent% *} + ${sent#* } ))
	lost=$(sed -n 's/.* \([0-9]*\) lost (.*/\1/p' "$tmp/swap.err")
	if [ "$reloads" -eq 10 ] && [ "$icmp" -eq "$want" ] && [ "$u7777" -eq 3 ] && [ "$lost" = 0 ]; then
		echo "ok   --filter-file: 11 swaps under a ping flood, $icmp ICMP records of $want echo packets, 0 lost; the last swap selected 3 of 4 datagrams to 7777; a bad file kept the filter"
	else
		bad "--filter-file: $reloads reloads, $icmp ICMP records of $want, $u7777 datagrams to 7777 (want 3), lost '$lost': $(tail -n 3 "$tmp/swap.err")"
	fi
fi

# 4. --sample 4 --sample-mode flow: 64 UDP flows (one per source port) of
# two datagrams, each flow all in or all out, logged + sampled out =
# matched. (All 64 flows out: a chance of (3/4)^64, about 1e-8.)
ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all --direction in --sample 4 --sample-mode flow \
	'udp dst port 7100' >"$tmp/sample.out" 2>"$tmp/sample.err" &
pid=$!; track_pid $pid
if attached sample; then
	for sp in $(seq 40001 40064); do
		for k in 1 2; do
			echo "flow $sp" | timeout 2 ip netns exec "$NS_B" ncat -u --send-only -p $sp "$IP_A" 7100
		done
	done
	sleep 0.3
	stop_pid $pid INT 10 || bad "sample: exit $?"
	python3 - "$tmp/sample.out" "$tmp/sample.err" <<'EOF' || fail=1
import collections, json, re, sys
flows = collections.Counter(json.loads(l)["source.port"] for l in open(sys.argv[1]))
summary = open(sys.argv[2]).read()
matched = int(re.search(r"filter matched (\d+)", summary).group(1))
out = int(re.search(r"sampled out (\d+)", summary).group(1))
logged = sum(flows.values())
if any(n != 2 for n in flows.values()):
    sys.exit(f"FAIL --sample-mode flow: a flow split: {dict(flows)}")
if matched != 128 or logged + out != matched or len(flows) in (0, 64):
    sys.exit(f"FAIL --sample 4: {len(flows)} flows kept, {logged} logged + {out} sampled out, matched {matched} (want 128)")
print(f"ok   --sample 4 --sample-mode flow: {len(flows)} of 64 flows kept whole, {logged} logged + {out} sampled out = {matched} matched")
EOF
fi

# 5. the filter comes before flow accounting: with --flows 'udp', pings
# and a TCP connection make no flow, the datagrams do.
ip netns exec "$NS_A" "$bin" -i "$VETH_A" --flows 'udp' >"$tmp/flows.out" 2>"$tmp/flows.err" &
pid=$!; track_pid $pid
if attached flows; then
	timeout 10 ip netns exec "$NS_B" ping -n -q -c 3 -i 0.1 -W 2 "$IP_A" >/dev/null
	timeout 3 ip netns exec "$NS_B" ncat -z "$IP_A" 7200 2>/dev/null
	udp_to 7300 7301
	sleep 0.3
	stop_pid $pid INT 10 || bad "flows: exit $?"
	got=$(python3 -c 'import json,sys; print(" ".join(sorted("%s/%s" % (r.get("network.transport"), r.get("destination.port")) for r in map(json.loads, open(sys.argv[1])) if r["hdrlog.record"] == "flow")))' "$tmp/flows.out")
	[ "$got" = "udp/7300 udp/7301" ] && echo "ok   --flows 'udp': flow records $got only; ICMP and TCP were filtered before the flow table" ||
		bad "--flows 'udp': flow records '$got'; $(tail -n 1 "$tmp/flows.err")"
fi

python3 tests/lib/check_schema.py "$tmp"/*.out || bad "schema"
exit $fail
