/*
 * main.c - gavel-gw: the HTTP API and WebSocket gateway.
 *
 * Theory of operation. One thread, one libevent loop. gw_listen accepts every connection and
 * routes it: WebSocket upgrades to ws_conn (framing through wslay), everything else to evhttp
 * (gw_http.c). Live verdicts flow from Redis (queue_async: one command link, one subscription to
 * gavel:events per gateway) through the hub (gw_hub: who watches what, snapshot/live join) to the
 * connections (gw_live.c). The catalog of problems and languages is loaded once at start. A timer
 * polls the queue length and live workers for 503 decisions and /metrics. SIGINT/SIGTERM send
 * close 1001 to WebSocket clients, then stop the loop.
 *
 *   gavel-gw --listen HOST:PORT --redis URL --problems DIR [--web DIR] [options]
 */
#include <errno.h>
#include <event2/event.h>
#include <event2/http.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gv.h"
#include "gw_app.h"
#include "queue_async.h"

#define GW_SHUTDOWN_GRACE_MS 500

static const char usage[] =
    "usage: gavel-gw --listen HOST:PORT --redis URL --problems DIR [--web DIR]\n"
    "  --languages FILE        language table (default: the installed languages.json)\n"
    "  --source-max BYTES      largest source accepted (default 65536; 413 above)\n"
    "  --queue-max N           503 when more submissions wait (default 10000)\n"
    "  --rate N --burst N      POSTs per second and burst per client address (5, 20)\n"
    "  --max-conns N           connections of all kinds (default 20000)\n"
    "  --http-timeout-s N      read/write timeout of HTTP connections (default 15)\n"
    "  --origin URL            allow WebSocket upgrades from this Origin only (repeatable)\n"
    "  --ping-interval-ms N    ping WebSocket clients silent this long (30000)\n"
    "  --pong-timeout-ms N     drop them when no answer comes in this time (10000)\n"
    "  --ws-out-max BYTES      output queued per WebSocket before closing it 1008 (1 MiB)\n";

enum { OPT_LANG = 256, OPT_SRC, OPT_QMAX, OPT_RATE, OPT_BURST, OPT_MAXC, OPT_ORIGIN, OPT_PING,
       OPT_PONG, OPT_WSOUT, OPT_HTTPTO, OPT_VERSION };

static const struct option options[] = {
    {"listen", required_argument, NULL, 'l'},   {"redis", required_argument, NULL, 'r'},
    {"problems", required_argument, NULL, 'p'}, {"web", required_argument, NULL, 'w'},
    {"languages", required_argument, NULL, OPT_LANG},
    {"source-max", required_argument, NULL, OPT_SRC},
    {"queue-max", required_argument, NULL, OPT_QMAX},
    {"rate", required_argument, NULL, OPT_RATE},
    {"burst", required_argument, NULL, OPT_BURST},
    {"max-conns", required_argument, NULL, OPT_MAXC},
    {"origin", required_argument, NULL, OPT_ORIGIN},
    {"http-timeout-s", required_argument, NULL, OPT_HTTPTO},
    {"ping-interval-ms", required_argument, NULL, OPT_PING},
    {"pong-timeout-ms", required_argument, NULL, OPT_PONG},
    {"ws-out-max", required_argument, NULL, OPT_WSOUT},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static long long num_arg(const char *name, const char *s, long long min)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < min) {
        fprintf(stderr, "gavel-gw: --%s wants a number >= %lld, not \"%s\"\n", name, min, s);
        exit(2);
    }
    return v;
}

static void parse_more(struct gw_config *c, int opt, const char *arg)
{
    switch (opt) {
    case OPT_LANG: c->languages = arg; break;
    case OPT_SRC: c->source_max = (size_t)num_arg("source-max", arg, 1); break;
    case OPT_QMAX: c->queue_max = num_arg("queue-max", arg, 0); break;
    case OPT_RATE: c->rate_per_sec = (double)num_arg("rate", arg, 1); break;
    case OPT_BURST: c->rate_burst = (double)num_arg("burst", arg, 1); break;
    case OPT_MAXC: c->max_conns = (int)num_arg("max-conns", arg, 1); break;
    case OPT_HTTPTO: c->http_timeout_s = (int)num_arg("http-timeout-s", arg, 1); break;
    case OPT_PING: c->ping_interval_ms = (int)num_arg("ping-interval-ms", arg, 100); break;
    case OPT_PONG: c->pong_timeout_ms = (int)num_arg("pong-timeout-ms", arg, 100); break;
    case OPT_WSOUT: c->ws_out_max = (size_t)num_arg("ws-out-max", arg, 1024); break;
    case OPT_ORIGIN:
        if (c->n_origins >= WS_HS_ORIGINS_MAX) {
            fprintf(stderr, "gavel-gw: at most %d --origin\n", WS_HS_ORIGINS_MAX);
            exit(2);
        }
        c->origins[c->n_origins++] = arg;
        break;
    default: fputs(usage, stderr); exit(2);
    }
}

static void parse_args(int argc, char **argv, struct gw_config *c)
{
    *c = (struct gw_config){.source_max = GW_SOURCE_MAX_DEFAULT,
                            .queue_max = GW_QUEUE_MAX_DEFAULT,
                            .rate_per_sec = GW_RATE_PER_SEC,
                            .rate_burst = GW_RATE_BURST};
    int opt;
    while ((opt = getopt_long(argc, argv, "l:r:p:w:h", options, NULL)) != -1) {
        switch (opt) {
        case 'l': c->listen = optarg; break;
        case 'r': c->redis_url = optarg; break;
        case 'p': c->problems_dir = optarg; break;
        case 'w': c->web_dir = optarg; break;
        case 'h': fputs(usage, stdout); exit(0);
        case OPT_VERSION: printf("gavel-gw %s\n", GAVEL_VERSION); exit(0);
        default: parse_more(c, opt, optarg);
        }
    }
    if (!c->listen || !c->redis_url || !c->problems_dir || optind != argc) {
        fputs(usage, stderr);
        exit(2);
    }
}

