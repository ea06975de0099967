/*
 * sbx_seccomp.h - seccomp policies, compiled once, installed in the child (internal to sandbox/).
 *
 * Each policy (strict, runtime, compiler) is a table in its own file (policy_strict.c, ...) on top
 * of a common deny-list of the kernel's attack surface (policy_deny.c). libseccomp turns a policy
 * into a BPF program once per pool (sbx_seccomp_compile); the child installs that program with
 * one seccomp(2) call right before execve (sbx_seccomp_install), which costs microseconds instead
 * of the milliseconds libseccomp would spend per run. Non-native ABIs (x32, i386 `int 0x80`) never
 * get past the filter's architecture check: forbidden as a whole, reported like a forbidden call
 * (with their arch) or killed where the kernel cannot notify.
 *
 * Reporting the forbidden call: a forbidden call returns SECCOMP_RET_USER_NOTIF, and the filter is
 * installed with SECCOMP_FILTER_FLAG_NEW_LISTENER; the child hands the listener fd to the parent
 * (over the socket the sandbox already has) and closes its copy. The call never runs: the parent
 * reads the notification (sbx_seccomp_notify_read), records the call's name and kills the box.
 * Where the kernel lacks user notification, forbidden calls kill the process (SIGSYS) instead, and
 * the name is not known.
 */
#ifndef GAVEL_SBX_SECCOMP_H
#define GAVEL_SBX_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandbox.h"

struct sbx_filter;  /* a compiled BPF program for one policy */
struct sock_filter; /* <linux/filter.h> */

/* Builds the filter of a policy. NULL with err on failure. */
struct sbx_filter *sbx_seccomp_compile(enum sbx_policy policy, char *err, size_t err_size);
/* Same, but without the user-notification program, as on kernels that lack it: forbidden calls
 * kill with SIGSYS and install returns -2 (tests use it to check that fallback). */
struct sbx_filter *sbx_seccomp_compile_kill_only(enum sbx_policy policy, char *err,
                                                 size_t err_size);
void sbx_seccomp_free(struct sbx_filter *filter);
/* A 64-bit fingerprint of everything the programs of `policy` are made from: the policy and
 * deny-list tables (by content), the libseccomp version, the architecture, whether the notify
 * variant is built, and this file's build. The on-disk cache (sbx_bpfcache.c) keys on it, so a
 * changed table, library or build never reuses an old program. */
uint64_t sbx_seccomp_key(enum sbx_policy policy, bool with_notify);
/* Whether sbx_seccomp_compile would build the notify variant on this kernel. */
bool sbx_seccomp_kernel_notify(void);
/* A filter from ready programs (copied): notify may be NULL (n_notify 0); kill may not. NULL with
 * err when a program is empty or longer than the kernel takes. */
struct sbx_filter *sbx_seccomp_from_programs(const struct sock_filter *notify, size_t n_notify,
                                             const struct sock_filter *kill, size_t n_kill,
                                             char *err, size_t err_size);
/* A copy of filter in one flat block (for a MAP_SHARED arena that a child made earlier sees):
 * the size it needs (suitably aligned), and the copy made in buf, which must stay put. */
size_t sbx_seccomp_copy_size(const struct sbx_filter *filter);
const struct sbx_filter *sbx_seccomp_copy_into(const struct sbx_filter *filter, void *buf);
/* Whether install will try the user-notification program first. */
bool sbx_seccomp_has_notify(const struct sbx_filter *filter);
/* The BPF program of the notify (or kill) variant and its length in instructions; NULL and 0 when
 * that variant was not built. For tests, which run it on made-up seccomp_data. */
const struct sock_filter *sbx_seccomp_program(const struct sbx_filter *filter, bool notify,
                                              size_t *n_insns);

/* In the child, right before execve: sets no_new_privs (again, harmless if already set) and
 * installs the filter. Returns the notification listener fd (>= 0, close-on-exec), or -2 when
 * installed without a listener (no USER_NOTIF support), or -1 with errno on failure.
 * Async-signal-safe: no allocation, no locks. Between install and execve the strict policy
 * allows only what a child needs there: sendmsg (to pass the listener), close, write, execve,
 * exit_group. */
int sbx_seccomp_install(const struct sbx_filter *filter);

/* In the box's init (sbx_run.c's C1): reads one pending notification from a listener fd
 * (non-blocking, ready per poll). Returns 0 with *nr and *arch (AUDIT_ARCH_*) filled; -1 if none is pending or on error;
 * -2 when the listener has hung up (every process under the filter is gone: stop polling it, or
 * poll() keeps returning at once until the box is reaped). The notification is not answered:
 * the calling thread stays blocked in the kernel until the box is killed, so the forbidden call
 * never runs. Async-signal-safe. */
int sbx_seccomp_notify_read(int listener_fd, int *nr, uint32_t *arch);

/* The name of system call nr of arch (AUDIT_ARCH_X86_64, ...) into buf ("ptrace", "x32:getpid",
 * "i386:mount", or "#321" when unknown). */
void sbx_seccomp_syscall_name(uint32_t arch, int nr, char *buf, size_t size);

#endif
