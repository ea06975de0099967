/*
 * policy_strict.c - native programs (C, C++, Rust...): the deny-list plus an allow-list.
 *
 * Everything not listed here ends the run. The list is what a static or dynamic glibc program,
 * libstdc++ and Rust's std need to start (the dynamic loader's opens and maps included), read
 * and write files and pipes, allocate, keep time, use threads and signals, and exit. It was made
 * from what those programs call on Debian 12 and is kept honest by test_sbx_seccomp, which runs
 * real compiled C, C++ and Rust programs under it.
 *
 * Some calls are allowed only with certain arguments, because the deny-list forbids other uses:
 *   clone       only for threads (CLONE_THREAD set, no namespace flag): a native solution has no
 *               reason to start processes; the pids limit stops threads beyond what the run allows.
 *   ioctl       only the terminal and file queries libc makes (isatty, window size, FIONREAD...).
 *   prctl       only thread names and the dumpable flag.
 *   personality only the query (0xffffffff) and the default (0).
 * No socket family at all: a native solution talks through stdin and stdout.
 */
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <termios.h>

#include "sbx_policy.h"

/* Tables: one row per line, as written. */
// clang-format off

#define ALLOW(n) {.name = (n), .kind = SBX_RULE_ALLOW}
/* allowed when the 32-bit argument `a` is `v` */
#define ALLOW_IS(n, a, v)                                                                          \
    {.name = (n), .kind = SBX_RULE_ALLOW, .cmp = SBX_CMP_MASKED_EQ, .arg = (a),                    \
     .mask = SBX_LOW32, .value = (v)}

/* The clone flags of a namespace; a thread may set none of them. */
#define SBX_CLONE_NS_FLAGS                                                                         \
    (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |  \
     CLONE_NEWNET)

