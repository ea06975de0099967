/*
 * test_security_suite.c - hostile programs against the real sandbox, one table row per attack.
 *
 * Theory of operation. setup() makes a scratch folder on the host with the things an attacker
 * wants: a problems folder with a secret answer, a secret in the judge's own environment, a
 * sentinel folder outside every box, a loopback listener (127.0.0.1 only), a sentinel process;
 * it compiles tests/security/programs/hostile.c statically (one binary, one attack per mode) and
 * makes a pool of two boxes through the sandbox library: box A runs the attacks, box B holds a
 * secret of "another box". Each row of `cases` names the program, its arguments, the policy and
 * limits, and what must come out: the status (or a set, "MLE|TLE", where the kernel may reach
 * either limit first), exit code, signal, and the forbidden call's name. After every row the
 * runner checks the host: no secret in the program's output, the sentinel folder untouched, no
 * connection on the listener, the sentinel process alive, the host name unchanged, and no
 * process of the box left (scanned in /proc by the box's uid and by the hostile binary's path).
 * Some rows have a check of their own (links left in the work folder, then read and exported
 * through sbx_box_get / sbx_box_export). A few rows run again through the gavel-sandbox CLI, to
 * hold its JSON to the same expectations. The whole suite takes well under a minute.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"

#define FIRST_UID        62000 /* box uids of this test: first_uid + box id */
#define OUT_MAX          (256 * 1024)
#define SURVIVOR_WAIT_MS 3000 /* a killed process may take a moment to be reaped */
#define SERVER_WAIT_MS   10000 /* for a sandbox server to listen */
#define MIB              1024ULL
/* The suite's process is bigger than the memory limit of any row, as a judge is: the kernel's
 * OOM killer must still pick only the box's processes, never the box's init, whose memory may
 * be the caller's, nor the caller ("memory: a tmpfs past the limit"). */
#define CALLER_BYTES     ((size_t)96 << 20)

/* Things the box must never see; unique per run. */
static char problem_marker[64], env_marker[64], otherbox_marker[64], sentinel_text[64];
static char shadow_line[128]; /* first line of the host's /etc/shadow, when readable */
static char top[64];          /* the scratch folder */
static char progdir[128], answer_path[256], sentinel_dir[128], sentinel_path[256], cli[512];
static char hostname0[256];
static int listen_fd = -1, listen_port;
static pid_t sentinel_pid = -1;
static struct sbx_pool *pool;
static struct sbx_box *box_a, *box_b;
static char *caller_ballast;

/*** The table ***/

struct sec_case;
typedef void (*check_fn)(const struct sec_case *c, const struct sbx_result *r, const char *out);

struct sec_case {
    const char *name;
    const char *argv[8]; /* $H hostile, $PY hostile.py, $PORT, $PMARK answer path, $OMARK, $EMARK,
                            $SENT sentinel path, $ARGV1M a 1 MiB argument list */
    enum sbx_policy policy;
    struct sbx_limits limits;
    bool work_rw;
    const char *status;  /* "RTE", or alternatives "MLE|TLE" */
    int exit_code;       /* -1: any */
    int signal;          /* -1: any; 0 none */
    const char *syscall; /* NULL: not checked */
    const char *source;  /* compile rows: written to /box/a.c before the run */
    check_fn check;
    bool cli; /* also through the gavel-sandbox CLI */
};

static void check_links(const struct sec_case *c, const struct sbx_result *r, const char *out);
static void check_daemon(const struct sec_case *c, const struct sbx_result *r, const char *out);
static void check_argv(const struct sec_case *c, const struct sbx_result *r, const char *out);
static void check_fast_tle(const struct sec_case *c, const struct sbx_result *r, const char *out);

#define L_STD                                                                                      \
    {                                                                                              \
        .cpu_ms = 2000, .wall_ms = 15000, .memory_kib = 128 * MIB, .output_kib = 4096              \
    }
#define L_PROCS                                                                                    \
    {                                                                                              \
        .cpu_ms = 1000, .wall_ms = 10000, .memory_kib = 128 * MIB, .output_kib = 4096,             \
        .processes = 16                                                                            \
    }
#define L_MEM                                                                                      \
    {                                                                                              \
        .cpu_ms = 3000, .wall_ms = 20000, .memory_kib = 64 * MIB, .stack_kib = 1024 * MIB,         \
        .output_kib = 4096                                                                         \
    }
#define L_GCC                                                                                      \
    {                                                                                              \
        .cpu_ms = 3000, .wall_ms = 20000, .memory_kib = 384 * MIB, .output_kib = 1024,             \
        .processes = 32                                                                            \
    }
#define S_STRICT SBX_POLICY_STRICT
#define S_RUN    SBX_POLICY_RUNTIME
#define S_CC     SBX_POLICY_COMPILER
#define SYSKILL  31 /* SIGSYS */
#define PY       "/usr/bin/python3", "$PY"
#define GCC_C    "/usr/bin/gcc", "-c", "a.c", "-o", "a.o"

