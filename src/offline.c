// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <pcap/pcap.h>

#include "decode.h"
#include "filter.h"
#include "log.h"
#include "offline.h"

static __u64 pcap_time_ns(const struct pcap_pkthdr *hdr)
{
	/* opened with nanosecond precision: tv_usec holds nanoseconds */
	if (hdr->ts.tv_sec < 0)
		return 0;
	return (__u64)hdr->ts.tv_sec * 1000000000ULL + (__u64)hdr->ts.tv_usec;
}

/* Returns 1 when the frame was logged, 0 when the filter rejected it, or
 * a negative errno. */
/* Hands the frame's TCP payload to the HTTP engine. */
static void http_frame(struct http_engine *http, int linktype,
		       const struct pcap_pkthdr *hdr, const u_char *data,
		       const struct hdrlog_packet_event *ev)
{
	__u32 off;

	if (decode_payload_offset(linktype, data, hdr->caplen, ev, &off))
		return;
	http_engine_expire(http, ev->ts_ns);
	http_engine_packet(http, &ev->h, data + off, hdr->caplen - off, ev->ts_ns);
}

struct frame_ctx {
	struct output *out;
	struct counters *c;
	int linktype;
	const struct hdrlog_filter *filter;
	struct http_engine *http;
	bool packets;
};

static int log_frame(const struct frame_ctx *fc, const struct pcap_pkthdr *hdr,
		     const u_char *data, __u64 frame)
{
	struct output *out = fc->out;
	struct counters *c = fc->c;
	int linktype = fc->linktype;
	const struct hdrlog_filter *filter = fc->filter;
	struct hdrlog_packet_event ev;
	struct record_meta meta = { .frame = frame };
	int err;

	err = decode_packet(linktype, data, hdr->caplen, hdr->len, &ev);
	if (err)
		return err;
	if (filter && !filter_match(filter, &ev.h)) {
		counters_add_rejected(c, &ev);
		return 0;
	}
	ev.ts_ns = pcap_time_ns(hdr);
	meta.epoch_ns = ev.ts_ns;
	counters_add_packet(c, &ev);
	if (fc->http)
		http_frame(fc->http, linktype, hdr, data, &ev);
	if (!fc->packets)
		return 1;
	record_packet(&out->line, out->fmt, &ev, &meta);
	err = output_flush_line(out);
	if (err)
		c->output_errors++;
	return err ? err : 1;
}

int offline_run(const char *path, unsigned long long max_count,
		const struct hdrlog_filter *filter, struct output *out,
		struct counters *c, struct http_engine *http, bool packets)
{
	struct frame_ctx fc = {
		.out = out, .c = c, .filter = filter, .http = http,
		.packets = packets,
	};
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct pcap_pkthdr *hdr;
	const u_char *data;
	unsigned long long logged = 0;
	__u64 frame = 0;
	int linktype, rc, err = 0;
	pcap_t *p;

	p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO,
						    errbuf);
	if (!p) {
		/* libpcap's message may or may not name the file */
		if (strncmp(errbuf, path, strlen(path)))
			pr_warn("cannot read %s: %s\n", path, errbuf);
		else
			pr_warn("cannot read %s\n", errbuf);
		return -EINVAL;
	}
	c->started = 1;
	c->filtered = filter != NULL;
	linktype = pcap_datalink(p);
	fc.linktype = linktype;
	if (!decode_supported(linktype))
		pr_warn("%s: link type %s (%d) is not supported: its packets are "
			"skipped and counted\n", path,
			pcap_datalink_val_to_name(linktype) ? pcap_datalink_val_to_name(linktype) : "unknown",
			linktype);

	while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
		frame++;
		if (!decode_supported(linktype)) {
			c->skipped_link++;
			continue;
		}
		err = log_frame(&fc, hdr, data, frame);
		if (err < 0)
			break;
		/* like tcpdump -c: N packets the filter selected */
		logged += err;
		err = 0;
		if (max_count && logged >= max_count)
			break;
	}
	if (rc == PCAP_ERROR) {
		pr_warn("%s: %s (after %llu packets)\n", path, pcap_geterr(p),
			(unsigned long long)frame);
		err = -EINVAL;
	}
	pcap_close(p);
	if (http)
		http_engine_finish(http); /* requests still waiting are logged */
	return err;
}
