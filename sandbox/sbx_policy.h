/*
 * sbx_policy.h - the seccomp policies as data (internal to sandbox/).
 *
 * A policy is a table of rules read by sbx_seccomp.c, which turns it into a BPF program with
 * libseccomp. Every policy starts from the common deny-list (policy_deny.c); its own file
 * (policy_strict.c, policy_runtime.c, policy_compiler.c) says whether everything else is allowed
 * (interpreters, compilers) or only an allow-list (native programs), which socket families it
 * may open, and any rules of its own.
 *
 * A rule names one system call and at most one comparison on one argument (libseccomp rejects two
 * comparisons on the same argument, so sets are written as several rules, which are OR-ed). Three
 * kinds of rule, kept apart on purpose:
 *   FORBID  the call never runs and ends the run: reported to the sandbox through the seccomp
 *           listener (or a kill where the kernel has no user notification). RTE with its name.
 *   ERRNO   the call fails with an errno and the program goes on (clone3 -> ENOSYS, so libc falls
 *           back to clone, whose flags the filter can see). Not a kill, not reported.
 *   ALLOW   the call runs (allow-lists only).
 */
#ifndef GAVEL_SBX_POLICY_H
#define GAVEL_SBX_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sbx_rule_kind { SBX_RULE_FORBID, SBX_RULE_ERRNO, SBX_RULE_ALLOW };

/* How a rule compares its argument (the libseccomp operators we use). */
enum sbx_rule_cmp {
    SBX_CMP_NONE,      /* unconditional */
    SBX_CMP_EQ,        /* arg == value (all 64 bits) */
    SBX_CMP_GE,        /* arg >= value (unsigned, 64 bits) */
    SBX_CMP_MASKED_EQ, /* (arg & mask) == value */
};

/* A 32-bit argument (int, unsigned int) that the kernel truncates: compare the low half only, so
 * garbage in the high half cannot slip past a rule. */
#define SBX_LOW32 0xffffffffULL

struct sbx_rule {
    const char *name; /* system call name as libseccomp knows it */
    int nr;           /* x86_64 number when libseccomp (2.5) does not know the name, else 0 */
    enum sbx_rule_kind kind;
    int err;               /* ERRNO: the errno returned */
    enum sbx_rule_cmp cmp; /* comparison on argument `arg` */
    unsigned arg;          /* 0..5 */
    uint64_t mask;         /* MASKED_EQ only */
    uint64_t value;
};

struct sbx_policy_def {
    const char *name;
    bool default_allow;           /* true: deny-list only; false: allow-list plus deny-list */
    const struct sbx_rule *rules; /* the policy's own rules, after the deny-list's */
    size_t n_rules;
    const int *families; /* socket families socket(2)/socketpair(2) may open */
    size_t n_families;
};

/* The common deny-list every policy starts from (policy_deny.c). */
extern const struct sbx_rule sbx_deny_rules[];
extern const size_t sbx_deny_n_rules;

/* In default-allow policies, system call numbers from here up to SBX_UNREVIEWED_LAST fail with
 * ENOSYS: calls newer than the kernel this list was reviewed against (Linux 6.18) stay closed
 * until someone looks at them. Twenty numbers are a few years of new calls; each costs the
 * filter a little, so the range is not wider. */
#define SBX_UNREVIEWED_FIRST 470
#define SBX_UNREVIEWED_LAST  489

extern const struct sbx_policy_def sbx_policy_strict_def;
extern const struct sbx_policy_def sbx_policy_runtime_def;
extern const struct sbx_policy_def sbx_policy_compiler_def;

#endif
