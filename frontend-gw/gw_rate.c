/*
 * gw_rate.c - token buckets per client address in a fixed, direct-mapped table.
 *
 * Theory of operation. Each slot holds one address, its tokens and when they were last counted.
 * On a take, the tokens grow by the elapsed time times the rate (up to the burst); one is spent if
 * there is one, else the caller learns how many whole seconds until there will be.
 */
#include "gw_rate.h"

#include <math.h>
#include <string.h>

void gw_rate_init(struct gw_rate *r, double per_sec, double burst)
{
    memset(r, 0, sizeof *r);
    r->per_sec = per_sec > 0 ? per_sec : 1;
    r->burst = burst >= 1 ? burst : 1;
}

static uint32_t addr_hash(const uint8_t *a)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < GW_RATE_ADDR; i++)
        h = (h ^ a[i]) * 16777619u;
    return h;
}

int gw_rate_take(struct gw_rate *r, const uint8_t addr[GW_RATE_ADDR], int64_t now_ms,
                 int *retry_after_s)
{
    struct gw_rate_slot *s = &r->slots[addr_hash(addr) % GW_RATE_SLOTS];
    if (!s->used || memcmp(s->addr, addr, GW_RATE_ADDR) != 0) {
        memcpy(s->addr, addr, GW_RATE_ADDR);
        s->tokens = r->burst;
        s->last_ms = now_ms;
        s->used = 1;
    }
    double elapsed = (double)(now_ms - s->last_ms) / 1000.0;
    s->tokens = fmin(r->burst, s->tokens + (elapsed > 0 ? elapsed : 0) * r->per_sec);
    s->last_ms = now_ms;
    if (s->tokens >= 1) {
        s->tokens -= 1;
        return 1;
    }
    int wait = (int)ceil((1 - s->tokens) / r->per_sec);
    *retry_after_s = wait < 1 ? 1 : wait;
    return 0;
}
