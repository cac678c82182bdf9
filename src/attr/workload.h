/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What a cgroup path says about the workload in it: container id and
 * runtime, Kubernetes pod uid (workload.c); the pod's name, namespace and
 * the container's name from the kubelet's log directories (k8s_logs.c). */
#ifndef HDRLOG_ATTR_WORKLOAD_H
#define HDRLOG_ATTR_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>

#define WORKLOAD_PATH_MAX 512
#define WORKLOAD_ID_MAX 65	 /* 64 hex digits and the NUL */
#define WORKLOAD_UID_MAX 37	 /* a UUID and the NUL */
#define WORKLOAD_NAME_MAX 254	 /* a DNS subdomain and the NUL */

struct workload {
	char cgroup[WORKLOAD_PATH_MAX]; /* below the cgroup2 mount, from "/" */
	char container_id[WORKLOAD_ID_MAX]; /* "" when none */
	const char *runtime;		    /* static: "docker"...; NULL: none */
	char pod_uid[WORKLOAD_UID_MAX];	    /* "" when not a pod's */
	char pod_name[WORKLOAD_NAME_MAX];   /* "" when not known */
	char pod_namespace[WORKLOAD_NAME_MAX];
	char container_name[WORKLOAD_NAME_MAX];
};

/* Fills w's container and pod fields from its cgroup path (w->cgroup):
 * the deepest component naming a container wins (docker-ID.scope,
 * /docker/ID, cri-containerd-ID.scope, crio-ID.scope, libpod-ID.scope,
 * a bare 64-hex-digit directory under kubepods, machine-NAME.scope of
 * systemd-nspawn); kubepods...pod<uid> gives the pod uid. Conmon scopes
 * (crio-conmon-, libpod-conmon-) are the runtime's helper, not the
 * container. */
void workload_parse(struct workload *w);

/* Fills w's pod name, namespace and container name from the kubelet's
 * log directory (default /var/log/pods): NAMESPACE_NAME_UID/CONTAINER/,
 * and when a pod has several containers, the container id in the
 * symbolic links of the "containers" directory beside it
 * (POD_NAMESPACE_CONTAINER-ID.log). Returns whether the pod was found. */
bool workload_k8s_names(struct workload *w, const char *pod_logs);

#endif
