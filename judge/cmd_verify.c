/*
 * cmd_verify.c - `gavel-judge verify PROBLEM_DIR... [--json]`.
 *
 * Theory of operation: for each package, every entry of submissions/<folder>/ (a file, or a
 * folder = a multi-file submission) becomes an entry with its expected verdicts: the folder's
 * (DESIGN.md's mapping), or the list of an `@EXPECTED_RESULTS@: A, B` line in its source. Entries
 * whose language is unknown or not installed are skipped with the reason. A package without a time
 * limit first has its accepted entries judged with a generous limit; the slowest test of the
 * slowest one times the package's multiplier, rounded up to whole seconds, becomes its limit and
 * is written to .timelimit (the Kattis way). Then the remaining entries are judged, `--jobs`
 * at a time by worker threads sharing one engine (a work list under a mutex). Results are printed
 * as a table per package (or one JSON object per entry with --json), then one summary line.
 * Exit status: 0 all as expected, 1 any mismatch or broken package, 2 bad usage or setup failure.
 */
#include "cmd.h"
#include "gv.h"
#include "yaml_json.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ENTRIES_MAX     1024  /* submissions per package */
#define MEASURE_TL_MS   20000 /* limit while measuring accepted submissions */
#define EXPECTED_HEADER "@EXPECTED_RESULTS@:"
#define PATH_SHOW       48

struct entry {
    char rel[PATH_MAX]; /* "accepted/sol.c" */
    char path[PATH_MAX];
    bool is_dir;
    const struct judge_lang *lang;
    unsigned expected;       /* bit per enum judge_verdict */
    bool has_expected_score; /* submissions/submissions.yaml gives its score */
    double expected_score;
    char skipped[256]; /* reason, "" when judged */
    bool judged;
    enum judge_verdict verdict;
    uint32_t time_ms;
    double score;
    bool scored;
    char message[256];
};

struct verify {
    struct cmd_opts opts;
    struct judge_engine *e;
    struct judge_langs *langs;
    unsigned jobs;
    size_t n_ok, n_bad, n_skipped, n_broken;
};

/*** Collecting ***/

static unsigned parse_expected(const char *src)
{
    const char *h = strstr(src, EXPECTED_HEADER);
    if (!h) return 0;
    h += strlen(EXPECTED_HEADER);
    unsigned mask = 0;
    char word[64];
    size_t n = 0;
    for (;; h++) {
        bool end = *h == '\0' || *h == '\n' || *h == '\r';
        if (*h == ',' || *h == ' ' || *h == '\t' || end) {
            word[n] = '\0';
            int v = n ? judge_verdict_from_name(word) : -1;
            if (v >= 0) mask |= 1u << v;
            n = 0;
            if (end) break;
        } else if (n + 1 < sizeof word) {
            word[n++] = *h;
        }
    }
    return mask;
}

/* A multi-file entry's language: the first file of a known language. */
static void dir_language(struct verify *v, struct entry *en)
{
    struct dirent **list;
    int n = scandir(en->path, &list, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        if (!en->lang && list[i]->d_name[0] != '.')
            en->lang = judge_lang_by_file(v->langs, list[i]->d_name);
        free(list[i]);
    }
    if (n >= 0) free(list);
}

static void header_expected(struct entry *en)
{
    size_t len;
    char *src = en->is_dir ? NULL : cmd_read_source(en->path, &len);
    if (!src) return;
    unsigned m = parse_expected(src);
    if (m) en->expected = m;
    free(src);
}

static void classify(struct verify *v, struct entry *en, int folder_verdict)
{
    if (folder_verdict >= 0) en->expected = 1u << folder_verdict;
    header_expected(en);
    if (en->is_dir)
        dir_language(v, en);
    else
        en->lang = judge_lang_by_file(v->langs, en->path);
    char why[200];
    if (!en->expected)
        snprintf(en->skipped, sizeof en->skipped, "no expected verdict (folder unknown, no %s)",
                 EXPECTED_HEADER);
    else if (!en->lang)
        snprintf(en->skipped, sizeof en->skipped, "no language for this file");
    else if (!judge_lang_available(en->lang, why, sizeof why))
        snprintf(en->skipped, sizeof en->skipped, "%s", why);
}

