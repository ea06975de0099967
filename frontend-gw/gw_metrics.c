/*
 * gw_metrics.c - counters kept in fixed arrays, rendered in the Prometheus text format 0.0.4.
 *
 * Theory of operation. Routes are an enum, so requests by route and status are a small table
 * (each route remembers up to GW_METRICS_STATUSES distinct codes). The latency histogram has
 * fixed upper bounds in seconds; buckets are stored per bucket and made cumulative when rendered.
 * Verdicts are counted from the final events the gateway forwards. Gauges (connections, queue
 * length, workers) are read from their owners at render time.
 */
#include "gw_metrics.h"

#include <string.h>

static const char *const route_names[GW_ROUTE_COUNT] = {
    "submit", "submission", "problems", "problem", "languages", "healthz", "metrics", "static",
};

static const double bucket_le[GW_METRICS_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1,    2.5};

static const char *const verdict_names[GW_METRICS_VERDICTS] = {"AC",  "WA", "TLE", "MLE",
                                                               "RTE", "OLE", "CE", "JE"};

void gw_metrics_request(struct gw_metrics *m, enum gw_route route, int status, int64_t latency_us)
{
    if ((unsigned)route >= GW_ROUTE_COUNT)
        return;
    for (int i = 0; i < GW_METRICS_STATUSES; i++) {
        if (m->routes[route].status[i] == status || m->routes[route].status[i] == 0) {
            m->routes[route].status[i] = status;
            m->routes[route].count[i]++;
            break;
        }
    }
    double s = (double)latency_us / 1e6;
    int b = 0;
    while (b < GW_METRICS_BUCKETS && s > bucket_le[b])
        b++;
    m->latency_bucket[b]++;
    m->latency_sum_s += s;
    m->latency_count++;
}

void gw_metrics_verdict(struct gw_metrics *m, const char *verdict)
{
    for (int i = 0; i < GW_METRICS_VERDICTS; i++)
        if (strcmp(verdict, verdict_names[i]) == 0)
            m->verdicts[i]++;
}

static int render_requests(const struct gw_metrics *m, struct gv_buf *out)
{
    int rc = gv_buf_printf(out, "# HELP gavel_gw_http_requests_total HTTP requests by route and "
                                "status.\n# TYPE gavel_gw_http_requests_total counter\n");
    for (int r = 0; r < GW_ROUTE_COUNT; r++)
        for (int i = 0; i < GW_METRICS_STATUSES && m->routes[r].status[i]; i++)
            rc |= gv_buf_printf(out,
                                "gavel_gw_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                                route_names[r], m->routes[r].status[i],
                                (unsigned long long)m->routes[r].count[i]);
    rc |= gv_buf_printf(out, "# HELP gavel_gw_http_request_duration_seconds Request latency.\n"
                             "# TYPE gavel_gw_http_request_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (int b = 0; b < GW_METRICS_BUCKETS; b++) {
        cum += m->latency_bucket[b];
        rc |= gv_buf_printf(out, "gavel_gw_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                            bucket_le[b], (unsigned long long)cum);
    }
    cum += m->latency_bucket[GW_METRICS_BUCKETS];
    rc |= gv_buf_printf(out,
                        "gavel_gw_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
                        "gavel_gw_http_request_duration_seconds_sum %.6f\n"
                        "gavel_gw_http_request_duration_seconds_count %llu\n",
                        (unsigned long long)cum, m->latency_sum_s,
                        (unsigned long long)m->latency_count);
    return rc;
}

static int gauge(struct gv_buf *out, const char *name, const char *type, const char *help,
                 long long v)
{
    return gv_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n%s %lld\n", name, help, name, type,
                         name, v);
}

int gw_metrics_render(const struct gw_metrics *m, const struct gw_metrics_gauges *g,
                      struct gv_buf *out)
{
    int rc = render_requests(m, out);
    rc |= gauge(out, "gavel_gw_websocket_connections", "gauge", "Open WebSocket connections.",
                (long long)g->ws_open);
    rc |= gauge(out, "gavel_gw_websocket_accepted_total", "counter", "WebSocket upgrades.",
                (long long)g->ws_accepted);
    rc |= gauge(out, "gavel_gw_websocket_closed_protocol_total", "counter",
                "WebSocket connections failed for protocol violations.",
                (long long)g->ws_closed_protocol);
    rc |= gauge(out, "gavel_gw_websocket_closed_slow_total", "counter",
                "WebSocket connections closed for not reading.", (long long)g->ws_closed_slow);
    rc |= gauge(out, "gavel_gw_websocket_closed_dead_total", "counter",
                "WebSocket connections dropped for not answering pings.",
                (long long)g->ws_closed_dead);
    rc |= gauge(out, "gavel_gw_events_received_total", "counter",
                "Events heard on gavel:events.", (long long)g->events_in);
    rc |= gauge(out, "gavel_gw_events_forwarded_total", "counter",
                "Messages (snapshots and events) sent to WebSocket subscribers.",
                (long long)g->events_forwarded);
    rc |= gauge(out, "gavel_gw_queue_length", "gauge", "Submissions waiting in gavel:queue.",
                g->queue_length);
    rc |= gauge(out, "gavel_gw_workers_live", "gauge", "Workers with a live heartbeat.",
                g->workers);
    rc |= gauge(out, "gavel_gw_redis_up", "gauge", "1 when the Redis link is up.", g->redis_up);
    rc |= gauge(out, "gavel_gw_connections_open", "gauge", "TCP connections open.",
                (long long)g->conns_open);
    rc |= gauge(out, "gavel_gw_accept_paused_total", "counter",
                "Times accepting paused at the connection cap.", (long long)g->conns_refused);
    rc |= gv_buf_printf(out, "# HELP gavel_gw_verdicts_total Final verdicts seen.\n"
                             "# TYPE gavel_gw_verdicts_total counter\n");
    for (int i = 0; i < GW_METRICS_VERDICTS; i++)
        rc |= gv_buf_printf(out, "gavel_gw_verdicts_total{verdict=\"%s\"} %llu\n",
                            verdict_names[i], (unsigned long long)m->verdicts[i]);
    return rc ? -1 : 0;
}
