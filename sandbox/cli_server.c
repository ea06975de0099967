/*
 * cli_server.c - the sandbox server: ready boxes kept in a process, for gavel-sandbox commands.
 *
 * Theory of operation. A gavel-sandbox command that makes its own pool pays, on every command,
 * for what a long-lived judge pays once: taking over the kept box (namespaces, cgroups, seccomp
 * program from the cache) and first-touch page faults in a fresh process. The server is that
 * long-lived process for commands: `gavel-sandbox --server` (started by the first command on the
 * default base folder, or by an operator) makes one pool and listens on a Unix socket named after
 * the executable and base folder (cli_wire.h). A command connects, sends its spec and its
 * stdin/stdout/stderr descriptors (SCM_RIGHTS), and gets the result back; the program runs in the
 * server's box exactly as it would in the command's own (same library call, sbx_run), with the
 * command's umask (this thread's fs struct is unshared so umask is per thread).
 *
 * Who may ask: only a peer with the server's own uid (root: the sandbox needs it anyway), seen
 * through SO_PEERCRED; the socket is 0600 in a 0700 folder. A peer in another mount namespace
 * would see other host paths, so it is told to run the program itself (REFUSED). Requests are
 * capped (cli_wire.c) and must arrive whole within CONN_IO_TIMEOUT_MS of the accept; a busy pool
 * answers BUSY at once and the command runs the program itself, so nothing queues behind a long
 * run. (Clients that connect and stall can hold every worker for that long: only root can
 * connect, so this is a robustness limit, not a defence.)
 * While a run goes on, the connection is its cancel descriptor (sbx_spec.cancel_fd): a command
 * that dies (Ctrl-C, kill -9, a caller's timeout) hangs up, and the box is killed at once.
 *
 * Threads: one worker per box plus one spare, made at start, each waiting in epoll on the
 * listening socket (EPOLLEXCLUSIVE: a connection wakes one idle worker; accept is non-blocking in
 * case another took it), so a request costs no thread creation and a busy pool is still answered
 * at once by the spare. The main thread watches a signalfd (SIGTERM/SIGINT/SIGHUP) and ends the server
 * after idle_exit_s without a request. Stopping (a signal, a quit request on the eventfd every
 * worker also polls, idleness): the socket's name is removed, the workers finish the runs under
 * way and answer them, connections still in the backlog get QUITTING, the pool is freed (boxes
 * are kept for the next pool: keep_boxes), then the lock file is released - which is what a
 * --cleanup waits for. Every accepted request gets exactly one reply.
 */
#include "cli_server.h"
#include "cli_wire.h"

#include "gv.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define CONN_IO_TIMEOUT_MS 5000 /* a whole request must arrive, and a reply leave, within this */
#define LISTEN_BACKLOG     64
#define BOXES_PER_CPU      2
#define BOXES_MIN          2
#define BOXES_MAX          16
#define FDS_MAX            3 /* stdin, stdout, stderr */
#define LOCK_ATTEMPTS      8

struct server {
    struct sbx_pool *pool;
    pthread_t workers[BOXES_MAX + 1];
    unsigned n_workers;
    struct cli_server_addr addr;
    struct stat mnt_ns; /* our mount namespace, to compare peers' with */
    int listen_fd, wake_fd, sig_fd, lock_fd;
    pthread_mutex_t lock;
    unsigned active; /* connections being served */
    int64_t last_ms; /* when the last connection ended */
};

struct conn {
    struct server *srv;
    int fd;
    int64_t deadline_ms; /* the whole request must have arrived by then */
    int fds[FDS_MAX];
    unsigned n_fds;
};

/*** Replies and requests ***/

static void reply(int fd, enum cli_wire_code code, int rc, const struct sbx_result *r,
                  const char *message)
{
    struct cli_wire_reply rep;
    memset(&rep, 0, sizeof rep);
    rep.magic = CLI_WIRE_MAGIC;
    rep.version = CLI_WIRE_VERSION;
    rep.code = code;
    rep.rc = rc;
    if (r != NULL)
        rep.result = *r;
    else
        rep.result.status = SBX_JE;
    if (message != NULL)
        gv_strlcpy(rep.result.message, message, sizeof rep.result.message);
    (void)gv_send_all(fd, &rep, sizeof rep); /* failing: the command went away, nobody to tell */
}

