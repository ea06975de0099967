/*
 * sbx_keep.c - a box's mount and network namespaces kept across gavel-sandbox commands.
 *
 * Theory of operation. Building a box root costs a mount namespace copy of the host, a dozen
 * mounts, a pivot_root and the detach of the host's whole tree; a network namespace costs
 * ~600 us more. A pool lives for one run in the CLI, so with keep_boxes these are kept instead:
 *
 *   SBX_KEEP_DIR                  a private bind mount of itself (made once, under keep.lock)
 *   SBX_KEEP_DIR/box-<id>/mnt     bind of the box's mount namespace file (nsfs), like `ip netns`
 *   SBX_KEEP_DIR/box-<id>/net     bind of its empty network namespace
 *   SBX_KEEP_DIR/box-<id>/stamp   what they were built from: format, Gavel version, uid, work
 *                                 folder size, the root's skeleton (binds, links, hidden files)
 *
 * The folder is private so that nothing propagates to other mount namespaces (the kernel refuses
 * to propagate a mount-namespace file, so on a shared /run the bind would fail). Only the holder
 * of a box id's lock (sbx_pool.c) reads or writes box-<id>, so two commands never share one.
 *
 * sbx_keep_load() trusts what it finds only if the stamp is exactly what this pool would build
 * and each file is a namespace of the right type (NS_GET_NSTYPE); then it enters the mount
 * namespace for a moment to open the work folder (checked: a tmpfs owned by the box's uid) and a
 * writable clone of the root, and goes back. Anything else is removed and built afresh. A kept
 * box's work folder may hold a crashed run's files: the pool empties it before use.
 */
#include "sbx_keep.h"

#include "gv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#define KEEP_FORMAT    1
#define KEEP_LOCK      SBX_LOCK_DIR "/keep.lock"
#define KEEP_STAMP_MAX 4096

static const struct {
    const char *file;
    int type;
} ns_files[] = {{"mnt", CLONE_NEWNS}, {"net", CLONE_NEWNET}};

/*** Small helpers ***/

static int box_path(unsigned id, const char *file, char *buf, size_t size)
{
    int n = file ? snprintf(buf, size, "%s/box-%u/%s", SBX_KEEP_DIR, id, file)
                 : snprintf(buf, size, "%s/box-%u", SBX_KEEP_DIR, id);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

/* What this pool builds, as text: a kept box is reused only when its stamp is exactly this. */
static void stamp_text(const struct sbx_pool *pool, const struct sbx_box *box, char *buf,
                       size_t size)
{
    int n = snprintf(buf, size, "gavel-sandbox-keep %d %s uid=%u work_kib=%llu\n", KEEP_FORMAT,
                     GAVEL_VERSION, box->uid, (unsigned long long)pool->work_kib);
    for (unsigned i = 0; i < pool->n_sys && n > 0 && (size_t)n < size; i++)
        n += snprintf(buf + n, size - (size_t)n, "sys %s %s\n", pool->sys[i].name,
                      pool->sys[i].link);
    for (unsigned i = 0; i < pool->n_hidden && n > 0 && (size_t)n < size; i++)
        n += snprintf(buf + n, size - (size_t)n, "hide %s\n", pool->hidden[i]);
}

static int read_stamp(unsigned id, char *buf, size_t size)
{
    char path[PATH_MAX];
    if (box_path(id, "stamp", path, sizeof path) < 0) return -1;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0) return -1;
    buf[n] = '\0';
    return 0;
}

static int open_ns(unsigned id, const char *file, int type)
{
    char path[PATH_MAX];
    if (box_path(id, file, path, sizeof path) < 0) return -1;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0 && ioctl(fd, NS_GET_NSTYPE) != type) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    return fd;
}

