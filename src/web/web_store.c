// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "flow/flow_id.h"
#include "web/web_store.h"

struct web_store *web_store_new(__u64 epoch_off)
{
	struct web_store *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->epoch_off = epoch_off;
	s->ended = calloc(WEB_ENDED_MAX, sizeof(*s->ended));
	s->http = calloc(WEB_HTTP_MAX, sizeof(*s->http));
	s->topo = calloc(WEB_TOPO_MAX, sizeof(*s->topo));
	if (!s->ended || !s->http || !s->topo) {
		web_store_free(s);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->changed, NULL);
	web_store_local_refresh(s);
	return s;
}

void web_store_free(struct web_store *s)
{
	if (!s)
		return;
	if (s->http)
		for (size_t i = 0; i < WEB_HTTP_MAX; i++)
			free(s->http[i].json);
	free(s->http);
	free(s->topo);
	free(s->ended);
	free(s->live);
	free(s->next);
	pthread_cond_destroy(&s->changed);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static __u64 last_ns(const struct hdrlog_flow_value *v)
{
	return v->dir[0].last_ns > v->dir[1].last_ns ? v->dir[0].last_ns
						     : v->dir[1].last_ns;
}

/* Fills w from a flow of the table (or its end). */
static void flow_fill(const struct web_store *s, struct web_flow *w,
		      const struct hdrlog_flow_key *k,
		      const struct hdrlog_flow_value *v,
		      const struct hdrlog_timeline *tl)
{
	w->key = *k;
	w->val = *v;
	w->has_tl = tl != NULL;
	if (tl)
		w->tl = *tl;
	w->id = flow_key_id(k);
	w->start_ns = flow_first_ns(v) + s->epoch_off;
	w->last_ns = last_ns(v) + s->epoch_off;
	w->ifname[0] = '\0';
	w->http_txns = 0;
	w->reason = 0;
}

void web_store_flow_ended(struct web_store *s, const struct flow_end *fe,
			  const char *ifname)
{
	struct web_flow *w;

	if (fe->reason == HDRLOG_FLOW_END_ACTIVE)
		return; /* it goes on: the sweeps show it live */
	pthread_mutex_lock(&s->lock);
	w = &s->ended[s->n_ended % WEB_ENDED_MAX];
	flow_fill(s, w, fe->key, fe->val, fe->timeline);
	w->live = false;
	w->reason = fe->reason;
	w->http_txns = fe->http_txns;
	if (ifname)
		snprintf(w->ifname, sizeof(w->ifname), "%s", ifname);
	s->n_ended++;
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->lock);
}

void web_store_http(struct web_store *s, const struct web_http *h,
		    const char *json, size_t len)
{
	struct web_http *slot;
	char *copy;

	if (len && json[len - 1] == '\n')
		len--;
	copy = malloc(len + 1);
	if (!copy)
		return; /* counted as dropped: its seq is never filled */
	memcpy(copy, json, len);
	copy[len] = '\0';
	pthread_mutex_lock(&s->lock);
	slot = &s->http[s->n_http % WEB_HTTP_MAX];
	free(slot->json);
	*slot = *h;
	slot->seq = ++s->n_http;
	slot->json = copy;
	slot->len = len;
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->lock);
}

void web_store_topology(struct web_store *s, const struct web_edge *e)
{
	pthread_mutex_lock(&s->lock);
	s->topo[s->n_topo++ % WEB_TOPO_MAX] = *e;
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->lock);
}

void web_store_live_begin(void *store)
{
	struct web_store *s = store;

	s->n_next = 0;
	s->over_next = 0;
}