/* Takes the descriptors of one control message into c (closing any beyond FDS_MAX). */
static void take_fds(struct conn *c, struct msghdr *msg)
{
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
            continue;
        size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < n; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof fd);
            if (c->n_fds < FDS_MAX)
                c->fds[c->n_fds++] = fd;
            else
                close(fd);
        }
    }
}

/* Reads exactly len bytes (descriptors sent along are collected) before the connection's
 * deadline: a client trickling bytes gets no more time than a silent one. 0, or -1 (EOF, the
 * deadline, an error, or truncated control data). */
static int recv_exact(struct conn *c, void *buf, size_t len)
{
    char *p = buf;
    while (len > 0) {
        int64_t left = c->deadline_ms - gv_now_ms();
        struct pollfd pf = {.fd = c->fd, .events = POLLIN};
        if (left <= 0 || poll(&pf, 1, (int)left) == 0)
            return -1;
        union {
            char buf[CMSG_SPACE(FDS_MAX * sizeof(int))];
            struct cmsghdr align;
        } u;
        struct iovec iov = {.iov_base = p, .iov_len = len};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                             .msg_controllen = sizeof u.buf};
        ssize_t n = recvmsg(c->fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return -1;
        take_fds(c, &msg);
        if (msg.msg_flags & MSG_CTRUNC)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The peer is root (our uid) in our mount namespace? Else why. */
static bool peer_allowed(const struct server *s, int fd, bool *same_ns, char *why, size_t size)
{
    struct ucred cred;
    socklen_t len = sizeof cred;
    *same_ns = false;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
        snprintf(why, size, "SO_PEERCRED: %s", strerror(errno));
        return false;
    }
    if (cred.uid != geteuid()) {
        snprintf(why, size, "uid %u may not use this server", (unsigned)cred.uid);
        return false;
    }
    char path[64];
    struct stat st;
    snprintf(path, sizeof path, "/proc/%d/ns/mnt", (int)cred.pid);
    *same_ns = cred.pid > 0 && stat(path, &st) == 0 && st.st_ino == s->mnt_ns.st_ino &&
               st.st_dev == s->mnt_ns.st_dev;
    if (!*same_ns)
        snprintf(why, size, "the command runs in another mount namespace");
    return true;
}

static void close_conn_fds(struct conn *c)
{
    for (unsigned i = 0; i < c->n_fds; i++)
        close(c->fds[i]);
    c->n_fds = 0;
}

/* The stdin/stdout/stderr the header announced, in that order, into spec. */
static void give_fds(const struct cli_wire_header *h, const struct conn *c, struct sbx_spec *spec)
{
    unsigned k = 0;
    if (h->flags & CLI_WIRE_STDIN)
        spec->stdin_fd = c->fds[k++];
    if (h->flags & CLI_WIRE_STDOUT)
        spec->stdout_fd = c->fds[k++];
    if (h->flags & CLI_WIRE_STDERR)
        spec->stderr_fd = c->fds[k++];
}

static void request_quit(struct server *s)
{
    uint64_t one = 1;
    if (write(s->wake_fd, &one, sizeof one) < 0)
        gv_warn("sandbox server: wake the main thread: %s", strerror(errno));
}

/* Runs a decoded request in a box of the pool, answers, then cleans the box. */
static void run_request(struct conn *c, struct cli_wire_request *req)
{
    struct server *s = c->srv;
    struct sbx_box *box = sbx_box_acquire(s->pool);
    if (box == NULL) {
        reply(c->fd, CLI_REPLY_BUSY, 0, NULL, "every box of the server is running");
        return;
    }
    umask((mode_t)req->header.umask); /* this thread's own: see worker_main */
    give_fds(&req->header, c, &req->spec);
    req->spec.cancel_fd = c->fd;
    req->spec.umask = (int)(req->header.umask & 0777);
    struct sbx_result r;
    int rc = sbx_run(box, &req->spec, &r);
    reply(c->fd, CLI_REPLY_RAN, rc, &r, NULL);
    /* The box's next init starts now, while the command prints and exits. */
    char err[SBX_MESSAGE_MAX];
    if (sbx_box_prestart(box, err, sizeof err) < 0)
        gv_warn("sandbox server: box %u: start its next init: %s", sbx_box_id(box), err);
    sbx_box_release(box);
}

/* A request cut short by the deadline gets an answer (the command then runs the program itself)
 * rather than a bare close, which a command must take for a server that died mid-run. */
static const char incomplete[] = "the request did not arrive whole within the server's deadline";

static void serve(struct conn *c)
{
    struct server *s = c->srv;
    char why[SBX_MESSAGE_MAX];
    bool same_ns;
    if (!peer_allowed(s, c->fd, &same_ns, why, sizeof why)) {
        gv_warn("sandbox server: refused a connection: %s", why);
        return; /* not even a reply */
    }
    struct cli_wire_header h;
    if (recv_exact(c, &h, sizeof h) < 0) {
        reply(c->fd, CLI_REPLY_BAD, 0, NULL, incomplete); /* nobody hears it if it hung up */
        return;
    }
    if (cli_wire_check_header(&h, s->addr.build_id, why, sizeof why) < 0) {
        reply(c->fd, CLI_REPLY_BAD, 0, NULL, why);
        return;
    }
    if (h.op == CLI_OP_QUIT) {
        request_quit(s);
        reply(c->fd, CLI_REPLY_QUITTING, 0, NULL, "quitting");
        return;
    }
    char *payload = malloc(h.payload_len + 1u);
    if (payload == NULL || recv_exact(c, payload, h.payload_len) < 0) {
        free(payload);
        reply(c->fd, CLI_REPLY_BAD, 0, NULL, incomplete);
        return;
    }
    struct cli_wire_request req;
    if (cli_wire_decode(&h, payload, h.payload_len, &req, why, sizeof why) < 0) {
        reply(c->fd, CLI_REPLY_BAD, 0, NULL, why);
    } else if (c->n_fds != cli_wire_n_fds(&h)) {
        reply(c->fd, CLI_REPLY_BAD, 0, NULL, "descriptors missing or extra");
    } else if (!same_ns) {
        reply(c->fd, CLI_REPLY_REFUSED, 0, NULL, why);
    } else {
        run_request(c, &req);
    }
    cli_wire_request_free(&req);
}

/* Replies must leave within CONN_IO_TIMEOUT_MS too (a client that does not read). */
static void set_send_timeout(int fd)
{
    struct timeval tv = {.tv_sec = CONN_IO_TIMEOUT_MS / 1000,
                         .tv_usec = (CONN_IO_TIMEOUT_MS % 1000) * 1000};
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
        gv_warn("sandbox server: SO_SNDTIMEO: %s", strerror(errno));
}

static void serve_fd(struct server *s, int fd)
{
    struct conn c = {.srv = s, .fd = fd, .deadline_ms = gv_now_ms() + CONN_IO_TIMEOUT_MS};
    set_send_timeout(fd);
    pthread_mutex_lock(&s->lock);
    s->active++;
    pthread_mutex_unlock(&s->lock);
    serve(&c);
    close_conn_fds(&c);
    close(fd);
    pthread_mutex_lock(&s->lock);
    s->active--;
    s->last_ms = gv_now_ms();
    pthread_mutex_unlock(&s->lock);
}

/* A worker's epoll set: the listening socket with EPOLLEXCLUSIVE, so a connection wakes one
 * idle worker rather than all of them (each wake-up is a context switch, dear on a small VM),
 * and the quit eventfd without it, so stopping wakes every worker. */
static int worker_epoll(struct server *s)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        return -1;
    struct epoll_event lev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.fd = s->listen_fd};
    struct epoll_event wev = {.events = EPOLLIN, .data.fd = s->wake_fd};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, s->listen_fd, &lev) < 0 ||
        epoll_ctl(ep, EPOLL_CTL_ADD, s->wake_fd, &wev) < 0) {
        close(ep);
        return -1;
    }
    return ep;
}

