/*
 * gw_metrics.h - the gateway's counters and their Prometheus text rendering (/metrics).
 */
#ifndef GAVEL_GW_METRICS_H
#define GAVEL_GW_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "gv.h"

enum gw_route {
    GW_ROUTE_SUBMIT,
    GW_ROUTE_SUBMISSION,
    GW_ROUTE_PROBLEMS,
    GW_ROUTE_PROBLEM,
    GW_ROUTE_LANGUAGES,
    GW_ROUTE_HEALTHZ,
    GW_ROUTE_METRICS,
    GW_ROUTE_STATIC,
    GW_ROUTE_COUNT
};

#define GW_METRICS_STATUSES 16 /* distinct status codes remembered per route */
#define GW_METRICS_BUCKETS  12 /* latency histogram buckets (plus +Inf) */
#define GW_METRICS_VERDICTS 8

struct gw_metrics {
    struct {
        int status[GW_METRICS_STATUSES];
        uint64_t count[GW_METRICS_STATUSES];
    } routes[GW_ROUTE_COUNT];
    uint64_t latency_bucket[GW_METRICS_BUCKETS + 1]; /* cumulative at render time */
    double latency_sum_s;
    uint64_t latency_count;
    uint64_t verdicts[GW_METRICS_VERDICTS];
};

/* Live values read at render time. */
struct gw_metrics_gauges {
    uint64_t ws_open, ws_accepted, events_in, events_forwarded, finals_forwarded;
    uint64_t ws_closed_protocol, ws_closed_slow, ws_closed_dead;
    long long queue_length, workers; /* -1 when unknown */
    int redis_up;
    uint64_t conns_open, conns_refused;
};

/* One request on route answered with status after latency_us. */
void gw_metrics_request(struct gw_metrics *m, enum gw_route route, int status, int64_t latency_us);
/* A final verdict seen on the event stream ("AC", "WA", ...). */
void gw_metrics_verdict(struct gw_metrics *m, const char *verdict);
/* Appends the Prometheus text exposition to out. 0 or -1. */
int gw_metrics_render(const struct gw_metrics *m, const struct gw_metrics_gauges *g,
                      struct gv_buf *out);

#endif
