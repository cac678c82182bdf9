#!/usr/bin/env python3
"""Seed corpora for the fuzzers, made from capture files.

    seeds.py packet OUTDIR FILE...   one seed per frame, for fuzz_packet:
                                     a selector byte (fuzz_packet.c's
                                     links[] index) then the frame
    seeds.py pcap OUTDIR FILE...     the capture files under 64 KB as they are

A tiny pcap/pcapng reader (stdlib only): classic pcap in both byte orders
and both time resolutions; pcapng section, interface, enhanced and simple
packet blocks. Malformed files are skipped where they go wrong: the corpus
is full of them on purpose.
"""
import hashlib
import os
import random
import shutil
import struct
import sys

# Link types as stored in files (LINKTYPE_*) -> index in fuzz_packet's links[]
# (DLT_EN10MB, DLT_NULL, DLT_LOOP, DLT_RAW, DLT_LINUX_SLL, DLT_LINUX_SLL2,
# DLT_IPV6, DLT_IPV4).
SELECTOR = {1: 0, 0: 1, 108: 2, 101: 3, 12: 3, 14: 3, 113: 4, 276: 5,
            229: 6, 228: 7}
PER_FILE = 4        # frames kept per capture
MAX_SEEDS = 800     # in all
MAX_FRAME = 1600    # fuzz_packet's -max_len less the selector byte
MAX_PCAP = 64 * 1024


def pcap_frames(buf):
    """Yields (linktype, frame) from a classic pcap file."""
    magic = buf[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        e = '<'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        e = '>'
    else:
        return
    if len(buf) < 24:
        return
    linktype = struct.unpack(e + 'I', buf[20:24])[0] & 0xffff
    off = 24
    while off + 16 <= len(buf):
        caplen = struct.unpack(e + 'I', buf[off + 8:off + 12])[0]
        off += 16
        if caplen > len(buf) - off:
            return
        yield linktype, buf[off:off + caplen]
        off += caplen


def pcapng_frames(buf):
    """Yields (linktype, frame) from a pcapng file."""
    e, links, off = '<', [], 0
    while off + 12 <= len(buf):
        btype = struct.unpack(e + 'I', buf[off:off + 4])[0]
        if btype == 0x0A0D0D0A:  # section header: byte order, new interfaces
            bom = buf[off + 8:off + 12]
            e = '<' if bom == b'\x4d\x3c\x2b\x1a' else '>'
            links = []
        blen = struct.unpack(e + 'I', buf[off + 4:off + 8])[0]
        if blen < 12 or blen % 4 or off + blen > len(buf):
            return
        body = buf[off + 8:off + blen - 4]
        if btype == 1 and len(body) >= 2:  # interface description
            links.append(struct.unpack(e + 'H', body[:2])[0])
        elif btype == 6 and len(body) >= 20:  # enhanced packet
            ifid, _, _, caplen = struct.unpack(e + 'IIII', body[:16])
            if ifid < len(links) and caplen <= len(body) - 20:
                yield links[ifid], body[20:20 + caplen]
        elif btype == 3 and len(body) >= 4 and links:  # simple packet
            yield links[0], body[4:]
        off += blen


def frames(path):
    with open(path, 'rb') as f:
        buf = f.read()
    if buf[:4] == b'\x0a\x0d\x0d\x0a':
        return pcapng_frames(buf)
    return pcap_frames(buf)


def write_seed(outdir, data):
    name = hashlib.sha1(data).hexdigest()
    path = os.path.join(outdir, name)
    if os.path.exists(path):
        return False
    with open(path, 'wb') as f:
        f.write(data)
    return True


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ('packet', 'pcap'):
        sys.exit(__doc__)
    kind, outdir, paths = sys.argv[1], sys.argv[2], sorted(sys.argv[3:])
    os.makedirs(outdir, exist_ok=True)
    n = 0
    candidates = []  # (selector, seed): up to PER_FILE frames of each file
    for path in paths:
        if kind == 'pcap':
            if os.path.getsize(path) <= MAX_PCAP:
                shutil.copyfile(path, os.path.join(outdir,
                                                   os.path.basename(path)))
                n += 1
            continue
        kept = 0
        try:
            for linktype, frame in frames(path):
                sel = SELECTOR.get(linktype)
                if sel is None or kept == PER_FILE:
                    break
                candidates.append((sel, bytes([sel]) + frame[:MAX_FRAME]))
                kept += 1
        except (struct.error, OSError):
            pass
    # Every frame of the rarer link types, then a fixed sample of Ethernet.
    rare = [c for c in candidates if c[0] != 0]
    eth = [c for c in candidates if c[0] == 0]
    random.Random(0).shuffle(eth)
    for _, seed in (rare + eth)[:MAX_SEEDS]:
        n += write_seed(outdir, seed)
    print(f'{n} {kind} seeds in {outdir}')


if __name__ == '__main__':
    main()