void web_store_live_flow(void *store, const struct hdrlog_flow_key *k,
			 const struct hdrlog_flow_value *v,
			 const struct hdrlog_timeline *tl)
{
	struct web_store *s = store;
	struct web_flow *w;

	if (s->n_next == s->cap_next) {
		size_t cap = s->cap_next ? 2 * s->cap_next : 256;
		void *m;

		if (cap > WEB_LIVE_MAX)
			cap = WEB_LIVE_MAX;
		if (s->n_next == cap ||
		    !(m = realloc(s->next, cap * sizeof(*s->next)))) {
			s->over_next++;
			return;
		}
		s->next = m;
		s->cap_next = cap;
	}
	w = &s->next[s->n_next++];
	flow_fill(s, w, k, v, tl);
	w->live = true;
}

void web_store_live_end(void *store)
{
	struct web_store *s = store;
	struct web_flow *f;
	size_t cap;

	pthread_mutex_lock(&s->lock);
	f = s->live, s->live = s->next, s->next = f;
	cap = s->cap_live, s->cap_live = s->cap_next, s->cap_next = cap;
	s->n_live = s->n_next;
	s->live_over = s->over_next;
	s->sweeps++;
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->lock);
	if (s->sweeps % 10 == 1) /* interfaces change seldom */
		web_store_local_refresh(s);
}

void web_store_local_refresh(struct web_store *s)
{
	struct web_addr found[WEB_LOCAL_MAX];
	struct ifaddrs *ifa, *i;
	int n = 0;

	if (getifaddrs(&ifa))
		return;
	for (i = ifa; i && n < WEB_LOCAL_MAX; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			found[n].v6 = false;
			memset(found[n].addr, 0, 16);
			memcpy(found[n++].addr,
			       &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			found[n].v6 = true;
			memcpy(found[n++].addr,
			       &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
		}
	}
	freeifaddrs(ifa);
	pthread_mutex_lock(&s->lock);
	memcpy(s->local, found, n * sizeof(found[0]));
	s->n_local = n;
	pthread_mutex_unlock(&s->lock);
}

void web_store_lock(struct web_store *s)
{
	pthread_mutex_lock(&s->lock);
}

void web_store_unlock(struct web_store *s)
{
	pthread_mutex_unlock(&s->lock);
}

const struct web_flow *web_store_ended(const struct web_store *s, __u64 i)
{
	__u64 held = s->n_ended < WEB_ENDED_MAX ? s->n_ended : WEB_ENDED_MAX;

	if (i >= held)
		return NULL;
	return &s->ended[(s->n_ended - 1 - i) % WEB_ENDED_MAX];
}

const struct web_edge *web_store_edge(const struct web_store *s, __u64 i)
{
	__u64 held = s->n_topo < WEB_TOPO_MAX ? s->n_topo : WEB_TOPO_MAX;

	if (i >= held)
		return NULL;
	return &s->topo[(s->n_topo - 1 - i) % WEB_TOPO_MAX];
}

const struct web_http *web_store_http_at(const struct web_store *s, __u64 seq)
{
	const struct web_http *h;

	if (!seq || seq > s->n_http || s->n_http - seq >= WEB_HTTP_MAX)
		return NULL;
	h = &s->http[(seq - 1) % WEB_HTTP_MAX];
	return h->seq == seq ? h : NULL;
}

__u64 web_store_ended_dropped(const struct web_store *s)
{
	return s->n_ended > WEB_ENDED_MAX ? s->n_ended - WEB_ENDED_MAX : 0;
}

__u64 web_store_http_dropped(const struct web_store *s)
{
	return s->n_http > WEB_HTTP_MAX ? s->n_http - WEB_HTTP_MAX : 0;
}

bool web_store_is_local(const struct web_store *s, bool v6, const __u8 *addr)
{
	for (int i = 0; i < s->n_local; i++)
		if (s->local[i].v6 == v6 &&
		    !memcmp(s->local[i].addr, addr, v6 ? 16 : 4))
			return true;
	return false;
}

void web_store_wait(struct web_store *s, unsigned ms)
{
	struct timespec ts;

	if (s->stopping)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&s->changed, &s->lock, &ts);
}

void web_store_stop(struct web_store *s)
{
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->lock);
}
