#!/usr/bin/env bash
# Without the capabilities, hdrlog names the ones it needs and exits 1;
# reading a capture file needs none.
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp ./build/hdrlog "$tmp/hdrlog" && chmod 755 "$tmp" "$tmp/hdrlog"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }

as_nobody "$tmp/hdrlog" -i lo --packets all -c 1 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -ne 1 ] || ! grep -q "CAP_BPF" "$tmp/err"; then
	echo "FAIL: unprivileged live run: exit $rc"; cat "$tmp/err"; exit 1
fi
echo "ok   unprivileged live: $(head -n 1 "$tmp/err")"

cp ../shared/corpus/tcpdump-tests/dns_tcp.pcap "$tmp/" && chmod 644 "$tmp/dns_tcp.pcap"
as_nobody "$tmp/hdrlog" --packets all -r "$tmp/dns_tcp.pcap" >"$tmp/out" 2>"$tmp/err" ||
	{ echo "FAIL: unprivileged offline run"; cat "$tmp/err"; exit 1; }
[ -s "$tmp/out" ] || { echo "FAIL: no output offline"; exit 1; }
echo "ok   unprivileged offline: $(wc -l <"$tmp/out") lines"

# ---- least privilege after attaching --------------------------------------
# Started as root with --user, or as a user with just CAP_BPF, CAP_NET_ADMIN
# and CAP_PERFMON, hdrlog loads and attaches, then every thread runs with
# only what the rest needs: nothing with tcx links, CAP_NET_ADMIN with
# clsact filters to remove. It still logs, and what it writes is the user's.
. "$(dirname "$0")/../lib/netns.sh"
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
netns_setup || { echo "FAIL: netns setup"; exit 1; }
fail=0
bad() { echo "FAIL $case: $*"; fail=1; }
mkdir -m 0755 "$tmp/logs" && chown 65534:65534 "$tmp/logs"
CAP_NET_ADMIN_MASK=0000000000001000

