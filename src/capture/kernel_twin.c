// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture/anomaly_twin.h"
#include "capture/kernel_twin.h"
#include "filter/filter.h"
#include "flow/flow_table.h"
#include "flow_update.h"
#include "packet_select.h"

struct kernel_twin {
	const struct config *cfg;
	struct selection *sel;
	twin_emit_fn emit;
	void *ctx;
	__u64 stats[HDRLOG_STAT__MAX];
	struct flow_table *flows; /* NULL without flows */
	struct anomaly_twin *anomalies; /* NULL without --anomalies */
	const struct hdrlog_packet_event *pkt; /* the packet being handled */
	struct hdrlog_flow_event fe;	       /* events are built here */
	struct hdrlog_payload_event *pay;
	size_t pay_room;		       /* data bytes pay has */
};

/* Sends an event: its header is the packet's (hook, direction), with the
 * next number of the one sequence. */
static int send(struct kernel_twin *t, struct hdrlog_event_hdr *h, __u8 kind,
		size_t size)
{
	__u8 hook = t->pkt->hdr.hook, dir = t->pkt->hdr.direction;

	*h = (struct hdrlog_event_hdr){
		.kind = kind, .hook = hook, .direction = dir,
		.seq = t->stats[HDRLOG_STAT_EVENTS_TRIED]++,
	};
	t->stats[HDRLOG_STAT_EVENTS]++;
	return t->emit(t->ctx, h, size);
}

/* The kernel's send_flow(): --only-failed leaves successful connections
 * out before any event. */
static int on_flow_end(void *ctx, const struct hdrlog_flow_key *k,
		       const struct hdrlog_flow_value *v,
		       const struct hdrlog_timeline *tl)
{
	struct kernel_twin *t = ctx;
	struct hdrlog_flow_event *fe = &t->fe;

	if (t->cfg->flow.only_failed && !hdrlog_flow_failed(v, k->proto)) {
		t->stats[HDRLOG_STAT_FLOWS_SUPPRESSED]++;
		return 0;
	}
	t->stats[HDRLOG_STAT_FLOWS_ENDED]++;
	memset(fe, 0, sizeof(*fe));
	fe->reason = v->end_reason;
	fe->key = *k;
	fe->val = *v;
	if (tl) {
		fe->tl = *tl;
		fe->has_timeline = 1;
	}
	return send(t, &fe->hdr, HDRLOG_EV_FLOW,
		    t->cfg->flow.timeline ? sizeof(*fe) : HDRLOG_FLOW_EVENT_BARE);
}

/* A payload event with n bytes of data (a message start's segment, the
 * end of a body passed over, a connection's FIN or RST). */
static int send_payload(struct kernel_twin *t, const __u8 *data, size_t n,
			__u32 uncopied)
{
	struct hdrlog_payload_event *ev;

	if (n > t->pay_room) {
		ev = realloc(t->pay, sizeof(*ev) + n);
		if (!ev)
			return -ENOMEM;
		t->pay = ev;
		t->pay_room = n;
	}
	ev = t->pay;
	memset(ev, 0, sizeof(*ev));
	ev->ts_ns = t->pkt->ts_ns;
	ev->ifindex = t->pkt->ifindex;
	ev->caplen = n;
	ev->uncopied = uncopied;
	ev->h = t->pkt->h;
	if (n)
		memcpy(ev->data, data, n);
	t->stats[HDRLOG_STAT_HTTP_PAYLOADS]++;
	return send(t, &ev->hdr, HDRLOG_EV_PAYLOAD, sizeof(*ev) + n);
}

/* The kernel's http_capture(). Where live capture copies the first
 * --http-snaplen bytes of a segment, a capture hands on every byte it
 * has: the head's framing is still read from the first snap length. */
