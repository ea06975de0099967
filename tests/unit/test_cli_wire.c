/*
 * test_cli_wire.c - the request/reply format between a gavel-sandbox command and its server
 * (sandbox/cli_wire.c), on plain data.
 *
 * Theory of operation. A full spec is encoded and decoded back and compared field by field. Then
 * the decoder is fed what a hostile or broken peer could send: every truncation of a valid
 * payload (each copied into a buffer of exactly that size, so ASan sees any read past the end),
 * bytes left over, a missing final NUL, strings that break the rules (empty program name, an
 * environment entry without '=', relative bind paths), and headers with each field out of range.
 * Each must fail with a reason. The encoder must refuse specs over the caps with E2BIG, and the
 * reply check must refuse unterminated strings and out-of-range codes. Finally the socket names:
 * one per base folder, stable for the same folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli_wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUILD_ID 0x1234567890abcdefull

/* A spec that uses every part of the format. */
static const char *const full_argv[] = {"/usr/bin/prog", "first arg", "", "--x=y", NULL};
static const char *const full_env[] = {"PATH=/usr/bin:/bin", "EMPTY=", "EQ=a=b", NULL};
static const struct sbx_bind full_binds[] = {
    {.host = "/srv/data", .inside = NULL, .writable = false},
    {.host = "/srv/out", .inside = "/out", .writable = true},
    {.host = "/srv/cache", .inside = "/var/cache/x", .writable = false},
};

static void full_spec(struct sbx_spec *spec)
{
    sbx_spec_init(spec);
    spec->argv = full_argv;
    spec->envp = full_env;
    spec->cwd = "/box/sub dir";
    spec->stdin_fd = 0;
    spec->stdout_fd = -1;
    spec->stderr_fd = 2;
    spec->work_writable = true;
    spec->binds = full_binds;
    spec->n_binds = 3;
    spec->policy = SBX_POLICY_RUNTIME;
    spec->limits = (struct sbx_limits){.cpu_ms = 1500, .wall_ms = 4000, .memory_kib = 262144,
                                       .output_kib = 1024, .processes = 7, .open_files = 33,
                                       .stack_kib = 8192, .tmp_kib = 4096};
}

/* Encodes the full spec into h and a malloc'd payload. */
static char *encode_full(struct cli_wire_header *h)
{
    struct sbx_spec spec;
    full_spec(&spec);
    char *payload = NULL;
    assert_int_equal(cli_wire_encode(&spec, BUILD_ID, h, &payload), 0);
    assert_non_null(payload);
    return payload;
}

/* A copy of the first len bytes in a buffer of exactly len bytes (ASan sees any overread). */
static char *copy_exact(const char *p, size_t len)
{
    if (len > CLI_WIRE_PAYLOAD_MAX + 16) {
        fail_msg("copy of %zu bytes", len);
        return NULL;
    }
    char *c = malloc(len > 0 ? len : 1);
    assert_non_null(c);
    if (len > 0)
        memcpy(c, p, len);
    return c;
}

/* Decodes (payload taken over); expects failure with a non-empty reason containing `want`. */
static void expect_decode_fails(const struct cli_wire_header *h, char *payload, size_t len,
                                const char *want)
{
    struct cli_wire_request req;
    char why[SBX_MESSAGE_MAX] = "";
    assert_int_equal(cli_wire_decode(h, payload, len, &req, why, sizeof why), -1);
    assert_true(why[0] != '\0');
    if (want != NULL && strstr(why, want) == NULL)
        fail_msg("reason '%s' lacks '%s'", why, want);
    cli_wire_request_free(&req);
}

