/*
 * test_sandbox_server.c - the gavel-sandbox server (sandbox/cli_server.c) and the command's side
 * of it (cli_client.c), end to end, as root.
 *
 * Theory of operation. The test starts its own server as a child process on a private base folder
 * (`--server --base-dir <temp> --boxes 2 --idle-exit 0`) and waits until its socket accepts. Every
 * command passes that --base-dir, so it only ever talks to this server; GAVEL_SANDBOX_SERVER is
 * set per command ("require": served or exit 2; "0": in-process; unset: auto). The cases:
 * served runs give the same results as in-process ones; the command's umask applies to files the
 * program makes; a killed command cancels its run (the box's process is gone); a full pool
 * answers BUSY at once (require fails, auto runs in-process); hostile clients on the raw socket
 * (garbage, an oversized header, descriptors missing or too many, a silent client) get BAD or a
 * closed connection within the I/O timeout and never stop others being served; the server's
 * descriptor count is the same after many runs; a server killed during a run makes the command
 * report JE; SIGTERM lets the run under way finish, then the server exits 0; --cleanup stops
 * the server (exit 0, socket gone); a server killed during a run takes its box's program down
 * with it; a client trickling its request one byte at a time is dropped at the I/O timeout like
 * a silent one. The socket is found by its name,
 * CLI_SERVER_DIR/cli-<base hash>-<exe hash>.sock, and the build id a raw request needs is the two
 * hashes xor'ed (cli_wire.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli_wire.h"
#include "gv.h"
#include "test_proc.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define FILE_MAX         (1 << 20)
#define SERVER_START_MS  15000 /* a sanitized server makes its pool more slowly */
#define CLI_WAIT_MS      30000
#define PROC_WAIT_MS     5000
#define IO_TIMEOUT_MS    5000 /* the server's CONN_IO_TIMEOUT_MS */
#define IO_SLACK_MS      2000
#define LEAK_RUNS        30

static char cli[512], testprog_dir[512], dir_arg[600];
static char tmpdir[64], base[128], data[128];
static char sock_path[CLI_SERVER_PATH_MAX];
static uint64_t build_id;
static pid_t server_pid;
static unsigned serial;

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define TESTPROG(...) "--dir", dir_arg, "--", "/t/sbx_testprog", __VA_ARGS__

/*** Running the command ***/

struct cli_run {
    int exit_status;
    cJSON *json;
    char *out, *err; /* its stdout and stderr */
    int64_t ms;
};

struct cli_job {
    pid_t pid;
    int64_t t0;
    char out[160], err[160];
};

/* Starts gavel-sandbox --base-dir <base> args... with GAVEL_SANDBOX_SERVER=mode (NULL: unset) and
 * umask mask (-1: the test's), stdout and stderr into files. */
