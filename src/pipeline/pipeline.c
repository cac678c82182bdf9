// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly/anomaly_record.h"
#include "api/api.h"
#include "api/latency.h"
#include "attr/attr.h"
#include "flow/flow_age.h"
#include "flow_update.h"
#include "http/http.h"
#include "metrics/metrics.h"
#include "metrics/metrics_api.h"
#include "metrics/metrics_workload.h"
#include "path/path_record.h"
#include "pipeline/loss_warn.h"
#include "pipeline/pipeline.h"
#include "util/log.h"
#include "web/web_store.h"

#define NS_PER_S 1000000000ULL

struct pipeline {
	const struct config *cfg;
	struct source *src;
	struct output *out;
	struct counters *c;
	struct http_engine *http; /* NULL without --http */
	struct api_view *api;	  /* routes of the HTTP records; borrowed */
	struct flow_ager *ager;	  /* NULL without flows */
	struct path_engine *path; /* NULL without --paths */
	struct topology *topo;	  /* ... its service graph */
	__u64 next_topology;	  /* source clock: the next topology records */
	struct web_store *web;	  /* --web: what the page shows; borrowed */
	struct flow_watch web_watch; /* ... the live flows of each sweep */
	struct strbuf web_line;	  /* ... an HTTP record in JSON */
	__u64 *next_seq;	  /* per CPU: the sequence number expected next */
	__u64 packet_records;
	__u64 now;		  /* the source's clock at the last tick */
	__u64 next_stats;	  /* ... when the next interval record is due */
	__u64 next_loss_check;	  /* live: the kernel's loss count, once a second */
	struct loss_warn loss;
	int err;		  /* the first output error */
	bool closing;		  /* freeing: nothing is written any more */
};

/* ---- writing --------------------------------------------------------- */

/* Writes the line the record was formatted into; a failure is counted
 * by the output and ends the run. */
static int emit(struct pipeline *p, const char *kind, const char *iface)
{
	int err = output_emit(p->out, kind, iface);

	if (err && !p->err)
		p->err = err;
	return err;
}

static const char *ifname(struct pipeline *p, __u32 ifindex)
{
	return p->src->ops->ifname ? p->src->ops->ifname(p->src, ifindex) : NULL;
}

static const char *ifnetns(struct pipeline *p, __u32 ifindex, const char **peer)
{
	*peer = NULL;
	return p->src->ops->ifnetns ? p->src->ops->ifnetns(p->src, ifindex, peer)
				    : NULL;
}

static void count_flow_end(const struct flow_end *fe)
{
	const struct hdrlog_flow_value *v = fe->val;
	__u64 handshake = 0;

	if (fe->reason == HDRLOG_FLOW_END_ACTIVE)
		return; /* an interim record: the flow goes on */
	if (v->syn_ns && v->synack_ns >= v->syn_ns)
		handshake = v->synack_ns - v->syn_ns;
	metrics_flow_ended(flow_conn_state_name(fe->conn_state), handshake,
			   v->srtt_ns, v->dir[0].retransmits + v->dir[1].retransmits,
			   !!(v->reset_by & HDRLOG_BY_ORIG) +
			   !!(v->reset_by & HDRLOG_BY_RESP));
	if (fe->key->proto == 6 && fe->conn_state == HDRLOG_CS_S0)
		metrics_syn_unanswered();
}

/* The flow's local ends in the bounded workload metric. */
static void count_workload(const struct attr_side side[2], bool orig_is_a)
{
	for (int i = 0; i < 2; i++) {
		const struct attr_side *s = &side[i];
		bool src = (i == 0) == orig_is_a; /* endpoint a is the originator */

		if (!s->local)
			continue;
		metrics_workload_flow(src ? "source" : "destination",
				      s->has_owner ? s->owner.comm : NULL,
				      s->has_workload ? s->wl.runtime : NULL,
				      s->has_workload ? s->wl.pod_namespace : NULL);
	}
}

