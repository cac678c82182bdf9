#!/usr/bin/env python3
"""Checks web view API answers against docs/web.md.

    check_web_api.py [--doc docs/web.md] [--records OUT] ENDPOINT FILE...

ENDPOINT names a section of docs/web.md's API, as its heading has it
("/api/flows", "/api/flows/ID", "/api/http", "/api/topology",
"/api/status"). Each FILE is one JSON answer. Every key of the answer
must be documented in that section's table (nested keys as a.b, array
items as a[].b), with its type; keys whose presence is "always" must be
there. Values of type `record` are not looked into: with --records they
are appended to OUT, one JSON line each, for tests/lib/check_schema.py.
Prints "N answers valid" and exits 0, or each violation and exits 1.
"""
import argparse
import json
import os
import re
import sys

ROW_RE = re.compile(r'^\|\s*`([^`]+)`\s*\|\s*(\w+)\s*\|\s*(.*?)\s*\|')
HEAD_RE = re.compile(r'^### `GET (/api/[^`]+)`')
TYPES = {
    'string': str, 'boolean': bool, 'object': dict, 'array': list,
    'record': dict,
}


def sections(path):
    """{endpoint: {key: (type, always)}} from the doc's API tables."""
    out, current = {}, None
    for line in open(path, encoding='utf-8'):
        m = HEAD_RE.match(line)
        if m:
            current = {}
            # "### `GET /api/flows/ID` and `GET /api/flows/ID/timeline`"
            for ep in re.findall(r'`GET (/api/[^`]+)`', line):
                out[ep] = current
            continue
        if line.startswith('## '):
            current = None
        m = ROW_RE.match(line)
        if current is not None and m and m.group(1) != 'key':
            current[m.group(1)] = (m.group(2), m.group(3).strip() == 'always')
    return out


def type_ok(value, t):
    if t == 'integer':
        return isinstance(value, int) and not isinstance(value, bool)
    if t == 'number':
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, TYPES[t])


class Checker:
    def __init__(self, table, records):
        self.table, self.records, self.errors = table, records, 0

    def error(self, where, msg):
        print(f'{where}: {msg}')
        self.errors += 1

    def walk(self, where, path, value):
        # an array's object items need no row of their own
        if path and not (path.endswith('[]') and path not in self.table
                         and isinstance(value, dict)):
            if path not in self.table:
                self.error(where, f'{path}: not documented')
                return
            t, _ = self.table[path]
            if not type_ok(value, t):
                self.error(where, f'{path}: {type(value).__name__}, documented {t}')
                return
            if t == 'record':
                if self.records:
                    self.records.write(json.dumps(value) + '\n')
                return
        if isinstance(value, dict):
            prefix = f'{path}.' if path else ''
            for k, v in value.items():
                self.walk(where, prefix + k, v)
            self.required(where, path, value)
        elif isinstance(value, list):
            for v in value:
                self.walk(where, f'{path}[]', v)

    def required(self, where, path, obj):
        """The always keys directly under path are in obj."""
        prefix = f'{path}.' if path else ''
        for key, (_, always) in self.table.items():
            if not always or not key.startswith(prefix):
                continue
            rest = key[len(prefix):]
            if '.' in rest or '[' in rest:
                continue
            if rest not in obj:
                self.error(where, f'{key}: missing')


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--doc', default=os.path.join(here, '..', '..', 'docs', 'web.md'))
    ap.add_argument('--records')
    ap.add_argument('endpoint')
    ap.add_argument('files', nargs='+')
    args = ap.parse_args()
    table = sections(args.doc).get(args.endpoint)
    if not table:
        print(f'check_web_api: {args.endpoint} not in {args.doc}', file=sys.stderr)
        return 2
    records = open(args.records, 'a', encoding='utf-8') if args.records else None
    c = Checker(table, records)
    for f in args.files:
        try:
            c.walk(f, '', json.load(open(f, encoding='utf-8')))
        except (OSError, ValueError) as e:
            c.error(f, str(e))
    if c.errors:
        print(f'{c.errors} violations')
        return 1
    print(f'{len(args.files)} answers valid')
    return 0


if __name__ == '__main__':
    sys.exit(main())
