/*
 * test_sbx_seccomp.c - the seccomp policies of sandbox/, in two ways.
 *
 * 1. On paper: a small classic-BPF interpreter runs each compiled program on made-up seccomp_data,
 *    so every row of every table is checked for every policy and both variants (notify, kill),
 *    including argument values with garbage in the upper 32 bits and the i386/x32/foreign ABIs,
 *    whatever the running kernel supports.
 * 2. For real: a forked child installs a filter and tries calls; the parent receives the listener
 *    fd over a socketpair (as the sandbox does), sees the notification with the right number and
 *    name, checks that the call never ran, and kills the child. Also: errno rows are not kills,
 *    the kill-only fallback dies with SIGSYS, x32 and int 0x80 die, allowed calls still work.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sbx_policy.h"
#include "sbx_seccomp.h"

#define X32_BIT 0x40000000
/* How long the parent waits for a child's notification or exit. */
#define WAIT_MS 5000

static struct sbx_filter *filters[3];
static struct sbx_filter *kill_filters[3];
static const enum sbx_policy all_policies[] = {SBX_POLICY_STRICT, SBX_POLICY_RUNTIME,
                                               SBX_POLICY_COMPILER};
static const struct sbx_policy_def *const defs[] = {
    [SBX_POLICY_STRICT] = &sbx_policy_strict_def,
    [SBX_POLICY_RUNTIME] = &sbx_policy_runtime_def,
    [SBX_POLICY_COMPILER] = &sbx_policy_compiler_def,
};

static int setup(void **state)
{
    (void)state;
    char err[256];
    for (size_t i = 0; i < 3; i++) {
        filters[i] = sbx_seccomp_compile(all_policies[i], err, sizeof err);
        if (filters[i] == NULL) fprintf(stderr, "compile: %s\n", err);
        kill_filters[i] = sbx_seccomp_compile_kill_only(all_policies[i], err, sizeof err);
        if (kill_filters[i] == NULL) fprintf(stderr, "compile kill-only: %s\n", err);
        if (filters[i] == NULL || kill_filters[i] == NULL) return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < 3; i++) {
        sbx_seccomp_free(filters[i]);
        sbx_seccomp_free(kill_filters[i]);
    }
    return 0;
}

/*** A classic BPF interpreter, enough for what libseccomp emits ***/

struct fake_call {
    int nr;
    uint32_t arch;
    uint64_t args[6];
};

static uint32_t load_word(const struct fake_call *c, uint32_t off)
{
    struct seccomp_data d = {.nr = c->nr, .arch = c->arch};
    memcpy(d.args, c->args, sizeof d.args);
    uint32_t w;
    assert_true(off + 4 <= sizeof d);
    memcpy(&w, (const char *)&d + off, 4);
    return w;
}

static bool jump_taken(uint16_t code, uint32_t a, uint32_t k)
{
    switch (BPF_OP(code)) {
    case BPF_JEQ:
        return a == k;
    case BPF_JGT:
        return a > k;
    case BPF_JGE:
        return a >= k;
    case BPF_JSET:
        return (a & k) != 0;
    }
    fail_msg("unknown jump op 0x%x", code);
    return false;
}

