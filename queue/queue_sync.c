/*
 * queue_sync.c - the worker's blocking Redis client: claim, start, events, release, heartbeat,
 * reaper (hiredis sync, one connection per thread).
 *
 * A struct queue_conn wraps one redisContext and its URL. Any I/O error frees the context; the
 * next call connects again, but not before next_try_ms, which backs off from
 * QUEUE_BACKOFF_MIN_MS doubling to QUEUE_BACKOFF_MAX_MS while connects fail. So a worker whose
 * Redis is gone makes at most a few connection attempts a second and never spins; its calls fail
 * fast with QUEUE_ERR_DOWN and it decides what to do (wait, keep judging, retry the event).
 *
 * Scripts go as EVALSHA with the SHA1 that SCRIPT LOAD returned on this connection; a NOSCRIPT
 * answer (Redis restarted, or SCRIPT FLUSH) loads the script again and retries once.
 *
 * BLMOVE blocks on the server for the claim timeout; the socket timeout is raised for that call
 * only, so the wait ends on the server's side first and the connection stays usable.
 */
#include "queue_sync.h"

#include "queue_internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define QUEUE_BACKOFF_MIN_MS 100
#define QUEUE_BACKOFF_MAX_MS 5000
#define QUEUE_ARGS_MAX       32                  /* words of the longest command we send */
#define QUEUE_OWNER_MAX      (QUEUE_ID_MAX + 32) /* "worker attempt" of a queue_owner */
#define QUEUE_PREFIX_MAX     256 /* an event's JSON up to its type-specific fields */
#define QUEUE_SUFFIX_MAX     (QUEUE_RESULT_MAX + 64) /* the rest of an event's JSON */

struct queue_conn {
    struct queue_url url;
    int timeout_ms;
    redisContext *ctx;
    int64_t next_try_ms;
    int backoff_ms;
    char sha[QUEUE_SCRIPT_COUNT][48];
};

/*** Connection ***/

static struct timeval tv_ms(int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    return tv;
}

static void conn_drop(struct queue_conn *c, const char *why)
{
    if (!c->ctx) return;
    gv_warn("queue: redis %s:%d: %s", c->url.host, c->url.port, why);
    redisFree(c->ctx);
    c->ctx = NULL;
    memset(c->sha, 0, sizeof c->sha);
}

static int simple_ok(redisContext *ctx, const char *fmt, const char *arg)
{
    redisReply *r = redisCommand(ctx, fmt, arg);
    int ok = r && r->type != REDIS_REPLY_ERROR;
    if (r) freeReplyObject(r);
    return ok;
}

static int conn_handshake(struct queue_conn *c)
{
    char db[16];
    snprintf(db, sizeof db, "%d", c->url.db);
    if (c->url.password[0] && !simple_ok(c->ctx, "AUTH %s", c->url.password)) return -1;
    if (c->url.db && !simple_ok(c->ctx, "SELECT %s", db)) return -1;
    return 0;
}

/* 0 when connected; QUEUE_ERR_DOWN when not (and not yet time to try again). */
static int conn_ensure(struct queue_conn *c)
{
    if (c->ctx) return 0;
    int64_t now = gv_now_ms();
    if (now < c->next_try_ms) return QUEUE_ERR_DOWN;
    c->ctx = redisConnectWithTimeout(c->url.host, c->url.port, tv_ms(c->timeout_ms));
    if (c->ctx && !c->ctx->err && redisSetTimeout(c->ctx, tv_ms(c->timeout_ms)) == REDIS_OK &&
        conn_handshake(c) == 0) {
        if (c->backoff_ms > QUEUE_BACKOFF_MIN_MS)
            gv_info("queue: redis %s:%d: connected again", c->url.host, c->url.port);
        c->backoff_ms = QUEUE_BACKOFF_MIN_MS;
        return 0;
    }
    if (c->backoff_ms >= QUEUE_BACKOFF_MAX_MS / 2 || c->backoff_ms == QUEUE_BACKOFF_MIN_MS)
        gv_warn("queue: connect redis %s:%d: %s (next try in %d ms)", c->url.host, c->url.port,
                c->ctx ? c->ctx->errstr : "out of memory", c->backoff_ms);
    if (c->ctx) redisFree(c->ctx);
    c->ctx = NULL;
    c->next_try_ms = now + c->backoff_ms;
    c->backoff_ms =
        c->backoff_ms * 2 > QUEUE_BACKOFF_MAX_MS ? QUEUE_BACKOFF_MAX_MS : c->backoff_ms * 2;
    return QUEUE_ERR_DOWN;
}

