/*
 * test_sbx_cgroup.c - sandbox/sbx_cgroup.c against fake cgroup trees of plain files.
 *
 * Each test builds the folders and files a kernel would show (a pure v2 tree, or v1 hierarchies
 * with a v2 "unified" tree beside them) in a temp folder, hands the module a /proc/self/cgroup
 * text that puts us in a group of that tree, and then checks what the module wrote (limits,
 * cgroup.subtree_control, resets) and how it parses the counters the test writes in the kernel's
 * place. Real kernels are tested in tests/integration/test_sbx_cgroup_real.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sbx_cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define V1_SELF "9:pids:/\n4:memory:/svc/a\n2:cpu,cpuacct:/\n1:name=systemd:/x\n0::/\n"

struct tree {
    char root[PATH_MAX];
};

static void put(const struct tree *t, const char *rel, const char *text)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s", t->root, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void make_dir(const struct tree *t, const char *rel)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s", t->root, rel);
    assert_int_equal(mkdir(path, 0755), 0);
}

/* The file's content, in a static buffer ("<missing>" when it does not exist). */
static const char *get(const struct tree *t, const char *rel)
{
    static char buf[4096];
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s", t->root, rel);
    FILE *f = fopen(path, "r");
    if (!f)
        return "<missing>";
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static bool exists(const struct tree *t, const char *rel)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s", t->root, rel);
    return access(path, F_OK) == 0;
}

static int tree_setup(void **state)
{
    struct tree *t = calloc(1, sizeof *t);
    snprintf(t->root, sizeof t->root, "/tmp/test_sbx_cgroup.XXXXXX");
    if (!mkdtemp(t->root))
        return -1;
    *state = t;
    return 0;
}

static int tree_teardown(void **state)
{
    struct tree *t = *state;
    char cmd[PATH_MAX + 32];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->root);
    int rc = system(cmd);
    free(t);
    return rc == 0 ? 0 : -1;
}

/* A pure v2 tree whose root is our own group. */
static void make_v2(const struct tree *t, const char *controllers)
{
    put(t, "cgroup.controllers", controllers);
    put(t, "cgroup.subtree_control", "");
    put(t, "cgroup.procs", "");
}

/* v1 memory (our group /svc/a), pids, cpuacct, and an empty unified v2 tree. */
static void make_v1(const struct tree *t)
{
    make_dir(t, "memory");
    put(t, "memory/memory.limit_in_bytes", "9223372036854771712\n");
    make_dir(t, "memory/svc");
    make_dir(t, "memory/svc/a");
    put(t, "memory/svc/a/memory.limit_in_bytes", "9223372036854771712\n");
    make_dir(t, "pids");
    put(t, "pids/cgroup.procs", "1\n");
    make_dir(t, "cpuacct");
    put(t, "cpuacct/cpuacct.usage", "123\n");
    make_dir(t, "unified");
    put(t, "unified/cgroup.controllers", "");
}

static struct sbx_cg_root *detect(const struct tree *t, const char *self)
{
    char err[256] = "";
    struct sbx_cg_root *r = sbx_cg_detect_with(t->root, self, err, sizeof err);
    assert_non_null(r);
    return r;
}

static struct sbx_cg *create(struct sbx_cg_root *r, unsigned id)
{
    char err[512] = "";
    struct sbx_cg *cg = sbx_cg_create(r, id, err, sizeof err);
    if (!cg)
        fail_msg("sbx_cg_create: %s", err);
    return cg;
}

/*** v2 ***/

static void test_v2_detect_enables_controllers(void **state)
{
    struct tree *t = *state;
    make_v2(t, "cpuset cpu io memory pids\n");
    struct sbx_cg_root *r = detect(t, "0::/\n");
    assert_int_equal(sbx_cg_version(r), SBX_CG_V2);
    assert_non_null(strstr(sbx_cg_describe(r), "cgroup v2"));
    assert_string_equal(get(t, "cgroup.subtree_control"), "+memory +pids");
    assert_string_equal(get(t, "gavel-sandbox/cgroup.subtree_control"), "+memory +pids");
    sbx_cg_root_free(r);
    assert_false(exists(t, "gavel-sandbox"));
}

