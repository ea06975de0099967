/*
 * main.c - gavel-sandbox: runs one command isolated under limits, prints a JSON result.
 *
 * Theory of operation. The command line of DESIGN.md is parsed into a struct sbx_spec; the files
 * named by --stdin/--stdout/--stderr are opened here, on the host side, as the caller, before any
 * box exists (the program only ever gets the descriptors). The run is first offered to the
 * sandbox server of this executable and base folder (cli_client.c, cli_server.c), which runs it
 * in a box it keeps ready and sends the result back. When no server takes it, a pool of one box
 * is made here (it claims a free host-wide box id), the program runs through sbx_run(), and the
 * pool is freed; on the default base folder the command then starts a server for the commands
 * after it. The pool is made with keep_boxes: the box's cgroup folders and namespaces stay for
 * the next command that claims the same id, and the seccomp programs come from the on-disk
 * cache (sbx_bpfcache.c). Either way the result is printed as one JSON line. `--cleanup` stops
 * the servers and removes what is kept; `--server` runs a server in the foreground. Exit
 * status 0 whenever the sandbox itself worked, whatever the program did; 2 on the sandbox's own
 * failure or a bad command line (then the message is on stderr, and JSON too if a run was tried).
 *
 * Built twice: gavel-sandbox-core is all of the above; gavel-sandbox, built with
 * GAVEL_SANDBOX_FRONT, parses the same command line and offers the run to the server, and hands
 * everything else to the core by execve (cli_front.c says why and how).
 */
#include "cli_front.h"
#include "cli_server.h"
#include "cli_wire.h"
#include "sandbox.h"

#include "gv.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define CLI_MAX_ENV   256
#define CLI_MAX_BINDS 16
#define EXIT_SANDBOX  2

struct cli {
    struct sbx_spec spec;
    struct sbx_config cfg;
    const char *files[3];
    const char *env[CLI_MAX_ENV + 1];
    size_t n_env;
    struct sbx_bind binds[CLI_MAX_BINDS];
    char *bind_copies[CLI_MAX_BINDS];
    size_t n_binds;
    bool cleanup;
    bool server;
    unsigned idle_exit_s;
    char **argv;          /* as given: the front hands it to the core */
    int front_outcome;    /* core: what the front's offer to the server came to; -1: none */
    int front_fds[3];     /* core, with front_outcome: the front's --stdin/--stdout/--stderr */
};

static const char usage_text[] =
    "usage: gavel-sandbox [OPTION]... -- PROGRAM [ARG]...\n"
    "Runs PROGRAM isolated under limits; prints one JSON result line on stdout.\n"
    "  --time-limit MS      CPU time of all processes and threads together\n"
    "  --wall-limit MS      wall time (default 3 x time limit + 1000)\n"
    "  --memory-limit KIB   memory (cgroup)\n"
    "  --output-limit KIB   largest file the program may write (stdout/stderr files too)\n"
    "  --processes N        processes + threads (default 1 for strict, 64 otherwise)\n"
    "  --stdin F, --stdout F, --stderr F   files opened here, on the host (default /dev/null)\n"
    "  --dir HOST[:INSIDE][:rw]   bind a host folder into the box (read-only unless :rw)\n"
    "  --cwd DIR            working folder inside the box (default /box, the work folder)\n"
    "  --work-rw            make the work folder /box writable (as for a compiler)\n"
    "  --env K=V            an environment variable (the environment is only these)\n"
    "  --policy P           seccomp policy: strict (default), runtime, compiler\n"
    "  --base-dir DIR       where box folders live (default /var/lib/gavel/sandbox)\n"
    "  --cleanup            stop the sandbox servers of the base folder, remove what earlier\n"
    "                       runs kept for speed (cgroups, box folders, the seccomp cache) for\n"
    "                       every box no process holds now, then exit\n"
    "  --server             run a sandbox server in the foreground: it keeps ready boxes and\n"
    "                       runs the programs of later gavel-sandbox commands (same executable,\n"
    "                       same base folder); the first command on the default base folder\n"
    "                       starts one by itself. GAVEL_SANDBOX_SERVER=0 never uses one.\n"
    "  --idle-exit S        with --server: exit after S seconds without a command (0: never)\n"
    "  --boxes N            with --server: boxes to keep ready (default 2 per CPU; 1..16)\n"
    "  --version, --help\n"
    "Exit status: 0 when the sandbox worked (whatever the program did), 2 on its own failure.\n";