static int http_capture(struct kernel_twin *t, const __u8 *frame, __u32 caplen)
{
	const struct hdrlog_headers *h = &t->pkt->h;
	__u32 off = h->payload_off, uncopied, n;
	int act;

	if (off > caplen)
		return 0;
	act = flow_table_http(t->flows, h, t->pkt->ifindex, frame + off, caplen - off,
			      t->cfg->http_snaplen, &uncopied);
	if (act == HDRLOG_HTTP_BODY_END || act == HDRLOG_HTTP_CLOSE)
		return send_payload(t, NULL, 0, uncopied);
	if (act != HDRLOG_HTTP_COPY)
		return 0;
	n = caplen - off < h->payload_len ? caplen - off : h->payload_len;
	return send_payload(t, frame + off, n, 0);
}

/* The kernel's anomaly_report() event. */
static int send_anomaly(void *ctx, struct hdrlog_anomaly_event *ev)
{
	return send(ctx, &ev->hdr, HDRLOG_EV_ANOMALY, sizeof(*ev));
}

/* The filter, then sampling; each outcome counted in packets. */
static bool selected(struct kernel_twin *t, const struct hdrlog_packet_event *ev)
{
	__u32 segs = ev->gso_segs ? ev->gso_segs : 1;

	if (t->sel->filter) {
		if (!filter_match(t->sel->filter, &ev->h)) {
			t->stats[HDRLOG_STAT_FILTER_NOT_MATCHED] += segs;
			return false;
		}
		t->stats[HDRLOG_STAT_FILTER_MATCHED] += segs;
	}
	if (!select_sample_keep(t->sel, &ev->h)) {
		t->stats[HDRLOG_STAT_SAMPLED_OUT] += segs;
		return false;
	}
	return true;
}

int kernel_twin_packet(struct kernel_twin *t, struct hdrlog_packet_event *ev,
		       const __u8 *frame, __u32 caplen)
{
	int err = 0;

	t->pkt = ev;
	t->stats[HDRLOG_STAT_PACKETS] += ev->gso_segs;
	t->stats[HDRLOG_STAT_BYTES] += ev->len;
	if (ev->hdr.direction == HDRLOG_DIR_INGRESS)
		t->stats[HDRLOG_STAT_PACKETS_INGRESS] += ev->gso_segs;
	else if (ev->hdr.direction == HDRLOG_DIR_EGRESS)
		t->stats[HDRLOG_STAT_PACKETS_EGRESS] += ev->gso_segs;
	t->stats[HDRLOG_STAT_TRUNCATED] += !!ev->h.truncated;
	t->stats[HDRLOG_STAT_PARSE_ERRORS] += !!ev->h.error;
	if (t->anomalies && (err = anomaly_twin_packet(t->anomalies, ev)))
		return err;
	if (!selected(t, ev))
		return 0;
	if (t->flows)
		err = flow_table_packet(t->flows, ev);
	if (!err && t->flows && t->cfg->http_snaplen)
		err = http_capture(t, frame, caplen);
	if (!err && hdrlog_packet_wanted(t->cfg->packets, &ev->h))
		err = send(t, &ev->hdr, HDRLOG_EV_PACKET, sizeof(*ev));
	return err ? err : 1;
}

const __u64 *kernel_twin_stats(const struct kernel_twin *t)
{
	return t->stats;
}

struct flow_store *kernel_twin_flows(struct kernel_twin *t)
{
	return t->flows ? flow_table_store(t->flows) : NULL;
}

struct kernel_twin *kernel_twin_new(const struct config *cfg,
				    struct selection *sel, twin_emit_fn emit,
				    void *ctx)
{
	struct kernel_twin *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	*t = (struct kernel_twin){ .cfg = cfg, .sel = sel, .emit = emit, .ctx = ctx };
	if (cfg->flows &&
	    !(t->flows = flow_table_new(&cfg->flow, t->stats, on_flow_end, t)))
		goto fail;
	if (cfg->anomalies &&
	    !(t->anomalies = anomaly_twin_new(&cfg->anomaly, t->stats,
					      send_anomaly, t)))
		goto fail;
	return t;
fail:
	kernel_twin_free(t);
	return NULL;
}

void kernel_twin_free(struct kernel_twin *t)
{
	if (!t)
		return;
	flow_table_free(t->flows);
	anomaly_twin_free(t->anomalies);
	free(t->pay);
	free(t);
}