static void test_v2_nested_own_group(void **state)
{
    struct tree *t = *state;
    make_v2(t, "memory pids\n");
    make_dir(t, "judge.slice");
    put(t, "judge.slice/cgroup.controllers", "memory pids\n");
    put(t, "judge.slice/cgroup.subtree_control", "memory pids\n");
    struct sbx_cg_root *r = detect(t, "0::/judge.slice\n");
    assert_int_equal(sbx_cg_version(r), SBX_CG_V2);
    /* Already enabled in our own group: left as it was, the root untouched. */
    assert_string_equal(get(t, "judge.slice/cgroup.subtree_control"), "memory pids\n");
    assert_string_equal(get(t, "cgroup.subtree_control"), "");
    struct sbx_cg *cg = create(r, 12);
    assert_true(exists(t, "judge.slice/gavel-sandbox/box-12"));
    sbx_cg_destroy(cg);
    assert_false(exists(t, "judge.slice/gavel-sandbox/box-12"));
    sbx_cg_root_free(r);
}

/* We are in our own group, which v2 forbids for a group that enables controllers: alone there,
 * we move into a leaf beside gavel-sandbox first. */
static void test_v2_moves_self_out_of_own_group(void **state)
{
    struct tree *t = *state;
    make_v2(t, "memory pids\n");
    make_dir(t, "svc");
    put(t, "svc/cgroup.controllers", "memory pids\n");
    put(t, "svc/cgroup.subtree_control", "");
    char me[32];
    snprintf(me, sizeof me, "%d\n", (int)getpid());
    put(t, "svc/cgroup.procs", me);
    struct sbx_cg_root *r = detect(t, "0::/svc\n");
    assert_int_equal(sbx_cg_version(r), SBX_CG_V2);
    me[strlen(me) - 1] = '\0';
    assert_string_equal(get(t, "svc/gavel-self/cgroup.procs"), me);
    assert_string_equal(get(t, "svc/cgroup.subtree_control"), "+memory +pids");
    assert_string_equal(get(t, "svc/gavel-sandbox/cgroup.subtree_control"), "+memory +pids");
    /* A later detection, from the leaf: the same own group, nothing nested deeper. */
    put(t, "svc/cgroup.subtree_control", "memory pids\n");
    struct sbx_cg_root *again = detect(t, "0::/svc/gavel-self\n");
    assert_int_equal(sbx_cg_version(again), SBX_CG_V2);
    struct sbx_cg *cg = create(again, 4);
    assert_true(exists(t, "svc/gavel-sandbox/box-4"));
    assert_false(exists(t, "svc/gavel-self/gavel-sandbox"));
    sbx_cg_destroy(cg);
    sbx_cg_root_free(again);
    sbx_cg_root_free(r);
}

/* Other processes in our group are not ours to move: no cgroups, and the reason says why. */
static void test_v2_shared_own_group_is_none(void **state)
{
    struct tree *t = *state;
    make_v2(t, "memory pids\n");
    make_dir(t, "session");
    put(t, "session/cgroup.controllers", "memory pids\n");
    put(t, "session/cgroup.subtree_control", "");
    char procs[64];
    snprintf(procs, sizeof procs, "%d\n4000001\n", (int)getpid());
    put(t, "session/cgroup.procs", procs);
    struct sbx_cg_root *r = detect(t, "0::/session\n");
    assert_int_equal(sbx_cg_version(r), SBX_CG_NONE);
    assert_non_null(strstr(sbx_cg_describe(r), "process 4000001 shares our group"));
    assert_false(exists(t, "session/gavel-self"));
    assert_string_equal(get(t, "session/cgroup.subtree_control"), "");
    sbx_cg_root_free(r);
}

static void test_v2_without_memory_is_none(void **state)
{
    struct tree *t = *state;
    make_v2(t, "cpu io pids\n");
    struct sbx_cg_root *r = detect(t, "0::/\n");
    assert_int_equal(sbx_cg_version(r), SBX_CG_NONE);
    assert_non_null(strstr(sbx_cg_describe(r), "memory"));
    char err[256] = "";
    assert_null(sbx_cg_create(r, 1, err, sizeof err));
    assert_non_null(strstr(err, "no cgroups"));
    sbx_cg_root_free(r);
}

