/*
 * test_sandbox_cli.c - gavel-sandbox, the command line of DESIGN.md, run as a program: the JSON
 * line, exit statuses 0/2, files opened on the host side, --dir read-only and :rw, --env, --cwd.
 * Every case runs twice: with GAVEL_SANDBOX_SERVER=0 (each command makes its own box) and with
 * =require through the sandbox server, which the first command on the default base folder
 * starts by itself (checked in the second group's setup: auto-start, then served).
 * gavel-sandbox is the front (sandbox/cli_front.c); GAVEL_SANDBOX_CLI names another build of it
 * (ctest's test_sandbox_cli_musl: the musl one Release builds ship).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gv.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CLI_OUT_MAX 65536

#define SERVER_WAIT_MS 10000 /* for the auto-started server to listen */

static char cli[512];
static char tmpdir[64];
static const char *server_mode = "0"; /* GAVEL_SANDBOX_SERVER of every command */

struct cli_run {
    int exit_status;
    cJSON *json;
};

/* Runs gavel-sandbox with args; fills exit status and the parsed JSON line (NULL if none). */
static void run_cli(struct cli_run *out, const char *const *args)
{
    const char *argv[64] = {cli};
    int n = 1;
    for (; args[n - 1] != NULL && n < 63; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        if (server_mode != NULL)
            setenv("GAVEL_SANDBOX_SERVER", server_mode, 1);
        else
            unsetenv("GAVEL_SANDBOX_SERVER");
        execv(cli, (char *const *)argv);
        _exit(99);
    }
    close(p[1]);
    struct gv_buf b;
    gv_buf_init(&b, CLI_OUT_MAX);
    char chunk[4096];
    ssize_t k;
    while ((k = read(p[0], chunk, sizeof chunk)) > 0)
        gv_buf_append(&b, chunk, (size_t)k);
    close(p[0]);
    int st;
    waitpid(pid, &st, 0);
    out->exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    out->json = b.data ? cJSON_Parse(b.data) : NULL;
    fprintf(stderr, "  -> exit %d, %s", out->exit_status, b.data ? b.data : "(no output)\n");
    gv_buf_free(&b);
}

