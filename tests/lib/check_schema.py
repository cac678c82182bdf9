#!/usr/bin/env python3
"""Validates hdrlog JSON output against docs/schema.md.

    check_schema.py [--schema docs/schema.md] FILE...    ('-' reads stdin)

Reads the schema's tables (see "How the tables are read" in docs/schema.md)
and checks every line of every FILE: one JSON object with no duplicate key,
a "timestamp" in RFC 3339 UTC form with nine fractional digits, a known
"hdrlog.record", only keys documented for that record kind, each with its
documented type, range and values, in the documented order, every "always"
key present; MAC and IP address forms (IPv6 in RFC 5952 form), ports
0-65535, and addresses of the family network.type names. Prints each
violation as FILE:LINE: message, exits 1 if there was any, else prints
"N lines valid" and exits 0. Empty files are valid.
A row of type `keys` with a key PREFIX.{GROUP} stands for every row of
the "### Keys of `{GROUP}`" table, each key written PREFIX.KEY.
Python 3 standard library only.
"""
import argparse
import ipaddress
import json
import os
import re
import sys

TYPES = {'string', 'integer', 'number', 'boolean', 'array', 'object'}
TIMESTAMP_RE = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$')
MAC_RE = re.compile(r'^[0-9a-f]{2}(:[0-9a-f]{2}){5}$')
ROW_RE = re.compile(r'^\|\s*`([^`]+)`\s*\|\s*(\w+)\s*\|\s*(.*?)\s*\|\s*(.*?)\s*\|\s*$')
VALUE_ROW_RE = re.compile(r'^\|\s*`([^`]+)`\s*\|\s*(.*?)\s*\|\s*$')
RANGE_RE = re.compile(r'\brange (\d+)-(\d+)\b')
U64_MAX = 2 ** 64 - 1

# Formats by key name, beyond the types the tables give.
MAC_KEYS = re.compile(r'(^hdrlog\.eth\.(src|dst)|_mac)$')
IP_KEYS = re.compile(r'(^(source|destination)\.address|_ip)$')
IPV4_ONLY_KEYS = re.compile(r'^hdrlog\.arp\..*_ip$')
PORT_KEYS = re.compile(r'^(source|destination)\.port$')


class Field:
    def __init__(self, key, type_, presence, meaning):
        self.key = key
        self.type = type_
        self.required = presence.strip().lower() == 'always'
        m = RANGE_RE.search(meaning)
        self.range = (int(m.group(1)), int(m.group(2))) if m else None


class Schema:
    def __init__(self, path):
        self.records = {}   # kind -> {key: Field}, in document order
        self.members = {}   # array key -> {member: Field}
        self.values = {}    # key -> set of allowed strings
        self.groups = {}    # '{GROUP}' -> {key: Field}
        self._parse(path)
        self._expand_groups(path)
        for kind, fields in self.records.items():
            if 'timestamp' not in fields or 'hdrlog.record' not in fields:
                raise ValueError(f'{path}: record {kind} lacks timestamp '
                                 'or hdrlog.record')
        if not self.records:
            raise ValueError(f'{path}: no "## Record `KIND`" table')

    def _parse(self, path):
        target = None  # the dict the next table rows go to
        values = None
        with open(path, encoding='utf-8') as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip('\n')
                if line.startswith('#'):
                    target = values = None
                    m = re.match(r'^#+\s+Record\s+`([^`]+)`', line)
                    if m:
                        target = self.records.setdefault(m.group(1), {})
                    m = re.match(r'^#+\s+Members of\s+`([^`]+)`', line)
                    if m:
                        target = self.members.setdefault(m.group(1), {})
                    m = re.match(r'^#+\s+Keys of\s+`(\{[^`]+\})`', line)
                    if m:
                        target = self.groups.setdefault(m.group(1), {})
                    m = re.match(r'^#+\s+Values of\s+`([^`]+)`', line)
                    if m:
                        values = self.values.setdefault(m.group(1), set())
                    continue
                if not line.startswith('|'):
                    continue
                if target is not None:
                    m = ROW_RE.match(line)
                    if not m:
                        continue  # header or separator row
                    key, type_, presence, meaning = m.groups()
                    if type_ not in TYPES and type_ != 'keys':
                        raise ValueError(f'{path}:{n}: type {type_!r} of '
                                         f'{key} is not one of {sorted(TYPES)}')
                    if key in target:
                        raise ValueError(f'{path}:{n}: {key} twice')
                    target[key] = Field(key, type_, presence, meaning)
                elif values is not None:
                    m = VALUE_ROW_RE.match(line)
                    if m:
                        values.add(m.group(1))


    def _expand_groups(self, path):
        """Rows of type `keys` become their group's rows, in place."""
        for kind, fields in self.records.items():
            out = {}
            for key, field in fields.items():
                if field.type != 'keys':
                    out[key] = field
                    continue
                m = re.match(r'^(.*)\.(\{[^}]+\})$', key)
                group = self.groups.get(m.group(2)) if m else None
                if group is None:
                    raise ValueError(f'{path}: {key}: no "Keys of" table')
                for sub, f in group.items():
                    out[f'{m.group(1)}.{sub}'] = Field(
                        f'{m.group(1)}.{sub}', f.type, 'when' if not
                        f.required else 'always', '')
                    out[f'{m.group(1)}.{sub}'].range = f.range
                    if sub in self.values:
                        self.values[f'{m.group(1)}.{sub}'] = self.values[sub]
            self.records[kind] = out


