// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The command line: every option once, in a table (the xdp-tools
 * DEFINE_OPTION idea), that gives getopt its list, parses and checks each
 * value into struct config, and gives --help (help.c) its sections.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "config/options.h"
#include "filter/filter.h"
#include "http/http_redact.h"

#define NS_PER_S 1000000000ULL

#define FIELD(f) .off = offsetof(struct config, f), \
		 .size = sizeof(((struct config *)0)->f)

static int set_interface(struct config *c, const char *arg);
static int set_read(struct config *c, const char *arg);
static int set_direction(struct config *c, const char *arg);
static int set_http_header(struct config *c, const char *arg);
static int set_http_max_buffer(struct config *c, const char *arg);
static int set_openapi(struct config *c, const char *arg);
static int set_ringbuf_size(struct config *c, const char *arg);
static int set_clickhouse_table(struct config *c, const char *arg);
static int set_syslog_facility(struct config *c, const char *arg);
static int set_verbose(struct config *c, const char *arg);
static int set_vxlan_ports(struct config *c, const char *arg);
static int set_user(struct config *c, const char *arg);
static int set_redact(struct config *c, const char *arg, bool param);
static int set_redact_header(struct config *c, const char *arg);
static int set_redact_param(struct config *c, const char *arg);
static int set_no_redact(struct config *c, const char *arg);
static int no_op(struct config *c, const char *arg);
static int print_version(struct config *c, const char *arg);

/* K_CHOICE lists: the index stored is the value (bool: the second) */
static const char *const hooks[] = { "tc", "xdp", NULL };
static const char *const directions[] = { "in", "out", "both", NULL };
static const char *const tc_modes[] = { "auto", "tcx", "netlink", NULL };
static const char *const formats[] = { "json", "text", NULL };
static const char *const sample_modes[] = { "packet", "flow", NULL };
static const char *const on_off[] = { "off", "on", NULL };
/* in enum hdrlog_packets order */
static const char *const packet_modes[] = { "none", "tcp-control", "all", NULL };

