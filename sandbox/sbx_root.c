/*
 * sbx_root.c - a box's root file system, built once per box in a mount namespace of its own.
 *
 * Theory of operation. sbx_root_build() runs in the pool's short-lived helper thread (see
 * sbx_pool.c), starting from the host's mount namespace. For one box it:
 *   1. unshares a new mount namespace and marks every mount private (nothing propagates back to
 *      the host; nothing of this appears in the host's mount table);
 *   2. mounts a small tmpfs on base_dir/box-<id>/root and builds the skeleton there:
 *        /usr /etc (and /lib*, /bin, /sbin when they are folders)  read-only, nosuid, nodev binds
 *        /bin -> usr/bin ...                    links copied from the host (merged /usr)
 *        /etc/shadow, gshadow, ...              covered by an empty read-only file
 *        /dev/{null,zero,urandom}, /dev/fd, /dev/std{in,out,err}
 *        /box                                   the work folder: a tmpfs of its own, limited in
 *                                               size and inodes, owned by the box's uid
 *        /tmp, /proc                            empty mount points, filled per run
 *   3. pivot_roots into it and detaches the host's tree, so the namespace holds only the box's
 *      dozen mounts, then makes the root read-only;
 *   4. keeps a descriptor of the namespace (box->mnt_fd), an O_PATH descriptor of the work
 *      folder (box->work_fd, for the host-side file glue), a detached writable clone of the
 *      root mount (box->root_rw_fd: the parent removes the mount points a run made for --dir
 *      through it, since the root itself is read-only) and, in a fresh network namespace, a
 *      descriptor of that too (box->netns_fd); then returns to the host's mount namespace.
 * A run then only enters this namespace, copies it (unshare: a dozen mounts, no pivot, no
 * unmount of the host's tree) and mounts a fresh /tmp and /proc; see sbx_run.c. Paths are read
 * from the host through descriptors opened before the pivot (/proc of the host).
 */
#include "sbx_internal.h"

#include "gv.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const struct {
    const char *name;
    unsigned major, minor;
} dev_nodes[] = {{"dev/null", 1, 3}, {"dev/zero", 1, 5}, {"dev/urandom", 1, 9}};

static const struct {
    const char *name, *target;
} dev_links[] = {{"dev/fd", "/proc/self/fd"},
                 {"dev/stdin", "/proc/self/fd/0"},
                 {"dev/stdout", "/proc/self/fd/1"},
                 {"dev/stderr", "/proc/self/fd/2"}};

/* Bind of host onto target (relative), then nosuid, nodev and read-only unless rw. */
int sbx_root_bind(const char *host, const char *target, bool rw)
{
    if (mount(host, target, NULL, MS_BIND, NULL) < 0)
        return -1;
    unsigned long fl = MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | (rw ? 0 : MS_RDONLY);
    return mount(NULL, target, NULL, fl, NULL);
}

static int build_sysdirs(struct sbx_pool *pool, char *err, size_t size)
{
    for (unsigned i = 0; i < pool->n_sys; i++) {
        const struct sbx_sysdir *d = &pool->sys[i];
        if (d->link[0] != '\0') {
            if (symlink(d->link, d->name + 1) < 0) {
                snprintf(err, size, "symlink %s: %s", d->name, strerror(errno));
                return -1;
            }
        } else if (mkdir(d->name + 1, 0755) < 0 || sbx_root_bind(d->name, d->name + 1, false) < 0) {
            snprintf(err, size, "bind %s read-only: %s", d->name, strerror(errno));
            return -1;
        }
    }
    return 0;
}

