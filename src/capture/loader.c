// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "hdrlog/events.h" /* before the skeleton: struct hdrlog_tunnel_cfg */
#include "hdrlog.skel.h"
#include "capture/loader.h"
#include "capture/tc_stale.h"
#include "util/log.h"
#include "util/map_memory.h"

/* Linux 6.6 attach types; libbpf 1.1's headers predate them. */
#define HDRLOG_TCX_INGRESS 46
#define HDRLOG_TCX_EGRESS 47

#define MAX_ATTACHMENTS 256 /* two per interface: -i any on a busy host */
#define TC_PRIORITY 0xc0de /* our netlink filters, told apart from others' */

enum attach_kind { ATTACH_TCX, ATTACH_TC_NETLINK, ATTACH_XDP };

struct attachment {
	enum attach_kind kind;
	int ifindex;
	int tag;		/* whose: the caller's name for the interface */
	int direction;
	int link_fd;		/* ATTACH_TCX */
	struct bpf_link *link;	/* ATTACH_XDP */
	struct bpf_tc_hook hook; /* ATTACH_TC_NETLINK */
	struct bpf_tc_opts tc;
	bool hook_created;	/* we made the clsact qdisc: remove it too */
};

/* An interface's clsact filters claimed (tc_stale.h): fd held while ours
 * are attached; -1 with pid: a live hdrlog holds them. */
struct tc_claim {
	int ifindex;
	int fd;
	pid_t other;
};

struct loader {
	struct hdrlog_bpf *skel;
	struct attachment att[MAX_ATTACHMENTS];
	int n_att;
	struct tc_claim claims[MAX_ATTACHMENTS];
	int n_claims;
};

static const char *ifname(int ifindex, char *buf)
{
	return if_indextoname(ifindex, buf) ? buf : "?";
}

static int explain_load_error(int err)
{
	/* EACCES is also the verifier's "invalid access" */
	if (err == -EPERM || (err == -EACCES && geteuid() != 0))
		pr_warn("loading BPF programs needs CAP_BPF, CAP_NET_ADMIN and "
			"CAP_PERFMON (run as root): %s\n", strerror(-err));
	else
		pr_warn("cannot load the BPF programs: %s (run with -vv for the "
			"verifier's log)\n", strerror(-err));
	/* The packet programs read no kernel structs, so they load without
	 * kernel BTF; a kernel without it is likely too old or too bare. */
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		pr_warn("note: this kernel has no BTF (/sys/kernel/btf/vmlinux); "
			"hdrlog wants Linux 5.8+ with CONFIG_DEBUG_INFO_BTF\n");
	return err;
}

#define WAKEUP_FRACTION 16 /* wake the agent when 1/16 of the ring is used */

/* Maps the mode never reads (their code is compiled out by the knobs)
 * get one entry, so that their memory is not locked for nothing. */
static int shrink_unused_maps(struct hdrlog_bpf *skel, const struct config *cfg)
{
	struct bpf_map *unused[8];
	int n = 0, err = 0;

	/* a reload needs a filter file, hence a filter from the start */
	if (!cfg->sel.filter) {
		unused[n++] = skel->maps.filter_rules;
		unused[n++] = skel->maps.filter_ports;
	}
	if (!cfg->anomalies) {
		unused[n++] = skel->maps.anomaly_seen;
		unused[n++] = skel->maps.anomaly_sketches;
		unused[n++] = skel->maps.anomaly_frags;
		unused[n++] = skel->maps.anomaly_ttls;
	}
	if (!cfg->netns)
		unused[n++] = skel->maps.iface_ids;
	for (int i = 0; i < n && !err; i++)
		err = bpf_map__set_max_entries(unused[i], 1);
	return err;
}

