/*
 * sbx_seccomp.c - turns the policy tables into BPF programs once, installs one in a child.
 *
 * Theory of operation. A policy (sbx_policy.h) is the common deny-list plus the policy's own table.
 * sbx_seccomp_compile() feeds it to libseccomp twice and exports both BPF programs into memory:
 *   - the *notify* program, where a forbidden call returns SECCOMP_RET_USER_NOTIF. Installed with
 *     SECCOMP_FILTER_FLAG_NEW_LISTENER, it gives the child a listener fd, which the sandbox hands
 *     to its parent. A forbidden call then blocks in the kernel, never runs, and shows up on the
 *     listener with its number and architecture; the sandbox reads it (sbx_seccomp_notify_read),
 *     records the name and kills the box. The blocked call is never answered.
 *   - the *kill* program, where a forbidden call kills the process with SIGSYS. It is used where
 *     the kernel has no user notification (or refuses a listener), and the call's name is unknown.
 * Calls the tables fail with an errno (clone3 -> ENOSYS) behave the same in both programs: the
 * program gets the error and goes on; they are never reported.
 *
 * Both programs only accept the native ABI. Anything else -- the i386 `int 0x80` entry (audit arch
 * I386) and x32 calls (arch X86_64 with __X32_SYSCALL_BIT in the number, which libseccomp checks
 * for on an x86_64 filter) -- hits the bad-architecture action before any rule is looked at. That
 * action is the forbidden action of the program: a notification carrying the foreign arch and
 * number (named "i386:mount", "x32:getpid"), or a kill in the kill program. Either way the call
 * never runs.
 *
 * Compiling costs milliseconds of libseccomp work, so a pool does it once. Installing is a prctl
 * and one seccomp(2) call with the ready program: no allocation, no locks, safe in a child made
 * with vfork or CLONE_VM between fork and execve.
 */
#include "sbx_seccomp.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sbx_policy.h"

#include "gv.h"

/* The largest BPF program the kernel takes (BPF_MAXINSNS), in bytes: the cap on an export. */
#define SBX_BPF_MAX_BYTES (4096 * sizeof(struct sock_filter))
/* Socket families are checked one by one below this; any value at or above it is forbidden. */
#define SBX_FAMILY_LIMIT AF_MAX
/* x32 system calls carry this bit in their number (arch/x86/include/uapi/asm/unistd.h). */
#define SBX_X32_SYSCALL_BIT 0x40000000

struct sbx_prog {
    struct sock_filter *insns; /* NULL when this variant was not built */
    struct sock_fprog fprog;   /* points at insns, ready for seccomp(2) */
};

struct sbx_filter {
    struct sbx_prog notify; /* forbidden -> SECCOMP_RET_USER_NOTIF */
    struct sbx_prog kill;   /* forbidden -> SECCOMP_RET_KILL_PROCESS */
};

enum sbx_mode { SBX_MODE_NOTIFY, SBX_MODE_KILL };

static const struct sbx_policy_def *const policy_defs[] = {
    [SBX_POLICY_STRICT] = &sbx_policy_strict_def,
    [SBX_POLICY_RUNTIME] = &sbx_policy_runtime_def,
    [SBX_POLICY_COMPILER] = &sbx_policy_compiler_def,
};

/*** Building one program ***/

static int rule_syscall_nr(const struct sbx_rule *r)
{
    if (r->nr > 0) return r->nr;
    return seccomp_syscall_resolve_name(r->name);
}

static uint32_t rule_action(const struct sbx_rule *r, enum sbx_mode mode)
{
    switch (r->kind) {
    case SBX_RULE_ALLOW:
        return SCMP_ACT_ALLOW;
    case SBX_RULE_ERRNO:
        return SCMP_ACT_ERRNO((uint32_t)r->err);
    case SBX_RULE_FORBID:
        break;
    }
    return mode == SBX_MODE_NOTIFY ? SCMP_ACT_NOTIFY : SCMP_ACT_KILL_PROCESS;
}

