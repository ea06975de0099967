/*
 * test_gw_ws.c - RFC 6455 conformance of gavel-gw over real sockets, and the live protocol.
 *
 * Each test opens its own connections to one gateway (started once, with a short ping interval
 * so keep-alive can be tested quickly; slow readers are in test_gw_fanout.c, whose gateway does
 * not ping). Rules come from
 * RFC 6455: sections 5.1-5.6 (masking, RSV, opcodes, fragmentation, control frames), 5.5.1 and
 * 7.4 (close codes), 8.1 (UTF-8, 1007), 10.4 (size limits, 1009); the live protocol from
 * DESIGN.md. Submissions and their events are made through the queue's sync API, as a worker.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gv.h"
#include "queue_sync.h"
#include "test_gw_client.h"

static struct gw_fixture gw;
static struct queue_conn *qc;

static int setup(void **state)
{
    (void)state;
    static const char *const args[] = {"--ping-interval-ms", "400", "--pong-timeout-ms", "400",
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
    return 0;
}

static int open_ws(void)
{
    int fd = tc_ws_open(gw.port);
    assert_true(fd >= 0);
    return fd;
}

/* Sends a frame and expects the server to fail the connection with `code`, then close TCP. */
static void expect_fail(int fd, int code)
{
    assert_int_equal(tc_ws_expect_close(fd, 3000), code);
    assert_true(tc_eof_within(fd, 3000));
    close(fd);
}

/* The connection still works: a bad message gets an error reply. */
static void expect_alive(int fd)
{
    assert_int_equal(tc_ws_text(fd, "hello?"), 0);
    assert_int_equal(tc_ws_wait_text(fd, "\"bad_json\"", 3000, NULL, 0), 1);
}

/*** Framing (RFC 6455 section 5) ***/

static void test_unmasked_frame_fails_1002(void **state)
{
    (void)state;
    int fd = open_ws();
    tc_ws_frame(fd, 1, 0, 1, "{}", 2, 1);
    expect_fail(fd, 1002);
}

static void test_rsv_bits_fail_1002(void **state)
{
    (void)state;
    for (int rsv = 1; rsv < 8; rsv <<= 1) {
        int fd = open_ws();
        tc_ws_frame(fd, 1, rsv, 1, "{}", 2, 0);
        expect_fail(fd, 1002);
    }
}

static void test_unknown_opcodes_fail_1002(void **state)
{
    (void)state;
    static const int ops[] = {3, 7, 0x0b, 0x0f};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        int fd = open_ws();
        tc_ws_frame(fd, 1, 0, ops[i], "x", 1, 0);
        expect_fail(fd, 1002);
    }
}

static void test_continuation_without_start_fails(void **state)
{
    (void)state;
    int fd = open_ws();
    tc_ws_frame(fd, 1, 0, 0, "x", 1, 0);
    expect_fail(fd, 1002);
}

static void test_new_message_inside_fragmented_fails(void **state)
{
    (void)state;
    int fd = open_ws();
    tc_ws_frame(fd, 0, 0, 1, "{\"op\"", 5, 0);
    tc_ws_frame(fd, 1, 0, 1, "x", 1, 0);
    expect_fail(fd, 1002);
}

static void test_control_frame_rules(void **state)
{
    (void)state;
    char big[126];
    memset(big, 'p', sizeof big);
    int fd = open_ws();
    tc_ws_frame(fd, 1, 0, 9, big, 126, 0); /* ping over 125 bytes */
    expect_fail(fd, 1002);
    fd = open_ws();
    tc_ws_frame(fd, 0, 0, 9, "p", 1, 0); /* fragmented ping */
    expect_fail(fd, 1002);
}

static void test_fragmented_with_interleaved_ping(void **state)
{
    (void)state;
    int fd = open_ws();
    const char *msg = "{\"op\":\"subscribe\",\"id\":\"no-such-sub\"}";
    tc_ws_frame(fd, 0, 0, 1, msg, 5, 0);
    tc_ws_frame(fd, 1, 0, 9, "abc", 3, 0); /* ping in the middle */
    tc_ws_frame(fd, 0, 0, 0, msg + 5, 10, 0);
    tc_ws_frame(fd, 1, 0, 0, msg + 15, strlen(msg) - 15, 0);
    struct tc_frame f;
    assert_int_equal(tc_ws_read(fd, 3000, &f), 1);
    assert_int_equal(f.opcode, 10); /* pong first, with the ping's payload */
    assert_string_equal((char *)f.data, "abc");
    free(f.data);
    /* The reassembled message was understood: an unknown submission. */
    assert_int_equal(tc_ws_wait_text(fd, "\"not_found\"", 3000, NULL, 0), 1);
    close(fd);
}

/*** UTF-8 (section 8.1) ***/

