// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * GET /api/topology: the service graph. With topology records (--paths)
 * it is theirs: nodes by the names the records give (a pod, a container,
 * a process, or "external"), edges through the interfaces between them.
 * Without, it is made of the flows and transactions the store holds: an
 * edge from a flow's originator to its responder, a transaction's client
 * to its server; an endpoint on one of this host's interfaces is a node of
 * its own (a server by address and port, a client by address), every
 * other peer the one "external" node. A node's hover lists the addresses
 * it stands for.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow/flow.h"
#include "flow_update.h"
#include "record/json.h"
#include "record/record.h"
#include "web/web_api.h"
#include "web/web_topology.h"

#define TOPO_NODES 256
#define TOPO_EDGES 1024
#define NODE_ENDPOINTS 16 /* addresses a node's hover lists */
#define EXTERNAL "external"

struct topo_node {
	char id[WEB_NODE_LEN];
	const char *kind; /* "service", "client", "workload", "external" */
	char endpoints[NODE_ENDPOINTS][56];
	int n_endpoints;
	__u64 more; /* endpoints beyond those listed */
};

struct topo_edge {
	int from, to;
	__u8 proto;
	char transport[16]; /* from records: their network.transport */
	char ifaces[128];   /* from records: the interfaces, ">" between */
	__u64 flows, live, failed, bytes;
	__u64 requests, errors, http_ns, http_timed;
	__u64 handshake_ns, handshakes;
};

struct topo {
	const struct web_store *s;
	struct topo_node nodes[TOPO_NODES];
	struct topo_edge edges[TOPO_EDGES];
	int n_nodes, n_edges;
	__u64 unplaced; /* flows and transactions beyond the limits */
	__u64 first_ns, last_ns;
};

static void addr_port(bool v6, const __u8 *addr, int port, char *out, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(v6 ? AF_INET6 : AF_INET, addr, a, sizeof(a));
	if (port < 0)
		snprintf(out, len, "%s", a);
	else
		snprintf(out, len, v6 ? "[%s]:%d" : "%s:%d", a, port);
}

static void note_endpoint(struct topo_node *n, const char *ep)
{
	for (int i = 0; i < n->n_endpoints; i++)
		if (!strcmp(n->endpoints[i], ep))
			return;
	if (n->n_endpoints < NODE_ENDPOINTS)
		snprintf(n->endpoints[n->n_endpoints++], sizeof(n->endpoints[0]),
			 "%s", ep);
	else
		n->more++;
}

/* The node named id (kind for a new one), the endpoint ep noted on it.
 * Returns its index, or -1 when the graph is full. */
static int node_named(struct topo *t, const char *id, const char *kind,
		      const char *ep)
{
	int i;

	for (i = 0; i < t->n_nodes; i++)
		if (!strcmp(t->nodes[i].id, id))
			break;
	if (i == t->n_nodes) {
		if (i == TOPO_NODES)
			return -1;
		memset(&t->nodes[i], 0, sizeof(t->nodes[i]));
		snprintf(t->nodes[i].id, sizeof(t->nodes[i].id), "%s", id);
		t->nodes[i].kind = kind;
		t->n_nodes++;
	}
	note_endpoint(&t->nodes[i], ep);
	return i;
}

/* The node of an endpoint: a server (by address and port) or a client
 * (by address) of this host, or the external one. Returns its index, or
 * -1 when the graph is full. */
static int node_of(struct topo *t, bool v6, const __u8 *addr, __u16 port,
		   bool server)
{
	bool local = web_store_is_local(t->s, v6, addr);
	char ep[56], id[64];

	addr_port(v6, addr, port, ep, sizeof(ep));
	if (!local)
		snprintf(id, sizeof(id), EXTERNAL);
	else if (server)
		snprintf(id, sizeof(id), "%s", ep);
	else
		addr_port(v6, addr, -1, id, sizeof(id));
	return node_named(t, id, !local ? EXTERNAL : server ? "service" : "client",
			  ep);
}

