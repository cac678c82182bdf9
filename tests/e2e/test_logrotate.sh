#!/usr/bin/env bash
# dist/hdrlog.logrotate, run by logrotate on a state file of its own
# (logrotate -s STATE -f CONF) against a live hdrlog writing with -w: the
# file is moved, SIGHUP makes hdrlog open a new one (0640), the next
# rotation compresses the old one (delaycompress), and every ping is in
# exactly one of the files. Only what cannot be used here is changed in
# the snippet: the path, the service's user (su) and postrotate's
# systemctl (no systemd runs here: the test's own kill -HUP instead).
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
command -v logrotate >/dev/null || { echo "SKIP: logrotate missing (scripts/deps.sh)"; exit 77; }
bin=${HDRLOG_BIN:-./build/hdrlog}
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
netns_setup || { echo "FAIL: netns setup"; exit 1; }
fail=0
bad() { echo "FAIL: $*"; fail=1; }
mkdir -m 0750 "$tmp/log"

ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all -w "$tmp/log/hdrlog.json" 2>"$tmp/err" &
pid=$!
track_pid $pid
wait_for "$tmp/err" 30 "listening on" || { echo "FAIL: hdrlog did not start: $(cat "$tmp/err")"; exit 1; }
sed -e "s|^/var/log/hdrlog/\*.json|$tmp/log/*.json|" -e 's/^\tsu hdrlog hdrlog/\tsu root root/' \
	-e "s|^\t\tsystemctl kill .*|\t\tkill -HUP $pid|" dist/hdrlog.logrotate >"$tmp/hdrlog.conf"
grep -q "kill -HUP $pid" "$tmp/hdrlog.conf" || bad "postrotate line not found in the snippet"

ping_n() { timeout 10 ip netns exec "$NS_B" ping -n -q -c "$1" -i 0.01 -W 1 "$IP_A" >/dev/null; }
echoes() { grep -c '"hdrlog.icmp.type":8' "$@" 2>/dev/null | awk -F: '{ s += $NF } END { print s + 0 }'; }
ping_n 5; sleep 0.5
logrotate -s "$tmp/state" -f "$tmp/hdrlog.conf" || bad "logrotate failed"
[ -s "$tmp/log/hdrlog.json.1" ] || bad "no hdrlog.json.1 after the first rotation: $(ls "$tmp/log")"
for ((i = 0; i < 30; i++)); do [ -e "$tmp/log/hdrlog.json" ] && break; sleep 0.1; done
[ -e "$tmp/log/hdrlog.json" ] || bad "hdrlog did not reopen its file after SIGHUP"
[ "$(stat -c %a "$tmp/log/hdrlog.json" 2>/dev/null)" = 640 ] || bad "new file mode $(stat -c %a "$tmp/log/hdrlog.json" 2>/dev/null), want 640"
ping_n 7; sleep 0.5
logrotate -s "$tmp/state" -f "$tmp/hdrlog.conf" || bad "second logrotate failed"
sleep 0.3
ping_n 3; sleep 0.5
stop_pid $pid INT 10 || bad "hdrlog exit $?: $(cat "$tmp/err")"
ls -l "$tmp/log" | sed 's/^/    /'
[ -s "$tmp/log/hdrlog.json.2.gz" ] || bad "no hdrlog.json.2.gz: delaycompress compresses at the next rotation"
a=$(zcat "$tmp/log/hdrlog.json.2.gz" | echoes -) b=$(echoes "$tmp/log/hdrlog.json.1") c=$(echoes "$tmp/log/hdrlog.json")
echo "note echo requests per file: .2.gz $a, .1 $b, current $c"
[ "$a" -eq 5 ] && [ "$b" -eq 7 ] && [ "$c" -eq 3 ] || bad "want 5, 7, 3 echo requests"
[ $fail -eq 0 ] && echo ok
exit $fail