static size_t collect_folder(struct verify *v, const char *sub_dir, const char *folder,
                             struct entry *out, size_t n, size_t max)
{
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s/%s", sub_dir, folder) >= (int)sizeof dir) return n;
    int fv = judge_verdict_from_name(folder);
    struct dirent **list;
    int k = scandir(dir, &list, NULL, alphasort);
    for (int i = 0; i < k; i++) {
        struct stat st;
        struct entry *en = &out[n];
        if (list[i]->d_name[0] != '.' && n < max) {
            memset(en, 0, sizeof *en);
            bool fits = snprintf(en->rel, sizeof en->rel, "%s/%s", folder, list[i]->d_name) <
                            (int)sizeof en->rel &&
                        snprintf(en->path, sizeof en->path, "%s/%s", dir, list[i]->d_name) <
                            (int)sizeof en->path;
            if (fits && stat(en->path, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
                en->is_dir = S_ISDIR(st.st_mode);
                classify(v, en, fv);
                n++;
            }
        }
        free(list[i]);
    }
    if (k >= 0) free(list);
    return n;
}

static size_t collect(struct verify *v, const struct judge_problem *p, struct entry *out,
                      size_t max)
{
    char sub_dir[PATH_MAX];
    snprintf(sub_dir, sizeof sub_dir, "%s/submissions", p->dir);
    struct dirent **list;
    int k = scandir(sub_dir, &list, NULL, alphasort);
    size_t n = 0;
    for (int i = 0; i < k; i++) {
        if (list[i]->d_name[0] != '.') n = collect_folder(v, sub_dir, list[i]->d_name, out, n, max);
        free(list[i]);
    }
    if (k >= 0) free(list);
    return n;
}

/* submissions/submissions.yaml (2023-07): `<folder or folder/file>: {score: N}`; a file's entry
 * wins over its folder's. Other keys of the file are ignored. */
static void expected_scores(const struct judge_problem *p, struct entry *en, size_t n)
{
    char path[PATH_MAX];
    size_t len;
    if (snprintf(path, sizeof path, "%s/submissions/submissions.yaml", p->dir) >= (int)sizeof path)
        return;
    char *text = gv_read_file(path, JUDGE_YAML_MAX, &len);
    char err[JUDGE_ERR_MAX];
    cJSON *y =
        text ? judge_yaml_parse("submissions/submissions.yaml", text, len, err, sizeof err) : NULL;
    if (text && !y) fprintf(stderr, "%s: %s\n", p->id, err);
    for (size_t i = 0; y && i < n; i++) {
        char folder[PATH_MAX];
        gv_strlcpy(folder, en[i].rel, sizeof folder);
        char *slash = strchr(folder, '/');
        if (slash) *slash = '\0';
        double d;
        if (judge_yaml_number(cJSON_GetObjectItemCaseSensitive(y, en[i].rel), "score", &d) == 0 ||
            judge_yaml_number(cJSON_GetObjectItemCaseSensitive(y, folder), "score", &d) == 0) {
            en[i].has_expected_score = true;
            en[i].expected_score = d;
        }
    }
    cJSON_Delete(y);
    free(text);
}

/*** Judging ***/

/* Reads a multi-file entry's files. */
static size_t read_dir_files(const char *dir, struct judge_file *files, char **bufs)
{
    struct dirent **list;
    int k = scandir(dir, &list, NULL, alphasort);
    size_t n = 0;
    for (int i = 0; i < k; i++) {
        char path[PATH_MAX];
        bool fits = snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name) < (int)sizeof path;
        struct stat st;
        size_t len;
        if (fits && list[i]->d_name[0] != '.' && n < JUDGE_FILES_MAX && stat(path, &st) == 0 &&
            S_ISREG(st.st_mode) && (bufs[n] = cmd_read_source(path, &len))) {
            files[n] = (struct judge_file){strdup(list[i]->d_name), bufs[n], len};
            n++;
        }
        free(list[i]);
    }
    if (k >= 0) free(list);
    return n;
}

