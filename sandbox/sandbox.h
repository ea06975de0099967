/*
 * sandbox.h - the public API of the Gavel sandbox (libgavel_sandbox).
 *
 * A *pool* owns a set of *boxes*. A box is everything about an isolated run that can be prepared
 * once and reused: its folders (root, work, tmp), its cgroup, its uid/gid, a pre-made empty network
 * namespace. sbx_run() runs one program in a box under limits and fills a result; the box is then
 * cleaned (sbx_box_clean) and can run again. Box ids are claimed with a lock file per box in a
 * host-wide folder (/run/gavel/sandbox-locks, whatever the base folder), so any number of
 * processes on one host (several gavel-judge workers, several gavel-sandbox commands, with the
 * same or different base folders) never share a box id, a uid or a cgroup.
 *
 * Threads: sbx_run() may be called concurrently from several threads on *different* boxes (the
 * judge runs an interactive validator and a submission side by side this way). One box runs one
 * program at a time.
 *
 * Failures are kept apart as in DESIGN.md: anything the program did ends in result->status
 * OK/TLE/MLE/OLE/RTE with sbx_run() returning 0; only the sandbox's own failure gives SBX_JE, a
 * message saying what failed, and a -1 return.
 *
 * Files in and out of a box go through sbx_box_put/get/import/export, which never follow a
 * symbolic link and only ever touch regular files directly inside the box's work folder.
 */
#ifndef GAVEL_SANDBOX_H
#define GAVEL_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*** Results ***/

enum sbx_status {
    SBX_OK,  /* exited with status 0 */
    SBX_TLE, /* CPU time or wall time passed its limit: killed at that moment */
    SBX_MLE, /* the memory limit was hit (OOM kill or peak reached the limit) */
    SBX_OLE, /* output (stdout/stderr files, or any file written) passed its limit */
    SBX_RTE, /* non-zero exit, a signal, or a system call the policy forbids */
    SBX_JE,  /* the sandbox itself failed: never the program's fault */
};

/* "OK", "TLE", ... as in DESIGN.md's JSON. */
const char *sbx_status_name(enum sbx_status status);

#define SBX_SYSCALL_NAME_MAX 32
#define SBX_MESSAGE_MAX      256

struct sbx_result {
    enum sbx_status status;
    int exit_code;        /* when it exited */
    int signal;           /* when a signal killed it (SIGSYS for a seccomp kill) */
    uint32_t cpu_ms;      /* user + system, all threads and children (cgroup, rusage as fallback) */
    uint32_t wall_ms;     /* from start to the death of the last process */
    uint64_t memory_kib;  /* peak memory (cgroup peak; rusage maxrss as fallback) */
    char syscall[SBX_SYSCALL_NAME_MAX]; /* the forbidden system call's name, when known */
    char message[SBX_MESSAGE_MAX];      /* human-readable detail; for JE, what failed */
};

/* Writes the result as DESIGN.md's JSON object (one line, no trailing newline) into buf.
 * Returns the length it needed, like snprintf. */
int sbx_result_to_json(const struct sbx_result *r, char *buf, size_t size);

/*** What to run ***/

enum sbx_policy {
    SBX_POLICY_STRICT,   /* native programs: deny-list plus an allow-list */
    SBX_POLICY_RUNTIME,  /* interpreters and VMs (python3, java, node): deny-list */
    SBX_POLICY_COMPILER, /* compilers: deny-list, more processes allowed */
};

/* "strict" / "runtime" / "compiler" <-> enum; returns -1 for an unknown name. */
int sbx_policy_from_name(const char *name);
const char *sbx_policy_name(enum sbx_policy policy);

/* 0 in any field means "no limit of this kind" except where a default is named. */
struct sbx_limits {
    uint32_t cpu_ms;      /* CPU time, all threads and children together */
    uint32_t wall_ms;     /* wall time; default 3 * cpu_ms + 1000 when cpu_ms is set */
    uint64_t memory_kib;  /* memory (cgroup memory.max / limit_in_bytes) */
    uint64_t output_kib;  /* largest file the program may write, stdout/stderr files included */
    uint32_t processes;   /* processes + threads (pids cgroup); default 1 for strict, 64 else */
    uint32_t open_files;  /* RLIMIT_NOFILE; default 64 */
    uint64_t stack_kib;   /* RLIMIT_STACK; default = memory_kib, or unlimited */
    uint64_t tmp_kib;     /* size of the box's /tmp tmpfs; default 64 MiB */
};

/* A host folder made visible inside the box. */
struct sbx_bind {
    const char *host;   /* absolute host path */
    const char *inside; /* absolute path inside the box (default: same as host) */
    bool writable;      /* read-only unless set */
};

