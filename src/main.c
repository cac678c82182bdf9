// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* hdrlog: log network header elements with eBPF, live or from a capture. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "metrics/counters.h"
#include "filter/filter.h"
#include "http/http.h"
#include "capture/live.h"
#include "util/log.h"
#include "metrics/metrics.h"
#include "metrics/metrics_http.h"
#include "capture/offline.h"
#include "output/output.h"
#include "output/sink_loki.h"

#define EXIT_USAGE 2
#define ARGS_MAX_HTTP_HEADERS 64

struct args {
	struct live_opts live;
	const char *read_path;
	const char *write_path;
	char *filter_expr; /* the remaining arguments joined, or NULL */
	struct selection sel;
	const char *metrics_addr;
	struct rotate_opts rot;
	struct loki_opts loki;
	enum record_format fmt;
	int verbosity;
	int flows;   /* 1 --flows (or an option implying it), -1: by --packets */
	int packets; /* enum hdrlog_packets, -1: not given */
	struct flow_opts flow;
	bool http; /* --http */
	unsigned http_snaplen; /* --http-snaplen */
	struct http_config http_cfg;
	const char *http_headers[ARGS_MAX_HTTP_HEADERS];
};

static const char usage_text[] =
	"Usage: hdrlog [OPTION...] [FILTER EXPRESSION]\n"
	"Log one record per connection (flow), or the header elements of every\n"
	"packet (Ethernet, VLAN, ARP, IPv4, IPv6, TCP, UDP, ICMP), as JSON lines,\n"
	"live with eBPF or from a capture.\n"
	"\n"
	"  -i, --interface IFACE   attach to IFACE (repeatable; default: the\n"
	"                          interface of the default route)\n"
	"      --hook tc|xdp       ingress hook (default tc; egress is always tc)\n"
	"      --direction in|out|both\n"
	"                          which directions to log (default both)\n"
	"      --tc-mode auto|tcx|netlink\n"
	"                          tc attachment: tcx link (Linux 6.6+) or clsact\n"
	"                          filter (default auto: tcx when available)\n"
	"  -r, --read FILE         read a pcap or pcapng file instead (no root)\n"
	"  -c, --count N           stop after N packets (live: packet records)\n"
	"      --flows             one record per connection (Zeek conn_state,\n"
	"                          history, Community ID), kept in the kernel;\n"
	"                          the default unless --packets all is given\n"
	"      --packets all|tcp-control|none\n"
	"                          packet records (default none); all alone\n"
	"                          means packet records only, as before flows\n"
	"      --only-failed       flow records of failed connections only (REJ,\n"
	"                          S0, RSTOS0, RSTRH, SH, SHR, and attempts an\n"
	"                          ICMP unreachable answered); implies --flows\n"
	"      --idle-timeout SEC  a flow idle this long ends (default 60)\n"
	"      --handshake-timeout SEC\n"
	"                          a TCP SYN unanswered this long ends its flow\n"
	"                          as S0 (default 5; 0: at the idle timeout)\n"
	"      --active-timeout SEC\n"
	"                          an interim record every SEC seconds of a\n"
	"                          flow (default 0: none)\n"
	"      --timeline          each flow record lists its first 16 packets\n"
	"                          (time, side, flags, relative seq/ack, length)\n"
	"      --flow-table-size N flows the kernel table holds (default 65536)\n"
	"      --syn-threshold N   anomaly record when a destination has more\n"
	"                          than N unanswered SYNs (default 100, 0: off)\n"
	"      --syn-window SEC    ... sent in the last SEC seconds (default 10)\n"
	"  -o, --output json|text  line format (default json)\n"
	"  -w, --write FILE        append lines to FILE (SIGHUP reopens it)\n"
	"      --rotate-size BYTES[k|M|G]\n"
	"                          with -w: start a new file at this size; the\n"
	"                          old one becomes FILE.<UTC time>\n"
	"      --rotate-interval SEC\n"
	"                          with -w: start a new file every SEC seconds\n"
	"      --retain N          keep only the N newest rotated files\n"
	"      --compress          gzip rotated files (FILE.<UTC time>.gz)\n"
	"      --stats-interval SEC\n"
	"                          write a stats record every SEC seconds\n"
	"      --ringbuf-size BYTES\n"
	"                          ring buffer size, a power of two (default 32M)\n"
	"      --filter-file FILE  read the filter expression from FILE ('#'\n"
	"                          comments); live, SIGHUP re-reads it and swaps\n"
	"                          it into the running programs\n"
	"      --sample N          log 1 in N of the packets the filter selects\n"
	"      --sample-mode packet|flow\n"
	"                          sample packets at random, or whole flows (all\n"
	"                          packets of 1 in N flows, both directions)\n"
	"      --metrics-addr [HOST:]PORT\n"
	"                          serve Prometheus metrics at /metrics (host\n"
	"                          127.0.0.1 unless given; [::1]:PORT for IPv6)\n"
	"      --loki-url URL      also push every line to Loki, e.g.\n"
	"                          http://127.0.0.1:3100 (docs/metrics.md)\n"
	"      --loki-queue N      lines Loki's queue holds before it drops and\n"
	"                          counts (default 100000)\n"
	"      --http              also log HTTP/1.x transactions, one \"http\"\n"
	"                          record per request and response (live: tc);\n"
	"                          implies --flows: HTTP is counted on the flow\n"
	"      --http-snaplen BYTES\n"
	"                          payload bytes the kernel copies of a segment\n"
	"                          of an HTTP flow (default 1024); segments in a\n"
	"                          Content-Length body are counted, not copied\n"
	"      --http-header NAME  also log header field NAME (repeatable; '*':\n"
	"                          all fields)\n"
	"      --no-redact         log Authorization, Proxy-Authorization, Cookie\n"
	"                          and Set-Cookie values (default: REDACTED)\n"
	"      --http-redact-query log url.query as REDACTED\n"
	"      --http-max-streams N\n"
	"                          HTTP connections followed at once (default\n"
	"                          65536; the least recent one is dropped)\n"
	"      --http-max-buffer BYTES\n"
	"                          bytes of one message head, and of out-of-order\n"
	"                          data held per direction (default 16384, 65536)\n"
	"  -v, --verbose           more diagnostics (-vv: libbpf's too)\n"
	"      --version           print the version\n"
	"  -h, --help              this help\n"
	"\n"
	"The expression is a tcpdump-compatible subset of pcap-filter(7): host,\n"
	"net CIDR, src/dst, port, portrange, ip, ip6, arp, tcp, udp, icmp, icmp6,\n"
	"proto N, vlan [ID], tcp[tcpflags] & FLAGS != 0, tcpflags syn,rst, and,\n"
	"or, not, parentheses (docs/filter.md). Live, the kernel evaluates it\n"
	"before any event is written.\n"
	"\n"
	"Signals: SIGINT/SIGTERM detach and print a summary; SIGUSR1 writes a\n"
	"stats record now; SIGHUP reopens the -w file and re-reads --filter-file.\n"
	"\n"
	"Examples:\n"
	"  hdrlog                          flows of the default-route interface\n"
	"  hdrlog --packets all -c 10      the first 10 packets, one record each\n"
	"  hdrlog -i veth0 -o text         one line per connection\n"
	"  hdrlog -i veth0 --only-failed   only connections that failed\n"
	"  hdrlog -i eth0 --hook xdp --packets all -c 100 -w /var/log/hdrlog.json\n"
	"  hdrlog -r capture.pcap          the same flows, from a file\n"
	"  hdrlog -i eth0 --metrics-addr 9464 --loki-url http://127.0.0.1:3100\n"
	"  hdrlog -i eth0 -w /var/log/hdrlog.json --rotate-size 100M --retain 10 --compress\n"
	"  hdrlog -r f.pcap 'not port 22 and (icmp or udp)'\n"
	"  hdrlog -i eth0 'tcp and net 198.18.0.0/15 and port 80'\n"
	"  hdrlog -i eth0 --filter-file rules.txt --sample 100 --sample-mode flow\n"
	"\n"
	"Exit status: 0 ok, 1 runtime failure, 2 bad input (option, interface,\n"
	"unreadable or truncated capture).\n";

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "hdrlog: ");
	fprintf(stderr, fmt, arg);
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
static int parse_size(const char *s, unsigned long long *out)
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
	if (parse_ull(num, 1, (1ULL << 40) >> shift, out))
		return -EINVAL;
	*out <<= shift;
	return *out >= 4096 ? 0 : -EINVAL;
}

