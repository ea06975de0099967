/*
 * judge.h - the judging engine (library gavel_judge; links gavel_problem and gavel_sandbox).
 *
 * An engine owns what several judging threads share: the sandbox pool, the compile cache folder
 * (compiled submissions keyed by SHA-256 of language, compiler version and source; compiled custom
 * validators per problem) and the language table. judge_submission() turns (problem, language,
 * source) into a struct judge_result: compile in a box with the compiler policy, run every test in
 * a box with the package's limits (samples first, then secret in order), check each output (ICPC
 * default validator, a custom validator, or an interactor running beside the submission), stop at
 * the first failure unless the problem is scored. It reports progress through a callback.
 *
 * Threads: judge_submission() may run in any number of threads at once on one engine; each call
 * takes its own boxes from the pool (one, or two for custom and interactive validation) and waits
 * for free ones. Problems are immutable once loaded (problem.h) and may be shared.
 *
 * A verdict is never wrong because of the judge: anything that fails on our side is JE with a
 * message saying what failed.
 */
#ifndef GAVEL_JUDGE_H
#define GAVEL_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "lang.h"
#include "problem.h"

struct sbx_pool;

#define JUDGE_COMPILE_OUTPUT_MAX (64u << 10) /* compiler messages kept for the user */
#define JUDGE_MESSAGE_MAX        1024        /* judge / validator message kept per test */
#define JUDGE_SOURCE_MAX         (1u << 20)  /* largest source judge_submission accepts */
#define JUDGE_FILES_MAX          64          /* files of a multi-file submission */

/*** Verdicts ***/

enum judge_verdict {
    JUDGE_AC,
    JUDGE_WA,
    JUDGE_TLE,
    JUDGE_MLE,
    JUDGE_RTE,
    JUDGE_OLE,
    JUDGE_CE,
    JUDGE_JE,
};

/* "AC", "WA", ... as in DESIGN.md. */
const char *judge_verdict_name(enum judge_verdict v);
/* The verdict for "AC"... or a submissions/ folder name ("accepted", "wrong_answer", ...);
 * -1 when unknown. */
int judge_verdict_from_name(const char *name);

/*** Engine ***/

struct judge_engine_config {
    struct sbx_pool *pool;   /* shared pool (borrowed); NULL: the engine makes its own */
    unsigned n_boxes;        /* boxes of the engine's own pool; default 2 */
    const char *sandbox_dir; /* base folder of the engine's own pool; NULL: sandbox default */
    const char *cache_dir;   /* compile cache; default /var/cache/gavel/judge (created) */
    const struct judge_langs *langs; /* borrowed; NULL: judge_langs_load_default() */
};

struct judge_engine;

/* Makes an engine; NULL and err on failure (pool, cache folder, language table). */
struct judge_engine *judge_engine_new(const struct judge_engine_config *cfg, char *err,
                                      size_t err_size);
void judge_engine_free(struct judge_engine *e);
const struct judge_langs *judge_engine_langs(const struct judge_engine *e);

/*** Judging ***/

struct judge_file {
    const char *name; /* plain file name, no '/' */
    const char *data;
    size_t len;
};

struct judge_submission {
    const char *language; /* id from languages.json */
    /* Either one source (file_name optional: web submissions get the language's default name,
     * Java the class that has main) ... */
    const char *source;
    size_t source_len;
    const char *file_name;
    /* ... or several files (a multi-file submission: source == NULL). */
    const struct judge_file *files;
    size_t n_files;
    uint32_t time_limit_ms; /* 0: the problem's; verify uses a larger one to measure */
    bool run_all;           /* run every test even after a failure (verify, when measuring) */
};

struct judge_test_result {
    unsigned n;                 /* 1-based */
    char group[JUDGE_NAME_MAX]; /* "sample", "secret", "secret/g1" */
    enum judge_verdict verdict;
    uint32_t time_ms; /* CPU time */
    uint32_t wall_ms;
    uint64_t memory_kib;
    char *message; /* judge message (validator feedback, sandbox detail); not public */
};

struct judge_result {
    enum judge_verdict verdict;
    bool scored; /* score / max_score are meaningful */
    double score, max_score;
    uint32_t time_ms;     /* largest CPU time of the tests run */
    uint64_t memory_kib;  /* largest peak memory */
    char *compile_output; /* capped at JUDGE_COMPILE_OUTPUT_MAX; "" when none */
    char *message;        /* why JE / CE, else NULL */
    bool compile_cached;
    struct judge_test_result *tests; /* the tests run, in order */
    size_t n_tests;
    size_t total_tests; /* tests the problem has */
    int64_t queued_ms;  /* set by the caller (serve): time in the queue */
    int64_t compile_ms, run_ms, total_ms;
};

enum judge_event_kind {
    JUDGE_EVENT_COMPILING,
    JUDGE_EVENT_RUNNING,
    JUDGE_EVENT_TEST,  /* test: the finished test; total: tests the problem has */
    JUDGE_EVENT_FINAL, /* result: the whole result (also passed back through `out`) */
};

struct judge_event {
    enum judge_event_kind kind;
    const struct judge_test_result *test;
    size_t total;
    const struct judge_result *result;
};

/* Called in the judging thread; must not keep the pointers after it returns. */
typedef void (*judge_progress_fn)(const struct judge_event *ev, void *ctx);

/* Judges a submission. Always fills out (the caller frees it with judge_result_free) and returns
 * 0; a failure of ours is out->verdict == JUDGE_JE with out->message. progress may be NULL. */
int judge_submission(struct judge_engine *e, const struct judge_problem *p,
                     const struct judge_submission *s, judge_progress_fn progress, void *ctx,
                     struct judge_result *out);
void judge_result_free(struct judge_result *r);

/* The result as GET /api/submissions/{id} returns it:
 * {"status":"done","verdict","score" (null unless scored),"max_score","time_ms","memory_kib",
 *  "compile_output","message" (JE/CE only),"tests":[{"n","group","verdict","time_ms",
 *  "memory_kib"}],"timings":{"queued_ms","compile_ms","run_ms","total_ms"}}.
 * Caller frees with cJSON_Delete. */
cJSON *judge_result_to_json(const struct judge_result *r);
/* One test as in the WebSocket "tests" message: {"n","group","verdict","time_ms","memory_kib"}. */
cJSON *judge_test_to_json(const struct judge_test_result *t);

#endif
