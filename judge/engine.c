/*
 * engine.c - the judging engine: from (problem, language, source) to a result.
 *
 * Theory of operation: an engine holds the shared parts (sandbox pool, cache folder, language
 * table); judge_submission() is a straight pipeline run in the caller's thread:
 *   1. name the files (a web submission gets the language's file name; Java's comes from the
 *      class that declares main) and pick the main file;
 *   2. take a box (and a second one when a custom or interactive validator needs it);
 *   3. compile through the cache (compile.c), and the validator likewise;
 *   4. load the program into its box once, then run the tests in order (runner.c) in a scratch
 *      folder of its own under cache_dir/tmp, reporting each through the progress callback;
 *      pass-fail problems stop at the first failure, scoring problems run on and add up groups;
 *   5. give the boxes back, remove the scratch folder, report the final result.
 * Several threads may run the pipeline on one engine: everything per-submission lives on the
 * stack or in the result, the pool hands out boxes under its own lock, and the cache is safe for
 * concurrent writers (compile.c).
 */
#include "engine_internal.h"

#include "gv.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BOX_POLL_US 5000

/*** Engine ***/

static int mkdir_p(const char *path)
{
    char buf[PATH_MAX];
    gv_strlcpy(buf, path, sizeof buf);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

static int make_cache(struct judge_engine *e, char *err, size_t err_size)
{
    static const char *const subs[] = {"", "/sub", "/val", "/tmp"};
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        char path[PATH_MAX + 8];
        snprintf(path, sizeof path, "%s%s", e->cache_dir, subs[i]);
        if (mkdir_p(path) < 0) {
            snprintf(err, err_size, "mkdir %s: %s", path, strerror(errno));
            return -1;
        }
    }
    return 0;
}

struct judge_engine *judge_engine_new(const struct judge_engine_config *cfg, char *err,
                                      size_t err_size)
{
    struct judge_engine *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    const char *cache = cfg->cache_dir ? cfg->cache_dir : JUDGE_CACHE_DEFAULT;
    if (gv_strlcpy(e->cache_dir, cache, sizeof e->cache_dir) >= sizeof e->cache_dir) {
        snprintf(err, err_size, "cache folder path too long");
        free(e);
        return NULL;
    }
    e->langs = cfg->langs;
    if (!e->langs) e->langs = e->own_langs = judge_langs_load_default(err, err_size);
    if (!e->langs || make_cache(e, err, err_size) < 0) goto fail;
    e->pool = cfg->pool;
    if (!e->pool) {
        struct sbx_config sc = {0};
        sc.base_dir = cfg->sandbox_dir;
        sc.n_boxes = cfg->n_boxes ? cfg->n_boxes : 2;
        char serr[512];
        e->pool = sbx_pool_new(&sc, serr, sizeof serr);
        if (!e->pool) {
            snprintf(err, err_size, "sandbox: %s", serr);
            goto fail;
        }
        e->own_pool = true;
    }
    return e;
fail:
    judge_engine_free(e);
    return NULL;
}

void judge_engine_free(struct judge_engine *e)
{
    if (!e) return;
    if (e->own_pool) sbx_pool_free(e->pool);
    judge_langs_free(e->own_langs);
    free(e);
}

const struct judge_langs *judge_engine_langs(const struct judge_engine *e)
{
    return e->langs;
}

int judge_box_take(struct judge_engine *e, struct sbx_box **boxes, size_t n)
{
    int64_t deadline = gv_now_ms() + JUDGE_BOX_WAIT_MS;
    for (;;) {
        size_t got = 0;
        while (got < n && (boxes[got] = sbx_box_acquire(e->pool)))
            got++;
        if (got == n) return 0;
        /* All or nothing: holding one box while waiting for another could deadlock two slots
         * that each hold one. */
        while (got > 0)
            sbx_box_release(boxes[--got]);
        if (gv_now_ms() > deadline) return -1;
        usleep(BOX_POLL_US);
    }
}

/*** Files ***/

static bool has_ext(const struct judge_lang *lang, const char *name)
{
    const char *dot = strrchr(name, '.');
    for (size_t k = 0; dot && k < lang->n_extensions; k++)
        if (strcmp(dot + 1, lang->extensions[k]) == 0) return true;
    return false;
}

/* The main file: Java's class with main; else main.<ext> / __main__.py / the first source. */
int judge_choose_main(const struct judge_lang *lang, const struct judge_file *files, size_t n)
{
    int first = -1;
    for (size_t i = 0; i < n; i++) {
        if (!has_ext(lang, files[i].name)) continue;
        if (first < 0) first = (int)i;
        char cls[256], want[300];
        if (lang->main_class) {
            if (judge_lang_java_main_class(files[i].data, files[i].len, cls, sizeof cls) == 0 &&
                snprintf(want, sizeof want, "%s.", cls) > 0 &&
                strncmp(files[i].name, want, strlen(want)) == 0)
                return (int)i;
            continue;
        }
        if (strncmp(files[i].name, "main.", 5) == 0 || strcmp(files[i].name, "__main__.py") == 0)
            return (int)i;
    }
    return first < 0 ? 0 : first;
}

