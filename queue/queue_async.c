/*
 * queue_async.c - the gateway's Redis client: hiredis async on the caller's libevent loop.
 *
 * Two links, each a redisAsyncContext that comes and goes: `cmd` carries requests, `sub` is
 * SUBSCRIBEd to gavel:events. A link is in one of three states: connecting (ac set, not up), up,
 * or waiting to reconnect (ac NULL, its timer armed). Whatever ends a connection (hiredis' connect
 * or disconnect callback, or our watchdog) goes through link_lost(), which forgets the context
 * (hiredis frees it after its callback returns; we never free it from inside one), tells the
 * owner the link is down, and arms the reconnect timer with the current backoff, which doubles
 * from backoff_min_ms to backoff_max_ms and is reset by a connection that comes up.
 *
 * hiredis 0.14 has no command timeout in its async API, so a watchdog timer ticks every
 * QUEUE_ASYNC_TICK_MS: a link that has had requests outstanding without any answer for
 * command_timeout_ms, or has been connecting that long, is freed (its pending callbacks then run
 * with no reply, which they turn into QUEUE_ERR_DOWN) and reconnects. Redis restarting or
 * vanishing is thus always noticed, by the socket closing or by the watchdog.
 *
 * Requests carry a small struct req as hiredis privdata: what kind of answer to expect and the
 * caller's callback. Enqueue is MULTI, HSET, LPUSH, EXEC pipelined: only EXEC has a callback, and
 * Redis discards a transaction whose connection drops before EXEC, so a submission is stored and
 * queued together or not at all.
 */
#include "queue_async.h"

#include "queue_internal.h"

#include <event2/event.h>
#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUEUE_ASYNC_TICK_MS 250

struct queue_async;

struct link {
    struct queue_async *q;
    const char *name;
    redisAsyncContext *ac;
    struct event *retry; /* reconnect timer */
    int backoff_ms;
    int up;
    int pending;         /* requests with a callback, not answered yet */
    int64_t progress_ms; /* last answer, or when connecting / the first pending began */
};

struct queue_async {
    struct event_base *base;
    struct queue_async_config cfg;
    struct queue_url url;
    struct link cmd, sub;
    struct event *tick;
    int subscribed;
    int subscribed_once;
    int freeing;
};

enum req_kind { REQ_ENQUEUE, REQ_GET, REQ_COUNT };

struct req {
    struct queue_async *q;
    enum req_kind kind;
    union {
        queue_enqueue_cb enqueue;
        queue_get_cb get;
        queue_count_cb count;
    } cb;
    void *arg;
    char id[QUEUE_ID_MAX + 1];
    char token[QUEUE_TOKEN_LEN + 1];
    int transient; /* enqueue: MULTI got a LOADING-like answer */
    int orphan;    /* enqueue: queuing failed after MULTI; on_multi frees */
};

static void link_connect(struct link *l);

/*** Link state ***/

static void link_lost(struct link *l, const char *why)
{
    struct queue_async *q = l->q;
    int was_up = l->up;
    l->ac = NULL;
    l->up = 0;
    l->pending = 0;
    if (l == &q->sub) q->subscribed = 0;
    if (q->freeing) return;
    if (was_up || l->backoff_ms >= q->cfg.backoff_max_ms)
        gv_warn("queue: redis %s link down: %s (retry in %d ms)", l->name, why, l->backoff_ms);
    if (was_up && l == &q->cmd && q->cfg.on_state) q->cfg.on_state(QUEUE_LINK_DOWN, q->cfg.arg);
    struct timeval tv = {l->backoff_ms / 1000, (l->backoff_ms % 1000) * 1000};
    evtimer_add(l->retry, &tv);
    l->backoff_ms =
        l->backoff_ms * 2 > q->cfg.backoff_max_ms ? q->cfg.backoff_max_ms : l->backoff_ms * 2;
}

static void on_sub_message(redisAsyncContext *ac, void *reply, void *privdata);

static void on_connect(const redisAsyncContext *ac, int status)
{
    struct link *l = ac->data;
    if (status != REDIS_OK) {
        link_lost(l, ac->errstr);
        return;
    }
    struct queue_async *q = l->q;
    redisAsyncContext *c = (redisAsyncContext *)ac;
    if (q->url.password[0]) redisAsyncCommand(c, NULL, NULL, "AUTH %s", q->url.password);
    if (q->url.db) redisAsyncCommand(c, NULL, NULL, "SELECT %d", q->url.db);
    l->up = 1;
    l->backoff_ms = q->cfg.backoff_min_ms;
    l->progress_ms = gv_now_ms();
    if (l == &q->sub) {
        redisAsyncCommand(c, on_sub_message, q, "SUBSCRIBE %s", QUEUE_KEY_EVENTS);
        return;
    }
    gv_info("queue: redis %s:%d connected", q->url.host, q->url.port);
    if (q->cfg.on_state) q->cfg.on_state(QUEUE_LINK_UP, q->cfg.arg);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    (void)status;
    link_lost(ac->data, ac->errstr[0] ? ac->errstr : "connection closed");
}