/* The options, in --help order within each section. */
const struct opt options[] = {
	{ "interface", 'i', "IFACE", SEC_CAPTURE, K_CUSTOM, .set = set_interface,
	  .help = "attach to IFACE (repeatable or a,b; at most 16; 'any': "
		  "every interface of the namespace, and new ones as they "
		  "appear; default: the interface of the default route)" },
	{ "all-interfaces", 0, NULL, SEC_CAPTURE, K_FLAG, FIELD(all_ifaces),
	  .help = "the same as -i any" },
	{ "netns", 0, "all|LIST", SEC_CAPTURE, K_STRING, FIELD(netns),
	  .help = "every interface of these network namespaces (paths, pids "
		  "or /run/netns names, comma-separated; 'all': /run/netns and "
		  "every process's), looked at again each second; needs tcx" },
	{ "hook", 0, "tc|xdp", SEC_CAPTURE, K_CHOICE, FIELD(xdp),
	  .choices = hooks, .what = "--hook", .help = "ingress hook (default tc; egress is always tc)" },
	{ "direction", 0, "in|out|both", SEC_CAPTURE, K_CUSTOM,
	  .set = set_direction, .help = "which directions to log (default both)" },
	{ "tc-mode", 0, "auto|tcx|netlink", SEC_CAPTURE, K_CHOICE,
	  FIELD(tc_mode), .choices = tc_modes, .what = "--tc-mode",
	  .help = "tc attachment: tcx link (Linux 6.6+) or clsact filter "
		  "(default auto: tcx when available)" },
	{ "read", 'r', "[NAME=]FILE", SEC_CAPTURE, K_CUSTOM, .set = set_read,
	  .help = "read a pcap or pcapng file instead (no root); repeatable "
		  "(at most 8): the captures of one event on several "
		  "interfaces, merged by time, each an interface named NAME "
		  "or the file's base name" },
	{ "tunnels", 0, "on|off", SEC_CAPTURE, K_CHOICE, FIELD(tunnel.enabled),
	  .choices = on_off, .what = "--tunnels",
	  .help = "open VXLAN, Geneve, GRE, IPIP, SIT and IPv6-in-IPv6 "
		  "tunnels: records and flows of the inner packets (default on)" },
	{ "vxlan-ports", 0, "PORT[,PORT]", SEC_CAPTURE, K_CUSTOM,
	  .set = set_vxlan_ports,
	  .help = "UDP destination ports taken for VXLAN (default 4789,8472)" },
	{ "geneve-port", 0, "PORT", SEC_CAPTURE, K_UINT, FIELD(tunnel.geneve_port),
	  0, 65535, .what = "Geneve port", .range = "0-65535, 0: none",
	  .help = "UDP destination port taken for Geneve (default 6081)" },
	{ "count", 'c', "N", SEC_CAPTURE, K_UINT, FIELD(max_count), 1, ULLONG_MAX,
	  .what = "count", .help = "stop after N packets (live: packet records; "
				   "from a file: packets the filter selects)" },

	{ "filter-file", 0, "FILE", SEC_SELECTION, K_STRING,
	  FIELD(sel.filter_file),
	  .help = "read the filter expression from FILE ('#' comments); live, "
		  "SIGHUP re-reads it and swaps it into the running programs" },
	{ "sample", 0, "N", SEC_SELECTION, K_UINT, FIELD(sel.sample), 1,
	  UINT32_MAX, .what = "sample rate",
	  .range = "1 in N, N from 1 to 4294967295",
	  .help = "log 1 in N of the packets the filter selects" },
	{ "sample-mode", 0, "packet|flow", SEC_SELECTION, K_CHOICE,
	  FIELD(sel.sample_flow), .choices = sample_modes,
	  .what = "--sample-mode", .help = "sample packets at random, or whole flows (all packets of 1 in "
		  "N flows, both directions)" },

	{ "flows", 0, NULL, SEC_FLOWS, K_FLAG, FIELD(flows),
	  .help = "one record per connection (Zeek conn_state, history, "
		  "Community ID), kept in the kernel; the default unless "
		  "--packets all is given" },
	{ "packets", 0, "all|tcp-control|none", SEC_FLOWS, K_CHOICE,
	  FIELD(packets), .choices = packet_modes, .what = "--packets",
	  .help = "packet records (default none); all alone means packet "
		  "records only, as before flows" },
	{ "only-failed", 0, NULL, SEC_FLOWS, K_FLAG, FIELD(flow.only_failed),
	  .help = "flow records of failed connections only (REJ, S0, RSTOS0, "
		  "RSTRH, SH, SHR, and attempts an ICMP unreachable answered); "
		  "implies --flows" },
	{ "idle-timeout", 0, "SEC", SEC_FLOWS, K_SECONDS, FIELD(flow.idle_ns),
	  1, 86400, .what = "idle timeout",
	  .help = "a flow idle this long ends (default 60)" },
	{ "handshake-timeout", 0, "SEC", SEC_FLOWS, K_SECONDS,
	  FIELD(flow.attempt_ns), 0, 86400, .what = "handshake timeout",
	  .help = "a TCP SYN unanswered this long ends its flow as S0 (default "
		  "5; 0: at the idle timeout)" },
	{ "close-delay", 0, "SEC", SEC_FLOWS, K_SECONDS, FIELD(flow.close_ns),
	  0, 3600, .what = "close delay",
	  .help = "a TCP connection closed by FIN both ways or a RST keeps its "
		  "record this long for its last packets (the final ACK, a "
		  "RST) as Zeek's tcp_close_delay does (default 5; 0: the "
		  "record leaves at the close)" },
	{ "active-timeout", 0, "SEC", SEC_FLOWS, K_SECONDS,
	  FIELD(flow.active_ns), 0, 86400, .what = "active timeout",
	  .help = "an interim record every SEC seconds of a flow (default 0: "
		  "none)" },
	{ "timeline", 0, NULL, SEC_FLOWS, K_FLAG, FIELD(flow.timeline),
	  .help = "each flow record lists its first 16 packets (time, side, "
		  "flags, relative seq/ack, length); implies --flows" },
	{ "paths", 0, NULL, SEC_FLOWS, K_FLAG, FIELD(paths),
	  .help = "join the flows of one connection seen on several interfaces "
		  "(through NAT: TCP by its sequence numbers) into a path "
		  "record with per-hop times, and write topology records "
		  "(service graph edges); implies --flows" },
	{ "path-max", 0, "N", SEC_FLOWS, K_UINT, FIELD(path.max_pending), 1,
	  1 << 24, .what = "path limit", .range = "1-16777216",
	  .help = "connections waiting to be joined at most (default 16384)" },
	{ "topology-interval", 0, "SEC", SEC_FLOWS, K_SECONDS,
	  FIELD(path.topology_interval_ns), 0, 86400,
	  .what = "topology interval",
	  .help = "topology records every SEC seconds (default 60; 0: at the "
		  "end only)" },
	{ "syn-threshold", 0, "N", SEC_FLOWS, K_UINT, FIELD(flow.syn.threshold),
	  0, 1 << 30, .what = "SYN threshold", .range = "0-1073741824",
	  .help = "anomaly record when a destination has more than N "
		  "unanswered SYNs (default 100, 0: off)" },
	{ "syn-window", 0, "SEC", SEC_FLOWS, K_SECONDS,
	  FIELD(flow.syn.window_ns), 2, 3600, .what = "SYN window",
	  .help = "... sent in the last SEC seconds (default 10)" },

	{ "anomalies", 0, NULL, SEC_ANOMALIES, K_FLAG, FIELD(anomalies),
	  .help = "check every packet in the kernel for bad TCP flags, fragment "
		  "abuse, IP options, land, martian sources, TTL jumps, ICMP "
		  "redirects, port scans and host sweeps: one anomaly record "
		  "per kind and source per window" },
	{ "anomaly-window", 0, "SEC", SEC_ANOMALIES, K_SECONDS,
	  FIELD(anomaly.window_ns), 1, 86400, .what = "anomaly window",
	  .help = "the window of --anomalies (default 60)" },
	{ "scan-ports", 0, "N", SEC_ANOMALIES, K_UINT, FIELD(anomaly.scan_ports),
	  2, 1024, .what = "--scan-ports",
	  .help = "port_scan: a source reaching N distinct ports of one "
		  "destination in a window (default 100)" },
	{ "sweep-hosts", 0, "N", SEC_ANOMALIES, K_UINT,
	  FIELD(anomaly.sweep_hosts), 2, 1024, .what = "--sweep-hosts",
	  .help = "host_sweep: a source reaching N distinct hosts on one port "
		  "in a window (default 64)" },
	{ "ttl-jump", 0, "N", SEC_ANOMALIES, K_UINT, FIELD(anomaly.ttl_jump),
	  0, 255, .what = "--ttl-jump",
	  .help = "ttl_jump: the TTL of a flow direction changing by N or more "
		  "(default 10; 0: off)" },
	{ "alertmanager-url", 0, "URL", SEC_ANOMALIES, K_STRING,
	  FIELD(alertmanager.url),
	  .help = "post every anomaly to Alertmanager's v2 API, e.g. "
		  "http://127.0.0.1:9093 (deduplicated, resolved after a quiet "
		  "window); implies --anomalies" },

	{ "http", 0, NULL, SEC_HTTP, K_FLAG, FIELD(http),
	  .help = "also log HTTP/1.x transactions, one \"http\" record per "
		  "request and response (live: tc); implies --flows: HTTP is "
		  "counted on the flow" },
	{ "no-attribution", 0, NULL, SEC_FLOWS, K_FLAG, FIELD(attr.off),
	  .help = "leave out who is talking: the process, cgroup, container "
		  "and pod of each local endpoint of flow and HTTP records" },
	{ "process-command-line", 0, NULL, SEC_FLOWS, K_FLAG,
	  FIELD(attr.command_line),
	  .help = "also log each local process's command line "
		  "(process.command_line; it may hold secrets)" },
	{ "k8s-pod-logs", 0, "DIR", SEC_FLOWS, K_STRING, FIELD(attr.pod_logs),
	  .help = "the kubelet's pod log directory, for pod and container names "
		  "(default /var/log/pods)" },
	{ "http-snaplen", 0, "BYTES", SEC_HTTP, K_UINT, FIELD(http_snaplen), 64,
	  HDRLOG_HTTP_SNAPLEN_MAX, .what = "--http-snaplen",
	  .help = "payload bytes the kernel copies of a segment of an HTTP flow "
		  "(default 1024); segments in a Content-Length body are "
		  "counted, not copied" },
	{ "http-header", 0, "NAME", SEC_HTTP, K_CUSTOM, .set = set_http_header,
	  .help = "also log header field NAME (repeatable, at most 64; '*': "
		  "all fields)" },
	{ "redact-header", 0, "NAME", SEC_HTTP, K_CUSTOM,
	  .set = set_redact_header,
	  .help = "also redact header field NAME's value (repeatable; "
		  "'*' globs, any case). Redacted by default: "
		  "Authorization, Proxy-Authorization, Cookie, Set-Cookie, "
		  "X-Api-Key, X-Auth-Token, X-Amz-Security-Token, *-Token, "
		  "*Api-Key*, *Secret*, *Password*" },
	{ "redact-param", 0, "NAME", SEC_HTTP, K_CUSTOM,
	  .set = set_redact_param,
	  .help = "also redact query parameter NAME in url.query, Referer and "
		  "Location (repeatable; globs, any case). "
		  "By default: *token*, *api_key*, *apikey*, key, *password*, "
		  "passwd, pwd, *secret*, signature, sig, auth*, session*, "
		  "x-amz-signature, x-amz-credential, code" },
	{ "no-redact", 0, NULL, SEC_HTTP, K_CUSTOM, .set = set_no_redact,
	  .help = "log every value as it is: no header or parameter redacted" },
	{ "http-redact-query", 0, NULL, SEC_HTTP, K_FLAG,
	  FIELD(http_cfg.redact_query), .help = "log url.query as REDACTED, whatever its "
					    "parameters" },
	{ "http-max-streams", 0, "N", SEC_HTTP, K_UINT,
	  FIELD(http_cfg.max_conns), 1, 1u << 24, .what = "--http-max-streams",
	  .help = "HTTP connections followed at once (default 65536; the least "
		  "recent one is dropped)" },
	{ "http-max-buffer", 0, "BYTES", SEC_HTTP, K_CUSTOM,
	  .set = set_http_max_buffer,
	  .help = "bytes of one message head, and of out-of-order data held per "
		  "direction (default 16384, 65536)" },

	{ "openapi", 0, "FILE", SEC_HTTP, K_CUSTOM, .set = set_openapi,
	  .help = "an OpenAPI 3.0/3.1 description (YAML or JSON; repeatable, at "
		  "most 16): each http record gets its http.route, operationId "
		  "and drift (a path, method or status it does not declare); "
		  "implies --http" },
	{ "api-report", 0, NULL, SEC_HTTP, K_FLAG, FIELD(api.report),
	  .help = "per route and method: requests, error rate, p50/p95/p99 "
		  "latency, bytes, drift; as api_route records and a table on "
		  "stderr, at the end and on SIGUSR1; implies --http" },
	{ "api-max-routes", 0, "N", SEC_HTTP, K_UINT, FIELD(api.max_routes), 1,
	  100000, .what = "--api-max-routes",
	  .help = "routes (and methods) the report and the route metrics keep "
		  "apart, then _OTHER (default 1000)" },
	{ "api-fold", 0, "N", SEC_HTTP, K_UINT, FIELD(api.fold_after), 1,
	  1000, .what = "--api-fold",
	  .help = "guessed routes: a path segment with more than N distinct "
		  "values after the same prefix becomes {id} (default 20)" },

	{ "output", 'o', "json|text", SEC_OUTPUT, K_CHOICE, FIELD(fmt),
	  .choices = formats, .what = "--output",
	  .help = "line format (default json)" },
	{ "write", 'w', "FILE", SEC_OUTPUT, K_STRING, FIELD(write_path),
	  .help = "append lines to FILE, created 0640; never through a "
		  "symbolic link but /dev/stdout and /dev/fd/N ('-': stdout; "
		  "SIGHUP reopens it)" },
	{ NULL, 'l', NULL, SEC_OUTPUT, K_FLAG, FIELD(line_buffered),
	  .help = "write each line as soon as it is made, as tcpdump -l does "
		  "(otherwise lines wait at most 0.1 s)" },
	{ "rotate-size", 0, "BYTES[k|M|G]", SEC_OUTPUT, K_SIZE, FIELD(rot.size),
	  4096, 1ULL << 40, .what = "rotate size",
	  .range = "bytes, 4k to 1T; suffix k, M or G",
	  .help = "with -w: start a new file at this size; the old one becomes "
		  "FILE.<UTC time>" },
	{ "rotate-interval", 0, "SEC", SEC_OUTPUT, K_UINT, FIELD(rot.interval_s),
	  1, 31 * 86400, .what = "rotate interval", .range = "1-2678400 s",
	  .help = "with -w: start a new file every SEC seconds" },
	{ "retain", 0, "N", SEC_OUTPUT, K_UINT, FIELD(rot.retain), 1, 100000,
	  .what = "--retain", .range = "1-100000 files",
	  .help = "keep only the N newest rotated files" },
	{ "compress", 0, NULL, SEC_OUTPUT, K_FLAG, FIELD(rot.compress),
	  .help = "gzip rotated files (FILE.<UTC time>.gz)" },
	{ "stats-interval", 0, "SEC", SEC_OUTPUT, K_UINT, FIELD(stats_interval),
	  1, 86400, .what = "stats interval", .range = "1-86400 s",
	  .help = "write a stats record every SEC seconds (from a file: of "
		  "capture time)" },

	{ "metrics-addr", 0, "[HOST:]PORT", SEC_EXPORT, K_STRING,
	  FIELD(metrics_addr),
	  .help = "serve Prometheus metrics at /metrics (host 127.0.0.1 unless "
		  "given; [::1]:PORT for IPv6)" },
	{ "web", 0, "[HOST:]PORT", SEC_EXPORT, K_STRING, FIELD(web_addr),
	  .help = "serve a live web view of flows, HTTP transactions, packet "
		  "timelines and the service graph, and its JSON API (host "
		  "127.0.0.1 unless given; turns on --timeline; docs/web.md)" },
	{ "loki-url", 0, "URL", SEC_EXPORT, K_STRING, FIELD(loki.url),
	  .help = "also push every line to Loki, e.g. http://127.0.0.1:3100 "
		  "(docs/metrics.md)" },
	{ "loki-queue", 0, "N", SEC_EXPORT, K_UINT, FIELD(loki.queue_records), 1,
	  100000000, .what = "Loki queue size", .range = "1-100000000 lines",
	  .help = "lines Loki's queue holds before it drops and counts (default "
		  "100000)" },

	{ "clickhouse-url", 0, "URL", SEC_EXPORT, K_STRING, FIELD(clickhouse.url),
	  .help = "also insert every record into ClickHouse over HTTP, e.g. "
		  "http://127.0.0.1:8123 (docs/clickhouse.md: the tables)" },
	{ "clickhouse-database", 0, "DB", SEC_EXPORT, K_STRING,
	  FIELD(clickhouse.database),
	  .help = "the database of the tables (default hdrlog)" },
	{ "clickhouse-table", 0, "KIND=TABLE", SEC_EXPORT, K_CUSTOM,
	  .set = set_clickhouse_table,
	  .help = "the table of a record kind (repeatable; default flow=flows, "
		  "http=http, packet=packets, anomaly=anomalies, stats=stats)" },
	{ "clickhouse-credentials", 0, "FILE", SEC_EXPORT, K_STRING,
	  FIELD(clickhouse.credentials_file),
	  .help = "USER:PASSWORD on the first line of FILE (never on the "
		  "command line; default: user default, no password)" },
	{ "clickhouse-queue", 0, "N", SEC_EXPORT, K_UINT,
	  FIELD(clickhouse.queue_records), 1, 100000000,
	  .what = "ClickHouse queue size", .range = "1-100000000 lines",
	  .help = "records ClickHouse's queue holds before it drops and counts "
		  "(default 100000)" },
	{ "clickhouse-batch", 0, "N", SEC_EXPORT, K_UINT,
	  FIELD(clickhouse.batch_records), 1, 1000000,
	  .what = "ClickHouse batch size", .range = "1-1000000 rows",
	  .help = "rows per INSERT at most (default 50000; an INSERT at least "
		  "every second)" },
	{ "syslog", 0, "URL", SEC_EXPORT, K_STRING, FIELD(syslog.url),
	  .help = "also send every record as RFC 5424 syslog: udp://HOST:PORT, "
		  "tcp://HOST:PORT (RFC 6587 octet counting) or unix:PATH" },
	{ "syslog-queue", 0, "N", SEC_EXPORT, K_UINT, FIELD(syslog.queue_records),
	  1, 100000000, .what = "syslog queue size", .range = "1-100000000 lines",
	  .help = "records syslog's queue holds before it drops and counts "
		  "(default 100000)" },
	{ "syslog-facility", 0, "NAME", SEC_EXPORT, K_CUSTOM,
	  .set = set_syslog_facility,
	  .help = "kern, user, daemon, ..., local0-local7 (default local0)" },

	{ "ringbuf-size", 0, "BYTES", SEC_TUNING, K_CUSTOM,
	  .set = set_ringbuf_size,
	  .help = "ring buffer size, a power of two (default 32 MiB with packet "
		  "or HTTP events, 4 MiB for flow records alone)" },
	{ "flow-table-size", 0, "N", SEC_TUNING, K_UINT, FIELD(flow_entries),
	  1024, 1 << 24, .what = "flow table size", .range = "1024-16777216",
	  .help = "flows the kernel table holds, about 500 bytes each "
		  "(default 16384)" },

	{ "user", 0, "NAME", SEC_GENERAL, K_CUSTOM, .set = set_user,
	  .help = "once the programs are loaded and attached, run as user "
		  "NAME (and its groups) with only the capabilities still needed "
		  "(needs root or CAP_SETUID and CAP_SETGID)" },
	{ NULL, 'n', NULL, SEC_GENERAL, K_CUSTOM, .set = no_op,
	  .help = "accepted for tcpdump's sake (-n, -nn): hdrlog never turns "
		  "addresses or ports into names" },
	{ "verbose", 'v', NULL, SEC_GENERAL, K_CUSTOM, .set = set_verbose,
	  .help = "more diagnostics (-vv: libbpf's too)" },
	{ "version", 0, NULL, SEC_GENERAL, K_CUSTOM, .set = print_version,
	  .help = "print the version" },
	{ "help", 'h', NULL, SEC_GENERAL, K_CUSTOM, .set = print_help,
	  .help = "this help" },
};