static void cli_start(struct cli_job *j, const char *mode, int mask, const char *const *args)
{
    const char *argv[64] = {cli, "--base-dir", base};
    int n = 3;
    for (; args[n - 3] != NULL; n++) {
        assert_true(n < 62);
        argv[n] = args[n - 3];
    }
    argv[n] = NULL;
    serial++;
    snprintf(j->out, sizeof j->out, "%s/cli-%u.out", tmpdir, serial);
    snprintf(j->err, sizeof j->err, "%s/cli-%u.err", tmpdir, serial);
    j->t0 = gv_now_ms();
    j->pid = fork();
    assert_true(j->pid >= 0);
    if (j->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (mode != NULL)
            setenv("GAVEL_SANDBOX_SERVER", mode, 1);
        else
            unsetenv("GAVEL_SANDBOX_SERVER");
        if (mask >= 0)
            umask((mode_t)mask);
        int in = open("/dev/null", O_RDONLY);
        int o = open(j->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(j->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
            _exit(98);
        execv(cli, (char *const *)argv);
        _exit(99);
    }
}

/* Waits (bounded) for pid; its wait status, or -1 after killing it at the deadline. */
static int wait_bounded(pid_t pid, int timeout_ms)
{
    assert_true(pid > 0); /* never waitpid(0) or kill(0): that is the whole process group */
    int64_t deadline = gv_now_ms() + timeout_ms;
    for (;;) {
        int st;
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid)
            return st;
        if (w < 0 || gv_now_ms() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            return -1;
        }
        usleep(5000);
    }
}

static void cli_finish(struct cli_job *j, struct cli_run *r)
{
    int st = wait_bounded(j->pid, CLI_WAIT_MS);
    if (st == -1)
        fail_msg("gavel-sandbox did not end within %d ms", CLI_WAIT_MS);
    r->ms = gv_now_ms() - j->t0;
    r->exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r->out = gv_read_file(j->out, FILE_MAX, NULL);
    r->err = gv_read_file(j->err, FILE_MAX, NULL);
    if (r->out == NULL)
        r->out = strdup("");
    if (r->err == NULL)
        r->err = strdup("");
    unlink(j->out);
    unlink(j->err);
    r->json = cJSON_Parse(r->out);
    fprintf(stderr, "  -> exit %d in %lld ms, %s%s%s", r->exit_status, (long long)r->ms,
            r->out[0] ? r->out : "(no output)\n", r->err[0] ? "     stderr: " : "", r->err);
}

static void cli_run(struct cli_run *r, const char *mode, int mask, const char *const *args)
{
    struct cli_job j;
    cli_start(&j, mode, mask, args);
    cli_finish(&j, r);
}

static void cli_free(struct cli_run *r)
{
    cJSON_Delete(r->json);
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

static const char *str(const struct cli_run *r, const char *key)
{
    cJSON *v = cJSON_GetObjectItem(r->json, key);
    return cJSON_IsString(v) ? v->valuestring : "(none)";
}

static int num(const struct cli_run *r, const char *key)
{
    cJSON *v = cJSON_GetObjectItem(r->json, key);
    return cJSON_IsNumber(v) ? v->valueint : -1;
}

/* A served run (require) that worked: exit 0 with status `status`. */
static void served(struct cli_run *r, const char *status, const char *const *args)
{
    cli_run(r, "require", -1, args);
    assert_int_equal(r->exit_status, 0);
    assert_non_null(r->json);
    assert_string_equal(str(r, "status"), status);
}

static char *slurp(const char *dir, const char *name)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return gv_read_file(p, FILE_MAX, NULL);
}

/*** Processes ***/

/* A process whose command line is exactly "<...>sleep <arg>": its pid, or 0. */
static pid_t find_sleep(const char *arg)
{
    DIR *d = opendir("/proc");
    assert_non_null(d);
    pid_t found = 0;
    struct dirent *e;
    while (found == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char p[300], buf[512];
        snprintf(p, sizeof p, "/proc/%s/cmdline", e->d_name);
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
            continue;
        buf[n] = '\0';
        size_t l0 = strlen(buf);
        if ((size_t)n > l0 + 1 && l0 >= 5 && strcmp(buf + l0 - 5, "sleep") == 0 &&
            strcmp(buf + l0 + 1, arg) == 0 && (size_t)n == l0 + 1 + strlen(arg) + 1)
            found = atoi(e->d_name);
    }
    closedir(d);
    return found;
}

/* Waits until a sleep with arg exists (want) or none does (!want); true when it came to pass. */
static bool await_sleep(const char *arg, bool want, int timeout_ms)
{
    int64_t deadline = gv_now_ms() + timeout_ms;
    while ((find_sleep(arg) != 0) != want) {
        if (gv_now_ms() > deadline)
            return false;
        usleep(10000);
    }
    return true;
}

/* A sleep argument no other process on the host has: sleeps long enough, never ends a test. */
static void unique_sleep(char *buf, size_t size, unsigned whole)
{
    snprintf(buf, size, "%u.%05u%u", whole, (unsigned)getpid() % 100000, ++serial % 10);
}

static int count_fds(pid_t pid)
{
    char p[64];
    snprintf(p, sizeof p, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(p);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* opendir's own descriptor is not in the server */
}

/*** The server ***/

/* The newest socket of our base folder: fills sock_path and build_id. false when none. */
static bool find_socket(void)
{
    char prefix[64];
    cli_server_lock_prefix(base, prefix, sizeof prefix);
    size_t plen = strlen(prefix);
    DIR *d = opendir(CLI_SERVER_DIR);
    if (d == NULL)
        return false;
    struct dirent *e;
    struct timespec newest = {0, 0};
    bool found = false;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, prefix, plen) != 0 || n < 5 || strcmp(e->d_name + n - 5, ".sock"))
            continue;
        char p[sizeof CLI_SERVER_DIR + 256];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", CLI_SERVER_DIR, e->d_name);
        if (stat(p, &st) < 0 || (found && (st.st_mtim.tv_sec < newest.tv_sec ||
                                           (st.st_mtim.tv_sec == newest.tv_sec &&
                                            st.st_mtim.tv_nsec < newest.tv_nsec))))
            continue;
        newest = st.st_mtim;
        found = true;
        gv_strlcpy(sock_path, p, sizeof sock_path);
        uint64_t base_hash = strtoull(prefix + 4, NULL, 16);
        uint64_t exe_hash = strtoull(e->d_name + plen, NULL, 16);
        build_id = base_hash ^ exe_hash;
    }
    closedir(d);
    return found;
}

