// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture/live.h"
#include "util/log.h"
#include "metrics/metrics.h"

#define POLL_MS 100 /* at most this late for events below a wakeup batch */
#define WAKEUP_FRACTION 16 /* wake up when 1/16 of the ring buffer is used */
#define IFACE_CHECK_NS 1000000000ULL
#define CANCELLED (-ECANCELED) /* from the event callback: stop reading */
#define FLOW_SWEEP_NS 1000000000ULL /* look for idle flows once a second */
/* Timeline events waiting for their flow event: the kernel sends them
 * back to back, but other CPUs' events may come in between. */
#define PENDING_TIMELINES 64

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t dump_stats;
static volatile sig_atomic_t reopen_output;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void on_usr1(int sig)
{
	(void)sig;
	dump_stats = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	reopen_output = 1;
}

struct iface {
	int ifindex;
	char name[IF_NAMESIZE];
};

struct live {
	const struct live_opts *opts;
	struct output *out;
	struct counters *c;
	struct loader *loader;
	struct filter_maps filter_maps;
	struct iface ifaces[LIVE_MAX_IFACES];
	int n_ifaces;
	int ncpu;
	__u64 *next_seq; /* per CPU: the sequence number expected next */
	__u64 boot_to_epoch_ns;
	__u64 packets; /* packet events read (-c counts these) */
	__u64 prev_sweep_ns; /* CLOCK_BOOTTIME of the last periodic sweep */
	struct hdrlog_timeline_event pending[PENDING_TIMELINES];
	bool pending_used[PENDING_TIMELINES];
	unsigned int pending_next; /* the slot overwritten next when full */
	int out_err;
};

static __u64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static const char *iface_name(const struct live *lv, __u32 ifindex)
{
	for (int i = 0; i < lv->n_ifaces; i++)
		if (lv->ifaces[i].ifindex == (int)ifindex)
			return lv->ifaces[i].name;
	return NULL;
}

static void track_sequence(struct live *lv, __u32 cpu, __u64 seq)
{
	if (cpu >= (__u32)lv->ncpu)
		return;
	if (seq > lv->next_seq[cpu])
		lv->c->seq_missing += seq - lv->next_seq[cpu];
	lv->next_seq[cpu] = seq + 1;
}

/* A payload event goes to the HTTP engine, which logs transactions. */
static void on_payload(struct live *lv, const struct hdrlog_payload_event *ev,
		       size_t size)
{
	__u32 caplen = ev->caplen;

	track_sequence(lv, ev->cpu, ev->seq);
	lv->c->received++;
	if (!lv->opts->http)
		return;
	if (caplen > size - sizeof(*ev))
		caplen = size - sizeof(*ev);
	if (!caplen && ev->uncopied)
		http_engine_body_end(lv->opts->http, &ev->h, ev->uncopied,
				     ev->ts_ns + lv->boot_to_epoch_ns);
	else
		http_engine_packet(lv->opts->http, &ev->h, ev->data, caplen,
				   ev->ts_ns + lv->boot_to_epoch_ns);
}

static int write_flow_tl(struct live *lv, const struct hdrlog_flow_key *k,
			 const struct hdrlog_flow_value *v, __u8 reason,
			 const struct hdrlog_timeline *tl)
{
	struct flow_end fe;

	flow_end_init(&fe, k, v, reason, lv->boot_to_epoch_ns);
	fe.timeline = tl;
	flow_end_http(&fe, lv->opts->http);
	counters_add_flow_http(lv->c, &v->http);
	lv->c->flow_records++;
	flow_end_metrics(&fe);
	record_flow(&lv->out->line, lv->out->fmt, &fe);
	lv->out_err = output_emit(lv->out, "flow", iface_name(lv, v->ifindex));
	if (lv->out_err)
		lv->c->output_errors++;
	return lv->out_err;
}

