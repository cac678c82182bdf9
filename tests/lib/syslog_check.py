#!/usr/bin/env python3
"""Compares what rsyslog wrote (tests/lib/rsyslog.sh's "PRI APP-NAME PROCID
MSGID HOSTNAME MSG" lines) with the records hdrlog wrote, for
tests/e2e/test_syslog.sh.

    syslog_check.py exact OUT LOG HOST   LOG holds every line of OUT as MSG,
        in order, once, with APP-NAME hdrlog, MSGID its kind, HOSTNAME HOST,
        PRI local0.info (134), local0.warning (132) for anomaly records
    syslog_check.py subset OUT LOG SENT  every MSG of LOG is a line of OUT,
        none twice; prints how many; fails when fewer than SENT arrived
        (minus SLACK from the environment: UDP's datagrams in flight)
"""
import json
import os
import sys


def parse(log):
    out = []
    for line in open(log, encoding='utf-8', errors='replace'):
        pri, app, procid, msgid, host, msg = line.rstrip('\n').split(' ', 5)
        out.append((int(pri), app, procid, msgid, host, msg))
    return out


def exact(out, log, host):
    written = open(out).read().splitlines()
    got = parse(log)
    assert len(got) == len(written), f'{log}: {len(got)} messages, {len(written)} written'
    for i, ((pri, app, procid, msgid, h, msg), line) in enumerate(zip(got, written)):
        kind = json.loads(line)['hdrlog.record']
        assert msg == line, f'{log}:{i + 1}: MSG differs from line {i + 1} written'
        assert (app, msgid, h) == ('hdrlog', kind, host), \
            f'{log}:{i + 1}: APP-NAME {app} MSGID {msgid} HOSTNAME {h}'
        assert procid.isdigit(), f'{log}:{i + 1}: PROCID {procid}'
        assert pri == (132 if kind == 'anomaly' else 134), f'{log}:{i + 1}: PRI {pri}'
    print(f'{log}: all {len(written)} records, in order, headers right')


def subset(out, log, sent):
    written = set(open(out).read().splitlines())
    msgs = [m[5] for m in parse(log)]
    assert len(set(msgs)) == len(msgs), f'{log}: duplicates'
    stray = [m for m in msgs if m not in written]
    assert not stray, f'{log}: not written: {stray[0][:100]}'
    # SLACK: records that may be lost unseen, a count or a percentage of
    # sent (UDP: datagrams still in rsyslog's socket buffer when it stops
    # are gone, and no sender can know; how many depends on the load).
    slack = os.environ.get('SLACK', '0')
    slack = sent * int(slack[:-1]) // 100 if slack.endswith('%') else int(slack)
    assert len(msgs) >= sent - slack, f'{log}: {len(msgs)} arrived, {sent} counted as sent'
    print(len(msgs))


if sys.argv[1] == 'exact':
    exact(*sys.argv[2:5])
else:
    subset(sys.argv[2], sys.argv[3], int(sys.argv[4]))
