/*
 * test_gw_http.c - the HTTP contract of DESIGN.md against a real gavel-gw and a real Redis:
 * every status code of the table, the JSON error bodies, the token, static files, the limits
 * (rate, queue length, Redis down, body and source sizes, slow clients, the connection cap),
 * /healthz and /metrics. The order matters where a test uses up a limit (rate limit last).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gv.h"
#include "queue_sync.h"
#include "test_gw_client.h"
#include "test_proc.h"

static struct gw_fixture gw;
static struct queue_conn *qc;
static char web[256], outside[300];
static char resp[1 << 20];

static void write_file(const char *dir, const char *name, const char *text)
{
    assert_int_equal(tp_write_file(dir, name, text), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(web, sizeof web, "/tmp/gavel-gw-web-XXXXXX");
    if (!mkdtemp(web))
        return -1;
    char fonts[300];
    snprintf(fonts, sizeof fonts, "%s/fonts", web);
    mkdir(fonts, 0755);
    write_file(web, "index.html", "<!doctype html><title>Gavel</title>");
    write_file(web, "app.js", "console.log('gavel');");
    write_file(fonts, "KaTeX-abc123.woff2", "wOF2");
    snprintf(outside, sizeof outside, "%s-secret", web);
    FILE *f = fopen(outside, "w");
    if (f) {
        fputs("top secret", f);
        fclose(f);
    }
    static char webarg[300];
    snprintf(webarg, sizeof webarg, "%s", web);
    static const char *args[] = {"--web", webarg, "--rate", "2", "--burst", "40",
                                 "--queue-max", "5", "--max-conns", "60", "--http-timeout-s", "3",
                                 NULL};
    if (gw_start(&gw, args, 0) != 0)
        return -1;
    qc = queue_conn_new(gw.redis.url, 2000);
    return qc ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    queue_conn_free(qc);
    gw_stop(&gw);
    tp_rm_tree(web);
    tp_rm_tree(outside);
    return 0;
}

static int req(const char *method, const char *path, const char *body)
{
    return tc_http_simple(gw.port, method, path, body, resp, sizeof resp);
}

static void assert_error(int status, int want, const char *code)
{
    assert_int_equal(status, want);
    assert_non_null(strstr(tc_body(resp), "{\"error\":{\"code\":\""));
    if (!strstr(tc_body(resp), code))
        fail_msg("want error code %s in %s", code, tc_body(resp));
}

/* The id and token of a 202 answer. */
static void parse_created(char *id, char *token)
{
    const char *b = tc_body(resp);
    assert_int_equal(sscanf(strstr(b, "\"id\":\"") + 6, "%64[^\"]", id), 1);
    assert_int_equal(sscanf(strstr(b, "\"token\":\"") + 9, "%64[^\"]", token), 1);
    assert_non_null(strstr(b, "\"status\":\"queued\""));
    assert_int_equal(strlen(token), 32); /* 128 bits in hex */
}

/*** POST /api/submissions ***/

static void test_submit_accepted_and_read_back(void **state)
{
    (void)state;
    char id[80], token[80], path[256];
    assert_int_equal(req("POST", "/api/submissions",
                         "{\"problem\":\"ab\",\"language\":\"c\",\"source\":\"int main(){}\"}"),
                     202);
    parse_created(id, token);
    snprintf(path, sizeof path, "/api/submissions/%s", id);
    assert_int_equal(req("GET", path, NULL), 200);
    assert_non_null(strstr(tc_body(resp), "\"status\":\"queued\""));
    assert_null(strstr(tc_body(resp), "\"source\"")); /* never without the token */
    snprintf(path, sizeof path, "/api/submissions/%s?token=%s", id, token);
    assert_int_equal(req("GET", path, NULL), 200);
    assert_non_null(strstr(tc_body(resp), "int main(){}"));
    snprintf(path, sizeof path, "/api/submissions/%s?token=%032d", id, 0);
    assert_error(req("GET", path, NULL), 403, "bad_token");
    assert_null(strstr(tc_body(resp), "int main"));
    assert_error(req("GET", "/api/submissions/no-such-id", NULL), 404, "not_found");
    assert_error(req("GET", "/api/submissions/..%2F..", NULL), 404, "not_found");
    /* Drain the queue again so the queue-length bound is not reached by accident. */
    char claimed[80];
    while (queue_claim(qc, "w-http", 100, claimed) == 1)
        ;
}