/* Runs the program on one call; returns its SECCOMP_RET_* value. */
static uint32_t bpf_run(const struct sock_filter *prog, size_t n, const struct fake_call *c)
{
    uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};
    for (size_t pc = 0; pc < n; pc++) {
        const struct sock_filter *i = &prog[pc];
        switch (BPF_CLASS(i->code)) {
        case BPF_LD:
            if (BPF_MODE(i->code) == BPF_ABS)
                a = load_word(c, i->k);
            else if (BPF_MODE(i->code) == BPF_MEM)
                a = mem[i->k];
            else if (BPF_MODE(i->code) == BPF_IMM)
                a = i->k;
            else
                fail_msg("unknown load 0x%x", i->code);
            break;
        case BPF_LDX:
            x = BPF_MODE(i->code) == BPF_MEM ? mem[i->k] : i->k;
            break;
        case BPF_ST:
            mem[i->k] = a;
            break;
        case BPF_STX:
            mem[i->k] = x;
            break;
        case BPF_ALU:
            if (BPF_OP(i->code) == BPF_AND)
                a &= BPF_SRC(i->code) == BPF_X ? x : i->k;
            else if (BPF_OP(i->code) == BPF_OR)
                a |= BPF_SRC(i->code) == BPF_X ? x : i->k;
            else
                fail_msg("unknown alu 0x%x", i->code);
            break;
        case BPF_JMP:
            if (BPF_OP(i->code) == BPF_JA)
                pc += i->k;
            else
                pc += jump_taken(i->code, a, BPF_SRC(i->code) == BPF_X ? x : i->k) ? i->jt : i->jf;
            break;
        case BPF_RET:
            return BPF_RVAL(i->code) == BPF_A ? a : i->k;
        case BPF_MISC:
            if (BPF_MISCOP(i->code) == BPF_TAX)
                x = a;
            else
                a = x;
            break;
        default:
            fail_msg("unknown instruction 0x%x", i->code);
        }
    }
    fail_msg("program ran off its end");
    return 0;
}

static uint32_t decide(const struct sbx_filter *f, bool notify, const struct fake_call *c)
{
    size_t n;
    const struct sock_filter *prog = sbx_seccomp_program(f, notify, &n);
    assert_non_null(prog);
    return bpf_run(prog, n, c);
}

static int nr_of(const char *name)
{
    int nr = seccomp_syscall_resolve_name(name);
    assert_true(nr >= 0);
    return nr;
}

static struct fake_call call(const char *name)
{
    return (struct fake_call){.nr = nr_of(name), .arch = AUDIT_ARCH_X86_64};
}

/* The forbidden action of each variant: notify or kill. */
static uint32_t forbidden(bool notify)
{
    return notify ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_KILL_PROCESS;
}

/* Checks one call against every policy, both variants; `want[p]` is 'A' allow, 'F' forbid or
 * 'E' errno (any). */
static void expect(const struct fake_call *c, const char want[3], const char *what)
{
    for (size_t p = 0; p < 3; p++) {
        for (int notify = 0; notify <= 1; notify++) {
            uint32_t got = decide(notify ? filters[p] : kill_filters[p], notify, c);
            uint32_t action = got & SECCOMP_RET_ACTION_FULL;
            bool ok = want[p] == 'A'   ? action == SECCOMP_RET_ALLOW
                      : want[p] == 'F' ? action == forbidden(notify)
                                       : action == SECCOMP_RET_ERRNO;
            if (!ok)
                fail_msg("%s (nr %d, a0 %#llx, a1 %#llx) under %s/%s: got %#x, want %c", what,
                         c->nr, (unsigned long long)c->args[0], (unsigned long long)c->args[1],
                         defs[all_policies[p]]->name, notify ? "notify" : "kill", got, want[p]);
        }
    }
}

/*** Compiling ***/

static void test_compile_every_policy(void **state)
{
    (void)state;
    for (size_t p = 0; p < 3; p++) {
        size_t n_kill, n_notify;
        assert_non_null(sbx_seccomp_program(filters[p], false, &n_kill));
        assert_true(n_kill > 10 && n_kill < 4096);
        assert_true(sbx_seccomp_has_notify(filters[p])); /* Linux 6.x has user notification */
        assert_non_null(sbx_seccomp_program(filters[p], true, &n_notify));
        assert_false(sbx_seccomp_has_notify(kill_filters[p]));
        assert_null(sbx_seccomp_program(kill_filters[p], true, &n_notify));
        assert_int_equal(n_notify, 0);
    }
    char err[128] = "";
    assert_null(sbx_seccomp_compile((enum sbx_policy)7, err, sizeof err));
    assert_non_null(strstr(err, "unknown policy"));
}