static int write_flow(struct live *lv, const struct hdrlog_flow_key *k,
		      const struct hdrlog_flow_value *v, __u8 reason)
{
	struct hdrlog_timeline tl;

	int fd, err;

	/* --timeline, a flow the agent ends: its timeline is in the table
	 * (and stays there for an interim record) */
	if (lv->opts->flow.timeline) {
		fd = loader_timelines_fd(lv->loader);
		err = reason == HDRLOG_FLOW_END_ACTIVE
			      ? bpf_map_lookup_elem(fd, k, &tl)
			      : bpf_map_lookup_and_delete_elem(fd, k, &tl);
		if (!err)
			return write_flow_tl(lv, k, v, reason, &tl);
	}
	return write_flow_tl(lv, k, v, reason, NULL);
}

static __u64 flow_last_ns(const struct hdrlog_flow_value *v)
{
	return v->dir[0].last_ns > v->dir[1].last_ns ? v->dir[0].last_ns
						     : v->dir[1].last_ns;
}

static int write_anomaly(void *ctx, const struct syn_anomaly *a)
{
	struct live *lv = ctx;

	record_syn_anomaly(&lv->out->line, lv->out->fmt, a);
	lv->out_err = output_emit(lv->out, "anomaly", NULL);
	if (lv->out_err)
		lv->c->output_errors++;
	return lv->out_err;
}

/* An active-timeout record of a flow that goes on, under --only-failed
 * only for a connection failing so far. */
static int write_interim(struct live *lv, const struct hdrlog_flow_key *k,
			 const struct hdrlog_flow_value *v)
{
	struct flow_end fe;

	flow_end_init(&fe, k, v, HDRLOG_FLOW_END_ACTIVE, 0);
	if (!flow_selected(&lv->opts->flow, &fe))
		return 0;
	return write_flow(lv, k, v, HDRLOG_FLOW_END_ACTIVE);
}

/* The record of a flow the agent ends (idle, handshake timeout, exit),
 * unless --only-failed leaves it out (counted). */
static int write_ended(struct live *lv, const struct hdrlog_flow_key *k,
		       const struct hdrlog_flow_value *v, __u8 reason)
{
	struct flow_end fe;

	flow_end_init(&fe, k, v, reason, 0);
	if (!flow_selected(&lv->opts->flow, &fe)) {
		lv->c->flows_suppressed++;
		return 0;
	}
	return write_flow(lv, k, v, reason);
}

/* Ends a TCP attempt whose SYN went unanswered for the handshake
 * timeout: marked ended in the kernel's table, where it stays, so the
 * SYN's retransmissions count as late packets, not as new attempts. The
 * write replaces the whole value: a packet of this flow accounted by the
 * kernel between the read and the write (a SYN retransmission) is lost
 * from the late-packet count in the table, not from the kernel's packet
 * counters. */
static int end_attempt(struct live *lv, int fd, const struct hdrlog_flow_key *k,
		       struct hdrlog_flow_value *v)
{
	v->end_reason = HDRLOG_FLOW_END_ATTEMPT;
	if (bpf_map_update_elem(fd, k, v, BPF_EXIST))
		return 0; /* gone meanwhile: evicted or swept */
	return write_ended(lv, k, v, HDRLOG_FLOW_END_ATTEMPT);
}

/* Removes the flows idle since before cutoff (every flow with ~0) from
 * the kernel's table; those that had not ended get their record now. */
static int sweep_flows(struct live *lv, __u64 cutoff, __u8 reason,
		       struct syn_watch *syns, __u64 now)
{
	int fd = loader_flows_fd(lv->loader), err = 0;
	struct hdrlog_flow_key key, next, *keys = NULL;
	struct hdrlog_flow_value val;
	size_t n = 0, cap = 0;
	void *prev = NULL;

