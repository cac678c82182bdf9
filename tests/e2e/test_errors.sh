#!/usr/bin/env bash
# Bad input ends with exit status 2 and one clear message naming what was
# wrong: unknown interface, bad option values, unreadable, foreign or
# truncated captures, -r with -i. --help and --version exit 0. No root
# needed: nothing here loads a BPF program.
set -u
bin=${HDRLOG_BIN:-./build/hdrlog} # another build, to check that this test can fail
corpus=../shared/corpus/tcpdump-tests
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# expect NAME CODE REGEX CMD...: CMD exits with CODE and its stderr matches
# the extended REGEX (empty: not checked). Stdout stays in $tmp/out.
expect() {
	local name=$1 want=$2 re=$3 rc
	shift 3
	timeout 20 "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne "$want" ]; then
		echo "FAIL $name: exit $rc, want $want"; sed 's/^/    /' "$tmp/err" | head -10
		fail=1
	elif [ -n "$re" ] && ! grep -qE -- "$re" "$tmp/err"; then
		echo "FAIL $name: stderr does not match /$re/:"; sed 's/^/    /' "$tmp/err" | head -10
		fail=1
	else
		echo "ok   $name: exit $rc${re:+, \"$(grep -m1 -E -- "$re" "$tmp/err")\"}"
	fi
}

# Option values (before anything is opened).
expect "unknown interface" 2 "no interface named 'nosuchif0'" $bin -i nosuchif0
expect "-c 0" 2 "invalid count '0'" $bin -c 0
expect "-c abc" 2 "invalid count 'abc'" $bin -c abc
expect "-c -1" 2 "invalid count '-1'" $bin -c -1
expect "-c overflow" 2 "invalid count" $bin -c 99999999999999999999999
expect "--hook foo" 2 "invalid --hook 'foo'" $bin --hook foo
expect "--direction x" 2 "invalid --direction 'x'" $bin --direction x
expect "--tc-mode y" 2 "invalid --tc-mode 'y'" $bin --tc-mode y
expect "-o yaml" 2 "invalid --output 'yaml'" $bin -o yaml
expect "--api-fold 0" 2 "invalid --api-fold '0' \\(1-1000\\)" $bin --api-fold 0
expect "--api-max-routes x" 2 "invalid --api-max-routes 'x'" $bin --api-max-routes x
expect "--openapi missing" 2 "--openapi /nonexistent.yaml: No such file or directory" \
	$bin -r /dev/null --openapi /nonexistent.yaml
expect "17 --openapi" 2 "at most 16 --openapi files" $bin $(for i in $(seq 17); do echo --openapi x.yaml; done)
expect "--anomaly-window 0" 2 "invalid anomaly window '0'" $bin --anomaly-window 0
expect "--sweep-hosts 5000" 2 "invalid --sweep-hosts '5000' \(2-1024\)" $bin --sweep-hosts 5000
expect "--ttl-jump 256" 2 "invalid --ttl-jump '256'" $bin --ttl-jump 256
expect "--alertmanager-url ftp://" 2 "invalid --alertmanager-url 'ftp://x'" $bin -r $corpus/dns_tcp.pcap --alertmanager-url ftp://x
expect "--stats-interval 0" 2 "invalid stats interval '0'" $bin --stats-interval 0
expect "9 -r" 2 "at most 8 -r captures" $bin $(for i in $(seq 9); do echo -r x.pcap; done)
expect "-r NAME=" 2 "-r a= names no file" $bin -r a=
expect "-r twice one name" 2 "two captures named dns_tcp.pcap" \
	$bin -r $corpus/dns_tcp.pcap -r $corpus/dns_tcp.pcap
