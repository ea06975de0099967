/*
 * queue_sync.h - the blocking side of libgavel_queue, for the judge's workers (hiredis sync).
 *
 * A struct queue_conn is one Redis connection for one thread (never share one between threads).
 * It reconnects by itself: a call on a broken connection tries to connect again, at most once per
 * backoff period (doubling from 100 ms up to 5 s), and returns QUEUE_ERR_DOWN meanwhile; callers
 * just retry later. Lua scripts are sent with EVALSHA and loaded again after NOSCRIPT (a restarted
 * Redis has forgotten them).
 *
 * The life of a job, from the worker's side:
 *   queue_claim()     BLMOVE gavel:queue -> gavel:processing:{worker} (blocks at most timeout)
 *   queue_start()     marks it ours (worker, started, attempts + 1) and reads it back
 *   queue_publish_*() status / tests / final events: stored, seq bumped and published by one
 *                     script; the final also LREMs the id from the processing list; events from a
 *                     worker that no longer owns the job, or after the final, are refused
 *   queue_release()   hands a job back to the queue unjudged (shutdown past the grace period)
 * and around it queue_heartbeat() every TTL / 3 and queue_reap() now and then.
 */
#ifndef GAVEL_QUEUE_SYNC_H
#define GAVEL_QUEUE_SYNC_H

#include "queue.h"

struct queue_conn;

/* Creates a connection to url (redis://host:port[/db]); tries to connect at once but succeeds
 * even when Redis is down (calls then return QUEUE_ERR_DOWN until it is back). timeout_ms bounds
 * connects and every command except the BLMOVE wait. NULL on a bad URL or no memory. */
struct queue_conn *queue_conn_new(const char *url, int timeout_ms);
void queue_conn_free(struct queue_conn *c);
/* 1 when the connection is up right now. */
int queue_conn_up(const struct queue_conn *c);

/* Stores a new submission and queues it (MULTI HSET + LPUSH, as the gateway does); for tools and
 * tests. id_out (QUEUE_ID_MAX + 1) gets the new id; token may be NULL. */
int queue_enqueue(struct queue_conn *c, const char *problem, const char *language,
                  const char *source, size_t source_len, const char *token, char *id_out);

/* Reads one submission; QUEUE_ERR_NOTFOUND when there is none. Free with queue_submission_free. */
int queue_get(struct queue_conn *c, const char *id, struct queue_submission *out);

/* Adds worker to gavel:workers (so the reaper can always find its processing list), then
 * waits up to timeout_ms for a job and moves its id into gavel:processing:{worker}. Returns 1
 * with id_out (QUEUE_ID_MAX + 1 bytes) filled, 0 when the wait ended empty, or a QUEUE_ERR_*.
 * An id that is not valid is dropped from the processing list and logged, and 0 returned. */
int queue_claim(struct queue_conn *c, const char *worker, int timeout_ms, char *id_out);

/* Who holds a started job: the worker and the attempt number queue_start gave it. Events and
 * release name it, so a worker whose job was reaped and handed to another (or to another slot of
 * the same worker) is refused instead of mixing its events into the new attempt's. */
struct queue_owner {
    char worker[QUEUE_ID_MAX + 1];
    long long attempt;
};

/* Marks a claimed job as ours (owner, worker, started, attempts + 1) and reads it into out; owner
 * gets who we are for the events. Returns QUEUE_OK; QUEUE_ERR_NOTFOUND when the hash is missing
 * (owner is still filled, attempt 0, so the caller can end it as JE); QUEUE_ERR_REFUSED when it
 * is already done (the id is removed from our processing list). A job whose fields are missing or
 * malformed is returned as QUEUE_OK with what is there: the caller validates and ends it as JE. */
int queue_start(struct queue_conn *c, const char *worker, const char *id,
                struct queue_submission *out, struct queue_owner *owner);

/* Events. Each is one Lua script: checks that the job is still the owner's and not finished,
 * stores the new state, bumps seq and PUBLISHes the JSON on gavel:events. QUEUE_ERR_REFUSED when
 * it is not the owner's any more (the reaper gave it away) or already final. seq_out (may be
 * NULL) gets the new seq. */

/* status is "compiling" or "running". */
int queue_publish_status(struct queue_conn *c, const struct queue_owner *owner, const char *id,
                         const char *status, long long *seq_out);
/* tests_items is the inside of a JSON array (objects separated by commas, no brackets) of the
 * tests finished since the last tests event; total is the number of tests. */
int queue_publish_tests(struct queue_conn *c, const struct queue_owner *owner, const char *id,
                        long long total, const char *tests_items, long long *seq_out);
/* result is a JSON object with the whole result as GET returns it ("verdict", "score",
 * "time_ms", "memory_kib", "compile_output", "tests", "timings", ...); it is wrapped as
 * {"type":"final","submission","seq",...} and written once: a second final is refused. Also
 * LREMs id from the owner's processing list. A missing hash is created (poison jobs end as JE
 * this way). owner NULL: no owner check and no LREM (tools). */
int queue_publish_final(struct queue_conn *c, const struct queue_owner *owner, const char *id,
                        const char *verdict, const char *result, long long *seq_out);

/* Hands a job the owner holds back to the queue unjudged (owner cleared, attempts - 1, RPUSH so
 * it is claimed next, a "queued" status event). */
int queue_release(struct queue_conn *c, const struct queue_owner *owner, const char *id);

/* What a heartbeat says about its worker. languages is a JSON array text, e.g. ["c","cpp"]. */
struct queue_worker_info {
    const char *host;
    int slots;
    int busy;
    const char *version;
    const char *languages;
};

/* SET gavel:worker:{worker} <json> PX ttl_ms, SADD gavel:workers. */
int queue_heartbeat(struct queue_conn *c, const char *worker, const struct queue_worker_info *info,
                    int ttl_ms);
/* Removes our heartbeat (clean exit): our processing list is then reaped by the next reaper. */
int queue_heartbeat_clear(struct queue_conn *c, const char *worker);

/* The reaper (one Lua script, safe to run from every worker at once): for every worker in
 * gavel:workers whose heartbeat is gone, each id in its processing list goes back to the queue
 * (RPUSH: claimed next) with a "queued" status event, or, when it was started QUEUE_MAX_ATTEMPTS
 * times, ends with a JE final ("judged 3 times, every judge died"). requeued / failed (may be
 * NULL) get the counts. */
int queue_reap(struct queue_conn *c, long long *requeued, long long *failed);

/* What a worker does once at start, before its first heartbeat: its own processing list (left by
 * an earlier process with the same name that died) is reaped as if its heartbeat had expired.
 * Worker names must therefore be unique among running workers. */
int queue_recover(struct queue_conn *c, const char *worker, long long *requeued, long long *failed);

/* After a claim failed with QUEUE_ERR_DOWN, its BLMOVE may still have landed an id in the
 * worker's processing list, which the worker's own heartbeat would hide from the reaper for
 * ever: every id there but the n_held (at most QUEUE_STRAYS_HELD_MAX) the worker's slots hold
 * goes back to the queue, unless its job is done. *requeued: how many. */
#define QUEUE_STRAYS_HELD_MAX 24
int queue_requeue_strays(struct queue_conn *c, const char *worker, const char *const *held,
                         size_t n_held, long long *requeued);

/* Number of live heartbeats. */
int queue_live_workers(struct queue_conn *c, long long *n);

#endif
