/*
 * cli_client.c - a gavel-sandbox command's side of the sandbox server (cli_server.c).
 *
 * Theory of operation. The command offers its run to the server of its executable and base
 * folder (cli_wire.h names the socket): it connects without blocking, sends the header with its
 * stdin/stdout/stderr descriptors and the payload, and waits for the reply. No server, a full
 * backlog, a failed send, a busy pool, a request over the caps, a server stopping: nothing ran,
 * and the command runs the program itself, as it always could. A connection lost without any
 * reply is the sandbox's failure (JE): the server died during the run, and the program may
 * already have had effects (cli_wire.h). Auto-starting: a command that found no server for the
 * default base folder starts one in the background once it has printed its own result.
 * Stopping (for --cleanup): every server of the base folder, of any executable, is found by its
 * lock file and asked to quit; its lock is released when it has, and the free lock file is
 * removed (holding the lock, so a server starting at that moment notices and makes a new one).
 */
#include "cli_server.h"
#include "cli_wire.h"

#include "gv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CLI_STOP_WAIT_MS 15000 /* how long --cleanup waits for a server to finish its runs */
#define CLI_STOP_POLL_MS 5
#define CLI_SERVER_EXE   "/proc/self/exe"
#define CLI_RESPAWN_WAIT_S 10 /* no new server this soon after one started (or failed to) */

enum cli_client_mode cli_client_mode_from_env(void)
{
    const char *v = getenv("GAVEL_SANDBOX_SERVER");
    if (v == NULL)
        return CLI_CLIENT_AUTO;
    if (strcmp(v, "0") == 0 || strcmp(v, "off") == 0)
        return CLI_CLIENT_OFF;
    return strcmp(v, "require") == 0 ? CLI_CLIENT_REQUIRE : CLI_CLIENT_AUTO;
}

/*** Talking to a server ***/

