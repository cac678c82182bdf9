// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* sock_diag is a netlink dump of fixed structs; libmnl would only frame
 * the messages, which takes a dozen lines here, so it is done by hand. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <bpf/bpf.h>
#include <netinet/in.h>

#include "attr/sock_scan.h"
#include "hdrlog/attr.h"
#include "util/log.h"

#define SCAN_MAX 65536 /* sockets taken from one scan */

struct found {
	__u64 inode;
	__u64 cookie;
	__u32 uid;
	__u16 listen_port; /* a TCP listener's port, else 0 */
};

struct found_set {
	struct found *v;
	size_t n, cap;
};

static int add_found(struct found_set *s, const struct inet_diag_msg *m)
{
	struct found *nv;

	if (!m->idiag_inode || s->n >= SCAN_MAX)
		return 0;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		if (!(nv = realloc(s->v, s->cap * sizeof(*nv))))
			return -ENOMEM;
		s->v = nv;
	}
	s->v[s->n++] = (struct found){
		.inode = m->idiag_inode,
		.cookie = m->id.idiag_cookie[0] |
			  (__u64)m->id.idiag_cookie[1] << 32,
		.uid = m->idiag_uid,
		.listen_port = m->idiag_state == 10 /* TCP_LISTEN */
				       ? ntohs(m->id.idiag_sport) : 0,
	};
	return 0;
}

/* One dump of family/protocol's sockets in every state into s. */
static int diag_dump(int fd, __u8 family, __u8 protocol, struct found_set *s)
{
	struct {
		struct nlmsghdr nh;
		struct inet_diag_req_v2 req;
	} q = {
		.nh = { .nlmsg_len = sizeof(q), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.req = { .sdiag_family = family, .sdiag_protocol = protocol,
			 .idiag_states = ~0u },
	};
	static char buf[32768];
	int err = 0;

	if (send(fd, &q, sizeof(q), 0) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (n < 0)
			return -errno;
		for (; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return err;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -EPROTO;
			if (!err && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
				err = add_found(s, NLMSG_DATA(h));
		}
	}
}

static int by_inode(const void *a, const void *b)
{
	const struct found *x = a, *y = b;

	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

/* bound_socks's key (bpf/attr.bpf.c): what accepted connections find
 * their listener by. */
struct bound_key {
	__u64 netns;
	__u32 port;
	__u32 proto;
};

struct scan {
	int owners_fd, bound_fd;
	__u32 netns;	   /* inode */
	__u64 netns_cookie; /* 0: unknown (before Linux 5.14) */
};

/* The owner of a socket process pid holds. */
static void note(const struct scan *sc, const struct found *f, int pid)
{
	struct bound_key bk = { .netns = sc->netns_cookie,
				.port = f->listen_port, .proto = IPPROTO_TCP };
	struct hdrlog_sock_owner o = { .tgid = pid, .tid = pid, .uid = f->uid,
				       .netns = sc->netns,
				       .how = HDRLOG_OWNER_FOUND };
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, o.comm, sizeof(o.comm) - 1);
		close(fd);
		if (n > 0 && o.comm[n - 1] == '\n')
			o.comm[n - 1] = '\0';
	}
	bpf_map_update_elem(sc->owners_fd, &f->cookie, &o, BPF_NOEXIST);
	if (f->listen_port && sc->netns_cookie)
		bpf_map_update_elem(sc->bound_fd, &bk, &f->cookie, BPF_NOEXIST);
}

/* Every socket a process holds, from its /proc/PID/fd links. */
static int scan_proc(const struct scan *sc, struct found_set *s)
{
	DIR *proc = opendir("/proc"), *fds;
	struct dirent *p, *e;
	char path[600], link[64];
	int added = 0;

	if (!proc)
		return -errno;
	while ((p = readdir(proc))) {
		if (!isdigit((unsigned char)p->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		if (!(fds = opendir(path)))
			continue; /* gone, or not ours to read */
		while ((e = readdir(fds))) {
			struct found key = { 0 }, *f;
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/%s/fd/%s", p->d_name,
				 e->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (sscanf(link, "socket:[%llu]", (unsigned long long *)&key.inode) != 1)
				continue;
			f = bsearch(&key, s->v, s->n, sizeof(*f), by_inode);
			if (f && f->cookie) {
				note(sc, f, atoi(p->d_name));
				f->cookie = 0; /* the first holder found is it */
				added++;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	return added;
}

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

int sock_scan(int owners_fd, int bound_fd)
{
	static const __u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	struct scan sc = { .owners_fd = owners_fd, .bound_fd = bound_fd };
	socklen_t len = sizeof(sc.netns_cookie);
	struct found_set s = { 0 };
	struct stat st;
	int fd, err = 0;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &sc.netns_cookie, &len))
		sc.netns_cookie = 0;
	for (int fam = 0; fam < 2 && !err; fam++)
		for (int i = 0; i < 2 && !err; i++)
			err = diag_dump(fd, fam ? AF_INET6 : AF_INET, protos[i], &s);
	close(fd);
	if (!err && stat("/proc/self/ns/net", &st))
		err = -errno;
	if (!err) {
		qsort(s.v, s.n, sizeof(*s.v), by_inode);
		sc.netns = (__u32)st.st_ino;
		err = scan_proc(&sc, &s);
	}
	free(s.v);
	return err;
}