static const struct sbx_rule strict_rules[] = {
    /*** Files and descriptors ***/
    ALLOW("read"),
    ALLOW("write"),
    ALLOW("readv"),
    ALLOW("writev"),
    ALLOW("pread64"),
    ALLOW("pwrite64"),
    ALLOW("preadv"),
    ALLOW("pwritev"),
    ALLOW("preadv2"),
    ALLOW("pwritev2"),
    ALLOW("lseek"),
    ALLOW("open"),
    ALLOW("openat"),
    ALLOW("close"),
    ALLOW("close_range"),
    ALLOW("stat"),
    ALLOW("fstat"),
    ALLOW("lstat"),
    ALLOW("newfstatat"),
    ALLOW("statx"),
    ALLOW("statfs"),
    ALLOW("fstatfs"),
    ALLOW("access"),
    ALLOW("faccessat"),
    ALLOW("faccessat2"),
    ALLOW("readlink"),
    ALLOW("readlinkat"),
    ALLOW("getcwd"),
    ALLOW("getdents64"),
    ALLOW("fcntl"),
    ALLOW("dup"),
    ALLOW("dup2"),
    ALLOW("dup3"),
    ALLOW("pipe"),
    ALLOW("pipe2"),
    ALLOW("ftruncate"),
    ALLOW("fsync"),
    ALLOW("fdatasync"),
    ALLOW("fadvise64"),
    ALLOW("sendfile"),
    ALLOW("copy_file_range"),
    ALLOW("poll"),
    ALLOW("ppoll"),
    ALLOW("select"),
    ALLOW("pselect6"),
    ALLOW("unlink"),
    ALLOW("unlinkat"),
    ALLOW("mkdir"),
    ALLOW("mkdirat"),
    ALLOW("rename"),
    ALLOW("renameat"),
    ALLOW("renameat2"),
    ALLOW("umask"),
    ALLOW_IS("ioctl", 1, TCGETS),
    ALLOW_IS("ioctl", 1, TIOCGWINSZ),
    ALLOW_IS("ioctl", 1, TIOCGPGRP),
    ALLOW_IS("ioctl", 1, FIONREAD),
    ALLOW_IS("ioctl", 1, FIONBIO),
    ALLOW_IS("ioctl", 1, FIOCLEX),
    ALLOW_IS("ioctl", 1, FIONCLEX),

    /*** Memory ***/
    ALLOW("brk"),
    ALLOW("mmap"),
    ALLOW("munmap"),
    ALLOW("mremap"),
    ALLOW("mprotect"),
    ALLOW("madvise"),
    ALLOW("mlock"),
    ALLOW("munlock"),
    ALLOW("mincore"),
    ALLOW("membarrier"),

    /*** Threads and synchronisation ***/
    {.name = "clone", .kind = SBX_RULE_ALLOW, .cmp = SBX_CMP_MASKED_EQ, .arg = 0,
     .mask = CLONE_THREAD | SBX_CLONE_NS_FLAGS, .value = CLONE_THREAD},
    ALLOW("futex"),
    ALLOW("futex_waitv"),
    ALLOW("set_robust_list"),
    ALLOW("get_robust_list"),
    ALLOW("set_tid_address"),
    ALLOW("rseq"),
    ALLOW("arch_prctl"),
    ALLOW("sched_yield"),
    ALLOW("sched_getaffinity"),
    ALLOW("sched_getparam"),
    ALLOW("sched_getscheduler"),
    ALLOW("sched_get_priority_max"),
    ALLOW("sched_get_priority_min"),
    ALLOW_IS("prctl", 0, PR_SET_NAME),
    ALLOW_IS("prctl", 0, PR_GET_NAME),
    ALLOW_IS("prctl", 0, PR_GET_DUMPABLE),
    ALLOW_IS("prctl", 0, PR_SET_VMA),

    /*** Signals ***/
    ALLOW("rt_sigaction"),
    ALLOW("rt_sigprocmask"),
    ALLOW("rt_sigreturn"),
    ALLOW("rt_sigpending"),
    ALLOW("rt_sigsuspend"),
    ALLOW("rt_sigtimedwait"),
    ALLOW("sigaltstack"),
    ALLOW("kill"),
    ALLOW("tgkill"),
    ALLOW("tkill"),
    ALLOW("pause"),
    ALLOW("alarm"),
    ALLOW("getitimer"),
    ALLOW("setitimer"),

    /*** Time ***/
    ALLOW("clock_gettime"),
    ALLOW("clock_getres"),
    ALLOW("clock_nanosleep"),
    ALLOW("gettimeofday"),
    ALLOW("time"),
    ALLOW("nanosleep"),
    ALLOW("times"),

    /*** Who and where am I ***/
    ALLOW("getpid"),
    ALLOW("gettid"),
    ALLOW("getppid"),
    ALLOW("getuid"),
    ALLOW("geteuid"),
    ALLOW("getgid"),
    ALLOW("getegid"),
    ALLOW("getgroups"),
    ALLOW("getresuid"),
    ALLOW("getresgid"),
    ALLOW("getpgrp"),
    ALLOW("getpgid"),
    ALLOW("getsid"),
    ALLOW("uname"),
    ALLOW("sysinfo"),
    ALLOW("getrusage"),
    ALLOW("getrlimit"),
    ALLOW("setrlimit"),
    ALLOW("prlimit64"),
    ALLOW("getrandom"),
    ALLOW("getcpu"),
    {.name = "personality", .kind = SBX_RULE_ALLOW, .cmp = SBX_CMP_EQ, .arg = 0, .value = 0},
    {.name = "personality", .kind = SBX_RULE_ALLOW, .cmp = SBX_CMP_EQ, .arg = 0,
     .value = 0xffffffffULL},

    /*** Start and end ***/
    ALLOW("execve"),
    ALLOW("exit"),
    ALLOW("exit_group"),
    ALLOW("restart_syscall"),
    /* The sandbox hands the seccomp listener to its parent between install and execve. */
    ALLOW("sendmsg"),
};
// clang-format on

const struct sbx_policy_def sbx_policy_strict_def = {
    .name = "strict",
    .default_allow = false,
    .rules = strict_rules,
    .n_rules = sizeof(strict_rules) / sizeof(strict_rules[0]),
    .families = NULL,
    .n_families = 0,
};
