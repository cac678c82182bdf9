#!/usr/bin/env python3
"""Checks that live and offline http records are the same transactions,
field for field, times aside and who is talking aside (a capture file
cannot know: docs/schema.md).

usage: http_live_offline.py LIVE.json OFFLINE.json [--live-names-process]
--live-names-process: at least one live record must name its client's
process (attribution worked)."""
import json
import re
import sys

WHO = re.compile(r'^(host\.name|(source|destination)\.(process|container|k8s|hdrlog)\..*)$')
TIMES = ('timestamp', 'hdrlog.http.time_to_first_byte_ns', 'hdrlog.http.duration_ns')


def load(path, processes):
    out = []
    for line in open(path):
        r = json.loads(line)
        for k in TIMES:
            r.pop(k, None)
        if 'source.process.pid' in r:
            processes.append(r['source.process.executable.name'])
        out.append(json.dumps({k: v for k, v in r.items() if not WHO.match(k)}, sort_keys=True))
    return sorted(out)


def main():
    processes = []
    live = load(sys.argv[1], processes)
    off = load(sys.argv[2], [])
    if '--live-names-process' in sys.argv[3:] and not processes:
        sys.exit('no live record names its client process')
    if live != off:
        for a, b in zip(live, off):
            if a != b:
                print('live   ', a)
                print('offline', b)
        if len(live) != len(off):
            print(f'{len(live)} live records, {len(off)} offline')
        sys.exit(1)
    print(f'{len(live)} live records equal the offline ones')


main()
