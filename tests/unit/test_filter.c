// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * src/filter/ without root: expressions -> DNF shape (filter_format()),
 * refused expressions -> message and caret position, and evaluation on the
 * packets.h fixtures decoded by the real parser.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <pcap/dlt.h>

#include "packets.h"
#include "capture/decode.h"
#include "filter/filter.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define TEST(name) static void test_##name(void **state __attribute__((unused)))

static struct filter_prog f; /* 150 KiB: not on the stack */

static void check_shape(const char *expr, const char *want)
{
	struct filter_error err;
	char got[2048];
	int ret = filter_compile(expr, &f, &err);

	if (ret)
		print_error("%s: %s at %d\n", expr, err.msg, err.pos);
	assert_int_equal(ret, 0);
	filter_format(got, sizeof(got), &f);
	if (strcmp(got, want))
		print_error("%s\n  got  %s\n  want %s\n", expr, got, want);
	assert_string_equal(got, want);
}

TEST(shapes)
{
	static const struct { const char *expr, *dnf; } cases[] = {
		{ "", "true" },
		{ "ip", "0:ether=0x0800" },
		{ "tcp", "0:proto46=6" },
		{ "icmp", "0:proto4=1" },
		{ "ip6 proto 58", "0:proto6=58" },
		{ "port 80", "0:porttus-either=80-80" },
		{ "tcp src port 179", "0:portt-src=179-179" },
		{ "src or dst port 53", "0:porttus-either=53-53" },
		{ "src and dst net 10.0.0.0/8", "0:addr4a-both=10.0.0.0/8" },
		{ "ip host 198.18.0.1", "0:addr4-either=198.18.0.1/32" },
		{ "net fd00::/8", "0:addr6-either=fd00::/8" },
		{ "portrange 90-80", "0:porttus-either=80-90" },
		/* implicit qualifiers */
		{ "host 198.18.0.1 or 198.18.0.2",
		  "0:addr4a-either=198.18.0.1/32 | 0:addr4a-either=198.18.0.2/32" },
		{ "tcp port 80 or 443", "0:portt-either=80-80 | 0:portt-either=443-443" },
		/* and/or: equal precedence, left to right, like libpcap */
		{ "udp or tcp and port 53",
		  "0:proto46=17 & 0:porttus-either=53-53 | 0:proto46=6 & 0:porttus-either=53-53" },
		/* De Morgan */
		{ "not (tcp or udp)", "!0:proto46=6 & !0:proto46=17" },
		{ "! (ip6 || arp) && tcp",
		  "!0:ether=0x86dd & !0:ether=0x0806 & 0:proto46=6" },
		/* vlan moves what follows one tag inwards */
		{ "vlan 100 and ip", "0:vlan=100 & 1:ether=0x0800" },
		{ "not vlan and ip", "!0:vlan & 1:ether=0x0800" },
		{ "tcp[tcpflags] & (tcp-syn|tcp-rst) != 0", "0:tcpflags&0x06!=0x00" },
		{ "tcp[13] & tcp-syn == 0", "0:tcpflags&0x02==0x00" },
		{ "tcp[tcpflags] = tcp-ack", "0:tcpflags&0xff==0x10" },
		{ "tcpflags syn,rst", "0:tcpflags&0x06!=0x00" },
		{ "tcp and net 198.18.0.0/15 and port 80",
		  "0:proto46=6 & 0:addr4a-either=198.18.0.0/15 & 0:porttus-either=80-80" },
		/* runs of four or more like tests become sets */
		{ "net 10.0.0.0/8 or net 11.0.0.0/8 or net 12.0.0.0/8 or 13.0.0.0/8",
		  "0:addrset4a-either=#0[4 prefixes]" },
		{ "src port 1 or src port 2 or src portrange 3-9 or src port 80",
		  "0:portsettus-src=#0[10 ports]" },
		{ "tcp and (port 1 or 2 or 3 or 80) and not (host fd00::1 or fd00::2 or fd00::3 or fd00::4)",
		  "0:proto46=6 & 0:portsettus-either=#0[4 ports] & !0:addrset6-either=#0[4 prefixes]" },
		/* a different test in the run splits it: libpcap's order */
		{ "host 198.18.0.1 or 198.18.0.2 or port 7 or host 198.18.0.3 or 198.18.0.4",
		  "0:addr4a-either=198.18.0.1/32 | 0:addr4a-either=198.18.0.2/32 | "
		  "0:porttus-either=7-7 | 0:addr4a-either=198.18.0.3/32 | "
		  "0:addr4a-either=198.18.0.4/32" },
		/* `src and dst` does not distribute over a set */
		{ "src and dst host 198.18.0.1 or 198.18.0.2 or 198.18.0.3 or 198.18.0.4",
		  "0:addr4a-both=198.18.0.1/32 | 0:addr4a-both=198.18.0.2/32 | "
		  "0:addr4a-both=198.18.0.3/32 | 0:addr4a-both=198.18.0.4/32" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		check_shape(cases[i].expr, cases[i].dnf);
}

static void check_error(const char *expr, int want_ret, int pos,
			const char *msg_part)
{
	struct filter_error err;
	int ret = filter_compile(expr, &f, &err);

	if (ret != want_ret || err.pos != pos || !strstr(err.msg, msg_part))
		print_error("%s: ret %d pos %d msg '%s'\n", expr, ret, err.pos,
			    err.msg);
	assert_int_equal(ret, want_ret);
	assert_int_equal(err.pos, pos);
	assert_non_null(strstr(err.msg, msg_part));
}

TEST(errors)
{
	check_error("tcp and prot 22", -EINVAL, 8, "unknown or unsupported word");
	check_error("port http", -EINVAL, 5, "port number");
	check_error("host example.com", -EINVAL, 5, "host names are not resolved");
	check_error("net 198.18.0.1/15", -EINVAL, 4, "non-network bits");
	check_error("host 198.18.0.1/15", -EINVAL, 5, "no /prefix");
	check_error("(tcp or udp", -EINVAL, 11, "expected ')'");
	check_error("tcp udp", -EINVAL, 4, "expected 'and', 'or'");
	check_error("tcp and", -EINVAL, 7, "expected a test");
	check_error("vlan 5000", -EINVAL, 5, "VLAN id");
	check_error("vlan and vlan and vlan", -EINVAL, 18, "at most 2");
	check_error("tcp[tcpflags] & tcp-syn|tcp-ack != 0", -EINVAL, 23, "parentheses");
	check_error("tcp[2] = 0", -EINVAL, 4, "tcpflags");
	check_error("tcpflags syn,bogus", -EINVAL, 9, "unknown TCP flag");
	check_error("ip port 80", -EINVAL, 3, "do not qualify ports");
	check_error("80", -EINVAL, 0, "unknown or unsupported word");
	/* 3 x 3 x 2 alternatives: 18 rules (runs of 3 make no sets) */
	check_error("(port 1 or port 2 or port 3) and "
		    "(host 198.18.0.1 or host 198.18.0.2 or host 198.18.0.3) "
		    "and (tcp or udp)", -E2BIG, 89, "MAX_RULES");
	check_error("port 1 and port 2 and port 3 and port 4 and port 5 and "
		    "port 6 and port 7 and port 8 and port 9", -E2BIG, 84,
		    "MAX_TERMS");
}

static bool match(const char *expr, const void *pkt, size_t len)
{
	struct hdrlog_packet_event ev;
	struct filter_error err;

	if (filter_compile(expr, &f, &err))
		print_error("%s: %s at %d\n", expr, err.msg, err.pos);
	assert_int_equal(filter_compile(expr, &f, &err), 0);
	assert_int_equal(decode_packet(DLT_EN10MB, pkt, len, len, &ev), 0);
	return filter_match(&f, &ev.h);
}

/* The frame as tc sees it when the NIC stripped a tag of VLAN id vid. */
static bool match_hw(const char *expr, const void *pkt, size_t len, __u16 vid)
{
	struct hdrlog_packet_event ev;

	assert_int_equal(filter_compile(expr, &f, NULL), 0);
	assert_int_equal(decode_packet(DLT_EN10MB, pkt, len, len, &ev), 0);
	ev.h.layers |= HDRLOG_L_HW_VLAN;
	ev.h.hw_vlan.tpid = 0x8100;
	ev.h.hw_vlan.tci = vid;
	return filter_match(&f, &ev.h);
}

#define YES(expr, frame) assert_true(match(expr, &(frame), sizeof(frame)))
#define NO(expr, frame) assert_false(match(expr, &(frame), sizeof(frame)))

TEST(eval_ipv4)
{
	YES("", tcp4);
	YES("ip and tcp", tcp4);
	NO("ip6 or udp", tcp4);
	YES("port 443", tcp4);
	YES("src port 443 and dst port 51000", tcp4);
	NO("dst port 443", tcp4);
	YES("portrange 50000-52000", tcp4);
	YES("host 198.18.0.1", tcp4);
	YES("src net 198.18.0.0/15 and dst net 198.19.0.0/16", tcp4);
	NO("src and dst net 198.18.0.0/16", tcp4);
	YES("tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)", tcp4);
	YES("tcpflags rst,syn", tcp4);
	NO("tcpflags fin,rst", tcp4);
	NO("tcp[tcpflags] & tcp-syn == 0", udp4);
	NO("tcp[tcpflags] & tcp-syn != 0", udp4);
	YES("udp port 53 and not tcp", udp4);
	YES("icmp and not port 53", icmp4);
	YES("tcp port 443", tcp4_ipopts);
}

TEST(eval_ipv6_arp)
{
	YES("ip6 and tcp and port 443", tcp6);
	YES("host fd00::1 and net fd00::/8", tcp6);
	NO("ip6 and tcpflags syn", tcp6); /* tcp[] is IPv4 only in libpcap */
	YES("icmp6 and not icmp", icmp6);
	/* libpcap's tcp and port look at the fixed header's next header */
	YES("ip6 proto 51", ah6);
	NO("tcp or port 443", ah6);
	YES("arp and host 198.19.255.254", arp_request);
	YES("src host 198.18.0.1", arp_request);
	NO("ip host 198.18.0.1", arp_request);
	NO("ip or ip6 or port 1", lldp);
}

TEST(eval_vlan)
{
	NO("ip", vlan_udp4); /* no `vlan`: tests the untagged EtherType */
	NO("port 53", vlan_udp4);
	YES("vlan", vlan_udp4);
	YES("vlan 100 and ip and udp port 53", vlan_udp4);
	NO("vlan 101", vlan_udp4);
	YES("vlan 100 and vlan 200 and udp", qinq_udp4);
	NO("vlan and udp", qinq_udp4);
	YES("vlan 42 and ip6 and net fd00::/8", ext6);
	NO("vlan 42 and tcp", ext6); /* hop-by-hop first: not tcp to libpcap */
	NO("vlan", udp4);
}

/* libpcap live on Linux: the first `vlan` reads a stripped tag from the
 * metadata and shifts nothing; tests without `vlan` see the frame. */
TEST(eval_hw_vlan)
{
	assert_true(match_hw("ip and udp port 53", &udp4, sizeof(udp4), 100));
	assert_true(match_hw("vlan", &udp4, sizeof(udp4), 100));
	assert_true(match_hw("vlan 100 and ip and udp", &udp4, sizeof(udp4), 100));
	assert_false(match_hw("vlan 101", &udp4, sizeof(udp4), 100));
	assert_false(match_hw("vlan and vlan", &udp4, sizeof(udp4), 100));
	assert_true(match_hw("not vlan 7", &udp4, sizeof(udp4), 100));
	/* stripped outer tag 200, tag 100 in the frame */
	assert_true(match_hw("vlan 200 and vlan 100 and udp", &vlan_udp4,
			     sizeof(vlan_udp4), 200));
	assert_false(match_hw("vlan 100 and udp", &vlan_udp4, sizeof(vlan_udp4), 200));
}

TEST(eval_truncated)
{
	/* libpcap rejects a packet whose tested header was cut short */
	assert_false(match("not port 443", &tcp4, offsetof(struct pkt_tcp4, tcp) + 4));
	assert_false(match("not host 198.18.0.1", &tcp4, offsetof(struct pkt_tcp4, ip) + 8));
	assert_true(match("ip", &tcp4, offsetof(struct pkt_tcp4, ip) + 8));
}

TEST(eval_sets)
{
	YES("src net 10.0.0.0/8 or src net 198.18.0.0/24 or 11.0.0.0/8 or 12.0.0.0/8", tcp4);
	NO("dst net 10.0.0.0/8 or dst net 198.18.0.0/24 or 11.0.0.0/8 or 12.0.0.0/8", tcp4);
	YES("port 1 or 2 or portrange 440-450 or port 9", tcp4);
	NO("dst port 1 or 2 or dst portrange 440-450 or dst port 9", tcp4);
	YES("dst port 1 or 2 or portrange 50000-52000 or dst port 9", tcp4);
	NO("not (tcp port 1 or 2 or 443 or 9)", tcp4);
	YES("host fd00::9 or fd00::8 or fd00::7 or fd00::1", tcp6);
	YES("src host 198.18.0.9 or 198.18.0.8 or 198.18.0.7 or 198.18.0.1", arp_request);
	/* the same prefix in a set of another address family */
	NO("net fd00::/8 or fe80::/10 or 2001:db8::/32 or ::/128", tcp4);
	/* a cut header rejects the packet, set or not */
	assert_false(match("not (port 1 or 2 or 3 or 4)", &tcp4,
			   offsetof(struct pkt_tcp4, tcp) + 4));
}

/* "net 10.0.0.0/24 or net 10.0.1.0/24 or ..." with n prefixes */
static char *net_list(int n)
{
	char *s = malloc(n * 32 + 1), *p = s;
	int i;

	assert_non_null(s);
	*p = '\0';
	for (i = 0; i < n; i++)
		p += sprintf(p, "%snet 10.%d.%d.0/24", i ? " or " : "", i / 256, i % 256);
	return s;
}

TEST(big_sets)
{
	struct filter_error err;
	char *expr = net_list(256);
	char got[256];

	assert_int_equal(filter_compile(expr, &f, &err), 0);
	filter_format(got, sizeof(got), &f);
	assert_string_equal(got, "0:addrset4a-either=#0[256 prefixes]");
	free(expr);
	expr = net_list(HDRLOG_FILTER_MAX_CIDRS + 1);
	assert_int_equal(filter_compile(expr, &f, &err), -EINVAL);
	free(expr);
	assert_non_null(strstr(err.msg, "too many"));
}

TEST(filter_file)
{
	char path[] = "/tmp/hdrlog-test-filter-XXXXXX";
	int fd = mkstemp(path);
	char *expr;
	FILE *fp;

	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs("# web servers\ntcp and (port 80 # plain\n or port 443)\r\n", fp);
	fclose(fp);
	expr = filter_read_file(path);
	assert_non_null(expr);
	assert_int_equal(filter_compile(expr, &f, NULL), 0);
	check_shape(expr, "0:proto46=6 & 0:porttus-either=80-80 | "
		    "0:proto46=6 & 0:porttus-either=443-443");
	free(expr);
	unlink(path);
	assert_null(filter_read_file(path));
	assert_int_equal(errno, ENOENT);
}

TEST(join)
{
	char *argv[] = { "tcp", "and", "port 80" };
	char *s = filter_join(3, argv);

	assert_string_equal(s, "tcp and port 80");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_eval_ipv4),
		cmocka_unit_test(test_eval_ipv6_arp),
		cmocka_unit_test(test_eval_vlan),
		cmocka_unit_test(test_eval_hw_vlan),
		cmocka_unit_test(test_eval_truncated),
		cmocka_unit_test(test_eval_sets),
		cmocka_unit_test(test_big_sets),
		cmocka_unit_test(test_filter_file),
		cmocka_unit_test(test_join),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
