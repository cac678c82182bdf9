// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <pcap/pcap.h>

#include "capture/decode.h"
#include "filter/filter.h"
#include "util/log.h"
#include "metrics/metrics.h"
#include "capture/offline.h"

static __u64 pcap_time_ns(const struct pcap_pkthdr *hdr)
{
	/* opened with nanosecond precision: tv_usec holds nanoseconds */
	if (hdr->ts.tv_sec < 0)
		return 0;
	return (__u64)hdr->ts.tv_sec * 1000000000ULL + (__u64)hdr->ts.tv_usec;
}

struct offline {
	const struct offline_opts *opts;
	struct output *out;
	struct counters *c;
	struct flow_table *flows; /* NULL without --flows */
	struct selection *sel;
};

static int emit_flow(void *ctx, const struct flow_end *end)
{
	struct offline *o = ctx;
	struct flow_end fe = *end;
	int err;

	flow_end_http(&fe, o->opts->http);
	counters_add_flow_http(o->c, &fe.val->http);
	flow_end_metrics(&fe);
	record_flow(&o->out->line, o->out->fmt, &fe);
	err = output_emit(o->out, "flow", NULL);
	if (err)
		o->c->output_errors++;
	return err;
}

static int emit_anomaly(void *ctx, const struct syn_anomaly *a)
{
	struct offline *o = ctx;
	int err;

	record_syn_anomaly(&o->out->line, o->out->fmt, a);
	err = output_emit(o->out, "anomaly", NULL);
	if (err)
		o->c->output_errors++;
	return err;
}

static bool wants_packet(enum hdrlog_packets mode,
			 const struct hdrlog_headers *h)
{
	if (mode == HDRLOG_PACKETS_ALL)
		return true;
	return mode == HDRLOG_PACKETS_TCP_CONTROL && (h->layers & HDRLOG_L_TCP) &&
	       (h->tcp_flags & (HDRLOG_TCP_SYN | HDRLOG_TCP_FIN | HDRLOG_TCP_RST));
}

/* Returns 1 when the frame was logged, 0 when the filter rejected it, or
 * a negative errno. */
/* Hands the frame's TCP payload to the HTTP engine, as live capture
 * would: the segments the kernel copies, not those it counts inside a
 * body of known length (flow_table_http()). */
static void http_frame(struct offline *o, int linktype,
		       const struct pcap_pkthdr *hdr, const u_char *data,
		       const struct hdrlog_packet_event *ev)
{
	struct http_engine *http = o->opts->http;
	__u32 off, uncopied;
	int act;

	if (decode_payload_offset(linktype, data, hdr->caplen, ev, &off))
		return;
	act = flow_table_http(o->flows, &ev->h, data + off, hdr->caplen - off,
			      o->opts->http_snaplen, &uncopied);
	if (act == HDRLOG_HTTP_SKIP || act == HDRLOG_HTTP_BODY_END) {
		o->c->kernel[HDRLOG_STAT_HTTP_UNCOPIED]++;
		o->c->kernel[HDRLOG_STAT_HTTP_UNCOPIED_BYTES] += ev->h.payload_len;
	}
	if (act == HDRLOG_HTTP_SKIP ||
	    (act == HDRLOG_HTTP_IGNORE && ev->h.payload_len))
		return; /* live capture sends nothing of it either */
	http_engine_expire(http, ev->ts_ns);
	if (act == HDRLOG_HTTP_BODY_END)
		http_engine_body_end(http, &ev->h, uncopied, ev->ts_ns);
	else
		http_engine_packet(http, &ev->h, data + off, hdr->caplen - off,
				   ev->ts_ns);
}