static void judge_entry(struct verify *v, const struct judge_problem *p, struct entry *en,
                        uint32_t tl_ms)
{
    struct judge_submission s = {0};
    struct judge_file files[JUDGE_FILES_MAX];
    char *bufs[JUDGE_FILES_MAX];
    size_t nf = 0, len = 0;
    char *src = NULL;
    s.language = en->lang->id;
    s.time_limit_ms = tl_ms;
    if (en->is_dir) {
        nf = read_dir_files(en->path, files, bufs);
        s.files = files;
        s.n_files = nf;
    } else {
        src = cmd_read_source(en->path, &len);
        s.source = src ? src : "";
        s.source_len = src ? len : 0;
        s.file_name = en->path;
    }
    struct judge_result r;
    judge_submission(v->e, p, &s, NULL, NULL, &r);
    en->verdict = r.verdict;
    en->time_ms = r.time_ms;
    en->scored = r.scored;
    en->score = r.score;
    const char *msg = r.message;
    for (size_t i = 0; !msg && i < r.n_tests; i++)
        if (r.tests[i].verdict != JUDGE_AC) msg = r.tests[i].message;
    snprintf(en->message, sizeof en->message, "%s", msg ? msg : "");
    for (char *c = en->message; *c; c++)
        if (*c == '\n' || *c == '\t') *c = ' ';
    en->judged = true;
    judge_result_free(&r);
    free(src);
    for (size_t i = 0; i < nf; i++) {
        free((char *)files[i].name);
        free(bufs[i]);
    }
}

struct work {
    struct verify *v;
    const struct judge_problem *p;
    struct entry **list;
    size_t n, next;
    uint32_t tl_ms;
    pthread_mutex_t lock;
};

static void *worker(void *arg)
{
    struct work *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->lock);
        size_t i = w->next++;
        pthread_mutex_unlock(&w->lock);
        if (i >= w->n) return NULL;
        judge_entry(w->v, w->p, w->list[i], w->tl_ms);
    }
}

/* Judges list[0..n) with v->jobs threads. */
static void judge_list(struct verify *v, const struct judge_problem *p, struct entry **list,
                       size_t n, uint32_t tl_ms)
{
    struct work w = {v, p, list, n, 0, tl_ms, PTHREAD_MUTEX_INITIALIZER};
    pthread_t th[CMD_JOBS_MAX];
    unsigned k = 0;
    for (; k + 1 < v->jobs && k < n; k++)
        if (pthread_create(&th[k], NULL, worker, &w) != 0) break;
    worker(&w);
    for (unsigned i = 0; i < k; i++)
        pthread_join(th[i], NULL);
}

/* The Kattis way: slowest accepted time * multiplier, rounded up to whole seconds. */
static int derive_time_limit(struct verify *v, struct judge_problem *p, struct entry *en, size_t n)
{
    struct entry *ac[ENTRIES_MAX];
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!en[i].skipped[0] && en[i].expected == (1u << JUDGE_AC)) ac[k++] = &en[i];
    if (k == 0) {
        fprintf(stderr, "%s: no time limit and no accepted submission to derive one from\n", p->id);
        return -1;
    }
    judge_list(v, p, ac, k, MEASURE_TL_MS);
    uint32_t slowest = 0;
    size_t passed = 0;
    for (size_t i = 0; i < k; i++) {
        if (ac[i]->verdict != JUDGE_AC) continue;
        passed++;
        if (ac[i]->time_ms > slowest) slowest = ac[i]->time_ms;
    }
    if (passed == 0) {
        fprintf(stderr, "%s: no time limit, and no accepted submission passed to derive one\n",
                p->id);
        return -1;
    }
    double secs = ceil(slowest * p->time_multiplier / 1000.0);
    if (secs < 1) secs = 1;
    p->time_limit_ms = (uint32_t)secs * 1000;
    char err[JUDGE_ERR_MAX];
    if (judge_problem_write_timelimit(p->dir, p->time_limit_ms, err, sizeof err) < 0)
        fprintf(stderr, "%s\n", err);
    if (!v->opts.json)
        printf("%s: no time limit: slowest accepted %u ms x %g -> %g s, written to .timelimit\n",
               p->id, slowest, p->time_multiplier, secs);
    /* The accepted entries keep their results: the derived limit is a multiple of their times. */
    return 0;
}