/*** Every row, on paper ***/

/* A call that matches rule r (argument values chosen to meet its condition). */
static struct fake_call matching(const struct sbx_rule *r)
{
    struct fake_call c = {.nr = r->nr > 0 ? r->nr : nr_of(r->name), .arch = AUDIT_ARCH_X86_64};
    if (r->cmp == SBX_CMP_MASKED_EQ)
        c.args[r->arg] = r->value;
    else if (r->cmp != SBX_CMP_NONE)
        c.args[r->arg] = r->value;
    return c;
}

static void test_deny_rows_forbidden_everywhere(void **state)
{
    (void)state;
    for (size_t i = 0; i < sbx_deny_n_rules; i++) {
        const struct sbx_rule *r = &sbx_deny_rules[i];
        struct fake_call c = matching(r);
        expect(&c, r->kind == SBX_RULE_ERRNO ? "EEE" : "FFF", r->name);
        /* The kernel truncates 32-bit arguments: garbage above must not open a hole. */
        if (r->cmp == SBX_CMP_MASKED_EQ && r->mask == SBX_LOW32) {
            c.args[r->arg] |= 0xdead000000000000ULL;
            expect(&c, "FFF", r->name);
        }
    }
}

static void test_errno_rows_are_not_kills(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        uint32_t ret;
    } rows[] = {
        {"clone3", SECCOMP_RET_ERRNO | ENOSYS},
        {"sync", SECCOMP_RET_ERRNO | 0},
        {"syncfs", SECCOMP_RET_ERRNO | 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct fake_call c = call(rows[i].name);
        for (size_t p = 0; p < 3; p++)
            for (int notify = 0; notify <= 1; notify++)
                assert_int_equal(decide(notify ? filters[p] : kill_filters[p], notify, &c),
                                 rows[i].ret);
    }
    struct fake_call c = call("modify_ldt");
    expect(&c, "FFF", "modify_ldt");
}

static void test_strict_allow_rows(void **state)
{
    (void)state;
    const struct sbx_policy_def *d = &sbx_policy_strict_def;
    for (size_t i = 0; i < d->n_rules; i++) {
        struct fake_call c = matching(&d->rules[i]);
        for (int notify = 0; notify <= 1; notify++) {
            uint32_t got = decide(notify ? filters[0] : kill_filters[0], notify, &c);
            if (got != SECCOMP_RET_ALLOW) fail_msg("strict: %s -> %#x", d->rules[i].name, got);
        }
    }
}

/* Arguments decide: the same call allowed or forbidden by its flags, per policy. */
static void test_argument_rules(void **state)
{
    (void)state;
    struct fake_call c = call("clone");
    c.args[0] = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM;
    expect(&c, "AAA", "clone for a thread");
    c.args[0] = SIGCHLD | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
    expect(&c, "FAA", "clone for a process (fork)");
    c.args[0] = CLONE_THREAD | CLONE_NEWUSER;
    expect(&c, "FFF", "clone with CLONE_NEWUSER");
    c.args[0] = SIGCHLD | CLONE_NEWNET;
    expect(&c, "FFF", "clone with CLONE_NEWNET");

    c = call("ioctl");
    c.args[1] = TCGETS;
    expect(&c, "AAA", "ioctl TCGETS");
    c.args[1] = TIOCSTI;
    expect(&c, "FFF", "ioctl TIOCSTI");
    c.args[1] = TIOCSTI | (1ULL << 32);
    expect(&c, "FFF", "ioctl TIOCSTI with high garbage");

    c = call("prctl");
    c.args[0] = PR_SET_NAME;
    expect(&c, "AAA", "prctl PR_SET_NAME");
    c.args[0] = PR_SET_SECCOMP;
    expect(&c, "FFF", "prctl PR_SET_SECCOMP");
    c.args[0] = PR_SET_NO_NEW_PRIVS;
    expect(&c, "FAA", "prctl PR_SET_NO_NEW_PRIVS");

    c = call("personality");
    c.args[0] = 0;
    expect(&c, "AAA", "personality(PER_LINUX)");
    c.args[0] = ADDR_NO_RANDOMIZE;
    expect(&c, "FFF", "personality(ADDR_NO_RANDOMIZE)");
    c.args[0] = READ_IMPLIES_EXEC | (1ULL << 40);
    expect(&c, "FFF", "personality(READ_IMPLIES_EXEC) with high garbage");
    c.args[0] = 0xffffffffULL;
    expect(&c, "AAA", "personality query");
    c.args[0] = 0xfffffffeULL;
    expect(&c, "FFF", "personality(all but bit 0)");
    c.args[0] = 0x7fffffffULL;
    expect(&c, "FFF", "personality(all but bit 31)");
    c.args[0] = 0x0008; /* PER_LINUX32 */
    expect(&c, "FFF", "personality(PER_LINUX32)");
    for (int bit = 0; bit < 32; bit++) {
        c.args[0] = 1ULL << bit;
        expect(&c, "FFF", "personality(one bit)");
    }
}