	if (syns)
		syn_watch_begin(syns);
	/* keys first: deleting while walking restarts the walk */
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (bpf_map_lookup_elem(fd, &next, &val)) {
			/* evicted meanwhile */
		} else if (flow_last_ns(&val) >= cutoff) {
			if (syns)
				syn_watch_flow(syns, &next, &val, now);
			if (now && !err &&
			    flow_attempt_over(&lv->opts->flow, &next, &val, now))
				err = end_attempt(lv, fd, &next, &val);
			if (now && !err &&
			    flow_interim_due(&val, lv->opts->flow.active_ns,
					     lv->prev_sweep_ns, now))
				err = write_interim(lv, &next, &val);
		} else {
			if (n == cap) {
				void *m = realloc(keys, (cap = cap ? cap * 2 : 256) *
							    sizeof(*keys));
				if (!m)
					break;
				keys = m;
			}
			keys[n++] = next;
		}
		key = next;
		prev = &key;
	}
	for (size_t i = 0; i < n; i++) {
		if (bpf_map_lookup_and_delete_elem(fd, &keys[i], &val))
			continue; /* evicted meanwhile: counted as such */
		lv->c->flows_deleted++;
		if (val.end_reason || err)
			continue;
		err = write_ended(lv, &keys[i], &val, reason);
	}
	free(keys);
	if (now)
		lv->prev_sweep_ns = now;
	if (syns && !err) {
		err = syn_watch_end(syns, now, now + lv->boot_to_epoch_ns,
				    write_anomaly, lv);
		lv->c->syn_unanswered = syn_watch_unanswered(syns);
		lv->c->syn_anomalies = syn_watch_anomalies(syns);
		lv->c->syn_overflow = syn_watch_overflow(syns);
	}
	return err;
}

static int on_flow_event(struct live *lv, const void *data, size_t size)
{
	const struct hdrlog_flow_event *fe = data;

	if (size < sizeof(*fe))
		return 0;
	for (int i = 0; i < PENDING_TIMELINES; i++) {
		if (lv->pending_used[i] &&
		    !memcmp(&lv->pending[i].key, &fe->key, sizeof(fe->key))) {
			lv->pending_used[i] = false;
			return write_flow_tl(lv, &fe->key, &fe->val, fe->reason,
					     &lv->pending[i].tl);
		}
	}
	return write_flow_tl(lv, &fe->key, &fe->val, fe->reason, NULL);
}

static void on_timeline_event(struct live *lv, const void *data, size_t size)
{
	unsigned int i;

	if (size < sizeof(struct hdrlog_timeline_event))
		return;
	for (i = 0; i < PENDING_TIMELINES && lv->pending_used[i]; i++)
		;
	if (i == PENDING_TIMELINES) /* full: the oldest goes (its flow
				     * record, if it ever comes, has none) */
		i = lv->pending_next++ % PENDING_TIMELINES;
	memcpy(&lv->pending[i], data, sizeof(lv->pending[i]));
	lv->pending_used[i] = true;
}


static int on_event(void *ctx, void *data, size_t size)
{
	const struct hdrlog_packet_event *ev = data;
	struct live *lv = ctx;
	struct record_meta meta;

	if (size >= 1 && ev->kind == HDRLOG_EV_FLOW)
		return on_flow_event(lv, data, size);
	if (size >= sizeof(struct hdrlog_payload_event) &&
	    ev->kind == HDRLOG_EV_PAYLOAD) {
		on_payload(lv, data, size);
		return 0;
	}
	if (size >= 1 && ev->kind == HDRLOG_EV_TIMELINE) {
		on_timeline_event(lv, data, size);
		return 0;
	}
	if (size < sizeof(*ev) || ev->kind != HDRLOG_EV_PACKET)
		return 0;
	track_sequence(lv, ev->cpu, ev->seq);
	lv->c->received++;
	lv->packets++;
	meta = (struct record_meta){
		.epoch_ns = ev->ts_ns + lv->boot_to_epoch_ns,
		.ifname = iface_name(lv, ev->ifindex),
	};
	metrics_packet(ev, meta.ifname);
	record_packet(&lv->out->line, lv->out->fmt, ev, &meta);
	lv->out_err = output_emit(lv->out, "packet", meta.ifname);
	if (lv->out_err) {
		lv->c->output_errors++;
		return lv->out_err;
	}
	if (lv->opts->max_count && lv->packets >= lv->opts->max_count)
		return CANCELLED;
	return 0;
}

