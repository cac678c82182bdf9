#!/usr/bin/env bash
# Loss is said while it happens: with a ring buffer of one page, floods
# of pings (up to 5, until one does) make the kernel drop events, and a
# warning is on stderr while hdrlog still runs (not only in the summary).
# A second flood within 10 s adds no second warning (rate-limited); after
# 10 s without loss one line says it stopped.
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
bin=${HDRLOG_BIN:-./build/hdrlog}
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
netns_setup || { echo "FAIL: netns setup"; exit 1; }
fail=0
bad() { echo "FAIL: $*"; fail=1; }
flood() { timeout 10 ip netns exec "$NS_B" ping -n -q -f -c 2000 -W 1 "$IP_A" >/dev/null; }

ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all --ringbuf-size 4096 >/dev/null 2>"$tmp/err" &
pid=$!
track_pid $pid
wait_for "$tmp/err" 30 "listening on" || { echo "FAIL: did not attach: $(cat "$tmp/err")"; exit 1; }
# a fast agent may keep up with one flood: up to 5, until the kernel drops
for ((i = 0; i < 5; i++)); do
	flood
	wait_for "$tmp/err" 3 "losing events" && break
done
grep -q "losing events" "$tmp/err" || bad "no warning while losing: $(cat "$tmp/err")"
kill -0 $pid 2>/dev/null || bad "hdrlog is not running any more"
grep "losing events" "$tmp/err" | sed 's/^/    /'
flood
sleep 1.5
[ "$(grep -c "losing events" "$tmp/err")" -eq 1 ] || bad "more than one warning within 10 s: $(cat "$tmp/err")"
wait_for "$tmp/err" 14 "no event lost for 10 s" || bad "no line when the loss stopped"
grep "no event lost" "$tmp/err" | sed 's/^/    /'
stop_pid $pid INT 10
lost=$(sed -n 's/.* \([0-9]*\) lost (ringbuf full \([0-9]*\).*/\2/p' "$tmp/err")
said=$(sed -n 's/.*no event lost for 10 s (\([0-9]*\) in all).*/\1/p' "$tmp/err")
echo "note summary: ringbuf full $lost; the warnings said $said"
[ -n "$lost" ] && [ "$lost" = "$said" ] || bad "the warnings' total ($said) is not the summary's ($lost)"
[ $fail -eq 0 ] && echo ok
exit $fail
