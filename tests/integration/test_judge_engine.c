/*
 * test_judge_engine.c - the engine's API as `serve` uses it: several threads judging at once on
 * one engine, the progress events in order, the result JSON, and the compile cache.
 *
 * A small package (two samples, three secret tests) is written to a temp folder; four threads
 * judge four C sources (AC, WA, TLE, CE) at the same time on an engine with a pool of its own, then
 * the AC source again. Each thread records its events; the test checks their order (compiling,
 * running, tests 1..k with growing n, final) and that every verdict is the expected one.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "judge.h"

#define EVENTS_MAX 64

static char root[256];
static char cache[300];

struct run {
    const char *source;
    enum judge_verdict want;
    size_t want_tests;
    enum judge_event_kind events[EVENTS_MAX];
    unsigned test_n[EVENTS_MAX];
    size_t n_events;
    struct judge_result result;
};

static struct judge_engine *engine;
static struct judge_problem *problem;

static void put(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
    }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void on_event(const struct judge_event *ev, void *ctx)
{
    struct run *r = ctx;
    if (r->n_events >= EVENTS_MAX) return;
    r->events[r->n_events] = ev->kind;
    r->test_n[r->n_events] = ev->test ? ev->test->n : 0;
    r->n_events++;
}

static void *judge_thread(void *arg)
{
    struct run *r = arg;
    struct judge_submission s = {0};
    s.language = "c";
    s.source = r->source;
    s.source_len = strlen(r->source);
    judge_submission(engine, problem, &s, on_event, r, &r->result);
    return NULL;
}

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/gv-judge-engine-XXXXXX");
    if (!mkdtemp(root)) return -1;
    snprintf(cache, sizeof cache, "%s/cache", root);
    strcat(root, "/pkg");
    mkdir(root, 0755);
    put("problem.yaml", "name: Double\nlimits:\n  memory: 128\n");
    put(".timelimit", "1\n");
    static const int vals[] = {1, 2, 3, 40, 500};
    for (int i = 0; i < 5; i++) {
        char in[64], ans[64], path[64];
        snprintf(in, sizeof in, "%d\n", vals[i]);
        snprintf(ans, sizeof ans, "%d\n", 2 * vals[i]);
        snprintf(path, sizeof path, "data/%s/%d.in", i < 2 ? "sample" : "secret", i);
        put(path, in);
        snprintf(path, sizeof path, "data/%s/%d.ans", i < 2 ? "sample" : "secret", i);
        put(path, ans);
    }
    char err[JUDGE_ERR_MAX];
    problem = judge_problem_load(root, err, sizeof err);
    if (!problem) {
        fprintf(stderr, "load: %s\n", err);
        return -1;
    }
    struct judge_engine_config cfg = {0};
    cfg.cache_dir = cache;
    cfg.n_boxes = 3; /* fewer boxes than threads: judging must wait for a free one */
    engine = judge_engine_new(&cfg, err, sizeof err);
    if (!engine) {
        fprintf(stderr, "engine: %s\n", err);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    judge_engine_free(engine);
    judge_problem_free(problem);
    char cmd[600];
    *strrchr(root, '/') = '\0';
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static const char src_ac[] =
    "#include <stdio.h>\nint main(void){long x;if(scanf(\"%ld\",&x)!=1)return 1;"
    "printf(\"%ld\\n\",2*x);return 0;}\n";
static const char src_wa[] =
    "#include <stdio.h>\nint main(void){long x;if(scanf(\"%ld\",&x)!=1)return 1;"
    "printf(\"%ld\\n\",x<100?2*x:x);return 0;}\n";
static const char src_tle[] = "int main(void){volatile long x=0;for(;;)x++;}\n";
static const char src_ce[] = "int main(void){return undeclared;}\n";

/* Events: COMPILING, RUNNING, TEST 1..k in order, FINAL (CE: COMPILING, FINAL). */
static void check_events(const struct run *r)
{
    size_t i = 0;
    assert_true(r->n_events >= 2);
    assert_int_equal(r->events[i++], JUDGE_EVENT_COMPILING);
    if (r->want != JUDGE_CE) assert_int_equal(r->events[i++], JUDGE_EVENT_RUNNING);
    unsigned last = 0;
    size_t tests = 0;
    for (; i + 1 < r->n_events; i++) {
        assert_int_equal(r->events[i], JUDGE_EVENT_TEST);
        assert_true(r->test_n[i] == last + 1);
        last = r->test_n[i];
        tests++;
    }
    assert_int_equal(r->events[r->n_events - 1], JUDGE_EVENT_FINAL);
    assert_int_equal(tests, r->want_tests);
    assert_int_equal(r->result.n_tests, r->want_tests);
}

static void test_parallel(void **state)
{
    (void)state;
    struct run runs[] = {
        {.source = src_ac, .want = JUDGE_AC, .want_tests = 5},
        {.source = src_wa, .want = JUDGE_WA, .want_tests = 5},
        {.source = src_tle, .want = JUDGE_TLE, .want_tests = 1},
        {.source = src_ce, .want = JUDGE_CE, .want_tests = 0},
    };
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, judge_thread, &runs[i]), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 4; i++) {
        struct run *r = &runs[i];
        if (r->result.verdict != r->want)
            fail_msg("run %d: verdict %s, want %s (%s)", i, judge_verdict_name(r->result.verdict),
                     judge_verdict_name(r->want), r->result.message ? r->result.message : "");
        check_events(r);
        cJSON *j = judge_result_to_json(&r->result);
        assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(j, "status")), "done");
        assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(j, "verdict")),
                            judge_verdict_name(r->want));
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "score")));
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "tests")), (int)r->want_tests);
        assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "timings"), "compile_ms"));
        cJSON_Delete(j);
    }
    assert_non_null(strstr(runs[3].result.compile_output, "undeclared"));
    assert_string_equal(runs[1].result.tests[4].group, "secret");
    assert_int_equal(runs[1].result.tests[4].verdict, JUDGE_WA);
    for (int i = 0; i < 4; i++)
        judge_result_free(&runs[i].result);

    /* the same AC source again: compiled program from the cache */
    struct run again = {.source = src_ac, .want = JUDGE_AC, .want_tests = 5};
    judge_thread(&again);
    assert_int_equal(again.result.verdict, JUDGE_AC);
    assert_true(again.result.compile_cached);
    judge_result_free(&again.result);
}

static void test_bad_submissions(void **state)
{
    (void)state;
    struct judge_submission s = {0};
    struct judge_result r;
    s.language = "cobol";
    s.source = "x";
    s.source_len = 1;
    judge_submission(engine, problem, &s, NULL, NULL, &r);
    assert_int_equal(r.verdict, JUDGE_JE);
    assert_non_null(strstr(r.message, "cobol"));
    judge_result_free(&r);
    s.language = "c";
    s.file_name = "../../etc/evil.c"; /* only the base name is used */
    s.source = src_ac;
    s.source_len = strlen(src_ac);
    judge_submission(engine, problem, &s, NULL, NULL, &r);
    assert_int_equal(r.verdict, JUDGE_AC);
    judge_result_free(&r);
    struct judge_file files[] = {{"../x.c", "int main(void){return 0;}", 25}};
    struct judge_submission m = {0};
    m.language = "c";
    m.files = files;
    m.n_files = 1;
    judge_submission(engine, problem, &m, NULL, NULL, &r);
    assert_int_equal(r.verdict, JUDGE_JE);
    judge_result_free(&r);
}

int main(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "test_judge_engine: the sandbox needs root\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parallel),
        cmocka_unit_test(test_bad_submissions),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
