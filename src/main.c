// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* hdrlog: log network header elements with eBPF, live or from a capture. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "counters.h"
#include "filter.h"
#include "live.h"
#include "log.h"
#include "offline.h"
#include "output.h"

#define EXIT_USAGE 2

struct args {
	struct live_opts live;
	const char *read_path;
	const char *write_path;
	char *filter_expr; /* the remaining arguments joined, or NULL */
	enum record_format fmt;
	int verbosity;
	int flows;   /* 1 --flows (or an option implying it), -1: by --packets */
	int packets; /* enum hdrlog_packets, -1: not given */
	struct flow_opts flow;
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
	"                          S0, RSTOS0, RSTRH, SH, SHR); implies --flows\n"
	"      --idle-timeout SEC  a flow idle this long ends (default 60)\n"
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
	"      --stats-interval SEC\n"
	"                          write a stats record every SEC seconds\n"
	"      --ringbuf-size BYTES\n"
	"                          ring buffer size, a power of two (default 32M)\n"
	"  -v, --verbose           more diagnostics (-vv: libbpf's too)\n"
	"      --version           print the version\n"
	"  -h, --help              this help\n"
	"\n"
	"The expression is a tcpdump-compatible subset of pcap-filter(7): host,\n"
	"net CIDR, src/dst, port, portrange, ip, ip6, arp, tcp, udp, icmp, icmp6,\n"
	"proto N, vlan [ID], tcp[tcpflags] & FLAGS != 0, tcpflags syn,rst, and,\n"
	"or, not, parentheses (docs/filter.md). Offline (-r) only so far.\n"
	"\n"
	"Signals: SIGINT/SIGTERM detach and print a summary; SIGUSR1 writes a\n"
	"stats record now; SIGHUP reopens the -w file.\n"
	"\n"
	"Examples:\n"
	"  hdrlog                          flows of the default-route interface\n"
	"  hdrlog --packets all -c 10      the first 10 packets, one record each\n"
	"  hdrlog -i veth0 -o text         one line per connection\n"
	"  hdrlog -i veth0 --only-failed   only connections that failed\n"
	"  hdrlog -i eth0 --hook xdp --packets all -c 100 -w /var/log/hdrlog.json\n"
	"  hdrlog -r capture.pcap          the same flows, from a file\n"
	"  hdrlog -r f.pcap 'not port 22 and (icmp or udp)'\n"
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
	OPT_VERSION,
	OPT_FLOWS,
	OPT_PACKETS,
	OPT_ONLY_FAILED,
	OPT_IDLE_TIMEOUT,
	OPT_FLOW_TABLE_SIZE,
	OPT_SYN_THRESHOLD,
	OPT_SYN_WINDOW,
	OPT_ACTIVE_TIMEOUT,
	OPT_TIMELINE,
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
	{ "flows", no_argument, NULL, OPT_FLOWS },
	{ "packets", required_argument, NULL, OPT_PACKETS },
	{ "only-failed", no_argument, NULL, OPT_ONLY_FAILED },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
	{ "flow-table-size", required_argument, NULL, OPT_FLOW_TABLE_SIZE },
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
	if (!a->read_path && a->live.max_count &&
	    a->packets == HDRLOG_PACKETS_NONE)
		return usage_error("-c counts packet records: add --packets all or tcp-control%s", "");
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
	a->live.load.packets = a->packets;
	a->live.load.flows = a->flows;
	a->live.load.only_failed = a->flow.only_failed;
	a->live.load.timeline = a->flow.timeline;
	a->live.flows = a->flows;
	a->live.flow = a->flow;
	return live_run(&a->live, out, c);
}

int main(int argc, char **argv)
{
	struct args a = {
		.live = {
			.ingress = true,
			.egress = true,
			.load = { .ringbuf_bytes = 32 << 20, .pull_len = 256 },
		},
		.packets = -1,
		.flows = -1,
		.flow = {
			.idle_ns = 60 * 1000000000ULL,
			.syn = { .window_ns = 10 * 1000000000ULL,
				 .grace_ns = 1000000000ULL, .threshold = 100 },
		},
	};
	struct hdrlog_filter *filter = NULL;
	struct filter_error ferr;
	struct counters c = { 0 };
	struct output out;
	int err, code;

	err = parse_args(argc, argv, &a);
	if (err) {
		free(a.filter_expr);
		return err > 0 ? 0 : EXIT_USAGE;
	}
	if (a.filter_expr && !a.read_path) {
		fprintf(stderr, "hdrlog: filters are applied offline only so far (use -r FILE)\n");
		free(a.filter_expr);
		return EXIT_USAGE;
	}
	if (a.filter_expr) {
		filter = malloc(sizeof(*filter));
		err = filter ? filter_compile(a.filter_expr, filter, &ferr) : -ENOMEM;
		if (err == -ENOMEM)
			fprintf(stderr, "hdrlog: out of memory\n");
		else if (err)
			filter_error_print(stderr, a.filter_expr, &ferr);
		free(a.filter_expr);
		if (err) {
			free(filter);
			return EXIT_USAGE;
		}
	}
	log_set_level(a.verbosity >= 2 ? LOG_DEBUG : a.verbosity ? LOG_INFO : LOG_WARN);
	log_route_libbpf();
	/* A closed pipe is an error to handle (detach first), not a death. */
	signal(SIGPIPE, SIG_IGN);

	if (output_open(&out, a.write_path, a.fmt)) {
		free(filter);
		return EXIT_USAGE;
	}
	if (a.read_path) {
		struct offline_opts oo = {
			.max_count = a.live.max_count,
			.packets = a.packets,
			.flows = a.flows,
			.flow = a.flow,
		};

		err = offline_run(a.read_path, &oo, filter, &out, &c);
		code = err == -EINVAL ? EXIT_USAGE : err && err != -EPIPE ? 1 : 0;
	} else {
		code = run_live(&a, &out, &c);
	}
	output_close(&out);
	free(filter);
	c.output_errors = out.errors;
	if (c.started)
		counters_summary(stderr, &c);
	return code;
}
