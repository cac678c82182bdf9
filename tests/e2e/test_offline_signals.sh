#!/usr/bin/env bash
# Reading a capture, the signals mean what they mean live: SIGINT and
# SIGTERM stop the read, end the open flows, print the summary and leave
# only whole lines; SIGUSR1 writes a stats record and the read goes on.
# --stats-interval counts capture time. A progress line goes to stderr
# when it is a terminal, and only then. No root needed.
#
# hdrlog writes into a FIFO whose reader is slow until told otherwise, so
# that a signal finds the read in the middle of the file.
set -u
bin=${HDRLOG_BIN:-./build/hdrlog} # another build, to check that this test can fail
tmp=$(mktemp -d)
reader_pid=
trap '[ -n "$reader_pid" ] && kill $reader_pid 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL $*"; fail=1; }

# 100000 UDP frames 1 ms apart over 100 flows (198.18.0.2:40000-40099 ->
# 198.18.0.1:9999): the flows stay open (idle timeout 60 s).
python3 - "$tmp/big.pcap" <<'EOF'
import struct, sys
sys.path.insert(0, "tests/lib")
from pcapgen import eth, ipv4, write_pcap
def frame(i):
    payload = b"%07d" % i
    udp = struct.pack("!HHHH", 40000 + i % 100, 9999, 8 + len(payload), 0) + payload
    return eth(0x0800) + ipv4("198.18.0.2", "198.18.0.1", 17, udp, i)
