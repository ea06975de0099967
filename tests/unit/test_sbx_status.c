/* test_sbx_status.c - the status table of sandbox/sbx_status.c on plain data: every row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sbx_internal.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#define EXITED(n)   ((n) << 8)
#define SIGNALED(s) (s)

struct row {
    const char *name;
    struct sbx_outcome o;
    struct sbx_limits l;
    int rc;
    enum sbx_status status;
    int exit_code, signal;
    const char *syscall, *message_part;
};

static const struct row rows[] = {
    {"clean exit", {.reaped = true, .wait_status = EXITED(0)}, {0}, 0, SBX_OK, 0, 0, "", ""},
    {"exit 3", {.reaped = true, .wait_status = EXITED(3)}, {0}, 0, SBX_RTE, 3, 0, "", "status 3"},
    {"segfault", {.reaped = true, .wait_status = SIGNALED(SIGSEGV)}, {0}, 0, SBX_RTE, 0, SIGSEGV,
     "", "signal 11"},
    {"file size", {.reaped = true, .wait_status = SIGNALED(SIGXFSZ)}, {.output_kib = 10}, 0,
     SBX_OLE, 0, SIGXFSZ, "", "output limit 10"},
    {"rlimit cpu", {.reaped = true, .wait_status = SIGNALED(SIGXCPU)}, {.cpu_ms = 1000}, 0,
     SBX_TLE, 0, SIGXCPU, "", "rlimit"},
    {"seccomp kill", {.reaped = true, .wait_status = SIGNALED(SIGSYS)}, {0}, 0, SBX_RTE, 0, SIGSYS,
     "unknown", "forbidden"},
    {"oom kill",
     {.reaped = true, .wait_status = SIGNALED(SIGKILL), .have_cg = true, .oom_kills = 1,
      .memory_kib = 60000},
     {.memory_kib = 65536}, 0, SBX_MLE, 0, SIGKILL, "", "memory limit"},
    {"failcnt, then crash",
     {.reaped = true, .wait_status = SIGNALED(SIGSEGV), .have_cg = true, .memory_limit_hit = true},
     {.memory_kib = 65536}, 0, SBX_MLE, 0, SIGSEGV, "", "memory limit"},
    {"limit hit, clean exit",
     {.reaped = true, .wait_status = EXITED(0), .have_cg = true, .memory_limit_hit = true},
     {.memory_kib = 65536}, 0, SBX_OK, 0, 0, "", ""},
    {"rlimit memory fallback",
     {.reaped = true, .wait_status = SIGNALED(SIGSEGV), .memory_kib = 62000},
     {.memory_kib = 65536}, 0, SBX_MLE, 0, SIGSEGV, "", "rlimit fallback"},
    {"crash far below the limit",
     {.reaped = true, .wait_status = SIGNALED(SIGSEGV), .have_cg = true, .memory_kib = 1000},
     {.memory_kib = 65536}, 0, SBX_RTE, 0, SIGSEGV, "", "signal"},
    {"killed for CPU",
     {.killed = true, .kill_status = SBX_TLE, .kill_message = "CPU time limit 1000 ms",
      .syscall = "", .cpu_ms = 1001},
     {.cpu_ms = 1000}, 0, SBX_TLE, 0, SIGKILL, "", "CPU"},
    {"forbidden call",
     {.killed = true, .kill_status = SBX_RTE, .kill_message = "forbidden system call ptrace",
      .syscall = "ptrace"},
     {0}, 0, SBX_RTE, 0, SIGSYS, "ptrace", "ptrace"},
    {"sandbox killed it failing", {.killed = true, .kill_status = SBX_JE, .kill_message = "poll",
                                   .syscall = ""},
     {0}, -1, SBX_JE, 0, SIGKILL, "", "poll"},
    {"exec failed", {.exec_errno = ENOENT}, {0}, 0, SBX_RTE, 127, 0, "", "No such file"},
    {"no report", {.reaped = false}, {0}, -1, SBX_JE, 0, 0, "", "without a report"},
    {"over the CPU limit at a clean exit",
     {.reaped = true, .wait_status = EXITED(0), .have_cg = true, .cpu_ms = 1200},
     {.cpu_ms = 1000}, 0, SBX_TLE, 0, 0, "", "CPU time limit"},
    {"MLE beats late TLE",
     {.reaped = true, .wait_status = SIGNALED(SIGKILL), .have_cg = true, .oom_kills = 2,
      .cpu_ms = 1200},
     {.cpu_ms = 1000, .memory_kib = 1024}, 0, SBX_MLE, 0, SIGKILL, "", "memory"},
};

static void test_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct row *w = &rows[i];
        struct sbx_result r;
        memset(&r, 0, sizeof r);
        int rc = sbx_status_decide(&w->o, &w->l, "/box/prog", &r);
        print_message("row: %s -> %s %s\n", w->name, sbx_status_name(r.status), r.message);
        assert_int_equal(rc, w->rc);
        assert_int_equal(r.status, w->status);
        assert_int_equal(r.exit_code, w->exit_code);
        assert_int_equal(r.signal, w->signal);
        assert_string_equal(r.syscall, w->syscall);
        assert_non_null(strstr(r.message, w->message_part));
        assert_int_equal(r.cpu_ms, w->o.cpu_ms);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
