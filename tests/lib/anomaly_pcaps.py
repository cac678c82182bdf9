#!/usr/bin/env python3
"""Writes crafted captures, one anomaly kind each (docs/schema.md, record
`anomaly`), and next to each the boundary just under its threshold that
must give nothing.

    anomaly_pcaps.py DIR EXPECT   writes DIR/<name>.pcap and EXPECT (JSON)

EXPECT maps each file to the anomaly records hdrlog --anomalies must give
with the default thresholds (window 60 s, 100 ports, 64 hosts, TTL jump
10): a list of {field: value}, each matched by exactly one record, and no
other anomaly record. Nothing here sends traffic.
"""
import json
import os
import struct
import sys

from pcapgen import csum, eth, write_pcap

A, V, R = '198.18.0.66', '198.18.0.2', '198.18.0.1'  # attacker, victim, router
A6, V6 = 'fd00::66', 'fd00::2'
FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20


def addr4(s):
    return bytes(map(int, s.split('.')))


def ip4(src, dst, proto, payload, ident=1, ttl=64, frag=0x4000, opts=b'',
        total=None):
    """An IPv4 packet; frag is the flags+offset word (offset in 8-byte
    units), opts the options (a multiple of 4 bytes)."""
    ihl = 5 + len(opts) // 4
    length = total if total is not None else 4 * ihl + len(payload)
    hdr = struct.pack('!BBHHHBBH4s4s', 0x40 | ihl, 0, length, ident, frag, ttl,
                      proto, 0, addr4(src), addr4(dst)) + opts
    return eth(0x0800) + hdr[:10] + struct.pack('!H', csum(hdr)) + hdr[12:] + payload


def ip6(src, dst, nh, payload, hlim=64):
    import ipaddress
    s, d = (ipaddress.IPv6Address(x).packed for x in (src, dst))
    return eth(0x86DD) + struct.pack('!IHBB', 6 << 28, len(payload), nh, hlim) + s + d + payload


def tcp_hdr(sport, dport, flags, seq=1000, ack=0, data=b''):
    return struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags,
                       512, 0, 0) + data


def tcp(src, dst, sport, dport, flags, **kw):
    data = kw.pop('data', b'')
    return ip4(src, dst, 6, tcp_hdr(sport, dport, flags, data=data), **kw)


def udp(src, dst, sport, dport, data=b'x', **kw):
    return ip4(src, dst, 17, struct.pack('!HHHH', sport, dport, 8 + len(data), 0) + data, **kw)


def icmp(src, dst, typ, code, rest=b'\0\0\0\0', body=b'', **kw):
    m = struct.pack('!BBH', typ, code, 0) + rest + body
    m = m[:2] + struct.pack('!H', csum(m)) + m[4:]
    return ip4(src, dst, 1, m, **kw)


