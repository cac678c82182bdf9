# Shared by the shell tests: two namespaces joined by a veth pair, with
# addresses from 198.18.0.0/15 and fd00::/8 only, removed on exit.
#   netns_setup   makes $NS_A (hdrlog side, veth $VETH_A) and $NS_B
#   veth_setup    (re)makes the veth pair, e.g. after a test deleted it
#   in_a CMD...   runs CMD in $NS_A; in_b likewise
#   wait_for, wait_listen, stop_pid, wait_exit, track_pid: bounded waits
#   bpf_objects_of, bpf_objects_gone, attachments_a: leftover checks
# Every name carries the test's PID so parallel runs do not collide.

require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: needs root (CAP_BPF, CAP_NET_ADMIN)"
		exit 77
	fi
}

NS_A=hdrlog-a-$$
NS_B=hdrlog-b-$$
VETH_A=hlA$$
VETH_B=hlB$$
IP_A=198.18.0.1
IP_B=198.18.0.2
IP6_A=fd00:4844::1
IP6_B=fd00:4844::2

# Background processes a test started (track_pid PID...) are stopped by
# netns_cleanup, so a failing test leaves nothing running.
TRACKED_PIDS=()
track_pid() { TRACKED_PIDS+=("$@"); }

netns_cleanup() {
	local p
	for p in "${TRACKED_PIDS[@]}"; do
		# still our child (not a reused pid of someone else's)?
		[ "$(ps -o ppid= -p "$p" 2>/dev/null | tr -d ' ')" = "$$" ] || continue
		kill -TERM "$p" 2>/dev/null && timeout 3 tail --pid="$p" -f /dev/null
		kill -KILL "$p" 2>/dev/null
	done
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	return 0
}

# A caller's EXIT trap stays (it calls netns_cleanup itself); without one,
# netns_cleanup becomes the trap.
netns_setup() {
	[ -n "$(trap -p EXIT)" ] || trap netns_cleanup EXIT
	ip netns add "$NS_A" && ip netns add "$NS_B" || return 1
	ip -n "$NS_A" link set lo up
	ip -n "$NS_B" link set lo up
	veth_setup
}

# (Re)creates the veth pair $VETH_A/$VETH_B between the namespaces, with
# their addresses, up.
veth_setup() {
	ip link add "$VETH_A" netns "$NS_A" type veth peer name "$VETH_B" netns "$NS_B" || return 1
	ip -n "$NS_A" addr add "$IP_A/24" dev "$VETH_A"
	ip -n "$NS_B" addr add "$IP_B/24" dev "$VETH_B"
	ip -n "$NS_A" addr add "$IP6_A/64" dev "$VETH_A" nodad
	ip -n "$NS_B" addr add "$IP6_B/64" dev "$VETH_B" nodad
	ip -n "$NS_A" link set "$VETH_A" up
	ip -n "$NS_B" link set "$VETH_B" up
}

in_a() { ip netns exec "$NS_A" "$@"; }
in_b() { ip netns exec "$NS_B" "$@"; }

# Waits up to $2 seconds (default 5) for file $1 to contain $3.
wait_for() {
	local file=$1 limit=${2:-5} pattern=$3 i
	for ((i = 0; i < limit * 10; i++)); do
		grep -q -- "$pattern" "$file" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# stop_pid PID [SIGNAL] [SECONDS]: sends SIGNAL (default INT) to PID, a
# child of this shell, waits at most SECONDS (default 10) and returns its
# exit status; 124 (after SIGKILL) when it did not exit in time.
stop_pid() {
	local pid=$1 sig=${2:-INT} limit=${3:-10} rc
	# in braces with stderr closed: no "Killed" job notice from bash
	{
		kill -"$sig" "$pid"
		if timeout "$limit" tail --pid="$pid" -f /dev/null; then
			wait "$pid"
			rc=$?
		else
			kill -KILL "$pid"
			wait "$pid"
			rc=124
		fi
	} 2>/dev/null
	[ $rc -ne 124 ] || echo "pid $pid still running ${limit}s after SIG$sig: killed it" >&2
	return $rc
}

# Waits up to $2 seconds (default 5) for process $1 to exit on its own;
# returns its exit status, or 124 (and kills it) when it did not.
wait_exit() {
	local pid=$1 limit=${2:-5}
	if ! timeout "$limit" tail --pid="$pid" -f /dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 124
	fi
	wait "$pid"
}

# Waits up to $3 seconds (default 5) until something listens on $2/tcp
# ($1 = tcp) or $2/udp ($1 = udp) in $NS_A.
wait_listen() {
	local proto=$1 port=$2 limit=${3:-5} flag i
	[ "$proto" = udp ] && flag=-Huln || flag=-Htln
	for ((i = 0; i < limit * 10; i++)); do
		ip netns exec "$NS_A" ss "$flag" "sport = :$port" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# Prints "prog ID" and "link ID" for every BPF program and link that
# process $1 holds (from /proc/PID/fdinfo), one per line.
bpf_objects_of() {
	cat /proc/"$1"/fdinfo/* 2>/dev/null |
		awk '$1 == "prog_id:" { print "prog", $2 }
		     $1 == "link_id:" { print "link", $2 }' | sort -u
}

# bpf_objects_gone FILE: waits up to 3 s until no program or link listed in
# FILE (bpf_objects_of's output) exists any more; prints those left, fails.
bpf_objects_gone() {
	local file=$1 kind id left i
	for ((i = 0; i < 30; i++)); do
		left=$(while read -r kind id; do
			bpftool "$kind" show id "$id" >/dev/null 2>&1 && echo "$kind $id"
		done <"$file")
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	echo "still loaded after exit:" $left
	return 1
}

# Prints what is attached to $VETH_A in $NS_A besides addresses: XDP
# (ip link), tc filters at ingress and egress, qdiscs other than the
# default noqueue. Empty output: nothing attached.
attachments_a() {
	ip -n "$NS_A" -d link show dev "$VETH_A" | grep -oE 'prog/xdp[a-z]* id [0-9]+|xdp[a-z]* id [0-9]+' | sed 's/^/xdp: /'
	tc -n "$NS_A" filter show dev "$VETH_A" ingress | sed 's/^/tc ingress: /'
	tc -n "$NS_A" filter show dev "$VETH_A" egress | sed 's/^/tc egress: /'
	tc -n "$NS_A" qdisc show dev "$VETH_A" | grep -v 'qdisc noqueue' | sed 's/^/qdisc: /'
}
