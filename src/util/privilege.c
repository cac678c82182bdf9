// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libcap-ng does the id change with capabilities kept across it
 * (PR_SET_KEEPCAPS, setresgid, initgroups, setresuid, capset). */
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cap-ng.h>
#include <sys/prctl.h>

#include "util/log.h"
#include "util/privilege.h"

/* Threads started before the drop would keep root's capabilities. */
static int count_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Whether every capability this kernel has is effective (root's set). */
static bool all_effective(void)
{
	FILE *fp = fopen("/proc/sys/kernel/cap_last_cap", "r");
	unsigned last = 0;
	bool ok;

	ok = fp && fscanf(fp, "%u", &last) == 1;
	if (fp)
		fclose(fp);
	for (unsigned i = 0; ok && i <= last; i++)
		ok = capng_have_capability(CAPNG_EFFECTIVE, i);
	return ok;
}

/* The effective set as text: "none", "all" or "net_admin, bpf". */
static char *caps_text(void)
{
	char *t;

	capng_get_caps_process();
	if (all_effective())
		return strdup("all");
	t = capng_print_caps_text(CAPNG_PRINT_BUFFER, CAPNG_EFFECTIVE);
	return t && *t ? t : (free(t), strdup("none"));
}

/* The state to apply: net_admin if needed, CAP_BPF permitted only (raised
 * by settle_bpf() when the kernel still asks for it). */
static void wanted_caps(const struct privilege_needs *need)
{
	capng_clear(CAPNG_SELECT_BOTH);
	if (need->net_admin)
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
			     CAP_NET_ADMIN);
	if (need->bpf_call)
		capng_update(CAPNG_ADD, CAPNG_PERMITTED, CAP_BPF);
}

/* Keeps CAP_BPF only if a bpf() call on the maps fails without it. */
static int settle_bpf(const struct privilege_needs *need)
{
	if (!need->bpf_call)
		return 0;
	if (need->bpf_call(need->ctx) == -EPERM)
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE, CAP_BPF);
	else
		capng_update(CAPNG_DROP, CAPNG_PERMITTED, CAP_BPF);
	if (capng_apply(CAPNG_SELECT_CAPS))
		return -EPERM;
	return need->bpf_call(need->ctx);
}

/* setpcap: we may shrink the bounding set (root may). */
static int to_user(const struct passwd *pw, bool setpcap)
{
	int rc = capng_change_id(pw->pw_uid, pw->pw_gid,
				 CAPNG_INIT_SUPP_GRP | CAPNG_CLEAR_AMBIENT |
					 (setpcap ? CAPNG_CLEAR_BOUNDING : 0));

	if (rc) {
		pr_warn("cannot switch to user %s: capng_change_id() failed (%d)%s\n",
			pw->pw_name, rc,
			getuid() ? ": it needs root, or CAP_SETUID and CAP_SETGID" : "");
		return -EPERM;
	}
	return 0;
}

/* Keeps the uid: the capabilities only. The bounding set shrinks too when
 * we may (CAP_SETPCAP); ambient ones would pass to a program we ran. */
static int keep_uid(bool setpcap)
{
	if (setpcap) {
		wanted_caps(&(struct privilege_needs){ 0 });
		capng_apply(CAPNG_SELECT_BOUNDS);
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return 0;
}

static int drop(const struct passwd *pw, const struct privilege_needs *need)
{
	bool setpcap = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	int err;

	if (pw) {
		wanted_caps(need);
		err = to_user(pw, setpcap);
	} else {
		err = keep_uid(setpcap);
		wanted_caps(need);
		if (!err && capng_apply(CAPNG_SELECT_CAPS))
			err = -EPERM;
	}
	if (!err)
		err = settle_bpf(need);
	/* nothing run from here on gains a privilege (a setuid program) */
	if (!err && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		err = -errno;
	return err;
}

int privilege_drop(const char *user, const struct privilege_needs *need)
{
	struct passwd *pw = NULL;
	char *before, *after;
	uid_t uid = geteuid();
	int err, threads;

	capng_get_caps_process();
	if ((!user && uid == 0) ||
	    (!user && capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE))
		return 0;
	if (user && !(pw = getpwnam(user))) {
		pr_warn("--user: no user named '%s'\n", user);
		return -EINVAL;
	}
	/* --user naming who we are already, with nothing to drop */
	if (pw && pw->pw_uid == uid && uid != 0 &&
	    capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE)
		return 0;
	if ((threads = count_threads()) != 1) {
		pr_warn("cannot drop privileges: %d threads run already\n", threads);
		return -EBUSY;
	}
	before = caps_text(); /* leaves the process's state in libcap-ng */
	err = drop(pw, need);
	after = caps_text();
	if (err)
		pr_warn("cannot drop privileges: %s\n", strerror(-err));
	else
		pr_warn("privileges dropped: uid %u -> %u%s%s%s, capabilities %s -> %s\n",
			(unsigned)uid, (unsigned)geteuid(), pw ? " (" : "",
			pw ? pw->pw_name : "", pw ? ")" : "", before, after);
	free(before);
	free(after);
	return err;
}
