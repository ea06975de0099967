/*
 * yaml_json.h - YAML documents as cJSON trees (internal to gavel_problem).
 *
 * problem.yaml and testdata.yaml are small; turning them into a cJSON tree once lets the readers
 * use one set of lookups. Scalars stay strings (YAML's typing rules are left to the reader, which
 * knows what each key should be); mappings become objects, sequences arrays.
 */
#ifndef GAVEL_JUDGE_YAML_JSON_H
#define GAVEL_JUDGE_YAML_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define JUDGE_YAML_DEPTH_MAX 32 /* nesting of mappings and sequences */

/* Parses the first document of text. An empty document gives an empty object. On a syntax error
 * returns NULL and writes "<name>:<line>: <problem>" into err. */
cJSON *judge_yaml_parse(const char *name, const char *text, size_t len, char *err, size_t err_size);

/* Lookups that accept a scalar string: a number (returns 0, -1 when absent or not a number) and a
 * boolean ("true", "yes", "on"...). */
int judge_yaml_number(const cJSON *obj, const char *key, double *out);
int judge_yaml_bool(const cJSON *obj, const char *key, int *out);
/* The string value of key, or NULL. */
const char *judge_yaml_string(const cJSON *obj, const char *key);

#endif
