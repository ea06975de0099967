/*
 * test_seccomp_programs.c - real compilers, runtimes and compiled programs under the seccomp
 * policies alone, to keep the tables honest.
 *
 * Each row runs one command on the host in a forked child that installs a policy's filter right
 * before execve (as the sandbox does) and hands the listener to the parent. The compilers (gcc,
 * g++, rustc, javac) run under `compiler` and build C, C++ and Rust programs, static and dynamic,
 * with threads; those run under `strict`; python3, java and node run under `runtime`. A row passes
 * when its output is right and no call was forbidden; a forbidden call fails the row with the
 * call's name, which is the line to add to (or argue about in) the policy table. Rows whose tool
 * is not installed are skipped with a message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sbx_seccomp.h"

/* The longest a row may take (rustc and the JVM are the slow ones). */
#define ROW_TIMEOUT_MS 60000
#define OUTPUT_MAX     4096

static char work[64];      /* the temp folder of this run */
static char programs[512]; /* tests/security/programs */
static struct sbx_filter *filters[3];

struct row {
    const char *name;
    enum sbx_policy policy;
    const char *argv[16]; /* "@" prefix: relative to the work folder; "%" prefix: programs/ */
    const char *input;
    const char *expect; /* substring of stdout ("" when only the exit status matters) */
    const char *needs;  /* a file an earlier row made ("@Main.class"); skipped without it */
};

#define SUM_IN    "5 3 9 1\n"
#define SUM_OUT   "sum 18 min 1"
#define RUSTC     "/usr/bin/rustc"
#define STATIC_RS "-Ctarget-feature=+crt-static"

/* A compile step: only its exit status matters. */
#define COMPILE(n, ...)                                                                            \
    {                                                                                              \
        .name = (n), .policy = SBX_POLICY_COMPILER, .argv = { __VA_ARGS__ }                        \
    }

/* Rows are positional up to `expect`; `needs` is named where used. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct row rows[] = {
    /*** compilers under `compiler` ***/
    COMPILE("gcc dynamic", "/usr/bin/gcc", "-O2", "-o", "@sum_c", "%sum.c"),
    COMPILE("gcc static", "/usr/bin/gcc", "-O2", "-static", "-o", "@sum_c_static", "%sum.c"),
    COMPILE("gcc threads", "/usr/bin/gcc", "-O2", "-pthread", "-o", "@threads_c", "%sum_threads.c"),
    COMPILE("gcc threads static", "/usr/bin/gcc", "-O2", "-static", "-pthread", "-o",
            "@threads_c_static", "%sum_threads.c"),
    COMPILE("g++ dynamic", "/usr/bin/g++", "-pthread", "-o", "@sum_cpp", "%sum.cpp"),
    COMPILE("g++ static", "/usr/bin/g++", "-static", "-pthread", "-o", "@sum_cpp_static",
            "%sum.cpp"),
    COMPILE("rustc dynamic", RUSTC, "-o", "@sum_rs", "%sum.rs"),
    COMPILE("rustc static", RUSTC, STATIC_RS, "-o", "@sum_rs_static", "%sum.rs"),
    COMPILE("javac", "/usr/bin/javac", "-d", "@", "%Main.java"),

    /*** what they built, under `strict` ***/
    {"C dynamic", SBX_POLICY_STRICT, {"@sum_c"}, SUM_IN, SUM_OUT},
    {"C static", SBX_POLICY_STRICT, {"@sum_c_static"}, SUM_IN, SUM_OUT},
    {"C threads", SBX_POLICY_STRICT, {"@threads_c"}, "", "sum 499999500000"},
    {"C threads static", SBX_POLICY_STRICT, {"@threads_c_static"}, "", "sum 499999500000"},
    {"C++ dynamic", SBX_POLICY_STRICT, {"@sum_cpp"}, SUM_IN, SUM_OUT},
    {"C++ static", SBX_POLICY_STRICT, {"@sum_cpp_static"}, SUM_IN, SUM_OUT},
    {"Rust dynamic", SBX_POLICY_STRICT, {"@sum_rs"}, SUM_IN, SUM_OUT},
    {"Rust static", SBX_POLICY_STRICT, {"@sum_rs_static"}, SUM_IN, SUM_OUT},

    /*** interpreters and VMs under `runtime` ***/
    {"python3",
     SBX_POLICY_RUNTIME,
     {"/usr/bin/python3", "-c",
      "import sys, threading, json, re, collections\n"
      "v = sorted(int(t) for t in sys.stdin.read().split())\n"
      "r = {}\n"
      "t = threading.Thread(target=lambda: r.update(s=sum(v)))\n"
      "t.start(); t.join()\n"
      "print('sum %d min %d' % (r['s'], v[0]))\n"},
     SUM_IN,
     SUM_OUT},
    {"java",
     SBX_POLICY_RUNTIME,
     {"/usr/bin/java", "-cp", "@", "Main"},
     SUM_IN,
     SUM_OUT,
     .needs = "@Main.class"},
    {"node",
     SBX_POLICY_RUNTIME,
     {"/usr/bin/node", "-e",
      "const v = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number)"
      ".sort((a, b) => a - b);"
      "console.log(`sum ${v.reduce((a, b) => a + b, 0)} min ${v[0]}`);"},
     SUM_IN,
     SUM_OUT},
};

