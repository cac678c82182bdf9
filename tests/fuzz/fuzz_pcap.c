// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: a whole capture file (pcap or pcapng) through
 * offline_run(), the code behind hdrlog -r: libpcap, decode_packet(),
 * record_packet(), the flow table and flow records (--flows, with short
 * idle timeouts so flows end mid-file too), the counters and the output,
 * and the TCP payload through the HTTP engine (its JSON records are
 * checked).
 *
 * The input goes to an in-memory file (memfd) that offline_run() opens by
 * its /proc/self/fd path, as it would any capture. The lines go to
 * /dev/null (fuzz_packet checks their form); the stats record at the end
 * is checked here. Diagnostics on stderr: run with -close_fd_mask=2.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "metrics/counters.h"
#include "capture/offline.h"
#include "output/output.h"
#include "json_check.h"

#define MAX_PACKETS 2000 /* a bound per input; -max_len bounds it too */

static void check_http(void *ctx, struct strbuf *line)
{
	(void)ctx;
	json_check_line(line->data, line->len);
	sb_reset(line);
}

static int memfd = -1;
static char path[64];

/* By the input's size: no selection, or a filter with rules and sets
 * (and sampling), so that both paths of offline_run() are fuzzed. */
static struct selection *selection_for(size_t size)
{
	static const char expr[] =
		"tcp[tcpflags] & tcp-syn != 0 or vlan and udp or "
		"net 10.0.0.0/8 or net 172.16.0.0/12 or net fd00::/8 or net 192.168.0.0/16 or "
		"port 53 or port 80 or portrange 1000-2000 or port 443";
	static struct filter_prog prog;
	static struct selection none, filtered = { .sample = 3 };

	if (!filtered.filter) {
		if (filter_compile(expr, &prog, NULL))
			abort();
		filtered.filter = &prog;
	}
	filtered.sample_flow = size & 8;
	filtered.seed = 0; /* the same draws for the same input */
	return size & 4 ? &filtered : &none;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct counters c = { 0 };
	struct strbuf sb = { 0 };
	struct http_config cfg = { .all_headers = true, .max_head = 512 };
	struct http_engine *http;
	struct output out;
	int err;

	if (memfd < 0) {
		memfd = memfd_create("fuzz_pcap", 0);
		if (memfd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	}
	if (ftruncate(memfd, 0) || pwrite(memfd, data, size, 0) != (ssize_t)size)
		abort();

	/* text for odd sizes, so both formats run on every shape of file */
	if (output_open(&out, "/dev/null", size & 1 ? RECORD_TEXT : RECORD_JSON))
		abort();
	http = http_engine_new(&cfg, RECORD_JSON, check_http, NULL);
	if (!http)
		abort();
	struct offline_opts oo = {
		.max_count = MAX_PACKETS,
		.packets = HDRLOG_PACKETS_ALL,
		.flows = true,
		.flow = { .idle_ns = 1000000000ULL, .only_failed = size & 2,
			  .active_ns = 500000000ULL, .timeline = size & 4,
			  .syn = { .window_ns = 2000000000ULL,
				   .grace_ns = 1000000000ULL, .threshold = 1 } },
		.http = http,
	};

	err = offline_run(path, &oo, selection_for(size), &out, &c);
	http_engine_free(http);
	/* offline.h: 0, -EINVAL for a bad file; anything else is the output,
	 * and /dev/null does not fail */
	if (err && err != -EINVAL)
		abort();
	output_close(&out, &c);

	if (c.received > MAX_PACKETS)
		abort();
	counters_record(&sb, RECORD_JSON, &c, 0);
	json_check_line(sb.data, sb.len);
	sb_free(&sb);
	return 0;
}