static void test_round_trip(void **state)
{
    (void)state;
    struct cli_wire_header h;
    char *payload = encode_full(&h);
    char why[SBX_MESSAGE_MAX] = "";
    assert_int_equal(h.magic, CLI_WIRE_MAGIC);
    assert_int_equal(h.version, CLI_WIRE_VERSION);
    assert_int_equal(h.op, CLI_OP_RUN);
    assert_true(h.build_id == BUILD_ID);
    assert_int_equal(h.n_argv, 4);
    assert_int_equal(h.n_env, 3);
    assert_int_equal(h.n_binds, 3);
    assert_int_equal(h.bind_writable, 0x2);
    assert_int_equal(h.bind_inside, 0x6);
    assert_int_equal(h.flags, CLI_WIRE_STDIN | CLI_WIRE_STDERR | CLI_WIRE_WORK_RW | CLI_WIRE_CWD);
    assert_int_equal(cli_wire_n_fds(&h), 2);
    assert_int_equal(cli_wire_check_header(&h, BUILD_ID, why, sizeof why), 0);

    struct cli_wire_request req;
    assert_int_equal(cli_wire_decode(&h, copy_exact(payload, h.payload_len), h.payload_len, &req,
                                     why, sizeof why),
                     0);
    const struct sbx_spec *s = &req.spec;
    for (int i = 0; full_argv[i] != NULL; i++)
        assert_string_equal(s->argv[i], full_argv[i]);
    assert_null(s->argv[4]);
    for (int i = 0; full_env[i] != NULL; i++)
        assert_string_equal(s->envp[i], full_env[i]);
    assert_null(s->envp[3]);
    assert_string_equal(s->cwd, "/box/sub dir");
    assert_int_equal(s->n_binds, 3);
    for (int i = 0; i < 3; i++) {
        assert_string_equal(s->binds[i].host, full_binds[i].host);
        if (full_binds[i].inside == NULL)
            assert_null(s->binds[i].inside);
        else
            assert_string_equal(s->binds[i].inside, full_binds[i].inside);
        assert_int_equal(s->binds[i].writable, full_binds[i].writable);
    }
    assert_true(s->work_writable);
    assert_int_equal(s->policy, SBX_POLICY_RUNTIME);
    struct sbx_spec want;
    full_spec(&want);
    assert_memory_equal(&s->limits, &want.limits, sizeof want.limits);
    /* Descriptors are the server's to fill in from SCM_RIGHTS. */
    assert_int_equal(s->stdin_fd, -1);
    assert_int_equal(s->stdout_fd, -1);
    assert_int_equal(s->stderr_fd, -1);
    assert_int_equal(s->cancel_fd, -1);
    cli_wire_request_free(&req);

    /* No cwd, no binds, no environment, no descriptors: the defaults come back. */
    const char *const argv1[] = {"true", NULL};
    struct sbx_spec small;
    sbx_spec_init(&small);
    small.argv = argv1;
    char *p2 = NULL;
    struct cli_wire_header h2;
    small.cwd = NULL;
    assert_int_equal(cli_wire_encode(&small, BUILD_ID, &h2, &p2), 0);
    assert_int_equal(h2.flags, 0);
    assert_int_equal(h2.payload_len, 5);
    assert_int_equal(cli_wire_decode(&h2, p2, h2.payload_len, &req, why, sizeof why), 0);
    assert_string_equal(req.spec.argv[0], "true");
    assert_null(req.spec.envp[0]);
    assert_string_equal(req.spec.cwd, "/box"); /* sbx_spec_init's default */
    assert_int_equal(req.spec.n_binds, 0);
    assert_false(req.spec.work_writable);
    cli_wire_request_free(&req);
    free(payload);
}

/* Every prefix of a valid payload, declared as the whole payload, fails cleanly. */
static void test_every_truncation_fails(void **state)
{
    (void)state;
    struct cli_wire_header h;
    char *payload = encode_full(&h);
    size_t full = h.payload_len;
    assert_true(full > 50);
    for (size_t len = 0; len < full; len++) {
        struct cli_wire_header t = h;
        t.payload_len = (uint32_t)len;
        expect_decode_fails(&t, copy_exact(payload, len), len, NULL);
    }
    /* The header says more than arrived. */
    expect_decode_fails(&h, copy_exact(payload, full - 1), full - 1, "length differs");
    free(payload);
}

static void test_left_over_and_missing_nul(void **state)
{
    (void)state;
    struct cli_wire_header h;
    char *payload = encode_full(&h);
    size_t full = h.payload_len;

    struct cli_wire_header t = h;
    t.payload_len = (uint32_t)full + 2;
    char *more = malloc(full + 2);
    assert_non_null(more);
    memcpy(more, payload, full);
    memcpy(more + full, "x", 2);
    expect_decode_fails(&t, more, full + 2, "left over");

    char *no_nul = copy_exact(payload, full);
    no_nul[full - 1] = 'x';
    expect_decode_fails(&h, no_nul, full, "payload ends");
    free(payload);
}

