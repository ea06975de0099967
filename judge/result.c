/*
 * result.c - verdict names and the result JSON of GET /api/submissions/{id}.
 *
 * Theory of operation: verdicts are a table of (enum, short name, submissions/ folder name) walked
 * by the lookups; the result is written with cJSON exactly as judge.h documents it. The per-test
 * judge messages stay out of the JSON on purpose: they can quote hidden test data.
 */
#include "judge.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    enum judge_verdict v;
    const char *name;
    const char *folder;
} verdicts[] = {
    {JUDGE_AC, "AC", "accepted"},
    {JUDGE_WA, "WA", "wrong_answer"},
    {JUDGE_TLE, "TLE", "time_limit_exceeded"},
    {JUDGE_MLE, "MLE", "memory_limit_exceeded"},
    {JUDGE_RTE, "RTE", "run_time_error"},
    {JUDGE_OLE, "OLE", "output_limit_exceeded"},
    {JUDGE_CE, "CE", "compile_error"},
    {JUDGE_JE, "JE", "judge_error"},
};

#define N_VERDICTS (sizeof verdicts / sizeof verdicts[0])

const char *judge_verdict_name(enum judge_verdict v)
{
    for (size_t i = 0; i < N_VERDICTS; i++)
        if (verdicts[i].v == v) return verdicts[i].name;
    return "JE";
}

int judge_verdict_from_name(const char *name)
{
    static const struct {
        const char *alias;
        enum judge_verdict v;
    } aliases[] = {
        {"ACCEPTED", JUDGE_AC},
        {"WRONG_ANSWER", JUDGE_WA},
        {"WRONG-ANSWER", JUDGE_WA},
        {"TIME_LIMIT_EXCEEDED", JUDGE_TLE},
        {"TIMELIMIT", JUDGE_TLE},
        {"RUN_TIME_ERROR", JUDGE_RTE},
        {"RUN-ERROR", JUDGE_RTE},
        {"RTE", JUDGE_RTE},
        {"MEMORY_LIMIT_EXCEEDED", JUDGE_MLE},
        {"OUTPUT_LIMIT_EXCEEDED", JUDGE_OLE},
        {"OUTPUT-LIMIT", JUDGE_OLE},
        {"COMPILE_ERROR", JUDGE_CE},
        {"COMPILER-ERROR", JUDGE_CE},
    };
    for (size_t i = 0; name && i < N_VERDICTS; i++)
        if (strcasecmp(name, verdicts[i].name) == 0 || strcmp(name, verdicts[i].folder) == 0)
            return (int)verdicts[i].v;
    for (size_t i = 0; name && i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcasecmp(name, aliases[i].alias) == 0) return (int)aliases[i].v;
    return -1;
}

void judge_result_free(struct judge_result *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n_tests; i++)
        free(r->tests[i].message);
    free(r->tests);
    free(r->compile_output);
    free(r->message);
    memset(r, 0, sizeof *r);
}

cJSON *judge_test_to_json(const struct judge_test_result *t)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddNumberToObject(o, "n", t->n);
    cJSON_AddStringToObject(o, "group", t->group);
    cJSON_AddStringToObject(o, "verdict", judge_verdict_name(t->verdict));
    cJSON_AddNumberToObject(o, "time_ms", t->time_ms);
    cJSON_AddNumberToObject(o, "memory_kib", (double)t->memory_kib);
    return o;
}

cJSON *judge_result_to_json(const struct judge_result *r)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "status", "done");
    cJSON_AddStringToObject(o, "verdict", judge_verdict_name(r->verdict));
    if (r->scored) {
        cJSON_AddNumberToObject(o, "score", r->score);
        cJSON_AddNumberToObject(o, "max_score", r->max_score);
    } else {
        cJSON_AddNullToObject(o, "score");
        cJSON_AddNullToObject(o, "max_score");
    }
    cJSON_AddNumberToObject(o, "time_ms", r->time_ms);
    cJSON_AddNumberToObject(o, "memory_kib", (double)r->memory_kib);
    cJSON_AddStringToObject(o, "compile_output", r->compile_output ? r->compile_output : "");
    if (r->message && (r->verdict == JUDGE_JE || r->verdict == JUDGE_CE))
        cJSON_AddStringToObject(o, "message", r->message);
    cJSON_AddNumberToObject(o, "total_tests", (double)r->total_tests);
    cJSON *tests = cJSON_AddArrayToObject(o, "tests");
    for (size_t i = 0; i < r->n_tests; i++)
        cJSON_AddItemToArray(tests, judge_test_to_json(&r->tests[i]));
    cJSON *tm = cJSON_AddObjectToObject(o, "timings");
    cJSON_AddNumberToObject(tm, "queued_ms", (double)r->queued_ms);
    cJSON_AddNumberToObject(tm, "compile_ms", (double)r->compile_ms);
    cJSON_AddNumberToObject(tm, "run_ms", (double)r->run_ms);
    cJSON_AddNumberToObject(tm, "total_ms", (double)r->total_ms);
    return o;
}
