// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* hdrlog's attribution programs: in the context of the process that
 * creates or connects a socket, note that process as the socket's owner,
 * by socket cookie (hdrlog/attr.h). The packet programs note the cookie
 * behind a flow; the agent joins the two. cgroup socket hooks on the
 * cgroup2 root, not fentry or kprobes: they need neither ftrace nor
 * kprobes in the kernel, and they cost a map update per socket, never
 * per packet. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "hdrlog/attr.h"

#define AF_INET 2
#define AF_INET6 10

/* Sockets by cookie; the agent sizes it before load and adds the
 * sockets that were there before it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct hdrlog_sock_owner);
} sock_owners SEC(".maps");

/* Bound sockets by network namespace cookie and local port: an accepted
 * connection's socket is made in softirq, where only its listener tells
 * whose it is. */
struct hdrlog_bound_key {
	__u64 netns;
	__u32 port; /* host order */
	__u32 proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct hdrlog_bound_key);
	__type(value, __u64); /* the bound socket's cookie */
} bound_socks SEC(".maps");

/* Notes the current process as the owner of the socket with cookie. */
static __always_inline void note_owner(__u64 cookie, __u8 how)
{
	struct hdrlog_sock_owner o = {};
	__u64 id = bpf_get_current_pid_tgid();
	__u64 ug = bpf_get_current_uid_gid();

	if (!cookie)
		return;
	o.tgid = id >> 32;
	o.tid = (__u32)id;
	o.uid = (__u32)ug;
	o.gid = ug >> 32;
	o.cgroup_id = bpf_get_current_cgroup_id();
	o.how = how;
	bpf_get_current_comm(o.comm, sizeof(o.comm));
	bpf_map_update_elem(&sock_owners, &cookie, &o, BPF_ANY);
}

/* socket(): every IPv4/IPv6 socket a process makes. */
SEC("cgroup/sock_create")
int attr_sock_create(struct bpf_sock *sk)
{
	if (sk->family == AF_INET || sk->family == AF_INET6)
		note_owner(bpf_get_socket_cookie(sk), HDRLOG_OWNER_CREATED);
	return 1; /* allow */
}

/* connect(): the process that connects, which may not be the one that
 * made the socket. */
SEC("cgroup/connect4")
int attr_connect4(struct bpf_sock_addr *ctx)
{
	note_owner(bpf_get_socket_cookie(ctx), HDRLOG_OWNER_CONNECTED);
	return 1;
}

SEC("cgroup/connect6")
int attr_connect6(struct bpf_sock_addr *ctx)
{
	note_owner(bpf_get_socket_cookie(ctx), HDRLOG_OWNER_CONNECTED);
	return 1;
}

/* bind(): remembered by port, for the connections it will accept. */
static __always_inline int note_bound(struct bpf_sock *sk)
{
	struct hdrlog_bound_key k = {
		.netns = bpf_get_netns_cookie(sk),
		.port = sk->src_port,
		.proto = sk->protocol,
	};
	__u64 cookie = bpf_get_socket_cookie(sk);

	bpf_map_update_elem(&bound_socks, &k, &cookie, BPF_ANY);
	return 1;
}

SEC("cgroup/post_bind4")
int attr_post_bind4(struct bpf_sock *sk)
{
	return note_bound(sk);
}

SEC("cgroup/post_bind6")
int attr_post_bind6(struct bpf_sock *sk)
{
	return note_bound(sk);
}

/* A passively opened TCP connection: its socket gets its listener's
 * owner (the process that holds the listener; with several, the one
 * that made it). */
SEC("sockops")
int attr_sockops(struct bpf_sock_ops *skops)
{
	struct hdrlog_bound_key k = { .proto = 6 /* TCP */ };
	struct hdrlog_sock_owner *lo, o;
	__u64 *listener, cookie;

	if (skops->op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
		return 1;
	k.netns = bpf_get_netns_cookie(skops);
	k.port = skops->local_port;
	listener = bpf_map_lookup_elem(&bound_socks, &k);
	if (!listener)
		return 1;
	lo = bpf_map_lookup_elem(&sock_owners, listener);
	if (!lo)
		return 1;
	o = *lo;
	o.how = HDRLOG_OWNER_ACCEPTED;
	cookie = bpf_get_socket_cookie(skops);
	if (cookie)
		bpf_map_update_elem(&sock_owners, &cookie, &o, BPF_ANY);
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