/* Rows are positional up to the syscall column; the rest is named where used. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
/* One row per attack reads better than one field per line. */
// clang-format off
static const struct sec_case cases[] = {
    /*** resources ***/
    {"fork bomb", {"$H", "fork_bomb"}, S_RUN, L_PROCS, false, "TLE", -1, -1, NULL, .cli = true},
    {"fork under strict", {"$H", "fork_bomb"}, S_STRICT, L_STD, false, "RTE", -1, SYSKILL, "clone"},
    {"thread bomb", {"$H", "thread_bomb"}, S_RUN, L_PROCS, false, "TLE", -1, -1, NULL},
    {"memory: malloc+touch",
     {"$H", "malloc"},
     S_STRICT,
     L_MEM,
     false,
     "MLE",
     -1,
     -1,
     NULL,
     .cli = true},
    {"memory: mmap", {"$H", "mmap"}, S_STRICT, L_MEM, false, "MLE", -1, -1, NULL},
    {"memory: stack recursion", {"$H", "stack"}, S_STRICT, L_MEM, false, "MLE", -1, -1, NULL},
    {"busy loop",
     {"$H", "busy"},
     S_STRICT,
     {.cpu_ms = 500, .wall_ms = 5000},
     false,
     "TLE",
     -1,
     -1,
     NULL,
     .check = check_fast_tle},
    {"sleep forever",
     {"$H", "sleep"},
     S_STRICT,
     {.cpu_ms = 500, .wall_ms = 1000},
     false,
     "TLE",
     -1,
     -1,
     NULL,
     .check = check_fast_tle},
    {"stdout flood",
     {"$H", "flood_stdout"},
     S_STRICT,
     L_STD,
     false,
     "OLE",
     -1,
     -1,
     NULL,
     .cli = true},
    {"stderr flood", {"$H", "flood_stderr"}, S_STRICT, L_STD, false, "OLE", -1, -1, NULL},
    {"disk fill /tmp",
     {"$H", "fill", "/tmp"},
     S_STRICT,
     {.cpu_ms = 3000,
      .wall_ms = 20000,
      .memory_kib = 256 * MIB,
      .output_kib = 8192,
      .tmp_kib = 4096},
     false,
     "RTE|MLE",
     3,
     0,
     NULL},
    /* Memory no process's size shows: the OOM killer must find the writer, not the init. */
    {"memory: a tmpfs past the limit",
     {"$H", "fill_one", "/tmp/big"},
     S_STRICT,
     {.cpu_ms = 3000,
      .wall_ms = 20000,
      .memory_kib = 16 * MIB,
      .output_kib = 64 * MIB,
      .tmp_kib = 64 * MIB},
     false,
     "MLE",
     -1,
     -1,
     NULL},
    {"disk fill work folder",
     {"$H", "fill_one", "/box/big"},
     S_STRICT,
     {.cpu_ms = 3000, .wall_ms = 20000, .memory_kib = 256 * MIB, .output_kib = 8192},
     true,
     "OLE",
     -1,
     -1,
     NULL},

    /*** reading and writing what is not ours ***/
    {"read /etc/shadow",
     {"$H", "read", "/etc/shadow", "/etc/gshadow"},
     S_STRICT,
     L_STD,
     false,
     "RTE",
     3,
     0,
     NULL},
    {"read the problems folder",
     {"$H", "read", "$PMARK"},
     S_STRICT,
     L_STD,
     false,
     "RTE",
     3,
     0,
     NULL},
    {"search the box for an answer",
     {"$H", "find", "$PMARKTEXT"},
     S_STRICT,
     L_STD,
     false,
     "RTE",
     3,
     0,
     NULL},
    {"search for another box's file",
     {"$H", "find", "$OMARK"},
     S_STRICT,
     L_STD,
     false,
     "RTE",
     3,
     0,
     NULL},
    {"the judge's environment", {"$H", "env", "$EMARK"}, S_STRICT, L_STD, false, "RTE", 3, 0, NULL,
     .cli = true},
    {"write outside the box",
     {"$H", "write", "/etc/pwned", "/usr/pwned", "/pwned", "/box/pwned", "/prog/pwned", "$SENT"},
     S_STRICT,
     L_STD,
     false,
     "RTE",
     3,
     0,
     NULL},
    {"connect to 127.0.0.1", {"$H", "connect", "$PORT"}, S_RUN, L_STD, false, "RTE", 3, 0, NULL,
     .cli = true},
    {"socket under strict",
     {"$H", "connect", "$PORT"},
     S_STRICT,
     L_STD,
     false,
     "RTE",
     -1,
     SYSKILL,
     "socket"},
    {"netlink socket", {"$H", "netlink"}, S_RUN, L_STD, false, "RTE", -1, SYSKILL, "socket"},
    {"vsock socket", {"$H", "vsock"}, S_RUN, L_STD, false, "RTE", -1, SYSKILL, "socket"},

    /*** processes ***/
    {"kill(-1, SIGKILL)", {"$H", "kill_all"}, S_RUN, L_STD, false, "RTE", 3, 0, NULL, .cli = true},
    {"double-forked setsid daemon",
     {"$H", "daemon", "/box/alive"},
     S_RUN,
     L_PROCS,
     true,
     "OK",
     0,
     0,
     NULL,
     .check = check_daemon,
     .cli = true},
    {"SIGSTOP on itself",
     {"$H", "sigstop"},
     S_STRICT,
     {.cpu_ms = 500, .wall_ms = 1000},
     false,
     "TLE",
     -1,
     -1,
     NULL,
     .cli = true},
    {"close stdout early", {"$H", "close_stdout"}, S_STRICT, L_STD, false, "OK", 0, 0, NULL},
    {"1 MiB of argv",
     {"$H", "argv", "$ARGV1M"},
     S_STRICT,
     L_STD,
     false,
     "OK",
     0,
     0,
     NULL,
     .check = check_argv},

    /*** forbidden calls ***/
    {"ptrace", {"$H", "ptrace"}, S_RUN, L_STD, false, "RTE", -1, SYSKILL, "ptrace", .cli = true},
    {"ptrace under strict", {"$H", "ptrace"}, S_STRICT, L_STD, false, "RTE", -1, SYSKILL, "ptrace"},
    {"mount", {"$H", "mount"}, S_RUN, L_STD, false, "RTE", -1, SYSKILL, "mount"},
    {"unshare(CLONE_NEWUSER)",
     {"$H", "unshare_user"},
     S_RUN,
     L_STD,
     false,
     "RTE",
     -1,
     SYSKILL,
     "unshare"},
    {"clone(CLONE_NEWUSER)",
     {"$H", "clone_user"},
     S_RUN,
     L_STD,
     false,
     "RTE",
     -1,
     SYSKILL,
     "clone"},
    {"setuid(0)", {"$H", "setuid"}, S_RUN, L_STD, false, "RTE", 3, 0, NULL},
    {"setuid(0) under strict",
     {"$H", "setuid"},
     S_STRICT,
     L_STD,
     false,
     "RTE",
     -1,
     SYSKILL,
     "setuid"},
    {"chroot escape", {"$H", "chroot"}, S_RUN, L_STD, false, "RTE", -1, SYSKILL, "chroot"},
    {"x32 system call", {"$H", "x32"}, S_RUN, L_STD, false, "RTE", -1, SYSKILL, "x32:getpid",
     .cli = true},
    /* SIGSYS from the filter, or SIGSEGV where the kernel has no i386 entry at all */
    {"i386 int 0x80", {"$H", "int80"}, S_RUN, L_STD, false, "RTE", -1, -1, NULL},
    {"io_uring_setup",
     {"$H", "io_uring"},
     S_RUN,
     L_STD,
     false,
     "RTE",
     -1,
     SYSKILL,
     "io_uring_setup"},
    {"bpf", {"$H", "bpf"}, S_RUN, L_STD, false, "RTE", -1, SYSKILL, "bpf"},
    {"perf_event_open", {"$H", "perf"}, S_RUN, L_STD, false, "RTE", -1, SYSKILL, "perf_event_open"},
    {"keyctl", {"$H", "keyctl"}, S_RUN, L_STD, false, "RTE", -1, SYSKILL, "keyctl"},
    {"seccomp(2) of its own", {"$H", "seccomp"}, S_RUN, L_STD, false, "RTE", -1, SYSKILL, "seccomp"},
    {"prctl(PR_SET_SECCOMP)", {"$H", "prctl_seccomp"}, S_RUN, L_STD, false, "RTE", -1, SYSKILL,
     "prctl"},
    {"personality(ADDR_NO_RANDOMIZE)", {"$H", "personality"}, S_RUN, L_STD, false, "RTE", -1,
     SYSKILL, "personality"},
    {"ioctl(TIOCSTI)", {"$H", "tiocsti"}, S_RUN, L_STD, false, "RTE", -1, SYSKILL, "ioctl"},
    /* an errno row, not a kill: the program sees ENOSYS and goes on */
    {"clone3 (ENOSYS)", {"$H", "clone3"}, S_RUN, L_STD, false, "RTE", 3, 0, ""},
    {"descriptors leaked into the box", {"$H", "fds"}, S_RUN, L_STD, false, "RTE", 3, 0, NULL,
     .cli = true},
    {"write /proc/self/mem, then pid 1's",
     {"$H", "proc_mem"},
     S_RUN,
     L_STD,
     false,
     "RTE",
     3,
     0,
     NULL},

    /*** links left for the host (strict forbids symlink itself, so this runs as runtime) ***/
    {"links in the work folder",
     {"$H", "links", "$SENT"},
     S_RUN,
     L_STD,
     true,
     "OK",
     0,
     0,
     NULL,
     .check = check_links},

    /*** the same tricks from Python, through os and ctypes ***/
    {"python: read secrets", {PY, "read", "$PMARK"}, S_RUN, L_STD, false, "RTE", 3, 0, NULL},
    {"python: environment", {PY, "env", "$EMARK"}, S_RUN, L_STD, false, "RTE", 3, 0, NULL},
    {"python: write outside", {PY, "write", "$SENT"}, S_RUN, L_STD, false, "RTE", 3, 0, NULL},
    {"python: os.setuid", {PY, "setuid"}, S_RUN, L_STD, false, "RTE", 3, 0, NULL},
    {"python: os.kill(-1)", {PY, "kill_all"}, S_RUN, L_STD, false, "RTE", 3, 0, NULL},
    {"python: connect", {PY, "connect", "$PORT"}, S_RUN, L_STD, false, "RTE", 3, 0, NULL},
    {"python: netlink socket", {PY, "netlink"}, S_RUN, L_STD, false, "RTE", -1, SYSKILL, "socket"},
    {"python: ctypes unshare", {PY, "unshare"}, S_RUN, L_STD, false, "RTE", -1, SYSKILL, "unshare"},
    {"python: ctypes ptrace", {PY, "ptrace"}, S_RUN, L_STD, false, "RTE", -1, SYSKILL, "ptrace"},
    {"python: ctypes mount", {PY, "mount"}, S_RUN, L_STD, false, "RTE", -1, SYSKILL, "mount"},
    {"python: os.fork bomb", {PY, "fork_bomb"}, S_RUN, L_PROCS, false, "TLE|RTE", -1, -1, NULL},

    /*** compile-time attacks: gcc in the box under the compiler policy ***/
    /* /etc/shadow is an empty file in the box: the include compiles, and shows nothing */
    {"gcc: #include \"/etc/shadow\"",
     {GCC_C},
     S_CC,
     L_GCC,
     true,
     "OK|RTE",
     -1,
     0,
     NULL,
     "#include \"/etc/shadow\"\nint main(void) { return 0; }\n"},
    {"gcc: #include of an answer file", {GCC_C}, S_CC, L_GCC, true, "RTE", 1, 0, NULL, "@ANSWER"},
    {"gcc: #include __FILE__ twice (endless)",
     {GCC_C},
     S_CC,
     L_GCC,
     true,
     "TLE|OLE",
     -1,
     -1,
     NULL,
     "#include __FILE__\n#include __FILE__\nint x;\n"},
    {"gcc: exponential macros (memory)",
     {"/usr/bin/gcc", "-E", "a.c", "-o", "a.i"},
     S_CC,
     {.cpu_ms = 3000,
      .wall_ms = 20000,
      .memory_kib = 256 * MIB,
      .output_kib = 1024 * 1024,
      .processes = 32},
     true,
     "MLE|TLE|OLE",
     -1,
     -1,
     NULL,
     "@MACROS"},
};
// clang-format on

