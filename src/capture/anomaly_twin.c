// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "capture/anomaly_twin.h"

/* A bounded hash table of fixed-size keys and values: open addressing,
 * a few probes; when they are all taken, the least recently used of them
 * gives way, as an entry of the kernel's LRU hash would. Written here:
 * libc has no bounded table, and the kernel's semantics are the point. */
#define PROBES 8

struct table {
	size_t key_size, val_size, val_off, slot_size, cap;
	unsigned char *slots; /* per slot: __u64 last use (0: free), key,
			       * value at val_off (8-byte aligned) */
	__u64 clock;
};

static int table_init(struct table *t, size_t cap, size_t key_size,
		      size_t val_size)
{
	t->key_size = key_size;
	t->val_size = val_size;
	t->val_off = (8 + key_size + 7) & ~(size_t)7;
	t->slot_size = (t->val_off + val_size + 7) & ~(size_t)7;
	t->cap = cap;
	t->slots = calloc(cap, t->slot_size);
	return t->slots ? 0 : -1;
}

static __u32 hash(const void *key, size_t n)
{
	const unsigned char *p = key;
	__u32 h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* The value of key; when new, made zeroed if create (*is_new set),
 * else NULL. */
static void *table_find(struct table *t, const void *key, bool create,
			bool *is_new)
{
	__u32 h = hash(key, t->key_size);
	unsigned char *victim = NULL, *s;
	__u64 oldest = ~0ULL, used;

	*is_new = false;
	for (int i = 0; i < PROBES; i++) {
		s = t->slots + ((h + i) % t->cap) * t->slot_size;
		memcpy(&used, s, 8);
		if (used && !memcmp(s + 8, key, t->key_size)) {
			used = ++t->clock;
			memcpy(s, &used, 8);
			return s + t->val_off;
		}
		if (used < oldest) {
			oldest = used;
			victim = s;
		}
	}
	if (!create)
		return NULL;
	used = ++t->clock;
	memcpy(victim, &used, 8);
	memcpy(victim + 8, key, t->key_size);
	memset(victim + t->val_off, 0, t->val_size);
	*is_new = true;
	return victim + t->val_off;
}

static void *table_get(struct table *t, const void *key, bool *is_new)
{
	return table_find(t, key, true, is_new);
}

struct anomaly_twin {
	struct hdrlog_anomaly_opts o;
	__u64 *stats;
	anomaly_emit_fn emit;
	void *ctx;
	const struct hdrlog_packet_event *pkt; /* the packet being checked */
	int err;
	/* the kernel's maps, at their sizes (bpf/anomaly_track.h) */
	struct table seen, sketches, frags, ttls;
	struct hdrlog_anomaly_event ev;
};

#define ANOMALY_CTX struct anomaly_twin
#include "anomaly.h"

static struct hdrlog_sketch *anomaly_sketch(struct anomaly_twin *a,
					    const struct hdrlog_sketch_key *k,
					    int create)
{
	bool is_new;

	return table_find(&a->sketches, k, create, &is_new);
}

static struct hdrlog_frag_state *anomaly_frag(struct anomaly_twin *a,
					      const struct hdrlog_frag_key *k)
{
	bool is_new;

	return table_get(&a->frags, k, &is_new);
}

static int anomaly_ttl(struct anomaly_twin *a, const struct hdrlog_ttl_key *k,
		       __u8 ttl)
{
	bool is_new;
	__u32 *v = table_get(&a->ttls, k, &is_new);
	int before = is_new ? ttl : (int)(*v & 0xff);

	*v = ttl;
	return before;
}

/* The kernel's anomaly_report(). */
static void anomaly_report(struct anomaly_twin *a, __u8 kind, __u32 value)
{
	const struct hdrlog_packet_event *p = a->pkt;
	struct hdrlog_anomaly_seen *seen;
	struct hdrlog_anomaly_key k;
	bool is_new;
	int err;

	a->stats[HDRLOG_STAT_ANOMALY_PACKETS]++;
	hdrlog_anomaly_key_make(&k, kind, &p->h);
	seen = table_get(&a->seen, &k, &is_new);
	if (!hdrlog_anomaly_window(seen, is_new, p->ts_ns, a->o.window_ns))
		return;
	a->stats[HDRLOG_STAT_ANOMALY_EVENTS]++;
	memset(&a->ev, 0, sizeof(a->ev));
	a->ev.ts_ns = p->ts_ns;
	a->ev.ifindex = p->ifindex;
	a->ev.kind = kind;
	a->ev.value = value;
	a->ev.h = p->h;
	err = a->emit(a->ctx, &a->ev);
	if (err && !a->err)
		a->err = err;
}

int anomaly_twin_packet(struct anomaly_twin *a,
			const struct hdrlog_packet_event *ev)
{
	a->pkt = ev;
	a->err = 0;
	hdrlog_anomaly_packet(a, &ev->h, &a->o, ev->ifindex, ev->hdr.direction,
			      ev->ts_ns);
	return a->err;
}

struct anomaly_twin *anomaly_twin_new(const struct hdrlog_anomaly_opts *o,
				      __u64 *stats, anomaly_emit_fn emit,
				      void *ctx)
{
	struct anomaly_twin *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->o = *o;
	a->stats = stats;
	a->emit = emit;
	a->ctx = ctx;
	if (table_init(&a->seen, HDRLOG_ANOMALY_SEEN_ENTRIES, sizeof(struct hdrlog_anomaly_key),
		       sizeof(struct hdrlog_anomaly_seen)) ||
	    table_init(&a->sketches, HDRLOG_ANOMALY_SKETCH_ENTRIES, sizeof(struct hdrlog_sketch_key),
		       sizeof(struct hdrlog_sketch)) ||
	    table_init(&a->frags, HDRLOG_ANOMALY_FRAG_ENTRIES, sizeof(struct hdrlog_frag_key),
		       sizeof(struct hdrlog_frag_state)) ||
	    table_init(&a->ttls, HDRLOG_ANOMALY_TTL_ENTRIES, sizeof(struct hdrlog_ttl_key),
		       sizeof(__u32))) {
		anomaly_twin_free(a);
		return NULL;
	}
	return a;
}

void anomaly_twin_free(struct anomaly_twin *a)
{
	if (!a)
		return;
	free(a->seen.slots);
	free(a->sketches.slots);
	free(a->frags.slots);
	free(a->ttls.slots);
	free(a);
}