static int raw_connect(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    gv_strlcpy(sa.sun_path, sock_path, sizeof sa.sun_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(fd);
        return -1;
    }
    struct timeval tv = {.tv_sec = (IO_TIMEOUT_MS + IO_SLACK_MS) / 1000};
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
    return fd;
}

static void start_server(void)
{
    char log[160];
    snprintf(log, sizeof log, "%s/server.log", tmpdir);
    const char *argv[] = {cli, "--server", "--base-dir", base, "--boxes", "2", "--idle-exit", "0",
                          NULL};
    server_pid = tp_spawn(argv, log);
    assert_true(server_pid > 0);
    int64_t deadline = gv_now_ms() + SERVER_START_MS;
    for (;;) {
        int st;
        if (waitpid(server_pid, &st, WNOHANG) == server_pid) {
            server_pid = 0;
            fail_msg("the server exited at start (status 0x%x); see %s", st, log);
        }
        if (find_socket()) {
            int fd = raw_connect();
            if (fd >= 0) {
                close(fd); /* the server sees EOF before a header: no reply, no harm */
                return;
            }
        }
        if (gv_now_ms() > deadline)
            fail_msg("the server did not listen within %d ms; see %s", SERVER_START_MS, log);
        usleep(20000);
    }
}

/*** Raw requests ***/

/* Sends all of buf on a socket without SIGPIPE; 0, or -1 when the server hung up. */
static int raw_send(int sock, const void *buf, size_t len)
{
    return gv_send_all(sock, buf, len);
}

/* Sends len bytes with n descriptors attached to the first byte. */
static void send_with_fds(int sock, const void *buf, size_t len, const int *fds, int n)
{
    assert_true(n >= 0 && n <= GV_SEND_FDS_MAX);
    assert_int_equal(gv_send_fds(sock, buf, len, fds, (size_t)n), 0);
}

enum raw_outcome { RAW_REPLY, RAW_CLOSED, RAW_TIMEOUT };

/* Reads one whole reply (bounded by the socket's receive timeout). */
static enum raw_outcome raw_reply(int fd, struct cli_wire_reply *rep)
{
    ssize_t n = gv_read_full(fd, rep, sizeof *rep);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return RAW_TIMEOUT;
    if (n < 0 && errno == ECONNRESET)
        return RAW_CLOSED;
    assert_true(n >= 0);
    return n == (ssize_t)sizeof *rep ? RAW_REPLY : RAW_CLOSED;
}

/* Expects a BAD reply whose message contains want. */
static void expect_bad(int fd, const char *want)
{
    struct cli_wire_reply rep;
    assert_int_equal(raw_reply(fd, &rep), RAW_REPLY);
    assert_int_equal(cli_wire_check_reply(&rep), 0);
    fprintf(stderr, "  -> code %d: %s\n", rep.code, rep.result.message);
    assert_int_equal(rep.code, CLI_REPLY_BAD);
    if (strstr(rep.result.message, want) == NULL)
        fail_msg("BAD reply '%s' lacks '%s'", rep.result.message, want);
    close(fd);
}

/* A valid request's header and payload for /bin/true with stdin/stdout/stderr set to fds. */
static char *valid_request(struct cli_wire_header *h, int in, int out, int err)
{
    static const char *const argv[] = {"/bin/true", NULL};
    struct sbx_spec spec;
    sbx_spec_init(&spec);
    spec.argv = argv;
    spec.stdin_fd = in;
    spec.stdout_fd = out;
    spec.stderr_fd = err;
    char *payload = NULL;
    assert_int_equal(cli_wire_encode(&spec, build_id, h, &payload), 0);
    h->umask = 022;
    return payload;
}