/* Like tcpdump, which takes its first interface: the default route's. */
static int default_route_iface(char *name, size_t len)
{
	char line[256], ifname[IF_NAMESIZE + 1];
	unsigned long dest, mask;
	unsigned int flags;
	FILE *fp = fopen("/proc/net/route", "r");
	int err = -ENOENT;

	if (!fp)
		return -errno;
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "%16s %lx %*x %x %*d %*d %*d %lx", ifname, &dest,
			   &flags, &mask) != 4)
			continue;
		if (dest == 0 && mask == 0 && (flags & 1 /* RTF_UP */)) {
			snprintf(name, len, "%s", ifname);
			err = 0;
			break;
		}
	}
	fclose(fp);
	return err;
}

enum long_only {
	OPT_HOOK = 256,
	OPT_DIRECTION,
	OPT_TC_MODE,
	OPT_STATS_INTERVAL,
	OPT_RINGBUF_SIZE,
	OPT_FILTER_FILE,
	OPT_SAMPLE,
	OPT_SAMPLE_MODE,
	OPT_VERSION,
	OPT_METRICS_ADDR,
	OPT_LOKI_URL,
	OPT_LOKI_QUEUE,
	OPT_ROTATE_SIZE,
	OPT_ROTATE_INTERVAL,
	OPT_RETAIN,
	OPT_COMPRESS,
	OPT_FLOWS,
	OPT_PACKETS,
	OPT_ONLY_FAILED,
	OPT_IDLE_TIMEOUT,
	OPT_FLOW_TABLE_SIZE,
	OPT_HTTP,
	OPT_HTTP_HEADER,
	OPT_NO_REDACT,
	OPT_HTTP_REDACT_QUERY,
	OPT_HTTP_MAX_STREAMS,
	OPT_HTTP_MAX_BUFFER,
	OPT_HTTP_SNAPLEN,
	OPT_SYN_THRESHOLD,
	OPT_SYN_WINDOW,
	OPT_ACTIVE_TIMEOUT,
	OPT_TIMELINE,
	OPT_HANDSHAKE_TIMEOUT,
};

