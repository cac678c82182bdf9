#!/usr/bin/env bash
# Loss-free rate, live: small UDP packets from trafgen over a veth pair,
# offered in increasing steps, captured on the receiving veth by one tool at
# a time, the same traffic for each:
#   hdrlog           per-packet JSON to /dev/null
#   tcpdump text     tcpdump -nn -e -v to /dev/null
#   tcpdump -w       tcpdump -w /dev/null
# A step is loss-free for a tool when its own drop counters are zero and it
# saw every packet the veth delivered (rx_packets delta):
#   hdrlog:  "lost" and "sequence gaps" of its summary, "packets seen"
#   tcpdump: "packets dropped by kernel", "packets received by filter"
# The sender is pinned to CPU 0 (it also runs the receive softirq, so the
# kernel side of each tool slows it down); the tool runs on CPU 1. Rates
# are offered with trafgen -b; what was delivered is measured from the veth
# counters, since one sender core cannot always keep up.
# Environment: STEPS (offered pps, ascending), SECS per step (default 3),
# TOOLS (a subset of the three), HDRLOG (the binary, default build/hdrlog).
# Needs root. Namespaces, veth and processes are removed on exit.
set -u
cd "$(dirname "$0")/.."
. tests/lib/netns.sh
. bench/lib.sh
require_root
need_tools trafgen tcpdump

STEPS=${STEPS:-"20000 50000 100000 150000 200000 250000 300000"}
SECS=${SECS:-3}
# SHARED=1: two sender threads, one per CPU, and the tool not pinned, so
# that it competes with the traffic for the two CPUs
if [ "${SHARED:-0}" = 1 ]; then SENDERS=2; pin=; else SENDERS=1; pin="taskset -c 1"; fi
bench_setup
# no IPv6 chatter (router solicitations, MLD) on the link under test
in_a sysctl -qw net.ipv6.conf.all.disable_ipv6=1
in_b sysctl -qw net.ipv6.conf.all.disable_ipv6=1

mac_a=$(in_a cat /sys/class/net/"$VETH_A"/address)
mac_b=$(in_b cat /sys/class/net/"$VETH_B"/address)
# 60-byte frames (64 on the wire with FCS): Ethernet + IPv4 + UDP + 18 bytes
cat >"$tmp/udp.cfg" <<EOF
{ eth(da=$mac_a, sa=$mac_b), ipv4(saddr=$IP_B, daddr=$IP_A, ttl=64), udp(sp=40000, dp=9), fill(0x41, 18) }
EOF
rx_a() { in_a cat /sys/class/net/"$VETH_A"/statistics/rx_packets; }
now_ns() { date +%s%N; }

# start_tool NAME: starts the capture tool on CPU 1 in $NS_A, stderr to
# $tmp/NAME.err; sets $tool_pid. Fails when it does not listen within 10 s.
start_tool() {
	local name=$1
	case $name in
	hdrlog) ip netns exec "$NS_A" $pin "$HDRLOG" -i "$VETH_A" --packets all \
			>/dev/null 2>"$tmp/$name.err" & ;;
	tcpdump-text) ip netns exec "$NS_A" $pin tcpdump -i "$VETH_A" \
			-nn -e -v >/dev/null 2>"$tmp/$name.err" & ;;
	tcpdump-w) ip netns exec "$NS_A" $pin tcpdump -i "$VETH_A" \
			-w /dev/null 2>"$tmp/$name.err" & ;;
	esac
	tool_pid=$!
	track_pid "$tool_pid"
	wait_for "$tmp/$name.err" 30 "listening on" || {
		echo "$name did not start:"; cat "$tmp/$name.err"; return 1; }
}

# loss_of NAME DELIVERED: after the tool exited, prints "SEEN LOST" from
# its own counters; LOST includes packets it did not see at all. For
# hdrlog also what it read from the interface itself ("IFACE NOT_SEEN":
# its own count of the packets it never saw).
loss_of() {
	local name=$1 delivered=$2 err=$tmp/$1.err
	case $name in
	hdrlog) hdrlog_summary "$err" | awk -v d="$delivered" '{
			# a ring buffer drop is also a sequence gap: count it once
			miss = d > $1 ? d - $1 : 0
			print $1, ($3 > $4 ? $3 : $4) + miss, $5, $6; found = 1 }
		END { if (!found) print "? ? ? ?" }' ;;
	*) awk -v d="$delivered" '
			/packets received by filter/ { recv = $1 }
			/packets dropped by kernel/ { drop = $1; found = 1 }
			END { if (!found) { print "? ?"; exit }
			      miss = d > recv ? d - recv : 0
			      print recv, drop + miss }' "$err" ;;
	esac
}

