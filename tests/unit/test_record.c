// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * src/record/record.c: the log lines. Packets from tests/unit/packets.h go
 * through decode_packet() and record_packet(); each JSON line must be one
 * well-formed object holding the expected "key":value pairs, each text
 * line the tcpdump-like fields. Plus the timestamp form and the names of
 * enum values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pcap/dlt.h>

#include "packets.h"
#include "capture/decode.h"
#include "record/json.h"
#include "record/record.h"

#define TEST(name) static void test_##name(void **state __attribute__((unused)))

/* ---- helpers ---------------------------------------------------------- */

/* The first cap bytes of a len-byte frame, as the pcap reader would. */
static struct hdrlog_packet_event decode_cut(const void *pkt, __u32 cap,
					     __u32 len)
{
	struct hdrlog_packet_event ev;

	assert_int_equal(decode_packet(DLT_EN10MB, pkt, cap, len, &ev), 0);
	return ev;
}

#define DECODE(frame) decode_cut(&(frame), sizeof(frame), sizeof(frame))

/* record_packet() into a string the caller frees. */
static char *format(enum record_format fmt,
		    const struct hdrlog_packet_event *ev, __u64 epoch_ns,
		    const char *ifname)
{
	struct record_meta meta = { .epoch_ns = epoch_ns, .ifname = ifname,
				    .frame = 1 };
	struct strbuf sb = { 0 };

	record_packet(&sb, fmt, ev, &meta);
	return sb.data;
}

/* Past one JSON string at s (at its opening quote); NULL if malformed. */
static const char *skip_string(const char *s)
{
	for (s++; *s != '"'; s++) {
		if ((unsigned char)*s < 0x20)
			return NULL; /* raw control characters, the end too */
		if (*s == '\\' && !*++s)
			return NULL;
	}
	return s + 1;
}

/* One line holding one JSON object: brackets balanced and matched outside
 * strings, strings closed, no raw control character, nothing after. Not a
 * full parser; the fuzzers run a strict one. */
static void assert_json_line(const char *line)
{
	char stack[16];
	int depth = 0;
	const char *s = line;

	assert_int_equal(*s, '{');
	for (; *s && *s != '\n'; s++) {
		if (*s == '"') {
			s = skip_string(s);
			if (!s)
				fail_msg("bad string in %s", line);
			s--;
		} else if (*s == '{' || *s == '[') {
			assert_true(depth < (int)sizeof(stack));
			stack[depth++] = *s == '{' ? '}' : ']';
		} else if (*s == '}' || *s == ']') {
			if (!depth || stack[--depth] != *s)
				fail_msg("unmatched %c in %s", *s, line);
			if (!depth && s[1] != '\n')
				fail_msg("bytes after the object in %s", line);
		}
	}
	assert_int_equal(depth, 0);
	assert_string_equal(s, "\n");
}

/* line has each of the NULL-terminated needles, or the test fails. */
static void assert_has(const char *line, ...)
{
	const char *needle;
	va_list ap;

	va_start(ap, line);
	while ((needle = va_arg(ap, const char *)))
		if (!strstr(line, needle))
			fail_msg("missing %s in\n%s", needle, line);
	va_end(ap);
}

static void assert_lacks(const char *line, ...)
{
	const char *needle;
	va_list ap;

	va_start(ap, line);
	while ((needle = va_arg(ap, const char *)))
		if (strstr(line, needle))
			fail_msg("unexpected %s in\n%s", needle, line);
	va_end(ap);
}

#define HAS(line, ...) assert_has(line, __VA_ARGS__, NULL)
#define LACKS(line, ...) assert_lacks(line, __VA_ARGS__, NULL)

/* ---- JSON ------------------------------------------------------------- */

