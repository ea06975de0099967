/* test_gw_msg.c - client messages (gw_msg.c), static paths (gw_static.c), the rate limiter
 * (gw_rate.c) and the metrics text (gw_metrics.c): the gateway's small pure parts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_metrics.h"
#include "gw_msg.h"
#include "gw_rate.h"
#include "gw_static.h"

static enum gw_msg_op parse(const char *s, struct gw_msg *m)
{
    return gw_msg_parse(s, strlen(s), m);
}

static void test_messages(void **state)
{
    (void)state;
    struct gw_msg m;
    assert_int_equal(parse("{\"op\":\"subscribe\",\"id\":\"abc-1\"}", &m), GW_MSG_SUBSCRIBE);
    assert_string_equal(m.id, "abc-1");
    assert_int_equal(parse("{\"id\":\"x\",\"op\":\"unsubscribe\",\"extra\":1}", &m),
                     GW_MSG_UNSUBSCRIBE);
    static const struct {
        const char *text, *code;
    } bad[] = {
        {"", "bad_json"},
        {"not json", "bad_json"},
        {"[1,2]", "bad_json"},
        {"{\"op\":1,\"id\":\"x\"}", "bad_op"},
        {"{\"op\":\"publish\",\"id\":\"x\"}", "bad_op"},
        {"{\"op\":\"subscribe\"}", "bad_id"},
        {"{\"op\":\"subscribe\",\"id\":\"../etc\"}", "bad_id"},
        {"{\"op\":\"subscribe\",\"id\":\"\"}", "bad_id"},
        {"{\"op\":\"subscribe\",\"id\":7}", "bad_id"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(parse(bad[i].text, &m), GW_MSG_INVALID);
        assert_string_equal(m.error_code, bad[i].code);
        char out[GW_MSG_ERROR_MAX];
        assert_true(gw_msg_error_json(&m, NULL, NULL, out, sizeof out) > 0);
        assert_non_null(strstr(out, "\"type\":\"error\""));
    }
    /* A long id is refused, not truncated. */
    char longid[200];
    snprintf(longid, sizeof longid, "{\"op\":\"subscribe\",\"id\":\"%0100d\"}", 0);
    assert_int_equal(parse(longid, &m), GW_MSG_INVALID);
}

static void test_static_paths(void **state)
{
    (void)state;
    struct gw_static_file f;
    assert_int_equal(gw_static_resolve("/", &f), 0);
    assert_string_equal(f.rel, "index.html");
    assert_string_equal(f.content_type, "text/html; charset=utf-8");
    assert_string_equal(f.cache_control, "no-cache");
    assert_int_equal(gw_static_resolve("/app.js", &f), 0);
    assert_string_equal(f.content_type, "text/javascript; charset=utf-8");
    assert_int_equal(gw_static_resolve("/fonts/KaTeX_Main-Regular-ABC123.woff2", &f), 0);
    assert_string_equal(f.content_type, "font/woff2");
    assert_string_equal(f.cache_control, "public, max-age=31536000, immutable");
    assert_int_equal(gw_static_resolve("/problems/ab", &f), 0); /* an app route */
    assert_string_equal(f.rel, "index.html");
    static const char *const refused[] = {
        "/../etc/passwd", "/a/../../x", "/./app.js", "/.git/config", "/a//b.js",
        "/a\\..\\b.js",   "/fonts/",    "app.js",    "",             "/x\x01.js",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (gw_static_resolve(refused[i], &f) == 0)
            fail_msg("accepted %s", refused[i]);
    assert_string_equal(gw_static_content_type("x.unknown"), "application/octet-stream");
}

static void test_rate_limiter(void **state)
{
    (void)state;
    static struct gw_rate r;
    uint8_t a[GW_RATE_ADDR] = {1}, b[GW_RATE_ADDR] = {2};
    int retry = 0;
    gw_rate_init(&r, 2, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(gw_rate_take(&r, a, 1000, &retry), 1);
    assert_int_equal(gw_rate_take(&r, a, 1000, &retry), 0);
    assert_int_equal(retry, 1);
    assert_int_equal(gw_rate_take(&r, b, 1000, &retry), 1); /* another client is not limited */
    assert_int_equal(gw_rate_take(&r, a, 1500, &retry), 1); /* half a second: one token */
    assert_int_equal(gw_rate_take(&r, a, 1500, &retry), 0);
}

static void test_metrics_text(void **state)
{
    (void)state;
    static struct gw_metrics m;
    gw_metrics_request(&m, GW_ROUTE_SUBMIT, 202, 700);
    gw_metrics_request(&m, GW_ROUTE_SUBMIT, 202, 3000000);
    gw_metrics_request(&m, GW_ROUTE_SUBMIT, 429, 100);
    gw_metrics_verdict(&m, "AC");
    struct gw_metrics_gauges g = {.ws_open = 3, .queue_length = 5, .workers = 2, .redis_up = 1};
    struct gv_buf out;
    gv_buf_init(&out, 0);
    assert_int_equal(gw_metrics_render(&m, &g, &out), 0);
    assert_non_null(strstr(out.data, "gavel_gw_http_requests_total{route=\"submit\",status=\"202\"} 2\n"));
    assert_non_null(strstr(out.data, "gavel_gw_http_requests_total{route=\"submit\",status=\"429\"} 1\n"));
    assert_non_null(strstr(out.data, "gavel_gw_http_request_duration_seconds_bucket{le=\"0.001\"} 2\n"));
    assert_non_null(strstr(out.data, "gavel_gw_http_request_duration_seconds_bucket{le=\"+Inf\"} 3\n"));
    assert_non_null(strstr(out.data, "gavel_gw_websocket_connections 3\n"));
    assert_non_null(strstr(out.data, "gavel_gw_queue_length 5\n"));
    assert_non_null(strstr(out.data, "gavel_gw_verdicts_total{verdict=\"AC\"} 1\n"));
    gv_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_static_paths),
        cmocka_unit_test(test_rate_limiter),
        cmocka_unit_test(test_metrics_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
