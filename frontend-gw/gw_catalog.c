/*
 * gw_catalog.c - problems and languages as the gateway serves and validates them.
 *
 * Theory of operation. At start we read the problems folder in sorted order, load each package
 * with judge_problem_load(), keep its id and the two JSON texts the API serves (the list entry
 * and the full object with the statement and samples), then free the package: the gateway never
 * needs test data. The language table is loaded the same way and kept for id checks. Everything
 * is immutable afterwards, so request handlers only look things up.
 */
#include "gw_catalog.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "gv.h"
#include "lang.h"
#include "problem.h"

struct gw_problem_entry {
    char *id;
    char *full_json;
};

struct gw_catalog {
    struct gw_problem_entry *problems;
    size_t n_problems;
    char *list_json;
    char *languages_json;
    struct judge_langs *langs;
};

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the sub-folders that hold a problem.yaml. */
static size_t list_packages(const char *dir, char **names, size_t max)
{
    DIR *d = opendir(dir);
    if (!d) {
        gv_error("open problems folder %s: %s", dir, strerror(errno));
        return 0;
    }
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max) {
        char path[4096];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s/problem.yaml", dir, e->d_name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    return n;
}

static void add_problem(struct gw_catalog *c, cJSON *list, const char *dir, const char *name)
{
    char path[4096], err[JUDGE_ERR_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct judge_problem *p = judge_problem_load(path, err, sizeof err);
    if (!p) {
        gv_warn("problem %s skipped: %s", path, err);
        return;
    }
    cJSON *full = judge_problem_to_json(p, true);
    cJSON *brief = judge_problem_to_json(p, false);
    char *text = full ? cJSON_PrintUnformatted(full) : NULL;
    if (text && brief && cJSON_AddItemToArray(list, brief)) {
        c->problems[c->n_problems].id = strdup(p->id);
        c->problems[c->n_problems].full_json = text;
        c->n_problems++;
        brief = NULL;
        text = NULL;
    }
    free(text);
    cJSON_Delete(brief);
    cJSON_Delete(full);
    judge_problem_free(p);
}

static char *print_object(const char *key, cJSON *array)
{
    cJSON *root = cJSON_CreateObject();
    if (!root) {
        cJSON_Delete(array);
        return NULL;
    }
    cJSON_AddItemToObject(root, key, array);
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}

struct gw_catalog *gw_catalog_load(const char *problems_dir, const char *languages_path)
{
    char err[JUDGE_ERR_MAX];
    struct gw_catalog *c = calloc(1, sizeof *c);
    char **names = calloc(GW_CATALOG_PROBLEMS_MAX, sizeof *names);
    if (!c || !names)
        goto err;
    c->langs = languages_path ? judge_langs_load(languages_path, err, sizeof err)
                              : judge_langs_load_default(err, sizeof err);
    if (!c->langs) {
        gv_error("languages: %s", err);
        goto err;
    }
    size_t n = list_packages(problems_dir, names, GW_CATALOG_PROBLEMS_MAX);
    c->problems = calloc(n ? n : 1, sizeof *c->problems);
    cJSON *list = cJSON_CreateArray();
    if (!c->problems || !list) {
        cJSON_Delete(list);
        goto err;
    }
    for (size_t i = 0; i < n; i++)
        add_problem(c, list, problems_dir, names[i]);
    c->list_json = print_object("problems", list);
    c->languages_json = print_object("languages", judge_langs_to_json(c->langs));
    if (!c->list_json || !c->languages_json)
        goto err;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    gv_info("catalog: %zu problems, %zu languages", c->n_problems, c->langs->n);
    return c;
err:
    if (names)
        for (size_t i = 0; i < GW_CATALOG_PROBLEMS_MAX; i++)
            free(names[i]);
    free(names);
    gw_catalog_free(c);
    return NULL;
}

void gw_catalog_free(struct gw_catalog *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_problems; i++) {
        free(c->problems[i].id);
        free(c->problems[i].full_json);
    }
    free(c->problems);
    free(c->list_json);
    free(c->languages_json);
    if (c->langs)
        judge_langs_free(c->langs);
    free(c);
}

size_t gw_catalog_problem_count(const struct gw_catalog *c)
{
    return c->n_problems;
}

const char *gw_catalog_problems_json(const struct gw_catalog *c)
{
    return c->list_json;
}

const char *gw_catalog_problem_json(const struct gw_catalog *c, const char *id)
{
    for (size_t i = 0; i < c->n_problems; i++)
        if (strcmp(c->problems[i].id, id) == 0)
            return c->problems[i].full_json;
    return NULL;
}

const char *gw_catalog_languages_json(const struct gw_catalog *c)
{
    return c->languages_json;
}

int gw_catalog_has_language(const struct gw_catalog *c, const char *id)
{
    return judge_lang_by_id(c->langs, id) != NULL;
}