# One line per thread of PID: name uid(real,eff,saved,fs) CapEff CapPrm CapBnd CapAmb NoNewPrivs.
creds_of() {
	local t
	for t in /proc/"$1"/task/*; do
		awk '/^Name:/ { n = $2 } /^Uid:/ { u = $2 "," $3 "," $4 "," $5 }
			/^CapEff:/ { e = $2 } /^CapPrm:/ { p = $2 } /^CapBnd:/ { b = $2 }
			/^CapAmb:/ { a = $2 } /^NoNewPrivs:/ { s = $2 }
			END { print n, "uid=" u, "eff=" e, "prm=" p, "bnd=" b, "amb=" a, "nnp=" s }' "$t/status"
	done
}

# run_case NAME WANT_EFF WANT_UID -- COMMAND...: starts COMMAND (which
# prints its credentials before exec'ing hdrlog) in $NS_A, checks every
# thread after attaching, that it logs, and that it stops cleanly.
run_case() {
	local want_eff=$2 want_uid=$3 pid line
	case=$1; shift 4
	rm -f "$tmp/logs/out.json" "$tmp/err"
	echo "icmp or udp" >"$tmp/filter" && chmod 644 "$tmp/filter"
	ip netns exec "$NS_A" "$@" -i "$VETH_A" --packets all -w "$tmp/logs/out.json" \
		--metrics-addr 127.0.0.1:19464 --filter-file "$tmp/filter" 2>"$tmp/err" &
	pid=$!
	track_pid $pid
	if ! wait_for "$tmp/err" 10 "privileges dropped"; then
		bad "no drop: $(cat "$tmp/err")"; stop_pid $pid KILL 5; return
	fi
	echo "note $case, $(grep '^before' "$tmp/err")"
	echo "note $case, after:"
	creds_of $pid | sed 's/^/    /' | tee "$tmp/creds"
	[ "$(wc -l <"$tmp/creds")" -ge 2 ] || bad "the metrics server thread is missing"
	while read -r line; do
		[[ $line == *" uid=$want_uid,$want_uid,$want_uid,$want_uid "* ]] || bad "uid: $line"
		[[ $line == *" eff=$want_eff prm=$want_eff "* ]] || bad "capabilities: $line (want $want_eff)"
		[[ $line == *" amb=0000000000000000 nnp=1" ]] || bad "ambient or no_new_privs: $line"
	done <"$tmp/creds"
	grep "privileges dropped" "$tmp/err" | sed 's/^/    /'
	timeout 5 ip netns exec "$NS_B" ping -n -q -c 2 -i 0.2 -W 2 "$IP_A" >/dev/null
	wait_for "$tmp/logs/out.json" 5 '"hdrlog.icmp.type":8' || bad "no ICMP echo logged after the drop"
	ip netns exec "$NS_A" curl -s -m 3 http://127.0.0.1:19464/metrics | grep -q hdrlog_ ||
		bad "/metrics does not answer"
	[ "$(stat -c '%u %a' "$tmp/logs/out.json")" = "$want_uid 640" ] ||
		bad "-w file: owner and mode $(stat -c '%u %a' "$tmp/logs/out.json"), want $want_uid 640"
	# SIGHUP after logrotate moved the file: the user makes the new one,
	# and the new filter goes into the running programs
	mv "$tmp/logs/out.json" "$tmp/logs/out.json.1"
	echo "icmp" >"$tmp/filter"
	kill -HUP $pid
	for ((i = 0; i < 30; i++)); do [ -e "$tmp/logs/out.json" ] && break; sleep 0.1; done
	[ -e "$tmp/logs/out.json" ] || bad "no new file after SIGHUP: $(cat "$tmp/err")"
	wait_for "$tmp/err" 3 "filter reloaded from" || bad "the filter swap failed after the drop: $(cat "$tmp/err")"
	timeout 5 ip netns exec "$NS_B" ping -n -q -c 1 -W 2 "$IP_A" >/dev/null
	wait_for "$tmp/logs/out.json" 5 '"hdrlog.icmp.type":8' || bad "nothing logged after the swap"
	stop_pid $pid INT 10 || bad "exit $?: $(cat "$tmp/err")"
	grep -q ' 0 lost ' "$tmp/err" || bad "no summary: $(cat "$tmp/err")"
	[ -z "$(attachments_a | grep -E 'bpf|hdrlog')" ] || bad "left attached: $(attachments_a)"
	[ $fail -eq 0 ] && echo "ok   $case"
}
# what the process has just before it becomes hdrlog
show='echo "before: uid $(id -u) CapEff $(awk "/^CapEff/ {print \$2}" /proc/self/status)" >&2; exec "$@"'
caps=-all,+bpf,+net_admin,+perfmon

run_case "root, --user nobody, tcx" 0000000000000000 65534 -- \
	sh -c "$show" sh "$tmp/hdrlog" --user nobody --tc-mode tcx
run_case "root, --user nobody, netlink" $CAP_NET_ADMIN_MASK 65534 -- \
	sh -c "$show" sh "$tmp/hdrlog" --user nobody --tc-mode netlink
run_case "nobody with three capabilities, tcx" 0000000000000000 65534 -- \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=$caps --ambient-caps=$caps \
	sh -c "$show" sh "$tmp/hdrlog" --tc-mode tcx
run_case "nobody with three capabilities, netlink" $CAP_NET_ADMIN_MASK 65534 -- \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=$caps --ambient-caps=$caps \
	sh -c "$show" sh "$tmp/hdrlog" --tc-mode netlink

case="--user with no such user"
ip netns exec "$NS_A" "$tmp/hdrlog" -i "$VETH_A" --user hdrlog-no-such-user >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q "no user named 'hdrlog-no-such-user'" "$tmp/err" || bad "exit $rc: $(cat "$tmp/err")"
[ -z "$(attachments_a | grep -E 'bpf|hdrlog')" ] || bad "left attached: $(attachments_a)"
case="--user as nobody without CAP_SETUID"
ip netns exec "$NS_A" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=$caps --ambient-caps=$caps \
	"$tmp/hdrlog" -i "$VETH_A" --user root >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -q "cannot switch to user root" "$tmp/err" || bad "exit $rc: $(cat "$tmp/err")"
[ $fail -eq 0 ] && echo ok
exit $fail
