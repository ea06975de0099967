/* test_queue_keys.c - key names and the id alphabet of queue/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "queue.h"

#include <string.h>

static void test_id_alphabet(void **state)
{
    (void)state;
    assert_true(queue_id_valid("01HZX3-abc_def.9"));
    assert_false(queue_id_valid(""));
    assert_false(queue_id_valid("a b"));
    assert_false(queue_id_valid("a:b"));
    assert_false(queue_id_valid("../etc"
                                "/passwd"));
    assert_false(queue_id_valid("a\r\nDEL x"));
    char longid[QUEUE_ID_MAX + 2];
    memset(longid, 'a', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    assert_false(queue_id_valid(longid));
    longid[QUEUE_ID_MAX] = '\0';
    assert_true(queue_id_valid(longid));
}

static void test_keys(void **state)
{
    (void)state;
    char key[QUEUE_KEY_MAX];
    assert_int_equal(queue_key_submission(key, sizeof key, "s1"), 0);
    assert_string_equal(key, "gavel:sub:s1");
    assert_int_equal(queue_key_processing(key, sizeof key, "host-1"), 0);
    assert_string_equal(key, "gavel:processing:host-1");
    assert_int_equal(queue_key_worker(key, sizeof key, "host-1"), 0);
    assert_string_equal(key, "gavel:worker:host-1");
    assert_int_equal(queue_key_worker(key, sizeof key, "bad id"), -1);
    char tiny[8];
    assert_int_equal(queue_key_submission(tiny, sizeof tiny, "s1"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_alphabet),
        cmocka_unit_test(test_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