/* The programs' load-time knobs (rodata) and map sizes from cfg. */
static int set_knobs(struct hdrlog_bpf *skel, const struct config *cfg,
		     __u32 sample_seed)
{
	/* without flows the table is never used: one entry, not a table */
	__u32 flows = cfg->flows ? cfg->flow_entries : 1;
	int err;

	skel->rodata->targ_pull_len = cfg->pull_len;
	skel->rodata->targ_wakeup_bytes = cfg->ringbuf_bytes / WAKEUP_FRACTION;
	/* the filter path only when there is something to select */
	skel->rodata->targ_filter = cfg->sel.filter != NULL;
	skel->rodata->targ_sample = cfg->sel.sample;
	skel->rodata->targ_sample_flow = cfg->sel.sample_flow;
	skel->rodata->targ_sample_seed = sample_seed;
	skel->rodata->targ_packets = cfg->packets;
	skel->rodata->targ_tunnel = cfg->tunnel;
	skel->rodata->targ_flows = cfg->flows;
	skel->rodata->targ_flow_iface = cfg->flow.per_iface;
	skel->rodata->targ_only_failed = cfg->flow.only_failed;
	skel->rodata->targ_timeline = cfg->flow.timeline;
	skel->rodata->targ_attempt_ns = cfg->flow.attempt_ns;
	skel->rodata->targ_close_ns = cfg->flow.close_ns;
	skel->rodata->targ_http_snaplen = cfg->http_snaplen;
	skel->rodata->targ_attr = cfg->attribute;
	skel->rodata->targ_netns_ids = cfg->netns != NULL;
	if (cfg->attribute)
		bpf_map__set_max_entries(skel->maps.flow_socks, flows);
	skel->rodata->targ_anomalies = cfg->anomalies;
	skel->rodata->targ_anomaly_window_ns = cfg->anomaly.window_ns;
	skel->rodata->targ_scan_ports = cfg->anomaly.scan_ports;
	skel->rodata->targ_sweep_hosts = cfg->anomaly.sweep_hosts;
	skel->rodata->targ_ttl_jump = cfg->anomaly.ttl_jump;
	err = bpf_map__set_max_entries(skel->maps.flows, flows);
	if (!err && cfg->flow.timeline)
		err = bpf_map__set_max_entries(skel->maps.timelines, flows);
	if (!err)
		err = shrink_unused_maps(skel, cfg);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.events, cfg->ringbuf_bytes);
	return err;
}

int loader_open(struct loader **out, const struct config *cfg,
		__u32 sample_seed)
{
	struct loader *l;
	int err;

	*out = NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->skel = hdrlog_bpf__open();
	if (!l->skel) {
		err = -errno;
		pr_warn("cannot open the BPF object: %s\n", strerror(-err));
		free(l);
		return err;
	}
	err = set_knobs(l->skel, cfg, sample_seed);
	if (!err)
		err = hdrlog_bpf__load(l->skel);
	if (err) {
		explain_load_error(err);
		loader_close(l);
		return err;
	}
	*out = l;
	return 0;
}

static struct attachment *new_attachment(struct loader *l, enum attach_kind kind,
					 int ifindex, int tag, int direction)
{
	struct attachment *a;

	if (l->n_att >= MAX_ATTACHMENTS)
		return NULL;
	a = &l->att[l->n_att];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->ifindex = ifindex;
	a->tag = tag;
	a->direction = direction;
	a->link_fd = -1;
	return a;
}

static int attach_tcx(struct loader *l, int prog_fd, int ifindex, int tag,
		      int direction)
{
	int type = direction == HDRLOG_DIR_INGRESS ? HDRLOG_TCX_INGRESS
						   : HDRLOG_TCX_EGRESS;
	struct attachment *a = new_attachment(l, ATTACH_TCX, ifindex, tag,
					      direction);
	int fd;

	if (!a)
		return -E2BIG;
	fd = bpf_link_create(prog_fd, ifindex, type, NULL);
	if (fd < 0)
		return fd;
	a->link_fd = fd;
	l->n_att++;
	return 0;
}

/* ---- clsact filters an earlier hdrlog left --------------------------- */

static const char *dir_name(int direction)
{
	return direction == HDRLOG_DIR_INGRESS ? "ingress" : "egress";
}

static struct tc_claim *claim_of(struct loader *l, int ifindex)
{
	for (int i = 0; i < l->n_claims; i++)
		if (l->claims[i].ifindex == ifindex)
			return &l->claims[i];
	return NULL;
}

/* A stale hdrlog filter at our priority in one direction: said, removed. */
static void remove_stale(int ifindex, int direction)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = direction == HDRLOG_DIR_INGRESS
						    ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, tc, .handle = 1, .priority = TC_PRIORITY);
	struct tc_found f;
	char name[IF_NAMESIZE];
	int err;

	if (tc_filter_find(ifindex, direction == HDRLOG_DIR_INGRESS, TC_PRIORITY,
			   1, &f) != 1 || !tc_found_is_hdrlog(&f))
		return;
	err = bpf_tc_detach(&hook, &tc);
	pr_warn("%s the clsact filter an earlier hdrlog left on %s %s "
		"(program %s, id %u, tag %s)%s%s\n",
		err ? "cannot remove" : "replacing", ifname(ifindex, name),
		dir_name(direction), f.name, f.prog_id, f.tag,
		err ? ": " : "", err ? strerror(-err) : "");
}

/* Claims ifindex's clsact filters once; when no live hdrlog holds them,
 * hdrlog filters found there are stale: removed, to be replaced. */
