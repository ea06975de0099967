/*
 * test_sbx_cgroup_real.c - sandbox/sbx_cgroup.c against this host's real cgroup hierarchies.
 *
 * Needs root and cgroups (v1 memory/pids/cpuacct, and/or cgroup v2); each test skips with a
 * message saying which is missing. Children run the workloads (touch memory, burn CPU, fork, double
 * fork): the parent forks a child that waits on a pipe, attaches it to a box's group, then lets it
 * go, so everything the child does is counted in the group. Box ids are 1000000 + our pid: beyond
 * the core's range (0..max_box_id-1), unique on the host while we live. Every test checks that the
 * box's folders are gone afterwards in every hierarchy.
 *
 * Variants of the host's layout come from editing /proc/self/cgroup's text given to
 * sbx_cg_detect_with: dropping the "0::" line gives a v1-only box (the SIGKILL loop instead of
 * cgroup.kill), dropping cpuacct gives CPU time from the unified tree's cpu.stat.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gv.h"
#include "sbx_cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MIB         (1024 * 1024)
#define BOX_ID_BASE 1000000u
#define TOUCH_MIB   100
#define BURN_MS     300
#define PIDS_LIMIT  8
#define COST_RUNS   200

enum layout { LAYOUT_HOST, LAYOUT_NO_UNIFIED, LAYOUT_NO_CPUACCT };

struct box {
    struct sbx_cg_root *root;
    struct sbx_cg *cg;
    unsigned id;
};

static char self_text[16384];

/* /proc/self/cgroup without the lines that match `drop` (a substring; NULL keeps all). */
static const char *self_without(const char *drop)
{
    static char out[sizeof self_text];
    out[0] = '\0';
    for (char *line = self_text; *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line + 1) : strlen(line);
        char one[1024];
        snprintf(one, sizeof one, "%.*s", (int)len, line);
        if (!drop || !strstr(one, drop))
            strncat(out, one, sizeof out - strlen(out) - 1);
        line += len;
    }
    return out;
}

static const char *self_for(enum layout layout)
{
    switch (layout) {
    case LAYOUT_NO_UNIFIED:
        return self_without("0::");
    case LAYOUT_NO_CPUACCT:
        return self_without("cpuacct");
    default:
        return self_text;
    }
}

/* The host's version, v1 when nothing is found (the tests that use it then skip). */
static enum sbx_cg_version host_version(void)
{
    char err[512];
    struct sbx_cg_root *r = sbx_cg_detect(NULL, err, sizeof err);
    enum sbx_cg_version v = r ? sbx_cg_version(r) : SBX_CG_NONE;
    sbx_cg_root_free(r);
    return v == SBX_CG_V2 ? SBX_CG_V2 : SBX_CG_V1;
}

/* Skips unless we are root on a host where detection finds cgroups. */
static void box_open(struct box *b, enum layout layout, enum sbx_cg_version want)
{
    if (geteuid() != 0) {
        print_message("skipped: not root, cannot make cgroups\n");
        skip();
    }
    char err[512] = "";
    b->root = sbx_cg_detect_with(NULL, self_for(layout), err, sizeof err);
    assert_non_null(b->root);
    if (sbx_cg_version(b->root) != want) {
        print_message("skipped: this host has %s\n", sbx_cg_describe(b->root));
        sbx_cg_root_free(b->root);
        skip();
    }
    b->id = BOX_ID_BASE + (unsigned)getpid();
    b->cg = sbx_cg_create(b->root, b->id, err, sizeof err);
    if (!b->cg)
        fail_msg("sbx_cg_create: %s", err);
}