static void test_socket_families(void **state)
{
    (void)state;
    static const struct {
        uint64_t family;
        const char *want;
    } cases[] = {
        {AF_UNIX, "FAA"},
        {AF_INET, "FAA"},
        {AF_INET6, "FAA"},
        {AF_VSOCK, "FFF"},
        {AF_NETLINK, "FFF"},
        {AF_PACKET, "FFF"},
        {AF_ALG, "FFF"},
        {AF_MAX, "FFF"},
        {AF_UNIX | (1ULL << 32), "FFF"},
        {(uint64_t)-1, "FFF"},
        {AF_VSOCK | (1ULL << 32), "FFF"},
        {AF_UNSPEC, "FFF"}, /* and the values around the allowed ones */
        {3, "FFF"},
        {9, "FFF"},
        {11, "FFF"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fake_call c = call("socket");
        c.args[0] = cases[i].family;
        expect(&c, cases[i].want, "socket");
        c = call("socketpair");
        c.args[0] = cases[i].family;
        expect(&c, cases[i].want, "socketpair");
    }
}

static void test_foreign_abis_forbidden(void **state)
{
    (void)state;
    static const struct fake_call calls[] = {
        {.nr = X32_BIT | 39, .arch = AUDIT_ARCH_X86_64},  /* x32 getpid */
        {.nr = X32_BIT | 101, .arch = AUDIT_ARCH_X86_64}, /* x32 ptrace */
        {.nr = X32_BIT | 0, .arch = AUDIT_ARCH_X86_64},   /* x32 read */
        {.nr = 20, .arch = AUDIT_ARCH_I386},              /* int 0x80 getpid */
        {.nr = 26, .arch = AUDIT_ARCH_I386},              /* int 0x80 ptrace */
        {.nr = 172, .arch = AUDIT_ARCH_AARCH64},
    };
    for (size_t p = 0; p < 3; p++)
        for (int notify = 0; notify <= 1; notify++)
            for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
                assert_int_equal(decide(notify ? filters[p] : kill_filters[p], notify, &calls[i]),
                                 forbidden(notify));
}

static void test_unreviewed_numbers(void **state)
{
    (void)state;
    for (int nr = SBX_UNREVIEWED_FIRST; nr <= SBX_UNREVIEWED_LAST; nr += 7) {
        struct fake_call c = {.nr = nr, .arch = AUDIT_ARCH_X86_64};
        expect(&c, "FEE", "unreviewed system call");
    }
    struct fake_call c = {.nr = 467, .arch = AUDIT_ARCH_X86_64}; /* open_tree_attr */
    expect(&c, "FFF", "open_tree_attr");
    c.nr = nr_of("getpid");
    expect(&c, "AAA", "getpid");
    c.nr = nr_of("fork");
    expect(&c, "FAA", "fork");
    c.nr = nr_of("execve");
    expect(&c, "AAA", "execve");
}

/*** Names ***/

static void test_syscall_names(void **state)
{
    (void)state;
    static const struct {
        uint32_t arch;
        int nr;
        const char *name;
    } cases[] = {
        {AUDIT_ARCH_X86_64, SYS_ptrace, "ptrace"},
        {AUDIT_ARCH_X86_64, SYS_io_uring_setup, "io_uring_setup"},
        {AUDIT_ARCH_X86_64, 467, "open_tree_attr"},
        {AUDIT_ARCH_X86_64, X32_BIT | 39, "x32:getpid"},
        {AUDIT_ARCH_I386, 20, "i386:getpid"},
        {AUDIT_ARCH_X86_64, 9999, "#9999"},
    };
    char buf[SBX_SYSCALL_NAME_MAX];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sbx_seccomp_syscall_name(cases[i].arch, cases[i].nr, buf, sizeof buf);
        assert_string_equal(buf, cases[i].name);
    }
    sbx_seccomp_syscall_name(AUDIT_ARCH_X86_64, SYS_perf_event_open, buf, 5);
    assert_string_equal(buf, "perf");
}