static const char *str(struct cli_run *r, const char *key)
{
    cJSON *v = cJSON_GetObjectItem(r->json, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static int num(struct cli_run *r, const char *key)
{
    cJSON *v = cJSON_GetObjectItem(r->json, key);
    return cJSON_IsNumber(v) ? v->valueint : -1;
}

static char *slurp(const char *name)
{
    char p[128];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    return gv_read_file(p, 1 << 20, NULL);
}

static void put(const char *name, const char *text)
{
    char p[128];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(gv_write_all(fd, text, strlen(text)), 0);
    close(fd);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NEED_ROOT()                                                                              \
    do {                                                                                         \
        if (geteuid() != 0)                                                                      \
            skip();                                                                              \
    } while (0)

static void test_true_and_exit_code(void **state)
{
    (void)state;
    NEED_ROOT();
    struct cli_run r;
    run_cli(&r, ARGS("--", "/bin/true"));
    assert_int_equal(r.exit_status, 0);
    assert_non_null(r.json);
    assert_string_equal(str(&r, "status"), "OK");
    assert_int_equal(num(&r, "exit_code"), 0);
    assert_true(cJSON_HasObjectItem(r.json, "wall_ms") && cJSON_HasObjectItem(r.json, "cpu_ms") &&
                cJSON_HasObjectItem(r.json, "memory_kib") &&
                cJSON_HasObjectItem(r.json, "signal") && cJSON_HasObjectItem(r.json, "syscall") &&
                cJSON_HasObjectItem(r.json, "message"));
    cJSON_Delete(r.json);
    run_cli(&r, ARGS("--policy", "runtime", "--", "/bin/sh", "-c", "exit 3"));
    assert_int_equal(r.exit_status, 0);
    assert_string_equal(str(&r, "status"), "RTE");
    assert_int_equal(num(&r, "exit_code"), 3);
    cJSON_Delete(r.json);
    run_cli(&r, ARGS("--", "/no/such/program"));
    assert_int_equal(r.exit_status, 0);
    assert_string_equal(str(&r, "status"), "RTE");
    assert_int_equal(num(&r, "exit_code"), 127);
    cJSON_Delete(r.json);
}

static void test_time_limit(void **state)
{
    (void)state;
    NEED_ROOT();
    struct cli_run r;
    run_cli(&r, ARGS("--time-limit", "200", "--policy", "runtime", "--", "/bin/sh", "-c",
                     "while :; do :; done"));
    assert_int_equal(r.exit_status, 0);
    assert_string_equal(str(&r, "status"), "TLE");
    assert_in_range(num(&r, "cpu_ms"), 200, 400);
    cJSON_Delete(r.json);
}

static void test_files_env_cwd(void **state)
{
    (void)state;
    NEED_ROOT();
    put("in.txt", "from stdin\n");
    char in[128], out[128], err[128];
    snprintf(in, sizeof in, "%s/in.txt", tmpdir);
    snprintf(out, sizeof out, "%s/out.txt", tmpdir);
    snprintf(err, sizeof err, "%s/err.txt", tmpdir);
    struct cli_run r;
    run_cli(&r, ARGS("--stdin", in, "--stdout", out, "--stderr", err, "--env", "A=1", "--env",
                     "PATH=/usr/bin:/bin", "--cwd", "/tmp", "--policy", "runtime", "--", "sh",
                     "-c", "cat; echo \"$A $(pwd)\"; echo oops >&2; env | sort | tr '\\n' ' '"));
    assert_int_equal(r.exit_status, 0);
    assert_string_equal(str(&r, "status"), "OK");
    cJSON_Delete(r.json);
    char *o = slurp("out.txt"), *e = slurp("err.txt");
    assert_non_null(o);
    assert_non_null(e);
    /* The environment is exactly ours (Debian's sh, dash, adds PWD itself). */
    assert_string_equal(o, "from stdin\n1 /tmp\nA=1 PATH=/usr/bin:/bin PWD=/tmp ");
    assert_string_equal(e, "oops\n");
    free(o);
    free(e);
}

static void test_dir_binds(void **state)
{
    (void)state;
    NEED_ROOT();
    put("x", "bound\n");
    char ro[128], rw[128], out[128];
    snprintf(ro, sizeof ro, "%s:/data", tmpdir);
    snprintf(rw, sizeof rw, "%s:/data:rw", tmpdir);
    snprintf(out, sizeof out, "%s/out.txt", tmpdir);
    struct cli_run r;
    run_cli(&r, ARGS("--dir", ro, "--stdout", out, "--policy", "runtime", "--", "/bin/sh", "-c",
                     "cat /data/x; echo no > /data/y"));
    assert_string_equal(str(&r, "status"), "RTE");
    cJSON_Delete(r.json);
    char *o = slurp("out.txt");
    assert_string_equal(o, "bound\n");
    free(o);
    char *y = slurp("y");
    assert_null(y);
    run_cli(&r, ARGS("--dir", rw, "--policy", "runtime", "--", "/bin/sh", "-c", "echo yes > /data/y"));
    assert_string_equal(str(&r, "status"), "OK");
    cJSON_Delete(r.json);
    y = slurp("y");
    assert_non_null(y);
    assert_string_equal(y, "yes\n");
    free(y);
}

static void *write_fifo(void *path)
{
    int fd = open(path, O_WRONLY); /* until the command opens it for reading */
    if (fd >= 0) {
        gv_write_all(fd, "through a fifo\n", 15);
        close(fd);
    }
    return NULL;
}

/* An offer no server takes (auto mode, a base folder nobody serves): the front hands over to
 * gavel-sandbox-core with the files it opened. A FIFO on --stdin can only be opened once: a core
 * that opened it again would wait for a writer for ever. */
static void test_front_hands_over(void **state)
{
    (void)state;
    NEED_ROOT();
    char fifo[160], base[160], in[200], out[200];
    snprintf(fifo, sizeof fifo, "%s/fifo", tmpdir);
    snprintf(base, sizeof base, "%s/base", tmpdir);
    snprintf(out, sizeof out, "%s/out.txt", tmpdir);
    snprintf(in, sizeof in, "%s", fifo);
    unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    pthread_t writer;
    assert_int_equal(pthread_create(&writer, NULL, write_fifo, fifo), 0);
    const char *saved = server_mode;
    server_mode = NULL;
    struct cli_run r;
    run_cli(&r, ARGS("--base-dir", base, "--stdin", in, "--stdout", out, "--policy", "runtime",
                     "--", "/bin/cat"));
    server_mode = saved;
    pthread_join(writer, NULL);
    assert_int_equal(r.exit_status, 0);
    assert_string_equal(str(&r, "status"), "OK");
    cJSON_Delete(r.json);
    char *o = slurp("out.txt");
    assert_non_null(o);
    assert_string_equal(o, "through a fifo\n");
    free(o);
    unlink(fifo);
    run_cli(&r, ARGS("--cleanup", "--base-dir", base));
    cJSON_Delete(r.json);
    rmdir(base);
}

static void test_bad_command_lines(void **state)
{
    (void)state;
    struct cli_run r;
    run_cli(&r, ARGS("--bogus", "--", "/bin/true"));
    assert_int_equal(r.exit_status, 2);
    assert_null(r.json);
    run_cli(&r, ARGS("--time-limit", "abc", "--", "/bin/true"));
    assert_int_equal(r.exit_status, 2);
    run_cli(&r, ARGS("--policy", "lax", "--", "/bin/true"));
    assert_int_equal(r.exit_status, 2);
    run_cli(&r, ARGS("--time-limit", "100"));
    assert_int_equal(r.exit_status, 2);
    run_cli(&r, ARGS("--dir", "relative:/x", "--", "/bin/true"));
    assert_int_equal(r.exit_status, 2);
    run_cli(&r, ARGS("--help"));
    assert_int_equal(r.exit_status, 0);
}

static int group_setup(void **state)
{
    (void)state;
    server_mode = "0";
    const char *build = getenv("GAVEL_BUILD_DIR"), *front = getenv("GAVEL_SANDBOX_CLI");
    if (front != NULL) /* another build of the front (the musl one) */
        snprintf(cli, sizeof cli, "%s", front);
    else
        snprintf(cli, sizeof cli, "%s/sandbox/gavel-sandbox", build ? build : "..");
    snprintf(tmpdir, sizeof tmpdir, "/tmp/gavel-sbx-cli-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    chmod(tmpdir, 0777); /* the box's uid writes into it through --dir :rw */
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    const char *names[] = {"in.txt", "out.txt", "err.txt", "x", "y"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s/%s", tmpdir, names[i]);
        unlink(p);
    }
    rmdir(tmpdir);
    return 0;
}

/* No server listens for the default base folder: a command that must be served fails (2). */
static bool served_now(void)
{
    const char *saved = server_mode;
    struct cli_run r;
    server_mode = "require";
    run_cli(&r, ARGS("--", "/bin/true"));
    server_mode = saved;
    bool ok = r.exit_status == 0 && r.json != NULL;
    cJSON_Delete(r.json);
    return ok;
}

/* The served group: stop any server, then a plain command runs itself and starts one, which
 * must be listening within SERVER_WAIT_MS; every case then runs with =require. */
static int served_setup(void **state)
{
    if (group_setup(state) < 0 || geteuid() != 0)
        return geteuid() != 0 ? 0 : -1;
    struct cli_run r;
    run_cli(&r, ARGS("--cleanup"));
    if (r.exit_status != 0 || served_now())
        return -1; /* --cleanup must leave no server behind */
    server_mode = NULL; /* auto */
    run_cli(&r, ARGS("--", "/bin/true"));
    cJSON_Delete(r.json);
    if (r.exit_status != 0)
        return -1;
    int64_t deadline = gv_now_ms() + SERVER_WAIT_MS;
    while (!served_now())
        if (gv_now_ms() > deadline)
            return -1;
        else
            usleep(20000);
    server_mode = "require";
    return 0;
}

static int served_teardown(void **state)
{
    struct cli_run r;
    server_mode = "0";
    run_cli(&r, ARGS("--cleanup"));
    bool left = geteuid() == 0 && served_now();
    group_teardown(state);
    return r.exit_status == 0 && !left ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_true_and_exit_code), cmocka_unit_test(test_time_limit),
        cmocka_unit_test(test_files_env_cwd),      cmocka_unit_test(test_dir_binds),
        cmocka_unit_test(test_bad_command_lines), cmocka_unit_test(test_front_hands_over),
    };
    int failed = cmocka_run_group_tests_name("own box per command", tests, group_setup,
                                             group_teardown);
    failed += cmocka_run_group_tests_name("through the sandbox server", tests, served_setup,
                                          served_teardown);
    return failed;
}
