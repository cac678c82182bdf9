// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The join of path.h: connections waiting for their hops in a hash by
 * join key and a list in the order of their last hop (the oldest wait
 * ends first), and the HTTP transactions of hops whose flow record has
 * not come yet (path_txns.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr/attr.h"
#include "flow_update.h"
#include "path/path.h"
#include "path/path_txns.h"

/* What NAT leaves alone. TCP: the originator's first sequence number
 * (the responder's, when known, must match too: belongs()); UDP and
 * ICMP echo: the ports (identifier), with the first packets' time. */
struct join_key {
	__u32 a;
	__u8 proto;
	__u8 _pad[3];
};

struct pending {
	struct pending *hnext;	     /* hash chain */
	struct pending *prev, *next; /* wait order: the oldest first */
	struct join_key jk;
	__u64 deadline;		     /* epoch ns: no hop since PATH_HOLD_NS */
	struct path_conn conn;
};

struct path_engine {
	struct path_opts o;
	path_emit_fn emit;
	void *ctx;
	struct pending **buckets;
	size_t n_buckets;	     /* a power of two */
	struct pending *oldest, *newest;
	struct path_txns *txns;
	struct path_stats st;
};

static const char *const join_names[] = {
	[PATH_JOIN_NONE] = "none", [PATH_JOIN_TCP_ISN] = "tcp_isn",
	[PATH_JOIN_TCP_SEQ] = "tcp_seq", [PATH_JOIN_PORTS_TIME] = "ports_time",
};

const char *path_join_name(enum path_join j)
{
	return j <= PATH_JOIN_PORTS_TIME ? join_names[j] : "none";
}

static __u64 fnv(__u64 h, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static size_t bucket_of(const struct path_engine *e, const struct join_key *jk)
{
	return fnv(0xcbf29ce484222325ULL, jk, sizeof(*jk)) & (e->n_buckets - 1);
}

static bool icmp_echo(__u8 proto, __u8 type)
{
	return (proto == 1 && (type == 8 || type == 0)) ||
	       (proto == 58 && (type == 128 || type == 129));
}

/* The join key of a hop; false when it has none (another protocol, or
 * TCP whose originator sent no sequence number). */
static bool join_key_of(const struct hdrlog_flow_key *k,
			const struct hdrlog_flow_value *v, struct join_key *jk)
{
	__u16 oport = v->orig_is_a ? k->port_a : k->port_b;
	__u16 rport = v->orig_is_a ? k->port_b : k->port_a;

	memset(jk, 0, sizeof(*jk));
	jk->proto = k->proto;
	if (k->proto == 6) {
		jk->a = v->isn[0];
		return v->dir[0].seq_valid || (v->flipped && v->synack_ns);
	}
	if (k->proto == 17 || icmp_echo(k->proto, v->icmp_type)) {
		jk->a = (__u32)oport << 16 | rport;
		return true;
	}
	return false; /* other ICMP messages carry nothing to tell them apart */
}

/* ---- hops ------------------------------------------------------------ */

static void copy_name(char *dst, size_t n, const char *src)
{
	if (!src)
		src = "";
	strncpy(dst, src, n - 1);
	dst[n - 1] = 0;
}

/* A topology node's name for an endpoint: its pod, container or
 * process; "" when it is not known on this host. */
static void node_name(const struct attr_side *s, char out[PATH_NODE_LEN])
{
	const struct workload *w = &s->wl;

	out[0] = 0;
	if (s->has_workload && w->pod_name[0])
		snprintf(out, PATH_NODE_LEN, "%.63s/%.63s", w->pod_namespace,
			 w->pod_name);
	else if (s->has_workload && w->container_id[0])
		snprintf(out, PATH_NODE_LEN, "%.12s", w->container_id);
	else if (s->has_owner)
		snprintf(out, PATH_NODE_LEN, "%s", s->owner.comm);
}

static __u64 epoch(__u64 ns, __u64 off)
{
	return ns ? ns + off : 0;
}

static struct path_hop *hop_new(const struct path_flow *f)
{
	const struct hdrlog_flow_value *v = f->val;
	struct path_hop *h = calloc(1, sizeof(*h));
	int a = v->orig_is_a ? 0 : 1; /* the originator's endpoint */

	if (!h)
		return NULL;
	h->key = *f->key;
	h->orig_is_a = v->orig_is_a;
	h->direction = v->dir[0].hook_dir;
	h->conn_state = f->conn_state;
	h->failed = hdrlog_flow_failed(v, f->key->proto);
	h->syn_seen = v->syn_ns != 0;
	h->resp_isn = v->isn[1];
	h->resp_isn_known = v->dir[1].seq_valid;
	h->ifindex = v->ifindex;
	h->first_ns = epoch(v->dir[0].packets ? v->dir[0].first_ns
					      : v->dir[1].first_ns, f->epoch_off);
	h->last_ns = epoch(v->dir[0].last_ns > v->dir[1].last_ns
				   ? v->dir[0].last_ns : v->dir[1].last_ns,
			   f->epoch_off);
	h->syn_ns = epoch(v->syn_ns, f->epoch_off);
	h->synack_ns = epoch(v->synack_ns, f->epoch_off);
	for (int d = 0; d < 2; d++) {
		h->packets[d] = v->dir[d].packets;
		h->bytes[d] = v->dir[d].ip_bytes;
	}
	copy_name(h->ifname, sizeof(h->ifname), f->ifname);
	copy_name(h->netns, sizeof(h->netns), f->netns);
	copy_name(h->community_id, sizeof(h->community_id), f->community_id);
	if (f->attr) {
		node_name(&f->attr[a], h->node[0]);
		node_name(&f->attr[!a], h->node[1]);
	}
	return h;
}

/* The originator's and responder's address and port at a hop. */
static void hop_tuple(const struct path_hop *h, const __u8 **oaddr,
		      const __u8 **raddr, __u16 *oport, __u16 *rport)
{
	const struct hdrlog_flow_key *k = &h->key;

	*oaddr = h->orig_is_a ? k->addr_a : k->addr_b;
	*raddr = h->orig_is_a ? k->addr_b : k->addr_a;
	*oport = h->orig_is_a ? k->port_a : k->port_b;
	*rport = h->orig_is_a ? k->port_b : k->port_a;
}

static bool same_tuple(const struct path_hop *x, const struct path_hop *y)
{
	const __u8 *xo, *xr, *yo, *yr;
	__u16 xop, xrp, yop, yrp;

	hop_tuple(x, &xo, &xr, &xop, &xrp);
	hop_tuple(y, &yo, &yr, &yop, &yrp);
	return !memcmp(xo, yo, 16) && !memcmp(xr, yr, 16) && xop == yop &&
	       xrp == yrp;
}

/* ---- connections ------------------------------------------------------ */

static void list_unlink(struct path_engine *e, struct pending *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		e->oldest = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		e->newest = p->prev;
}

static void unlink_pending(struct path_engine *e, struct pending *p)
{
	struct pending **pp = &e->buckets[bucket_of(e, &p->jk)];

	while (*pp != p)
		pp = &(*pp)->hnext;
	*pp = p->hnext;
	list_unlink(e, p);
	e->st.pending--;
}

static void push_newest(struct path_engine *e, struct pending *p)
{
	p->next = NULL;
	p->prev = e->newest;
	if (e->newest)
		e->newest->next = p;
	else
		e->oldest = p;
	e->newest = p;
}

/* The hops in the order the originator's first packet crossed them. */
static void sort_hops(struct path_conn *c)
{
	for (unsigned i = 1; i < c->n_hops; i++) {
		struct path_hop *h = c->hops[i];
		unsigned j = i;

		for (; j > 0 && c->hops[j - 1]->first_ns > h->first_ns; j--)
			c->hops[j] = c->hops[j - 1];
		c->hops[j] = h;
	}
}

static enum path_join join_of(const struct path_conn *c, __u8 proto)
{
	if (c->n_hops < 2)
		return PATH_JOIN_NONE;
	if (proto != 6)
		return PATH_JOIN_PORTS_TIME;
	for (unsigned i = 0; i < c->n_hops; i++)
		if (!c->hops[i]->syn_seen)
			return PATH_JOIN_TCP_SEQ;
	return PATH_JOIN_TCP_ISN;
}

/* Completes c (order, join, NAT, transactions) and hands it back; its
 * hops are freed after. */
static int hand_back(struct path_engine *e, struct path_conn *c,
		     const struct join_key *jk)
{
	int err;

	sort_hops(c);
	c->join = join_of(c, jk->proto);
	c->nat = false;
	for (unsigned i = 1; i < c->n_hops; i++)
		c->nat |= !same_tuple(c->hops[0], c->hops[i]);
	for (unsigned i = 0; i < c->n_hops; i++)
		path_txns_take(e->txns, c->hops[i]);
	c->id = fnv(fnv(0xcbf29ce484222325ULL, jk, sizeof(*jk)),
		    &c->hops[0]->first_ns, sizeof(c->hops[0]->first_ns));
	err = e->emit(e->ctx, c);
	for (unsigned i = 0; i < c->n_hops; i++)
		free(c->hops[i]);
	c->n_hops = 0;
	return err;
}

static int end_pending(struct path_engine *e, struct pending *p)
{
	int err;

	unlink_pending(e, p);
	err = hand_back(e, &p->conn, &p->jk);
	free(p);
	return err;
}

/* TCP: the responder's first sequence number, where both know it. */
static bool resp_isn_agrees(const struct pending *p, const struct path_hop *h)
{
	for (unsigned i = 0; i < p->conn.n_hops; i++) {
		const struct path_hop *x = p->conn.hops[i];

		if (x->resp_isn_known && h->resp_isn_known &&
		    x->resp_isn != h->resp_isn)
			return false;
	}
	return true;
}

/* Whether hop h may be one of p's: the same key, no hop on its
 * interface yet, and for UDP/ICMP a first packet within the window. */
static bool belongs(const struct pending *p, const struct join_key *jk,
		    const struct path_hop *h)
{
	const struct path_hop *first = p->conn.hops[0];

	if (memcmp(&p->jk, jk, sizeof(*jk)))
		return false;
	if (jk->proto == 6)
		return resp_isn_agrees(p, h);
	if (jk->proto != 6 &&
	    (h->first_ns > first->first_ns ? h->first_ns - first->first_ns
					   : first->first_ns - h->first_ns) >
		    PATH_UDP_WINDOW_NS)
		return false;
	return true;
}

static bool has_iface(const struct pending *p, const struct path_hop *h)
{
	for (unsigned i = 0; i < p->conn.n_hops; i++)
		if (p->conn.hops[i]->key.iface == h->key.iface)
			return true;
	return false;
}

static struct pending *find(struct path_engine *e, const struct join_key *jk,
			    const struct path_hop *h)
{
	struct pending *p = e->buckets[bucket_of(e, jk)];

	while (p && !belongs(p, jk, h))
		p = p->hnext;
	return p;
}

static struct pending *pending_new(struct path_engine *e,
				   const struct join_key *jk)
{
	struct pending *p = calloc(1, sizeof(*p));
	size_t b;

	if (!p)
		return NULL;
	p->jk = *jk;
	b = bucket_of(e, jk);
	p->hnext = e->buckets[b];
	e->buckets[b] = p;
	push_newest(e, p);
	e->st.pending++;
	return p;
}

/* A hop with no key: its own path, handed back at once. */
static int lone_hop(struct path_engine *e, struct path_hop *h)
{
	struct path_conn c = { .n_hops = 1, .hops = { h } };
	struct join_key jk = { .proto = h->key.proto };

	return hand_back(e, &c, &jk);
}

int path_engine_flow(struct path_engine *e, const struct path_flow *f)
{
	struct path_hop *h = hop_new(f);
	struct join_key jk;
	struct pending *p;
	int err = 0;

	if (!h)
		return -ENOMEM;
	if (!join_key_of(f->key, f->val, &jk))
		return lone_hop(e, h);
	p = find(e, &jk, h);
	/* a second flow on one interface is another connection (a key
	 * reused); a ninth hop has no room: the one waiting goes first */
	if (p && (has_iface(p, h) || p->conn.n_hops >= PATH_HOPS_MAX)) {
		e->st.evicted += p->conn.n_hops >= PATH_HOPS_MAX;
		if ((err = end_pending(e, p)))
			goto fail;
		p = NULL;
	}
	if (!p) {
		if (e->st.pending >= e->o.max_pending) {
			e->st.evicted++;
			if ((err = end_pending(e, e->oldest)))
				goto fail;
		}
		if (!(p = pending_new(e, &jk))) {
			err = -ENOMEM;
			goto fail;
		}
	} else {
		/* to the newest end: the wait order is by last hop */
		list_unlink(e, p);
		push_newest(e, p);
	}
	p->conn.hops[p->conn.n_hops++] = h;
	p->deadline = f->now_ns + e->o.close_ns + PATH_HOLD_NS;
	/* seen on every interface: no other hop can come */
	if (e->o.ifaces && p->conn.n_hops >= e->o.ifaces)
		return end_pending(e, p);
	return 0;
fail:
	free(h);
	return err;
}

void path_engine_http(struct path_engine *e, const struct http_txn *t)
{
	path_txns_put(e->txns, t);
}

int path_engine_expire(struct path_engine *e, __u64 now_ns)
{
	int err = 0;

	/* deadlines grow along the list: each is its last hop's + the wait */
	while (!err && e->oldest && e->oldest->deadline <= now_ns)
		err = end_pending(e, e->oldest);
	return err;
}

int path_engine_finish(struct path_engine *e)
{
	int err = 0;

	while (!err && e->oldest)
		err = end_pending(e, e->oldest);
	path_txns_forget(e->txns);
	return err;
}

size_t path_wait_bytes(void)
{
	return sizeof(struct pending);
}

void path_engine_stats(const struct path_engine *e, struct path_stats *s)
{
	*s = e->st;
	path_txns_stats(e->txns, s);
}

struct path_engine *path_engine_new(const struct path_opts *o,
				    path_emit_fn emit, void *ctx)
{
	struct path_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->o = *o;
	if (!e->o.max_pending)
		e->o.max_pending = PATH_DEFAULT_MAX;
	e->emit = emit;
	e->ctx = ctx;
	e->n_buckets = 1024;
	while (e->n_buckets < e->o.max_pending)
		e->n_buckets *= 2;
	e->buckets = calloc(e->n_buckets, sizeof(*e->buckets));
	e->txns = path_txns_new(e->o.max_pending);
	if (!e->buckets || !e->txns) {
		path_engine_free(e);
		return NULL;
	}
	return e;
}

void path_engine_free(struct path_engine *e)
{
	if (!e)
		return;
	while (e->oldest) {
		struct pending *p = e->oldest;

		unlink_pending(e, p);
		for (unsigned i = 0; i < p->conn.n_hops; i++)
			free(p->conn.hops[i]);
		free(p);
	}
	path_txns_free(e->txns);
	free(e->buckets);
	free(e);
}
