/*
 * sbx_internal.h - what the sandbox's own files share (pool, box, run, files); not public.
 *
 * A pool holds the host-wide box-id locks and, per box, the things made once: a mount namespace
 * whose root is the box's finished root (sbx_root.c), the work folder's O_PATH descriptor, an
 * empty network namespace, a cgroup, three child stacks and a page shared with the children.
 * sbx_run.c reads these; sbx_pool.c makes and frees them; sbx_files.c reaches the work folder
 * through the O_PATH descriptor kept here.
 */
#ifndef GAVEL_SBX_INTERNAL_H
#define GAVEL_SBX_INTERNAL_H

#include "sandbox.h"
#include "sbx_cgroup.h"
#include "sbx_seccomp.h"

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/resource.h>

/* The host-wide folder of box-id lock files: independent of base_dir on purpose, so two pools
 * with different base folders never share a box id, a uid or a cgroup name. */
#define SBX_LOCK_DIR "/run/gavel/sandbox-locks"
/* Size and inode caps of a box's work folder (a tmpfs): a disk fill stops here. */
#define SBX_WORK_KIB_DEFAULT (256 * 1024)
#define SBX_WORK_INODES      4096
/* Size of the per-run root tmpfs (only mount points, /dev nodes and a few links live there). */
#define SBX_ROOT_TMPFS_OPTS "size=64k,nr_inodes=256,mode=0755"
/* Stack of each child process on the way to execve (they run no deep code), and how many a
 * box has: the init's holder, the init, the program (sbx_run.c). */
#define SBX_CHILD_STACK  (256 * 1024)
#define SBX_CHILD_STACKS 3
/* At most this many caller's binds (--dir) per run. */
#define SBX_MAX_BINDS 16
/* Each box's arena (MAP_SHARED, touched as used): a run's plan, argv, environment and seccomp
 * program, for its init (sbx_run.c). More than execve takes (6 MiB of argv and environment). */
#define SBX_ARENA_BYTES ((size_t)8 << 20)
/* What a box keeps of its arena after a run that used more: the rest goes back to the system. */
#define SBX_ARENA_KEEP ((size_t)64 << 10)
/* At most this many system folders (/usr, /etc, ...) and hidden /etc files per box root. */
#define SBX_SYS_MAX 16

/* One entry of the box root's skeleton: a read-only bind of a host folder, or a symbolic link
 * copied from the host (/bin -> usr/bin on merged-/usr systems). Decided once per pool. */
struct sbx_sysdir {
    char name[32];        /* "/usr", "/lib64": the host path; name + 1 is the path in the root */
    char link[PATH_MAX];  /* link target when the host entry is a link, else "" */
};

/* What C1 and C2 (see sbx_run.c) tell each other and the parent; lives in a MAP_SHARED page. */
struct sbx_shared {
    volatile int exec_errno; /* C2: execve failed with this errno */
    volatile int fail_step;  /* C1/C2: index of the setup step that failed (0 = none) */
    volatile int fail_errno; /* its errno */
    volatile int went;       /* C1: it took "go" (the run has begun) */
    volatile int done;       /* C1: the program was reaped; status and usage are valid */
    volatile int status;     /* C1: the program's wait status */
    struct rusage usage;     /* C1: the program's and every reaped orphan's usage, summed */
    int64_t stamp_us[8];     /* CLOCK_MONOTONIC at milestones, for SBX_TIMING=1 profiling */
    uint32_t made[SBX_MAX_BINDS];       /* C1: per bind, bit d set when it made the folder of depth d */
    volatile int all_reaped;            /* C1: the namespace has no process but C1 left */
    volatile int forbidden;             /* C1: a forbidden call came on the listener: */
    volatile int forbidden_nr;          /*     its number */
    volatile uint32_t forbidden_arch;   /*     and audit arch (read after SBX_REPORT_FORBIDDEN) */
    struct rusage init_usage;           /* the holder: the init's, with its children's (reaped) */
    volatile int c1_pidfd;              /* the init's pidfd, in our table (the holder shares it) */
};

/* The bytes C1 sends the parent: it has its own copy of the descriptor table;
 * sbx_shared.forbidden is set; the program and every other process of the box's pid namespace
 * are dead and reaped (C1 exits next, or makes the box ready again); the box is ready again. */
