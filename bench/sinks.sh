#!/usr/bin/env bash
# The log stores, against the real servers (clickhouse-server 18.16,
# rsyslogd), each started here in a namespace of its own (private
# loopback), config and data in a temp dir:
#  - flow records/s hdrlog -r inserts into ClickHouse with 0 dropped (the
#    whole run, reading included, until the last INSERT was answered),
#    against the same hdrlog -r writing only the file (the baseline);
#  - bytes on disk per flow record in ClickHouse (system.parts, after
#    OPTIMIZE ... FINAL merged the parts) against bytes per JSON line;
#  - the agent's CPU (user + sys) per record, with and without the sink,
#    as CPU % at 10k records/s;
#  - the same rate and CPU for syslog over TCP and UDP into rsyslogd.
#  - OUTAGE_S=30 bench/sinks.sh outage: the issue's 30 s ClickHouse outage
#    under load (tests/e2e/test_clickhouse.sh with OUTAGE_S=30).
#  - bytes on disk per flow record of the shared corpus's captures too
#    (../shared/corpus: varied, real traffic), when it is there.
#   bench/sinks.sh [SCALE]   (default 4000: 40036 flow records)
set -u
cd "$(dirname "$0")/.."
if [ "${1:-}" = outage ]; then
	OUTAGE_S=${OUTAGE_S:-30} exec bash tests/e2e/test_clickhouse.sh
fi
. tests/lib/clickhouse.sh
. tests/lib/rsyslog.sh
scale=${1:-4000}
for t in clickhouse-server rsyslogd; do
	command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
ns=hdrlog-bench-sinks-$$
tmp=$(mktemp -d)
cleanup() { clickhouse_stop; rsyslog_stop; ip netns del "$ns" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
ip netns add "$ns" && ip -n "$ns" link set lo up || exit 1
python3 tests/lib/sink_pcap.py "$tmp/in.pcap" "$scale"
clickhouse_start "$ns" "$tmp/ch" 8123 || exit 1
rsyslog_start "$ns" "$tmp/rs" 5514 || exit 1
python3 tests/lib/clickhouse_check.py "$CH_URL" schema >/dev/null 2>&1 ||
	ip netns exec "$ns" python3 tests/lib/clickhouse_check.py "$CH_URL" schema >/dev/null || exit 1

# run NAME OPTION...: hdrlog -r of the capture with the options, timed;
# prints "NAME records seconds cpu_seconds sent dropped"
run() {
	local name=$1 t0 t1 c0 c1 s
	shift
	c0=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat)
	t0=$(date +%s.%N)
	ip netns exec "$ns" ./build/hdrlog -r "$tmp/in.pcap" -w "$tmp/out" "$@" 2>"$tmp/err"
	t1=$(date +%s.%N)
	c1=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat)
	s=$(grep -E '^hdrlog: [0-9]+ packets seen' "$tmp/err")
	awk -v n="$name" -v r="$(wc -l <"$tmp/out")" -v t="$(echo "$t1 - $t0" | bc)" \
		-v c="$(( c1 - c0 ))" -v hz="$(getconf CLK_TCK)" -v s="$s" 'BEGIN {
		sent = r; dropped = 0
		if (match(s, /(clickhouse|syslog): [0-9]+ sent, [0-9]+ dropped/)) {
			split(substr(s, RSTART, RLENGTH), w, " "); sent = w[2]; dropped = w[4]
		}
		printf "%s %d %.3f %.3f %d %d\n", n, r, t, c / hz, sent, dropped }'
	rm -f "$tmp/out"
}

big=$((scale * 20 + 1000))
{
	run file
	run clickhouse --clickhouse-url "$CH_URL" --clickhouse-queue $big
	run syslog-tcp --syslog tcp://127.0.0.1:5514 --syslog-queue $big
	run syslog-udp --syslog udp://127.0.0.1:5514 --syslog-queue $big
} >"$tmp/runs"
# bytes on disk per row of the flows table: "rows bytes_on_disk ..."
flow_parts() {
	ip netns exec "$ns" curl -fsS "$CH_URL/" --data-binary "OPTIMIZE TABLE hdrlog.flows FINAL" &&
	ip netns exec "$ns" curl -fsS "$CH_URL/" --data-binary \
		"SELECT sum(rows), sum(bytes_on_disk), sum(data_compressed_bytes), sum(data_uncompressed_bytes), uniqExact(partition) FROM system.parts WHERE active AND database = 'hdrlog' AND table = 'flows'"
}
disk=$(flow_parts) || exit 1
json_bytes=$(ip netns exec "$ns" ./build/hdrlog -r "$tmp/in.pcap" 2>/dev/null | awk '/"hdrlog.record":"flow"/ { b += length($0) + 1; n++ } END { printf "%.0f", b / n }')
awk -v disk="$disk" -v jb="$json_bytes" '
	{ name[NR] = $1; rec[NR] = $2; t[NR] = $3; cpu[NR] = $4; sent[NR] = $5; drop[NR] = $6 }
	END {
		printf "%-11s %8s %8s %10s %8s %8s %10s %14s\n", "run", "records", "seconds", "records/s",
			"vs file", "dropped", "cpu s", "cpu%@10k/s"
		for (i = 1; i <= NR; i++)
			printf "%-11s %8d %8.2f %10.0f %8.2f %8d %10.2f %14.1f\n", name[i], rec[i], t[i],
				rec[i] / t[i], t[1] / t[i], drop[i], cpu[i], cpu[i] / rec[i] * 10000 * 100
		split(disk, d, "\t")
		printf "clickhouse flows: %d rows, %d bytes on disk: %.1f bytes/flow record (JSON line: %d bytes, %.1fx smaller; compressed %d, uncompressed %d)\n",
			d[1], d[2], d[2] / d[1], jb, jb / (d[2] / d[1]), d[3], d[4]
	}' "$tmp/runs"

# The shared corpus: every capture once, into an emptied flows table.
corpus=../shared/corpus
[ -d "$corpus" ] || exit 0
ip netns exec "$ns" curl -fsS "$CH_URL/" --data-binary "TRUNCATE TABLE hdrlog.flows" || exit 1
find "$corpus" -name '*.pcap*' | sort | while read -r f; do
	ip netns exec "$ns" ./build/hdrlog -r "$f" --clickhouse-url "$CH_URL" 2>/dev/null
done >"$tmp/corpus.json"
disk=$(flow_parts) || exit 1
awk -v disk="$disk" '/"hdrlog.record":"flow"/ { b += length($0) + 1; n++ } END {
	split(disk, d, "\t")
	printf "clickhouse flows of the shared corpus: %d rows (%d written) in %d days (a part each, each column a file: the fixed cost dominates), %d bytes on disk, %.0f a row; compressed column data %.1f bytes a row (JSON line: %.0f bytes)\n",
		d[1], n, d[5], d[2], d[2] / d[1], d[3] / d[1], b / n }' "$tmp/corpus.json"
