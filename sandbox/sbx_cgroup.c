/*
 * sbx_cgroup.c - control groups for boxes: cgroup v2, cgroup v1, and v1 beside a v2 "unified" tree.
 *
 * Theory of operation
 * -------------------
 * A cgroup is a folder and its interface files are read and written as text. This module only
 * ever touches such files below a root folder it is given, so the same code runs against the
 * kernel (/sys/fs/cgroup) and against a fake tree of plain files in a test's temp folder.
 *
 * Detection (sbx_cg_detect) takes the calling process's own group in every hierarchy from
 * /proc/self/cgroup and picks:
 *   v2    root/cgroup.controllers exists (a pure cgroup2 mount) and the own group offers memory
 *         and pids: one hierarchy, H_V2.
 *   v1    root/memory and root/pids (and root/cpuacct) are v1 hierarchies holding our own group:
 *         H_MEMORY, H_PIDS, H_CPUACCT; plus H_V2 from root/unified when a cgroup2 tree sits there,
 *         used for what it offers without controllers: cpu.stat, cgroup.kill, CLONE_INTO_CGROUP.
 *   none  anything else, or a tree we may not write: the caller falls back to rlimits, and
 *         sbx_cg_describe() says why.
 * In each hierarchy used it makes "<own group>/gavel-sandbox"; on v2 it enables memory and pids in
 * the own group's and in gavel-sandbox's cgroup.subtree_control. v2's "no internal processes"
 * rule forbids that in a group that holds processes: gavel-sandbox never holds one, and when we
 * are alone in our own group we first move into the leaf "<own group>/gavel-self". A box is
 * "<own group>/gavel-sandbox/box-<id>". Box ids are unique per host (the core claims them with
 * lock files), so a box-<id> that already exists is the leftover of a crashed run: what runs in
 * it is killed and the folder is reused. Nothing here ever mounts, moves or re-binds a hierarchy.
 * The shared gavel-sandbox folder is removed by whoever frees the last root while it is empty;
 * a box that finds it gone makes it again.
 *
 * A box keeps an O_DIRECTORY descriptor per hierarchy, and the interface files every run reads or
 * writes stay open (pread/pwrite at offset 0: an open costs more than the read). cgroup.procs is
 * the exception for reading: a kept descriptor re-read from 0 repeats its first list, so lists
 * are read through a fresh open. The H_V2 folder descriptor doubles as the clone3
 * (CLONE_INTO_CGROUP) one. A hybrid-host box holds 14 descriptors, a v2 box 7.
 *
 * Counters per run. v1: writing 0 resets memory.max_usage_in_bytes, memory.failcnt and
 * cpuacct.usage; memory.oom_control's oom_kill counter cannot be reset, so reset remembers a
 * baseline. v2: baselines of cpu.stat usage_usec and of memory.events (max, oom_kill); memory.peak
 * is reset through a descriptor kept open (kernel 6.12+: a write resets the peak seen through that
 * descriptor); on older kernels reset recreates the group instead. Page cache left charged to the
 * group by earlier runs would inflate the next peak, so reset reclaims it first when it is above
 * CG_RECLAIM_ABOVE.
 *
 * Killing. pids.current counts a group's tasks until they are reaped: 0 there means nothing to
 * kill, the common case after a run, for one read. Else cgroup.kill (v2, Linux 5.14+, in the
 * unified tree too) kills the whole group at once, forks in flight included. Then, and without
 * it, every pid in the pids and v2 groups' cgroup.procs gets SIGKILL (a box's processes are in
 * all its groups, so these two lists tell everything), again until the lists are empty or
 * CG_KILL_TIMEOUT_MS passes; the pids limit bounds how fast a fork bomb can refill them. Zombies
 * leave cgroup.procs when they exit, so "empty" does not wait for the caller to reap its child.
 *
 * Fake trees: a hierarchy folder that is not a cgroup file system (statfs) is a test's tree of
 * plain files. The only differences: writes create files, and removal deletes them before rmdir.
 * The test plays the kernel's part by writing the counters it wants the module to read.
 */
#include "sbx_cgroup.h"

#include "gv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>

#define CG_DEFAULT_ROOT    "/sys/fs/cgroup"
#define CG_SELF_PATH       "/proc/self/cgroup"
#define CG_BASE_NAME       "gavel-sandbox"
#define CG_SELF_LEAF       "gavel-self" /* where we move on v2 to free our own group */
#define CG_SELF_MAX        16384     /* bytes of /proc/self/cgroup we accept */
#define CG_FILE_MAX        4096      /* bytes of one parsed interface file (cpu.stat, ...) */
#define CG_PROCS_CHUNK     4096      /* cgroup.procs is read in chunks of this size */
#define CG_KILL_TIMEOUT_MS 2000      /* sbx_cg_kill_all gives up after this */
#define CG_RMDIR_TRIES     100       /* rmdir retried on EBUSY, 1 ms apart */
#define CG_CREATE_TRIES    3         /* mkdir box retried when a racing process removed the base */
#define CG_RECLAIM_ABOVE   (8 << 20) /* bytes left charged before a run that reset reclaims */
#define CG_LIMIT_MARGIN    (4 << 20) /* a failed charge leaves the peak at most this far below */
#define CG_ERR_MAX         320
#define CG_DESC_MAX        320

enum cg_hier { H_MEMORY, H_PIDS, H_CPUACCT, H_V2, H_COUNT };

/* Each hierarchy: its folder under the root on a v1 host, its name in /proc/self/cgroup ("" is
 * the v2 line "0::/path"), and a file its groups have, to tell it is really there. */
static const struct hier_info {
    const char *dir;
    const char *controller;
    const char *probe;
} hier_info[H_COUNT] = {
    [H_MEMORY] = {"memory", "memory", "memory.limit_in_bytes"},
    [H_PIDS] = {"pids", "pids", "cgroup.procs"},
    [H_CPUACCT] = {"cpuacct", "cpuacct", "cpuacct.usage"},
    [H_V2] = {"unified", "", "cgroup.controllers"},
};

struct sbx_cg_root {
    enum sbx_cg_version version;
    bool fake;                         /* plain files, not a cgroup file system (tests) */
    bool used[H_COUNT];                /* hierarchies boxes get a group in */
    char own[H_COUNT][PATH_MAX];       /* <mount><own group> */
    char base[H_COUNT][PATH_MAX + 32]; /* <mount><own group>/gavel-sandbox */
    char desc[CG_DESC_MAX];
};

/* Interface files a box keeps open because every run reads or writes them: one pread or pwrite
 * each instead of open + read + close (opening a cgroup file costs more than reading it). */
