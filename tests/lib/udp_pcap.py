#!/usr/bin/env python3
"""Writes a pcap of N Ethernet/IPv4/UDP frames between test addresses
(198.18.0.2 -> 198.18.0.1:9999), one a second, each payload numbered.

    udp_pcap.py FILE [N]   (N defaults to 3000)
"""
import struct
import sys

path, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3000
with open(path, 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(n):
        payload = b'%07d' % i + b'x' * 25
        udp = struct.pack('!HHHH', 40000 + i % 1000, 9999, 8 + len(payload), 0) + payload
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), i & 0xffff, 0, 64,
                         17, 0, bytes([198, 18, 0, 2]), bytes([198, 18, 0, 1])) + udp
        frame = b'\x02\0\0\0\0\x01' + b'\x02\0\0\0\0\x02' + b'\x08\x00' + ip
        f.write(struct.pack('<IIII', 1700000000 + i, 0, len(frame), len(frame)) + frame)