/*** Setup ***/

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) return -1;
    fputs(text, f);
    return fclose(f);
}

static int run_cmd(const char *cmd)
{
    int rc = system(cmd);
    if (rc != 0) fprintf(stderr, "failed (%d): %s\n", rc, cmd);
    return rc;
}

static void read_shadow_line(void)
{
    FILE *f = fopen("/etc/shadow", "r");
    if (f == NULL) return;
    if (fgets(shadow_line, sizeof shadow_line, f) == NULL) shadow_line[0] = 0;
    fclose(f);
    shadow_line[strcspn(shadow_line, "\n")] = 0;
}

static int open_listener(void)
{
    listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(listen_fd, 16) != 0 || getsockname(listen_fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    listen_port = ntohs(a.sin_port);
    return 0;
}

static int make_files(void)
{
    char cmd[1024];
    const char *src = getenv("GAVEL_SOURCE_DIR");
    snprintf(progdir, sizeof progdir, "%s/prog", top);
    snprintf(sentinel_dir, sizeof sentinel_dir, "%s/host", top);
    snprintf(sentinel_path, sizeof sentinel_path, "%s/sentinel.txt", sentinel_dir);
    snprintf(answer_path, sizeof answer_path, "%s/problems/p1/data/secret/1.ans", top);
    snprintf(cmd, sizeof cmd, "mkdir -p %s %s %s/problems/p1/data/secret %s/export && chmod 755 %s",
             progdir, sentinel_dir, top, top, top);
    if (run_cmd(cmd) != 0) return -1;
    if (write_text(answer_path, problem_marker) != 0) return -1;
    if (write_text(sentinel_path, sentinel_text) != 0) return -1;
    snprintf(cmd, sizeof cmd,
             "gcc -O1 -static -pthread -o %s/hostile %s/tests/security/programs/hostile.c && "
             "cp %s/tests/security/programs/hostile.py %s/ && chmod -R a+rX %s",
             progdir, src, src, progdir, progdir);
    if (run_cmd(cmd) != 0) return -1;
    snprintf(cli, sizeof cli, "%s/sandbox/gavel-sandbox", getenv("GAVEL_BUILD_DIR"));
    return 0;
}

static int setup(void **state)
{
    (void)state;
    if (getenv("GAVEL_SOURCE_DIR") == NULL || getenv("GAVEL_BUILD_DIR") == NULL) return -1;
    snprintf(top, sizeof top, "/tmp/gavel-sec-XXXXXX");
    if (mkdtemp(top) == NULL) return -1;
    int id = (int)getpid();
    snprintf(problem_marker, sizeof problem_marker, "ANSWER-SECRET-%d-%ld", id, (long)time(NULL));
    snprintf(env_marker, sizeof env_marker, "JUDGE-ENV-SECRET-%d", id);
    snprintf(otherbox_marker, sizeof otherbox_marker, "OTHER-BOX-SECRET-%d", id);
    snprintf(sentinel_text, sizeof sentinel_text, "host sentinel %d", id);
    setenv("GAVEL_JUDGE_SECRET", env_marker, 1);
    read_shadow_line();
    gethostname(hostname0, sizeof hostname0);
    if (make_files() != 0 || open_listener() != 0) return -1;
    caller_ballast = malloc(CALLER_BYTES);
    if (caller_ballast == NULL) return -1;
    memset(caller_ballast, 'c', CALLER_BYTES);

    sentinel_pid = fork();
    if (sentinel_pid == 0) {
        for (;;)
            pause();
    }
    char base[128], err[256];
    snprintf(base, sizeof base, "%s/boxes", top);
    struct sbx_config cfg = {.base_dir = base, .n_boxes = 2, .first_uid = FIRST_UID};
    pool = sbx_pool_new(&cfg, err, sizeof err);
    if (pool == NULL) {
        fprintf(stderr, "sbx_pool_new: %s\n", err);
        return -1;
    }
    box_a = sbx_box_acquire(pool);
    box_b = sbx_box_acquire(pool);
    if (box_a == NULL || box_b == NULL) return -1;
    return sbx_box_put(box_b, "secret.txt", otherbox_marker, strlen(otherbox_marker), 0644);
}

static char *row_output;

static int teardown(void **state)
{
    (void)state;
    free(row_output);
    free(caller_ballast);
    if (box_a != NULL) sbx_box_release(box_a);
    if (box_b != NULL) sbx_box_release(box_b);
    sbx_pool_free(pool);
    if (sentinel_pid > 0) {
        kill(sentinel_pid, SIGKILL);
        waitpid(sentinel_pid, NULL, 0);
    }
    if (listen_fd >= 0) close(listen_fd);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", top);
    return run_cmd(cmd) == 0 ? 0 : -1;
}

/*** Running one row ***/

#define ARGV_MAX      40
#define BIG_ARG_COUNT 16
#define BIG_ARG_BYTES (64 * 1024)

struct argv_buf {
    const char *argv[ARGV_MAX];
    char port[16];
    char *big[BIG_ARG_COUNT];
};

static void argv_build(const struct sec_case *c, struct argv_buf *b)
{
    static const char *const keys[] = {"$H",         "$PY",    "$PORT",  "$PMARK",
                                       "$PMARKTEXT", "$OMARK", "$EMARK", "$SENT"};
    const char *values[] = {"/prog/hostile", "/prog/hostile.py", b->port,    answer_path,
                            problem_marker,  otherbox_marker,    env_marker, sentinel_path};
    size_t n = 0;
    snprintf(b->port, sizeof b->port, "%d", listen_port);
    for (size_t i = 0; i < 8 && c->argv[i] != NULL; i++) {
        const char *a = c->argv[i];
        if (strcmp(a, "$ARGV1M") == 0) {
            for (size_t k = 0; k < BIG_ARG_COUNT; k++) {
                b->big[k] = malloc(BIG_ARG_BYTES + 1);
                assert_non_null(b->big[k]);
                memset(b->big[k], 'a' + (int)k, BIG_ARG_BYTES);
                b->big[k][BIG_ARG_BYTES] = 0;
                b->argv[n++] = b->big[k];
            }
            continue;
        }
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            if (strcmp(a, keys[k]) == 0) a = values[k];
        b->argv[n++] = a;
    }
    b->argv[n] = NULL;
}

static void argv_free(struct argv_buf *b)
{
    for (size_t k = 0; k < BIG_ARG_COUNT; k++)
        free(b->big[k]);
}

#define SOURCE_MAX 8192

/* "@ANSWER" and "@MACROS" are made here; anything else is the source itself. */
static char *make_source(const char *spec)
{
    char *s = malloc(SOURCE_MAX);
    assert_non_null(s);
    if (strcmp(spec, "@ANSWER") == 0) {
        snprintf(s, SOURCE_MAX, "#include \"%s\"\nint main(void) { return 0; }\n", answer_path);
    } else if (strcmp(spec, "@MACROS") == 0) {
        /* A39 expands to 4^40 tokens: the preprocessor eats memory and time */
        int n = snprintf(s, SOURCE_MAX, "#define A0 x x x x\n");
        for (int i = 1; i < 40; i++)
            n += snprintf(s + n, SOURCE_MAX - (size_t)n, "#define A%d A%d A%d A%d A%d\n", i, i - 1,
                          i - 1, i - 1, i - 1);
        snprintf(s + n, SOURCE_MAX - (size_t)n, "int main(void) { A39; }\n");
    } else {
        snprintf(s, SOURCE_MAX, "%s", spec);
    }
    return s;
}

static char *read_fd_all(int fd)
{
    char *buf = calloc(1, OUT_MAX + 1);
    assert_non_null(buf);
    ssize_t n = pread(fd, buf, OUT_MAX, 0);
    if (n > 0) buf[n] = 0;
    return buf;
}

static int tmp_file(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", top, name);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    return fd;
}

/* Runs row c in box A through the library; returns stdout + stderr (caller frees). After the
 * run the box's next init is started at once (sbx_box_prestart), as servers and judges do: every
 * row but the first runs with an init that waited through the row before it. */
static char *run_lib(const struct sec_case *c, struct sbx_result *r)
{
    static const char *const envp[] = {"PATH=/usr/bin:/bin", "HOME=/tmp", "LANG=C.UTF-8", NULL};
    struct argv_buf b = {0};
    argv_build(c, &b);
    struct sbx_bind bind = {.host = progdir, .inside = "/prog", .writable = false};
    struct sbx_spec spec;
    sbx_spec_init(&spec);
    spec.argv = b.argv;
    spec.envp = envp;
    spec.policy = c->policy;
    spec.limits = c->limits;
    spec.work_writable = c->work_rw;
    spec.binds = &bind;
    spec.n_binds = 1;
    int out = tmp_file("out.txt"), err = tmp_file("err.txt");
    spec.stdout_fd = out;
    spec.stderr_fd = err;
    if (c->source != NULL) {
        char *src = make_source(c->source);
        assert_int_equal(sbx_box_put(box_a, "a.c", src, strlen(src), 0644), 0);
        free(src);
    }
    memset(r, 0, sizeof *r);
    int rc = sbx_run(box_a, &spec, r);
    char perr[256];
    if (sbx_box_prestart(box_a, perr, sizeof perr) < 0)
        fail_msg("%s: sbx_box_prestart: %s", c->name, perr);
    argv_free(&b);
    char *o = read_fd_all(out), *e = read_fd_all(err);
    close(out);
    close(err);
    size_t lo = strlen(o), le = strlen(e);
    char *both = realloc(o, lo + le + 2);
    assert_non_null(both);
    both[lo] = '\n';
    memcpy(both + lo + 1, e, le + 1);
    free(e);
    if (rc != 0) {
        free(both);
        fail_msg("%s: sbx_run failed: %s", c->name, r->message);
    }
    return both;
}

/*** Checks ***/

static bool status_in(const char *set, const char *status)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", set);
    for (char *save = NULL, *t = strtok_r(buf, "|", &save); t != NULL;
         t = strtok_r(NULL, "|", &save))
        if (strcmp(t, status) == 0) return true;
    return false;
}