static void test_invalid_utf8_fails_1007(void **state)
{
    (void)state;
    int fd = open_ws();
    tc_ws_frame(fd, 1, 0, 1, "\xc3\x28", 2, 0);
    expect_fail(fd, 1007);
    fd = open_ws(); /* an encoded surrogate */
    tc_ws_frame(fd, 1, 0, 1, "\xed\xa0\x80", 3, 0);
    expect_fail(fd, 1007);
}

static void test_utf8_across_fragments(void **state)
{
    (void)state;
    /* "é" split between two fragments is valid... */
    int fd = open_ws();
    tc_ws_frame(fd, 0, 0, 1, "\"\xc3", 2, 0);
    tc_ws_frame(fd, 1, 0, 0, "\xa9\"", 2, 0);
    assert_int_equal(tc_ws_wait_text(fd, "\"bad_json\"", 3000, NULL, 0), 1); /* a string, not an op */
    close(fd);
    /* ...a sequence left unfinished at the end of the message is not. */
    fd = open_ws();
    tc_ws_frame(fd, 0, 0, 1, "ok", 2, 0);
    tc_ws_frame(fd, 1, 0, 0, "\xe2\x82", 2, 0);
    expect_fail(fd, 1007);
}

/*** Close (sections 5.5.1, 7.4) ***/

static void test_close_echo(void **state)
{
    (void)state;
    static const int codes[] = {1000, 1001, 3000, 4999};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        int fd = open_ws();
        uint8_t p[4] = {(uint8_t)(codes[i] >> 8), (uint8_t)codes[i], 'o', 'k'};
        tc_ws_frame(fd, 1, 0, 8, p, 4, 0);
        expect_fail(fd, codes[i]);
    }
    int fd = open_ws();
    tc_ws_frame(fd, 1, 0, 8, "", 0, 0); /* no code: answered without one */
    expect_fail(fd, 1005);
}

static void test_invalid_close_codes_fail_1002(void **state)
{
    (void)state;
    static const int codes[] = {0, 999, 1004, 1005, 1006, 1016, 2000, 2999, 5000};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        int fd = open_ws();
        uint8_t p[2] = {(uint8_t)(codes[i] >> 8), (uint8_t)codes[i]};
        tc_ws_frame(fd, 1, 0, 8, p, 2, 0);
        expect_fail(fd, 1002);
    }
    int fd = open_ws();
    tc_ws_frame(fd, 1, 0, 8, "\x03", 1, 0); /* one byte: no room for a code */
    expect_fail(fd, 1002);
    fd = open_ws();
    tc_ws_frame(fd, 1, 0, 8, "\x03\xe8\xff", 3, 0); /* reason not UTF-8 */
    expect_fail(fd, 1007);
}

/*** Limits, keep-alive, backpressure ***/

static void test_message_too_big_1009(void **state)
{
    (void)state;
    size_t n = 65537;
    char *big = malloc(n);
    memset(big, 'a', n);
    int fd = open_ws();
    tc_ws_frame(fd, 1, 0, 1, big, n, 0);
    expect_fail(fd, 1009);
    /* Also when the size is only reached by fragments. */
    fd = open_ws();
    tc_ws_frame(fd, 0, 0, 1, big, 40000, 0);
    tc_ws_frame(fd, 1, 0, 0, big, 40000, 0);
    expect_fail(fd, 1009);
    free(big);
}

static void test_binary_and_bad_messages_keep_connection(void **state)
{
    (void)state;
    int fd = open_ws();
    tc_ws_frame(fd, 1, 0, 2, "\x01\x02", 2, 0);
    assert_int_equal(tc_ws_wait_text(fd, "\"binary\"", 3000, NULL, 0), 1);
    tc_ws_text(fd, "{\"op\":\"dance\",\"id\":\"x\"}");
    assert_int_equal(tc_ws_wait_text(fd, "\"bad_op\"", 3000, NULL, 0), 1);
    tc_ws_text(fd, "{\"op\":\"subscribe\",\"id\":\"../../x\"}");
    assert_int_equal(tc_ws_wait_text(fd, "\"bad_id\"", 3000, NULL, 0), 1);
    expect_alive(fd);
    close(fd);
}

static void test_ping_pong_and_keepalive(void **state)
{
    (void)state;
    int fd = open_ws();
    tc_ws_frame(fd, 1, 0, 9, "hello", 5, 0);
    struct tc_frame f;
    assert_int_equal(tc_ws_read(fd, 3000, &f), 1);
    assert_int_equal(f.opcode, 10);
    assert_string_equal((char *)f.data, "hello");
    free(f.data);
    /* Silent for longer than the ping interval: the server pings us. */
    assert_int_equal(tc_ws_read(fd, 3000, &f), 1);
    assert_int_equal(f.opcode, 9);
    tc_ws_frame(fd, 1, 0, 10, f.data, f.len, 0); /* answer it */
    free(f.data);
    usleep(600 * 1000);
    expect_alive(fd);
    /* Now never answer: the server drops us. */
    assert_true(tc_eof_within(fd, 4000));
    close(fd);
}

