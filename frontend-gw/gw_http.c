/*
 * gw_http.c - the HTTP API of DESIGN.md on evhttp: routes, validation, limits, static files.
 *
 * Theory of operation. One generic evhttp callback looks the path up in a route table and calls
 * the handler. Handlers that need Redis (POST and GET of a submission) check everything they can
 * first (rate limit, JSON shape and types, source size, problem, language, Redis up, queue length)
 * so a bad request never costs a round trip, then start one queue_async call and answer from its
 * callback. evhttp keeps a request alive until we reply even when its client has gone, so the
 * callback may always reply. Every answer goes through reply(), which records the route, status
 * and latency for /metrics; errors are {"error":{"code","message"}} with a fitting status.
 * Limits: evhttp caps the head (GW_HEADERS_MAX), the body (source_max * 6 + GW_BODY_SLACK: the
 * source may be JSON-escaped) and times out slow reads and writes (GW_HTTP_TIMEOUT_S).
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "gv.h"
#include "gw_app.h"
#include "gw_static.h"
#include "queue_async.h"

/* One request in flight to Redis. */
struct pending_req {
    struct gw_app *app;
    struct evhttp_request *req;
    enum gw_route route;
    int64_t t0_us;
    char token[QUEUE_TOKEN_LEN + 2]; /* GET: the token the client gave, "" when none */
    int token_given;
};

/*** Replies ***/

static void reply(struct gw_app *app, struct evhttp_request *req, enum gw_route route, int64_t t0,
                  int status, const char *content_type, const char *body, size_t len)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Type", content_type);
    if (!evhttp_find_header(h, "Cache-Control"))
        evhttp_add_header(h, "Cache-Control", "no-store");
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    struct evbuffer *out = evbuffer_new();
    if (out && body)
        evbuffer_add(out, body, len);
    evhttp_send_reply(req, status, NULL, out);
    if (out)
        evbuffer_free(out);
    gw_metrics_request(&app->metrics, route, status, gv_now_us() - t0);
}

static void reply_json(struct gw_app *app, struct evhttp_request *req, enum gw_route route,
                       int64_t t0, int status, const char *json)
{
    reply(app, req, route, t0, status, "application/json", json, strlen(json));
}

static void reply_error(struct gw_app *app, struct evhttp_request *req, enum gw_route route,
                        int64_t t0, int status, const char *code, const char *message,
                        int retry_after)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *err = cJSON_AddObjectToObject(root, "error");
    cJSON_AddStringToObject(err, "code", code);
    cJSON_AddStringToObject(err, "message", message);
    char *text = cJSON_PrintUnformatted(root);
    if (retry_after > 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", retry_after);
        evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", ra);
    }
    reply_json(app, req, route, t0, status, text ? text : "{\"error\":{\"code\":\"internal\"}}");
    free(text);
    cJSON_Delete(root);
}

/*** POST /api/submissions ***/

