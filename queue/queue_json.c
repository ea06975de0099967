/*
 * queue_json.c - the submission as stored in gavel:sub:{id}, and the JSON made from it.
 *
 * A submission's hash is read whole (HGETALL) and turned into a struct queue_submission by a
 * table of fields: each names where its value goes and how it is bounded, so a hash written by
 * someone else (an older version, a person with redis-cli) can be short or odd but never
 * overflow anything. The JSON for GET /api/submissions/{id} and for the WebSocket snapshot is
 * made here too, with cJSON, so no other module knows the stored layout.
 *
 * Events are made as three parts: a prefix ending in "seq":, the seq that only the Lua script
 * knows, and a suffix. The prefix and suffix are built here from parsed JSON, so whatever the
 * judge puts in a result is re-serialized and cannot break out of the message.
 */
#include "queue_internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*** From the hash ***/

enum field_kind { F_FIXED, F_HEAP, F_INT };

struct field {
    const char *name;
    enum field_kind kind;
    size_t offset; /* of the char array, the char *, or the long long / int64_t */
    size_t size;   /* F_FIXED: the array's size; F_HEAP: the cap */
};

#define FIXED(n, m)                                                                                \
    {                                                                                              \
        n, F_FIXED, offsetof(struct queue_submission, m), sizeof((struct queue_submission *)0)->m  \
    }
#define HEAP(n, m, cap)                                                                            \
    {                                                                                              \
        n, F_HEAP, offsetof(struct queue_submission, m), cap                                       \
    }
#define INT(n, m)                                                                                  \
    {                                                                                              \
        n, F_INT, offsetof(struct queue_submission, m), sizeof((struct queue_submission *)0)->m    \
    }

static const struct field fields[] = {
    FIXED("problem", problem),
    FIXED("language", language),
    FIXED("token", token),
    FIXED("status", status),
    FIXED("verdict", verdict),
    FIXED("worker", worker),
    HEAP("source", source, QUEUE_SOURCE_MAX),
    HEAP("tests", tests, QUEUE_RESULT_MAX),
    HEAP("result", result, QUEUE_RESULT_MAX),
    INT("seq", seq),
    INT("total", total),
    INT("attempts", attempts),
    INT("created", created_ms),
    INT("started", started_ms),
    INT("finished", finished_ms),
};

static int field_set(struct queue_submission *s, const struct field *f, const redisReply *v)
{
    char *base = (char *)s + f->offset;
    if (v->type != REDIS_REPLY_STRING) return 0;
    switch (f->kind) {
    case F_FIXED:
        /* An over-long value is dropped, not truncated: a cut verdict or token would lie. */
        if ((size_t)v->len < f->size) memcpy(base, v->str, (size_t)v->len + 1);
        return 0;
    case F_HEAP: {
        if ((size_t)v->len > f->size) return -1;
        char *copy = malloc((size_t)v->len + 1);
        if (!copy) return -1;
        memcpy(copy, v->str, (size_t)v->len + 1);
        char **slot = (char **)base;
        free(*slot);
        *slot = copy;
        if (slot == &s->source) s->source_len = (size_t)v->len;
        return 0;
    }
    case F_INT: {
        long long value = strtoll(v->str, NULL, 10);
        if (f->size == sizeof(int64_t))
            *(int64_t *)base = value;
        else
            *(long long *)base = value;
        return 0;
    }
    }
    return 0;
}

int queue_submission_from_reply(struct queue_submission *s, const char *id, const redisReply *r)
{
    memset(s, 0, sizeof *s);
    gv_strlcpy(s->id, id, sizeof s->id);
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
        const redisReply *k = r->element[i];
        if (k->type != REDIS_REPLY_STRING) continue;
        for (size_t j = 0; j < sizeof fields / sizeof fields[0]; j++) {
            if (strcmp(k->str, fields[j].name) != 0) continue;
            if (field_set(s, &fields[j], r->element[i + 1]) < 0) {
                queue_submission_free(s);
                return -1;
            }
            break;
        }
    }
    if (!s->source) s->source = strdup("");
    if (!s->tests) s->tests = strdup("[]");
    if (!s->source || !s->tests) {
        queue_submission_free(s);
        return -1;
    }
    return 0;
}

void queue_submission_free(struct queue_submission *s)
{
    free(s->source);
    free(s->tests);
    free(s->result);
    memset(s, 0, sizeof *s);
}

/*** GET and snapshot ***/

static cJSON *parse_or_empty_array(const char *text)
{
    cJSON *a = text ? cJSON_Parse(text) : NULL;
    if (a && cJSON_IsArray(a)) return a;
    cJSON_Delete(a);
    return cJSON_CreateArray();
}

/* Null for 0 (not yet), else the number. */
static void add_time(cJSON *o, const char *name, int64_t ms)
{
    if (ms)
        cJSON_AddNumberToObject(o, name, (double)ms);
    else
        cJSON_AddNullToObject(o, name);
}

static char *print_and_delete(cJSON *o)
{
    char *text = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return text;
}

/* Members of the stored final that are about the message, not the submission. */
static int is_envelope(const char *name)
{
    return strcmp(name, "type") == 0 || strcmp(name, "submission") == 0 || strcmp(name, "seq") == 0;
}

