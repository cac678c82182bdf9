// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture/live.h"
#include "capture/loader.h"
#include "flow/flow_store_kernel.h"
#include "metrics/metrics.h"
#include "pipeline/pipeline.h"
#include "util/log.h"

#define IFACE_CHECK_NS 1000000000ULL /* look for vanished interfaces */
#define ENOUGH (-ECANCELED) /* from the event callback: -c reached, stop */

struct iface {
	int ifindex;
	char name[IF_NAMESIZE];
};

struct live {
	struct source src; /* first: the ops get the rest from it */
	const struct config *cfg;
	struct selection *sel;
	struct loader *loader;
	struct filter_maps filter_maps;
	struct ring_buffer *rb;
	struct iface ifaces[CONFIG_MAX_IFACES];
	int n_ifaces;
	struct pipeline *p; /* the events' destination, during poll() */
	int event_err;	    /* the pipeline's error, from the callback */
	__u64 next_check;   /* CLOCK_MONOTONIC: the next interface check */
};

static struct live *of(struct source *s)
{
	return (struct live *)s;
}

static __u64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- the ring buffer ------------------------------------------------- */

static int on_event(void *ctx, void *data, size_t size)
{
	struct live *lv = ctx;
	int err = pipeline_event(lv->p, data, size, NULL);

	if (err) {
		lv->event_err = err;
		return err;
	}
	if (lv->cfg->max_count &&
	    pipeline_packet_records(lv->p) >= lv->cfg->max_count)
		return ENOUGH;
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

static int live_poll(struct source *s, struct pipeline *p, int timeout_ms)
{
	struct live *lv = of(s);
	const char *gone;
	int err;

	lv->p = p;
	err = ring_buffer__poll(lv->rb, timeout_ms);
	/* the kernel wakes us only for a full batch: read the rest */
	if (err >= 0)
		err = ring_buffer__consume(lv->rb);
	if (err == ENOUGH)
		return SOURCE_ENOUGH;
	if (lv->event_err)
		return lv->event_err;
	if (err < 0 && err != -EINTR) {
		pr_warn("reading the ring buffer failed: %s\n", strerror(-err));
		return err;
	}
	if (clock_ns(CLOCK_MONOTONIC) >= lv->next_check) {
		lv->next_check = clock_ns(CLOCK_MONOTONIC) + IFACE_CHECK_NS;
		if ((gone = vanished_iface(lv))) {
			pr_warn("interface %s disappeared; stopping\n", gone);
			return -ENODEV;
		}
	}
	return 0;
}

static int live_stop(struct source *s, struct pipeline *p, bool drain)
{
	struct live *lv = of(s);

	loader_detach_all(lv->loader);
	if (!drain)
		return 0;
	lv->p = p;
	ring_buffer__consume(lv->rb);
	return lv->event_err;
}

static int live_read_stats(struct source *s, __u64 *kernel, __u64 *tried)
{
	struct live *lv = of(s);
	__u64 *vals = calloc(s->ncpu, sizeof(*vals));
	int fd = loader_stats_fd(lv->loader), err = 0;

	if (!vals)
		return -ENOMEM;
	for (__u32 k = 0; k < HDRLOG_STAT__MAX; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals)) {
			err = -errno;
			break;
		}
		kernel[k] = 0;
		for (int cpu = 0; cpu < s->ncpu; cpu++) {
			kernel[k] += vals[cpu];
			if (k == HDRLOG_STAT_EVENTS_TRIED && tried)
				tried[cpu] = vals[cpu];
		}
	}
	free(vals);
	return err;
}

static const char *live_ifname(struct source *s, __u32 ifindex)
{
	struct live *lv = of(s);

	for (int i = 0; i < lv->n_ifaces; i++)
		if (lv->ifaces[i].ifindex == (int)ifindex)
			return lv->ifaces[i].name;
	return NULL;
}

static __u64 live_now(struct source *s)
{
	(void)s;
	return clock_ns(CLOCK_BOOTTIME); /* the programs' clock */
}

/* SIGHUP: a new filter from the file, swapped in whole; the ring buffer
 * is not touched, so no event is lost. */
static void live_reload(struct source *s)
{
	struct live *lv = of(s);

	if (!lv->sel->filter_file || !lv->sel->filter || select_reload(lv->sel))
		return;
	if (!filter_maps_install(&lv->filter_maps, lv->sel->filter))
		pr_warn("filter reloaded from %s\n", lv->sel->filter_file);
}

static void live_close(struct source *s)
{
	struct live *lv = of(s);

	if (!s)
		return;
	metrics_kernel_source(-1, 0);
	ring_buffer__free(lv->rb);
	filter_maps_close(&lv->filter_maps);
	flow_store_kernel_free(s->flows);
	loader_close(lv->loader);
	free(lv);
}

static const struct source_ops live_ops = {
	.poll = live_poll,
	.reload = live_reload,
	.stop = live_stop,
	.read_stats = live_read_stats,
	.ifname = live_ifname,
	.now = live_now,
	.close = live_close,
};

/* ---- setting up ------------------------------------------------------ */

/* Like tcpdump, which takes its first interface: the default route's. */
static int default_route_iface(char *name, size_t len)
{
	char line[256], ifname[IF_NAMESIZE + 1];
	unsigned long dest, mask;
	unsigned int flags;
	/* /proc/self/net: also where /proc shows processes only (ProcSubset=) */
	FILE *fp = fopen("/proc/self/net/route", "r");
	int err = -ENOENT;

	if (!fp)
		return -errno;
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "%16s %lx %*x %x %*d %*d %*d %lx", ifname, &dest,
			   &flags, &mask) != 4)
			continue;
		if (dest == 0 && mask == 0 && (flags & 1 /* RTF_UP */)) {
			snprintf(name, len, "%s", ifname);
			err = 0;
			break;
		}
	}
	fclose(fp);
	return err;
}