enum cg_file {
    F_PEAK,    /* v1 memory.max_usage_in_bytes, v2 memory.peak */
    F_FAILCNT, /* v1 memory.failcnt */
    F_OOM,     /* v1 memory.oom_control, v2 memory.events */
    F_CPU,     /* v1 cpuacct.usage, else cpu.stat */
    F_KILL,    /* cgroup.kill of the v2 group, when the kernel has it */
    F_TASKS,   /* pids.current: tasks, zombies included, until they are reaped */
    F_PROCS,   /* cgroup.procs of hierarchy h is F_PROCS + h */
    F_COUNT = F_PROCS + H_COUNT,
};

/* Which file is which, per version; of two lines for the same F the first whose hierarchy is in
 * use wins (v1 CPU time: cpuacct, else the unified tree's cpu.stat). */
struct hot_file {
    enum cg_file f;
    enum cg_hier h;
    const char *name;
    int mode;
};

static const struct hot_file v1_files[] = {
    {F_PEAK, H_MEMORY, "memory.max_usage_in_bytes", O_RDWR},
    {F_FAILCNT, H_MEMORY, "memory.failcnt", O_RDWR},
    {F_OOM, H_MEMORY, "memory.oom_control", O_RDONLY},
    {F_CPU, H_CPUACCT, "cpuacct.usage", O_RDWR},
    {F_CPU, H_V2, "cpu.stat", O_RDONLY},
    {F_TASKS, H_PIDS, "pids.current", O_RDONLY},
};

static const struct hot_file v2_files[] = {
    {F_PEAK, H_V2, "memory.peak", O_RDWR},
    {F_OOM, H_V2, "memory.events", O_RDONLY},
    {F_CPU, H_V2, "cpu.stat", O_RDONLY},
    {F_TASKS, H_V2, "pids.current", O_RDONLY},
};

struct sbx_cg {
    struct sbx_cg_root *root;
    unsigned id;
    int dirfd[H_COUNT];                /* -1 where the hierarchy is unused */
    char path[H_COUNT][PATH_MAX + 48]; /* <base>/box-<id>, for messages and removal */
    int fd[F_COUNT];                   /* kept-open files, -1 when absent */
    const struct hot_file *file[F_COUNT];
    bool peak_resettable; /* v2: memory.peak takes a write (Linux 6.12+); v1: always */
    bool limits_known;    /* memory_kib/pids are what the kernel holds */
    uint64_t memory_kib;
    uint32_t pids;
    uint64_t base_cpu_us, base_oom_kills, base_max_events; /* baselines taken by reset */
    uint64_t last_peak; /* bytes, from the last stats since a reset; UINT64_MAX: unknown */
    char err[CG_ERR_MAX];
};

/*** Small file helpers ***/

/* Writes val into dirfd/name in one write(2), as cgroup files want. Returns 0 or -1 with errno. */
static int write_at(int dirfd, const char *name, const char *val, bool fake)
{
    int flags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW | (fake ? O_CREAT | O_TRUNC : 0);
    int fd = openat(dirfd, name, flags, 0644);
    if (fd < 0)
        return -1;
    size_t len = strlen(val);
    ssize_t n = write(fd, val, len);
    int saved = errno;
    close(fd);
    if (n == (ssize_t)len)
        return 0;
    errno = n < 0 ? saved : EIO;
    return -1;
}

/* Reads dirfd/name (at most size - 1 bytes, else EFBIG) into buf as a C string. Returns the length
 * or -1 with errno. */
static ssize_t read_at(int dirfd, const char *name, char *buf, size_t size)
{
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, size - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int saved = errno;
            close(fd);
            errno = saved;
            return -1;
        }
        len += (size_t)n;
        if (n == 0 || len == size - 1)
            break;
    }
    close(fd);
    buf[len] = '\0';
    if (len == size - 1) {
        errno = EFBIG;
        return -1;
    }
    return (ssize_t)len;
}

/* Parses a decimal u64 that takes the whole of s (trailing white space allowed). "max" is
 * UINT64_MAX. */
static int parse_u64(const char *s, uint64_t *out)
{
    while (*s == ' ')
        s++;
    if (strncmp(s, "max", 3) == 0) {
        *out = UINT64_MAX;
        return 0;
    }
    if (*s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0)
        return -1;
    while (*end == ' ' || *end == '\n')
        end++;
    if (*end != '\0')
        return -1;
    *out = v;
    return 0;
}

/* Finds the line "key value" in a flat-keyed file (cpu.stat, memory.events, memory.oom_control)
 * and parses its value. Returns 0, or -1 when the key is missing or the value malformed. */
static int kv_get(const char *text, const char *key, uint64_t *out)
{
    size_t klen = strlen(key);
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t llen = nl ? (size_t)(nl - line) : strlen(line);
        if (llen > klen && strncmp(line, key, klen) == 0 && line[klen] == ' ') {
            char value[32];
            size_t vlen = llen - klen - 1;
            if (vlen >= sizeof value)
                return -1;
            memcpy(value, line + klen + 1, vlen);
            value[vlen] = '\0';
            return parse_u64(value, out);
        }
        line += llen + (nl ? 1 : 0);
    }
    return -1;
}

/* True when the white-space separated list contains word. */
static bool has_word(const char *list, const char *word)
{
    size_t wlen = strlen(word);
    for (const char *p = list; (p = strstr(p, word)) != NULL; p += wlen) {
        bool start = p == list || p[-1] == ' ' || p[-1] == '\n';
        bool end = p[wlen] == '\0' || p[wlen] == ' ' || p[wlen] == '\n';
        if (start && end)
            return true;
    }
    return false;
}

static bool exists_at(int dirfd, const char *name)
{
    return faccessat(dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Removes a group folder: rmdir on a cgroup file system, retried while the kernel still counts
 * exiting tasks (EBUSY) when `tries` > 1; in a fake tree the plain files go first, unless it has
 * sub-folders. A shared folder with groups below it is EBUSY too: try it once. */
static int remove_group(const char *path, bool fake, int tries)
{
    if (fake) {
        DIR *d = opendir(path);
        if (!d)
            return errno == ENOENT ? 0 : -1;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_type == DT_DIR && strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                closedir(d);
                errno = ENOTEMPTY;
                return -1;
            }
            if (e->d_type == DT_REG && unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT) {
                int saved = errno;
                closedir(d);
                errno = saved;
                return -1;
            }
        }
        closedir(d);
    }
    for (int i = 0; i < tries; i++) {
        if (rmdir(path) == 0 || errno == ENOENT)
            return 0;
        if (errno != EBUSY || i + 1 == tries)
            return -1;
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    }
    return -1;
}

/*** Detection ***/

/* Finds our own group for a controller ("" = the v2 line) in /proc/self/cgroup's text: lines are
 * "hierarchy-id:controller,list:/path". Copies the path ("" for "/") into out. */
