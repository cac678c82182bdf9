#!/usr/bin/env python3
"""Writes crafted HTTP captures, one class of wire behaviour each, and the
http records hdrlog -r --http must make of them (tests/e2e/test_http_classes.sh).

    http_pcaps.py DIR EXPECT   writes DIR/<name>.pcap and EXPECT (JSON)

EXPECT maps each file to {"records": [...], "flow": {...}}: records is a
list of {field: value} that the http records must match one to one, in
order (a value of null: the field is absent); flow holds fields the flow
record of the capture's first connection must have. Each story cites the
rule it checks.
"""
import json
import os
import struct
import sys

from pcapgen import eth, ipv4, write_pcap

C, S = '198.18.0.1', '198.18.0.2'
SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10


def tcp(src, dst, sport, dport, seq, ack, flags, data=b''):
    hdr = struct.pack('!HHIIBBHHH', sport, dport, seq & 0xffffffff,
                      ack & 0xffffffff, 5 << 4, flags, 65535, 0, 0)
    return ipv4(src, dst, 6, hdr + data)


class Conn:
    """A TCP connection C:cport -> S:80 whose frames go to a shared list;
    each side's sequence numbers advance with what it sends."""

    def __init__(self, frames, cport):
        self.frames, self.cport = frames, cport
        self.next = {C: 1001, S: 5001}

    def send(self, who, data=b'', flags=ACK | PSH):
        peer = S if who == C else C
        sport, dport = (self.cport, 80) if who == C else (80, self.cport)
        self.frames.append(eth(0x0800) + tcp(who, peer, sport, dport, self.next[who],
                                             self.next[peer], flags, data))
        self.next[who] += len(data) + (1 if flags & (SYN | FIN) else 0)
        return self

    def open(self):
        self.frames.append(eth(0x0800) + tcp(C, S, self.cport, 80, 1000, 0, SYN))
        self.frames.append(eth(0x0800) + tcp(S, C, 80, self.cport, 5000, 1001, SYN | ACK))
        return self.send(C, flags=ACK)

    def close(self):
        """FIN from the server, then the client, each acknowledged."""
        self.send(S, flags=FIN | ACK).send(C, flags=FIN | ACK)
        return self.send(S, flags=ACK)


STORIES = {}


def story(fn):
    STORIES[fn.__name__] = fn
    return fn


