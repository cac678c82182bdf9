// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The command line: every option once, in a table (the xdp-tools
 * DEFINE_OPTION idea), that gives getopt its list, parses and checks each
 * value into struct config, and prints --help by section.
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

#include "config/config.h"
#include "filter/filter.h"

#define NS_PER_S 1000000000ULL
#define HELP_COLUMN 26 /* where the explanations start in --help */
#define HELP_WIDTH 78

enum section {
	SEC_CAPTURE, SEC_SELECTION, SEC_FLOWS, SEC_HTTP, SEC_OUTPUT,
	SEC_EXPORT, SEC_TUNING, SEC_GENERAL, SEC__MAX,
};

static const char *const section_names[SEC__MAX] = {
	[SEC_CAPTURE] = "Capture",
	[SEC_SELECTION] = "Selection (what the kernel lets through)",
	[SEC_FLOWS] = "Flows",
	[SEC_HTTP] = "HTTP",
	[SEC_OUTPUT] = "Output",
	[SEC_EXPORT] = "Export",
	[SEC_TUNING] = "Tuning",
	[SEC_GENERAL] = "General",
};

enum kind {
	K_FLAG,	   /* a bool set to true */
	K_UINT,	   /* an unsigned integer of the field's size, in [min, max] */
	K_SECONDS, /* seconds in [min, max], stored as nanoseconds (__u64) */
	K_SIZE,	   /* bytes with an optional k, M or G, in [min, max] */
	K_CHOICE,  /* one of choices, stored as its index (int-sized enum) */
	K_STRING,  /* a const char * to the argument */
	K_CUSTOM,  /* set() does it */
};

struct opt {
	const char *name; /* the long option */
	int short_name;	  /* 0: none */
	const char *arg;  /* the value's name in --help; NULL: no value */
	enum section sec;
	enum kind kind;
	size_t off, size; /* the field of struct config */
	unsigned long long min, max;
	const char *what;  /* for errors: "invalid WHAT 'value' (RANGE)" */
	const char *range; /* RANGE */
	const char *const *choices; /* K_CHOICE, NULL-terminated */
	int (*set)(struct config *c, const char *arg); /* K_CUSTOM */
	const char *help;
};

#define FIELD(f) .off = offsetof(struct config, f), \
		 .size = sizeof(((struct config *)0)->f)

static int set_interface(struct config *c, const char *arg);
static int set_direction(struct config *c, const char *arg);
static int set_hook(struct config *c, const char *arg);
static int set_sample_mode(struct config *c, const char *arg);
static int set_http_header(struct config *c, const char *arg);
static int set_http_max_buffer(struct config *c, const char *arg);
static int set_ringbuf_size(struct config *c, const char *arg);
static int set_verbose(struct config *c, const char *arg);
static int print_version(struct config *c, const char *arg);
static int print_help(struct config *c, const char *arg);

static const char *const hooks[] = { "tc", "xdp", NULL };
static const char *const directions[] = { "in", "out", "both", NULL };
static const char *const tc_modes[] = { "auto", "tcx", "netlink", NULL };
static const char *const formats[] = { "json", "text", NULL };
static const char *const sample_modes[] = { "packet", "flow", NULL };
/* in enum hdrlog_packets order */
static const char *const packet_modes[] = { "none", "tcp-control", "all", NULL };

