#!/usr/bin/env bash
# Who is talking: an HTTP server in a docker-like cgroup and clients in a
# kubepods-like cgroup (a pod uid, a containerd scope), a fixture pod-log
# directory. On loopback inside a namespace both ends are this host's, and
# flow and HTTP records name the process (pid, command name, user), the
# cgroup, container id and runtime, and pod uid, name, namespace and
# container for both; the pids are checked against the cgroups'
# cgroup.procs. A connection opened before hdrlog started is attributed
# through sock_diag and /proc. Over the veth, a client in the other
# namespace (in a podman-like cgroup), whose packets reach hdrlog without
# their socket, is found by its TCP connection's tuple (sockops).
# Offline (-r) records carry none of it.
set -u
. "$(dirname "$0")/../lib/netns.sh"
require_root
bin=${HDRLOG_BIN:-./build/hdrlog}
tmp=$(mktemp -d)
cgroot=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -n "$cgroot" ] || { echo "FAIL: no cgroup2 mount"; exit 1; }
CG=$cgroot/hdrlog-attr-$$
SRV_ID=$(printf '5e%.0s' {1..32})   # 64 hex digits
CLI_ID=$(printf 'c1%.0s' {1..32})
POD_UID=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0
POD_SLICE=$CG/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${POD_UID//-/_}.slice
SRV_CG=$CG/system.slice/docker-$SRV_ID.scope
CLI_CG=$POD_SLICE/cri-containerd-$CLI_ID.scope
FAR_ID=$(printf 'fa%.0s' {1..32})
FAR_CG=$CG/machine.slice/libpod-$FAR_ID.scope

# deepest first; a process still in one goes to the root first
cleanup_cgroups() {
	local d p
	[ -d "$CG" ] || return 0
	for d in $(find "$CG" -depth -type d); do
		while read -r p; do echo "$p" >"$cgroot/cgroup.procs" 2>/dev/null; done <"$d/cgroup.procs"
		rmdir "$d" 2>/dev/null || echo "warning: cannot remove $d" >&2
	done
}
trap 'netns_cleanup; cleanup_cgroups; rm -rf "$tmp"' EXIT
netns_setup || { echo "FAIL: netns setup"; exit 1; }
mkdir -p "$SRV_CG" "$CLI_CG" "$FAR_CG" || { echo "FAIL: cannot make cgroups under $cgroot"; exit 1; }
fail=0

# the kubelet's log layout: two containers, so the name comes from the
# containers/ link that carries the container id
mkdir -p "$tmp/logs/pods/shop_web-7d9f_$POD_UID/client" "$tmp/logs/pods/shop_web-7d9f_$POD_UID/sidecar" "$tmp/logs/containers"
touch "$tmp/logs/pods/shop_web-7d9f_$POD_UID/client/0.log"
ln -s "../pods/shop_web-7d9f_$POD_UID/client/0.log" "$tmp/logs/containers/web-7d9f_shop_client-$CLI_ID.log"

# in_cgroup CGROUP CMD...: CMD in $NS_A, started inside CGROUP; far_cgroup
# likewise in $NS_B
in_cgroup() {
	local cg=$1; shift
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" ip netns exec "$NS_A" "$@"
}
# start_in_cgroup CGROUP CMD...: in_cgroup in the background, its pid in
# $bg_pid. The exec chain (sh, ip netns exec, CMD) keeps that pid CMD's:
# a backgrounded function would be a subshell, and stopping it would
# leave CMD running.
start_in_cgroup() {
	local cg=$1; shift
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" ip netns exec "$NS_A" "$@" &
	bg_pid=$!
}
far_cgroup() {
	local cg=$1; shift
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" ip netns exec "$NS_B" "$@"
}

# the server: a real HTTP server, started before hdrlog (its listener is
# found by the scan), on loopback and on the veth address
printf 'hello\n' >"$tmp/index.html"
start_in_cgroup "$SRV_CG" python3 -m http.server -d "$tmp" -b 0.0.0.0 8080 >/dev/null 2>&1
srv=$bg_pid; track_pid $srv
wait_listen tcp 8080 5 || { echo "FAIL: server did not listen"; exit 1; }
# a connection opened before hdrlog, used after it started
cat >"$tmp/early.py" <<'EOF'
import os, socket, sys, time
s = socket.create_connection(("127.0.0.1", 8080))
open(sys.argv[1], "w").close()
for _ in range(100):  # until hdrlog listens, at most 10 s
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.1)
s.sendall(b"GET /index.html HTTP/1.0\r\nHost: x\r\n\r\n")
while s.recv(4096):
    pass
