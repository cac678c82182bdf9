#!/usr/bin/env python3
"""A stand-in for Grafana Loki's push API, for tests/e2e/test_loki.sh.

Debian 12 ships no Grafana Loki (its "loki" package is a pedigree-analysis
program), so the test runs this instead. It checks each request the way
Loki's push handler does for JSON bodies (docs: "POST /loki/api/v1/push"):
Content-Type application/json, optional Content-Encoding gzip, a body
{"streams": [{"stream": {label: value}, "values": [["<ns>", "<line>"]]}]}
with valid label names, timestamps as decimal nanosecond strings, and
answers 204; anything else gets 400 with the reason. Every accepted entry
is appended to OUT as one JSON line {"labels", "ts", "line"}; GET /ready
answers 200 like Loki's readiness probe.

    loki_stub.py PORT OUT   (listens on 127.0.0.1:PORT)

LOKI_STUB_ACCEPT_ONLY=1 answers 204 without decoding or storing anything
(bench/loki_push.sh uses it to measure hdrlog's side alone).
LOKI_STUB_ANSWERS=503,429 answers the first pushes with these statuses
(and stores nothing from them), then as usual; LOKI_STUB_ANSWERS=400*
answers 400 to every push.
"""
import gzip
import json
import os
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACCEPT_ONLY = os.environ.get('LOKI_STUB_ACCEPT_ONLY') == '1'
ANSWERS = [a for a in os.environ.get('LOKI_STUB_ANSWERS', '').split(',') if a]
LABEL = re.compile(r'^[a-zA-Z_][a-zA-Z0-9_]*$')


def validate(body):
    doc = json.loads(body)
    streams = doc['streams']
    assert isinstance(streams, list) and streams, 'streams: a non-empty list'
    for st in streams:
        labels = st['stream']
        assert isinstance(labels, dict) and labels, 'stream: a label set'
        for k, v in labels.items():
            assert LABEL.match(k), f'label name {k!r}'
            assert isinstance(v, str) and v, f'label {k} value {v!r}'
        assert isinstance(st['values'], list) and st['values'], 'values'
        for entry in st['values']:
            assert isinstance(entry, list) and len(entry) == 2, 'entry pair'
            ts, line = entry
            assert isinstance(ts, str) and ts.isdigit(), f'timestamp {ts!r}'
            assert isinstance(line, str), 'line: a string'
    return streams


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'  # keep-alive, as Loki does

    def answer(self, code, text=b''):
        self.send_response(code)
        self.send_header('Content-Length', str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    def do_GET(self):
        if self.path == '/ready':
            self.answer(200, b'ready\n')
        else:
            self.answer(404)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        if self.path != '/loki/api/v1/push':
            return self.answer(404)
        if ACCEPT_ONLY:  # benchmarks: hdrlog's own push rate
            return self.answer(204)
        with self.server.out_lock:
            forced = ANSWERS[0] if ANSWERS else None
            if forced and not forced.endswith('*'):
                ANSWERS.pop(0)
        if forced:
            return self.answer(int(forced.rstrip('*')), b'stub: forced answer\n')
        try:
            ctype = self.headers.get('Content-Type', '')
            assert ctype.startswith('application/json'), f'Content-Type {ctype!r}'
            enc = self.headers.get('Content-Encoding', '')
            assert enc in ('', 'gzip'), f'Content-Encoding {enc!r}'
            if enc == 'gzip':
                body = gzip.decompress(body)
            streams = validate(body)
        except Exception as e:  # noqa: BLE001 - any failure is a 400
            return self.answer(400, f'bad push: {e}\n'.encode())
        with self.server.out_lock:
            for st in streams:
                for ts, line in st['values']:
                    self.server.out.write(json.dumps(
                        {'labels': st['stream'], 'ts': ts, 'line': line,
                         'gzip': enc == 'gzip'}) + '\n')
            self.server.out.flush()
        self.answer(204)

    def log_message(self, *args):
        pass


def main():
    import threading
    port, path = int(sys.argv[1]), sys.argv[2]
    srv = ThreadingHTTPServer(('127.0.0.1', port), Handler)
    srv.out = open(path, 'a', encoding='utf-8')
    srv.out_lock = threading.Lock()
    srv.serve_forever()


if __name__ == '__main__':
    main()