/* The options, in --help order within each section. */
static const struct opt options[] = {
	{ "interface", 'i', "IFACE", SEC_CAPTURE, K_CUSTOM, .set = set_interface,
	  .help = "attach to IFACE (repeatable, at most 16; default: the "
		  "interface of the default route)" },
	{ "hook", 0, "tc|xdp", SEC_CAPTURE, K_CUSTOM, .set = set_hook,
	  .help = "ingress hook (default tc; egress is always tc)" },
	{ "direction", 0, "in|out|both", SEC_CAPTURE, K_CUSTOM,
	  .set = set_direction, .help = "which directions to log (default both)" },
	{ "tc-mode", 0, "auto|tcx|netlink", SEC_CAPTURE, K_CHOICE,
	  FIELD(tc_mode), .choices = tc_modes, .what = "--tc-mode",
	  .help = "tc attachment: tcx link (Linux 6.6+) or clsact filter "
		  "(default auto: tcx when available)" },
	{ "read", 'r', "FILE", SEC_CAPTURE, K_STRING, FIELD(read_path),
	  .help = "read a pcap or pcapng file instead (no root)" },
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
	{ "sample-mode", 0, "packet|flow", SEC_SELECTION, K_CUSTOM,
	  .set = set_sample_mode,
	  .help = "sample packets at random, or whole flows (all packets of 1 in "
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
	{ "active-timeout", 0, "SEC", SEC_FLOWS, K_SECONDS,
	  FIELD(flow.active_ns), 0, 86400, .what = "active timeout",
	  .help = "an interim record every SEC seconds of a flow (default 0: "
		  "none)" },
	{ "timeline", 0, NULL, SEC_FLOWS, K_FLAG, FIELD(flow.timeline),
	  .help = "each flow record lists its first 16 packets (time, side, "
		  "flags, relative seq/ack, length); implies --flows" },
	{ "syn-threshold", 0, "N", SEC_FLOWS, K_UINT, FIELD(flow.syn.threshold),
	  0, 1 << 30, .what = "SYN threshold", .range = "0-1073741824",
	  .help = "anomaly record when a destination has more than N "
		  "unanswered SYNs (default 100, 0: off)" },
	{ "syn-window", 0, "SEC", SEC_FLOWS, K_SECONDS,
	  FIELD(flow.syn.window_ns), 2, 3600, .what = "SYN window",
	  .help = "... sent in the last SEC seconds (default 10)" },

	{ "http", 0, NULL, SEC_HTTP, K_FLAG, FIELD(http),
	  .help = "also log HTTP/1.x transactions, one \"http\" record per "
		  "request and response (live: tc); implies --flows: HTTP is "
		  "counted on the flow" },
	{ "http-snaplen", 0, "BYTES", SEC_HTTP, K_UINT, FIELD(http_snaplen), 64,
	  HDRLOG_HTTP_SNAPLEN_MAX, .what = "--http-snaplen",
	  .help = "payload bytes the kernel copies of a segment of an HTTP flow "
		  "(default 1024); segments in a Content-Length body are "
		  "counted, not copied" },
	{ "http-header", 0, "NAME", SEC_HTTP, K_CUSTOM, .set = set_http_header,
	  .help = "also log header field NAME (repeatable, at most 64; '*': "
		  "all fields)" },
	{ "no-redact", 0, NULL, SEC_HTTP, K_FLAG, FIELD(http_cfg.no_redact),
	  .help = "log Authorization, Proxy-Authorization, Cookie and "
		  "Set-Cookie values (default: REDACTED)" },
	{ "http-redact-query", 0, NULL, SEC_HTTP, K_FLAG,
	  FIELD(http_cfg.redact_query), .help = "log url.query as REDACTED" },
	{ "http-max-streams", 0, "N", SEC_HTTP, K_UINT,
	  FIELD(http_cfg.max_conns), 1, 1u << 24, .what = "--http-max-streams",
	  .help = "HTTP connections followed at once (default 65536; the least "
		  "recent one is dropped)" },
	{ "http-max-buffer", 0, "BYTES", SEC_HTTP, K_CUSTOM,
	  .set = set_http_max_buffer,
	  .help = "bytes of one message head, and of out-of-order data held per "
		  "direction (default 16384, 65536)" },

	{ "output", 'o', "json|text", SEC_OUTPUT, K_CHOICE, FIELD(fmt),
	  .choices = formats, .what = "--output",
	  .help = "line format (default json)" },
	{ "write", 'w', "FILE", SEC_OUTPUT, K_STRING, FIELD(write_path),
	  .help = "append lines to FILE (SIGHUP reopens it)" },
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
	{ "loki-url", 0, "URL", SEC_EXPORT, K_STRING, FIELD(loki.url),
	  .help = "also push every line to Loki, e.g. http://127.0.0.1:3100 "
		  "(docs/metrics.md)" },
	{ "loki-queue", 0, "N", SEC_EXPORT, K_UINT, FIELD(loki.queue_records), 1,
	  100000000, .what = "Loki queue size", .range = "1-100000000 lines",
	  .help = "lines Loki's queue holds before it drops and counts (default "
		  "100000)" },

	{ "ringbuf-size", 0, "BYTES", SEC_TUNING, K_CUSTOM,
	  .set = set_ringbuf_size,
	  .help = "ring buffer size, a power of two (default 32M)" },
	{ "flow-table-size", 0, "N", SEC_TUNING, K_UINT, FIELD(flow_entries),
	  1024, 1 << 24, .what = "flow table size", .range = "1024-16777216",
	  .help = "flows the kernel table holds (default 65536)" },

	{ "verbose", 'v', NULL, SEC_GENERAL, K_CUSTOM, .set = set_verbose,
	  .help = "more diagnostics (-vv: libbpf's too)" },
	{ "version", 0, NULL, SEC_GENERAL, K_CUSTOM, .set = print_version,
	  .help = "print the version" },
	{ "help", 'h', NULL, SEC_GENERAL, K_CUSTOM, .set = print_help,
	  .help = "this help" },
};

#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

static const char usage_head[] =
	"Usage: hdrlog [OPTION...] [FILTER EXPRESSION]\n"
	"Log one record per connection (flow), or the header elements of every\n"
	"packet (Ethernet, VLAN, ARP, IPv4, IPv6, TCP, UDP, ICMP), as JSON lines,\n"
	"live with eBPF or from a capture.\n";

static const char usage_tail[] =
	"The expression is a tcpdump-compatible subset of pcap-filter(7): host,\n"
	"net CIDR, src/dst, port, portrange, ip, ip6, arp, tcp, udp, icmp, icmp6,\n"
	"proto N, vlan [ID], tcp[tcpflags] & FLAGS != 0, tcpflags syn,rst, and,\n"
	"or, not, parentheses (docs/filter.md). Live, the kernel evaluates it\n"
	"before any event is written.\n"
	"\n"
	"Signals: SIGINT/SIGTERM stop (live: detach), end the open flows and\n"
	"print a summary; SIGUSR1 writes a stats record now; SIGHUP reopens the\n"
	"-w file and re-reads --filter-file. Reading a file, a progress line\n"
	"goes to stderr when it is a terminal.\n"
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

static int choice_index(const char *const *choices, const char *arg)
{
	for (int i = 0; choices[i]; i++)
		if (!strcmp(arg, choices[i]))
			return i;
	return -1;
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
		if ((i = choice_index(o->choices, arg)) < 0) {
			fprintf(stderr, "hdrlog: invalid %s '%s'\n", o->what, arg);
			return -EINVAL;
		}
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

static int set_interface(struct config *c, const char *arg)
{
	if (c->n_ifaces >= CONFIG_MAX_IFACES)
		return usage_error("at most 16 interfaces%s", "");
	if (strlen(arg) >= IF_NAMESIZE)
		return usage_error("interface name too long: '%s'", arg);
	c->ifaces[c->n_ifaces++] = arg;
	return 0;
}

static int set_hook(struct config *c, const char *arg)
{
	int i = choice_index(hooks, arg);

	if (i < 0) {
		fprintf(stderr, "hdrlog: invalid --hook '%s'\n", arg);
		return -EINVAL;
	}
	c->xdp = i == 1;
	return 0;
}

static int set_direction(struct config *c, const char *arg)
{
	int i = choice_index(directions, arg);

	if (i < 0) {
		fprintf(stderr, "hdrlog: invalid --direction '%s'\n", arg);
		return -EINVAL;
	}
	c->ingress = i != 1;
	c->egress = i != 0;
	return 0;
}

static int set_sample_mode(struct config *c, const char *arg)
{
	int i = choice_index(sample_modes, arg);

	if (i < 0) {
		fprintf(stderr, "hdrlog: invalid --sample-mode '%s'\n", arg);
		return -EINVAL;
	}
	c->sel.sample_flow = i == 1;
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

static int set_http_max_buffer(struct config *c, const char *arg)
{
	unsigned long long n;

	if (parse_ull(arg, 256, 1u << 24, &n))
		return usage_error("invalid --http-max-buffer '%s' (256-16777216)", arg);
	c->http_cfg.max_head = n;
	c->http_cfg.max_ooo = 4 * n;
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

/* Returns 1: the run is done. */
static int print_version(struct config *c, const char *arg)
{
	(void)c;
	(void)arg;
	printf("hdrlog %s (libbpf %s)\n", HDRLOG_VERSION, libbpf_version_string());
	return 1;
}

/* ---- --help ---------------------------------------------------------- */

/* Prints text from column HELP_COLUMN, wrapped at HELP_WIDTH; the first
 * line goes on at column col, or below when col is past the column. */
static void print_wrapped(const char *text, int col)
{
	const char *p = text;

	if (col >= HELP_COLUMN - 1) {
		putchar('\n');
		col = 0;
	}
	printf("%*s", HELP_COLUMN - col, "");
	col = HELP_COLUMN;
	while (*p) {
		size_t w = strcspn(p, " ");

		if (col > HELP_COLUMN && col + 1 + (int)w > HELP_WIDTH) {
			printf("\n%*s", HELP_COLUMN, "");
			col = HELP_COLUMN;
		} else if (col > HELP_COLUMN) {
			putchar(' ');
			col++;
		}
		printf("%.*s", (int)w, p);
		col += w;
		p += w;
		p += strspn(p, " ");
	}
	putchar('\n');
}

static void print_option(const struct opt *o)
{
	int col;

	if (o->short_name)
		col = printf("  -%c, --%s", o->short_name, o->name);
	else
		col = printf("      --%s", o->name);
	if (o->arg)
		col += printf(" %s", o->arg);
	print_wrapped(o->help, col);
}

static int print_help(struct config *c, const char *arg)
{
	(void)c;
	(void)arg;
	fputs(usage_head, stdout);
	for (unsigned s = 0; s < SEC__MAX; s++) {
		printf("\n%s:\n", section_names[s]);
		for (size_t i = 0; i < N_OPTIONS; i++)
			if (options[i].sec == s)
				print_option(&options[i]);
	}
	putchar('\n');
	fputs(usage_tail, stdout);
	return 1;
}

/* ---- parsing --------------------------------------------------------- */

/* getopt_long's tables from the option table: long options return their
 * index + 256, short ones their letter. */
static void getopt_tables(struct option *longs, char *shorts)
{
	size_t n = 0;

	*shorts++ = ':'; /* a missing value returns ':' */
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct opt *o = &options[i];

		longs[n++] = (struct option){
			o->name, o->arg ? required_argument : no_argument, NULL,
			(int)i + 256,
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
	if (code >= 256 && code < 256 + (int)N_OPTIONS)
		return &options[code - 256];
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (options[i].short_name == code)
			return &options[i];
	return NULL;
}

/* What the options imply, and the combinations that make no sense. */
static int finish(struct config *c, bool packets_given, bool flows_given)
{
	if (!packets_given)
		c->packets = HDRLOG_PACKETS_NONE;
	/* flows by default; --packets all alone is the packet log it was */
	if (!flows_given)
		c->flows = c->packets != HDRLOG_PACKETS_ALL;
	if (c->flow.only_failed || c->flow.timeline || c->http)
		c->flows = true; /* the flow table marks and counts HTTP */
	if (!c->read_path && c->max_count && c->packets == HDRLOG_PACKETS_NONE)
		return usage_error("-c counts packet records: add --packets all or tcp-control%s", "");
	if (!c->write_path && (c->rot.size || c->rot.interval_s ||
			       c->rot.retain || c->rot.compress))
		return usage_error("--rotate-*, --retain and --compress need -w FILE%s", "");
	c->http_cfg.headers = c->http_headers;
	if (c->http && c->xdp)
		return usage_error("--http needs tc on ingress, not --hook xdp%s", "");
	if (c->http && !c->http_snaplen)
		c->http_snaplen = 1024;
	if (!c->http)
		c->http_snaplen = 0;
	if (c->read_path && c->n_ifaces)
		return usage_error("-r and -i exclude each other%s", "");
	return 0;
}

int config_parse(struct config *c, int argc, char **argv)
{
	struct option longs[N_OPTIONS + 1];
	char shorts[2 * N_OPTIONS + 2];
	bool packets_given = false, flows_given = false;
	const struct opt *o;
	int code, err;

	getopt_tables(longs, shorts);
	opterr = 0; /* getopt's messages would start with argv[0], not hdrlog */
	while ((code = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (code == ':')
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		o = by_code(code);
		if (!o)
			return usage_error("unknown option '%s'", argv[optind - 1]);
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
	return finish(c, packets_given, flows_given);
}

void config_init(struct config *c)
{
	*c = (struct config){
		.ingress = true,
		.egress = true,
		.ringbuf_bytes = 32 << 20,
		.pull_len = 256,
		.loki = {
			.queue_records = LOKI_DEFAULT_QUEUE,
			.batch_bytes = LOKI_DEFAULT_BATCH_BYTES,
			.batch_wait_ms = LOKI_DEFAULT_BATCH_WAIT_MS,
			.drain_ms = LOKI_DEFAULT_DRAIN_MS,
		},
		.flow = {
			.idle_ns = 60 * NS_PER_S,
			.attempt_ns = 5 * NS_PER_S,
			.syn = { .window_ns = 10 * NS_PER_S, .grace_ns = NS_PER_S,
				 .threshold = 100 },
		},
	};
}

void config_free(struct config *c)
{
	free(c->filter_expr);
	c->filter_expr = NULL;
	select_free(&c->sel);
}
