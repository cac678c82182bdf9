/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Puts a compiled filter into the kernel's filter maps while the programs
 * run: the idle generation is filled, then made live in one store. */
#ifndef HDRLOG_FILTER_MAPS_H
#define HDRLOG_FILTER_MAPS_H

#include <stdbool.h>
#include <linux/types.h>

#include "filter/filter.h"

struct filter_maps {
	int rules_fd, cidrs_fd, ports_fd; /* the BPF object's maps */
	__u32 *gen;	/* the programs' filter_gen, mmap'ed .bss */
	__u32 live;	/* the generation the programs use */
	int barrier_fd; /* a map of maps; see wait_for_programs() */
	int inner_fd;
};

/* Takes the map fds and the filter_gen pointer (not owned) and creates
 * the barrier maps. Returns 0 or -errno; release with filter_maps_close(). */
int filter_maps_open(struct filter_maps *m, int rules_fd, int cidrs_fd,
		     int ports_fd, __u32 *gen);

/* Makes f the filter the programs use. Until it returns the old filter
 * stays whole in use; on failure it stays in use. Returns 0 or -errno. */
int filter_maps_install(struct filter_maps *m, const struct filter_prog *f);

void filter_maps_close(struct filter_maps *m);

#endif
