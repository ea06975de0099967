/*
 * test_judge_defval.c - the ICPC default output validator, token by token.
 *
 * Each case names the flags, the team output, the judge answer and the expected decision; the
 * cases follow the spec's rules: white space, case, +0/-0, exponents, inf/nan, absolute and
 * relative tolerances, and the space_change_sensitive mode. A large-output case checks that a big
 * buffer is handled in place.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "defval.h"
#include "problem.h"

struct dv_case {
    const char *flags; /* space separated validator_flags */
    const char *out;
    const char *ans;
    bool accept;
    size_t out_len; /* 0: strlen(out) */
};

static const struct dv_case cases[] = {
    /* white space */
    {"", "1 2 3\n", "1 2 3\n", true, 0},
    {"", "1   2\t3", "1 2 3\n", true, 0},
    {"", "\n\n1\n2\n3\n\n", "1 2 3", true, 0},
    {"", "", "", true, 0},
    {"", "   \n", "", true, 0},
    {"", "1 2", "1 2 3", false, 0},
    {"", "1 2 3 4", "1 2 3", false, 0},
    {"", "12 3", "1 23", false, 0},
    {"", "", "1", false, 0},
    {"", "x", "", false, 0},
    /* case */
    {"", "Hello WORLD", "hello world", true, 0},
    {"case_sensitive", "Hello", "hello", false, 0},
    {"case_sensitive", "hello", "hello", true, 0},
    {"", "IMPOSSIBLE", "impossible", true, 0},
    /* space_change_sensitive */
    {"space_change_sensitive", "1 2\n", "1 2\n", true, 0},
    {"space_change_sensitive", "1  2\n", "1 2\n", false, 0},
    {"space_change_sensitive", "1 2", "1 2\n", false, 0},
    {"space_change_sensitive", "1\t2\n", "1 2\n", false, 0},
    {"space_change_sensitive", "1 2\n\n", "1 2\n", false, 0},
    {"space_change_sensitive", " 1 2\n", "1 2\n", false, 0},
    {"space_change_sensitive case_sensitive", "a B\n", "a B\n", true, 0},
    /* numbers without tolerance: compared as text */
    {"", "1.0", "1", false, 0},
    {"", "-0", "0", false, 0},
    {"", "1e3", "1000", false, 0},
    /* absolute and relative tolerances */
    {"float_tolerance 1e-6", "1.0", "1", true, 0},
    {"float_tolerance 1e-6", "1.0000005", "1", true, 0},
    {"float_tolerance 1e-6", "1.00001", "1", false, 0},
    {"float_absolute_tolerance 1e-3", "100.0009", "100", true, 0},
    {"float_absolute_tolerance 1e-3", "100.002", "100", false, 0},
    {"float_relative_tolerance 1e-3", "100.09", "100", true, 0},
    {"float_relative_tolerance 1e-3", "100.2", "100", false, 0},
    {"float_relative_tolerance 1e-3", "0.0001", "0", false, 0},
    {"float_absolute_tolerance 1e-9 float_relative_tolerance 1e-3", "100.09", "100", true, 0},
    {"float_absolute_tolerance 1e-1 float_relative_tolerance 1e-9", "100.09", "100", true, 0},
    /* +0 / -0, signs, exponents */
    {"float_tolerance 1e-9", "-0", "0", true, 0},
    {"float_tolerance 1e-9", "+0.0", "-0", true, 0},
    {"float_tolerance 1e-9", "1e3", "1000", true, 0},
    {"float_tolerance 1e-9", "1E+3", "1000", true, 0},
    {"float_tolerance 1e-9", "2.5e-1", ".25", true, 0},
    {"float_tolerance 1e-9", "+5", "5", true, 0},
    {"float_tolerance 1e-9", "1e", "1", false, 0},
    {"float_tolerance 1e-9", "0x10", "16", false, 0},
    {"float_tolerance 1e-9", "abc", "1", false, 0},
    {"float_tolerance 1e-9", "1.", "1", true, 0},
    /* inf and nan */
    {"float_tolerance 1e-6", "inf", "inf", true, 0},
    {"float_tolerance 1e-6", "-inf", "inf", false, 0},
    {"float_tolerance 1e-6", "Infinity", "inf", true, 0},
    {"float_tolerance 1e-6", "1e308", "inf", false, 0},
    {"float_tolerance 1e-6", "nan", "nan", true, 0},
    {"float_tolerance 1e-6", "1", "nan", false, 0},
    {"float_tolerance 1e-6", "nan", "1", false, 0},
    /* a non-number answer token under tolerance is compared as text (case-insensitively) */
    {"float_tolerance 1e-6", "Yes 1.0000001", "yes 1", true, 0},
    {"float_tolerance 1e-6", "no 1", "yes 1", false, 0},
    /* NUL bytes are data */
    {"", "a\0b", "a", false, 3},
    {"", "a\0b", "a\0b", false, 3},
};