static void check_result(const struct sec_case *c, const struct sbx_result *r, const char *out,
                         const char *via)
{
    const char *st = sbx_status_name(r->status);
    if (!status_in(c->status, st))
        fail_msg("%s (%s): status %s, want %s; message %s; output:\n%.2000s", c->name, via, st,
                 c->status, r->message, out);
    if (c->exit_code >= 0 && r->exit_code != c->exit_code)
        fail_msg("%s (%s): exit code %d, want %d; output:\n%.2000s", c->name, via, r->exit_code,
                 c->exit_code, out);
    if (c->signal >= 0 && r->signal != c->signal)
        fail_msg("%s (%s): signal %d, want %d", c->name, via, r->signal, c->signal);
    if (c->syscall != NULL && strcmp(r->syscall, c->syscall) != 0)
        fail_msg("%s (%s): syscall \"%s\", want \"%s\"", c->name, via, r->syscall, c->syscall);
}

static void no_secret(const char *name, const char *out)
{
    const char *secrets[] = {problem_marker, env_marker, otherbox_marker, sentinel_text,
                             shadow_line};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        if (strlen(secrets[i]) >= 8 && strstr(out, secrets[i]) != NULL)
            fail_msg("%s: a secret leaked into the output: %s", name, secrets[i]);
}