/*** For real: a child under the filter ***/

typedef int (*child_fn)(void);

struct child {
    pid_t pid;
    int listener; /* -1 when the filter has no listener */
};

/* Forks a child that installs `f`, passes the listener, and runs fn (whose result is its exit
 * code). Everything after install uses only calls strict allows. */
static struct child start_child(const struct sbx_filter *f, child_fn fn)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(sv[0]);
        signal(SIGSEGV, SIG_DFL); /* cmocka's handlers must not catch the child's faults */
        signal(SIGSYS, SIG_DFL);
        int fd = sbx_seccomp_install(f);
        if (fd == -1) _exit(100);
        if (fd >= 0) {
            if (tp_send_fd(sv[1], fd) != 0) _exit(101);
            close(fd);
        } else if (write(sv[1], "N", 1) != 1) {
            _exit(102);
        }
        close(sv[1]);
        _exit(fn());
    }
    close(sv[1]);
    /* the listener, or -1 when the child installed without one (it sends 'N') */
    struct child c = {.pid = pid, .listener = tp_recv_fd(sv[0])};
    close(sv[0]);
    return c;
}

/* Waits up to WAIT_MS for a notification; 0 with nr/arch, -1 when the child exited first or
 * time ran out. */
static int wait_notification(int listener, int *nr, uint32_t *arch)
{
    struct pollfd pfd = {.fd = listener, .events = POLLIN};
    if (poll(&pfd, 1, WAIT_MS) != 1 || !(pfd.revents & POLLIN)) return -1;
    return sbx_seccomp_notify_read(listener, nr, arch);
}

/* Waits for the child's end (killing it after WAIT_MS); returns the wait status. */
static int reap(pid_t pid)
{
    int status;
    for (int i = 0; i < WAIT_MS / 10; i++) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return status;
        usleep(10 * 1000);
    }
    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    fail_msg("child %d did not end in time", pid);
    return status;
}

static int do_unshare_uts(void)
{
    return syscall(SYS_unshare, CLONE_NEWUTS) == 0 ? 0 : 3;
}

static void same_ns(pid_t pid, const char *ns)
{
    char a[64], b[64], path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, ns);
    ssize_t na = readlink(path, a, sizeof a - 1);
    snprintf(path, sizeof path, "/proc/self/ns/%s", ns);
    ssize_t nb = readlink(path, b, sizeof b - 1);
    assert_true(na > 0 && nb > 0);
    a[na] = b[nb] = 0;
    assert_string_equal(a, b);
}

/* The notification arrives with the right number and name, and the call never ran: the child,
 * blocked in the kernel, is still in our UTS namespace (root could unshare it otherwise). */
