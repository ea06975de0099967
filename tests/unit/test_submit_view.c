/*
 * test_submit_view.c - the pure part of gavel-submit: language guess, API error sentences, the
 * follow state fed by WebSocket messages (seq ordering, snapshot after reconnect, final), and the
 * printed lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "submit_view.h"

static const char langs[] = "{\"languages\":[{\"id\":\"c\",\"extensions\":[\"c\"]},"
                            "{\"id\":\"cpp\",\"extensions\":[\"cpp\",\"cc\",\"C\"]},"
                            "{\"id\":\"python3\",\"extensions\":[\"py\"]}]}";

static void test_guess_language(void **state)
{
    (void)state;
    char id[64], why[256];
    assert_int_equal(
        sv_guess_language(langs, strlen(langs), "dir.x/a.py", id, sizeof id, why, sizeof why), 0);
    assert_string_equal(id, "python3");
    /* exact match wins over the case-insensitive one: .C is C++, .c is C */
    assert_int_equal(sv_guess_language(langs, strlen(langs), "A.C", id, sizeof id, why, sizeof why),
                     0);
    assert_string_equal(id, "cpp");
    assert_int_equal(sv_guess_language(langs, strlen(langs), "b.c", id, sizeof id, why, sizeof why),
                     0);
    assert_string_equal(id, "c");
    assert_int_equal(
        sv_guess_language(langs, strlen(langs), "b.PY", id, sizeof id, why, sizeof why), 0);
    assert_string_equal(id, "python3");
    assert_int_equal(
        sv_guess_language(langs, strlen(langs), "Makefile", id, sizeof id, why, sizeof why), -1);
    assert_non_null(strstr(why, ".py"));
    assert_int_equal(sv_guess_language("nope", 4, "a.c", id, sizeof id, why, sizeof why), -1);
}

static void test_api_error(void **state)
{
    (void)state;
    char out[256];
    const char *body = "{\"error\":{\"code\":\"unknown_problem\",\"message\":\"no such problem\"}}";
    sv_api_error(404, body, strlen(body), out, sizeof out);
    assert_string_equal(out, "HTTP 404 unknown_problem: no such problem");
    sv_api_error(502, "<html>", 6, out, sizeof out);
    assert_string_equal(out, "HTTP 502 (not a Gavel API answer)");
    char id[32];
    const char *ok = "{\"id\":\"abc-1\",\"status\":\"queued\",\"token\":\"t\"}";
    assert_int_equal(sv_parse_accepted(ok, strlen(ok), id, sizeof id), 0);
    assert_string_equal(id, "abc-1");
    assert_int_equal(sv_parse_accepted("{}", 2, id, sizeof id), -1);
}

static enum sv_msg apply(struct sv_state *st, const char *json)
{
    char err[128];
    return sv_state_apply(st, "s1", json, strlen(json), err, sizeof err);
}

static void test_follow(void **state)
{
    (void)state;
    struct sv_state st;
    sv_state_init(&st);
    char line[SV_LINE_MAX];
    assert_int_equal(apply(&st, "{\"type\":\"snapshot\",\"submission\":\"s1\",\"seq\":2,"
                                "\"status\":\"running\",\"total\":4,\"tests\":[{\"n\":1,"
                                "\"verdict\":\"AC\"}]}"),
                     SV_MSG_PROGRESS);
    sv_progress_line(&st, line, sizeof line);
    assert_string_equal(line, "[#######.......................] 1/4 running (last AC)");
    /* another submission, and an old seq, are ignored */
    assert_int_equal(apply(&st, "{\"type\":\"tests\",\"submission\":\"s2\",\"seq\":9,\"total\":4,"
                                "\"tests\":[{\"n\":4,\"verdict\":\"AC\"}]}"),
                     SV_MSG_IGNORED);
    assert_int_equal(apply(&st, "{\"type\":\"tests\",\"submission\":\"s1\",\"seq\":2,\"total\":4,"
                                "\"tests\":[{\"n\":2,\"verdict\":\"AC\"}]}"),
                     SV_MSG_IGNORED);
    assert_int_equal(st.done, 1);
    assert_int_equal(apply(&st, "{\"type\":\"tests\",\"submission\":\"s1\",\"seq\":3,\"total\":4,"
                                "\"tests\":[{\"n\":2,\"verdict\":\"AC\"},{\"n\":3,"
                                "\"verdict\":\"WA\"}]}"),
                     SV_MSG_PROGRESS);
    assert_int_equal(st.done, 3);
    assert_string_equal(st.last_verdict, "WA");
    /* a snapshot after a reconnect with an older seq does not move anything back */
    assert_int_equal(apply(&st, "{\"type\":\"snapshot\",\"submission\":\"s1\",\"seq\":3,"
                                "\"status\":\"running\",\"total\":4,\"tests\":[]}"),
                     SV_MSG_IGNORED);
    assert_int_equal(apply(&st, "{\"type\":\"final\",\"submission\":\"s1\",\"seq\":4,"
                                "\"verdict\":\"WA\",\"time_ms\":15,\"memory_kib\":556,"
                                "\"score\":null,\"compile_output\":\"\",\"total_tests\":4,"
                                "\"tests\":[{\"n\":3,\"verdict\":\"WA\"}]}"),
                     SV_MSG_FINAL);
    assert_true(st.final);
    sv_final_line(&st, line, sizeof line);
    assert_string_equal(line, "WA  3/4 tests  time 15 ms  memory 556 KiB");
    /* nothing after the final counts */
    assert_int_equal(apply(&st, "{\"type\":\"final\",\"submission\":\"s1\",\"seq\":5,"
                                "\"verdict\":\"AC\"}"),
                     SV_MSG_IGNORED);
    assert_string_equal(st.verdict, "WA");
}

static void test_final_compile_error_and_errors(void **state)
{
    (void)state;
    struct sv_state st;
    sv_state_init(&st);
    assert_int_equal(apply(&st, "{\"type\":\"final\",\"submission\":\"s1\",\"seq\":3,"
                                "\"verdict\":\"CE\",\"score\":7.5,\"compile_output\":\"main.c:1: "
                                "error\"}"),
                     SV_MSG_FINAL);
    assert_string_equal(st.text, "main.c:1: error");
    assert_true(st.has_score);
    char err[128];
    const char *e = "{\"type\":\"error\",\"code\":\"bad_id\",\"message\":\"bad id\"}";
    assert_int_equal(sv_state_apply(&st, "s1", e, strlen(e), err, sizeof err), SV_MSG_ERROR);
    assert_string_equal(err, "bad id");
    assert_int_equal(apply(&st, "not json"), SV_MSG_IGNORED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_guess_language),
        cmocka_unit_test(test_api_error),
        cmocka_unit_test(test_follow),
        cmocka_unit_test(test_final_compile_error_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