def no_duplicates(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise ValueError(f'duplicate key {k!r}')
        obj[k] = v
    return obj


def type_ok(value, type_):
    if type_ == 'string':
        return isinstance(value, str)
    if type_ == 'integer':
        # bool is an int in Python; JSON true is not an integer
        return isinstance(value, int) and not isinstance(value, bool)
    if type_ == 'number':
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if type_ == 'boolean':
        return isinstance(value, bool)
    if type_ == 'array':
        return isinstance(value, list)
    return isinstance(value, dict)


def rfc5952_forms(addr):
    """The RFC 5952 texts of an IPv6 address: the compressed form, and for
    IPv4-mapped and IPv4-compatible addresses the mixed form (section 5)
    that glibc's inet_ntop() writes."""
    forms = {addr.compressed}
    packed = addr.packed
    v4 = ipaddress.IPv4Address(packed[12:])
    if packed[:12] == b'\0' * 10 + b'\xff\xff':
        forms.add(f'::ffff:{v4}')
    elif packed[:12] == b'\0' * 12 and packed[12:14] != b'\0\0':
        forms.add(f'::{v4}')
    return forms


def check_ip(value, version):
    """Returns an error message or None."""
    try:
        addr = ipaddress.ip_address(value)
    except ValueError:
        return f'not an IP address: {value!r}'
    if version and addr.version != version:
        return f'IPv{addr.version} address {value!r} where IPv{version} expected'
    if addr.version == 4:
        if str(addr) != value:
            return f'not in dotted-quad form: {value!r}'
    elif value not in rfc5952_forms(addr):
        return f'IPv6 address {value!r} not in RFC 5952 form ' \
               f'({addr.compressed!r})'
    return None


class Checker:
    def __init__(self, schema):
        self.schema = schema
        self.errors = 0
        self.lines = 0

    def error(self, where, msg):
        self.errors += 1
        print(f'{where}: {msg}')

    def check_value(self, where, name, field, value):
        """name: how messages call the value; field.key finds its
        documented values and members."""
        key = field.key
        if not type_ok(value, field.type):
            self.error(where, f'{name}: {type(value).__name__} '
                       f'{json.dumps(value)[:60]}, expected {field.type}')
            return
        if field.type == 'integer':
            lo, hi = field.range or (0, U64_MAX)
            if not lo <= value <= hi:
                self.error(where, f'{name}: {value} outside {lo}-{hi}')
        allowed = self.schema.values.get(key)
        if field.type == 'string' and allowed is not None \
                and value not in allowed:
            self.error(where, f'{name}: {value!r} is not one of the documented '
                       f'values {sorted(allowed)}')
        if field.type == 'array':
            members = self.schema.members.get(key)
            for i, item in enumerate(value):
                if members is not None:
                    self.check_object(where, f'{name}[{i}]', members, item)
                elif not isinstance(item, str):
                    self.error(where, f'{name}[{i}]: {type(item).__name__}, '
                               'expected string')
                elif allowed is not None and item not in allowed:
                    self.error(where, f'{name}[{i}]: {item!r} is not one of '
                               f'the documented values {sorted(allowed)}')

    def check_object(self, where, name, fields, obj):
        """name: the object's name in messages; '' for a whole record."""
        prefix = f'{name}.' if name else ''
        if not isinstance(obj, dict):
            self.error(where, f'{name}: {type(obj).__name__}, expected object')
            return
        order = list(fields)
        last = -1
        for key, value in obj.items():
            field = fields.get(key)
            if field is None:
                self.error(where, f"undocumented key '{prefix}{key}'")
                continue
            self.check_value(where, prefix + key, field, value)
            # keys come in the tables' order (docs/schema.md, Conventions)
            if order.index(key) < last:
                self.error(where, f"key '{prefix}{key}' out of the "
                           "documented order")
            last = max(last, order.index(key))
        for key, field in fields.items():
            if field.required and key not in obj:
                self.error(where, f"required key '{prefix}{key}' missing")

    def check_formats(self, where, rec, fields):
        """Address forms, and ports even if the schema lost their range;
        values of the wrong type were reported already."""
        families = {'ipv4': 4, 'ipv6': 6}
        version = families.get(rec.get('network.type'))
        # a tunnel's outer addresses have the outer family
        outer = families.get(rec.get('hdrlog.tunnel.network.type'))
        for key, value in rec.items():
            if PORT_KEYS.match(key):
                if type_ok(value, 'integer') and not 0 <= value <= 65535 \
                        and key in fields and not fields[key].range:
                    self.error(where, f'{key}: {value} is not a port')
                continue
            if not isinstance(value, str):
                continue
            if MAC_KEYS.search(key) and not MAC_RE.match(value):
                self.error(where, f'{key}: {value!r} is not a lower-case '
                           'colon-separated MAC address')
            elif IP_KEYS.search(key):
                want = 4 if IPV4_ONLY_KEYS.match(key) else \
                    outer if key.startswith('hdrlog.tunnel.') else version
                msg = check_ip(value, want)
                if msg:
                    self.error(where, f'{key}: {msg}')

    def check_line(self, where, line):
        self.lines += 1
        try:
            rec = json.loads(line, object_pairs_hook=no_duplicates)
        except ValueError as e:
            self.error(where, f'not valid JSON: {e}')
            return
        if not isinstance(rec, dict):
            self.error(where, f'a JSON {type(rec).__name__}, not an object')
            return
        ts = rec.get('timestamp')
        if not isinstance(ts, str) or not TIMESTAMP_RE.match(ts):
            self.error(where, f'timestamp {ts!r} is not RFC 3339 UTC with '
                       'nine fractional digits')
        kind = rec.get('hdrlog.record')
        fields = self.schema.records.get(kind) if isinstance(kind, str) \
            else None
        if fields is None:
            self.error(where, f'hdrlog.record {kind!r} is not one of '
                       f'{sorted(self.schema.records)}')
            return
        self.check_object(where, '', fields, rec)
        if kind == 'packet':
            self.check_formats(where, rec, fields)

    def check_file(self, path):
        name = '<stdin>' if path == '-' else path
        f = sys.stdin.buffer if path == '-' else open(path, 'rb')
        try:
            for n, raw in enumerate(f, 1):
                where = f'{name}:{n}'
                if not raw.endswith(b'\n'):
                    self.error(where, 'last line has no newline')
                try:
                    line = raw.decode('utf-8')
                except UnicodeDecodeError as e:
                    self.error(where, f'not valid UTF-8: {e}')
                    continue
                self.check_line(where, line.rstrip('\n'))
        finally:
            if f is not sys.stdin.buffer:
                f.close()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--schema', default=os.path.join(here, '..', '..', 'docs',
                                                     'schema.md'))
    ap.add_argument('files', nargs='+', metavar='FILE')
    args = ap.parse_args()
    try:
        schema = Schema(args.schema)
    except (OSError, ValueError) as e:
        print(f'check_schema: {e}', file=sys.stderr)
        return 2
    checker = Checker(schema)
    for path in args.files:
        try:
            checker.check_file(path)
        except OSError as e:
            checker.error(path, str(e))
    if checker.errors:
        print(f'{checker.errors} violations in {checker.lines} lines')
        return 1
    print(f'{checker.lines} lines valid')
    return 0


if __name__ == '__main__':
    sys.exit(main())
