/*
 * test_sandbox_run.c - the sandbox library end to end: statuses, limits, reuse, concurrency,
 * cleanup of every process, and the host-side file glue against planted links.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sbx_test_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

static const struct sbx_limits no_limits;

static void test_exit_codes(void **state)
{
    (void)state;
    T_NEED_ROOT();
    struct sbx_result r;
    assert_int_equal(t_run(&r, SBX_POLICY_STRICT, no_limits, T_ARGS("exit", "0")), 0);
    assert_int_equal(r.status, SBX_OK);
    assert_int_equal(t_run(&r, SBX_POLICY_STRICT, no_limits, T_ARGS("exit", "3")), 0);
    assert_int_equal(r.status, SBX_RTE);
    assert_int_equal(r.exit_code, 3);
}

static void test_signal(void **state)
{
    (void)state;
    T_NEED_ROOT();
    struct sbx_result r;
    assert_int_equal(t_run(&r, SBX_POLICY_STRICT, no_limits, T_ARGS("abort")), 0);
    assert_int_equal(r.status, SBX_RTE);
    assert_int_equal(r.signal, SIGABRT);
}

static void test_exec_failure(void **state)
{
    (void)state;
    T_NEED_ROOT();
    struct sbx_box *box = t_box();
    assert_non_null(box);
    struct sbx_spec spec;
    sbx_spec_init(&spec);
    const char *argv[] = {"/box/no-such-program", NULL};
    spec.argv = argv;
    struct sbx_result r;
    assert_int_equal(sbx_run(box, &spec, &r), 0);
    assert_int_equal(r.status, SBX_RTE);
    assert_int_equal(r.exit_code, 127);
    assert_non_null(strstr(r.message, "No such file"));
    sbx_box_release(box);
}

static void test_setup_failure_is_je(void **state)
{
    (void)state;
    T_NEED_ROOT();
    struct sbx_box *box = t_box();
    assert_non_null(box);
    struct sbx_spec spec;
    sbx_spec_init(&spec);
    spec.cwd = "/no/such/folder";
    struct sbx_result r;
    assert_int_equal(t_run_in(box, &spec, &r, T_ARGS("exit", "0")), -1);
    assert_int_equal(r.status, SBX_JE);
    assert_non_null(strstr(r.message, "working folder"));
    struct sbx_bind bind = {.host = "/no/such/host/folder", .inside = "/data"};
    sbx_spec_init(&spec);
    spec.binds = &bind;
    spec.n_binds = 1;
    assert_int_equal(t_run_in(box, &spec, &r, T_ARGS("exit", "0")), -1);
    assert_int_equal(r.status, SBX_JE);
    /* The box still works afterwards. */
    sbx_spec_init(&spec);
    assert_int_equal(t_run_in(box, &spec, &r, T_ARGS("exit", "0")), 0);
    assert_int_equal(r.status, SBX_OK);
    sbx_box_release(box);
}

static void test_tle_cpu(void **state)
{
    (void)state;
    T_NEED_ROOT();
    struct sbx_result r;
    struct sbx_limits l = {.cpu_ms = 300};
    assert_int_equal(t_run(&r, SBX_POLICY_STRICT, l, T_ARGS("burn", "0", "1")), 0);
    assert_int_equal(r.status, SBX_TLE);
    assert_in_range(r.cpu_ms, 300, 500);
}

static void test_tle_wall(void **state)
{
    (void)state;
    T_NEED_ROOT();
    struct sbx_result r;
    struct sbx_limits l = {.cpu_ms = 1000, .wall_ms = 400};
    int64_t t0 = gv_now_ms();
    assert_int_equal(t_run(&r, SBX_POLICY_STRICT, l, T_ARGS("sleep")), 0);
    assert_int_equal(r.status, SBX_TLE);
    assert_in_range(r.wall_ms, 400, 2500);
    assert_true(gv_now_ms() - t0 < 3000);
    assert_non_null(strstr(r.message, "wall"));
}

static void test_mle(void **state)
{
    (void)state;
    T_NEED_ROOT();
    struct sbx_result r;
    struct sbx_limits l = {.memory_kib = 64 * 1024};
    assert_int_equal(t_run(&r, SBX_POLICY_STRICT, l, T_ARGS("touch", "256")), 0);
    assert_int_equal(r.status, SBX_MLE);
}