/*** Timers and signals ***/

static void length_cb(int rc, long long n, void *arg)
{
    ((struct gw_app *)arg)->queue_length = rc == QUEUE_OK ? n : -1;
}

static void workers_cb(int rc, long long n, void *arg)
{
    ((struct gw_app *)arg)->workers = rc == QUEUE_OK ? n : -1;
}

static void poll_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    struct gw_app *app = arg;
    if (queue_async_length(app->queue, length_cb, app) != QUEUE_OK)
        app->queue_length = -1;
    if (queue_async_workers(app->queue, workers_cb, app) != QUEUE_OK)
        app->workers = -1;
}

static void on_link(enum queue_link state, void *arg)
{
    struct gw_app *app = arg;
    gv_info("redis: command link %s", state == QUEUE_LINK_UP ? "up" : "down");
    if (state == QUEUE_LINK_UP)
        gw_hub_resync_all(app->hub);
}

static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    struct gw_app *app = arg;
    gv_info("stopping: closing WebSocket clients (1001)");
    ws_server_going_away(app->ws);
    struct timeval tv = {0, GW_SHUTDOWN_GRACE_MS * 1000};
    event_base_loopexit(app->base, &tv);
}

/*** Start and stop ***/

static int open_web(struct gw_app *app)
{
    app->web_fd = -1;
    if (!app->cfg.web_dir)
        return 0;
    app->web_fd = open(app->cfg.web_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (app->web_fd < 0) {
        gv_error("open --web %s: %s", app->cfg.web_dir, strerror(errno));
        return -1;
    }
    return 0;
}

static int start_queue(struct gw_app *app)
{
    struct queue_async_config qc = {
        .redis_url = app->cfg.redis_url,
        .on_state = on_link,
        .on_event = gw_live_on_event,
        .on_resubscribed = gw_live_on_resubscribed,
        .arg = app,
    };
    app->queue = queue_async_new(app->base, &qc);
    if (!app->queue) {
        gv_error("redis: bad URL %s", app->cfg.redis_url);
        return -1;
    }
    return 0;
}

static int start(struct gw_app *app)
{
    struct ws_server_ops wsops;
    struct gw_hub_ops hops;
    struct ws_limits lim = {0, app->cfg.ws_out_max, app->cfg.ping_interval_ms,
                            app->cfg.pong_timeout_ms};
    gw_rate_init(&app->rate, app->cfg.rate_per_sec, app->cfg.rate_burst);
    app->queue_length = app->workers = -1;
    if (open_web(app) < 0)
        return -1;
    app->catalog = gw_catalog_load(app->cfg.problems_dir, app->cfg.languages);
    if (!app->catalog)
        return -1;
    gw_live_hub_ops(app, &hops);
    app->hub = gw_hub_new(&hops);
    app->ws = ws_server_new(app->base, gw_live_ws_ops(app, &wsops), &lim);
    app->http = evhttp_new(app->base);
    if (!app->hub || !app->ws || !app->http || gw_http_init(app) < 0 || start_queue(app) < 0)
        return -1;
    struct gw_listen_config lc = {.addr = app->cfg.listen,
                                  .max_conns = app->cfg.max_conns,
                                  .hs = {app->cfg.origins, app->cfg.n_origins, "/ws"}};
    app->listen = gw_listen_new(app->base, app->http, app->ws, &lc);
    if (!app->listen)
        return -1;
    app->poll = event_new(app->base, -1, EV_PERSIST, poll_cb, app);
    struct timeval tv = {0, GW_POLL_MS * 1000};
    if (!app->poll || event_add(app->poll, &tv) != 0)
        return -1;
    gv_info("listening on %s (port %d)", app->cfg.listen, gw_listen_port(app->listen));
    return 0;
}

static void stop(struct gw_app *app)
{
    if (app->poll)
        event_free(app->poll);
    gw_listen_free(app->listen);
    ws_server_free(app->ws); /* before the hub: on_closed unlinks from it */
    if (app->queue)
        queue_async_free(app->queue);
    gw_hub_free(app->hub);
    if (app->http)
        evhttp_free(app->http);
    gw_catalog_free(app->catalog);
    if (app->web_fd >= 0)
        close(app->web_fd);
}

int main(int argc, char **argv)
{
    static struct gw_app app; /* large (the rate table): not on the stack */
    gv_log_init("gavel-gw", getenv("GAVEL_GW_DEBUG") ? GV_LOG_DEBUG : GV_LOG_INFO);
    parse_args(argc, argv, &app.cfg);
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
        gv_error("signal SIGPIPE: %s", strerror(errno));
        return 1;
    }
    app.base = event_base_new();
    if (!app.base) {
        gv_error("event_base_new failed");
        return 1;
    }
    struct event *sigint = evsignal_new(app.base, SIGINT, stop_cb, &app);
    struct event *sigterm = evsignal_new(app.base, SIGTERM, stop_cb, &app);
    int rc = 1;
    if (sigint && sigterm && evsignal_add(sigint, NULL) == 0 && evsignal_add(sigterm, NULL) == 0 &&
        start(&app) == 0)
        rc = event_base_dispatch(app.base) < 0;
    stop(&app);
    if (sigint)
        event_free(sigint);
    if (sigterm)
        event_free(sigterm);
    event_base_free(app.base);
    return rc;
}
