/*
 * main.c - gavel-judge: judges submissions (check, verify) and runs the worker daemon (serve).
 *
 * Theory of operation: a verb table maps the first argument to its function; each verb parses its
 * own options (cmd_check.c, cmd_verify.c, serve.c). The common options every local verb takes are
 * parsed here (cmd_parse_common), and so is the engine they share (cmd_engine): the sandbox pool's
 * and the compile cache's defaults work as root on a Debian host and in CI.
 */
#include "cmd.h"
#include "gv.h"
#ifdef GAVEL_HAVE_SERVE
#include "serve.h"
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef GAVEL_HAVE_SERVE
static int judge_serve_main(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "gavel-judge serve: not built (judge/serve.c is missing)\n");
    return 2;
}
#endif

static const char usage[] =
    "usage: gavel-judge VERB ...\n"
    "  check  PROBLEM_DIR SOURCE [--language ID] [--json]   judge one file, print the result JSON\n"
    "  verify PROBLEM_DIR... [--json]                        judge every submissions/ entry and\n"
    "                                                        compare with its expected verdict\n"
    "  serve  --redis URL --problems DIR [--slots N] [--id NAME]   the worker daemon\n"
    "common options of check and verify:\n"
    "  --cache DIR        compile cache (default /var/cache/gavel/judge, or $GAVEL_CACHE_DIR)\n"
    "  --sandbox-dir DIR  sandbox boxes' folder (default the sandbox's, or $GAVEL_SANDBOX_DIR)\n"
    "  --languages FILE   language table (default judge/languages.json, or $GAVEL_LANGUAGES)\n"
    "  --jobs N           submissions judged at once by verify (default: number of cores)\n"
    "  --help, --version\n";

int cmd_parse_common(int argc, char **argv, int *i, struct cmd_opts *o)
{
    static const char *const with_value[] = {"--cache", "--sandbox-dir", "--languages", "--jobs",
                                             "--language"};
    const char *a = argv[*i];
    if (strcmp(a, "--json") == 0) {
        o->json = true;
        return 1;
    }
    for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++) {
        if (strcmp(a, with_value[k]) != 0) continue;
        if (*i + 1 >= argc) return -1;
        const char *v = argv[++*i];
        const char **dst[] = {&o->cache_dir, &o->sandbox_dir, &o->languages, NULL, &o->language};
        if (dst[k])
            *dst[k] = v;
        else
            o->jobs = (unsigned)strtoul(v, NULL, 10);
        return 1;
    }
    return 0;
}

struct judge_engine *cmd_engine(const struct cmd_opts *o, unsigned n_boxes,
                                struct judge_langs **langs_out)
{
    char err[JUDGE_ERR_MAX];
    const char *lpath = o->languages;
    struct judge_langs *langs = lpath ? judge_langs_load(lpath, err, sizeof err)
                                      : judge_langs_load_default(err, sizeof err);
    if (!langs) {
        fprintf(stderr, "gavel-judge: %s\n", err);
        return NULL;
    }
    struct judge_engine_config cfg = {0};
    cfg.cache_dir = o->cache_dir ? o->cache_dir : getenv("GAVEL_CACHE_DIR");
    cfg.sandbox_dir = o->sandbox_dir ? o->sandbox_dir : getenv("GAVEL_SANDBOX_DIR");
    cfg.n_boxes = n_boxes;
    cfg.langs = langs;
    struct judge_engine *e = judge_engine_new(&cfg, err, sizeof err);
    if (!e) {
        fprintf(stderr, "gavel-judge: %s\n", err);
        judge_langs_free(langs);
        return NULL;
    }
    *langs_out = langs;
    return e;
}

char *cmd_read_source(const char *path, size_t *len)
{
    return gv_read_file(path, JUDGE_SOURCE_MAX, len);
}

static int print_version(int argc, char **argv)
{
    (void)argc, (void)argv;
    printf("gavel-judge %s\n", GAVEL_VERSION);
    return 0;
}

static int print_help(int argc, char **argv)
{
    (void)argc, (void)argv;
    fputs(usage, stdout);
    return 0;
}

static const struct {
    const char *verb;
    int (*fn)(int argc, char **argv);
} verbs[] = {
    {"check", cmd_check_main},    {"verify", cmd_verify_main}, {"serve", judge_serve_main},
    {"--version", print_version}, {"--help", print_help},      {"-h", print_help},
    {"help", print_help},
};

int main(int argc, char **argv)
{
    bool daemon = argc > 1 && strcmp(argv[1], "serve") == 0;
    gv_log_init("gavel-judge", getenv("GAVEL_DEBUG") ? GV_LOG_DEBUG
                               : daemon              ? GV_LOG_INFO
                                                     : GV_LOG_WARN);
    for (size_t i = 0; argc > 1 && i < sizeof verbs / sizeof verbs[0]; i++)
        if (strcmp(argv[1], verbs[i].verb) == 0) return verbs[i].fn(argc - 1, argv + 1);
    fputs(usage, stderr);
    return 2;
}
