/*
 * test_sandbox_keep.c - what gavel-sandbox keeps across commands for speed, and that keeping it
 * never costs correctness: a second command reuses the kept namespaces and the cached seccomp
 * program; a corrupted or truncated cache file is detected and rebuilt (and still forbids); a
 * removed network namespace or a tampered stamp is rebuilt; a crashed command's files are gone
 * before the next run; four concurrent commands get four distinct boxes; --dir mount points do
 * not pile up in a kept root; --cleanup leaves no mount behind (checked in /proc/self/mountinfo).
 * Runs the real CLI with SBX_TIMING=1, whose stderr says what was reused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gv.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define OUT_MAX       65536
#define KEEP_DIR      "/run/gavel/sandbox/ns"
#define CONCURRENT    4
#define SAME_ID_TRIES 5

static char cli[512], progdir[512];

struct run {
    int exit_status;
    cJSON *json;
    char err[8192]; /* stderr (SBX_TIMING=1 lines) */
    int box;        /* the box id stderr names, -1 if none */
};

static void read_all(int fd, char *buf, size_t size)
{
    size_t n = 0;
    ssize_t k;
    while (n + 1 < size && (k = read(fd, buf + n, size - 1 - n)) > 0)
        n += (size_t)k;
    buf[n] = '\0';
    char sink[512];
    while (read(fd, sink, sizeof sink) > 0)
        ;
}

