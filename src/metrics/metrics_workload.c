// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The pipeline's thread adds, the /metrics thread renders: a series is
 * filled in before the count that publishes it (release/acquire), and
 * never changes after, so the reader needs no lock. Series are looked up
 * by a linear scan: 128 of them, once per flow record. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "metrics/metrics_workload.h"

#define LABEL_LEN 64

struct series {
	char side[16], process[LABEL_LEN], runtime[LABEL_LEN], ns[LABEL_LEN];
	atomic_ullong flows;
};

static struct {
	struct series s[WORKLOAD_SERIES + 1]; /* last: every label "other" */
	atomic_int n;
} W;

static const char *or_none(const char *v)
{
	return v && v[0] ? v : "";
}

static bool same(const struct series *s, const char *side, const char *process,
		 const char *runtime, const char *ns)
{
	return !strcmp(s->side, side) && !strcmp(s->process, process) &&
	       !strcmp(s->runtime, runtime) && !strcmp(s->ns, ns);
}

void metrics_workload_flow(const char *side, const char *process,
			   const char *runtime, const char *k8s_namespace)
{
	int n = atomic_load_explicit(&W.n, memory_order_relaxed);
	struct series *s;

	process = or_none(process);
	runtime = or_none(runtime);
	k8s_namespace = or_none(k8s_namespace);
	for (int i = 0; i < n; i++)
		if (same(&W.s[i], side, process, runtime, k8s_namespace)) {
			atomic_fetch_add_explicit(&W.s[i].flows, 1, memory_order_relaxed);
			return;
		}
	s = &W.s[n < WORKLOAD_SERIES ? n : WORKLOAD_SERIES];
	if (n < WORKLOAD_SERIES) {
		snprintf(s->side, sizeof(s->side), "%s", side);
		snprintf(s->process, sizeof(s->process), "%s", process);
		snprintf(s->runtime, sizeof(s->runtime), "%s", runtime);
		snprintf(s->ns, sizeof(s->ns), "%s", k8s_namespace);
		atomic_store_explicit(&s->flows, 1, memory_order_relaxed);
		atomic_store_explicit(&W.n, n + 1, memory_order_release);
		return;
	}
	atomic_fetch_add_explicit(&s->flows, 1, memory_order_relaxed);
}

/* A label value in the exposition format's quoting. */
static void label(struct strbuf *sb, const char *name, const char *v, bool comma)
{
	sb_printf(sb, "%s%s=\"", comma ? "," : "", name);
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			sb_putc(sb, '\\');
		if (*v == '\n')
			sb_puts(sb, "\\n");
		else
			sb_putc(sb, *v);
	}
	sb_putc(sb, '"');
}

static void render_one(struct strbuf *sb, const struct series *s, bool other)
{
	unsigned long long v = atomic_load_explicit(&s->flows, memory_order_relaxed);

	if (!v)
		return;
	sb_puts(sb, "hdrlog_workload_flows_total{");
	label(sb, "side", other ? "other" : s->side, false);
	label(sb, "process", other ? "other" : s->process, true);
	label(sb, "container_runtime", other ? "other" : s->runtime, true);
	label(sb, "k8s_namespace", other ? "other" : s->ns, true);
	sb_printf(sb, "} %llu\n", v);
}

void metrics_workload_render(struct strbuf *sb)
{
	int n = atomic_load_explicit(&W.n, memory_order_acquire);

	if (!n)
		return;
	sb_puts(sb, "# HELP hdrlog_workload_flows_total Flow records with a local "
		    "endpoint, by that endpoint's side, command name, container "
		    "runtime and Kubernetes namespace (\"\": not known).\n"
		    "# TYPE hdrlog_workload_flows_total counter\n");
	for (int i = 0; i < n; i++)
		render_one(sb, &W.s[i], false);
	render_one(sb, &W.s[WORKLOAD_SERIES], true);
}

void metrics_workload_reset(void)
{
	memset(&W, 0, sizeof(W));
}