const size_t n_options = sizeof(options) / sizeof(options[0]);

/* ---- values ---------------------------------------------------------- */

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "hdrlog: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'hdrlog --help'.\n");
	return -EINVAL;
}

/* "invalid WHAT 'arg' (RANGE)", the range said or made from min and max. */
static int invalid(const struct opt *o, const char *arg)
{
	const char *unit = o->kind == K_SECONDS ? " s" : "";

	fprintf(stderr, "hdrlog: invalid %s '%s'", o->what, arg);
	if (o->range)
		fprintf(stderr, " (%s)", o->range);
	else if (o->max != ULLONG_MAX)
		fprintf(stderr, " (%llu-%llu%s)", o->min, o->max, unit);
	fprintf(stderr, "\nTry 'hdrlog --help'.\n");
	return -EINVAL;
}

static int parse_ull(const char *s, unsigned long long min,
		     unsigned long long max, unsigned long long *out)
{
	char *end;

	errno = 0;
	if (!s || !*s || *s == '-')
		return -EINVAL;
	*out = strtoull(s, &end, 10);
	if (errno || *end || *out < min || *out > max)
		return -EINVAL;
	return 0;
}

/* A byte count with an optional k, M or G suffix (powers of 1024). */
static int parse_size(const char *s, unsigned long long min,
		      unsigned long long max, unsigned long long *out)
{
	static const char units[] = "kMG";
	char num[32];
	size_t len = strlen(s);
	const char *u;
	int shift = 0;

	if (!len || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len + 1);
	u = strchr(units, num[len - 1]);
	if (u) {
		shift = 10 * (int)(u - units + 1);
		num[len - 1] = '\0';
	}
	if (parse_ull(num, 1, max >> shift, out))
		return -EINVAL;
	*out <<= shift;
	return *out >= min ? 0 : -EINVAL;
}

