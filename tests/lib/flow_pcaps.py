#!/usr/bin/env python3
"""Writes crafted captures, one connection story each, and what hdrlog must
make of them: every Zeek conn_state, retransmission, out-of-order, content
gap, simultaneous close, RST from either side, a FIN+RST segment, and ICMP
unreachable answers.

    flow_pcaps.py DIR EXPECT   writes DIR/<name>.pcap and EXPECT (JSON)

EXPECT maps each file to the flow records it must give: a list of
{field: value} that each record must match, in any order.
"""
import json
import os
import struct
import sys

from pcapgen import eth, ipv4, csum, write_pcap

C, S, R = '198.18.0.1', '198.18.0.2', '198.18.0.9'  # client, server, router
CPORT, SPORT = 40000, 80
SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10


def tcp(src, dst, sport, dport, seq, ack, flags, data=b''):
    hdr = struct.pack('!HHIIBBHHH', sport, dport, seq & 0xffffffff,
                      ack & 0xffffffff, 5 << 4, flags, 512, 0, 0)
    return ipv4(src, dst, 6, hdr + data)


def udp(src, dst, sport, dport, data):
    return ipv4(src, dst, 17, struct.pack('!HHHH', sport, dport, 8 + len(data), 0) + data)


def icmp_unreach(src, dst, code, quoted):
    """ICMP destination unreachable from src to dst quoting an IP packet."""
    body = struct.pack('!BBHI', 3, code, 0, 0) + quoted[:28]
    body = body[:2] + struct.pack('!H', csum(body)) + body[4:]
    return ipv4(src, dst, 1, body)


class Conn:
    """A TCP connection client C:40000 -> server S:80; seq/ack relative."""

    def __init__(self):
        self.frames = []
        self.isn = {C: 1000, S: 5000}

    def send(self, who, flags, seq=0, ack=0, data=b''):
        peer = S if who == C else C
        sport, dport = (CPORT, SPORT) if who == C else (SPORT, CPORT)
        abs_ack = self.isn[peer] + ack if flags & ACK else 0
        self.frames.append(tcp(who, peer, sport, dport, self.isn[who] + seq,
                               abs_ack, flags, data))
        return self

    def handshake(self):
        return self.send(C, SYN).send(S, SYN | ACK, 0, 1).send(C, ACK, 1, 1)


def tcp_flow(state, history, **more):
    want = {'network.transport': 'tcp', 'hdrlog.flow.conn_state': state,
            'hdrlog.flow.history': history}
    want.update({'hdrlog.flow.' + k: v for k, v in more.items()})
    return want


D100, D200 = b'a' * 100, b'b' * 200
stories = {
    'sf': (Conn().handshake().send(C, PSH | ACK, 1, 1, D100).send(S, ACK, 1, 101)
           .send(S, PSH | ACK, 1, 101, D200).send(C, FIN | ACK, 101, 201)
           .send(S, FIN | ACK, 201, 102).send(C, ACK, 102, 202),
           [tcp_flow('SF', 'ShADadFf', end_reason='fin', **{
               'orig.payload_bytes': 100, 'resp.payload_bytes': 200,
               'orig.packets': 4, 'resp.packets': 4, 'tcp.fin_by': 'both'})]),  # the last ACK: late
    # both FINs cross on the wire
    'simultaneous_close': (Conn().handshake().send(C, FIN | ACK, 1, 1)
                           .send(S, FIN | ACK, 1, 1).send(C, ACK, 2, 2).send(S, ACK, 2, 2),
                           [tcp_flow('SF', 'ShAFf', end_reason='fin')]),
    'rej': (Conn().send(C, SYN).send(S, RST | ACK, 0, 1),
            [tcp_flow('REJ', 'Sr', end_reason='rst', **{'tcp.reset_by': 'responder'})]),
    's0': (Conn().send(C, SYN).send(C, SYN),
           [tcp_flow('S0', 'S', **{'orig.packets': 2})]),
    's1': (Conn().handshake(), [tcp_flow('S1', 'ShA')]),
    's2': (Conn().handshake().send(C, FIN | ACK, 1, 1), [tcp_flow('S2', 'ShAF')]),
    's3': (Conn().handshake().send(S, FIN | ACK, 1, 1), [tcp_flow('S3', 'ShAf')]),
    'rsto': (Conn().handshake().send(C, PSH | ACK, 1, 1, D100).send(C, RST, 101),
             [tcp_flow('RSTO', 'ShADR', end_reason='rst', **{'tcp.reset_by': 'originator'})]),
    'rstr': (Conn().handshake().send(C, PSH | ACK, 1, 1, D100).send(S, RST, 1),
             [tcp_flow('RSTR', 'ShADr', end_reason='rst', **{'tcp.reset_by': 'responder'})]),
    'rstos0': (Conn().send(C, SYN).send(C, RST, 1), [tcp_flow('RSTOS0', 'SR')]),
    'rstrh': (Conn().send(S, SYN | ACK, 0, 1).send(S, RST, 1), [tcp_flow('RSTRH', '^hr')]),
    'sh': (Conn().send(C, SYN).send(C, FIN, 1), [tcp_flow('SH', 'SF')]),
    'shr': (Conn().send(S, SYN | ACK, 0, 1).send(S, FIN | ACK, 1, 1), [tcp_flow('SHR', '^hf')]),
    'oth': (Conn().send(C, PSH | ACK, 50, 70, b'x' * 10).send(S, PSH | ACK, 70, 60, b'y' * 10),
            [tcp_flow('OTH', 'Dd', originator_seen=False)]),
    # the same 100 bytes twice, then 200 bytes ahead of 100 missing ones
    'retransmit_ooo': (Conn().handshake().send(C, PSH | ACK, 1, 1, D100)
                       .send(C, PSH | ACK, 1, 1, D100).send(C, PSH | ACK, 201, 1, D100)
                       .send(C, PSH | ACK, 101, 1, D100).send(S, ACK, 1, 301),
                       [tcp_flow('S1', 'ShADTa', **{'orig.retransmits': 2, 'orig.out_of_order': 1,
                                                    'orig.gaps': 0})]),
    # the server acknowledges 200 bytes the capture never had
    'content_gap': (Conn().handshake().send(C, PSH | ACK, 1, 1, D100).send(S, ACK, 1, 301),
                    [tcp_flow('S1', 'ShADaG', **{'orig.gaps': 1, 'resp.gaps': 0})]),
    'fin_rst': (Conn().handshake().send(C, FIN | RST | ACK, 1, 1),
                [tcp_flow('RSTO', 'ShAI', end_reason='rst')]),
}

