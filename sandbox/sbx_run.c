/*
 * sbx_run.c - one run of one program in a box.
 *
 * Theory of operation. Four processes take part:
 *
 *   parent  the caller's thread (the judge, or gavel-sandbox). It writes the run's plan (argv,
 *           environment, limits, a copy of the seccomp program) into the box's arena, a
 *           MAP_SHARED mapping every process of the box sees at the same address; makes sure
 *           the box has an init waiting (C1, below; started now, by the pool's standby thread,
 *           unless sbx_box_prestart had one started after the last run); sets the cgroup's limits and resets its counters; and sends
 *           C1 "go": one byte with the program's descriptors and the binds' detached mounts
 *           attached (SCM_RIGHTS). Then it waits on C1's pidfd, the socket (C1 reports a
 *           forbidden call, and the run's end, over it) and the caller's cancel descriptor.
 *           Between wake-ups it checks the wall clock and the cgroup's CPU time, sleeping no
 *           longer than the remaining CPU budget divided by the number of CPUs: the earliest
 *           moment the budget could be used up. On a limit it kills C1 through the pidfd, which
 *           takes the whole pid namespace with it. A run that ends normally wakes it once.
 *   H       the init's holder (holder_main), cloned by the pool's standby thread sharing its
 *           memory and descriptor table. It clones C1 as a vfork child that shares its memory,
 *           waits while C1 lives, reaps it and exits. It is there for the kernel's OOM killer:
 *           a vfork child is never its victim, and C1 must never be one, because C1's memory
 *           is the caller's: killing it kills the caller too.
 *   C1      the box's init (pid 1 of a new pid namespace; new ipc and uts namespaces too). It
 *           first reports that it exists (its copy of the caller's descriptor table is made),
 *           then joins the box's cgroup itself. Before "go", which may come much later, it ties
 *           its life to H's (PR_SET_PDEATHSIG), resets signal dispositions,
 *           empties the capability bounding set, blocks SIGCHLD for a signalfd, makes a
 *           socketpair with C2, enters the box's template mount namespace, whose root is the box
 *           root built once by sbx_root.c, and copies it (unshare: a dozen mounts, nothing of
 *           the host's mount table, no pivot_root per run), joins the box's pre-made empty
 *           network namespace, mounts a fresh tmpfs on /tmp and a fresh /proc, and closes every
 *           descriptor it inherited. After "go" it resizes /tmp if the run asks, makes /box
 *           read-only unless the run may write it, attaches the caller's binds (detached mounts
 *           the parent cloned with open_tree, because host paths do not resolve in the box's
 *           namespace), unshares the cgroup namespace (so the box sees its group as /) and
 *           vforks C2. Then it waits on the seccomp listener C2 sent it and on its signalfd at
 *           once, reaping every process as it dies, until C2 is gone. A forbidden call shows up
 *           on the listener: C1 writes its number and arch into a page shared with the parent
 *           and sends the parent one byte, and the parent kills the box (the call is never
 *           answered). When C2 is gone, C1 kills everything else in the namespace (a setsid'd
 *           daemon too) with kill(-1), reaps it, writes C2's status and the summed rusage into
 *           the shared page, and tells the parent ("D"), which returns at once. Then C1
 *           exits (its namespaces' teardown, a tenth of a trivial run, happens after the result
 *           is out; H reaps it and is reaped before the box is used again) or, resident (the
 *           cgroup's counters reset with it inside), makes the box ready for the next run: it
 *           detaches the binds, makes /box writable, mounts a fresh /tmp and reports "R". A
 *           later run's program is pid 2 again (ns_last_pid) and gets an ipc namespace of its
 *           own; the pid, mount, uts and cgroup namespaces and /proc are made once per init.
 *   C2      the program (pid 2). It puts the caller's descriptors at 0/1/2, closes every other
 *           descriptor but its socket to C1, sets the umask, unblocks all signals, sets
 *           rlimits, drops supplementary groups, gid and uid (raw system calls: glibc's set*id
 *           would signal the parent's threads), sets no_new_privs, enters the working folder,
 *           installs the seccomp filter, sends the listener to C1, and execs. If execve fails
 *           it writes errno into the shared page and exits 127; C1 sees that when vfork returns.
 *
 * Why so: every wake-up of the parent during a run, and every step before "go", costs the
 * program's run time on a small machine. Handing the listener to the parent woke it twice per
 * run (about 0.3 ms of a 2.7 ms run on the 2-CPU test VM); C1's start before "go" is about
 * 0.4 ms, its exit 0.3 ms. Every H is cloned by the pool's standby thread (sbx_standby.c), so
 * H and C1 live as long as the pool, not as a caller's thread (a thread that ended while its
 * run's C1 was still exiting once killed that H first, and C1 then went to the host's init,
 * which may never reap it: a process the box's pids limit counted for ever); an init that was
 * killed is found dead (or dies before it takes "go"), and the run starts one of its own.
 *
 * Speed: H, C1 and C2 are cloned with CLONE_VM (no page-table copy of the caller, which may be
 * a big judge) and run only async-signal-safe code on their own stacks (sbx_pool.c makes them).
 * In sanitizer builds H is cloned without CLONE_VM, because ASan's runtime state must not be
 * shared with a child; C1 and C2 share H's copy; what C1 reads after "go" is in the arena, so
 * both kinds of build take the same path, and C1 is a vfork child sharing its parent's memory
 * in both. H and C1 share the standby thread's TLS under CLONE_VM, so a failing system call in
 * them may overwrite that thread's errno. C1 makes no call that fails in the normal course
 * before "go" (it uses the kernel's own rt_sigaction and the kernel's last capability number)
 * and otherwise only fails on the way to JE. So at worst a JE message names a wrong errno.
 *
 * Failures are kept apart: a setup step that fails in C1 or C2 records its number and errno in
 * the shared page and the run is JE ("sandbox setup: mount /tmp: ..."); whatever the program
 * does is OK/TLE/MLE/OLE/RTE. A failed execve (no such program, not executable) is the
 * program's failure: RTE with exit code 127 and a message, like a shell.
 */
#include "sbx_internal.h"

#include "gv.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <time.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define SBX_CHILD __attribute__((no_sanitize("address", "undefined"), noinline))

#ifdef GAVEL_SANITIZED
#define HOLDER_SHARE_VM 0
#else
#define HOLDER_SHARE_VM CLONE_VM
#endif

#define OPEN_FILES_DEFAULT     64
#define PROCESSES_STRICT       1
#define PROCESSES_OTHER        64
#define TMP_KIB_DEFAULT        (64 * 1024)
#define WALL_FROM_CPU(ms)      (3 * (uint64_t)(ms) + 1000)
#define DEFAULT_PATH           "/usr/local/bin:/usr/bin:/bin"
#define HOSTNAME               "gavel"
#define MIN_POLL_MS            1
#define INIT_START_MS          10000 /* a new init reports in this long, or it is JE */

/*** Setup steps (for JE messages) ***/

enum step {
    STEP_NONE,
    STEP_PDEATHSIG,
    STEP_SIGNALS,
    STEP_SETNS_MNT,
    STEP_UNSHARE_MNT,
    STEP_SETNS_NET,
    STEP_HOSTNAME,
    STEP_ROOT,
    STEP_WORK,
    STEP_TMP,
    STEP_PROC,
    STEP_BIND,
    STEP_GO,
    STEP_CGROUPNS,
    STEP_CLONE,
    STEP_FDS,
    STEP_RLIMIT,
    STEP_CAPS,
    STEP_CREDS,
    STEP_NNP,
    STEP_CWD,
    STEP_SECCOMP,
    STEP_LISTENER,
    STEP_WAITSET,
    STEP_CLONE_INIT,
    STEP_CGROUP_JOIN,
};

