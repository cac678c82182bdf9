// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attr.skel.h"
#include "attr/attr.h"
#include "attr/cgroup.h"
#include "attr/sock_scan.h"
#include "capture/netns.h"
#include "flow_update.h"
#include "util/log.h"
#include "util/map_memory.h"

#define WL_SLOTS 1024		   /* cgroups remembered: a direct-mapped cache */
#define WL_RECHECK_NS (10ULL * 1000000000ULL) /* then looked at again: gone? renamed pod? */
#define USER_SLOTS 64
#define ATTR_LINKS 8 /* the programs of bpf/attr.bpf.c */

struct wl_slot {
	__u64 cgroup_id; /* 0: empty */
	__u64 checked_ns;
	bool found;
	struct workload wl;
};

struct user_slot {
	__u32 uid;
	bool used;
	char name[64];
};

struct attr {
	struct attr_opts o;
	struct attr_bpf *skel; /* NULL: no process-context programs */
	struct bpf_link *links[ATTR_LINKS];
	int flow_socks_fd;
	int owners_fd;	       /* -1: no owners */
	int tuples_fd;	       /* -1: no TCP endpoints by tuple */
	struct cgroup_fs cg;
	char host[256];
	__u32 netns; /* ours (inode): where the programs are attached */
	__u64 netns_cookie; /* ours; 0: unknown */
	struct wl_slot wl[WL_SLOTS];
	struct user_slot users[USER_SLOTS];
};

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- setting up ------------------------------------------------------ */

/* Every program on the root cgroup: every socket of the host. The links
 * go with the skeleton (and with the process, if it dies). */
static int attach_cgroup(struct attr *a)
{
	struct bpf_program *prog;
	struct bpf_link *link;
	int n = 0;

	bpf_object__for_each_program(prog, a->skel->obj) {
		link = bpf_program__attach_cgroup(prog, a->cg.fd);
		if (!link)
			return -errno;
		if (n >= ATTR_LINKS) {
			bpf_link__destroy(link);
			return -E2BIG;
		}
		a->links[n++] = link;
	}
	return 0;
}

static void detach_cgroup(struct attr *a)
{
	for (int i = 0; i < ATTR_LINKS; i++) {
		bpf_link__destroy(a->links[i]);
		a->links[i] = NULL;
	}
}

static int load_programs(struct attr *a, __u32 entries)
{
	int err;

	if (a->cg.fd < 0)
		return -ENOENT;
	a->skel = attr_bpf__open();
	if (!a->skel)
		return -errno;
	bpf_map__set_max_entries(a->skel->maps.sock_owners, entries);
	bpf_map__set_max_entries(a->skel->maps.tuple_socks, entries);
	err = attr_bpf__load(a->skel);
	if (!err)
		err = attach_cgroup(a);
	if (err) {
		detach_cgroup(a);
		attr_bpf__destroy(a->skel);
		a->skel = NULL;
		return err;
	}
	a->owners_fd = bpf_map__fd(a->skel->maps.sock_owners);
	a->tuples_fd = bpf_map__fd(a->skel->maps.tuple_socks);
	return 0;
}

int attr_open(struct attr **out, const struct attr_opts *o, int flow_socks_fd,
	      __u32 entries)
{
	struct attr *a = calloc(1, sizeof(*a));
	struct stat st;
	int err;

	*out = NULL;
	if (!a)
		return -ENOMEM;
	a->o = *o;
	if (!a->o.pod_logs)
		a->o.pod_logs = ATTR_DEFAULT_POD_LOGS;
	a->flow_socks_fd = flow_socks_fd;
	a->owners_fd = a->tuples_fd = -1;
	a->netns_cookie = netns_cookie_here();
	if (gethostname(a->host, sizeof(a->host) - 1))
		a->host[0] = '\0';
	if (!o->multi_netns && !stat("/proc/self/ns/net", &st))
		a->netns = (__u32)st.st_ino; /* else: each process's, below */
	if (cgroup_fs_open(&a->cg))
		pr_warn("no cgroup2 mount in /proc/mounts or /proc/1/mounts: no "
			"process, cgroup, container or pod attribution\n");
	if ((err = load_programs(a, entries)))
		pr_warn("no process attribution (cgroup socket hooks on %s: "
			"%s); cgroups only\n", a->cg.path, strerror(-err));
	else if ((err = sock_scan(a->owners_fd,
				  bpf_map__fd(a->skel->maps.bound_socks))) < 0)
		pr_warn("cannot list the sockets already open: %s\n",
			strerror(-err));
	else
		pr_info("attribution: %d sockets already open\n", err);
	*out = a;
	return 0;
}

void attr_close(struct attr *a)
{
	if (!a)
		return;
	detach_cgroup(a);
	attr_bpf__destroy(a->skel);
	cgroup_fs_close(&a->cg);
	free(a);
}

__u64 attr_map_memory(const struct attr *a,
		      void (*fn)(const char *map, __u64 bytes))
{
	return a && a->skel ? map_memory(a->skel->obj, fn) : 0;
}

const char *attr_host_name(const struct attr *a)
{
	return a->host;
}

/* ---- resolving ------------------------------------------------------- */