static int log_frame(struct offline *o, int linktype,
		     const struct pcap_pkthdr *hdr, const u_char *data,
		     __u64 frame)
{
	struct output *out = o->out;
	struct counters *c = o->c;
	struct selection *sel = o->sel;
	struct hdrlog_packet_event ev;
	struct record_meta meta = { .frame = frame };
	int err;

	err = decode_packet(linktype, data, hdr->caplen, hdr->len, &ev);
	if (err)
		return err;
	if (sel->filter && !filter_match(sel->filter, &ev.h)) {
		counters_add_unselected(c, &ev, HDRLOG_STAT_FILTER_NOT_MATCHED);
		return 0;
	}
	if (!select_sample_keep(sel, &ev.h)) {
		counters_add_unselected(c, &ev, HDRLOG_STAT_SAMPLED_OUT);
		return 0;
	}
	ev.ts_ns = pcap_time_ns(hdr);
	meta.epoch_ns = ev.ts_ns;
	counters_add_packet(c, &ev);
	metrics_packet(&ev, NULL);
	if (o->flows) {
		err = flow_table_packet(o->flows, &ev);
		if (err)
			return err;
	}
	if (o->opts->http && o->flows)
		http_frame(o, linktype, hdr, data, &ev);
	if (!wants_packet(o->opts->packets, &ev.h))
		return 1;
	record_packet(&out->line, out->fmt, &ev, &meta);
	err = output_emit(out, "packet", NULL);
	if (err)
		c->output_errors++;
	return err ? err : 1;
}

/* Flow counts into the counters the kernel keeps live. */
static void count_flows(struct counters *c, const struct flow_counts *fc)
{
	c->flows = 1;
	c->kernel[HDRLOG_STAT_FLOWS_CREATED] = fc->created;
	c->kernel[HDRLOG_STAT_FLOWS_SUPPRESSED] = fc->suppressed;
	c->kernel[HDRLOG_STAT_FLOW_LATE_PACKETS] = fc->late_packets;
	c->kernel[HDRLOG_STAT_FLOW_UNTRACKED] = fc->untracked;
	c->flow_records = fc->emitted;
}

int offline_run(const char *path, const struct offline_opts *opts,
		struct selection *sel, struct output *out, struct counters *c)
{
	struct offline o = { .opts = opts, .out = out, .c = c, .sel = sel };
	unsigned long long max_count = opts->max_count;
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
	if (opts->flows) {
		o.flows = flow_table_new(&opts->flow, emit_flow, &o);
		if (o.flows && opts->flow.syn.threshold &&
		    flow_table_watch_syns(o.flows, emit_anomaly, &o)) {
			flow_table_free(o.flows);
			o.flows = NULL;
		}
		if (!o.flows) {
			pcap_close(p);
			pr_warn("out of memory\n");
			return -ENOMEM;
		}
	}
	c->started = 1;
	c->filtered = sel->filter != NULL;
	c->sampled = sel->sample > 1;
	linktype = pcap_datalink(p);
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
		err = log_frame(&o, linktype, hdr, data, frame);
		if (err < 0)
			break;
		/* like tcpdump -c: N packets the filter selected */
		logged += err;
		err = 0;
		if (!(frame & 1023))
			metrics_agent_update(c);
		if (max_count && logged >= max_count)
			break;
	}
	if (rc == PCAP_ERROR) {
		pr_warn("%s: %s (after %llu packets)\n", path, pcap_geterr(p),
			(unsigned long long)frame);
		err = -EINVAL;
	}
	metrics_agent_update(c);
	pcap_close(p);
	if (o.flows) {
		/* flows still open end with the capture, unless output failed */
		if (!err || err == -EINVAL) {
			int ferr = flow_table_flush(o.flows);

			err = err ? err : ferr;
		}
		count_flows(c, flow_table_counts(o.flows));
		c->syn_unanswered = syn_watch_unanswered(flow_table_syn_watch(o.flows));
		c->syn_anomalies = syn_watch_anomalies(flow_table_syn_watch(o.flows));
		c->syn_overflow = syn_watch_overflow(flow_table_syn_watch(o.flows));
		flow_table_free(o.flows);
	}
	if (opts->http)
		http_engine_finish(opts->http); /* requests still waiting are logged */
	/* a few records can sit in the stdio buffer: a full disk shows here */
	if (!err || err == -EINVAL) {
		int serr = output_sync(out);

		err = err ? err : serr;
	}
	return err;
}