/* Is pid one of the box's processes: the box uid, or our hostile programs? Fills `what` with its
 * state and command line. */
static bool is_box_process(const char *pid, unsigned uid, char *what, size_t size)
{
    char path[300], buf[4096], state[64] = "?";
    snprintf(path, sizeof path, "/proc/%s/status", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL) return false;
    bool found = false;
    while (fgets(buf, sizeof buf, f) != NULL) {
        unsigned real;
        if (sscanf(buf, "Uid: %u", &real) == 1) found = real == uid;
        if (strncmp(buf, "State:", 6) == 0) snprintf(state, sizeof state, "%.40s", buf + 7);
    }
    fclose(f);
    state[strcspn(state, "\n")] = 0;
    snprintf(path, sizeof path, "/proc/%s/cmdline", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0) close(fd);
    buf[n > 0 ? n : 0] = 0;
    if (n > 0 && memmem(buf, (size_t)n, "/prog/hostile", 13) != NULL) found = true;
    if (found) snprintf(what, size, "pid %.20s, state %s, %.100s", pid, state, buf);
    return found;
}

static int count_box_processes(unsigned uid, char *which, size_t size)
{
    DIR *d = opendir("/proc");
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        if (is_box_process(e->d_name, uid, which, size)) n++;
    }
    closedir(d);
    return n;
}