/* Encodes a spec whose strings the encoder passes through but the decoder must refuse. */
static void expect_spec_refused(const struct sbx_spec *spec, const char *want)
{
    struct cli_wire_header h;
    char *payload = NULL;
    char why[SBX_MESSAGE_MAX];
    assert_int_equal(cli_wire_encode(spec, BUILD_ID, &h, &payload), 0);
    assert_int_equal(cli_wire_check_header(&h, BUILD_ID, why, sizeof why), 0);
    expect_decode_fails(&h, payload, h.payload_len, want);
}

static void test_bad_strings(void **state)
{
    (void)state;
    struct sbx_spec spec;
    full_spec(&spec);
    const char *const empty_argv0[] = {"", "x", NULL};
    spec.argv = empty_argv0;
    expect_spec_refused(&spec, "empty program name");

    full_spec(&spec);
    const char *const bad_env[] = {"A=1", "NOEQUALS", NULL};
    spec.envp = bad_env;
    expect_spec_refused(&spec, "without '='");

    full_spec(&spec);
    struct sbx_bind rel_host[] = {{.host = "/ok"}, {.host = "relative", .inside = "/in"}};
    spec.binds = rel_host;
    spec.n_binds = 2;
    expect_spec_refused(&spec, "absolute");

    struct sbx_bind rel_inside[] = {{.host = "/ok", .inside = "in", .writable = true}};
    spec.binds = rel_inside;
    spec.n_binds = 1;
    expect_spec_refused(&spec, "absolute");
}

/* Header checks: one field broken at a time. */
static void expect_header_refused(const struct cli_wire_header *h, const char *want)
{
    char why[SBX_MESSAGE_MAX] = "";
    assert_int_equal(cli_wire_check_header(h, BUILD_ID, why, sizeof why), -1);
    if (strstr(why, want) == NULL)
        fail_msg("reason '%s' lacks '%s'", why, want);
}

static void test_header_checks(void **state)
{
    (void)state;
    struct cli_wire_header good;
    free(encode_full(&good));
    char why[SBX_MESSAGE_MAX];
    assert_int_equal(cli_wire_check_header(&good, BUILD_ID, why, sizeof why), 0);
    struct cli_wire_header h;

#define BROKEN(field, value, want)                                                                 \
    do {                                                                                           \
        h = good;                                                                                  \
        h.field = (value);                                                                         \
        expect_header_refused(&h, want);                                                           \
    } while (0)
    BROKEN(magic, CLI_WIRE_MAGIC ^ 1, "version");
    BROKEN(version, CLI_WIRE_VERSION + 1, "version");
    BROKEN(op, 0, "unknown operation");
    BROKEN(op, 3, "unknown operation");
    BROKEN(payload_len, CLI_WIRE_PAYLOAD_MAX + 1, "too large");
    BROKEN(payload_len, UINT32_MAX, "too large");
    BROKEN(n_argv, 0, "out of range");
    BROKEN(n_argv, CLI_WIRE_ARGV_MAX + 1, "out of range");
    BROKEN(n_env, CLI_WIRE_ENV_MAX + 1, "out of range");
    BROKEN(n_binds, CLI_WIRE_BINDS_MAX + 1, "out of range");
    BROKEN(n_binds, UINT32_MAX, "out of range");
    BROKEN(flags, good.flags | (1u << 5), "unknown flags");
    BROKEN(flags, 1u << 31, "unknown flags");
    BROKEN(bind_writable, 1u << 3, "not there"); /* n_binds is 3: bits 0..2 only */
    BROKEN(bind_inside, good.bind_inside | (1u << 15), "not there");
    BROKEN(policy, SBX_POLICY_COMPILER + 1, "policy");
    BROKEN(policy, UINT32_MAX, "policy");
    BROKEN(umask, 01000, "umask");
    BROKEN(build_id, BUILD_ID + 1, "another");
#undef BROKEN

    /* The edges that are allowed. */
    h = good;
    h.payload_len = CLI_WIRE_PAYLOAD_MAX;
    h.n_argv = CLI_WIRE_ARGV_MAX;
    h.n_env = CLI_WIRE_ENV_MAX;
    h.umask = 0777;
    assert_int_equal(cli_wire_check_header(&h, BUILD_ID, why, sizeof why), 0);
    h = good;
    h.n_binds = CLI_WIRE_BINDS_MAX;
    h.bind_writable = h.bind_inside = 0xffff;
    assert_int_equal(cli_wire_check_header(&h, BUILD_ID, why, sizeof why), 0);

    /* QUIT: any build's --cleanup may stop the server, but never with a payload. */
    struct cli_wire_header quit = {.magic = CLI_WIRE_MAGIC, .version = CLI_WIRE_VERSION,
                                   .op = CLI_OP_QUIT, .build_id = 42};
    assert_int_equal(cli_wire_check_header(&quit, BUILD_ID, why, sizeof why), 0);
    quit.payload_len = 1;
    expect_header_refused(&quit, "payload");
    quit.payload_len = 0;
    quit.magic = 0;
    expect_header_refused(&quit, "version");
}

