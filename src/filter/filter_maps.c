// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Two generations of the filter live in the maps; the programs read the
 * generation number once per packet and use only that generation's rules
 * and sets. A swap fills the idle generation, flips the number, and then
 * waits until no program can still be using the old one, so that the
 * next swap may clear it.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "filter/filter_maps.h"
#include "util/log.h"

int filter_maps_open(struct filter_maps *m, int rules_fd, int cidrs_fd,
		     int ports_fd, __u32 *gen)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	int err;

	memset(m, 0, sizeof(*m));
	m->rules_fd = rules_fd;
	m->cidrs_fd = cidrs_fd;
	m->ports_fd = ports_fd;
	m->gen = gen;
	m->live = *gen & 1;
	m->barrier_fd = -1;
	m->inner_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "hdrlog_bar_in", 4, 4, 1, NULL);
	if (m->inner_fd < 0)
		return -errno;
	opts.inner_map_fd = m->inner_fd;
	m->barrier_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "hdrlog_barrier",
				       4, 4, 1, &opts);
	if (m->barrier_fd < 0) {
		err = -errno;
		filter_maps_close(m);
		return err;
	}
	return 0;
}

/*
 * Returns once every BPF program that was running has finished. The
 * kernel waits for an RCU grace period after a syscall update of a map
 * of maps, so that user space knows programs see the new inner map
 * (maybe_wait_bpf_programs() in kernel/bpf/syscall.c); hdrlog's programs
 * are not sleepable, so that covers them. libbpf has no call for it.
 */
static int wait_for_programs(struct filter_maps *m)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(m->barrier_fd, &zero, &m->inner_fd, BPF_ANY))
		return -errno;
	return 0;
}

static bool in_generation(const struct hdrlog_filter_cidr_key *k, __u32 gen)
{
	return k->slot / HDRLOG_FILTER_MAX_SETS == gen;
}

/* Deletes generation gen's prefixes from the LPM trie. */
static int clear_cidrs(struct filter_maps *m, __u32 gen)
{
	struct hdrlog_filter_cidr_key key, next;
	void *prev = NULL;

	/* deleting while walking restarts the walk, so walk, then delete
	 * the key behind us */
	while (!bpf_map_get_next_key(m->cidrs_fd, prev, &next)) {
		if (prev && in_generation(&key, gen) &&
		    bpf_map_delete_elem(m->cidrs_fd, &key) && errno != ENOENT)
			return -errno;
		key = next;
		prev = &key;
	}
	if (errno != ENOENT)
		return -errno;
	if (prev && in_generation(&key, gen) &&
	    bpf_map_delete_elem(m->cidrs_fd, &key) && errno != ENOENT)
		return -errno;
	return 0;
}

static int fill_generation(struct filter_maps *m, __u32 gen,
			   const struct filter_prog *f)
{
	__u8 one = 1;
	int i;

	for (i = 0; i < f->n_cidrs; i++) {
		const struct filter_cidr *c = &f->cidrs[i];
		struct hdrlog_filter_cidr_key k = {
			.prefixlen = HDRLOG_FILTER_CIDR_KEY_BITS + c->prefix_len,
			.slot = gen * HDRLOG_FILTER_MAX_SETS + c->set,
			.family = c->family,
		};

		memcpy(k.addr, c->addr, sizeof(k.addr));
		if (bpf_map_update_elem(m->cidrs_fd, &k, &one, BPF_ANY))
			return -errno;
	}
	for (i = 0; i < HDRLOG_FILTER_MAX_SETS; i++) {
		__u32 slot = gen * HDRLOG_FILTER_MAX_SETS + i;

		if (bpf_map_update_elem(m->ports_fd, &slot, &f->ports[i], BPF_ANY))
			return -errno;
	}
	if (bpf_map_update_elem(m->rules_fd, &gen, &f->rules, BPF_ANY))
		return -errno;
	return 0;
}

int filter_maps_install(struct filter_maps *m, const struct filter_prog *f)
{
	__u32 idle = m->live ^ 1;
	int err;

	err = clear_cidrs(m, idle);
	if (!err)
		err = fill_generation(m, idle, f);
	if (err) {
		pr_warn("cannot load the filter into the kernel: %s; the previous "
			"filter stays\n", strerror(-err));
		return err;
	}
	__atomic_store_n(m->gen, idle, __ATOMIC_RELEASE);
	m->live = idle;
	/* once no program can hold the old generation, the next swap may
	 * clear it; a program runs for microseconds, so a pause will do
	 * where the barrier fails */
	if (wait_for_programs(m))
		usleep(100 * 1000);
	return 0;
}

void filter_maps_close(struct filter_maps *m)
{
	if (m->barrier_fd >= 0)
		close(m->barrier_fd);
	if (m->inner_fd >= 0)
		close(m->inner_fd);
	m->barrier_fd = m->inner_fd = -1;
}