/* Starts gavel-sandbox with args; its stdout and stderr come back on *out_fd / *err_fd. */
static pid_t start_cli(const char *const *args, int *out_fd, int *err_fd)
{
    const char *argv[64] = {cli};
    int n = 1;
    for (; args[n - 1] != NULL && n < 63; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    int o[2], e[2];
    assert_int_equal(pipe(o), 0);
    assert_int_equal(pipe(e), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(o[1], 1);
        dup2(e[1], 2);
        close(o[0]);
        close(e[0]);
        setenv("SBX_TIMING", "1", 1);
        execv(cli, (char *const *)argv);
        _exit(99);
    }
    close(o[1]);
    close(e[1]);
    *out_fd = o[0];
    *err_fd = e[0];
    return pid;
}

static void finish_cli(struct run *r, pid_t pid, int out_fd, int err_fd)
{
    static char out[OUT_MAX];
    read_all(out_fd, out, sizeof out);
    read_all(err_fd, r->err, sizeof r->err);
    close(out_fd);
    close(err_fd);
    int st;
    waitpid(pid, &st, 0);
    r->exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    r->json = cJSON_Parse(out);
    r->box = -1;
    const char *b = strstr(r->err, "box ");
    if (b != NULL) r->box = atoi(b + 4);
    fprintf(stderr, "  -> exit %d, box %d, %s  stderr: %s", r->exit_status, r->box, out, r->err);
}

static void run_cli(struct run *r, const char *const *args)
{
    int o, e;
    pid_t pid = start_cli(args, &o, &e);
    finish_cli(r, pid, o, e);
}

static const char *str(struct run *r, const char *key)
{
    cJSON *v = cJSON_GetObjectItem(r->json, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NEED_ROOT()                                                                                \
    do {                                                                                           \
        if (geteuid() != 0) skip();                                                                \
    } while (0)

static char dir_arg[600];
#define TESTPROG(...) ARGS("--dir", dir_arg, "--", "/t/sbx_testprog", __VA_ARGS__)

static void ok_run(struct run *r, const char *const *args)
{
    run_cli(r, args);
    assert_int_equal(r->exit_status, 0);
    assert_non_null(r->json);
    assert_string_equal(str(r, "status"), "OK");
    assert_true(r->box >= 0);
}

/* The cache file named on the "seccomp strict: cache <how> <path>" line. */
static void cache_path(const struct run *r, char *buf, size_t size)
{
    const char *p = strstr(r->err, "seccomp strict: cache ");
    assert_non_null(p);
    p = strchr(p + 22, ' ');
    assert_non_null(p);
    size_t n = strcspn(p + 1, "\n");
    assert_true(n > 0 && n < size);
    memcpy(buf, p + 1, n);
    buf[n] = '\0';
}

static bool is_ns(const char *path, int type)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    bool yes = fd >= 0 && ioctl(fd, NS_GET_NSTYPE) == type;
    if (fd >= 0) close(fd);
    return yes;
}

static void box_file(int box, const char *file, char *buf, size_t size)
{
    snprintf(buf, size, "%s/box-%d/%s", KEEP_DIR, box, file);
}

/*** Tests ***/

static void test_second_run_reuses(void **state)
{
    (void)state;
    NEED_ROOT();
    struct run a, b;
    ok_run(&a, TESTPROG("exit", "0"));
    cJSON_Delete(a.json);
    /* Another suite's CLI or --cleanup may take the box or clear the cache in between: retry. */
    for (int i = 0; i < SAME_ID_TRIES; i++) {
        ok_run(&b, TESTPROG("exit", "0"));
        cJSON_Delete(b.json);
        if (b.box == a.box && strstr(b.err, "kept namespaces reused") != NULL &&
            strstr(b.err, "cache hit") != NULL)
            break;
        a.box = b.box;
    }
    assert_int_equal(b.box, a.box);
    assert_non_null(strstr(b.err, "kept namespaces reused"));
    assert_non_null(strstr(b.err, "seccomp strict: cache hit"));
    char path[256];
    box_file(b.box, "mnt", path, sizeof path);
    assert_true(is_ns(path, CLONE_NEWNS));
    box_file(b.box, "net", path, sizeof path);
    assert_true(is_ns(path, CLONE_NEWNET));
}

/* Damages the cache file (flips a byte at offset, or truncates when offset < 0), then expects a
 * rebuild, a forbidden call still caught with the rebuilt program, and a hit afterwards. */
static bool damage_once(off_t offset)
{
    struct run r;
    ok_run(&r, TESTPROG("exit", "0"));
    cJSON_Delete(r.json);
    char path[512];
    cache_path(&r, path, sizeof path);
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    if (offset < 0) {
        assert_int_equal(ftruncate(fd, 40), 0);
    } else {
        unsigned char c;
        assert_int_equal(pread(fd, &c, 1, offset), 1);
        c ^= 0x5a;
        assert_int_equal(pwrite(fd, &c, 1, offset), 1);
    }
    close(fd);
    run_cli(&r, TESTPROG("ptrace"));
    assert_int_equal(r.exit_status, 0);
    assert_string_equal(str(&r, "status"), "RTE");
    assert_string_equal(str(&r, "syscall"), "ptrace");
    cJSON_Delete(r.json);
    /* "miss": a --cleanup of another suite removed the file meanwhile; anything else but
     * "rebuilt" means the damage went unnoticed. */
    if (strstr(r.err, "seccomp strict: cache miss") != NULL) return false;
    assert_non_null(strstr(r.err, "seccomp strict: cache rebuilt"));
    ok_run(&r, TESTPROG("exit", "0"));
    assert_true(strstr(r.err, "seccomp strict: cache hit") != NULL ||
                strstr(r.err, "seccomp strict: cache miss") != NULL);
    cJSON_Delete(r.json);
    return true;
}

static void damage_and_check(off_t offset)
{
    for (int i = 0; i < SAME_ID_TRIES; i++)
        if (damage_once(offset)) return;
    fail_msg("the cache file kept disappearing");
}

static void test_corrupt_cache_rebuilt(void **state)
{
    (void)state;
    NEED_ROOT();
    damage_and_check(200); /* inside the programs */
    damage_and_check(12);  /* inside the header's key */
    damage_and_check(-1);  /* truncated */
}

static void break_box_and_check(const char *file, bool truncate_stamp)
{
    struct run a, b;
    for (int i = 0; i < SAME_ID_TRIES; i++) {
        ok_run(&a, TESTPROG("exit", "0"));
        cJSON_Delete(a.json);
        char path[256];
        box_file(a.box, file, path, sizeof path);
        if (truncate_stamp) {
            int fd = open(path, O_WRONLY | O_TRUNC);
            assert_true(fd >= 0);
            assert_int_equal(write(fd, "forged\n", 7), 7);
            close(fd);
        } else {
            assert_int_equal(umount2(path, MNT_DETACH), 0);
            assert_false(is_ns(path, CLONE_NEWNET));
        }
        ok_run(&b, TESTPROG("exit", "0"));
        cJSON_Delete(b.json);
        if (b.box != a.box)
            continue; /* someone else took the box meanwhile: it rebuilt it; try again */
        assert_non_null(strstr(b.err, "building namespaces"));
        box_file(b.box, "net", path, sizeof path);
        assert_true(is_ns(path, CLONE_NEWNET));
        ok_run(&b, TESTPROG("exit", "0"));
        cJSON_Delete(b.json);
        if (b.box == a.box) assert_non_null(strstr(b.err, "kept namespaces reused"));
        return;
    }
    fail_msg("never got the same box twice in a row");
}

static void test_removed_netns_rebuilt(void **state)
{
    (void)state;
    NEED_ROOT();
    break_box_and_check("net", false);
}

static void test_tampered_stamp_rebuilt(void **state)
{
    (void)state;
    NEED_ROOT();
    break_box_and_check("stamp", true);
}

/* A command killed mid-run leaves files in its kept work folder: the next one never sees them. */
static void test_crashed_run_cleaned(void **state)
{
    (void)state;
    NEED_ROOT();
    int o, e;
    pid_t pid = start_cli(ARGS("--work-rw", "--policy", "runtime", "--", "/bin/sh", "-c",
                               "echo x > /box/left; echo y > /box/.hidden; exec sleep 100"),
                          &o, &e);
    usleep(700 * 1000);
    kill(pid, SIGKILL);
    struct run r;
    finish_cli(&r, pid, o, e);
    cJSON_Delete(r.json);
    /* The next command on that box (the lowest free id, normally) finds /box and /tmp empty. */
    ok_run(&r, TESTPROG("clean"));
    cJSON_Delete(r.json);
}

static void test_concurrent_distinct_boxes(void **state)
{
    (void)state;
    NEED_ROOT();
    pid_t pids[CONCURRENT];
    int o[CONCURRENT], e[CONCURRENT];
    for (int i = 0; i < CONCURRENT; i++)
        pids[i] = start_cli(ARGS("--policy", "runtime", "--", "/bin/sleep", "0.5"), &o[i], &e[i]);
    struct run r[CONCURRENT];
    for (int i = 0; i < CONCURRENT; i++) {
        finish_cli(&r[i], pids[i], o[i], e[i]);
        assert_int_equal(r[i].exit_status, 0);
        assert_string_equal(str(&r[i], "status"), "OK");
        assert_true(r[i].box >= 0);
        cJSON_Delete(r[i].json);
    }
    for (int i = 0; i < CONCURRENT; i++)
        for (int j = i + 1; j < CONCURRENT; j++)
            assert_int_not_equal(r[i].box, r[j].box);
}

/* Mount points made for --dir are removed after the run, so a kept root does not fill up. */
static void test_dir_mount_points_removed(void **state)
{
    (void)state;
    NEED_ROOT();
    char arg[600];
    snprintf(arg, sizeof arg, "%s:/gavel-a/b/c", progdir);
    struct run a, b;
    for (int i = 0; i < SAME_ID_TRIES; i++) {
        ok_run(&a, ARGS("--dir", arg, "--", "/gavel-a/b/c/sbx_testprog", "exit", "0"));
        cJSON_Delete(a.json);
        ok_run(&b, ARGS("--policy", "runtime", "--", "/bin/sh", "-c", "test ! -e /gavel-a"));
        cJSON_Delete(b.json);
        if (a.box == b.box) return;
    }
    fail_msg("never got the same box twice in a row");
}

static bool mounted(const char *what)
{
    char *info = gv_read_file("/proc/self/mountinfo", 1 << 22, NULL);
    assert_non_null(info);
    bool yes = strstr(info, what) != NULL;
    free(info);
    return yes;
}

static void test_cleanup_leaves_no_mounts(void **state)
{
    (void)state;
    NEED_ROOT();
    struct run r;
    ok_run(&r, TESTPROG("exit", "0"));
    cJSON_Delete(r.json);
    char path[256];
    box_file(r.box, "", path, sizeof path);
    assert_true(mounted(path));
    struct run c;
    run_cli(&c, ARGS("--cleanup"));
    assert_int_equal(c.exit_status, 0);
    cJSON_Delete(c.json);
    assert_false(mounted(path));
    assert_int_equal(access(path, F_OK), -1);
    /* With no box kept by anyone, the folder's own mount is gone too. */
    struct stat st;
    bool others = false;
    for (int id = 0; id < 1000 && !others; id++) {
        box_file(id, "", path, sizeof path);
        others = stat(path, &st) == 0;
    }
    if (!others) assert_false(mounted(" " KEEP_DIR " "));
}

static int setup(void **state)
{
    (void)state;
    const char *build = getenv("GAVEL_BUILD_DIR");
    if (build == NULL) build = ".";
    snprintf(cli, sizeof cli, "%s/sandbox/gavel-sandbox", build);
    snprintf(progdir, sizeof progdir, "%s/tests", build);
    snprintf(dir_arg, sizeof dir_arg, "%s:/t", progdir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_second_run_reuses),
        cmocka_unit_test(test_corrupt_cache_rebuilt),
        cmocka_unit_test(test_removed_netns_rebuilt),
        cmocka_unit_test(test_tampered_stamp_rebuilt),
        cmocka_unit_test(test_crashed_run_cleaned),
        cmocka_unit_test(test_concurrent_distinct_boxes),
        cmocka_unit_test(test_dir_mount_points_removed),
        cmocka_unit_test(test_cleanup_leaves_no_mounts),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