static bool name_ok(const char *name)
{
    return name[0] && name[0] != '.' && !strchr(name, '/') && strlen(name) < JUDGE_NAME_MAX;
}

/* Fills files/prog from the submission; message on a bad submission. */
static const char *name_files(const struct judge_submission *s, const struct judge_lang *lang,
                              struct judge_file *files, size_t *n, char *namebuf, size_t nsize,
                              struct judge_program *prog)
{
    if (s->source) {
        if (s->source_len > JUDGE_SOURCE_MAX) return "source too large";
        if (s->file_name) {
            const char *slash = strrchr(s->file_name, '/');
            gv_strlcpy(namebuf, slash ? slash + 1 : s->file_name, nsize);
        } else {
            judge_lang_file_name(lang, s->source, s->source_len, namebuf, nsize);
        }
        files[0] = (struct judge_file){namebuf, s->source, s->source_len};
        *n = 1;
    } else {
        if (s->n_files == 0 || s->n_files > JUDGE_FILES_MAX) return "no files, or too many";
        for (size_t i = 0; i < s->n_files; i++)
            files[i] = s->files[i];
        *n = s->n_files;
    }
    for (size_t i = 0; i < *n; i++)
        if (!name_ok(files[i].name)) return "bad file name";
    int m = judge_choose_main(lang, files, *n);
    prog->lang = lang;
    prog->n_files = 0;
    gv_strlcpy(prog->files[prog->n_files++], files[m].name, JUDGE_NAME_MAX);
    for (size_t i = 0; i < *n; i++)
        if ((int)i != m) gv_strlcpy(prog->files[prog->n_files++], files[i].name, JUDGE_NAME_MAX);
    return NULL;
}

/*** Judging ***/

struct job {
    struct judge_engine *e;
    const struct judge_problem *p;
    const struct judge_submission *s;
    judge_progress_fn progress;
    void *ctx;
    struct judge_result *out;
    struct sbx_box *box, *vbox;
    struct judge_program prog, val;
    char tmp_dir[PATH_MAX];
};

static void emit(struct job *j, enum judge_event_kind kind, const struct judge_test_result *t)
{
    if (!j->progress) return;
    struct judge_event ev = {kind, t, j->p->n_tests, j->out};
    j->progress(&ev, j->ctx);
}

static void je(struct job *j, const char *fmt, const char *a)
{
    char msg[PATH_MAX + 256];
    snprintf(msg, sizeof msg, fmt, a);
    j->out->verdict = JUDGE_JE;
    free(j->out->message);
    j->out->message = strdup(msg);
    gv_warn("judge error: %s", msg);
}

static int compile_all(struct job *j, const struct judge_file *files, size_t n)
{
    struct judge_compiled c;
    int64_t t0 = gv_now_ms();
    emit(j, JUDGE_EVENT_COMPILING, NULL);
    judge_compile(j->e, j->box, "sub", &j->prog, files, n, &c);
    j->out->compile_output = c.output ? c.output : strdup("");
    j->out->compile_cached = c.cached;
    c.output = NULL;
    if (c.verdict != JUDGE_AC) {
        j->out->verdict = c.verdict;
        j->out->message = c.message;
        c.message = NULL;
    }
    judge_compiled_free(&c);
    if (j->out->verdict == JUDGE_AC && j->p->validation != JUDGE_VALIDATION_DEFAULT) {
        judge_compile_validator(j->e, j->vbox, j->p, &j->val, &c);
        if (c.verdict != JUDGE_AC)
            je(j, "%s", c.message ? c.message : "output validator failed to compile");
        judge_compiled_free(&c);
    }
    j->out->compile_ms = gv_now_ms() - t0;
    return j->out->verdict == JUDGE_AC ? 0 : -1;
}

/* Score of a scoring problem from the tests run. */
static void add_up_score(struct job *j)
{
    const struct judge_problem *p = j->p;
    struct judge_result *r = j->out;
    r->scored = true;
    r->max_score = p->max_score;
    r->score = 0;
    for (size_t g = 0; g < p->n_groups; g++) {
        size_t n = 0, ac = 0;
        for (size_t i = 0; i < r->n_tests; i++) {
            const struct judge_test *t = &p->tests[r->tests[i].n - 1];
            if (t->score_group != (int)g) continue;
            n++;
            ac += r->tests[i].verdict == JUDGE_AC;
        }
        if (p->groups[g].per_test)
            r->score += (double)ac * p->groups[g].score;
        else if (n > 0 && ac == n)
            r->score += p->groups[g].score;
    }
}

