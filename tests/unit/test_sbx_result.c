/* test_sbx_result.c - status/policy names and the result JSON of sandbox/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sandbox.h"

#include <cjson/cJSON.h>
#include <string.h>

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(sbx_status_name(SBX_TLE), "TLE");
    assert_string_equal(sbx_status_name((enum sbx_status)99), "JE");
    assert_int_equal(sbx_policy_from_name("compiler"), SBX_POLICY_COMPILER);
    assert_int_equal(sbx_policy_from_name("nope"), -1);
    assert_string_equal(sbx_policy_name(SBX_POLICY_RUNTIME), "runtime");
}

static void test_json_escapes(void **state)
{
    (void)state;
    struct sbx_result r = {.status = SBX_RTE, .exit_code = 0, .signal = 31, .cpu_ms = 12};
    strcpy(r.syscall, "ptrace");
    strcpy(r.message, "quote \" backslash \\ newline \n");
    char buf[1024];
    int n = sbx_result_to_json(&r, buf, sizeof buf);
    assert_true(n > 0 && (size_t)n < sizeof buf);
    cJSON *j = cJSON_Parse(buf);
    assert_non_null(j);
    assert_string_equal(cJSON_GetObjectItem(j, "status")->valuestring, "RTE");
    assert_int_equal(cJSON_GetObjectItem(j, "signal")->valueint, 31);
    assert_string_equal(cJSON_GetObjectItem(j, "syscall")->valuestring, "ptrace");
    assert_string_equal(cJSON_GetObjectItem(j, "message")->valuestring, r.message);
    cJSON_Delete(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_json_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