@story
def obs_fold(frames):
    """RFC 9112 5.2: a field value folded onto the next line (obs-fold) is
    one value, the fold a space: Transfer-Encoding still frames a chunked
    body, and the request after it is read in step."""
    c = Conn(frames, 40001).open()
    c.send(C, b'GET /folded HTTP/1.1\r\nHost: h\r\nUser-Agent: agent\r\n\tversion/2\r\n\r\n')
    c.send(S, b'HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n chunked\r\n\r\n'
              b'5\r\nhello\r\n0\r\n\r\n')
    c.send(C, b'GET /next HTTP/1.1\r\nHost: h\r\n\r\n')
    c.send(S, b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
    c.close()
    return {'records': [
        {'url.path': '/folded', 'user_agent.original': 'agent version/2',
         'http.response.status_code': 200, 'http.response.body.size': 5,
         'hdrlog.http.outcome': 'complete', 'hdrlog.http.response.error': None},
        {'url.path': '/next', 'http.response.body.size': 2,
         'hdrlog.http.outcome': 'complete', 'hdrlog.http.request.error': None},
    ]}


@story
def extension_methods(frames):
    """RFC 9110 9.1: any token is a method. The connection starts with
    QUERY (found by its request line, RFC 9112 3), bodies framed as for
    any method; the flow counts them under "other"."""
    c = Conn(frames, 40002).open()
    c.send(C, b'QUERY /search?q=1 HTTP/1.1\r\nHost: dav.example\r\n'
              b'Content-Type: application/sql\r\nContent-Length: 8\r\n\r\nselect 1')
    c.send(S, b'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nrow')
    c.send(C, b'PROPFIND /dav/ HTTP/1.1\r\nHost: dav.example\r\nDepth: 1\r\n\r\n')
    c.send(S, b'HTTP/1.1 207 Multi-Status\r\nContent-Length: 4\r\n\r\n<ms>')
    c.send(C, b'CCM_POST /ccm HTTP/1.1\r\nHost: dav.example\r\nContent-Length: 2\r\n\r\nhi')
    c.send(S, b'HTTP/1.1 204 No Content\r\n\r\n')
    c.close()
    return {'records': [
        {'http.request.method': 'QUERY', 'url.path': '/search', 'url.query': 'q=1',
         'server.address': 'dav.example', 'http.request.body.size': 8,
         'http.response.body.size': 3, 'hdrlog.http.outcome': 'complete'},
        {'http.request.method': 'PROPFIND', 'url.path': '/dav/',
         'http.response.status_code': 207, 'http.response.body.size': 4},
        {'http.request.method': 'CCM_POST', 'http.request.body.size': 2,
         'http.response.status_code': 204},
    ], 'flow': {'hdrlog.flow.http.request_starts': 3, 'hdrlog.flow.http.method.other': 3,
                'hdrlog.flow.http_transactions': 3}}


def bad_line(frames, port, line):
    c = Conn(frames, port).open()
    c.send(C, line + b'\r\nHost: www.example.org\r\nUser-Agent: probe/1.0\r\n\r\n')
    c.send(S, b'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
    c.close()


@story
def bad_request_line(frames):
    """RFC 9112 3: a request line that is not METHOD SP target SP version
    is an error, but the header fields after it are still fields (as Zeek
    and Suricata log them): Host and User-Agent are logged, the error
    marked."""
    bad_line(frames, 40003, b'GET / HTTP/1.')
    bad_line(frames, 40004, b'OPTIONS HTTP/1.1')
    bad_line(frames, 40005, b'GET  HTTP/1.1')
    common = {'server.address': 'www.example.org', 'user_agent.original': 'probe/1.0',
              'http.response.status_code': 400, 'hdrlog.http.outcome': 'complete'}
    return {'records': [
        dict(common, **{'http.request.method': 'GET', 'url.path': '/',
                        'hdrlog.http.request.error': 'version'}),
        dict(common, **{'http.request.method': 'OPTIONS',
                        'hdrlog.http.request.error': 'request_line'}),
        dict(common, **{'http.request.method': 'GET',
                        'hdrlog.http.request.error': 'request_line'}),
    ]}


@story
def http09(frames):
    """RFC 1945 4.1: a Simple-Request is "GET" SP Request-URI CRLF, and its
    Simple-Response is the entity body alone, ended by the close. Then a
    head that never ends (no blank line before the close): truncated, but
    every byte was seen, so no gap."""
    c = Conn(frames, 40006).open()
    c.send(C, b'GET /old/page.html\r\n')
    c.send(S, b'<html>old</html>\n')
    c.send(S, b'<p>more</p>\n')
    c.close()
    c = Conn(frames, 40007).open()
    c.send(C, b'GET /never HTTP/1.1\r\nHost: h\r\n')
    c.send(C, flags=FIN | ACK).send(S, flags=FIN | ACK).send(C, flags=ACK)
    return {'records': [
        {'http.request.method': 'GET', 'url.path': '/old/page.html',
         'network.protocol.version': '0.9', 'http.response.status_code': None,
         'http.response.body.size': 29, 'hdrlog.http.outcome': 'complete',
         'hdrlog.http.request.error': None, 'hdrlog.http.response.gap': None},
        {'url.path': '/never', 'server.address': 'h', 'hdrlog.http.request.truncated': True,
         'hdrlog.http.request.gap': None, 'hdrlog.http.outcome': 'no_response'},
    ]}


@story
def unexpected_response_bytes(frames):
    """RFC 9112 6.3: after a complete response, a server's next bytes must
    start a status line. Bytes that do not (more than Content-Length
    said, even ones that look like a request) are no transaction: they
    are counted on the transaction they followed."""
    c = Conn(frames, 40008).open()
    c.send(C, b'GET /a HTTP/1.1\r\nHost: h\r\n\r\n')
    c.send(S, b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA')  # 5 extra
    c.send(S, b'GET /evil HTTP/1.1\r\nHost: x\r\n\r\n')  # 31 bytes
    c.send(C, b'GET /b HTTP/1.1\r\nHost: h\r\n\r\n')
    c.send(S, b'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nk')
    c.close()
    return {'records': [
        {'url.path': '/a', 'source.address': C, 'http.response.body.size': 2,
         'hdrlog.http.response.unexpected_bytes': 36, 'hdrlog.http.outcome': 'complete'},
        {'url.path': '/b', 'source.address': C, 'http.response.body.size': 1,
         'hdrlog.http.response.unexpected_bytes': None, 'hdrlog.http.outcome': 'complete'},
    ]}


@story
def framing_limits(frames):
    """RFC 9110 8.6: Content-Length is any 1*DIGIT: 2^64 - 1 is valid (the
    body runs on until the close here), 2^64 is not a number hdrlog can
    count (content_length error). RFC 9112 7.1: a chunk size past 64 bits
    is a chunk_size error."""
    c = Conn(frames, 40009).open()
    c.send(C, b'GET /huge HTTP/1.1\r\nHost: h\r\n\r\n')
    c.send(S, b'HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\nabcdef')
    c.close()
    c = Conn(frames, 40010).open()
    c.send(C, b'GET /over HTTP/1.1\r\nHost: h\r\n\r\n')
    c.send(S, b'HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\nabc')
    c.close()
    c = Conn(frames, 40011).open()
    c.send(C, b'GET /chunk HTTP/1.1\r\nHost: h\r\n\r\n')
    c.send(S, b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'
              b'FFFFFFFFFFFFFFFF\r\nabc')
    c.close()
    c = Conn(frames, 40012).open()
    c.send(C, b'GET /chunk2 HTTP/1.1\r\nHost: h\r\n\r\n')
    c.send(S, b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'
              b'10000000000000000\r\nabc')
    c.close()
    return {'records': [
        {'url.path': '/huge', 'http.response.header.content-length': 18446744073709551615,
         'http.response.body.size': 6, 'hdrlog.http.response.error': None,
         'hdrlog.http.outcome': 'incomplete'},
        {'url.path': '/over', 'http.response.header.content-length': None,
         'hdrlog.http.response.error': 'content_length'},
        {'url.path': '/chunk', 'http.response.body.size': 3,
         'hdrlog.http.response.error': None, 'hdrlog.http.outcome': 'incomplete'},
        {'url.path': '/chunk2', 'hdrlog.http.response.error': 'chunk_size'},
    ]}


def main():
    out, expect_path = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    expect = {}
    for name, fn in STORIES.items():
        frames = []
        expect[name + '.pcap'] = fn(frames)
        write_pcap(os.path.join(out, name + '.pcap'), frames)
    with open(expect_path, 'w') as f:
        json.dump(expect, f, indent=1)


if __name__ == '__main__':
    main()
