#!/usr/bin/env python3
"""Writes the benchmark's packet mix: a pcap of N frames (argv[2]) at
argv[1], cycling through TCP/UDP/ICMP over IPv4/IPv6, with and without a
VLAN tag; with argv[3] "http", an HTTP exchange instead: a request head,
a response head announcing a 100000-byte body, a segment of that body;
with argv[3] "tunnel", the same mix (untagged) inside tunnels: VXLAN
(even frames) and GRE with a key (odd ones), over IPv4.
Addresses from 198.18.0.0/15 and fd00::/8. No traffic is sent."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lib"))
from pcapgen import eth, ipv4, write_pcap  # noqa: E402


def ipv4_mix(proto, payload, i):
    return ipv4("198.18.0.1", "198.18.0.2", proto, payload, i)


def ipv6(nexthdr, payload):
    src = bytes.fromhex("fd000000000000000000000000000001")
    dst = bytes.fromhex("fd000000000000000000000000000002")
    return struct.pack("!IHBB", 0x60000000, len(payload), nexthdr, 64) + src + dst + payload


def tcp(i, syn):
    opts = struct.pack("!BBH", 2, 4, 1460) + b"\x01\x03\x03\x07" + \
        b"\x01\x01\x08\x0a" + struct.pack("!II", i, 0) if syn else \
        b"\x01\x01\x08\x0a" + struct.pack("!II", i, i)
    doff = (20 + len(opts)) // 4
    flags = 0x02 if syn else 0x18
    payload = b"" if syn else b"x" * 100
    return struct.pack("!HHIIBBHHH", 40000 + i % 1000, 80, i, 0 if syn else 1,
                       doff << 4, flags, 64240, 0, 0) + opts + payload


def udp(i):
    payload = b"q" * 40
    return struct.pack("!HHHH", 50000 + i % 1000, 53, 8 + len(payload), 0) + payload


def icmp(i, v6=False):
    return struct.pack("!BBHHH", 128 if v6 else 8, 0, 0, 7, i & 0xFFFF) + b"p" * 56


def frame(i):
    kind = i % 8
    if kind == 0:
        return eth(0x0800) + ipv4_mix(6, tcp(i, True), i)
    if kind == 1:
        return eth(0x0800) + ipv4_mix(6, tcp(i, False), i)
    if kind == 2:
        return eth(0x0800) + ipv4_mix(17, udp(i), i)
    if kind == 3:
        return eth(0x0800) + ipv4_mix(1, icmp(i), i)
    if kind == 4:
        return eth(0x86DD) + ipv6(6, tcp(i, False))
    if kind == 5:
        return eth(0x86DD) + ipv6(17, udp(i))
    if kind == 6:
        return eth(0x86DD) + ipv6(58, icmp(i, True))
    return eth(0x0800, vlan=100) + ipv4_mix(6, tcp(i, False), i)


def http_frame(i):
    req = b"GET /index.html HTTP/1.1\r\nHost: 198.18.0.2\r\nUser-Agent: bench/1.0\r\nAccept: */*\r\n\r\n"
    resp = b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n"
    back = i % 3 != 0
    payload = req if i % 3 == 0 else resp + b"b" * 1000 if i % 3 == 1 else b"b" * 1400
    seq = 1 if i % 3 == 0 else 1 + (0 if i % 3 == 1 else len(resp) + 1000)
    hdr = struct.pack("!HHIIBBHHH", 80 if back else 40000, 40000 if back else 80, seq, 1,
                      5 << 4, 0x18, 64240, 0, 0)
    src, dst = ("198.18.0.2", "198.18.0.1") if back else ("198.18.0.1", "198.18.0.2")
    return eth(0x0800) + ipv4(src, dst, 6, hdr + payload, i)


def tunnel_frame(i):
    inner = frame(i if i % 8 != 7 else i - 6)  # no inner VLAN tag
    if i % 2 == 0:
        vx = struct.pack("!B3xI", 0x08, 4242 << 8) + inner
        outer = struct.pack("!HHHH", 51000 + i % 1000, 4789, 8 + len(vx), 0) + vx
        return eth(0x0800) + ipv4("198.18.0.3", "198.18.0.4", 17, outer, i)
    gre = struct.pack("!HHI", 0x2000, struct.unpack("!H", inner[12:14])[0], 77) + inner[14:]
    return eth(0x0800) + ipv4("198.18.0.3", "198.18.0.4", 47, gre, i)


def main():
    path, count = sys.argv[1], int(sys.argv[2])
    frame_of = {"http": http_frame, "tunnel": tunnel_frame}.get(
        (sys.argv[3:] or [""])[0], frame)
    write_pcap(path, (frame_of(i) for i in range(count)),
               when=lambda i: (1700000000 + i // 100000, (i % 100000) * 10))


if __name__ == "__main__":
    main()