/* The programs parse from an Ethernet header; loopback has one. */
static int check_ethernet(const char *name)
{
	char path[64 + IF_NAMESIZE];
	unsigned int type;
	FILE *fp;
	int err = 0;

	snprintf(path, sizeof(path), "/sys/class/net/%s/type", name);
	fp = fopen(path, "r");
	if (fp && fscanf(fp, "%u", &type) == 1 && type != 1 && type != 772) {
		pr_warn("%s is not an Ethernet interface (ARPHRD %u)\n", name, type);
		err = -EPROTONOSUPPORT;
	}
	if (fp)
		fclose(fp);
	return err;
}

static int add_iface(struct live *lv, const char *name)
{
	struct iface *f = &lv->ifaces[lv->n_ifaces];

	f->ifindex = if_nametoindex(name);
	if (!f->ifindex) {
		pr_warn("no interface named '%s'\n", name);
		return -ENODEV;
	}
	snprintf(f->name, sizeof(f->name), "%s", name);
	if (check_ethernet(name))
		return -EPROTONOSUPPORT;
	metrics_add_interface(f->name);
	lv->n_ifaces++;
	return 0;
}

static int resolve_ifaces(struct live *lv)
{
	char def[IF_NAMESIZE + 1];
	int err = 0;

	if (!lv->cfg->n_ifaces) {
		if (default_route_iface(def, sizeof(def))) {
			pr_warn("no default route to pick an interface from; use -i IFACE\n");
			return -ENOENT;
		}
		return add_iface(lv, def);
	}
	for (int i = 0; i < lv->cfg->n_ifaces && !err; i++)
		err = add_iface(lv, lv->cfg->ifaces[i]);
	return err;
}

static int attach_one(struct live *lv, const struct iface *f)
{
	const struct config *c = lv->cfg;
	bool native = false;
	int err = 0;

	if (c->ingress && c->xdp)
		err = loader_attach_xdp(lv->loader, f->ifindex, &native);
	else if (c->ingress)
		err = loader_attach_tc(lv->loader, f->ifindex,
				       HDRLOG_DIR_INGRESS, c->tc_mode);
	if (!err && c->egress)
		err = loader_attach_tc(lv->loader, f->ifindex, HDRLOG_DIR_EGRESS,
				       c->tc_mode);
	if (err)
		return err;
	if (c->xdp && c->ingress)
		pr_warn("listening on %s: XDP ingress (%s)%s\n", f->name,
			native ? "native" : "generic", c->egress ? ", tc egress" : "");
	else
		pr_warn("listening on %s: tc%s%s\n", f->name,
			c->ingress ? " ingress" : "", c->egress ? " egress" : "");
	return 0;
}

static int install_filter(struct live *lv)
{
	int err = loader_filter_maps(lv->loader, &lv->filter_maps);

	if (err) {
		pr_warn("cannot set up the filter maps: %s\n", strerror(-err));
		return err;
	}
	return filter_maps_install(&lv->filter_maps, lv->sel->filter);
}

/* Loads, fills the maps, opens the ring buffer: all before attaching, so
 * that the first packet finds everything in place. */
static int load(struct live *lv)
{
	__u32 seed;
	int err;

	if (getrandom(&seed, sizeof(seed), 0) < 0)
		seed = (__u32)clock_ns(CLOCK_MONOTONIC);
	err = loader_open(&lv->loader, lv->cfg, seed);
	if (!err && lv->sel->filter)
		err = install_filter(lv);
	if (err)
		return err;
	metrics_kernel_source(loader_stats_fd(lv->loader), lv->src.ncpu);
	lv->rb = ring_buffer__new(loader_events_fd(lv->loader), on_event, lv, NULL);
	if (!lv->rb) {
		err = -errno;
		pr_warn("cannot open the ring buffer: %s\n", strerror(-err));
		return err;
	}
	if (lv->cfg->flows &&
	    !(lv->src.flows = flow_store_kernel_new(loader_flows_fd(lv->loader),
						    loader_timelines_fd(lv->loader))))
		return -ENOMEM;
	return 0;
}

int live_open(const struct config *cfg, struct selection *sel,
	      struct source **out)
{
	struct live *lv = calloc(1, sizeof(*lv));
	int err;

	*out = NULL;
	if (!lv)
		return -ENOMEM;
	lv->src.ops = &live_ops;
	lv->src.live = true;
	lv->cfg = cfg;
	lv->sel = sel;
	lv->filter_maps = (struct filter_maps){ .barrier_fd = -1, .inner_fd = -1 };
	lv->src.ncpu = libbpf_num_possible_cpus();
	lv->src.epoch_off = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
	err = resolve_ifaces(lv);
	if (!err && lv->src.ncpu <= 0) {
		err = lv->src.ncpu ? lv->src.ncpu : -EINVAL;
		pr_warn("cannot count CPUs: %s\n", strerror(-err));
	}
	if (!err)
		err = load(lv);
	for (int i = 0; !err && i < lv->n_ifaces; i++)
		err = attach_one(lv, &lv->ifaces[i]);
	if (err) {
		live_close(&lv->src);
		return err;
	}
	lv->src.needs_net_admin = loader_needs_net_admin(lv->loader);
	*out = &lv->src;
	return 0;
}
