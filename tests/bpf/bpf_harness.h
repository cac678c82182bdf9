/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the BPF_PROG_TEST_RUN tests share: load the real skeleton, run one
 * packet through one of its programs, collect the events it wrote to the
 * ring buffer, read the per-CPU counters, and print a field-by-field diff
 * of two struct hdrlog_headers.
 *
 * The process pins itself to one CPU so that every run lands on the same
 * per-CPU counters and sequence.
 */
#ifndef HDRLOG_BPF_HARNESS_H
#define HDRLOG_BPF_HARNESS_H

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "hdrlog/events.h" /* before the skeleton: its types */
#include "hdrlog.skel.h"

#define HARNESS_SKIP 77	     /* the runner's exit code for "skipped" */
#define HARNESS_MAX_EVENTS 64 /* events kept by one harness_consume() */

struct harness {
	struct hdrlog_bpf *skel;
	struct ring_buffer *rb;
	int ncpus;	/* possible CPUs: per-CPU map values */
	int cpu;	/* the CPU this process is pinned to */
	__u64 *percpu;	/* ncpus values of one stats lookup */
	/* what the last harness_consume() read */
	struct hdrlog_packet_event ev[HARNESS_MAX_EVENTS];
	int nev;	/* events read (those past HARNESS_MAX_EVENTS dropped) */
	int bad_size;	/* records whose size is not an event's */
};

static int harness_libbpf_print(enum libbpf_print_level level,
				const char *fmt, va_list ap)
{
	if (level > LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int harness_on_event(void *ctx, void *data, size_t size)
{
	struct harness *h = ctx;

	if (size != sizeof(struct hdrlog_packet_event)) {
		h->bad_size++;
		return 0;
	}
	if (h->nev < HARNESS_MAX_EVENTS)
		memcpy(&h->ev[h->nev], data, size);
	h->nev++;
	return 0;
}

static inline void harness_close(struct harness *h)
{
	ring_buffer__free(h->rb);
	hdrlog_bpf__destroy(h->skel);
	free(h->percpu);
	memset(h, 0, sizeof(*h));
}

/* Loads the programs with an events ring buffer of ringbuf_bytes (0: the
 * object's default); setup, if not NULL, sets rodata before the load.
 * Returns 0, HARNESS_SKIP without the privileges to load BPF (after
 * printing "SKIP: ..."), or 1 on any other failure. */
static inline int harness_open_with(struct harness *h, __u32 ringbuf_bytes,
				    void (*setup)(struct hdrlog_bpf *skel))
{
	cpu_set_t set;
	int err;

	memset(h, 0, sizeof(*h));
	if (geteuid() != 0) {
		printf("SKIP: needs root\n");
		return HARNESS_SKIP;
	}
	libbpf_set_print(harness_libbpf_print);

	h->cpu = sched_getcpu();
	if (h->cpu < 0)
		h->cpu = 0;
	CPU_ZERO(&set);
	CPU_SET(h->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "sched_setaffinity(%d): %s\n", h->cpu,
			strerror(errno));
		return 1;
	}
	h->ncpus = libbpf_num_possible_cpus();
	if (h->ncpus <= 0 || h->cpu >= h->ncpus) {
		fprintf(stderr, "cannot count possible CPUs\n");
		return 1;
	}
	h->percpu = calloc(h->ncpus, sizeof(__u64));
	if (!h->percpu)
		return 1;

	h->skel = hdrlog_bpf__open();
	if (!h->skel) {
		fprintf(stderr, "cannot open the BPF object: %s\n",
			strerror(errno));
		goto fail;
	}
	if (ringbuf_bytes &&
	    bpf_map__set_max_entries(h->skel->maps.events, ringbuf_bytes)) {
		fprintf(stderr, "cannot size the ring buffer\n");
		goto fail;
	}
	if (setup)
		setup(h->skel);
	err = hdrlog_bpf__load(h->skel);
	if (err == -EPERM || err == -EACCES) {
		printf("SKIP: needs root (loading BPF: %s)\n", strerror(-err));
		harness_close(h);
		return HARNESS_SKIP;
	}
	if (err) {
		fprintf(stderr, "cannot load the BPF programs: %s\n",
			strerror(-err));
		goto fail;
	}
	h->rb = ring_buffer__new(bpf_map__fd(h->skel->maps.events),
				 harness_on_event, h, NULL);
	if (!h->rb) {
		fprintf(stderr, "cannot set up the ring buffer: %s\n",
			strerror(errno));
		goto fail;
	}
	return 0;
fail:
	harness_close(h);
	return 1;
}

static inline int harness_open(struct harness *h, __u32 ringbuf_bytes)
{
	return harness_open_with(h, ringbuf_bytes, NULL);
}

/* Whether the frame's EtherType says IPv4 or IPv6 but the IP header does
 * not fit. The skb flavour of test_run (Linux 6.18 at least) refuses such
 * frames with -EINVAL before the program runs; XDP's still takes them. */
static inline bool harness_ip_header_cut(const __u8 *frame, __u32 len)
{
	__u16 proto = frame[12] << 8 | frame[13];

	if (proto == 0x0800) /* ETH_P_IP */
		return len < 14 + 20;
	if (proto == 0x86dd) /* ETH_P_IPV6 */
		return len < 14 + 40;
	return false;
}

/* Runs data[0..size) once through prog. skb, if not NULL, is the tc
 * program's context (struct __sk_buff). Returns 0 with *retval set, or a
 * negative errno from BPF_PROG_TEST_RUN. */
static inline int harness_run(struct bpf_program *prog, const void *data,
			      __u32 size, struct __sk_buff *skb, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = data,
		.data_size_in = size,
		.repeat = 1,
	);
	int err;

	if (skb) {
		opts.ctx_in = skb;
		opts.ctx_size_in = sizeof(*skb);
		opts.ctx_out = skb;
		opts.ctx_size_out = sizeof(*skb);
	}
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	if (err)
		return err < 0 ? err : -errno;
	*retval = opts.retval;
	return 0;
}