/* Sums the per-CPU counters; tried_per_cpu (ncpu entries) gets the
 * sequence high-water marks. */
static int read_kernel_counters(struct live *lv, __u64 *tried_per_cpu)
{
	__u64 *vals = calloc(lv->ncpu, sizeof(*vals));
	int fd = loader_stats_fd(lv->loader), err = 0;

	if (!vals)
		return -ENOMEM;
	for (__u32 k = 0; k < HDRLOG_STAT__MAX; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals)) {
			err = -errno;
			break;
		}
		lv->c->kernel[k] = 0;
		for (int cpu = 0; cpu < lv->ncpu; cpu++) {
			lv->c->kernel[k] += vals[cpu];
			if (k == HDRLOG_STAT_EVENTS_TRIED && tried_per_cpu)
				tried_per_cpu[cpu] = vals[cpu];
		}
	}
	free(vals);
	return err;
}

static void write_stats(struct live *lv)
{
	read_kernel_counters(lv, NULL);
	lv->c->output_errors = lv->out->errors;
	lv->c->rotate_errors = lv->out->rotate_errors;
	output_report(lv->out, lv->c);
	counters_record(&lv->out->line, lv->out->fmt, lv->c,
			clock_ns(CLOCK_REALTIME));
	output_emit(lv->out, "stats", NULL);
	output_sync(lv->out);
}

static int resolve_ifaces(struct live *lv)
{
	char path[64 + IF_NAMESIZE];
	unsigned int type;
	FILE *fp;

	for (int i = 0; i < lv->opts->n_ifaces; i++) {
		struct iface *f = &lv->ifaces[lv->n_ifaces];
		const char *name = lv->opts->ifaces[i];

		f->ifindex = if_nametoindex(name);
		if (!f->ifindex) {
			pr_warn("no interface named '%s'\n", name);
			return -ENODEV;
		}
		snprintf(f->name, sizeof(f->name), "%s", name);
		metrics_add_interface(f->name);
		/* The programs parse from an Ethernet header; loopback has one. */
		snprintf(path, sizeof(path), "/sys/class/net/%s/type", name);
		fp = fopen(path, "r");
		if (fp && fscanf(fp, "%u", &type) == 1 && type != 1 && type != 772) {
			fclose(fp);
			pr_warn("%s is not an Ethernet interface (ARPHRD %u)\n",
				name, type);
			return -EPROTONOSUPPORT;
		}
		if (fp)
			fclose(fp);
		lv->n_ifaces++;
	}
	return 0;
}

static int attach_all(struct live *lv)
{
	const struct live_opts *o = lv->opts;
	bool native;
	int err;

	for (int i = 0; i < lv->n_ifaces; i++) {
		int ifindex = lv->ifaces[i].ifindex;

		if (o->ingress && o->xdp)
			err = loader_attach_xdp(lv->loader, ifindex, &native);
		else if (o->ingress)
			err = loader_attach_tc(lv->loader, ifindex,
					       HDRLOG_DIR_INGRESS, o->tc_mode);
		else
			err = 0;
		if (!err && o->egress)
			err = loader_attach_tc(lv->loader, ifindex,
					       HDRLOG_DIR_EGRESS, o->tc_mode);
		if (err)
			return err;
		if (o->xdp && o->ingress)
			pr_warn("listening on %s: XDP ingress (%s)%s\n",
				lv->ifaces[i].name, native ? "native" : "generic",
				o->egress ? ", tc egress" : "");
		else
			pr_warn("listening on %s: tc%s%s\n", lv->ifaces[i].name,
				o->ingress ? " ingress" : "",
				o->egress ? " egress" : "");
	}
	return 0;
}