/* Folder of the box in one hierarchy ("memory", "unified"...), from our own group. */
static void box_path(const struct box *b, const char *hier, char *out, size_t size)
{
    const char *ctl = strcmp(hier, "unified") == 0 ? "" : hier;
    out[0] = '\0';
    for (char *line = self_text; *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char one[1024], *c1, *c2;
        snprintf(one, sizeof one, "%.*s", (int)len, line);
        line += len + (nl ? 1 : 0);
        if (!(c1 = strchr(one, ':')) || !(c2 = strchr(c1 + 1, ':')))
            continue;
        *c2 = '\0';
        bool match = ctl[0] ? strstr(c1 + 1, ctl) != NULL : c1[1] == '\0';
        if (match) {
            const char *own = strcmp(c2 + 1, "/") == 0 ? "" : c2 + 1;
            snprintf(out, size, "/sys/fs/cgroup/%s%s/gavel-sandbox/box-%u", hier, own, b->id);
            return;
        }
    }
}

static void box_close(struct box *b)
{
    char paths[4][PATH_MAX];
    const char *hiers[4] = {"memory", "pids", "cpuacct", "unified"};
    for (int i = 0; i < 4; i++)
        box_path(b, hiers[i], paths[i], sizeof paths[i]);
    sbx_cg_destroy(b->cg);
    sbx_cg_root_free(b->root);
    for (int i = 0; i < 4; i++)
        if (paths[i][0] && access(paths[i], F_OK) == 0)
            fail_msg("%s is left behind", paths[i]);
}

/*** Children: forked, attached while they wait on a pipe, then let go ***/

struct child {
    pid_t pid;
    int go;     /* write end: one byte lets the child start */
    int report; /* read end: what the child reports (a pid), if anything */
};

static struct child child_start(struct box *b, void (*work)(int report_fd))
{
    int go[2], report[2];
    assert_int_equal(pipe2(go, O_CLOEXEC), 0);
    assert_int_equal(pipe2(report, O_CLOEXEC), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char c;
        close(go[1]);
        close(report[0]);
        if (read(go[0], &c, 1) != 1)
            _exit(100);
        work(report[1]);
        _exit(0);
    }
    close(go[0]);
    close(report[1]);
    if (sbx_cg_attach(b->cg, pid) < 0)
        fail_msg("attach: %s", sbx_cg_error(b->cg));
    assert_int_equal(write(go[1], "g", 1), 1);
    return (struct child){.pid = pid, .go = go[1], .report = report[0]};
}

static int child_wait(struct child *c)
{
    int status;
    assert_int_equal(waitpid(c->pid, &status, 0), c->pid);
    close(c->go);
    close(c->report);
    return status;
}

static struct sbx_cg_stats box_stats(struct box *b)
{
    struct sbx_cg_stats s;
    if (sbx_cg_stats(b->cg, &s) < 0)
        fail_msg("stats: %s", sbx_cg_error(b->cg));
    return s;
}

/* Touching pages one by one, uninstrumented: ASan must not add shadow memory to the count. */
__attribute__((no_sanitize("address"))) static void touch(size_t bytes)
{
    char *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        _exit(101);
    for (size_t i = 0; i < bytes; i += 4096)
        ((volatile char *)m)[i] = 1;
}

static void touch_100(int fd)
{
    (void)fd;
    touch((size_t)TOUCH_MIB * MIB);
}

static void burn(int fd)
{
    (void)fd;
    struct timespec ts;
    do
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    while (ts.tv_sec * 1000 + ts.tv_nsec / 1000000 < BURN_MS);
}

/* Forks until the pids limit says no; each child sleeps. Exit status: how many forks worked. */
static void fork_loop(int fd)
{
    (void)fd;
    int made = 0;
    for (int i = 0; i < 64; i++) {
        pid_t p = fork();
        if (p == 0) {
            pause();
            _exit(0);
        }
        if (p < 0)
            break;
        made++;
    }
    _exit(made);
}

/* Forks a child that starts a session, forks the daemon and exits: the daemon, orphaned and in a
 * session of its own, reports its pid and sleeps. */
