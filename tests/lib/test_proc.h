/*
 * test_proc.h - process and file helpers the integration tests share: a free loopback port, a
 * daemon started as a child that dies with the test, stopping it with a deadline, and the few
 * file operations test fixtures need (write a small file, remove a temp tree).
 */
#ifndef GAVEL_TEST_PROC_H
#define GAVEL_TEST_PROC_H

#include <sys/types.h>

/* A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it back, close); -1 on
 * failure. Another process may take it before the caller binds: callers retry on a new port. */
int tp_free_port(void);
/* Forks and execs argv[0] (NULL-terminated argv) with PR_SET_PDEATHSIG = SIGKILL, so the child
 * dies with the test. When out_path is not NULL, the child's stdout and stderr are appended to
 * that file. Returns the pid, or -1 when fork fails (exec failures show as exit status 127). */
pid_t tp_spawn(const char *const *argv, const char *out_path);
/* Sends sig to *pid and waits at most timeout_ms for it to exit, then SIGKILLs and reaps it.
 * Sets *pid to 0. Returns the exit status (128 + signal when killed by one), or -1 when it had
 * to be SIGKILLed or *pid was not a child. */
int tp_stop(pid_t *pid, int sig, int timeout_ms);
/* Writes text to dir/name (created or truncated, mode 0644); 0 or -1 with a message on stderr. */
int tp_write_file(const char *dir, const char *name, const char *text);
/* Removes a folder and everything below it (symbolic links are not followed); failures are
 * printed to stderr and skipped. */
void tp_rm_tree(const char *dir);
/* Passes a descriptor over a Unix socket (SCM_RIGHTS, with one byte 'L'); 0 or -1. */
int tp_send_fd(int sock, int fd);
/* Receives a descriptor sent by tp_send_fd (close-on-exec); the fd, or -1. */
int tp_recv_fd(int sock);

#endif