/* --paths: a final flow record to its connection's path. */
static int join_flow(struct pipeline *p, const struct flow_end *fe)
{
	char cid[COMMUNITY_ID_LEN];
	struct path_flow f = {
		.now_ns = p->now + p->src->epoch_off, .key = fe->key,
		.val = fe->val, .conn_state = fe->conn_state,
		.epoch_off = fe->epoch_off, .ifname = fe->ifname,
		.netns = fe->netns, .community_id = cid, .attr = fe->attr,
	};
	int err;

	if (!p->path || fe->reason == HDRLOG_FLOW_END_ACTIVE)
		return 0;
	flow_community_id(fe, cid);
	if ((err = path_engine_flow(p->path, &f)) && !p->err)
		p->err = err;
	return p->err;
}

/* Every flow record, whoever ended the flow (the kernel, the capture
 * reader's table, the ageing policy). --only-failed is applied here for
 * what the agent ended; the programs applied it to theirs already. */
static int write_flow(struct pipeline *p, struct flow_end *fe)
{
	const struct hdrlog_flow_key *k = fe->key;
	struct attr_side side[2];

	if (!flow_selected(&p->cfg->flow, fe)) {
		if (fe->reason != HDRLOG_FLOW_END_ACTIVE)
			p->c->flows_suppressed++;
		return 0;
	}
	if (p->http && k->proto == 6 /* TCP */)
		fe->http_txns = http_engine_conn_txns(p->http, k);
	if (p->src->attr) {
		attr_flow(p->src->attr, k, fe->val, side);
		fe->attr = side;
		fe->host = attr_host_name(p->src->attr);
		if (fe->reason != HDRLOG_FLOW_END_ACTIVE)
			count_workload(side, fe->val->orig_is_a);
	}
	fe->ifname = ifname(p, fe->val->ifindex);
	fe->netns = ifnetns(p, fe->val->ifindex, &fe->peer);
	counters_add_flow_http(p->c, &fe->val->http);
	p->c->flow_records++;
	count_flow_end(fe);
	if (p->web)
		web_store_flow_ended(p->web, fe, fe->ifname);
	record_flow(&p->out->line, p->out->fmt, fe);
	if (emit(p, "flow", ifname(p, fe->val->ifindex)))
		return p->err;
	return join_flow(p, fe);
}

/* A connection the path join handed back: its record, then its edge. */
static int on_path(void *ctx, const struct path_conn *c)
{
	struct pipeline *p = ctx;

	p->c->path_records++;
	p->c->path_joined += c->n_hops > 1;
	record_path(&p->out->line, p->out->fmt, c);
	topology_add(p->topo, c);
	return emit(p, "path", NULL);
}

/* --web: a topology record's edge for the page's graph. */
static void web_edge(struct pipeline *p, const struct topology_edge *e,
		     __u64 since_ns, __u64 now_ns)
{
	const char *transport = record_transport_name(e->proto);
	char a[INET6_ADDRSTRLEN];
	struct web_edge w = {
		.flows = e->flows, .requests = e->requests, .failed = e->failed,
		.http_5xx = e->http_5xx, .bytes = e->bytes,
		.handshake_p50_ns = latency_quantile(&e->handshake, 0.5),
		.ttfb_p50_ns = latency_quantile(&e->ttfb, 0.5),
		.at_ns = now_ns, .interval_ns = now_ns > since_ns ? now_ns - since_ns : 0,
	};

	snprintf(w.client_node, sizeof(w.client_node), "%s", topology_node(e->client_node));
	snprintf(w.server_node, sizeof(w.server_node), "%s", topology_node(e->server_node));
	inet_ntop(e->family == 6 ? AF_INET6 : AF_INET, e->client, a, sizeof(a));
	snprintf(w.client, sizeof(w.client), "%s", a);
	inet_ntop(e->family == 6 ? AF_INET6 : AF_INET, e->server, a, sizeof(a));
	snprintf(w.server, sizeof(w.server), e->family == 6 ? "[%s]:%u" : "%s:%u", a,
		 e->server_port);
	snprintf(w.transport, sizeof(w.transport), "%s", transport ? transport : "other");
	snprintf(w.ifaces, sizeof(w.ifaces), "%s", e->ifaces);
	web_store_topology(p->web, &w);
}

static int on_edge(void *ctx, const struct topology_edge *e, __u64 since_ns)
{
	struct pipeline *p = ctx;

	if (p->web)
		web_edge(p, e, since_ns, p->now + p->src->epoch_off);
	p->c->topology_records++;
	record_topology(&p->out->line, p->out->fmt, e, since_ns,
			p->now + p->src->epoch_off);
	return emit(p, "topology", NULL);
}