TEST(json_tcp4)
{
	struct hdrlog_packet_event ev = DECODE(tcp4);
	char *line = format(RECORD_JSON, &ev, 1, NULL);

	assert_json_line(line);
	HAS(line, "\"timestamp\":\"1970-01-01T00:00:00.000000001Z\"",
	    "\"hdrlog.record\":\"packet\"", "\"hdrlog.hook\":\"pcap\"",
	    "\"hdrlog.frame\":1,", "\"hdrlog.packet.length\":82,",
	    "\"hdrlog.packet.captured\":82,",
	    "\"hdrlog.packet.segments\":1,",
	    /* MACs in lower case with colons */
	    "\"hdrlog.eth.src\":\"02:1a:2b:3c:4d:5e\"",
	    "\"hdrlog.eth.dst\":\"0a:bc:de:f0:12:34\"",
	    "\"hdrlog.eth.type\":2048,",
	    "\"network.type\":\"ipv4\"",
	    "\"source.address\":\"198.18.0.1\"",
	    "\"destination.address\":\"198.19.255.254\"",
	    "\"network.transport\":\"tcp\"", "\"hdrlog.ip.proto\":6,",
	    "\"hdrlog.ip.ttl\":64,", "\"hdrlog.ip.dscp\":46,",
	    "\"hdrlog.ip.ecn\":1,", "\"hdrlog.ip.length\":68,",
	    "\"hdrlog.ip.header_length\":20,", "\"hdrlog.ip.id\":4660,",
	    "\"hdrlog.ip.df\":true", "\"hdrlog.ip.options\":false",
	    "\"hdrlog.ip.mf\":false", "\"hdrlog.ip.fragment\":false",
	    "\"source.port\":443,", "\"destination.port\":51000,",
	    "\"hdrlog.tcp.flags\":[\"SYN\",\"ACK\"]",
	    "\"hdrlog.tcp.seq\":16909060,", "\"hdrlog.tcp.ack\":2712847316,",
	    "\"hdrlog.tcp.window\":65160,",
	    "\"hdrlog.tcp.header_length\":40,", "\"hdrlog.tcp.mss\":1460,",
	    "\"hdrlog.tcp.wscale\":7,", "\"hdrlog.tcp.sack_permitted\":true",
	    "\"hdrlog.tcp.tsval\":287454020,",
	    "\"hdrlog.tcp.tsecr\":1432778632,",
	    "\"hdrlog.payload_length\":8}");
	/* a pcap packet has no live-only or absent-layer keys */
	LACKS(line, "hdrlog.truncated", "hdrlog.error", "hdrlog.vlan",
	      "network.io.direction", "network.interface.name",
	      "hdrlog.cpu", "hdrlog.seq", "hdrlog.ifindex", "gso_size",
	      "hdrlog.udp", "hdrlog.icmp", "hdrlog.arp", "reserved_bit",
	      "frag_offset", "hdrlog.tcp.sack\"");
	free(line);
}

TEST(json_ipv4_options)
{
	struct hdrlog_packet_event ev = DECODE(tcp4_ipopts);
	char *line = format(RECORD_JSON, &ev, 0, NULL);

	assert_json_line(line);
	HAS(line, "\"hdrlog.ip.header_length\":28,",
	    "\"hdrlog.ip.options\":true", "\"hdrlog.payload_length\":4}");
	free(line);
}

TEST(json_ipv6_ext)
{
	struct hdrlog_packet_event ev = DECODE(ext6);
	char *line = format(RECORD_JSON, &ev, 1700000000123456789ULL, NULL);

	assert_json_line(line);
	HAS(line, "\"timestamp\":\"2023-11-14T22:13:20.123456789Z\"",
	    "\"hdrlog.eth.type\":34525,",
	    "\"hdrlog.vlan\":[{\"tpid\":33024,\"id\":42,\"pcp\":0,"
	    "\"dei\":false}]",
	    "\"network.type\":\"ipv6\"",
	    /* RFC 5952: lower case, longest zero run as "::" */
	    "\"source.address\":\"fd00::1\"",
	    "\"destination.address\":\"fd00::2\"",
	    "\"network.transport\":\"tcp\"",
	    "\"hdrlog.ip.ttl\":64,", "\"hdrlog.ip.dscp\":46,",
	    "\"hdrlog.ip.ecn\":1,", "\"hdrlog.ip.length\":96,",
	    "\"hdrlog.ip.header_length\":88,",
	    "\"hdrlog.ip.flow_label\":74565,",
	    "\"hdrlog.ip.ext\":[\"hopopts\",\"routing\",\"fragment\","
	    "\"dstopts\"]",
	    "\"hdrlog.ip.mf\":true", "\"hdrlog.ip.fragment\":true",
	    "\"hdrlog.ip.frag_offset\":0,",
	    "\"hdrlog.ip.frag_id\":3735928559",
	    "\"source.port\":443,", "\"hdrlog.tcp.mss\":1460,");
	/* IPv4-only keys */
	LACKS(line, "hdrlog.ip.id", "hdrlog.ip.df", "hdrlog.ip.options");
	free(line);
}