/* Expects the connection to end (BAD or closed) within the server's I/O timeout. */
static void expect_dropped(int fd, int64_t connected_ms)
{
    struct cli_wire_reply rep;
    enum raw_outcome o = raw_reply(fd, &rep);
    int64_t took = gv_now_ms() - connected_ms;
    fprintf(stderr, "  -> silent client: outcome %d after %lld ms\n", o, (long long)took);
    assert_true(o == RAW_CLOSED || (o == RAW_REPLY && rep.code == CLI_REPLY_BAD));
    assert_true(took <= IO_TIMEOUT_MS + IO_SLACK_MS);
    close(fd);
}

/*** Cases ***/

static void same_results(const char *const *args, int want_exit)
{
    struct cli_run a, b;
    cli_run(&a, "require", -1, args);
    cli_run(&b, "0", -1, args);
    assert_int_equal(a.exit_status, want_exit);
    assert_int_equal(b.exit_status, want_exit);
    assert_non_null(a.json);
    assert_non_null(b.json);
    assert_string_equal(str(&a, "status"), str(&b, "status"));
    assert_int_equal(num(&a, "exit_code"), num(&b, "exit_code"));
    assert_int_equal(num(&a, "signal"), num(&b, "signal"));
    assert_string_equal(str(&a, "syscall"), str(&b, "syscall"));
    assert_null(strstr(a.out, "not served"));
    assert_null(strstr(a.err, "not served"));
    cli_free(&a);
    cli_free(&b);
}

static void test_served_runs(void **state)
{
    (void)state;
    struct cli_run r;
    served(&r, "RTE", ARGS(TESTPROG("exit", "7")));
    assert_int_equal(num(&r, "exit_code"), 7);
    cli_free(&r);
    served(&r, "TLE", ARGS("--time-limit", "200", TESTPROG("burn", "0", "1")));
    assert_in_range(num(&r, "cpu_ms"), 200, 600);
    cli_free(&r);
    served(&r, "RTE", ARGS(TESTPROG("ptrace")));
    assert_string_equal(str(&r, "syscall"), "ptrace");
    assert_int_equal(num(&r, "signal"), SIGSYS);
    cli_free(&r);
    cli_run(&r, "require", -1, ARGS("--cwd", "/no/such/dir", TESTPROG("exit", "0")));
    assert_int_equal(r.exit_status, 2);
    assert_string_equal(str(&r, "status"), "JE");
    assert_non_null(strstr(str(&r, "message"), "working folder"));
    cli_free(&r);

    /* The same as in the command's own process. */
    same_results(ARGS(TESTPROG("exit", "7")), 0);
    same_results(ARGS("--time-limit", "200", TESTPROG("burn", "0", "1")), 0);
    same_results(ARGS(TESTPROG("ptrace")), 0);
    same_results(ARGS("--cwd", "/no/such/dir", TESTPROG("exit", "0")), 2);

    /* The environment is exactly --env; stdout/stderr files; --cwd. */
    char out[160], err[160];
    snprintf(out, sizeof out, "%s/out.txt", tmpdir);
    snprintf(err, sizeof err, "%s/err.txt", tmpdir);
    served(&r, "OK", ARGS("--stdout", out, "--env", "A=1", "--env", "B=two words=x", TESTPROG("env")));
    cli_free(&r);
    char *o = slurp(tmpdir, "out.txt");
    assert_non_null(o);
    assert_string_equal(o, "A=1\nB=two words=x\n");
    free(o);
    served(&r, "OK", ARGS("--stdout", out, "--stderr", err, "--cwd", "/tmp", "--policy", "runtime",
                          "--", "/bin/sh", "-c", "pwd; echo oops >&2"));
    cli_free(&r);
    o = slurp(tmpdir, "out.txt");
    char *e = slurp(tmpdir, "err.txt");
    assert_non_null(o);
    assert_non_null(e);
    assert_string_equal(o, "/tmp\n");
    assert_string_equal(e, "oops\n");
    free(o);
    free(e);

    /* --dir read-only, then :rw. */
    assert_int_equal(tp_write_file(data, "x", "bound\n"), 0);
    char ro[200], rw[200];
    snprintf(ro, sizeof ro, "%s:/data", data);
    snprintf(rw, sizeof rw, "%s:/data:rw", data);
    served(&r, "RTE", ARGS("--dir", ro, "--stdout", out, "--policy", "runtime", "--", "/bin/sh",
                           "-c", "cat /data/x; echo no > /data/y"));
    cli_free(&r);
    o = slurp(tmpdir, "out.txt");
    assert_non_null(o);
    assert_string_equal(o, "bound\n");
    free(o);
    assert_null(slurp(data, "y"));
    served(&r, "OK", ARGS("--dir", rw, "--policy", "runtime", "--", "/bin/sh", "-c",
                          "echo yes > /data/y"));
    cli_free(&r);
    o = slurp(data, "y");
    assert_non_null(o);
    assert_string_equal(o, "yes\n");
    free(o);
}