/* The index of arg in choices, or -EINVAL after saying what was wrong. */
static int choice_index(const char *const *choices, const char *arg,
			const char *what)
{
	for (int i = 0; choices[i]; i++)
		if (!strcmp(arg, choices[i]))
			return i;
	fprintf(stderr, "hdrlog: invalid %s '%s'\n", what, arg);
	return -EINVAL;
}

/* Stores v in the field of o, whatever its integer size. */
static void store(struct config *c, const struct opt *o, unsigned long long v)
{
	char *field = (char *)c + o->off;

	switch (o->size) {
	case 1: *(__u8 *)field = v; break;
	case 2: *(__u16 *)field = v; break;
	case 4: *(__u32 *)field = v; break;
	default: *(__u64 *)field = v; break;
	}
}

static int apply(struct config *c, const struct opt *o, const char *arg)
{
	unsigned long long v;
	int i;

	switch (o->kind) {
	case K_FLAG:
		*(bool *)((char *)c + o->off) = true;
		return 0;
	case K_STRING:
		*(const char **)((char *)c + o->off) = arg;
		return 0;
	case K_CHOICE:
		if ((i = choice_index(o->choices, arg, o->what)) < 0)
			return i;
		store(c, o, i);
		return 0;
	case K_UINT:
	case K_SECONDS:
		if (parse_ull(arg, o->min, o->max, &v))
			return invalid(o, arg);
		store(c, o, o->kind == K_SECONDS ? v * NS_PER_S : v);
		return 0;
	case K_SIZE:
		if (parse_size(arg, o->min, o->max, &v))
			return invalid(o, arg);
		store(c, o, v);
		return 0;
	case K_CUSTOM:
		return o->set(c, arg);
	}
	return -EINVAL;
}