/* The service graph's edges since the last time. */
static int write_topology(struct pipeline *p)
{
	return topology_take(p->topo, p->now + p->src->epoch_off, on_edge, p);
}

/* --paths, as time passes: the connections whose wait is over, and the
 * topology records when due. */
static int path_tick(struct pipeline *p, __u64 now)
{
	__u64 interval = p->cfg->path.topology_interval_ns;
	int err;

	if (!p->path)
		return 0;
	if ((err = path_engine_expire(p->path, now + p->src->epoch_off)))
		return err;
	if (!interval)
		return 0;
	if (!p->next_topology)
		p->next_topology = now + interval;
	else if (now >= p->next_topology) {
		p->next_topology = now + interval;
		return write_topology(p);
	}
	return 0;
}

static int on_aged_flow(void *ctx, const struct flow_end *end)
{
	struct flow_end fe = *end;

	return write_flow(ctx, &fe);
}

/* Writes an anomaly record, raising its alert in the sinks that alert. */
static int emit_anomaly(struct pipeline *p, __u8 kind, const char *iface,
			const struct sink_alert *alert)
{
	int err;

	p->c->anomaly_records++;
	metrics_anomaly(kind);
	err = output_emit_alert(p->out, "anomaly", iface, alert);
	if (err && !p->err)
		p->err = err;
	return err;
}

static int on_anomaly(void *ctx, const struct syn_anomaly *a)
{
	struct pipeline *p = ctx;
	struct sink_alert alert;

	syn_anomaly_alert(&alert, a);
	record_syn_anomaly(&p->out->line, p->out->fmt, a);
	return emit_anomaly(p, 0, NULL, &alert);
}

static __u64 txn_duration(const struct http_txn *t)
{
	return t->resp.seen && t->resp.end_ns > t->req.start_ns ?
		       t->resp.end_ns - t->req.start_ns : 0;
}

/* The route's counts: the report's row and the route metrics. */
static void count_route(struct pipeline *p, const struct http_txn *t,
			const struct api_result *r)
{
	struct metrics_api_txn m = {
		.method = r->method, .route = r->metric_route,
		.status = t->resp.seen ? t->resp.msg.status : 0,
		.server = r->server_side, .client = r->client_side,
		.duration_ns = txn_duration(t), .req_bytes = t->req.body,
		.resp_bytes = t->resp.seen ? t->resp.body : 0, .drift = r->drift,
	};

	api_count(p->api, t, r);
	if (r->metric_route)
		metrics_api(&m);
}

/* Who is talking at each end of t, into *ha (live, with attribution). */
static void http_attr(struct pipeline *p, const struct http_txn *t,
		      struct http_attr *ha)
{
	const struct http_endpoints *ep = t->ep;

	ha->host = attr_host_name(p->src->attr);
	/* since 0: the connection's sockets were noted when it began, before
	 * any of its messages; a new connection on the same 5-tuple notes
	 * its own on its first packets */
	attr_endpoints(p->src->attr, ep->v6, ep->addr[t->client],
		       ep->port[t->client], ep->addr[!t->client],
		       ep->port[!t->client], ep->iface, 0, &ha->client,
		       &ha->server);
}

/* --web: the transaction for the page, its record always in JSON. */
static void web_http(struct pipeline *p, const struct http_txn *t,
		     const struct http_route *route, const struct http_attr *ha)
{
	const struct http_endpoints *ep = t->ep;
	struct web_http h = {
		.flow_id = t->flow_id,
		.start_ns = t->req.seen ? t->req.start_ns : t->resp.start_ns,
		.duration_ns = txn_duration(t),
		.status = t->resp.seen ? t->resp.msg.status : 0,
		.v6 = ep->v6,
		.client_port = ep->port[t->client],
		.server_port = ep->port[!t->client],
	};

	memcpy(h.client, ep->addr[t->client], 16);
	memcpy(h.server, ep->addr[!t->client], 16);
	sb_reset(&p->web_line);
	http_record_routed(&p->web_line, RECORD_JSON, &p->cfg->redact, t, route,
			   ha);
	web_store_http(p->web, &h, p->web_line.data, p->web_line.len);
}

