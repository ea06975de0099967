/*
 * queue.h - the public API of libgavel_queue: the one place that knows Redis key names, job and
 * event JSON and the Lua scripts (DESIGN.md, "Redis schema"). Gateway and judge link it.
 */
#ifndef GAVEL_QUEUE_H
#define GAVEL_QUEUE_H

#include <stddef.h>

#define QUEUE_PREFIX      "gavel:"
#define QUEUE_KEY_QUEUE   QUEUE_PREFIX "queue"
#define QUEUE_KEY_EVENTS  QUEUE_PREFIX "events"
#define QUEUE_ID_MAX      64 /* longest submission or worker id accepted */
#define QUEUE_KEY_MAX     (sizeof QUEUE_PREFIX + 16 + QUEUE_ID_MAX)

/* True when id is 1..QUEUE_ID_MAX bytes of [A-Za-z0-9._-]: safe inside a key and a URL. */
int queue_id_valid(const char *id);

/* Key names: gavel:sub:{id}, gavel:processing:{worker}, gavel:worker:{worker}. Return 0, or -1
 * when the id is not valid (buf untouched). */
int queue_key_submission(char *buf, size_t size, const char *id);
int queue_key_processing(char *buf, size_t size, const char *worker);
int queue_key_worker(char *buf, size_t size, const char *worker);

#endif