struct queue_conn *queue_conn_new(const char *url, int timeout_ms)
{
    struct queue_conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    if (queue_url_parse(url, &c->url) < 0) {
        gv_error("queue: bad redis URL '%s' (want redis://host:port[/db])", url);
        free(c);
        return NULL;
    }
    c->timeout_ms = timeout_ms > 0 ? timeout_ms : 5000;
    c->backoff_ms = QUEUE_BACKOFF_MIN_MS;
    conn_ensure(c);
    return c;
}

void queue_conn_free(struct queue_conn *c)
{
    if (!c) return;
    if (c->ctx) redisFree(c->ctx);
    free(c);
}

int queue_conn_up(const struct queue_conn *c)
{
    return c->ctx != NULL;
}

/* Sends one command; NULL on an I/O error (the connection is dropped) or when down. */
static redisReply *command(struct queue_conn *c, int argc, const char **argv, const size_t *lens)
{
    if (conn_ensure(c) < 0) return NULL;
    redisReply *r = redisCommandArgv(c->ctx, argc, argv, lens);
    if (!r) {
        conn_drop(c, c->ctx->errstr[0] ? c->ctx->errstr : "connection lost");
    } else if (queue_error_transient(r)) {
        /* Reconnect too: after a failover the name may lead to the new primary. */
        char why[128];
        snprintf(why, sizeof why, "%.100s", r->str);
        freeReplyObject(r);
        r = NULL;
        conn_drop(c, why);
    }
    return r;
}

/* Lengths by strlen for argv without binary data. */
static redisReply *command_str(struct queue_conn *c, int argc, const char **argv)
{
    size_t lens[QUEUE_ARGS_MAX];
    for (int i = 0; i < argc; i++)
        lens[i] = strlen(argv[i]);
    return command(c, argc, argv, lens);
}

static int is_error(const redisReply *r, const char *prefix)
{
    return r->type == REDIS_REPLY_ERROR && strncmp(r->str, prefix, strlen(prefix)) == 0;
}

static int script_load(struct queue_conn *c, enum queue_script s)
{
    const char *argv[] = {"SCRIPT", "LOAD", queue_script_text(s)};
    redisReply *r = command_str(c, 3, argv);
    if (!r) return QUEUE_ERR_DOWN;
    int rc = QUEUE_ERR_REDIS;
    if (r->type == REDIS_REPLY_STRING && (size_t)r->len < sizeof c->sha[s]) {
        memcpy(c->sha[s], r->str, (size_t)r->len + 1);
        rc = QUEUE_OK;
    } else {
        gv_error("queue: SCRIPT LOAD %d: %s", (int)s, r->type == REDIS_REPLY_ERROR ? r->str : "?");
    }
    freeReplyObject(r);
    return rc;
}

/* EVALSHA script with keys and args (all text); loads it first or again after NOSCRIPT. The
 * reply, or NULL with *rc set. */
static redisReply *eval(struct queue_conn *c, enum queue_script s, int nkeys, int nargs,
                        const char **words, int *rc)
{
    const char *argv[QUEUE_ARGS_MAX];
    char numkeys[16];
    snprintf(numkeys, sizeof numkeys, "%d", nkeys);
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!c->sha[s][0] && (*rc = script_load(c, s)) != QUEUE_OK) return NULL;
        argv[0] = "EVALSHA";
        argv[1] = c->sha[s];
        argv[2] = numkeys;
        for (int i = 0; i < nkeys + nargs; i++)
            argv[3 + i] = words[i];
        redisReply *r = command_str(c, 3 + nkeys + nargs, argv);
        if (!r) {
            *rc = QUEUE_ERR_DOWN;
            return NULL;
        }
        if (!is_error(r, "NOSCRIPT")) return r;
        freeReplyObject(r);
        c->sha[s][0] = '\0';
    }
    *rc = QUEUE_ERR_REDIS;
    return NULL;
}