static void span(struct topo *t, __u64 first, __u64 last)
{
	if (!t->first_ns || first < t->first_ns)
		t->first_ns = first;
	if (last > t->last_ns)
		t->last_ns = last;
}

/* The edge from -> to by proto (records: by transport and interfaces),
 * or NULL when the graph is full. */
static struct topo_edge *edge_find(struct topo *t, int from, int to, __u8 proto,
				   const char *transport, const char *ifaces)
{
	struct topo_edge *e;

	if (from < 0 || to < 0)
		return NULL;
	for (int i = 0; i < t->n_edges; i++) {
		e = &t->edges[i];
		if (e->from == from && e->to == to && e->proto == proto &&
		    !strcmp(e->transport, transport) && !strcmp(e->ifaces, ifaces))
			return e;
	}
	if (t->n_edges == TOPO_EDGES)
		return NULL;
	e = &t->edges[t->n_edges++];
	memset(e, 0, sizeof(*e));
	e->from = from, e->to = to, e->proto = proto;
	snprintf(e->transport, sizeof(e->transport), "%s", transport);
	snprintf(e->ifaces, sizeof(e->ifaces), "%s", ifaces);
	return e;
}

static struct topo_edge *edge_of(struct topo *t, int from, int to, __u8 proto)
{
	const char *name = record_transport_name(proto);

	return edge_find(t, from, to, proto, name ? name : "other", "");
}

static const char *record_kind(const char *node)
{
	return strcmp(node, EXTERNAL) ? "workload" : EXTERNAL;
}

/* One topology record: its counts on its edge; the TTFB and handshake
 * medians weighted by the requests and flows they stand for. */
static void add_record(struct topo *t, const struct web_edge *w)
{
	int from = node_named(t, w->client_node, record_kind(w->client_node),
			      w->client);
	int to = node_named(t, w->server_node, record_kind(w->server_node),
			    w->server);
	struct topo_edge *e = edge_find(t, from, to, 0, w->transport, w->ifaces);

	if (!e) {
		t->unplaced++;
		return;
	}
	e->flows += w->flows;
	e->failed += w->failed;
	e->bytes += w->bytes;
	e->requests += w->requests;
	e->errors += w->http_5xx;
	if (w->ttfb_p50_ns && w->requests) {
		e->http_ns += w->ttfb_p50_ns * w->requests;
		e->http_timed += w->requests;
	}
	if (w->handshake_p50_ns) {
		e->handshake_ns += w->handshake_p50_ns * w->flows;
		e->handshakes += w->flows;
	}
	span(t, w->at_ns - w->interval_ns, w->at_ns);
}

static void add_flow(struct topo *t, const struct web_flow *w)
{
	const struct hdrlog_flow_key *k = &w->key;
	const struct hdrlog_flow_value *v = &w->val;
	bool v6 = k->family == 6, a = v->orig_is_a;
	bool ports = k->proto == 6 || k->proto == 17 || k->proto == 132;
	int from = node_of(t, v6, a ? k->addr_a : k->addr_b,
			   ports ? (a ? k->port_a : k->port_b) : 0, false);
	int to = node_of(t, v6, a ? k->addr_b : k->addr_a,
			 ports ? (a ? k->port_b : k->port_a) : 0, true);
	struct topo_edge *e = edge_of(t, from, to, k->proto);

	if (!e) {
		t->unplaced++;
		return;
	}
	e->flows++;
	e->live += w->live;
	e->failed += !w->live && hdrlog_flow_failed(v, k->proto);
	e->bytes += v->dir[0].ip_bytes + v->dir[1].ip_bytes;
	if (v->syn_ns && v->synack_ns >= v->syn_ns) {
		e->handshake_ns += v->synack_ns - v->syn_ns;
		e->handshakes++;
	}
	span(t, w->start_ns, w->last_ns);
}

static void add_http(struct topo *t, const struct web_http *h)
{
	int from = node_of(t, h->v6, h->client, h->client_port, false);
	int to = node_of(t, h->v6, h->server, h->server_port, true);
	struct topo_edge *e = edge_of(t, from, to, 6);

	if (!e) {
		t->unplaced++;
		return;
	}
	e->requests++;
	e->errors += h->status >= 500;
	if (h->duration_ns) {
		e->http_ns += h->duration_ns;
		e->http_timed++;
	}
	span(t, h->start_ns, h->start_ns + h->duration_ns);
}

