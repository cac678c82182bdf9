// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/json.h"
#include "flow/syn_watch.h"

/* Destinations tracked at once: open addressing, linear probing. A flood
 * from many sources at few destinations fits; more are counted in
 * overflow, never silently dropped. */
#define DESTS 4096

struct dest {
	__u8 used;
	__u8 family;
	__u8 addr[16];
	__u16 port;
	__u32 count;	   /* this sweep */
	__u64 reported_ns; /* last anomaly record, on the flows' clock */
};

struct syn_watch {
	struct syn_watch_opts opts;
	struct dest d[DESTS];
	__u64 unanswered, anomalies, overflow;
};

struct syn_watch *syn_watch_new(const struct syn_watch_opts *opts)
{
	struct syn_watch *w = calloc(1, sizeof(*w));

	if (w)
		w->opts = *opts;
	return w;
}

void syn_watch_begin(struct syn_watch *w)
{
	for (int i = 0; i < DESTS; i++)
		w->d[i].count = 0;
	w->unanswered = 0;
}

static struct dest *find(struct syn_watch *w, __u8 family, const __u8 *addr,
			 __u16 port)
{
	__u32 h = 2166136261u;

	for (int i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 16777619u;
	h = (h ^ port) * 16777619u;
	for (int n = 0; n < DESTS; n++) {
		struct dest *d = &w->d[(h + n) % DESTS];

		if (!d->used) {
			d->used = 1;
			d->family = family;
			memcpy(d->addr, addr, 16);
			d->port = port;
			return d;
		}
		if (d->family == family && d->port == port &&
		    !memcmp(d->addr, addr, 16))
			return d;
	}
	return NULL;
}

void syn_watch_flow(struct syn_watch *w, const struct hdrlog_flow_key *k,
		    const struct hdrlog_flow_value *v, __u64 now_ns)
{
	struct dest *d;

	/* a SYN nothing came back for: no SYN-ACK, no RST, nothing */
	if (k->proto != 6 || !v->syn_ns || v->dir[1].packets ||
	    v->syn_ns + w->opts.grace_ns > now_ns ||
	    v->syn_ns + w->opts.window_ns < now_ns)
		return;
	w->unanswered++;
	d = find(w, k->family, v->orig_is_a ? k->addr_b : k->addr_a,
		 v->orig_is_a ? k->port_b : k->port_a);
	if (!d) {
		w->overflow++;
		return;
	}
	d->count++;
}

int syn_watch_end(struct syn_watch *w, __u64 now_ns, __u64 epoch_ns,
		  syn_anomaly_fn fn, void *ctx)
{
	struct dest *old = malloc(sizeof(w->d));
	int err = 0;

	if (!old)
		return 0; /* the next sweep tries again */
	memcpy(old, w->d, sizeof(w->d));
	memset(w->d, 0, sizeof(w->d));
	/* rebuilt: destinations with no count and no recent report go */
	for (int i = 0; i < DESTS; i++) {
		struct dest *o = &old[i], *d;

		if (!o->used || (!o->count &&
				 o->reported_ns + w->opts.window_ns < now_ns))
			continue;
		d = find(w, o->family, o->addr, o->port);
		*d = *o;
		if (err || d->count <= w->opts.threshold ||
		    (d->reported_ns && d->reported_ns + w->opts.window_ns > now_ns))
			continue;
		struct syn_anomaly a = {
			.family = d->family, .port = d->port,
			.unanswered = d->count, .epoch_ns = epoch_ns,
			.opts = &w->opts,
		};
		memcpy(a.addr, d->addr, 16);
		d->reported_ns = now_ns;
		w->anomalies++;
		err = fn(ctx, &a);
	}
	free(old);
	return err;
}

__u64 syn_watch_unanswered(const struct syn_watch *w)
{
	return w ? w->unanswered : 0;
}

__u64 syn_watch_anomalies(const struct syn_watch *w)
{
	return w ? w->anomalies : 0;
}

__u64 syn_watch_overflow(const struct syn_watch *w)
{
	return w ? w->overflow : 0;
}

void syn_watch_free(struct syn_watch *w)
{
	free(w);
}

void record_syn_anomaly(struct strbuf *sb, enum record_format fmt,
			const struct syn_anomaly *a)
{
	char addr[INET6_ADDRSTRLEN];
	struct json j;

	inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->addr, addr,
		  sizeof(addr));
	if (fmt == RECORD_TEXT) {
		char ts[RECORD_TIME_LEN];

		record_format_time(ts, a->epoch_ns);
		sb_printf(sb, "%s anomaly syn_flood %s.%u %u unanswered SYNs in %llu s\n",
			  ts, addr, a->port, a->unanswered,
			  (unsigned long long)(a->opts->window_ns / 1000000000ULL));
		return;
	}
	json_begin(&j, sb);
	json_timestamp(&j, "timestamp", a->epoch_ns);
	json_str(&j, "hdrlog.record", "anomaly");
	json_str(&j, "hdrlog.anomaly.kind", "syn_flood");
	json_str(&j, "network.type", a->family == 6 ? "ipv6" : "ipv4");
	json_str(&j, "destination.address", addr);
	json_u64(&j, "destination.port", a->port);
	json_u64(&j, "hdrlog.anomaly.unanswered_syns", a->unanswered);
	json_u64(&j, "hdrlog.anomaly.window_s", a->opts->window_ns / 1000000000ULL);
	json_u64(&j, "hdrlog.anomaly.threshold", a->opts->threshold);
	json_end(&j);
	sb_putc(sb, '\n');
}
