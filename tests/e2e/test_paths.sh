#!/usr/bin/env bash
# One request followed through a router doing masquerade: a client
# namespace, a veth to a router namespace (nftables masquerade on its way
# out), a veth to a server namespace with nginx. hdrlog --paths --http on
# both router interfaces (inside the router namespace), tcpdump on each.
# One curl must give one path record of two hops, the NAT'd tuples joined
# by their sequence numbers, hop times >= 0 and adding up to the
# handshake round trip, both hops' HTTP times, and a topology record of
# the edge; the two captures read together (-r r0=A -r r1=B) must give
# the same. Needs root.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/netns.sh
require_root
for t in nginx curl tcpdump nft python3; do
	command -v "$t" >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done
HDRLOG=${HDRLOG:-$PWD/build/hdrlog}
. tests/lib/http.sh
. tests/lib/router.sh
tmp=$(mktemp -d)
cleanup() {
	router_cleanup
	[ -n "${KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*"; exit 1; }

router_setup || fail "namespaces, veths, masquerade"
router_nginx_start

for i in 0 1; do
	ip netns exec "$NS_R" tcpdump --immediate-mode -i r$i -s 0 -U -w "$tmp/r$i.pcap" tcp port $PORT \
		>"$tmp/tcpdump$i.out" 2>&1 &
	track_pid $!
	eval "tcpdump${i}_pid=$!"
done
ip netns exec "$NS_R" "$HDRLOG" -i r0 -i r1 --paths --http >"$tmp/live.json" 2>"$tmp/err" &
hdrlog_pid=$!
track_pid $hdrlog_pid
for i in 0 1; do
	wait_for "$tmp/tcpdump$i.out" 30 "listening on" || fail "tcpdump on r$i did not start"
done
wait_for "$tmp/err" 30 "listening on" || { cat "$tmp/err"; fail "hdrlog did not start"; }

timeout 10 ip netns exec "$NS_C" curl -s -o /dev/null "http://$IP_S:$PORT/small.html" || fail "curl through the router"
sleep 0.5
stop_pid $tcpdump0_pid TERM 5
stop_pid $tcpdump1_pid TERM 5
stop_pid $hdrlog_pid INT 15 || { cat "$tmp/err"; fail "hdrlog exit status"; }
"$HDRLOG" -r r0="$tmp/r0.pcap" -r r1="$tmp/r1.pcap" --paths --http \
	>"$tmp/offline.json" 2>"$tmp/offline.err" || { cat "$tmp/offline.err"; fail "offline run"; }

for f in live offline; do
	python3 tests/lib/check_schema.py "$tmp/$f.json" >"$tmp/schema.out" ||
		{ tail -5 "$tmp/schema.out"; fail "$f: schema"; }
done

python3 - "$tmp/live.json" "$tmp/offline.json" $IP_C $IP_R1 $IP_S $PORT <<'PY' || fail "path records"
import json, sys
live, offline, ip_c, ip_r1, ip_s, port = sys.argv[1:7]
port = int(port)

def records(path, kind):
    return [r for r in map(json.loads, open(path))
            if r['hdrlog.record'] == kind and r.get('destination.port') == port]

def check(path, want_dir):
    paths = records(path, 'path')
    assert len(paths) == 1, f'{path}: {len(paths)} path records, want 1'
    p = paths[0]
    assert p['hdrlog.path.hop_count'] == 2, p
    assert p['hdrlog.path.join'] == 'tcp_isn', p
    assert p['hdrlog.path.nat'] is True, p
    assert (p['source.address'], p['destination.address']) == (ip_c, ip_s), p
    h1, h2 = p['hdrlog.path.hops']
    assert (h1['network.interface.name'], h2['network.interface.name']) == ('r0', 'r1'), p
    # the NAT'd tuples: the client's on r0, the router's own address on r1
    assert h1['source.address'] == ip_c and h2['source.address'] == ip_r1, p
    assert h1['destination.address'] == h2['destination.address'] == ip_s, p
    assert h1['network.community_id'] != h2['network.community_id'], p
    if want_dir:
        assert (h1['network.io.direction'], h2['network.io.direction']) == \
            ('receive', 'transmit'), p
    # the times: >= 0, and hop by hop they add up to the round trip
    assert h1['t_ns'] == 0 and h2['t_ns'] >= 0, p
    rtt1, rtt2 = h1['syn_to_synack_ns'], h2['syn_to_synack_ns']
    d_syn, d_synack = h2['syn_from_prev_ns'], h2['synack_to_prev_ns']
    assert min(rtt1, rtt2, d_syn, d_synack) >= 0 and rtt2 <= rtt1, p
    assert rtt1 == rtt2 + d_syn + d_synack, p
    assert d_syn == h2['t_ns'], p
    assert p['hdrlog.path.handshake_ns'] == rtt1, p
    # one transaction, seen at both hops: the request reaches r1 after
    # r0, the response r0 after r1
    assert p['hdrlog.path.http_transactions'] == 1, p
    by_hop = {t['hop']: t for t in p['hdrlog.path.http']}
    assert sorted(by_hop) == [1, 2], p
    assert by_hop[1]['status'] == by_hop[2]['status'] == 200, p
    assert by_hop[2]['request_ns'] >= by_hop[1]['request_ns'], p
    assert by_hop[1]['response_ns'] >= by_hop[2]['response_ns'], p
    # each hop its own flow record: the interface is in the key
    flows = [r for r in map(json.loads, open(path))
             if r['hdrlog.record'] == 'flow' and r.get('destination.port') == port]
    assert sorted(f['network.interface.name'] for f in flows) == ['r0', 'r1'], flows
    assert all(f['hdrlog.flow.orig.packets'] == h1['orig.packets'] for f in flows), flows
    # the edge
    edges = records(path, 'topology')
    assert len(edges) == 1, f'{path}: {len(edges)} topology records'
    e = edges[0]
    assert (e['source.address'], e['destination.address']) == (ip_c, ip_s), e
    assert e['hdrlog.topology.interfaces'] == ['r0', 'r1'], e
    assert (e['hdrlog.topology.flows'], e['hdrlog.topology.joined'],
            e['hdrlog.topology.requests'], e['hdrlog.topology.failed_connections'],
            e['hdrlog.topology.http_5xx']) == (1, 1, 1, 0, 0), e
    # live, attribution names curl (its socket's tuple, from the client's
    # namespace); a capture knows no process
    assert e['hdrlog.topology.client.node'] == ('curl' if want_dir else 'external'), e
    assert e['hdrlog.topology.handshake_p50_ns'] > 0 and 'hdrlog.topology.ttfb_p50_ns' in e, e
    return p, e

lp, le = check(live, True)
op, oe = check(offline, False)
# live and offline: the same path (times, ids and directions aside)
def shape(p):
    return (p['hdrlog.path.join'], p['hdrlog.path.nat'],
            [(h['source.address'], h['source.port'], h['destination.address'],
              h['network.community_id'], h['conn_state'], h['orig.packets'],
              h['resp.packets']) for h in p['hdrlog.path.hops']])
assert shape(lp) == shape(op), (shape(lp), shape(op))
print('one path of two hops through masquerade, live and offline:',
      'rtt', lp['hdrlog.path.hops'][0]['syn_to_synack_ns'], 'ns at r0,',
      lp['hdrlog.path.hops'][1]['syn_to_synack_ns'], 'ns at r1')
PY
grep -q ' paths ([1-9][0-9]* joined' "$tmp/err" || { cat "$tmp/err"; fail "summary: paths"; }
echo "PASS: one curl through masquerade is one path of two hops, with its edge"