/* ---- options that set more than one field ---------------------------- */

static int add_interface(struct config *c, const char *name)
{
	if (!strcmp(name, "any")) {
		c->all_ifaces = true;
		return 0;
	}
	if (!name[0])
		return usage_error("empty interface name in -i%s", "");
	if (c->n_ifaces >= CONFIG_MAX_IFACES)
		return usage_error("at most 16 interfaces%s", "");
	if (strlen(name) >= IF_NAMESIZE)
		return usage_error("interface name too long: '%s'", name);
	c->ifaces[c->n_ifaces++] = name;
	return 0;
}

/* -i IFACE, -i a,b (a copy, cut at the commas), -i any. */
static int set_interface(struct config *c, const char *arg)
{
	char *list, *name, *save = NULL;
	int err = 0;

	if (!strchr(arg, ','))
		return add_interface(c, arg);
	if (c->n_iface_lists >= CONFIG_MAX_IFACES)
		return usage_error("at most 16 interfaces%s", "");
	if (!(list = strdup(arg)))
		return -ENOMEM;
	c->iface_lists[c->n_iface_lists++] = list;
	if (list[0] == ',' || list[strlen(list) - 1] == ',' || strstr(list, ",,"))
		return usage_error("empty interface name in -i '%s'", arg);
	for (name = strtok_r(list, ",", &save); name && !err;
	     name = strtok_r(NULL, ",", &save))
		err = add_interface(c, name);
	return err;
}

