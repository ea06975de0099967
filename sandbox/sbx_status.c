/*
 * sbx_status.c - what happened in a run -> the result's status, exit code, signal and message.
 *
 * Theory of operation. sbx_run.c gathers the facts of a finished run into a struct sbx_outcome
 * (did we kill it and why, did execve fail, the program's wait status, CPU and memory figures
 * from the cgroup or rusage) and this one pure function decides, in a fixed order of precedence:
 *   1. killed by the sandbox: TLE (CPU or wall), RTE for a forbidden system call (named);
 *   2. execve failed: RTE, exit code 127 (the program's failure, like a shell's);
 *   3. no report from the box's init: JE;
 *   4. the wait status: exit 0 -> OK, exit n -> RTE; a signal -> RTE, except SIGXFSZ (OLE),
 *      SIGXCPU (TLE, the rlimit backstop) and SIGSYS (RTE, forbidden call, name unknown);
 *   5. an unclean end with the memory limit reached (OOM kill, failcnt, peak at the limit) -> MLE;
 *      without a cgroup, an unclean end within 10% of the limit -> MLE (rlimit fallback);
 *   6. CPU time over the limit even at a clean end -> TLE.
 * Kept apart from the processes so that the table can be unit-tested on plain data.
 */
#include "sbx_internal.h"

#include "gv.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

static void from_signal(const struct sbx_outcome *o, const struct sbx_limits *l,
                        struct sbx_result *r)
{
    r->signal = WTERMSIG(o->wait_status);
    r->status = SBX_RTE;
    snprintf(r->message, sizeof r->message, "killed by signal %d (%s)", r->signal,
             strsignal(r->signal));
    if (r->signal == SIGXFSZ) {
        r->status = SBX_OLE;
        snprintf(r->message, sizeof r->message, "output limit %llu KiB",
                 (unsigned long long)l->output_kib);
    } else if (r->signal == SIGXCPU) {
        r->status = SBX_TLE;
        snprintf(r->message, sizeof r->message, "CPU time limit %u ms (rlimit)", l->cpu_ms);
    } else if (r->signal == SIGSYS) {
        gv_strlcpy(r->syscall, "unknown", sizeof r->syscall);
        snprintf(r->message, sizeof r->message, "forbidden system call (seccomp)");
    }
}

static bool memory_reached(const struct sbx_outcome *o, const struct sbx_limits *l)
{
    if (l->memory_kib == 0)
        return false;
    if (o->have_cg)
        return o->oom_kills > 0 || o->memory_limit_hit || o->memory_kib >= l->memory_kib;
    return o->memory_kib >= l->memory_kib * 9 / 10;
}

int sbx_status_decide(const struct sbx_outcome *o, const struct sbx_limits *l, const char *prog,
                      struct sbx_result *r)
{
    r->cpu_ms = o->cpu_ms;
    r->memory_kib = o->memory_kib;
    if (o->killed) {
        r->status = o->kill_status;
        r->signal = o->kill_status == SBX_RTE ? SIGSYS : SIGKILL;
        gv_strlcpy(r->syscall, o->syscall, sizeof r->syscall);
        gv_strlcpy(r->message, o->kill_message, sizeof r->message);
        return r->status == SBX_JE ? -1 : 0;
    }
    if (o->exec_errno != 0) {
        r->status = SBX_RTE;
        r->exit_code = 127;
        snprintf(r->message, sizeof r->message, "cannot execute %.150s: %s", prog,
                 strerror(o->exec_errno));
        return 0;
    }
    if (!o->reaped) {
        r->status = SBX_JE;
        snprintf(r->message, sizeof r->message, "the box's init died without a report");
        return -1;
    }
    if (WIFSIGNALED(o->wait_status)) {
        from_signal(o, l, r);
    } else {
        r->exit_code = WEXITSTATUS(o->wait_status);
        r->status = r->exit_code == 0 ? SBX_OK : SBX_RTE;
        if (r->exit_code != 0)
            snprintf(r->message, sizeof r->message, "exited with status %d", r->exit_code);
    }
    if (r->status != SBX_OK && memory_reached(o, l)) {
        r->status = SBX_MLE;
        snprintf(r->message, sizeof r->message, "memory limit %llu KiB%s",
                 (unsigned long long)l->memory_kib, o->have_cg ? "" : " (rlimit fallback)");
    }
    if (l->cpu_ms && r->cpu_ms > l->cpu_ms && r->status != SBX_MLE) {
        r->status = SBX_TLE;
        snprintf(r->message, sizeof r->message, "CPU time limit %u ms", l->cpu_ms);
    }
    return 0;
}
