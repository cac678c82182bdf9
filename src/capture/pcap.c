// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <pcap/pcap.h>

#include "capture/decode.h"
#include "capture/kernel_twin.h"
#include "capture/pcap.h"
#include "pipeline/pipeline.h"
#include "util/log.h"

#define BATCH 1024 /* frames per poll(): signals are seen this often */

struct pcap_source {
	struct source src; /* first: the ops get the rest from it */
	const struct config *cfg;
	pcap_t *pcap;
	const char *path;
	int linktype;
	bool supported;
	struct kernel_twin *twin;
	struct pipeline *p; /* the events' destination, during poll() */
	__u64 frame;	    /* frames read */
	__u64 selected;	    /* ... the filter and sampling kept (-c) */
	__u64 now;	    /* the time of the last frame */
	__u64 size;	    /* of the file; 0: unknown (a pipe) */
};

static struct pcap_source *of(struct source *s)
{
	return (struct pcap_source *)s;
}

static __u64 pcap_time_ns(const struct pcap_pkthdr *hdr)
{
	/* opened with nanosecond precision: tv_usec holds nanoseconds */
	if (hdr->ts.tv_sec < 0)
		return 0;
	return (__u64)hdr->ts.tv_sec * 1000000000ULL + (__u64)hdr->ts.tv_usec;
}

static int on_twin_event(void *ctx, const void *event, size_t size)
{
	struct pcap_source *ps = ctx;
	struct event_meta meta = { .frame = ps->frame };

	return pipeline_event(ps->p, event, size, &meta);
}

/* One frame: time passes to its time, then the programs' twin. Returns
 * 0, SOURCE_ENOUGH or -errno. */
static int read_frame(struct pcap_source *ps, const struct pcap_pkthdr *hdr,
		      const u_char *data)
{
	struct hdrlog_packet_event ev;
	int err;

	ps->frame++;
	ps->now = pcap_time_ns(hdr);
	if ((err = pipeline_tick(ps->p, ps->now)))
		return err;
	if (!ps->supported) {
		ps->src.skipped++;
		return 0;
	}
	if ((err = decode_packet(ps->linktype, data, hdr->caplen, hdr->len, &ev)))
		return err;
	ev.ts_ns = ps->now;
	err = kernel_twin_packet(ps->twin, &ev, data, hdr->caplen);
	if (err < 0)
		return err;
	ps->selected += err;
	/* like tcpdump -c: N packets the filter selected */
	if (ps->cfg->max_count && ps->selected >= ps->cfg->max_count)
		return SOURCE_ENOUGH;
	return 0;
}

static int pcap_poll(struct source *s, struct pipeline *p, int timeout_ms)
{
	struct pcap_source *ps = of(s);
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int rc, err;

	(void)timeout_ms; /* a file never waits */
	ps->p = p;
	for (int i = 0; i < BATCH; i++) {
		rc = pcap_next_ex(ps->pcap, &hdr, &data);
		if (rc == PCAP_ERROR_BREAK)
			return SOURCE_END;
		if (rc != 1) {
			pr_warn("%s: %s (after %llu packets)\n", ps->path,
				pcap_geterr(ps->pcap), (unsigned long long)ps->frame);
			return -EINVAL;
		}
		if ((err = read_frame(ps, hdr, data)))
			return err;
	}
	return 0;
}

static int pcap_read_stats(struct source *s, __u64 *kernel, __u64 *tried)
{
	const __u64 *st = kernel_twin_stats(of(s)->twin);

	memcpy(kernel, st, HDRLOG_STAT__MAX * sizeof(*kernel));
	if (tried)
		tried[0] = st[HDRLOG_STAT_EVENTS_TRIED];
	return 0;
}

static __u64 pcap_now(struct source *s)
{
	return of(s)->now;
}

static void pcap_progress(struct source *s, struct source_progress *pr)
{
	struct pcap_source *ps = of(s);
	FILE *fp = pcap_file(ps->pcap);
	long pos = fp ? ftell(fp) : -1;

	*pr = (struct source_progress){
		.name = ps->path, .packets = ps->frame,
		.bytes = pos > 0 ? (__u64)pos : 0, .size = ps->size,
	};
}

static void pcap_close_source(struct source *s)
{
	struct pcap_source *ps = of(s);

	if (!s)
		return;
	kernel_twin_free(ps->twin);
	if (ps->pcap)
		pcap_close(ps->pcap);
	free(ps);
}

static const struct source_ops pcap_ops = {
	.poll = pcap_poll,
	.read_stats = pcap_read_stats,
	.now = pcap_now,
	.progress = pcap_progress,
	.close = pcap_close_source,
};

static int open_file(struct pcap_source *ps)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	const char *name;
	struct stat st;

	ps->pcap = pcap_open_offline_with_tstamp_precision(
		ps->path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!ps->pcap) {
		/* libpcap's message may or may not name the file */
		if (strncmp(errbuf, ps->path, strlen(ps->path)))
			pr_warn("cannot read %s: %s\n", ps->path, errbuf);
		else
			pr_warn("cannot read %s\n", errbuf);
		return -EINVAL;
	}
	if (!stat(ps->path, &st) && S_ISREG(st.st_mode))
		ps->size = st.st_size;
	ps->linktype = pcap_datalink(ps->pcap);
	ps->supported = decode_supported(ps->linktype);
	name = pcap_datalink_val_to_name(ps->linktype);
	if (!ps->supported)
		pr_warn("%s: link type %s (%d) is not supported: its packets are "
			"skipped and counted\n", ps->path, name ? name : "unknown",
			ps->linktype);
	return 0;
}

int pcap_source_open(const struct config *cfg, struct selection *sel,
		     struct source **out)
{
	struct pcap_source *ps = calloc(1, sizeof(*ps));
	int err;

	*out = NULL;
	if (!ps)
		return -ENOMEM;
	ps->src.ops = &pcap_ops;
	ps->src.ncpu = 1; /* the twin's one sequence */
	ps->cfg = cfg;
	ps->path = cfg->read_path;
	decode_set_tunnels(&cfg->tunnel);
	err = open_file(ps);
	if (!err && !(ps->twin = kernel_twin_new(cfg, sel, on_twin_event, ps)))
		err = -ENOMEM;
	if (err) {
		pcap_close_source(&ps->src);
		return err;
	}
	ps->src.flows = kernel_twin_flows(ps->twin);
	*out = &ps->src;
	return 0;
}