#define SBX_REPORT_STARTED   'S'
#define SBX_REPORT_FORBIDDEN 'F'
#define SBX_REPORT_DONE      'D'
#define SBX_REPORT_READY     'R'

/* Where a box is with the pool's standby thread (sbx_standby.c). */
enum sbx_standby {
    SBX_STANDBY_NONE,
    SBX_STANDBY_WANTED,   /* sbx_box_prestart asked for an init */
    SBX_STANDBY_FOR_RUN,  /* a run waits for one (sbx_standby_start_for_run) */
    SBX_STANDBY_STARTING,
};

struct sbx_box {
    struct sbx_pool *pool;
    unsigned id;
    unsigned uid;
    bool busy;
    int lock_fd;     /* flock'ed SBX_LOCK_DIR/box-<id>.lock */
    int mnt_fd;      /* the box's template mount namespace (its root is the box root) */
    int work_fd;     /* O_PATH of the work tmpfs (mounted at /box in that namespace) */
    int netns_fd;    /* an empty network namespace, made once */
    int root_rw_fd;  /* a detached, writable clone of the root mount (open_tree): removes the
                      * mount points runs made for --dir from the root's tmpfs */
    bool reused;     /* its namespaces were kept by an earlier pool (sbx_keep.c) */
    struct sbx_cg *cg;
    char dir[PATH_MAX];      /* base_dir/box-<id> */
    char root[PATH_MAX];     /* base_dir/box-<id>/root: where the root was built (host side) */
    void *stacks;            /* two child stacks, each with a guard page below */
    struct sbx_shared *shared;
    void *arena;             /* SBX_ARENA_BYTES, MAP_SHARED: the run's plan */
    size_t arena_used;       /* the most of it a run used since the last trim */
    size_t arena_binds_end;  /* the last plan's binds end here (kept by the trim) */
    /* The box's init (sbx_run.c's C1) from its start until its run ends; between runs, one
     * started ahead by sbx_box_prestart, waiting for "go". Its parent is its holder, which
     * waits for it (vfork) and reaps it. */
    int c1_pidfd;            /* -1: none */
    int holder_pidfd;        /* its holder: reaped once the init is gone */
    int holder_exiting_pidfd; /* the holder of the last run's init, which reported its box empty
                              * and exits on its own; reaped before the box is used again */
    int c1_sock;             /* our end of the socketpair with it */
    int c1_child_sock;       /* its end, as it sees it (the number at clone time) */
    int c1_cg_fds[4];        /* the cgroup.procs descriptors it joins the box's cgroup with */
    size_t c1_n_cg_fds;
    bool c1_resident;        /* it stays for the box's next runs (else it exits after one) */
    bool c1_ready;           /* it is ready for "go" (a resident one: it reported "R") */
    unsigned c1_runs;        /* runs it has done */
    int64_t c1_started_us;   /* for SBX_TIMING=1 */
    enum sbx_standby standby; /* the standby thread's work on it (pool->lock) */
    bool in_run;              /* sbx_run has it (pool->lock); the standby thread waits */
    int start_rc;             /* SBX_STANDBY_FOR_RUN's outcome: 0, or -1 with start_result */
    struct sbx_result start_result;
};

/* The top of the box's child stack i (0: the init's holder, 1: the init, 2: the program). */
static inline void *sbx_child_stack(const struct sbx_box *box, int i)
{
    return (char *)box->stacks + (size_t)(i + 1) * (SBX_CHILD_STACK + 4096);
}

struct sbx_pool {
    pthread_mutex_t lock;
    char base_dir[PATH_MAX];
    char describe[160];
    unsigned n_boxes;
    struct sbx_box *boxes;
    struct sbx_cg_root *cgroot;
    struct sbx_filter *filters[3]; /* compiled on first use, per policy */
    struct sbx_sysdir sys[SBX_SYS_MAX];
    unsigned n_sys;
    char hidden[SBX_SYS_MAX][64]; /* /etc files replaced by an empty file ("etc/shadow") */
    unsigned n_hidden;
    long ncpus;
    int cap_last;    /* the highest capability this kernel knows (/proc/sys/kernel/cap_last_cap) */
    /* The standby thread (sbx_standby.c), made on the first sbx_box_prestart. */
    pthread_t standby_thread;
    pthread_cond_t standby_cond; /* with lock: a box's standby state changed, or stop */
    bool standby_up, standby_quit, standby_exit; /* quit: start nothing more; exit: end */
    bool keep_boxes; /* sbx_config.keep_boxes: leave cgroups, folders and namespaces behind */
    uint64_t work_kib;
};