static double ms(__u64 sum, __u64 n)
{
	return n ? (double)sum / n / 1e6 : 0;
}

static void json_node(struct json *j, const struct topo_node *n)
{
	json_object_begin(j, NULL);
	json_str(j, "id", n->id);
	json_str(j, "kind", n->kind);
	json_array_begin(j, "endpoints");
	for (int i = 0; i < n->n_endpoints; i++)
		json_str(j, NULL, n->endpoints[i]);
	json_array_end(j);
	json_u64(j, "endpoints_more", n->more);
	json_object_end(j);
}

static void json_edge(struct json *j, const struct topo *t,
		      const struct topo_edge *e, double window_s)
{
	const char *iface = e->ifaces, *gt;

	json_object_begin(j, NULL);
	json_str(j, "source", t->nodes[e->from].id);
	json_str(j, "target", t->nodes[e->to].id);
	json_str(j, "transport", e->transport);
	json_array_begin(j, "interfaces");
	while (*iface) {
		gt = strchr(iface, '>');
		json_strn(j, NULL, iface, gt ? (size_t)(gt - iface) : strlen(iface));
		iface = gt ? gt + 1 : iface + strlen(iface);
	}
	json_array_end(j);
	json_u64(j, "flows", e->flows);
	json_u64(j, "live", e->live);
	json_u64(j, "failed", e->failed);
	json_u64(j, "bytes", e->bytes);
	json_u64(j, "requests", e->requests);
	json_u64(j, "errors", e->errors);
	json_f64(j, "request_rate", e->requests / window_s);
	json_f64(j, "error_rate", e->requests ? (double)e->errors / e->requests
			: e->flows ? (double)e->failed / e->flows : 0);
	json_f64(j, "latency_ms", ms(e->http_ns, e->http_timed));
	json_f64(j, "handshake_ms", ms(e->handshake_ns, e->handshakes));
	json_object_end(j);
}

/* Under the lock: the graph of the topology records the ring holds. */
static void add_records(struct topo *t)
{
	const struct web_edge *w;

	for (__u64 i = 0; (w = web_store_edge(t->s, i)); i++)
		add_record(t, w);
}

/* Under the lock: the graph of the flows and transactions. */
static void add_store(struct topo *t)
{
	const struct web_store *s = t->s;
	const struct web_flow **all;
	size_t n;

	all = web_flows_all(s, &n);
	for (size_t i = 0; i < n; i++)
		add_flow(t, all[i]);
	free(all);
	for (__u64 seq = s->n_http; seq; seq--) {
		const struct web_http *h = web_store_http_at(s, seq);

		if (!h)
			break;
		add_http(t, h);
	}
}

int web_api_topology(struct web_store *s, struct strbuf *sb)
{
	struct topo *t = calloc(1, sizeof(*t));
	bool from_records;
	double window_s;
	struct json j;

	if (!t)
		return web_api_error(sb, 503, "out of memory");
	t->s = s;
	web_store_lock(s);
	from_records = s->n_topo > 0;
	if (from_records)
		add_records(t);
	else
		add_store(t);
	web_store_unlock(s);
	window_s = (t->last_ns - t->first_ns) / 1e9;
	if (window_s < 1)
		window_s = 1;
	json_begin(&j, sb);
	json_str(&j, "from", from_records ? "topology_records" : "flows");
	json_f64(&j, "window_s", window_s);
	json_u64(&j, "unplaced", t->unplaced);
	json_array_begin(&j, "nodes");
	for (int i = 0; i < t->n_nodes; i++)
		json_node(&j, &t->nodes[i]);
	json_array_end(&j);
	json_array_begin(&j, "edges");
	for (int i = 0; i < t->n_edges; i++)
		json_edge(&j, t, &t->edges[i], window_s);
	json_array_end(&j);
	json_end(&j);
	free(t);
	return 200;
}
