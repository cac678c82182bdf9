// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The HTTP engine of http.h: connections in a hash and an LRU list, within
 * the limits of struct http_config; each TCP segment goes to its side's
 * reassembler, which hands the bytes to the framing (http_framing.c).
 */
#include <stdlib.h>
#include <string.h>

#include "flow/flow_id.h"
#include "flow_update.h"
#include "http/http_conn.h"

/* The flow record's id (flow/flow_id.h): the same for both directions. */
__u64 http_flow_id(const struct http_endpoints *ep)
{
	return flow_id_of(ep->v6, (const __u8(*)[16])ep->addr, ep->port,
			  6 /* TCP */, ep->tunnel_type, ep->tunnel_id, ep->iface);
}

static unsigned conn_hash(const struct http_engine *e,
			  const struct http_endpoints *ep)
{
	return (unsigned)(http_flow_id(ep) % e->n_buckets);
}

static void lru_unlink(struct http_engine *e, struct http_conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		e->lru_head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		e->lru_tail = c->prev;
	c->prev = c->next = NULL;
}

static void lru_push(struct http_engine *e, struct http_conn *c)
{
	c->next = e->lru_head;
	if (e->lru_head)
		e->lru_head->prev = c;
	e->lru_head = c;
	if (!e->lru_tail)
		e->lru_tail = c;
}

/* The connection ends: what is waiting is logged, then it is freed. */
static void conn_end(struct http_conn *c, enum http_outcome why, __u64 ts_ns)
{
	struct http_engine *e = c->e;
	struct http_conn **pp = &e->buckets[conn_hash(e, &c->ep)];

	for (int i = 0; i < 2; i++)
		http_side_close(&c->side[i], ts_ns);
	http_txns_end(c, why);
	for (int i = 0; i < 2; i++)
		http_side_free(&c->side[i]);
	while (*pp != c)
		pp = &(*pp)->hnext;
	*pp = c->hnext;
	lru_unlink(e, c);
	e->n_conns--;
	free(c->pending);
	free(c);
}

static struct http_conn *conn_new(struct http_engine *e,
				  const struct http_endpoints *ep)
{
	struct http_conn *c;
	unsigned b;

	if (e->n_conns >= e->cfg.max_conns) {
		e->stats.evicted_conns++;
		conn_end(e->lru_tail, HTTP_EVICTED, e->lru_tail->last_ns);
	}
	http_closed_take(e->closed, ep); /* an older connection's count */
	c = calloc(1, sizeof(*c));
	if (!c)
		abort(); /* as sb_grow() */
	c->e = e;
	c->ep = *ep;
	c->client = -1;
	for (int i = 0; i < 2; i++)
		http_side_init(&c->side[i], c, i);
	b = conn_hash(e, ep);
	c->hnext = e->buckets[b];
	e->buckets[b] = c;
	lru_push(e, c);
	e->n_conns++;
	e->stats.connections++;
	return c;
}

static struct http_conn *conn_find(struct http_engine *e,
				   const struct http_endpoints *ep)
{
	struct http_conn *c = e->buckets[conn_hash(e, ep)];

	while (c && memcmp(&c->ep, ep, sizeof(*ep)))
		c = c->hnext;
	return c;
}

/* Endpoints in a canonical order; returns the index of (sa, sp). */
static int endpoints_order(bool v6, const __u8 *sa, __u16 sp, const __u8 *da,
			   __u16 dp, struct http_endpoints *ep)
{
	size_t alen = v6 ? 16 : 4;
	int cmp = memcmp(sa, da, alen);
	int src = cmp < 0 || (cmp == 0 && sp <= dp) ? 0 : 1;

	memset(ep, 0, sizeof(*ep));
	ep->v6 = v6;
	memcpy(ep->addr[src], sa, alen);
	memcpy(ep->addr[!src], da, alen);
	ep->port[src] = sp;
	ep->port[!src] = dp;
	return src;
}

static int endpoints_of(const struct hdrlog_headers *h, __u32 iface,
			struct http_endpoints *ep)
{
	int src = endpoints_order(h->layers & HDRLOG_L_IPV6, h->saddr,
				  h->sport, h->daddr, h->dport, ep);

	ep->iface = iface;
	if (h->layers & HDRLOG_L_TUNNEL) {
		ep->tunnel_type = h->tunnel.type;
		ep->tunnel_id = h->tunnel.id;
	}
	return src;
}

__u64 http_engine_conn_txns(struct http_engine *e,
			    const struct hdrlog_flow_key *k)
{
	struct http_endpoints ep;
	struct http_conn *c;

	endpoints_order(k->family == 6, k->addr_a, k->port_a, k->addr_b,
			k->port_b, &ep);
	ep.tunnel_type = k->tunnel_type;
	ep.tunnel_id = k->tunnel_id;
	ep.iface = k->iface;
	c = conn_find(e, &ep);
	return c ? c->txns : http_closed_take(e->closed, &ep);
}