/* The filter of a policy, compiled once per pool (thread-safe); NULL with err on failure. */
struct sbx_filter *sbx_pool_filter(struct sbx_pool *pool, enum sbx_policy policy, char *err,
                                   size_t err_size);

/* Kills and reaps the box's waiting init, if it has one (sbx_run.c). */
void sbx_box_standby_stop(struct sbx_box *box);
/* Reaps the last run's init, which exits on its own after its run (sbx_run.c). */
void sbx_box_reap_exiting(struct sbx_box *box);
/* In the standby thread: reaps the last run's init and starts the box's next one, unless one
 * waits already or the cgroup cannot reset with it inside (sbx_run.c). 0 or -1 with err. */
int sbx_init_start_ahead(struct sbx_box *box, char *err, size_t err_size);
/* In the standby thread: starts the box's init for a run (sbx_run.c). 0, or -1 with r (JE). */
int sbx_init_start(struct sbx_box *box, struct sbx_result *r);
/* In a run: has the standby thread start the box's init and waits for it (sbx_standby.c). */
int sbx_standby_start_for_run(struct sbx_box *box, struct sbx_result *r);
/* Before a run uses the box: a start only wanted is withdrawn, one under way waited for, and
 * the box is in a run until sbx_standby_run_over (sbx_standby.c). */
void sbx_standby_settle(struct sbx_box *box);
void sbx_standby_run_over(struct sbx_box *box);
/* Stops and joins the pool's standby thread, if it was made (sbx_standby.c). */
void sbx_standby_stop_thread(struct sbx_pool *pool);

/* Held shared while the host side has a file in a box open for writing (sbx_files.c), and
 * exclusively around clone() in sbx_run.c: a child cloned from one thread must not inherit
 * another thread's write descriptor of a program a box is about to exec (ETXTBSY). */
extern pthread_rwlock_t sbx_write_lock;

/* The facts of a finished run (sbx_run.c gathers them; sbx_status.c decides). */
struct sbx_outcome {
    bool killed;                 /* the sandbox killed the box ... */
    enum sbx_status kill_status; /* ... for this: TLE, RTE (forbidden call) or JE */
    const char *kill_message;
    const char *syscall;         /* the forbidden call's name, "" if none */
    int exec_errno;              /* execve failed with this, 0 if it did not */
    bool reaped;                 /* the box's init reported the program's end */
    int wait_status;             /* the program's wait status, when reaped */
    bool have_cg;                /* the figures below come from a cgroup (else rusage) */
    uint32_t cpu_ms;
    uint64_t memory_kib;
    uint64_t oom_kills;
    bool memory_limit_hit;
};

/* Fills r (status, exit_code, signal, syscall, message, cpu_ms, memory_kib) from what happened.
 * Returns 0, or -1 when the outcome is the sandbox's own failure (JE). Pure: no system calls. */
int sbx_status_decide(const struct sbx_outcome *o, const struct sbx_limits *l, const char *prog,
                      struct sbx_result *r);

/* In the pool's helper thread (own fs_struct, umask 0, in the host's mount namespace): builds
 * box's root in a new mount namespace, fills box->mnt_fd, work_fd, netns_fd, and returns to
 * the host namespace host_mnt_fd. proc_fd: O_PATH of the host's /proc. 0, or -1 with err. */
int sbx_root_build(struct sbx_pool *pool, struct sbx_box *box, int host_mnt_fd, int proc_fd,
                   uint64_t work_kib, char *err, size_t size);
/* In the box's mount namespace (the calling thread's): opens box->root_rw_fd. 0 or -1 with err. */
int sbx_root_open_rw(struct sbx_box *box, char *err, size_t size);
/* Bind of host onto target, then nosuid, nodev, and read-only unless rw. 0 or -1 with errno. */
int sbx_root_bind(const char *host, const char *target, bool rw);

#endif
