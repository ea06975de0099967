/* test_gv_buf.c - the bounded buffer and the bounded file read of common/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_append_and_cap(void **state)
{
    (void)state;
    struct gv_buf b;
    gv_buf_init(&b, 10);
    assert_int_equal(gv_buf_append(&b, "hello", 5), 0);
    assert_int_equal(gv_buf_printf(&b, "%d", 1234), 0);
    assert_string_equal(b.data, "hello1234");
    errno = 0;
    assert_int_equal(gv_buf_append(&b, "xy", 2), -1);
    assert_int_equal(errno, EMSGSIZE);
    assert_string_equal(b.data, "hello1234"); /* nothing of a refused append lands */
    assert_int_equal(gv_buf_append(&b, "z", 1), 0);
    assert_int_equal(b.len, 10);
    assert_true(b.alloc <= 11);
    gv_buf_free(&b);
}

static void test_steal_empty(void **state)
{
    (void)state;
    struct gv_buf b;
    gv_buf_init(&b, 0);
    char *s = gv_buf_steal(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
}

static void test_read_file_limit(void **state)
{
    (void)state;
    char path[] = "/tmp/gv-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(gv_write_all(fd, "0123456789", 10), 0);
    close(fd);
    size_t len = 0;
    char *s = gv_read_file(path, 10, &len);
    assert_non_null(s);
    assert_int_equal(len, 10);
    assert_string_equal(s, "0123456789");
    free(s);
    errno = 0;
    assert_null(gv_read_file(path, 9, NULL));
    assert_int_equal(errno, EFBIG);
    unlink(path);
    /* An endless file costs at most the limit. */
    assert_null(gv_read_file("/dev/zero", 1 << 20, NULL));
    assert_int_equal(errno, EFBIG);
}

static void test_strlcpy(void **state)
{
    (void)state;
    char small[4];
    assert_int_equal(gv_strlcpy(small, "abcdef", sizeof small), 6);
    assert_string_equal(small, "abc");
}

static void test_wall_deadline(void **state)
{
    (void)state;
    struct timespec now, ts;
    assert_int_equal(clock_gettime(CLOCK_REALTIME, &now), 0);
    gv_wall_deadline(&ts, 1999);
    int64_t ahead_ms =
        (int64_t)(ts.tv_sec - now.tv_sec) * 1000 + (ts.tv_nsec - now.tv_nsec) / 1000000;
    assert_true(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000);
    assert_true(ahead_ms >= 1998 && ahead_ms < 2100);
    gv_wall_deadline(&ts, -5); /* a past deadline means now */
    ahead_ms = (int64_t)(ts.tv_sec - now.tv_sec) * 1000 + (ts.tv_nsec - now.tv_nsec) / 1000000;
    assert_true(ahead_ms >= -1 && ahead_ms < 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_and_cap),
        cmocka_unit_test(test_steal_empty),
        cmocka_unit_test(test_read_file_limit),
        cmocka_unit_test(test_strlcpy),
        cmocka_unit_test(test_wall_deadline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
