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

/* One -r capture: an interface of the source when there are several. */
struct capture {
	pcap_t *pcap;
	const char *path, *name;
	int linktype;
	bool supported;
	__u64 size;		       /* of the file; 0: unknown (a pipe) */
	struct pcap_pkthdr *hdr;       /* its next frame, read ahead; NULL: */
	const u_char *data;	       /* ... none (the file ended) */
};

struct pcap_source {
	struct source src; /* first: the ops get the rest from it */
	const struct config *cfg;
	struct capture cap[CONFIG_MAX_READS];
	int n_caps;
	struct kernel_twin *twin;
	struct pipeline *p; /* the events' destination, during poll() */
	__u64 frame;	    /* frames read */
	__u64 selected;	    /* ... the filter and sampling kept (-c) */
	__u64 now;	    /* the time of the last frame */
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

/* One frame of capture i: time passes to its time, then the programs'
 * twin. With several captures each is an interface: its number (from 1)
 * is the packet's ifindex. Returns 0, SOURCE_ENOUGH or -errno. */
static int read_frame(struct pcap_source *ps, int i)
{
	const struct capture *c = &ps->cap[i];
	const struct pcap_pkthdr *hdr = c->hdr;
	struct hdrlog_packet_event ev;
	int err;

	ps->frame++;
	/* merged captures' clocks need not agree: time never goes back */
	if (pcap_time_ns(hdr) > ps->now || ps->n_caps == 1)
		ps->now = pcap_time_ns(hdr);
	if ((err = pipeline_tick(ps->p, ps->now)))
		return err;
	if (!c->supported) {
		ps->src.skipped++;
		return 0;
	}
	if ((err = decode_packet(c->linktype, c->data, hdr->caplen, hdr->len, &ev)))
		return err;
	if (ps->n_caps > 1)
		ev.ifindex = i + 1;
	ev.ts_ns = pcap_time_ns(hdr);
	err = kernel_twin_packet(ps->twin, &ev, c->data, hdr->caplen);
	if (err < 0)
		return err;
	ps->selected += err;
	/* like tcpdump -c: N packets the filter selected */
	if (ps->cfg->max_count && ps->selected >= ps->cfg->max_count)
		return SOURCE_ENOUGH;
	return 0;
}

/* Reads capture c's next frame ahead (c->hdr NULL at its end). Returns
 * 0 or -EINVAL (said). */
static int read_ahead(struct pcap_source *ps, struct capture *c)
{
	int rc = pcap_next_ex(c->pcap, &c->hdr, &c->data);

	if (rc == 1)
		return 0;
	c->hdr = NULL;
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	pr_warn("%s: %s (after %llu packets)\n", c->path, pcap_geterr(c->pcap),
		(unsigned long long)ps->frame);
	return -EINVAL;
}

/* The capture whose next frame is the earliest (the first of equal
 * times), or -1 when all ended. */
static int earliest(const struct pcap_source *ps)
{
	int best = -1;

	for (int i = 0; i < ps->n_caps; i++)
		if (ps->cap[i].hdr &&
		    (best < 0 || pcap_time_ns(ps->cap[i].hdr) <
				     pcap_time_ns(ps->cap[best].hdr)))
			best = i;
	return best;
}

static int pcap_poll(struct source *s, struct pipeline *p, int timeout_ms)
{
	struct pcap_source *ps = of(s);
	int i, err;

	(void)timeout_ms; /* a file never waits */
	ps->p = p;
	for (int n = 0; n < BATCH; n++) {
		if ((i = earliest(ps)) < 0)
			return SOURCE_END;
		if ((err = read_frame(ps, i)) ||
		    (err = read_ahead(ps, &ps->cap[i])))
			return err;
	}
	return 0;
}

/* With several captures, each is an interface of its name. */
static const char *pcap_ifname(struct source *s, __u32 ifindex)
{
	struct pcap_source *ps = of(s);

	if (ps->n_caps < 2 || !ifindex || ifindex > (__u32)ps->n_caps)
		return NULL;
	return ps->cap[ifindex - 1].name;
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

/* Over every capture: the bytes read and the sizes summed. */
static void pcap_progress(struct source *s, struct source_progress *pr)
{
	struct pcap_source *ps = of(s);

	*pr = (struct source_progress){ .name = ps->cap[0].path,
					.packets = ps->frame };
	for (int i = 0; i < ps->n_caps; i++) {
		FILE *fp = pcap_file(ps->cap[i].pcap);
		long pos = fp ? ftell(fp) : -1;

		pr->bytes += pos > 0 ? (__u64)pos : 0;
		pr->size += ps->cap[i].size;
	}
}

static void pcap_close_source(struct source *s)
{
	struct pcap_source *ps = of(s);

	if (!s)
		return;
	kernel_twin_free(ps->twin);
	for (int i = 0; i < ps->n_caps; i++)
		if (ps->cap[i].pcap)
			pcap_close(ps->cap[i].pcap);
	free(ps);
}

static const struct source_ops pcap_ops = {
	.poll = pcap_poll,
	.read_stats = pcap_read_stats,
	.ifname = pcap_ifname,
	.now = pcap_now,
	.progress = pcap_progress,
	.close = pcap_close_source,
};

static int open_file(struct capture *c)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	const char *name;
	struct stat st;

	c->pcap = pcap_open_offline_with_tstamp_precision(
		c->path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!c->pcap) {
		/* libpcap's message may or may not name the file */
		if (strncmp(errbuf, c->path, strlen(c->path)))
			pr_warn("cannot read %s: %s\n", c->path, errbuf);
		else
			pr_warn("cannot read %s\n", errbuf);
		return -EINVAL;
	}
	if (!stat(c->path, &st) && S_ISREG(st.st_mode))
		c->size = st.st_size;
	c->linktype = pcap_datalink(c->pcap);
	c->supported = decode_supported(c->linktype);
	name = pcap_datalink_val_to_name(c->linktype);
	if (!c->supported)
		pr_warn("%s: link type %s (%d) is not supported: its packets are "
			"skipped and counted\n", c->path, name ? name : "unknown",
			c->linktype);
	return 0;
}

/* Opens every -r capture and reads each one's first frame ahead. Two
 * captures of one name would be one interface: refused. */
static int open_files(struct pcap_source *ps)
{
	const struct config *cfg = ps->cfg;
	int err = 0;

	for (int i = 0; i < cfg->n_reads && !err; i++) {
		struct capture *c = &ps->cap[i];

		c->path = cfg->read_paths[i];
		c->name = cfg->read_names[i];
		for (int j = 0; j < i; j++)
			if (!strcmp(ps->cap[j].name, c->name)) {
				pr_warn("-r: two captures named %s: name them "
					"(-r NAME=FILE)\n", c->name);
				return -EINVAL;
			}
		ps->n_caps++;
		if (!(err = open_file(c)))
			err = read_ahead(ps, c);
	}
	return err;
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
	decode_set_tunnels(&cfg->tunnel);
	err = open_files(ps);
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
