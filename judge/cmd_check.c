/*
 * cmd_check.c - `gavel-judge check PROBLEM_DIR SOURCE [--language ID] [--json]`.
 *
 * Theory of operation: loads the package, reads the source (its extension picks the language
 * unless --language names one; its file name is kept, so Foo.java judges class Foo), makes an
 * engine with two boxes, and judges it. Progress goes to stderr line by line as the engine reports
 * it (unless --json); the result JSON (the HTTP API's) goes to stdout, followed by the judge
 * messages of failed tests on stderr, which a problem setter may see but users never do.
 * Exit status: 0 judged, 1 judge error (JE), 2 bad usage or setup failure.
 */
#include "cmd.h"
#include "gv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_progress(const struct judge_event *ev, void *ctx)
{
    (void)ctx;
    const struct judge_test_result *t = ev->test;
    switch (ev->kind) {
    case JUDGE_EVENT_COMPILING:
        fprintf(stderr, "compiling\n");
        break;
    case JUDGE_EVENT_RUNNING:
        fprintf(stderr, "running %zu tests%s\n", ev->total,
                ev->result->compile_cached ? " (compiled program from the cache)" : "");
        break;
    case JUDGE_EVENT_TEST:
        fprintf(stderr, "test %u/%zu %-16s %-3s %5u ms %8llu KiB%s%s\n", t->n, ev->total, t->group,
                judge_verdict_name(t->verdict), t->time_ms, (unsigned long long)t->memory_kib,
                t->message ? "  " : "", t->message ? t->message : "");
        break;
    case JUDGE_EVENT_FINAL:
        fprintf(stderr, "verdict %s\n", judge_verdict_name(ev->result->verdict));
        break;
    }
}

static int check(const char *pdir, const char *src_path, const struct cmd_opts *o)
{
    char err[JUDGE_ERR_MAX];
    struct judge_problem *p = judge_problem_load(pdir, err, sizeof err);
    if (!p) {
        fprintf(stderr, "gavel-judge check: %s\n", err);
        return 2;
    }
    size_t len;
    char *src = cmd_read_source(src_path, &len);
    if (!src) {
        fprintf(stderr, "gavel-judge check: %s: %s\n", src_path, strerror(errno));
        judge_problem_free(p);
        return 2;
    }
    struct judge_langs *langs = NULL;
    struct judge_engine *e = cmd_engine(o, 2, &langs);
    int rc = 2;
    const struct judge_lang *lang = NULL;
    if (e)
        lang = o->language ? judge_lang_by_id(langs, o->language)
                           : judge_lang_by_file(langs, src_path);
    if (e && !lang)
        fprintf(stderr, "gavel-judge check: %s: no such language (use --language ID)\n",
                o->language ? o->language : src_path);
    if (lang) {
        struct judge_submission s = {0};
        s.language = lang->id;
        s.source = src;
        s.source_len = len;
        s.file_name = src_path;
        struct judge_result r;
        judge_submission(e, p, &s, o->json ? NULL : on_progress, NULL, &r);
        cJSON *j = judge_result_to_json(&r);
        char *text = cJSON_PrintUnformatted(j);
        printf("%s\n", text ? text : "{}");
        free(text);
        cJSON_Delete(j);
        rc = r.verdict == JUDGE_JE ? 1 : 0;
        judge_result_free(&r);
    }
    judge_engine_free(e);
    judge_langs_free(langs);
    free(src);
    judge_problem_free(p);
    return rc;
}

int cmd_check_main(int argc, char **argv)
{
    struct cmd_opts o = {0};
    const char *pos[2] = {NULL, NULL};
    size_t npos = 0;
    for (int i = 1; i < argc; i++) {
        int c = cmd_parse_common(argc, argv, &i, &o);
        if (c < 0 || (c == 0 && (argv[i][0] == '-' || npos >= 2))) {
            fprintf(stderr,
                    "usage: gavel-judge check PROBLEM_DIR SOURCE [--language ID] [--json]\n");
            return 2;
        }
        if (c == 0) pos[npos++] = argv[i];
    }
    if (npos != 2) {
        fprintf(stderr, "usage: gavel-judge check PROBLEM_DIR SOURCE [--language ID] [--json]\n");
        return 2;
    }
    return check(pos[0], pos[1], &o);
}
