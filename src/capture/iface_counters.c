// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>

#include "capture/iface_counters.h"

static int read_u64(const char *name, const char *file, __u64 *out)
{
	char path[96 + IF_NAMESIZE];
	uint64_t v;
	FILE *fp;
	int ok;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", name, file);
	fp = fopen(path, "r");
	if (!fp)
		return -errno;
	ok = fscanf(fp, "%" SCNu64, &v) == 1;
	fclose(fp);
	if (!ok)
		return -EIO;
	*out = v;
	return 0;
}

int iface_counters_read(const char *name, int ifindex,
			struct iface_counters *out)
{
	__u64 idx;
	int err;

	/* sysfs of another namespace may name another interface alike */
	if ((err = read_u64(name, "ifindex", &idx)))
		return err;
	if (idx != (__u64)ifindex)
		return -ENOENT;
	if ((err = read_u64(name, "statistics/rx_packets", &out->rx_packets)) ||
	    (err = read_u64(name, "statistics/tx_packets", &out->tx_packets)) ||
	    (err = read_u64(name, "statistics/rx_dropped", &out->rx_dropped)))
		return err;
	return 0;
}