TEST(json_icmp_udp_arp)
{
	struct hdrlog_packet_event ev = DECODE(icmp6);
	char *line = format(RECORD_JSON, &ev, 0, NULL);

	assert_json_line(line);
	HAS(line, "\"network.transport\":\"ipv6-icmp\"",
	    "\"hdrlog.icmp.type\":128,", "\"hdrlog.icmp.code\":0,",
	    "\"hdrlog.icmp.id\":16962,", "\"hdrlog.icmp.seq\":9,");
	LACKS(line, "source.port");
	free(line);

	ev = DECODE(udp4);
	line = format(RECORD_JSON, &ev, 0, NULL);
	assert_json_line(line);
	HAS(line, "\"network.transport\":\"udp\"", "\"source.port\":53000,",
	    "\"destination.port\":53,", "\"hdrlog.udp.length\":20,",
	    "\"hdrlog.payload_length\":12}");
	free(line);

	ev = DECODE(arp_request);
	line = format(RECORD_JSON, &ev, 0, NULL);
	assert_json_line(line);
	HAS(line, "\"hdrlog.eth.dst\":\"ff:ff:ff:ff:ff:ff\"",
	    "\"hdrlog.eth.type\":2054,", "\"hdrlog.arp.op\":1,",
	    "\"hdrlog.arp.sender_mac\":\"02:1a:2b:3c:4d:5e\"",
	    "\"hdrlog.arp.sender_ip\":\"198.18.0.1\"",
	    "\"hdrlog.arp.target_mac\":\"00:00:00:00:00:00\"",
	    "\"hdrlog.arp.target_ip\":\"198.19.255.254\"");
	LACKS(line, "network.type", "source.address");
	free(line);
}

/* inet_ntop's output, pinned: the shortest RFC 5952 form. */
TEST(json_ipv6_rfc5952)
{
	static const struct {
		__u8 addr[16];
		const char *text;
	} cases[] = {
		{ { 0xfd, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2 },
		  "fd00:0:0:1::2" }, /* the longer of two zero runs */
		{ { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1 },
		  "fd00::1:0:0:1" }, /* of two equal runs, the first */
		{ { 0xfd, 0x00, 0xab, 0xcd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		    0 },
		  "fd00:abcd::" }, /* lower case */
		{ { 0xfd, 0, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 0 },
		  "fd00:1:2:3:4:5:6:0" }, /* no "::" for one zero group */
	};
	struct hdrlog_packet_event ev = { .hdr = { .kind = HDRLOG_EV_PACKET,
						   .hook = HDRLOG_HOOK_PCAP } };
	char want[80], *line;
	size_t i;

	ev.h.layers = HDRLOG_L_IPV6;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(ev.h.saddr, cases[i].addr, 16);
		line = format(RECORD_JSON, &ev, 0, NULL);
		snprintf(want, sizeof(want), "\"source.address\":\"%s\"",
			 cases[i].text);
		HAS(line, want);
		free(line);
	}
}

/* What the live hooks add: direction, interface, CPU and sequence, GSO. */
TEST(json_live_event)
{
	struct hdrlog_packet_event ev = DECODE(tcp4);
	char *line;

	ev.hdr.hook = HDRLOG_HOOK_TC;
	ev.hdr.direction = HDRLOG_DIR_EGRESS;
	ev.hdr.cpu = 3;
	ev.hdr.seq = 42;
	ev.ifindex = 7;
	ev.gso_segs = 4;
	ev.gso_size = 1448;
	line = format(RECORD_JSON, &ev, 0, "eth\"0\x01");
	assert_json_line(line);
	HAS(line, "\"hdrlog.hook\":\"tc\"",
	    "\"network.io.direction\":\"transmit\"",
	    /* the name is escaped like any other string */
	    "\"network.interface.name\":\"eth\\\"0\\u0001\"",
	    "\"hdrlog.ifindex\":7,", "\"hdrlog.cpu\":3,", "\"hdrlog.seq\":42,",
	    "\"hdrlog.packet.segments\":4,",
	    "\"hdrlog.packet.gso_size\":1448,");
	LACKS(line, "hdrlog.frame");
	free(line);

	ev.hdr.hook = HDRLOG_HOOK_XDP;
	ev.hdr.direction = HDRLOG_DIR_INGRESS;
	line = format(RECORD_JSON, &ev, 0, NULL);
	HAS(line, "\"hdrlog.hook\":\"xdp\"",
	    "\"network.io.direction\":\"receive\"");
	free(line);
}

