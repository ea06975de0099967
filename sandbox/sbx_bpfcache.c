/*
 * sbx_bpfcache.c - compiled seccomp programs on disk, so libseccomp runs once per host, not once
 * per gavel-sandbox command.
 *
 * Theory of operation. sbx_bpfcache_get() asks sbx_seccomp.c for the policy's fingerprint (the
 * tables by content, libseccomp's version, the arch, the build), and looks for
 * <dir>/<policy>-<fingerprint>.bpf. A file is used only when every check passes:
 *   - the folder is a real folder (not a link) owned by us with no group/other access;
 *   - the file, opened with O_NOFOLLOW, is a regular file owned by us, mode without group/other
 *     bits, and exactly as long as its header says;
 *   - the header's magic and fingerprint match, and an FNV-1a checksum over header and programs
 *     is right (catches a truncated, corrupted or half-written file; a root-only folder is what
 *     keeps others from writing one).
 * Otherwise the policy is compiled with libseccomp and written back: into an O_EXCL temporary
 * file in the same folder, then renamed over the final name, so a concurrent reader sees the old
 * file or the new one, never a mix. Two writers racing just both write the same bytes. Every
 * failure of the cache (no /run, a full tmpfs) leaves the compiled filter in use: it only ever
 * costs time, never a run.
 *
 * File layout (host byte order, it never leaves the host): struct header, then n_notify and
 * n_kill struct sock_filter instructions.
 */
#include "sbx_bpfcache.h"

#include "gv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_MAGIC      "GVBPF001"
#define CACHE_MAX_INSNS  4096 /* BPF_MAXINSNS: the kernel takes no longer program */

struct header {
    char magic[8];
    uint64_t key;
    uint32_t n_notify, n_kill;
    uint64_t checksum; /* FNV-1a of the header (this field 0) and the programs */
};

static const char *const how_names[] = {
    [SBX_BPF_HIT] = "hit",
    [SBX_BPF_MISS] = "miss",
    [SBX_BPF_REBUILT] = "rebuilt",
    [SBX_BPF_UNCACHED] = "uncached",
};

const char *sbx_bpfcache_how_name(enum sbx_bpfcache_how how)
{
    return (unsigned)how < sizeof how_names / sizeof how_names[0] ? how_names[how] : "?";
}

static uint64_t checksum(const struct header *h, const void *insns, size_t len)
{
    struct header copy = *h;
    copy.checksum = 0;
    return gv_fnv1a(gv_fnv1a(GV_FNV1A_OFFSET, &copy, sizeof copy), insns, len);
}

static int file_name(const char *dir, enum sbx_policy policy, uint64_t key, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s/%s-%016llx.bpf", dir, sbx_policy_name(policy),
                     (unsigned long long)key);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

/* Only a folder of ours that nobody else may enter or write holds trusted files. */
static int dir_trusted(const char *dir)
{
    struct stat st;
    if (lstat(dir, &st) < 0) return -1;
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
        errno = EPERM;
        return -1;
    }
    return 0;
}

/*** Reading ***/

/* The filter in path when the file passes every check; NULL otherwise (errno ENOENT: no file). */
static struct sbx_filter *load(const char *path, uint64_t key)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return NULL;
    struct stat st;
    struct header h;
    struct sbx_filter *f = NULL;
    void *insns = NULL;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 077) != 0 || pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h)
        goto out;
    size_t n = (size_t)h.n_notify + h.n_kill;
    size_t len = n * sizeof(struct sock_filter);
    if (memcmp(h.magic, CACHE_MAGIC, sizeof h.magic) != 0 || h.key != key || h.n_kill == 0 ||
        h.n_notify > CACHE_MAX_INSNS || h.n_kill > CACHE_MAX_INSNS ||
        (uint64_t)st.st_size != sizeof h + len)
        goto out;
    insns = malloc(len);
    if (insns == NULL || pread(fd, insns, len, sizeof h) != (ssize_t)len ||
        checksum(&h, insns, len) != h.checksum)
        goto out;
    char err[128];
    const struct sock_filter *p = insns;
    f = sbx_seccomp_from_programs(h.n_notify ? p : NULL, h.n_notify, p + h.n_notify, h.n_kill, err,
                                  sizeof err);