static void peer_key(struct evhttp_request *req, uint8_t key[GW_RATE_ADDR])
{
    memset(key, 0, GW_RATE_ADDR);
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    const struct sockaddr *sa = evcon ? evhttp_connection_get_addr(evcon) : NULL;
    if (sa && sa->sa_family == AF_INET) {
        key[10] = key[11] = 0xff; /* v4-mapped */
        memcpy(key + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    } else if (sa && sa->sa_family == AF_INET6) {
        memcpy(key, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    }
}

static void enqueued_cb(int rc, const char *id, const char *token, void *arg)
{
    struct pending_req *p = arg;
    if (rc != QUEUE_OK) {
        reply_error(p->app, p->req, p->route, p->t0_us, 503, "unavailable",
                    "the queue cannot take submissions right now", GW_RETRY_AFTER_S);
    } else {
        char body[256];
        snprintf(body, sizeof body, "{\"id\":\"%s\",\"status\":\"queued\",\"token\":\"%s\"}", id,
                 token);
        reply_json(p->app, p->req, p->route, p->t0_us, 202, body);
    }
    free(p);
}

/* The checks that need no Redis; returns 0 or the status it answered with. */
static int submit_validate(struct gw_app *app, struct evhttp_request *req, int64_t t0,
                           const cJSON *root, struct queue_new_submission *s)
{
    const cJSON *problem = cJSON_GetObjectItemCaseSensitive(root, "problem");
    const cJSON *language = cJSON_GetObjectItemCaseSensitive(root, "language");
    const cJSON *source = cJSON_GetObjectItemCaseSensitive(root, "source");
    int status = 0;
    if (!cJSON_IsObject(root) || !cJSON_IsString(problem) || !cJSON_IsString(language) ||
        !cJSON_IsString(source))
        reply_error(app, req, GW_ROUTE_SUBMIT, t0, status = 400, "bad_request",
                    "want {\"problem\",\"language\",\"source\"}, all strings", 0);
    else if (strlen(source->valuestring) > app->cfg.source_max)
        reply_error(app, req, GW_ROUTE_SUBMIT, t0, status = 413, "source_too_large",
                    "the source is over the size limit", 0);
    else if (!queue_id_valid(problem->valuestring) ||
             !gw_catalog_problem_json(app->catalog, problem->valuestring))
        reply_error(app, req, GW_ROUTE_SUBMIT, t0, status = 404, "unknown_problem",
                    "no such problem", 0);
    else if (!queue_id_valid(language->valuestring) ||
             !gw_catalog_has_language(app->catalog, language->valuestring))
        reply_error(app, req, GW_ROUTE_SUBMIT, t0, status = 422, "unknown_language",
                    "no such language", 0);
    if (status)
        return status;
    *s = (struct queue_new_submission){problem->valuestring, language->valuestring,
                                       source->valuestring, strlen(source->valuestring), NULL};
    return 0;
}

/* Redis down or the queue too long: 503 with Retry-After. */
static int submit_backpressure(struct gw_app *app, struct evhttp_request *req, int64_t t0)
{
    if (!queue_async_up(app->queue)) {
        reply_error(app, req, GW_ROUTE_SUBMIT, t0, 503, "unavailable", "storage unreachable",
                    GW_RETRY_AFTER_S);
        return 503;
    }
    if (app->queue_length > app->cfg.queue_max) {
        reply_error(app, req, GW_ROUTE_SUBMIT, t0, 503, "queue_full",
                    "too many submissions waiting, retry later", GW_RETRY_AFTER_S);
        return 503;
    }
    return 0;
}

static void handle_submit(struct gw_app *app, struct evhttp_request *req, int64_t t0)
{
    uint8_t key[GW_RATE_ADDR];
    int retry = 1;
    peer_key(req, key);
    if (!gw_rate_take(&app->rate, key, gv_now_ms(), &retry)) {
        reply_error(app, req, GW_ROUTE_SUBMIT, t0, 429, "rate_limited",
                    "too many submissions from this address", retry);
        return;
    }
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);
    const char *body = len ? (const char *)evbuffer_pullup(in, -1) : "";
    cJSON *root = cJSON_ParseWithLength(body, len);
    if (!root) {
        reply_error(app, req, GW_ROUTE_SUBMIT, t0, 400, "bad_json", "the body is not JSON", 0);
        return;
    }
    struct queue_new_submission s;
    if (submit_validate(app, req, t0, root, &s) || submit_backpressure(app, req, t0)) {
        cJSON_Delete(root);
        return;
    }
    struct pending_req *p = calloc(1, sizeof *p);
    if (p)
        *p = (struct pending_req){.app = app, .req = req, .route = GW_ROUTE_SUBMIT, .t0_us = t0};
    int rc = p ? queue_async_enqueue(app->queue, &s, enqueued_cb, p) : QUEUE_ERR_DOWN;
    cJSON_Delete(root); /* the queue copied what it needs into its command */
    if (rc != QUEUE_OK) {
        free(p);
        reply_error(app, req, GW_ROUTE_SUBMIT, t0, 503, "unavailable", "storage unreachable",
                    GW_RETRY_AFTER_S);
    }
}

/*** GET /api/submissions/{id} ***/

static void got_cb(int rc, const struct queue_submission *s, void *arg)
{
    struct pending_req *p = arg;
    if (rc == QUEUE_ERR_NOTFOUND) {
        reply_error(p->app, p->req, p->route, p->t0_us, 404, "not_found", "no such submission", 0);
    } else if (rc != QUEUE_OK) {
        reply_error(p->app, p->req, p->route, p->t0_us, 503, "unavailable",
                    "storage unreachable", GW_RETRY_AFTER_S);
    } else {
        size_t tl = strlen(s->token);
        int ok = p->token_given && tl > 0 && strlen(p->token) == tl &&
                 CRYPTO_memcmp(p->token, s->token, tl) == 0;
        if (p->token_given && !ok) {
            reply_error(p->app, p->req, p->route, p->t0_us, 403, "bad_token",
                        "the token does not match this submission", 0);
        } else {
            char *json = queue_submission_json(s, ok);
            if (json)
                reply_json(p->app, p->req, p->route, p->t0_us, 200, json);
            else
                reply_error(p->app, p->req, p->route, p->t0_us, 500, "internal", "no memory", 0);
            free(json);
        }
    }
    free(p);
}

static void handle_submission(struct gw_app *app, struct evhttp_request *req, int64_t t0,
                              const char *id)
{
    if (!queue_id_valid(id)) {
        reply_error(app, req, GW_ROUTE_SUBMISSION, t0, 404, "not_found", "no such submission", 0);
        return;
    }
    struct pending_req *p = calloc(1, sizeof *p);
    if (!p) {
        reply_error(app, req, GW_ROUTE_SUBMISSION, t0, 500, "internal", "no memory", 0);
        return;
    }
    *p = (struct pending_req){.app = app, .req = req, .route = GW_ROUTE_SUBMISSION, .t0_us = t0};
    const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
    struct evkeyvalq q = {0};
    const char *tok = evhttp_find_header(evhttp_request_get_input_headers(req), "X-Gavel-Token");
    if (query && evhttp_parse_query_str(query, &q) == 0 && evhttp_find_header(&q, "token"))
        tok = evhttp_find_header(&q, "token");
    if (tok) {
        p->token_given = 1;
        gv_strlcpy(p->token, tok, sizeof p->token);
    }
    evhttp_clear_headers(&q);
    if (queue_async_get(app->queue, id, got_cb, p) != QUEUE_OK) {
        free(p);
        reply_error(app, req, GW_ROUTE_SUBMISSION, t0, 503, "unavailable", "storage unreachable",
                    GW_RETRY_AFTER_S);
    }
}

/*** Catalog, health, metrics ***/

static void handle_problem(struct gw_app *app, struct evhttp_request *req, int64_t t0,
                           const char *id)
{
    const char *json = queue_id_valid(id) ? gw_catalog_problem_json(app->catalog, id) : NULL;
    if (json)
        reply_json(app, req, GW_ROUTE_PROBLEM, t0, 200, json);
    else
        reply_error(app, req, GW_ROUTE_PROBLEM, t0, 404, "unknown_problem", "no such problem", 0);
}

static void handle_healthz(struct gw_app *app, struct evhttp_request *req, int64_t t0)
{
    int redis = queue_async_up(app->queue) && queue_async_subscribed(app->queue);
    size_t n = gw_catalog_problem_count(app->catalog);
    char body[160];
    snprintf(body, sizeof body, "{\"status\":\"%s\",\"redis\":%s,\"problems\":%zu}",
             redis && n ? "ok" : "degraded", redis ? "true" : "false", n);
    reply_json(app, req, GW_ROUTE_HEALTHZ, t0, redis && n ? 200 : 503, body);
}

static void handle_metrics(struct gw_app *app, struct evhttp_request *req, int64_t t0)
{
    struct ws_stats ws;
    struct gw_hub_stats hs;
    struct gw_listen_stats ls;
    ws_server_get_stats(app->ws, &ws);
    gw_hub_get_stats(app->hub, &hs);
    gw_listen_get_stats(app->listen, &ls);
    struct gw_metrics_gauges g = {
        .ws_open = ws.open,
        .ws_accepted = ws.accepted,
        .events_in = app->events_in,
        .events_forwarded = hs.delivered,
        .finals_forwarded = hs.finals,
        .ws_closed_protocol = ws.closed_protocol,
        .ws_closed_slow = ws.closed_slow,
        .ws_closed_dead = ws.closed_dead,
        .queue_length = app->queue_length,
        .workers = app->workers,
        .redis_up = queue_async_up(app->queue),
        .conns_open = ls.open_estimate,
        .conns_refused = ls.paused,
    };
    struct gv_buf out;
    gv_buf_init(&out, 1 << 20);
    /* Count this request before rendering so the scrape sees itself. */
    gw_metrics_request(&app->metrics, GW_ROUTE_METRICS, 200, gv_now_us() - t0);
    if (gw_metrics_render(&app->metrics, &g, &out) == 0) {
        struct evbuffer *b = evbuffer_new();
        evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                          "text/plain; version=0.0.4; charset=utf-8");
        if (b)
            evbuffer_add(b, out.data, out.len);
        evhttp_send_reply(req, 200, NULL, b);
        if (b)
            evbuffer_free(b);
    } else {
        evhttp_send_error(req, 500, NULL);
    }
    gv_buf_free(&out);
}