static void test_ole(void **state)
{
    (void)state;
    T_NEED_ROOT();
    char path[] = "/tmp/gavel-sbx-out-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    struct sbx_box *box = t_box();
    assert_non_null(box);
    struct sbx_spec spec;
    sbx_spec_init(&spec);
    spec.stdout_fd = fd;
    spec.limits.output_kib = 100;
    struct sbx_result r;
    assert_int_equal(t_run_in(box, &spec, &r, T_ARGS("write", "1000")), 0);
    assert_int_equal(r.status, SBX_OLE);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    assert_true(st.st_size <= 100 * 1024);
    close(fd);
    sbx_box_release(box);
}

static void test_processes(void **state)
{
    (void)state;
    T_NEED_ROOT();
    struct sbx_result r;
    struct sbx_limits l = {.processes = 4};
    assert_int_equal(t_run(&r, SBX_POLICY_RUNTIME, l, T_ARGS("fork", "20")), 0);
    /* exit status = forks that worked: at most processes - 1 (the program is one). */
    assert_int_equal(r.status, SBX_RTE);
    assert_in_range(r.exit_code, 1, 3);
}

static void test_forbidden_syscall(void **state)
{
    (void)state;
    T_NEED_ROOT();
    struct sbx_result r;
    assert_int_equal(t_run(&r, SBX_POLICY_STRICT, no_limits, T_ARGS("ptrace")), 0);
    assert_int_equal(r.status, SBX_RTE);
    assert_string_equal(r.syscall, "ptrace");
}

static void test_fds_and_env(void **state)
{
    (void)state;
    T_NEED_ROOT();
    struct sbx_result r;
    /* A descriptor of ours that must not leak in. */
    int leak = open("/etc/hostname", O_RDONLY);
    assert_int_equal(t_run(&r, SBX_POLICY_STRICT, no_limits, T_ARGS("fds")), 0);
    assert_int_equal(r.exit_code, 3);
    close(leak);

    char path[] = "/tmp/gavel-sbx-env-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    struct sbx_box *box = t_box();
    struct sbx_spec spec;
    sbx_spec_init(&spec);
    const char *env[] = {"A=1", "B=two", NULL};
    spec.envp = env;
    spec.stdout_fd = fd;
    assert_int_equal(t_run_in(box, &spec, &r, T_ARGS("env")), 0);
    assert_int_equal(r.status, SBX_OK);
    char buf[256] = {0};
    assert_int_equal(pread(fd, buf, sizeof buf - 1, 0), 10);
    assert_string_equal(buf, "A=1\nB=two\n");
    close(fd);
    sbx_box_release(box);
}

/* Count of processes on the host running as uid. */
static int processes_of_uid(unsigned uid)
{
    DIR *d = opendir("/proc");
    int n = 0;
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        char p[300];
        struct stat st;
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(p, sizeof p, "/proc/%s", e->d_name);
        if (stat(p, &st) == 0 && st.st_uid == uid)
            n++;
    }
    if (d != NULL)
        closedir(d);
    return n;
}

/* A caller with many descriptors open (a server, a judge): the program still gets only 0/1/2,
 * and the seccomp listener still fits under the program's RLIMIT_NOFILE (default 64), which it
 * did not while the program's copy of the table kept the caller's descriptors until execve. */
#define MANY_FDS 200

static void test_many_caller_fds(void **state)
{
    (void)state;
    T_NEED_ROOT();
    int fds[MANY_FDS];
    for (int i = 0; i < MANY_FDS; i++) {
        fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
        assert_true(fds[i] >= 0);
    }
    struct sbx_result r;
    assert_int_equal(t_run(&r, SBX_POLICY_STRICT, no_limits, T_ARGS("exit", "0")), 0);
    assert_int_equal(r.status, SBX_OK);
    assert_int_equal(t_run(&r, SBX_POLICY_RUNTIME, no_limits, T_ARGS("fds")), 0);
    assert_int_equal(r.exit_code, 3);
    for (int i = 0; i < MANY_FDS; i++)
        close(fds[i]);
}

