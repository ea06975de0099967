/*
 * gw_catalog.h - the problems and languages the gateway accepts, loaded once at start.
 *
 * Built on the judge's gavel_problem library (judge_problem_load, judge_langs_load): the gateway
 * keeps only the JSON the HTTP API serves and the ids it validates against, so a submission is
 * refused (404, 422) before anything touches Redis.
 */
#ifndef GAVEL_GW_CATALOG_H
#define GAVEL_GW_CATALOG_H

#include <stddef.h>

#define GW_CATALOG_PROBLEMS_MAX 4096 /* problem folders read */

struct gw_catalog;

/* Loads every package below problems_dir (folders with a problem.yaml) and the language table
 * (languages_path, or the default one when NULL). Broken packages are logged and skipped. NULL
 * only when the folder or the language table cannot be read at all. */
struct gw_catalog *gw_catalog_load(const char *problems_dir, const char *languages_path);
void gw_catalog_free(struct gw_catalog *c);

/* Number of problems loaded. */
size_t gw_catalog_problem_count(const struct gw_catalog *c);
/* The JSON texts served: the list, one problem (NULL when unknown), the languages. */
const char *gw_catalog_problems_json(const struct gw_catalog *c);
const char *gw_catalog_problem_json(const struct gw_catalog *c, const char *id);
const char *gw_catalog_languages_json(const struct gw_catalog *c);
/* 1 when the id is a language of the table, else 0. */
int gw_catalog_has_language(const struct gw_catalog *c, const char *id);

#endif