static void double_fork(int fd)
{
    pid_t p = fork();
    if (p == 0) {
        setsid();
        if (fork() == 0) {
            pid_t me = getpid();
            if (write(fd, &me, sizeof me) != sizeof me)
                _exit(1);
            for (;;)
                pause();
        }
        _exit(0);
    }
    waitpid(p, NULL, 0);
}

/*** Tests ***/

static void test_v1_oom_kill(void **state)
{
    (void)state;
    struct box b;
    box_open(&b, LAYOUT_HOST, SBX_CG_V1);
    assert_int_equal(sbx_cg_set_limits(b.cg, 32 * 1024, 16), 0);
    assert_int_equal(sbx_cg_reset(b.cg), 0);
    struct child c = child_start(&b, touch_100);
    int status = child_wait(&c);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    struct sbx_cg_stats s = box_stats(&b);
    assert_true(s.oom_kills >= 1);
    assert_true(s.memory_limit_hit);
    assert_true(s.memory_peak_kib >= 31 * 1024 && s.memory_peak_kib <= 32 * 1024);

    /* The next run starts clean: no OOM counted, the peak back near zero. */
    assert_int_equal(sbx_cg_reset(b.cg), 0);
    s = box_stats(&b);
    assert_int_equal(s.oom_kills, 0);
    assert_false(s.memory_limit_hit);
    assert_true(s.memory_peak_kib < 8 * 1024);
    box_close(&b);
}

static void peak_of_100_mib(enum sbx_cg_version version)
{
    struct box b;
    box_open(&b, LAYOUT_HOST, version);
    assert_int_equal(sbx_cg_set_limits(b.cg, 512 * 1024, 16), 0);
    for (int run = 0; run < 2; run++) { /* the second run proves reset */
        assert_int_equal(sbx_cg_reset(b.cg), 0);
        struct child c = child_start(&b, touch_100);
        int status = child_wait(&c);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        struct sbx_cg_stats s = box_stats(&b);
        print_message("run %d: peak %llu KiB\n", run, (unsigned long long)s.memory_peak_kib);
        assert_true(s.memory_peak_kib >= TOUCH_MIB * 1024);
        assert_true(s.memory_peak_kib <= (TOUCH_MIB + 10) * 1024);
        assert_int_equal(s.oom_kills, 0);
    }
    box_close(&b);
}

static void test_v1_peak_memory(void **state)
{
    (void)state;
    peak_of_100_mib(SBX_CG_V1);
}

static void test_v2_peak_memory(void **state)
{
    (void)state;
    peak_of_100_mib(SBX_CG_V2);
}

static void test_pids_limit_stops_fork_loop(void **state)
{
    (void)state;
    struct box b;
    box_open(&b, LAYOUT_HOST, host_version());
    assert_int_equal(sbx_cg_set_limits(b.cg, 0, PIDS_LIMIT), 0);
    assert_int_equal(sbx_cg_reset(b.cg), 0);
    struct child c = child_start(&b, fork_loop);
    int status = child_wait(&c);
    assert_true(WIFEXITED(status));
    /* The forking child is one of the PIDS_LIMIT processes. */
    assert_int_equal(WEXITSTATUS(status), PIDS_LIMIT - 1);
    assert_int_equal(sbx_cg_count(b.cg), PIDS_LIMIT - 1);
    assert_int_equal(sbx_cg_kill_all(b.cg), 0);
    assert_int_equal(sbx_cg_count(b.cg), 0);
    box_close(&b);
}

static void cpu_of_burner(enum layout layout)
{
    struct box b;
    box_open(&b, layout, SBX_CG_V1);
    assert_int_equal(sbx_cg_set_limits(b.cg, 0, 16), 0);
    assert_int_equal(sbx_cg_reset(b.cg), 0);
    struct child c = child_start(&b, burn);
    child_wait(&c);
    struct sbx_cg_stats s = box_stats(&b);
    print_message("cpu %llu us for a %d ms burner (%s)\n", (unsigned long long)s.cpu_us, BURN_MS,
                  sbx_cg_describe(b.root));
    assert_true(s.cpu_us >= BURN_MS * 900 && s.cpu_us <= BURN_MS * 1100);
    assert_int_equal(sbx_cg_reset(b.cg), 0);
    s = box_stats(&b);
    assert_true(s.cpu_us < 1000);
    box_close(&b);
}

