#!/usr/bin/env python3
"""Writes a capture that gives every record kind the log stores take, for
the sink tests (tests/e2e/test_clickhouse.sh, test_syslog.sh) and
bench/sinks.sh:

- SCALE rounds of: for each of 5 host pairs (198.18.1.K -> 198.18.2.K), a
  TCP connection (handshake, K*1000 bytes from the client in 1000-byte
  segments, one of them sent twice on pair 3, 200 bytes back, FIN/FIN):
  pair 5 moves the most bytes, then 4 ...; pair 1's connection is an HTTP
  GET answered 200 (an "http" record);
- a refused connection (SYN, RST-ACK) from 198.18.1.K to 198.18.2.99:443;
- a UDP exchange 198.18.1.K:5353 <-> 198.18.2.K:53;
- once, 30 unanswered SYNs to 198.18.2.77:22 (with --syn-threshold 20: an
  "anomaly" record once the capture's time passes the grace).

    sink_pcap.py FILE [SCALE]   (SCALE defaults to 1; rounds 1 ms apart)

The capture starts two minutes before now, so queries over "the last
hour" find its records.

Each round's client ports differ, so every round's connections are new
flows. Nothing here sends traffic.
"""
import struct
import sys
import time

from pcapgen import eth, ipv4, write_pcap

SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10


def tcp(src, dst, sport, dport, seq, ack, flags, data=b''):
    hdr = struct.pack('!HHIIBBHHH', sport, dport, seq & 0xffffffff,
                      ack & 0xffffffff, 5 << 4, flags, 512, 0, 0)
    return eth(0x0800) + ipv4(src, dst, 6, hdr + data)


def udp(src, dst, sport, dport, data):
    return eth(0x0800) + ipv4(src, dst, 17, struct.pack(
        '!HHHH', sport, dport, 8 + len(data), 0) + data)


def connection(c, s, cport, sport, sent, back, retransmit=False, http=False):
    cs, ss = 1000, 5000
    out = [tcp(c, s, cport, sport, cs, 0, SYN),
           tcp(s, c, sport, cport, ss, cs + 1, SYN | ACK),
           tcp(c, s, cport, sport, cs + 1, ss + 1, ACK)]
    cs, ss = cs + 1, ss + 1
    if http:
        req = b'GET /items HTTP/1.1\r\nHost: svc\r\n\r\n'
        body = b'x' * back
        resp = b'HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n' % back + body
        out.append(tcp(c, s, cport, sport, cs, ss, PSH | ACK, req))
        cs += len(req)
        out.append(tcp(s, c, sport, cport, ss, cs, PSH | ACK, resp))
        ss += len(resp)
    else:
        for i in range(0, sent, 1000):
            seg = b'd' * min(1000, sent - i)
            out.append(tcp(c, s, cport, sport, cs, ss, PSH | ACK, seg))
            if retransmit and i == 0:
                out.append(tcp(c, s, cport, sport, cs, ss, PSH | ACK, seg))
            cs += len(seg)
        out.append(tcp(s, c, sport, cport, ss, cs, PSH | ACK, b'r' * back))
        ss += back
    out += [tcp(c, s, cport, sport, cs, ss, FIN | ACK),
            tcp(s, c, sport, cport, ss, cs + 1, FIN | ACK),
            tcp(c, s, cport, sport, cs + 1, ss + 1, ACK)]
    return out


def round_frames(r):
    frames = []
    port = 10000 + r % 50000
    for k in range(1, 6):
        c, s = f'198.18.1.{k}', f'198.18.2.{k}'
        if k == 1:
            frames += connection(c, s, port, 80, 0, 200, http=True)
        else:
            frames += connection(c, s, port, 8000 + k, k * 1000, 200,
                                 retransmit=k == 3)
        frames += [tcp(c, '198.18.2.99', port + 1, 443, 77, 0, SYN),
                   tcp('198.18.2.99', c, 443, port + 1, 0, 78, RST | ACK)]
        frames += [udp(c, s, 5353, 53, b'q' * 30), udp(s, c, 53, 5353, b'a' * 60)]
    return frames


def all_frames(scale):
    for r in range(scale):
        yield from round_frames(r)
    for i in range(30):
        yield tcp('198.18.1.200', '198.18.2.77', 30000 + i, 22, 9, 0, SYN)


def main():
    path = sys.argv[1]
    scale = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    frames = list(all_frames(scale))
    n = len(frames)
    # spread over scale ms of rounds, then the SYNs, then 3 s of quiet
    # capture time for the SYN watch's grace (one last UDP frame)
    frames.append(udp('198.18.1.201', '198.18.2.201', 1, 2, b'end'))
    step = max(1, scale * 1000 // max(n, 1))

    base = int(time.time()) - 120

    def when(i):
        us = i * step if i < n else n * step + 3_000_000
        return base + us // 1_000_000, us % 1_000_000
    write_pcap(path, frames, when=when)


main()