/*** Static files ***/

static int static_open(struct gw_app *app, const char *rel, struct stat *st)
{
    int fd = openat(app->web_fd, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode) || st->st_size > GW_STATIC_FILE_MAX) {
        close(fd);
        return -1;
    }
    return fd;
}

static void handle_static(struct gw_app *app, struct evhttp_request *req, int64_t t0,
                          const char *path)
{
    struct gw_static_file f;
    struct stat st;
    size_t dlen = 0;
    char *decoded = evhttp_uridecode(path, 0, &dlen);
    int fd = -1;
    if (app->web_fd >= 0 && decoded && strlen(decoded) == dlen &&
        gw_static_resolve(decoded, &f) == 0)
        fd = static_open(app, f.rel, &st);
    free(decoded);
    if (fd < 0) {
        reply_error(app, req, GW_ROUTE_STATIC, t0, 404, "not_found", "no such file", 0);
        return;
    }
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    char etag[64];
    snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtime);
    evhttp_add_header(h, "ETag", etag);
    evhttp_add_header(h, "Cache-Control", f.cache_control);
    const char *inm = evhttp_find_header(evhttp_request_get_input_headers(req), "If-None-Match");
    if (inm && strcmp(inm, etag) == 0) {
        close(fd);
        evhttp_send_reply(req, 304, NULL, NULL);
        gw_metrics_request(&app->metrics, GW_ROUTE_STATIC, 304, gv_now_us() - t0);
        return;
    }
    evhttp_add_header(h, "Content-Type", f.content_type);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    struct evbuffer *b = evbuffer_new();
    if (!b || evbuffer_add_file(b, fd, 0, st.st_size) != 0) {
        if (b)
            evbuffer_free(b);
        else
            close(fd);
        reply_error(app, req, GW_ROUTE_STATIC, t0, 500, "internal", "cannot read file", 0);
        return;
    }
    evhttp_send_reply(req, 200, NULL, b);
    evbuffer_free(b);
    gw_metrics_request(&app->metrics, GW_ROUTE_STATIC, 200, gv_now_us() - t0);
}