static int setup(void **state)
{
    (void)state;
    const char *src = getenv("GAVEL_SOURCE_DIR");
    if (src == NULL) src = ".";
    snprintf(programs, sizeof programs, "%s/tests/security/programs", src);
    snprintf(work, sizeof work, "/tmp/gavel-seccomp-XXXXXX");
    if (mkdtemp(work) == NULL) return -1;
    static const enum sbx_policy ps[] = {SBX_POLICY_STRICT, SBX_POLICY_RUNTIME,
                                         SBX_POLICY_COMPILER};
    char err[256];
    for (size_t i = 0; i < 3; i++) {
        filters[ps[i]] = sbx_seccomp_compile(ps[i], err, sizeof err);
        if (filters[ps[i]] == NULL) {
            fprintf(stderr, "%s\n", err);
            return -1;
        }
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < 3; i++)
        sbx_seccomp_free(filters[i]);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", work);
    return system(cmd) == 0 ? 0 : -1;
}

/* "@x" -> work/x, "%x" -> programs/x, anything else unchanged; into a static slot per index. */
static const char *expand(const char *arg, char *slot, size_t size)
{
    const char *dir = arg[0] == '@' ? work : arg[0] == '%' ? programs : NULL;
    if (dir == NULL) return arg;
    int n = snprintf(slot, size, "%s/%s", dir, arg + 1);
    assert_true(n > 0 && (size_t)n < size);
    return slot;
}

/* In the child: files as stdio, own process group, the filter, the listener to the parent. */
static void child(const struct row *r, char *const argv[], int sock, const char *in_path,
                  const char *out_path)
{
    static char *const envp[] = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp", "LANG=C.UTF-8",
                                 NULL};
    signal(SIGSEGV, SIG_DFL);
    signal(SIGSYS, SIG_DFL);
    setpgid(0, 0);
    int in = open(in_path, O_RDONLY);
    int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) _exit(120);
    if (chdir(work) != 0) _exit(121);
    int fd = sbx_seccomp_install(filters[r->policy]);
    if (fd < 0 || tp_send_fd(sock, fd) != 0) _exit(122);
    close(fd);
    close(sock);
    execve(argv[0], argv, envp);
    _exit(127);
}

/* Runs one row; fills forbidden ("" if none) and the output; returns the wait status. */
static int run_row(const struct row *r, char *forbidden, size_t fsize, char *out, size_t osize)
{
    char slots[16][512], *argv[16] = {0}, in_path[128], out_path[128];
    for (size_t i = 0; i < 15 && r->argv[i] != NULL; i++)
        argv[i] = (char *)expand(r->argv[i], slots[i], sizeof slots[i]);
    snprintf(in_path, sizeof in_path, "%s/stdin", work);
    snprintf(out_path, sizeof out_path, "%s/stdout", work);
    FILE *f = fopen(in_path, "w");
    assert_non_null(f);
    fputs(r->input != NULL ? r->input : "", f);
    fclose(f);

    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(sv[0]);
        child(r, argv, sv[1], in_path, out_path);
    }
    close(sv[1]);
    int listener = tp_recv_fd(sv[0]);
    close(sv[0]);
    forbidden[0] = 0;
    int status = 0;
    bool hup = listener < 0; /* POLLHUP: every filtered task is gone, stop polling the listener */
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        int nr;
        uint32_t arch;
        if (!hup && sbx_seccomp_notify_read(listener, &nr, &arch) == 0) {
            sbx_seccomp_syscall_name(arch, nr, forbidden, fsize);
            kill(-pid, SIGKILL);
        }
        if (waitpid(pid, &status, WNOHANG) == pid) break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - t0.tv_sec) * 1000 > ROW_TIMEOUT_MS) {
            snprintf(forbidden, fsize, "(timeout)");
            kill(-pid, SIGKILL);
        }
        struct pollfd pfd = {.fd = listener, .events = POLLIN};
        if (hup) {
            usleep(5 * 1000);
        } else if (poll(&pfd, 1, 20) == 1 && (pfd.revents & POLLHUP)) {
            hup = true;
        }
    }
    kill(-pid, SIGKILL); /* leftovers of the group (a compiler's helpers) */
    if (listener >= 0) close(listener);
    size_t len = 0;
    f = fopen(out_path, "r");
    if (f != NULL) {
        len = fread(out, 1, osize - 1, f);
        fclose(f);
    }
    out[len] = 0;
    return status;
}

static void test_rows(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct row *r = &rows[i];
        char path[512], needed[512];
        const char *prog = expand(r->argv[0], path, sizeof path);
        const char *need = r->needs != NULL ? expand(r->needs, needed, sizeof needed) : prog;
        if (access(prog, X_OK) != 0 || access(need, R_OK) != 0) {
            print_message("skip %-20s (%s not installed or not built)\n", r->name, need);
            continue;
        }
        char forbidden[SBX_SYSCALL_NAME_MAX], out[OUTPUT_MAX];
        int64_t t0 = (int64_t)time(NULL);
        int status = run_row(r, forbidden, sizeof forbidden, out, sizeof out);
        bool ok = forbidden[0] == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
                  (r->expect == NULL || strstr(out, r->expect) != NULL);
        print_message("%s %-20s under %-8s %llds%s%s\n", ok ? "ok  " : "FAIL", r->name,
                      r->policy == SBX_POLICY_STRICT    ? "strict"
                      : r->policy == SBX_POLICY_RUNTIME ? "runtime"
                                                        : "compiler",
                      (long long)((int64_t)time(NULL) - t0), forbidden[0] ? " forbidden: " : "",
                      forbidden);
        if (!ok) {
            print_message("  status %#x, output:\n%s\n", status, out);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_rows)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