static void expect_e2big(const struct sbx_spec *spec)
{
    struct cli_wire_header h;
    char *payload = NULL;
    errno = 0;
    assert_int_equal(cli_wire_encode(spec, BUILD_ID, &h, &payload), -1);
    assert_int_equal(errno, E2BIG);
    assert_null(payload);
}

static void test_encode_caps(void **state)
{
    (void)state;
    struct sbx_spec spec;
    full_spec(&spec);
    const char *const no_argv[] = {NULL};
    spec.argv = no_argv;
    expect_e2big(&spec);
    spec.argv = NULL;
    expect_e2big(&spec);

    full_spec(&spec);
    const char **env = calloc(CLI_WIRE_ENV_MAX + 2, sizeof *env);
    assert_non_null(env);
    for (unsigned i = 0; i <= CLI_WIRE_ENV_MAX; i++)
        env[i] = "K=V";
    spec.envp = env;
    expect_e2big(&spec);
    env[CLI_WIRE_ENV_MAX] = NULL; /* exactly the cap: fine */
    struct cli_wire_header h;
    char *payload = NULL;
    assert_int_equal(cli_wire_encode(&spec, BUILD_ID, &h, &payload), 0);
    free(payload);
    free(env);

    full_spec(&spec);
    const char **argv = calloc(CLI_WIRE_ARGV_MAX + 2, sizeof *argv);
    assert_non_null(argv);
    for (unsigned i = 0; i <= CLI_WIRE_ARGV_MAX; i++)
        argv[i] = "a";
    spec.argv = argv;
    expect_e2big(&spec);
    free(argv);

    full_spec(&spec);
    struct sbx_bind binds[CLI_WIRE_BINDS_MAX + 1];
    for (unsigned i = 0; i <= CLI_WIRE_BINDS_MAX; i++)
        binds[i] = (struct sbx_bind){.host = "/x"};
    spec.binds = binds;
    spec.n_binds = CLI_WIRE_BINDS_MAX + 1;
    expect_e2big(&spec);

    /* One argument that makes the payload one byte over the cap. */
    full_spec(&spec);
    spec.cwd = NULL;
    spec.envp = NULL;
    spec.n_binds = 0;
    char *big = malloc(CLI_WIRE_PAYLOAD_MAX);
    assert_non_null(big);
    memset(big, 'a', CLI_WIRE_PAYLOAD_MAX - 1);
    big[CLI_WIRE_PAYLOAD_MAX - 1] = '\0'; /* "big\0" = exactly the cap */
    const char *const argv_big[] = {big, NULL};
    spec.argv = argv_big;
    assert_int_equal(cli_wire_encode(&spec, BUILD_ID, &h, &payload), 0);
    assert_int_equal(h.payload_len, CLI_WIRE_PAYLOAD_MAX);
    free(payload);
    const char *const argv_over[] = {big, "", NULL};
    spec.argv = argv_over;
    expect_e2big(&spec);
    free(big);
}

static void good_reply(struct cli_wire_reply *r)
{
    memset(r, 0, sizeof *r);
    r->magic = CLI_WIRE_MAGIC;
    r->version = CLI_WIRE_VERSION;
    r->code = CLI_REPLY_RAN;
    r->result.status = SBX_RTE;
    strcpy(r->result.syscall, "ptrace");
    strcpy(r->result.message, "forbidden");
}