static const char *const step_names[] = {
    [STEP_NONE] = "none",
    [STEP_PDEATHSIG] = "tie the box's life to the caller's thread",
    [STEP_SIGNALS] = "reset signal mask and dispositions",
    [STEP_SETNS_MNT] = "setns into the keeper mount namespace",
    [STEP_UNSHARE_MNT] = "unshare the mount namespace",
    [STEP_SETNS_NET] = "setns into the box's network namespace",
    [STEP_HOSTNAME] = "sethostname",
    [STEP_ROOT] = "enter the box root",
    [STEP_WORK] = "make /box read-only",
    [STEP_TMP] = "mount /tmp",
    [STEP_PROC] = "mount /proc",
    [STEP_BIND] = "bind a caller's folder (--dir)",
    [STEP_GO] = "wait for the parent's go",
    [STEP_CGROUPNS] = "unshare the cgroup namespace",
    [STEP_CLONE] = "clone the program's process",
    [STEP_FDS] = "set up descriptors 0/1/2",
    [STEP_RLIMIT] = "set rlimits",
    [STEP_CAPS] = "drop capabilities",
    [STEP_CREDS] = "switch to the box's uid/gid",
    [STEP_NNP] = "set no_new_privs",
    [STEP_CWD] = "enter the working folder",
    [STEP_SECCOMP] = "install the seccomp filter",
    [STEP_LISTENER] = "pass the seccomp listener",
    [STEP_WAITSET] = "prepare the init's wait (socketpair, signalfd)",
    [STEP_CLONE_INIT] = "clone the box's init",
    [STEP_CGROUP_JOIN] = "join the box's cgroup",
};

/*** What the children get: the run's plan, in the box's arena ***/

struct rl {
    int resource;
    struct rlimit lim;
};

struct bind_plan {
    const char *inside; /* where in the box */
    bool writable;
};

/* Written by the parent into the box's arena (a MAP_SHARED mapping made with the box, at the
 * same address in every process) before "go", so that an init started before the run was known
 * sees it whether or not it shares the parent's memory. Every pointer points into the arena.
 * Read-only for C1 and C2. */
struct run_plan {
    const char *const *argv;
    const char *const *envp;
    const char *cwd;             /* NULL: /box */
    const char *path;            /* PATH for the program lookup */
    const struct sbx_filter *filter;
    bool fd_given[3];            /* stdin/stdout/stderr come with "go"; else /dev/null */
    size_t n_binds;              /* their detached mounts come with "go", after the fds */
    struct bind_plan binds[SBX_MAX_BINDS];
    bool work_ro;
    int umask;                   /* the program's */
    uint64_t tmp_kib;
    struct rl rlimits[8];
    int n_rlimits;
    unsigned uid;
};

/* The descriptors C1 got with "go": the program's 0/1/2 (-1 = /dev/null) and the binds. */
struct run_fds {
    int std[3];
    int trees[SBX_MAX_BINDS];
};

static SBX_CHILD void stamp(struct sbx_shared *sh, int i)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    sh->stamp_us[i] = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static SBX_CHILD int fail(struct sbx_shared *sh, enum step step)
{
    sh->fail_errno = errno;
    sh->fail_step = step;
    return -1;
}

/*** C1: the run's copy of the box's mount namespace ***/

/* An absolute in-box path as a path relative to the root (the current folder) into buf: its
 * length, or -1. */
static SBX_CHILD int relative_path(const char *inside, char *buf, size_t size)
{
    size_t n = 0;
    while (*inside == '/')
        inside++;
    for (; *inside && n + 1 < size; inside++)
        buf[n++] = *inside;
    buf[n] = '\0';
    if (*inside || n == 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return (int)n;
}

/* mkdir -p of an absolute in-box path, relative to the root (the current folder). Sets bit d
 * of *made for each folder of depth d it made (the parent removes those after the run). */
static SBX_CHILD int mkdir_inside(const char *inside, char *buf, size_t size, volatile uint32_t *made)
{
    int len = relative_path(inside, buf, size);
    if (len < 0)
        return -1;
    size_t n = (size_t)len;
    unsigned depth = 0;
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0755) == 0 && depth < 32)
            *made |= 1U << depth;
        else if (errno != EEXIST)
            return -1;
        depth++;
        buf[i] = c;
    }
    return 0;
}

/* The caller's binds: detached copies of host mounts (open_tree in the parent, where the host
 * paths resolve) attached here. Their mount points are made in the box root's tmpfs, which is
 * made writable for that moment; the folders made are noted in the shared page, and the parent
 * removes them after the run (remove_mount_points), so none pile up in a long-lived root. */
static SBX_CHILD int attach_binds(struct sbx_shared *sh, const struct run_plan *plan,
                                  const struct run_fds *fds)
{
    char target[PATH_MAX];
    if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_NOSUID, NULL) < 0)
        return -1;
    for (size_t i = 0; i < plan->n_binds; i++) {
        const struct bind_plan *b = &plan->binds[i];
        unsigned long fl = MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV |
                           (b->writable ? 0 : MS_RDONLY);
        if (mkdir_inside(b->inside, target, sizeof target, &sh->made[i]) < 0 ||
            move_mount(fds->trees[i], "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0 ||
            mount(NULL, target, NULL, fl, NULL) < 0)
            return -1;
    }
    return mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID, NULL);
}

/* "size=<kib>k" and, when mounting, ",mode=1777": without snprintf (not async-signal-safe). */
static SBX_CHILD int tmp_options(char *buf, size_t size, uint64_t kib, bool mounting)
{
    static const char head[] = "size=";
    const char *tail = mounting ? "k,mode=1777" : "k";
    char digits[24];
    int n = 0;
    do
        digits[n++] = (char)('0' + kib % 10);
    while ((kib /= 10) != 0 && n < (int)sizeof digits);
    size_t len = sizeof head - 1 + (size_t)n + strlen(tail) + 1;
    if (len > size)
        return -1;
    char *p = buf;
    for (const char *h = head; *h; h++)
        *p++ = *h;
    while (n > 0)
        *p++ = digits[--n];
    for (const char *t = tail; *t; t++)
        *p++ = *t;
    *p = '\0';
    return 0;
}