out:
    free(insns);
    close(fd);
    if (f == NULL && errno == ENOENT)
        errno = EINVAL; /* a file was there: ENOENT only ever means "none" */
    return f;
}

/*** Writing ***/

static int write_tmp(int fd, const struct sbx_filter *f, uint64_t key)
{
    size_t n_notify, n_kill;
    const struct sock_filter *notify = sbx_seccomp_program(f, true, &n_notify);
    const struct sock_filter *kill = sbx_seccomp_program(f, false, &n_kill);
    struct header h = {.key = key, .n_notify = (uint32_t)n_notify, .n_kill = (uint32_t)n_kill};
    memcpy(h.magic, CACHE_MAGIC, sizeof h.magic);
    size_t len = (n_notify + n_kill) * sizeof(struct sock_filter);
    unsigned char *buf = malloc(len ? len : 1);
    if (buf == NULL) return -1;
    if (n_notify) memcpy(buf, notify, n_notify * sizeof *notify);
    memcpy(buf + n_notify * sizeof *notify, kill, n_kill * sizeof *kill);
    h.checksum = checksum(&h, buf, len);
    int rc = gv_write_all(fd, &h, sizeof h) < 0 || gv_write_all(fd, buf, len) < 0 ? -1 : 0;
    free(buf);
    return rc;
}

static int make_dir(const char *dir)
{
    char buf[PATH_MAX];
    if (gv_strlcpy(buf, dir, sizeof buf) >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char c = *p;
        *p = '\0';
        if (mkdir(buf, 0700) < 0 && errno != EEXIST) return -1;
        *p = c;
        if (c == '\0') return 0;
    }
}

/* Best effort: a failure is logged and the caller goes on with the compiled filter. */
static void store(const char *dir, const char *path, const struct sbx_filter *f, uint64_t key)
{
    char tmp[PATH_MAX];
    if (make_dir(dir) < 0 || dir_trusted(dir) < 0) {
        gv_warn("sandbox: seccomp cache folder %s unusable: %s", dir, strerror(errno));
        return;
    }
    snprintf(tmp, sizeof tmp, "%s/.tmp-%d-%llx", dir, (int)getpid(),
             (unsigned long long)gv_now_us());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        gv_warn("sandbox: seccomp cache: create %s: %s", tmp, strerror(errno));
        return;
    }
    int rc = write_tmp(fd, f, key);
    if (close(fd) < 0) rc = -1;
    if (rc < 0 || rename(tmp, path) < 0) {
        gv_warn("sandbox: seccomp cache: write %s: %s", path, strerror(errno));
        unlink(tmp);
    }
}

/*** Public ***/

struct sbx_filter *sbx_bpfcache_get(const char *dir, enum sbx_policy policy,
                                    enum sbx_bpfcache_how *how, char *path, size_t path_size,
                                    char *err, size_t err_size)
{
    if (dir == NULL) dir = SBX_BPF_CACHE_DIR;
    uint64_t key = sbx_seccomp_key(policy, sbx_seccomp_kernel_notify());
    *how = SBX_BPF_UNCACHED;
    bool named = key != 0 && file_name(dir, policy, key, path, path_size) == 0;
    if (!named && path_size > 0) path[0] = '\0';
    if (named && dir_trusted(dir) == 0) {
        errno = 0;
        struct sbx_filter *f = load(path, key);
        if (f != NULL) {
            *how = SBX_BPF_HIT;
            return f;
        }
        *how = errno == ENOENT ? SBX_BPF_MISS : SBX_BPF_REBUILT;
    } else if (named) {
        *how = errno == ENOENT ? SBX_BPF_MISS : SBX_BPF_UNCACHED;
    }
    struct sbx_filter *f = sbx_seccomp_compile(policy, err, err_size);
    if (f != NULL && *how != SBX_BPF_UNCACHED) store(dir, path, f, key);
    return f;
}

int sbx_bpfcache_clear(const char *dir)
{
    if (dir == NULL) dir = SBX_BPF_CACHE_DIR;
    DIR *d = opendir(dir);
    if (d == NULL) return errno == ENOENT ? 0 : -1;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT) rc = -1;
    }
    closedir(d);
    if (rmdir(dir) < 0 && errno != ENOENT) rc = -1;
    return rc;
}