/* The status code scripts put first in their answer ({0,...}, {-2}, {-5}). */
static int script_status(const redisReply *r, const char *what)
{
    if (r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
        r->element[0]->type == REDIS_REPLY_INTEGER)
        return (int)r->element[0]->integer;
    gv_error("queue: %s: unexpected answer: %s", what,
             r->type == REDIS_REPLY_ERROR ? r->str : "not an array");
    return QUEUE_ERR_REDIS;
}

/*** Submissions ***/

static int valid_name(const char *s)
{
    return s && queue_id_valid(s) && strlen(s) <= QUEUE_NAME_MAX;
}

static int valid_token(const char *t)
{
    if (strlen(t) != QUEUE_TOKEN_LEN) return 0;
    return strspn(t, "0123456789abcdef") == QUEUE_TOKEN_LEN;
}

int queue_enqueue(struct queue_conn *c, const char *problem, const char *language,
                  const char *source, size_t source_len, const char *token, char *id_out)
{
    char id[QUEUE_NEW_ID_LEN + 1], tok[QUEUE_TOKEN_LEN + 1], key[QUEUE_KEY_MAX], now[24];
    if (!valid_name(problem) || !valid_name(language) || source_len > QUEUE_SOURCE_MAX ||
        (token && !valid_token(token)))
        return QUEUE_ERR_INVALID;
    if (queue_new_id(id, sizeof id) < 0 || (!token && queue_new_token(tok, sizeof tok) < 0))
        return QUEUE_ERR_REDIS;
    if (token) gv_strlcpy(tok, token, sizeof tok);
    queue_key_submission(key, sizeof key, id);
    snprintf(now, sizeof now, "%lld", (long long)gv_wall_ms());
    if (conn_ensure(c) < 0) return QUEUE_ERR_DOWN;
    const char *hset[] = {"HSET",    key,     "problem",  problem,  "language", language, "source",
                          source,    "token", tok,        "status", "queued",   "seq",    "0",
                          "created", now,     "attempts", "0",      "tests",    "[]"};
    size_t hlen[sizeof hset / sizeof hset[0]];
    for (size_t i = 0; i < sizeof hset / sizeof hset[0]; i++)
        hlen[i] = i == 7 ? source_len : strlen(hset[i]); /* [7]: the source, maybe with NULs */
    redisAppendCommand(c->ctx, "MULTI");
    redisAppendCommandArgv(c->ctx, (int)(sizeof hset / sizeof hset[0]), hset, hlen);
    redisAppendCommand(c->ctx, "LPUSH %s %s", QUEUE_KEY_QUEUE, id);
    redisAppendCommand(c->ctx, "EXEC");
    int rc = QUEUE_OK;
    for (int i = 0; i < 4; i++) {
        redisReply *r = NULL;
        if (redisGetReply(c->ctx, (void **)&r) != REDIS_OK) {
            conn_drop(c, "connection lost during enqueue");
            return QUEUE_ERR_DOWN;
        }
        if (queue_error_transient(r) && rc == QUEUE_OK)
            rc = QUEUE_ERR_DOWN;
        else if (r->type == REDIS_REPLY_ERROR || (i == 3 && r->type != REDIS_REPLY_ARRAY))
            rc = rc == QUEUE_ERR_DOWN ? rc : QUEUE_ERR_REDIS;
        freeReplyObject(r);
    }
    if (rc == QUEUE_OK) gv_strlcpy(id_out, id, QUEUE_ID_MAX + 1);
    return rc;
}