/* Mode bits of a file the program makes in a :rw bind under the command's umask. */
static unsigned made_mode(const char *mode, int mask, const char *name)
{
    char rw[200], script[128], p[256];
    snprintf(rw, sizeof rw, "%s:/data:rw", data);
    snprintf(script, sizeof script, "echo x > /data/%s", name);
    struct cli_run r;
    cli_run(&r, mode, mask, ARGS("--dir", rw, "--policy", "runtime", "--", "/bin/sh", "-c", script));
    assert_int_equal(r.exit_status, 0);
    assert_string_equal(str(&r, "status"), "OK");
    cli_free(&r);
    snprintf(p, sizeof p, "%s/%s", data, name);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    return st.st_mode & 07777;
}

static void test_umask(void **state)
{
    (void)state;
    assert_int_equal(made_mode("require", 077, "m1"), 0600);
    assert_int_equal(made_mode("require", 022, "m2"), 0644);
    assert_int_equal(made_mode("require", 077, "m3"), 0600); /* per request, not sticky */
    assert_int_equal(made_mode("require", 002, "m4"), 0664);
    assert_int_equal(made_mode("0", 077, "m5"), 0600);       /* as in-process */
}

static void test_cancel_on_killed_command(void **state)
{
    (void)state;
    char arg[32];
    unique_sleep(arg, sizeof arg, 61);
    struct cli_job j;
    cli_start(&j, "require", -1, ARGS("--policy", "runtime", "--", "/bin/sleep", arg));
    assert_true(await_sleep(arg, true, PROC_WAIT_MS));
    assert_int_equal(kill(j.pid, SIGKILL), 0);
    assert_int_not_equal(wait_bounded(j.pid, PROC_WAIT_MS), -1);
    unlink(j.out);
    unlink(j.err);
    int64_t t0 = gv_now_ms();
    assert_true(await_sleep(arg, false, PROC_WAIT_MS));
    fprintf(stderr, "  -> the box's sleep was gone %lld ms after the kill\n",
            (long long)(gv_now_ms() - t0));
    struct cli_run r;
    served(&r, "OK", ARGS(TESTPROG("exit", "0")));
    cli_free(&r);
}

static void test_busy(void **state)
{
    (void)state;
    char a1[32], a2[32];
    unique_sleep(a1, sizeof a1, 3);
    unique_sleep(a2, sizeof a2, 3);
    struct cli_job j1, j2;
    cli_start(&j1, "require", -1, ARGS("--policy", "runtime", "--", "/bin/sleep", a1));
    cli_start(&j2, "require", -1, ARGS("--policy", "runtime", "--", "/bin/sleep", a2));
    assert_true(await_sleep(a1, true, PROC_WAIT_MS));
    assert_true(await_sleep(a2, true, PROC_WAIT_MS));

    struct cli_run r;
    cli_run(&r, "require", -1, ARGS(TESTPROG("exit", "0")));
    assert_int_equal(r.exit_status, 2);
    assert_true(strstr(r.err, "busy") != NULL || strstr(r.err, "running") != NULL);
    assert_true(r.ms < 2500); /* answered at once, not queued behind the sleeps */
    cli_free(&r);
    cli_run(&r, NULL, -1, ARGS(TESTPROG("exit", "0")));
    assert_int_equal(r.exit_status, 0);
    assert_string_equal(str(&r, "status"), "OK");
    cli_free(&r);
    assert_true(find_sleep(a1) != 0 && find_sleep(a2) != 0); /* it really was busy throughout */

    cli_finish(&j1, &r);
    assert_int_equal(r.exit_status, 0);
    assert_string_equal(str(&r, "status"), "OK");
    cli_free(&r);
    cli_finish(&j2, &r);
    assert_int_equal(r.exit_status, 0);
    assert_string_equal(str(&r, "status"), "OK");
    cli_free(&r);
}

