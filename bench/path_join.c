// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The cost of --paths per connection seen on two interfaces through
 * masquerade: what the pipeline adds for its two hop flows (the join,
 * its path record, the topology count) against, as the baseline, the
 * two flow records it writes anyway (record_flow()). Connections are
 * handed in with W waiting at once (their hops interleaved as two
 * interfaces give them), one every 100 us (10000 a second: more than
 * --path-max's default waits out the 2 s hold, so the oldest are handed
 * back early, as they would be), expired as time passes. Prints ns per
 * connection, the ratio, the join rate and the join state's memory per
 * waiting connection; the best of 5 rounds, baseline and join
 * alternately.
 * Usage: path_join [CONNECTIONS] [WAITING] (default 200000, 1000); no root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flow/flow.h"
#include "flow_update.h"
#include "path/path.h"
#include "path/path_record.h"
#include "path/topology.h"

#define ROUNDS 5
#define NS_PER_US 1000ULL

struct hop_flow {
	struct hdrlog_flow_key key;
	struct hdrlog_flow_value val;
};

static struct strbuf sb;
static struct topology *topo;
static unsigned long joined, paths;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Connection i at hop h (0: the client's side, 1: after masquerade). */
static void hop_of(struct hop_flow *f, unsigned i, int h)
{
	__u8 client[16] = { 198, 18, 170, 2 }, router[16] = { 198, 18, 171, 1 };
	__u8 server[16] = { 198, 18, 171, 2 };
	__u64 t0 = 1000000000ULL + i * 100 * NS_PER_US + h * 20000;

	memset(f, 0, sizeof(*f));
	f->key.family = 4;
	f->key.proto = 6;
	f->key.iface = h + 2;
	/* masquerade: the router's address, another port */
	f->val.orig_is_a = hdrlog_flow_key_fill(&f->key, h ? router : client, server,
						(__u16)(20000 + i % 40000 + h * 7), 8080);
	f->val.orig_known = 1;
	f->val.isn[0] = 0x9e3779b9u * i;
	f->val.isn[1] = 0x7f4a7c15u * i + 1;
	f->val.syn_ns = t0;
	f->val.synack_ns = t0 + 180000 - h * 40000;
	f->val.ack_ns = f->val.synack_ns + 20000;
	for (int d = 0; d < 2; d++) {
		f->val.dir[d].packets = 6 - 2 * d;
		f->val.dir[d].ip_bytes = 400 + 56 * d;
		f->val.dir[d].first_ns = d ? f->val.synack_ns : t0;
		f->val.dir[d].last_ns = t0 + 1400000;
		f->val.dir[d].seq_valid = 1;
		f->val.dir[d].tcp_flags = 0x1b;
		f->val.dir[d].state = HDRLOG_EP_CLOSED;
	}
	f->val.closed_by = HDRLOG_BY_ORIG | HDRLOG_BY_RESP;
	f->val.end_reason = HDRLOG_FLOW_END_FIN;
	memcpy(f->val.history, "ShADadFf", 8);
	f->val.history_len = 8;
}

static void flow_record_of(const struct hop_flow *f, struct flow_end *fe)
{
	flow_end_init(fe, &f->key, &f->val, HDRLOG_FLOW_END_FIN, 0);
	fe->ifname = f->key.iface == 2 ? "r0" : "r1";
}

static int on_path(void *ctx, const struct path_conn *c)
{
	(void)ctx;
	paths++;
	joined += c->n_hops > 1;
	sb_reset(&sb);
	record_path(&sb, RECORD_JSON, c);
	topology_add(topo, c);
	return 0;
}

static int on_edge(void *ctx, const struct topology_edge *e, __u64 since)
{
	(void)ctx;
	sb_reset(&sb);
	record_topology(&sb, RECORD_JSON, e, since, since + 1);
	return 0;
}

/* ns per connection: its two flow records, and with join the path too. */
static double run(unsigned n, unsigned waiting, bool join)
{
	struct path_opts o = { .max_pending = PATH_DEFAULT_MAX };
	struct path_engine *e = join ? path_engine_new(&o, on_path, NULL) : NULL;
	struct hop_flow f;
	struct flow_end fe;
	char cid[COMMUNITY_ID_LEN];
	double t0 = now();

	for (unsigned i = 0; i < n + waiting; i++) {
		/* hop 0 of connection i, hop 1 of the one `waiting` before */
		for (int h = 0; h < 2; h++) {
			unsigned c = h ? i - waiting : i;

			if ((h && i < waiting) || (!h && i >= n))
				continue;
			hop_of(&f, c, h);
			flow_record_of(&f, &fe);
			sb_reset(&sb);
			record_flow(&sb, RECORD_JSON, &fe);
			if (e) {
				struct path_flow pf = {
					.now_ns = f.val.dir[0].last_ns, .key = &f.key,
					.val = &f.val, .conn_state = fe.conn_state,
					.ifname = fe.ifname, .community_id = cid,
				};

				flow_community_id(&fe, cid);
				path_engine_flow(e, &pf);
				path_engine_expire(e, f.val.dir[0].last_ns);
			}
		}
	}
	if (e) {
		path_engine_finish(e);
		topology_take(topo, 1, on_edge, NULL);
		path_engine_free(e);
	}
	return (now() - t0) * 1e9 / n;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 200000;
	unsigned waiting = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 1000;
	double base = 1e30, join = 1e30, t;

	if (!n || !waiting || !(topo = topology_new()))
		return 1;
	for (int r = 0; r < ROUNDS; r++) {
		if ((t = run(n, waiting, false)) < base)
			base = t;
		paths = joined = 0;
		if ((t = run(n, waiting, true)) < join)
			join = t;
	}
	printf("two flow records per connection (baseline): %.0f ns\n", base);
	printf("with --paths (join, path record, topology): %.0f ns, ratio %.2f; "
	       "per joined connection %.0f ns more\n", join, join / base, join - base);
	printf("joined %lu of %lu paths (%u connections, the second hop %u "
	       "connections after the first)\n", joined, paths, n, waiting);
	printf("join state: %zu bytes per waiting connection + %zu per hop, "
	       "%zu per HTTP side entry; --path-max 16384: %.1f MiB with two "
	       "hops each, %.1f MiB with 8, + %.1f MiB of HTTP entries; the "
	       "graph %zu bytes per edge, %.1f MiB for %d edges\n",
	       path_wait_bytes(), sizeof(struct path_hop), path_txn_entry_bytes(),
	       16384.0 * (path_wait_bytes() + 2 * sizeof(struct path_hop)) / (1 << 20),
	       16384.0 * (path_wait_bytes() + 8 * sizeof(struct path_hop)) / (1 << 20),
	       16384.0 * path_txn_entry_bytes() / (1 << 20),
	       sizeof(struct topology_edge),
	       (double)TOPOLOGY_MAX_EDGES * sizeof(struct topology_edge) / (1 << 20),
	       TOPOLOGY_MAX_EDGES);
	sb_free(&sb);
	topology_free(topo);
	return joined == paths && paths == n ? 0 : 1;
}
