/*
 * main.c - gavel-submit (`./gavel submit`): judge one file through a running gateway, from a
 * terminal or a script.
 *
 * Theory of operation. One thread, one libevent loop, four steps:
 *   1. without --language, GET /api/languages and pick the language by the file's extension;
 *   2. POST /api/submissions {"problem","language","source"}; anything but 202 is printed as the
 *      API's own error and ends the run;
 *   3. open a WebSocket to /ws and subscribe to the new id. The snapshot, status, tests and final
 *      messages move the follow state (submit_view.c); on a terminal a progress bar is redrawn in
 *      place, otherwise one plain line is printed per change. When the connection drops before the
 *      final (say the gateway restarts) we reconnect a few times: a new subscribe returns a
 *      snapshot, or the final at once, so nothing is missed (backing off from 250 ms to 5 s,
 *      about 45 s in all, enough for a gateway restart);
 *   4. print the final verdict with time and memory (and the compile output or judge message).
 * Exit status: 0 accepted, 1 judged but not accepted, 2 usage or local error, 3 the API refused
 * the submission, 4 the gateway could not be reached, was lost, or the final did not come in time.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gv.h"
#include "submit_net.h"
#include "submit_view.h"

#define SUBMIT_DEFAULT_SERVER   "http://127.0.0.1:8080"
#define SUBMIT_SOURCE_MAX       (1u << 20) /* read at most this much; the gateway has its own cap */
#define SUBMIT_HTTP_TIMEOUT_S   15
#define SUBMIT_TIMEOUT_S        600 /* default wait for the final */
#define SUBMIT_RECONNECTS       12  /* WebSocket reconnects in a row before giving up */
#define SUBMIT_RECONNECT_MS     250 /* first delay; doubled each time, capped (about 45 s in all) */
#define SUBMIT_RECONNECT_MAX_MS 5000
#define SUBMIT_ID_MAX           64

enum exit_code { EXIT_AC = 0, EXIT_NOT_AC = 1, EXIT_USAGE = 2, EXIT_API = 3, EXIT_UNREACHABLE = 4 };

static const char usage[] =
    "usage: gavel-submit PROBLEM FILE [--language ID] [--server URL] [--timeout S]\n"
    "  --language ID   language id (default: guessed from FILE's extension via /api/languages)\n"
    "  --server URL    the gateway, http://HOST[:PORT] (default $GAVEL_SERVER "
    "or " SUBMIT_DEFAULT_SERVER ")\n"
    "  --timeout S     wait at most S seconds for the verdict (default 600)\n"
    "exit status: 0 accepted, 1 another verdict, 2 usage or local error, 3 refused by the API,\n"
    "             4 gateway unreachable or lost, or no verdict in time\n";

struct options {
    const char *problem, *file, *language, *server;
    int timeout_s;
};

/* The follow step's state, shared by the callbacks. */
struct follow {
    struct event_base *base;
    struct sn_server srv;
    char id[SUBMIT_ID_MAX + 1];
    struct sv_state st;
    struct sn_ws *ws;
    struct event *retry;
    int reconnects;
    int tty;
    char last_line[SV_LINE_MAX];
    char error[SN_ERR_MAX]; /* set when following failed for good */
};

/*** Options ***/