static int own_group(const char *self, const char *controller, char *out, size_t size)
{
    for (const char *line = self; *line;) {
        const char *nl = strchr(line, '\n');
        size_t llen = nl ? (size_t)(nl - line) : strlen(line);
        const char *c1 = memchr(line, ':', llen);
        const char *c2 = c1 ? memchr(c1 + 1, ':', llen - (size_t)(c1 + 1 - line)) : NULL;
        if (c2) {
            char ctrls[256];
            size_t clen = (size_t)(c2 - c1 - 1);
            if (clen < sizeof ctrls) {
                memcpy(ctrls, c1 + 1, clen);
                ctrls[clen] = '\0';
                bool match = controller[0] ? clen > 0 : clen == 0 && strncmp(line, "0:", 2) == 0;
                if (controller[0] && match) {
                    match = false;
                    for (char *sv, *t = strtok_r(ctrls, ",", &sv); t; t = strtok_r(NULL, ",", &sv))
                        match = match || strcmp(t, controller) == 0;
                }
                size_t plen = llen - (size_t)(c2 + 1 - line);
                if (match && plen < size && c2[1] == '/') {
                    memcpy(out, c2 + 1, plen);
                    out[plen] = '\0';
                    if (strcmp(out, "/") == 0)
                        out[0] = '\0';
                    return 0;
                }
            }
        }
        line += llen + (nl ? 1 : 0);
    }
    return -1;
}

static void set_none(struct sbx_cg_root *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_none(struct sbx_cg_root *r, const char *fmt, ...)
{
    char why[CG_DESC_MAX - 40];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    memset(r->used, 0, sizeof r->used);
    r->version = SBX_CG_NONE;
    snprintf(r->desc, sizeof r->desc, "no cgroups (%s)", why);
}

/* Fills own[h] and base[h] for hierarchy h mounted at `mount`; 0 if our group is there and has
 * the hierarchy's probe file. */
static int locate(struct sbx_cg_root *r, enum cg_hier h, const char *mount, const char *self)
{
    char own[PATH_MAX], dir[PATH_MAX];
    if (own_group(self, hier_info[h].controller, own, sizeof own) < 0)
        return -1;
    /* In the leaf we moved into earlier (move_self_out): our group is still its parent. */
    size_t len = strlen(own), leaf = strlen("/" CG_SELF_LEAF);
    if (len > leaf && strcmp(own + len - leaf, "/" CG_SELF_LEAF) == 0)
        own[len - leaf] = '\0';
    int n = snprintf(dir, sizeof dir, "%s%s", mount, own);
    if (n < 0 || (size_t)n >= sizeof dir)
        return -1;
    memcpy(r->own[h], dir, sizeof dir);
    snprintf(r->base[h], sizeof r->base[h], "%s/%s", dir, CG_BASE_NAME);
    char probe[PATH_MAX + 64];
    snprintf(probe, sizeof probe, "%s/%s", dir, hier_info[h].probe);
    return access(probe, F_OK);
}

/* Makes base[h] (and on pure v2 enables memory and pids below it). 0, or -1 with what failed in
 * why; the root itself is left as it is (boxes call this too, when a racing process removed the
 * base). */
static int make_base(const struct sbx_cg_root *r, enum cg_hier h, char *why, size_t why_size)
{
    if (mkdir(r->base[h], 0755) < 0 && errno != EEXIST) {
        snprintf(why, why_size, "mkdir %s: %s", r->base[h], strerror(errno));
        return -1;
    }
    if (r->version != SBX_CG_V2)
        return 0;
    int fd = open(r->base[h], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, why_size, "open %s: %s", r->base[h], strerror(errno));
        return -1;
    }
    int rc = write_at(fd, "cgroup.subtree_control", "+memory +pids", r->fake);
    int saved = errno;
    close(fd);
    if (rc < 0) {
        snprintf(why, why_size, "write %s/cgroup.subtree_control: %s", r->base[h],
                 strerror(saved));
        return -1;
    }
    return 0;
}

/* make_base at detection: a failure means no cgroups for us. */
static int detect_base(struct sbx_cg_root *r, enum cg_hier h)
{
    char why[CG_DESC_MAX];
    if (make_base(r, h, why, sizeof why) == 0)
        return 0;
    set_none(r, "%s", why);
    return -1;
}

static bool is_fs(const char *path, long magic)
{
    struct statfs st;
    return statfs(path, &st) == 0 && (long)st.f_type == magic;
}

/* snprintf for messages, where a long path may cut the text short (and that is fine). */
static void say(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

/* v2's "no internal processes" rule: a group (other than a hierarchy's root) that enables memory
 * and pids for its children may hold no process itself, and we are in our own group. When we are
 * alone in it (the one process of a service or a container), we move into a leaf beside
 * gavel-sandbox, <own>/gavel-self, so the own group may enable them. With other processes in it
 * we cannot: they are not ours to move. */
static int move_self_out(const struct sbx_cg_root *r, char *why, size_t why_size)
{
    char path[PATH_MAX + 64], text[CG_FILE_MAX], me[32];
    snprintf(path, sizeof path, "%s/cgroup.procs", r->own[H_V2]);
    if (read_at(AT_FDCWD, path, text, sizeof text) < 0) {
        say(why, why_size, "read %s: %s", path, strerror(errno));
        return -1;
    }
    snprintf(me, sizeof me, "%d", (int)getpid());
    for (char *sv, *t = strtok_r(text, "\n", &sv); t; t = strtok_r(NULL, "\n", &sv)) {
        if (strcmp(t, me) != 0) {
            say(why, why_size,
                "cgroup v2: process %s shares our group %s; give gavel a group of its own "
                "(systemd: Delegate=yes)",
                t, r->own[H_V2]);
            return -1;
        }
    }
    snprintf(path, sizeof path, "%s/%s", r->own[H_V2], CG_SELF_LEAF);
    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        say(why, why_size, "mkdir %s: %s", path, strerror(errno));
        return -1;
    }
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = fd < 0 ? -1 : write_at(fd, "cgroup.procs", me, r->fake);
    int saved = errno;
    if (fd >= 0)
        close(fd);
    if (rc < 0) {
        say(why, why_size, "move ourselves into %s: %s", path, strerror(saved));
        return -1;
    }
    gv_info("cgroup: moved ourselves into %s, so that %s may enable memory and pids for boxes",
            path, r->own[H_V2]);
    return 0;
}

/* Enables memory and pids in our own group's cgroup.subtree_control, moving us out of the way
 * first where we are in the way (see move_self_out). */