static void link_connect(struct link *l)
{
    struct queue_async *q = l->q;
    redisAsyncContext *ac = redisAsyncConnect(q->url.host, q->url.port);
    if (!ac || ac->err) {
        char why[128];
        snprintf(why, sizeof why, "connect: %s", ac ? ac->errstr : "out of memory");
        if (ac) redisAsyncFree(ac);
        link_lost(l, why);
        return;
    }
    ac->data = l;
    l->ac = ac;
    l->progress_ms = gv_now_ms();
    if (redisLibeventAttach(ac, q->base) != REDIS_OK) {
        l->ac = NULL;
        redisAsyncFree(ac);
        link_lost(l, "libevent attach failed");
        return;
    }
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    link_connect(arg);
}

/* Frees a link's context from outside hiredis' callbacks; its pending callbacks get no reply. */
static void link_kill(struct link *l, const char *why)
{
    redisAsyncContext *ac = l->ac;
    if (!ac) return;
    /* hiredis calls on_disconnect (-> link_lost) only for a connected context. */
    redisAsyncFree(ac);
    if (l->ac == ac) link_lost(l, why);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct queue_async *q = arg;
    int64_t now = gv_now_ms();
    struct link *links[] = {&q->cmd, &q->sub};
    for (int i = 0; i < 2; i++) {
        struct link *l = links[i];
        int stuck =
            l->ac && (!l->up || l->pending > 0) && now - l->progress_ms > q->cfg.command_timeout_ms;
        if (stuck) link_kill(l, l->up ? "no answer (timeout)" : "connect timeout");
    }
}

/*** Life ***/

static int link_init(struct queue_async *q, struct link *l, const char *name)
{
    l->q = q;
    l->name = name;
    l->backoff_ms = q->cfg.backoff_min_ms;
    l->retry = evtimer_new(q->base, on_retry, l);
    return l->retry ? 0 : -1;
}

struct queue_async *queue_async_new(struct event_base *base, const struct queue_async_config *cfg)
{
    struct queue_async *q = calloc(1, sizeof *q);
    if (!q) return NULL;
    q->base = base;
    q->cfg = *cfg;
    q->cfg.redis_url = NULL; /* not kept: parsed below */
    if (!q->cfg.backoff_min_ms) q->cfg.backoff_min_ms = 100;
    if (!q->cfg.backoff_max_ms) q->cfg.backoff_max_ms = 5000;
    if (!q->cfg.command_timeout_ms) q->cfg.command_timeout_ms = 5000;
    if (!cfg->redis_url || queue_url_parse(cfg->redis_url, &q->url) < 0) {
        gv_error("queue: bad redis URL '%s'", cfg->redis_url ? cfg->redis_url : "");
        free(q);
        return NULL;
    }
    q->tick = event_new(base, -1, EV_PERSIST, on_tick, q);
    if (!q->tick || link_init(q, &q->cmd, "command") < 0 ||
        link_init(q, &q->sub, "subscribe") < 0) {
        queue_async_free(q);
        return NULL;
    }
    struct timeval tv = {0, QUEUE_ASYNC_TICK_MS * 1000};
    if (event_add(q->tick, &tv) != 0) {
        gv_error("queue: event_add of the %d ms tick failed", QUEUE_ASYNC_TICK_MS);
        queue_async_free(q);
        return NULL;
    }
    link_connect(&q->cmd);
    link_connect(&q->sub);
    return q;
}

void queue_async_free(struct queue_async *q)
{
    if (!q) return;
    q->freeing = 1;
    struct link *links[] = {&q->cmd, &q->sub};
    for (int i = 0; i < 2; i++) {
        if (links[i]->ac) redisAsyncFree(links[i]->ac);
        links[i]->ac = NULL;
        if (links[i]->retry) event_free(links[i]->retry);
    }
    if (q->tick) event_free(q->tick);
    free(q);
}

int queue_async_up(const struct queue_async *q)
{
    return q->cmd.up;
}

int queue_async_subscribed(const struct queue_async *q)
{
    return q->subscribed;
}

/*** The subscription ***/