/* An interface deleted under us takes our attachment with it. */
static const char *vanished_iface(const struct live *lv)
{
	char name[IF_NAMESIZE];

	for (int i = 0; i < lv->n_ifaces; i++)
		if (!if_indextoname(lv->ifaces[i].ifindex, name))
			return lv->ifaces[i].name;
	return NULL;
}

static void install_signals(void)
{
	struct sigaction sa = { 0 };

	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
}

/* Loader options from the selection: the programs take the filter path
 * only when there is something to select. */
static void select_load_opts(const struct selection *sel,
			     struct loader_opts *load)
{
	load->filter = sel->filter != NULL;
	load->sample = sel->sample;
	load->sample_flow = sel->sample_flow;
	if (getrandom(&load->sample_seed, sizeof(load->sample_seed), 0) < 0)
		load->sample_seed = (__u32)clock_ns(CLOCK_MONOTONIC);
}

static int install_filter(struct live *lv)
{
	int err = loader_filter_maps(lv->loader, &lv->filter_maps);

	if (err) {
		pr_warn("cannot set up the filter maps: %s\n", strerror(-err));
		return err;
	}
	return filter_maps_install(&lv->filter_maps, lv->opts->sel->filter);
}

/* SIGHUP: a new filter from the file, swapped in whole; the ring buffer
 * is not touched, so no event is lost. */
static void reload_filter(struct live *lv)
{
	struct selection *sel = lv->opts->sel;

	if (!sel->filter_file || select_reload(sel))
		return;
	if (!filter_maps_install(&lv->filter_maps, sel->filter))
		pr_warn("filter reloaded from %s\n", sel->filter_file);
}

/* Returns the exit code. */
static int poll_loop(struct live *lv, struct ring_buffer *rb,
		     struct syn_watch *syns)
{
	__u64 now, next_check = 0, next_stats = 0, next_sweep = 0;
	__u64 interval = lv->opts->stats_interval * 1000000000ULL;
	const char *gone;
	int err;

	if (interval)
		next_stats = clock_ns(CLOCK_MONOTONIC) + interval;
	while (!stop_signal) {
		err = ring_buffer__poll(rb, POLL_MS);
		/* the kernel wakes us only for a full batch: read the rest */
		if (err >= 0)
			err = ring_buffer__consume(rb);
		if (err == CANCELLED)
			return 0;
		if (err < 0 && err != -EINTR) {
			if (lv->out_err)
				return lv->out_err == -EPIPE ? 0 : 1;
			pr_warn("reading the ring buffer failed: %s\n", strerror(-err));
			return 1;
		}
		if (lv->opts->http)
			http_engine_expire(lv->opts->http, clock_ns(CLOCK_REALTIME));
		output_sync(lv->out);
		output_tick(lv->out);
		metrics_agent_update(lv->c);
		now = clock_ns(CLOCK_MONOTONIC);
		if (dump_stats || (interval && now >= next_stats)) {
			dump_stats = 0;
			write_stats(lv);
			next_stats = now + interval;
		}
		if (lv->opts->flows && now >= next_sweep) {
			__u64 boot = clock_ns(CLOCK_BOOTTIME);

			next_sweep = now + FLOW_SWEEP_NS;
			if (sweep_flows(lv, boot > lv->opts->flow.idle_ns ?
						    boot - lv->opts->flow.idle_ns : 0,
					HDRLOG_FLOW_END_IDLE, syns, boot))
				return lv->out_err == -EPIPE ? 0 : 1;
		}
		if (reopen_output) {
			reopen_output = 0;
			output_reopen(lv->out);
			reload_filter(lv);
		}
		if (now >= next_check) {
			next_check = now + IFACE_CHECK_NS;
			gone = vanished_iface(lv);
			if (gone) {
				pr_warn("interface %s disappeared; stopping\n", gone);
				return 1;
			}
		}
	}
	return 0;
}

