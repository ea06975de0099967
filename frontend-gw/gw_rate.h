/*
 * gw_rate.h - a token bucket per client address, for POST /api/submissions.
 *
 * A fixed table (GW_RATE_SLOTS entries, direct-mapped by a hash of the address): memory stays
 * bounded whatever the number of clients; two addresses that collide share a slot, and the newer
 * one evicts the older (which can only make the limit more lenient, never wrongly strict).
 */
#ifndef GAVEL_GW_RATE_H
#define GAVEL_GW_RATE_H

#include <stdint.h>

#define GW_RATE_SLOTS 4096
#define GW_RATE_ADDR  16 /* an IPv6 address; IPv4 is stored mapped */

struct gw_rate_slot {
    uint8_t addr[GW_RATE_ADDR];
    double tokens;
    int64_t last_ms;
    int used;
};

struct gw_rate {
    double per_sec; /* refill rate */
    double burst;   /* bucket size */
    struct gw_rate_slot slots[GW_RATE_SLOTS];
};

/* Sets the rate (tokens per second) and the burst; clears the table. */
void gw_rate_init(struct gw_rate *r, double per_sec, double burst);
/* Takes one token for addr at now_ms. 1: allowed; 0: refused, *retry_after_s set (>= 1). */
int gw_rate_take(struct gw_rate *r, const uint8_t addr[GW_RATE_ADDR], int64_t now_ms,
                 int *retry_after_s);

#endif