# a UDP datagram to a closed port, the port unreachable that answers it,
# and the same datagram again: two attempts
dgram = udp(C, S, 5353, 9, b'anyone?')
stories['udp_port_unreachable'] = (
    [dgram, icmp_unreach(S, C, 3, dgram), dgram],
    [{'network.transport': 'udp', 'hdrlog.flow.conn_state': 'S0',
      'hdrlog.flow.end_reason': 'icmp_unreachable', 'hdrlog.flow.icmp_error.type': 3,
      'hdrlog.flow.icmp_error.code': 3, 'hdrlog.flow.icmp_error.reporter': S},
     {'network.transport': 'udp', 'hdrlog.flow.conn_state': 'S0',
      'hdrlog.flow.end_reason': 'end_of_capture'},
     {'network.transport': 'icmp', 'hdrlog.icmp.type': 3}])
# a router cannot deliver the SYN
syn = tcp(C, S, CPORT, SPORT, 1000, 0, SYN)
stories['tcp_host_unreachable'] = (
    [syn, icmp_unreach(R, C, 1, syn)],
    [tcp_flow('S0', 'S', end_reason='icmp_unreachable', **{
        'icmp_error.type': 3, 'icmp_error.code': 1, 'icmp_error.reporter': R}),
     {'network.transport': 'icmp', 'hdrlog.icmp.type': 3}])

# HTTP keep-alive: a 3000-byte body in three segments after its head (the
# kernel copies the head's segment only), a HEAD whose response announces
# a length and sends no body, a POST with a body, a chunked response
http = Conn().handshake()
resp1 = b'HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n'
head_resp = b'HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n'
chunked = b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'
post = b'POST /up HTTP/1.1\r\nHost: s\r\nContent-Length: 2000\r\n\r\n'
reqs = [b'GET /big HTTP/1.1\r\nHost: s\r\n\r\n', b'HEAD /big HTTP/1.1\r\nHost: s\r\n\r\n']
cseq, sseq = 1, 1
http.send(C, PSH | ACK, cseq, sseq, reqs[0]); cseq += len(reqs[0])
http.send(S, PSH | ACK, sseq, cseq, resp1 + b'x' * 1000); sseq += len(resp1) + 1000
http.send(S, PSH | ACK, sseq, cseq, b'x' * 1000); sseq += 1000
http.send(S, PSH | ACK, sseq, cseq, b'x' * 1000); sseq += 1000
http.send(C, PSH | ACK, cseq, sseq, reqs[1]); cseq += len(reqs[1])
http.send(S, PSH | ACK, sseq, cseq, head_resp); sseq += len(head_resp)
http.send(C, PSH | ACK, cseq, sseq, post + b'p' * 500); cseq += len(post) + 500
http.send(C, PSH | ACK, cseq, sseq, b'p' * 1500); cseq += 1500
http.send(S, PSH | ACK, sseq, cseq, chunked); sseq += len(chunked)
http.send(C, FIN | ACK, cseq, sseq).send(S, FIN | ACK, sseq, cseq + 1)
stories['http_keepalive'] = (http, [tcp_flow('SF', 'ShADdFf', end_reason='fin')])

os.makedirs(sys.argv[1], exist_ok=True)
expect = {}
for name, (story, want) in stories.items():
    frames = story.frames if isinstance(story, Conn) else story
    write_pcap(os.path.join(sys.argv[1], name + '.pcap'), [eth(0x0800) + f for f in frames])
    expect[name + '.pcap'] = want
with open(sys.argv[2], 'w') as f:
    json.dump(expect, f, indent=1)
