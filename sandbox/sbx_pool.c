/*
 * sbx_pool.c - pools of boxes: everything about a box that is made once and reused.
 *
 * Theory of operation. sbx_pool_new() claims n box ids by taking an exclusive flock on
 * SBX_LOCK_DIR/box-<id>.lock for each (a host-wide folder, whatever base_dir is, so no two pools
 * on a host ever share an id, and therefore never a uid or a cgroup name either). The lock is
 * held for the pool's whole life by an open descriptor; a crashed process releases it by dying.
 *
 * For each claimed id it prepares, once:
 *   - base_dir/box-<id>/root: an empty host folder, the mount point the root is built on;
 *   - the box's cgroup (sbx_cgroup.c decides v1/v2 and where);
 *   - the box's root, finished, in a mount namespace of its own (sbx_root.c), and an empty
 *     network namespace (a new one per run would cost ~600 us), both held by descriptors;
 *   - three child stacks and a MAP_SHARED page for the run's processes (sbx_run.c).
 *
 * The namespaces are made by a short-lived helper thread, because unshare/setns change only the
 * calling thread: the caller's own threads never leave the host's namespaces, and none of the
 * boxes' mounts appear in the host's mount table. The thread exits; the descriptors keep the
 * namespaces and their mounts alive until sbx_pool_free closes them. The host-side file glue
 * works on the work folder's O_PATH descriptor, valid across namespaces. Because the work folder
 * is a tmpfs, hard links from it to host files cannot exist and a disk fill stops at its size.
 *
 * The skeleton of every box root (which host folders are bound read-only, which are links, which
 * /etc files are hidden) is decided once here from what the host has.
 */
#include "sbx_internal.h"

#include "sbx_bpfcache.h"
#include "sbx_keep.h"

#include "gv.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_BOX_ID_DEFAULT 1000
#define FIRST_UID_DEFAULT  60000
#define POOL_BOXES_MAX     256

/* Host entries a box root gets: bound read-only when a folder, copied when a link. */
static const char *const sys_entries[] = {"bin", "sbin", "lib", "lib32", "lib64", "libx32",
                                          "usr", "etc"};
/* /etc files replaced by an empty file inside boxes (defence in depth: the box uid could not
 * read them anyway). */
static const char *const hidden_entries[] = {"etc/shadow", "etc/shadow-", "etc/gshadow",
                                             "etc/gshadow-", "etc/sudoers"};

/*** Small helpers ***/

static int mkdir_p(const char *path, mode_t mode)
{
    char buf[PATH_MAX];
    if (gv_strlcpy(buf, path, sizeof buf) >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
            return -1;
        *p = c;
        if (c == '\0')
            return 0;
    }
}

static void scan_host_root(struct sbx_pool *pool)
{
    for (size_t i = 0; i < sizeof sys_entries / sizeof sys_entries[0]; i++) {
        char host[32];
        struct stat st;
        snprintf(host, sizeof host, "/%s", sys_entries[i]);
        if (lstat(host, &st) < 0 || pool->n_sys >= SBX_SYS_MAX)
            continue;
        struct sbx_sysdir *d = &pool->sys[pool->n_sys];
        memset(d, 0, sizeof *d);
        gv_strlcpy(d->name, host, sizeof d->name);
        if (S_ISLNK(st.st_mode)) {
            ssize_t n = readlink(host, d->link, sizeof d->link - 1);
            if (n <= 0)
                continue;
            d->link[n] = '\0';
        } else if (!S_ISDIR(st.st_mode)) {
            continue;
        }
        pool->n_sys++;
    }
    for (size_t i = 0; i < sizeof hidden_entries / sizeof hidden_entries[0]; i++) {
        char host[80];
        struct stat st;
        snprintf(host, sizeof host, "/%s", hidden_entries[i]);
        if (lstat(host, &st) == 0 && S_ISREG(st.st_mode) && pool->n_hidden < SBX_SYS_MAX)
            gv_strlcpy(pool->hidden[pool->n_hidden++], hidden_entries[i], 64);
    }
}

/*** Box ids ***/

