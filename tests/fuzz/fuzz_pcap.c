// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: a whole capture file (pcap or pcapng) through what
 * hdrlog -r runs: libpcap, decode_packet(), the programs' twin (counters,
 * selection, the flow table, HTTP decisions), the pipeline (packet, flow,
 * HTTP, anomaly and stats records; short idle and active timeouts so that
 * flows end mid-file too), the run loop and the output. Every line it
 * writes must be valid JSON (or, for text, one line).
 *
 * The input goes to an in-memory file (memfd) that the source opens by
 * its /proc/self/fd path, as it would any capture; the lines go to
 * another. Diagnostics on stderr: run with -close_fd_mask=2.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture/pcap.h"
#include "pipeline/pipeline.h"
#include "pipeline/run.h"
#include "json_check.h"

#define MAX_PACKETS 2000 /* a bound per input; -max_len bounds it too */

static int in_fd = -1, out_fd = -1;
static char in_path[64], out_path[64];

/* By the input's size: no selection, or a filter with rules and sets
 * (and sampling), so that both paths of the twin are fuzzed. */
static struct selection selection_for(size_t size)
{
	static const char expr[] =
		"tcp[tcpflags] & tcp-syn != 0 or vlan and udp or "
		"net 10.0.0.0/8 or net 172.16.0.0/12 or net fd00::/8 or net 192.168.0.0/16 or "
		"port 53 or port 80 or portrange 1000-2000 or port 443";
	static struct filter_prog prog;
	struct selection none = { 0 }, filtered = { .sample = 3 };

	if (!prog.rules.n_rules && filter_compile(expr, &prog, NULL))
		abort();
	filtered.filter = &prog;
	filtered.sample_flow = size & 8;
	return size & 4 ? filtered : none;
}

static void settings(struct config *cfg, size_t size)
{
	config_init(cfg);
	cfg->read_path = in_path;
	cfg->write_path = out_path;
	/* text for odd sizes, so both formats run on every shape of file */
	cfg->fmt = size & 1 ? RECORD_TEXT : RECORD_JSON;
	cfg->max_count = MAX_PACKETS;
	cfg->packets = HDRLOG_PACKETS_ALL;
	cfg->flows = true;
	cfg->flow = (struct flow_opts){
		.idle_ns = 1000000000ULL, .only_failed = size & 2,
		.active_ns = 500000000ULL, .timeline = size & 4,
		.syn = { .window_ns = 2000000000ULL, .grace_ns = 1000000000ULL,
			 .threshold = 1 },
	};
	cfg->http = true;
	cfg->http_snaplen = 1024;
	cfg->http_cfg = (struct http_config){ .all_headers = true, .max_head = 512 };
	cfg->stats_interval = 1;
	cfg->sel = selection_for(size);
}

/* Every line written: whole, and valid JSON unless text. */
static void check_lines(bool text)
{
	off_t len = lseek(out_fd, 0, SEEK_END);
	char *buf, *line, *nl;

	if (len <= 0)
		return;
	buf = malloc(len);
	if (!buf || pread(out_fd, buf, len, 0) != len || buf[len - 1] != '\n')
		abort();
	for (line = buf; line < buf + len; line = nl + 1) {
		nl = memchr(line, '\n', buf + len - line);
		if (!text)
			json_check_line(line, nl - line + 1);
	}
	free(buf);
}

static void open_files(const uint8_t *data, size_t size)
{
	if (in_fd < 0) {
		in_fd = memfd_create("fuzz_pcap", 0);
		out_fd = memfd_create("fuzz_pcap.out", 0);
		if (in_fd < 0 || out_fd < 0)
			abort();
		snprintf(in_path, sizeof(in_path), "/proc/self/fd/%d", in_fd);
		snprintf(out_path, sizeof(out_path), "/proc/self/fd/%d", out_fd);
	}
	if (ftruncate(in_fd, 0) || pwrite(in_fd, data, size, 0) != (ssize_t)size ||
	    ftruncate(out_fd, 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct counters c = { 0 };
	struct pipeline *p = NULL;
	struct source *src;
	struct config cfg;
	struct output out;
	int code;

	open_files(data, size);
	settings(&cfg, size);
	if (output_open(&out, cfg.write_path, cfg.fmt))
		abort();
	/* 2: a file libpcap refuses */
	if (pcap_source_open(&cfg, &cfg.sel, &src)) {
		output_close(&out, NULL);
		return 0;
	}
	p = pipeline_new(&cfg, src, &out, &c);
	if (!p)
		abort();
	/* 0, or 2 for a bad file; anything else is the output, which a
	 * memfd does not fail */
	code = run(src, p, &cfg, &out, &c);
	if (code != 0 && code != 2)
		abort();
	if (pipeline_packet_records(p) > MAX_PACKETS)
		abort();
	output_close(&out, &c);
	pipeline_free(p);
	src->ops->close(src);
	check_lines(cfg.fmt == RECORD_TEXT);
	return 0;
}