# run_step TOOL RATE: one step; sets $result to
# "DELIVERED ACHIEVED_PPS SEEN LOST" (not a subshell: the tool stays our
# child, so the EXIT trap can stop it)
run_step() {
	local tool=$1 rate=$2 n rx0 rx1 t0 t1 limit
	start_tool "$tool" || return 1
	n=$((rate * SECS))
	limit=$((SECS * 3 + 5))
	rx0=$(rx_a)
	t0=$(now_ns)
	# -P: sender threads (CPU 0, or CPU 0 and 1), -Q: leave IRQ affinity alone,
	# --no-sock-mem: leave the socket memory sysctls alone
	timeout "$limit" ip netns exec "$NS_B" trafgen -o "$VETH_B" \
		-i "$tmp/udp.cfg" -n "$n" -b "${rate}pps" -P "$SENDERS" -Q --no-sock-mem \
		-C >"$tmp/trafgen.out" 2>&1
	t1=$(now_ns)
	rx1=$(rx_a)
	sleep 1 # let the tool drain its buffer before it is stopped
	warn_if_gone "$tool_pid"
	stop_pid "$tool_pid" INT 10
	local delivered=$((rx1 - rx0))
	result="$delivered $(awk -v d="$delivered" -v a="$t0" -v b="$t1" \
		'BEGIN { printf "%.0f", d / ((b - a) / 1e9) }') $(loss_of "$tool" "$delivered")"
}

tools=${TOOLS:-"hdrlog tcpdump-text tcpdump-w"}
declare -A best best_ach fails
for tool in $tools; do best[$tool]=0; best_ach[$tool]=0; fails[$tool]=0; done
top_step=${STEPS##* }

echo "offered for ${SECS}s per step; delivered = rx_packets delta on the receiving veth"
best_seen="none loss-free"
printf '%-13s %9s %10s %11s %10s %10s\n' tool offered delivered "rate(pps)" seen lost
for rate in $STEPS; do
	for tool in $tools; do
		# two lossy steps in a row: higher steps are not worth the time
		[ "${fails[$tool]}" -ge 2 ] && continue
		run_step "$tool" "$rate" || exit 1
		read -r delivered ach seen lost iface notseen <<<"$result"
		printf '%-13s %9s %10s %11s %10s %10s %s\n' "$tool" "$rate" \
			"$delivered" "$ach" "$seen" "$lost" \
			"${iface:+iface $iface, not seen $notseen}"
		if [ "$lost" = 0 ]; then
			best[$tool]=$rate
			best_ach[$tool]=$ach
			[ "$tool" = hdrlog ] && best_seen="$seen of $delivered delivered (hdrlog's own reading of the veth: $iface, $notseen not seen)"
			fails[$tool]=0
		else
			fails[$tool]=$((fails[$tool] + 1))
			# the tool's own words on a lossy step
			grep -E 'packets (seen|dropped|received)' "$tmp/$tool.err" |
				sed 's/^/    /'
		fi
	done
done

echo
printf '%-13s %22s %22s\n' tool "loss-free up to (pps)" "delivered then (pps)"
for tool in $tools; do
	b=${best[$tool]}
	# loss-free at the top step: the limit is the sender, not the tool
	[ "$b" = "$top_step" ] && b=">=$b"
	printf '%-13s %22s %22s\n' "$tool" "$b" "${best_ach[$tool]}"
done
ratio() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }
hb=${best[hdrlog]}
[ "$hb" = "$top_step" ] && hb=">=$hb"
echo "summary: hdrlog loss-free up to $hb pps offered (${best_ach[hdrlog]} delivered)" \
	"= $(ratio "${best_ach[hdrlog]}" "${best_ach[tcpdump-text]:-}")x tcpdump text," \
	"$(ratio "${best_ach[hdrlog]}" "${best_ach[tcpdump-w]:-}")x tcpdump -w (delivered rates);" \
	"packets seen at that step: $best_seen"
