// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>

#include "flow/flow_age.h"
#include "flow_update.h"

#define SWEEP_EVERY_NS 1000000000ULL /* look for flows to end once a second */

struct flow_ager {
	const struct flow_opts *opts;
	struct flow_store *store;
	__u64 epoch_off;
	flow_end_fn ended;
	syn_anomaly_fn anomaly;
	void *ctx;
	struct syn_watch *syns; /* NULL: not watched */
	const struct flow_watch *watch; /* NULL: nobody sees the live flows */
	__u64 last_sweep;	/* the table's clock at the last sweep */
	__u64 removed;
	/* during a sweep */
	__u64 now, cutoff;
	struct hdrlog_flow_key *idle; /* flows to remove after the walk */
	size_t n_idle, cap_idle;
};

struct flow_ager *flow_ager_new(const struct flow_opts *opts,
				struct flow_store *store, __u64 epoch_off,
				flow_end_fn ended, syn_anomaly_fn anomaly,
				void *ctx)
{
	struct flow_ager *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	*a = (struct flow_ager){
		.opts = opts, .store = store, .epoch_off = epoch_off,
		.ended = ended, .anomaly = anomaly, .ctx = ctx,
	};
	if (opts->syn.threshold && !(a->syns = syn_watch_new(&opts->syn))) {
		free(a);
		return NULL;
	}
	return a;
}

static __u64 last_seen(const struct hdrlog_flow_value *v)
{
	return v->dir[0].last_ns > v->dir[1].last_ns ? v->dir[0].last_ns
						     : v->dir[1].last_ns;
}

/* Whether the sweep at now, the one before at prev, passed an active
 * timeout boundary of v (a multiple of active_ns after its first packet)
 * and v had packets in the period that ended there. Stateless, so that
 * the kernel's table needs no field for it. */
static bool interim_due(const struct hdrlog_flow_value *v, __u64 active_ns,
			__u64 prev, __u64 now)
{
	__u64 first = v->dir[0].first_ns, boundary;

	if (!first || (v->dir[1].first_ns && v->dir[1].first_ns < first))
		first = v->dir[1].first_ns;
	if (!active_ns || v->end_reason || !first || now < first + active_ns)
		return false;
	boundary = first + (now - first) / active_ns * active_ns;
	/* a flow silent for the whole period that just ended has no news */
	if (last_seen(v) <= boundary - active_ns)
		return false;
	return prev < boundary;
}

/* --timeline: the flow's timeline into *tl; with take it leaves the
 * table. Returns tl, or NULL when there is none. */
static const struct hdrlog_timeline *timeline(struct flow_ager *a,
					      const struct hdrlog_flow_key *k,
					      struct hdrlog_timeline *tl,
					      bool take)
{
	if (!a->opts->timeline || a->store->ops->timeline(a->store, k, tl, take))
		return NULL;
	return tl;
}

/* Hands flow k (value v) to the callback as ended for reason. */
static int end_flow(struct flow_ager *a, const struct hdrlog_flow_key *k,
		    const struct hdrlog_flow_value *v, __u8 reason,
		    const struct hdrlog_timeline *tl)
{
	struct flow_end fe;

	flow_end_init(&fe, k, v, reason, a->epoch_off);
	fe.timeline = tl;
	return a->ended(a->ctx, &fe);
}

static int keep_idle(struct flow_ager *a, const struct hdrlog_flow_key *k)
{
	if (a->n_idle == a->cap_idle) {
		size_t cap = a->cap_idle ? 2 * a->cap_idle : 256;
		void *m = realloc(a->idle, cap * sizeof(*a->idle));

		if (!m)
			return -ENOMEM;
		a->idle = m;
		a->cap_idle = cap;
	}
	a->idle[a->n_idle++] = *k;
	return 0;
}

/* Whether a closed connection waited out its close delay by now: its
 * record leaves with the last packets it got meanwhile (Zeek's
 * tcp_close_delay timer, from the close, not from the last packet). */
static bool close_due(const struct flow_ager *a, const struct hdrlog_flow_value *v)
{
	return hdrlog_flow_closing(v, a->opts->close_ns) &&
	       a->now >= v->end_ns + a->opts->close_ns;
}

/* Whether the sweep ends the flow: idle since before the cutoff, or
 * closed with its close delay passed. */
static bool due(const struct flow_ager *a, const struct hdrlog_flow_value *v)
{
	return last_seen(v) < a->cutoff || (a->now && close_due(a, v));
}

/* One flow of a periodic sweep: idle ones and closed ones whose close
 * delay passed are removed after the walk (removing during it would
 * restart the kernel's); the others may be an attempt that timed out, or
 * due an interim record. */