static void claim_iface(struct loader *l, int ifindex)
{
	struct tc_claim *c = claim_of(l, ifindex);
	char name[IF_NAMESIZE];

	if (c || l->n_claims >= MAX_ATTACHMENTS)
		return;
	c = &l->claims[l->n_claims++];
	*c = (struct tc_claim){ .ifindex = ifindex };
	c->fd = tc_owner_claim(ifindex, &c->other);
	if (c->fd == -EADDRINUSE)
		return; /* a live hdrlog's filters: never touched */
	if (c->fd < 0) {
		pr_info("cannot claim the clsact filters of %s: %s\n",
			ifname(ifindex, name), strerror(-c->fd));
		return;
	}
	remove_stale(ifindex, HDRLOG_DIR_INGRESS);
	remove_stale(ifindex, HDRLOG_DIR_EGRESS);
}

/* After a tcx attach: no clsact filter of ours there, nothing to hold. */
static void release_claim(struct loader *l, int ifindex)
{
	struct tc_claim *c = claim_of(l, ifindex);

	for (int i = 0; i < l->n_att; i++)
		if (l->att[i].kind == ATTACH_TC_NETLINK && l->att[i].ifindex == ifindex)
			return;
	if (c && c->fd >= 0) {
		close(c->fd);
		*c = l->claims[--l->n_claims];
	}
}

/* Why our filter could not go in: EEXIST at our priority, or EINVAL (a
 * filter of another kind holds it). Returns -EBUSY when said, else err. */
static int explain_exists(struct loader *l, int ifindex, int direction,
			  int err)
{
	struct tc_claim *c = claim_of(l, ifindex);
	char name[IF_NAMESIZE];
	struct tc_found f;

	char pid[32] = "";

	if (c && c->fd == -EADDRINUSE) {
		if (c->other)
			snprintf(pid, sizeof(pid), " (pid %d)", (int)c->other);
		pr_warn("another hdrlog%s logs %s with clsact filters (--tc-mode "
			"netlink); two cannot share them: stop it, or use --tc-mode "
			"tcx\n", pid, ifname(ifindex, name));
		return -EBUSY;
	}
	if (tc_filter_find(ifindex, direction == HDRLOG_DIR_INGRESS, TC_PRIORITY,
			   0, &f) != 1 || tc_found_is_hdrlog(&f))
		return err;
	pr_warn("a %s filter that is not hdrlog's holds priority 0x%x on %s %s; "
		"hdrlog leaves it alone\n", f.kind, TC_PRIORITY,
		ifname(ifindex, name), dir_name(direction));
	return -EBUSY;
}

/* libbpf-bootstrap's tc.c: create clsact if missing (and remember that we
 * did), then add our filter at our own priority. */
static int attach_tc_netlink(struct loader *l, int prog_fd, int ifindex,
			     int tag, int direction)
{
	struct attachment *a = new_attachment(l, ATTACH_TC_NETLINK, ifindex,
					      tag, direction);
	int err;

	if (!a)
		return -E2BIG;
	a->hook.sz = sizeof(a->hook);
	a->hook.ifindex = ifindex;
	a->hook.attach_point = direction == HDRLOG_DIR_INGRESS ? BPF_TC_INGRESS
							       : BPF_TC_EGRESS;
	a->tc.sz = sizeof(a->tc);
	a->tc.prog_fd = prog_fd;
	a->tc.priority = TC_PRIORITY;
	a->tc.handle = 1;

	/* The clsact qdisc holds both directions: create it once. */
	struct bpf_tc_hook both = a->hook;
	both.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
	err = bpf_tc_hook_create(&both);
	if (err && err != -EEXIST)
		return err;
	a->hook_created = !err;
	err = bpf_tc_attach(&a->hook, &a->tc);
	if (err == -EEXIST || err == -EINVAL)
		err = explain_exists(l, ifindex, direction, err);
	if (err) {
		if (a->hook_created)
			bpf_tc_hook_destroy(&both);
		return err;
	}
	l->n_att++;
	return 0;
}

int loader_attach_tc(struct loader *l, int ifindex, int tag, int direction,
		     enum tc_mode mode)
{
	struct bpf_program *prog = direction == HDRLOG_DIR_INGRESS
					   ? l->skel->progs.hdrlog_tc_ingress
					   : l->skel->progs.hdrlog_tc_egress;
	const char *dir = direction == HDRLOG_DIR_INGRESS ? "ingress" : "egress";
	int prog_fd = bpf_program__fd(prog);
	char name[IF_NAMESIZE];
	int err = -EOPNOTSUPP;

	claim_iface(l, ifindex);
	if (mode != TC_MODE_NETLINK) {
		err = attach_tcx(l, prog_fd, ifindex, tag, direction);
		if (!err) {
			pr_info("attached to %s tc %s (tcx link)\n",
				ifname(ifindex, name), dir);
			release_claim(l, ifindex);
			return 0;
		}
		if (mode == TC_MODE_TCX || (err != -EINVAL && err != -EOPNOTSUPP))
			goto fail;
		pr_info("tcx not available (%s): falling back to clsact\n",
			strerror(-err));
	}
	err = attach_tc_netlink(l, prog_fd, ifindex, tag, direction);
	if (!err) {
		pr_info("attached to %s tc %s (clsact filter)\n",
			ifname(ifindex, name), dir);
		return 0;
	}
	if (err == -EBUSY)
		return err; /* said */
fail:
	pr_warn("cannot attach to %s tc %s: %s\n", ifname(ifindex, name), dir,
		strerror(-err));
	return err;
}

