/*
 * redis_fixture.c - start and stop a private redis-server for one test.
 *
 * The port comes from binding 127.0.0.1:0 and reading back what the kernel chose; there is a short
 * window in which another process could take it, so a start that fails is retried on a new port a
 * few times. Readiness is a PING through hiredis, polled for at most RF_START_TIMEOUT_MS.
 */
#include "redis_fixture.h"

#include "gv.h"
#include "test_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RF_START_TIMEOUT_MS 10000
#define RF_START_TRIES      5
#define RF_MAX_FIXTURES     8

static struct redis_fixture *live[RF_MAX_FIXTURES];

static void rf_atexit(void)
{
    for (int i = 0; i < RF_MAX_FIXTURES; i++)
        if (live[i])
            rf_stop(live[i]);
}

static void track(struct redis_fixture *rf, int on)
{
    static int registered;
    if (!registered) {
        atexit(rf_atexit);
        registered = 1;
    }
    for (int i = 0; i < RF_MAX_FIXTURES; i++) {
        if (on && !live[i]) {
            live[i] = rf;
            return;
        }
        if (!on && live[i] == rf)
            live[i] = NULL;
    }
}

static int ping(int port)
{
    struct timeval tv = {0, 200000};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
    int ok = 0;
    if (c && !c->err) {
        redisReply *r = redisCommand(c, "PING");
        ok = r && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0;
        if (r)
            freeReplyObject(r);
    }
    if (c)
        redisFree(c);
    return ok;
}

static pid_t spawn(struct redis_fixture *rf)
{
    char port[16], logfile[300];
    snprintf(port, sizeof port, "%d", rf->port);
    snprintf(logfile, sizeof logfile, "%s/redis.log", rf->dir);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* Child: die with the test, whatever happens to it. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO);
        dup2(devnull, STDOUT_FILENO);
    }
    execlp("redis-server", "redis-server", "--port", port, "--bind", "127.0.0.1", "--dir", rf->dir,
           "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--logfile", logfile,
           "--daemonize", "no", (char *)NULL);
    fprintf(stderr, "redis_fixture: exec redis-server: %s\n", strerror(errno));
    _exit(127);
}

static int wait_ready(struct redis_fixture *rf)
{
    int64_t deadline = gv_now_ms() + RF_START_TIMEOUT_MS;
    while (gv_now_ms() < deadline) {
        if (ping(rf->port))
            return 0;
        int status;
        if (waitpid(rf->pid, &status, WNOHANG) == rf->pid) {
            rf->pid = 0;
            return -1;
        }
        struct timespec ts = {0, 20 * 1000000};
        nanosleep(&ts, NULL);
    }
    return -1;
}

static int start_on_new_port(struct redis_fixture *rf)
{
    for (int attempt = 0; attempt < RF_START_TRIES; attempt++) {
        rf->port = tp_free_port();
        if (rf->port < 0)
            continue;
        snprintf(rf->url, sizeof rf->url, "redis://127.0.0.1:%d", rf->port);
        rf->pid = spawn(rf);
        if (rf->pid < 0) {
            fprintf(stderr, "redis_fixture: fork: %s\n", strerror(errno));
            return -1;
        }
        if (wait_ready(rf) == 0)
            return 0;
        if (rf->pid > 0) {
            kill(rf->pid, SIGKILL);
            waitpid(rf->pid, NULL, 0);
            rf->pid = 0;
        }
    }
    fprintf(stderr, "redis_fixture: redis-server did not start (see %s/redis.log)\n", rf->dir);
    return -1;
}

int rf_start(struct redis_fixture *rf)
{
    memset(rf, 0, sizeof *rf);
    const char *tmp = getenv("TMPDIR");
    snprintf(rf->dir, sizeof rf->dir, "%s/gavel-redis-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(rf->dir)) {
        fprintf(stderr, "redis_fixture: mkdtemp %s: %s\n", rf->dir, strerror(errno));
        return -1;
    }
    track(rf, 1);
    return start_on_new_port(rf);
}

void rf_kill(struct redis_fixture *rf)
{
    if (rf->pid > 0) {
        kill(rf->pid, SIGKILL);
        waitpid(rf->pid, NULL, 0);
        rf->pid = 0;
    }
}

int rf_restart(struct redis_fixture *rf, int hard)
{
    if (rf->pid > 0) {
        kill(rf->pid, hard ? SIGKILL : SIGTERM);
        waitpid(rf->pid, NULL, 0);
        rf->pid = 0;
    }
    rf->pid = spawn(rf);
    if (rf->pid < 0)
        return -1;
    return wait_ready(rf);
}

void rf_stop(struct redis_fixture *rf)
{
    rf_kill(rf);
    if (rf->dir[0]) {
        tp_rm_tree(rf->dir);
        rf->dir[0] = '\0';
    }
    track(rf, 0);
}