static void test_v2_limits_reset_stats(void **state)
{
    struct tree *t = *state;
    make_v2(t, "memory pids\n");
    struct sbx_cg_root *r = detect(t, "0::/\n");
    struct sbx_cg *cg = create(r, 7);
    const char *box = "gavel-sandbox/box-7";
    assert_true(exists(t, box));

    assert_int_equal(sbx_cg_set_limits(cg, 65536, 32), 0);
    assert_string_equal(get(t, "gavel-sandbox/box-7/memory.max"), "67108864");
    assert_string_equal(get(t, "gavel-sandbox/box-7/pids.max"), "32");
    assert_int_equal(sbx_cg_set_limits(cg, 0, 0), 0);
    assert_string_equal(get(t, "gavel-sandbox/box-7/memory.max"), "max");
    assert_string_equal(get(t, "gavel-sandbox/box-7/pids.max"), "max");

    /* The counters before the run become the baselines. */
    put(t, "gavel-sandbox/box-7/cpu.stat", "usage_usec 5000\nuser_usec 3000\nsystem_usec 2000\n");
    put(t, "gavel-sandbox/box-7/memory.events",
        "low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\noom_group_kill 0\n");
    assert_int_equal(sbx_cg_reset(cg), 0);
    assert_string_equal(get(t, "gavel-sandbox/box-7/memory.peak"), "reset\n");

    struct sbx_cg_stats s;
    put(t, "gavel-sandbox/box-7/memory.peak", "2097152\n");
    assert_int_equal(sbx_cg_stats(cg, &s), 0);
    assert_int_equal(s.cpu_us, 0);
    assert_int_equal(s.memory_peak_kib, 2048);
    assert_int_equal(s.oom_kills, 0);
    assert_false(s.memory_limit_hit);

    put(t, "gavel-sandbox/box-7/cpu.stat",
        "usage_usec 305000\nuser_usec 303000\nsystem_usec 2000\nnr_periods 0\n");
    put(t, "gavel-sandbox/box-7/memory.events",
        "low 0\nhigh 0\nmax 9\noom 2\noom_kill 2\noom_group_kill 1\n");
    put(t, "gavel-sandbox/box-7/memory.peak", "104857600\n");
    assert_int_equal(sbx_cg_stats(cg, &s), 0);
    assert_int_equal(s.cpu_us, 300000);
    assert_int_equal(s.memory_peak_kib, 102400);
    assert_int_equal(s.oom_kills, 1);
    assert_true(s.memory_limit_hit);

    /* Malformed counters are an error that names the file. */
    put(t, "gavel-sandbox/box-7/cpu.stat", "usage_usec lots\n");
    assert_int_equal(sbx_cg_stats(cg, &s), -1);
    assert_non_null(strstr(sbx_cg_error(cg), "box-7/cpu.stat"));

    sbx_cg_destroy(cg);
    assert_false(exists(t, box));
    sbx_cg_root_free(r);
    assert_false(exists(t, "gavel-sandbox"));
}

