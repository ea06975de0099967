/*
 * queue_keys.c - Redis key names, the ids allowed in them, new ids and tokens, Redis URLs.
 *
 * Ids come from the network (a URL path, a WebSocket message) and end up inside Redis keys and
 * URLs, so only a small alphabet and a bounded length are accepted; everything else is refused
 * before any key is built. New submission ids put the wall-clock milliseconds first in fixed-width
 * hex, so ids sort by submission time, then 48 random bits so two gateways never collide.
 */
#include "queue.h"

#include "gv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

int queue_id_valid(const char *id)
{
    size_t n = 0;
    for (; id[n]; n++) {
        char c = id[n];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.';
        if (!ok || n >= QUEUE_ID_MAX) return 0;
    }
    return n > 0;
}

static int key_format(char *buf, size_t size, const char *kind, const char *id)
{
    if (!queue_id_valid(id)) return -1;
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

/*** Return codes ***/

static const struct {
    int rc;
    const char *name;
} rc_names[] = {
    {QUEUE_OK, "ok"},
    {QUEUE_ERR_DOWN, "redis down"},
    {QUEUE_ERR_NOTFOUND, "no such submission"},
    {QUEUE_ERR_INVALID, "invalid argument"},
    {QUEUE_ERR_REDIS, "redis error"},
    {QUEUE_ERR_REFUSED, "refused (finished or not ours)"},
};

const char *queue_rc_name(int rc)
{
    for (size_t i = 0; i < sizeof rc_names / sizeof rc_names[0]; i++)
        if (rc_names[i].rc == rc) return rc_names[i].name;
    return "unknown";
}

/*** New ids and tokens ***/

static int random_bytes(unsigned char *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = getrandom(buf + got, len - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        got += (size_t)n;
    }
    return 0;
}

static void hex(char *out, const unsigned char *in, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}

int queue_new_id(char *buf, size_t size)
{
    unsigned char rnd[6];
    if (size < QUEUE_NEW_ID_LEN + 1 || random_bytes(rnd, sizeof rnd) < 0) return -1;
    /* 11 hex digits of milliseconds last until the year 2527; fixed width keeps ids sortable. */
    snprintf(buf, size, "%011llx-", (unsigned long long)gv_wall_ms() & 0xfffffffffffULL);
    hex(buf + 12, rnd, sizeof rnd);
    return 0;
}

int queue_new_token(char *buf, size_t size)
{
    unsigned char rnd[QUEUE_TOKEN_LEN / 2];
    if (size < QUEUE_TOKEN_LEN + 1 || random_bytes(rnd, sizeof rnd) < 0) return -1;
    hex(buf, rnd, sizeof rnd);
    return 0;
}

/*** Redis URL ***/

static int parse_int(const char *s, size_t len, int max, int *out)
{
    if (len == 0 || len > 9) return -1;
    int v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v > max) return -1;
    *out = v;
    return 0;
}

int queue_url_parse(const char *url, struct queue_url *out)
{
    static const char scheme[] = "redis://";
    memset(out, 0, sizeof *out);
    out->port = 6379;
    if (strncmp(url, scheme, sizeof scheme - 1) != 0) return -1;
    const char *p = url + sizeof scheme - 1;
    const char *at = strchr(p, '@');
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        const char *pw = colon ? colon + 1 : p;
        size_t len = (size_t)(at - pw);
        if (len >= sizeof out->password) return -1;
        memcpy(out->password, pw, len);
        p = at + 1;
    }
    size_t hostlen = strcspn(p, ":/");
    if (hostlen == 0 || hostlen >= sizeof out->host) return -1;
    memcpy(out->host, p, hostlen);
    p += hostlen;
    if (*p == ':') {
        size_t len = strcspn(++p, "/");
        if (parse_int(p, len, 65535, &out->port) < 0 || out->port == 0) return -1;
        p += len;
    }
    if (*p == '/' && p[1] != '\0') {
        if (parse_int(p + 1, strlen(p + 1), 1 << 20, &out->db) < 0) return -1;
    } else if (*p == '/' || *p == '\0') {
        return 0;
    } else {
        return -1;
    }
    return 0;
}