/* After detaching: read what is left, then settle the loss accounts. */
static void drain_and_count(struct live *lv, struct ring_buffer *rb,
			    bool drain)
{
	__u64 *tried = calloc(lv->ncpu, sizeof(*tried));

	if (drain)
		ring_buffer__consume(rb);
	if (!tried || read_kernel_counters(lv, tried)) {
		pr_warn("cannot read the kernel counters\n");
		free(tried);
		return;
	}
	/* Losses after a CPU's last event leave no gap: count them too. */
	for (int cpu = 0; drain && cpu < lv->ncpu; cpu++)
		if (tried[cpu] > lv->next_seq[cpu])
			lv->c->seq_missing += tried[cpu] - lv->next_seq[cpu];
	if (drain && lv->c->seq_missing != lv->c->kernel[HDRLOG_STAT_RINGBUF_FULL])
		pr_warn("loss counters disagree: %llu sequence gaps, %llu ring "
			"buffer drops\n", (unsigned long long)lv->c->seq_missing,
			(unsigned long long)lv->c->kernel[HDRLOG_STAT_RINGBUF_FULL]);
	lv->c->output_errors = lv->out->errors;
	free(tried);
}

int live_run(const struct live_opts *opts, struct output *out,
	     struct counters *c)
{
	struct live lv = {
		.opts = opts, .out = out, .c = c,
		.filter_maps = { .barrier_fd = -1, .inner_fd = -1 },
	};
	struct ring_buffer *rb = NULL;
	struct syn_watch *syns = NULL;
	struct loader_opts load;
	int err, code = 1;

	c->live = 1;
	err = resolve_ifaces(&lv);
	if (err)
		return 2;
	lv.ncpu = libbpf_num_possible_cpus();
	if (lv.ncpu <= 0) {
		pr_warn("cannot count CPUs: %s\n", strerror(-lv.ncpu));
		return 1;
	}
	lv.next_seq = calloc(lv.ncpu, sizeof(*lv.next_seq));
	if (!lv.next_seq)
		return 1;
	lv.boot_to_epoch_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);

	install_signals();
	load = opts->load;
	load.wakeup_bytes = load.ringbuf_bytes / WAKEUP_FRACTION;
	select_load_opts(opts->sel, &load);
	c->filtered = load.filter;
	c->sampled = load.sample > 1;
	err = loader_open(&lv.loader, &load);
	if (!err && load.filter)
		err = install_filter(&lv);
	if (err)
		goto cleanup;
	metrics_kernel_source(loader_stats_fd(lv.loader), lv.ncpu);
	rb = ring_buffer__new(loader_events_fd(lv.loader), on_event, &lv, NULL);
	if (!rb) {
		pr_warn("cannot open the ring buffer: %s\n", strerror(errno));
		goto cleanup;
	}
	err = attach_all(&lv);
	if (err)
		goto cleanup;
	c->started = 1;

	if (opts->flows && opts->flow.syn.threshold) {
		syns = syn_watch_new(&opts->flow.syn);
		if (!syns) {
			pr_warn("out of memory\n");
			goto cleanup;
		}
	}
	code = poll_loop(&lv, rb, syns);
	loader_detach_all(lv.loader);
	drain_and_count(&lv, rb, !lv.out_err && !(opts->max_count &&
						  lv.packets >= opts->max_count));
	if (opts->flows) {
		/* what is still in the table ends with the run */
		c->flows = 1;
		if (!lv.out_err &&
		    sweep_flows(&lv, ~0ULL, HDRLOG_FLOW_END_SWEEP, NULL, 0) &&
		    code == 0 && lv.out_err != -EPIPE)
			code = 1;
		read_kernel_counters(&lv, NULL);
		c->output_errors = out->errors;
	}
	output_sync(out);
	metrics_agent_update(c);
cleanup:
	metrics_kernel_source(-1, 0);
	ring_buffer__free(rb);
	filter_maps_close(&lv.filter_maps);
	syn_watch_free(syns);
	loader_close(lv.loader);
	free(lv.next_seq);
	return code;
}
