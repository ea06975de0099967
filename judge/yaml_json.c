/*
 * yaml_json.c - YAML to cJSON, for the package reader.
 *
 * Theory of operation: libyaml's event parser walks the document; a small stack holds the open
 * containers (object or array) and, for an object, the key waiting for its value. Each scalar
 * either becomes that pending key or a value added to the container on top of the stack; a mapping
 * or sequence start pushes a new container, its end pops it. Aliases (anchors) are refused: the
 * packages we read have no use for them, and refusing them avoids "billion laughs" blow-ups.
 * Errors carry the file name and the line libyaml reports (1-based).
 */
#include "yaml_json.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

struct frame {
    cJSON *node;
    char *key; /* pending key of a mapping, NULL when waiting for one */
};

struct builder {
    struct frame stack[JUDGE_YAML_DEPTH_MAX];
    int depth;
    cJSON *root;
};

static void builder_free(struct builder *b)
{
    for (int i = 0; i < b->depth; i++) { /* open containers are not attached to a parent yet */
        free(b->stack[i].key);
        cJSON_Delete(b->stack[i].node);
    }
    cJSON_Delete(b->root);
    b->root = NULL;
    b->depth = 0;
}

/* Adds a finished node to the container on top; returns -1 on failure (node freed). */
static int builder_add(struct builder *b, cJSON *node)
{
    if (b->depth == 0) {
        if (b->root) {
            cJSON_Delete(node);
            return -1;
        }
        b->root = node;
        return 0;
    }
    struct frame *top = &b->stack[b->depth - 1];
    if (cJSON_IsArray(top->node)) {
        cJSON_AddItemToArray(top->node, node);
        return 0;
    }
    if (!top->key) {
        cJSON_Delete(node);
        return -1;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(top->node, top->key); /* last duplicate wins */
    cJSON_AddItemToObject(top->node, top->key, node);
    free(top->key);
    top->key = NULL;
    return 0;
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
    const char *text = (const char *)ev->data.scalar.value;
    if (b->depth > 0) {
        struct frame *top = &b->stack[b->depth - 1];
        if (cJSON_IsObject(top->node) && !top->key) {
            top->key = strdup(text);
            return top->key ? 0 : -1;
        }
    }
    bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (plain && (text[0] == '\0' || strcmp(text, "~") == 0 || strcasecmp(text, "null") == 0))
        return builder_add(b, cJSON_CreateNull());
    cJSON *s = cJSON_CreateString(text);
    return s ? builder_add(b, s) : -1;
}

static int on_open(struct builder *b, bool mapping)
{
    if (b->depth >= JUDGE_YAML_DEPTH_MAX) return -1;
    cJSON *node = mapping ? cJSON_CreateObject() : cJSON_CreateArray();
    if (!node) return -1;
    b->stack[b->depth].node = node;
    b->stack[b->depth].key = NULL;
    b->depth++;
    return 0;
}

static int on_close(struct builder *b)
{
    if (b->depth == 0) return -1;
    struct frame f = b->stack[--b->depth];
    free(f.key);
    return builder_add(b, f.node);
}

/* Handles one event; 1 at the end of the document, 0 to go on, -1 on an error (msg set). */
static int on_event(struct builder *b, const yaml_event_t *ev, const char **msg)
{
    int rc = 0;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        rc = on_scalar(b, ev);
        break;
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT:
        rc = on_open(b, ev->type == YAML_MAPPING_START_EVENT);
        if (rc < 0) *msg = "nested too deeply";
        return rc;
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        rc = on_close(b);
        break;
    case YAML_ALIAS_EVENT:
        *msg = "aliases are not supported";
        return -1;
    case YAML_DOCUMENT_END_EVENT:
    case YAML_STREAM_END_EVENT:
        return 1;
    default:
        return 0;
    }
    if (rc < 0 && !*msg) *msg = "unexpected structure";
    return rc;
}

cJSON *judge_yaml_parse(const char *name, const char *text, size_t len, char *err, size_t err_size)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        snprintf(err, err_size, "%s: cannot start the YAML parser", name);
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    struct builder b = {0};
    const char *msg = NULL;
    size_t line = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            msg = parser.problem ? parser.problem : "syntax error";
            line = parser.problem_mark.line + 1;
            break;
        }
        line = ev.start_mark.line + 1;
        int rc = on_event(&b, &ev, &msg);
        yaml_event_delete(&ev);
        if (rc != 0) break;
    }
    yaml_parser_delete(&parser);
    if (msg) {
        snprintf(err, err_size, "%s:%zu: %s", name, line, msg);
        builder_free(&b);
        return NULL;
    }
    cJSON *root = b.root;
    b.root = NULL;
    builder_free(&b);
    if (!root || cJSON_IsNull(root)) {
        cJSON_Delete(root);
        return cJSON_CreateObject();
    }
    if (!cJSON_IsObject(root)) {
        snprintf(err, err_size, "%s:1: the document is not a mapping", name);
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

const char *judge_yaml_string(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int judge_yaml_number(const cJSON *obj, const char *key, double *out)
{
    const char *s = judge_yaml_string(obj, key);
    if (!s) return -1;
    char *end;
    double d = strtod(s, &end);
    if (end == s || *end != '\0') return -1;
    *out = d;
    return 0;
}

int judge_yaml_bool(const cJSON *obj, const char *key, int *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    const char *s = judge_yaml_string(obj, key);
    if (!s) return -1;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}
