#!/usr/bin/env bash
# build/hdrlog -r on corpus files chosen for their header shapes: every JSON
# line valid by docs/schema.md (tests/lib/check_schema.py), the shapes
# actually seen, and -o text writing one line per packet too.
set -u
cd "$(dirname "$0")/../.." || exit 1
corpus=../shared/corpus/tcpdump-tests
bin=build/hdrlog

if [ ! -x "$bin" ]; then
	echo "$bin is missing: run 'make'"
	exit 1
fi
if [ ! -d "$corpus" ]; then
	echo "no corpus at $corpus"
	exit 77
fi

# QinQ and ARP; SSH with SACK and timestamps; IPv6 routing header; IPv6
# fragment; IPv4 errors; Linux cooked capture (direction); jumbogram and
# ICMPv6 echo; truncation; IPv4 options and the reserved bit; pcapng.
files=(802.1ad_QinQ.pcap ssh.pcap ipv6-srh-ipproto-ether.pcap
	ipv6_frag6_negative_len.pcap kday1.pcap icmp-cksum-oobr-1.pcap
	ipv6_jumbogram_1.pcap ipv4_invalid_length.pcap ip6_frag_asan.pcap
	pim_header_asan-3.pcap bgp-orf.pcapng)
# what these files hold between them: the checks below must see each
want=('"hdrlog.vlan"' '"hdrlog.arp.sender_ip"' '"hdrlog.tcp.sack"'
	'"hdrlog.tcp.tsval"' '"hdrlog.ip.ext"' '"hdrlog.ip.frag_id"'
	'"network.io.direction"' '"hdrlog.icmp.id"' '"hdrlog.truncated"'
	'"hdrlog.error"' '"network.type":"ipv6"')

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
for f in "${files[@]}"; do
	path=$corpus/$f
	if [ ! -f "$path" ]; then
		echo "missing $path"
		fail=1
		continue
	fi
	n=$((n + 1))
	if ! "$bin" --packets all -r "$path" -o json >"$tmp/$f.json" 2>"$tmp/$f.err"; then
		echo "FAIL $f: -o json exited $?"
		cat "$tmp/$f.err"
		fail=1
	fi
	if ! "$bin" --packets all -r "$path" -o text >"$tmp/$f.txt" 2>>"$tmp/$f.err"; then
		echo "FAIL $f: -o text exited $?"
		fail=1
	fi
	json=$(wc -l <"$tmp/$f.json")
	text=$(wc -l <"$tmp/$f.txt")
	if [ "$json" -eq 0 ] || [ "$json" -ne "$text" ]; then
		echo "FAIL $f: $json JSON lines, $text text lines"
		fail=1
	fi
	# text lines start with the same timestamp as JSON
	if grep -qvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z ' "$tmp/$f.txt"; then
		echo "FAIL $f: text line without a leading timestamp:"
		grep -vE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z ' "$tmp/$f.txt" | head -n 3
		fail=1
	fi
	echo "$f: $json packets"
done

python3 tests/lib/check_schema.py "$tmp"/*.json || fail=1
for key in "${want[@]}"; do
	if ! cat "$tmp"/*.json | grep -qF -- "$key"; then
		echo "FAIL: no record has $key"
		fail=1
	fi
done
# a check_schema.py that accepts anything would pass the above: feed it a
# broken line and a good one
good=$(head -n 1 "$tmp/ssh.pcap.json" 2>/dev/null)
printf '%s\n' "$good" "${good/\"hdrlog.record\":\"packet\"/\"hdrlog.record\":\"packet\",\"source.port\":70000}" \
	>"$tmp/broken.jsonl"
if python3 tests/lib/check_schema.py "$tmp/broken.jsonl" >"$tmp/broken.log"; then
	echo "FAIL: check_schema.py accepted a broken line"
	fail=1
elif ! grep -q 'broken.jsonl:2: ' "$tmp/broken.log" || grep -q 'broken.jsonl:1: ' "$tmp/broken.log"; then
	echo "FAIL: check_schema.py blamed the wrong line:"
	cat "$tmp/broken.log"
	fail=1
fi
echo "$n files"
exit $fail