/* Takes the lock of box id; returns the locked fd, -1 when taken by someone else (or error).
 * Without `create`, only an id whose lock file already exists is claimed. */
static int lock_id(unsigned id, bool create)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/box-%u.lock", SBX_LOCK_DIR, id);
    int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0), 0600);
    if (fd < 0)
        return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/*** The helper thread ***/

struct keeper_job {
    struct sbx_pool *pool;
    char err[200];
};

/* One box's namespaces: taken over from an earlier pool (keep_boxes), or built (and then kept,
 * best effort). */
static int box_namespaces(struct sbx_pool *pool, struct sbx_box *box, int host_mnt, int proc,
                          char *err, size_t size)
{
    char why[200];
    bool timing = getenv("SBX_TIMING") != NULL;
    if (pool->keep_boxes && sbx_keep_load(pool, box, host_mnt, why, sizeof why) == 0) {
        box->reused = true;
        if (timing)
            fprintf(stderr, "box %u: kept namespaces reused\n", box->id);
        return 0;
    }
    if (pool->keep_boxes && timing)
        fprintf(stderr, "box %u: building namespaces (%s)\n", box->id, why);
    if (!pool->keep_boxes && sbx_keep_present(box->id)) {
        /* A pool that does not keep takes over what a keeping one left for this id, so that
         * nothing stays mounted for it after the pool is gone. */
        sbx_keep_remove(box->id);
        sbx_keep_finish();
    }
    if (sbx_root_build(pool, box, host_mnt, proc, pool->work_kib, err, size) < 0)
        return -1;
    if (pool->keep_boxes && sbx_keep_save(pool, box, why, sizeof why) < 0)
        gv_warn("sandbox: box %u: namespaces not kept: %s", box->id, why);
    return 0;
}

/* Runs in its own short-lived thread, because unshare and setns change only the calling thread
 * (after unshare(CLONE_FS), which also gives it its own umask): the caller's threads never leave
 * the host's namespaces. What the thread makes stays alive through the descriptors it opens. */
static void *keeper_thread(void *arg)
{
    struct keeper_job *job = arg;
    struct sbx_pool *pool = job->pool;
    if (unshare(CLONE_FS) < 0) {
        snprintf(job->err, sizeof job->err, "unshare(CLONE_FS): %s", strerror(errno));
        return job;
    }
    umask(0);
    int host_mnt = open("/proc/thread-self/ns/mnt", O_RDONLY | O_CLOEXEC);
    int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    void *ret = NULL;
    if (host_mnt < 0 || proc < 0) {
        snprintf(job->err, sizeof job->err, "open /proc: %s", strerror(errno));
        ret = job;
    }
    for (unsigned i = 0; i < pool->n_boxes && ret == NULL; i++)
        if (box_namespaces(pool, &pool->boxes[i], host_mnt, proc, job->err, sizeof job->err) < 0)
            ret = job;
    if (host_mnt >= 0)
        close(host_mnt);
    if (proc >= 0)
        close(proc);
    return ret;
}

static int make_roots(struct sbx_pool *pool, char *err, size_t size)
{
    struct keeper_job job = {.pool = pool};
    pthread_t t;
    int rc = pthread_create(&t, NULL, keeper_thread, &job);
    if (rc != 0) {
        snprintf(err, size, "pthread_create: %s", strerror(rc));
        return -1;
    }
    void *ret = NULL;
    pthread_join(t, &ret);
    if (ret != NULL) {
        snprintf(err, size, "box root: %s", job.err);
        return -1;
    }
    return 0;
}

/*** Boxes ***/

/* The highest capability number this kernel knows, so that dropping the bounding set never
 * asks for one it does not (CAP_LAST_CAP of our headers when the file cannot be read). */
static int read_cap_last(void)
{
    char buf[16];
    int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return CAP_LAST_CAP;
    buf[n] = '\0';
    long v = strtol(buf, NULL, 10);
    return v > 0 && v < 64 ? (int)v : CAP_LAST_CAP;
}