static int enable_own(struct sbx_cg_root *r, const char *root, char *why, size_t why_size)
{
    char path[PATH_MAX + 64], text[CG_FILE_MAX];
    snprintf(path, sizeof path, "%s/cgroup.subtree_control", r->own[H_V2]);
    if (read_at(AT_FDCWD, path, text, sizeof text) < 0)
        text[0] = '\0';
    if (has_word(text, "memory") && has_word(text, "pids"))
        return 0;
    /* A hierarchy's root is exempt from the rule; a cgroup namespace's root is not, which only
     * the kernel's EBUSY tells. */
    bool moved = strcmp(r->own[H_V2], root) != 0;
    if (moved && move_self_out(r, why, why_size) < 0)
        return -1;
    if (write_at(AT_FDCWD, path, "+memory +pids", r->fake) == 0)
        return 0;
    if (errno == EBUSY && !moved) {
        if (move_self_out(r, why, why_size) < 0)
            return -1;
        if (write_at(AT_FDCWD, path, "+memory +pids", r->fake) == 0)
            return 0;
    }
    say(why, why_size, "write %s: %s", path, strerror(errno));
    return -1;
}

/* Pure v2: the own group must offer memory and pids; enable them for our children. */
static void detect_v2(struct sbx_cg_root *r, const char *root, const char *self)
{
    r->fake = !is_fs(root, CGROUP2_SUPER_MAGIC);
    if (locate(r, H_V2, root, self) < 0) {
        set_none(r, "cgroup v2 at %s but our group from /proc/self/cgroup is not there", root);
        return;
    }
    char path[PATH_MAX + 64], text[CG_FILE_MAX], why[CG_DESC_MAX];
    snprintf(path, sizeof path, "%s/cgroup.controllers", r->own[H_V2]);
    if (read_at(AT_FDCWD, path, text, sizeof text) < 0) {
        set_none(r, "read %s: %s", path, strerror(errno));
        return;
    }
    if (!has_word(text, "memory") || !has_word(text, "pids")) {
        set_none(r, "cgroup v2 without the memory and pids controllers in %s", path);
        return;
    }
    if (enable_own(r, root, why, sizeof why) < 0) {
        set_none(r, "%s", why);
        return;
    }
    r->version = SBX_CG_V2;
    r->used[H_V2] = true;
    if (detect_base(r, H_V2) < 0)
        return;
    snprintf(r->desc, sizeof r->desc, "cgroup v2 (memory, pids, cpu.stat, cgroup.kill)");
}

/* v1: memory and pids required, cpuacct wanted, the unified v2 tree used when it is there. */
static void detect_v1(struct sbx_cg_root *r, const char *root, const char *self)
{
    char mount[PATH_MAX];
    snprintf(mount, sizeof mount, "%s/memory", root);
    r->fake = !is_fs(mount, CGROUP_SUPER_MAGIC);
    for (enum cg_hier h = H_MEMORY; h < H_COUNT; h++) {
        snprintf(mount, sizeof mount, "%s/%s", root, hier_info[h].dir);
        r->used[h] = locate(r, h, mount, self) == 0;
    }
    if (!r->used[H_MEMORY] || !r->used[H_PIDS]) {
        set_none(r, "no cgroup v1 memory and pids hierarchies holding our group under %s", root);
        return;
    }
    r->version = SBX_CG_V1;
    if (detect_base(r, H_MEMORY) < 0)
        return;
    if (detect_base(r, H_PIDS) < 0) {
        remove_group(r->base[H_MEMORY], r->fake, 1); /* best effort: only if empty */
        return;
    }
    for (enum cg_hier h = H_CPUACCT; h < H_COUNT; h++)
        if (r->used[h] && mkdir(r->base[h], 0755) < 0 && errno != EEXIST)
            r->used[h] = false; /* optional: do without */
    if (!r->used[H_CPUACCT] && !r->used[H_V2]) {
        set_none(r, "cgroup v1 without cpuacct and without a v2 cpu.stat under %s", root);
        return;
    }
    snprintf(r->desc, sizeof r->desc, "cgroup v1 (memory, pids%s)%s",
             r->used[H_CPUACCT] ? ", cpuacct" : "",
             r->used[H_V2] ? " + v2 unified (cpu.stat, cgroup.kill)" : "");
}

struct sbx_cg_root *sbx_cg_detect_with(const char *root, const char *self_cgroup, char *err,
                                       size_t err_size)
{
    if (!root)
        root = CG_DEFAULT_ROOT;
    struct sbx_cg_root *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, err_size, "cgroup: out of memory");
        return NULL;
    }
    char *self_text = NULL;
    if (!self_cgroup) {
        self_text = gv_read_file(CG_SELF_PATH, CG_SELF_MAX, NULL);
        if (!self_text) {
            set_none(r, "read %s: %s", CG_SELF_PATH, strerror(errno));
            return r;
        }
        self_cgroup = self_text;
    }
    char probe[PATH_MAX];
    snprintf(probe, sizeof probe, "%s/cgroup.controllers", root);
    if (access(probe, F_OK) == 0) {
        detect_v2(r, root, self_cgroup);
    } else {
        snprintf(probe, sizeof probe, "%s/memory", root);
        if (access(probe, F_OK) == 0)
            detect_v1(r, root, self_cgroup);
        else
            set_none(r, "no cgroup v2 or v1 memory hierarchy under %s", root);
    }
    free(self_text);
    return r;
}

struct sbx_cg_root *sbx_cg_detect(const char *root, char *err, size_t err_size)
{
    return sbx_cg_detect_with(root, NULL, err, err_size);
}

enum sbx_cg_version sbx_cg_version(const struct sbx_cg_root *root)
{
    return root ? root->version : SBX_CG_NONE;
}

const char *sbx_cg_describe(const struct sbx_cg_root *root)
{
    return root ? root->desc : "no cgroups";
}

void sbx_cg_root_free(struct sbx_cg_root *root)
{
    if (!root)
        return;
    /* The shared base goes when no box of any process is left in it; else it stays. */
    for (enum cg_hier h = H_MEMORY; h < H_COUNT; h++)
        if (root->used[h])
            remove_group(root->base[h], root->fake, 1);
    free(root);
}

/*** One box's group ***/

static int cg_fail(struct sbx_cg *cg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records what failed (for sbx_cg_error) and returns -1; errno is left as the failure set it. */
static int cg_fail(struct sbx_cg *cg, const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cg->err, sizeof cg->err, fmt, ap);
    va_end(ap);
    errno = saved;
    return -1;
}

/* Writes one interface file of the box in hierarchy h (files written rarely: limits, settings). */
static int cg_write(struct sbx_cg *cg, enum cg_hier h, const char *name, const char *val)
{
    if (write_at(cg->dirfd[h], name, val, cg->root->fake) < 0)
        return cg_fail(cg, "write %s/%s (%s): %s", cg->path[h], name, val, strerror(errno));
    return 0;
}

/* Like cg_write, for files a kernel may lack: ENOENT is not an error. */
static int cg_write_opt(struct sbx_cg *cg, enum cg_hier h, const char *name, const char *val)
{
    if (!exists_at(cg->dirfd[h], name))
        return 0;
    return cg_write(cg, h, name, val);
}