static void on_sub_message(redisAsyncContext *ac, void *reply, void *privdata)
{
    (void)ac;
    struct queue_async *q = privdata;
    redisReply *r = reply;
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 3 ||
        r->element[0]->type != REDIS_REPLY_STRING)
        return;
    q->sub.progress_ms = gv_now_ms();
    const char *kind = r->element[0]->str;
    if (strcmp(kind, "subscribe") == 0) {
        int first = !q->subscribed_once;
        q->subscribed = 1;
        q->subscribed_once = 1;
        gv_info("queue: subscribed to %s%s", QUEUE_KEY_EVENTS, first ? "" : " again");
        if (q->cfg.on_resubscribed) q->cfg.on_resubscribed(first, q->cfg.arg);
        return;
    }
    const redisReply *payload = r->element[2];
    if (strcmp(kind, "message") != 0 || payload->type != REDIS_REPLY_STRING) return;
    struct queue_event ev;
    if (queue_event_parse(payload->str, (size_t)payload->len, &ev) < 0) {
        gv_warn("queue: ignoring a malformed event (%d bytes)", (int)payload->len);
        return;
    }
    if (q->cfg.on_event) q->cfg.on_event(&ev, q->cfg.arg);
}

/*** Requests ***/

static struct req *req_new(struct queue_async *q, enum req_kind kind, void *arg)
{
    struct req *r = calloc(1, sizeof *r);
    if (r) {
        r->q = q;
        r->kind = kind;
        r->arg = arg;
    }
    return r;
}

/* Accounting around a request with a callback. */
static void sent(struct link *l)
{
    if (l->pending++ == 0) l->progress_ms = gv_now_ms();
}

static int answered(struct req *r, const redisReply *reply)
{
    struct link *l = &r->q->cmd;
    if (reply) {
        if (l->pending > 0) l->pending--;
        l->progress_ms = gv_now_ms();
    }
    if (!reply || queue_error_transient(reply)) return QUEUE_ERR_DOWN;
    return reply->type == REDIS_REPLY_ERROR ? QUEUE_ERR_REDIS : QUEUE_OK;
}

static void on_enqueued(redisAsyncContext *ac, void *reply, void *privdata)
{
    (void)ac;
    struct req *r = privdata;
    redisReply *rep = reply;
    int rc = answered(r, rep);
    /* EXEC answers an array of the transaction's replies, or nil when it was aborted. */
    if (rc == QUEUE_OK && rep->type != REDIS_REPLY_ARRAY) rc = QUEUE_ERR_REDIS;
    for (size_t i = 0; rc == QUEUE_OK && i < rep->elements; i++)
        if (rep->element[i]->type == REDIS_REPLY_ERROR)
            rc = queue_error_transient(rep->element[i]) ? QUEUE_ERR_DOWN : QUEUE_ERR_REDIS;
    /* MULTI refused as "not now" (LOADING...): EXEC then says "without MULTI"; it is DOWN. */
    if (rc == QUEUE_ERR_REDIS && r->transient) rc = QUEUE_ERR_DOWN;
    r->cb.enqueue(rc, rc == QUEUE_OK ? r->id : NULL, rc == QUEUE_OK ? r->token : NULL, r->arg);
    free(r);
}

static void on_multi(redisAsyncContext *ac, void *reply, void *privdata)
{
    (void)ac;
    struct req *r = privdata;
    if (r->orphan) {
        free(r); /* the rest of the transaction was never queued: nobody else holds r */
        return;
    }
    if (queue_error_transient(reply)) r->transient = 1;
}

static int valid_new(const struct queue_new_submission *s)
{
    int names = s->problem && s->language && queue_id_valid(s->problem) &&
                queue_id_valid(s->language) && strlen(s->problem) <= QUEUE_NAME_MAX &&
                strlen(s->language) <= QUEUE_NAME_MAX;
    int token = !s->token || (strlen(s->token) == QUEUE_TOKEN_LEN &&
                              strspn(s->token, "0123456789abcdef") == QUEUE_TOKEN_LEN);
    return names && token && (s->source || s->source_len == 0) && s->source_len <= QUEUE_SOURCE_MAX;
}

