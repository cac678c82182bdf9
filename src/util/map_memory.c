// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <bpf/libbpf.h>

#include "util/map_memory.h"

/* What the kernel charges a map: "memlock:" of its fdinfo. */
static __u64 map_memlock(int fd)
{
	char path[64], line[128];
	unsigned long long v = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (!(fp = fopen(path, "r")))
		return 0;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	fclose(fp);
	return v;
}

__u64 map_memory(const struct bpf_object *obj,
		 void (*fn)(const char *map, __u64 bytes))
{
	struct bpf_map *m;
	__u64 sum = 0, b;

	bpf_object__for_each_map(m, obj) {
		b = map_memlock(bpf_map__fd(m));
		sum += b;
		if (fn)
			fn(bpf_map__name(m), b);
	}
	return sum;
}