static void test_hostile_clients(void **state)
{
    (void)state;
    /* Two clients that never complete a header: each holds a worker until the I/O timeout. */
    int64_t t_silent = gv_now_ms();
    int silent = raw_connect();
    assert_true(silent >= 0);
    int64_t t_short = gv_now_ms();
    int short_garbage = raw_connect();
    assert_true(short_garbage >= 0);
    assert_int_equal(raw_send(short_garbage, "garbage!\n", 9), 0);

    /* A header's worth of garbage. */
    char junk[sizeof(struct cli_wire_header)];
    memset(junk, 0xab, sizeof junk);
    int fd = raw_connect();
    assert_int_equal(raw_send(fd, junk, sizeof junk), 0);
    expect_bad(fd, "not a gavel-sandbox request");

    /* A payload over the cap. */
    struct cli_wire_header h;
    free(valid_request(&h, -1, -1, -1));
    h.payload_len = CLI_WIRE_PAYLOAD_MAX + 1;
    fd = raw_connect();
    assert_int_equal(raw_send(fd, &h, sizeof h), 0);
    expect_bad(fd, "too large");

    /* Another executable's build id. */
    free(valid_request(&h, -1, -1, -1));
    h.build_id ^= 1;
    fd = raw_connect();
    assert_int_equal(raw_send(fd, &h, sizeof h), 0);
    expect_bad(fd, "another");

    /* Three descriptors announced, none sent. */
    char *payload = valid_request(&h, 0, 1, 2);
    assert_int_equal(cli_wire_n_fds(&h), 3);
    fd = raw_connect();
    assert_int_equal(raw_send(fd, &h, sizeof h), 0);
    assert_int_equal(raw_send(fd, payload, h.payload_len), 0);
    free(payload);
    expect_bad(fd, "descriptors");

    /* A bad payload (empty program name) with its descriptors. */
    payload = valid_request(&h, 0, -1, -1);
    payload[0] = '\0';
    h.payload_len = 1;
    fd = raw_connect();
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    assert_true(null_fd >= 0);
    send_with_fds(fd, &h, sizeof h, &null_fd, 1);
    assert_int_equal(raw_send(fd, payload, 1), 0);
    free(payload);
    expect_bad(fd, "empty program name");
    close(null_fd);

    /* Meanwhile the two stalled clients do not stop a command from being served. */
    struct pollfd p = {.fd = silent, .events = POLLIN};
    struct cli_run r;
    served(&r, "OK", ARGS(TESTPROG("exit", "0")));
    cli_free(&r);
    assert_int_equal(poll(&p, 1, 0), 0); /* still held open by the server: it was stalled */
    assert_true(gv_now_ms() - t_silent < IO_TIMEOUT_MS);

    expect_dropped(short_garbage, t_short);
    expect_dropped(silent, t_silent);
    served(&r, "OK", ARGS(TESTPROG("exit", "0")));
    cli_free(&r);
}

/* The server's descriptor count once it stops changing (bounded). */
static int settled_fds(void)
{
    int n = count_fds(server_pid);
    for (int i = 0; i < 40; i++) {
        usleep(25000);
        int m = count_fds(server_pid);
        if (m == n && i >= 3)
            break;
        n = m;
    }
    return n;
}

/* Requests that carry descriptors and are refused: the server must close what it received. */
static void refused_with_fds(void)
{
    int fds[5];
    for (int i = 0; i < 5; i++) {
        fds[i] = open("/dev/null", O_RDWR | O_CLOEXEC);
        assert_true(fds[i] >= 0);
    }
    char junk[sizeof(struct cli_wire_header)];
    memset(junk, 0xab, sizeof junk);
    int fd = raw_connect();
    send_with_fds(fd, junk, sizeof junk, fds, 3); /* garbage header */
    expect_bad(fd, "not a gavel-sandbox request");

    struct cli_wire_header h;
    char *payload = valid_request(&h, 0, 1, -1); /* says 2, sends 3 */
    fd = raw_connect();
    send_with_fds(fd, &h, sizeof h, fds, 3);
    assert_int_equal(raw_send(fd, payload, h.payload_len), 0);
    expect_bad(fd, "descriptors");

    fd = raw_connect(); /* more descriptors than the server takes: its control data truncates */
    send_with_fds(fd, &h, sizeof h, fds, 5);
    (void)raw_send(fd, payload, h.payload_len); /* it may have hung up already */
    struct cli_wire_reply rep;
    enum raw_outcome o = raw_reply(fd, &rep);
    assert_true(o == RAW_CLOSED || (o == RAW_REPLY && rep.code == CLI_REPLY_BAD));
    close(fd);
    free(payload);
    for (int i = 0; i < 5; i++)
        close(fds[i]);
}

