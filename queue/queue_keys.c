/*
 * queue_keys.c - Redis key names and the ids allowed in them.
 *
 * Ids come from the network (a URL path, a WebSocket message) and end up inside Redis keys and
 * URLs, so only a small alphabet and a bounded length are accepted; everything else is refused
 * before any key is built.
 */
#include "queue.h"

#include <stdio.h>
#include <string.h>

int queue_id_valid(const char *id)
{
    size_t n = 0;
    for (; id[n]; n++) {
        char c = id[n];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.';
        if (!ok || n >= QUEUE_ID_MAX)
            return 0;
    }
    return n > 0;
}

static int key_format(char *buf, size_t size, const char *kind, const char *id)
{
    if (!queue_id_valid(id))
        return -1;
    int n = snprintf(buf, size, QUEUE_PREFIX "%s:%s", kind, id);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

int queue_key_submission(char *buf, size_t size, const char *id)
{
    return key_format(buf, size, "sub", id);
}

int queue_key_processing(char *buf, size_t size, const char *worker)
{
    return key_format(buf, size, "processing", worker);
}

int queue_key_worker(char *buf, size_t size, const char *worker)
{
    return key_format(buf, size, "worker", worker);
}
