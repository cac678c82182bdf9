// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attr/attr.h"
#include "capture/link_watch.h"
#include "capture/netns.h"
#include "capture/iface_counters.h"
#include "capture/live.h"
#include "capture/loader.h"
#include "flow/flow_store_kernel.h"
#include "metrics/metrics.h"
#include "pipeline/pipeline.h"
#include "util/log.h"

#define IFACE_CHECK_NS 1000000000ULL /* look for vanished interfaces */
#define ENOUGH (-ECANCELED) /* from the event callback: -c reached, stop */
/* At stop, how long the programs may take to catch up with the packets
 * the interfaces counted (still in a CPU's backlog) before detaching. */
#define CATCH_UP_MS 200

#define LIVE_MAX_IFACES 128 /* watched at once (-i any) */

struct iface {
	int ifindex;	 /* what its events carry: the kernel's ifindex, or
			  * with --netns the id hdrlog gave it (iface_ids) */
	int sys_ifindex; /* the kernel's, in its namespace */
	char name[IF_NAMESIZE];
	bool gone; /* vanished: detached, its name kept for late events */
	/* --netns */
	bool seen;	 /* found by the last look */
	__u32 ns_ino;
	__u64 ns_cookie;
	char ns_name[NETNS_NAME_LEN];
	bool veth;
	int peer_sys;	 /* a veth's other end's ifindex, in its namespace */
	char peer[NETNS_NAME_LEN + IF_NAMESIZE + 2]; /* "NETNS/IFNAME" */
	struct iface_counters start, end; /* when attached, when detached */
	bool counted; /* start (and end, once stopped) could be read */
};

