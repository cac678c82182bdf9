// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Pod and container names without the API server: the kubelet names a
 * pod's log directory NAMESPACE_NAME_UID and each container's CONTAINER
 * below it, and links /var/log/containers/POD_NAMESPACE_CONTAINER-ID.log
 * to the logs. Namespaces, pod and container names are DNS labels or
 * subdomains, never with '_', so the names split at the underscores. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "attr/workload.h"

/* The directory of pod_uid in pod_logs: its name into dir. */
static bool find_pod_dir(const char *pod_logs, const char *uid, char *dir,
			 size_t len)
{
	size_t ul = strlen(uid);
	struct dirent *de;
	bool found = false;
	DIR *d = opendir(pod_logs);

	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		found = n > ul + 3 && de->d_name[n - ul - 1] == '_' &&
			!strcmp(de->d_name + n - ul, uid) && n < len;
		if (found)
			memcpy(dir, de->d_name, n + 1);
	}
	closedir(d);
	return found;
}

/* The only container directory of a pod; false when there are several. */
static bool only_container(const char *pod_dir, struct workload *w)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(pod_dir);

	if (!d)
		return false;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && de->d_type == DT_DIR && n++ == 0)
			snprintf(w->container_name, sizeof(w->container_name),
				 "%.*s", (int)sizeof(w->container_name) - 1,
				 de->d_name);
	closedir(d);
	if (n != 1)
		w->container_name[0] = '\0';
	return n == 1;
}

/* CONTAINER of POD_NAMESPACE_CONTAINER-ID.log beside the pods directory. */
static void container_by_id(const char *pod_logs, struct workload *w)
{
	char dir[WORKLOAD_PATH_MAX], prefix[2 * WORKLOAD_NAME_MAX + 2];
	char suffix[WORKLOAD_ID_MAX + 8];
	size_t pl, sl;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s", pod_logs);
	snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/../containers");
	pl = (size_t)snprintf(prefix, sizeof(prefix), "%s_%s_", w->pod_name,
			      w->pod_namespace);
	sl = (size_t)snprintf(suffix, sizeof(suffix), "-%s.log", w->container_id);
	if (!(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n > pl + sl && !strncmp(de->d_name, prefix, pl) &&
		    !strcmp(de->d_name + n - sl, suffix) &&
		    n - pl - sl < sizeof(w->container_name)) {
			snprintf(w->container_name, sizeof(w->container_name),
				 "%.*s", (int)(n - pl - sl), de->d_name + pl);
			break;
		}
	}
	closedir(d);
}

bool workload_k8s_names(struct workload *w, const char *pod_logs)
{
	char name[WORKLOAD_PATH_MAX], path[2 * WORKLOAD_PATH_MAX];
	char *ns_end, *pod_end;

	w->pod_name[0] = w->pod_namespace[0] = w->container_name[0] = '\0';
	if (!w->pod_uid[0] || !find_pod_dir(pod_logs, w->pod_uid, name, sizeof(name)))
		return false;
	ns_end = strchr(name, '_');
	pod_end = strrchr(name, '_');
	if (!ns_end || ns_end == pod_end)
		return false;
	snprintf(w->pod_namespace, sizeof(w->pod_namespace), "%.*s",
		 (int)(ns_end - name), name);
	snprintf(w->pod_name, sizeof(w->pod_name), "%.*s",
		 (int)(pod_end - ns_end - 1), ns_end + 1);
	snprintf(path, sizeof(path), "%s/%s", pod_logs, name);
	if (!only_container(path, w) && w->container_id[0])
		container_by_id(pod_logs, w);
	return true;
}
