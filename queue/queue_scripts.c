/*
 * queue_scripts.c - the Lua scripts that make every change of a job's state atomic.
 *
 * Redis runs one script at a time, so each of these is a transaction: a worker's event and the
 * reaper cannot interleave, two reapers cannot both return the same job, and a final cannot be
 * written twice. Every event goes the same way, through emit(): HINCRBY seq, splice the seq
 * between a JSON prefix and suffix built by the caller (so the JSON is made in C, with proper
 * escaping, and Lua only concatenates), PUBLISH it on gavel:events. The stored state and the seq
 * change in the same script as the publish, which is what lets a gateway join a snapshot (HGETALL,
 * carrying seq S) and the live stream (events with seq > S) without a gap or a duplicate.
 *
 * Ownership: queue_start writes owner = "<worker>#<attempt>"; events carry it and are refused
 * when it no longer matches (the reaper cleared it and the job went to someone else), so a worker
 * that was only slow, not dead, cannot mix its results into the next attempt's.
 *
 * The reaper walks gavel:workers (a set every heartbeat SADDs to) instead of SCANning keys, and
 * builds key names from the "gavel:" prefix itself: fine for a single Redis (with replicas or
 * Sentinel); Redis Cluster would need every key of a job in one hash slot, which this schema does
 * not do.
 */
#include "queue_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* Helpers every script starts with. */
static const char prelude[] =
    "local function emit(key, prefix, suffix)\n"
    "  local seq = redis.call('HINCRBY', key, 'seq', 1)\n"
    "  local msg = prefix .. seq .. suffix\n"
    "  redis.call('PUBLISH', '" QUEUE_KEY_EVENTS "', msg)\n"
    "  return seq, msg\n"
    "end\n"
    "local function finish(key, id, verdict, suffix, now)\n"
    "  local prefix = '{\"type\":\"final\",\"submission\":\"' .. id .. '\",\"seq\":'\n"
    "  local seq, msg = emit(key, prefix, suffix)\n"
    "  redis.call('HSET', key, 'status', 'done', 'verdict', verdict, 'result', msg,\n"
    "             'finished', now)\n"
    "  return seq\n"
    "end\n"
    "local function requeue_state(key, id)\n"
    "  redis.call('HSET', key, 'owner', '', 'status', 'queued', 'tests', '[]', 'total', '0')\n"
    "  emit(key, '{\"type\":\"status\",\"submission\":\"' .. id .. '\",\"seq\":',\n"
    "       ',\"status\":\"queued\"}')\n"
    "end\n";

/* START: KEYS sub, processing; ARGV worker, now, id.
 * -> {-2} no hash, {-5} already done (dropped from processing), {0, claim, HGETALL} after
 * marking: attempts + 1, and a new claim number (never decremented, unlike attempts) that makes
 * the owner "<worker>#<claim>" unique to this start. */
static const char script_start[] =
    "if redis.call('EXISTS', KEYS[1]) == 0 then return {-2} end\n"
    "if redis.call('HGET', KEYS[1], 'status') == 'done' then\n"
    "  redis.call('LREM', KEYS[2], 0, ARGV[3])\n"
    "  return {-5}\n"
    "end\n"
    "redis.call('HINCRBY', KEYS[1], 'attempts', 1)\n"
    "local claim = redis.call('HINCRBY', KEYS[1], 'claims', 1)\n"
    "redis.call('HSET', KEYS[1], 'worker', ARGV[1], 'owner', ARGV[1] .. '#' .. claim,\n"
    "           'started', ARGV[2], 'tests', '[]', 'total', '0')\n"
    "return {0, claim, redis.call('HGETALL', KEYS[1])}\n";

/* EVENT (status or tests): KEYS sub; ARGV owner, prefix, suffix, kind, status|total, items.
 * -> {-2} no hash, {-5} not the owner's or done, {0, seq}. */
static const char script_event[] =
    "local cur = redis.call('HMGET', KEYS[1], 'status', 'owner')\n"
    "if not cur[1] then return {-2} end\n"
    "if cur[1] == 'done' or cur[2] ~= ARGV[1] then return {-5} end\n"
    "if ARGV[4] == 'status' then\n"
    "  redis.call('HSET', KEYS[1], 'status', ARGV[5])\n"
    "else\n"
    "  local t = redis.call('HGET', KEYS[1], 'tests')\n"
    "  if not t or #t < 3 then t = '[' .. ARGV[6] .. ']'\n"
    "  else t = string.sub(t, 1, -2) .. ',' .. ARGV[6] .. ']' end\n"
    "  redis.call('HSET', KEYS[1], 'tests', t, 'total', ARGV[5], 'status', 'running')\n"
    "end\n"
    "local seq = emit(KEYS[1], ARGV[2], ARGV[3])\n"
    "return {0, seq}\n";

/* FINAL: KEYS sub, processing (== sub: no owner); ARGV owner ('' = unchecked), id, verdict,
 * suffix, now. A missing hash counts as ours (a poison job's JE creates it).
 * -> {-5} done already or not the owner's, {0, seq}. */
static const char script_final[] =
    "local cur = redis.call('HMGET', KEYS[1], 'status', 'owner')\n"
    "local mine = ARGV[1] == '' or not cur[1] or cur[2] == ARGV[1]\n"
    "if mine and KEYS[2] ~= KEYS[1] then redis.call('LREM', KEYS[2], 0, ARGV[2]) end\n"
    "if cur[1] == 'done' or not mine then return {-5} end\n"
    "return {0, finish(KEYS[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])}\n";

