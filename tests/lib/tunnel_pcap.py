#!/usr/bin/env python3
"""Writes a crafted capture of every tunnel hdrlog opens, and of the ones
it must not: GRE with key, sequence number and checksum, GRE carrying
Ethernet (gretap) and IPv6, GRE over IPv6, IPIP, SIT (6in4), IPv6 in
IPv6, IPv4 in IPv6, Geneve with options, VXLAN over IPv6, VXLAN in
VXLAN (one level opened), a VXLAN header without its I flag, GRE
version 1 (PPTP), and each tunnel frame cut at a few lengths.

    tunnel_pcap.py OUT.pcap
Nothing here sends traffic."""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import eth, ipv4, write_pcap  # noqa: E402


def ip6(a):
    """fd00::/8 addresses as bytes, from 'fd00:23::1' forms."""
    import ipaddress
    return ipaddress.IPv6Address(a).packed


def ipv6(src, dst, nh, payload):
    return struct.pack('!IHBB16s16s', 6 << 28, len(payload), nh, 64,
                       ip6(src), ip6(dst)) + payload


def udp(sport, dport, payload):
    return struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload


def tcp_syn(sport, dport, seq=1000):
    # MSS option; checksums are not checked by hdrlog
    return struct.pack('!HHIIBBHHH', sport, dport, seq, 0, 6 << 4, 0x02,
                       64240, 0, 0) + b'\x02\x04\x05\xb4'


def inner_eth(proto):
    return bytes.fromhex('0a0000000002') + bytes.fromhex('0a0000000001') + \
        struct.pack('!H', proto)


def vxlan(vni, flags=0x08):
    return struct.pack('!B3xI', flags, vni << 8)


def geneve(vni, proto, opts=b''):
    return struct.pack('!BBHI', len(opts) // 4, 0x40 if opts else 0, proto,
                       vni << 8) + opts


def gre(proto, key=None, seq=None, csum=False, version=0):
    flags = (0x8000 if csum else 0) | (0x2000 if key is not None else 0) | \
        (0x1000 if seq is not None else 0) | version
    out = struct.pack('!HH', flags, proto)
    if csum:
        out += b'\0\0\0\0'
    if key is not None:
        out += struct.pack('!I', key)
    if seq is not None:
        out += struct.pack('!I', seq)
    return out


OUT_A, OUT_B = '198.18.0.1', '198.18.0.2'
IN_A, IN_B = '198.18.5.1', '198.18.5.2'
O6A, O6B = 'fd00:23::1', 'fd00:23::2'
I6A, I6B = 'fd00:24::1', 'fd00:24::2'


def frames():
    syn4 = ipv4(IN_A, IN_B, 6, tcp_syn(40000, 80))
    syn6 = ipv6(I6A, I6B, 6, tcp_syn(40001, 80))
    udp4 = ipv4(IN_A, IN_B, 17, udp(5353, 53, b'q' * 12))
    out = [
        # VXLAN over IPv4 and IPv6, Linux port
        eth(0x0800) + ipv4(OUT_A, OUT_B, 17, udp(51000, 4789, vxlan(42) + inner_eth(0x0800) + syn4)),
        eth(0x86dd) + ipv6(O6A, O6B, 17, udp(51001, 8472, vxlan(43) + inner_eth(0x86dd) + syn6)),
        # Geneve with 8 bytes of options, carrying Ethernet; and IPv4 bare
        eth(0x0800) + ipv4(OUT_A, OUT_B, 17, udp(51002, 6081, geneve(44, 0x6558, b'\x01\x02\x03\x01abcd') + inner_eth(0x0800) + udp4)),
        eth(0x0800) + ipv4(OUT_A, OUT_B, 17, udp(51003, 6081, geneve(45, 0x0800) + syn4)),
        # GRE: key, seq, checksum; Ethernet; IPv6; over IPv6; no key
        eth(0x0800) + ipv4(OUT_A, OUT_B, 47, gre(0x0800, key=77, seq=5, csum=True) + syn4),
        eth(0x0800) + ipv4(OUT_A, OUT_B, 47, gre(0x6558, key=78) + inner_eth(0x0800) + syn4),
        eth(0x0800) + ipv4(OUT_A, OUT_B, 47, gre(0x86dd) + syn6),
        eth(0x86dd) + ipv6(O6A, O6B, 47, gre(0x0800, key=79) + udp4),
        # IP in IP
        eth(0x0800) + ipv4(OUT_A, OUT_B, 4, syn4),
        eth(0x0800) + ipv4(OUT_A, OUT_B, 41, syn6),
        eth(0x86dd) + ipv6(O6A, O6B, 41, syn6),
        eth(0x86dd) + ipv6(O6A, O6B, 4, syn4),
        # VXLAN in VXLAN: the first level opened, the second left as UDP
        eth(0x0800) + ipv4(OUT_A, OUT_B, 17, udp(51004, 4789, vxlan(46) + inner_eth(0x0800) +
                           ipv4(IN_A, IN_B, 17, udp(51005, 4789, vxlan(47) + inner_eth(0x0800) + syn4)))),
        # not opened: VXLAN without the I flag, GRE version 1, GRE
        # carrying something else, VXLAN carrying an unknown EtherType
        eth(0x0800) + ipv4(OUT_A, OUT_B, 17, udp(51006, 4789, vxlan(48, flags=0) + inner_eth(0x0800) + syn4)),
        eth(0x0800) + ipv4(OUT_A, OUT_B, 47, gre(0x880b, key=1, version=1) + b'\0' * 20),
        eth(0x0800) + ipv4(OUT_A, OUT_B, 47, gre(0x88be) + b'\0' * 20),
        eth(0x0800) + ipv4(OUT_A, OUT_B, 17, udp(51007, 4789, vxlan(49) + inner_eth(0x88cc) + b'\0' * 20)),
    ]
    cut = []
    for f in out:
        for n in (14 + 20 + 8 + 4, 14 + 20 + 16 + 10, 14 + 40 + 8 + 8 + 14 + 10, len(f) - 3):
            if 14 < n < len(f):
                cut.append(f[:n])
    return out + cut


if __name__ == '__main__':
    write_pcap(sys.argv[1], frames())