static void test_no_fd_leak(void **state)
{
    (void)state;
    char in[160], out[160], err[160];
    assert_int_equal(tp_write_file(tmpdir, "in.txt", "input\n"), 0);
    snprintf(in, sizeof in, "%s/in.txt", tmpdir);
    snprintf(out, sizeof out, "%s/out.txt", tmpdir);
    snprintf(err, sizeof err, "%s/err.txt", tmpdir);
    struct cli_run r;
    served(&r, "OK", ARGS(TESTPROG("exit", "0")));
    cli_free(&r);
    int before = settled_fds();
    int64_t t0 = gv_now_ms();
    for (int i = 0; i < LEAK_RUNS; i++) {
        served(&r, "OK", ARGS("--stdin", in, "--stdout", out, "--stderr", err, "--policy",
                              "runtime", "--", "/bin/cat"));
        cli_free(&r);
        if (i % 10 == 0)
            refused_with_fds();
    }
    char *o = slurp(tmpdir, "out.txt");
    assert_non_null(o);
    assert_string_equal(o, "input\n");
    free(o);
    int after = settled_fds();
    fprintf(stderr, "  -> server descriptors: %d before, %d after %d runs (%lld ms)\n", before,
            after, LEAK_RUNS, (long long)(gv_now_ms() - t0));
    assert_int_equal(after, before);
}

/* A client that sends its header one byte at a time, each within the server's I/O timeout: the
 * request as a whole must still arrive within it (cli_server.c), or such clients can hold every
 * worker for good. */
static void test_trickling_client(void **state)
{
    (void)state;
    int64_t t0 = gv_now_ms();
    int fd = raw_connect();
    assert_true(fd >= 0);
    struct cli_wire_header h;
    free(valid_request(&h, -1, -1, -1));
    const char *p = (const char *)&h;
    bool dropped = false;
    for (size_t i = 0; i < sizeof h && !dropped && gv_now_ms() - t0 < IO_TIMEOUT_MS + IO_SLACK_MS;
         i++) {
        dropped = raw_send(fd, p + i, 1) < 0;
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        dropped = dropped || poll(&pf, 1, 1500) > 0; /* a reply or a hang-up */
    }
    fprintf(stderr, "  -> trickling client %s after %lld ms\n", dropped ? "dropped" : "still served",
            (long long)(gv_now_ms() - t0));
    close(fd);
    assert_true(dropped);
}

static void test_server_killed_during_run(void **state)
{
    (void)state;
    char arg[32];
    unique_sleep(arg, sizeof arg, 62);
    if (server_pid == 0)
        start_server();
    struct cli_job j;
    cli_start(&j, "require", -1, ARGS("--policy", "runtime", "--", "/bin/sleep", arg));
    assert_true(await_sleep(arg, true, PROC_WAIT_MS));
    assert_true(server_pid > 0);
    assert_int_equal(kill(server_pid, SIGKILL), 0);
    assert_int_not_equal(wait_bounded(server_pid, PROC_WAIT_MS), -1);
    server_pid = 0;
    struct cli_run r;
    cli_finish(&j, &r);
    assert_int_equal(r.exit_status, 2);
    assert_string_equal(str(&r, "status"), "JE");
    assert_non_null(strstr(r.err, "went away"));
    assert_non_null(strstr(str(&r, "message"), "went away"));
    cli_free(&r);
    /* The box's program died with the server (its init has the server's thread as parent,
     * with PR_SET_PDEATHSIG). */
    bool gone = await_sleep(arg, false, PROC_WAIT_MS);
    pid_t left = find_sleep(arg);
    if (left > 0) {
        fprintf(stderr, "  -> the box's program (pid %d) outlived the killed server\n", (int)left);
        kill(left, SIGKILL);
    }
    assert_true(gone);

    start_server();
    served(&r, "OK", ARGS(TESTPROG("exit", "0")));
    cli_free(&r);
}

/* SIGTERM: the socket's name goes at once (new commands are not served), the run under way
 * finishes and gets its result, then the server exits 0. */