static void on_http(void *ctx, const struct http_txn *t)
{
	struct pipeline *p = ctx;
	struct api_result r = { .row = -1 };
	struct http_attr ha = { 0 };

	if (p->closing)
		return; /* a run that failed: what waited is dropped */
	if (t->req.seen)
		metrics_http(t->req.msg.method ? t->req.msg.method : "",
			     t->resp.seen ? t->resp.msg.status : 0, txn_duration(t));
	if (p->api) {
		api_classify(p->api, t, &r);
		count_route(p, t, &r);
	}
	if (p->src->attr)
		http_attr(p, t, &ha);
	http_record_routed(&p->out->line, p->out->fmt, &p->cfg->redact, t,
			   r.rec.route ? &r.rec : NULL, p->src->attr ? &ha : NULL);
	if (p->web)
		web_http(p, t, r.rec.route ? &r.rec : NULL, p->src->attr ? &ha : NULL);
	emit(p, "http", NULL);
	if (p->path)
		path_engine_http(p->path, t);
}

/* --api-report: one api_route record per row, stamped with the
 * source's now. */
static int write_api_report(struct pipeline *p)
{
	size_t n;

	if (!p->api || !api_view_reporting(p->api))
		return 0;
	n = api_report_rows(p->api);
	for (size_t i = 0; i < n && !p->err; i++) {
		api_report_record(p->api, i, &p->out->line, p->out->fmt,
				  p->now + p->src->epoch_off);
		emit(p, "api_route", NULL);
	}
	return p->err;
}

/* ---- events ---------------------------------------------------------- */

/* One loss scheme for every kind: a sequence number skipped is an event
 * the ring buffer had no room for. */
static void track_sequence(struct pipeline *p, const struct hdrlog_event_hdr *h)
{
	__u64 *next;

	p->c->received++;
	if (h->cpu >= (__u32)p->src->ncpu)
		return;
	next = &p->next_seq[h->cpu];
	if (h->seq > *next)
		p->c->seq_missing += h->seq - *next;
	*next = h->seq + 1;
}

static int on_packet(struct pipeline *p, const struct hdrlog_packet_event *ev,
		     const struct event_meta *meta)
{
	struct record_meta rm = {
		.epoch_ns = ev->ts_ns + p->src->epoch_off,
		.ifname = ifname(p, ev->ifindex),
		.frame = meta ? meta->frame : 0,
	};

	rm.netns = ifnetns(p, ev->ifindex, &rm.peer);
	metrics_packet(ev, rm.ifname);
	record_packet(&p->out->line, p->out->fmt, ev, &rm);
	p->packet_records++;
	return emit(p, "packet", rm.ifname);
}

static int on_flow_event(struct pipeline *p, const struct hdrlog_flow_event *ev,
			 size_t size)
{
	struct flow_end fe;

	flow_end_init(&fe, &ev->key, &ev->val, ev->reason, p->src->epoch_off);
	if (ev->has_timeline && size >= sizeof(*ev))
		fe.timeline = &ev->tl;
	return write_flow(p, &fe);
}

/* The kernel's checks (--anomalies): one event per kind and source per
 * window. */
static int on_anomaly_event(struct pipeline *p,
			    const struct hdrlog_anomaly_event *ev)
{
	struct anomaly_meta m = {
		.epoch_ns = ev->ts_ns + p->src->epoch_off,
		.ifname = ifname(p, ev->ifindex),
		.opts = &p->cfg->anomaly,
	};
	struct sink_alert alert;

	anomaly_alert(&alert, ev, &m);
	record_anomaly(&p->out->line, p->out->fmt, ev, &m);
	return emit_anomaly(p, ev->kind, m.ifname, &alert);
}

/* A TCP segment's payload for the HTTP engine (the events come only with
 * --http). */
static int on_payload(struct pipeline *p, const struct hdrlog_payload_event *ev,
		      size_t size)
{
	__u64 ts = ev->ts_ns + p->src->epoch_off;
	__u32 caplen = ev->caplen;
	__u32 iface = p->cfg->flow.per_iface ? ev->ifindex : 0;

	if (!p->http)
		return 0;
	if (caplen > size - sizeof(*ev))
		caplen = size - sizeof(*ev);
	/* idle connections ended at the tick before (pipeline_tick()) */
	if (!caplen && ev->uncopied)
		http_engine_body_end(p->http, &ev->h, iface, ev->uncopied, ts);
	else
		http_engine_packet(p->http, &ev->h, iface, ev->data, caplen, ts);
	return p->err;
}