enum {
    OPT_TIME = 1000,
    OPT_WALL,
    OPT_MEM,
    OPT_OUT,
    OPT_PROC,
    OPT_STDIN,
    OPT_STDOUT,
    OPT_STDERR,
    OPT_DIR,
    OPT_CWD,
    OPT_ENV,
    OPT_POLICY,
    OPT_BASE,
    OPT_WORK_RW,
    OPT_HELP,
    OPT_VERSION,
    OPT_CLEANUP,
    OPT_SERVER,
    OPT_IDLE,
    OPT_BOXES,
};

static const struct option options[] = {
    {"time-limit", required_argument, NULL, OPT_TIME},
    {"wall-limit", required_argument, NULL, OPT_WALL},
    {"memory-limit", required_argument, NULL, OPT_MEM},
    {"output-limit", required_argument, NULL, OPT_OUT},
    {"processes", required_argument, NULL, OPT_PROC},
    {"stdin", required_argument, NULL, OPT_STDIN},
    {"stdout", required_argument, NULL, OPT_STDOUT},
    {"stderr", required_argument, NULL, OPT_STDERR},
    {"dir", required_argument, NULL, OPT_DIR},
    {"cwd", required_argument, NULL, OPT_CWD},
    {"env", required_argument, NULL, OPT_ENV},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"base-dir", required_argument, NULL, OPT_BASE},
    {"work-rw", no_argument, NULL, OPT_WORK_RW},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {"cleanup", no_argument, NULL, OPT_CLEANUP},
    {"server", no_argument, NULL, OPT_SERVER},
    {"idle-exit", required_argument, NULL, OPT_IDLE},
    {"boxes", required_argument, NULL, OPT_BOXES},
    {NULL, 0, NULL, 0},
};

static int bad(const char *what, const char *arg)
{
    fprintf(stderr, "gavel-sandbox: %s: '%s' (see --help)\n", what, arg);
    return -1;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v > max)
        return bad("not a number in range", s);
    *out = v;
    return 0;
}

/* HOST[:INSIDE][:rw] */
static int parse_dir(struct cli *c, const char *arg)
{
    if (c->n_binds >= CLI_MAX_BINDS)
        return bad("too many --dir", arg);
    char *copy = strdup(arg);
    if (copy == NULL)
        return bad("out of memory", arg);
    c->bind_copies[c->n_binds] = copy;
    struct sbx_bind *b = &c->binds[c->n_binds++];
    b->host = copy;
    char *p = strchr(copy, ':');
    if (p != NULL) {
        *p++ = '\0';
        char *q = strchr(p, ':');
        if (q != NULL) {
            *q++ = '\0';
            if (strcmp(q, "rw") != 0)
                return bad("--dir option must be rw", arg);
            b->writable = true;
        }
        if (q == NULL && strcmp(p, "rw") == 0)
            b->writable = true;
        else if (*p != '\0')
            b->inside = p;
    }
    if (b->host[0] != '/' || (b->inside != NULL && b->inside[0] != '/'))
        return bad("--dir paths must be absolute", arg);
    return 0;
}

/* The numeric options: limits, and the server's --idle-exit and --boxes. */
static int parse_number_option(struct cli *c, int opt, const char *arg)
{
    uint64_t v;
    if (parse_u64(arg, opt == OPT_MEM || opt == OPT_OUT ? UINT64_MAX / 1024 : UINT32_MAX, &v) < 0)
        return -1;
    struct sbx_limits *l = &c->spec.limits;
    switch (opt) {
    case OPT_TIME: l->cpu_ms = (uint32_t)v; break;
    case OPT_WALL: l->wall_ms = (uint32_t)v; break;
    case OPT_MEM: l->memory_kib = v; break;
    case OPT_OUT: l->output_kib = v; break;
    case OPT_IDLE: c->idle_exit_s = (uint32_t)v; break;
    case OPT_BOXES: c->cfg.n_boxes = (uint32_t)v; break;
    default: l->processes = (uint32_t)v; break;
    }
    return 0;
}