static int add_rule(scmp_filter_ctx ctx, const struct sbx_rule *r, enum sbx_mode mode, char *err,
                    size_t err_size)
{
    int nr = rule_syscall_nr(r);
    if (nr < 0) {
        snprintf(err, err_size, "seccomp: unknown system call %s", r->name);
        return -1;
    }
    static const enum scmp_compare ops[] = {
        [SBX_CMP_EQ] = SCMP_CMP_EQ,
        [SBX_CMP_GE] = SCMP_CMP_GE,
        [SBX_CMP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
    };
    uint32_t action = rule_action(r, mode);
    int rc;
    if (r->cmp == SBX_CMP_NONE) {
        rc = seccomp_rule_add_exact(ctx, action, nr, 0);
    } else {
        /* MASKED_EQ takes (mask, value); the others only the value. */
        bool masked = r->cmp == SBX_CMP_MASKED_EQ;
        struct scmp_arg_cmp cmp = {.arg = r->arg,
                                   .op = ops[r->cmp],
                                   .datum_a = masked ? r->mask : r->value,
                                   .datum_b = masked ? r->value : 0};
        rc = seccomp_rule_add_exact_array(ctx, action, nr, 1, &cmp);
    }
    if (rc < 0) {
        snprintf(err, err_size, "seccomp: rule for %s: %s", r->name, strerror(-rc));
        return -1;
    }
    return 0;
}

/* True when the deny-list has a FORBID row for system call nr; *conditional tells whether every
 * such row has an argument condition. */
static bool deny_forbids(int nr, bool *conditional)
{
    bool found = false;
    *conditional = true;
    for (size_t i = 0; i < sbx_deny_n_rules; i++) {
        const struct sbx_rule *d = &sbx_deny_rules[i];
        if (d->kind != SBX_RULE_FORBID || rule_syscall_nr(d) != nr) continue;
        found = true;
        if (d->cmp == SBX_CMP_NONE) *conditional = false;
    }
    return found;
}

/* An allow-list must never open what the deny-list closes. libseccomp would let an unconditional
 * ALLOW silently swallow a conditional FORBID of the same call, so such a table is refused here;
 * a conditional ALLOW of a conditionally forbidden call (clone for threads) must itself exclude
 * the forbidden values, which test_sbx_seccomp checks call by call. */
static int check_allow_rule(const struct sbx_policy_def *def, const struct sbx_rule *r, char *err,
                            size_t err_size)
{
    bool conditional;
    if (def->default_allow) {
        snprintf(err, err_size, "seccomp: policy %s allows everything, so its rule %s is wrong",
                 def->name, r->name);
        return -1;
    }
    if (!deny_forbids(rule_syscall_nr(r), &conditional)) return 0;
    if (conditional && r->cmp != SBX_CMP_NONE) return 0;
    snprintf(err, err_size, "seccomp: policy %s allows %s, which the deny-list forbids", def->name,
             r->name);
    return -1;
}

static int add_deny_list(scmp_filter_ctx ctx, const struct sbx_policy_def *def, enum sbx_mode mode,
                         char *err, size_t err_size)
{
    for (size_t i = 0; i < sbx_deny_n_rules; i++) {
        const struct sbx_rule *r = &sbx_deny_rules[i];
        /* In an allow-list policy the default action already forbids. */
        if (!def->default_allow && r->kind == SBX_RULE_FORBID) continue;
        if (add_rule(ctx, r, mode, err, err_size) != 0) return -1;
    }
    return 0;
}

static int add_policy_rules(scmp_filter_ctx ctx, const struct sbx_policy_def *def,
                            enum sbx_mode mode, char *err, size_t err_size)
{
    for (size_t i = 0; i < def->n_rules; i++) {
        const struct sbx_rule *r = &def->rules[i];
        if (r->kind == SBX_RULE_ALLOW && check_allow_rule(def, r, err, err_size) != 0) return -1;
        if (add_rule(ctx, r, mode, err, err_size) != 0) return -1;
    }
    return 0;
}

static bool family_allowed(const struct sbx_policy_def *def, int family)
{
    for (size_t i = 0; i < def->n_families; i++)
        if (def->families[i] == family) return true;
    return false;
}

/* The lowest family value from which on every value is forbidden: one past the largest allowed. */
static int family_bound(const struct sbx_policy_def *def)
{
    int bound = 0;
    for (size_t i = 0; i < def->n_families; i++)
        if (def->families[i] + 1 > bound) bound = def->families[i] + 1;
    return bound;
}

/* socket(2) and socketpair(2): the policy's families only. An allow-list policy allows each of
 * them. A deny-list policy forbids everything from one past its largest family on with a single
 * comparison (which also catches garbage in the upper 32 bits), and the few values below that
 * one by one: a short program, where one rule per family up to AF_MAX would double its size. */
static int add_family_rules(scmp_filter_ctx ctx, const struct sbx_policy_def *def,
                            enum sbx_mode mode, char *err, size_t err_size)
{
    static const char *const calls[] = {"socket", "socketpair"};
    int bound = def->default_allow ? family_bound(def) : SBX_FAMILY_LIMIT;
    for (size_t c = 0; c < sizeof(calls) / sizeof(calls[0]); c++) {
        struct sbx_rule r = {.name = calls[c], .cmp = SBX_CMP_EQ, .arg = 0};
        for (int f = 0; f < bound; f++) {
            bool allowed = family_allowed(def, f);
            if (def->default_allow == allowed) continue;
            r.kind = allowed ? SBX_RULE_ALLOW : SBX_RULE_FORBID;
            r.value = (uint64_t)f;
            if (add_rule(ctx, &r, mode, err, err_size) != 0) return -1;
        }
        if (!def->default_allow) continue;
        r.kind = SBX_RULE_FORBID;
        r.cmp = bound > 0 ? SBX_CMP_GE : SBX_CMP_NONE;
        r.value = (uint64_t)bound;
        if (add_rule(ctx, &r, mode, err, err_size) != 0) return -1;
    }
    return 0;
}

/* Deny-list policies: numbers past the reviewed table fail with ENOSYS (see sbx_policy.h). */
static int add_unreviewed(scmp_filter_ctx ctx, char *err, size_t err_size)
{
    for (int nr = SBX_UNREVIEWED_FIRST; nr <= SBX_UNREVIEWED_LAST; nr++) {
        int rc = seccomp_rule_add_exact(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
        if (rc < 0) {
            snprintf(err, err_size, "seccomp: rule for #%d: %s", nr, strerror(-rc));
            return -1;
        }
    }
    return 0;
}

static int set_attrs(scmp_filter_ctx ctx, enum sbx_mode mode, char *err, size_t err_size)
{
    /* A foreign ABI is forbidden like any forbidden call: reported with its arch where the
     * kernel can notify (so the result can say "x32:getpid"), a kill otherwise. */
    struct sbx_rule forbid = {.kind = SBX_RULE_FORBID};
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, rule_action(&forbid, mode));
    /* A binary tree over system call numbers: a few comparisons per call, not one per rule. */
    if (rc == 0) rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    if (rc < 0) {
        snprintf(err, err_size, "seccomp: filter attributes: %s", strerror(-rc));
        return -1;
    }
    return 0;
}

static scmp_filter_ctx build_ctx(const struct sbx_policy_def *def, enum sbx_mode mode, char *err,
                                 size_t err_size)
{
    struct sbx_rule fallback = {.kind = SBX_RULE_FORBID};
    uint32_t dflt = def->default_allow ? SCMP_ACT_ALLOW : rule_action(&fallback, mode);
    scmp_filter_ctx ctx = seccomp_init(dflt);
    if (ctx == NULL) {
        snprintf(err, err_size, "seccomp: seccomp_init failed");
        return NULL;
    }
    if (set_attrs(ctx, mode, err, err_size) != 0) goto err;
    if (add_deny_list(ctx, def, mode, err, err_size) != 0) goto err;
    if (add_policy_rules(ctx, def, mode, err, err_size) != 0) goto err;
    if (add_family_rules(ctx, def, mode, err, err_size) != 0) goto err;
    if (def->default_allow && add_unreviewed(ctx, err, err_size) != 0) goto err;
    return ctx;
err:
    seccomp_release(ctx);
    return NULL;
}

/* libseccomp 2.5 exports only to a descriptor: export into a memfd and read it back. */
static int export_prog(scmp_filter_ctx ctx, struct sbx_prog *prog, char *err, size_t err_size)
{
    int fd = memfd_create("gavel-seccomp", MFD_CLOEXEC);
    if (fd < 0) {
        snprintf(err, err_size, "seccomp: memfd_create: %s", strerror(errno));
        return -1;
    }
    int rc = seccomp_export_bpf(ctx, fd);
    off_t size = rc == 0 ? lseek(fd, 0, SEEK_END) : -1;
    if (rc != 0 || size <= 0 || (size_t)size > SBX_BPF_MAX_BYTES ||
        size % (off_t)sizeof(struct sock_filter) != 0) {
        snprintf(err, err_size, "seccomp: export of the BPF program failed (%s, %lld bytes)",
                 strerror(rc < 0 ? -rc : EINVAL), (long long)size);
        close(fd);
        return -1;
    }
    prog->insns = malloc((size_t)size);
    if (prog->insns == NULL || pread(fd, prog->insns, (size_t)size, 0) != size) {
        snprintf(err, err_size, "seccomp: reading the BPF program back: %s", strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);
    prog->fprog.len = (unsigned short)((size_t)size / sizeof(struct sock_filter));
    prog->fprog.filter = prog->insns;
    return 0;
}

static int build_prog(const struct sbx_policy_def *def, enum sbx_mode mode, struct sbx_prog *prog,
                      char *err, size_t err_size)
{
    scmp_filter_ctx ctx = build_ctx(def, mode, err, err_size);
    if (ctx == NULL) return -1;
    int rc = export_prog(ctx, prog, err, err_size);
    seccomp_release(ctx);
    return rc;
}

/*** Compiling and installing ***/

/* Whether the running kernel knows SECCOMP_RET_USER_NOTIF (Linux 5.0+). */
static bool kernel_has_notify(void)
{
    uint32_t action = SECCOMP_RET_USER_NOTIF;
    return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

static struct sbx_filter *compile_modes(enum sbx_policy policy, bool with_notify, char *err,
                                        size_t err_size)
{
    if ((unsigned)policy >= sizeof(policy_defs) / sizeof(policy_defs[0])) {
        snprintf(err, err_size, "seccomp: unknown policy %d", (int)policy);
        return NULL;
    }
    const struct sbx_policy_def *def = policy_defs[policy];
    struct sbx_filter *f = calloc(1, sizeof(*f));
    if (f == NULL) {
        snprintf(err, err_size, "seccomp: out of memory");
        return NULL;
    }
    if (build_prog(def, SBX_MODE_KILL, &f->kill, err, err_size) != 0) goto err;
    if (with_notify && build_prog(def, SBX_MODE_NOTIFY, &f->notify, err, err_size) != 0) goto err;
    return f;
err:
    sbx_seccomp_free(f);
    return NULL;
}

struct sbx_filter *sbx_seccomp_compile(enum sbx_policy policy, char *err, size_t err_size)
{
    return compile_modes(policy, kernel_has_notify(), err, err_size);
}

bool sbx_seccomp_kernel_notify(void)
{
    return kernel_has_notify();
}

/*** Fingerprint and ready programs (for the on-disk cache) ***/

/* Bump when the way programs are built from the tables changes in a way the build stamp below
 * would not catch (it changes with every compile of this file anyway). */
#define SBX_SECCOMP_CODE_VERSION 1
static uint64_t fnv_u64(uint64_t h, uint64_t v)
{
    return gv_fnv1a(h, &v, sizeof v);
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
    return s == NULL ? fnv_u64(h, 0) : gv_fnv1a(h, s, strlen(s) + 1);
}

static uint64_t hash_rules(uint64_t h, const struct sbx_rule *rules, size_t n)
{
    h = fnv_u64(h, n);
    for (size_t i = 0; i < n; i++) {
        const struct sbx_rule *r = &rules[i];
        h = fnv_str(h, r->name);
        h = fnv_u64(h, (uint64_t)r->nr);
        h = fnv_u64(h, (uint64_t)r->kind);
        h = fnv_u64(h, (uint64_t)r->err);
        h = fnv_u64(h, (uint64_t)r->cmp);
        h = fnv_u64(h, r->arg);
        h = fnv_u64(h, r->mask);
        h = fnv_u64(h, r->value);
    }
    return h;
}

uint64_t sbx_seccomp_key(enum sbx_policy policy, bool with_notify)
{
    if ((unsigned)policy >= sizeof(policy_defs) / sizeof(policy_defs[0])) return 0;
    const struct sbx_policy_def *def = policy_defs[policy];
    const struct scmp_version *v = seccomp_version();
    uint64_t h = GV_FNV1A_OFFSET;
    h = fnv_u64(h, SBX_SECCOMP_CODE_VERSION);
    h = fnv_str(h, __DATE__ " " __TIME__);
    h = fnv_u64(h, v ? ((uint64_t)v->major << 32 | v->minor << 16 | v->micro) : 0);
    h = fnv_u64(h, seccomp_arch_native());
    h = fnv_u64(h, with_notify);
    h = fnv_u64(h, SBX_UNREVIEWED_FIRST);
    h = fnv_u64(h, SBX_UNREVIEWED_LAST);
    h = fnv_u64(h, SBX_FAMILY_LIMIT);
    h = hash_rules(h, sbx_deny_rules, sbx_deny_n_rules);
    h = fnv_str(h, def->name);
    h = fnv_u64(h, def->default_allow);
    h = hash_rules(h, def->rules, def->n_rules);
    h = fnv_u64(h, def->n_families);
    for (size_t i = 0; i < def->n_families; i++)
        h = fnv_u64(h, (uint64_t)def->families[i]);
    return h;
}

static int copy_prog(struct sbx_prog *prog, const struct sock_filter *insns, size_t n)
{
    if (n == 0 || n * sizeof(*insns) > SBX_BPF_MAX_BYTES) {
        errno = EINVAL;
        return -1;
    }
    prog->insns = malloc(n * sizeof(*insns));
    if (prog->insns == NULL) return -1;
    memcpy(prog->insns, insns, n * sizeof(*insns));
    prog->fprog.len = (unsigned short)n;
    prog->fprog.filter = prog->insns;
    return 0;
}

struct sbx_filter *sbx_seccomp_from_programs(const struct sock_filter *notify, size_t n_notify,
                                             const struct sock_filter *kill, size_t n_kill,
                                             char *err, size_t err_size)
{
    struct sbx_filter *f = calloc(1, sizeof(*f));
    if (f == NULL || copy_prog(&f->kill, kill, n_kill) != 0 ||
        (n_notify > 0 && copy_prog(&f->notify, notify, n_notify) != 0)) {
        snprintf(err, err_size, "seccomp: ready program (%zu, %zu instructions): %s", n_notify,
                 n_kill, strerror(errno));
        sbx_seccomp_free(f);
        return NULL;
    }
    return f;
}

static size_t prog_bytes(const struct sbx_prog *p)
{
    return p->insns != NULL ? (size_t)p->fprog.len * sizeof(struct sock_filter) : 0;
}

size_t sbx_seccomp_copy_size(const struct sbx_filter *filter)
{
    return sizeof *filter + prog_bytes(&filter->notify) + prog_bytes(&filter->kill);
}

/* One variant into *at, which moves past it. */
static void flat_prog(struct sbx_prog *dst, const struct sbx_prog *src, char **at)
{
    size_t n = prog_bytes(src);
    *dst = (struct sbx_prog){0};
    if (n == 0)
        return;
    dst->insns = (struct sock_filter *)(void *)*at;
    memcpy(dst->insns, src->insns, n);
    dst->fprog.len = src->fprog.len;
    dst->fprog.filter = dst->insns;
    *at += n;
}

const struct sbx_filter *sbx_seccomp_copy_into(const struct sbx_filter *filter, void *buf)
{
    struct sbx_filter *copy = buf;
    char *at = (char *)(copy + 1);
    flat_prog(&copy->notify, &filter->notify, &at);
    flat_prog(&copy->kill, &filter->kill, &at);
    return copy;
}

struct sbx_filter *sbx_seccomp_compile_kill_only(enum sbx_policy policy, char *err, size_t err_size)
{
    return compile_modes(policy, false, err, err_size);
}

void sbx_seccomp_free(struct sbx_filter *filter)
{
    if (filter == NULL) return;
    free(filter->notify.insns);
    free(filter->kill.insns);
    free(filter);
}

bool sbx_seccomp_has_notify(const struct sbx_filter *filter)
{
    return filter->notify.insns != NULL;
}

const struct sock_filter *sbx_seccomp_program(const struct sbx_filter *filter, bool notify,
                                              size_t *n_insns)
{
    const struct sbx_prog *p = notify ? &filter->notify : &filter->kill;
    *n_insns = p->insns != NULL ? p->fprog.len : 0;
    return p->insns;
}

int sbx_seccomp_install(const struct sbx_filter *filter)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
    if (filter->notify.insns != NULL) {
        long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
                          &filter->notify.fprog);
        if (fd >= 0) return (int)fd;
        /* EINVAL: a kernel without listeners; EBUSY: a listener already up the chain. Both
         * leave the kill program as the way to go. */
        if (errno != EINVAL && errno != EBUSY) return -1;
    }
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &filter->kill.fprog) != 0) return -1;
    return -2;
}

