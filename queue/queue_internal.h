/*
 * queue_internal.h - what the files of libgavel_queue share and nobody else sees: the Lua
 * scripts, turning an HGETALL reply into a struct queue_submission, and the JSON pieces the
 * scripts splice a seq into.
 */
#ifndef GAVEL_QUEUE_INTERNAL_H
#define GAVEL_QUEUE_INTERNAL_H

#include "queue.h"

#include "gv.h"

#include <hiredis/hiredis.h>

/* The Lua scripts (queue_scripts.c documents each one's KEYS and ARGV). */
enum queue_script {
    QUEUE_SCRIPT_START,
    QUEUE_SCRIPT_EVENT,
    QUEUE_SCRIPT_FINAL,
    QUEUE_SCRIPT_RELEASE,
    QUEUE_SCRIPT_REAP,
    QUEUE_SCRIPT_LIVE,
    QUEUE_SCRIPT_STRAYS,
    QUEUE_SCRIPT_COUNT
};

/* The full text of a script (a shared prelude of helpers, then its body). */
const char *queue_script_text(enum queue_script s);

/* Fills s from the flat field/value array of HGETALL (and the id). 0, or -1 when a field is
 * over its bound or memory runs out (s is freed then). */
int queue_submission_from_reply(struct queue_submission *s, const char *id, const redisReply *r);

/* '{"type":"<type>","submission":"<id>","seq":' into b: the part before the seq. 0 or -1. */
int queue_event_prefix(struct gv_buf *b, const char *type, const char *id);
/* The part after the seq of a final: ',' and the members of the result object without its
 * "type", "submission" and "seq" (plus '}'). -1 when result is not a JSON object. */
int queue_final_suffix(struct gv_buf *b, const char *result);
/* The part after the seq of the reaper's JE final ("judged 3 times, every judge died"). */
const char *queue_reaped_suffix(void);
/* True for an error answer that means "not now" rather than "never": LOADING (a restarted Redis
 * replaying its AOF), BUSY, MASTERDOWN, READONLY (a replica after a failover), TRYAGAIN. Such
 * answers are treated like a lost connection (QUEUE_ERR_DOWN): retried, never dropped. */
int queue_error_transient(const redisReply *r);

/* The owner field's value: "<worker>#<attempt>". */
int queue_owner_string(char *buf, size_t size, const char *worker, long long attempt);

#endif
