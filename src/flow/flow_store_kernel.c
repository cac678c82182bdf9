// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "flow/flow_store_kernel.h"

struct kernel_store {
	struct flow_store store; /* first: the ops get the maps from it */
	int flows_fd, timelines_fd;
};

static struct kernel_store *of(struct flow_store *s)
{
	return (struct kernel_store *)s;
}

/* The programs go on changing the table meanwhile: a flow that goes
 * between two calls is skipped, one that comes may be missed until the
 * next walk. */
static int each(struct flow_store *s, flow_visit_fn fn, void *ctx)
{
	struct hdrlog_flow_key key, next;
	struct hdrlog_flow_value val;
	void *prev = NULL;
	int err;

	while (!bpf_map_get_next_key(of(s)->flows_fd, prev, &next)) {
		key = next;
		prev = &key;
		memset(&val, 0, sizeof(val)); /* without --http: a shorter value */
		if (bpf_map_lookup_elem(of(s)->flows_fd, &key, &val))
			continue; /* evicted meanwhile */
		if ((err = fn(ctx, &key, &val)))
			return err;
	}
	return 0;
}

static int update(struct flow_store *s, const struct hdrlog_flow_key *k,
		  const struct hdrlog_flow_value *v)
{
	/* the whole value: what a packet of this flow added between the
	 * read and this write is lost from the table's counts, not from
	 * the kernel's packet counters */
	return bpf_map_update_elem(of(s)->flows_fd, k, v, BPF_EXIST) ? -errno : 0;
}

static int get(struct flow_store *s, const struct hdrlog_flow_key *k,
	       struct hdrlog_flow_value *v)
{
	memset(v, 0, sizeof(*v)); /* without --http: a shorter value */
	return bpf_map_lookup_elem(of(s)->flows_fd, k, v) ? -errno : 0;
}

static int remove_flow(struct flow_store *s, const struct hdrlog_flow_key *k,
		       struct hdrlog_flow_value *v)
{
	memset(v, 0, sizeof(*v)); /* without --http: a shorter value */
	return bpf_map_lookup_and_delete_elem(of(s)->flows_fd, k, v) ? -errno : 0;
}

static int timeline(struct flow_store *s, const struct hdrlog_flow_key *k,
		    struct hdrlog_timeline *tl, bool take)
{
	int fd = of(s)->timelines_fd;
	int err = take ? bpf_map_lookup_and_delete_elem(fd, k, tl)
		       : bpf_map_lookup_elem(fd, k, tl);

	return err ? -errno : 0;
}

static const struct flow_store_ops kernel_ops = {
	.each = each,
	.update = update,
	.get = get,
	.remove = remove_flow,
	.timeline = timeline,
};

struct flow_store *flow_store_kernel_new(int flows_fd, int timelines_fd)
{
	struct kernel_store *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->store.ops = &kernel_ops;
	k->flows_fd = flows_fd;
	k->timelines_fd = timelines_fd;
	return &k->store;
}

void flow_store_kernel_free(struct flow_store *s)
{
	free(s ? of(s) : NULL);
}