/* What C1 does before the run is known: namespaces, and the root's fresh /tmp and /proc. */
static SBX_CHILD int c1_prepare(struct sbx_box *box, int *last_pid)
{
    struct sbx_shared *sh = box->shared;
    char opts[64];
    stamp(sh, 0);
    if (setns(box->mnt_fd, CLONE_NEWNS) < 0)
        return fail(sh, STEP_SETNS_MNT);
    if (unshare(CLONE_NEWNS) < 0)
        return fail(sh, STEP_UNSHARE_MNT);
    if (setns(box->netns_fd, CLONE_NEWNET) < 0)
        return fail(sh, STEP_SETNS_NET);
    if (sethostname(HOSTNAME, sizeof HOSTNAME - 1) < 0)
        return fail(sh, STEP_HOSTNAME);
    stamp(sh, 1);
    if (chdir("/") < 0)
        return fail(sh, STEP_ROOT);
    if (tmp_options(opts, sizeof opts, TMP_KIB_DEFAULT, true) < 0 ||
        mount("gavel-tmp", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
        return fail(sh, STEP_TMP);
    if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        return fail(sh, STEP_PROC);
    /* The namespace's next pid, set back before every program after the first (c1_run). */
    *last_pid = open("proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
    if (*last_pid < 0)
        return fail(sh, STEP_PROC);
    stamp(sh, 2);
    return 0;
}

/* A resident init between runs, after its report: the binds detached, /box writable again, a
 * fresh /tmp. It reads the last run's plan, which the parent leaves alone until this init
 * reports ready, and nothing of the shared page, which the parent reads for the result. A bind
 * may already be gone: the parent removing a mount point it made detaches it. */
static SBX_CHILD int c1_reset(const struct run_plan *plan)
{
    char target[PATH_MAX], opts[64];
    for (size_t i = plan->n_binds; i-- > 0;)
        if (relative_path(plan->binds[i].inside, target, sizeof target) < 0 ||
            (umount2(target, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT))
            return -1;
    unsigned long rw = MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV;
    if (plan->work_ro && mount(NULL, "box", NULL, rw, NULL) < 0)
        return -1;
    if (umount2("tmp", MNT_DETACH) < 0 ||
        tmp_options(opts, sizeof opts, TMP_KIB_DEFAULT, true) < 0 ||
        mount("gavel-tmp", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
        return -1;
    return 0;
}

/* What C1 does after "go", for this run: /tmp's size, a read-only /box, the caller's binds. */
static SBX_CHILD int c1_apply(struct sbx_shared *sh, const struct run_plan *plan,
                              const struct run_fds *fds)
{
    char opts[64];
    if (plan->tmp_kib != TMP_KIB_DEFAULT &&
        (tmp_options(opts, sizeof opts, plan->tmp_kib, false) < 0 ||
         mount(NULL, "tmp", NULL, MS_REMOUNT | MS_NOSUID | MS_NODEV, opts) < 0))
        return fail(sh, STEP_TMP);
    unsigned long ro = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV;
    if (plan->work_ro && mount(NULL, "box", NULL, ro, NULL) < 0)
        return fail(sh, STEP_WORK);
    if (plan->n_binds > 0 && attach_binds(sh, plan, fds) < 0)
        return fail(sh, STEP_BIND);
    return 0;
}

/*** C2: the program ***/

/* Makes fds 0/1/2 the program's and the socket to C1 fd 3, and closes everything else for
 * real (C2 has its own copy of the table): a caller with many descriptors open (a server, a
 * judge) must not push the seccomp listener past the program's RLIMIT_NOFILE. Returns the
 * socket (3; closed at execve) or -1. Works even when the socket is one of 0/1/2. */
static SBX_CHILD int c2_fds(const struct run_fds *fds, int c2_sock)
{
    int sock = fcntl(c2_sock, F_DUPFD_CLOEXEC, 3);
    if (sock < 0)
        return -1;
    int tmp[3];
    for (int i = 0; i < 3; i++) {
        int fd = fds->std[i];
        if (fd < 0)
            fd = open("/dev/null", i == 0 ? O_RDONLY : O_WRONLY);
        if (fd < 0)
            return -1;
        tmp[i] = fcntl(fd, F_DUPFD, 3);
        if (tmp[i] < 0)
            return -1;
    }
    for (int i = 0; i < 3; i++)
        if (dup2(tmp[i], i) < 0)
            return -1;
    if (sock != 3) {
        if (dup3(sock, 3, O_CLOEXEC) < 0)
            return -1;
        sock = 3;
    }
    if (syscall(SYS_close_range, 4, ~0U, 0) < 0)
        return -1;
    return sock;
}

/* The program starts with no signal blocked and every disposition at its default, whatever the
 * caller's threads block or ignore (a server blocks SIGTERM for its signalfd; many ignore
 * SIGPIPE); both would survive execve. The dispositions are reset in C1, while the parent
 * attaches the cgroup, and inherited by C2: C1 has its own copy of the handler table (no
 * CLONE_SIGHAND), so the caller is untouched, and C1 needs no handler (as the namespace's init
 * it only ever gets SIGKILL from the parent). C1 blocks only SIGCHLD, which it reads from a
 * signalfd; C2 unblocks it (set_signal_mask) before execve. */
static SBX_CHILD int set_signal_mask(const sigset_t *mask)
{
    return (int)syscall(SYS_rt_sigprocmask, SIG_SETMASK, mask, NULL, _NSIG / 8);
}

/* rt_sigaction's own argument (glibc's sigaction refuses the signals it reserves for itself,
 * and a failing call would set errno, which C1 shares with a caller's thread; see above). */
struct kernel_sigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    uint64_t mask;
};

static SBX_CHILD int reset_signals(void)
{
    struct kernel_sigaction dfl = {.handler = SIG_DFL};
    for (int sig = 1; sig < _NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP &&
            syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof dfl.mask) < 0)
            return -1;
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    return set_signal_mask(&chld);
}

/* Empties the capability bounding set, so that nothing the program executes can gain a
 * capability (no_new_privs already stops setuid and file capabilities). Done in C1 before
 * "go", off the program's path; C2 inherits the set. C1's own capabilities are untouched. */
static SBX_CHILD int drop_bounding_set(int cap_last)
{
    for (int cap = 0; cap <= cap_last; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
            return -1;
    return 0;
}

static SBX_CHILD int c2_creds(unsigned id)
{
    if (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, id, id, id) < 0 ||
        syscall(SYS_setresuid, id, id, id) < 0)
        return -1;
    return 0;
}

static SBX_CHILD int send_fd(int sock, int fd)
{
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    char byte = 'L';
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                         .msg_controllen = sizeof u.buf};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    *(int *)(void *)CMSG_DATA(cm) = fd;
    return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/* execve, looking argv[0] up in PATH when it has no '/'. Returns only on failure. */
static SBX_CHILD void exec_program(const struct run_plan *plan)
{
    const char *file = plan->argv[0];
    char *const *argv = (char *const *)plan->argv;
    char *const *envp = (char *const *)plan->envp;
    static char *const empty_env[] = {NULL};
    if (envp == NULL)
        envp = empty_env;
    for (const char *p = file; *p; p++)
        if (*p == '/') {
            execve(file, argv, envp);
            return;
        }
    char buf[PATH_MAX];
    int saved = ENOENT;
    for (const char *p = plan->path; *p;) {
        size_t n = 0;
        for (; *p && *p != ':' && n + 1 < sizeof buf; p++)
            buf[n++] = *p;
        if (*p == ':')
            p++;
        if (n == 0)
            buf[n++] = '.';
        buf[n++] = '/';
        const char *f = file;
        for (; *f && n + 1 < sizeof buf; f++)
            buf[n++] = *f;
        buf[n] = '\0';
        execve(buf, argv, envp);
        if (errno == EACCES || saved == ENOENT)
            saved = errno == ENOENT ? saved : errno;
    }
    errno = saved;
}

/* What C1 hands C2: the run, its descriptors, and C2's end of their socketpair. */
struct c2_arg {
    const struct run_plan *plan;
    const struct run_fds *fds;
    struct sbx_shared *sh;
    int sock;
};

static SBX_CHILD int c2_main(void *arg)
{
    const struct c2_arg *a = arg;
    const struct run_plan *plan = a->plan;
    struct sbx_shared *sh = a->sh;
    int sock = c2_fds(a->fds, a->sock);
    if (sock < 0) {
        fail(sh, STEP_FDS);
        _exit(127);
    }
    sigset_t none;
    sigemptyset(&none);
    umask((mode_t)plan->umask);
    if (setsid() < 0 || set_signal_mask(&none) < 0) {
        fail(sh, STEP_FDS);
        _exit(127);
    }
    for (int i = 0; i < plan->n_rlimits; i++)
        if (setrlimit(plan->rlimits[i].resource, &plan->rlimits[i].lim) < 0) {
            fail(sh, STEP_RLIMIT);
            _exit(127);
        }
    if (c2_creds(plan->uid) < 0) {
        fail(sh, STEP_CREDS);
        _exit(127);
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        fail(sh, STEP_NNP);
        _exit(127);
    }
    if (chdir(plan->cwd ? plan->cwd : "/box") < 0) {
        fail(sh, STEP_CWD);
        _exit(127);
    }
    int listener = sbx_seccomp_install(plan->filter);
    if (listener == -1) {
        fail(sh, STEP_SECCOMP);
        _exit(127);
    }
    if (listener >= 0) {
        if (send_fd(sock, listener) < 0) {
            fail(sh, STEP_LISTENER);
            _exit(127);
        }
        close(listener);
    }
    exec_program(plan);
    sh->exec_errno = errno ? errno : ENOENT;
    _exit(127);
}

/*** C1: init of the box ***/

static SBX_CHILD void add_usage(struct rusage *sum, const struct rusage *ru)
{
    sum->ru_utime.tv_sec += ru->ru_utime.tv_sec;
    sum->ru_utime.tv_usec += ru->ru_utime.tv_usec;
    sum->ru_stime.tv_sec += ru->ru_stime.tv_sec;
    sum->ru_stime.tv_usec += ru->ru_stime.tv_usec;
    if (ru->ru_maxrss > sum->ru_maxrss)
        sum->ru_maxrss = ru->ru_maxrss;
}

/* Descriptors passed to C1 in one message: "go" brings the program's 0/1/2 and the binds. */
#define C1_FDS_MAX (3 + SBX_MAX_BINDS)

/* One one-byte message from sock with up to max (<= C1_FDS_MAX) descriptors attached
 * (SCM_RIGHTS, close-on-exec here): how many came, or -1 when no message did, or one with more. */
static SBX_CHILD int recv_with_fds(int sock, int *fds, size_t max, int flags)
{
    union {
        char buf[CMSG_SPACE(sizeof(int) * C1_FDS_MAX)];
        struct cmsghdr align;
    } u;
    char byte;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                         .msg_controllen = CMSG_SPACE(sizeof(int) * max)};
    ssize_t n;
    do
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | flags);
    while (n < 0 && errno == EINTR);
    if (n != 1 || (msg.msg_flags & MSG_CTRUNC))
        return -1;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    if (cm == NULL || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
        return 0;
    size_t got = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    memcpy(fds, CMSG_DATA(cm), got * sizeof(int));
    return (int)got;
}

/* The descriptor C2 sent on sock (the seccomp listener), or -1 when none came. */
static SBX_CHILD int recv_fd(int sock)
{
    int fd;
    return recv_with_fds(sock, &fd, 1, MSG_DONTWAIT) == 1 ? fd : -1;
}

/* Closes every descriptor but the n (a few) in keep; -1 entries are ignored. */
static SBX_CHILD void close_all_but(int *keep, int n)
{
    for (int i = 1; i < n; i++) /* insertion sort: n is tiny */
        for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
            int t = keep[j];
            keep[j] = keep[j - 1];
            keep[j - 1] = t;
        }
    unsigned from = 0;
    for (int i = 0; i < n; i++) {
        if (keep[i] < 0)
            continue;
        if ((unsigned)keep[i] > from)
            syscall(SYS_close_range, from, (unsigned)keep[i] - 1, 0);
        from = (unsigned)keep[i] + 1;
    }
    syscall(SYS_close_range, from, ~0U, 0);
}

/* A forbidden call is waiting on the listener: the first one goes into the shared page and the
 * parent is told, which kills the box. The call is never answered; later ones are only drained. */
static SBX_CHILD void c1_forbidden(struct sbx_shared *sh, int sock, int listener)
{
    int nr;
    uint32_t arch;
    if (sbx_seccomp_notify_read(listener, &nr, &arch) < 0 || sh->forbidden)
        return;
    sh->forbidden_nr = nr;
    sh->forbidden_arch = arch;
    sh->forbidden = 1;
    char report = SBX_REPORT_FORBIDDEN;
    send(sock, &report, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Reaps children; returns 1 once C2 (pid) is reaped, -1 when no child is left, 0 when it would
 * have to wait and may not (block false). sh->usage is the sum of all reaped so far. */
static SBX_CHILD int c1_reap(struct sbx_shared *sh, pid_t pid, struct rusage *sum, bool block)
{
    for (;;) {
        int st;
        struct rusage ru;
        pid_t w = wait4(-1, &st, __WALL | (block ? 0 : WNOHANG), &ru);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        if (w == 0)
            return 0;
        add_usage(sum, &ru);
        sh->usage = *sum;
        if (w == pid) {
            stamp(sh, 6);
            sh->status = st;
            sh->done = 1;
            return 1;
        }
    }
}

/* C1 after C2 has exec'd or died, until C2 is reaped. With a seccomp listener it waits on the
 * listener and on SIGCHLD (signalfd) at once; once the listener hangs up (no process uses the
 * filter any more) or without one, it just blocks in wait4. */
static SBX_CHILD void c1_wait(struct sbx_shared *sh, int sock, pid_t pid, int sigfd, int listener,
                              struct rusage *sum)
{
    while (listener >= 0) {
        struct pollfd p[2] = {{.fd = sigfd, .events = POLLIN}, {.fd = listener, .events = POLLIN}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[1].revents & POLLIN)
            c1_forbidden(sh, sock, listener);
        else if (p[1].revents & (POLLHUP | POLLERR | POLLNVAL))
            break;
        if (p[0].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(sigfd, &si, sizeof si) < 0 && errno != EAGAIN)
                break;
        }
        if (c1_reap(sh, pid, sum, false) != 0)
            return;
    }
    c1_reap(sh, pid, sum, true);
}

/* The program is gone: whatever else lives in the namespace is killed and reaped here (what the
 * kernel would do when C1 exits), and the parent is told, so that the run ends without waiting
 * for C1's own exit (the namespaces' teardown: about a tenth of a trivial run). kill(-1) from a
 * namespace's init reaches every other process in it; a process forking at that moment has the
 * signal pending and its fork fails; orphans are reparented to C1 before their parent can be
 * reaped, so no child left (ECHILD) means no process left. */
static SBX_CHILD void c1_finish(struct sbx_shared *sh, int sock, int listener, struct rusage *sum)
{
    if (listener >= 0) /* a call that came as the program ended still counts */
        c1_forbidden(sh, sock, listener);
    kill(-1, SIGKILL);
    c1_reap(sh, 0, sum, true); /* returns at ECHILD: pid 0 is nobody's */
    sh->all_reaped = 1;
    char report = SBX_REPORT_DONE;
    send(sock, &report, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* "go": one byte, with the program's descriptors and the binds' detached mounts attached
 * (SCM_RIGHTS) in the order the plan lists them. 0, or -1 when the parent went away or sent
 * other than it planned. */
static SBX_CHILD int c1_receive_go(int sock, const struct run_plan *plan, struct run_fds *fds)
{
    int got[C1_FDS_MAX];
    int n = recv_with_fds(sock, got, C1_FDS_MAX, 0);
    int want = (int)plan->n_binds;
    for (int i = 0; i < 3; i++)
        want += plan->fd_given[i];
    if (n < 0 || n != want)
        return -1;
    int k = 0;
    for (int i = 0; i < 3; i++)
        fds->std[i] = plan->fd_given[i] ? got[k++] : -1;
    for (size_t i = 0; i < plan->n_binds; i++)
        fds->trees[i] = got[k++];
    return 0;
}

/* C1 up to "go": it may be started long before its run (sbx_box_prestart). */
static SBX_CHILD void c1_stand_by(struct sbx_box *box, int sock, int *sigfd, int sv[2],
                                  int *last_pid)
{
    struct sbx_shared *sh = box->shared;
    /* The parent waits for this byte: it tells that this copy of its descriptor table is made
     * (see standby_start). Then into the box's cgroup, through the group's descriptors in it. */
    char started = SBX_REPORT_STARTED;
    if (send(sock, &started, 1, MSG_NOSIGNAL) != 1) {
        fail(sh, STEP_GO);
        _exit(1);
    }
    for (size_t i = 0; i < box->c1_n_cg_fds; i++)
        if (pwrite(box->c1_cg_fds[i], "0", 1, 0) != 1) {
            fail(sh, STEP_CGROUP_JOIN);
            _exit(1);
        }
    /* If the holder dies (with the standby thread: a judge or server killed with -9), so does
     * C1, and with it, as the namespace's init, everything in the box. A caller that died
     * before this line never sends "go": the read for it then ends C1. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
        fail(sh, STEP_PDEATHSIG);
        _exit(1);
    }
    if (reset_signals() < 0) {
        fail(sh, STEP_SIGNALS);
        _exit(1);
    }
    if (drop_bounding_set(box->pool->cap_last) < 0) {
        fail(sh, STEP_CAPS);
        _exit(1);
    }
    /* C2 sends the seccomp listener to C1, which watches it: the parent is not woken during a
     * run that makes no forbidden call. */
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    *sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    if (*sigfd < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        fail(sh, STEP_WAITSET);
        _exit(1);
    }
    if (c1_prepare(box, last_pid) < 0)
        _exit(1);
    /* Standing by, C1 holds nothing of the caller's: a server's connections or a judge's
     * sockets would otherwise stay open for as long as it waits. */
    int keep[5] = {sock, *sigfd, sv[0], sv[1], *last_pid};
    close_all_but(keep, 5);
    stamp(sh, 3);
}

/* What C1 keeps from its start on: its sockets, its signalfd, the pid counter's file. */
struct c1_fds {
    int sock, sigfd, sv[2], last_pid;
};

/* One run in C1, from "go" to its report "D". run: how many this init ran before. */
static SBX_CHILD void c1_run(struct sbx_box *box, const struct c1_fds *k, unsigned run)
{
    struct sbx_shared *sh = box->shared;
    const struct run_plan *plan = box->arena;
    struct run_fds fds;
    if (c1_receive_go(k->sock, plan, &fds) < 0) {
        fail(sh, STEP_GO);
        _exit(1);
    }
    sh->went = 1;
    stamp(sh, 4);
    if (c1_apply(sh, plan, &fds) < 0)
        _exit(1);
    if (run == 0 && unshare(CLONE_NEWCGROUP) < 0) {
        fail(sh, STEP_CGROUPNS);
        _exit(1);
    }
    /* A later run's program is pid 2 too, and gets an ipc namespace of its own, as the first
     * one did with this init's (SysV objects and POSIX queues end with their namespace). */
    if (run > 0 && pwrite(k->last_pid, "1", 1, 0) != 1) {
        fail(sh, STEP_CLONE);
        _exit(1);
    }
    struct c2_arg a = {.plan = plan, .fds = &fds, .sh = sh, .sock = k->sv[1]};
    int flags = CLONE_VM | CLONE_VFORK | SIGCHLD | (run > 0 ? CLONE_NEWIPC : 0);
    pid_t pid = clone(c2_main, sbx_child_stack(box, 2), flags, &a);
    if (pid < 0) {
        fail(sh, STEP_CLONE);
        _exit(1);
    }
    stamp(sh, 5);
    /* C2 has exec'd (after sending the listener, if it has one) or died: C1 keeps only what it
     * keeps for good and the listener. */
    int listener = recv_fd(k->sv[0]);
    int keep[6] = {k->sock, k->sigfd, k->sv[0], k->sv[1], k->last_pid, listener};
    close_all_but(keep, 6);
    struct rusage sum = {0};
    c1_wait(sh, k->sock, pid, k->sigfd, listener, &sum);
    c1_finish(sh, k->sock, listener, &sum);
    if (listener >= 0)
        close(listener);
}

/* C1: set up once, then runs. A resident init (box->c1_resident: the cgroup's counters reset
 * with it inside) makes its box ready again after each run and reports "R"; else it exits. */
static SBX_CHILD int c1_main(void *arg)
{
    struct sbx_box *box = arg;
    bool resident = box->c1_resident;
    struct c1_fds k = {.sock = box->c1_child_sock};
    c1_stand_by(box, k.sock, &k.sigfd, k.sv, &k.last_pid);
    for (unsigned run = 0;; run++) {
        c1_run(box, &k, run);
        if (!resident)
            _exit(0);
        char ready = SBX_REPORT_READY;
        if (c1_reset(box->arena) < 0 || send(k.sock, &ready, 1, MSG_NOSIGNAL) != 1)
            _exit(2);
    }
}

/*** The parent ***/

struct waiter {
    int pidfd, sock;
    int cancel_fd; /* spec->cancel_fd: readable or hung up = stop the run */
    bool killed, cancelled;
    bool done;     /* C1 reported the box empty (SBX_REPORT_DONE); it exits on its own */
    enum sbx_status kill_status; /* TLE, or RTE for a forbidden call */
    char syscall[SBX_SYSCALL_NAME_MAX];
    char kill_message[SBX_MESSAGE_MAX];
};

static void resolve_limits(const struct sbx_spec *spec, struct sbx_limits *l)
{
    *l = spec->limits;
    if (l->wall_ms == 0 && l->cpu_ms != 0)
        l->wall_ms = (uint32_t)WALL_FROM_CPU(l->cpu_ms);
    if (l->processes == 0)
        l->processes = spec->policy == SBX_POLICY_STRICT ? PROCESSES_STRICT : PROCESSES_OTHER;
    if (l->open_files == 0)
        l->open_files = OPEN_FILES_DEFAULT;
    if (l->stack_kib == 0)
        l->stack_kib = l->memory_kib;
    if (l->tmp_kib == 0)
        l->tmp_kib = TMP_KIB_DEFAULT;
}

static void add_rlimit(struct run_plan *c, int resource, uint64_t soft, uint64_t hard)
{
    c->rlimits[c->n_rlimits].resource = resource;
    c->rlimits[c->n_rlimits].lim.rlim_cur = soft;
    c->rlimits[c->n_rlimits].lim.rlim_max = hard;
    c->n_rlimits++;
}

/* rlimits of the program: the cgroup does memory and processes when there is one. */
static void plan_rlimits(struct run_plan *c, const struct sbx_limits *l, bool have_cg)
{
    add_rlimit(c, RLIMIT_CORE, 0, 0);
    add_rlimit(c, RLIMIT_NOFILE, l->open_files, l->open_files);
    uint64_t stack = l->stack_kib ? l->stack_kib * 1024 : RLIM_INFINITY;
    add_rlimit(c, RLIMIT_STACK, stack, stack);
    if (l->output_kib)
        add_rlimit(c, RLIMIT_FSIZE, l->output_kib * 1024, l->output_kib * 1024);
    if (l->cpu_ms) {
        /* A backstop per process; the parent watches the cgroup's total and acts first. */
        uint64_t s = (l->cpu_ms + 999) / 1000 + (have_cg ? 1 : 0);
        add_rlimit(c, RLIMIT_CPU, s, s + 1);
    }
    if (!have_cg && l->memory_kib)
        add_rlimit(c, RLIMIT_AS, l->memory_kib * 1024, l->memory_kib * 1024);
    if (!have_cg)
        add_rlimit(c, RLIMIT_NPROC, l->processes, l->processes);
}

static const char *find_path(const char *const *envp)
{
    for (; envp != NULL && *envp != NULL; envp++)
        if (strncmp(*envp, "PATH=", 5) == 0)
            return *envp + 5;
    return DEFAULT_PATH;
}

static int je(struct sbx_result *r, const char *fmt, const char *what, int err)
{
    r->status = SBX_JE;
    snprintf(r->message, sizeof r->message, fmt, what, strerror(err));
    return -1;
}

static void kill_box(struct waiter *w, enum sbx_status status)
{
    if (!w->killed)
        pidfd_send_signal(w->pidfd, SIGKILL, NULL, 0);
    if (!w->killed)
        w->kill_status = status;
    w->killed = true;
}

/* A report from C1 (a forbidden call, or the end), or its end of the socket closing. */
static void receive_report(struct waiter *w, const struct sbx_shared *sh)
{
    char byte;
    ssize_t n = recv(w->sock, &byte, 1, MSG_DONTWAIT);
    if (n <= 0) {
        if (n == 0 || (errno != EAGAIN && errno != EINTR))
            w->sock = -1; /* closed: nothing more will come */
        return;
    }
    if (byte == SBX_REPORT_DONE && sh->all_reaped)
        w->done = true;
    if (byte != SBX_REPORT_FORBIDDEN || !sh->forbidden)
        return;
    if (!w->killed)
        sbx_seccomp_syscall_name(sh->forbidden_arch, sh->forbidden_nr, w->syscall,
                                 sizeof w->syscall);
    kill_box(w, SBX_RTE);
    if (w->kill_status == SBX_RTE)
        snprintf(w->kill_message, sizeof w->kill_message, "forbidden system call %s",
                 w->syscall);
}

/* How long to sleep: until the wall deadline, or until the CPU budget could be used up. */
static int next_timeout(const struct sbx_limits *l, int64_t start_ms, uint64_t cpu_used_us,
                        long ncpus, bool have_cg)
{
    int64_t t = -1;
    if (l->wall_ms) {
        t = start_ms + l->wall_ms - gv_now_ms();
        if (t < 0)
            t = 0;
    }
    if (l->cpu_ms && have_cg) {
        int64_t left_ms = (int64_t)l->cpu_ms - (int64_t)(cpu_used_us / 1000);
        int64_t c = left_ms > 0 ? left_ms / ncpus : 0;
        if (c < MIN_POLL_MS)
            c = MIN_POLL_MS;
        if (t < 0 || c < t)
            t = c;
    }
    return t > 1000000 ? 1000000 : (int)t;
}

static void check_limits(struct waiter *w, struct sbx_box *box, const struct sbx_limits *l,
                         int64_t start_ms, bool have_cg, uint64_t *cpu_used_us)
{
    if (w->killed)
        return;
    if (l->wall_ms && gv_now_ms() - start_ms >= l->wall_ms) {
        kill_box(w, SBX_TLE);
        snprintf(w->kill_message, sizeof w->kill_message, "wall time limit %u ms", l->wall_ms);
        return;
    }
    struct sbx_cg_stats st;
    if (l->cpu_ms && have_cg && sbx_cg_stats(box->cg, &st) == 0) {
        *cpu_used_us = st.cpu_us;
        if (st.cpu_us >= (uint64_t)l->cpu_ms * 1000) {
            kill_box(w, SBX_TLE);
            snprintf(w->kill_message, sizeof w->kill_message, "CPU time limit %u ms",
                     l->cpu_ms);
        }
    }
}

static void wait_run(struct waiter *w, struct sbx_box *box, const struct sbx_limits *l,
                     int64_t start_ms, bool have_cg)
{
    uint64_t cpu_used_us = 0;
    for (;;) {
        struct pollfd p[3] = {{.fd = w->pidfd, .events = POLLIN},
                              {.fd = w->sock, .events = POLLIN},
                              {.fd = w->killed ? -1 : w->cancel_fd, .events = POLLIN}};
        int timeout = w->killed ? -1 : next_timeout(l, start_ms, cpu_used_us, box->pool->ncpus,
                                                    have_cg);
        int n = poll(p, 3, timeout);
        if (n < 0 && errno != EINTR) {
            kill_box(w, SBX_JE);
            snprintf(w->kill_message, sizeof w->kill_message, "poll: %s", strerror(errno));
        }
        if (n > 0 && p[1].revents)
            receive_report(w, box->shared);
        if (n > 0 && p[2].revents && !w->killed) {
            kill_box(w, SBX_JE);
            w->cancelled = true;
        }
        if ((n > 0 && p[0].revents) || w->done)
            return;
        check_limits(w, box, l, start_ms, have_cg, &cpu_used_us);
    }
}

/*** Turning what happened into a result (sbx_status.c decides) ***/

static int finish(struct sbx_box *box, const struct waiter *w, const struct sbx_limits *l,
                  bool have_cg, const struct rusage *c1_usage, const char *prog,
                  struct sbx_result *r)
{
    struct sbx_shared *sh = box->shared;
    struct sbx_outcome o = {.killed = w->killed, .kill_status = w->kill_status,
                            .kill_message = w->kill_message, .syscall = w->syscall,
                            .exec_errno = sh->exec_errno, .reaped = sh->done != 0,
                            .wait_status = sh->status};
    struct sbx_cg_stats st;
    if (have_cg && sbx_cg_stats(box->cg, &st) == 0) {
        o.have_cg = true;
        o.cpu_ms = (uint32_t)(st.cpu_us / 1000);
        o.memory_kib = st.memory_peak_kib;
        o.oom_kills = st.oom_kills;
        o.memory_limit_hit = st.memory_limit_hit;
    } else {
        const struct rusage *u = sh->done ? (const struct rusage *)&sh->usage : c1_usage;
        uint64_t us = (uint64_t)u->ru_utime.tv_sec * 1000000 + u->ru_utime.tv_usec +
                      (uint64_t)u->ru_stime.tv_sec * 1000000 + u->ru_stime.tv_usec;
        o.cpu_ms = (uint32_t)(us / 1000);
        o.memory_kib = (uint64_t)u->ru_maxrss;
    }
    if (sh->fail_step != STEP_NONE) {
        int step = sh->fail_step;
        const char *name = step < (int)(sizeof step_names / sizeof step_names[0])
                               ? step_names[step] : "?";
        r->cpu_ms = o.cpu_ms;
        r->memory_kib = o.memory_kib;
        return je(r, "sandbox setup failed: %s: %s", name, sh->fail_errno);
    }
    return sbx_status_decide(&o, l, prog, r);
}

/*** The run's plan, written into the box's arena ***/

struct arena {
    char *base;
    size_t used, size;
};

static void *arena_take(struct arena *a, size_t n)
{
    size_t at = (a->used + 15) & ~(size_t)15;
    if (at > a->size || n > a->size - at)
        return NULL;
    a->used = at + n;
    return a->base + at;
}

static const char *arena_str(struct arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = arena_take(a, n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

/* A copy of a NULL-terminated string array; *ok false when it did not fit. */
static const char *const *arena_strv(struct arena *a, const char *const *v, bool *ok)
{
    if (v == NULL)
        return NULL;
    size_t n = 0;
    while (v[n] != NULL)
        n++;
    const char **d = arena_take(a, (n + 1) * sizeof *d);
    if (d == NULL) {
        *ok = false;
        return NULL;
    }
    for (size_t i = 0; i < n && *ok; i++)
        *ok = (d[i] = arena_str(a, v[i])) != NULL;
    d[n] = NULL;
    return d;
}

/* The calling thread's umask, without changing it even for a moment (other threads may share
 * it): from /proc/thread-self/status. -1 when it cannot be read. */
static int thread_umask(void)
{
    char buf[2048];
    int fd = open("/proc/thread-self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    const char *u = strstr(buf, "\nUmask:");
    return u != NULL ? (int)strtol(u + 8, NULL, 8) : -1;
}

/* Fills the arena with what C1 and C2 read after "go". 0, or -1 with r (JE) when the run's
 * arguments, environment and filter do not fit in SBX_ARENA_BYTES, or the calling thread's
 * umask cannot be read (C1 was started by the standby thread, whose umask may differ). */
static int plan_run(struct sbx_box *box, const struct sbx_spec *spec, const struct sbx_limits *l,
                    bool have_cg, const struct sbx_filter *filter, struct sbx_result *r)
{
    struct arena a = {.base = box->arena, .size = SBX_ARENA_BYTES};
    struct run_plan *plan = arena_take(&a, sizeof *plan);
    memset(plan, 0, sizeof *plan);
    bool ok = true;
    /* The binds first: a resident init reads them after the run (c1_reset), when the arena's
     * tail may already be given back (arena_trim). */
    plan->n_binds = spec->n_binds;
    for (size_t i = 0; i < spec->n_binds && ok; i++) {
        const struct sbx_bind *b = &spec->binds[i];
        plan->binds[i].writable = b->writable;
        ok = (plan->binds[i].inside = arena_str(&a, b->inside ? b->inside : b->host)) != NULL;
    }
    box->arena_binds_end = a.used;
    plan->argv = arena_strv(&a, spec->argv, &ok);
    plan->envp = arena_strv(&a, spec->envp, &ok);
    plan->cwd = spec->cwd != NULL ? arena_str(&a, spec->cwd) : NULL;
    plan->path = find_path(plan->envp);
    void *filter_copy = arena_take(&a, sbx_seccomp_copy_size(filter));
    plan->filter = filter_copy != NULL ? sbx_seccomp_copy_into(filter, filter_copy) : NULL;
    ok = ok && (spec->cwd == NULL || plan->cwd != NULL) && plan->filter != NULL;
    plan->fd_given[0] = spec->stdin_fd >= 0;
    plan->fd_given[1] = spec->stdout_fd >= 0;
    plan->fd_given[2] = spec->stderr_fd >= 0;
    plan->work_ro = !spec->work_writable;
    plan->umask = spec->umask >= 0 ? spec->umask & 0777 : thread_umask();
    if (plan->umask < 0)
        return je(r, "%s: %s", "read the calling thread's umask", errno ? errno : EIO);
    plan->tmp_kib = l->tmp_kib;
    plan_rlimits(plan, l, have_cg);
    plan->uid = box->uid;
    if (a.used > box->arena_used)
        box->arena_used = a.used;
    if (!ok) {
        r->status = SBX_JE;
        snprintf(r->message, sizeof r->message,
                 "arguments, environment and working folder: more than %u MiB",
                 (unsigned)(SBX_ARENA_BYTES >> 20));
        return -1;
    }
    return 0;
}

/* After a run that used much of the arena (a huge argv), its pages go back to the system. */
static void arena_trim(struct sbx_box *box)
{
    size_t keep = (box->arena_binds_end + 4095) & ~(size_t)4095;
    if (keep < SBX_ARENA_KEEP)
        keep = SBX_ARENA_KEEP;
    if (box->arena_used <= keep)
        return;
    size_t len = (box->arena_used - keep + 4095) & ~(size_t)4095;
    if (madvise((char *)box->arena + keep, len, MADV_REMOVE) < 0)
        gv_warn("sandbox: box %u: madvise arena: %s", box->id, strerror(errno));
    box->arena_used = keep;
}

/*** The box's next init, started ahead of its run ***/

/* The init's holder (H): the parent clones it sharing its descriptor table (and its memory,
 * but in sanitizer builds), and H clones the init as a vfork child sharing H's memory, which
 * the kernel's OOM killer never picks (in_vfork). Else the init, whose memory is the caller's,
 * is picked for the caller's size when a program fills the box's memory with what no
 * process's size shows (a tmpfs, pipes), and the killer takes every process that shares the
 * victim's memory: the caller too. H is not in the box's cgroup. It waits (vfork) while the
 * init lives, reaps it, leaves its rusage in the shared page and exits. It makes no call that
 * a sanitizer intercepts. */
static SBX_CHILD int holder_main(void *arg)
{
    struct sbx_box *box = arg;
    struct sbx_shared *sh = box->shared;
    /* Dies with the thread that started it; the init, whose parent it is, then follows. */
    if (syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
        fail(sh, STEP_PDEATHSIG);
        syscall(SYS_exit, 1);
    }
    int flags = CLONE_VM | CLONE_VFORK | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_PIDFD;
    pid_t pid = clone(c1_main, sbx_child_stack(box, 1), flags, box, (int *)&sh->c1_pidfd);
    if (pid < 0) {
        fail(sh, STEP_CLONE_INIT);
        syscall(SYS_exit, 1);
    }
    siginfo_t info;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    while (syscall(SYS_waitid, P_PID, pid, &info, WEXITED | __WALL, &ru) < 0 && errno == EINTR)
        ;
    sh->init_usage = ru;
    syscall(SYS_exit, 0);
    return 0;
}

/* Reaps a holder, which exits right after its init is gone. */
static void reap_holder(int pidfd)
{
    siginfo_t info;
    while (syscall(SYS_waitid, P_PIDFD, pidfd, &info, WEXITED | __WALL, NULL) < 0 &&
           errno == EINTR)
        ;
}

/* The last run's init, if it is still there: it has nothing left to wait for but its own exit. */
void sbx_box_reap_exiting(struct sbx_box *box)
{
    if (box->holder_exiting_pidfd < 0)
        return;
    reap_holder(box->holder_exiting_pidfd);
    close(box->holder_exiting_pidfd);
    box->holder_exiting_pidfd = -1;
}

/* The box's init is gone (or was never started): reaps its holder, closes what was kept. */
static void init_forget(struct sbx_box *box)
{
    reap_holder(box->holder_pidfd);
    close(box->holder_pidfd);
    if (box->c1_pidfd >= 0)
        close(box->c1_pidfd);
    close(box->c1_sock);
    box->holder_pidfd = box->c1_pidfd = box->c1_sock = -1;
}

/* Kills and reaps the box's waiting init, if it has one. */
void sbx_box_standby_stop(struct sbx_box *box)
{
    sbx_box_reap_exiting(box);
    if (box->holder_pidfd < 0)
        return;
    /* The init, not its holder, which would leave it to the host's init: but where no init is
     * known (one that did not report in time), the holder, which takes it along. */
    if (box->c1_pidfd >= 0)
        pidfd_send_signal(box->c1_pidfd, SIGKILL, NULL, 0);
    else
        pidfd_send_signal(box->holder_pidfd, SIGKILL, NULL, 0);
    init_forget(box);
}

/* Waits up to INIT_START_MS for the init's next byte on sock, which must be want, or for the
 * end of pidfd's process (the init's, or its holder's), which means it will not come. 0 once
 * want came, else -1. */
static int wait_report(int sock, int pidfd, char want)
{
    int64_t deadline = gv_now_ms() + INIT_START_MS;
    for (;;) {
        struct pollfd p[2] = {{.fd = sock, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
        int64_t left = deadline - gv_now_ms();
        int n = poll(p, 2, left > 0 ? (int)left : 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || !(p[0].revents & POLLIN))
            return -1;
        char byte;
        return recv(sock, &byte, 1, MSG_DONTWAIT) == 1 && byte == want ? 0 : -1;
    }
}

/* Starts the box's next C1 through its holder. C1 joins the box's cgroup, reports, takes its
 * namespaces, mounts /tmp and /proc and waits for "go". 0, or -1 with r (JE). */
static int standby_start(struct sbx_box *box, bool have_cg, struct sbx_result *r)
{
    sbx_box_reap_exiting(box);
    memset(box->shared, 0, sizeof *box->shared);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return je(r, "%s: %s", "socketpair", errno);
    box->c1_child_sock = sv[1];
    box->c1_pidfd = box->shared->c1_pidfd = -1;
    box->c1_n_cg_fds = have_cg ? sbx_cg_procs_fds(box->cg, box->c1_cg_fds,
                                                  sizeof box->c1_cg_fds / sizeof box->c1_cg_fds[0])
                               : 0;
    box->c1_started_us = gv_now_us();
    box->c1_resident = !have_cg || sbx_cg_resets_in_place(box->cg);
    box->c1_ready = true;
    box->c1_runs = 0;
    int holder_pidfd = -1;
    /* Until the init has its copy of our descriptor table, no thread may hold a box's file
     * open for writing (sbx_write_lock); the init's first byte tells the copy is made. */
    pthread_rwlock_wrlock(&sbx_write_lock);
    pid_t pid = clone(holder_main, sbx_child_stack(box, 0),
                      HOLDER_SHARE_VM | CLONE_FILES | CLONE_PIDFD, box, &holder_pidfd);
    int clone_errno = errno;
    /* The holder ends when either could not start. */
    int started = pid < 0 ? -1 : wait_report(sv[0], holder_pidfd, SBX_REPORT_STARTED);
    pthread_rwlock_unlock(&sbx_write_lock);
    close(sv[1]);
    if (pid < 0) {
        close(sv[0]);
        return je(r, "%s: %s", "clone", clone_errno);
    }
    box->holder_pidfd = holder_pidfd;
    box->c1_sock = sv[0];
    box->c1_pidfd = box->shared->c1_pidfd; /* the kernel wrote it before the init ran, if it did */
    if (started == 0)
        return 0;
    sbx_box_standby_stop(box);
    int step = box->shared->fail_step;
    if (step != STEP_NONE && step < (int)(sizeof step_names / sizeof step_names[0]))
        return je(r, "the box's init did not start: %s: %s", step_names[step],
                  box->shared->fail_errno);
    return je(r, "%s: %s", "the box's init did not start", ECHILD);
}

/* Whether the box has an init waiting for "go" (one that died with the thread that started it,
 * or in its setup, is reaped here). */
static bool standby_ready(struct sbx_box *box)
{
    if (box->c1_pidfd < 0)
        return false;
    if (!box->c1_ready && wait_report(box->c1_sock, box->c1_pidfd, SBX_REPORT_READY) < 0) {
        sbx_box_standby_stop(box);
        return false;
    }
    box->c1_ready = true;
    /* An init whose holder is gone is about to die too (PR_SET_PDEATHSIG). */
    struct pollfd p[2] = {{.fd = box->c1_pidfd, .events = POLLIN},
                          {.fd = box->holder_pidfd, .events = POLLIN}};
    if (poll(p, 2, 0) == 0)
        return true;
    sbx_box_standby_stop(box);
    return false;
}

int sbx_init_start(struct sbx_box *box, struct sbx_result *r)
{
    return standby_start(box, sbx_cg_version(box->pool->cgroot) != SBX_CG_NONE, r);
}

int sbx_init_start_ahead(struct sbx_box *box, char *err, size_t err_size)
{
    bool have_cg = sbx_cg_version(box->pool->cgroot) != SBX_CG_NONE;
    /* Without a resettable memory peak (cgroup v2 before Linux 6.12), every run needs a fresh
     * group, which cannot be made with a process inside: then runs start their own init. */
    sbx_box_reap_exiting(box);
    if (standby_ready(box) || (have_cg && !sbx_cg_resets_in_place(box->cg)))
        return 0;
    if (have_cg && sbx_cg_reclaim(box->cg) < 0) {
        snprintf(err, err_size, "cgroup: %s", sbx_cg_error(box->cg));
        return -1;
    }
    struct sbx_result r;
    if (standby_start(box, have_cg, &r) < 0) {
        snprintf(err, err_size, "%s", r.message);
        return -1;
    }
    return 0;
}

/*** sbx_run ***/


/* Removes the folders C1 made as mount points for the caller's binds, deepest first, through the
 * writable clone of the root mount (the root is read-only everywhere else). Best effort: a folder
 * left behind only costs an inode of the root's tmpfs. */
static void remove_mount_points(struct sbx_box *box, const struct sbx_spec *spec)
{
    for (size_t i = spec->n_binds; i-- > 0;) {
        uint32_t made = box->shared->made[i];
        const char *inside = spec->binds[i].inside ? spec->binds[i].inside : spec->binds[i].host;
        char path[PATH_MAX];
        while (*inside == '/')
            inside++;
        if (made == 0 || box->root_rw_fd < 0 || gv_strlcpy(path, inside, sizeof path) >= sizeof path)
            continue;
        for (int d = 31; d >= 0; d--) {
            if (!(made & (1U << d)))
                continue;
            /* Cut path after its (d+1)-th component. */
            char *p = path;
            for (int k = 0; k <= d && p != NULL; k++) {
                p = strchr(p, '/');
                if (p != NULL && k < d)
                    p++;
            }
            if (p != NULL)
                *p = '\0';
            if (unlinkat(box->root_rw_fd, path, AT_REMOVEDIR) < 0 && errno != ENOENT)
                gv_warn("sandbox: box %u: remove mount point /%s: %s", box->id, path,
                        strerror(errno));
        }
    }
}

static void close_all(int *fds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        close(fds[i]);
}

/* Detached copies of the caller's binds (open_tree here, where the host paths resolve), for
 * "go". n, or -1 with r (JE). */
static int open_binds(const struct sbx_spec *spec, int *trees, struct sbx_result *r)
{
    for (size_t i = 0; i < spec->n_binds; i++) {
        trees[i] = open_tree(AT_FDCWD, spec->binds[i].host, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (trees[i] < 0) {
            int saved = errno;
            close_all(trees, i);
            r->status = SBX_JE;
            snprintf(r->message, sizeof r->message, "bind %.150s: %s", spec->binds[i].host,
                     strerror(saved));
            return -1;
        }
    }
    return (int)spec->n_binds;
}

/* What a run needs that does not depend on the box: a filter, a program, few enough binds. */
static const struct sbx_filter *check_spec(struct sbx_pool *pool, const struct sbx_spec *spec,
                                           struct sbx_result *r)
{
    char err[SBX_MESSAGE_MAX];
    r->status = SBX_JE;
    if (spec->argv == NULL || spec->argv[0] == NULL || spec->argv[0][0] == '\0') {
        snprintf(r->message, sizeof r->message, "no program to run");
        return NULL;
    }
    if (spec->n_binds > SBX_MAX_BINDS) {
        snprintf(r->message, sizeof r->message, "more than %d binds", SBX_MAX_BINDS);
        return NULL;
    }
    const struct sbx_filter *filter = sbx_pool_filter(pool, spec->policy, err, sizeof err);
    if (filter == NULL) {
        snprintf(r->message, sizeof r->message, "seccomp: %.200s", err);
        return NULL;
    }
    r->status = SBX_OK;
    return filter;
}

static int prepare_cgroup(struct sbx_box *box, const struct sbx_limits *l, struct sbx_result *r)
{
    if (sbx_cg_set_limits(box->cg, l->memory_kib, l->processes + 1) < 0)
        return je(r, "cgroup: %s: %s", "set limits", errno);
    if (sbx_cg_reset(box->cg) < 0)
        return je(r, "cgroup: %s: %s", "reset counters", errno);
    return 0;
}

/* "go" to the waiting C1, with the program's descriptors and the binds' detached mounts. */
static int send_go(struct sbx_box *box, const struct sbx_spec *spec, const int *trees)
{
    int fds[C1_FDS_MAX];
    size_t n = 0;
    const int std[3] = {spec->stdin_fd, spec->stdout_fd, spec->stderr_fd};
    for (int i = 0; i < 3; i++)
        if (std[i] >= 0)
            fds[n++] = std[i];
    for (size_t i = 0; i < spec->n_binds; i++)
        fds[n++] = trees[i];
    return gv_send_fds(box->c1_sock, "G", 1, fds, n);
}

static void print_timing(const struct sbx_box *box, bool warm, int64_t entry_us, int64_t go_us)
{
    const int64_t *s = box->shared->stamp_us;
    int64_t now = gv_now_us();
    if (!warm)
        fprintf(stderr, "timing us: start->c1 %lld ns %lld root %lld ready %lld (cold)\n",
                (long long)(s[0] - box->c1_started_us), (long long)(s[1] - s[0]),
                (long long)(s[2] - s[1]), (long long)(s[3] - s[2]));
    fprintf(stderr, "timing us: plan %lld go->c1 %lld c2 %lld run %lld reap %lld\n",
            (long long)(go_us - entry_us), (long long)(s[4] - go_us), (long long)(s[5] - s[4]), (long long)(s[6] - s[5]),
            (long long)(now - s[6]));
}

/* sbx_run with the box settled with the standby thread. */
static int run_in_box(struct sbx_box *box, const struct sbx_spec *spec, struct sbx_result *r)
{
    int64_t entry_us = gv_now_us();
    memset(r, 0, sizeof *r);
    struct sbx_limits l;
    resolve_limits(spec, &l);
    bool have_cg = sbx_cg_version(box->pool->cgroot) != SBX_CG_NONE;
    /* A waiting init is already in the cgroup: the reset then works in place (which is when
     * sbx_box_prestart starts one). Otherwise the group is made ready first, then the init. */
    sbx_box_reap_exiting(box);
    bool warm = standby_ready(box);
    if (warm && box->c1_runs > 0) /* a resident init: the last run's report is read */
        memset(box->shared, 0, sizeof *box->shared);
    const struct sbx_filter *filter = check_spec(box->pool, spec, r);
    if (filter == NULL || plan_run(box, spec, &l, have_cg, filter, r) < 0)
        return -1;
    int trees[SBX_MAX_BINDS];
    if (open_binds(spec, trees, r) < 0)
        return -1;
    if ((have_cg && prepare_cgroup(box, &l, r) < 0) ||
        (!warm && sbx_standby_start_for_run(box, r) < 0)) {
        close_all(trees, spec->n_binds);
        return -1;
    }
    struct waiter w = {.pidfd = box->c1_pidfd, .sock = box->c1_sock,
                       .cancel_fd = spec->cancel_fd};
    int64_t start = gv_now_ms(), start_us = gv_now_us();
    bool go_failed = send_go(box, spec, trees) < 0;
    if (go_failed)
        kill_box(&w, SBX_JE); /* C1 died in setup: its report says why */
    close_all(trees, spec->n_binds);
    wait_run(&w, box, &l, start, have_cg);
    struct rusage c1_usage = {0};
    /* C1 reported its namespace empty: in the cgroup there is only C1, which makes the box
     * ready for the next run (resident; its "R" is read before that run) or exits on its own
     * (reaped before the box is used again). Otherwise (killed, or it died) wait for it. */
    bool c1_alone = w.done && (!have_cg || sbx_cg_tasks(box->cg) == 1);
    if (c1_alone && box->c1_resident) {
        box->c1_ready = false; /* until its "R" */
        box->c1_runs++;
    } else if (c1_alone) {
        box->holder_exiting_pidfd = box->holder_pidfd;
        box->holder_pidfd = -1;
        close(box->c1_pidfd);
        close(box->c1_sock);
        box->c1_pidfd = box->c1_sock = -1;
    } else {
        init_forget(box);
        c1_usage = box->shared->init_usage;
    }
    r->wall_ms = (uint32_t)(gv_now_ms() - start);
    if (getenv("SBX_TIMING") != NULL)
        print_timing(box, warm, entry_us, start_us);
    if (warm && (!w.killed || go_failed) && !box->shared->went) {
        /* The init started ahead died before it took "go" (killed from outside): nothing of
         * the run happened, so it runs again with an init of its own. */
        if (have_cg && sbx_cg_kill_all(box->cg) < 0)
            gv_warn("sandbox: box %u: processes left in the cgroup", box->id);
        return run_in_box(box, spec, r);
    }
    int rc = 0;
    if (have_cg && !c1_alone && sbx_cg_kill_all(box->cg) < 0)
        gv_warn("sandbox: box %u: processes left in the cgroup after the run", box->id);
    if (w.cancelled)
        rc = je(r, "%s: %s", "cancelled", ECANCELED);
    else if (w.killed && w.kill_status == SBX_JE && box->shared->fail_step == STEP_NONE)
        rc = je(r, "%s: %s", "the box's init did not start", ECHILD);
    if (rc == 0)
        rc = finish(box, &w, &l, have_cg, &c1_usage, spec->argv[0], r);
    remove_mount_points(box, spec);
    arena_trim(box);
    return rc;
}

int sbx_run(struct sbx_box *box, const struct sbx_spec *spec, struct sbx_result *r)
{
    sbx_standby_settle(box);
    int rc = run_in_box(box, spec, r);
    sbx_standby_run_over(box);
    return rc;
}