static void test_check_reply(void **state)
{
    (void)state;
    struct cli_wire_reply r;
    good_reply(&r);
    assert_int_equal(cli_wire_check_reply(&r), 0);
    r.code = CLI_REPLY_QUITTING;
    r.result.status = SBX_JE;
    assert_int_equal(cli_wire_check_reply(&r), 0);

    good_reply(&r);
    memset(r.result.syscall, 'a', sizeof r.result.syscall);
    assert_int_equal(cli_wire_check_reply(&r), -1);
    good_reply(&r);
    memset(r.result.message, 'a', sizeof r.result.message);
    assert_int_equal(cli_wire_check_reply(&r), -1);
    good_reply(&r);
    r.result.status = (enum sbx_status)(SBX_JE + 1);
    assert_int_equal(cli_wire_check_reply(&r), -1);
    good_reply(&r);
    r.result.status = (enum sbx_status)-1;
    assert_int_equal(cli_wire_check_reply(&r), -1);
    good_reply(&r);
    r.code = -1;
    assert_int_equal(cli_wire_check_reply(&r), -1);
    good_reply(&r);
    r.code = CLI_REPLY_QUITTING + 1;
    assert_int_equal(cli_wire_check_reply(&r), -1);
    good_reply(&r);
    r.magic = 0;
    assert_int_equal(cli_wire_check_reply(&r), -1);
    good_reply(&r);
    r.version = CLI_WIRE_VERSION + 1;
    assert_int_equal(cli_wire_check_reply(&r), -1);
}

static void test_server_addr(void **state)
{
    (void)state;
    struct cli_server_addr a, b, c, d;
    assert_int_equal(cli_server_addr("/srv/boxes-a", &a), 0);
    assert_int_equal(cli_server_addr("/srv/boxes-a", &b), 0);
    assert_int_equal(cli_server_addr("/srv/boxes-b", &c), 0);
    assert_int_equal(cli_server_addr(NULL, &d), 0);
    assert_string_equal(a.sock_path, b.sock_path);
    assert_string_equal(a.lock_path, b.lock_path);
    assert_true(a.build_id == b.build_id);
    assert_string_not_equal(a.sock_path, c.sock_path);
    assert_true(a.build_id != c.build_id);
    assert_true(a.exe_hash == c.exe_hash); /* same executable */

    char pa[64], pc[64], pd[64], pdef[64];
    cli_server_lock_prefix("/srv/boxes-a", pa, sizeof pa);
    cli_server_lock_prefix("/srv/boxes-b", pc, sizeof pc);
    cli_server_lock_prefix(NULL, pd, sizeof pd);
    cli_server_lock_prefix(SBX_BASE_DIR_DEFAULT, pdef, sizeof pdef);
    assert_string_not_equal(pa, pc);
    assert_string_equal(pd, pdef);
    assert_int_equal(strncmp(pa, "cli-", 4), 0);

    /* CLI_SERVER_DIR/<prefix><exe>.sock and .lock. */
    char want[CLI_SERVER_PATH_MAX];
    snprintf(want, sizeof want, "%s/%s%016llx.sock", CLI_SERVER_DIR, pa,
             (unsigned long long)a.exe_hash);
    assert_string_equal(a.sock_path, want);
    snprintf(want, sizeof want, "%s/%s%016llx.lock", CLI_SERVER_DIR, pa,
             (unsigned long long)a.exe_hash);
    assert_string_equal(a.lock_path, want);
    snprintf(want, sizeof want, "%s/%s", CLI_SERVER_DIR, pc);
    assert_int_equal(strncmp(c.sock_path, want, strlen(want)), 0);
    snprintf(want, sizeof want, "%s/%s", CLI_SERVER_DIR, pd);
    assert_int_equal(strncmp(d.sock_path, want, strlen(want)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_every_truncation_fails),
        cmocka_unit_test(test_left_over_and_missing_nul),
        cmocka_unit_test(test_bad_strings),
        cmocka_unit_test(test_header_checks),
        cmocka_unit_test(test_encode_caps),
        cmocka_unit_test(test_check_reply),
        cmocka_unit_test(test_server_addr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