/* Returns 0 to run, 1 when done (help/version), -1 on a bad command line. */
static int parse(struct cli *c, int argc, char **argv)
{
    int opt;
    while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
        int rc = 0;
        switch (opt) {
        case OPT_TIME: case OPT_WALL: case OPT_MEM: case OPT_OUT: case OPT_PROC: case OPT_IDLE:
        case OPT_BOXES:
            rc = parse_number_option(c, opt, optarg);
            break;
        case OPT_STDIN: case OPT_STDOUT: case OPT_STDERR:
            c->files[opt - OPT_STDIN] = optarg;
            break;
        case OPT_DIR: rc = parse_dir(c, optarg); break;
        case OPT_CWD: c->spec.cwd = optarg; break;
        case OPT_ENV:
            if (c->n_env >= CLI_MAX_ENV || strchr(optarg, '=') == NULL)
                return bad("bad or too many --env", optarg);
            c->env[c->n_env++] = optarg;
            break;
        case OPT_POLICY:
            if (sbx_policy_from_name(optarg) < 0)
                return bad("unknown policy", optarg);
            c->spec.policy = (enum sbx_policy)sbx_policy_from_name(optarg);
            break;
        case OPT_BASE: c->cfg.base_dir = optarg; break;
        case OPT_WORK_RW: c->spec.work_writable = true; break;
        case OPT_HELP: case 'h': fputs(usage_text, stdout); return 1;
        case OPT_VERSION: printf("gavel-sandbox %s\n", GAVEL_VERSION); return 1;
        case OPT_CLEANUP: c->cleanup = true; break;
        case OPT_SERVER: c->server = true; break;
        default: return -1;
        }
        if (rc < 0)
            return -1;
    }
    if (c->cleanup || c->server)
        return 0;
    if (optind >= argc) {
        fprintf(stderr, "gavel-sandbox: no program given (see --help)\n");
        return -1;
    }
    c->spec.argv = (const char *const *)(argv + optind);
    c->spec.envp = c->env;
    c->spec.binds = c->binds;
    c->spec.n_binds = c->n_binds;
    return 0;
}

/* One spelling per folder, since the server's socket is named after it: the resolved path when
 * the folder exists; else absolute (relative to the cwd) without trailing slashes. */
static int normalize_base_dir(struct cli *c)
{
    static char resolved[PATH_MAX];
    const char *base = c->cfg.base_dir;
    if (base == NULL)
        return 0;
    if (realpath(base, resolved) == NULL) {
        char cwd[PATH_MAX];
        if (base[0] != '/' && getcwd(cwd, sizeof cwd) == NULL)
            return bad("--base-dir: cannot resolve", base);
        int n = snprintf(resolved, sizeof resolved, "%s%s%s", base[0] == '/' ? "" : cwd,
                         base[0] == '/' ? "" : "/", base);
        if (n < 0 || (size_t)n >= sizeof resolved)
            return bad("--base-dir too long", base);
        while (n > 1 && resolved[n - 1] == '/')
            resolved[--n] = '\0';
    }
    c->cfg.base_dir = resolved;
    return 0;
}

static int open_files(struct cli *c)
{
    int *fds[3] = {&c->spec.stdin_fd, &c->spec.stdout_fd, &c->spec.stderr_fd};
    if (c->front_outcome >= 0) { /* opened by the front already */
        for (int i = 0; i < 3; i++)
            *fds[i] = c->front_fds[i];
        return 0;
    }
    for (int i = 0; i < 3; i++) {
        if (c->files[i] == NULL)
            continue;
        int flags = i == 0 ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC;
        *fds[i] = open(c->files[i], flags | O_CLOEXEC | O_NOCTTY, 0644);
        if (*fds[i] < 0) {
            fprintf(stderr, "gavel-sandbox: open %s: %s\n", c->files[i], strerror(errno));
            return -1;
        }
    }
    return 0;
}