TEST(json_truncated_and_error)
{
	struct pkt_tcp4 bad = tcp4;
	struct hdrlog_packet_event ev = decode_cut(&tcp4, 40, sizeof(tcp4));
	char *line = format(RECORD_JSON, &ev, 0, NULL);

	assert_json_line(line);
	HAS(line, "\"hdrlog.truncated\":\"tcp\"",
	    "\"hdrlog.packet.length\":82,", "\"hdrlog.packet.captured\":40,");
	LACKS(line, "source.port", "hdrlog.error");
	free(line);

	bad.tcp.doff = 4;
	ev = DECODE(bad);
	line = format(RECORD_JSON, &ev, 0, NULL);
	assert_json_line(line);
	HAS(line, "\"hdrlog.error\":\"tcp_doff\"");
	free(line);
}

/* Every event, even one no parser would write, gives one valid line. */
TEST(json_out_of_range_event)
{
	struct hdrlog_packet_event ev;
	char *line;

	memset(&ev, 0xff, sizeof(ev));
	line = format(RECORD_JSON, &ev, UINT64_MAX, "\xff");
	assert_json_line(line);
	HAS(line, "\"hdrlog.hook\":\"unknown\"",
	    "\"hdrlog.truncated\":\"unknown\"", "\"hdrlog.error\":\"unknown\"",
	    "\"timestamp\":\"2554-07-21T23:34:33.709551615Z\"");
	free(line);
}

/* ---- text ------------------------------------------------------------- */

TEST(text_tcp4)
{
	struct hdrlog_packet_event ev = DECODE(tcp4);
	char *line = format(RECORD_TEXT, &ev, 1, NULL);

	HAS(line, "1970-01-01T00:00:00.000000001Z pcap ",
	    " 02:1a:2b:3c:4d:5e > 0a:bc:de:f0:12:34 ",
	    " IP 198.18.0.1.443 > 198.19.255.254.51000: tcp [S.] "
	    "seq 16909060 ack 2712847316 win 65160 mss 1460 wscale 7 sackOK "
	    "TS val 287454020 ecr 1432778632",
	    " ttl 64 tos 0xb9 DF id 4660", " len 82\n");
	assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1);
	LACKS(line, "[truncated", "[bad", " segs ");
	free(line);
}

/* tcpdump's letters, in its order: F S R P . U E W */
TEST(text_tcp_flags)
{
	static const struct {
		__u8 flags;
		const char *text;
	} cases[] = {
		{ HDRLOG_TCP_SYN, "[S]" },
		{ HDRLOG_TCP_FIN | HDRLOG_TCP_PSH | HDRLOG_TCP_ACK, "[FP.]" },
		{ HDRLOG_TCP_RST, "[R]" },
		{ HDRLOG_TCP_ACK | HDRLOG_TCP_URG, "[.U]" },
		{ HDRLOG_TCP_SYN | HDRLOG_TCP_ECE | HDRLOG_TCP_CWR, "[SEW]" },
		{ 0, "[]" },
	};
	struct hdrlog_packet_event ev = DECODE(tcp4);
	char *line;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ev.h.tcp_flags = cases[i].flags;
		line = format(RECORD_TEXT, &ev, 0, NULL);
		HAS(line, cases[i].text);
		/* the ack number means something only with ACK */
		if (cases[i].flags & HDRLOG_TCP_ACK)
			HAS(line, " ack 2712847316");
		else
			LACKS(line, " ack ");
		free(line);
	}
}

TEST(text_other_shapes)
{
	struct hdrlog_packet_event ev = DECODE(ext6);
	char *line = format(RECORD_TEXT, &ev, 0, "eth0");

	HAS(line, " eth0 ", " vlan 42 ",
	    " IP6 fd00::1.443 > fd00::2.51000: tcp [S.]", " frag 0+",
	    " hlim 64 tos 0xb9");
	free(line);

	ev = DECODE(icmp4);
	line = format(RECORD_TEXT, &ev, 0, NULL);
	HAS(line, " IP 198.18.0.1 > 198.19.255.254: icmp type 8 code 0 "
		  "id 16962 seq 7");
	free(line);

	ev = DECODE(arp_request);
	line = format(RECORD_TEXT, &ev, 0, NULL);
	HAS(line, " ARP request who-has 198.19.255.254 tell 198.18.0.1");
	free(line);

	ev = DECODE(lldp);
	line = format(RECORD_TEXT, &ev, 0, NULL);
	HAS(line, " ethertype 0x88cc len 30\n");
	free(line);
}