/* -r [NAME=]FILE: NAME when the text before the first '=' has no '/'
 * (./a=b.pcap is a file with '=' in its name). */
static int set_read(struct config *c, const char *arg)
{
	const char *eq = strchr(arg, '='), *path = arg, *base;
	size_t n;

	if (c->n_reads >= CONFIG_MAX_READS)
		return usage_error("at most 8 -r captures%s", "");
	if (eq && eq > arg && !memchr(arg, '/', eq - arg)) {
		path = eq + 1;
		n = eq - arg;
	} else {
		base = strrchr(arg, '/');
		base = base ? base + 1 : arg;
		n = strlen(base);
		arg = base;
	}
	if (!*path)
		return usage_error("-r %s names no file", arg);
	if (!(c->read_names[c->n_reads] = strndup(arg, n)))
		return -ENOMEM;
	c->read_paths[c->n_reads++] = path;
	c->read_path = c->read_paths[0];
	return 0;
}

static int set_direction(struct config *c, const char *arg)
{
	int i = choice_index(directions, arg, "--direction");

	if (i < 0)
		return i;
	c->ingress = i != 1;
	c->egress = i != 0;
	return 0;
}

static int set_vxlan_ports(struct config *c, const char *arg)
{
	unsigned long long a, b = 0;
	const char *comma = strchr(arg, ',');
	char first[8];

	if (comma && (size_t)(comma - arg) < sizeof(first)) {
		memcpy(first, arg, comma - arg);
		first[comma - arg] = 0;
	}
	if ((comma && ((size_t)(comma - arg) >= sizeof(first) ||
		       parse_ull(first, 0, 65535, &a) ||
		       parse_ull(comma + 1, 0, 65535, &b))) ||
	    (!comma && parse_ull(arg, 0, 65535, &a)))
		return usage_error("invalid --vxlan-ports '%s' (one or two "
				   "ports 0-65535, 0: none)", arg);
	c->tunnel.vxlan_port[0] = a;
	c->tunnel.vxlan_port[1] = b;
	return 0;
}