/* A worker: takes connections until the server stops (wake_fd readable). Its fs struct is its
 * own (unshare(CLONE_FS)), so each request's umask stays in this thread. */
static void *worker_main(void *arg)
{
    struct server *s = arg;
    if (unshare(CLONE_FS) < 0)
        gv_warn("sandbox server: unshare(CLONE_FS): %s (umask shared)", strerror(errno));
    int ep = worker_epoll(s);
    if (ep < 0) {
        gv_error("sandbox server: epoll: %s", strerror(errno));
        return NULL;
    }
    for (;;) {
        struct epoll_event ev[2];
        int n = epoll_wait(ep, ev, 2, -1);
        if (n < 0 && errno != EINTR) {
            gv_error("sandbox server: epoll_wait: %s", strerror(errno));
            break;
        }
        bool quit = false, conn = false;
        for (int i = 0; i < n; i++) {
            quit |= ev[i].data.fd == s->wake_fd;
            conn |= ev[i].data.fd == s->listen_fd;
        }
        if (quit)
            break;
        if (!conn)
            continue;
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0)
            serve_fd(s, fd);
        else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
            gv_warn("sandbox server: accept: %s", strerror(errno));
    }
    close(ep);
    return NULL;
}

/* Milliseconds until the server has been idle long enough (-1: wait without end). */
static int idle_timeout(struct server *s, unsigned idle_exit_s, bool *expired)
{
    *expired = false;
    if (idle_exit_s == 0)
        return -1;
    pthread_mutex_lock(&s->lock);
    unsigned active = s->active;
    int64_t left = s->last_ms + (int64_t)idle_exit_s * 1000 - gv_now_ms();
    pthread_mutex_unlock(&s->lock);
    if (active > 0)
        return 1000; /* look again when the runs may have ended */
    *expired = left <= 0;
    return left <= 0 ? 0 : (left > 60000 ? 60000 : (int)left);
}