expect "--path-max 0" 2 "invalid path limit '0'" $bin --path-max 0
expect "--paths --only-failed" 2 "--paths joins every connection" $bin -r /dev/null --paths --only-failed
expect "--ringbuf-size 1000" 2 "invalid ring buffer size '1000'.*power of two" $bin --ringbuf-size 1000
expect "--ringbuf-size 6000" 2 "invalid ring buffer size '6000'" $bin --ringbuf-size 6000
expect "--handshake-timeout -1" 2 "invalid handshake timeout '-1' \\(0-86400 s\\)" $bin --handshake-timeout -1
expect "--handshake-timeout 1e9" 2 "invalid handshake timeout '1e9'" $bin --handshake-timeout 1e9
expect "--idle-timeout 0" 2 "invalid idle timeout '0'" $bin --idle-timeout 0
expect "unknown option" 2 "unknown option '--no-such-option'" $bin --no-such-option
expect "missing argument" 2 "option '-c' needs a value" $bin -c
expect "stray argument (a bad filter expression)" 2 "filter: unknown or unsupported word" $bin -r "$corpus/dns_tcp.pcap" extra
expect "-r with -i" 2 "-r and -i exclude each other" $bin -r "$corpus/dns_tcp.pcap" -i lo
expect "unwritable -w" 2 "cannot open /proc/nonexistent/x" $bin -r "$corpus/dns_tcp.pcap" -w /proc/nonexistent/x
expect "full disk" 1 "cannot write to /dev/full: No space left on device" $bin -r "$corpus/dns_tcp.pcap" -w /dev/full

# --help and --version: exit 0, on stdout.
expect "--help" 0 "" $bin --help
grep -q '^Usage: hdrlog' "$tmp/out" && grep -q -- '--hook tc|xdp' "$tmp/out" || { echo "FAIL: --help text"; fail=1; }
expect "-h" 0 "" $bin -h
expect "--version" 0 "" $bin --version
grep -qE '^hdrlog [0-9]+\.[0-9]+\.[0-9]+' "$tmp/out" || { echo "FAIL: --version text: $(cat "$tmp/out")"; fail=1; }

# Captures that cannot be read.
expect "missing pcap" 2 "cannot read $tmp/nothing.pcap" $bin -r "$tmp/nothing.pcap"
printf 'this is a text file, not a capture\n' >"$tmp/text.pcap"
expect "text file" 2 "cannot read $tmp/text.pcap: .*(format|magic)" $bin -r "$tmp/text.pcap"
: >"$tmp/empty.pcap"
expect "empty file" 2 "cannot read $tmp/empty.pcap" $bin -r "$tmp/empty.pcap"
expect "directory" 2 "$tmp" $bin -r "$tmp"
[ ! -s "$tmp/out" ] || { echo "FAIL: output from an unreadable capture"; fail=1; }

# A capture with a header and no packet is fine: no line, exit 0.
head -c 24 "$corpus/dns_tcp.pcap" >"$tmp/header-only.pcap"
expect "header-only pcap" 0 "" $bin -r "$tmp/header-only.pcap"
[ ! -s "$tmp/out" ] || { echo "FAIL: lines from a capture without packets"; fail=1; }

