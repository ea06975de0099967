/*
 * queue.h - the public API of libgavel_queue: the one place that knows Redis key names, job and
 * event JSON and the Lua scripts (DESIGN.md, "Redis schema"). Gateway and judge link it.
 *
 * This header holds what both sides share: ids and key names, the submission as stored in
 * gavel:sub:{id}, and the JSON built from it. The two ways of talking to Redis are in
 * queue_async.h (event-driven, for the gateway: hiredis async on libevent) and queue_sync.h
 * (blocking, one connection per thread, for the judge's workers). docs/queue.md tells the life
 * of a job and what happens on each failure.
 *
 * Keys (all under "gavel:"):
 *   gavel:sub:{id}            hash: problem, language, source, token, status, verdict, result,
 *                             tests, total, seq, created, started, finished, attempts, worker
 *   gavel:queue               list of ids; LPUSH by the gateway, BLMOVE RIGHT by workers
 *   gavel:processing:{worker} list of ids a worker holds (reliable-queue pattern)
 *   gavel:worker:{worker}     heartbeat: JSON (host, slots, busy, version, languages), with a TTL
 *   gavel:workers             set of worker names ever seen, walked by the reaper
 *   gavel:events              pub/sub channel: every event's JSON
 */
#ifndef GAVEL_QUEUE_H
#define GAVEL_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#define QUEUE_PREFIX       "gavel:"
#define QUEUE_KEY_QUEUE    QUEUE_PREFIX "queue"
#define QUEUE_KEY_EVENTS   QUEUE_PREFIX "events"
#define QUEUE_KEY_WORKERS  QUEUE_PREFIX "workers"
#define QUEUE_ID_MAX       64 /* longest submission or worker id accepted */
#define QUEUE_KEY_MAX      (sizeof QUEUE_PREFIX + 16 + QUEUE_ID_MAX)
#define QUEUE_TOKEN_LEN    32        /* hex characters of a generated token */
#define QUEUE_NAME_MAX     64        /* problem and language ids */
#define QUEUE_SOURCE_MAX   (1 << 20) /* largest source stored (the gateway's limit is lower) */
#define QUEUE_RESULT_MAX   (4 << 20) /* largest result / tests JSON read back from Redis */
#define QUEUE_MAX_ATTEMPTS 3         /* judged this many times by judges that died -> JE */

/* Return codes of every queue_* call that talks to Redis. */
enum queue_rc {
    QUEUE_OK = 0,
    QUEUE_ERR_DOWN = -1,     /* no connection to Redis (retry later) */
    QUEUE_ERR_NOTFOUND = -2, /* no such submission */
    QUEUE_ERR_INVALID = -3,  /* bad argument (id alphabet, sizes) */
    QUEUE_ERR_REDIS = -4,    /* Redis answered with an error or something unexpected */
    QUEUE_ERR_REFUSED = -5,  /* an event was refused: final already written, or not the owner */
};

/* "ok", "redis down", ... for logs. */
const char *queue_rc_name(int rc);

/*** Ids and keys ***/

/* True when id is 1..QUEUE_ID_MAX bytes of [A-Za-z0-9._-]: safe inside a key and a URL. */
int queue_id_valid(const char *id);

/* Key names: gavel:sub:{id}, gavel:processing:{worker}, gavel:worker:{worker}. Return 0, or -1
 * when the id is not valid (buf untouched). */
int queue_key_submission(char *buf, size_t size, const char *id);
int queue_key_processing(char *buf, size_t size, const char *worker);
int queue_key_worker(char *buf, size_t size, const char *worker);

#define QUEUE_NEW_ID_LEN 24 /* 11 hex of ms since the epoch, '-', 12 hex random */

/* A new submission id: time-sortable (fixed-width hex milliseconds first) and unique (48 random
 * bits from getrandom). buf needs QUEUE_NEW_ID_LEN + 1 bytes. 0 or -1 when no randomness. */
int queue_new_id(char *buf, size_t size);
/* A new secret token of QUEUE_TOKEN_LEN hex characters; buf needs QUEUE_TOKEN_LEN + 1. 0 or -1. */
int queue_new_token(char *buf, size_t size);

/*** Redis URL ***/

/* redis://[:password@]host[:port][/db]; host may be a name or an address. */
struct queue_url {
    char host[256];
    int port;           /* default 6379 */
    int db;             /* default 0 */
    char password[128]; /* empty when none */
};

/* Parses url; 0, or -1 when it is not of the form above. */
int queue_url_parse(const char *url, struct queue_url *out);

/*** The stored submission ***/

/* One submission as read from gavel:sub:{id}. Strings are NUL-terminated; the heap ones are owned
 * by the struct (queue_submission_free). status is "queued", "compiling", "running" or "done". */
struct queue_submission {
    char id[QUEUE_ID_MAX + 1];
    char problem[QUEUE_NAME_MAX + 1];
    char language[QUEUE_NAME_MAX + 1];
    char token[QUEUE_TOKEN_LEN + 1];
    char status[16];
    char verdict[8]; /* empty until done */
    char worker[QUEUE_ID_MAX + 1];
    char *source; /* heap; "" when absent */
    size_t source_len;
    char *tests;        /* heap: JSON array of the tests finished so far ("[]" when none) */
    char *result;       /* heap: the final event's JSON when done, else NULL */
    long long seq;      /* last event's seq (0 before any event) */
    long long total;    /* number of tests, when known (0 before) */
    long long attempts; /* times a worker started judging it */
    int64_t created_ms, started_ms, finished_ms; /* wall clock ms; 0 when not yet */
};

/* Frees the heap members and zeroes the struct. */
void queue_submission_free(struct queue_submission *s);

/* The body of GET /api/submissions/{id}: {"id","problem","language","status","verdict","score",
 * "time_ms","memory_kib","compile_output","tests":[...],"timings":{...},"created","finished",
 * "source" (only when with_source)}; for a finished submission the fields of its final result.
 * Heap string (caller frees), NULL on allocation failure. */
char *queue_submission_json(const struct queue_submission *s, int with_source);

/* The WebSocket snapshot for a subscriber: {"type":"snapshot","submission","seq","status",
 * "total","tests":[...]} while judging; for a finished submission the stored final event itself
 * ({"type":"final",...}), so a subscribe to a finished submission gets its final at once.
 * Heap string (caller frees), NULL on allocation failure. */
char *queue_snapshot_json(const struct queue_submission *s);

/*** Events ***/

/* What a subscriber learns of one event from gavel:events without parsing it again. */
struct queue_event {
    char submission[QUEUE_ID_MAX + 1];
    char type[16]; /* "status", "tests" or "final" */
    long long seq;
    const char *json; /* the message exactly as DESIGN.md's WebSocket protocol sends it */
    size_t len;
};

/* Parses an event message (from the channel); 0, or -1 when it is not one of ours. ev->json
 * points into `json`. */
int queue_event_parse(const char *json, size_t len, struct queue_event *ev);

#endif