static void test_submit_validation(void **state)
{
    (void)state;
    assert_error(req("POST", "/api/submissions", "{not json"), 400, "bad_json");
    assert_error(req("POST", "/api/submissions", "[1]"), 400, "bad_request");
    assert_error(req("POST", "/api/submissions", "{\"problem\":\"ab\",\"language\":\"c\"}"), 400,
                 "bad_request");
    assert_error(req("POST", "/api/submissions",
                     "{\"problem\":1,\"language\":\"c\",\"source\":\"x\"}"),
                 400, "bad_request");
    assert_error(req("POST", "/api/submissions",
                     "{\"problem\":\"nope\",\"language\":\"c\",\"source\":\"x\"}"),
                 404, "unknown_problem");
    assert_error(req("POST", "/api/submissions",
                     "{\"problem\":\"../ab\",\"language\":\"c\",\"source\":\"x\"}"),
                 404, "unknown_problem");
    assert_error(req("POST", "/api/submissions",
                     "{\"problem\":\"ab\",\"language\":\"cobol\",\"source\":\"x\"}"),
                 422, "unknown_language");
}

static void test_source_size_limit(void **state)
{
    (void)state;
    size_t n = 65536;
    char *body = malloc(n + 200);
    int len = sprintf(body, "{\"problem\":\"ab\",\"language\":\"c\",\"source\":\"");
    memset(body + len, 'x', n + 1);
    strcpy(body + len + n + 1, "\"}");
    assert_error(req("POST", "/api/submissions", body), 413, "source_too_large");
    strcpy(body + len + n, "\"}"); /* exactly the limit */
    assert_int_equal(req("POST", "/api/submissions", body), 202);
    free(body);
    /* A body far over any source: evhttp refuses it before we parse it. */
    size_t huge = 2u << 20;
    body = malloc(huge + 1);
    memset(body, ' ', huge);
    body[huge] = 0;
    int st = req("POST", "/api/submissions", body);
    assert_true(st == 413 || st == -1); /* -1: closed while we were still sending */
    free(body);
    char claimed[80];
    while (queue_claim(qc, "w-http", 100, claimed) == 1)
        ;
}

static void test_methods_and_unknown_paths(void **state)
{
    (void)state;
    assert_error(req("DELETE", "/api/submissions", NULL), 405, "method_not_allowed");
    assert_error(req("POST", "/api/problems", "{}"), 405, "method_not_allowed");
    assert_error(req("GET", "/api/nothing", NULL), 404, "not_found");
}

/*** Problems, languages, health, metrics ***/

static void test_problems_and_languages(void **state)
{
    (void)state;
    assert_int_equal(req("GET", "/api/problems", NULL), 200);
    assert_non_null(strstr(tc_body(resp), "\"id\":\"ab\""));
    assert_non_null(strstr(resp, "Content-Type: application/json"));
    assert_int_equal(req("GET", "/api/problems/ab", NULL), 200);
    assert_non_null(strstr(tc_body(resp), "\"statement_html\""));
    assert_non_null(strstr(tc_body(resp), "\"samples\""));
    assert_error(req("GET", "/api/problems/nope", NULL), 404, "unknown_problem");
    assert_int_equal(req("GET", "/api/languages", NULL), 200);
    assert_non_null(strstr(tc_body(resp), "\"python3\""));
    assert_non_null(strstr(tc_body(resp), "\"version\""));
}

static void test_healthz_and_metrics(void **state)
{
    (void)state;
    assert_int_equal(req("GET", "/healthz", NULL), 200);
    assert_non_null(strstr(tc_body(resp), "\"redis\":true"));
    assert_int_equal(req("GET", "/metrics", NULL), 200);
    assert_non_null(strstr(resp, "text/plain; version=0.0.4"));
    assert_non_null(strstr(resp, "gavel_gw_http_requests_total{route=\"submit\",status=\"202\"}"));
    assert_non_null(strstr(resp, "gavel_gw_http_requests_total{route=\"submit\",status=\"400\"}"));
    assert_non_null(strstr(resp, "gavel_gw_http_request_duration_seconds_bucket{le=\"+Inf\"}"));
    assert_non_null(strstr(resp, "gavel_gw_queue_length "));
    assert_non_null(strstr(resp, "gavel_gw_workers_live "));
    assert_non_null(strstr(resp, "gavel_gw_websocket_connections "));
    assert_non_null(strstr(resp, "gavel_gw_verdicts_total{verdict=\"AC\"}"));
}

/*** Static files ***/

