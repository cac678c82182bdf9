// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: one captured frame through decode_packet() (parse.h)
 * and record_packet(), JSON and text.
 *
 * Input: a selector byte, then the frame.
 *   bits 0-2  link type: links[] below
 *   bits 3-4  the event's origin: pcap, tc with an interface name, xdp,
 *             or an out-of-range hook (the formatter must cope)
 *   bit 5     a GSO packet (segments and gso_size set)
 *   bit 6     a tag the NIC stripped (HDRLOG_L_HW_VLAN), TCI from the frame
 *   bit 7     unused
 * The event time is taken from the input's last 8 bytes, so the timestamp
 * formatter sees any 64-bit value.
 *
 * Every JSON line must be one well-formed object (json_check.h); every
 * text line one line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/dlt.h>

#include "capture/decode.h"
#include "record/record.h"
#include "json_check.h"

static const int links[8] = {
	DLT_EN10MB, DLT_NULL,	    DLT_LOOP, DLT_RAW,
	DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_IPV6, DLT_IPV4,
};

static void check_timestamp(const char *line)
{
	static const char pre[] = "{\"timestamp\":\"";
	const char *t = line + sizeof(pre) - 1;
	int i;

	if (strncmp(line, pre, sizeof(pre) - 1))
		abort();
	/* YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" */
	for (i = 0; i < 30; i++) {
		const char want = "0000-00-00T00:00:00.000000000Z"[i];

		if (want == '0' ? (t[i] < '0' || t[i] > '9') : t[i] != want)
			abort();
	}
	if (t[30] != '"')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct strbuf sb;
	struct hdrlog_packet_event ev;
	struct record_meta meta = { .frame = 1 };
	const uint8_t *frame;
	uint8_t sel;
	__u32 caplen;

	if (size < 1)
		return 0;
	sel = data[0];
	frame = data + 1;
	caplen = size - 1;
	if (size >= 9)
		memcpy(&meta.epoch_ns, data + size - 8, 8);

	/* libFuzzer's buffer is exactly size bytes: an overread is caught */
	if (decode_packet(links[sel & 7], frame, caplen, caplen + (sel & 1) * 100,
			  &ev))
		abort(); /* every link type in links[] is supported */
	ev.ts_ns = meta.epoch_ns;

	switch ((sel >> 3) & 3) {
	case 0: /* pcap, as decoded */
		break;
	case 1:
		ev.hdr.hook = HDRLOG_HOOK_TC;
		ev.hdr.direction = caplen & 1 ? HDRLOG_DIR_EGRESS : HDRLOG_DIR_INGRESS;
		ev.hdr.cpu = caplen;
		ev.hdr.seq = meta.epoch_ns;
		ev.ifindex = 2;
		meta.ifname = "veth0";
		meta.frame = 0;
		break;
	case 2:
		ev.hdr.hook = HDRLOG_HOOK_XDP;
		ev.hdr.direction = HDRLOG_DIR_INGRESS;
		meta.frame = 0;
		break;
	case 3:
		ev.hdr.hook = 200;
		ev.hdr.direction = 77;
		break;
	}
	if (sel & 0x20) {
		ev.gso_segs = 1 + caplen % 64;
		ev.gso_size = 1448;
	}
	if ((sel & 0x40) && caplen >= 2) {
		ev.h.layers |= HDRLOG_L_HW_VLAN;
		ev.h.hw_vlan.tpid = 0x8100;
		ev.h.hw_vlan.tci = frame[0] << 8 | frame[1];
	}

	sb_reset(&sb);
	record_packet(&sb, RECORD_JSON, &ev, &meta);
	json_check_line(sb.data, sb.len);
	check_timestamp(sb.data);

	sb_reset(&sb);
	record_packet(&sb, RECORD_TEXT, &ev, &meta);
	if (!sb.len || sb.data[sb.len - 1] != '\n' ||
	    memchr(sb.data, '\n', sb.len - 1) || strlen(sb.data) != sb.len)
		abort();
	return 0;
}
