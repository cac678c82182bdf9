#!/usr/bin/env bash
# -w FILE rotation: --rotate-size, --retain, --compress offline on a capture
# the test writes (no line lost or repeated across the files, the oldest
# ones pruned, rotated files gzip-compressed), --rotate-interval live on a
# veth, and the clear errors for a bad path, a full disk and rotation
# options without -w.
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
bin=${HDRLOG_BIN:-./build/hdrlog}
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
tmp=$(mktemp -d)
trap 'netns_cleanup; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

python3 tests/lib/udp_pcap.py "$tmp/udp.pcap" 3000 || fail "writing the capture"
"$bin" -r "$tmp/udp.pcap" >"$tmp/all.json" 2>"$tmp/all.err" || fail "plain run: $(cat "$tmp/all.err")"
[ "$(wc -l <"$tmp/all.json")" -eq 3000 ] || fail "plain run wrote $(wc -l <"$tmp/all.json") lines"

# --rotate-size 64k --retain 3: three rotated files and the current one,
# together the last lines of the run, each rotated one just past 64 KiB.
mkdir "$tmp/r"
"$bin" -r "$tmp/udp.pcap" -w "$tmp/r/log.json" --rotate-size 64k --retain 3 2>"$tmp/r.err" ||
	fail "rotating run: $(cat "$tmp/r.err")"
mapfile -t rotated < <(ls "$tmp/r" | grep -E '^log\.json\.[0-9]{8}T[0-9]{6}\.[0-9]{9}Z$' | sort)
[ "${#rotated[@]}" -eq 3 ] || fail "--retain 3 left ${#rotated[@]} rotated files: $(ls "$tmp/r")"
[ "$(ls "$tmp/r" | wc -l)" -eq 4 ] || fail "unexpected files: $(ls "$tmp/r")"
for f in "${rotated[@]}"; do
	size=$(stat -c %s "$tmp/r/$f")
	[ "$size" -ge 65536 ] && [ "$size" -lt $((65536 + 2000)) ] || fail "$f has $size bytes"
done
(cd "$tmp/r" && cat "${rotated[@]}" log.json) >"$tmp/r.cat"
kept=$(wc -l <"$tmp/r.cat")
tail -n "$kept" "$tmp/all.json" | cmp -s - "$tmp/r.cat" || fail "rotated files are not the run's last $kept lines"
echo "ok   --rotate-size 64k --retain 3: 3 rotated + current hold the last $kept lines"

# --compress, all kept: every rotated file gzip'd, all together the whole run.
mkdir "$tmp/z"
"$bin" -r "$tmp/udp.pcap" -w "$tmp/z/log.json" --rotate-size 64k --compress 2>"$tmp/z.err" ||
	fail "compressing run: $(cat "$tmp/z.err")"
n=$(ls "$tmp/z" | grep -cE '^log\.json\.[0-9T.]+Z\.gz$')
[ "$n" -ge 5 ] || fail "only $n compressed files: $(ls "$tmp/z")"
[ "$(ls "$tmp/z" | wc -l)" -eq $((n + 1)) ] || fail "uncompressed or temporary files left: $(ls "$tmp/z")"
(cd "$tmp/z" && for f in $(ls | grep '\.gz$' | sort); do gzip -dc "$f"; done; cat log.json) >"$tmp/z.cat"
cmp -s "$tmp/all.json" "$tmp/z.cat" || fail "compressed files + current differ from the plain run"
echo "ok   --compress: $n gzip files + current = the whole run"

# Errors: clear, and the right exit codes.
"$bin" -r "$tmp/udp.pcap" --rotate-size 64k >/dev/null 2>"$tmp/e1"
[ $? -eq 2 ] && grep -q -- "need -w FILE" "$tmp/e1" || fail "rotation without -w: $(cat "$tmp/e1")"
"$bin" -r "$tmp/udp.pcap" -w "$tmp/r/log.json" --rotate-size 12 >/dev/null 2>"$tmp/e2"
[ $? -eq 2 ] && grep -q "invalid rotate size" "$tmp/e2" || fail "tiny rotate size: $(cat "$tmp/e2")"
"$bin" -r "$tmp/udp.pcap" -w "$tmp/no/such/dir/log.json" 2>"$tmp/e3"
[ $? -eq 2 ] && grep -q "cannot open $tmp/no/such/dir/log.json for writing: No such file or directory" "$tmp/e3" ||
	fail "unwritable path: $(cat "$tmp/e3")"
"$bin" -r "$tmp/udp.pcap" -w /dev/full --rotate-size 64k 2>"$tmp/e4"
[ $? -eq 1 ] && grep -q "No space left on device" "$tmp/e4" || fail "full disk: $(cat "$tmp/e4")"
# A rotation that fails (the rotated name would pass NAME_MAX): said once,
# counted, retried after another full size, no line lost.
long=$(printf 'L%.0s' $(seq 240))
mkdir "$tmp/f"
"$bin" -r "$tmp/udp.pcap" -w "$tmp/f/$long" --rotate-size 256k 2>"$tmp/e5" || fail "failing rotation: exit $?"
[ "$(grep -c "cannot rotate" "$tmp/e5")" -eq 1 ] && grep -q "File name too long" "$tmp/e5" ||
	fail "failing rotation not said once: $(cat "$tmp/e5")"
grep -qE ', [1-9] failed rotations' "$tmp/e5" || fail "failed rotations not counted: $(cat "$tmp/e5")"
cmp -s "$tmp/all.json" "$tmp/f/$long" || fail "lines lost when rotation failed"
echo "ok   errors: no -w, bad size, unwritable path (exit 2), full disk (exit 1), failed rotation counted"

# --rotate-interval 1, live: about one new file a second while pings flow.
netns_setup || fail "netns setup"
mkdir "$tmp/i"
ip netns exec "$NS_A" "$bin" -i "$VETH_A" --packets all -w "$tmp/i/log.json" --rotate-interval 1 2>"$tmp/i.err" &
pid=$!
track_pid $pid
wait_for "$tmp/i.err" 30 "listening on" || fail "hdrlog did not attach: $(cat "$tmp/i.err")"
timeout 10 ip netns exec "$NS_B" ping -n -q -c 16 -i 0.2 -W 2 "$IP_A" >/dev/null || fail "ping"
stop_pid $pid INT 10 || fail "hdrlog exit $? after SIGINT: $(cat "$tmp/i.err")"
n=$(ls "$tmp/i" | grep -cE '^log\.json\.[0-9T.]+Z$')
[ "$n" -ge 2 ] && [ "$n" -le 5 ] || fail "$n rotated files in about 3 s: $(ls "$tmp/i")"
lines=$(cat "$tmp/i"/log.json* | grep -c '"hdrlog.icmp.type":8')
[ "$lines" -eq 16 ] || fail "$lines echo requests across the files, want 16"
python3 tests/lib/check_schema.py "$tmp"/i/log.json* >/dev/null || fail "schema"
echo "ok   --rotate-interval 1: $n rotated files, all 16 pings in them"
echo "PASS"