/*** Routing ***/

static int method_is(struct evhttp_request *req, int methods)
{
    return (evhttp_request_get_command(req) & methods) != 0;
}

static void route_api(struct gw_app *app, struct evhttp_request *req, int64_t t0,
                      const char *path)
{
    static const char subs[] = "/api/submissions", probs[] = "/api/problems";
    int get = method_is(req, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
    enum gw_route route = GW_ROUTE_STATIC;
    if (strcmp(path, subs) == 0) {
        route = GW_ROUTE_SUBMIT;
        if (method_is(req, EVHTTP_REQ_POST))
            return handle_submit(app, req, t0);
    } else if (strncmp(path, subs, sizeof subs - 1) == 0 && path[sizeof subs - 1] == '/') {
        route = GW_ROUTE_SUBMISSION;
        if (get)
            return handle_submission(app, req, t0, path + sizeof subs);
    } else if (strcmp(path, probs) == 0) {
        route = GW_ROUTE_PROBLEMS;
        if (get)
            return reply_json(app, req, route, t0, 200, gw_catalog_problems_json(app->catalog));
    } else if (strncmp(path, probs, sizeof probs - 1) == 0 && path[sizeof probs - 1] == '/') {
        route = GW_ROUTE_PROBLEM;
        if (get)
            return handle_problem(app, req, t0, path + sizeof probs);
    } else if (strcmp(path, "/api/languages") == 0) {
        route = GW_ROUTE_LANGUAGES;
        if (get)
            return reply_json(app, req, route, t0, 200,
                              gw_catalog_languages_json(app->catalog));
    } else {
        return reply_error(app, req, route, t0, 404, "not_found", "no such endpoint", 0);
    }
    reply_error(app, req, route, t0, 405, "method_not_allowed", "method not allowed here", 0);
}

static void gencb(struct evhttp_request *req, void *arg)
{
    struct gw_app *app = arg;
    int64_t t0 = gv_now_us();
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    if (!path || !*path)
        path = "/";
    if (strncmp(path, "/api/", 5) == 0)
        route_api(app, req, t0, path);
    else if (strcmp(path, "/ws") == 0 && method_is(req, EVHTTP_REQ_GET))
        gw_listen_upgrade(app->listen, req);
    else if (strcmp(path, "/healthz") == 0)
        handle_healthz(app, req, t0);
    else if (strcmp(path, "/metrics") == 0)
        handle_metrics(app, req, t0);
    else if (method_is(req, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD))
        handle_static(app, req, t0, path);
    else
        reply_error(app, req, GW_ROUTE_STATIC, t0, 405, "method_not_allowed",
                    "method not allowed here", 0);
}

int gw_http_init(struct gw_app *app)
{
    evhttp_set_max_headers_size(app->http, GW_HEADERS_MAX);
    evhttp_set_max_body_size(app->http, (ev_ssize_t)(app->cfg.source_max * 6 + GW_BODY_SLACK));
    evhttp_set_timeout(app->http, app->cfg.http_timeout_s > 0 ? app->cfg.http_timeout_s
                                                              : GW_HTTP_TIMEOUT_S);
    evhttp_set_allowed_methods(app->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
                                              EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                              EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
    evhttp_set_gencb(app->http, gencb, app);
    return 0;
}