/* Reads every event waiting in the ring buffer into h->ev. Returns how
 * many, or a negative errno. */
static inline int harness_consume(struct harness *h)
{
	int err;

	h->nev = 0;
	h->bad_size = 0;
	err = ring_buffer__consume(h->rb);
	if (err < 0)
		return err;
	return h->nev;
}

/* Counter idx of one CPU (cpu < 0: summed over all). Returns 0 on a
 * lookup failure, after saying so. */
static inline __u64 harness_stat(struct harness *h, __u32 idx, int cpu)
{
	__u64 sum = 0;
	int i;

	if (bpf_map_lookup_elem(bpf_map__fd(h->skel->maps.stats), &idx,
				h->percpu)) {
		fprintf(stderr, "stats lookup %u: %s\n", idx, strerror(errno));
		return 0;
	}
	if (cpu >= 0)
		return h->percpu[cpu];
	for (i = 0; i < h->ncpus; i++)
		sum += h->percpu[i];
	return sum;
}

/* Every field of struct hdrlog_headers, for diffs: bytes arrays print as
 * hex, the rest as host-order numbers. */
struct harness_field {
	const char *name;
	size_t off, size;
	bool bytes;
};

#define HARNESS_NUM(f) { #f, offsetof(struct hdrlog_headers, f), \
			 sizeof(((struct hdrlog_headers *)0)->f), false }
#define HARNESS_BYTES(f) { #f, offsetof(struct hdrlog_headers, f), \
			   sizeof(((struct hdrlog_headers *)0)->f), true }

