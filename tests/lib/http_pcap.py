#!/usr/bin/env python3
"""Writes a pcap of HTTP/1.1 transactions, each on a TCP connection of
its own (handshake, request, response, FIN both ways), for tests that
need known requests offline:

    http_pcap.py OUT.pcap METHOD PATH STATUS [BODY_BYTES] ...

takes groups of four (method, path, status, response body bytes) as
arguments, or "-" to read them from stdin, one group per line. Client
198.18.0.1, server 198.18.0.2:8080; each transaction 1 ms after the
last, answered in 200 us. Nothing is sent."""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import csum, eth, ipv4, write_pcap  # noqa: E402

CLI, SRV = "198.18.0.1", "198.18.0.2"


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b""):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags,
                      65535, 0, 0)
    pseudo = bytes(map(int, src.split("."))) + bytes(map(int, dst.split("."))) + \
        struct.pack("!BBH", 0, 6, len(hdr) + len(payload))
    c = csum(pseudo + hdr + payload)
    return ipv4(src, dst, 6, hdr[:16] + struct.pack("!H", c) + hdr[18:] + payload)


def connection(i, method, path, status, body):
    sport = 20000 + i
    req = f"{method} {path} HTTP/1.1\r\nHost: api.test\r\n\r\n".encode()
    resp = f"HTTP/1.1 {status} X\r\nContent-Length: {body}\r\n\r\n".encode() + b"x" * body
    c, s = 1000, 5000  # initial sequence numbers
    f = []
    f.append(tcp(CLI, SRV, sport, 8080, c, 0, 0x02))
    f.append(tcp(SRV, CLI, 8080, sport, s, c + 1, 0x12))
    f.append(tcp(CLI, SRV, sport, 8080, c + 1, s + 1, 0x10))
    f.append(tcp(CLI, SRV, sport, 8080, c + 1, s + 1, 0x18, req))
    f.append(tcp(SRV, CLI, 8080, sport, s + 1, c + 1 + len(req), 0x18, resp))
    f.append(tcp(CLI, SRV, sport, 8080, c + 1 + len(req), s + 1 + len(resp), 0x11))
    f.append(tcp(SRV, CLI, 8080, sport, s + 1 + len(resp), c + 2 + len(req), 0x11))
    f.append(tcp(CLI, SRV, sport, 8080, c + 2 + len(req), s + 2 + len(resp), 0x10))
    return [eth(0x0800) + p for p in f]


def main():
    args = sys.argv[2:]
    if args == ["-"]:
        args = [w for line in sys.stdin for w in line.split()]
    frames, times = [], []
    for i in range(0, len(args), 4):
        method, path, status, body = args[i:i + 4]
        conn = connection(i // 4, method, path, int(status), int(body))
        base = 1700000000_000000 + (i // 4) * 1000  # microseconds
        # request at +3, response at +203
        offs = [0, 1, 2, 3, 203, 204, 205, 206]
        frames += conn
        times += [base + o for o in offs]
    write_pcap(sys.argv[1], frames, when=lambda k: divmod(times[k], 1000000))


if __name__ == "__main__":
    main()
