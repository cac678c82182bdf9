/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef HDRLOG_UTIL_MAP_MEMORY_H
#define HDRLOG_UTIL_MAP_MEMORY_H

#include <linux/types.h>

struct bpf_object;

/* Calls fn (if not NULL) for each map of obj with the bytes the kernel
 * charges it (fdinfo's memlock); returns their sum. One place for every
 * object hdrlog loads, so the summary's total is all of them. */
__u64 map_memory(const struct bpf_object *obj,
		 void (*fn)(const char *map, __u64 bytes));

#endif
