// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * src/attr/workload.c: container ids, runtimes and pod uids from the
 * cgroup paths each runtime and cgroup driver makes, and what is not a
 * container (conmon, sessions, slices, ids of the wrong length or case).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "attr/workload.h"

#define TEST(name) static void test_##name(void **state __attribute__((unused)))
#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID "2c1f3b5e-8d7a-4b9c-a1e2-f3d4c5b6a7e8"
#define UID_ "2c1f3b5e_8d7a_4b9c_a1e2_f3d4c5b6a7e8"

static struct workload parse(const char *path)
{
	struct workload w;

	memset(&w, 0xaa, sizeof(w));
	snprintf(w.cgroup, sizeof(w.cgroup), "%s", path);
	workload_parse(&w);
	return w;
}

static void check(const char *path, const char *id, const char *runtime,
		  const char *pod)
{
	struct workload w = parse(path);

	assert_string_equal(w.container_id, id);
	if (runtime)
		assert_string_equal(w.runtime, runtime);
	else
		assert_null(w.runtime);
	assert_string_equal(w.pod_uid, pod);
}

TEST(docker_systemd) { check("/system.slice/docker-" ID ".scope", ID, "docker", ""); }
TEST(docker_cgroupfs) { check("/docker/" ID, ID, "docker", ""); }
TEST(podman) { check("/machine.slice/libpod-" ID ".scope/container", ID, "podman", ""); }
TEST(podman_conmon) { check("/machine.slice/libpod-conmon-" ID ".scope", "", NULL, ""); }
TEST(crio_conmon) { check("/kubepods.slice/crio-conmon-" ID ".scope", "", NULL, ""); }
TEST(nspawn) { check("/machine.slice/machine-web01.scope", "web01", "systemd-nspawn", ""); }
TEST(not_containers)
{
	check("/user.slice/user-0.slice/session-3.scope", "", NULL, "");
	check("/", "", NULL, "");
	check("/system.slice/docker-" ID "0.scope", "", NULL, "");	/* 65 digits */
	check("/system.slice/docker-0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef.scope",
	      "", NULL, "");
}

TEST(kubepods_systemd_containerd)
{
	check("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	      ".slice/cri-containerd-" ID ".scope", ID, "containerd", UID);
}

TEST(kubepods_systemd_crio)
{
	check("/kubepods.slice/kubepods-pod" UID_ ".slice/crio-" ID ".scope", ID,
	      "cri-o", UID);
}

TEST(kubepods_cgroupfs)
{
	/* the runtime is not in the path */
	check("/kubepods/besteffort/pod" UID "/" ID, ID, NULL, UID);
}

TEST(pod_without_container) { check("/kubepods/pod" UID, "", NULL, UID); }

TEST(nested_deepest_wins)
{
	check("/system.slice/docker-" ID ".scope/docker/"
	      "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
	      "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
	      "docker", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_systemd),
		cmocka_unit_test(test_docker_cgroupfs),
		cmocka_unit_test(test_podman),
		cmocka_unit_test(test_podman_conmon),
		cmocka_unit_test(test_crio_conmon),
		cmocka_unit_test(test_nspawn),
		cmocka_unit_test(test_not_containers),
		cmocka_unit_test(test_kubepods_systemd_containerd),
		cmocka_unit_test(test_kubepods_systemd_crio),
		cmocka_unit_test(test_kubepods_cgroupfs),
		cmocka_unit_test(test_pod_without_container),
		cmocka_unit_test(test_nested_deepest_wins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
