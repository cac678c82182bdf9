// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* An endpoint's keys in a record: docs/schema.md, "Keys of {endpoint}".
 * OpenTelemetry resource names (process.*, container.*, k8s.*) under the
 * endpoint's prefix, since a flow has two. */
#include <stdio.h>

#include "attr/attr.h"

static const char *const how_names[] = {
	[HDRLOG_OWNER_CREATED] = "created",
	[HDRLOG_OWNER_CONNECTED] = "connected",
	[HDRLOG_OWNER_ACCEPTED] = "accepted",
	[HDRLOG_OWNER_FOUND] = "found",
};

struct prefixed {
	struct json *j;
	const char *prefix;
	char key[96];
};

static const char *K(struct prefixed *p, const char *name)
{
	snprintf(p->key, sizeof(p->key), "%s.%s", p->prefix, name);
	return p->key;
}

static void str_opt(struct prefixed *p, const char *name, const char *val)
{
	if (val && val[0])
		json_str(p->j, K(p, name), val);
}

static void json_owner(struct prefixed *p, const struct attr_side *s)
{
	const struct hdrlog_sock_owner *o = &s->owner;
	char comm[HDRLOG_COMM_LEN + 1];

	snprintf(comm, sizeof(comm), "%.*s", HDRLOG_COMM_LEN, o->comm);
	json_u64(p->j, K(p, "process.pid"), o->tgid);
	str_opt(p, "process.executable.name", comm);
	str_opt(p, "process.command_line", s->command_line);
	str_opt(p, "process.owner", s->user);
	json_u64(p->j, K(p, "process.user.id"), o->uid);
	if (o->how < sizeof(how_names) / sizeof(how_names[0]) && how_names[o->how])
		json_str(p->j, K(p, "hdrlog.process.seen_at"), how_names[o->how]);
}

void attr_json(struct json *j, const char *prefix, const struct attr_side *s)
{
	struct prefixed p = { .j = j, .prefix = prefix };
	const struct workload *w = &s->wl;

	if (!s->local)
		return;
	if (s->has_owner)
		json_owner(&p, s);
	if (s->cookie)
		json_u64(j, K(&p, "hdrlog.socket.cookie"), s->cookie);
	if (s->netns)
		json_u64(j, K(&p, "hdrlog.netns"), s->netns);
	if (s->cgroup_id)
		json_u64(j, K(&p, "hdrlog.cgroup.id"), s->cgroup_id);
	if (!s->has_workload)
		return;
	str_opt(&p, "hdrlog.cgroup.path", w->cgroup);
	str_opt(&p, "container.id", w->container_id);
	str_opt(&p, "container.runtime", w->runtime);
	str_opt(&p, "k8s.pod.uid", w->pod_uid);
	str_opt(&p, "k8s.pod.name", w->pod_name);
	str_opt(&p, "k8s.namespace.name", w->pod_namespace);
	str_opt(&p, "k8s.container.name", w->container_name);
}