static int visit(void *ctx, const struct hdrlog_flow_key *k,
		 struct hdrlog_flow_value *v)
{
	struct flow_ager *a = ctx;
	const struct flow_opts *o = a->opts;
	struct hdrlog_timeline tl;

	if (due(a, v)) {
		keep_idle(a, k); /* out of memory: the next sweep tries again */
		return 0;
	}
	if (!a->now)
		return 0;
	if (a->syns)
		syn_watch_flow(a->syns, k, v, a->now);
	/* ended, but kept: the SYN's retransmissions are late packets, not
	 * new attempts */
	if (hdrlog_flow_attempt_expired(v, k->proto, a->now, o->attempt_ns)) {
		v->end_reason = HDRLOG_FLOW_END_ATTEMPT;
		if (a->store->ops->update(a->store, k, v))
			return 0; /* gone meanwhile: evicted */
		return end_flow(a, k, v, HDRLOG_FLOW_END_ATTEMPT,
				timeline(a, k, &tl, true));
	}
	/* an interim record leaves the timeline for the final one */
	if (interim_due(v, o->active_ns, a->last_sweep, a->now)) {
		const struct hdrlog_timeline *tlp = timeline(a, k, &tl, false);
		int err = end_flow(a, k, v, HDRLOG_FLOW_END_ACTIVE, tlp);

		if (!err && a->watch)
			a->watch->flow(a->watch->ctx, k, v, tlp);
		return err;
	}
	if (a->watch)
		a->watch->flow(a->watch->ctx, k, v, timeline(a, k, &tl, false));
	return 0;
}

/* Removes the flows the walk found; those not ended yet end now for
 * reason, those in their close delay for the reason they closed. */
static int remove_idle(struct flow_ager *a, __u8 reason, int err)
{
	const struct hdrlog_timeline *tlp;
	struct hdrlog_flow_value v;
	struct hdrlog_timeline tl;

	for (size_t i = 0; i < a->n_idle; i++) {
		/* a SYN may have restarted it, or a packet woken it, since
		 * the walk saw it (a long walk, the kernel's table): then it
		 * stays, not ended as the connection it was */
		if (a->store->ops->get(a->store, &a->idle[i], &v) || !due(a, &v))
			continue;
		/* the timeline first: the table may keep it with the flow */
		tlp = timeline(a, &a->idle[i], &tl, true);
		if (a->store->ops->remove(a->store, &a->idle[i], &v))
			continue; /* evicted meanwhile: counted as such */
		a->removed++;
		if (err)
			continue;
		if (!v.end_reason)
			err = end_flow(a, &a->idle[i], &v, reason, tlp);
		else if (hdrlog_flow_closing(&v, a->opts->close_ns))
			err = end_flow(a, &a->idle[i], &v, v.end_reason, tlp);
	}
	a->n_idle = 0;
	return err;
}

/* Flows idle since before cutoff leave the table, ending with reason;
 * now (0 at the end of the run) is the time of a periodic sweep. */
static int sweep(struct flow_ager *a, __u64 cutoff, __u8 reason, __u64 now)
{
	int err;

	a->cutoff = cutoff;
	a->now = now;
	if (now && a->syns)
		syn_watch_begin(a->syns);
	if (now && a->watch)
		a->watch->begin(a->watch->ctx);
	err = a->store->ops->each(a->store, visit, a);
	if (now && a->watch)
		a->watch->end(a->watch->ctx);
	err = remove_idle(a, reason, err);
	if (now && a->syns && !err)
		err = syn_watch_end(a->syns, now, now + a->epoch_off, a->anomaly,
				    a->ctx);
	return err;
}

int flow_ager_tick(struct flow_ager *a, __u64 now)
{
	const __u64 idle = a->opts->idle_ns;
	int err;

	if (now - a->last_sweep < SWEEP_EVERY_NS)
		return 0;
	err = sweep(a, now > idle ? now - idle : 0, HDRLOG_FLOW_END_IDLE, now);
	a->last_sweep = now;
	return err;
}

int flow_ager_flush(struct flow_ager *a)
{
	return sweep(a, ~0ULL, HDRLOG_FLOW_END_SWEEP, 0);
}

void flow_ager_watch(struct flow_ager *a, const struct flow_watch *w)
{
	a->watch = w;
}

void flow_ager_stats(const struct flow_ager *a, struct flow_ager_stats *s)
{
	*s = (struct flow_ager_stats){
		.removed = a->removed,
		.syn_unanswered = a->syns ? syn_watch_unanswered(a->syns) : 0,
		.syn_anomalies = a->syns ? syn_watch_anomalies(a->syns) : 0,
		.syn_overflow = a->syns ? syn_watch_overflow(a->syns) : 0,
	};
}

void flow_ager_free(struct flow_ager *a)
{
	if (!a)
		return;
	syn_watch_free(a->syns);
	free(a->idle);
	free(a);
}