static void test_static_files(void **state)
{
    (void)state;
    assert_int_equal(req("GET", "/", NULL), 200);
    assert_non_null(strstr(resp, "Content-Type: text/html; charset=utf-8"));
    assert_non_null(strstr(resp, "Cache-Control: no-cache"));
    assert_non_null(strstr(tc_body(resp), "<title>Gavel</title>"));
    assert_int_equal(req("GET", "/app.js", NULL), 200);
    assert_non_null(strstr(resp, "Content-Type: text/javascript"));
    assert_int_equal(req("GET", "/fonts/KaTeX-abc123.woff2", NULL), 200);
    assert_non_null(strstr(resp, "Content-Type: font/woff2"));
    assert_non_null(strstr(resp, "immutable"));
    /* Revalidation with the ETag. */
    char etag[80] = "";
    const char *e = strstr(resp, "ETag: ");
    assert_non_null(e);
    sscanf(e + 6, "%79[^\r]", etag);
    char r[512];
    snprintf(r, sizeof r, "GET /fonts/KaTeX-abc123.woff2 HTTP/1.1\r\nHost: a\r\n"
                          "If-None-Match: %s\r\nConnection: close\r\n\r\n", etag);
    assert_int_equal(tc_http(gw.port, r, resp, sizeof resp), 304);
    /* Routes of the app get index.html; nothing escapes the folder. */
    assert_int_equal(req("GET", "/problems/ab", NULL), 200);
    assert_non_null(strstr(tc_body(resp), "<title>Gavel</title>"));
    static const char *const escapes[] = {
        "/../gavel-gw-web-secret", "/%2e%2e/%2e%2e/etc/passwd", "/..%2F..%2Fetc%2Fpasswd",
        "/fonts/../../etc/passwd.txt", "/.hidden.js", "/missing.js", "/index.html%00.js",
    };
    for (size_t i = 0; i < sizeof escapes / sizeof escapes[0]; i++) {
        int st = req("GET", escapes[i], NULL);
        if (st != 404 && st != 400)
            fail_msg("%s answered %d", escapes[i], st);
        assert_null(strstr(resp, "top secret"));
        assert_null(strstr(resp, "root:"));
    }
}

/*** Limits ***/

static void test_slow_client_timed_out(void **state)
{
    (void)state;
    int fd = tc_connect(gw.port);
    assert_true(fd >= 0);
    assert_int_equal(tc_send(fd, "GET / HTTP/1.1\r\nHost:", 21), 0);
    int64_t t0 = gv_now_ms();
    assert_true(tc_eof_within(fd, 8000)); /* --http-timeout-s 3 */
    assert_true(gv_now_ms() - t0 >= 2500);
    close(fd);
    /* A head over the cap is refused. */
    size_t n = 40000;
    char *big = malloc(n + 100);
    int len = sprintf(big, "GET / HTTP/1.1\r\nHost: a\r\nX-Big: ");
    memset(big + len, 'a', n);
    strcpy(big + len + n, "\r\n\r\n");
    int st = tc_http(gw.port, big, resp, sizeof resp);
    assert_true(st == 400 || st == 431 || st == 413 || st == -1);
    assert_true(st != 200);
    free(big);
}

/* Upgraded connections leave evhttp's timeouts behind (--http-timeout-s 3 here): a WebSocket
 * that talks now and then and then stays quiet longer than that is still open. */
static void test_websocket_outlives_http_timeout(void **state)
{
    (void)state;
    int fd = tc_ws_open(gw.port);
    assert_true(fd >= 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tc_ws_text(fd, "{}"), 0);
        assert_int_equal(tc_ws_wait_text(fd, "\"bad_op\"", 3000, NULL, 0), 1);
        usleep(1200 * 1000);
    }
    usleep(3500 * 1000);
    assert_int_equal(tc_ws_text(fd, "{}"), 0);
    assert_int_equal(tc_ws_wait_text(fd, "\"bad_op\"", 3000, NULL, 0), 1);
    close(fd);
}

static void test_connection_cap(void **state)
{
    (void)state;
    enum { N = 70 };
    int fds[N];
    for (int i = 0; i < N; i++)
        assert_true((fds[i] = tc_connect(gw.port)) >= 0);
    usleep(700 * 1000); /* a scan of open descriptors sees them: accepting pauses */
    int fd = tc_connect(gw.port); /* the kernel takes it into the backlog */
    const char *r = "GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
    tc_send(fd, r, strlen(r));
    struct pollfd pfd = {fd, POLLIN, 0};
    assert_int_equal(poll(&pfd, 1, 500), 0); /* not served while at the cap */
    for (int i = 0; i < N; i++)
        close(fds[i]);
    assert_int_equal(poll(&pfd, 1, 5000), 1); /* served once there is room */
    char buf[256] = {0};
    assert_true(recv(fd, buf, sizeof buf - 1, 0) > 0);
    assert_non_null(strstr(buf, "200 OK"));
    close(fd);
    assert_int_equal(req("GET", "/metrics", NULL), 200);
    assert_null(strstr(resp, "gavel_gw_accept_paused_total 0\n"));
}

