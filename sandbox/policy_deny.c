/*
 * policy_deny.c - the deny-list every seccomp policy starts from: the kernel's attack surface.
 *
 * The way isolate 2.4+ does it: instead of chasing every new glibc with a per-language allow-list,
 * name what an untrusted program has no business calling and forbid it everywhere. The groups:
 * namespaces and mounts (an escape needs them), tracing and other processes' memory, the big
 * kernel subsystems that keep producing exploits (bpf, perf, io_uring, keyrings, userfaultfd),
 * anything that changes the host (modules, kexec, reboot, swap, clocks, quotas, accounting, host
 * name), handle-based opens that bypass paths, installing seccomp filters of one's own, and a few
 * terminal ioctls that inject input or change line disciplines.
 *
 * Two kinds of rows: FORBID ends the run and names the call; FAIL returns an errno and the program
 * goes on (not a kill, not reported).
 *
 * clone3 is not forbidden but fails with ENOSYS: its flags live in memory where a filter cannot
 * look, and libc then falls back to clone(2), whose namespace flags the rows below do check.
 * CLONE_NEWTIME (0x80) cannot be checked on clone(2) because those bits are the exit signal there;
 * it only exists for clone3 and unshare, both closed.
 *
 * Socket families are not rows here: each policy lists the families it allows (policy_*.c) and
 * sbx_seccomp.c forbids every other one, AF_VSOCK, AF_NETLINK, AF_PACKET and AF_ALG included.
 * i386-only calls (vm86, vm86old) need no row: every non-native ABI is forbidden as a whole by the
 * filter's bad-architecture action before any row is looked at.
 */
#include <errno.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>

#include "sbx_policy.h"

/* Tables: one row per line, as written. */
// clang-format off

#define FORBID(n) {.name = (n), .kind = SBX_RULE_FORBID}
#define FORBID_NR(n, number) {.name = (n), .nr = (number), .kind = SBX_RULE_FORBID}
/* forbidden when bit `b` of argument `a` is set */
#define FORBID_BIT(n, a, b)                                                                        \
    {.name = (n), .kind = SBX_RULE_FORBID, .cmp = SBX_CMP_MASKED_EQ, .arg = (a), .mask = (b),      \
     .value = (b)}
/* forbidden when the 32-bit argument `a` is `v` */
#define FORBID_IS(n, a, v)                                                                         \
    {.name = (n), .kind = SBX_RULE_FORBID, .cmp = SBX_CMP_MASKED_EQ, .arg = (a),                   \
     .mask = SBX_LOW32, .value = (v)}
/* personality(2): forbidden when bit i of the 32-bit persona is set and bit i+1 (mod 32) clear */
#define PERSONA_ROW(i)                                                                             \
    {.name = "personality", .kind = SBX_RULE_FORBID, .cmp = SBX_CMP_MASKED_EQ, .arg = 0,           \
     .mask = (1ULL << (i)) | (1ULL << (((i) + 1) % 32)), .value = 1ULL << (i)}
#define PERSONA_ROWS_8(i)                                                                          \
    PERSONA_ROW(i), PERSONA_ROW((i) + 1), PERSONA_ROW((i) + 2), PERSONA_ROW((i) + 3),              \
        PERSONA_ROW((i) + 4), PERSONA_ROW((i) + 5), PERSONA_ROW((i) + 6), PERSONA_ROW((i) + 7)
#define FAIL(n, e) {.name = (n), .kind = SBX_RULE_ERRNO, .err = (e)}