static void test_v2_attach_count_clone_fd(void **state)
{
    struct tree *t = *state;
    make_v2(t, "memory pids\n");
    struct sbx_cg_root *r = detect(t, "0::/\n");
    struct sbx_cg *cg = create(r, 3);
    assert_true(sbx_cg_clone_fd(cg) >= 0);
    struct stat st;
    assert_int_equal(fstat(sbx_cg_clone_fd(cg), &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(sbx_cg_attach(cg, 4321), 0);
    assert_string_equal(get(t, "gavel-sandbox/box-3/cgroup.procs"), "4321");
    /* Counting reads the list in chunks: a long one, split anywhere, counts right. (Never real
     * pids of this host: the list is emptied before destroy, which would kill them.) */
    char list[40000] = "";
    size_t len = 0;
    for (int i = 0; i < 3000; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%d\n", 4000000 + i);
    put(t, "gavel-sandbox/box-3/cgroup.procs", list);
    assert_int_equal(sbx_cg_count(cg), 3000);
    put(t, "gavel-sandbox/box-3/cgroup.procs", "");
    assert_int_equal(sbx_cg_count(cg), 0);
    assert_int_equal(sbx_cg_kill_all(cg), 0);
    sbx_cg_destroy(cg);
    sbx_cg_root_free(r);
}

static void test_v2_takes_over_leftover(void **state)
{
    struct tree *t = *state;
    make_v2(t, "memory pids\n");
    make_dir(t, "gavel-sandbox");
    make_dir(t, "gavel-sandbox/box-5");
    put(t, "gavel-sandbox/box-5/pids.max", "3");
    put(t, "gavel-sandbox/box-5/memory.max", "1024");
    put(t, "gavel-sandbox/box-5/cgroup.procs", "");
    struct sbx_cg_root *r = detect(t, "0::/\n");
    struct sbx_cg *cg = create(r, 5);
    /* Stale limits are never trusted: the first set_limits writes even "no limit". */
    assert_int_equal(sbx_cg_set_limits(cg, 0, 0), 0);
    assert_string_equal(get(t, "gavel-sandbox/box-5/pids.max"), "max");
    assert_string_equal(get(t, "gavel-sandbox/box-5/memory.max"), "max");
    sbx_cg_destroy(cg);
    assert_false(exists(t, "gavel-sandbox/box-5"));
    sbx_cg_root_free(r);
}

/*** v1 ***/

static void test_v1_detect(void **state)
{
    struct tree *t = *state;
    make_v1(t);
    struct sbx_cg_root *r = detect(t, V1_SELF);
    assert_int_equal(sbx_cg_version(r), SBX_CG_V1);
    assert_string_equal(sbx_cg_describe(r),
                        "cgroup v1 (memory, pids, cpuacct) + v2 unified (cpu.stat, cgroup.kill)");
    /* Below our own group in each hierarchy, never beside it. */
    assert_true(exists(t, "memory/svc/a/gavel-sandbox"));
    assert_false(exists(t, "memory/gavel-sandbox"));
    assert_true(exists(t, "pids/gavel-sandbox"));
    assert_true(exists(t, "cpuacct/gavel-sandbox"));
    assert_true(exists(t, "unified/gavel-sandbox"));
    sbx_cg_root_free(r);
    assert_false(exists(t, "memory/svc/a/gavel-sandbox"));
    assert_false(exists(t, "unified/gavel-sandbox"));
}

static void test_v1_without_pids_is_none(void **state)
{
    struct tree *t = *state;
    make_v1(t);
    struct sbx_cg_root *r = detect(t, "4:memory:/svc/a\n2:cpuacct:/\n0::/\n");
    assert_int_equal(sbx_cg_version(r), SBX_CG_NONE);
    sbx_cg_root_free(r);
    /* Nothing at all under the root. */
    struct tree empty;
    int n = snprintf(empty.root, sizeof empty.root, "%.*s/cpuacct", PATH_MAX - 16, t->root);
    assert_true(n > 0 && (size_t)n < sizeof empty.root);
    r = detect(&empty, "0::/\n");
    assert_int_equal(sbx_cg_version(r), SBX_CG_NONE);
    sbx_cg_root_free(r);
}

static void test_v1_without_unified(void **state)
{
    struct tree *t = *state;
    make_v1(t);
    struct sbx_cg_root *r = detect(t, "9:pids:/\n4:memory:/svc/a\n2:cpu,cpuacct:/\n");
    assert_int_equal(sbx_cg_version(r), SBX_CG_V1);
    assert_string_equal(sbx_cg_describe(r), "cgroup v1 (memory, pids, cpuacct)");
    struct sbx_cg *cg = create(r, 2);
    assert_int_equal(sbx_cg_clone_fd(cg), -1);
    assert_false(exists(t, "unified/gavel-sandbox"));
    sbx_cg_destroy(cg);
    sbx_cg_root_free(r);
}

#define MB1 "memory/svc/a/gavel-sandbox/box-1/"

static void test_v1_limits_reset_stats(void **state)
{
    struct tree *t = *state;
    make_v1(t);
    struct sbx_cg_root *r = detect(t, V1_SELF);
    struct sbx_cg *cg = create(r, 1);
    /* A group's OOM killer is switched on, whatever a leftover carried. */
    assert_string_equal(get(t, MB1 "memory.oom_control"), "0");
    put(t, MB1 "memory.memsw.limit_in_bytes", "9223372036854771712\n");

    assert_int_equal(sbx_cg_set_limits(cg, 1024, 5), 0);
    assert_string_equal(get(t, MB1 "memory.limit_in_bytes"), "1048576");
    assert_string_equal(get(t, MB1 "memory.memsw.limit_in_bytes"), "1048576");
    assert_string_equal(get(t, "pids/gavel-sandbox/box-1/pids.max"), "5");
    assert_int_equal(sbx_cg_set_limits(cg, 0, 0), 0);
    assert_string_equal(get(t, MB1 "memory.limit_in_bytes"), "-1");
    assert_string_equal(get(t, MB1 "memory.memsw.limit_in_bytes"), "-1");
    assert_string_equal(get(t, "pids/gavel-sandbox/box-1/pids.max"), "max");

    put(t, MB1 "memory.max_usage_in_bytes", "555\n");
    put(t, MB1 "memory.failcnt", "3\n");
    put(t, MB1 "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
    put(t, "cpuacct/gavel-sandbox/box-1/cpuacct.usage", "999\n");
    assert_int_equal(sbx_cg_reset(cg), 0);
    assert_string_equal(get(t, MB1 "memory.max_usage_in_bytes"), "0");
    assert_string_equal(get(t, MB1 "memory.failcnt"), "0");
    assert_string_equal(get(t, "cpuacct/gavel-sandbox/box-1/cpuacct.usage"), "0");

    struct sbx_cg_stats s;
    assert_int_equal(sbx_cg_stats(cg, &s), 0);
    assert_int_equal(s.cpu_us, 0);
    assert_int_equal(s.memory_peak_kib, 0);
    assert_int_equal(s.oom_kills, 0);
    assert_false(s.memory_limit_hit);

    /* At its 110 MiB limit, reclaim but no OOM: the limit was hit. */
    assert_int_equal(sbx_cg_set_limits(cg, 112640, 5), 0);
    put(t, MB1 "memory.max_usage_in_bytes", "115343360\n");
    put(t, MB1 "memory.failcnt", "4\n");
    put(t, "cpuacct/gavel-sandbox/box-1/cpuacct.usage", "300000000\n");
    assert_int_equal(sbx_cg_stats(cg, &s), 0);
    assert_int_equal(s.cpu_us, 300000);
    assert_int_equal(s.memory_peak_kib, 112640);
    assert_int_equal(s.oom_kills, 0);
    assert_true(s.memory_limit_hit);
    /* Then the OOM killer: one kill since the reset's baseline of 2. */
    put(t, MB1 "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
    assert_int_equal(sbx_cg_stats(cg, &s), 0);
    assert_int_equal(s.oom_kills, 1);
    assert_true(s.memory_limit_hit);

    /* An old kernel without the oom_kill line: an error naming the file, not a silent 0. */
    put(t, MB1 "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");
    assert_int_equal(sbx_cg_stats(cg, &s), -1);
    assert_non_null(strstr(sbx_cg_error(cg), "box-1/memory.oom_control"));

    sbx_cg_destroy(cg);
    assert_false(exists(t, "memory/svc/a/gavel-sandbox/box-1"));
    assert_false(exists(t, "pids/gavel-sandbox/box-1"));
    assert_false(exists(t, "cpuacct/gavel-sandbox/box-1"));
    assert_false(exists(t, "unified/gavel-sandbox/box-1"));
    sbx_cg_root_free(r);
}

static void test_v1_cpu_from_unified(void **state)
{
    struct tree *t = *state;
    make_v1(t);
    /* No cpuacct: CPU time comes from the unified tree's cpu.stat, with a baseline. */
    struct sbx_cg_root *r = detect(t, "9:pids:/\n4:memory:/svc/a\n0::/\n");
    assert_int_equal(sbx_cg_version(r), SBX_CG_V1);
    assert_string_equal(sbx_cg_describe(r),
                        "cgroup v1 (memory, pids) + v2 unified (cpu.stat, cgroup.kill)");
    struct sbx_cg *cg = create(r, 4);
    put(t, "memory/svc/a/gavel-sandbox/box-4/memory.oom_control", "oom_kill 0\n");
    put(t, "unified/gavel-sandbox/box-4/cpu.stat", "usage_usec 1000\n");
    assert_int_equal(sbx_cg_reset(cg), 0);
    put(t, "unified/gavel-sandbox/box-4/cpu.stat", "usage_usec 251000\n");
    put(t, "memory/svc/a/gavel-sandbox/box-4/memory.max_usage_in_bytes", "1024\n");
    put(t, "memory/svc/a/gavel-sandbox/box-4/memory.failcnt", "0\n");
    struct sbx_cg_stats s;
    assert_int_equal(sbx_cg_stats(cg, &s), 0);
    assert_int_equal(s.cpu_us, 250000);
    assert_int_equal(s.memory_peak_kib, 1);
    assert_int_equal(sbx_cg_attach(cg, 777), 0);
    assert_string_equal(get(t, "unified/gavel-sandbox/box-4/cgroup.procs"), "777");
    assert_string_equal(get(t, "pids/gavel-sandbox/box-4/cgroup.procs"), "777");
    assert_string_equal(get(t, "memory/svc/a/gavel-sandbox/box-4/cgroup.procs"), "777");
    for (const char *h = "unified\0pids\0memory/svc/a\0"; *h; h += strlen(h) + 1) {
        char rel[128];
        snprintf(rel, sizeof rel, "%s/gavel-sandbox/box-4/cgroup.procs", h);
        put(t, rel, "");
    }
    sbx_cg_destroy(cg);
    sbx_cg_root_free(r);
}

static void test_root_free_keeps_base_in_use(void **state)
{
    struct tree *t = *state;
    make_v1(t);
    struct sbx_cg_root *a = detect(t, V1_SELF);
    struct sbx_cg_root *b = detect(t, V1_SELF);
    struct sbx_cg *cg = create(b, 8);
    sbx_cg_root_free(a); /* another process's box is still there */
    assert_true(exists(t, "pids/gavel-sandbox/box-8"));
    sbx_cg_destroy(cg);
    sbx_cg_root_free(b);
    assert_false(exists(t, "pids/gavel-sandbox"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_v2_detect_enables_controllers, tree_setup,
                                        tree_teardown),
        cmocka_unit_test_setup_teardown(test_v2_nested_own_group, tree_setup, tree_teardown),
        cmocka_unit_test_setup_teardown(test_v2_moves_self_out_of_own_group, tree_setup,
                                        tree_teardown),
        cmocka_unit_test_setup_teardown(test_v2_shared_own_group_is_none, tree_setup,
                                        tree_teardown),
        cmocka_unit_test_setup_teardown(test_v2_without_memory_is_none, tree_setup, tree_teardown),
        cmocka_unit_test_setup_teardown(test_v2_limits_reset_stats, tree_setup, tree_teardown),
        cmocka_unit_test_setup_teardown(test_v2_attach_count_clone_fd, tree_setup, tree_teardown),
        cmocka_unit_test_setup_teardown(test_v2_takes_over_leftover, tree_setup, tree_teardown),
        cmocka_unit_test_setup_teardown(test_v1_detect, tree_setup, tree_teardown),
        cmocka_unit_test_setup_teardown(test_v1_without_pids_is_none, tree_setup, tree_teardown),
        cmocka_unit_test_setup_teardown(test_v1_without_unified, tree_setup, tree_teardown),
        cmocka_unit_test_setup_teardown(test_v1_limits_reset_stats, tree_setup, tree_teardown),
        cmocka_unit_test_setup_teardown(test_v1_cpu_from_unified, tree_setup, tree_teardown),
        cmocka_unit_test_setup_teardown(test_root_free_keeps_base_in_use, tree_setup,
                                        tree_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