/* Path of a kept-open file, for messages. */
static const char *file_path(const struct sbx_cg *cg, enum cg_file f, char *buf, size_t size)
{
    const struct hot_file *hf = cg->file[f];
    if (f >= F_PROCS)
        snprintf(buf, size, "%s/cgroup.procs", cg->path[f - F_PROCS]);
    else if (f == F_KILL)
        snprintf(buf, size, "%s/cgroup.kill", cg->path[H_V2]);
    else
        snprintf(buf, size, "%s/%s", hf ? cg->path[hf->h] : "?", hf ? hf->name : "?");
    return buf;
}

static int file_fail(struct sbx_cg *cg, const char *what, enum cg_file f, int err)
{
    char path[PATH_MAX + 96];
    cg_fail(cg, "%s %s: %s", what, file_path(cg, f, path, sizeof path), strerror(err));
    errno = err;
    return -1;
}

/* Writes val to a kept-open file in one pwrite (a fake tree's plain file is cut to it). */
static int fd_write(struct sbx_cg *cg, enum cg_file f, const char *val)
{
    size_t len = strlen(val);
    ssize_t n = pwrite(cg->fd[f], val, len, 0);
    if (n != (ssize_t)len)
        return file_fail(cg, "write", f, n < 0 ? errno : EIO);
    if (cg->root->fake && ftruncate(cg->fd[f], (off_t)len) < 0)
        return file_fail(cg, "truncate", f, errno);
    return 0;
}

/* Reads a whole kept-open file (at most size - 1 bytes) from its start into buf. */
static int fd_read(struct sbx_cg *cg, enum cg_file f, char *buf, size_t size)
{
    size_t len = 0;
    for (;;) {
        ssize_t n = pread(cg->fd[f], buf + len, size - 1 - len, (off_t)len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return file_fail(cg, "read", f, errno);
        len += (size_t)n;
        if (n == 0)
            break;
        if (len == size - 1)
            return file_fail(cg, "read", f, EFBIG);
    }
    buf[len] = '\0';
    return 0;
}

/* Reads a kept-open file holding one number. */
static int fd_read_u64(struct sbx_cg *cg, enum cg_file f, uint64_t *out)
{
    char buf[64];
    if (fd_read(cg, f, buf, sizeof buf) < 0)
        return -1;
    if (parse_u64(buf, out) < 0)
        return file_fail(cg, "parse", f, EINVAL);
    return 0;
}

/* Reads the values of up to two keys of a kept-open flat-keyed file (key2 may be NULL). */
static int fd_read_keys(struct sbx_cg *cg, enum cg_file f, const char *key1, uint64_t *out1,
                        const char *key2, uint64_t *out2)
{
    char buf[CG_FILE_MAX];
    if (fd_read(cg, f, buf, sizeof buf) < 0)
        return -1;
    if (kv_get(buf, key1, out1) < 0 || (key2 && kv_get(buf, key2, out2) < 0)) {
        char path[PATH_MAX + 96];
        errno = EINVAL;
        return cg_fail(cg, "parse %s: no \"%s\"%s%s", file_path(cg, f, path, sizeof path), key1,
                       key2 ? " or " : "", key2 ? key2 : "");
    }
    return 0;
}

/* CPU time the group used so far: cpuacct.usage (ns) or cpu.stat usage_usec. */
static int read_cpu_us(struct sbx_cg *cg, uint64_t *us)
{
    if (cg->file[F_CPU]->h == H_CPUACCT) {
        if (fd_read_u64(cg, F_CPU, us) < 0)
            return -1;
        *us /= 1000;
        return 0;
    }
    return fd_read_keys(cg, F_CPU, "usage_usec", us, NULL, NULL);
}

/* Calls fn for every pid listed in the box's cgroup.procs of hierarchy h, reading in chunks so a
 * long list costs no more memory than a short one. Returns the number of pids seen, or -1.
 * cgroup.procs is opened afresh each time: re-reading a kept descriptor from offset 0 returns the
 * list as it was at the first read (its task iterator does not restart), unlike the one-value
 * files kept open above. */
static int procs_each(struct sbx_cg *cg, enum cg_hier h, void (*fn)(pid_t, void *), void *arg)
{
    int fd = openat(cg->dirfd[h], "cgroup.procs", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && (errno == ENOENT || errno == ENODEV))
        return 0; /* the group was removed under us (taken over): it holds nothing */
    if (fd < 0)
        return file_fail(cg, "open", F_PROCS + h, errno);
    char chunk[CG_PROCS_CHUNK];
    long pid = 0;
    bool in_number = false;
    int count = 0;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int saved = errno;
            close(fd);
            return saved == ENODEV ? 0 : file_fail(cg, "read", F_PROCS + h, saved);
        }
        for (ssize_t i = 0; i <= n; i++) {
            bool digit = i < n && chunk[i] >= '0' && chunk[i] <= '9';
            if (digit && pid < INT_MAX / 10) {
                pid = pid * 10 + (chunk[i] - '0');
                in_number = true;
            } else if (in_number && (i < n || n == 0)) {
                if (fn)
                    fn((pid_t)pid, arg);
                count++;
                pid = 0;
                in_number = false;
            }
        }
        if (n == 0)
            break;
    }
    close(fd);
    return count;
}

/* The hierarchies whose process lists kill_all and count read: every process of the box is in
 * all of its hierarchies (attach writes them all, children inherit them), so the pids one and the
 * v2 one tell everything; memory and cpuacct would only repeat them. */
static bool lists_procs(const struct sbx_cg *cg, enum cg_hier h)
{
    return cg->dirfd[h] >= 0 && (h == H_PIDS || h == H_V2);
}

/* Opens the box's folder in hierarchy h, making it (or taking over a leftover). *leftover tells
 * whether it existed already. */