/* The workload of a cgroup, from the cache unless the entry is old. */
static const struct workload *workload_of(struct attr *a, __u64 id)
{
	struct wl_slot *s = &a->wl[(id * 0x9e3779b97f4a7c15ULL) >> 54];
	__u64 now = mono_ns();

	if (s->cgroup_id == id && now - s->checked_ns < WL_RECHECK_NS)
		return s->found ? &s->wl : NULL;
	s->cgroup_id = id;
	s->checked_ns = now;
	s->found = !cgroup_path(&a->cg, id, s->wl.cgroup, sizeof(s->wl.cgroup));
	if (!s->found)
		return NULL; /* gone: the container went away */
	workload_parse(&s->wl);
	workload_k8s_names(&s->wl, a->o.pod_logs);
	return &s->wl;
}

static void user_name(struct attr *a, __u32 uid, char *buf, size_t len)
{
	struct user_slot *u = &a->users[uid % USER_SLOTS];
	struct passwd pw, *res = NULL;
	char tmp[1024];

	if (!u->used || u->uid != uid) {
		u->used = true;
		u->uid = uid;
		if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) || !res)
			snprintf(u->name, sizeof(u->name), "%u", uid);
		else
			snprintf(u->name, sizeof(u->name), "%s", res->pw_name);
	}
	snprintf(buf, len, "%s", u->name);
}

/* /proc/PID/cmdline, its NULs as spaces; "" when the process is gone. */
static void command_line(__u32 pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%u/cmdline", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		n = 0;
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
}

/* The network namespace (inode) of a process; 0 when it is gone. */
static __u32 netns_of(__u32 pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%u/ns/net", pid);
	return stat(path, &st) ? 0 : (__u32)st.st_ino;
}

/* An endpoint whose packets showed no socket (they came from another
 * namespace, where the socket is): the TCP connection's socket by its
 * tuple, noted when it was established (tuple_socks). */
static bool by_tuple(struct attr *a, const struct hdrlog_flow_key *k, int side,
		     __u64 first_ns, struct attr_side *s)
{
	struct hdrlog_tuple_key tk = { .flow = *k, .side = side };
	struct hdrlog_tuple_sock ts;

	tk.flow.vlan_id = 0; /* sockets know no VLAN, nor interface */
	tk.flow.iface = 0;
	if (a->tuples_fd < 0 || k->proto != 6 ||
	    bpf_map_lookup_elem(a->tuples_fd, &tk, &ts) || ts.since_ns < first_ns)
		return false;
	s->cookie = ts.cookie;
	s->netns = ts.netns_cookie == a->netns_cookie ? a->netns : 0;
	return true;
}

static void resolve_side(struct attr *a, const struct hdrlog_flow_key *k,
			 int side, const struct hdrlog_flow_sock *fs,
			 __u64 first_ns, struct attr_side *s)
{
	const struct workload *wl;

	memset(s, 0, offsetof(struct attr_side, wl));
	s->local = (fs->cookie || fs->cgroup_id) && fs->since_ns >= first_ns;
	if (s->local) {
		/* a socket sends through the devices of its own namespace:
		 * the one hdrlog attached in */
		s->netns = a->netns;
		s->cookie = fs->cookie;
		s->cgroup_id = fs->cgroup_id;
	} else if (!(s->local = by_tuple(a, k, side, first_ns, s))) {
		return;
	}
	s->has_owner = s->cookie && a->owners_fd >= 0 &&
		       !bpf_map_lookup_elem(a->owners_fd, &s->cookie, &s->owner);
	if (s->has_owner && !s->cgroup_id)
		s->cgroup_id = s->owner.cgroup_id; /* its process's, then */
	if (s->has_owner && !s->netns)
		s->netns = netns_of(s->owner.tgid);
	if (s->has_owner) {
		user_name(a, s->owner.uid, s->user, sizeof(s->user));
		if (a->o.command_line)
			command_line(s->owner.tgid, s->command_line,
				     sizeof(s->command_line));
	}
	if (s->cgroup_id && (wl = workload_of(a, s->cgroup_id))) {
		s->has_workload = true;
		s->wl = *wl;
	}
}

void attr_flow(struct attr *a, const struct hdrlog_flow_key *k,
	       __u64 first_ns, struct attr_side side[2])
{
	struct hdrlog_flow_socks fs;

	if (bpf_map_lookup_elem(a->flow_socks_fd, k, &fs))
		memset(&fs, 0, sizeof(fs));
	resolve_side(a, k, 0, &fs.side[0], first_ns, &side[0]);
	resolve_side(a, k, 1, &fs.side[1], first_ns, &side[1]);
}

void attr_endpoints(struct attr *a, bool v6, const __u8 *addr_x, __u16 port_x,
		    const __u8 *addr_y, __u16 port_y, __u32 iface,
		    __u64 first_ns, struct attr_side *x, struct attr_side *y)
{
	struct hdrlog_flow_key k = { .family = v6 ? 6 : 4, .proto = 6,
				     .iface = iface };
	struct attr_side side[2];
	int x_is_a = hdrlog_flow_key_fill(&k, addr_x, addr_y, port_x, port_y);

	attr_flow(a, &k, first_ns, side);
	*x = side[!x_is_a];
	*y = side[x_is_a];
}