static int set_http_header(struct config *c, const char *arg)
{
	if (!strcmp(arg, "*")) {
		c->http_cfg.all_headers = true;
		return 0;
	}
	if (c->http_cfg.n_headers >= CONFIG_MAX_HTTP_HEADERS)
		return usage_error("at most 64 --http-header names%s", "");
	c->http_headers[c->http_cfg.n_headers++] = arg;
	return 0;
}

static int set_clickhouse_table(struct config *c, const char *arg)
{
	if (c->clickhouse.n_tables >= CLICKHOUSE_MAX_TABLES)
		return usage_error("at most 16 --clickhouse-table%s", "");
	if (!strchr(arg, '=') || *arg == '=')
		return usage_error("invalid --clickhouse-table '%s' (KIND=TABLE)", arg);
	c->clickhouse.tables[c->clickhouse.n_tables++] = arg;
	return 0;
}

static int set_syslog_facility(struct config *c, const char *arg)
{
	c->syslog.facility = syslog_facility(arg);
	if (c->syslog.facility < 0)
		return usage_error("invalid --syslog-facility '%s' (kern, user, "
				   "mail, daemon, auth, ..., local0-local7)", arg);
	return 0;
}

static int set_http_max_buffer(struct config *c, const char *arg)
{
	unsigned long long n;

	if (parse_ull(arg, 256, 1u << 24, &n))
		return usage_error("invalid --http-max-buffer '%s' (256-16777216)", arg);
	c->http_cfg.max_head = n;
	c->http_cfg.max_ooo = 4 * n;
	return 0;
}

static int set_openapi(struct config *c, const char *arg)
{
	if (c->api.n_specs >= API_MAX_SPECS)
		return usage_error("at most 16 --openapi files%s", "");
	c->api.specs[c->api.n_specs++] = arg;
	return 0;
}

static int set_ringbuf_size(struct config *c, const char *arg)
{
	unsigned long long n;

	if (parse_ull(arg, 4096, 1ULL << 30, &n) || (n & (n - 1)))
		return usage_error("invalid ring buffer size '%s' (a power of two, 4096 to 1G)", arg);
	c->ringbuf_bytes = n;
	return 0;
}