static void no_survivors(const char *name)
{
    unsigned uid = FIRST_UID + sbx_box_id(box_a);
    char which[256] = "";
    for (int waited = 0; waited <= SURVIVOR_WAIT_MS; waited += 50) {
        if (count_box_processes(uid, which, sizeof which) == 0) return;
        usleep(50 * 1000);
    }
    fail_msg("%s: a process of the box survived the run (%s)", name, which);
}

static void host_unharmed(const char *name)
{
    char *text = NULL, buf[128] = "";
    FILE *f = fopen(sentinel_path, "r");
    if (f != NULL) {
        text = fgets(buf, sizeof buf, f);
        fclose(f);
    }
    if (text == NULL || strcmp(buf, sentinel_text) != 0)
        fail_msg("%s: the host sentinel file changed", name);
    DIR *d = opendir(sentinel_dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' && strcmp(e->d_name, "sentinel.txt") != 0)
            fail_msg("%s: a new file appeared on the host: %s", name, e->d_name);
    closedir(d);
    int conn = accept(listen_fd, NULL, NULL);
    if (conn >= 0) fail_msg("%s: the box reached the host's loopback listener", name);
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    if (kill(sentinel_pid, 0) != 0 || waitpid(sentinel_pid, NULL, WNOHANG) != 0)
        fail_msg("%s: the host's sentinel process died", name);
    char host[256] = "";
    gethostname(host, sizeof host);
    if (strcmp(host, hostname0) != 0) fail_msg("%s: the host name changed", name);
}

static void check_fast_tle(const struct sec_case *c, const struct sbx_result *r, const char *out)
{
    (void)out;
    if (r->wall_ms > c->limits.wall_ms + 1000)
        fail_msg("%s: killed late, wall %u ms for a limit of %u", c->name, r->wall_ms,
                 c->limits.wall_ms);
}

static void check_argv(const struct sec_case *c, const struct sbx_result *r, const char *out)
{
    (void)r;
    char want[64];
    snprintf(want, sizeof want, "argv bytes %d", BIG_ARG_COUNT * BIG_ARG_BYTES);
    if (strstr(out, want) == NULL) fail_msg("%s: output %.200s", c->name, out);
}

static size_t alive_size(void)
{
    size_t len = 0;
    char *data = sbx_box_get(box_a, "alive", 1 << 20, &len);
    free(data);
    return data != NULL ? len : 0;
}

/* The daemon left /box/alive growing every 100 ms while it lived: it must have run, and the
 * file must have stopped growing when the run ended. */
static void check_daemon(const struct sec_case *c, const struct sbx_result *r, const char *out)
{
    (void)r;
    (void)out;
    size_t before = alive_size();
    usleep(400 * 1000);
    size_t after = alive_size();
    if (before == 0) fail_msg("%s: the daemon never ran; the row tests nothing", c->name);
    if (after != before)
        fail_msg("%s: the daemon outlived the run (%zu -> %zu)", c->name, before, after);
    no_survivors(c->name);
}

/* Links and a FIFO were left in the work folder: reading them out must not follow or block. */
static void check_links(const struct sec_case *c, const struct sbx_result *r, const char *out)
{
    (void)r;
    (void)out;
    static const char *const links[] = {"shadow_link", "host_link", "root_link", "fifo"};
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        size_t len = 0;
        errno = 0;
        char *data = sbx_box_get(box_a, links[i], 1 << 20, &len);
        if (data != NULL) fail_msg("%s: sbx_box_get(%s) read through it", c->name, links[i]);
        assert_true(errno == ELOOP || errno == EINVAL);
    }
    size_t len = 0;
    char *ok = sbx_box_get(box_a, "ok.txt", 1 << 20, &len);
    assert_non_null(ok);
    assert_memory_equal(ok, "fine\n", 5);
    free(ok);

    char dir[128];
    snprintf(dir, sizeof dir, "%s/export", top);
    assert_int_equal(sbx_box_export(box_a, dir, 16 << 20), 0);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int n_ok = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        assert_int_equal(lstat(path, &st), 0);
        if (!S_ISREG(st.st_mode)) fail_msg("%s: export made a non-file %s", c->name, e->d_name);
        /* only ok.txt: the links, the FIFO and a hard link to a host file (which the work
         * folder's own file system should make impossible) are never copied out */
        if (strcmp(e->d_name, "ok.txt") == 0)
            n_ok++;
        else
            fail_msg("%s: export copied %s", c->name, e->d_name);
        unlink(path);
    }
    closedir(d);
    assert_int_equal(n_ok, 1);
}