static const struct harness_field harness_fields[] = {
	HARNESS_NUM(layers), HARNESS_NUM(truncated), HARNESS_NUM(error),
	HARNESS_NUM(vlan_depth), HARNESS_NUM(ext_count),
	HARNESS_BYTES(dst_mac), HARNESS_BYTES(src_mac), HARNESS_NUM(eth_proto),
	HARNESS_NUM(hw_vlan.tpid), HARNESS_NUM(hw_vlan.tci),
	HARNESS_NUM(vlan[0].tpid), HARNESS_NUM(vlan[0].tci),
	HARNESS_NUM(vlan[1].tpid), HARNESS_NUM(vlan[1].tci),
	/* ARP's fields share these bytes (a union): named as the quote */
	HARNESS_BYTES(quote.saddr), HARNESS_BYTES(quote.daddr),
	HARNESS_NUM(quote.sport), HARNESS_NUM(quote.dport),
	HARNESS_NUM(quote.proto), HARNESS_NUM(quote._pad),
	HARNESS_BYTES(saddr), HARNESS_BYTES(daddr), HARNESS_NUM(ip_proto),
	HARNESS_NUM(ttl), HARNESS_NUM(tos), HARNESS_NUM(ip_flags),
	HARNESS_NUM(ip_hdr_len), HARNESS_NUM(ip_len), HARNESS_NUM(ip_id),
	HARNESS_NUM(frag_off), HARNESS_NUM(flow_label), HARNESS_NUM(frag_id),
	HARNESS_BYTES(ext_chain),
	HARNESS_NUM(sport), HARNESS_NUM(dport), HARNESS_NUM(tcp_seq),
	HARNESS_NUM(tcp_ack), HARNESS_NUM(tcp_window), HARNESS_NUM(tcp_flags),
	HARNESS_NUM(tcp_hdr_len), HARNESS_NUM(tcp_mss), HARNESS_NUM(tcp_wscale),
	HARNESS_NUM(tcp_opts), HARNESS_NUM(tcp_tsval), HARNESS_NUM(tcp_tsecr),
	HARNESS_NUM(udp_len), HARNESS_NUM(icmp_type), HARNESS_NUM(icmp_code),
	HARNESS_NUM(icmp_id), HARNESS_NUM(icmp_seq), HARNESS_NUM(payload_len),
	HARNESS_NUM(payload_off),
	HARNESS_NUM(tunnel.type), HARNESS_NUM(tunnel.flags),
	HARNESS_NUM(tunnel.outer_family), HARNESS_NUM(tunnel.outer_ttl),
	HARNESS_NUM(tunnel.inner_proto), HARNESS_NUM(tunnel.opt_len),
	HARNESS_NUM(tunnel.outer_tos), HARNESS_NUM(tunnel.id),
	HARNESS_NUM(tunnel.gre_seq), HARNESS_NUM(tunnel.outer_sport),
	HARNESS_NUM(tunnel.outer_dport), HARNESS_BYTES(tunnel.outer_saddr),
	HARNESS_BYTES(tunnel.outer_daddr), HARNESS_BYTES(tunnel.outer_src_mac),
	HARNESS_BYTES(tunnel.outer_dst_mac),
};

/* Whether harness_fields still covers the struct byte for byte: a field
 * added to events.h must be added above, or diffs would hide it. */
static inline bool harness_fields_complete(void)
{
	size_t i, n = 0;

	for (i = 0; i < sizeof(harness_fields) / sizeof(harness_fields[0]); i++)
		n += harness_fields[i].size;
	return n == sizeof(struct hdrlog_headers);
}

static inline void harness_print_field(FILE *f, const void *p, size_t size,
				       bool bytes)
{
	const __u8 *b = p;
	__u32 v32;
	__u16 v16;
	size_t i;

	if (bytes) {
		for (i = 0; i < size; i++)
			fprintf(f, "%02x", b[i]);
		return;
	}
	switch (size) {
	case 1:
		fprintf(f, "%u", b[0]);
		break;
	case 2:
		memcpy(&v16, p, 2);
		fprintf(f, "%u (0x%x)", v16, v16);
		break;
	default:
		memcpy(&v32, p, 4);
		fprintf(f, "%u (0x%x)", v32, v32);
		break;
	}
}

/* Prints "  field: <a_name> X, <b_name> Y" for every field that differs.
 * Returns how many differ. */
static inline int harness_diff(FILE *f, const char *a_name,
			       const struct hdrlog_headers *a,
			       const char *b_name,
			       const struct hdrlog_headers *b)
{
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof(harness_fields) / sizeof(harness_fields[0]); i++) {
		const struct harness_field *fl = &harness_fields[i];
		const __u8 *pa = (const __u8 *)a + fl->off;
		const __u8 *pb = (const __u8 *)b + fl->off;

		if (!memcmp(pa, pb, fl->size))
			continue;
		n++;
		fprintf(f, "    %-12s %s ", fl->name, a_name);
		harness_print_field(f, pa, fl->size, fl->bytes);
		fprintf(f, ", %s ", b_name);
		harness_print_field(f, pb, fl->size, fl->bytes);
		fputc('\n', f);
	}
	return n;
}

#endif /* HDRLOG_BPF_HARNESS_H */
