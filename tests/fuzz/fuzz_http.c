// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: the HTTP engine (reassembly, framing, head parser,
 * pairing, record) against any sequence of TCP segments of one connection.
 * Every record must be one valid JSON line; nothing may leak or overrun.
 *
 * Input: one byte of options (bit 0 all headers, 1 no redaction, 2 query
 * redaction, 3 text records), then segments, each: control (bit 0 from the
 * server, 1 FIN, 2 RST, 3 SYN), a signed sequence offset from the side's
 * next byte, a data length, a count of bytes not captured, the data.
 * Limits are small so that they are reached.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "http/http_redact.h"
#include "json_check.h"

/* Each transaction's record, formatted as the pipeline does (ctx: text
 * records), must be one line: valid JSON, or one text line. */
static void check(void *ctx, const struct http_txn *t)
{
	static const struct http_redact off = { .off = true };
	struct strbuf line = { 0 };

	/* both ways of writing it: the default redaction and --no-redact */
	http_record(&line, ctx ? RECORD_TEXT : RECORD_JSON,
		    t->client ? &off : NULL, t, NULL);
	if (!ctx)
		json_check_line(line.data, line.len);
	else if (!line.len || line.data[line.len - 1] != '\n' ||
		 memchr(line.data, '\n', line.len - 1))
		abort();
	sb_free(&line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "authorization", "x-a" };
	struct http_config cfg = {
		.headers = names, .n_headers = 2, .max_head = 256,
		.max_ooo = 512, .max_conns = 4, .max_pending = 4, .idle_ns = 50,
	};
	struct hdrlog_headers h = { 0 };
	__u32 next[2] = { 1000, 5000 };
	struct http_engine *e;
	__u64 ts = 0;
	size_t i = 1;
	bool text;

	if (!size)
		return 0;
	cfg.all_headers = data[0] & 1;
	cfg.no_redact = data[0] & 2;
	cfg.redact_query = data[0] & 4;
	text = data[0] & 8;
	e = http_engine_new(&cfg, check, text ? (void *)1 : NULL);
	if (!e)
		return 0;
	h.layers = HDRLOG_L_IPV4 | HDRLOG_L_TCP;
	while (i + 4 <= size) {
		int side = data[i] & 1;
		__u32 seq = next[side] + (int8_t)data[i + 1];
		size_t len = data[i + 2], missing = data[i + 3];

		i += 4;
		if (len > size - i)
			len = size - i;
		memset(h.saddr, 0, 4);
		memset(h.daddr, 0, 4);
		h.saddr[3] = side ? 2 : 1;
		h.daddr[3] = side ? 1 : 2;
		h.sport = side ? 80 : 4000;
		h.dport = side ? 4000 : 80;
		h.tcp_seq = seq;
		h.tcp_ack = next[!side];
		h.tcp_flags = HDRLOG_TCP_ACK | (data[i - 4] & 2 ? HDRLOG_TCP_FIN : 0) |
			      (data[i - 4] & 4 ? HDRLOG_TCP_RST : 0) |
			      (data[i - 4] & 8 ? HDRLOG_TCP_SYN : 0);
		h.payload_len = len + missing;
		ts += 10;
		http_engine_expire(e, ts);
		if (data[i - 4] & 16) /* the end of a body the kernel passed over */
			http_engine_body_end(e, &h, 0, missing * 64u, ts);
		else
			http_engine_packet(e, &h, 0, data + i, len, ts);
		if ((__s32)(seq + len + missing - next[side]) > 0)
			next[side] = seq + len + missing;
		i += len;
	}
	http_engine_free(e);
	return 0;
}