/*** Output ***/

static bool score_ok(const struct entry *en)
{
    return !en->has_expected_score || !en->scored ||
           fabs(en->score - en->expected_score) <= 1e-6 * (1 + fabs(en->expected_score));
}

static bool entry_ok(const struct entry *en)
{
    return en->judged && (en->expected & (1u << en->verdict)) && en->verdict != JUDGE_JE &&
           score_ok(en);
}

static void expected_text(unsigned mask, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int v = JUDGE_AC; v <= JUDGE_JE; v++)
        if (mask & (1u << v))
            snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? "," : "",
                     judge_verdict_name((enum judge_verdict)v));
}

static void print_json(const struct judge_problem *p, const struct entry *en)
{
    cJSON *o = cJSON_CreateObject();
    char exp[64];
    expected_text(en->expected, exp, sizeof exp);
    cJSON_AddStringToObject(o, "problem", p->id);
    cJSON_AddStringToObject(o, "path", en->rel);
    cJSON_AddStringToObject(o, "language", en->lang ? en->lang->id : "");
    cJSON_AddStringToObject(o, "expected", exp);
    if (en->skipped[0]) {
        cJSON_AddStringToObject(o, "skipped", en->skipped);
    } else {
        cJSON_AddStringToObject(o, "verdict", judge_verdict_name(en->verdict));
        cJSON_AddNumberToObject(o, "time_ms", en->time_ms);
        if (en->scored) cJSON_AddNumberToObject(o, "score", en->score);
        if (en->has_expected_score)
            cJSON_AddNumberToObject(o, "expected_score", en->expected_score);
        cJSON_AddBoolToObject(o, "ok", entry_ok(en));
        if (!entry_ok(en) && en->message[0]) cJSON_AddStringToObject(o, "message", en->message);
    }
    char *text = cJSON_PrintUnformatted(o);
    printf("%s\n", text ? text : "{}");
    free(text);
    cJSON_Delete(o);
}

static void print_row(const struct entry *en)
{
    char exp[64];
    expected_text(en->expected, exp, sizeof exp);
    if (en->skipped[0]) {
        printf("  %-*s %-10s %-8s %-4s %7s  skipped: %s\n", PATH_SHOW, en->rel,
               en->lang ? en->lang->id : "-", exp, "-", "-", en->skipped);
        return;
    }
    bool ok = entry_ok(en);
    char score[64] = "";
    if (en->scored && en->has_expected_score)
        snprintf(score, sizeof score, "  score %g (expected %g)", en->score, en->expected_score);
    else if (en->scored)
        snprintf(score, sizeof score, "  score %g", en->score);
    printf("  %-*s %-10s %-8s %-4s %5u ms  %s%s%s%s\n", PATH_SHOW, en->rel, en->lang->id, exp,
           judge_verdict_name(en->verdict), en->time_ms, ok ? "ok" : "MISMATCH", score,
           !ok && en->message[0] ? ": " : "", !ok ? en->message : "");
}

static void report(struct verify *v, const struct judge_problem *p, const struct entry *en,
                   size_t n)
{
    size_t ok = 0, bad = 0, skipped = 0;
    if (!v->opts.json)
        printf("== %s (%s): %zu tests, time limit %g s, %s%s\n", p->id, p->name, p->n_tests,
               p->time_limit_ms / 1000.0, p->scoring ? "scoring, " : "",
               p->validation == JUDGE_VALIDATION_DEFAULT  ? "default validation"
               : p->validation == JUDGE_VALIDATION_CUSTOM ? "custom validator"
                                                          : "interactive");
    for (size_t i = 0; i < n; i++) {
        if (v->opts.json)
            print_json(p, &en[i]);
        else
            print_row(&en[i]);
        if (en[i].skipped[0])
            skipped++;
        else if (entry_ok(&en[i]))
            ok++;
        else
            bad++;
    }
    if (!v->opts.json) printf("   %zu ok, %zu mismatched, %zu skipped\n", ok, bad, skipped);
    fflush(stdout);
    v->n_ok += ok;
    v->n_bad += bad;
    v->n_skipped += skipped;
}

