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
#include <bpf/bpf_endian.h>

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
 * whose it is. A host's listeners and bound UDP sockets, not its
 * connections (connect()'s port is not a bind): 2048, the oldest bind
 * going first when more come. */
struct hdrlog_bound_key {
	__u64 netns;
	__u32 port; /* host order */
	__u32 proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 2048);
	__type(key, struct hdrlog_bound_key);
	__type(value, __u64); /* the bound socket's cookie */
} bound_socks SEC(".maps");

/* TCP endpoints by flow key and side, in every namespace; the agent
 * sizes it like the flow table. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct hdrlog_tuple_key);
	__type(value, struct hdrlog_tuple_sock);
} tuple_socks SEC(".maps");

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

/* The connection's endpoint in tuple_socks: the flow key the packet
 * programs make (kernel_user/flow_update.h: the smaller address and port
 * is endpoint a; IPv4 in the first 4 bytes, the rest zero). */
static __always_inline void note_tuple(struct bpf_sock_ops *skops, __u64 cookie)
{
	struct hdrlog_tuple_sock ts = {
		.cookie = cookie,
		.netns_cookie = bpf_get_netns_cookie(skops),
		.since_ns = bpf_ktime_get_boot_ns(),
	};
	struct hdrlog_tuple_key k = {};
	__u32 l[4] = {}, r[4] = {}; /* network order */
	__u16 lport = skops->local_port, rport = bpf_ntohl(skops->remote_port);
	int c = 0;

	k.flow.proto = 6;
	if (skops->family == AF_INET) {
		k.flow.family = 4;
		l[0] = skops->local_ip4; /* ctx fields: 32-bit loads only */
		r[0] = skops->remote_ip4;
	} else if (skops->family == AF_INET6) {
		k.flow.family = 6;
		l[0] = skops->local_ip6[0], l[1] = skops->local_ip6[1];
		l[2] = skops->local_ip6[2], l[3] = skops->local_ip6[3];
		r[0] = skops->remote_ip6[0], r[1] = skops->remote_ip6[1];
		r[2] = skops->remote_ip6[2], r[3] = skops->remote_ip6[3];
		/* a dual-stack socket's IPv4 peer (::ffff:a.b.c.d): the
		 * packets, and so the flow key, are IPv4 */
		if (!l[0] && !l[1] && l[2] == bpf_htonl(0xffff)) {
			k.flow.family = 4;
			l[0] = l[3], r[0] = r[3];
			l[1] = l[2] = l[3] = r[1] = r[2] = r[3] = 0;
		}
	} else {
		return;
	}
	for (int i = 0; i < 16 && !c; i++) {
		__u8 x = ((__u8 *)l)[i], y = ((__u8 *)r)[i];

		c = x < y ? -1 : x > y;
	}
	k.side = !(c < 0 || (c == 0 && lport <= rport)); /* 0: local is a */
	__builtin_memcpy(k.flow.addr_a, k.side ? r : l, 16);
	__builtin_memcpy(k.flow.addr_b, k.side ? l : r, 16);
	k.flow.port_a = k.side ? rport : lport;
	k.flow.port_b = k.side ? lport : rport;
	bpf_map_update_elem(&tuple_socks, &k, &ts, BPF_ANY);
}

/* A TCP connection established: its endpoint by tuple; and a passively
 * opened one's socket gets its listener's owner (the process that holds
 * the listener; with several, the one that made it). */
SEC("sockops")
int attr_sockops(struct bpf_sock_ops *skops)
{
	struct hdrlog_bound_key k = { .proto = 6 /* TCP */ };
	struct hdrlog_sock_owner *lo, o;
	__u64 *listener, cookie;

	if (skops->op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB &&
	    skops->op != BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB)
		return 1;
	cookie = bpf_get_socket_cookie(skops);
	note_tuple(skops, cookie);
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
	if (cookie)
		bpf_map_update_elem(&sock_owners, &cookie, &o, BPF_ANY);
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
