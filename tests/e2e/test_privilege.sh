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
