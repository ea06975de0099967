/* test_queue_json.c - ids, tokens, URLs, and the JSON queue/ makes from a stored submission. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "queue_internal.h"

#include <stdlib.h>
#include <string.h>

static void test_new_ids(void **state)
{
    (void)state;
    char a[QUEUE_NEW_ID_LEN + 1], b[QUEUE_NEW_ID_LEN + 1], t[QUEUE_TOKEN_LEN + 1];
    assert_int_equal(queue_new_id(a, sizeof a), 0);
    assert_int_equal(queue_new_id(b, sizeof b), 0);
    assert_int_equal(strlen(a), QUEUE_NEW_ID_LEN);
    assert_true(queue_id_valid(a));
    assert_string_not_equal(a, b);
    assert_int_equal(queue_new_id(a, QUEUE_NEW_ID_LEN), -1); /* too small */
    assert_int_equal(queue_new_token(t, sizeof t), 0);
    assert_int_equal(strspn(t, "0123456789abcdef"), QUEUE_TOKEN_LEN);
}

static void test_urls(void **state)
{
    (void)state;
    struct queue_url u;
    assert_int_equal(queue_url_parse("redis://127.0.0.1:6479", &u), 0);
    assert_string_equal(u.host, "127.0.0.1");
    assert_int_equal(u.port, 6479);
    assert_int_equal(u.db, 0);
    assert_int_equal(queue_url_parse("redis://:pw@redis.local/3", &u), 0);
    assert_string_equal(u.host, "redis.local");
    assert_string_equal(u.password, "pw");
    assert_int_equal(u.port, 6379);
    assert_int_equal(u.db, 3);
    assert_int_equal(queue_url_parse("http://x", &u), -1);
    assert_int_equal(queue_url_parse("redis://h:99999", &u), -1);
    assert_int_equal(queue_url_parse("redis://h:12x", &u), -1);
    assert_int_equal(queue_url_parse("redis://", &u), -1);
}

static void test_final_suffix(void **state)
{
    (void)state;
    struct gv_buf b;
    gv_buf_init(&b, 4096);
    /* envelope members the caller sent are dropped: the script writes its own */
    assert_int_equal(queue_final_suffix(&b, "{\"type\":\"x\",\"seq\":9,\"verdict\":\"AC\"}"), 0);
    assert_string_equal(b.data, ",\"verdict\":\"AC\"}");
    gv_buf_reset(&b);
    assert_int_equal(queue_final_suffix(&b, "{}"), 0);
    assert_string_equal(b.data, "}");
    assert_int_equal(queue_final_suffix(&b, "[1,2]"), -1);
    assert_int_equal(queue_final_suffix(&b, "{\"a\":"), -1);
    gv_buf_reset(&b);
    assert_int_equal(queue_event_prefix(&b, "final", "s1"), 0);
    assert_string_equal(b.data, "{\"type\":\"final\",\"submission\":\"s1\",\"seq\":");
    assert_int_equal(queue_event_prefix(&b, "final", "s\"1"), -1);
    gv_buf_free(&b);
}

static void test_event_parse(void **state)
{
    (void)state;
    struct queue_event ev;
    const char *ok =
        "{\"type\":\"tests\",\"submission\":\"s1\",\"seq\":7,\"total\":2,\"tests\":[]}";
    assert_int_equal(queue_event_parse(ok, strlen(ok), &ev), 0);
    assert_string_equal(ev.type, "tests");
    assert_string_equal(ev.submission, "s1");
    assert_int_equal(ev.seq, 7);
    assert_ptr_equal(ev.json, ok);
    const char *bad[] = {"", "nope", "{\"type\":\"tests\",\"seq\":1}",
                         "{\"type\":\"x\",\"submission\":\"a b\",\"seq\":1}",
                         "{\"type\":\"x\",\"submission\":\"a\",\"seq\":\"1\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(queue_event_parse(bad[i], strlen(bad[i]), &ev), -1);
}

static void test_submission_json(void **state)
{
    (void)state;
    struct queue_submission s;
    memset(&s, 0, sizeof s);
    strcpy(s.id, "s1");
    strcpy(s.problem, "ab");
    strcpy(s.language, "c");
    strcpy(s.status, "running");
    s.seq = 4;
    s.total = 3;
    s.created_ms = 1000;
    s.source = strdup("x");
    s.tests = strdup("[{\"n\":1,\"verdict\":\"AC\"}]");
    char *snap = queue_snapshot_json(&s);
    assert_string_equal(snap, "{\"type\":\"snapshot\",\"submission\":\"s1\",\"seq\":4,"
                              "\"status\":\"running\",\"total\":3,"
                              "\"tests\":[{\"n\":1,\"verdict\":\"AC\"}]}");
    free(snap);
    char *get = queue_submission_json(&s, 0);
    assert_non_null(strstr(get, "\"status\":\"running\""));
    assert_non_null(strstr(get, "\"verdict\":null"));
    assert_null(strstr(get, "\"source\""));
    free(get);
    /* garbage in the stored tests never breaks the JSON */
    free(s.tests);
    s.tests = strdup("[{broken");
    snap = queue_snapshot_json(&s);
    assert_non_null(strstr(snap, "\"tests\":[]"));
    free(snap);
    queue_submission_free(&s);
    assert_null(s.source);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_ids),         cmocka_unit_test(test_urls),
        cmocka_unit_test(test_final_suffix),    cmocka_unit_test(test_event_parse),
        cmocka_unit_test(test_submission_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
