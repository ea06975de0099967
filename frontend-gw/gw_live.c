/*
 * gw_live.c - live verdicts: WebSocket messages in, the hub in the middle, Redis events out.
 *
 * Theory of operation. Three kinds of callbacks meet here and nothing else: the WebSocket server
 * hands us client messages (decoded by gw_msg into subscribe/unsubscribe), the hub asks us to
 * fetch snapshots (queue_async_get, answered with queue_snapshot_json) and to send texts to
 * connections, and queue_async hands us events from gavel:events and tells us when the
 * subscription was (re)made, after which every watched submission's snapshot is fetched again
 * (gw_hub_resync_all) so nothing published while Redis was away is missed.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "gv.h"
#include "gw_app.h"
#include "gw_msg.h"
#include "queue_async.h"

struct fetch_ctx {
    struct gw_app *app;
    char id[QUEUE_ID_MAX + 1];
};

/*** WebSocket side ***/

static void send_error(struct ws_conn *c, const struct gw_msg *m, const char *code,
                       const char *message)
{
    char buf[GW_MSG_ERROR_MAX];
    int n = gw_msg_error_json(m, code, message, buf, sizeof buf);
    if (n > 0)
        ws_conn_send_text(c, buf, (size_t)n);
}

static void on_text(struct ws_conn *c, const char *text, size_t len, void *arg)
{
    struct gw_app *app = arg;
    struct gw_msg m;
    switch (gw_msg_parse(text, len, &m)) {
    case GW_MSG_SUBSCRIBE:
        if (gw_hub_subscribe(app->hub, ws_conn_hub_client(c), m.id) != 0)
            send_error(c, NULL, "too_many_subscriptions",
                       "unsubscribe from something first");
        break;
    case GW_MSG_UNSUBSCRIBE:
        gw_hub_unsubscribe(app->hub, ws_conn_hub_client(c), m.id);
        break;
    case GW_MSG_INVALID:
        send_error(c, &m, NULL, NULL);
        break;
    }
}

static void on_binary(struct ws_conn *c, void *arg)
{
    (void)arg;
    send_error(c, NULL, "binary", "messages are JSON text frames");
}

static void on_closed(struct ws_conn *c, void *arg)
{
    struct gw_app *app = arg;
    gw_hub_client_gone(app->hub, ws_conn_hub_client(c));
}

const struct ws_server_ops *gw_live_ws_ops(struct gw_app *app, struct ws_server_ops *ops)
{
    *ops = (struct ws_server_ops){on_text, on_binary, on_closed, app};
    return ops;
}

/*** Hub side ***/

static void hub_send(struct gw_hub_client *hc, const char *text, size_t len, void *arg)
{
    (void)arg;
    ws_conn_send_text(ws_conn_from_hub_client(hc), text, len);
}

static void fetched_cb(int rc, const struct queue_submission *s, void *arg)
{
    struct fetch_ctx *f = arg;
    struct gw_app *app = f->app;
    if (rc == QUEUE_OK) {
        char *snap = queue_snapshot_json(s);
        if (snap)
            gw_hub_snapshot(app->hub, f->id, s->seq, strcmp(s->status, "done") == 0, snap,
                            strlen(snap));
        else
            gw_hub_snapshot_failed(app->hub, f->id, 0);
        free(snap);
    } else {
        gw_hub_snapshot_failed(app->hub, f->id, rc == QUEUE_ERR_NOTFOUND);
    }
    free(f);
}

static int hub_fetch(const char *id, void *arg)
{
    struct gw_app *app = arg;
    if (!queue_async_subscribed(app->queue))
        return -1; /* on_resubscribed will ask again */
    struct fetch_ctx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->app = app;
    gv_strlcpy(f->id, id, sizeof f->id);
    if (queue_async_get(app->queue, id, fetched_cb, f) != QUEUE_OK) {
        free(f);
        return -1;
    }
    return 0;
}

void gw_live_hub_ops(struct gw_app *app, struct gw_hub_ops *ops)
{
    *ops = (struct gw_hub_ops){hub_send, hub_fetch, app};
}

/*** Redis side ***/

static void count_verdict(struct gw_app *app, const struct queue_event *ev)
{
    cJSON *root = cJSON_ParseWithLength(ev->json, ev->len);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "verdict");
    if (cJSON_IsString(v))
        gw_metrics_verdict(&app->metrics, v->valuestring);
    cJSON_Delete(root);
}

void gw_live_on_event(const struct queue_event *ev, void *arg)
{
    struct gw_app *app = arg;
    int final = strcmp(ev->type, "final") == 0;
    app->events_in++;
    if (final)
        count_verdict(app, ev);
    gw_hub_event(app->hub, ev->submission, ev->seq, final, ev->json, ev->len);
}

void gw_live_on_resubscribed(int first, void *arg)
{
    struct gw_app *app = arg;
    if (!first)
        gv_info("events: subscription back, fetching snapshots again");
    gw_hub_resync_all(app->hub);
}