int loader_attach_xdp(struct loader *l, int ifindex, int tag, bool *native)
{
	struct attachment *a = new_attachment(l, ATTACH_XDP, ifindex, tag,
					      HDRLOG_DIR_INGRESS);
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	char name[IF_NAMESIZE];
	int err;

	if (!a)
		return -E2BIG;
	/* A link with no mode flag: the kernel uses the driver's XDP when it
	 * has one, generic (skb) XDP otherwise. */
	a->link = bpf_program__attach_xdp(l->skel->progs.hdrlog_xdp, ifindex);
	if (!a->link) {
		err = -errno;
		pr_warn("cannot attach XDP to %s: %s%s\n", ifname(ifindex, name),
			strerror(-err),
			err == -EBUSY || err == -EEXIST
				? " (another XDP program is attached)" : "");
		return err;
	}
	l->n_att++;
	*native = !bpf_xdp_query(ifindex, 0, &q) &&
		  q.attach_mode == XDP_ATTACHED_DRV;
	pr_info("attached XDP to %s (%s mode)\n", ifname(ifindex, name),
		*native ? "native" : "generic");
	return 0;
}

int loader_filter_maps(struct loader *l, struct filter_maps *m)
{
	struct hdrlog_bpf *s = l->skel;

	return filter_maps_open(m, bpf_map__fd(s->maps.filter_rules),
				bpf_map__fd(s->maps.filter_cidrs),
				bpf_map__fd(s->maps.filter_ports),
				&s->bss->filter_gen);
}

__u64 loader_map_memory(const struct loader *l,
			void (*fn)(const char *map, __u64 bytes))
{
	return map_memory(l->skel->obj, fn);
}

bool loader_needs_net_admin(const struct loader *l)
{
	for (int i = 0; i < l->n_att; i++)
		if (l->att[i].kind == ATTACH_TC_NETLINK)
			return true;
	return false;
}

int loader_events_fd(const struct loader *l)
{
	return bpf_map__fd(l->skel->maps.events);
}

int loader_timelines_fd(const struct loader *l)
{
	return bpf_map__fd(l->skel->maps.timelines);
}

int loader_flows_fd(const struct loader *l)
{
	return bpf_map__fd(l->skel->maps.flows);
}

int loader_iface_ids_fd(const struct loader *l)
{
	return bpf_map__fd(l->skel->maps.iface_ids);
}

int loader_flow_socks_fd(const struct loader *l)
{
	return bpf_map__fd(l->skel->maps.flow_socks);
}

__u32 loader_flow_entries(const struct loader *l)
{
	return bpf_map__max_entries(l->skel->maps.flows);
}

int loader_stats_fd(const struct loader *l)
{
	return bpf_map__fd(l->skel->maps.stats);
}

static void detach(struct attachment *a)
{
	struct bpf_tc_hook both;

	switch (a->kind) {
	case ATTACH_TCX:
		close(a->link_fd);
		break;
	case ATTACH_XDP:
		bpf_link__destroy(a->link);
		break;
	case ATTACH_TC_NETLINK:
		/* prog_fd/id must be zero to detach: match on handle/prio */
		a->tc.prog_fd = a->tc.flags = a->tc.prog_id = 0;
		bpf_tc_detach(&a->hook, &a->tc);
		/* newest first: the attachment that made the qdisc goes last */
		if (a->hook_created) {
			both = a->hook;
			both.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			bpf_tc_hook_destroy(&both);
		}
		break;
	}
}

void loader_detach_iface(struct loader *l, int tag)
{
	int kept = 0;

	for (int i = l->n_att - 1; i >= 0; i--)
		if (l->att[i].tag == tag)
			detach(&l->att[i]);
	for (int i = 0; i < l->n_att; i++)
		if (l->att[i].tag != tag)
			l->att[kept++] = l->att[i];
	l->n_att = kept;
}

void loader_detach_all(struct loader *l)
{
	if (!l)
		return;
	while (l->n_att > 0)
		detach(&l->att[--l->n_att]);
}

void loader_close(struct loader *l)
{
	if (!l)
		return;
	loader_detach_all(l);
	/* the filters are gone: the claims go too */
	for (int i = 0; i < l->n_claims; i++)
		if (l->claims[i].fd >= 0)
			close(l->claims[i].fd);
	hdrlog_bpf__destroy(l->skel);
	free(l);
}
