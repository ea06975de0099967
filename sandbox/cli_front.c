/*
 * cli_front.c - the hand-over from gavel-sandbox (the front) to gavel-sandbox-core.
 *
 * Theory of operation. A served command is a process start, a few system calls and an exit, so
 * what its start costs counts. glibc's start-up asks the CPU for its features and caches with
 * some thirty CPUID instructions; under a hypervisor each one is a VM exit (27 us each on the
 * test VM, about 0.8 ms in all, 40% of a trivial program's fork + exec + exit). So
 * `gavel-sandbox` is a small front: main.c built with GAVEL_SANDBOX_FRONT, with only the command
 * line, the client side of the sandbox server and the result's JSON, linked statically against
 * musl where musl-gcc is installed (which starts without asking the CPU anything). Everything
 * else is gavel-sandbox-core, the whole program, in the same folder: the front execs it (same
 * argv, same pid) when the run is not served (no server, busy, refused ...), for --server and
 * --cleanup, and when GAVEL_SANDBOX_SERVER=0 or SBX_TIMING is set.
 *
 * After an unserved offer the core must neither ask the server again nor open the files again
 * (a FIFO on --stdin must be opened once): the front leaves the --stdin/--stdout/--stderr
 * descriptors open across execve and says in GAVEL_SANDBOX_FRONT what the offer came to and
 * which descriptors those are ("<outcome>,<fd0>,<fd1>,<fd2>", -1 for none). The core takes that
 * over and removes the variable, so a server it starts does not inherit it.
 *
 * The server's socket is named after the core executable's identity (cli_wire.c), which the
 * front therefore reads from the core's path, so front and core find the same server.
 */
#include "cli_front.h"
#include "cli_wire.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FRONT_ENV "GAVEL_SANDBOX_FRONT"

const char *cli_front_core_path(void)
{
    static char path[PATH_MAX];
    if (path[0] != '\0')
        return path;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return NULL;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash == NULL)
        return NULL;
    slash[1] = '\0';
    if ((size_t)snprintf(path, sizeof path, "%s%s", self, CLI_CORE_NAME) >= sizeof path) {
        path[0] = '\0';
        return NULL;
    }
    return path;
}

int cli_front_exec_core(char **argv, int outcome, const int fds[3])
{
    const char *core = cli_front_core_path();
    if (core == NULL) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (outcome >= 0) {
        char value[64];
        snprintf(value, sizeof value, "%d,%d,%d,%d", outcome, fds[0], fds[1], fds[2]);
        for (int i = 0; i < 3; i++) /* kept open across execve, for the core */
            if (fds[i] >= 0 && fcntl(fds[i], F_SETFD, 0) < 0)
                return -1;
        if (setenv(FRONT_ENV, value, 1) < 0)
            return -1;
    }
    execv(core, argv);
    return -1;
}

int cli_front_handed_over(int *outcome, int fds[3])
{
    const char *v = getenv(FRONT_ENV);
    if (v == NULL)
        return 0;
    int o, a, b, c;
    char tail;
    int n = sscanf(v, "%d,%d,%d,%d%c", &o, &a, &b, &c, &tail);
    unsetenv(FRONT_ENV);
    if (n != 4 || o < 0)
        return -1;
    int given[3] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        if (given[i] >= 0 && fcntl(given[i], F_SETFD, FD_CLOEXEC) < 0)
            return -1; /* not open: not from a front */
        fds[i] = given[i];
    }
    *outcome = o;
    return 1;
}