/*** The live protocol (DESIGN.md) ***/

static void test_snapshot_live_and_final(void **state)
{
    (void)state;
    char id[QUEUE_ID_MAX + 1], wid[QUEUE_ID_MAX + 1], msg[8192];
    struct queue_submission s = {0};
    struct queue_owner owner;
    assert_int_equal(queue_enqueue(qc, "ab", "c", "int main(){}", 12, NULL, id), QUEUE_OK);
    int fd = open_ws();
    snprintf(msg, sizeof msg, "{\"op\":\"subscribe\",\"id\":\"%s\"}", id);
    tc_ws_text(fd, msg);
    assert_int_equal(tc_ws_wait_text(fd, "\"snapshot\"", 3000, msg, sizeof msg), 1);
    assert_non_null(strstr(msg, id));
    assert_int_equal(queue_claim(qc, "w-live", 1000, wid), 1);
    assert_int_equal(queue_start(qc, "w-live", wid, &s, &owner), QUEUE_OK);
    queue_submission_free(&s);
    assert_int_equal(queue_publish_status(qc, &owner, id, "compiling", NULL), QUEUE_OK);
    assert_int_equal(tc_ws_wait_text(fd, "\"compiling\"", 3000, msg, sizeof msg), 1);
    assert_int_equal(queue_publish_tests(qc, &owner, id, 2, "{\"n\":1,\"group\":\"sample\","
                                         "\"verdict\":\"AC\",\"time_ms\":1,\"memory_kib\":9}",
                                         NULL),
                     QUEUE_OK);
    assert_int_equal(tc_ws_wait_text(fd, "\"tests\"", 3000, msg, sizeof msg), 1);
    assert_int_equal(queue_publish_final(qc, &owner, id, "AC", "{\"verdict\":\"AC\",\"score\":1}",
                                         NULL),
                     QUEUE_OK);
    assert_int_equal(tc_ws_wait_text(fd, "\"final\"", 3000, msg, sizeof msg), 1);
    assert_non_null(strstr(msg, "\"AC\""));
    /* A second subscriber to the finished submission gets its final at once. */
    int fd2 = open_ws();
    snprintf(msg, sizeof msg, "{\"op\":\"subscribe\",\"id\":\"%s\"}", id);
    tc_ws_text(fd2, msg);
    assert_int_equal(tc_ws_wait_text(fd2, "\"final\"", 3000, NULL, 0), 1);
    close(fd2);
    close(fd);
}

static void test_handshake_refusals_over_socket(void **state)
{
    (void)state;
    char resp[4096];
    int st = tc_http(gw.port,
                     "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n",
                     resp, sizeof resp);
    assert_int_equal(st, 426);
    assert_non_null(strcasestr(resp, "Sec-WebSocket-Version: 13"));
    st = tc_http(gw.port,
                 "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n",
                 resp, sizeof resp);
    assert_int_equal(st, 400);
    st = tc_http(gw.port, "GET /ws HTTP/1.1\r\nHost: a\r\n\r\n", resp, sizeof resp);
    assert_int_equal(st, 426);
    /* The extension offer is declined: no Sec-WebSocket-Extensions in the 101. */
    int fd = tc_connect(gw.port);
    const char *req = "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                      "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n";
    tc_send(fd, req, strlen(req));
    usleep(200 * 1000);
    ssize_t n = recv(fd, resp, sizeof resp - 1, MSG_DONTWAIT);
    assert_true(n > 0);
    resp[n] = 0;
    assert_non_null(strstr(resp, "101 Switching Protocols"));
    assert_null(strcasestr(resp, "Sec-WebSocket-Extensions"));
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unmasked_frame_fails_1002),
        cmocka_unit_test(test_rsv_bits_fail_1002),
        cmocka_unit_test(test_unknown_opcodes_fail_1002),
        cmocka_unit_test(test_continuation_without_start_fails),
        cmocka_unit_test(test_new_message_inside_fragmented_fails),
        cmocka_unit_test(test_control_frame_rules),
        cmocka_unit_test(test_fragmented_with_interleaved_ping),
        cmocka_unit_test(test_invalid_utf8_fails_1007),
        cmocka_unit_test(test_utf8_across_fragments),
        cmocka_unit_test(test_close_echo),
        cmocka_unit_test(test_invalid_close_codes_fail_1002),
        cmocka_unit_test(test_message_too_big_1009),
        cmocka_unit_test(test_binary_and_bad_messages_keep_connection),
        cmocka_unit_test(test_ping_pong_and_keepalive),
        cmocka_unit_test(test_snapshot_live_and_final),
        cmocka_unit_test(test_handshake_refusals_over_socket),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