static int parse_options(int argc, char **argv, struct options *o)
{
    static const struct option longs[] = {{"language", required_argument, NULL, 'l'},
                                          {"server", required_argument, NULL, 's'},
                                          {"timeout", required_argument, NULL, 't'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    const char *env = getenv("GAVEL_SERVER");
    *o = (struct options){.server = env && *env ? env : SUBMIT_DEFAULT_SERVER,
                          .timeout_s = SUBMIT_TIMEOUT_S};
    int c;
    while ((c = getopt_long(argc, argv, "l:s:t:h", longs, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'l':
            o->language = optarg;
            break;
        case 's':
            o->server = optarg;
            break;
        case 't':
            o->timeout_s = (int)strtol(optarg, &end, 10);
            if (*end || o->timeout_s <= 0) return -1;
            break;
        case 'h':
            fputs(usage, stdout);
            exit(0);
        default:
            return -1;
        }
    }
    if (argc - optind != 2) return -1;
    o->problem = argv[optind];
    o->file = argv[optind + 1];
    return 0;
}

/*** Steps 1 and 2: language and POST ***/

static int guess_language(struct event_base *base, const struct sn_server *srv, const char *file,
                          char *id, size_t id_size)
{
    struct gv_buf body;
    gv_buf_init(&body, SN_BODY_MAX);
    char err[SN_ERR_MAX];
    int status = 0, retry_after, rc = EXIT_UNREACHABLE;
    if (sn_http(base, srv, "GET", "/api/languages", NULL, 0, SUBMIT_HTTP_TIMEOUT_S, &status,
                &retry_after, &body, err, sizeof err) < 0) {
        fprintf(stderr, "gavel-submit: %s\n", err);
    } else if (status != 200) {
        sv_api_error(status, body.data, body.len, err, sizeof err);
        fprintf(stderr, "gavel-submit: GET /api/languages: %s\n", err);
        rc = EXIT_API;
    } else if (sv_guess_language(body.data, body.len, file, id, id_size, err, sizeof err) < 0) {
        fprintf(stderr, "gavel-submit: %s\n", err);
        rc = EXIT_USAGE;
    } else {
        rc = 0;
    }
    gv_buf_free(&body);
    return rc;
}

static char *submission_json(const char *problem, const char *language, const char *source)
{
    cJSON *o = cJSON_CreateObject();
    char *text = NULL;
    if (o && cJSON_AddStringToObject(o, "problem", problem) &&
        cJSON_AddStringToObject(o, "language", language) &&
        cJSON_AddStringToObject(o, "source", source))
        text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

static void print_retry_after(int status, int retry_after)
{
    if ((status == 429 || status == 503) && retry_after >= 0)
        fprintf(stderr, "gavel-submit: the gateway asks to try again in %d s\n", retry_after);
    else if (status == 429 || status == 503)
        fprintf(stderr, "gavel-submit: the gateway asks to try again later\n");
}

/* POSTs the submission; 0 with id filled, else an exit code. */
static int post(struct event_base *base, const struct sn_server *srv, const char *json, char *id,
                size_t id_size)
{
    struct gv_buf body;
    gv_buf_init(&body, SN_BODY_MAX);
    char err[SN_ERR_MAX];
    int status = 0, retry_after, rc = EXIT_UNREACHABLE;
    if (sn_http(base, srv, "POST", "/api/submissions", json, strlen(json), SUBMIT_HTTP_TIMEOUT_S,
                &status, &retry_after, &body, err, sizeof err) < 0) {
        fprintf(stderr, "gavel-submit: %s\n", err);
    } else if (status != 202) {
        sv_api_error(status, body.data, body.len, err, sizeof err);
        fprintf(stderr, "gavel-submit: submission refused: %s\n", err);
        print_retry_after(status, retry_after);
        rc = EXIT_API;
    } else if (sv_parse_accepted(body.data, body.len, id, id_size) < 0) {
        fprintf(stderr, "gavel-submit: the gateway accepted but sent no id\n");
        rc = EXIT_API;
    } else {
        rc = 0;
    }
    gv_buf_free(&body);
    return rc;
}

/*** Step 3: follow over the WebSocket ***/

static void show_progress(struct follow *f)
{
    char line[SV_LINE_MAX];
    sv_progress_line(&f->st, line, sizeof line);
    if (strcmp(line, f->last_line) == 0) return;
    gv_strlcpy(f->last_line, line, sizeof f->last_line);
    if (f->tty)
        printf("\r\033[K%s", line);
    else
        printf("%s\n", line);
    fflush(stdout);
}

static void on_open(struct sn_ws *ws, void *arg)
{
    struct follow *f = arg;
    f->reconnects = 0;
    char msg[SUBMIT_ID_MAX + 48];
    snprintf(msg, sizeof msg, "{\"op\":\"subscribe\",\"id\":\"%s\"}", f->id);
    if (sn_ws_send_text(ws, msg) < 0)
        snprintf(f->error, sizeof f->error, "cannot send the subscribe message");
}

static void on_text(struct sn_ws *ws, const char *text, size_t len, void *arg)
{
    (void)ws;
    struct follow *f = arg;
    char err[SN_ERR_MAX];
    switch (sv_state_apply(&f->st, f->id, text, len, err, sizeof err)) {
    case SV_MSG_PROGRESS:
        show_progress(f);
        break;
    case SV_MSG_FINAL:
        show_progress(f);
        event_base_loopbreak(f->base);
        break;
    case SV_MSG_ERROR:
        fprintf(stderr, "\ngavel-submit: the gateway says: %s\n", err);
        break;
    case SV_MSG_IGNORED:
        break;
    }
}

static void on_close(struct sn_ws *ws, const char *why, void *arg)
{
    (void)ws;
    struct follow *f = arg;
    if (f->st.final) return;
    if (f->reconnects >= SUBMIT_RECONNECTS) {
        snprintf(f->error, sizeof f->error, "%s; gave up after %d reconnects", why,
                 SUBMIT_RECONNECTS);
        event_base_loopbreak(f->base);
        return;
    }
    f->reconnects++;
    fprintf(stderr, "%sgavel-submit: %s; reconnecting (%d/%d)\n", f->tty ? "\n" : "", why,
            f->reconnects, SUBMIT_RECONNECTS);
    int ms = SUBMIT_RECONNECT_MS;
    for (int i = 1; i < f->reconnects && ms < SUBMIT_RECONNECT_MAX_MS; i++)
        ms *= 2;
    if (ms > SUBMIT_RECONNECT_MAX_MS) ms = SUBMIT_RECONNECT_MAX_MS;
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(f->retry, &tv);
}

static const struct sn_ws_callbacks ws_callbacks = {on_open, on_text, on_close};

/* The reconnect timer: drop the dead connection (not from inside its own callback) and dial. */
static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct follow *f = arg;
    sn_ws_free(f->ws);
    f->ws = sn_ws_open(f->base, &f->srv, &ws_callbacks, f, f->error, sizeof f->error);
    if (!f->ws) event_base_loopbreak(f->base);
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct follow *f = arg;
    snprintf(f->error, sizeof f->error, "no verdict for %s in time (see --timeout)", f->id);
    event_base_loopbreak(f->base);
}

/* Follows f->id to its final; 0, or -1 with f->error set. */
static int follow(struct follow *f, int timeout_s)
{
    f->retry = evtimer_new(f->base, on_retry, f);
    struct event *deadline = evtimer_new(f->base, on_deadline, f);
    if (!f->retry || !deadline) {
        snprintf(f->error, sizeof f->error, "out of memory");
    } else {
        struct timeval tv = {timeout_s, 0};
        evtimer_add(deadline, &tv);
        f->ws = sn_ws_open(f->base, &f->srv, &ws_callbacks, f, f->error, sizeof f->error);
        if (f->ws) event_base_dispatch(f->base);
    }
    if (f->tty && f->last_line[0]) printf("\n");
    sn_ws_free(f->ws);
    f->ws = NULL;
    if (f->retry) event_free(f->retry);
    if (deadline) event_free(deadline);
    if (!f->st.final && !f->error[0])
        snprintf(f->error, sizeof f->error, "the connection ended before the verdict");
    return f->st.final ? 0 : -1;
}

/*** Step 4 and main ***/

static int report(const struct follow *f)
{
    char line[SV_LINE_MAX];
    sv_final_line(&f->st, line, sizeof line);
    printf("verdict: %s\n", line);
    if (f->st.text[0]) {
        const char *what = strcmp(f->st.verdict, "CE") == 0 ? "compile output" : "message";
        size_t n = strlen(f->st.text);
        printf("%s:\n%s%s", what, f->st.text, f->st.text[n - 1] == '\n' ? "" : "\n");
    }
    return strcmp(f->st.verdict, "AC") == 0 ? EXIT_AC : EXIT_NOT_AC;
}

static int run(const struct options *o, struct event_base *base, const char *source)
{
    struct follow f = {.base = base, .tty = isatty(STDOUT_FILENO)};
    char language[64], err[SN_ERR_MAX];
    if (sn_server_parse(o->server, &f.srv, err, sizeof err) < 0) {
        fprintf(stderr, "gavel-submit: %s\n", err);
        return EXIT_USAGE;
    }
    int rc = 0;
    if (o->language)
        gv_strlcpy(language, o->language, sizeof language);
    else if ((rc = guess_language(base, &f.srv, o->file, language, sizeof language)) != 0)
        return rc;
    char *json = submission_json(o->problem, language, source);
    if (!json) {
        fprintf(stderr, "gavel-submit: out of memory\n");
        return EXIT_USAGE;
    }
    rc = post(base, &f.srv, json, f.id, sizeof f.id);
    free(json);
    if (rc != 0) return rc;
    printf("submitted %s: problem %s, language %s, to http://%s:%d\n", f.id, o->problem, language,
           f.srv.host, f.srv.port);
    fflush(stdout);
    sv_state_init(&f.st);
    if (follow(&f, o->timeout_s) < 0) {
        fprintf(stderr, "gavel-submit: %s\n", f.error);
        return EXIT_UNREACHABLE;
    }
    return report(&f);
}

int main(int argc, char **argv)
{
    gv_log_init("gavel-submit", GV_LOG_WARN);
    struct options o;
    if (parse_options(argc, argv, &o) < 0) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    size_t len;
    char *source = gv_read_file(o.file, SUBMIT_SOURCE_MAX, &len);
    if (!source) {
        fprintf(stderr, "gavel-submit: read %s: %s\n", o.file,
                errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
        return EXIT_USAGE;
    }
    if (len == 0 || strlen(source) != len) {
        fprintf(stderr, "gavel-submit: %s is %s\n", o.file, len ? "not text (NUL bytes)" : "empty");
        free(source);
        return EXIT_USAGE;
    }
    struct event_base *base = event_base_new();
    if (!base) {
        fprintf(stderr, "gavel-submit: cannot start libevent\n");
        free(source);
        return EXIT_USAGE;
    }
    int rc = run(&o, base, source);
    event_base_free(base);
    free(source);
    return rc;
}