/*** The parent's side ***/

int sbx_seccomp_notify_read(int listener_fd, int *nr, uint32_t *arch)
{
    struct pollfd pfd = {.fd = listener_fd, .events = POLLIN};
    if (poll(&pfd, 1, 0) != 1) return -1;
    if (!(pfd.revents & POLLIN)) return (pfd.revents & POLLHUP) ? -2 : -1;
    struct seccomp_notif notif;
    memset(&notif, 0, sizeof(notif)); /* the kernel insists on a zeroed buffer */
    if (ioctl(listener_fd, SECCOMP_IOCTL_NOTIF_RECV, &notif) != 0) return -1;
    *nr = notif.data.nr;
    *arch = notif.data.arch;
    return 0;
}

/* Names of rows whose number libseccomp 2.5 does not know (newer kernels). */
static const char *table_name(int nr)
{
    for (size_t i = 0; i < sbx_deny_n_rules; i++)
        if (sbx_deny_rules[i].nr > 0 && sbx_deny_rules[i].nr == nr) return sbx_deny_rules[i].name;
    return NULL;
}

void sbx_seccomp_syscall_name(uint32_t arch, int nr, char *buf, size_t size)
{
    const char *prefix = "";
    if (arch == AUDIT_ARCH_X86_64 && nr >= 0 && (nr & SBX_X32_SYSCALL_BIT)) {
        prefix = "x32:";
        arch = SCMP_ARCH_X32;
    } else if (arch == AUDIT_ARCH_I386) {
        prefix = "i386:";
    }
    const char *known = arch == AUDIT_ARCH_X86_64 ? table_name(nr) : NULL;
    char *name = known == NULL ? seccomp_syscall_resolve_num_arch(arch, nr) : NULL;
    if (known != NULL)
        snprintf(buf, size, "%s", known);
    else if (name != NULL)
        snprintf(buf, size, "%s%s", prefix, name);
    else
        snprintf(buf, size, "%s#%d", prefix, nr);
    free(name);
}
