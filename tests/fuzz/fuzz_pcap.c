// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: a whole capture file (pcap or pcapng) through
 * offline_run(), the code behind hdrlog -r: libpcap, decode_packet(),
 * record_packet(), the counters and the output, and with --http the TCP
 * payload through the HTTP engine (its JSON records are checked).
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

#include "counters.h"
#include "offline.h"
#include "output.h"
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
	err = offline_run(path, MAX_PACKETS, NULL, &out, &c, http, true);
	http_engine_free(http);
	/* offline.h: 0, -EINVAL for a bad file; anything else is the output,
	 * and /dev/null does not fail */
	if (err && err != -EINVAL)
		abort();
	output_close(&out);

	if (c.received > MAX_PACKETS)
		abort();
	counters_record(&sb, RECORD_JSON, &c, 0);
	json_check_line(sb.data, sb.len);
	sb_free(&sb);
	return 0;
}