/* RELEASE: KEYS sub, processing, queue; ARGV owner, id. -> {-5} not ours, {0}. */
static const char script_release[] =
    "local cur = redis.call('HMGET', KEYS[1], 'status', 'owner')\n"
    "if cur[1] == 'done' or cur[2] ~= ARGV[1] then return {-5} end\n"
    "if redis.call('LREM', KEYS[2], 0, ARGV[2]) == 0 then return {-5} end\n"
    "redis.call('HINCRBY', KEYS[1], 'attempts', -1)\n"
    "requeue_state(KEYS[1], ARGV[2])\n"
    "redis.call('RPUSH', KEYS[3], ARGV[2])\n"
    "return {0}\n";

/* REAP: KEYS workers, queue; ARGV now, max attempts, JE suffix, and a worker reaped whatever its
 * heartbeat says ('' none: a restarted worker recovering its own list). -> {requeued, failed}.
 * The processing list is newest first; RPUSHing it in that order leaves the oldest job at the
 * right end of the queue, where it is claimed next. */
static const char script_reap[] =
    "local back, failed = 0, 0\n"
    "local ws = redis.call('SMEMBERS', KEYS[1])\n"
    "if ARGV[4] ~= '' then table.insert(ws, ARGV[4]) end\n"
    "for _, w in ipairs(ws) do\n"
    "  if w == ARGV[4] or redis.call('EXISTS', '" QUEUE_PREFIX "worker:' .. w) == 0 then\n"
    "    local plist = '" QUEUE_PREFIX "processing:' .. w\n"
    "    for _, id in ipairs(redis.call('LRANGE', plist, 0, -1)) do\n"
    "      if string.match(id, '^[%w%._%-]+$') then\n"
    "        local key = '" QUEUE_PREFIX "sub:' .. id\n"
    "        local cur = redis.call('HMGET', key, 'status', 'attempts')\n"
    "        if cur[1] == 'done' then\n"
    "        elseif cur[1] and tonumber(cur[2] or '0') >= tonumber(ARGV[2]) then\n"
    "          redis.call('HSET', key, 'owner', '')\n"
    "          finish(key, id, 'JE', ARGV[3], ARGV[1])\n"
    "          failed = failed + 1\n"
    "        else\n"
    "          if cur[1] then requeue_state(key, id) end\n"
    "          redis.call('RPUSH', KEYS[2], id)\n"
    "          back = back + 1\n"
    "        end\n"
    "      end\n"
    "    end\n"
    "    redis.call('DEL', plist)\n"
    "    redis.call('SREM', KEYS[1], w)\n"
    "  end\n"
    "end\n"
    "return {back, failed}\n";

/* STRAYS: KEYS processing, queue; ARGV the ids the worker's slots hold. Every other id in the
 * processing list (a claim whose answer was lost with the connection) goes back to the queue
 * unless its job is done. -> the number requeued. A slot whose claim landed while this ran
 * starts a job that is queued again: the owner token keeps its events out of the next start's. */
static const char script_strays[] =
    "local held = {}\n"
    "for _, id in ipairs(ARGV) do held[id] = true end\n"
    "local back = 0\n"
    "for _, id in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do\n"
    "  if not held[id] and string.match(id, '^[%w%._%-]+$') then\n"
    "    redis.call('LREM', KEYS[1], 0, id)\n"
    "    local key = '" QUEUE_PREFIX "sub:' .. id\n"
    "    local status = redis.call('HGET', key, 'status')\n"
    "    if status ~= 'done' then\n"
    "      if status then requeue_state(key, id) end\n"
    "      redis.call('RPUSH', KEYS[2], id)\n"
    "      back = back + 1\n"
    "    end\n"
    "  end\n"
    "end\n"
    "return back\n";

/* LIVE: KEYS workers. -> number of members whose heartbeat exists. */
static const char script_live[] = "local n = 0\n"
                                  "for _, w in ipairs(redis.call('SMEMBERS', KEYS[1])) do\n"
                                  "  n = n + redis.call('EXISTS', '" QUEUE_PREFIX "worker:' .. w)\n"
                                  "end\n"
                                  "return n\n";

static const char *const bodies[QUEUE_SCRIPT_COUNT] = {
    [QUEUE_SCRIPT_START] = script_start, [QUEUE_SCRIPT_EVENT] = script_event,
    [QUEUE_SCRIPT_FINAL] = script_final, [QUEUE_SCRIPT_RELEASE] = script_release,
    [QUEUE_SCRIPT_REAP] = script_reap,   [QUEUE_SCRIPT_LIVE] = script_live,
    [QUEUE_SCRIPT_STRAYS] = script_strays,
};

/* Prelude + body, joined once at first use. */
static char *texts[QUEUE_SCRIPT_COUNT];
static pthread_once_t texts_once = PTHREAD_ONCE_INIT;

static void texts_build(void)
{
    for (int i = 0; i < QUEUE_SCRIPT_COUNT; i++) {
        struct gv_buf b;
        gv_buf_init(&b, 0);
        if (gv_buf_printf(&b, "%s%s", prelude, bodies[i]) < 0) {
            gv_error("queue: no memory for Lua scripts");
            abort();
        }
        texts[i] = gv_buf_steal(&b);
    }
}

const char *queue_script_text(enum queue_script s)
{
    pthread_once(&texts_once, texts_build);
    return texts[s];
}
