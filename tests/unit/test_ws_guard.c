/* test_ws_guard.c - the frame-header guard in front of wslay (ws_guard.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ws_guard.h"

static size_t feed(struct ws_guard *g, const uint8_t *b, size_t n)
{
    return ws_guard_feed(g, b, n);
}

static void test_good_stream_byte_by_byte(void **state)
{
    (void)state;
    /* masked text "hi", masked ping of 0, masked 200-byte binary (16-bit length) */
    uint8_t s[300] = {0x81, 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2, 0x89, 0x80, 0, 0, 0, 0,
                      0x82, 0xfe, 0, 200, 9, 9, 9, 9};
    size_t len = 22 + 200;
    struct ws_guard g;
    ws_guard_init(&g);
    for (size_t i = 0; i < len; i++)
        assert_int_equal(feed(&g, s + i, 1), 1);
    assert_false(g.failed);
    ws_guard_init(&g);
    assert_int_equal(feed(&g, s, len), len);
}

struct bad {
    uint8_t h[14];
    size_t n;
};

static void test_violations(void **state)
{
    (void)state;
    static const struct bad cases[] = {
        {{0x81, 0x02, 'h', 'i'}, 4},                    /* not masked */
        {{0xc1, 0x80, 0, 0, 0, 0}, 6},                  /* RSV1 */
        {{0x83, 0x80, 0, 0, 0, 0}, 6},                  /* opcode 3 */
        {{0x8b, 0x80, 0, 0, 0, 0}, 6},                  /* opcode 11 */
        {{0x09, 0x80, 0, 0, 0, 0}, 6},                  /* fragmented ping */
        {{0x89, 0xfe, 0, 126, 0, 0, 0, 0}, 8},          /* ping of 126 */
        {{0x88, 0x81, 0, 0, 0, 0, 0}, 7},               /* close of one byte */
        {{0x82, 0xfe, 0, 5, 0, 0, 0, 0}, 8},            /* non-minimal 16-bit */
        {{0x82, 0xff, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0}, 14}, /* non-minimal 64-bit */
        {{0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 14}, /* top bit */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ws_guard g;
        ws_guard_init(&g);
        /* A good frame first: the guard must hand it over and stop at the bad one. */
        uint8_t buf[32] = {0x81, 0x80, 0, 0, 0, 0};
        memcpy(buf + 6, cases[i].h, cases[i].n);
        size_t ok = feed(&g, buf, 6 + cases[i].n);
        if (!g.failed || ok != 6)
            fail_msg("case %zu: failed %d ok %zu", i, g.failed, ok);
        assert_non_null(g.reason);
        assert_int_equal(feed(&g, buf, 6), 0); /* nothing more passes */
    }
}

static void test_header_split_across_feeds(void **state)
{
    (void)state;
    uint8_t bad[] = {0x82, 0xfe, 0, 5, 0, 0, 0, 0};
    struct ws_guard g;
    ws_guard_init(&g);
    assert_int_equal(feed(&g, bad, 3), 3);
    assert_int_equal(feed(&g, bad + 3, 5), 0);
    assert_true(g.failed);
}

static void test_at_rest_and_fragments(void **state)
{
    (void)state;
    struct ws_guard g;
    ws_guard_init(&g);
    assert_true(ws_guard_at_rest(&g));
    uint8_t first[] = {0x01, 0x81, 0, 0, 0, 0, 'a'}; /* text, no FIN */
    uint8_t ping[] = {0x89, 0x80, 0, 0, 0, 0};        /* control frames do not end it */
    uint8_t last[] = {0x80, 0x81, 0, 0, 0, 0, 'b'};  /* continuation with FIN */
    assert_int_equal(ws_guard_feed(&g, first, 3), 3);
    assert_false(ws_guard_at_rest(&g)); /* mid-header */
    assert_int_equal(ws_guard_feed(&g, first + 3, 4), 4);
    assert_false(ws_guard_at_rest(&g)); /* mid-message */
    assert_int_equal(ws_guard_feed(&g, ping, sizeof ping), sizeof ping);
    assert_false(ws_guard_at_rest(&g));
    assert_int_equal(ws_guard_feed(&g, last, sizeof last), sizeof last);
    assert_true(ws_guard_at_rest(&g));
}

static void test_frame_header_lengths(void **state)
{
    (void)state;
    uint8_t h[WS_FRAME_HEADER_MAX];
    assert_int_equal(ws_frame_header(h, 1, 125), 2);
    assert_int_equal(h[0], 0x81);
    assert_int_equal(h[1], 125);
    assert_int_equal(ws_frame_header(h, 9, 126), 4);
    assert_int_equal(h[0], 0x89);
    assert_int_equal(h[1], 126);
    assert_int_equal(h[2] << 8 | h[3], 126);
    assert_int_equal(ws_frame_header(h, 1, 65535), 4);
    assert_int_equal(ws_frame_header(h, 2, 65536), 10);
    assert_int_equal(h[1], 127);
    assert_int_equal(h[7], 1); /* 65536 = 0x00..010000 */
    assert_int_equal(h[8], 0);
    assert_int_equal(h[9], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_stream_byte_by_byte),
        cmocka_unit_test(test_violations),
        cmocka_unit_test(test_header_split_across_feeds),
        cmocka_unit_test(test_at_rest_and_fragments),
        cmocka_unit_test(test_frame_header_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
