/*
 * policy_compiler.c - compilers (gcc, g++, rustc, javac): the deny-list alone.
 *
 * A compiler driver starts other programs (cc1, as, ld, collect2; rustc its linker; javac a JVM
 * with threads), so processes are allowed here and the pids limit of the run bounds them. The
 * deny-list still closes every namespace, mount and tracing call, so nothing a compiler starts can
 * leave the box.
 *
 * Sockets: AF_UNIX for the JVM under javac and for any driver plumbing; AF_INET and AF_INET6 are
 * allowed for javac's JVM, which probes IPv6 support at start. No network exists in the box (own
 * network namespace, loopback down). Every other family is forbidden.
 */
#include <sys/socket.h>

#include "sbx_policy.h"

static const int compiler_families[] = {AF_UNIX, AF_INET, AF_INET6};

const struct sbx_policy_def sbx_policy_compiler_def = {
    .name = "compiler",
    .default_allow = true,
    .rules = NULL,
    .n_rules = 0,
    .families = compiler_families,
    .n_families = sizeof(compiler_families) / sizeof(compiler_families[0]),
};