int queue_get(struct queue_conn *c, const char *id, struct queue_submission *out)
{
    char key[QUEUE_KEY_MAX];
    if (queue_key_submission(key, sizeof key, id) < 0) return QUEUE_ERR_INVALID;
    const char *argv[] = {"HGETALL", key};
    redisReply *r = command_str(c, 2, argv);
    if (!r) return QUEUE_ERR_DOWN;
    int rc = QUEUE_OK;
    if (r->type != REDIS_REPLY_ARRAY)
        rc = QUEUE_ERR_REDIS;
    else if (r->elements == 0)
        rc = QUEUE_ERR_NOTFOUND;
    else if (queue_submission_from_reply(out, id, r) < 0)
        rc = QUEUE_ERR_REDIS;
    freeReplyObject(r);
    return rc;
}

/*** Claim and start ***/

int queue_claim(struct queue_conn *c, const char *worker, int timeout_ms, char *id_out)
{
    char plist[QUEUE_KEY_MAX], secs[32];
    if (queue_key_processing(plist, sizeof plist, worker) < 0 || timeout_ms <= 0)
        return QUEUE_ERR_INVALID;
    if (conn_ensure(c) < 0) return QUEUE_ERR_DOWN;
    snprintf(secs, sizeof secs, "%d.%03d", timeout_ms / 1000, timeout_ms % 1000);
    /* Be in gavel:workers before any id can land in our processing list, so the reaper always
     * finds the list, even when we die before our first heartbeat. */
    const char *sadd[] = {"SADD", QUEUE_KEY_WORKERS, worker};
    redisReply *m = command_str(c, 3, sadd);
    if (!m) return QUEUE_ERR_DOWN;
    freeReplyObject(m);
    const char *argv[] = {"BLMOVE", QUEUE_KEY_QUEUE, plist, "RIGHT", "LEFT", secs};
    redisSetTimeout(c->ctx, tv_ms(timeout_ms + c->timeout_ms));
    redisReply *r = command_str(c, 6, argv);
    if (!r) return QUEUE_ERR_DOWN;
    redisSetTimeout(c->ctx, tv_ms(c->timeout_ms));
    int rc = 0;
    if (r->type == REDIS_REPLY_STRING) {
        if (queue_id_valid(r->str)) {
            gv_strlcpy(id_out, r->str, QUEUE_ID_MAX + 1);
            rc = 1;
        } else {
            /* Not an id we could ever have queued: drop it rather than choke on it forever. */
            gv_warn("queue: dropping a malformed id from %s (%d bytes)", QUEUE_KEY_QUEUE,
                    (int)r->len);
            redisReply *d = redisCommand(c->ctx, "LREM %s 1 %b", plist, r->str, (size_t)r->len);
            if (d) freeReplyObject(d);
        }
    } else if (r->type == REDIS_REPLY_ERROR) {
        gv_error("queue: BLMOVE: %s", r->str);
        rc = QUEUE_ERR_REDIS;
    }
    freeReplyObject(r);
    return rc;
}

int queue_start(struct queue_conn *c, const char *worker, const char *id,
                struct queue_submission *out, struct queue_owner *owner)
{
    char key[QUEUE_KEY_MAX], plist[QUEUE_KEY_MAX], now[24];
    memset(out, 0, sizeof *out);
    memset(owner, 0, sizeof *owner);
    if (queue_key_submission(key, sizeof key, id) < 0 ||
        queue_key_processing(plist, sizeof plist, worker) < 0)
        return QUEUE_ERR_INVALID;
    gv_strlcpy(owner->worker, worker, sizeof owner->worker);
    snprintf(now, sizeof now, "%lld", (long long)gv_wall_ms());
    const char *words[] = {key, plist, worker, now, id};
    int rc;
    redisReply *r = eval(c, QUEUE_SCRIPT_START, 2, 3, words, &rc);
    if (!r) return rc;
    rc = script_status(r, "start");
    if (rc == QUEUE_OK) {
        if (r->elements < 3 || r->element[1]->type != REDIS_REPLY_INTEGER) {
            rc = QUEUE_ERR_REDIS;
        } else {
            owner->attempt = r->element[1]->integer;
            if (queue_submission_from_reply(out, id, r->element[2]) < 0) rc = QUEUE_ERR_REDIS;
        }
    }
    freeReplyObject(r);
    return rc;
}