static void test_v1_cpuacct_cpu_time(void **state)
{
    (void)state;
    cpu_of_burner(LAYOUT_HOST);
}

static void test_unified_cpu_stat_cpu_time(void **state)
{
    (void)state;
    cpu_of_burner(LAYOUT_NO_CPUACCT);
}

/* The daemon of a double fork must be dead when kill_all returns (by cgroup.kill or the loop). */
static void kill_double_fork(enum layout layout, enum sbx_cg_version version)
{
    struct box b;
    box_open(&b, layout, version);
    assert_int_equal(sbx_cg_set_limits(b.cg, 0, 16), 0);
    struct child c = child_start(&b, double_fork);
    pid_t daemon_pid;
    assert_int_equal(read(c.report, &daemon_pid, sizeof daemon_pid), sizeof daemon_pid);
    child_wait(&c);
    assert_int_equal(sbx_cg_count(b.cg), 1);
    assert_int_equal(kill(daemon_pid, 0), 0);
    int64_t t0 = gv_now_us();
    assert_int_equal(sbx_cg_kill_all(b.cg), 0);
    print_message("kill_all: %lld us\n", (long long)(gv_now_us() - t0));
    assert_int_equal(sbx_cg_count(b.cg), 0);
    /* Gone from the groups means it exited: at most a zombie until init reaps it. */
    char stat_path[64], text[512] = "";
    snprintf(stat_path, sizeof stat_path, "/proc/%d/stat", (int)daemon_pid);
    for (int i = 0; i < 1000; i++) {
        FILE *f = fopen(stat_path, "r");
        if (!f)
            break;
        if (!fgets(text, sizeof text, f))
            text[0] = '\0';
        fclose(f);
        if (strstr(text, ") Z ") || strstr(text, ") X "))
            break;
        usleep(1000);
    }
    if (text[0] && !strstr(text, ") Z ") && !strstr(text, ") X "))
        fail_msg("the daemon %d survived kill_all: %s", (int)daemon_pid, text);
    box_close(&b);
}

static void test_kill_all_cgroup_kill(void **state)
{
    (void)state;
    kill_double_fork(LAYOUT_HOST, host_version());
}

static void test_kill_all_sigkill_loop(void **state)
{
    (void)state;
    kill_double_fork(LAYOUT_NO_UNIFIED, SBX_CG_V1);
}

/* Writes 32 MiB into a file in the current folder (a disk, in the build folder): page cache that
 * stays charged to the group after the writer exits. */