static void test_notification_stops_the_call(void **state)
{
    (void)state;
    for (size_t p = 0; p < 3; p++) {
        struct child c = start_child(filters[p], do_unshare_uts);
        assert_true(c.listener >= 0);
        int nr = -1;
        uint32_t arch = 0;
        assert_int_equal(wait_notification(c.listener, &nr, &arch), 0);
        assert_int_equal(nr, SYS_unshare);
        assert_int_equal(arch, AUDIT_ARCH_X86_64);
        char name[SBX_SYSCALL_NAME_MAX];
        sbx_seccomp_syscall_name(arch, nr, name, sizeof name);
        assert_string_equal(name, "unshare");
        usleep(20 * 1000);
        same_ns(c.pid, "uts");
        assert_int_equal(kill(c.pid, SIGKILL), 0);
        int status = reap(c.pid);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        close(c.listener);
    }
}

static int do_ptrace(void)
{
    return syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0) == 0 ? 0 : 3;
}

static int do_clone3(void)
{
    long r = syscall(SYS_clone3, NULL, 0);
    return r == -1 && errno == ENOSYS ? 0 : 3;
}

/* Where the kernel cannot notify, the kill-only program kills with SIGSYS. */
static void test_kill_fallback(void **state)
{
    (void)state;
    for (size_t p = 0; p < 3; p++) {
        struct child c = start_child(kill_filters[p], do_ptrace);
        assert_int_equal(c.listener, -1);
        int status = reap(c.pid);
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), SIGSYS);
    }
}

/* An errno row fails the call and the program goes on; nothing is reported. */
static void test_errno_row_for_real(void **state)
{
    (void)state;
    for (size_t p = 0; p < 3; p++) {
        struct child c = start_child(filters[p], do_clone3);
        int status = reap(c.pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        int nr;
        uint32_t arch;
        /* nothing was reported, and with the child gone the listener has hung up */
        assert_int_equal(sbx_seccomp_notify_read(c.listener, &nr, &arch), -2);
        close(c.listener);
    }
}

static int do_x32_getpid(void)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"((long)(X32_BIT | 39)) : "rcx", "r11", "memory");
    return 3; /* reached only if the filter let it through */
}

static int do_int80_getpid(void)
{
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "r8", "r9", "r10", "r11", "memory");
    return r > 0 ? 4 : 3;
}

/* Runs fn under the notify and the kill program of every policy: the notify program must report
 * (want_nr, want_arch) named want_name, the kill program must kill with SIGSYS. */
static void expect_foreign(child_fn fn, int want_nr, uint32_t want_arch, const char *want_name)
{
    for (size_t p = 0; p < 3; p++) {
        struct child c = start_child(filters[p], fn);
        int nr = -1;
        uint32_t arch = 0;
        assert_int_equal(wait_notification(c.listener, &nr, &arch), 0);
        assert_int_equal(nr, want_nr);
        assert_int_equal(arch, want_arch);
        char name[SBX_SYSCALL_NAME_MAX];
        sbx_seccomp_syscall_name(arch, nr, name, sizeof name);
        assert_string_equal(name, want_name);
        kill(c.pid, SIGKILL);
        reap(c.pid);
        close(c.listener);

        c = start_child(kill_filters[p], fn);
        int status = reap(c.pid);
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), SIGSYS);
    }
}

static void test_x32_forbidden(void **state)
{
    (void)state;
    expect_foreign(do_x32_getpid, X32_BIT | 39, AUDIT_ARCH_X86_64, "x32:getpid");
}

/* Without a filter, what does int 0x80 do on this kernel? Some kernels (ia32_emulation=0, some
 * hypervisors) fault it with SIGSEGV before any system call code runs. */
static int int80_unfiltered(void)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGSEGV, SIG_DFL);
        _exit(do_int80_getpid());
    }
    return reap(pid);
}