EOF
start_in_cgroup "$CLI_CG" python3 "$tmp/early.py" "$tmp/early.ready" "$tmp/early.go"
early=$bg_pid; track_pid $early
wait_for_file() { local i; for ((i = 0; i < 50; i++)); do [ -e "$1" ] && return 0; sleep 0.1; done; return 1; }
wait_for_file "$tmp/early.ready" || { echo "FAIL: early client did not connect"; exit 1; }

ip netns exec "$NS_A" "$bin" -i lo -i "$VETH_A" --http --k8s-pod-logs "$tmp/logs/pods" \
	--process-command-line --metrics-addr 127.0.0.1:9464 >"$tmp/out" 2>"$tmp/err" &
pid=$!; track_pid $pid
wait_for "$tmp/err" 10 "listening on $VETH_A" || { echo "FAIL: hdrlog did not start: $(cat "$tmp/err")"; exit 1; }
touch "$tmp/early.go"
in_cgroup "$CLI_CG" curl -s -o /dev/null http://127.0.0.1:8080/index.html || { echo "FAIL: curl on loopback"; fail=1; }
far_cgroup "$FAR_CG" timeout 5 curl -s -o /dev/null "http://$IP_A:8080/index.html" || { echo "FAIL: curl over the veth"; fail=1; }
wait_exit $early 10 || { echo "FAIL: early client"; fail=1; }
# the flows' records come at their FIN: the metric follows them
srv_series='hdrlog_workload_flows_total{side="destination",process="python3",container_runtime="docker",k8s_namespace=""}'
cli_series='hdrlog_workload_flows_total{side="source",process="curl",container_runtime="containerd",k8s_namespace="shop"}'
for ((i = 0; i < 50; i++)); do
	in_a curl -s http://127.0.0.1:9464/metrics >"$tmp/metrics"
	grep -qF "$srv_series" "$tmp/metrics" && grep -qF "$cli_series" "$tmp/metrics" && break
	sleep 0.1
done
stop_pid $pid INT || { echo "FAIL: hdrlog exit $?"; fail=1; }
# bounded labels: the server's command name and runtime, the pod's namespace
if grep -qF "$srv_series" "$tmp/metrics" && grep -qF "$cli_series" "$tmp/metrics"; then
	echo "ok   /metrics: hdrlog_workload_flows_total by side, process, runtime, namespace"
else
	echo "FAIL: /metrics lacks the workload series:"; grep workload "$tmp/metrics" | sed 's/^/    /'; fail=1
fi
grep -E 'hdrlog_workload.*(pid|[0-9a-f]{64}|198\.18|web-7d9f)' "$tmp/metrics" && { echo "FAIL: unbounded label values"; fail=1; }

python3 tests/lib/check_schema.py "$tmp/out" || fail=1
cat "$SRV_CG/cgroup.procs" >"$tmp/srv.procs"
python3 - "$tmp/out" "$tmp/srv.procs" "$SRV_ID" "$CLI_ID" "$POD_UID" "$IP_B" "$cgroot" "$CG" "$FAR_ID" <<'EOF' || fail=1
import json, sys
out, srv_procs, srv_id, cli_id, pod_uid, ip_b, cgroot, cg, far_id = sys.argv[1:]
recs = [json.loads(l) for l in open(out)]
srv_pids = {int(p) for p in open(srv_procs).read().split()}
bad = 0

def check(what, rec, key, want):
    global bad
    got = rec.get(key)
    ok = want(got) if callable(want) else got == want
    if not ok:
        print(f"FAIL {what}: {key} = {got!r}, expected {want if not callable(want) else 'a valid value'}")
        bad = 1

def server_side(what, r, p):
    check(what, r, p + "process.pid", lambda v: v in srv_pids)
    check(what, r, p + "process.executable.name", "python3")
    check(what, r, p + "process.owner", "root")
    check(what, r, p + "hdrlog.cgroup.path", cg[len(cgroot):] + f"/system.slice/docker-{srv_id}.scope")
    check(what, r, p + "container.id", srv_id)
    check(what, r, p + "container.runtime", "docker")
    check(what, r, p + "k8s.pod.uid", None)

def client_side(what, r, p, comm, seen_at):
    check(what, r, p + "process.pid", lambda v: isinstance(v, int) and v > 1)
    check(what, r, p + "process.executable.name", comm)
    check(what, r, p + "hdrlog.process.seen_at", seen_at)
    check(what, r, p + "process.command_line", lambda v: isinstance(v, str) and comm in v or v is None)
    check(what, r, p + "container.id", cli_id)
    check(what, r, p + "container.runtime", "containerd")
    check(what, r, p + "k8s.pod.uid", pod_uid)
    check(what, r, p + "k8s.pod.name", "web-7d9f")
    check(what, r, p + "k8s.namespace.name", "shop")
    check(what, r, p + "k8s.container.name", "client")
    check(what, r, p + "hdrlog.netns", lambda v: isinstance(v, int) and v > 0)