static int run_all(struct job *j)
{
    struct judge_result *r = j->out;
    char err[PATH_MAX + 64];
    if (judge_program_load(j->box, &j->prog, err, sizeof err) < 0) {
        je(j, "%s", err);
        return -1;
    }
    r->tests = calloc(j->p->n_tests ? j->p->n_tests : 1, sizeof *r->tests);
    if (!r->tests) {
        je(j, "out of memory%s", "");
        return -1;
    }
    struct judge_run_ctx ctx = {j->e,
                                j->p,
                                &j->prog,
                                j->val.lang ? &j->val : NULL,
                                j->box,
                                j->vbox,
                                j->s->time_limit_ms   ? j->s->time_limit_ms
                                : j->p->time_limit_ms ? j->p->time_limit_ms
                                                      : JUDGE_DEFAULT_TL_MS,
                                ""};
    gv_strlcpy(ctx.tmp_dir, j->tmp_dir, sizeof ctx.tmp_dir);
    emit(j, JUDGE_EVENT_RUNNING, NULL);
    int64_t t0 = gv_now_ms();
    bool failed = false;
    for (size_t i = 0; i < j->p->n_tests; i++) {
        const struct judge_test *t = &j->p->tests[i];
        struct judge_test_result *tr = &r->tests[r->n_tests++];
        tr->n = (unsigned)i + 1;
        gv_strlcpy(tr->group, t->group, sizeof tr->group);
        judge_run_test(&ctx, t, tr);
        if (tr->time_ms > r->time_ms) r->time_ms = tr->time_ms;
        if (tr->memory_kib > r->memory_kib) r->memory_kib = tr->memory_kib;
        if (tr->verdict != JUDGE_AC && !failed) {
            failed = true;
            r->verdict = tr->verdict;
            if (tr->verdict == JUDGE_JE && tr->message) r->message = strdup(tr->message);
        }
        emit(j, JUDGE_EVENT_TEST, tr);
        if (tr->verdict == JUDGE_JE || (failed && !j->p->scoring && !j->s->run_all)) break;
    }
    r->run_ms = gv_now_ms() - t0;
    if (j->p->scoring) add_up_score(j);
    return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static int take_boxes(struct job *j)
{
    struct sbx_box *boxes[2] = {NULL, NULL};
    size_t n = j->p->validation == JUDGE_VALIDATION_DEFAULT ? 1 : 2;
    if (judge_box_take(j->e, boxes, n) < 0) {
        je(j, "no free sandbox box for %s", "this submission");
        return -1;
    }
    j->box = boxes[0];
    j->vbox = boxes[1];
    snprintf(j->tmp_dir, sizeof j->tmp_dir, "%s/tmp/runXXXXXX", j->e->cache_dir);
    if (!mkdtemp(j->tmp_dir)) {
        je(j, "mkdtemp: %s", strerror(errno));
        j->tmp_dir[0] = '\0';
        return -1;
    }
    return 0;
}

static void finish(struct job *j, int64_t t0)
{
    if (j->box) sbx_box_release(j->box);
    if (j->vbox) sbx_box_release(j->vbox);
    if (j->tmp_dir[0]) nftw(j->tmp_dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    if (!j->out->compile_output) j->out->compile_output = strdup("");
    j->out->total_tests = j->p->n_tests;
    j->out->total_ms = gv_now_ms() - t0;
    emit(j, JUDGE_EVENT_FINAL, NULL);
}

int judge_submission(struct judge_engine *e, const struct judge_problem *p,
                     const struct judge_submission *s, judge_progress_fn progress, void *ctx,
                     struct judge_result *out)
{
    int64_t t0 = gv_now_ms();
    memset(out, 0, sizeof *out);
    struct job *j = calloc(1, sizeof *j);
    if (!j) {
        out->verdict = JUDGE_JE;
        out->message = strdup("out of memory");
        return 0;
    }
    *j = (struct job){.e = e, .p = p, .s = s, .progress = progress, .ctx = ctx, .out = out};
    out->verdict = JUDGE_AC;
    const struct judge_lang *lang = judge_lang_by_id(e->langs, s->language);
    struct judge_file files[JUDGE_FILES_MAX];
    char name[JUDGE_NAME_MAX];
    size_t n = 0;
    const char *bad = NULL;
    if (!lang)
        je(j, "unknown language \"%s\"", s->language ? s->language : "(none)");
    else if ((bad = name_files(s, lang, files, &n, name, sizeof name, &j->prog)))
        je(j, "bad submission: %s", bad);
    else if (take_boxes(j) == 0 && compile_all(j, files, n) == 0)
        run_all(j);
    finish(j, t0);
    free(j);
    return 0;
}