static void test_int80_forbidden(void **state)
{
    (void)state;
    int bare = int80_unfiltered();
    if (WIFEXITED(bare) && WEXITSTATUS(bare) == 4) {
        expect_foreign(do_int80_getpid, 20, AUDIT_ARCH_I386, "i386:getpid");
        return;
    }
    /* The kernel faults int 0x80 itself (ia32_emulation=0, some hypervisors): SIGSEGV before
     * any system call code runs; the filter's architecture check is covered on paper above. */
    print_message("int 0x80 faults on this kernel even without a filter\n");
    for (size_t p = 0; p < 3; p++) {
        struct child c = start_child(filters[p], do_int80_getpid);
        int status = reap(c.pid);
        assert_true(WIFSIGNALED(status));
        assert_true(WTERMSIG(status) == SIGSYS || WTERMSIG(status) == SIGSEGV);
        close(c.listener);
    }
}

/* Allowed calls work under the strictest policy: memory, time, pipes, threads' building blocks. */
static int do_allowed(void)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return 10;
    if (write(fds[1], "ok", 2) != 2) return 11;
    char buf[2];
    if (read(fds[0], buf, 2) != 2 || memcmp(buf, "ok", 2) != 0) return 12;
    void *m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return 13;
    memset(m, 1, 1 << 20);
    if (munmap(m, 1 << 20) != 0) return 14;
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 15;
    if (syscall(SYS_getpid) <= 0 || syscall(SYS_gettid) <= 0) return 16;
    if (prctl(PR_SET_NAME, "gavel-t", 0, 0, 0) != 0) return 17;
    if (syscall(SYS_personality, 0xffffffffUL) < 0) return 18;
    if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS) return 19;
    if (syscall(SYS_sync) != 0) return 20; /* a no-op that succeeds */
    return 0;
}

static void test_allowed_calls_work(void **state)
{
    (void)state;
    for (size_t p = 0; p < 3; p++) {
        struct child c = start_child(filters[p], do_allowed);
        int nr = -1;
        uint32_t arch = 0;
        if (wait_notification(c.listener, &nr, &arch) == 0) {
            kill(c.pid, SIGKILL);
            waitpid(c.pid, NULL, 0);
            char name[SBX_SYSCALL_NAME_MAX];
            sbx_seccomp_syscall_name(arch, nr, name, sizeof name);
            fail_msg("%s forbade %s", defs[all_policies[p]]->name, name);
        }
        int status = reap(c.pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        close(c.listener);
    }
}

/* A forbidden call in a grandchild reaches the same listener. */
static int do_fork_then_ptrace(void)
{
    if (setpgid(0, 0) != 0) return 5;
    pid_t pid = (pid_t)syscall(SYS_fork);
    if (pid == 0) _exit(do_ptrace());
    for (;;)
        pause();
}

static void test_grandchild_reported(void **state)
{
    (void)state;
    struct child c = start_child(filters[1], do_fork_then_ptrace);
    int nr = -1;
    uint32_t arch = 0;
    assert_int_equal(wait_notification(c.listener, &nr, &arch), 0);
    assert_int_equal(nr, SYS_ptrace);
    /* the grandchild is blocked in the kernel: kill the whole process group */
    assert_int_equal(kill(-c.pid, SIGKILL), 0);
    reap(c.pid);
    close(c.listener);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compile_every_policy),
        cmocka_unit_test(test_deny_rows_forbidden_everywhere),
        cmocka_unit_test(test_errno_rows_are_not_kills),
        cmocka_unit_test(test_strict_allow_rows),
        cmocka_unit_test(test_argument_rules),
        cmocka_unit_test(test_socket_families),
        cmocka_unit_test(test_foreign_abis_forbidden),
        cmocka_unit_test(test_unreviewed_numbers),
        cmocka_unit_test(test_syscall_names),
        cmocka_unit_test(test_notification_stops_the_call),
        cmocka_unit_test(test_kill_fallback),
        cmocka_unit_test(test_errno_row_for_real),
        cmocka_unit_test(test_x32_forbidden),
        cmocka_unit_test(test_int80_forbidden),
        cmocka_unit_test(test_allowed_calls_work),
        cmocka_unit_test(test_grandchild_reported),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
