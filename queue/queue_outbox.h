/*
 * queue_outbox.h - a worker's outgoing events: ordered, coalesced, and kept until Redis takes them.
 *
 * Judging threads put events into the outbox and go on at once; one publisher thread (with its
 * own queue_conn) sends them with queue_publish_*(). So a slow or absent Redis never stalls a
 * judge: while Redis is down the events wait, in order, and go out when it is back.
 *
 * Order: the events of one submission are sent in the order they were put. Coalescing: test
 * results of one submission are gathered into one `tests` event that leaves at most once per
 * window (default 50 ms), carrying every test finished since the last one; a later event of the
 * same submission (the final) flushes it first. An event Redis refuses (the job is no longer ours,
 * or already final) is dropped, and so is the rest of that submission's events.
 *
 * Thread-safe: any thread may put; queue_outbox_free from the thread that created it.
 */
#ifndef GAVEL_QUEUE_OUTBOX_H
#define GAVEL_QUEUE_OUTBOX_H

#include "queue_sync.h"

#define QUEUE_OUTBOX_WINDOW_MS 50 /* default coalescing window of `tests` events */

struct queue_outbox;

/* Called on the publisher thread after a final was sent (rc QUEUE_OK) or refused / dropped. */
typedef void (*queue_final_cb)(const char *id, int rc, long long seq, void *arg);

/* Starts the publisher thread with its own connection to redis_url. window_ms 0 means
 * QUEUE_OUTBOX_WINDOW_MS. on_final may be NULL. NULL on failure. */
struct queue_outbox *queue_outbox_new(const char *redis_url, int window_ms, queue_final_cb on_final,
                                      void *arg);
/* Stops the thread (unsent events are dropped and logged) and frees everything. */
void queue_outbox_free(struct queue_outbox *o);

/* Puts a status event ("compiling", "running"). 0, or -1 when out of memory. */
int queue_outbox_status(struct queue_outbox *o, const struct queue_owner *owner, const char *id,
                        const char *status);
/* Puts one finished test: test is a JSON object ({"n":3,"group":"secret","verdict":"AC",
 * "time_ms":5,"memory_kib":900}); total is the number of tests. 0 or -1. */
int queue_outbox_test(struct queue_outbox *o, const struct queue_owner *owner, const char *id,
                      long long total, const char *test);
/* Puts the final result (see queue_publish_final; owner NULL is allowed there). 0 or -1. */
int queue_outbox_final(struct queue_outbox *o, const struct queue_owner *owner, const char *id,
                       const char *verdict, const char *result);

/* Waits until everything put so far is sent or dropped, at most timeout_ms. 0 when empty, -1 on
 * timeout. */
int queue_outbox_drain(struct queue_outbox *o, int timeout_ms);
/* Number of events waiting. */
size_t queue_outbox_pending(struct queue_outbox *o);

#endif
