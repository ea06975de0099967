/*
 * queue_async.h - the event-driven side of libgavel_queue, for the gateway (hiredis async on the
 * libevent adapter).
 *
 * One struct queue_async holds two Redis connections on the caller's event_base: one for
 * commands, one subscribed to gavel:events. Both reconnect on their own with exponential backoff
 * (backoff_min_ms doubling up to backoff_max_ms); the caller hears about it through on_state
 * (the command link) and on_resubscribed (the subscription link, after every (re)subscribe, so
 * the gateway can send snapshots again for what its clients watch).
 *
 * Callbacks: every request call returns QUEUE_OK and later calls its callback exactly once (with
 * a QUEUE_ERR_* code if the connection drops before the answer, or when queue_async_free runs),
 * or returns a QUEUE_ERR_* code at once (link down, bad argument) and never calls it.
 * Everything runs on the event_base's thread; nothing here is thread-safe.
 *
 * Joining a snapshot and the live stream: subscribe first (on_resubscribed has fired), then
 * queue_async_get(); the snapshot carries seq S; forward only live events with seq > S for that
 * submission. Events and snapshot come from one Lua script each, so there is no gap.
 */
#ifndef GAVEL_QUEUE_ASYNC_H
#define GAVEL_QUEUE_ASYNC_H

#include "queue.h"

struct event_base;
struct queue_async;

enum queue_link { QUEUE_LINK_DOWN, QUEUE_LINK_UP };

struct queue_async_config {
    const char *redis_url;  /* redis://host:port[/db] */
    int backoff_min_ms;     /* first reconnect delay; 0 -> 100 */
    int backoff_max_ms;     /* cap of the doubling; 0 -> 5000 */
    int command_timeout_ms; /* a request unanswered this long drops the link; 0 -> 5000 */
    /* The command link went up or down (called on every change, not at start while down). */
    void (*on_state)(enum queue_link state, void *arg);
    /* One event from gavel:events: ev->json is the message to forward as it is. */
    void (*on_event)(const struct queue_event *ev, void *arg);
    /* The subscription is (again) in place; `first` is 1 the first time only. */
    void (*on_resubscribed)(int first, void *arg);
    void *arg;
};

/* Creates the client and starts connecting (returns before the link is up). The config is
 * copied. NULL on a bad URL or allocation failure. */
struct queue_async *queue_async_new(struct event_base *base, const struct queue_async_config *cfg);
/* Disconnects both links; pending callbacks are called with QUEUE_ERR_DOWN first. */
void queue_async_free(struct queue_async *q);
/* 1 when the command link is up (requests can be sent), else 0. */
int queue_async_up(const struct queue_async *q);
/* 1 when the subscription is in place, else 0. */
int queue_async_subscribed(const struct queue_async *q);

/* A new submission to store and queue. token may be NULL: one is generated. */
struct queue_new_submission {
    const char *problem;  /* a valid id, at most QUEUE_NAME_MAX */
    const char *language; /* a valid id, at most QUEUE_NAME_MAX */
    const char *source;
    size_t source_len; /* at most QUEUE_SOURCE_MAX */
    const char *token; /* NULL, or QUEUE_TOKEN_LEN characters of [0-9a-f] */
};

/* rc QUEUE_OK: id and token are the new submission's (valid during the call only). */
typedef void (*queue_enqueue_cb)(int rc, const char *id, const char *token, void *arg);
/* Stores gavel:sub:{id} and LPUSHes the id onto gavel:queue in one MULTI/EXEC. */
int queue_async_enqueue(struct queue_async *q, const struct queue_new_submission *s,
                        queue_enqueue_cb cb, void *arg);

/* rc QUEUE_OK: s is the submission (valid during the call only); QUEUE_ERR_NOTFOUND: none. */
typedef void (*queue_get_cb)(int rc, const struct queue_submission *s, void *arg);
/* Reads one submission (HGETALL: one consistent state with its seq). */
int queue_async_get(struct queue_async *q, const char *id, queue_get_cb cb, void *arg);

typedef void (*queue_count_cb)(int rc, long long n, void *arg);
/* Number of ids waiting in gavel:queue (LLEN). */
int queue_async_length(struct queue_async *q, queue_count_cb cb, void *arg);
/* Number of workers whose heartbeat is alive. */
int queue_async_workers(struct queue_async *q, queue_count_cb cb, void *arg);

#endif