/* A caller that blocks and ignores signals (as servers do): the program starts with neither. */
static void test_signals_reset(void **state)
{
    (void)state;
    T_NEED_ROOT();
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    assert_int_equal(pthread_sigmask(SIG_BLOCK, &block, &old), 0);
    struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe;
    assert_int_equal(sigaction(SIGPIPE, &ign, &old_pipe), 0);
    struct sbx_result r;
    int rc = t_run(&r, SBX_POLICY_RUNTIME, no_limits, T_ARGS("signals"));
    sigaction(SIGPIPE, &old_pipe, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    assert_int_equal(rc, 0);
    assert_int_equal(r.status, SBX_OK);
}

/* Closes the write end of a pipe after a while: the run's cancel_fd hangs up. */
static void *hang_up_later(void *arg)
{
    usleep(300 * 1000);
    close(*(int *)arg);
    return NULL;
}

static void test_cancel_fd(void **state)
{
    (void)state;
    T_NEED_ROOT();
    int p[2];
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    struct sbx_box *box = t_box();
    struct sbx_spec spec;
    sbx_spec_init(&spec);
    spec.cancel_fd = p[0];
    spec.limits.wall_ms = 20000;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, hang_up_later, &p[1]), 0);
    struct sbx_result r;
    int64_t start = gv_now_ms();
    assert_int_equal(t_run_in(box, &spec, &r, T_ARGS("sleep")), -1);
    int64_t took = gv_now_ms() - start;
    pthread_join(t, NULL);
    close(p[0]);
    assert_int_equal(r.status, SBX_JE);
    assert_non_null(strstr(r.message, "cancel"));
    assert_in_range(took, 250, 5000);
    assert_int_equal(processes_of_uid(60000 + sbx_box_id(box)), 0);
    sbx_box_release(box);
}

static void test_daemon_dies(void **state)
{
    (void)state;
    T_NEED_ROOT();
    struct sbx_box *box = t_box();
    struct sbx_spec spec;
    sbx_spec_init(&spec);
    spec.policy = SBX_POLICY_RUNTIME;
    struct sbx_result r;
    assert_int_equal(t_run_in(box, &spec, &r, T_ARGS("daemon")), 0);
    assert_int_equal(r.status, SBX_OK);
    /* The box's uid: first_uid (60000) + id. */
    assert_int_equal(processes_of_uid(60000 + sbx_box_id(box)), 0);
    sbx_box_release(box);
}

/* Orphans are reaped by the box's init while the program runs (it waits on the seccomp
 * listener and SIGCHLD at once): 200 of them under a limit of 4 processes. */
static void test_orphans_reaped(void **state)
{
    (void)state;
    T_NEED_ROOT();
    struct sbx_limits lim = no_limits;
    lim.processes = 4;
    lim.wall_ms = 20000;
    struct sbx_result r;
    assert_int_equal(t_run(&r, SBX_POLICY_RUNTIME, lim, T_ARGS("orphans", "200")), 0);
    assert_int_equal(r.status, SBX_OK);
}

/* Whether pid is a zombie (an earlier run's init that has not been reaped yet). */
static bool is_zombie(int pid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    size_t n = f != NULL ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f != NULL)
        fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    return p == NULL || p[1] == '\0' || p[2] == 'Z';
}

#define T_CHILDREN_MAX 64

/* This process's live children (every thread's, from /proc/self/task/<tid>/children) into
 * pids; returns how many. */
static int live_children(pid_t *pids, int max)
{
    int n = 0;
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        char path[300];
        snprintf(path, sizeof path, "/proc/self/task/%s/children", e->d_name);
        FILE *f = e->d_name[0] == '.' ? NULL : fopen(path, "r");
        int pid;
        while (f != NULL && fscanf(f, "%d", &pid) == 1)
            if (!is_zombie(pid) && n < max)
                pids[n++] = pid;
        if (f != NULL)
            fclose(f);
    }
    if (d != NULL)
        closedir(d);
    return n;
}

/* A live child that is not among the n in before (an earlier run's init may still be exiting,
 * until the standby thread reaps it); 0 when there is not exactly one. */
static pid_t new_child(const pid_t *before, int n)
{
    pid_t now[T_CHILDREN_MAX], found = 0;
    int count = 0, k = live_children(now, T_CHILDREN_MAX);
    for (int i = 0; i < k; i++) {
        bool old = false;
        for (int j = 0; j < n && !old; j++)
            old = now[i] == before[j];
        if (!old) {
            found = now[i];
            count++;
        }
    }
    return count == 1 ? found : 0;
}

