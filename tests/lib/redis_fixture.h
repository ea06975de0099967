/*
 * redis_fixture.h - a private redis-server for one test.
 *
 * rf_start() picks a free loopback port, makes a temp folder, starts `redis-server` there (AOF on,
 * loopback only) and waits until it answers PING. The server is tied to the test's life three
 * ways: rf_stop() in teardown, an atexit handler, and PR_SET_PDEATHSIG, so it dies with the test
 * even when the test crashes or is killed.
 */
#ifndef GAVEL_REDIS_FIXTURE_H
#define GAVEL_REDIS_FIXTURE_H

#include <sys/types.h>

struct redis_fixture {
    pid_t pid;
    int port;
    char dir[256]; /* the temp folder: AOF and log live here */
    char url[64];  /* redis://127.0.0.1:PORT */
};

/* Starts a server; 0 or -1 (with a message on stderr). */
int rf_start(struct redis_fixture *rf);
/* Kills it (SIGKILL when `hard`, else SHUTDOWN-like SIGTERM) without removing its folder, then
 * starts it again on the same port and folder: the AOF is replayed. 0 or -1. */
int rf_restart(struct redis_fixture *rf, int hard);
/* Stops the server only (folder kept), for tests of "Redis is gone". */
void rf_kill(struct redis_fixture *rf);
/* Stops the server and removes its folder. Safe to call twice. */
void rf_stop(struct redis_fixture *rf);

#endif