/* A file (problems/README.md), or a folder with neither problem.yaml nor data/ (a tools folder),
 * is no package: 1. A path that does not exist: -1. A package: 0. */
static int package_kind(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) < 0) return -1;
    if (!S_ISDIR(st.st_mode)) return 1;
    char a[PATH_MAX], b[PATH_MAX];
    snprintf(a, sizeof a, "%s/problem.yaml", dir);
    snprintf(b, sizeof b, "%s/data", dir);
    return access(a, F_OK) == 0 || access(b, F_OK) == 0 ? 0 : 1;
}

static void verify_package(struct verify *v, const char *dir)
{
    char err[JUDGE_ERR_MAX];
    int kind = package_kind(dir);
    if (kind == 1) {
        if (!v->opts.json)
            printf("== %s: not a problem package (no problem.yaml, no data/), skipped\n", dir);
        return;
    }
    struct judge_problem *p = judge_problem_load(dir, err, sizeof err);
    if (!p) {
        fprintf(stderr, "verify: %s\n", err);
        if (v->opts.json)
            printf("{\"problem\":\"%s\",\"error\":\"package does not load\"}\n", dir);
        else
            printf("== %s: BROKEN: %s\n", dir, err);
        v->n_broken++;
        return;
    }
    struct entry *en = calloc(ENTRIES_MAX, sizeof *en);
    struct entry **todo = calloc(ENTRIES_MAX, sizeof *todo);
    size_t n = en && todo ? collect(v, p, en, ENTRIES_MAX) : 0;
    expected_scores(p, en, n);
    if (n == 0 && !v->opts.json) printf("== %s: no submissions\n", p->id);
    if (n > 0 && p->time_limit_ms == 0 && derive_time_limit(v, p, en, n) < 0) v->n_broken++;
    size_t k = 0;
    for (size_t i = 0; p->time_limit_ms && i < n; i++)
        if (!en[i].skipped[0] && !en[i].judged) todo[k++] = &en[i];
    judge_list(v, p, todo, k, 0);
    if (n > 0) report(v, p, en, n);
    free(todo);
    free(en);
    judge_problem_free(p);
}

int cmd_verify_main(int argc, char **argv)
{
    struct verify v = {0};
    const char *dirs[256];
    size_t nd = 0;
    for (int i = 1; i < argc; i++) {
        int c = cmd_parse_common(argc, argv, &i, &v.opts);
        if (c < 0 || (c == 0 && (argv[i][0] == '-' || nd >= 256))) {
            fprintf(stderr, "usage: gavel-judge verify PROBLEM_DIR... [--json] [--jobs N]\n");
            return 2;
        }
        if (c == 0) dirs[nd++] = argv[i];
    }
    if (nd == 0) {
        fprintf(stderr, "usage: gavel-judge verify PROBLEM_DIR... [--json] [--jobs N]\n");
        return 2;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    v.jobs = v.opts.jobs ? v.opts.jobs : (cores > 0 ? (unsigned)cores : 1);
    if (v.jobs > CMD_JOBS_MAX) v.jobs = CMD_JOBS_MAX;
    v.e = cmd_engine(&v.opts, 2 * v.jobs, &v.langs);
    if (!v.e) return 2;
    int64_t t0 = gv_now_ms();
    for (size_t i = 0; i < nd; i++)
        verify_package(&v, dirs[i]);
    double secs = (double)(gv_now_ms() - t0) / 1000.0;
    if (!v.opts.json)
        printf("verify: %zu packages, %zu submissions ok, %zu mismatched, %zu skipped, %zu broken"
               " packages, %.1f s\n",
               nd, v.n_ok, v.n_bad, v.n_skipped, v.n_broken, secs);
    else
        fprintf(stderr, "verify: %zu ok, %zu mismatched, %zu skipped, %zu broken, %.1f s\n", v.n_ok,
                v.n_bad, v.n_skipped, v.n_broken, secs);
    judge_engine_free(v.e);
    judge_langs_free(v.langs);
    return v.n_bad || v.n_broken ? 1 : 0;
}
