/* test_ws_handshake.c - the RFC 6455 opening handshake checks (ws_handshake.c), on bytes alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ws_handshake.h"

static const struct ws_hs_config any = {NULL, 0, "/ws"};

#define GOOD_HEADERS                                                                               \
    "Host: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"                           \
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"

static enum ws_hs_verdict parse(const char *req, const struct ws_hs_config *cfg,
                                struct ws_hs_result *r)
{
    return ws_handshake_parse(req, strlen(req), cfg, r);
}

static void test_rfc_example_accepted(void **state)
{
    (void)state;
    struct ws_hs_result r;
    const char *req = "GET /ws?x=1 HTTP/1.1\r\n" GOOD_HEADERS "\r\n";
    assert_int_equal(parse(req, &any, &r), WS_HS_ACCEPT);
    assert_string_equal(r.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="); /* RFC 6455 section 1.3 */
    assert_int_equal(r.head_len, strlen(req));
    char out[512];
    int n = ws_handshake_response(&r, out, sizeof out);
    assert_true(n > 0);
    assert_non_null(strstr(out, "HTTP/1.1 101 Switching Protocols\r\n"));
    assert_non_null(strstr(out, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    assert_null(strstr(out, "Sec-WebSocket-Extensions")); /* permessage-deflate declined */
}

static void test_token_lists_and_case(void **state)
{
    (void)state;
    struct ws_hs_result r;
    const char *req = "GET /ws HTTP/1.1\r\nhost: a\r\nUPGRADE: WebSocket\r\n"
                      "connection: keep-alive, Upgrade\r\nsec-websocket-key: "
                      "AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version:13\r\n"
                      "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";
    assert_int_equal(parse(req, &any, &r), WS_HS_ACCEPT);
    assert_int_equal(r.offered_deflate, 1);
}

struct refusal_case {
    const char *req;
    int status;
};

static void test_refusals(void **state)
{
    (void)state;
    static const struct refusal_case cases[] = {
        {"POST /ws HTTP/1.1\r\n" GOOD_HEADERS "\r\n", 405},
        {"GET /ws HTTP/1.0\r\n" GOOD_HEADERS "\r\n", 400},
        {"GET /other HTTP/1.1\r\n" GOOD_HEADERS "\r\n", 404},
        {"GET /ws HTTP/1.1\r\nHost: a\r\n\r\n", 426},
        {"GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
         400}, /* no Host */
        {"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
         400},
        {"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: keep-alive\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
         400},
        {"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n",
         426},
        {"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
         426}, /* no version */
        {"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n\r\n",
         400}, /* key of 5 bytes */
        {"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZR==\r\nSec-WebSocket-Version: 13\r\n\r\n",
         400}, /* not canonical base64 */
        {"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Version: 13\r\n\r\n",
         400}, /* no key */
        {"GET /ws HTTP/1.1\r\n" GOOD_HEADERS "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n\r\n",
         400}, /* two keys */
        {"GET /ws HTTP/1.1\r\n" GOOD_HEADERS "Content-Length: 5\r\n\r\n", 400},
        {"GET /ws HTTP/1.1\r\n" GOOD_HEADERS " folded\r\n\r\n", 400},
        {"GET /ws HTTP/1.1\r\n" GOOD_HEADERS "no colon here\r\n\r\n", 400},
        {"GET /ws\r\n\r\n", 400},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ws_hs_result r;
        enum ws_hs_verdict v = parse(cases[i].req, &any, &r);
        if (v != WS_HS_REFUSE || r.status != cases[i].status)
            fail_msg("case %zu: verdict %d status %d, want refusal %d", i, v, r.status,
                     cases[i].status);
        char out[1024];
        int n = ws_handshake_refusal(&r, out, sizeof out);
        assert_true(n > 0);
        assert_non_null(strstr(out, "{\"error\":{\"code\":"));
        if (cases[i].status == 426)
            assert_non_null(strstr(out, "Sec-WebSocket-Version: 13\r\n"));
    }
}

static void test_origin_allow_list(void **state)
{
    (void)state;
    static const char *const origins[] = {"https://gavel.example", "http://localhost:8080"};
    const struct ws_hs_config cfg = {origins, 2, "/ws"};
    struct ws_hs_result r;
    assert_int_equal(parse("GET /ws HTTP/1.1\r\n" GOOD_HEADERS "\r\n", &cfg, &r), WS_HS_REFUSE);
    assert_int_equal(r.status, 403);
    assert_int_equal(parse("GET /ws HTTP/1.1\r\n" GOOD_HEADERS "Origin: https://evil.example\r\n\r\n",
                           &cfg, &r),
                     WS_HS_REFUSE);
    assert_int_equal(r.status, 403);
    assert_int_equal(parse("GET /ws HTTP/1.1\r\n" GOOD_HEADERS
                           "Origin: http://localhost:8080\r\n\r\n",
                           &cfg, &r),
                     WS_HS_ACCEPT);
}

static void test_incomplete_and_too_large(void **state)
{
    (void)state;
    struct ws_hs_result r;
    const char *req = "GET /ws HTTP/1.1\r\n" GOOD_HEADERS "\r\n";
    for (size_t n = 0; n + 1 < strlen(req); n++)
        assert_int_equal(ws_handshake_parse(req, n, &any, &r), WS_HS_INCOMPLETE);
    static char big[WS_HS_HEAD_MAX + 100];
    memset(big, 'a', sizeof big);
    memcpy(big, "GET /ws HTTP/1.1\r\nX: ", 21);
    assert_int_equal(ws_handshake_parse(big, sizeof big, &any, &r), WS_HS_REFUSE);
    assert_int_equal(r.status, 431);
    /* Too many header lines. */
    char many[WS_HS_HEAD_MAX];
    size_t len = (size_t)snprintf(many, sizeof many, "GET /ws HTTP/1.1\r\n" GOOD_HEADERS);
    for (int i = 0; i < WS_HS_HEADERS_MAX; i++)
        len += (size_t)snprintf(many + len, sizeof many - len, "X-%d: y\r\n", i);
    len += (size_t)snprintf(many + len, sizeof many - len, "\r\n");
    assert_int_equal(ws_handshake_parse(many, len, &any, &r), WS_HS_REFUSE);
    assert_int_equal(r.status, 431);
}

static void test_accept_key_vectors(void **state)
{
    (void)state;
    char out[WS_HS_ACCEPT_LEN + 1];
    assert_int_equal(ws_handshake_accept_key("dGhlIHNhbXBsZSBub25jZQ==", 24, out), 0);
    assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assert_int_equal(ws_handshake_accept_key("AAAAAAAAAAAAAAAAAAAAAAAAAA", 26, out), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc_example_accepted),
        cmocka_unit_test(test_token_lists_and_case),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_origin_allow_list),
        cmocka_unit_test(test_incomplete_and_too_large),
        cmocka_unit_test(test_accept_key_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
