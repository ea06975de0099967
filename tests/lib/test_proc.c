/*
 * test_proc.c - child processes and temp files for the integration tests.
 *
 * Daemons under test (gavel-gw, gavel-judge serve) are started by fork + execv with
 * PR_SET_PDEATHSIG, and the child checks that its parent did not die before the prctl took hold,
 * so a crashed or killed test never leaves one behind. Stopping polls waitpid every 20 ms up to a
 * deadline and falls back to SIGKILL, so a teardown never hangs on a stuck daemon. Temp trees are
 * removed with nftw depth-first, without following links.
 */
#include "test_proc.h"

#include "gv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define TP_STOP_POLL_US (20 * 1000)
#define TP_NFTW_MAX_FDS 16

int tp_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fprintf(stderr, "tp_free_port: socket: %s\n", strerror(errno));
        return -1;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    else
        fprintf(stderr, "tp_free_port: bind 127.0.0.1:0: %s\n", strerror(errno));
    close(fd);
    return port;
}

/* In the child: stdout and stderr appended to path. */
static void redirect_output(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "open %s: %s\n", path, strerror(errno));
        return;
    }
    if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
        fprintf(stderr, "dup2 %s: %s\n", path, strerror(errno));
    close(fd);
}

pid_t tp_spawn(const char *const *argv, const char *out_path)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "tp_spawn: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid > 0) return pid;
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(127);
    if (out_path) redirect_output(out_path);
    execv(argv[0], (char *const *)argv);
    fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

int tp_stop(pid_t *pid, int sig, int timeout_ms)
{
    if (*pid <= 0) return -1;
    if (kill(*pid, sig) != 0) fprintf(stderr, "tp_stop: kill %d: %s\n", (int)*pid, strerror(errno));
    int64_t deadline = gv_now_ms() + timeout_ms;
    int status = 0;
    while (gv_now_ms() < deadline) {
        pid_t r = waitpid(*pid, &status, WNOHANG);
        if (r == *pid) {
            *pid = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        if (r < 0) {
            fprintf(stderr, "tp_stop: waitpid %d: %s\n", (int)*pid, strerror(errno));
            *pid = 0;
            return -1;
        }
        usleep(TP_STOP_POLL_US);
    }
    kill(*pid, SIGKILL);
    waitpid(*pid, NULL, 0);
    *pid = 0;
    return -1;
}

int tp_write_file(const char *dir, const char *name, const char *text)
{
    char path[1024];
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof path) {
        fprintf(stderr, "tp_write_file: path too long: %s/%s\n", dir, name);
        return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "open %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = gv_write_all(fd, text, strlen(text));
    if (rc != 0) fprintf(stderr, "write %s: %s\n", path, strerror(errno));
    if (close(fd) != 0 && rc == 0) {
        fprintf(stderr, "close %s: %s\n", path, strerror(errno));
        rc = -1;
    }
    return rc;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    int rc = (type == FTW_DP) ? rmdir(path) : unlink(path);
    if (rc < 0) fprintf(stderr, "remove %s: %s\n", path, strerror(errno));
    return 0;
}

void tp_rm_tree(const char *dir)
{
    if (nftw(dir, remove_entry, TP_NFTW_MAX_FDS, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
        fprintf(stderr, "remove %s: %s\n", dir, strerror(errno));
}

int tp_send_fd(int sock, int fd)
{
    return gv_send_fds(sock, "L", 1, &fd, 1);
}

int tp_recv_fd(int sock)
{
    char cbuf[CMSG_SPACE(sizeof(int))] = {0};
    char byte = 0;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
    if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1 || byte != 'L')
        return -1;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    if (cm == NULL || cm->cmsg_type != SCM_RIGHTS)
        return -1;
    int fd;
    memcpy(&fd, CMSG_DATA(cm), sizeof fd);
    return fd;
}