void http_txn_flow_key(const struct http_txn *t, struct hdrlog_flow_key *k)
{
	const struct http_endpoints *ep = t->ep;

	memset(k, 0, sizeof(*k));
	k->family = ep->v6 ? 6 : 4;
	k->proto = 6;
	k->tunnel_type = ep->tunnel_type;
	k->tunnel_id = ep->tunnel_id;
	k->iface = ep->iface;
	hdrlog_flow_key_fill(k, ep->addr[0], ep->addr[1], ep->port[0],
			     ep->port[1]);
}

/* One segment; uncopied: see http_engine_body_end(), else 0. */
static void engine_segment(struct http_engine *e, const struct hdrlog_headers *h,
			   __u32 iface, const __u8 *payload, size_t caplen,
			   __u64 uncopied, __u64 ts_ns)
{
	struct http_endpoints ep;
	struct http_conn *c;
	struct http_side *s;
	struct reasm_sink sink;
	bool passed;
	int src;

	if (!(h->layers & HDRLOG_L_TCP) || (h->layers & HDRLOG_L_FRAG) ||
	    h->truncated || h->error)
		return;
	src = endpoints_of(h, iface, &ep);
	c = conn_find(e, &ep);
	if (!c) {
		/* only a message start makes a connection worth following */
		if (!h->payload_len ||
		    !http_may_start((const char *)payload, caplen))
			return;
		c = conn_new(e, &ep);
	} else {
		lru_unlink(e, c);
		lru_push(e, c);
	}
	c->last_ns = ts_ns;
	s = &c->side[src];
	sink = http_side_sink(s);
	/* the peer's stream starts at what this segment acknowledges: a
	 * response segment that overtakes the first one is then held, not
	 * taken for the start */
	if ((h->tcp_flags & HDRLOG_TCP_ACK) && !c->side[!src].reasm.started)
		reasm_syn(&c->side[!src].reasm, h->tcp_ack - 1);
	if (h->tcp_flags & HDRLOG_TCP_SYN)
		reasm_syn(&s->reasm, h->tcp_seq);
	if (caplen > h->payload_len)
		caplen = h->payload_len; /* Ethernet padding */
	/* the end of a body the kernel passed over completes it at once */
	passed = uncopied && reasm_pass_over(&s->reasm,
					     h->tcp_seq + h->payload_len,
					     uncopied, ts_ns, &sink, &e->rs);
	if (!passed && h->payload_len)
		reasm_push(&s->reasm, h->tcp_seq, (const char *)payload, caplen,
			   h->payload_len, ts_ns, &sink, &e->rs);
	if ((h->tcp_flags & HDRLOG_TCP_FIN) && !s->fin)
		http_side_fin(s, ts_ns);
	if ((h->tcp_flags & HDRLOG_TCP_RST) || (c->side[0].fin && c->side[1].fin)) {
		/* the flow's record comes after its close delay */
		http_closed_put(e->closed, &c->ep, c->txns);
		conn_end(c, HTTP_NO_RESPONSE, ts_ns);
	}
}

void http_engine_packet(struct http_engine *e, const struct hdrlog_headers *h,
			__u32 iface, const __u8 *payload, size_t caplen,
			__u64 ts_ns)
{
	engine_segment(e, h, iface, payload, caplen, 0, ts_ns);
}

void http_engine_body_end(struct http_engine *e, const struct hdrlog_headers *h,
			  __u32 iface, __u64 uncopied, __u64 ts_ns)
{
	engine_segment(e, h, iface, NULL, 0, uncopied, ts_ns);
}

void http_engine_expire(struct http_engine *e, __u64 now_ns)
{
	http_hold_expire(e, now_ns);
	while (e->lru_tail && e->lru_tail->last_ns + e->cfg.idle_ns < now_ns)
		conn_end(e->lru_tail, HTTP_TIMEOUT, now_ns);
}

void http_engine_finish(struct http_engine *e)
{
	while (e->lru_tail)
		conn_end(e->lru_tail, HTTP_NO_RESPONSE, e->lru_tail->last_ns);
}

struct http_engine *http_engine_new(const struct http_config *cfg,
				    http_emit_fn emit, void *ctx)
{
	struct http_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->cfg = *cfg;
	http_config_defaults(&e->cfg);
	e->emit = emit;
	e->ctx = ctx;
	e->n_buckets = e->cfg.max_conns < 4096 ? 4096 : e->cfg.max_conns;
	e->buckets = calloc(e->n_buckets, sizeof(*e->buckets));
	e->closed = http_closed_new(e->cfg.max_conns);
	if (!e->buckets || !e->closed) {
		http_closed_free(e->closed);
		free(e->buckets);
		free(e);
		return NULL;
	}
	return e;
}

const struct http_stats *http_engine_stats(struct http_engine *e)
{
	/* the reassembler counts on its own: fold its numbers in */
	struct http_stats *s = &e->stats;

	s->retransmitted = e->rs.retransmitted;
	s->out_of_order = e->rs.out_of_order;
	s->gaps = e->rs.gaps;
	s->gap_bytes = e->rs.gap_bytes;
	s->body_holes = e->rs.body_holes;
	s->body_hole_bytes = e->rs.body_hole_bytes;
	return s;
}

void http_engine_free(struct http_engine *e)
{
	if (!e)
		return;
	http_engine_finish(e);
	http_closed_free(e->closed);
	free(e->buckets);
	free(e);
}