int queue_async_enqueue(struct queue_async *q, const struct queue_new_submission *s,
                        queue_enqueue_cb cb, void *arg)
{
    if (!valid_new(s) || !cb) return QUEUE_ERR_INVALID;
    if (!q->cmd.up) return QUEUE_ERR_DOWN;
    struct req *r = req_new(q, REQ_ENQUEUE, arg);
    if (!r) return QUEUE_ERR_REDIS;
    r->cb.enqueue = cb;
    char key[QUEUE_KEY_MAX], now[24];
    if (queue_new_id(r->id, sizeof r->id) < 0 ||
        (s->token ? (gv_strlcpy(r->token, s->token, sizeof r->token), 0)
                  : queue_new_token(r->token, sizeof r->token)) < 0) {
        free(r);
        return QUEUE_ERR_REDIS;
    }
    queue_key_submission(key, sizeof key, r->id);
    snprintf(now, sizeof now, "%lld", (long long)gv_wall_ms());
    const char *hset[] = {"HSET",     key,         "problem", s->problem,
                          "language", s->language, "source",  s->source ? s->source : "",
                          "token",    r->token,    "status",  "queued",
                          "seq",      "0",         "created", now,
                          "attempts", "0",         "tests",   "[]"};
    size_t n = sizeof hset / sizeof hset[0], lens[sizeof hset / sizeof hset[0]];
    for (size_t i = 0; i < n; i++)
        lens[i] = i == 7 ? s->source_len : strlen(hset[i]); /* [7]: the source, maybe with NULs */
    redisAsyncContext *ac = q->cmd.ac;
    int multi = redisAsyncCommand(ac, on_multi, r, "MULTI") == REDIS_OK;
    int ok = multi && redisAsyncCommandArgv(ac, NULL, NULL, (int)n, hset, lens) == REDIS_OK &&
             redisAsyncCommand(ac, NULL, NULL, "LPUSH %s %s", QUEUE_KEY_QUEUE, r->id) == REDIS_OK &&
             redisAsyncCommand(ac, on_enqueued, r, "EXEC") == REDIS_OK;
    if (!ok) {
        /* Once MULTI is queued its callback will run: it frees r then. */
        if (multi)
            r->orphan = 1;
        else
            free(r);
        return QUEUE_ERR_DOWN;
    }
    sent(&q->cmd);
    return QUEUE_OK;
}

static void on_get(redisAsyncContext *ac, void *reply, void *privdata)
{
    (void)ac;
    struct req *r = privdata;
    redisReply *rep = reply;
    int rc = answered(r, rep);
    struct queue_submission s;
    memset(&s, 0, sizeof s);
    if (rc == QUEUE_OK && rep->type != REDIS_REPLY_ARRAY)
        rc = QUEUE_ERR_REDIS;
    else if (rc == QUEUE_OK && rep->elements == 0)
        rc = QUEUE_ERR_NOTFOUND;
    else if (rc == QUEUE_OK && queue_submission_from_reply(&s, r->id, rep) < 0)
        rc = QUEUE_ERR_REDIS;
    r->cb.get(rc, rc == QUEUE_OK ? &s : NULL, r->arg);
    queue_submission_free(&s);
    free(r);
}

int queue_async_get(struct queue_async *q, const char *id, queue_get_cb cb, void *arg)
{
    char key[QUEUE_KEY_MAX];
    if (!cb || queue_key_submission(key, sizeof key, id) < 0) return QUEUE_ERR_INVALID;
    if (!q->cmd.up) return QUEUE_ERR_DOWN;
    struct req *r = req_new(q, REQ_GET, arg);
    if (!r) return QUEUE_ERR_REDIS;
    r->cb.get = cb;
    gv_strlcpy(r->id, id, sizeof r->id);
    if (redisAsyncCommand(q->cmd.ac, on_get, r, "HGETALL %s", key) != REDIS_OK) {
        free(r);
        return QUEUE_ERR_DOWN;
    }
    sent(&q->cmd);
    return QUEUE_OK;
}

static void on_count(redisAsyncContext *ac, void *reply, void *privdata)
{
    (void)ac;
    struct req *r = privdata;
    redisReply *rep = reply;
    int rc = answered(r, rep);
    if (rc == QUEUE_OK && rep->type != REDIS_REPLY_INTEGER) rc = QUEUE_ERR_REDIS;
    r->cb.count(rc, rc == QUEUE_OK ? rep->integer : 0, r->arg);
    free(r);
}

static int count_request(struct queue_async *q, queue_count_cb cb, void *arg, int argc,
                         const char **argv)
{
    if (!cb) return QUEUE_ERR_INVALID;
    if (!q->cmd.up) return QUEUE_ERR_DOWN;
    struct req *r = req_new(q, REQ_COUNT, arg);
    if (!r) return QUEUE_ERR_REDIS;
    r->cb.count = cb;
    if (redisAsyncCommandArgv(q->cmd.ac, on_count, r, argc, argv, NULL) != REDIS_OK) {
        free(r);
        return QUEUE_ERR_DOWN;
    }
    sent(&q->cmd);
    return QUEUE_OK;
}

int queue_async_length(struct queue_async *q, queue_count_cb cb, void *arg)
{
    const char *argv[] = {"LLEN", QUEUE_KEY_QUEUE};
    return count_request(q, cb, arg, 2, argv);
}

int queue_async_workers(struct queue_async *q, queue_count_cb cb, void *arg)
{
    const char *argv[] = {"EVAL", queue_script_text(QUEUE_SCRIPT_LIVE), "1", QUEUE_KEY_WORKERS};
    return count_request(q, cb, arg, 4, argv);
}
