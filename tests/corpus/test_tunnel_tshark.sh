#!/usr/bin/env bash
# The corpus captures with tunnels (VXLAN, Geneve, GRE, IP in IP): every
# tunnel hdrlog -r opens must be the one tshark dissects, with the same
# VNI or key, outer addresses, inner addresses and ports; every VXLAN,
# Geneve or GRE (IP or Ethernet) tshark dissects must be opened. The
# kernel side is held equal by test_differential, which runs the same
# files through the programs.
set -eu
cd "${HDRLOG_ROOT:-$(dirname "$0")/../..}"
corpus=../shared/corpus/tcpdump-tests
command -v tshark >/dev/null || { echo "tshark missing (scripts/deps.sh)"; exit 1; }
[ -d "$corpus" ] || { echo "no corpus at $corpus"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

files=0 opened=0
for f in "$corpus"/*; do
	case $(basename "$f") in
	*vxlan*|*geneve*|*gre*|*ipip*|*sit*|*6in4*) ;;
	*) continue ;;
	esac
	./build/hdrlog -r "$f" --packets all >"$tmp/out.json" 2>"$tmp/err" || {
		echo "FAIL: hdrlog -r $f"; cat "$tmp/err"; exit 1; }
	python3 tests/lib/check_schema.py "$tmp/out.json" >/dev/null
	python3 tests/lib/tunnel_tshark.py "$f" "$tmp/out.json" | tee "$tmp/cmp"
	n=$(sed -n 's/.*: \([0-9]*\) tunnelled packets, \([0-9]*\) compared.*/\2/p' "$tmp/cmp")
	opened=$((opened + n)); files=$((files + 1))
done
# vxlan, vxlan_port_8472 (10 each), geneve (39), geneve-gcp and the 8
# gso-* files: 68 (the corpus has no GRE carrying IP that tshark reads)
[ "$opened" -ge 68 ] || { echo "FAIL: only $opened tunnelled packets compared"; exit 1; }
echo "PASS: $opened tunnelled packets in $files files as tshark dissects them"
