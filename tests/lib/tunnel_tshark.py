#!/usr/bin/env python3
"""Compares the tunnels hdrlog opens with tshark's dissection of a capture.

    tunnel_tshark.py CAPTURE HDRLOG_JSON

For every packet record: when tshark finds a VXLAN, Geneve or GRE header
(its vni or key) hdrlog must have opened the same tunnel with the same id
(or say the frame was cut); for every tunnel hdrlog opened, the outer
addresses must be tshark's first IP header's, the inner addresses and
ports its last ones. Prints the counts; exits 1 on any mismatch.
Python 3 standard library and tshark only.
"""
import json
import subprocess
import sys

FIELDS = ['frame.number', 'frame.protocols', 'vxlan.flags', 'eth.type', 'vxlan.vni', 'geneve.vni', 'gre.key', 'gre.proto',
          'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.srcport',
          'tcp.dstport', 'udp.srcport', 'udp.dstport']


def tshark(path, occurrence):
    # Linux's VXLAN port, as hdrlog takes it by default
    cmd = ['tshark', '-n', '-r', path, '-d', 'udp.port==8472,vxlan',
           '-T', 'fields', '-E', 'separator=\t',
           '-E', 'occurrence=' + occurrence]
    for f in FIELDS:
        cmd += ['-e', f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rows = {}
    for line in out.splitlines():
        vals = line.split('\t')
        rows[int(vals[0])] = dict(zip(FIELDS, vals))
    return rows


def tshark_tunnel(row):
    """(type, id) tshark sees, or None."""
    if row['vxlan.vni']:
        return 'vxlan', int(row['vxlan.vni'])
    if row['geneve.vni']:
        return 'geneve', int(row['geneve.vni'], 0)
    if row['gre.proto'] and int(row['gre.proto'], 0) in (0x0800, 0x86dd, 0x6558):
        return 'gre', int(row['gre.key'], 0) if row['gre.key'] else None
    protos = row['frame.protocols'].split(':')
    for outer, inner in zip(protos, protos[1:]):
        if outer in ('ip', 'ipv6') and inner in ('ip', 'ipv6'):
            return IP_IN_IP[outer, inner], None
    return None


IP_IN_IP = {('ip', 'ip'): 'ipip', ('ip', 'ipv6'): 'sit',
            ('ipv6', 'ipv6'): 'ip6ip6', ('ipv6', 'ip'): 'ip4ip6'}


def compare(rec, first, last, bad):
    fam = 'ipv6' if rec['hdrlog.tunnel.network.type'] == 'ipv6' else 'ip'
    checks = [('hdrlog.tunnel.source_ip', first[fam + '.src']),
              ('hdrlog.tunnel.destination_ip', first[fam + '.dst'])]
    if 'network.type' in rec:
        fam = 'ipv6' if rec['network.type'] == 'ipv6' else 'ip'
        checks += [('source.address', last[fam + '.src']),
                   ('destination.address', last[fam + '.dst'])]
    l4 = rec.get('network.transport')
    if l4 in ('tcp', 'udp') and 'source.port' in rec:
        checks += [('source.port', last[l4 + '.srcport']),
                   ('destination.port', last[l4 + '.dstport'])]
    for key, want in checks:
        if str(rec.get(key)) != want:
            bad.append(f"frame {rec['hdrlog.frame']}: {key} {rec.get(key)}, "
                       f"tshark {want!r}")


def main():
    path, records = sys.argv[1], sys.argv[2]
    first, last = tshark(path, 'f'), tshark(path, 'l')
    bad, opened, compared, skipped = [], 0, 0, {}
    with open(records) as f:
        for line in f:
            rec = json.loads(line)
            if rec.get('hdrlog.record') != 'packet':
                continue
            n = rec['hdrlog.frame']
            want = tshark_tunnel(first[n])
            have = rec.get('hdrlog.tunnel.type')
            if have:
                opened += 1
            why = None
            if want and not have and first[n]['udp.dstport'] == '4790':
                why = 'VXLAN-GPE (not opened)'
            elif want and not have and want[0] == 'vxlan' and \
                    not int(first[n]['vxlan.flags'] or '0', 0) & 0x0800:
                why = 'VXLAN without the I flag (not opened)'
            elif want and not have and want[0] in ('vxlan', 'geneve') and \
                    last[n]['eth.type'] not in ('0x0800', '0x86dd', '0x0806'):
                why = 'carries neither IP nor ARP (not opened)'
            elif have and not want and \
                    first[n]['frame.protocols'].endswith((':ip', ':ipv6', ':udp')):
                why = 'tshark stops at the outer header (BIG TCP lengths)'
            if why:
                skipped[why] = skipped.get(why, 0) + 1
                continue
            if want and not have and 'hdrlog.truncated' not in rec:
                bad.append(f'frame {n}: tshark sees {want[0]}, hdrlog no tunnel')
                continue
            if not have:
                continue
            if not want or want[0] != have or \
                    (want[1] is not None and want[1] != rec.get('hdrlog.tunnel.id')):
                bad.append(f'frame {n}: hdrlog {have} '
                           f"{rec.get('hdrlog.tunnel.id')}, tshark {want}")
                continue
            compare(rec, first[n], last[n], bad)
            compared += 1
    for b in bad[:20]:
        print('MISMATCH', b)
    print(f'{path}: {opened} tunnelled packets, {compared} compared with '
          f'tshark, {len(bad)} mismatches; not compared: {skipped}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