/*** Events ***/

/* Runs EVENT or FINAL with prefix/suffix ready; seq into *seq_out. */
static int run_event(struct queue_conn *c, enum queue_script s, int nkeys, int nargs,
                     const char **words, long long *seq_out)
{
    int rc;
    redisReply *r = eval(c, s, nkeys, nargs, words, &rc);
    if (!r) return rc;
    rc = script_status(r, "event");
    if (rc == QUEUE_OK && seq_out && r->elements > 1 && r->element[1]->type == REDIS_REPLY_INTEGER)
        *seq_out = r->element[1]->integer;
    freeReplyObject(r);
    return rc;
}

static int owner_words(const struct queue_owner *owner, char *buf, size_t size)
{
    return owner ? queue_owner_string(buf, size, owner->worker, owner->attempt) : -1;
}

int queue_publish_status(struct queue_conn *c, const struct queue_owner *owner, const char *id,
                         const char *status, long long *seq_out)
{
    char key[QUEUE_KEY_MAX], own[QUEUE_OWNER_MAX], suffix[64];
    if (strcmp(status, "compiling") != 0 && strcmp(status, "running") != 0)
        return QUEUE_ERR_INVALID;
    if (queue_key_submission(key, sizeof key, id) < 0 || owner_words(owner, own, sizeof own) < 0)
        return QUEUE_ERR_INVALID;
    struct gv_buf prefix;
    gv_buf_init(&prefix, QUEUE_PREFIX_MAX);
    if (queue_event_prefix(&prefix, "status", id) < 0) {
        gv_buf_free(&prefix);
        return QUEUE_ERR_INVALID;
    }
    snprintf(suffix, sizeof suffix, ",\"status\":\"%s\"}", status);
    const char *words[] = {key, own, prefix.data, suffix, "status", status, ""};
    int rc = run_event(c, QUEUE_SCRIPT_EVENT, 1, 6, words, seq_out);
    gv_buf_free(&prefix);
    return rc;
}

int queue_publish_tests(struct queue_conn *c, const struct queue_owner *owner, const char *id,
                        long long total, const char *tests_items, long long *seq_out)
{
    char key[QUEUE_KEY_MAX], own[QUEUE_OWNER_MAX], tot[24];
    if (queue_key_submission(key, sizeof key, id) < 0 || owner_words(owner, own, sizeof own) < 0 ||
        !tests_items[0] || strlen(tests_items) > QUEUE_RESULT_MAX)
        return QUEUE_ERR_INVALID;
    snprintf(tot, sizeof tot, "%lld", total);
    struct gv_buf prefix, suffix;
    gv_buf_init(&prefix, QUEUE_PREFIX_MAX);
    gv_buf_init(&suffix, QUEUE_SUFFIX_MAX);
    int rc = QUEUE_ERR_INVALID;
    if (queue_event_prefix(&prefix, "tests", id) == 0 &&
        gv_buf_printf(&suffix, ",\"total\":%lld,\"tests\":[%s]}", total, tests_items) == 0) {
        const char *words[] = {key, own, prefix.data, suffix.data, "tests", tot, tests_items};
        rc = run_event(c, QUEUE_SCRIPT_EVENT, 1, 6, words, seq_out);
    }
    gv_buf_free(&prefix);
    gv_buf_free(&suffix);
    return rc;
}

static int valid_verdict(const char *v)
{
    static const char *const verdicts[] = {"AC", "WA", "TLE", "MLE", "RTE", "OLE", "CE", "JE"};
    for (size_t i = 0; i < sizeof verdicts / sizeof verdicts[0]; i++)
        if (strcmp(v, verdicts[i]) == 0) return 1;
    return 0;
}

