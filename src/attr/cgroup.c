// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attr/cgroup.h"

#define FILEID_KERNFS 0xfe /* linux/exportfs.h: a cgroup2 handle is its id */

/* The cgroup2 mount listed in mounts, reached with prefix. */
static int find_mount(struct cgroup_fs *fs, const char *mounts,
		      const char *prefix)
{
	FILE *fp = setmntent(mounts, "r");
	struct mntent *m;
	int err = -ENOENT;

	if (!fp)
		return -errno;
	while ((m = getmntent(fp)))
		if (!strcmp(m->mnt_type, "cgroup2")) {
			snprintf(fs->mount, sizeof(fs->mount), "%s", m->mnt_dir);
			snprintf(fs->path, sizeof(fs->path), "%s%s", prefix,
				 fs->mount);
			fs->fd = open(fs->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			err = fs->fd < 0 ? -errno : 0;
			break;
		}
	endmntent(fp);
	return err;
}

/* A cgroup2 mount of our own, detached at once: the fd keeps it, and
 * nothing shows in any mount table. The hierarchy is the same one. */
static int mount_private(struct cgroup_fs *fs)
{
	char dir[] = "/tmp/hdrlog-cgroup-XXXXXX";
	int err = 0;

	if (!mkdtemp(dir))
		return -errno;
	if (mount("cgroup2", dir, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL)) {
		err = -errno;
	} else {
		fs->fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fs->fd < 0)
			err = -errno;
		umount2(dir, MNT_DETACH);
	}
	rmdir(dir);
	if (err)
		return err;
	/* a detached mount's paths read from its root */
	snprintf(fs->path, sizeof(fs->path), "/proc/self/fd/%d", fs->fd);
	snprintf(fs->mount, sizeof(fs->mount), "/");
	return 0;
}

int cgroup_fs_open(struct cgroup_fs *fs)
{
	fs->fd = -1;
	fs->mount[0] = fs->path[0] = '\0';
	if (!find_mount(fs, "/proc/mounts", ""))
		return 0;
	if (!find_mount(fs, "/proc/1/mounts", "/proc/1/root"))
		return 0;
	return mount_private(fs);
}

void cgroup_fs_close(struct cgroup_fs *fs)
{
	if (fs->fd >= 0)
		close(fs->fd);
	fs->fd = -1;
}

/* The part of path abs below base, from "/"; false when not below. */
static bool below(const char *base, const char *abs, char *buf, size_t len)
{
	size_t bl = strcmp(base, "/") ? strlen(base) : 0;

	if (strncmp(abs, base, bl) || (abs[bl] && abs[bl] != '/'))
		return false;
	snprintf(buf, len, "%s", abs[bl] ? abs + bl : "/");
	return true;
}

/* The cgroup path of an absolute path, as this process or the mount's
 * own namespace names it (a path out of our reach reads as the latter). */
static int relative(const struct cgroup_fs *fs, const char *abs, char *buf,
		    size_t len)
{
	return below(fs->path, abs, buf, len) || below(fs->mount, abs, buf, len)
		       ? 0 : -ENOENT;
}

/* The kernel's way: a cgroup2 file handle is the cgroup id. Needs
 * CAP_DAC_READ_SEARCH. */
static int path_by_handle(const struct cgroup_fs *fs, __u64 id, char *buf,
			  size_t len)
{
	union {
		struct file_handle fh;
		char space[sizeof(struct file_handle) + sizeof(__u64)];
	} h;
	char link[64], abs[4096];
	ssize_t n;
	int fd;

	h.fh.handle_bytes = sizeof(id);
	h.fh.handle_type = FILEID_KERNFS;
	memcpy(h.fh.f_handle, &id, sizeof(id));
	fd = open_by_handle_at(fs->fd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ESTALE ? -ENOENT : -errno;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, abs, sizeof(abs) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	abs[n] = '\0';
	return relative(fs, abs, buf, len);
}

/* The other way: a walk of the tree for the directory whose inode number
 * is the id (on 64-bit hosts it is). nftw() has no context argument. */
static struct {
	__u64 id;
	char path[4096];
} walk;

static int walk_one(const char *path, const struct stat *st, int type,
		    struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_D || st->st_ino != walk.id)
		return 0;
	snprintf(walk.path, sizeof(walk.path), "%s", path);
	return 1;
}

static int path_by_walk(const struct cgroup_fs *fs, __u64 id, char *buf,
			size_t len)
{
	walk.id = id;
	if (nftw(fs->path, walk_one, 16, FTW_PHYS | FTW_MOUNT) != 1)
		return -ENOENT;
	return relative(fs, walk.path, buf, len);
}

int cgroup_path(const struct cgroup_fs *fs, __u64 id, char *buf, size_t len)
{
	int err;

	if (!fs->mount[0] || !id)
		return -ENOENT;
	err = fs->fd >= 0 ? path_by_handle(fs, id, buf, len) : -EBADF;
	if (err && err != -ENOENT)
		err = path_by_walk(fs, id, buf, len);
	return err;
}