/* Connects to path without blocking (a full backlog is EAGAIN, not a wait). fd or -1. */
static int connect_to(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (gv_strlcpy(sa.sun_path, path, sizeof sa.sun_path) >= sizeof sa.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The header with up to three descriptors, then the payload. */
static int send_request(int fd, const struct cli_wire_header *h, const char *payload,
                        const struct sbx_spec *spec)
{
    int fds[3];
    size_t n = 0;
    const int spec_fds[3] = {spec->stdin_fd, spec->stdout_fd, spec->stderr_fd};
    for (int i = 0; i < 3; i++)
        if (spec_fds[i] >= 0)
            fds[n++] = spec_fds[i];
    if (gv_send_fds(fd, h, sizeof *h, fds, n) < 0)
        return -1;
    return gv_send_all(fd, payload, h->payload_len);
}

/* One whole reply: 0, or -1 (EOF or an error before it was complete, or a malformed one). */
static int recv_reply(int fd, struct cli_wire_reply *rep)
{
    if (gv_read_full(fd, rep, sizeof *rep) != (ssize_t)sizeof *rep)
        return -1;
    return cli_wire_check_reply(rep);
}

static enum cli_client_outcome not_served(char *why, size_t size, const char *fmt, const char *arg)
{
    snprintf(why, size, fmt, arg);
    return CLI_NOT_SERVED;
}

/* After the request went out: its one reply (cli_wire.h: none at all means the server died). */
static enum cli_client_outcome await_result(int fd, struct sbx_result *r, int *rc, char *why,
                                            size_t why_size)
{
    struct cli_wire_reply rep;
    if (recv_reply(fd, &rep) < 0) {
        memset(r, 0, sizeof *r);
        r->status = SBX_JE;
        snprintf(r->message, sizeof r->message, "the sandbox server went away during the run");
        *rc = -1;
        return CLI_LOST;
    }
    if (rep.code == CLI_REPLY_RAN) {
        *r = rep.result;
        *rc = rep.rc;
        return CLI_SERVED;
    }
    if (rep.code == CLI_REPLY_BAD)
        gv_warn("sandbox server: it called the request malformed: %s", rep.result.message);
    return not_served(why, why_size, "%s", rep.result.message);
}

enum cli_client_outcome cli_client_run(const char *base_dir, const struct sbx_spec *spec,
                                       struct sbx_result *r, int *rc, char *why, size_t why_size)
{
    struct cli_server_addr addr;
    if (cli_server_addr(base_dir, &addr) < 0)
        return not_served(why, why_size, "stat %s", CLI_SERVER_EXE);
    int fd = connect_to(addr.sock_path);
    if (fd < 0) {
        bool none = errno == ENOENT || errno == ECONNREFUSED;
        snprintf(why, why_size, "connect %s: %s", addr.sock_path, strerror(errno));
        return none ? CLI_NO_SERVER : CLI_NOT_SERVED;
    }
    struct cli_wire_header h;
    char *payload = NULL;
    enum cli_client_outcome out;
    if (cli_wire_encode(spec, addr.build_id, &h, &payload) < 0) {
        out = not_served(why, why_size, "%s", "the command is over the server's caps");
    } else {
        mode_t mask = umask(022);
        umask(mask);
        h.umask = (uint32_t)mask;
        if (send_request(fd, &h, payload, spec) < 0)
            out = not_served(why, why_size, "send: %s", strerror(errno));
        else
            out = await_result(fd, r, rc, why, why_size);
    }
    free(payload);
    close(fd);
    return out;
}

/*** Starting and stopping servers ***/

/* A server started less than CLI_RESPAWN_WAIT_S ago (its lock file's mtime: a server touches it
 * when it takes the lock, and removes it when it stops cleanly) is starting now, or failed to
 * start: either way, starting another would only cost this command a fork. */
static bool started_recently(const char *base_dir)
{
    struct cli_server_addr addr;
    struct stat st;
    struct timespec now;
    if (cli_server_addr(base_dir, &addr) < 0 || stat(addr.lock_path, &st) < 0 ||
        clock_gettime(CLOCK_REALTIME, &now) < 0)
        return false;
    return now.tv_sec - st.st_mtim.tv_sec < CLI_RESPAWN_WAIT_S;
}

int cli_client_spawn_server(const char *base_dir)
{
    if (started_recently(base_dir))
        return 0;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* The middle process: a new session, then the server as its orphan. */
        if (setsid() < 0 || fork() != 0)
            _exit(0);
        int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(null_fd, 1) < 0 || dup2(null_fd, 2) < 0)
            _exit(2);
        syscall(SYS_close_range, 3, ~0U, 0); /* (musl has no wrapper) */
        char idle[16], self[PATH_MAX];
        snprintf(idle, sizeof idle, "%d", CLI_SERVER_IDLE_DEFAULT_S);
        ssize_t n = readlink(CLI_SERVER_EXE, self, sizeof self - 1); /* for ps: which build */
        self[n > 0 ? n : 0] = '\0';
        const char *argv[] = {n > 0 ? self : "gavel-sandbox", "--server", "--idle-exit", idle,
                              base_dir ? "--base-dir" : NULL, base_dir, NULL};
        execv(CLI_SERVER_EXE, (char *const *)argv);
        _exit(2);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

/* A lock file whose flock is held: a server is alive. */
static bool lock_held(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return false;
    bool held = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
    close(fd);
    return held;
}

/* The socket beside a lock file: the same name, .sock for .lock. 0 or -1. */
static int sock_of_lock(const char *lock_path, char *sock, size_t size)
{
    size_t n = strlen(lock_path);
    if (n < 5 || n + 1 >= size || strcmp(lock_path + n - 5, ".lock") != 0)
        return -1;
    memcpy(sock, lock_path, n - 5);
    memcpy(sock + n - 5, ".sock", 6);
    return 0;
}

/* Asks the server whose lock file is lock_path to quit. */
static void send_quit(const char *lock_path)
{
    char sock[CLI_SERVER_PATH_MAX];
    if (sock_of_lock(lock_path, sock, sizeof sock) < 0)
        return;
    int fd = connect_to(sock);
    if (fd < 0)
        return; /* not listening (yet, or any more): the caller tries again */
    struct cli_wire_header h = {.magic = CLI_WIRE_MAGIC, .version = CLI_WIRE_VERSION,
                                .op = CLI_OP_QUIT};
    struct cli_wire_reply rep;
    if (gv_send_all(fd, &h, sizeof h) == 0)
        (void)recv_reply(fd, &rep);
    close(fd);
}

/* Stops one server: a quit request every CLI_STOP_POLL_MS until its lock is free (a server
 * still starting has no socket yet; one draining has none any more), at most CLI_STOP_WAIT_MS. */
static int stop_one(const char *lock_path, char *err, size_t err_size)
{
    int64_t deadline = gv_now_ms() + CLI_STOP_WAIT_MS;
    while (lock_held(lock_path)) {
        if (gv_now_ms() >= deadline) {
            snprintf(err, err_size, "the sandbox server of %s did not stop within %d ms",
                     lock_path, CLI_STOP_WAIT_MS);
            return -1;
        }
        send_quit(lock_path);
        usleep(CLI_STOP_POLL_MS * 1000);
    }
    return 0;
}

/* Removes a lock file no server holds, and the socket a killed server may have left, holding
 * the lock while unlinking (a server that locks the file after that sees its name gone and
 * makes a new one: cli_server.c take_lock). */
static void remove_free_lock(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return;
    char sock[CLI_SERVER_PATH_MAX];
    if (flock(fd, LOCK_EX | LOCK_NB) == 0 && sock_of_lock(path, sock, sizeof sock) == 0) {
        unlink(sock);
        unlink(path);
    }
    close(fd);
}

int cli_client_stop_servers(const char *base_dir, char *err, size_t err_size)
{
    char prefix[64];
    cli_server_lock_prefix(base_dir, prefix, sizeof prefix);
    DIR *d = opendir(CLI_SERVER_DIR);
    if (d == NULL)
        return errno == ENOENT ? 0 : (snprintf(err, err_size, "opendir %s: %s", CLI_SERVER_DIR,
                                               strerror(errno)), -1);
    int rc = 0;
    size_t plen = strlen(prefix);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, prefix, plen) != 0 || n < 5 || strcmp(e->d_name + n - 5, ".lock"))
            continue;
        char path[CLI_SERVER_PATH_MAX];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", CLI_SERVER_DIR, e->d_name) >= sizeof path)
            continue;
        if (stop_one(path, err, err_size) < 0)
            rc = -1;
        else
            remove_free_lock(path);
    }
    closedir(d);
    return rc;
}
