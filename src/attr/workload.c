// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Container and pod ids from a cgroup path. The runtimes name their
 * cgroups by convention only (no library reads them), so this is done by
 * hand: each rule below is one runtime's documented naming. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "attr/workload.h"

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

/* s (len bytes) is a 64-hex-digit id (lower case) and then suffix. */
static bool id64_at(const char *s, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);

	return len == 64 + sl && all_hex(s, 64) && !memcmp(s + 64, suffix, sl);
}

struct rule {
	const char *prefix; /* of the component */
	const char *suffix; /* after the id */
	const char *runtime;
};

/* systemd cgroup driver names (and docker's cgroupfs "docker/ID" below). */
static const struct rule rules[] = {
	{ "docker-", ".scope", "docker" },
	{ "cri-containerd-", ".scope", "containerd" },
	{ "crio-", ".scope", "cri-o" },
	{ "libpod-", ".scope", "podman" },
};

/* One path component c (length n; parent: the component before it, or
 * ""): a container id and runtime, if it names one. */
static void component_container(struct workload *w, const char *c, size_t n,
				const char *parent, size_t pn)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		size_t pl = strlen(rules[i].prefix);

		if (n > pl && !memcmp(c, rules[i].prefix, pl) &&
		    id64_at(c + pl, n - pl, rules[i].suffix)) {
			memcpy(w->container_id, c + pl, 64);
			w->container_id[64] = '\0';
			w->runtime = rules[i].runtime;
			return;
		}
	}
	/* cgroupfs driver: .../docker/ID, .../pod<uid>/ID (the runtime
	 * unsaid), containerd's /NAMESPACE/ID */
	if (id64_at(c, n, "")) {
		memcpy(w->container_id, c, 64);
		w->container_id[64] = '\0';
		w->runtime = pn == 6 && !memcmp(parent, "docker", 6) ? "docker"
			     : pn == 6 && !memcmp(parent, "libpod", 6) ? "podman"
			     : NULL;
		return;
	}
	if (n > 14 && !memcmp(c, "machine-", 8) &&
	    !memcmp(c + n - 6, ".scope", 6) && n - 14 < WORKLOAD_ID_MAX) {
		snprintf(w->container_id, sizeof(w->container_id), "%.*s",
			 (int)(n - 14), c + 8);
		w->runtime = "systemd-nspawn";
	}
}

/* "pod" and a UUID in c (systemd driver: kubepods-...-pod<uid with
 * underscores>.slice; cgroupfs: pod<uid>). */
static bool component_pod(struct workload *w, const char *c, size_t n)
{
	const char *p = NULL;

	for (size_t i = 0; i + 3 < n; i++)
		if (!memcmp(c + i, "pod", 3))
			p = c + i + 3;
	if (!p || (size_t)(c + n - p) < 36)
		return false;
	for (int i = 0; i < 36; i++) {
		char ch = p[i] == '_' ? '-' : p[i];

		if (i == 8 || i == 13 || i == 18 || i == 23 ? ch != '-'
							    : !isxdigit((unsigned char)ch))
			return false;
		w->pod_uid[i] = (char)tolower((unsigned char)ch);
	}
	w->pod_uid[36] = '\0';
	return true;
}

void workload_parse(struct workload *w)
{
	const char *s = w->cgroup, *parent = "";
	size_t pn = 0;
	bool kube = strstr(s, "kubepods") != NULL;

	w->container_id[0] = w->pod_uid[0] = '\0';
	w->runtime = NULL;
	while (*s) {
		const char *c = s + strspn(s, "/");
		size_t n = strcspn(c, "/");

		if (!n)
			break;
		if (kube)
			component_pod(w, c, n);
		/* the deepest container wins: a container in a container */
		if (strncmp(c, "crio-conmon-", 12) && strncmp(c, "libpod-conmon-", 14))
			component_container(w, c, n, parent, pn);
		parent = c;
		pn = n;
		s = c + n;
	}
}