def find(kind, cond):
    return [r for r in recs if r["hdrlog.record"] == kind and cond(r)]

lo = lambda r: r.get("source.address") == "127.0.0.1" and r.get("destination.port") == 8080
for kind in ("flow", "http"):
    rs = find(kind, lo)
    curl = [r for r in rs if r.get("source.process.executable.name") == "curl"]
    early = [r for r in rs if r.get("source.process.executable.name") == "python3"]
    if len(curl) != 1 or len(early) != 1:
        print(f"FAIL {kind}: {len(curl)} curl and {len(early)} early records on loopback "
              f"(of {len(rs)}): {[r.get('source.process.executable.name') for r in rs]}")
        bad = 1
        continue
    client_side(f"{kind} curl", curl[0], "source.", "curl", "connected")
    server_side(f"{kind} curl", curl[0], "destination.")
    check(f"{kind} curl", curl[0], "destination.hdrlog.process.seen_at", "accepted")
    client_side(f"{kind} early", early[0], "source.", "python3", "found")
    server_side(f"{kind} early", early[0], "destination.")
    check(f"{kind} early", early[0], "destination.hdrlog.process.seen_at", "found")
    check(kind, curl[0], "host.name", lambda v: isinstance(v, str) and v)
    # over the veth: the client is in the other namespace
    far = find(kind, lambda r: r.get("source.address") == ip_b)
    if len(far) != 1:
        print(f"FAIL {kind}: {len(far)} records from {ip_b}")
        bad = 1
        continue
    server_side(f"{kind} veth", far[0], "destination.")
    check(f"{kind} veth", far[0], "source.process.executable.name", "curl")
    check(f"{kind} veth", far[0], "source.hdrlog.process.seen_at", "connected")
    check(f"{kind} veth", far[0], "source.container.id", far_id)
    check(f"{kind} veth", far[0], "source.container.runtime", "podman")
    check(f"{kind} veth", far[0], "source.k8s.pod.uid", None)
    ns = far[0].get("source.hdrlog.netns")
    if ns is not None and ns == far[0].get("destination.hdrlog.netns"):
        print(f"FAIL {kind} veth: both ends in netns {ns}")
        bad = 1
if not bad:
    print("ok   both ends of loopback flows and HTTP records: pid, comm, cgroup, container, pod; "
          "the early connection found; over the veth, the client in the other namespace by its tuple")
sys.exit(bad)
EOF

# --no-attribution: none of it, and no cgroup program attached
ip netns exec "$NS_A" "$bin" -i lo --http --no-attribution >"$tmp/off" 2>"$tmp/err" &
pid=$!; track_pid $pid
wait_for "$tmp/err" 30 "listening on lo" || { echo "FAIL: hdrlog --no-attribution did not start"; exit 1; }
in_cgroup "$CLI_CG" curl -sS -m 10 -o /dev/null http://127.0.0.1:8080/index.html ||
	{ echo "FAIL: --no-attribution: curl"; fail=1; }
bpf_objects_of $pid | grep -c '^prog' >"$tmp/nprogs"
stop_pid $pid INT 30 || { echo "FAIL: --no-attribution: hdrlog exit $?"; fail=1; }
if ! grep -q '"hdrlog.record":"http"' "$tmp/off"; then
	echo "FAIL: --no-attribution: no HTTP record; its records and log:"; fail=1
	cat "$tmp/off" "$tmp/err"
elif grep -qE '"(host.name|source.process.pid|destination.hdrlog.cgroup.id)"' "$tmp/off"; then
	echo "FAIL: --no-attribution records carry attribution"; fail=1
else
	echo "ok   --no-attribution: records without it ($(cat "$tmp/nprogs") programs held)"
fi

# offline: none of it
in_a timeout 5 tcpdump -i lo -w "$tmp/lo.pcap" -c 10 tcp port 8080 >/dev/null 2>&1 &
dump=$!; track_pid $dump
sleep 1
in_cgroup "$CLI_CG" curl -s -o /dev/null http://127.0.0.1:8080/index.html
wait_exit $dump 5 >/dev/null
"$bin" -r "$tmp/lo.pcap" --http >"$tmp/offline" 2>/dev/null
if ! grep -q '"hdrlog.record":"flow"' "$tmp/offline"; then
	echo "FAIL: no offline flow record"; fail=1
elif grep -qE '"(host.name|source.process.pid|destination.process.pid|source.hdrlog.cgroup.id)"' "$tmp/offline"; then
	echo "FAIL: offline records carry attribution"; fail=1
else
	echo "ok   offline records carry none"
fi
grep -E 'Sanitizer|runtime error' "$tmp/err" && fail=1
exit $fail
