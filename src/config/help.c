// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* --help, made from the option table: sections, wrapped explanations,
 * the filter syntax, signals, examples and exit codes. */
#include <stdio.h>
#include <string.h>

#include "config/options.h"

#define HELP_COLUMN 26 /* where the explanations start */
#define HELP_WIDTH 78

static const char *const section_names[SEC__MAX] = {
	[SEC_CAPTURE] = "Capture",
	[SEC_SELECTION] = "Selection (what the kernel lets through)",
	[SEC_FLOWS] = "Flows",
	[SEC_ANOMALIES] = "Anomalies (docs/schema.md, record anomaly)",
	[SEC_HTTP] = "HTTP",
	[SEC_OUTPUT] = "Output",
	[SEC_EXPORT] = "Export",
	[SEC_TUNING] = "Tuning",
	[SEC_GENERAL] = "General",
};

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
	"print a summary; SIGUSR1 writes a stats record (and the --api-report)\n"
	"now; SIGHUP reopens the -w file and re-reads --filter-file. Reading a\n"
	"file, a progress line goes to stderr when it is a terminal.\n"
	"\n"
	"Examples:\n"
	"  hdrlog                          flows of the default-route interface\n"
	"  hdrlog --packets all -c 10      the first 10 packets, one record each\n"
	"  hdrlog -i veth0 -o text         one line per connection\n"
	"  hdrlog -i veth0 --only-failed   only connections that failed\n"
	"  hdrlog -i eth0 --hook xdp --packets all -c 100 -w /var/log/hdrlog.json\n"
	"  hdrlog -r capture.pcap          the same flows, from a file\n"
	"  hdrlog -i eth0 --openapi api.yaml --api-report   routes, drift, RED\n"
	"  hdrlog -i eth0 --metrics-addr 9464 --loki-url http://127.0.0.1:3100\n"
	"  hdrlog -i eth0 --http --clickhouse-url http://127.0.0.1:8123\n"
	"  hdrlog -i eth0 --syslog tcp://127.0.0.1:514\n"
	"  hdrlog -i eth0 -w /var/log/hdrlog.json --rotate-size 100M --retain 10 --compress\n"
	"  hdrlog -r f.pcap 'not port 22 and (icmp or udp)'\n"
	"  hdrlog -i eth0 'tcp and net 198.18.0.0/15 and port 80'\n"
	"  hdrlog -i eth0 --filter-file rules.txt --sample 100 --sample-mode flow\n"
	"\n"
	"Exit status: 0 ok, 1 runtime failure, 2 bad input (option, interface,\n"
	"unreadable or truncated capture).\n";

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

	if (o->short_name && !o->name)
		col = printf("  -%c", o->short_name);
	else if (o->short_name)
		col = printf("  -%c, --%s", o->short_name, o->name);
	else
		col = printf("      --%s", o->name);
	if (o->arg)
		col += printf(" %s", o->arg);
	print_wrapped(o->help, col);
}

int print_help(struct config *c, const char *arg)
{
	(void)c;
	(void)arg;
	fputs(usage_head, stdout);
	for (unsigned s = 0; s < SEC__MAX; s++) {
		printf("\n%s:\n", section_names[s]);
		for (size_t i = 0; i < n_options; i++)
			if (options[i].sec == s)
				print_option(&options[i]);
	}
	putchar('\n');
	fputs(usage_tail, stdout);
	return 1;
}