static void test_sigterm_drains(void **state)
{
    (void)state;
    if (server_pid == 0)
        start_server();
    char arg[32];
    unique_sleep(arg, sizeof arg, 2);
    struct cli_job j;
    cli_start(&j, "require", -1, ARGS("--policy", "runtime", "--", "/bin/sleep", arg));
    assert_true(await_sleep(arg, true, PROC_WAIT_MS));
    assert_true(server_pid > 0);
    assert_int_equal(kill(server_pid, SIGTERM), 0);
    int64_t deadline = gv_now_ms() + 2000;
    struct stat st;
    while (stat(sock_path, &st) == 0 && gv_now_ms() < deadline)
        usleep(5000);
    assert_int_equal(stat(sock_path, &st), -1);
    int status;
    assert_int_equal(waitpid(server_pid, &status, WNOHANG), 0); /* still finishing the run */
    assert_true(find_sleep(arg) != 0);
    struct cli_run r;
    cli_run(&r, "require", -1, ARGS(TESTPROG("exit", "0")));
    assert_int_equal(r.exit_status, 2);
    assert_non_null(strstr(r.err, "not served"));
    cli_free(&r);
    cli_finish(&j, &r);
    assert_int_equal(r.exit_status, 0);
    assert_string_equal(str(&r, "status"), "OK");
    cli_free(&r);
    status = wait_bounded(server_pid, 20000);
    server_pid = 0;
    assert_true(status != -1 && WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    start_server();
}

static void test_cleanup_stops_server(void **state)
{
    (void)state;
    if (server_pid == 0) /* an earlier case failed before restarting it */
        start_server();
    char lock[CLI_SERVER_PATH_MAX];
    gv_strlcpy(lock, sock_path, sizeof lock);
    memcpy(lock + strlen(lock) - 5, ".lock", 5);
    struct stat st;
    assert_int_equal(stat(sock_path, &st), 0);
    assert_int_equal(stat(lock, &st), 0);
    struct cli_run r;
    cli_run(&r, NULL, -1, ARGS("--cleanup"));
    assert_int_equal(r.exit_status, 0);
    cli_free(&r);
    int status = wait_bounded(server_pid, 20000);
    server_pid = 0;
    assert_true(status != -1 && WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(stat(sock_path, &st), -1);
    assert_int_equal(stat(lock, &st), -1);
    /* With no server, require fails and the default (auto, non-default base) runs in-process. */
    cli_run(&r, "require", -1, ARGS(TESTPROG("exit", "0")));
    assert_int_equal(r.exit_status, 2);
    assert_non_null(strstr(r.err, "not served"));
    cli_free(&r);
    cli_run(&r, NULL, -1, ARGS(TESTPROG("exit", "0")));
    assert_int_equal(r.exit_status, 0);
    assert_string_equal(str(&r, "status"), "OK");
    cli_free(&r);
    assert_false(find_socket()); /* and it started no server for a non-default base folder */
}

static int group_setup(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        fprintf(stderr, "test_sandbox_server needs root\n");
        return -1;
    }
    const char *build = getenv("GAVEL_BUILD_DIR");
    snprintf(cli, sizeof cli, "%s/sandbox/gavel-sandbox", build ? build : "..");
    snprintf(testprog_dir, sizeof testprog_dir, "%s/tests", build ? build : "..");
    snprintf(dir_arg, sizeof dir_arg, "%s:/t", testprog_dir);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/gavel-sbx-srv-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    snprintf(base, sizeof base, "%s/base", tmpdir);
    snprintf(data, sizeof data, "%s/data", tmpdir);
    if (mkdir(base, 0700) < 0 || mkdir(data, 0777) < 0 || chmod(data, 0777) < 0 ||
        chmod(tmpdir, 0755) < 0)
        return -1;
    start_server();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    if (server_pid > 0)
        tp_stop(&server_pid, SIGTERM, 10000);
    struct cli_run r;
    cli_run(&r, NULL, -1, ARGS("--cleanup"));
    cli_free(&r);
    tp_rm_tree(tmpdir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_served_runs),
        cmocka_unit_test(test_umask),
        cmocka_unit_test(test_cancel_on_killed_command),
        cmocka_unit_test(test_busy),
        cmocka_unit_test(test_hostile_clients),
        cmocka_unit_test(test_no_fd_leak),
        cmocka_unit_test(test_trickling_client),
        cmocka_unit_test(test_server_killed_during_run),
        cmocka_unit_test(test_sigterm_drains),
        cmocka_unit_test(test_cleanup_stops_server),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