struct live {
	struct source src; /* first: the ops get the rest from it */
	const struct config *cfg;
	struct selection *sel;
	struct loader *loader;
	struct filter_maps filter_maps;
	struct ring_buffer *rb;
	struct iface ifaces[LIVE_MAX_IFACES];
	int n_ifaces;
	int link_fd;	    /* -i any: rtnetlink link messages; -1 without */
	struct pipeline *p; /* the events' destination, during poll() */
	int event_err;	    /* the pipeline's error, from the callback */
	__u64 next_check;   /* CLOCK_MONOTONIC: the next interface check */
	int next_id;	    /* --netns: the next interface id */
	__u32 own_ns_ino;   /* --netns: the namespace whose sysfs we see */
	bool detached;	    /* the ifaces' end counters are final */
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

static int attach_iface(struct live *lv, const char *name, bool quiet);

static int ifaces_left(const struct live *lv)
{
	int n = 0;

	for (int i = 0; i < lv->n_ifaces; i++)
		n += !lv->ifaces[i].gone;
	return n;
}

/* An interface deleted under us takes our attachments with it: ours are
 * released, the run goes on with the others. */
static void iface_gone(struct live *lv, struct iface *f)
{
	struct hdrlog_iface_key k = { .netns_cookie = f->ns_cookie,
				      .ifindex = f->sys_ifindex };

	f->gone = true;
	loader_detach_iface(lv->loader, f->ifindex);
	if (lv->cfg->netns)
		bpf_map_delete_elem(loader_iface_ids_fd(lv->loader), &k);
	pr_warn("interface %s%s%s disappeared; %d interface%s still logged\n",
		f->name, f->ns_name[0] ? " of netns " : "", f->ns_name,
		ifaces_left(lv), ifaces_left(lv) == 1 ? "" : "s");
}

static struct iface *free_slot(struct live *lv);
static int attach_one(struct live *lv, struct iface *f);

/* ---- --netns: every interface of several namespaces ------------------ */

struct ns_scan {
	struct live *lv;
	const struct netns_ref *ns;
	__u64 cookie;
};

/* One interface of the namespace being looked at: known, or new (an id,
 * then attached from inside the namespace). */
static void ns_link(void *ctx, const struct link_info *li)
{
	struct ns_scan *sc = ctx;
	struct live *lv = sc->lv;
	struct hdrlog_iface_key k = { .netns_cookie = sc->cookie,
				      .ifindex = li->ifindex };
	struct iface *f;

	if (li->type != 1 && li->type != 772) /* Ethernet, loopback */
		return;
	for (int i = 0; i < lv->n_ifaces; i++) {
		f = &lv->ifaces[i];
		if (!f->gone && f->ns_ino == sc->ns->ino &&
		    f->sys_ifindex == li->ifindex && !strcmp(f->name, li->name)) {
			f->seen = true;
			f->peer_sys = li->peer;
			return;
		}
	}
	if (!(f = free_slot(lv)))
		return;
	*f = (struct iface){ .ifindex = lv->next_id++, .sys_ifindex = li->ifindex,
			     .ns_ino = sc->ns->ino, .ns_cookie = sc->cookie,
			     .veth = li->veth, .peer_sys = li->peer, .seen = true };
	snprintf(f->name, sizeof(f->name), "%s", li->name);
	snprintf(f->ns_name, sizeof(f->ns_name), "%s", sc->ns->name);
	if (bpf_map_update_elem(loader_iface_ids_fd(lv->loader), &k, &f->ifindex, BPF_ANY) ||
	    attach_one(lv, f)) {
		loader_detach_iface(lv->loader, f->ifindex);
		bpf_map_delete_elem(loader_iface_ids_fd(lv->loader), &k);
		f->gone = true;
		return;
	}
	metrics_add_interface(f->name);
}

/* The other end of each veth among the interfaces logged: the one that
 * names it as its peer, in another namespace. */
static void pair_veths(struct live *lv)
{
	for (int i = 0; i < lv->n_ifaces; i++) {
		struct iface *x = &lv->ifaces[i];

		x->peer[0] = '\0';
		for (int j = 0; x->veth && !x->gone && j < lv->n_ifaces; j++) {
			struct iface *y = &lv->ifaces[j];

			if (!y->gone && y->veth && y->ns_ino != x->ns_ino &&
			    y->sys_ifindex == x->peer_sys && y->peer_sys == x->sys_ifindex) {
				snprintf(x->peer, sizeof(x->peer), "%s/%s", y->ns_name,
					 y->name);
				break;
			}
		}
	}
}

/* Every namespace --netns names, now: new interfaces attached, vanished
 * ones (or namespaces) detached. No namespace is held between looks, so
 * hdrlog keeps none alive. Returns the interfaces logged. */
static int scan_netns(struct live *lv)
{
	static struct netns_ref refs[NETNS_MAX];
	int n = netns_find(lv->cfg->netns, refs, lv->next_id > 1), back;

	for (int i = 0; i < lv->n_ifaces; i++)
		lv->ifaces[i].seen = false;
	for (int i = 0; i < n; i++) {
		struct ns_scan sc = { .lv = lv, .ns = &refs[i] };

		if (netns_enter(refs[i].path, refs[i].ino, &back))
			continue; /* gone meanwhile */
		sc.cookie = netns_cookie_here();
		if (sc.cookie)
			link_dump(ns_link, &sc);
		netns_leave(back);
	}
	for (int i = 0; i < lv->n_ifaces; i++)
		if (!lv->ifaces[i].gone && !lv->ifaces[i].seen)
			iface_gone(lv, &lv->ifaces[i]);
	pair_veths(lv);
	return n < 0 ? n : ifaces_left(lv);
}

static struct iface *iface_of(struct live *lv, int ifindex)
{
	for (int i = 0; i < lv->n_ifaces; i++)
		if (!lv->ifaces[i].gone && lv->ifaces[i].ifindex == ifindex)
			return &lv->ifaces[i];
	return NULL;
}

/* Which interfaces vanished since the last look. */
static void check_vanished(struct live *lv)
{
	char name[IF_NAMESIZE];

	for (int i = 0; i < lv->n_ifaces; i++) {
		struct iface *f = &lv->ifaces[i];

		if (!f->gone && (!if_indextoname(f->ifindex, name) ||
				 strcmp(name, f->name)))
			iface_gone(lv, f);
	}
}

/* -i any: a link message. */
static void on_link(void *ctx, int ifindex, bool added)
{
	struct live *lv = ctx;
	struct iface *f = iface_of(lv, ifindex);
	char name[IF_NAMESIZE];

	if (!added || !if_indextoname(ifindex, name)) {
		if (f)
			iface_gone(lv, f);
	} else if (!f) {
		attach_iface(lv, name, true);
	}
}

/* Interfaces that came and went: a stop only when -i named them all and
 * none is left. */
static int watch_ifaces(struct live *lv)
{
	if (lv->cfg->netns) {
		if (clock_ns(CLOCK_MONOTONIC) >= lv->next_check) {
			lv->next_check = clock_ns(CLOCK_MONOTONIC) + IFACE_CHECK_NS;
			scan_netns(lv);
		}
		return 0;
	}
	if (lv->link_fd >= 0 && link_watch_read(lv->link_fd, on_link, lv) == -ENOBUFS) {
		struct if_nameindex *all = if_nameindex(), *i;

		/* messages lost: look at every interface */
		for (i = all; i && i->if_index; i++)
			if (!iface_of(lv, i->if_index))
				attach_iface(lv, i->if_name, true);
		if_freenameindex(all);
	}
	if (clock_ns(CLOCK_MONOTONIC) < lv->next_check)
		return 0;
	lv->next_check = clock_ns(CLOCK_MONOTONIC) + IFACE_CHECK_NS;
	check_vanished(lv);
	if (!lv->cfg->all_ifaces && !ifaces_left(lv)) {
		pr_warn("no interface left to log (%s was the last); stopping\n",
			lv->ifaces[lv->n_ifaces - 1].name);
		return -ENODEV;
	}
	return 0;
}

static int live_poll(struct source *s, struct pipeline *p, int timeout_ms)
{
	struct live *lv = of(s);
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
	return watch_ifaces(lv);
}

/* ---- the interfaces' own counters ------------------------------------ */

static int live_read_stats(struct source *s, __u64 *kernel, __u64 *tried);

/* The interfaces' counters now (or at detach), as deltas from attach. */
static void live_iface_report(struct source *s, struct iface_report *r)
{
	struct live *lv = of(s);
	struct iface_counters now;

	*r = (struct iface_report){ .known = lv->n_ifaces > 0,
				    .ingress = lv->cfg->ingress,
				    .egress = lv->cfg->egress };
	for (int i = 0; i < lv->n_ifaces; i++) {
		struct iface *f = &lv->ifaces[i];

		if (!lv->detached && f->counted &&
		    iface_counters_read(f->name, f->sys_ifindex, &f->end) &&
		    !f->gone && if_nametoindex(f->name) == (unsigned)f->sys_ifindex)
			f->counted = false;
		/* one that vanished keeps its last reading: what it counted
		 * after it is unknown, so the sum stays a lower bound */
		now = f->end;
		if (!f->counted) {
			r->known = false;
			continue;
		}
		r->rx_packets += now.rx_packets - f->start.rx_packets;
		r->tx_packets += now.tx_packets - f->start.tx_packets;
		r->rx_dropped += now.rx_dropped - f->start.rx_dropped;
	}
}

/* Whether the programs saw as many packets as the interfaces counted. */
static bool caught_up(struct live *lv, const struct iface_report *r)
{
	__u64 k[HDRLOG_STAT__MAX];

	if (live_read_stats(&lv->src, k, NULL))
		return true;
	return (!r->ingress || k[HDRLOG_STAT_PACKETS_INGRESS] >= r->rx_packets) &&
	       (!r->egress || k[HDRLOG_STAT_PACKETS_EGRESS] >= r->tx_packets);
}

/* The interfaces' counters at the end, read before detaching: a packet
 * they counted may still wait in a CPU's backlog, so give the programs a
 * moment to see it, rather than report it as not seen. */
static void count_at_stop(struct live *lv)
{
	struct timespec tick = { 0, 5 * 1000000L };
	struct iface_report r;

	live_iface_report(&lv->src, &r);
	lv->detached = true;
	for (int i = 0; r.known && i < CATCH_UP_MS / 5 && !caught_up(lv, &r); i++)
		nanosleep(&tick, NULL);
}

static int live_stop(struct source *s, struct pipeline *p, bool drain)
{
	struct live *lv = of(s);

	if (!lv->detached)
		count_at_stop(lv);
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
	const char *gone = NULL;

	/* a vanished one's name still names its late events */
	for (int i = 0; i < lv->n_ifaces; i++)
		if (lv->ifaces[i].ifindex == (int)ifindex) {
			if (!lv->ifaces[i].gone)
				return lv->ifaces[i].name;
			gone = lv->ifaces[i].name;
		}
	return gone;
}

static const char *live_ifnetns(struct source *s, __u32 ifindex,
				const char **peer)
{
	struct live *lv = of(s);

	*peer = NULL;
	if (!lv->cfg->netns)
		return NULL;
	for (int i = lv->n_ifaces - 1; i >= 0; i--)
		if (lv->ifaces[i].ifindex == (int)ifindex) {
			*peer = lv->ifaces[i].peer[0] ? lv->ifaces[i].peer : NULL;
			return lv->ifaces[i].ns_name;
		}
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
	if (lv->link_fd >= 0)
		close(lv->link_fd);
	ring_buffer__free(lv->rb);
	filter_maps_close(&lv->filter_maps);
	flow_store_kernel_free(s->flows);
	attr_close(s->attr);
	loader_close(lv->loader);
	free(lv);
}

static const struct source_ops live_ops = {
	.poll = live_poll,
	.reload = live_reload,
	.stop = live_stop,
	.read_stats = live_read_stats,
	.iface_report = live_iface_report,
	.ifname = live_ifname,
	.ifnetns = live_ifnetns,
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
static bool is_ethernet(const char *name, unsigned int *type_out)
{
	char path[64 + IF_NAMESIZE];
	unsigned int type = 1;
	FILE *fp;

	snprintf(path, sizeof(path), "/sys/class/net/%s/type", name);
	fp = fopen(path, "r");
	if (fp && fscanf(fp, "%u", &type) != 1)
		type = 1;
	if (fp)
		fclose(fp);
	*type_out = type;
	return type == 1 || type == 772;
}

static int check_ethernet_quiet(const char *name)
{
	unsigned int type;

	if (is_ethernet(name, &type))
		return 0;
	pr_info("%s is not an Ethernet interface (ARPHRD %u): not logged\n",
		name, type);
	return -EPROTONOSUPPORT;
}

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

/* A slot for one more interface: a new one, or one that vanished. */
static struct iface *free_slot(struct live *lv)
{
	if (lv->n_ifaces < LIVE_MAX_IFACES)
		return &lv->ifaces[lv->n_ifaces++];
	for (int i = 0; i < lv->n_ifaces; i++)
		if (lv->ifaces[i].gone)
			return &lv->ifaces[i];
	return NULL;
}

/* Takes interface name in the list (quiet: -i any, where an interface
 * hdrlog cannot parse is passed over, not an error). */
static int add_iface(struct live *lv, const char *name, bool quiet,
		     struct iface **out)
{
	int ifindex = if_nametoindex(name);
	struct iface *f;

	if (!ifindex) {
		if (!quiet)
			pr_warn("no interface named '%s'\n", name);
		return -ENODEV;
	}
	if (quiet ? check_ethernet_quiet(name) : check_ethernet(name))
		return -EPROTONOSUPPORT;
	if (!(f = free_slot(lv))) {
		pr_warn("more than %d interfaces: %s not logged\n",
			LIVE_MAX_IFACES, name);
		return -E2BIG;
	}
	*f = (struct iface){ .ifindex = ifindex, .sys_ifindex = ifindex };
	snprintf(f->name, sizeof(f->name), "%s", name);
	metrics_add_interface(f->name);
	*out = f;
	return 0;
}

static int resolve_ifaces(struct live *lv)
{
	char def[IF_NAMESIZE + 1];
	struct iface *f;
	int err = 0;

	if (lv->cfg->all_ifaces || lv->cfg->netns)
		return 0; /* found when attaching */
	if (!lv->cfg->n_ifaces) {
		if (default_route_iface(def, sizeof(def))) {
			pr_warn("no default route to pick an interface from; use -i IFACE\n");
			return -ENOENT;
		}
		return add_iface(lv, def, false, &f);
	}
	for (int i = 0; i < lv->cfg->n_ifaces && !err; i++) {
		for (int j = 0; j < i; j++)
			if (!strcmp(lv->cfg->ifaces[i], lv->cfg->ifaces[j])) {
				pr_warn("interface %s named twice\n", lv->cfg->ifaces[i]);
				return -EINVAL;
			}
		err = add_iface(lv, lv->cfg->ifaces[i], false, &f);
	}
	return err;
}

/* The interface's counters when its programs are attached, the start of
 * what it counts for the run (an interface -i any or --netns finds later
 * starts when it is found). */
static void count_from_now(const struct live *lv, struct iface *f)
{
	/* sysfs is the one of the namespace hdrlog started in */
	bool here = !f->ns_ino || f->ns_ino == lv->own_ns_ino;

	f->counted = here && !iface_counters_read(f->name, f->sys_ifindex, &f->start);
	f->end = f->start;
	if (!f->counted)
		pr_info("cannot read the counters of %s: packets the "
			"programs did not see cannot be counted\n", f->name);
}

static int attach_one(struct live *lv, struct iface *f)
{
	const struct config *c = lv->cfg;
	bool native = false;
	int err = 0;

	char ns[NETNS_NAME_LEN + 16] = "";

	if (c->ingress && c->xdp)
		err = loader_attach_xdp(lv->loader, f->sys_ifindex, f->ifindex,
					&native);
	else if (c->ingress)
		err = loader_attach_tc(lv->loader, f->sys_ifindex, f->ifindex,
				       HDRLOG_DIR_INGRESS, c->tc_mode);
	if (!err && c->egress)
		err = loader_attach_tc(lv->loader, f->sys_ifindex, f->ifindex,
				       HDRLOG_DIR_EGRESS, c->tc_mode);
	if (err)
		return err;
	count_from_now(lv, f);
	if (f->ns_name[0])
		snprintf(ns, sizeof(ns), " (netns %s)", f->ns_name);
	if (c->xdp && c->ingress)
		pr_warn("listening on %s: XDP ingress (%s)%s\n", f->name,
			native ? "native" : "generic", c->egress ? ", tc egress" : "");
	else
		pr_warn("listening on %s%s: tc%s%s\n", f->name, ns,
			c->ingress ? " ingress" : "", c->egress ? " egress" : "");
	return 0;
}

/* -i any, and every interface that appears: one that cannot be attached
 * is said and passed over (it may be gone already). */
static int attach_iface(struct live *lv, const char *name, bool quiet)
{
	struct iface *f;
	int err = add_iface(lv, name, quiet, &f);

	if (err)
		return err;
	if ((err = attach_one(lv, f))) {
		loader_detach_iface(lv->loader, f->ifindex);
		f->gone = true;
	}
	return err;
}

/* -i any: every interface there is now; the link watch is opened first,
 * so one that appears meanwhile is not missed. */
static int attach_all(struct live *lv)
{
	struct if_nameindex *all, *i;

	lv->link_fd = link_watch_open();
	if (lv->link_fd < 0) {
		pr_warn("cannot watch for new interfaces (rtnetlink): %s\n",
			strerror(-lv->link_fd));
		return lv->link_fd;
	}
	if (!(all = if_nameindex()))
		return -errno;
	for (i = all; i->if_index; i++)
		attach_iface(lv, i->if_name, true);
	if_freenameindex(all);
	pr_warn("listening on every interface (%d now), and on new ones\n",
		ifaces_left(lv));
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
	lv->src.map_bytes = loader_map_memory(lv->loader, metrics_map_memory);
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
	if (lv->cfg->attribute &&
	    (err = attr_open(&lv->src.attr, &lv->cfg->attr,
			     loader_flow_socks_fd(lv->loader),
			     loader_flow_entries(lv->loader))))
		return err;
	lv->src.map_bytes += attr_map_memory(lv->src.attr, metrics_map_memory);
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
	lv->link_fd = -1;
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
	if (!err && cfg->all_ifaces)
		err = attach_all(lv);
	if (!err && cfg->netns) {
		struct stat st;

		lv->next_id = 1;
		lv->own_ns_ino = stat("/proc/thread-self/ns/net", &st) ? 0 : (__u32)st.st_ino;
		err = scan_netns(lv);
		if (!err) {
			pr_warn("--netns %s: no interface to log\n", cfg->netns);
			err = -ENODEV;
		} else if (err > 0) {
			pr_warn("listening on every interface of --netns %s (%d now), "
				"looked at again each second\n", cfg->netns, err);
			err = 0;
		}
	}
	if (err) {
		live_close(&lv->src);
		return err;
	}
	lv->src.needs_net_admin = loader_needs_net_admin(lv->loader);
	*out = &lv->src;
	return 0;
}