int pipeline_event(struct pipeline *p, const void *data, size_t size,
		   const struct event_meta *meta)
{
	const struct hdrlog_event_hdr *h = data;

	if (size < sizeof(*h))
		return 0;
	switch (h->kind) {
	case HDRLOG_EV_PACKET:
		if (size < sizeof(struct hdrlog_packet_event))
			return 0;
		track_sequence(p, h);
		return on_packet(p, data, meta);
	case HDRLOG_EV_FLOW:
		if (size < HDRLOG_FLOW_EVENT_BARE)
			return 0;
		track_sequence(p, h);
		return on_flow_event(p, data, size);
	case HDRLOG_EV_PAYLOAD:
		if (size < sizeof(struct hdrlog_payload_event))
			return 0;
		track_sequence(p, h);
		return on_payload(p, data, size);
	case HDRLOG_EV_ANOMALY:
		if (size < sizeof(struct hdrlog_anomaly_event))
			return 0;
		track_sequence(p, h);
		return on_anomaly_event(p, data);
	default:
		return 0;
	}
}

/* ---- time, stats, the end -------------------------------------------- */

/* Live: the ring buffer's drops said on stderr as they start. */
static void check_loss(struct pipeline *p, __u64 now)
{
	__u64 kernel[HDRLOG_STAT__MAX];

	if (!p->src->live || now < p->next_loss_check)
		return;
	p->next_loss_check = now + NS_PER_S;
	if (!p->src->ops->read_stats(p->src, kernel, NULL))
		loss_warn_update(&p->loss, kernel[HDRLOG_STAT_RINGBUF_FULL], now,
				 stderr);
}

int pipeline_tick(struct pipeline *p, __u64 now)
{
	__u64 interval = p->cfg->stats_interval * NS_PER_S;
	int err;

	p->now = now;
	check_loss(p, now);
	if (p->http)
		http_engine_expire(p->http, now + p->src->epoch_off);
	if (p->ager && (err = flow_ager_tick(p->ager, now)))
		return err;
	if ((err = path_tick(p, now)))
		return err;
	if (!interval)
		return p->err;
	if (!p->next_stats) {
		p->next_stats = now + interval;
	} else if (now >= p->next_stats) {
		p->next_stats = now + interval;
		return pipeline_stats(p);
	}
	return p->err;
}

void pipeline_refresh(struct pipeline *p)
{
	struct counters *c = p->c;
	struct flow_ager_stats as;

	p->src->ops->read_stats(p->src, c->kernel, NULL);
	if (p->src->ops->iface_report)
		p->src->ops->iface_report(p->src, &c->iface);
	if (p->ager) {
		flow_ager_stats(p->ager, &as);
		c->flows_deleted = as.removed;
		c->syn_unanswered = as.syn_unanswered;
		c->syn_anomalies = as.syn_anomalies;
		c->syn_overflow = as.syn_overflow;
	}
	if (p->path) {
		struct path_stats ps;

		path_engine_stats(p->path, &ps);
		c->path_pending = ps.pending;
		c->path_evicted = ps.evicted;
		c->path_http_cut = ps.http_cut;
		c->path_http_unmatched = ps.http_unmatched;
		c->topology_dropped = topology_dropped(p->topo);
	}
	c->skipped_link = p->src->skipped;
	c->map_bytes = p->src->map_bytes;
	c->output_errors = p->out->errors;
	c->rotate_errors = p->out->rotate_errors;
	output_report(p->out, c);
	metrics_agent_update(c);
}

int pipeline_stats(struct pipeline *p)
{
	pipeline_refresh(p);
	counters_record(&p->out->line, p->out->fmt, p->c,
			p->now + p->src->epoch_off);
	emit(p, "stats", NULL);
	output_sync(p->out);
	return p->err;
}

int pipeline_api_report(struct pipeline *p)
{
	if (!p->api || !api_view_reporting(p->api))
		return 0;
	write_api_report(p);
	api_report_table(p->api, stderr);
	output_sync(p->out);
	return p->err;
}

/* Events lost after a CPU's last event left no gap: count them too, and
 * say so when the two ways of counting loss disagree. */