static const struct option long_options[] = {
	{ "interface", required_argument, NULL, 'i' },
	{ "hook", required_argument, NULL, OPT_HOOK },
	{ "direction", required_argument, NULL, OPT_DIRECTION },
	{ "tc-mode", required_argument, NULL, OPT_TC_MODE },
	{ "read", required_argument, NULL, 'r' },
	{ "count", required_argument, NULL, 'c' },
	{ "output", required_argument, NULL, 'o' },
	{ "write", required_argument, NULL, 'w' },
	{ "stats-interval", required_argument, NULL, OPT_STATS_INTERVAL },
	{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF_SIZE },
	{ "filter-file", required_argument, NULL, OPT_FILTER_FILE },
	{ "sample", required_argument, NULL, OPT_SAMPLE },
	{ "sample-mode", required_argument, NULL, OPT_SAMPLE_MODE },
	{ "rotate-size", required_argument, NULL, OPT_ROTATE_SIZE },
	{ "rotate-interval", required_argument, NULL, OPT_ROTATE_INTERVAL },
	{ "retain", required_argument, NULL, OPT_RETAIN },
	{ "compress", no_argument, NULL, OPT_COMPRESS },
	{ "metrics-addr", required_argument, NULL, OPT_METRICS_ADDR },
	{ "loki-url", required_argument, NULL, OPT_LOKI_URL },
	{ "loki-queue", required_argument, NULL, OPT_LOKI_QUEUE },
	{ "flows", no_argument, NULL, OPT_FLOWS },
	{ "packets", required_argument, NULL, OPT_PACKETS },
	{ "only-failed", no_argument, NULL, OPT_ONLY_FAILED },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
	{ "handshake-timeout", required_argument, NULL, OPT_HANDSHAKE_TIMEOUT },
	{ "flow-table-size", required_argument, NULL, OPT_FLOW_TABLE_SIZE },
	{ "http", no_argument, NULL, OPT_HTTP },
	{ "http-header", required_argument, NULL, OPT_HTTP_HEADER },
	{ "no-redact", no_argument, NULL, OPT_NO_REDACT },
	{ "http-redact-query", no_argument, NULL, OPT_HTTP_REDACT_QUERY },
	{ "http-max-streams", required_argument, NULL, OPT_HTTP_MAX_STREAMS },
	{ "http-max-buffer", required_argument, NULL, OPT_HTTP_MAX_BUFFER },
	{ "http-snaplen", required_argument, NULL, OPT_HTTP_SNAPLEN },
	{ "syn-threshold", required_argument, NULL, OPT_SYN_THRESHOLD },
	{ "syn-window", required_argument, NULL, OPT_SYN_WINDOW },
	{ "active-timeout", required_argument, NULL, OPT_ACTIVE_TIMEOUT },
	{ "timeline", no_argument, NULL, OPT_TIMELINE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static int parse_choice(const char *arg, const char *opt,
			const char *const *choices, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(arg, choices[i]))
			return i;
	fprintf(stderr, "hdrlog: invalid %s '%s'\n", opt, arg);
	return -EINVAL;
}

/* Returns 0, 1 when the run is done (--help, --version), or -EINVAL. */
static int parse_args(int argc, char **argv, struct args *a)
{
	static const char *const hooks[] = { "tc", "xdp" };
	static const char *const dirs[] = { "in", "out", "both" };
	static const char *const modes[] = { "auto", "tcx", "netlink" };
	static const char *const fmts[] = { "json", "text" };
	static const char *const sample_modes[] = { "packet", "flow" };
	/* in enum hdrlog_packets order */
	static const char *const packet_modes[] = { "none", "tcp-control", "all" };
	unsigned long long n;
	int opt, i;

	opterr = 0; /* getopt's messages would start with argv[0], not hdrlog */
	while ((opt = getopt_long(argc, argv, ":i:r:c:o:w:vh", long_options,
				  NULL)) != -1) {
		switch (opt) {
		case 'i':
			if (a->live.n_ifaces >= LIVE_MAX_IFACES)
				return usage_error("at most 16 interfaces%s", "");
			if (strlen(optarg) >= IF_NAMESIZE)
				return usage_error("interface name too long: '%s'", optarg);
			a->live.ifaces[a->live.n_ifaces++] = optarg;
			break;
		case OPT_HOOK:
			if ((i = parse_choice(optarg, "--hook", hooks, 2)) < 0)
				return i;
			a->live.xdp = i == 1;
			break;
		case OPT_DIRECTION:
			if ((i = parse_choice(optarg, "--direction", dirs, 3)) < 0)
				return i;
			a->live.ingress = i != 1;
			a->live.egress = i != 0;
			break;
		case OPT_TC_MODE:
			if ((i = parse_choice(optarg, "--tc-mode", modes, 3)) < 0)
				return i;
			a->live.tc_mode = i;
			break;
		case 'r':
			a->read_path = optarg;
			break;
		case 'c':
			if (parse_ull(optarg, 1, ULLONG_MAX, &n))
				return usage_error("invalid count '%s'", optarg);
			a->live.max_count = n;
			break;
		case 'o':
			if ((i = parse_choice(optarg, "--output", fmts, 2)) < 0)
				return i;
			a->fmt = i;
			break;
		case 'w':
			a->write_path = optarg;
			break;
		case OPT_STATS_INTERVAL:
			if (parse_ull(optarg, 1, 86400, &n))
				return usage_error("invalid stats interval '%s' (1-86400 s)", optarg);
			a->live.stats_interval = n;
			break;
		case OPT_RINGBUF_SIZE:
			if (parse_ull(optarg, 4096, 1ULL << 30, &n) || (n & (n - 1)))
				return usage_error("invalid ring buffer size '%s' (a power of two, 4096 to 1G)", optarg);
			a->live.load.ringbuf_bytes = n;
			break;
		case OPT_FILTER_FILE:
			a->sel.filter_file = optarg;
			break;
		case OPT_SAMPLE:
			if (parse_ull(optarg, 1, UINT32_MAX, &n))
				return usage_error("invalid sample rate '%s' (1 in N, N from 1 to 4294967295)", optarg);
			a->sel.sample = n;
			break;
		case OPT_SAMPLE_MODE:
			if ((i = parse_choice(optarg, "--sample-mode", sample_modes, 2)) < 0)
				return i;
			a->sel.sample_flow = i == 1;
			break;
		case OPT_ROTATE_SIZE:
			if (parse_size(optarg, &n))
				return usage_error("invalid rotate size '%s' (bytes, 4k to 1T; suffix k, M or G)", optarg);
			a->rot.size = n;
			break;
		case OPT_ROTATE_INTERVAL:
			if (parse_ull(optarg, 1, 31 * 86400, &n))
				return usage_error("invalid rotate interval '%s' (1-2678400 s)", optarg);
			a->rot.interval_s = n;
			break;
		case OPT_RETAIN:
			if (parse_ull(optarg, 1, 100000, &n))
				return usage_error("invalid --retain '%s' (1-100000 files)", optarg);
			a->rot.retain = n;
			break;
		case OPT_COMPRESS:
			a->rot.compress = true;
			break;
		case OPT_METRICS_ADDR:
			a->metrics_addr = optarg;
			break;
		case OPT_LOKI_URL:
			a->loki.url = optarg;
			break;
		case OPT_LOKI_QUEUE:
			if (parse_ull(optarg, 1, 100000000, &n))
				return usage_error("invalid Loki queue size '%s' (1-100000000 lines)", optarg);
			a->loki.queue_records = n;
			break;
		case OPT_FLOWS:
			a->flows = 1;
			break;
		case OPT_ONLY_FAILED:
			a->flows = 1;
			a->flow.only_failed = true;
			break;
		case OPT_PACKETS:
			if ((i = parse_choice(optarg, "--packets", packet_modes, 3)) < 0)
				return i;
			a->packets = i;
			break;
		case OPT_IDLE_TIMEOUT:
			if (parse_ull(optarg, 1, 86400, &n))
				return usage_error("invalid idle timeout '%s' (1-86400 s)", optarg);
			a->flow.idle_ns = n * 1000000000ULL;
			break;
		case OPT_HANDSHAKE_TIMEOUT:
			if (parse_ull(optarg, 0, 86400, &n))
				return usage_error("invalid handshake timeout '%s' (0-86400 s)", optarg);
			a->flow.attempt_ns = n * 1000000000ULL;
			break;
		case OPT_TIMELINE:
			a->flows = 1;
			a->flow.timeline = true;
			break;
		case OPT_ACTIVE_TIMEOUT:
			if (parse_ull(optarg, 0, 86400, &n))
				return usage_error("invalid active timeout '%s' (0-86400 s)", optarg);
			a->flow.active_ns = n * 1000000000ULL;
			break;
		case OPT_SYN_THRESHOLD:
			if (parse_ull(optarg, 0, 1 << 30, &n))
				return usage_error("invalid SYN threshold '%s'", optarg);
			a->flow.syn.threshold = n;
			break;
		case OPT_SYN_WINDOW:
			if (parse_ull(optarg, 2, 3600, &n))
				return usage_error("invalid SYN window '%s' (2-3600 s)", optarg);
			a->flow.syn.window_ns = n * 1000000000ULL;
			break;
		case OPT_FLOW_TABLE_SIZE:
			if (parse_ull(optarg, 1024, 1 << 24, &n))
				return usage_error("invalid flow table size '%s' (1024-16777216)", optarg);
			a->live.load.flow_entries = n;
			break;
		case OPT_HTTP:
			a->http = true;
			break;
		case OPT_HTTP_HEADER:
			if (!strcmp(optarg, "*")) {
				a->http_cfg.all_headers = true;
				break;
			}
			if (a->http_cfg.n_headers >= ARGS_MAX_HTTP_HEADERS)
				return usage_error("at most 64 --http-header names%s", "");
			a->http_headers[a->http_cfg.n_headers++] = optarg;
			break;
		case OPT_NO_REDACT:
			a->http_cfg.no_redact = true;
			break;
		case OPT_HTTP_REDACT_QUERY:
			a->http_cfg.redact_query = true;
			break;
		case OPT_HTTP_MAX_STREAMS:
			if (parse_ull(optarg, 1, 1u << 24, &n))
				return usage_error("invalid --http-max-streams '%s' (1-16777216)", optarg);
			a->http_cfg.max_conns = n;
			break;
		case OPT_HTTP_MAX_BUFFER:
			if (parse_ull(optarg, 256, 1u << 24, &n))
				return usage_error("invalid --http-max-buffer '%s' (256-16777216)", optarg);
			a->http_cfg.max_head = n;
			a->http_cfg.max_ooo = 4 * n;
			break;
		case OPT_HTTP_SNAPLEN:
			if (parse_ull(optarg, 64, HDRLOG_HTTP_SNAPLEN_MAX, &n))
				return usage_error("invalid --http-snaplen '%s' (64-8192)", optarg);
			a->http_snaplen = n;
			break;
		case 'v':
			a->verbosity++;
			break;
		case OPT_VERSION:
			printf("hdrlog %s (libbpf %s)\n", HDRLOG_VERSION,
			       libbpf_version_string());
			return 1;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		/* like tcpdump: the remaining words are one expression */
		a->filter_expr = filter_join(argc - optind, argv + optind);
		if (!a->filter_expr)
			return usage_error("out of memory%s", "");
	}
	/* flows by default; --packets all alone is the packet log it was */
	if (a->packets < 0)
		a->packets = HDRLOG_PACKETS_NONE;
	if (a->flows < 0)
		a->flows = a->packets != HDRLOG_PACKETS_ALL;
	if (a->http)
		a->flows = 1; /* the flow table marks and counts HTTP */
	if (!a->read_path && a->live.max_count &&
	    a->packets == HDRLOG_PACKETS_NONE)
		return usage_error("-c counts packet records: add --packets all or tcp-control%s", "");
	if (!a->write_path && (a->rot.size || a->rot.interval_s ||
			       a->rot.retain || a->rot.compress))
		return usage_error("--rotate-*, --retain and --compress need -w FILE%s", "");
	a->http_cfg.headers = a->http_headers;
	if (a->http && a->live.xdp)
		return usage_error("--http needs tc on ingress, not --hook xdp%s", "");
	if (a->http)
		a->live.load.http_snaplen = a->http_snaplen ? a->http_snaplen : 1024;
	if (a->read_path && a->live.n_ifaces)
		return usage_error("-r and -i exclude each other%s", "");
	return 0;
}

static int run_live(struct args *a, struct output *out, struct counters *c)
{
	static char default_iface[IF_NAMESIZE + 1];
	int err;

	if (!a->live.n_ifaces) {
		err = default_route_iface(default_iface, sizeof(default_iface));
		if (err) {
			pr_warn("no default route to pick an interface from; use -i IFACE\n");
			return EXIT_USAGE;
		}
		a->live.ifaces[a->live.n_ifaces++] = default_iface;
	}
	a->live.sel = &a->sel;
	a->live.load.packets = a->packets;
	a->live.load.flows = a->flows;
	a->live.load.only_failed = a->flow.only_failed;
	a->live.load.timeline = a->flow.timeline;
	a->live.flows = a->flows;
	a->live.flow = a->flow;
	return live_run(&a->live, out, c);
}

/* The sinks and the metrics server the options ask for. Returns 0 or
 * -errno (-EINVAL: a bad URL or address), with a message printed. */
static int open_exporters(const struct args *a, struct output *out,
			  struct metrics_server **metrics)
{
	struct sink *loki;
	int err;

	metrics_add_sink(a->write_path ? "file" : "stdout", &out->n);
	if (a->loki.url) {
		err = sink_loki_open(&a->loki, &loki);
		if (err)
			return err;
		output_add_sink(out, loki);
		metrics_add_sink(loki->name, &loki->n);
	}
	if (a->metrics_addr)
		return metrics_server_start(a->metrics_addr, metrics);
	return 0;
}

int main(int argc, char **argv)
{
	struct args a = {
		.live = {
			.ingress = true,
			.egress = true,
			.load = { .ringbuf_bytes = 32 << 20, .pull_len = 256 },
		},
		.loki = {
			.queue_records = LOKI_DEFAULT_QUEUE,
			.batch_bytes = LOKI_DEFAULT_BATCH_BYTES,
			.batch_wait_ms = LOKI_DEFAULT_BATCH_WAIT_MS,
			.drain_ms = LOKI_DEFAULT_DRAIN_MS,
		},
		.packets = -1,
		.flows = -1,
		.flow = {
			.idle_ns = 60 * 1000000000ULL,
			.attempt_ns = 5 * 1000000000ULL,
			.syn = { .window_ns = 10 * 1000000000ULL,
				 .grace_ns = 1000000000ULL, .threshold = 100 },
		},
	};
	struct metrics_server *metrics = NULL;
	struct http_engine *http = NULL;
	struct http_stats http_stats = { 0 };
	struct counters c = { 0 };
	struct output out;
	int err, code;

	err = parse_args(argc, argv, &a);
	if (err) {
		free(a.filter_expr);
		return err > 0 ? 0 : EXIT_USAGE;
	}
	err = select_load(&a.sel, a.filter_expr);
	free(a.filter_expr);
	if (err)
		return EXIT_USAGE;
	log_set_level(a.verbosity >= 2 ? LOG_DEBUG : a.verbosity ? LOG_INFO : LOG_WARN);
	log_route_libbpf();
	/* A closed pipe is an error to handle (detach first), not a death. */
	signal(SIGPIPE, SIG_IGN);

	if (output_open(&out, a.write_path, a.fmt)) {
		select_free(&a.sel);
		return EXIT_USAGE;
	}
	out.rot = a.rot;
	err = open_exporters(&a, &out, &metrics);
	if (err) {
		metrics_server_stop(metrics);
		output_close(&out, NULL);
		select_free(&a.sel);
		return err == -EINVAL ? EXIT_USAGE : 1;
	}
	if (a.http) {
		http = http_engine_new(&a.http_cfg, a.fmt, output_write_line, &out);
		if (!http) {
			fprintf(stderr, "hdrlog: out of memory\n");
			metrics_server_stop(metrics);
			output_close(&out, NULL);
			select_free(&a.sel);
			return 1;
		}
	}
	c.http = http != NULL;
	if (a.read_path) {
		struct offline_opts oo = {
			.max_count = a.live.max_count,
			.packets = a.packets,
			.flows = a.flows,
			.flow = a.flow,
			.http = http,
			.http_snaplen = a.live.load.http_snaplen,
		};

		err = offline_run(a.read_path, &oo, &a.sel, &out, &c);
		code = err == -EINVAL ? EXIT_USAGE : err && err != -EPIPE ? 1 : 0;
	} else {
		a.live.http = http;
		code = run_live(&a, &out, &c);
	}
	if (http) {
		http_engine_finish(http); /* logs what is still waiting */
		http_stats = *http_engine_stats(http);
		http_engine_free(http);
	}
	/* the server reads the sinks' counters: stop it first */
	metrics_server_stop(metrics);
	output_close(&out, &c);
	select_free(&a.sel);
	c.output_errors = out.errors;
	c.rotate_errors = out.rotate_errors;
	if (c.started)
		counters_summary(stderr, &c);
	if (a.http && c.started)
		http_stats_summary(stderr, &http_stats);
	return code;
}