#ifdef GAVEL_SANDBOX_FRONT

/* The front hands the command to the core; outcome >= 0 after an unserved offer. Returns only
 * when the core cannot be started. */
static int to_core(struct cli *c, int outcome)
{
    int fds[3] = {c->spec.stdin_fd, c->spec.stdout_fd, c->spec.stderr_fd};
    cli_front_exec_core(c->argv, outcome, fds);
    const char *core = cli_front_core_path();
    struct sbx_result r;
    memset(&r, 0, sizeof r);
    r.status = SBX_JE;
    snprintf(r.message, sizeof r.message, "exec %.200s: %s", core ? core : CLI_CORE_NAME,
             strerror(errno));
    if (outcome >= 0) { /* a run was tried: its JSON */
        char json[2048];
        sbx_result_to_json(&r, json, sizeof json);
        printf("%s\n", json);
    }
    fprintf(stderr, "gavel-sandbox: %s\n", r.message);
    return EXIT_SANDBOX;
}

#else

/* CPU time of this process and its reaped children, for SBX_TIMING=1 profiling. */
static int64_t cpu_now_us(void)
{
    struct rusage a, b;
    getrusage(RUSAGE_SELF, &a);
    getrusage(RUSAGE_CHILDREN, &b);
    return (int64_t)(a.ru_utime.tv_sec + a.ru_stime.tv_sec + b.ru_utime.tv_sec + b.ru_stime.tv_sec) *
               1000000 +
           a.ru_utime.tv_usec + a.ru_stime.tv_usec + b.ru_utime.tv_usec + b.ru_stime.tv_usec;
}

/* Runs the program in a pool of one box made here: what every command did before servers, and
 * what it still does when no server takes the run. */
static int run_here(struct cli *c, struct sbx_result *r)
{
    char err[256];
    c->cfg.n_boxes = 1;
    c->cfg.keep_boxes = true;
    int64_t t0 = cpu_now_us();
    struct sbx_pool *pool = sbx_pool_new(&c->cfg, err, sizeof err);
    int64_t t1 = cpu_now_us(), t2 = t1, t3 = t1;
    int rc = -1;
    if (pool == NULL) {
        r->status = SBX_JE;
        snprintf(r->message, sizeof r->message, "pool: %.200s", err);
    } else {
        struct sbx_box *box = sbx_box_acquire(pool);
        rc = sbx_run(box, &c->spec, r);
        t2 = cpu_now_us();
        sbx_box_release(box);
        sbx_pool_free(pool);
        t3 = cpu_now_us();
    }
    if (getenv("SBX_TIMING") != NULL)
        fprintf(stderr, "CPU us: pool_new %lld run %lld release+free %lld\n",
                (long long)(t1 - t0), (long long)(t2 - t1), (long long)(t3 - t2));
    return rc;
}

#endif

/* Offers the run to a server (cli_client.c), unless a front did. Returns 1 when it was served
 * (or lost: r says so), 0 to run it here, -1 when it had to be served and was not. *out: what
 * the offer came to (-1: none was made); *spawn: start a server after. */
static int run_served(struct cli *c, struct sbx_result *r, int *rc, int *out_made, bool *spawn)
{
    enum cli_client_mode mode = cli_client_mode_from_env();
    *spawn = false;
    *out_made = -1;
    if (mode == CLI_CLIENT_OFF || (getenv("SBX_TIMING") != NULL && mode == CLI_CLIENT_AUTO))
        return 0; /* SBX_TIMING profiles this process's own run */
    char why[SBX_MESSAGE_MAX] = "the front's offer was not taken";
    enum cli_client_outcome out = c->front_outcome >= 0
                                      ? (enum cli_client_outcome)c->front_outcome
                                      : cli_client_run(c->cfg.base_dir, &c->spec, r, rc, why,
                                                       sizeof why);
    *out_made = (int)out;
    if (out == CLI_SERVED || out == CLI_LOST)
        return 1;
    if (mode == CLI_CLIENT_REQUIRE) {
        r->status = SBX_JE;
        snprintf(r->message, sizeof r->message, "not served (GAVEL_SANDBOX_SERVER=require): %.200s",
                 why);
        *rc = -1;
        return -1;
    }
    *spawn = out == CLI_NO_SERVER && c->cfg.base_dir == NULL;
    return 0;
}