static int box_prepare(struct sbx_pool *pool, struct sbx_box *box, char *err, size_t size)
{
    size_t max = sizeof box->dir - 16;
    if ((size_t)snprintf(box->dir, max, "%s/box-%u", pool->base_dir, box->id) >= max ||
        (size_t)snprintf(box->root, sizeof box->root, "%s/root", box->dir) >= sizeof box->root) {
        snprintf(err, size, "base folder name too long");
        return -1;
    }
    if (mkdir_p(box->root, 0700) < 0) {
        snprintf(err, size, "mkdir %s: %s", box->dir, strerror(errno));
        return -1;
    }
    box->cg = sbx_cg_create(pool->cgroot, box->id, err, size);
    if (box->cg == NULL)
        return -1;
    size_t len = SBX_CHILD_STACKS * (SBX_CHILD_STACK + 4096);
    box->stacks = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                       -1, 0);
    if (box->stacks == MAP_FAILED) {
        box->stacks = NULL;
        snprintf(err, size, "mmap stacks: %s", strerror(errno));
        return -1;
    }
    /* Guard pages at the low end of each stack. */
    for (int i = 0; i < SBX_CHILD_STACKS; i++)
        if (mprotect((char *)box->stacks + i * (SBX_CHILD_STACK + 4096), 4096, PROT_NONE) < 0) {
            snprintf(err, size, "mprotect guard: %s", strerror(errno));
            return -1;
        }
    box->shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (box->shared == MAP_FAILED) {
        box->shared = NULL;
        snprintf(err, size, "mmap shared page: %s", strerror(errno));
        return -1;
    }
    box->arena = mmap(NULL, SBX_ARENA_BYTES, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (box->arena == MAP_FAILED) {
        box->arena = NULL;
        snprintf(err, size, "mmap arena: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static void box_free(struct sbx_box *box)
{
    bool keep = box->pool->keep_boxes;
    sbx_box_standby_stop(box); /* before its cgroup goes */
    if (box->cg != NULL && keep)
        sbx_cg_release(box->cg);
    else if (box->cg != NULL)
        sbx_cg_destroy(box->cg);
    if (box->work_fd >= 0)
        close(box->work_fd);
    if (box->mnt_fd >= 0)
        close(box->mnt_fd);
    if (box->netns_fd >= 0)
        close(box->netns_fd);
    if (box->root_rw_fd >= 0)
        close(box->root_rw_fd);
    if (box->stacks != NULL)
        munmap(box->stacks, SBX_CHILD_STACKS * (SBX_CHILD_STACK + 4096));
    if (box->shared != NULL)
        munmap(box->shared, 4096);
    if (box->arena != NULL)
        munmap(box->arena, SBX_ARENA_BYTES);
    if (box->dir[0] != '\0' && !keep) {
        rmdir(box->root);
        rmdir(box->dir);
    }
    if (box->lock_fd >= 0)
        close(box->lock_fd);
}

static int claim_boxes(struct sbx_pool *pool, const struct sbx_config *cfg, unsigned max_id,
                       unsigned first_uid, char *err, size_t size)
{
    unsigned got = 0;
    for (unsigned id = 0; id < max_id && got < pool->n_boxes; id++) {
        int fd = lock_id(id, true);
        if (fd < 0)
            continue;
        struct sbx_box *box = &pool->boxes[got++];
        box->lock_fd = fd;
        box->id = id;
        box->uid = first_uid + id;
        box->pool = pool;
        if (box_prepare(pool, box, err, size) < 0)
            return -1;
    }
    if (got < pool->n_boxes) {
        snprintf(err, size, "only %u of %u box ids free below %u (locks in %s)", got,
                 cfg->n_boxes, max_id, SBX_LOCK_DIR);
        return -1;
    }
    return 0;
}

/* A kept box's work folder may hold what a crashed run left: empty it before anyone uses it. */
static int clean_reused(struct sbx_pool *pool, char *err, size_t size)
{
    for (unsigned i = 0; i < pool->n_boxes; i++) {
        struct sbx_box *box = &pool->boxes[i];
        if (box->reused && sbx_box_clean(box) < 0) {
            snprintf(err, size, "clean the kept work folder of box %u: %s", box->id,
                     strerror(errno));
            sbx_keep_remove(box->id); /* the next pool builds it afresh */
            return -1;
        }
    }
    return 0;
}

/*** Public API ***/

struct sbx_pool *sbx_pool_new(const struct sbx_config *cfg, char *err, size_t err_size)
{
    unsigned n = cfg->n_boxes ? cfg->n_boxes : 1;
    unsigned max_id = cfg->max_box_id ? cfg->max_box_id : MAX_BOX_ID_DEFAULT;
    unsigned first_uid = cfg->first_uid ? cfg->first_uid : FIRST_UID_DEFAULT;
    if (n > POOL_BOXES_MAX) {
        snprintf(err, err_size, "n_boxes %u over the maximum %d", n, POOL_BOXES_MAX);
        return NULL;
    }
    struct sbx_pool *pool = calloc(1, sizeof *pool);
    if (pool == NULL) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->standby_cond, NULL);
    pool->n_boxes = n;
    pool->keep_boxes = cfg->keep_boxes;
    pool->ncpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (pool->ncpus < 1)
        pool->ncpus = 1;
    gv_strlcpy(pool->base_dir, cfg->base_dir ? cfg->base_dir : SBX_BASE_DIR_DEFAULT,
               sizeof pool->base_dir);
    pool->boxes = calloc(n, sizeof *pool->boxes);
    if (pool->boxes == NULL) {
        snprintf(err, err_size, "out of memory");
        free(pool);
        return NULL;
    }
    for (unsigned i = 0; i < n; i++)
        pool->boxes[i].lock_fd = pool->boxes[i].work_fd = pool->boxes[i].netns_fd =
            pool->boxes[i].mnt_fd = pool->boxes[i].root_rw_fd = pool->boxes[i].c1_pidfd =
                pool->boxes[i].c1_sock = pool->boxes[i].holder_pidfd =
                    pool->boxes[i].holder_exiting_pidfd = -1;
    pool->cap_last = read_cap_last();
    if (mkdir_p(pool->base_dir, 0700) < 0) {
        snprintf(err, err_size, "mkdir %s: %s", pool->base_dir, strerror(errno));
        goto err;
    }
    if (mkdir_p(SBX_LOCK_DIR, 0700) < 0) {
        snprintf(err, err_size, "mkdir %s: %s", SBX_LOCK_DIR, strerror(errno));
        goto err;
    }
    pool->cgroot = sbx_cg_detect(cfg->cgroup_root, err, err_size);
    if (pool->cgroot == NULL)
        goto err;
    scan_host_root(pool);
    if (claim_boxes(pool, cfg, max_id, first_uid, err, err_size) < 0)
        goto err;
    pool->work_kib = cfg->work_kib ? cfg->work_kib : SBX_WORK_KIB_DEFAULT;
    if (make_roots(pool, err, err_size) < 0)
        goto err;
    if (clean_reused(pool, err, err_size) < 0)
        goto err;
    if (sbx_cg_version(pool->cgroot) == SBX_CG_NONE)
        snprintf(pool->describe, sizeof pool->describe, "rlimits (no usable cgroup)");
    else
        gv_strlcpy(pool->describe, sbx_cg_describe(pool->cgroot), sizeof pool->describe);
    return pool;
err:
    sbx_pool_free(pool);
    return NULL;
}

void sbx_pool_free(struct sbx_pool *pool)
{
    if (pool == NULL)
        return;
    sbx_standby_stop_thread(pool);
    for (unsigned i = 0; i < pool->n_boxes; i++)
        box_free(&pool->boxes[i]);
    for (size_t i = 0; i < sizeof pool->filters / sizeof pool->filters[0]; i++)
        if (pool->filters[i] != NULL)
            sbx_seccomp_free(pool->filters[i]);
    if (pool->cgroot != NULL)
        sbx_cg_root_free(pool->cgroot);
    pthread_cond_destroy(&pool->standby_cond);
    pthread_mutex_destroy(&pool->lock);
    free(pool->boxes);
    free(pool);
}

static void first_error(char *err, size_t size, int *rc, const char *fmt, const char *a,
                        const char *b)
{
    if (*rc == 0)
        snprintf(err, size, fmt, a, b);
    *rc = -1;
}

static void cleanup_box(struct sbx_cg_root *cgroot, const char *base, unsigned id, char *err,
                        size_t size, int *rc)
{
    char dir[PATH_MAX], root[PATH_MAX + 8], why[200];
    if (cgroot != NULL && sbx_cg_remove_box(cgroot, id, why, sizeof why) < 0)
        first_error(err, size, rc, "%s%s", why, "");
    snprintf(dir, sizeof dir, "%s/box-%u", base, id);
    snprintf(root, sizeof root, "%s/root", dir);
    if ((rmdir(root) < 0 && errno != ENOENT) || (rmdir(dir) < 0 && errno != ENOENT))
        first_error(err, size, rc, "rmdir %s: %s", dir, strerror(errno));
}

int sbx_cleanup(const struct sbx_config *cfg, char *err, size_t err_size)
{
    unsigned max_id = cfg->max_box_id ? cfg->max_box_id : MAX_BOX_ID_DEFAULT;
    const char *base = cfg->base_dir ? cfg->base_dir : SBX_BASE_DIR_DEFAULT;
    int rc = 0;
    err[0] = '\0';
    struct sbx_cg_root *cgroot = sbx_cg_detect(cfg->cgroup_root, err, err_size);
    if (cgroot == NULL)
        rc = -1;
    for (unsigned id = 0; id < max_id; id++) {
        /* a box that never ran (no lock file) has nothing to clean */
        int fd = lock_id(id, false);
        if (fd < 0)
            continue;
        cleanup_box(cgroot, base, id, err, err_size, &rc);
        if (sbx_keep_remove(id) < 0)
            first_error(err, err_size, &rc, "remove the kept namespaces of a box%s: %s", "",
                        strerror(errno));
        close(fd);
    }
    sbx_keep_finish();
    if (cgroot != NULL)
        sbx_cg_root_free(cgroot);
    if (sbx_bpfcache_clear(NULL) < 0)
        first_error(err, err_size, &rc, "clear %s: %s", SBX_BPF_CACHE_DIR, strerror(errno));
    return rc;
}

const char *sbx_pool_describe(const struct sbx_pool *pool)
{
    return pool->describe;
}

struct sbx_filter *sbx_pool_filter(struct sbx_pool *pool, enum sbx_policy policy, char *err,
                                   size_t err_size)
{
    if ((unsigned)policy >= sizeof pool->filters / sizeof pool->filters[0]) {
        snprintf(err, err_size, "unknown policy %d", (int)policy);
        return NULL;
    }
    pthread_mutex_lock(&pool->lock);
    if (pool->filters[policy] == NULL) {
        enum sbx_bpfcache_how how;
        char path[PATH_MAX];
        pool->filters[policy] = sbx_bpfcache_get(NULL, policy, &how, path, sizeof path, err,
                                                 err_size);
        if (getenv("SBX_TIMING") != NULL)
            fprintf(stderr, "seccomp %s: cache %s %s\n", sbx_policy_name(policy),
                    sbx_bpfcache_how_name(how), path);
    }
    struct sbx_filter *f = pool->filters[policy];
    pthread_mutex_unlock(&pool->lock);
    return f;
}

struct sbx_box *sbx_box_acquire(struct sbx_pool *pool)
{
    struct sbx_box *found = NULL;
    pthread_mutex_lock(&pool->lock);
    for (unsigned i = 0; i < pool->n_boxes && found == NULL; i++) {
        if (!pool->boxes[i].busy) {
            found = &pool->boxes[i];
            found->busy = true;
        }
    }
    pthread_mutex_unlock(&pool->lock);
    return found;
}

void sbx_box_release(struct sbx_box *box)
{
    if (box == NULL)
        return;
    if (sbx_box_clean(box) < 0)
        gv_warn("sandbox: cleaning box %u: %s", box->id, strerror(errno));
    pthread_mutex_lock(&box->pool->lock);
    box->busy = false;
    pthread_mutex_unlock(&box->pool->lock);
}

unsigned sbx_box_id(const struct sbx_box *box)
{
    return box->id;
}
