// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: the formatter against any event the ring buffer could
 * hand it. The kernel is trusted to fill struct hdrlog_packet_event, but a
 * version skew or a bug there must not make the agent read out of bounds
 * (vlan_depth, ext_count, enum values out of range) or write bad JSON.
 *
 * Input: the event's bytes (zero-padded to its size), then an interface
 * name (any bytes, escaped in JSON).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record/record.h"
#include "json_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct strbuf sb;
	struct hdrlog_packet_event ev = { 0 };
	struct record_meta meta = { 0 };
	char ifname[32];
	size_t n = size < sizeof(ev) ? size : sizeof(ev);

	memcpy(&ev, data, n);
	meta.epoch_ns = ev.ts_ns;
	meta.frame = ev.hdr.seq;
	if (size > sizeof(ev)) {
		size_t len = size - sizeof(ev);

		if (len >= sizeof(ifname))
			len = sizeof(ifname) - 1;
		memcpy(ifname, data + sizeof(ev), len);
		ifname[len] = '\0';
		meta.ifname = ifname;
	}

	sb_reset(&sb);
	record_packet(&sb, RECORD_JSON, &ev, &meta);
	json_check_line(sb.data, sb.len);

	/* text puts the name as it is: only a missing name is checked here */
	sb_reset(&sb);
	record_packet(&sb, RECORD_TEXT, &ev, &meta);
	if (!sb.len || sb.data[sb.len - 1] != '\n')
		abort();
	return 0;
}