/* The child of pid (the box's init, whose parent is its holder), or 0 while it has none. */
static pid_t child_of(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    FILE *f = fopen(path, "r");
    int child = 0;
    if (f != NULL) {
        if (fscanf(f, "%d", &child) != 1)
            child = 0;
        fclose(f);
    }
    return child;
}

/* A waiting init that was killed is noticed, and the run starts its own. */
static void test_standby_killed(void **state)
{
    (void)state;
    T_NEED_ROOT();
    struct sbx_box *box = t_box();
    assert_non_null(box);
    char err[256];
    /* The box's init stays after a run: a run killed for its wall time takes it, so that
     * sbx_box_prestart below starts a new one. */
    struct sbx_spec spec;
    sbx_spec_init(&spec);
    spec.limits.wall_ms = 50;
    struct sbx_result r;
    assert_int_equal(t_run_in(box, &spec, &r, T_ARGS("sleep")), 0);
    assert_int_equal(r.status, SBX_TLE);
    pid_t before[T_CHILDREN_MAX];
    int n_before = live_children(before, T_CHILDREN_MAX);
    assert_int_equal(sbx_box_prestart(box, err, sizeof err), 0);
    pid_t holder = 0, init = 0;
    for (int i = 0; i < 200 && init == 0; i++) { /* the standby thread starts it: 2 s at most */
        holder = new_child(before, n_before);
        init = holder > 0 ? child_of(holder) : 0;
        if (init == 0)
            usleep(10 * 1000);
    }
    assert_true(init > 0);
    assert_int_equal(kill(init, SIGKILL), 0);
    sbx_spec_init(&spec);
    assert_int_equal(t_run_in(box, &spec, &r, T_ARGS("exit", "4")), 0);
    assert_int_equal(r.status, SBX_RTE);
    assert_int_equal(r.exit_code, 4);
    sbx_box_release(box);
}

/* An init started ahead lives on when the thread that asked for it ends. */
static void *prestart_and_exit(void *arg)
{
    char err[256];
    int rc = sbx_box_prestart(arg, err, sizeof err);
    if (rc < 0)
        fprintf(stderr, "sbx_box_prestart: %s\n", err);
    return (void *)(intptr_t)rc;
}

static void test_standby_thread_gone(void **state)
{
    (void)state;
    T_NEED_ROOT();
    struct sbx_box *box = t_box();
    assert_non_null(box);
    pthread_t t;
    void *rc;
    assert_int_equal(pthread_create(&t, NULL, prestart_and_exit, box), 0);
    assert_int_equal(pthread_join(t, &rc), 0);
    assert_int_equal((intptr_t)rc, 0);
    struct sbx_spec spec;
    sbx_spec_init(&spec);
    struct sbx_result r;
    assert_int_equal(t_run_in(box, &spec, &r, T_ARGS("exit", "0")), 0);
    assert_int_equal(r.status, SBX_OK);
    sbx_box_release(box);
}

/* The program's umask is the calling thread's at sbx_run, even with an init started earlier
 * under another umask; spec.umask overrides it. */
static void test_umask(void **state)
{
    (void)state;
    T_NEED_ROOT();
    struct sbx_box *box = t_box();
    assert_non_null(box);
    char err[256];
    mode_t old = umask(022);
    assert_int_equal(sbx_box_prestart(box, err, sizeof err), 0);
    umask(077);
    struct sbx_spec spec;
    sbx_spec_init(&spec);
    struct sbx_result r;
    assert_int_equal(t_run_in(box, &spec, &r, T_ARGS("umask")), 0);
    assert_int_equal(r.exit_code, 077);
    spec.umask = 05;
    assert_int_equal(sbx_box_prestart(box, err, sizeof err), 0);
    assert_int_equal(t_run_in(box, &spec, &r, T_ARGS("umask")), 0);
    assert_int_equal(r.exit_code, 05);
    umask(old);
    sbx_box_release(box);
}