static void write_cache(int fd)
{
    (void)fd;
    static char block[1 << 20];
    memset(block, 'x', sizeof block);
    int out = open("test_sbx_cgroup_cache.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0)
        _exit(102);
    for (int i = 0; i < 32; i++)
        if (write(out, block, sizeof block) != (ssize_t)sizeof block)
            _exit(103);
    close(out);
}

/* Page cache a run leaves behind must not count in the next run's peak: reset reclaims it. */
static void test_reset_reclaims_leftover_cache(void **state)
{
    (void)state;
    struct box b;
    box_open(&b, LAYOUT_HOST, host_version());
    assert_int_equal(sbx_cg_set_limits(b.cg, 512 * 1024, 16), 0);
    assert_int_equal(sbx_cg_reset(b.cg), 0);
    struct child c = child_start(&b, write_cache);
    int status = child_wait(&c);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct sbx_cg_stats s = box_stats(&b);
    uint64_t writer_kib = s.memory_peak_kib;
    int reset_rc = sbx_cg_reset(b.cg);
    s = box_stats(&b);
    unlink("test_sbx_cgroup_cache.tmp"); /* only now: deleting the file frees its cache */
    print_message("peak of the writer %llu KiB, after reset %llu KiB\n",
                  (unsigned long long)writer_kib, (unsigned long long)s.memory_peak_kib);
    assert_true(writer_kib >= 30 * 1024);
    assert_int_equal(reset_rc, 0);
    assert_true(s.memory_peak_kib < 8 * 1024);
    box_close(&b);
}

/* Every process forks for ever: the pids limit holds the bomb, kill_all must still empty the
 * group while its members keep trying to refill it. */
static void bomb(int fd)
{
    (void)fd;
    for (;;)
        fork();
}

static void kill_fork_bomb(enum layout layout, enum sbx_cg_version version)
{
    struct box b;
    box_open(&b, layout, version);
    assert_int_equal(sbx_cg_set_limits(b.cg, 256 * 1024, 32), 0);
    struct child c = child_start(&b, bomb);
    usleep(200000);
    assert_true(sbx_cg_count(b.cg) > 1);
    int64_t t0 = gv_now_us();
    if (sbx_cg_kill_all(b.cg) < 0)
        fail_msg("kill_all: %s", sbx_cg_error(b.cg));
    print_message("kill_all of a fork bomb: %lld us\n", (long long)(gv_now_us() - t0));
    assert_int_equal(sbx_cg_count(b.cg), 0);
    int status = child_wait(&c);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    box_close(&b);
}

static void test_kill_fork_bomb_cgroup_kill(void **state)
{
    (void)state;
    kill_fork_bomb(LAYOUT_HOST, host_version());
}

static void test_kill_fork_bomb_sigkill_loop(void **state)
{
    (void)state;
    kill_fork_bomb(LAYOUT_NO_UNIFIED, SBX_CG_V1);
}

/* clone3(CLONE_INTO_CGROUP) with the box's v2 descriptor: the child starts inside the group. */
static void test_clone_into_cgroup(void **state)
{
    (void)state;
    struct box b;
    box_open(&b, LAYOUT_HOST, host_version());
    if (sbx_cg_clone_fd(b.cg) < 0) {
        box_close(&b);
        print_message("skipped: no cgroup v2 tree beside v1 here\n");
        skip();
    }
    char want[64];
    snprintf(want, sizeof want, "/gavel-sandbox/box-%u\n", b.id);
    struct clone_args args = {
        .flags = CLONE_INTO_CGROUP,
        .exit_signal = SIGCHLD,
        .cgroup = (uint64_t)sbx_cg_clone_fd(b.cg),
    };
    long pid = syscall(SYS_clone3, &args, sizeof args);
    assert_true(pid >= 0);
    if (pid == 0) {
        /* In the child: only system calls, then _exit. */
        char text[4096];
        int fd = open("/proc/self/cgroup", O_RDONLY);
        ssize_t n = fd >= 0 ? read(fd, text, sizeof text - 1) : -1;
        if (n <= 0)
            _exit(2);
        text[n] = '\0';
        char *line = strstr(text, "0::");
        _exit(line && strstr(line, want) ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid((pid_t)pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    box_close(&b);
}

/* A leftover group of the same id (a crashed judge) is taken over: its process is killed. */
static void test_takeover_leftover(void **state)
{
    (void)state;
    struct box b;
    box_open(&b, LAYOUT_HOST, host_version());
    pid_t p = fork();
    assert_true(p >= 0);
    if (p == 0) {
        for (;;)
            pause();
    }
    assert_int_equal(sbx_cg_attach(b.cg, p), 0);
    /* "Crash": forget the group without destroying it, then make the box again. */
    struct sbx_cg *stale = b.cg;
    char err[512] = "";
    b.cg = sbx_cg_create(b.root, b.id, err, sizeof err);
    if (!b.cg)
        fail_msg("create over a leftover: %s", err);
    int status;
    assert_int_equal(waitpid(p, &status, 0), p);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    assert_int_equal(sbx_cg_count(b.cg), 0);
    sbx_cg_destroy(stale); /* the crashed owner's handle: removes the folders */
    box_close(&b);          /* finds them gone, and checks so */
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* What a pooled run costs the cgroup module: reset + attach + stats + kill_all, with a trivial
 * child. Printed for the record; bounded loosely so that a regression by an order of magnitude
 * fails. */
static void test_per_run_cost(void **state)
{
    (void)state;
    struct box b;
    box_open(&b, LAYOUT_HOST, host_version());
    assert_int_equal(sbx_cg_set_limits(b.cg, 256 * 1024, 16), 0);
    static int64_t cost[4][COST_RUNS];
    const char *names[4] = {"reset", "attach", "stats", "kill_all"};
    for (int i = 0; i < COST_RUNS; i++) {
        int go[2];
        assert_int_equal(pipe2(go, O_CLOEXEC), 0);
        int64_t t0 = gv_now_us();
        assert_int_equal(sbx_cg_reset(b.cg), 0);
        int64_t t1 = gv_now_us();
        pid_t p = fork();
        if (p == 0) {
            char c;
            _exit(read(go[0], &c, 1) == 1 ? 0 : 1);
        }
        int64_t t2 = gv_now_us();
        assert_int_equal(sbx_cg_attach(b.cg, p), 0);
        int64_t t3 = gv_now_us();
        assert_int_equal(write(go[1], "g", 1), 1);
        waitpid(p, NULL, 0);
        int64_t t4 = gv_now_us();
        struct sbx_cg_stats s;
        assert_int_equal(sbx_cg_stats(b.cg, &s), 0);
        int64_t t5 = gv_now_us();
        assert_int_equal(sbx_cg_kill_all(b.cg), 0);
        int64_t t6 = gv_now_us();
        close(go[0]);
        close(go[1]);
        cost[0][i] = t1 - t0;
        cost[1][i] = t3 - t2;
        cost[2][i] = t5 - t4;
        cost[3][i] = t6 - t5;
    }
    int64_t total = 0;
    for (int k = 0; k < 4; k++) {
        qsort(cost[k], COST_RUNS, sizeof cost[k][0], cmp_i64);
        print_message("%-8s median %4lld us  p90 %4lld us\n", names[k],
                      (long long)cost[k][COST_RUNS / 2], (long long)cost[k][COST_RUNS * 9 / 10]);
        total += cost[k][COST_RUNS / 2];
    }
    print_message("per run (sum of medians): %lld us [%s]\n", (long long)total,
                  sbx_cg_describe(b.root));
    assert_true(total < 5000);
    box_close(&b);
}

int main(void)
{
    char *text = gv_read_file("/proc/self/cgroup", sizeof self_text - 1, NULL);
    if (text) {
        gv_strlcpy(self_text, text, sizeof self_text);
        free(text);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v1_oom_kill),
        cmocka_unit_test(test_v1_peak_memory),
        cmocka_unit_test(test_v2_peak_memory),
        cmocka_unit_test(test_pids_limit_stops_fork_loop),
        cmocka_unit_test(test_reset_reclaims_leftover_cache),
        cmocka_unit_test(test_v1_cpuacct_cpu_time),
        cmocka_unit_test(test_unified_cpu_stat_cpu_time),
        cmocka_unit_test(test_kill_all_cgroup_kill),
        cmocka_unit_test(test_kill_all_sigkill_loop),
        cmocka_unit_test(test_kill_fork_bomb_cgroup_kill),
        cmocka_unit_test(test_kill_fork_bomb_sigkill_loop),
        cmocka_unit_test(test_clone_into_cgroup),
        cmocka_unit_test(test_takeover_leftover),
        cmocka_unit_test(test_per_run_cost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