static int open_box_dir(struct sbx_cg *cg, enum cg_hier h, bool *leftover)
{
    struct sbx_cg_root *r = cg->root;
    int n = snprintf(cg->path[h], sizeof cg->path[h], "%s/box-%u", r->base[h], cg->id);
    if (n < 0 || (size_t)n >= sizeof cg->path[h]) {
        errno = ENAMETOOLONG;
        return cg_fail(cg, "cgroup path too long under %s", r->base[h]);
    }
    for (int i = 0; i < CG_CREATE_TRIES; i++) {
        if (mkdir(cg->path[h], 0755) == 0)
            break;
        if (errno == EEXIST) {
            *leftover = true;
            break;
        }
        /* Another process may just have removed the shared base: make it again. */
        if (errno != ENOENT)
            return cg_fail(cg, "mkdir %s: %s", cg->path[h], strerror(errno));
        if (make_base(r, h, cg->err, sizeof cg->err) < 0)
            return -1;
    }
    cg->dirfd[h] = open(cg->path[h], O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (cg->dirfd[h] < 0)
        return cg_fail(cg, "open %s: %s", cg->path[h], strerror(errno));
    return 0;
}

/* Opens one kept-open file; a fake tree gets it created. */
static int open_file(struct sbx_cg *cg, enum cg_file f, enum cg_hier h, const char *name, int mode)
{
    int create = cg->root->fake ? O_CREAT : 0;
    cg->fd[f] = openat(cg->dirfd[h], name, mode | O_CLOEXEC | O_NOFOLLOW | create, 0644);
    if (cg->fd[f] >= 0)
        return 0;
    int saved = errno;
    cg_fail(cg, "open %s/%s: %s", cg->path[h], name, strerror(saved));
    errno = saved;
    return -1;
}

static int open_files(struct sbx_cg *cg)
{
    bool v2 = cg->root->version == SBX_CG_V2;
    const struct hot_file *table = v2 ? v2_files : v1_files;
    size_t n = v2 ? sizeof v2_files / sizeof v2_files[0] : sizeof v1_files / sizeof v1_files[0];
    for (size_t i = 0; i < n; i++) {
        const struct hot_file *hf = &table[i];
        if (cg->fd[hf->f] >= 0 || cg->dirfd[hf->h] < 0)
            continue;
        cg->file[hf->f] = hf;
        if (open_file(cg, hf->f, hf->h, hf->name, hf->mode) == 0)
            continue;
        /* memory.peak before Linux 6.12 is read-only: reset then recreates the group. */
        if (hf->f != F_PEAK || errno != EACCES || open_file(cg, F_PEAK, H_V2, hf->name, O_RDONLY))
            return -1;
        cg->peak_resettable = false;
    }
    for (enum cg_hier h = H_MEMORY; h < H_COUNT; h++)
        if (cg->dirfd[h] >= 0 && open_file(cg, F_PROCS + h, h, "cgroup.procs", O_RDWR) < 0)
            return -1;
    if (cg->dirfd[H_V2] >= 0 && exists_at(cg->dirfd[H_V2], "cgroup.kill"))
        return open_file(cg, F_KILL, H_V2, "cgroup.kill", O_WRONLY);
    return 0;
}

/* Settings made once per group (a leftover may carry anything): the OOM killer on and taking the
 * whole box, and no swap, so that the memory limit is what the box gets. */
static int setup_group(struct sbx_cg *cg)
{
    if (cg->root->version == SBX_CG_V2) {
        if (cg_write_opt(cg, H_V2, "memory.oom.group", "1") < 0)
            return -1;
        return cg_write_opt(cg, H_V2, "memory.swap.max", "0");
    }
    if (cg_write(cg, H_MEMORY, "memory.oom_control", "0") < 0)
        return -1;
    /* Best effort: where memory.memsw is missing (no swap accounting), this keeps the box from
     * swapping instead of hitting its limit; some kernels refuse it below a hierarchy. */
    if (exists_at(cg->dirfd[H_MEMORY], "memory.swappiness"))
        write_at(cg->dirfd[H_MEMORY], "memory.swappiness", "0", cg->root->fake);
    return 0;
}

/* Makes (or takes over) the folders, opens the files, makes the settings. */
static int open_groups(struct sbx_cg *cg, bool *leftover)
{
    for (enum cg_hier h = H_MEMORY; h < H_COUNT; h++)
        if (cg->root->used[h] && open_box_dir(cg, h, leftover) < 0)
            return -1;
    bool resettable = cg->peak_resettable;
    cg->peak_resettable = true; /* until the kernel says otherwise */
    if (open_files(cg) < 0)
        return -1;
    cg->peak_resettable = cg->peak_resettable && resettable;
    if (setup_group(cg) < 0)
        return -1;
    cg->limits_known = false;
    return 0;
}

static void close_groups(struct sbx_cg *cg)
{
    for (enum cg_hier h = H_MEMORY; h < H_COUNT; h++) {
        if (cg->dirfd[h] >= 0)
            close(cg->dirfd[h]);
        cg->dirfd[h] = -1;
    }
    for (enum cg_file f = 0; f < F_COUNT; f++) {
        if (cg->fd[f] >= 0)
            close(cg->fd[f]);
        cg->fd[f] = -1;
    }
}

/* pids.current (tasks, zombies not yet released included) in one read; -1 without it. */
static int read_tasks(const struct sbx_cg *cg, uint64_t *tasks)
{
    char buf[32];
    ssize_t n = cg->fd[F_TASKS] >= 0 ? pread(cg->fd[F_TASKS], buf, sizeof buf - 1, 0) : -1;
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    return parse_u64(buf, tasks);
}

/* After killing a leftover group's processes: waits (bounded) until the last of them is reaped,
 * because pids.current counts zombies and a run's pids.max would otherwise be short of them. A
 * crashed owner's processes are reaped by init, which takes a moment. */
static void wait_reaped(struct sbx_cg *cg)
{
    uint64_t tasks = 1;
    int64_t deadline = gv_now_ms() + CG_KILL_TIMEOUT_MS;
    while (cg->fd[F_TASKS] >= 0 && gv_now_ms() < deadline) {
        if (read_tasks(cg, &tasks) < 0 || tasks == 0)
            return;
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    }
    if (tasks != 0)
        gv_warn("cgroup box %u: %llu tasks of a leftover group not reaped", cg->id,
                (unsigned long long)tasks);
}

struct sbx_cg *sbx_cg_create(struct sbx_cg_root *root, unsigned box_id, char *err, size_t err_size)
{
    if (!root || root->version == SBX_CG_NONE) {
        snprintf(err, err_size, "cgroup: %s", sbx_cg_describe(root));
        return NULL;
    }
    struct sbx_cg *cg = calloc(1, sizeof *cg);
    if (!cg) {
        snprintf(err, err_size, "cgroup: out of memory");
        return NULL;
    }
    cg->root = root;
    cg->id = box_id;
    cg->peak_resettable = true;
    cg->last_peak = UINT64_MAX;
    for (enum cg_hier h = H_MEMORY; h < H_COUNT; h++)
        cg->dirfd[h] = -1;
    for (enum cg_file f = 0; f < F_COUNT; f++)
        cg->fd[f] = -1;
    bool leftover = false;
    if (open_groups(cg, &leftover) < 0 || (leftover && sbx_cg_kill_all(cg) < 0)) {
        snprintf(err, err_size, "%s", cg->err);
        sbx_cg_destroy(cg);
        return NULL;
    }
    if (leftover)
        wait_reaped(cg);
    return cg;
}

/*** Limits, counters, processes ***/

/* "max" (v2, pids) or "-1" (v1 memory) for no limit; else the number. */
static void limit_text(char *buf, size_t size, uint64_t value, const char *unlimited)
{
    if (value == 0)
        snprintf(buf, size, "%s", unlimited);
    else
        snprintf(buf, size, "%" PRIu64, value);
}

static int set_limits_v1(struct sbx_cg *cg, uint64_t bytes, uint32_t pids)
{
    char mem[32], pid_text[32];
    limit_text(mem, sizeof mem, bytes, "-1");
    limit_text(pid_text, sizeof pid_text, pids, "max");
    /* memory.memsw (memory + swap) must never be below the memory limit: lift it first, then set
     * both, so the box cannot swap its way past the limit. */
    bool memsw = exists_at(cg->dirfd[H_MEMORY], "memory.memsw.limit_in_bytes");
    if (memsw && cg_write(cg, H_MEMORY, "memory.memsw.limit_in_bytes", "-1") < 0)
        return -1;
    if (cg_write(cg, H_MEMORY, "memory.limit_in_bytes", mem) < 0)
        return -1;
    if (memsw && cg_write(cg, H_MEMORY, "memory.memsw.limit_in_bytes", mem) < 0)
        return -1;
    return cg_write(cg, H_PIDS, "pids.max", pid_text);
}

static int set_limits_v2(struct sbx_cg *cg, uint64_t bytes, uint32_t pids)
{
    char mem[32], pid_text[32];
    limit_text(mem, sizeof mem, bytes, "max");
    limit_text(pid_text, sizeof pid_text, pids, "max");
    if (cg_write(cg, H_V2, "memory.max", mem) < 0)
        return -1;
    return cg_write(cg, H_V2, "pids.max", pid_text);
}

int sbx_cg_set_limits(struct sbx_cg *cg, uint64_t memory_kib, uint32_t pids)
{
    if (cg->limits_known && cg->memory_kib == memory_kib && cg->pids == pids)
        return 0; /* pooled boxes mostly run with the same limits: skip the writes */
    uint64_t bytes = memory_kib > UINT64_MAX / 2048 ? 0 : memory_kib * 1024;
    cg->limits_known = false;
    int rc = cg->root->version == SBX_CG_V2 ? set_limits_v2(cg, bytes, pids)
                                             : set_limits_v1(cg, bytes, pids);
    if (rc < 0)
        return -1;
    cg->memory_kib = memory_kib;
    cg->pids = pids;
    cg->limits_known = true;
    return 0;
}

/* Resets the peak to the current usage: v1 by writing 0, v2 through our memory.peak descriptor.
 * Returns 1 when this kernel cannot reset memory.peak (before Linux 6.12). */
static int reset_peak(struct sbx_cg *cg)
{
    bool v2 = cg->root->version == SBX_CG_V2;
    const char *val = v2 ? "reset\n" : "0";
    if (cg->root->fake)
        return fd_write(cg, F_PEAK, val);
    if (pwrite(cg->fd[F_PEAK], val, strlen(val), 0) >= 0)
        return 0;
    if (v2 && (errno == EINVAL || errno == EACCES || errno == EPERM || errno == EBADF))
        return 1;
    return file_fail(cg, "write", F_PEAK, errno);
}

/* Memory left charged to the empty group (page cache of files earlier runs read or wrote) would
 * count in the next peak: give it back when there is much of it, and reset the peak again. The
 * peak right after a reset is the current usage, so no other file needs reading; and what is left
 * cannot be more than the last run's peak, so after a small run there is nothing to read. */
static int reclaim_leftover(struct sbx_cg *cg)
{
    uint64_t usage, last = cg->last_peak;
    cg->last_peak = UINT64_MAX;
    if (cg->root->fake || last < CG_RECLAIM_ABOVE)
        return 0;
    if (fd_read_u64(cg, F_PEAK, &usage) < 0 || usage < CG_RECLAIM_ABOVE)
        return 0;
    bool v2 = cg->root->version == SBX_CG_V2;
    char amount[32];
    snprintf(amount, sizeof amount, "%" PRIu64, usage);
    /* Best effort: memory.reclaim says EAGAIN when it got less than asked. */
    write_at(cg->dirfd[v2 ? H_V2 : H_MEMORY], v2 ? "memory.reclaim" : "memory.force_empty",
             v2 ? amount : "0", false);
    return reset_peak(cg) < 0 ? -1 : 0;
}

/* Without a resettable memory.peak, a fresh group is the only way to a fresh peak. */
static int recreate_group(struct sbx_cg *cg)
{
    if (sbx_cg_kill_all(cg) < 0)
        return -1;
    close_groups(cg);
    for (enum cg_hier h = H_MEMORY; h < H_COUNT; h++)
        if (cg->root->used[h] && remove_group(cg->path[h], cg->root->fake, CG_RMDIR_TRIES) < 0)
            return cg_fail(cg, "rmdir %s: %s", cg->path[h], strerror(errno));
    bool leftover = false;
    uint64_t memory_kib = cg->memory_kib;
    uint32_t pids = cg->pids;
    if (open_groups(cg, &leftover) < 0)
        return -1;
    return sbx_cg_set_limits(cg, memory_kib, pids);
}

bool sbx_cg_resets_in_place(const struct sbx_cg *cg)
{
    return cg->root->version == SBX_CG_V1 || cg->peak_resettable;
}

int sbx_cg_reclaim(struct sbx_cg *cg)
{
    cg->err[0] = '\0';
    return reclaim_leftover(cg);
}

int sbx_cg_reset(struct sbx_cg *cg)
{
    cg->err[0] = '\0';
    bool v2 = cg->root->version == SBX_CG_V2;
    int rc = cg->peak_resettable ? reset_peak(cg) : 1;
    if (rc < 0 || (rc == 1 && recreate_group(cg) < 0) || reclaim_leftover(cg) < 0)
        return -1;
    if (!v2 && fd_write(cg, F_FAILCNT, "0") < 0)
        return -1;
    if (fd_read_keys(cg, F_OOM, "oom_kill", &cg->base_oom_kills, v2 ? "max" : NULL,
                     &cg->base_max_events) < 0)
        return -1;
    if (cg->file[F_CPU]->h == H_CPUACCT)
        return fd_write(cg, F_CPU, "0");
    return read_cpu_us(cg, &cg->base_cpu_us);
}

/* Writes pid into cgroup.procs of every hierarchy in use but `skip`. */
static int attach_but(struct sbx_cg *cg, pid_t pid, enum cg_hier skip)
{
    char text[32];
    snprintf(text, sizeof text, "%d", (int)pid);
    for (enum cg_hier h = H_MEMORY; h < H_COUNT; h++)
        if (h != skip && cg->fd[F_PROCS + h] >= 0 && fd_write(cg, F_PROCS + h, text) < 0)
            return -1;
    return 0;
}

int sbx_cg_attach(struct sbx_cg *cg, pid_t pid)
{
    return attach_but(cg, pid, H_COUNT);
}

int sbx_cg_attach_cloned(struct sbx_cg *cg, pid_t pid)
{
    return attach_but(cg, pid, H_V2);
}

size_t sbx_cg_procs_fds(const struct sbx_cg *cg, int *fds, size_t max)
{
    size_t n = 0;
    for (enum cg_hier h = H_MEMORY; h < H_COUNT && n < max; h++)
        if (cg->fd[F_PROCS + h] >= 0)
            fds[n++] = cg->fd[F_PROCS + h];
    return n;
}

int sbx_cg_clone_fd(const struct sbx_cg *cg)
{
    return cg->dirfd[H_V2];
}

/* v1: whether memory.failcnt can be non-zero. A charge fails only with the usage within its size
 * (a 2 MiB huge page at most) of the limit, so a peak further below proves it zero and saves the
 * read. The OOM counter is always read: with memory + swap limited too, an OOM can come at a lower
 * memory peak. */
static bool failcnt_possible(const struct sbx_cg *cg, uint64_t peak)
{
    if (!cg->limits_known)
        return true;
    if (cg->memory_kib == 0 || cg->memory_kib > UINT64_MAX / 2048)
        return false;
    return peak + CG_LIMIT_MARGIN >= cg->memory_kib * 1024;
}

int sbx_cg_stats(struct sbx_cg *cg, struct sbx_cg_stats *out)
{
    memset(out, 0, sizeof *out);
    bool v2 = cg->root->version == SBX_CG_V2;
    uint64_t peak, cpu, oom, max = 0, failcnt = 0;
    if (fd_read_u64(cg, F_PEAK, &peak) < 0 || read_cpu_us(cg, &cpu) < 0 ||
        fd_read_keys(cg, F_OOM, "oom_kill", &oom, v2 ? "max" : NULL, &max) < 0)
        return -1;
    if (!v2 && failcnt_possible(cg, peak) && fd_read_u64(cg, F_FAILCNT, &failcnt) < 0)
        return -1;
    if (cg->file[F_CPU]->h != H_CPUACCT)
        cpu = cpu > cg->base_cpu_us ? cpu - cg->base_cpu_us : 0;
    out->cpu_us = cpu;
    out->memory_peak_kib = peak / 1024;
    cg->last_peak = peak;
    out->oom_kills = oom > cg->base_oom_kills ? oom - cg->base_oom_kills : 0;
    out->memory_limit_hit = failcnt > 0 || max > cg->base_max_events || out->oom_kills > 0;
    return 0;
}

static void kill_one(pid_t pid, void *arg)
{
    (void)arg;
    /* ESRCH (gone meanwhile) is fine; the next round's list shows what is left. */
    if (pid > 1 && pid != getpid() && kill(pid, SIGKILL) < 0 && errno != ESRCH)
        gv_debug("kill %d: %s", (int)pid, strerror(errno));
}

/* One round: SIGKILL to every pid listed in every hierarchy. Returns how many were listed. */
static int kill_round(struct sbx_cg *cg)
{
    int listed = 0;
    for (enum cg_hier h = H_MEMORY; h < H_COUNT; h++) {
        if (!lists_procs(cg, h))
            continue;
        int n = procs_each(cg, h, kill_one, NULL);
        if (n < 0)
            return -1;
        listed += n;
    }
    return listed;
}

int sbx_cg_kill_all(struct sbx_cg *cg)
{
    /* The common case, a run whose processes are all gone and reaped: one read says so. */
    if (cg->fd[F_TASKS] >= 0 && sbx_cg_tasks(cg) == 0)
        return 0;
    /* ENODEV: the group was removed already (by a process that took the box over). */
    if (cg->fd[F_KILL] >= 0 && pwrite(cg->fd[F_KILL], "1", 1, 0) < 0 && errno != ENODEV)
        return file_fail(cg, "write", F_KILL, errno);
    int64_t deadline = gv_now_ms() + CG_KILL_TIMEOUT_MS;
    long pause_ns = 20000;
    for (;;) {
        int listed = kill_round(cg);
        if (listed <= 0)
            return listed;
        if (gv_now_ms() >= deadline) {
            errno = EBUSY;
            return cg_fail(cg, "%d processes left in %s after %d ms of SIGKILL", listed,
                           cg->path[cg->dirfd[H_PIDS] >= 0 ? H_PIDS : H_V2], CG_KILL_TIMEOUT_MS);
        }
        nanosleep(&(struct timespec){.tv_nsec = pause_ns}, NULL);
        if (pause_ns < 5000000)
            pause_ns *= 2;
    }
}

int sbx_cg_tasks(struct sbx_cg *cg)
{
    uint64_t tasks;
    if (read_tasks(cg, &tasks) == 0 && tasks < INT_MAX)
        return (int)tasks;
    return sbx_cg_count(cg);
}

int sbx_cg_count(struct sbx_cg *cg)
{
    int most = 0;
    for (enum cg_hier h = H_MEMORY; h < H_COUNT; h++) {
        if (!lists_procs(cg, h))
            continue;
        int n = procs_each(cg, h, NULL, NULL);
        if (n < 0)
            return -1;
        if (n > most)
            most = n;
    }
    return most;
}

const char *sbx_cg_error(const struct sbx_cg *cg)
{
    return cg->err;
}

void sbx_cg_release(struct sbx_cg *cg)
{
    if (!cg)
        return;
    if (sbx_cg_kill_all(cg) < 0)
        gv_warn("cgroup box %u: %s", cg->id, cg->err);
    close_groups(cg);
    free(cg);
}

int sbx_cg_remove_box(struct sbx_cg_root *root, unsigned box_id, char *err, size_t err_size)
{
    if (!root || root->version == SBX_CG_NONE)
        return 0;
    bool found = false;
    for (enum cg_hier h = H_MEMORY; h < H_COUNT && !found; h++) {
        char path[PATH_MAX + 64];
        snprintf(path, sizeof path, "%s/box-%u", root->base[h], box_id);
        found = root->used[h] && access(path, F_OK) == 0;
    }
    if (!found)
        return 0;
    struct sbx_cg *cg = sbx_cg_create(root, box_id, err, err_size);
    if (!cg)
        return -1;
    sbx_cg_destroy(cg);
    return 0;
}

void sbx_cg_destroy(struct sbx_cg *cg)
{
    if (!cg)
        return;
    if (sbx_cg_kill_all(cg) < 0)
        gv_warn("cgroup box %u: %s", cg->id, cg->err);
    close_groups(cg);
    for (enum cg_hier h = H_MEMORY; h < H_COUNT; h++) {
        if (!cg->root->used[h] || !cg->path[h][0])
            continue;
        if (remove_group(cg->path[h], cg->root->fake, CG_RMDIR_TRIES) < 0)
            gv_warn("rmdir %s: %s", cg->path[h], strerror(errno));
    }
    free(cg);
}