int queue_publish_final(struct queue_conn *c, const struct queue_owner *owner, const char *id,
                        const char *verdict, const char *result, long long *seq_out)
{
    char key[QUEUE_KEY_MAX], plist[QUEUE_KEY_MAX], own[QUEUE_OWNER_MAX] = "", now[24];
    if (queue_key_submission(key, sizeof key, id) < 0 || !valid_verdict(verdict) ||
        strlen(result) > QUEUE_RESULT_MAX)
        return QUEUE_ERR_INVALID;
    if (owner && (queue_key_processing(plist, sizeof plist, owner->worker) < 0 ||
                  owner_words(owner, own, sizeof own) < 0))
        return QUEUE_ERR_INVALID;
    if (!owner) gv_strlcpy(plist, key, sizeof plist);
    struct gv_buf suffix;
    gv_buf_init(&suffix, QUEUE_SUFFIX_MAX);
    int rc = QUEUE_ERR_INVALID;
    snprintf(now, sizeof now, "%lld", (long long)gv_wall_ms());
    if (queue_final_suffix(&suffix, result) == 0) {
        const char *words[] = {key, plist, own, id, verdict, suffix.data, now};
        rc = run_event(c, QUEUE_SCRIPT_FINAL, 2, 5, words, seq_out);
    }
    gv_buf_free(&suffix);
    return rc;
}

int queue_release(struct queue_conn *c, const struct queue_owner *owner, const char *id)
{
    char key[QUEUE_KEY_MAX], plist[QUEUE_KEY_MAX], own[QUEUE_OWNER_MAX];
    if (!owner || queue_key_submission(key, sizeof key, id) < 0 ||
        queue_key_processing(plist, sizeof plist, owner->worker) < 0 ||
        owner_words(owner, own, sizeof own) < 0)
        return QUEUE_ERR_INVALID;
    const char *words[] = {key, plist, QUEUE_KEY_QUEUE, own, id};
    int rc;
    redisReply *r = eval(c, QUEUE_SCRIPT_RELEASE, 3, 2, words, &rc);
    if (!r) return rc;
    rc = script_status(r, "release");
    freeReplyObject(r);
    return rc;
}

/*** Heartbeat and reaper ***/

static char *heartbeat_json(const char *worker, const struct queue_worker_info *info)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "worker", worker);
    cJSON_AddStringToObject(o, "host", info->host ? info->host : "");
    cJSON_AddNumberToObject(o, "slots", info->slots);
    cJSON_AddNumberToObject(o, "busy", info->busy);
    cJSON_AddStringToObject(o, "version", info->version ? info->version : "");
    cJSON *langs = info->languages ? cJSON_Parse(info->languages) : NULL;
    if (!cJSON_IsArray(langs)) {
        cJSON_Delete(langs);
        langs = cJSON_CreateArray();
    }
    cJSON_AddItemToObject(o, "languages", langs);
    cJSON_AddNumberToObject(o, "time", (double)gv_wall_ms());
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

int queue_heartbeat(struct queue_conn *c, const char *worker, const struct queue_worker_info *info,
                    int ttl_ms)
{
    char key[QUEUE_KEY_MAX], ttl[24];
    if (queue_key_worker(key, sizeof key, worker) < 0 || ttl_ms <= 0) return QUEUE_ERR_INVALID;
    char *json = heartbeat_json(worker, info);
    if (!json) return QUEUE_ERR_REDIS;
    snprintf(ttl, sizeof ttl, "%d", ttl_ms);
    int rc = conn_ensure(c);
    if (rc == 0) {
        redisAppendCommand(c->ctx, "SET %s %s PX %s", key, json, ttl);
        redisAppendCommand(c->ctx, "SADD %s %s", QUEUE_KEY_WORKERS, worker);
        for (int i = 0; i < 2 && rc == 0; i++) {
            redisReply *r = NULL;
            if (redisGetReply(c->ctx, (void **)&r) != REDIS_OK) {
                conn_drop(c, "connection lost during heartbeat");
                rc = QUEUE_ERR_DOWN;
                break;
            }
            if (r->type == REDIS_REPLY_ERROR)
                rc = queue_error_transient(r) ? QUEUE_ERR_DOWN : QUEUE_ERR_REDIS;
            freeReplyObject(r);
        }
    }
    free(json);
    return rc;
}

