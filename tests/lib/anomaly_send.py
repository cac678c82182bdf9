#!/usr/bin/env python3
"""Sends a bounded set of anomalous packets to one address of a test's own
namespace (raw sockets, Python standard library only):

    anomaly_send.py TARGET SWEEP_NET

- a full-connect port scan: connect() to ports 1..120 of TARGET (closed:
  refused at once);
- a half-open host sweep: raw SYNs to port 22 of SWEEP_NET.1 .. .70;
- one each of SYN+FIN, NULL and Xmas segments; a tiny first fragment;
  two overlapping UDP fragments; a fragmented SYN; IP options on TCP;
  land (source = TARGET); a loopback source; an ICMP redirect;
- UDP datagrams of one flow with TTL 64, then 40 (a jump).
Every loop is bounded; nothing goes anywhere but TARGET and SWEEP_NET."""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import anomaly_pcaps as p  # noqa: E402  (the builders of the captures)

target, sweep = sys.argv[1], sys.argv[2]
me = None


def raw():
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    return s


def send(s, frame, dst):
    s.sendto(frame[14:], (dst, 0))  # the builders add Ethernet: not here
    time.sleep(0.002)  # paced: tcpdump, which the test compares with, keeps up


def local_address():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.connect((target, 9))
    a = u.getsockname()[0]
    u.close()
    return a


me = local_address()
# full-connect port scan
for port in range(1, 121):
    c = socket.socket()
    c.settimeout(0.5)
    try:
        c.connect((target, port))
    except OSError:
        pass
    c.close()
s = raw()
# half-open host sweep
for i in range(1, 71):
    send(s, p.tcp(me, f'{sweep}.{i}', 50000, 22, p.SYN), f'{sweep}.{i}')
# flag combinations
for flags in (p.SYN | p.FIN, 0, p.FIN | p.PSH | p.URG):
    send(s, p.tcp(me, target, 41000, 80, flags), target)
# fragments
seg = p.tcp_hdr(41001, 80, p.SYN, data=b'A' * 24)
send(s, p.frag(me, target, 6, seg[:16], 0, True, 901), target)
data = struct.pack('!HHHH', 41002, 53, 128, 0) + b'B' * 120
send(s, p.frag(me, target, 17, data[:64], 0, True, 902), target)
send(s, p.frag(me, target, 17, data[32:], 32, False, 902), target)
syn = p.tcp_hdr(41003, 80, p.SYN, data=b'C' * 40)
send(s, p.frag(me, target, 6, syn[:32], 0, True, 903), target)
send(s, p.frag(me, target, 6, syn[32:], 32, False, 903), target)
# IP options, land, a loopback source, an ICMP redirect
send(s, p.tcp(me, target, 41004, 80, p.ACK, opts=bytes([7, 7, 4, 0, 0, 0, 0, 1])), target)
send(s, p.tcp(target, target, 80, 80, p.SYN), target)
send(s, p.udp('127.0.0.1', target, 5000, 53), target)
send(s, p.icmp(me, target, 5, 1, socket.inet_aton(me), b'\0' * 28), target)
s.close()
# a TTL jump within one UDP flow
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind((me, 41005))
for ttl in (64, 64, 40):
    u.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
    u.sendto(b'ttl', (target, 9))
    time.sleep(0.05)
u.close()