static void test_queue_full_503(void **state)
{
    (void)state;
    char id[80];
    for (int i = 0; i < 7; i++)
        assert_int_equal(queue_enqueue(qc, "ab", "c", "x", 1, NULL, id), QUEUE_OK);
    usleep(1200 * 1000); /* the gateway polls the length twice a second */
    const char *body = "{\"problem\":\"ab\",\"language\":\"c\",\"source\":\"x\"}";
    assert_error(req("POST", "/api/submissions", body), 503, "queue_full");
    assert_non_null(strstr(resp, "Retry-After: "));
    char claimed[80];
    while (queue_claim(qc, "w-http", 100, claimed) == 1)
        ;
    usleep(1200 * 1000);
    assert_int_equal(req("POST", "/api/submissions", body), 202);
    while (queue_claim(qc, "w-http", 100, claimed) == 1)
        ;
}

static void test_redis_down_503(void **state)
{
    (void)state;
    rf_kill(&gw.redis);
    usleep(500 * 1000);
    const char *body = "{\"problem\":\"ab\",\"language\":\"c\",\"source\":\"x\"}";
    assert_error(req("POST", "/api/submissions", body), 503, "unavailable");
    assert_non_null(strstr(resp, "Retry-After: "));
    assert_error(req("GET", "/api/submissions/some-id", NULL), 503, "unavailable");
    assert_int_equal(req("GET", "/healthz", NULL), 503);
    assert_non_null(strstr(tc_body(resp), "\"redis\":false"));
    /* Validation still answers without Redis. */
    assert_error(req("POST", "/api/submissions", "{x"), 400, "bad_json");
    assert_int_equal(req("GET", "/api/problems", NULL), 200);
    assert_int_equal(rf_restart(&gw.redis, 1), 0);
    int ok = 0;
    for (int i = 0; i < 100 && !ok; i++) {
        ok = req("GET", "/healthz", NULL) == 200;
        usleep(100 * 1000);
    }
    assert_true(ok);
    assert_int_equal(req("POST", "/api/submissions", body), 202);
}

static void test_rate_limit_429(void **state)
{
    (void)state;
    const char *body = "{\"problem\":\"ab\",\"language\":\"c\",\"source\":\"x\"}";
    int limited = 0;
    for (int i = 0; i < 60 && !limited; i++) {
        int st = req("POST", "/api/submissions", body);
        assert_true(st == 202 || st == 429 || st == 503);
        limited = st == 429;
        if (st == 503) { /* the queue bound: make room and go on */
            char claimed[80];
            while (queue_claim(qc, "w-http", 100, claimed) == 1)
                ;
        }
    }
    assert_true(limited);
    assert_non_null(strstr(resp, "Retry-After: "));
    assert_non_null(strstr(tc_body(resp), "\"rate_limited\""));
}

/* --listen with a port that is not 0-65535 in digits is refused at start (exit 1), not bound to
 * whatever atoi made of it. */
static void test_bad_listen_port(void **state)
{
    (void)state;
    static const char *const bad[] = {"127.0.0.1:abc", "127.0.0.1:99999", "127.0.0.1:",
                                      "127.0.0.1:8x"};
    char bin[512], problems[512];
    snprintf(bin, sizeof bin, "%s/frontend-gw/gavel-gw", getenv("GAVEL_BUILD_DIR"));
    snprintf(problems, sizeof problems, "%s/problems", getenv("GAVEL_SOURCE_DIR"));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *const argv[] = {bin,          "--listen",   bad[i],   "--redis",
                                    gw.redis.url, "--problems", problems, NULL};
        pid_t pid = tp_spawn(argv, "/dev/null");
        assert_true(pid > 0);
        assert_int_equal(tp_stop(&pid, 0, 10000), 1); /* signal 0: wait for its own exit */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_submit_accepted_and_read_back),
        cmocka_unit_test(test_bad_listen_port),
        cmocka_unit_test(test_submit_validation),
        cmocka_unit_test(test_source_size_limit),
        cmocka_unit_test(test_methods_and_unknown_paths),
        cmocka_unit_test(test_problems_and_languages),
        cmocka_unit_test(test_healthz_and_metrics),
        cmocka_unit_test(test_static_files),
        cmocka_unit_test(test_slow_client_timed_out),
        cmocka_unit_test(test_websocket_outlives_http_timeout),
        cmocka_unit_test(test_connection_cap),
        cmocka_unit_test(test_queue_full_503),
        cmocka_unit_test(test_redis_down_503),
        cmocka_unit_test(test_rate_limit_429),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