int queue_heartbeat_clear(struct queue_conn *c, const char *worker)
{
    char key[QUEUE_KEY_MAX];
    if (queue_key_worker(key, sizeof key, worker) < 0) return QUEUE_ERR_INVALID;
    const char *argv[] = {"DEL", key};
    redisReply *r = command_str(c, 2, argv);
    if (!r) return QUEUE_ERR_DOWN;
    int rc = r->type == REDIS_REPLY_ERROR ? QUEUE_ERR_REDIS : QUEUE_OK;
    freeReplyObject(r);
    return rc;
}

static int reap(struct queue_conn *c, const char *self, long long *requeued, long long *failed)
{
    char now[24], max[16];
    snprintf(now, sizeof now, "%lld", (long long)gv_wall_ms());
    snprintf(max, sizeof max, "%d", QUEUE_MAX_ATTEMPTS);
    const char *words[] = {
        QUEUE_KEY_WORKERS, QUEUE_KEY_QUEUE, now, max, queue_reaped_suffix(), self};
    int rc;
    redisReply *r = eval(c, QUEUE_SCRIPT_REAP, 2, 4, words, &rc);
    if (!r) return rc;
    rc = QUEUE_ERR_REDIS;
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
        if (requeued) *requeued = r->element[0]->integer;
        if (failed) *failed = r->element[1]->integer;
        rc = QUEUE_OK;
    } else {
        gv_error("queue: reaper: %s", r->type == REDIS_REPLY_ERROR ? r->str : "bad answer");
    }
    freeReplyObject(r);
    return rc;
}

int queue_reap(struct queue_conn *c, long long *requeued, long long *failed)
{
    return reap(c, "", requeued, failed);
}

int queue_recover(struct queue_conn *c, const char *worker, long long *requeued, long long *failed)
{
    if (!queue_id_valid(worker)) return QUEUE_ERR_INVALID;
    return reap(c, worker, requeued, failed);
}

_Static_assert(QUEUE_STRAYS_HELD_MAX + 5 <= QUEUE_ARGS_MAX, "EVALSHA, sha, numkeys, 2 keys");

int queue_requeue_strays(struct queue_conn *c, const char *worker, const char *const *held,
                         size_t n_held, long long *requeued)
{
    char plist[QUEUE_KEY_MAX];
    const char *words[QUEUE_ARGS_MAX];
    if (queue_key_processing(plist, sizeof plist, worker) < 0 || n_held > QUEUE_STRAYS_HELD_MAX)
        return QUEUE_ERR_INVALID;
    words[0] = plist;
    words[1] = QUEUE_KEY_QUEUE;
    for (size_t i = 0; i < n_held; i++)
        words[2 + i] = held[i];
    int rc;
    redisReply *r = eval(c, QUEUE_SCRIPT_STRAYS, 2, (int)n_held, words, &rc);
    if (!r) return rc;
    rc = QUEUE_OK;
    if (r->type == REDIS_REPLY_INTEGER) {
        if (requeued) *requeued = r->integer;
    } else {
        gv_error("queue: strays: %s", r->type == REDIS_REPLY_ERROR ? r->str : "bad answer");
        rc = QUEUE_ERR_REDIS;
    }
    freeReplyObject(r);
    return rc;
}

int queue_live_workers(struct queue_conn *c, long long *n)
{
    const char *words[] = {QUEUE_KEY_WORKERS};
    int rc;
    redisReply *r = eval(c, QUEUE_SCRIPT_LIVE, 1, 0, words, &rc);
    if (!r) return rc;
    rc = r->type == REDIS_REPLY_INTEGER ? QUEUE_OK : QUEUE_ERR_REDIS;
    if (rc == QUEUE_OK) *n = r->integer;
    freeReplyObject(r);
    return rc;
}
