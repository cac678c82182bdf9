#!/usr/bin/env python3
"""Writes a pcap of N Ethernet/IPv4/UDP frames between test addresses
(198.18.0.2 -> 198.18.0.1:9999), one a second, each payload numbered.

    udp_pcap.py FILE [N]   (N defaults to 3000)
"""
import struct
import sys

from pcapgen import eth, ipv4, write_pcap

path, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3000


def frame(i):
    payload = b'%07d' % i + b'x' * 25
    udp = struct.pack('!HHHH', 40000 + i % 1000, 9999, 8 + len(payload), 0) + payload
    return eth(0x0800) + ipv4('198.18.0.2', '198.18.0.1', 17, udp, i)


write_pcap(path, (frame(i) for i in range(n)), when=lambda i: (1700000000 + i, 0))