TEST(text_truncated_and_error)
{
	struct pkt_tcp4 bad = tcp4;
	struct hdrlog_packet_event ev = decode_cut(&tcp4, 70, sizeof(tcp4));
	char *line = format(RECORD_TEXT, &ev, 0, NULL);

	HAS(line, " len 82 [truncated tcp_options]\n");
	free(line);

	bad.opts.ws_len = 0;
	ev = DECODE(bad);
	line = format(RECORD_TEXT, &ev, 0, NULL);
	HAS(line, " [bad tcp_option]\n");
	free(line);

	ev.hdr.direction = HDRLOG_DIR_INGRESS;
	ev.gso_segs = 3;
	line = format(RECORD_TEXT, &ev, 0, NULL);
	HAS(line, " pcap in ", " segs 3 ");
	free(line);
}

/* ---- time and names ----------------------------------------------------- */

static void check_time(__u64 ns, const char *want)
{
	char buf[RECORD_TIME_LEN];

	record_format_time(buf, ns);
	assert_string_equal(buf, want);
}

TEST(format_time)
{
	check_time(0, "1970-01-01T00:00:00.000000000Z");
	check_time(1, "1970-01-01T00:00:00.000000001Z");
	check_time(1700000000123456789ULL, "2023-11-14T22:13:20.123456789Z");
	/* the same second again, then an earlier one: the cached date must
	 * follow */
	check_time(1700000000000000000ULL, "2023-11-14T22:13:20.000000000Z");
	check_time(999999999, "1970-01-01T00:00:00.999999999Z");
	check_time(1000000000, "1970-01-01T00:00:01.000000000Z");
	check_time(951782400000000007ULL, "2000-02-29T00:00:00.000000007Z");
	check_time(UINT64_MAX, "2554-07-21T23:34:33.709551615Z");
}

TEST(json_timestamp_key)
{
	struct strbuf sb = { 0 };
	struct json j;

	json_begin(&j, &sb);
	json_timestamp(&j, "t", 1500000000);
	json_end(&j);
	assert_string_equal(sb.data, "{\"t\":\"1970-01-01T00:00:01.500000000Z\"}");
	sb_free(&sb);
}

/* Every enum value has its own name; anything else is "unknown". */
TEST(names)
{
	const char *seen[HDRLOG_HDR__MAX] = { 0 };
	int i, k;

	for (i = 1; i < HDRLOG_HDR__MAX; i++) {
		seen[i] = record_hdr_name(i);
		assert_string_not_equal(seen[i], "unknown");
		for (k = 1; k < i; k++)
			assert_string_not_equal(seen[i], seen[k]);
	}
	assert_string_equal(record_hdr_name(0), "unknown");
	assert_string_equal(record_hdr_name(HDRLOG_HDR__MAX), "unknown");
	assert_string_equal(record_hdr_name(255), "unknown");

	for (i = 1; i < HDRLOG_ERR__MAX; i++)
		assert_string_not_equal(record_error_name(i), "unknown");
	assert_string_equal(record_error_name(HDRLOG_ERR__MAX), "unknown");
	assert_string_equal(record_error_name(HDRLOG_ERR_TCP_OPT),
			    "tcp_option");

	assert_string_equal(record_hook_name(HDRLOG_HOOK_TC), "tc");
	assert_string_equal(record_hook_name(HDRLOG_HOOK_XDP), "xdp");
	assert_string_equal(record_hook_name(HDRLOG_HOOK_PCAP), "pcap");
	assert_string_equal(record_hook_name(0), "unknown");
	assert_string_equal(record_hook_name(4), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_tcp4),
		cmocka_unit_test(test_json_ipv4_options),
		cmocka_unit_test(test_json_ipv6_ext),
		cmocka_unit_test(test_json_icmp_udp_arp),
		cmocka_unit_test(test_json_ipv6_rfc5952),
		cmocka_unit_test(test_json_live_event),
		cmocka_unit_test(test_json_truncated_and_error),
		cmocka_unit_test(test_json_out_of_range_event),
		cmocka_unit_test(test_text_tcp4),
		cmocka_unit_test(test_text_tcp_flags),
		cmocka_unit_test(test_text_other_shapes),
		cmocka_unit_test(test_text_truncated_and_error),
		cmocka_unit_test(test_format_time),
		cmocka_unit_test(test_json_timestamp_key),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