const struct sbx_rule sbx_deny_rules[] = {
    /*** Namespaces and mounts ***/
    FORBID("unshare"),
    FORBID("setns"),
    FORBID("mount"),
    FORBID("umount2"),
    FORBID("pivot_root"),
    FORBID("chroot"),
    FORBID("open_tree"),
    FORBID("move_mount"),
    FORBID("fsopen"),
    FORBID("fsconfig"),
    FORBID("fsmount"),
    FORBID("fspick"),
    FORBID("mount_setattr"),
    FORBID_NR("open_tree_attr", 467), /* Linux 6.15; unknown to libseccomp 2.5 */
    FAIL("clone3", ENOSYS),
    FORBID_BIT("clone", 0, CLONE_NEWNS),
    FORBID_BIT("clone", 0, CLONE_NEWCGROUP),
    FORBID_BIT("clone", 0, CLONE_NEWUTS),
    FORBID_BIT("clone", 0, CLONE_NEWIPC),
    FORBID_BIT("clone", 0, CLONE_NEWUSER),
    FORBID_BIT("clone", 0, CLONE_NEWPID),
    FORBID_BIT("clone", 0, CLONE_NEWNET),

    /*** Other processes: tracing, their memory, their descriptors ***/
    FORBID("ptrace"),
    FORBID("process_vm_readv"),
    FORBID("process_vm_writev"),
    FORBID("process_madvise"),
    FORBID("pidfd_getfd"),
    FORBID("kcmp"),
    FORBID("migrate_pages"),
    FORBID("move_pages"),

    /*** Kernel subsystems with a long exploit history ***/
    FORBID("bpf"),
    FORBID("perf_event_open"),
    FORBID("io_uring_setup"),
    FORBID("io_uring_enter"),
    FORBID("io_uring_register"),
    FORBID("userfaultfd"),
    FORBID("keyctl"),
    FORBID("add_key"),
    FORBID("request_key"),
    FORBID("fanotify_init"),
    FORBID("lookup_dcookie"),
    FORBID("name_to_handle_at"),
    FORBID("open_by_handle_at"),

    /*** The host: kernel code, power, swap, clocks, quotas, accounting, logs, names ***/
    FORBID("kexec_load"),
    FORBID("kexec_file_load"),
    FORBID("init_module"),
    FORBID("finit_module"),
    FORBID("delete_module"),
    FORBID("create_module"),
    FORBID("reboot"),
    FORBID("swapon"),
    FORBID("swapoff"),
    FORBID("acct"),
    FORBID("settimeofday"),
    FORBID("clock_settime"),
    FORBID("clock_adjtime"),
    FORBID("adjtimex"),
    FORBID("quotactl"),
    FORBID("quotactl_fd"),
    FORBID("syslog"),
    FORBID("sethostname"),
    FORBID("setdomainname"),
    FORBID("vhangup"),
    FORBID("iopl"),
    FORBID("ioperm"),
    FORBID("modify_ldt"), /* x86 segment tables: old exploit surface, no use in a judge */
    FORBID("nfsservctl"),
    FORBID("uselib"),
    FORBID("_sysctl"),

    /* sync(2) flushes every file system of the host; a loop of them slows every other box's
     * I/O. They become no-ops (errno 0 is success): nothing a box writes needs them. */
    FAIL("sync", 0),
    FAIL("syncfs", 0),

    /*** Filters of its own (no stacking a listener over ours, no hiding calls) ***/
    FORBID("seccomp"),
    FORBID_IS("prctl", 0, PR_SET_SECCOMP),

    /*** Personality: only the query (0xffffffff) and the default (0) ***/
    /* Row i forbids "bit i set and bit i+1 (mod 32) clear". Any 32-bit value but all-zeros and
     * all-ones has a set bit followed by a clear one somewhere around that cycle, so these 32
     * rows forbid exactly the changes (ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, PER_LINUX32...)
     * while a libc that only asks, or resets to PER_LINUX, goes on. */
    PERSONA_ROWS_8(0),
    PERSONA_ROWS_8(8),
    PERSONA_ROWS_8(16),
    PERSONA_ROWS_8(24),

    /*** Terminals: injecting input, console tricks, line disciplines ***/
    FORBID_IS("ioctl", 1, TIOCSTI),
    FORBID_IS("ioctl", 1, TIOCLINUX),
    FORBID_IS("ioctl", 1, TIOCSETD),
    FORBID_IS("ioctl", 1, TIOCCONS),
};
// clang-format on

const size_t sbx_deny_n_rules = sizeof(sbx_deny_rules) / sizeof(sbx_deny_rules[0]);