/*** The CLI ***/

/* GAVEL_SANDBOX_SERVER of the commands: "0" (each makes its own box) or "require" (through the
 * server test_cli_rows_served starts). */
static const char *cli_server_mode = "0";

/* Runs row c through gavel-sandbox; fills r from its JSON. */
static char *run_cli(const struct sec_case *c, struct sbx_result *r)
{
    struct argv_buf b = {0};
    argv_build(c, &b);
    char base[128], dir[256], num[6][24], outp[256], errp[256];
    snprintf(base, sizeof base, "%s/cliboxes", top);
    snprintf(dir, sizeof dir, "%s:/prog", progdir);
    snprintf(outp, sizeof outp, "%s/cli-out.txt", top);
    snprintf(errp, sizeof errp, "%s/cli-err.txt", top);
    snprintf(num[0], 24, "%u", c->limits.cpu_ms);
    snprintf(num[1], 24, "%u", c->limits.wall_ms);
    snprintf(num[2], 24, "%llu", (unsigned long long)c->limits.memory_kib);
    snprintf(num[3], 24, "%llu", (unsigned long long)c->limits.output_kib);
    snprintf(num[4], 24, "%u", c->limits.processes ? c->limits.processes : 1);
    const char *argv[ARGV_MAX + 32] = {cli,
                                       "--base-dir",
                                       base,
                                       "--dir",
                                       dir,
                                       "--policy",
                                       sbx_policy_name(c->policy),
                                       "--time-limit",
                                       num[0],
                                       "--wall-limit",
                                       num[1],
                                       "--memory-limit",
                                       num[2],
                                       "--output-limit",
                                       num[3],
                                       "--processes",
                                       num[4],
                                       "--stdout",
                                       outp,
                                       "--stderr",
                                       errp,
                                       "--env",
                                       "PATH=/usr/bin:/bin",
                                       "--"};
    size_t n = 23;
    for (size_t i = 0; b.argv[i] != NULL; i++)
        argv[n++] = b.argv[i];
    argv[n] = NULL;
    int pipefd[2];
    assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(pipefd[1], 1);
        setenv("GAVEL_SANDBOX_SERVER", cli_server_mode, 1);
        execv(cli, (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    char json[2048] = "";
    size_t got = 0;
    ssize_t k;
    while (got < sizeof json - 1 && (k = read(pipefd[0], json + got, sizeof json - 1 - got)) > 0)
        got += (size_t)k;
    json[got] = 0;
    close(pipefd[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    argv_free(&b);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("%s (cli): gavel-sandbox exit status %#x: %s", c->name, status, json);
    char st[8] = "", sys[SBX_SYSCALL_NAME_MAX] = "";
    const char *p;
    memset(r, 0, sizeof *r);
    if ((p = strstr(json, "\"status\":\"")) != NULL) sscanf(p + 10, "%7[A-Z]", st);
    if ((p = strstr(json, "\"exit_code\":")) != NULL) sscanf(p + 12, "%d", &r->exit_code);
    if ((p = strstr(json, "\"signal\":")) != NULL) sscanf(p + 9, "%d", &r->signal);
    if ((p = strstr(json, "\"wall_ms\":")) != NULL) sscanf(p + 10, "%u", &r->wall_ms);
    if ((p = strstr(json, "\"syscall\":\"")) != NULL) sscanf(p + 11, "%31[a-z0-9_:#]", sys);
    snprintf(r->syscall, sizeof r->syscall, "%s", sys);
    snprintf(r->message, sizeof r->message, "%.200s", json);
    r->status = SBX_JE;
    for (int s = SBX_OK; s <= SBX_JE; s++)
        if (strcmp(sbx_status_name((enum sbx_status)s), st) == 0) r->status = (enum sbx_status)s;
    char *out = calloc(1, OUT_MAX + 1);
    assert_non_null(out);
    FILE *f = fopen(outp, "r");
    if (f != NULL) {
        size_t m = fread(out, 1, OUT_MAX, f);
        out[m] = 0;
        fclose(f);
    }
    return out;
}

/*** The tests ***/

/* row_output (declared above teardown): the output of the row being checked. A failed check
 * jumps out of run_case, so it is freed at the next row or in teardown rather than leaked. */

static void run_case(const struct sec_case *c, bool via_cli)
{
    struct sbx_result r;
    free(row_output);
    row_output = NULL;
    char *out = via_cli ? run_cli(c, &r) : run_lib(c, &r);
    row_output = out;
    print_message("%-40s %-4s %-3s exit %d signal %d %s%s (%u ms)\n", c->name,
                  via_cli ? "cli" : "lib", sbx_status_name(r.status), r.exit_code, r.signal,
                  r.syscall[0] ? "syscall " : "", r.syscall, r.wall_ms);
    check_result(c, &r, out, via_cli ? "cli" : "lib");
    no_secret(c->name, out);
    if (c->check != NULL && !via_cli) c->check(c, &r, out);
    no_survivors(c->name);
    host_unharmed(c->name);
    free(out);
    row_output = NULL;
    if (!via_cli) assert_int_equal(sbx_box_clean(box_a), 0);
}

static void test_library_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i], false);
}

static void test_cli_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (cases[i].cli) run_case(&cases[i], true);
}