/* Until a signal, a quit request (wake_fd) or idleness. */
static void main_loop(struct server *s, unsigned idle_exit_s)
{
    for (;;) {
        bool expired;
        int timeout = idle_timeout(s, idle_exit_s, &expired);
        if (expired)
            return;
        struct pollfd p[2] = {{.fd = s->sig_fd, .events = POLLIN},
                              {.fd = s->wake_fd, .events = POLLIN}};
        int n = poll(p, 2, timeout);
        if (n < 0 && errno != EINTR) {
            gv_error("sandbox server: poll: %s", strerror(errno));
            return;
        }
        if (n > 0)
            return;
    }
}

/* Stops taking connections: once the socket's name is gone no command can connect, so what
 * is still in the backlog is all there will be; each gets QUITTING (run it yourself), and the
 * workers finish the runs under way and end. */
static void drain(struct server *s)
{
    if (unlink(s->addr.sock_path) < 0 && errno != ENOENT)
        gv_warn("sandbox server: unlink %s: %s", s->addr.sock_path, strerror(errno));
    request_quit(s);
    for (unsigned i = 0; i < s->n_workers; i++)
        pthread_join(s->workers[i], NULL);
    s->n_workers = 0;
    int fd;
    while (s->listen_fd >= 0 && (fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
        reply(fd, CLI_REPLY_QUITTING, 0, NULL, "the sandbox server is stopping");
        close(fd);
    }
}

/*** Setting up ***/

/* Takes the server lock: 1 when taken, 0 when another server holds it, -1 on failure. A lock
 * taken on a file that a --cleanup unlinked meanwhile is no lock: then it tries again. */
static int take_lock(struct server *s)
{
    if ((mkdir("/run/gavel", 0700) < 0 && errno != EEXIST) ||
        (mkdir(CLI_SERVER_DIR, 0700) < 0 && errno != EEXIST)) {
        gv_error("sandbox server: mkdir %s: %s", CLI_SERVER_DIR, strerror(errno));
        return -1;
    }
    for (int attempt = 0; attempt < LOCK_ATTEMPTS; attempt++) {
        s->lock_fd = open(s->addr.lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (s->lock_fd < 0) {
            gv_error("sandbox server: open %s: %s", s->addr.lock_path, strerror(errno));
            return -1;
        }
        if (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
            if (errno == EWOULDBLOCK)
                return 0;
            gv_error("sandbox server: flock %s: %s", s->addr.lock_path, strerror(errno));
            return -1;
        }
        struct stat held, named;
        if (fstat(s->lock_fd, &held) == 0 && stat(s->addr.lock_path, &named) == 0 &&
            held.st_ino == named.st_ino && held.st_dev == named.st_dev) {
            /* When this start was tried: commands do not start another for a while. */
            if (futimens(s->lock_fd, NULL) < 0)
                gv_warn("sandbox server: touch %s: %s", s->addr.lock_path, strerror(errno));
            return 1;
        }
        close(s->lock_fd);
        s->lock_fd = -1;
    }
    gv_error("sandbox server: %s keeps being replaced", s->addr.lock_path);
    return -1;
}

static int open_listener(struct server *s)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    gv_strlcpy(sa.sun_path, s->addr.sock_path, sizeof sa.sun_path);
    s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s->listen_fd < 0) {
        gv_error("sandbox server: socket: %s", strerror(errno));
        return -1;
    }
    /* We hold the lock: a socket file left here is a dead server's. */
    if (unlink(sa.sun_path) < 0 && errno != ENOENT) {
        gv_error("sandbox server: unlink %s: %s", sa.sun_path, strerror(errno));
        return -1;
    }
    mode_t old = umask(0177);
    int rc = bind(s->listen_fd, (struct sockaddr *)&sa, sizeof sa);
    umask(old);
    if (rc < 0 || listen(s->listen_fd, LISTEN_BACKLOG) < 0) {
        gv_error("sandbox server: bind/listen %s: %s", sa.sun_path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Blocks the stop signals in every thread (threads inherit the mask) and reads them here. */
static int open_signals(struct server *s)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGPIPE);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
        return -1;
    sigdelset(&set, SIGPIPE);
    s->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (s->sig_fd < 0 || s->wake_fd < 0) {
        gv_error("sandbox server: signalfd/eventfd: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static unsigned default_boxes(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN) * BOXES_PER_CPU;
    return n < BOXES_MIN ? BOXES_MIN : n > BOXES_MAX ? BOXES_MAX : (unsigned)n;
}

static int start(struct server *s, const struct cli_server_options *opt)
{
    if (cli_server_addr(opt->cfg.base_dir, &s->addr) < 0) {
        gv_error("sandbox server: stat /proc/self/exe: %s", strerror(errno));
        return -1;
    }
    int locked = take_lock(s);
    if (locked <= 0)
        return locked; /* 0: another server of ours runs */
    if (stat("/proc/self/ns/mnt", &s->mnt_ns) < 0) {
        gv_error("sandbox server: stat /proc/self/ns/mnt: %s", strerror(errno));
        return -1;
    }
    if (open_signals(s) < 0)
        return -1;
    struct sbx_config cfg = opt->cfg;
    cfg.n_boxes = cfg.n_boxes ? cfg.n_boxes : default_boxes();
    if (cfg.n_boxes > BOXES_MAX)
        cfg.n_boxes = BOXES_MAX;
    cfg.keep_boxes = true;
    char err[256];
    s->pool = sbx_pool_new(&cfg, err, sizeof err);
    if (s->pool == NULL) {
        gv_error("sandbox server: pool: %s", err);
        return -1;
    }
    if (open_listener(s) < 0)
        return -1;
    for (unsigned i = 0; i <= cfg.n_boxes; i++) { /* a worker per box and a spare */
        int err = pthread_create(&s->workers[i], NULL, worker_main, s);
        if (err != 0) {
            gv_error("sandbox server: pthread_create: %s", strerror(err));
            return -1;
        }
        s->n_workers++;
    }
    gv_info("sandbox server: %u boxes, %s, listening on %s", cfg.n_boxes,
            sbx_pool_describe(s->pool), s->addr.sock_path);
    return 1;
}

static void close_if_open(int fd)
{
    if (fd >= 0)
        close(fd);
}

int cli_server_main(const struct cli_server_options *opt)
{
    static struct server s; /* one per process; threads point at it */
    prctl(PR_SET_NAME, "gavel-sbx-srv"); /* started as /proc/self/exe, it would show as "exe" */
    s.listen_fd = s.wake_fd = s.sig_fd = s.lock_fd = -1;
    pthread_mutex_init(&s.lock, NULL);
    s.last_ms = gv_now_ms();
    int started = start(&s, opt);
    if (started > 0)
        main_loop(&s, opt->idle_exit_s);
    if (s.n_workers > 0) {
        drain(&s);
        gv_info("sandbox server: stopped");
    }
    if (started == 0) {
        gv_info("sandbox server: another server already runs for %s", s.addr.sock_path);
    }
    if (s.pool != NULL)
        sbx_pool_free(s.pool);
    close_if_open(s.listen_fd);
    close_if_open(s.sig_fd);
    close_if_open(s.wake_fd);
    if (started > 0 && unlink(s.addr.lock_path) < 0) /* while still held: see take_lock */
        gv_warn("sandbox server: unlink %s: %s", s.addr.lock_path, strerror(errno));
    close_if_open(s.lock_fd); /* last: a --cleanup waits for this */
    return started < 0 ? 2 : 0;
}