static int run(struct cli *c)
{
    struct sbx_result r;
    memset(&r, 0, sizeof r);
    int rc = -1, out;
    bool spawn;
#ifdef GAVEL_SANDBOX_FRONT
    if (run_served(c, &r, &rc, &out, &spawn) == 0)
        return to_core(c, out);
#else
    if (run_served(c, &r, &rc, &out, &spawn) == 0)
        rc = run_here(c, &r);
#endif
    char json[2048];
    sbx_result_to_json(&r, json, sizeof json);
    printf("%s\n", json);
    fflush(stdout);
    if (rc < 0)
        fprintf(stderr, "gavel-sandbox: %s\n", r.message);
    if (spawn && cli_client_spawn_server(NULL) < 0)
        fprintf(stderr, "gavel-sandbox: starting a sandbox server: %s\n", strerror(errno));
    return rc < 0 ? EXIT_SANDBOX : 0;
}

#ifndef GAVEL_SANDBOX_FRONT
static int cleanup(struct cli *c)
{
    char err[256];
    if (cli_client_stop_servers(c->cfg.base_dir, err, sizeof err) < 0)
        fprintf(stderr, "gavel-sandbox: cleanup: %s\n", err); /* their boxes stay; go on */
    if (sbx_cleanup(&c->cfg, err, sizeof err) < 0) {
        fprintf(stderr, "gavel-sandbox: cleanup: %s\n", err);
        return EXIT_SANDBOX;
    }
    return 0;
}

#endif

/* Core: takes over what a front says it did (cli_front.c). Front: names the core's servers. */
static int front_hand_over(struct cli *c)
{
    c->front_outcome = -1;
#ifdef GAVEL_SANDBOX_FRONT
    const char *core = cli_front_core_path();
    if (core != NULL)
        cli_server_exe(core);
#else
    int outcome, fds[3];
    int h = cli_front_handed_over(&outcome, fds);
    if (h < 0) {
        fprintf(stderr, "gavel-sandbox: malformed GAVEL_SANDBOX_FRONT in the environment\n");
        return -1;
    }
    if (h > 0) {
        c->front_outcome = outcome;
        memcpy(c->front_fds, fds, sizeof fds);
    }
#endif
    return 0;
}

int main(int argc, char **argv)
{
    static struct cli c;
    gv_log_init("gavel-sandbox", GV_LOG_WARN);
    sbx_spec_init(&c.spec);
    c.argv = argv;
    if (front_hand_over(&c) < 0)
        return EXIT_SANDBOX;
    int rc = parse(&c, argc, argv);
    if (rc == 0 && normalize_base_dir(&c) < 0)
        rc = -1;
    if (rc != 0)
        return rc > 0 ? 0 : EXIT_SANDBOX;
#ifdef GAVEL_SANDBOX_FRONT
    if (c.cleanup || c.server || cli_client_mode_from_env() == CLI_CLIENT_OFF ||
        getenv("SBX_TIMING") != NULL)
        return to_core(&c, -1);
#else
    if (c.cleanup)
        return cleanup(&c);
    if (c.server) {
        struct cli_server_options opt = {.cfg = c.cfg, .idle_exit_s = c.idle_exit_s};
        gv_log_init("gavel-sandbox", GV_LOG_INFO);
        return cli_server_main(&opt);
    }
#endif
    if (open_files(&c) < 0)
        return EXIT_SANDBOX;
    rc = run(&c);
    for (size_t i = 0; i < c.n_binds; i++)
        free(c.bind_copies[i]);
    return rc;
}