/* The same rows through a sandbox server (sandbox/cli_server.c): the program runs in a box of a
 * long-lived process, gets the command's descriptors over a Unix socket, and must be contained
 * just the same; the server must survive every row. */
static void test_cli_rows_served(void **state)
{
    (void)state;
    char base[128];
    snprintf(base, sizeof base, "%s/cliboxes", top);
    pid_t server = fork();
    assert_true(server >= 0);
    if (server == 0) {
        execl(cli, cli, "--server", "--base-dir", base, "--boxes", "2", "--idle-exit", "0",
              (char *)NULL);
        _exit(127);
    }
    cli_server_mode = "require";
    bool up = false;
    for (int i = 0; i < SERVER_WAIT_MS / 50 && !up; i++) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd,
                 "GAVEL_SANDBOX_SERVER=require %s --base-dir %s -- /bin/true >/dev/null 2>&1", cli,
                 base);
        up = run_cmd(cmd) == 0;
        if (!up) usleep(50 * 1000);
    }
    if (up)
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
            if (cases[i].cli) run_case(&cases[i], true);
    cli_server_mode = "0";
    int status = -1;
    bool alive = waitpid(server, &status, WNOHANG) == 0;
    kill(server, SIGTERM);
    waitpid(server, &status, 0);
    assert_true(up);
    assert_true(alive);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Box B's secret is still there, untouched by everything box A ran. */
static void test_other_box_intact(void **state)
{
    (void)state;
    size_t len = 0;
    char *s = sbx_box_get(box_b, "secret.txt", 4096, &len);
    assert_non_null(s);
    assert_int_equal(len, strlen(otherbox_marker));
    assert_memory_equal(s, otherbox_marker, len);
    free(s);
}

int main(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "test_security_suite needs root (it makes real sandboxes)\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_library_rows),
        cmocka_unit_test(test_cli_rows),
        cmocka_unit_test(test_cli_rows_served),
        cmocka_unit_test(test_other_box_intact),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
