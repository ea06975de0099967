/*
 * policy_runtime.c - interpreters and virtual machines (python3, java, node): the deny-list alone.
 *
 * Runtimes call far more than native programs (threads, processes, epoll, signals, mprotect for
 * JITs, madvise for garbage collectors) and change what they call with every release, so an
 * allow-list would break with each new version. Everything not on the deny-list runs.
 *
 * Sockets: AF_UNIX, AF_INET and AF_INET6 may be opened. Runtimes make them for their own
 * plumbing (the JVM and node probe IPv6 support, Python's multiprocessing uses Unix sockets), and
 * there is no network to reach: the box runs in its own network namespace with no interface but a
 * loopback that is down. Every other family (netlink, packet, AF_ALG, AF_VSOCK...) is forbidden.
 */
#include <sys/socket.h>

#include "sbx_policy.h"

static const int runtime_families[] = {AF_UNIX, AF_INET, AF_INET6};

const struct sbx_policy_def sbx_policy_runtime_def = {
    .name = "runtime",
    .default_allow = true,
    .rules = NULL,
    .n_rules = 0,
    .families = runtime_families,
    .n_families = sizeof(runtime_families) / sizeof(runtime_families[0]),
};