struct sbx_spec {
    const char *const *argv; /* argv[0] is looked up in PATH of envp when it has no '/' */
    const char *const *envp; /* the program's entire environment; NULL means empty */
    const char *cwd;         /* inside the box; default "/box" (the work folder) */
    /* Host descriptors given to the program as fd 0/1/2; -1 means /dev/null. The caller keeps
     * ownership. Pipes are fine (interactive problems). */
    int stdin_fd, stdout_fd, stderr_fd;
    bool work_writable; /* the work folder /box: writable (compile) or read-only (run) */
    const struct sbx_bind *binds;
    size_t n_binds;
    enum sbx_policy policy;
    struct sbx_limits limits;
    /* -1, or a descriptor that becomes readable or hangs up when the run must stop (a client of
     * the CLI's server went away): the box is killed and sbx_run returns -1, JE "cancelled". */
    int cancel_fd;
    /* The program's umask; -1: the calling thread's. */
    int umask;
};

/* Fills a spec with the defaults: fds, cancel_fd and umask -1, cwd "/box", policy strict, no
 * limits. */
void sbx_spec_init(struct sbx_spec *spec);

/*** Pools and boxes ***/

#define SBX_BASE_DIR_DEFAULT "/var/lib/gavel/sandbox"

struct sbx_config {
    const char *base_dir;    /* where boxes live; default SBX_BASE_DIR_DEFAULT (created) */
    const char *cgroup_root; /* NULL: detect v2/v1 under /sys/fs/cgroup; else a (fake) tree */
    unsigned n_boxes;        /* boxes this pool claims */
    unsigned max_box_id;     /* box ids are 0..max_box_id-1 per host; default 1000 */
    unsigned first_uid;      /* box i runs as uid/gid first_uid + i; default 60000 */
    uint64_t work_kib;       /* size of each box's work folder (a tmpfs); default 256 MiB */
    /* Keep each box's cgroup folders (emptied) and host folders when the pool is freed, for the
     * next pool that claims the same box id: what the gavel-sandbox CLI does, since it makes a
     * pool per run. sbx_cleanup() removes what is kept. */
    bool keep_boxes;
};

struct sbx_pool;
struct sbx_box;

/* Prepares a pool: claims n_boxes free box ids, creates their folders and cgroups. On failure
 * returns NULL and writes what failed into err. */
struct sbx_pool *sbx_pool_new(const struct sbx_config *cfg, char *err, size_t err_size);
/* Kills anything still running, removes the boxes' folders and cgroups, releases the ids. */
void sbx_pool_free(struct sbx_pool *pool);
/* Removes what pools with keep_boxes left behind (cgroups, box folders) for every box id no
 * process holds now, and the seccomp program cache. 0, or -1 with err (it goes on past
 * failures and reports the first). */
int sbx_cleanup(const struct sbx_config *cfg, char *err, size_t err_size);
/* One line on what the pool uses: "cgroup v1 (memory,pids,cpuacct)" / "cgroup v2" / "rlimits". */
const char *sbx_pool_describe(const struct sbx_pool *pool);

/* Takes a free box of the pool (NULL when all are taken) / gives it back, cleaned. Thread-safe. */
struct sbx_box *sbx_box_acquire(struct sbx_pool *pool);
void sbx_box_release(struct sbx_box *box);
unsigned sbx_box_id(const struct sbx_box *box);

/* Runs spec in the box and waits for it. Returns 0 with result filled for anything the program
 * did; -1 with result->status == SBX_JE and result->message when the sandbox failed. Every
 * process of the box is dead when it returns. */
int sbx_run(struct sbx_box *box, const struct sbx_spec *spec, struct sbx_result *result);

/* Has the box's init started now if it has none, so that its next sbx_run skips that part of
 * its cost (about a sixth of a trivial run): namespaces entered, a fresh /tmp and /proc mounted,
 * in the box's cgroup, waiting. A box's init normally stays for its next runs; it has none
 * before its first run and after a run that killed it (a limit, a forbidden call, a cancel).
 * Returns at once: the pool's standby thread (made on the first call) starts it. Call it after
 * a run, when the box has idle time ahead (a result went out, output is being checked); a run
 * that comes before the start began has one started for itself, one that comes during it waits
 * for it. Nothing happens where cgroup v2 cannot reset its memory peak (Linux before 6.12).
 * Between runs the box then holds a sleeping process, which sbx_pool_free kills. Call it from
 * the thread that has the box (between sbx_box_acquire and sbx_box_release). 0, or -1 with err
 * when the thread cannot be made. */
int sbx_box_prestart(struct sbx_box *box, char *err, size_t err_size);

/* Empties the work folder (without following links); the box is as new. (/tmp is a fresh tmpfs
 * in every run.) */
int sbx_box_clean(struct sbx_box *box);

/* Files in the work folder (a single name, no '/'): put creates or replaces a regular file with
 * `mode`; get reads a regular file of at most max bytes (NULL with errno EFBIG when larger, ELOOP
 * for a link, EINVAL for anything but a regular file). */
int sbx_box_put(struct sbx_box *box, const char *name, const void *data, size_t len, unsigned mode);
char *sbx_box_get(struct sbx_box *box, const char *name, size_t max, size_t *len_out);
/* Copies every regular file directly in host_dir into the work folder (import), or of the work
 * folder into host_dir (export, at most max_total bytes). Links and other file types are skipped,
 * never followed. Return 0 or -1 with errno. */
int sbx_box_import(struct sbx_box *box, const char *host_dir);
int sbx_box_export(struct sbx_box *box, const char *host_dir, uint64_t max_total);

#endif