static void parse_flags(const char *text, struct judge_dv_flags *f)
{
    char buf[256], *words[16];
    size_t n = 0;
    strncpy(buf, text, sizeof buf - 1);
    buf[sizeof buf - 1] = '\0';
    for (char *w = strtok(buf, " "); w && n < 16; w = strtok(NULL, " "))
        words[n++] = w;
    judge_dv_flags_default(f);
    assert_int_equal(judge_dv_flags_parse(f, words, n), 0);
}

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct dv_case *c = &cases[i];
        struct judge_dv_flags f;
        parse_flags(c->flags, &f);
        size_t out_len = c->out_len ? c->out_len : strlen(c->out);
        char msg[256];
        bool got = judge_dv_check(&f, c->out, out_len, c->ans, strlen(c->ans), msg, sizeof msg);
        if (got != c->accept)
            fail_msg("case %zu: flags \"%s\" out \"%s\" ans \"%s\": expected %s, got %s (%s)", i,
                     c->flags, c->out, c->ans, c->accept ? "accept" : "reject",
                     got ? "accept" : "reject", msg);
    }
}

static void test_message_names_line_and_tokens(void **state)
{
    (void)state;
    struct judge_dv_flags f;
    judge_dv_flags_default(&f);
    char msg[256];
    const char *out = "1\n2\n7\n", *ans = "1\n2\n3\n";
    assert_false(judge_dv_check(&f, out, strlen(out), ans, strlen(ans), msg, sizeof msg));
    assert_non_null(strstr(msg, "line 3"));
    assert_non_null(strstr(msg, "\"3\""));
    assert_non_null(strstr(msg, "\"7\""));
}

static void test_bad_flags(void **state)
{
    (void)state;
    struct judge_dv_flags f;
    judge_dv_flags_default(&f);
    char *missing[] = {"float_tolerance"};
    assert_int_equal(judge_dv_flags_parse(&f, missing, 1), -1);
    char *bad[] = {"float_absolute_tolerance", "abc"};
    assert_int_equal(judge_dv_flags_parse(&f, bad, 2), -1);
    char *custom[] = {"ignore_case", "float_relative_tolerance", "0.5"};
    assert_int_equal(judge_dv_flags_parse(&f, custom, 3), 0);
    assert_true(f.float_rel == 0.5);
    assert_true(f.float_abs < 0);
}

/* 4 MB of output compared in place: no copy, and a late difference is still found. */
static void test_large_output(void **state)
{
    (void)state;
    size_t n = 4u << 20;
    char *a = malloc(n), *b = malloc(n);
    assert_non_null(a);
    assert_non_null(b);
    for (size_t i = 0; i < n; i++)
        a[i] = b[i] = (i % 8 == 7) ? '\n' : (char)('a' + i % 7);
    struct judge_dv_flags f;
    judge_dv_flags_default(&f);
    assert_true(judge_dv_check(&f, a, n, b, n, NULL, 0));
    b[n - 3] = 'z';
    char msg[256];
    assert_false(judge_dv_check(&f, a, n, b, n, msg, sizeof msg));
    assert_non_null(strstr(msg, "line"));
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_message_names_line_and_tokens),
        cmocka_unit_test(test_bad_flags),
        cmocka_unit_test(test_large_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