static void test_reuse_is_clean(void **state)
{
    (void)state;
    T_NEED_ROOT();
    struct sbx_box *box = t_box();
    struct sbx_spec spec;
    sbx_spec_init(&spec);
    spec.work_writable = true;
    struct sbx_result r;
    assert_int_equal(t_run_in(box, &spec, &r, T_ARGS("files")), 0);
    assert_int_equal(r.status, SBX_OK);
    size_t len;
    char *out = sbx_box_get(box, "out.txt", 100, &len);
    assert_non_null(out);
    assert_string_equal(out, "hello");
    free(out);
    assert_int_equal(sbx_box_clean(box), 0);
    /* After clean the program is gone too: put it back, then check only it is there. */
    assert_int_equal(sbx_box_put(box, "prog", t_prog, t_prog_len, 0755), 0);
    spec.cwd = "/tmp";
    assert_int_equal(t_run_in(box, &spec, &r, T_ARGS("clean")), 0);
    assert_int_equal(r.status, SBX_OK);
    sbx_box_release(box);
}

/* A box's init stays for the box's next runs: none of them may find anything of the one
 * before (sbx_testprog's "leftovers": pid 2, an empty /tmp, no SysV segment, no bind). */
static void test_resident_init_clean(void **state)
{
    (void)state;
    T_NEED_ROOT();
    struct sbx_box *box = t_box();
    assert_non_null(box);
    char dir[] = "/tmp/gavel-sbx-res-XXXXXX", marker[64];
    assert_non_null(mkdtemp(dir));
    assert_int_equal(chmod(dir, 0755), 0);
    snprintf(marker, sizeof marker, "%s/gavel-marker", dir);
    FILE *f = fopen(marker, "w");
    assert_non_null(f);
    fclose(f);
    struct sbx_bind bind = {.host = dir, .inside = "/usr/local"};
    for (int i = 0; i < 3; i++) {
        struct sbx_spec spec;
        sbx_spec_init(&spec);
        spec.policy = SBX_POLICY_RUNTIME;
        spec.binds = &bind;
        spec.n_binds = i == 0 ? 1 : 0;
        struct sbx_result r;
        assert_int_equal(t_run_in(box, &spec, &r, T_ARGS("leftovers", i == 0 ? "first" : "later")),
                         0);
        assert_int_equal(r.status, SBX_OK);
    }
    sbx_box_release(box);
    unlink(marker);
    rmdir(dir);
}

static void test_links_planted(void **state)
{
    (void)state;
    T_NEED_ROOT();
    struct sbx_box *box = t_box();
    struct sbx_spec spec;
    sbx_spec_init(&spec);
    spec.work_writable = true;
    spec.policy = SBX_POLICY_COMPILER; /* strict forbids symlink */
    struct sbx_result r;
    assert_int_equal(t_run_in(box, &spec, &r, T_ARGS("plant")), 0);
    assert_int_equal(r.status, SBX_OK);
    size_t len;
    errno = 0;
    assert_null(sbx_box_get(box, "link", 1 << 20, &len));
    assert_int_equal(errno, ELOOP);
    assert_null(sbx_box_get(box, "fifo", 1 << 20, &len));
    assert_int_equal(errno, EINVAL);
    assert_null(sbx_box_get(box, "../prog", 1 << 20, &len));
    assert_int_equal(errno, EINVAL);
    assert_null(sbx_box_get(box, "file", 2, &len));
    assert_int_equal(errno, EFBIG);
    /* Export copies only "file" and "prog"; never the link's target, the fifo or dir. */
    char out[] = "/tmp/gavel-sbx-export-XXXXXX";
    assert_non_null(mkdtemp(out));
    assert_int_equal(sbx_box_export(box, out, 64 << 20), 0);
    char p[128];
    struct stat st;
    snprintf(p, sizeof p, "%s/link", out);
    assert_int_equal(lstat(p, &st), -1);
    snprintf(p, sizeof p, "%s/fifo", out);
    assert_int_equal(lstat(p, &st), -1);
    snprintf(p, sizeof p, "%s/file", out);
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISREG(st.st_mode) && st.st_size == 4);
    unlink(p);
    snprintf(p, sizeof p, "%s/prog", out);
    unlink(p);
    assert_int_equal(rmdir(out), 0);
    /* Put over the link replaces the link, not /etc/passwd. */
    struct stat before, after;
    assert_int_equal(stat("/etc/passwd", &before), 0);
    assert_int_equal(sbx_box_put(box, "link", "x", 1, 0644), 0);
    assert_int_equal(stat("/etc/passwd", &after), 0);
    assert_int_equal(before.st_size, after.st_size);
    assert_true(before.st_mtim.tv_sec == after.st_mtim.tv_sec);
    /* Clean removes it all (the dir too), following nothing. */
    assert_int_equal(sbx_box_clean(box), 0);
    assert_null(sbx_box_get(box, "file", 10, &len));
    assert_int_equal(errno, ENOENT);
    assert_int_equal(stat("/etc/passwd", &after), 0);
    sbx_box_release(box);
}