def frag(src, dst, proto, chunk, off_bytes, more, ident):
    """One IPv4 fragment carrying chunk at off_bytes."""
    word = (0x2000 if more else 0) | (off_bytes // 8)
    return ip4(src, dst, proto, chunk, ident=ident, frag=word)


def echo(src, dst, ident=7, seq=1):
    return icmp(src, dst, 8, 0, struct.pack('!HH', ident, seq))



def W(kind, src=A, **kw):
    """An expected record: kind from src, plus exact fields."""
    d = {'hdrlog.anomaly.kind': kind, 'source.address': src}
    d.update(kw)
    return d


def captures():
    c = {}
    # invalid TCP flag combinations: five of each from one source still
    # make one record (per source per window)
    for name, flags in [('tcp_null', 0), ('tcp_xmas', FIN | PSH | URG),
                        ('tcp_syn_fin', SYN | FIN), ('tcp_syn_rst', SYN | RST),
                        ('tcp_fin_no_ack', FIN), ('tcp_no_ack', PSH)]:
        c[name] = ([tcp(A, V, 40000 + i, 80, flags) for i in range(5)], [W(name)])
    # a whole ordinary connection: every flag combination RFC 9293 allows
    c['tcp_ok'] = ([tcp(A, V, 40000, 80, SYN), tcp(V, A, 80, 40000, SYN | ACK),
                    tcp(A, V, 40000, 80, ACK), tcp(A, V, 40000, 80, PSH | ACK, data=b'GET'),
                    tcp(V, A, 80, 40000, FIN | ACK), tcp(A, V, 40000, 80, FIN | ACK),
                    tcp(V, A, 80, 40000, RST), tcp(A, V, 40000, 80, RST | ACK),
                    tcp(A, V, 40000, 80, ACK | URG | PSH)], [])
    # IPv6: the same checks
    c['tcp_syn_fin_v6'] = ([ip6(A6, V6, 6, tcp_hdr(40000, 80, SYN | FIN))],
                           [W('tcp_syn_fin', A6, **{'network.type': 'ipv6'})])
    # fragments: a first fragment of 16 TCP bytes (the flags are in it, the
    # window and checksum not), then the rest
    seg = tcp_hdr(40000, 80, SYN, data=b'A' * 24)
    c['frag_tiny'] = ([frag(A, V, 6, seg[:16], 0, True, 11),
                       frag(A, V, 6, seg[16:], 16, False, 11)],
                      [W('frag_tiny', **{'hdrlog.ip.frag_offset': 0, 'hdrlog.ip.frag_id': 11})])
    # RFC 1858's overlap: a second fragment at offset 8 rewriting the flags
    seg = tcp_hdr(40000, 80, ACK, data=b'A' * 24)
    c['frag_overlap_tcp'] = ([frag(A, V, 6, seg[:24], 0, True, 12),
                              frag(A, V, 6, seg[8:], 8, False, 12)],
                             [W('frag_overlap', **{'hdrlog.ip.frag_offset': 8})])
    data = struct.pack('!HHHH', 5000, 53, 8 + 120, 0) + b'B' * 120
    c['frag_overlap'] = ([frag(A, V, 17, data[:64], 0, True, 13),
                          frag(A, V, 17, data[32:], 32, False, 13)],
                         [W('frag_overlap', **{'hdrlog.ip.frag_offset': 32})])
    # the same datagram cut without overlap: nothing (and a TCP ACK segment
    # fragmented after its header: nothing)
    c['frag_ok'] = ([frag(A, V, 17, data[:64], 0, True, 14),
                     frag(A, V, 17, data[64:], 64, False, 14),
                     frag(A, V, 6, seg[:24], 0, True, 15),
                     frag(A, V, 6, seg[24:], 24, False, 15)], [])
    # control messages fragmented: a SYN, an ICMP unreachable
    syn = tcp_hdr(40000, 80, SYN, data=b'C' * 40)
    unreach = struct.pack('!BBHI', 3, 1, 0, 0) + b'D' * 40
    c['frag_control'] = ([frag(A, V, 6, syn[:32], 0, True, 16),
                          frag(A, V, 6, syn[32:], 32, False, 16),
                          frag(R, V, 1, unreach[:24], 0, True, 17),
                          frag(R, V, 1, unreach[24:], 24, False, 17)],
                         [W('frag_control', **{'hdrlog.tcp.flags': ['SYN']}),
                          W('frag_control', R, **{'hdrlog.icmp.type': 3})])
    # a fragmented echo request (a big ping) is ordinary
    ping = struct.pack('!BBHHH', 8, 0, 0, 7, 1) + b'E' * 40
    c['frag_ping_ok'] = ([frag(A, V, 1, ping[:24], 0, True, 18),
                          frag(A, V, 1, ping[24:], 24, False, 18)], [])
    # IPv4 options (record route) on TCP; router alert on IGMP is ordinary
    rr = bytes([7, 7, 4, 0, 0, 0, 0, 1])
    ra = bytes([148, 4, 0, 0])
    c['ip_options'] = ([tcp(A, V, 40000, 80, ACK, opts=rr)], [W('ip_options')])
    c['ip_options_ok'] = ([ip4(A, '224.0.0.22', 2, b'\x22\0\0\0\0\0\0\0', opts=ra)], [])
    # land: source = destination
    c['land'] = ([tcp(V, V, 80, 80, SYN)],
                 [W('land', V, **{'destination.address': V})])
    # martians: loopback and multicast sources; IPv6 loopback
    c['martian_source'] = ([udp('127.0.0.1', V, 5000, 53), udp('224.0.0.5', V, 5000, 53),
                            ip6('::1', V6, 17, struct.pack('!HHHH', 5000, 53, 9, 0) + b'x')],
                           [W('martian_source', '127.0.0.1'), W('martian_source', '224.0.0.5'),
                            W('martian_source', '::1')])
    # DHCP's 0.0.0.0 is not one
    c['martian_ok'] = ([udp('0.0.0.0', '255.255.255.255', 68, 67)], [])
    # a TTL jump of 10 within one direction of a flow; 9 is not
    pk = lambda ttl: tcp(A, V, 40000, 80, ACK, ttl=ttl)
    c['ttl_jump'] = ([pk(64), pk(64), pk(54), pk(54)],
                     [W('ttl_jump', **{'hdrlog.ip.ttl': 54, 'hdrlog.anomaly.ttl_before': 64})])
    c['ttl_jump_under'] = ([pk(64), pk(64), pk(55), pk(55)], [])
    # ICMP redirects, v4 and v6
    c['icmp_redirect'] = ([icmp(R, V, 5, 1, addr4('198.18.0.77'), b'\0' * 28),
                           ip6('fd00::1', V6, 58, struct.pack('!BBHI', 137, 0, 0, 0) + b'\0' * 32)],
                          [W('icmp_redirect', R, **{'hdrlog.icmp.type': 5}),
                           W('icmp_redirect', 'fd00::1', **{'hdrlog.icmp.type': 137})])
    # a port scan of 100 ports (half-open: SYNs), and 99: nothing
    c['port_scan'] = ([tcp(A, V, 50000, p, SYN) for p in range(1, 101)],
                      [W('port_scan', **{'destination.port': 100, 'hdrlog.anomaly.distinct': 100,
                                         'hdrlog.anomaly.threshold': 100})])
    c['port_scan_under'] = ([tcp(A, V, 50000, p, SYN) for p in range(1, 100)], [])
    # UDP ports spread over the port space: their hashes collide now and
    # then (the count is approximate, never above the truth), so 120
    c['port_scan_udp'] = ([udp(A, V, 50000, 1000 + 613 * p % 60000) for p in range(120)],
                          [W('port_scan', **{'network.transport': 'udp'})])
    # a host sweep of 64 hosts on port 22, and 63: nothing; a ping sweep
    hosts = ['198.18.%d.%d' % (1 + i // 250, 1 + i % 250) for i in range(64)]
    c['host_sweep'] = ([tcp(A, h, 50000, 22, SYN) for h in hosts],
                       [W('host_sweep', **{'destination.port': 22, 'hdrlog.anomaly.distinct': 64,
                                           'hdrlog.anomaly.threshold': 64})])
    c['host_sweep_under'] = ([tcp(A, h, 50000, 22, SYN) for h in hosts[:63]], [])
    c['host_sweep_ping'] = ([echo(A, h) for h in hosts],
                            [W('host_sweep', **{'network.transport': 'icmp'})])
    return c


def main():
    out, expect_path = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    expect = {}
    for name, (frames, want) in captures().items():
        write_pcap(os.path.join(out, name + '.pcap'), frames)
        expect[name + '.pcap'] = want
    # windows: a second tcp_null 61 s later is a new window (2 records);
    # 59 s later it is not (1)
    for name, gap, n in [('window_new', 61, 2), ('window_same', 59, 1)]:
        frames = [tcp(A, V, 40000, 80, 0), tcp(A, V, 40001, 80, 0)]
        write_pcap(os.path.join(out, name + '.pcap'), frames,
                   when=lambda i, g=gap: (1700000000 + i * g, 0))
        expect[name + '.pcap'] = [W('tcp_null')] * n
    with open(expect_path, 'w') as f:
        json.dump(expect, f, indent=1, sort_keys=True)


if __name__ == '__main__':
    main()