write_pcap(sys.argv[1], (frame(i) for i in range(100000)),
           when=lambda i: (1700000000 + i // 1000, i % 1000 * 1000))
EOF
N=100000 FLOWS=100

# reader FIFO OUT GO: copies FIFO to OUT, 4 KiB every 20 ms until the file
# GO exists, then as fast as it can.
reader() {
	python3 - "$@" <<'EOF' &
import os, sys, time
fifo, out, go = sys.argv[1:4]
with open(fifo, "rb") as src, open(out, "wb") as dst:
    while True:
        slow = not os.path.exists(go)
        data = src.read1(4096 if slow else 1 << 20)
        if not data:
            break
        dst.write(data)
        if slow:
            time.sleep(0.02)
EOF
	reader_pid=$!
}

# run NAME SIGNAL: hdrlog -r on the big capture into the slow reader; the
# signal after 1 s, then the reader speeds up. Leaves NAME.out, NAME.err,
# NAME.rc.
run() {
	local name=$1 sig=$2 pid
	rm -f "$tmp/fifo" "$tmp/go"
	mkfifo "$tmp/fifo"
	reader "$tmp/fifo" "$tmp/$name.out" "$tmp/go"
	"$bin" -r "$tmp/big.pcap" --packets all --flows >"$tmp/fifo" 2>"$tmp/$name.err" &
	pid=$!
	sleep 1
	kill -"$sig" $pid
	sleep 0.3
	touch "$tmp/go"
	if timeout 30 tail --pid=$pid -f /dev/null; then
		wait $pid
		echo $? >"$tmp/$name.rc"
	else
		kill -KILL $pid
		echo 124 >"$tmp/$name.rc"
	fi
	timeout 30 tail --pid=$reader_pid -f /dev/null
	reader_pid=
}

# check NAME: every line whole and valid JSON; prints "packets flows
# stats last_kind first_flow_after_last_packet" as counted.
check() {
	python3 - "$tmp/$1.out" <<'EOF'
import json, sys
data = open(sys.argv[1], "rb").read()
if data and not data.endswith(b"\n"):
    sys.exit("the output ends in the middle of a line")
recs = [json.loads(l) for l in data.decode().splitlines()]
kinds = [r["hdrlog.record"] for r in recs]
last_packet = max((i for i, k in enumerate(kinds) if k == "packet"), default=-1)
flows_after = sum(1 for k in kinds[last_packet + 1:] if k == "flow")
print(kinds.count("packet"), kinds.count("flow"), kinds.count("stats"), flows_after)
EOF
}

for sig in INT TERM; do
	run sig$sig $sig
	rc=$(cat "$tmp/sig$sig.rc")
	read -r packets flows stats after < <(check sig$sig) || { bad "SIG$sig: $(check sig$sig 2>&1 | tail -1)"; continue; }
	summary=$(grep -E '^hdrlog: [0-9]+ packets seen' "$tmp/sig$sig.err")
	if [ "$rc" -ne 0 ]; then
		bad "SIG$sig: exit $rc: $(cat "$tmp/sig$sig.err")"
	elif ! grep -q "stopped by SIG$sig" <<<"$summary"; then
		bad "SIG$sig: the summary does not say so: $summary"
	elif [ "$packets" -ge $N ] || [ "$packets" -lt 1 ]; then
		bad "SIG$sig: $packets of $N packet records: the read was not interrupted"
	elif [ "$flows" -ne $FLOWS ] || [ "$after" -ne $FLOWS ] ||
	     ! grep -q ", $FLOWS flows ($FLOWS records," <<<"$summary"; then
		bad "SIG$sig: $flows flow records ($after after the last packet), want the $FLOWS open flows ended: $summary"
	else
		echo "ok   SIG$sig: stopped after $packets of $N packets, exit 0, the $FLOWS open flows ended, whole lines only, summary: ${summary:0:60}..."
	fi
done

# SIGUSR1: one stats record now, stamped with the capture's time; the
# read goes on to the end.
run usr1 USR1
rc=$(cat "$tmp/usr1.rc")
read -r packets flows stats after < <(check usr1)
python3 - "$tmp/usr1.out" $N <<'EOF' || fail=1
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
n = int(sys.argv[2])
stats = [i for i, r in enumerate(recs) if r["hdrlog.record"] == "stats"]
pkts = [r for r in recs if r["hdrlog.record"] == "packet"]
if len(stats) != 1:
    sys.exit(f"FAIL SIGUSR1: {len(stats)} stats records, want 1")
s = recs[stats[0]]
before = sum(1 for r in recs[:stats[0]] if r["hdrlog.record"] == "packet")
if not 0 < before < n or len(pkts) != n:
    sys.exit(f"FAIL SIGUSR1: stats after {before} packets, {len(pkts)} of {n} read")
if s["hdrlog.stats.packets"] != before:
    sys.exit(f"FAIL SIGUSR1: hdrlog.stats.packets {s['hdrlog.stats.packets']}, {before} packets before it")
if not pkts[0]["timestamp"] <= s["timestamp"] <= pkts[-1]["timestamp"]:
    sys.exit(f"FAIL SIGUSR1: stats at {s['timestamp']}, not in the capture's time")
print(f"ok   SIGUSR1: one stats record after {before} packets, at capture time {s['timestamp']}; all {n} read")
EOF
[ "$rc" -eq 0 ] || bad "SIGUSR1: exit $rc"
grep -q 'stopped by' "$tmp/usr1.err" && bad "SIGUSR1 stopped the run: $(cat "$tmp/usr1.err")"

# --stats-interval 2 on 11 packets one second apart: records at capture
# times +2, +4 ... +10 s, each before the packet of its second, counting
# the packets before it; none of this depends on how fast the file reads.
python3 tests/lib/udp_pcap.py "$tmp/slow.pcap" 11
"$bin" -r "$tmp/slow.pcap" --packets all --stats-interval 2 >"$tmp/iv.out" 2>"$tmp/iv.err" ||
	bad "--stats-interval: exit $?: $(cat "$tmp/iv.err")"
python3 - "$tmp/iv.out" <<'EOF' || fail=1
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
got = [(r["timestamp"][:19], r["hdrlog.stats.packets"]) for r in recs
       if r["hdrlog.record"] == "stats"]
want = [("2023-11-14T22:13:%02d" % (20 + 2 * k), 2 * k) for k in range(1, 6)]
if got != want:
    sys.exit(f"FAIL --stats-interval 2: stats records {got}, want {want}")
print(f"ok   --stats-interval 2 from a file: {len(got)} records at capture times +2..+10 s")
EOF

# The progress line: on a terminal, for a read that takes more than a
# second (the slow reader makes it take 2), then erased before the
# summary; not at all when stderr is a file.
rm -f "$tmp/fifo" "$tmp/go"
mkfifo "$tmp/fifo"
reader "$tmp/fifo" "$tmp/progress.out" "$tmp/go"
(sleep 2; touch "$tmp/go") &
python3 - "$bin" "$tmp/big.pcap" "$tmp/fifo" <<'EOF' || fail=1
import os, pty, re, subprocess, sys
bin, cap, fifo = sys.argv[1:4]
master, slave = pty.openpty()
p = subprocess.Popen([bin, "-r", cap, "--packets", "all"],
                     stdout=open(fifo, "wb"), stderr=slave)
os.close(slave)
err = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:
        break
    if not chunk:
        break
    err += chunk
rc = p.wait()
text = err.decode(errors="replace")
line = re.search(r"\rhdrlog: \S*big\.pcap: \d+ packets, [\d.]+ MB of [\d.]+ MB \(\d+%\), \d+ packets/s", text)
if rc != 0 or not line or "\r\x1b[K" not in text or not re.search(r"\x1b\[K\r?\n?hdrlog: 100000 packets seen", text.replace("\r\x1b[K", "\x1b[K")):
    sys.exit(f"FAIL progress: exit {rc}, stderr {text!r}")
print(f"ok   progress on a terminal: {line.group(0)[1:]!r}, erased before the summary")
EOF
timeout 30 tail --pid=$reader_pid -f /dev/null
reader_pid=
"$bin" -r "$tmp/big.pcap" >/dev/null 2>"$tmp/plain.err"
grep -q $'\r' "$tmp/plain.err" && bad "progress line on a stderr that is no terminal"

exit $fail