char *queue_submission_json(const struct queue_submission *s, int with_source)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "id", s->id);
    cJSON_AddStringToObject(o, "problem", s->problem);
    cJSON_AddStringToObject(o, "language", s->language);
    cJSON *final = s->result ? cJSON_Parse(s->result) : NULL;
    if (final && cJSON_IsObject(final)) {
        cJSON *item = final->child;
        while (item) {
            cJSON *next = item->next;
            if (!is_envelope(item->string) && !cJSON_HasObjectItem(o, item->string))
                cJSON_AddItemToObject(o, item->string, cJSON_DetachItemViaPointer(final, item));
            item = next;
        }
    } else {
        /* Not judged yet: the same members as a result, empty, so clients need one shape. */
        cJSON_AddStringToObject(o, "status", s->status[0] ? s->status : "queued");
        cJSON_AddNullToObject(o, "verdict");
        cJSON_AddNullToObject(o, "score");
        cJSON_AddNullToObject(o, "time_ms");
        cJSON_AddNullToObject(o, "memory_kib");
        cJSON_AddStringToObject(o, "compile_output", "");
        cJSON_AddNumberToObject(o, "total", (double)s->total);
        cJSON_AddItemToObject(o, "tests", parse_or_empty_array(s->tests));
    }
    cJSON_Delete(final);
    cJSON_AddNumberToObject(o, "seq", (double)s->seq);
    add_time(o, "created", s->created_ms);
    add_time(o, "started", s->started_ms);
    add_time(o, "finished", s->finished_ms);
    if (with_source) cJSON_AddStringToObject(o, "source", s->source ? s->source : "");
    return print_and_delete(o);
}

char *queue_snapshot_json(const struct queue_submission *s)
{
    if (s->result && strcmp(s->status, "done") == 0) return strdup(s->result);
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "type", "snapshot");
    cJSON_AddStringToObject(o, "submission", s->id);
    cJSON_AddNumberToObject(o, "seq", (double)s->seq);
    cJSON_AddStringToObject(o, "status", s->status[0] ? s->status : "queued");
    cJSON_AddNumberToObject(o, "total", (double)s->total);
    cJSON_AddItemToObject(o, "tests", parse_or_empty_array(s->tests));
    return print_and_delete(o);
}

/*** Events ***/

int queue_event_parse(const char *json, size_t len, struct queue_event *ev)
{
    memset(ev, 0, sizeof *ev);
    cJSON *o = cJSON_ParseWithLength(json, len);
    int rc = -1;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(o, "type");
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(o, "submission");
    const cJSON *seq = cJSON_GetObjectItemCaseSensitive(o, "seq");
    if (cJSON_IsString(type) && cJSON_IsString(sub) && cJSON_IsNumber(seq) &&
        queue_id_valid(sub->valuestring) && strlen(type->valuestring) < sizeof ev->type) {
        gv_strlcpy(ev->submission, sub->valuestring, sizeof ev->submission);
        gv_strlcpy(ev->type, type->valuestring, sizeof ev->type);
        ev->seq = (long long)seq->valuedouble;
        ev->json = json;
        ev->len = len;
        rc = 0;
    }
    cJSON_Delete(o);
    return rc;
}

int queue_event_prefix(struct gv_buf *b, const char *type, const char *id)
{
    if (!queue_id_valid(id)) return -1;
    /* Both are from fixed alphabets (type is ours, id is checked), so no escaping is needed. */
    return gv_buf_printf(b, "{\"type\":\"%s\",\"submission\":\"%s\",\"seq\":", type, id);
}

int queue_final_suffix(struct gv_buf *b, const char *result)
{
    cJSON *o = cJSON_Parse(result);
    if (!o || !cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return -1;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(o, "type");
    cJSON_DeleteItemFromObjectCaseSensitive(o, "submission");
    cJSON_DeleteItemFromObjectCaseSensitive(o, "seq");
    char *text = print_and_delete(o);
    if (!text) return -1;
    /* text is "{...}" or "{}": replace its '{' by ',' unless it is empty. */
    int rc = strcmp(text, "{}") == 0 ? gv_buf_printf(b, "}") : gv_buf_printf(b, ",%s", text + 1);
    free(text);
    return rc;
}

#define STRINGIFY(x)  #x
#define STRINGIFY2(x) STRINGIFY(x)

const char *queue_reaped_suffix(void)
{
    return ",\"status\":\"done\",\"verdict\":\"JE\",\"score\":null,\"time_ms\":0,"
           "\"memory_kib\":0,\"compile_output\":\"\","
           "\"message\":\"judged " STRINGIFY2(
               QUEUE_MAX_ATTEMPTS) " times, every judge died\",\"tests\":[],"
                                   "\"timings\":{\"queued_ms\":0,\"compile_ms\":0,\"run_ms\":0,"
                                   "\"total_ms\":0}}";
}

int queue_error_transient(const redisReply *r)
{
    static const char *const prefixes[] = {"LOADING", "BUSY", "MASTERDOWN", "READONLY", "TRYAGAIN"};
    if (!r || r->type != REDIS_REPLY_ERROR || !r->str) return 0;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(r->str, prefixes[i], strlen(prefixes[i])) == 0) return 1;
    return 0;
}

int queue_owner_string(char *buf, size_t size, const char *worker, long long attempt)
{
    int n = snprintf(buf, size, "%s#%lld", worker, attempt);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}
