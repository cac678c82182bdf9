#!/usr/bin/env python3
"""Writes the benchmark's packet mix: a pcap of N frames (argv[2]) at
argv[1], cycling through TCP/UDP/ICMP over IPv4/IPv6, with and without a
VLAN tag. Addresses from 198.18.0.0/15 and fd00::/8. No traffic is sent."""
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(proto, vlan=None):
    dst, src = bytes.fromhex("020000000002"), bytes.fromhex("020000000001")
    if vlan is None:
        return dst + src + struct.pack("!H", proto)
    return dst + src + struct.pack("!HHH", 0x8100, vlan, proto)


def ipv4(proto, payload, i):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), i & 0xFFFF,
                      0x4000, 64, proto, 0, bytes([198, 18, 0, 1]),
                      bytes([198, 18, 0, 2]))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


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
        return eth(0x0800) + ipv4(6, tcp(i, True), i)
    if kind == 1:
        return eth(0x0800) + ipv4(6, tcp(i, False), i)
    if kind == 2:
        return eth(0x0800) + ipv4(17, udp(i), i)
    if kind == 3:
        return eth(0x0800) + ipv4(1, icmp(i), i)
    if kind == 4:
        return eth(0x86DD) + ipv6(6, tcp(i, False))
    if kind == 5:
        return eth(0x86DD) + ipv6(17, udp(i))
    if kind == 6:
        return eth(0x86DD) + ipv6(58, icmp(i, True))
    return eth(0x0800, vlan=100) + ipv4(6, tcp(i, False), i)


def main():
    path, count = sys.argv[1], int(sys.argv[2])
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(count):
            data = frame(i)
            ts = 1700000000 + i // 100000
            f.write(struct.pack("<IIII", ts, (i % 100000) * 10, len(data), len(data)))
            f.write(data)


if __name__ == "__main__":
    main()