static int build_hidden(struct sbx_pool *pool, char *err, size_t size)
{
    if (pool->n_hidden == 0)
        return 0;
    int fd = open(".empty", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    if (fd < 0) {
        snprintf(err, size, "create .empty: %s", strerror(errno));
        return -1;
    }
    close(fd);
    for (unsigned i = 0; i < pool->n_hidden; i++) {
        if (sbx_root_bind(".empty", pool->hidden[i], false) < 0) {
            snprintf(err, size, "hide /%s: %s", pool->hidden[i], strerror(errno));
            return -1;
        }
    }
    return 0;
}

static int build_dev(char *err, size_t size)
{
    if (mkdir("dev", 0755) < 0) {
        snprintf(err, size, "mkdir /dev: %s", strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < sizeof dev_nodes / sizeof dev_nodes[0]; i++) {
        if (mknod(dev_nodes[i].name, S_IFCHR | 0666,
                  makedev(dev_nodes[i].major, dev_nodes[i].minor)) < 0) {
            snprintf(err, size, "mknod %s: %s", dev_nodes[i].name, strerror(errno));
            return -1;
        }
    }
    for (size_t i = 0; i < sizeof dev_links / sizeof dev_links[0]; i++) {
        if (symlink(dev_links[i].target, dev_links[i].name) < 0) {
            snprintf(err, size, "symlink %s: %s", dev_links[i].name, strerror(errno));
            return -1;
        }
    }
    return 0;
}

static int build_work(struct sbx_box *box, uint64_t work_kib, char *err, size_t size)
{
    char opts[160];
    snprintf(opts, sizeof opts, "size=%lluk,nr_inodes=%d,mode=0755,uid=%u,gid=%u",
             (unsigned long long)work_kib, SBX_WORK_INODES, box->uid, box->uid);
    if (mkdir("box", 0755) < 0 ||
        mount("gavel-work", "box", "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0) {
        snprintf(err, size, "mount the work tmpfs: %s", strerror(errno));
        return -1;
    }
    box->work_fd = open("box", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (box->work_fd < 0) {
        snprintf(err, size, "open the work folder: %s", strerror(errno));
        return -1;
    }
    if (mkdir("tmp", 0755) < 0 || mkdir("proc", 0555) < 0) {
        snprintf(err, size, "mkdir /tmp, /proc: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static int enter_root(struct sbx_box *box, char *err, size_t size)
{
    if (unshare(CLONE_NEWNS) < 0) {
        snprintf(err, size, "unshare(CLONE_NEWNS): %s", strerror(errno));
        return -1;
    }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        snprintf(err, size, "make / private: %s", strerror(errno));
        return -1;
    }
    if (mount("gavel-root", box->root, "tmpfs", MS_NOSUID, SBX_ROOT_TMPFS_OPTS) < 0 ||
        chdir(box->root) < 0) {
        snprintf(err, size, "mount the root tmpfs on %.100s: %s", box->root, strerror(errno));
        return -1;
    }
    return 0;
}

static int pivot(char *err, size_t size)
{
    if (syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0) {
        snprintf(err, size, "pivot_root: %s", strerror(errno));
        return -1;
    }
    if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID, NULL) < 0) {
        snprintf(err, size, "make the root read-only: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int sbx_root_open_rw(struct sbx_box *box, char *err, size_t size)
{
    box->root_rw_fd = open_tree(AT_FDCWD, "/", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    struct mount_attr attr = {.attr_clr = MOUNT_ATTR_RDONLY};
    if (box->root_rw_fd < 0 ||
        mount_setattr(box->root_rw_fd, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0) {
        snprintf(err, size, "a writable handle on the box root: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static int keep_namespaces(struct sbx_box *box, int proc_fd, char *err, size_t size)
{
    if (sbx_root_open_rw(box, err, size) < 0)
        return -1;
    box->mnt_fd = openat(proc_fd, "thread-self/ns/mnt", O_RDONLY | O_CLOEXEC);
    if (box->mnt_fd < 0) {
        snprintf(err, size, "open the mount namespace: %s", strerror(errno));
        return -1;
    }
    if (unshare(CLONE_NEWNET) < 0) {
        snprintf(err, size, "unshare(CLONE_NEWNET): %s", strerror(errno));
        return -1;
    }
    box->netns_fd = openat(proc_fd, "thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (box->netns_fd < 0) {
        snprintf(err, size, "open the network namespace: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int sbx_root_build(struct sbx_pool *pool, struct sbx_box *box, int host_mnt_fd, int proc_fd,
                   uint64_t work_kib, char *err, size_t size)
{
    int rc = -1;
    if (enter_root(box, err, size) == 0 && build_sysdirs(pool, err, size) == 0 &&
        build_hidden(pool, err, size) == 0 && build_dev(err, size) == 0 &&
        build_work(box, work_kib, err, size) == 0 && pivot(err, size) == 0 &&
        keep_namespaces(box, proc_fd, err, size) == 0)
        rc = 0;
    if (setns(host_mnt_fd, CLONE_NEWNS) < 0 && rc == 0) {
        snprintf(err, size, "back to the host's mount namespace: %s", strerror(errno));
        rc = -1;
    }
    return rc;
}