static int set_verbose(struct config *c, const char *arg)
{
	(void)arg;
	c->verbosity++;
	return 0;
}

static int set_user(struct config *c, const char *arg)
{
	if (!*arg)
		return usage_error("--user needs a user name%s", "");
	c->user = arg;
	return 0;
}

/* --redact-header and --redact-param: names to add, or with '!' to keep. */
static int set_redact(struct config *c, const char *arg, bool param)
{
	if (!*arg)
		return usage_error("%s needs a name", param ? "--redact-param"
							     : "--redact-header");
	if (http_redact_add(&c->redact, param, arg))
		return usage_error("at most 64 --redact-header and --redact-param "
				   "names each%s", "");
	return 0;
}

static int set_redact_header(struct config *c, const char *arg)
{
	return set_redact(c, arg, false);
}

static int set_redact_param(struct config *c, const char *arg)
{
	return set_redact(c, arg, true);
}

/* The head parser's own redaction (http_parse.c) and the record's. */
static int set_no_redact(struct config *c, const char *arg)
{
	(void)arg;
	c->http_cfg.no_redact = true;
	c->redact.off = true;
	return 0;
}

/* tcpdump's -n and -nn: hdrlog resolves no names, so there is nothing to
 * turn off. */
static int no_op(struct config *c, const char *arg)
{
	(void)c;
	(void)arg;
	return 0;
}

/* Returns 1: the run is done. */
static int print_version(struct config *c, const char *arg)
{
	(void)c;
	(void)arg;
	printf("hdrlog %s (libbpf %s)\n", HDRLOG_VERSION, libbpf_version_string());
	return 1;
}

/* ---- parsing --------------------------------------------------------- */

/* getopt_long's tables from the option table: long options return their
 * index + 256, short ones their letter. */
static void getopt_tables(struct option *longs, char *shorts)
{
	size_t n = 0;

	*shorts++ = ':'; /* a missing value returns ':' */
	for (size_t i = 0; i < n_options; i++) {
		const struct opt *o = &options[i];

		if (o->name)
			longs[n++] = (struct option){
				o->name, o->arg ? required_argument : no_argument,
				NULL, (int)i + 256,
			};
		if (o->short_name) {
			*shorts++ = (char)o->short_name;
			if (o->arg)
				*shorts++ = ':';
		}
	}
	longs[n] = (struct option){ 0 };
	*shorts = '\0';
}

static const struct opt *by_code(int code)
{
	if (code >= 256 && code < 256 + (int)n_options)
		return &options[code - 256];
	for (size_t i = 0; i < n_options; i++)
		if (options[i].short_name == code)
			return &options[i];
	return NULL;
}

/* The option getopt complained about: optopt names a short option (or a
 * long one by its code); 0 means an unknown long option, the word itself
 * (argv[optind - 1] is only right then: in "-nx" it is the last word). */
static const char *option_name(int code, const char *word)
{
	static char buf[64];
	const struct opt *o = code ? by_code(code) : NULL;

	if (o && o->name && code >= 256)
		snprintf(buf, sizeof(buf), "--%s", o->name);
	else if (code > 0 && code < 256)
		snprintf(buf, sizeof(buf), "-%c", code);
	else
		return word;
	return buf;
}

int config_parse(struct config *c, int argc, char **argv)
{
	struct option longs[sizeof(options) / sizeof(options[0]) + 1];
	char shorts[2 * sizeof(options) / sizeof(options[0]) + 2];
	bool packets_given = false, flows_given = false;
	const struct opt *o;
	int code, err;

	getopt_tables(longs, shorts);
	opterr = 0; /* getopt's messages would start with argv[0], not hdrlog */
	while ((code = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (code == ':')
			return usage_error("option '%s' needs a value",
					   option_name(optopt, argv[optind - 1]));
		o = code == '?' ? NULL : by_code(code);
		if (!o)
			return usage_error("unknown option '%s'",
					   option_name(optopt, argv[optind - 1]));
		err = apply(c, o, optarg);
		if (err)
			return err;
		packets_given |= o->off == offsetof(struct config, packets) &&
				 o->kind == K_CHOICE;
		flows_given |= o->kind == K_FLAG && o->off == offsetof(struct config, flows);
	}
	if (optind < argc) {
		/* like tcpdump: the remaining words are one expression */
		c->filter_expr = filter_join(argc - optind, argv + optind);
		if (!c->filter_expr)
			return usage_error("out of memory%s", "");
	}
	return config_finish(c, packets_given, flows_given);
}
