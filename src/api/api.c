// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_view.h"
#include "api/spec.h"
#include "util/log.h"

static const char *const drift_names[API_DRIFT__MAX] = {
	[API_DRIFT_UNDOCUMENTED_PATH] = "undocumented_path",
	[API_DRIFT_METHOD_NOT_ALLOWED] = "method_not_allowed",
	[API_DRIFT_UNDECLARED_STATUS] = "undeclared_status",
};

const char *api_drift_name(enum api_drift d)
{
	return d < API_DRIFT__MAX ? drift_names[d] : NULL;
}

/* ---- sides: is the server (or the client) this host? ----------------- */

static void local_addrs_read(struct api_view *v)
{
	struct ifaddrs *ifa, *i;

	if (getifaddrs(&ifa)) {
		pr_warn("cannot list this host's addresses (%s): HTTP is counted "
			"as server side\n", strerror(errno));
		return;
	}
	for (i = ifa; i && v->n_local < API_MAX_LOCAL; i = i->ifa_next) {
		int f = i->ifa_addr ? i->ifa_addr->sa_family : AF_UNSPEC;

		if (f != AF_INET && f != AF_INET6)
			continue;
		v->local[v->n_local].v6 = f == AF_INET6;
		if (f == AF_INET)
			memcpy(v->local[v->n_local].addr,
			       &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
		else
			memcpy(v->local[v->n_local].addr,
			       &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
		v->n_local++;
	}
	freeifaddrs(ifa);
}

static bool is_local(const struct api_view *v, bool v6, const __u8 *addr)
{
	for (int i = 0; i < v->n_local; i++)
		if (v->local[i].v6 == v6 && !memcmp(v->local[i].addr, addr, v6 ? 16 : 4))
			return true;
	return false;
}

/* Live, the side whose address is this host's; a capture (or a host
 * that is neither end: a router, a mirror port) sees the server's side. */
static void sides(const struct api_view *v, const struct http_txn *t,
		  struct api_result *r)
{
	const struct http_endpoints *ep = t->ep;

	r->client_side = v->live && is_local(v, ep->v6, ep->addr[t->client]);
	r->server_side = !r->client_side || is_local(v, ep->v6, ep->addr[!t->client]);
}

/* ---- rows ------------------------------------------------------------ */

static size_t slot_hash(const void *key, enum api_method m, size_t n)
{
	uint64_t h = ((uint64_t)(uintptr_t)key ^ (uint64_t)m << 56) * 0x9e3779b97f4a7c15ULL;

	return (h >> 32) & (n - 1);
}

static int row_new(struct api_view *v, const void *key, enum api_method m,
		   const char *route, const char *source, const char *op_id)
{
	struct api_row *row = &v->rows[v->n_rows];

	*row = (struct api_row){ .key = key, .method = m, .source = source,
				 .operation_id = op_id };
	if (!(row->route = strdup(route)))
		return -1;
	return (int)v->n_rows++;
}

/* The row of (key, method), made when there is room; past max_rows (or
 * with no key: a guess without a node), the method's overflow row. */
static int row_of(struct api_view *v, const void *key, enum api_method m,
		  const char *route, const char *source, const char *op_id)
{
	size_t i;

	if (!key)
		goto overflow;
	for (i = slot_hash(key, m, v->n_slots); v->slots[i];
	     i = (i + 1) & (v->n_slots - 1)) {
		struct api_row *row = &v->rows[v->slots[i] - 1];

		if (row->key == key && row->method == m)
			return v->slots[i] - 1;
	}
	if (v->n_rows < v->max_rows) {
		int r = row_new(v, key, m, route, source, op_id);

		if (r >= 0)
			v->slots[i] = r + 1;
		return r;
	}
overflow:
	if (v->overflow[m] < 0)
		v->overflow[m] = row_new(v, NULL, m, "_OTHER", "overflow", NULL);
	return v->overflow[m];
}

/* ---- classification ---------------------------------------------------- */

/* The operation for m on route: HEAD is answered wherever GET is
 * (RFC 9110 9.3.2), so a path item with get allows head. */
static const struct api_operation *operation_of(const struct api_route *route,
					       enum api_method m)
{
	if (m == API_METHOD_OTHER)
		return NULL;
	if (!route->ops[m] && m == API_HEAD)
		return route->ops[API_GET];
	return route->ops[m];
}

static bool by_spec(struct api_view *v, const struct http_txn *t,
		    enum api_method m, struct api_result *r)
{
	const struct api_route *route = route_table_match(v->spec, &v->path);
	const struct api_operation *op;
	unsigned status = t->resp.seen ? t->resp.msg.status : 0;

	if (!route) {
		r->drift = API_DRIFT_UNDOCUMENTED_PATH;
		return false;
	}
	r->rec.route = route->template;
	r->rec.source = "spec";
	op = operation_of(route, m);
	if (!op)
		r->drift = API_DRIFT_METHOD_NOT_ALLOWED;
	else if (status >= 100 && status <= 999 && !api_operation_declares(op, status))
		r->drift = API_DRIFT_UNDECLARED_STATUS;
	r->rec.operation_id = op ? op->operation_id : NULL;
	r->row = row_of(v, route, m, route->template, "spec", r->rec.operation_id);
	return true;
}

void api_classify(struct api_view *v, const struct http_txn *t,
		  struct api_result *r)
{
	const struct http_msg *req = &t->req.msg;
	enum api_method m = api_method_index(req->method);
	const void *key;

	*r = (struct api_result){ .row = -1, .method = api_method_name(m) };
	sides(v, t, r);
	if (!t->req.seen || !req->method || !req->path ||
	    !api_path_split(&v->path, req->path, strlen(req->path)))
		return;
	if (!v->spec || !by_spec(v, t, m, r)) {
		key = route_guess(v->guess, &v->path, &v->guessed);
		r->rec.route = v->guessed.data;
		r->rec.source = "heuristic";
		r->row = row_of(v, key, m, v->guessed.data, "heuristic", NULL);
	}
	r->rec.drift = api_drift_name(r->drift);
	r->metric_route = r->row >= 0 ? v->rows[r->row].route : r->rec.route;
}

void api_count(struct api_view *v, const struct http_txn *t,
	       const struct api_result *r)
{
	struct api_row *row;
	unsigned status = t->resp.seen ? t->resp.msg.status : 0;

	if (r->row < 0)
		return;
	row = &v->rows[r->row];
	row->requests++;
	row->req_bytes += t->req.body;
	row->drift[r->drift]++;
	if (!t->resp.seen || !status) {
		row->errors++; /* no answer is a failure to the client */
		return;
	}
	row->responses++;
	row->resp_bytes += t->resp.body;
	row->errors += status >= 500;
	row->client_errors += status >= 400 && status < 500;
	if (t->resp.end_ns < t->req.start_ns)
		return;
	if (!row->latency && !(row->latency = calloc(1, sizeof(*row->latency))))
		return; /* the percentiles miss it; the counts do not */
	latency_add(row->latency, t->resp.end_ns - t->req.start_ns);
}

bool api_view_reporting(const struct api_view *v)
{
	return v->cfg->report;
}

/* ---- life ------------------------------------------------------------ */

static int specs_load(struct api_view *v)
{
	char err[1024];
	int n;

	if (!v->cfg->n_specs)
		return 0;
	if (!(v->spec = route_table_new()))
		return -ENOMEM;
	for (int i = 0; i < v->cfg->n_specs; i++) {
		n = spec_load(v->spec, v->cfg->specs[i], err, sizeof(err));
		if (n < 0) {
			pr_warn("--openapi %s\n", err);
			return n;
		}
		pr_info("%s: %d operations\n", v->cfg->specs[i], n);
	}
	return 0;
}

int api_view_open(const struct api_config *cfg, bool live, struct api_view **out)
{
	struct api_view *v = calloc(1, sizeof(*v));
	unsigned fold = cfg->fold_after ? cfg->fold_after : API_DEFAULT_FOLD_AFTER;
	int err;

	if (!v)
		return -ENOMEM;
	v->cfg = cfg;
	v->live = live;
	v->max_rows = cfg->max_routes ? cfg->max_routes : API_DEFAULT_MAX_ROUTES;
	for (v->n_slots = 16; v->n_slots < 2 * v->max_rows; v->n_slots *= 2)
		;
	for (int m = 0; m < API_METHODS; m++)
		v->overflow[m] = -1;
	v->rows = calloc(v->max_rows + API_METHODS, sizeof(*v->rows));
	v->slots = calloc(v->n_slots, sizeof(*v->slots));
	/* every row can hold a guessed route: a few nodes each */
	v->guess = route_guess_new(fold, 4 * v->max_rows + 64);
	if (!v->rows || !v->slots || !v->guess) {
		api_view_free(v);
		return -ENOMEM;
	}
	if ((err = specs_load(v))) {
		api_view_free(v);
		return err;
	}
	if (live)
		local_addrs_read(v);
	*out = v;
	return 0;
}

void api_view_free(struct api_view *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n_rows; i++) {
		free(v->rows[i].route);
		free(v->rows[i].latency);
	}
	free(v->rows);
	free(v->slots);
	free(v->order);
	route_guess_free(v->guess);
	route_table_free(v->spec);
	sb_free(&v->guessed);
	free(v);
}
