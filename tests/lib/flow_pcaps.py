#!/usr/bin/env python3
"""Writes crafted captures, one connection story each, and what hdrlog must
make of them: every Zeek conn_state, retransmission, out-of-order, content
gap, simultaneous close, RST from either side, a FIN+RST segment, and ICMP
unreachable answers; the packets after a close (Zeek's tcp_close_delay),
SYNs retried after a reset, an attempt that times out while its
originator keeps sending (Zeek's attempt timer), and in packets/ an IPv4
header whose options the snap length cut.

    flow_pcaps.py DIR EXPECT   writes DIR/<name>.pcap, DIR/timed/<name>.pcap,
                               DIR/packets/<name>.pcap and EXPECT (JSON)

Frames of DIR/*.pcap are 1 ms apart; hdrlog reads them with
--handshake-timeout 0. Those of DIR/timed/ are seconds apart and are read
with the default timeouts (handshake 5 s, close delay 5 s), their frames
kept at least a second away from the 5 s marks (test_flow_diff --paced
replays them). EXPECT maps each file (relative to DIR) to the flow
records it must give, a list of {field: value} that each record must
match, in any order; for packets/ to the packet records.
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

    def __init__(self, cport=CPORT):
        self.frames, self.times, self.t = [], [], 0.0
        self.isn = {C: 1000, S: 5000}
        self.cport = cport

    def at(self, t):
        """The next frame comes t seconds after the first."""
        self.t = t
        return self

    def send(self, who, flags, seq=0, ack=0, data=b''):
        peer = S if who == C else C
        sport, dport = (self.cport, SPORT) if who == C else (SPORT, self.cport)
        abs_ack = self.isn[peer] + ack if flags & ACK else 0
        self.frames.append(tcp(who, peer, sport, dport, self.isn[who] + seq,
                               abs_ack, flags, data))
        self.times.append(self.t)
        self.t += 0.001
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
    # the last ACK counts: it comes within the close delay (Zeek's
    # tcp_close_delay keeps the connection 5 s after the FIN exchange)
    'sf': (Conn().handshake().send(C, PSH | ACK, 1, 1, D100).send(S, ACK, 1, 101)
           .send(S, PSH | ACK, 1, 101, D200).send(C, FIN | ACK, 101, 201)
           .send(S, FIN | ACK, 201, 102).send(C, ACK, 102, 202),
           [tcp_flow('SF', 'ShADadFf', end_reason='fin', **{
               'orig.payload_bytes': 100, 'resp.payload_bytes': 200,
               'orig.packets': 5, 'resp.packets': 4, 'orig.bytes': 300,
               'tcp.fin_by': 'both'})]),
    # both FINs cross on the wire; the responder's last ACK gives its 'a'
    'simultaneous_close': (Conn().handshake().send(C, FIN | ACK, 1, 1)
                           .send(S, FIN | ACK, 1, 1).send(C, ACK, 2, 2).send(S, ACK, 2, 2),
                           [tcp_flow('SF', 'ShAFfa', end_reason='fin', **{
                               'orig.packets': 4, 'resp.packets': 3})]),
    # the server closes first; the history ends with the server's final ACK
    # as Zeek's does (ShAdfFa), the ACK counted in packets and bytes
    'close_final_ack': (Conn().handshake().send(S, PSH | ACK, 1, 1, D100).send(C, ACK, 1, 101)
                        .send(S, FIN | ACK, 101, 1).send(C, FIN | ACK, 1, 102)
                        .send(S, ACK, 102, 2),
                        [tcp_flow('SF', 'ShAdfFa', end_reason='fin', **{
                            'orig.packets': 4, 'resp.packets': 4, 'orig.bytes': 160,
                            'resp.bytes': 260})]),
    # a RST after the FIN exchange: in the record (ShAadDfFr), and the
    # state stays SF (Zeek's UpdateClosedState: a RST after both FINs
    # changes no endpoint state)
    'close_then_rst': (Conn().handshake().send(S, ACK, 1, 1).send(S, PSH | ACK, 1, 1, D100)
                       .send(C, PSH | ACK, 1, 101, D200).send(S, FIN | ACK, 101, 201)
                       .send(C, FIN | ACK, 201, 102).send(S, RST, 102),
                       [tcp_flow('SF', 'ShAadDfFr', end_reason='fin', **{
                           'orig.packets': 4, 'resp.packets': 5,
                           'tcp.reset_by': 'responder'})]),
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


# Stories in time (DIR/timed/, the default 5 s timeouts). A connection
# refused three times, the client retrying the same SYN (same ISN) every
# 0.5 s: each SYN after the reset starts a new flow (Zeek's IsReuse: a SYN
# on a closed connection is a new connection), one REJ per attempt.
rej = Conn()
for i in range(3):
    rej.at(i * 0.5).send(C, SYN).send(S, RST | ACK, 0, 1)
# Only the client's side captured: SYN, the ACK and data of a handshake
# whose SYN-ACK went another way. The attempt timer (Zeek's
# tcp_attempt_delay, 5 s after the SYN) ends it as S0 with what was seen
# by then, although the client kept sending; what follows is a new flow.
one_side = Conn().send(C, SYN).send(C, ACK, 1, 1)
for t in (1, 2, 3):
    one_side.at(t).send(C, PSH | ACK, 1 + (t - 1) * 100, 1, D100)
for t in (7, 8):
    one_side.at(t).send(C, PSH | ACK, 1 + (t - 4) * 100, 1, D100)
one_side.at(9).send(C, FIN | ACK, 501, 1)
# a closed connection and a stray ACK of the client 7 s later: the record
# left 5 s after the close, with the final ACK; the stray one is a new flow
late = Conn(40001).handshake().send(C, FIN | ACK, 1, 1).send(S, FIN | ACK, 1, 2) \
    .send(C, ACK, 2, 2).at(7).send(C, ACK, 2, 2)
timed = {
    'rej_retried': (rej, [tcp_flow('REJ', 'Sr', end_reason='rst', **{
        'orig.packets': 1, 'resp.packets': 1})] * 3),
    'attempt_one_side': (one_side, [
        tcp_flow('S0', 'SAD', end_reason='handshake_timeout', **{
            'orig.packets': 5, 'orig.payload_bytes': 300, 'resp.packets': 0}),
        tcp_flow('SH', 'DF', end_reason='end_of_capture', originator_seen=False, **{
            'orig.packets': 3, 'orig.payload_bytes': 200})]),
    'after_close_delay': (late, [
        tcp_flow('SF', 'ShAFf', end_reason='fin', **{'orig.packets': 4, 'resp.packets': 2}),
        tcp_flow('OTH', 'A', end_reason='end_of_capture', **{'orig.packets': 1})]),
}

# IPv4 with options (IHL 15), a later fragment (MF, offset 1480), its
# capture cut after 24 bytes of IP header: the fixed header is whole, so
# DF/MF and the offset are still reported (RFC 791 section 3.1: the
# fragment fields are in the first 20 bytes)
opts_hdr = bytes([0x4f, 0, 0, 100]) + struct.pack('!HH', 7, 0x2000 | 185) + \
    bytes([64, 17, 0, 0]) + bytes([198, 18, 0, 1, 198, 18, 0, 2]) + b'\x01' * 40
packets = {
    'ipv4_options_cut': ([(eth(0x0800) + opts_hdr + b'x' * 40, 14 + 24)],
                         [{'hdrlog.ip.fragment': True, 'hdrlog.ip.mf': True, 'hdrlog.ip.df': False,
                           'hdrlog.ip.frag_offset': 1480, 'hdrlog.ip.options': True,
                           'hdrlog.truncated': 'ipv4_options'}]),
}


def write_cut_pcap(path, frames):
    """A pcap of (frame, captured bytes) pairs: each frame cut short."""
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, (frame, caplen) in enumerate(frames):
            f.write(struct.pack('<IIII', 1700000000, i, caplen, len(frame)) + frame[:caplen])


out = sys.argv[1]
for sub in ('timed', 'packets'):
    os.makedirs(os.path.join(out, sub), exist_ok=True)
expect = {}
for name, (story, want) in stories.items():
    frames = story.frames if isinstance(story, Conn) else story
    write_pcap(os.path.join(out, name + '.pcap'), [eth(0x0800) + f for f in frames])
    expect[name + '.pcap'] = want
for name, (story, want) in timed.items():
    write_pcap(os.path.join(out, 'timed', name + '.pcap'), [eth(0x0800) + f for f in story.frames],
               when=lambda i, ts=story.times: (1700000000 + int(ts[i]), round(ts[i] % 1 * 1e6)))
    expect['timed/' + name + '.pcap'] = want
for name, (frames, want) in packets.items():
    write_cut_pcap(os.path.join(out, 'packets', name + '.pcap'), frames)
    expect['packets/' + name + '.pcap'] = want
with open(sys.argv[2], 'w') as f:
    json.dump(expect, f, indent=1)
