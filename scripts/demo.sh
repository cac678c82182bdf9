#!/usr/bin/env bash
# hdrlog's main job, end to end (`make demo`, as root): two network
# namespaces joined by a veth pair, a small web server in one, a client in
# the other; hdrlog logs the server side's traffic live, as JSON and as text,
# while the client pings and fetches a few pages. Everything it creates is
# removed on exit. Only 198.18.0.0/15 and fd00::/8 addresses are used, only
# inside the two namespaces; the host's interfaces are not touched.
set -u
cd "$(dirname "$0")/.."

SRV=hdrlog-demo-server
CLI=hdrlog-demo-client
SRV_IF=demo-srv
CLI_IF=demo-cli
SRV_IP=198.18.0.1
CLI_IP=198.18.0.2
SRV_IP6=fd00:de::1
CLI_IP6=fd00:de::2
PORT=8080
BIN=./build/hdrlog

if [ -t 1 ]; then
	say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	say() { printf '\n== %s\n' "$*"; }
fi
die() { echo "demo: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (hdrlog loads BPF programs, the demo makes namespaces)"
[ -x "$BIN" ] || die "$BIN missing: run make first"
for tool in ip python3 curl ping; do
	command -v $tool >/dev/null || die "$tool missing (scripts/deps.sh installs it)"
done

tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null && timeout 3 tail --pid="$p" -f /dev/null
		kill -KILL "$p" 2>/dev/null
	done
	ip netns del "$SRV" 2>/dev/null
	ip netns del "$CLI" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# waits up to $2 s for file $1 to contain $3
wait_for() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		grep -q -- "$3" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

say "Two namespaces: $SRV ($SRV_IP, $SRV_IP6) and $CLI ($CLI_IP, $CLI_IP6)"
# Leftovers of an interrupted earlier demo (our names only).
ip netns del "$SRV" 2>/dev/null
ip netns del "$CLI" 2>/dev/null
ip netns add "$SRV" && ip netns add "$CLI" || die "cannot create namespaces"
ip link add "$SRV_IF" netns "$SRV" type veth peer name "$CLI_IF" netns "$CLI" ||
	die "cannot create the veth pair"
ip -n "$SRV" addr add "$SRV_IP/24" dev "$SRV_IF"
ip -n "$CLI" addr add "$CLI_IP/24" dev "$CLI_IF"
ip -n "$SRV" addr add "$SRV_IP6/64" dev "$SRV_IF" nodad
ip -n "$CLI" addr add "$CLI_IP6/64" dev "$CLI_IF" nodad
for ns in "$SRV" "$CLI"; do ip -n "$ns" link set lo up; done
ip -n "$SRV" link set "$SRV_IF" up
ip -n "$CLI" link set "$CLI_IF" up
echo "veth $SRV_IF <-> $CLI_IF"

say "Web server: python3 -m http.server on $SRV_IP:$PORT in $SRV"
mkdir -p "$tmp/www"
echo '<h1>hello from hdrlog-demo-server</h1>' >"$tmp/www/index.html"
echo 'hello' >"$tmp/www/hello.txt"
ip netns exec "$SRV" python3 -m http.server "$PORT" --bind "$SRV_IP" \
	--directory "$tmp/www" >"$tmp/http.log" 2>&1 &
pids+=($!)
for ((i = 0; i < 50; i++)); do
	ip netns exec "$SRV" ss -Htln "sport = :$PORT" | grep -q . && break
	sleep 0.1
done
ip netns exec "$SRV" ss -Htln "sport = :$PORT" | grep -q . || die "the web server did not start"

say "hdrlog on $SRV_IF: one instance writing JSON (packets, flows, HTTP), one writing text"
ip netns exec "$SRV" "$BIN" -i "$SRV_IF" --packets all --flows --http -w "$tmp/hdrlog.json" 2>"$tmp/json.err" &
json_pid=$!
pids+=($json_pid)
ip netns exec "$SRV" "$BIN" -i "$SRV_IF" --packets all -o text >"$tmp/hdrlog.txt" 2>"$tmp/text.err" &
text_pid=$!
pids+=($text_pid)
# Generous: on a loaded machine the verifier alone can take over 10 s.
wait_for "$tmp/json.err" 60 "listening on" && wait_for "$tmp/text.err" 60 "listening on" ||
	die "hdrlog did not attach: $(cat "$tmp/json.err" "$tmp/text.err")"
cat "$tmp/json.err" "$tmp/text.err"

say "Client traffic from $CLI"
echo "\$ ping -c 2 $SRV_IP; ping -6 -c 1 $SRV_IP6"
timeout 10 ip netns exec "$CLI" ping -n -q -c 2 -i 0.2 -W 2 "$SRV_IP" | tail -n 2
timeout 10 ip netns exec "$CLI" ping -6 -n -q -c 1 -W 2 "$SRV_IP6" | tail -n 2
for path in / /hello.txt /missing; do
	code=$(timeout 10 ip netns exec "$CLI" curl -s -o /dev/null --max-time 5 \
		-A hdrlog-demo/1.0 -w '%{http_code}' "http://$SRV_IP:$PORT$path")
	echo "\$ curl http://$SRV_IP:$PORT$path -> HTTP $code"
done
echo "\$ curl http://$SRV_IP:8081/ (nothing listens there: refused)"
timeout 10 ip netns exec "$CLI" curl -s -o /dev/null --max-time 5 "http://$SRV_IP:8081/"
echo "\$ one UDP datagram to $SRV_IP port 9 (closed: ICMP port unreachable)"
timeout 10 ip netns exec "$CLI" python3 -c 'import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"hi", (sys.argv[1], 9))' "$SRV_IP"
sleep 0.5 # the last FIN/ACKs

say "Stopping hdrlog with SIGINT: it detaches and prints a summary"
kill -INT $json_pid $text_pid
for p in $json_pid $text_pid; do
	timeout 10 tail --pid=$p -f /dev/null || die "hdrlog $p did not stop"
done
grep -v 'listening on' "$tmp/json.err" "$tmp/text.err" | sed 's/^[^:]*\.err://'
ip -n "$SRV" link show "$SRV_IF" | grep -q xdp && die "something is still attached to $SRV_IF"

n=$(wc -l <"$tmp/hdrlog.json")
say "JSON lines: the HTTP connection's handshake (3 of $n lines)"
grep -m 3 '"network.transport":"tcp"' "$tmp/hdrlog.json"
python3 - "$tmp/hdrlog.json" <<'EOF' || die "invalid JSON in the log"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
syn = next(r for r in recs if r.get("hdrlog.tcp.flags") == ["SYN"])
print("\nThe first SYN, indented:")
print(json.dumps(syn, indent=2))
http = [r for r in recs if r["hdrlog.record"] == "http"]
flows = [r for r in recs if r["hdrlog.record"] == "flow"]
if http:
    print("\nAn HTTP transaction (request paired with its response), indented:")
    print(json.dumps(http[0], indent=2))
    cid = http[0]["network.community_id"]
    flow = next((f for f in flows if f["network.community_id"] == cid), None)
    if flow:
        print("\nIts TCP connection's flow record (same network.community_id), indented:")
        print(json.dumps(flow, indent=2))
failed = [f for f in flows if f["hdrlog.flow.conn_state"] in ("REJ", "S0")]
if failed:
    print("\nFailed connections (what --only-failed keeps):")
    for f in failed:
        print(f'  {f["network.transport"]} {f["source.address"]}:{f.get("source.port")} -> '
              f'{f["destination.address"]}:{f.get("destination.port")}  '
              f'conn_state {f["hdrlog.flow.conn_state"]}  history {f.get("hdrlog.flow.history", "-")}  '
              f'end {f["hdrlog.flow.end_reason"]}'
              + (f'  ICMP type {f["hdrlog.flow.icmp_error.type"]} code {f["hdrlog.flow.icmp_error.code"]}'
                 f' from {f["hdrlog.flow.icmp_error.reporter"]}' if "hdrlog.flow.icmp_error.type" in f else ""))
kinds = {}
for r in recs:
    kinds[r["hdrlog.record"]] = kinds.get(r["hdrlog.record"], 0) + 1
print(f"(all {len(recs)} lines are valid JSON: {kinds})")
EOF

n=$(wc -l <"$tmp/hdrlog.txt")
say "Text lines: $n packets, one line each, like tcpdump (first 30)"
head -n 30 "$tmp/hdrlog.txt"
[ "$n" -gt 30 ] && echo "... $((n - 30)) more"

say "The web server's own log"
cat "$tmp/http.log"

say "Done: namespaces, veth pair, server and programs are removed on exit"