static int lock_keep(void)
{
    int fd = open(KEEP_LOCK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0 && flock(fd, LOCK_EX) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static bool is_mount_root(const char *path)
{
    struct statx stx;
    return statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, 0, &stx) == 0 &&
           (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
           (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/*** Loading ***/

static void close_fd(int *fd)
{
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

/* In the box's mount namespace: the work folder and the writable root clone. */
static int open_inside(struct sbx_box *box, char *err, size_t size)
{
    struct stat st;
    struct statfs sfs;
    box->work_fd = open("/box", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (box->work_fd < 0 || fstat(box->work_fd, &st) < 0 || fstatfs(box->work_fd, &sfs) < 0) {
        snprintf(err, size, "open the kept work folder: %s", strerror(errno));
        return -1;
    }
    if (st.st_uid != box->uid || sfs.f_type != TMPFS_MAGIC) {
        snprintf(err, size, "the kept work folder is not the box's tmpfs");
        return -1;
    }
    return sbx_root_open_rw(box, err, size);
}

int sbx_keep_load(struct sbx_pool *pool, struct sbx_box *box, int host_mnt_fd, char *err,
                  size_t size)
{
    char want[KEEP_STAMP_MAX], have[KEEP_STAMP_MAX]; /* the helper thread has an 8 MiB stack */
    stamp_text(pool, box, want, sizeof want);
    if (read_stamp(box->id, have, sizeof have) < 0 || strcmp(want, have) != 0) {
        snprintf(err, size, "no kept namespaces, or a stale stamp");
        sbx_keep_remove(box->id);
        return -1;
    }
    box->mnt_fd = open_ns(box->id, "mnt", CLONE_NEWNS);
    box->netns_fd = open_ns(box->id, "net", CLONE_NEWNET);
    int rc = -1;
    if (box->mnt_fd < 0 || box->netns_fd < 0)
        snprintf(err, size, "kept namespace files: %s", strerror(errno));
    else if (setns(box->mnt_fd, CLONE_NEWNS) < 0)
        snprintf(err, size, "setns into the kept root: %s", strerror(errno));
    else
        rc = open_inside(box, err, size);
    if (setns(host_mnt_fd, CLONE_NEWNS) < 0 && rc == 0) {
        snprintf(err, size, "back to the host's mount namespace: %s", strerror(errno));
        rc = -1;
    }
    if (rc < 0) {
        close_fd(&box->mnt_fd);
        close_fd(&box->netns_fd);
        close_fd(&box->work_fd);
        close_fd(&box->root_rw_fd);
        sbx_keep_remove(box->id);
    }
    return rc;
}

/*** Saving ***/

/* SBX_KEEP_DIR as a private mount of its own (once; the caller holds keep.lock). */
static int make_keep_dir(char *err, size_t size)
{
    static const char *const dirs[] = {"/run/gavel", "/run/gavel/sandbox", SBX_KEEP_DIR};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        if (mkdir(dirs[i], 0700) < 0 && errno != EEXIST) {
            snprintf(err, size, "mkdir %s: %s", dirs[i], strerror(errno));
            return -1;
        }
    if (!is_mount_root(SBX_KEEP_DIR) &&
        mount(SBX_KEEP_DIR, SBX_KEEP_DIR, NULL, MS_BIND, NULL) < 0) {
        snprintf(err, size, "bind %s onto itself: %s", SBX_KEEP_DIR, strerror(errno));
        return -1;
    }
    if (mount(NULL, SBX_KEEP_DIR, NULL, MS_PRIVATE, NULL) < 0) {
        snprintf(err, size, "make %s private: %s", SBX_KEEP_DIR, strerror(errno));
        return -1;
    }
    return 0;
}

static int bind_ns(struct sbx_box *box, const char *file, int fd, char *err, size_t size)
{
    char path[PATH_MAX], src[64];
    if (box_path(box->id, file, path, sizeof path) < 0) return -1;
    int f = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (f < 0) {
        snprintf(err, size, "create %s: %s", path, strerror(errno));
        return -1;
    }
    close(f);
    snprintf(src, sizeof src, "/proc/thread-self/fd/%d", fd);
    if (mount(src, path, NULL, MS_BIND, NULL) < 0) {
        snprintf(err, size, "bind the %s namespace onto %s: %s", file, path, strerror(errno));
        return -1;
    }
    return 0;
}

static int write_stamp(struct sbx_pool *pool, struct sbx_box *box, char *err, size_t size)
{
    char text[KEEP_STAMP_MAX];
    char path[PATH_MAX], tmp[PATH_MAX];
    stamp_text(pool, box, text, sizeof text);
    if (box_path(box->id, "stamp", path, sizeof path) < 0 ||
        box_path(box->id, ".stamp.tmp", tmp, sizeof tmp) < 0)
        return -1;
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    int rc = fd < 0 ? -1 : gv_write_all(fd, text, strlen(text));
    if (fd >= 0 && close(fd) < 0) rc = -1;
    if (rc < 0 || rename(tmp, path) < 0) {
        snprintf(err, size, "write %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int sbx_keep_save(struct sbx_pool *pool, struct sbx_box *box, char *err, size_t size)
{
    char dir[PATH_MAX];
    int lock = lock_keep();
    if (lock < 0) {
        snprintf(err, size, "lock %s: %s", KEEP_LOCK, strerror(errno));
        return -1;
    }
    int rc = -1;
    if (make_keep_dir(err, size) == 0 && box_path(box->id, NULL, dir, sizeof dir) == 0) {
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
            snprintf(err, size, "mkdir %s: %s", dir, strerror(errno));
        else if (bind_ns(box, "mnt", box->mnt_fd, err, size) == 0 &&
                 bind_ns(box, "net", box->netns_fd, err, size) == 0)
            rc = write_stamp(pool, box, err, size);
    }
    if (rc < 0) sbx_keep_remove(box->id);
    close(lock);
    return rc;
}

/*** Removing ***/

bool sbx_keep_present(unsigned id)
{
    char path[PATH_MAX];
    return box_path(id, NULL, path, sizeof path) == 0 && access(path, F_OK) == 0;
}

int sbx_keep_remove(unsigned id)
{
    char path[PATH_MAX];
    int rc = 0;
    for (size_t i = 0; i < sizeof ns_files / sizeof ns_files[0]; i++) {
        if (box_path(id, ns_files[i].file, path, sizeof path) < 0) return -1;
        while (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
            ;
        if (unlink(path) < 0 && errno != ENOENT) rc = -1;
    }
    if (box_path(id, "stamp", path, sizeof path) == 0 && unlink(path) < 0 && errno != ENOENT)
        rc = -1;
    if (box_path(id, ".stamp.tmp", path, sizeof path) == 0) unlink(path);
    if (box_path(id, NULL, path, sizeof path) == 0 && rmdir(path) < 0 && errno != ENOENT) rc = -1;
    return rc;
}

void sbx_keep_finish(void)
{
    int lock = lock_keep();
    if (lock < 0) return;
    DIR *d = opendir(SBX_KEEP_DIR);
    bool empty = true;
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL)
        if (strncmp(e->d_name, "box-", 4) == 0) empty = false;
    if (d != NULL) closedir(d);
    if (d != NULL && empty) {
        while (umount2(SBX_KEEP_DIR, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
            ;
        rmdir(SBX_KEEP_DIR);
    }
    close(lock);
}