static void settle_losses(struct pipeline *p)
{
	__u64 *tried = calloc(p->src->ncpu, sizeof(*tried));
	struct counters *c = p->c;

	if (!tried || p->src->ops->read_stats(p->src, c->kernel, tried)) {
		pr_warn("cannot read the kernel counters\n");
		free(tried);
		return;
	}
	for (int cpu = 0; cpu < p->src->ncpu; cpu++)
		if (tried[cpu] > p->next_seq[cpu])
			c->seq_missing += tried[cpu] - p->next_seq[cpu];
	if (c->seq_missing != c->kernel[HDRLOG_STAT_RINGBUF_FULL])
		pr_warn("loss counters disagree: %llu sequence gaps, %llu ring "
			"buffer drops\n", (unsigned long long)c->seq_missing,
			(unsigned long long)c->kernel[HDRLOG_STAT_RINGBUF_FULL]);
	free(tried);
}

int pipeline_finish(struct pipeline *p, bool drained)
{
	int err;

	if (drained)
		settle_losses(p);
	/* what is still in the table ends with the run; the HTTP engine
	 * after it, so that flow records count the transactions */
	if (p->ager && !p->err && (err = flow_ager_flush(p->ager)) && !p->err)
		p->err = err;
	if (p->http && !p->err)
		http_engine_finish(p->http);
	/* every hop's flow and transactions are in: the paths, the graph */
	if (p->path && !p->err && (err = path_engine_finish(p->path)) && !p->err)
		p->err = err;
	if (p->path && !p->err)
		write_topology(p);
	if (!p->err)
		write_api_report(p); /* every transaction is in it now */
	/* a few records can sit in the buffer: a full disk shows here */
	pipeline_flush(p);
	pipeline_refresh(p);
	return p->err;
}

int pipeline_flush(struct pipeline *p)
{
	int err = output_sync(p->out);

	if (!err)
		err = output_reader_gone(p->out);
	if (err && !p->err)
		p->err = err;
	return p->err;
}

void pipeline_summary(struct pipeline *p, FILE *fp)
{
	counters_summary(fp, p->c, p->http ? http_engine_stats(p->http) : NULL);
	if (p->api && api_view_reporting(p->api))
		api_report_table(p->api, fp);
}

void pipeline_set_web(struct pipeline *p, struct web_store *web)
{
	p->web = web;
	p->web_watch = (struct flow_watch){
		.begin = web_store_live_begin, .flow = web_store_live_flow,
		.end = web_store_live_end, .ctx = web,
	};
	if (p->ager)
		flow_ager_watch(p->ager, web ? &p->web_watch : NULL);
}

void pipeline_set_api(struct pipeline *p, struct api_view *api)
{
	p->api = api;
}

__u64 pipeline_packet_records(const struct pipeline *p)
{
	return p->packet_records;
}

int pipeline_error(const struct pipeline *p)
{
	return p->err;
}

struct pipeline *pipeline_new(const struct config *cfg, struct source *src,
			      struct output *out, struct counters *c)
{
	struct pipeline *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	*p = (struct pipeline){ .cfg = cfg, .src = src, .out = out, .c = c };
	p->next_seq = calloc(src->ncpu, sizeof(*p->next_seq));
	if (cfg->http)
		p->http = http_engine_new(&cfg->http_cfg, on_http, p);
	if (cfg->flows && src->flows)
		p->ager = flow_ager_new(&cfg->flow, src->flows, src->epoch_off,
					on_aged_flow, on_anomaly, p);
	if (cfg->paths) {
		p->path = path_engine_new(&cfg->path, on_path, p);
		p->topo = topology_new();
	}
	if (!p->next_seq || (cfg->http && !p->http) ||
	    (cfg->flows && src->flows && !p->ager) ||
	    (cfg->paths && (!p->path || !p->topo))) {
		pipeline_free(p);
		return NULL;
	}
	c->live = src->live;
	c->flows = cfg->flows;
	c->http = cfg->http;
	c->paths = cfg->paths;
	c->filtered = cfg->sel.filter != NULL;
	c->sampled = cfg->sel.sample > 1;
	c->started = 1;
	return p;
}

void pipeline_free(struct pipeline *p)
{
	if (!p)
		return;
	p->closing = true;
	flow_ager_free(p->ager);
	http_engine_free(p->http);
	path_engine_free(p->path);
	topology_free(p->topo);
	sb_free(&p->web_line);
	free(p->next_seq);
	free(p);
}