struct thread_job {
    int ok;
};

static void *thread_runs(void *arg)
{
    struct thread_job *job = arg;
    for (int i = 0; i < 10; i++) {
        struct sbx_result r;
        struct sbx_box *box = NULL;
        while ((box = t_box()) == NULL)
            usleep(1000);
        struct sbx_spec spec;
        sbx_spec_init(&spec);
        const char *argv[] = {"/box/prog", "exit", i % 2 ? "0" : "5", NULL};
        spec.argv = argv;
        if (sbx_run(box, &spec, &r) == 0 && r.exit_code == (i % 2 ? 0 : 5)) {
            job->ok++;
        } else {
            char json[1024];
            sbx_result_to_json(&r, json, sizeof json);
            fprintf(stderr, "  concurrent run %d failed: %s\n", i, json);
        }
        sbx_box_release(box);
    }
    return NULL;
}

static void test_concurrent_boxes(void **state)
{
    (void)state;
    T_NEED_ROOT();
    pthread_t t[2];
    struct thread_job jobs[2] = {{0}, {0}};
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, thread_runs, &jobs[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(jobs[0].ok + jobs[1].ok, 20);
}

static void test_box_ids_host_wide(void **state)
{
    (void)state;
    T_NEED_ROOT();
    /* A second pool with another base folder gets other box ids than ours. */
    char base[] = "/tmp/gavel-sbx-test2-XXXXXX";
    assert_non_null(mkdtemp(base));
    char err[256];
    struct sbx_config cfg = {.base_dir = base, .n_boxes = 2};
    struct sbx_pool *other = sbx_pool_new(&cfg, err, sizeof err);
    assert_non_null(other);
    struct sbx_box *a = sbx_box_acquire(t_pool), *b = sbx_box_acquire(t_pool);
    struct sbx_box *c = sbx_box_acquire(other), *d = sbx_box_acquire(other);
    assert_non_null(a);
    assert_non_null(d);
    assert_null(sbx_box_acquire(other));
    unsigned ours[] = {sbx_box_id(a), sbx_box_id(b)}, theirs[] = {sbx_box_id(c), sbx_box_id(d)};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            assert_int_not_equal(ours[i], theirs[j]);
    sbx_box_release(a);
    sbx_box_release(b);
    sbx_box_release(c);
    sbx_box_release(d);
    sbx_pool_free(other);
    rmdir(base);
}

static int group_setup(void **state)
{
    (void)state;
    return t_setup(2);
}

static int group_teardown(void **state)
{
    (void)state;
    t_teardown();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_codes),        cmocka_unit_test(test_signal),
        cmocka_unit_test(test_exec_failure),      cmocka_unit_test(test_setup_failure_is_je),
        cmocka_unit_test(test_tle_cpu),
        cmocka_unit_test(test_tle_wall),          cmocka_unit_test(test_mle),
        cmocka_unit_test(test_ole),               cmocka_unit_test(test_processes),
        cmocka_unit_test(test_forbidden_syscall), cmocka_unit_test(test_fds_and_env),
        cmocka_unit_test(test_daemon_dies),       cmocka_unit_test(test_reuse_is_clean),
        cmocka_unit_test(test_resident_init_clean),
        cmocka_unit_test(test_links_planted),     cmocka_unit_test(test_concurrent_boxes),
        cmocka_unit_test(test_box_ids_host_wide), cmocka_unit_test(test_many_caller_fds),
        cmocka_unit_test(test_cancel_fd),         cmocka_unit_test(test_signals_reset),
        cmocka_unit_test(test_orphans_reaped),    cmocka_unit_test(test_standby_killed),
        cmocka_unit_test(test_standby_thread_gone), cmocka_unit_test(test_umask),
    };
    /* Every case twice: each run starting its own init, then with it started ahead. */
    int failed = cmocka_run_group_tests_name("cold", tests, group_setup, group_teardown);
    t_warm = true;
    failed += cmocka_run_group_tests_name("warm", tests, group_setup, group_teardown);
    return failed;
}