# Truncated captures: cut inside packet 6's data, and inside its record
# header. The 5 packets before the cut are printed (as tcpdump prints
# them), then exit 2 naming the file.
# pcap_offsets FILE: prints "start_of_record data_start" per packet.
pcap_offsets() {
	python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
e = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
off = 24
while off + 16 <= len(d):
    incl = struct.unpack(e + "I", d[off + 8:off + 12])[0]
    print(off, off + 16, incl)
    off += 16 + incl
EOF
}
src=$corpus/dns_tcp.pcap
mapfile -t recs < <(pcap_offsets "$src")
[ ${#recs[@]} -ge 8 ] || { echo "FAIL: $src has ${#recs[@]} packets, want 8+"; exit 1; }
read -r rec6 data6 len6 <<<"${recs[5]}"
head -c $((data6 + len6 / 2)) "$src" >"$tmp/cut-data.pcap"
head -c $((rec6 + 10)) "$src" >"$tmp/cut-header.pcap"
for cut in cut-data cut-header; do
	expect "truncated pcap ($cut)" 2 "$cut.pcap.*(truncated|after 5 packets)" $bin --packets all -r "$tmp/$cut.pcap"
	n=$(wc -l <"$tmp/out")
	td=$(tcpdump -n -r "$tmp/$cut.pcap" 2>/dev/null | wc -l)
	python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/out" ||
		{ echo "FAIL: $cut: invalid JSON before the cut"; fail=1; }
	if [ "$n" -ne 5 ] || [ "$td" -ne 5 ]; then
		echo "FAIL $cut: $n lines before the cut (tcpdump: $td), want 5"; fail=1
	fi
	# -c stopping before the cut is a clean run.
	expect "truncated pcap ($cut) -c 5" 0 "" $bin --packets all -r "$tmp/$cut.pcap" -c 5
	[ "$(wc -l <"$tmp/out")" -eq 5 ] || { echo "FAIL: -c 5 on $cut"; fail=1; }
done

# -c N: exactly N lines, offline (live in test_live_options.sh).
expect "-c 5 offline" 0 "" $bin --packets all -r "$src" -c 5
[ "$(wc -l <"$tmp/out")" -eq 5 ] || { echo "FAIL: -c 5 printed $(wc -l <"$tmp/out") lines"; fail=1; }
expect "-c 1000 offline (more than the file)" 0 "" $bin --packets all -r "$src" -c 1000
[ "$(wc -l <"$tmp/out")" -eq ${#recs[@]} ] || { echo "FAIL: -c 1000 printed $(wc -l <"$tmp/out") lines"; fail=1; }

# flow records by default; -c live counts packet records, so needs some
expect "default: flow records" 0 "" $bin -r "$src"
grep -q '"hdrlog.record":"flow"' "$tmp/out" && ! grep -q '"hdrlog.record":"packet"' "$tmp/out" ||
	{ echo "FAIL: the default output is not flow records only"; fail=1; }
expect "-c live without packet records" 2 "-c counts packet records" $bin -i lo -c 5

# tcpdump's habits: -n, -nn (never any name resolution) and -l (each line
# at once) are accepted; an unknown short option is named, not argv[0].
expect "-nn" 0 "" $bin -nn --packets all -r "$src"
[ "$(wc -l <"$tmp/out")" -eq ${#recs[@]} ] || { echo "FAIL: -nn changed the output"; fail=1; }
expect "-n -l" 0 "" $bin -n -l --packets all -r "$src"
[ "$(wc -l <"$tmp/out")" -eq ${#recs[@]} ] || { echo "FAIL: -n -l changed the output"; fail=1; }
expect "-x" 2 "^hdrlog: unknown option '-x'$" $bin -x
expect "-nx" 2 "^hdrlog: unknown option '-x'$" $bin -nx
expect "-w without a value" 2 "option '-w' needs a value" $bin -r "$src" -w
expect "--user without a value" 2 "option '--user' needs a value" $bin --user
expect "--redact-param ''" 2 "--redact-param needs a name" $bin --redact-param ''

# -w never writes through a symbolic link planted where the log goes;
# it makes files 0640 (umask 022 here); -w - is stdout.
echo "precious" >"$tmp/target"
ln -s "$tmp/target" "$tmp/planted.json"
expect "-w to a symbolic link" 2 "planted.json is a symbolic link" $bin -r "$src" -w "$tmp/planted.json"
[ "$(cat "$tmp/target")" = precious ] || { echo "FAIL: written through the link"; fail=1; }
(umask 022 && expect "-w makes 0640" 0 "" $bin -r "$src" -w "$tmp/new.json"
 [ "$(stat -c %a "$tmp/new.json")" = 640 ] || { echo "FAIL: -w made mode $(stat -c %a "$tmp/new.json")"; exit 1; }) || fail=1
expect "-w /dev/stdout (a link of the kernel's, followed)" 0 "" $bin -r "$src" -w /dev/stdout
[ -s "$tmp/out" ] || { echo "FAIL: -w /dev/stdout wrote nothing"; fail=1; }
expect "-w -" 0 "" $bin -r "$src" -w -
[ -s "$tmp/out" ] && [ ! -e ./- ] || { echo "FAIL: -w - did not write to stdout"; fail=1; }
exit $fail
