/*
 * submit_view.c - the gateway's JSON as `gavel submit` reads it, and the lines it prints.
 *
 * Theory of operation. The client follows one submission. Every WebSocket message is applied to a
 * small state (sv_state): a snapshot sets it whole (status, total, the tests done so far), a status
 * or tests message moves it on, the final fixes verdict, time, memory and the compile output or
 * judge message. Messages carry a per-submission seq; one not newer than the last applied is
 * dropped, so a snapshot after a reconnect and the live stream join without counting a test twice.
 * The printed lines are built from the state alone, so the terminal bar and the plain log show
 * the same facts. Parsing is cJSON; nothing here touches a socket or a file.
 */
#include "submit_view.h"

#include "gv.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/*** Small helpers ***/

static const char *json_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int json_num(const cJSON *o, const char *key, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v)) return -1;
    *out = v->valuedouble;
    return 0;
}

static const char *file_extension(const char *file)
{
    const char *slash = strrchr(file, '/');
    const char *base = slash ? slash + 1 : file;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? dot + 1 : NULL;
}

/*** Language guess ***/

/* The id of the first language with extension ext (compared by cmp); NULL when none. */
static const char *find_language(const cJSON *langs, const char *ext,
                                 int (*cmp)(const char *, const char *))
{
    const cJSON *lang;
    cJSON_ArrayForEach(lang, langs)
    {
        const cJSON *e, *exts = cJSON_GetObjectItemCaseSensitive(lang, "extensions");
        cJSON_ArrayForEach(e, exts)
        {
            if (cJSON_IsString(e) && cmp(e->valuestring, ext) == 0) return json_str(lang, "id");
        }
    }
    return NULL;
}

static void list_extensions(const cJSON *langs, char *out, size_t size)
{
    struct gv_buf b;
    gv_buf_init(&b, size);
    const cJSON *lang;
    cJSON_ArrayForEach(lang, langs)
    {
        const cJSON *e, *exts = cJSON_GetObjectItemCaseSensitive(lang, "extensions");
        cJSON_ArrayForEach(e, exts)
        {
            if (cJSON_IsString(e)) gv_buf_printf(&b, "%s.%s", b.len ? " " : "", e->valuestring);
        }
    }
    gv_strlcpy(out, b.data ? b.data : "", size);
    gv_buf_free(&b);
}

int sv_guess_language(const char *languages_json, size_t len, const char *file, char *id,
                      size_t id_size, char *why, size_t why_size)
{
    cJSON *root = cJSON_ParseWithLength(languages_json, len);
    const cJSON *langs = cJSON_GetObjectItemCaseSensitive(root, "languages");
    if (!cJSON_IsArray(langs)) {
        snprintf(why, why_size, "the gateway's language list is not readable");
        cJSON_Delete(root);
        return -1;
    }
    const char *ext = file_extension(file);
    const char *found = ext ? find_language(langs, ext, strcmp) : NULL;
    if (!found && ext) found = find_language(langs, ext, strcasecmp);
    if (found) {
        gv_strlcpy(id, found, id_size);
        cJSON_Delete(root);
        return 0;
    }
    char known[SV_LINE_MAX / 2];
    list_extensions(langs, known, sizeof known);
    snprintf(why, why_size,
             "cannot tell the language of %s from its extension (known: %s); use "
             "--language ID",
             file, known);
    cJSON_Delete(root);
    return -1;
}

/*** API answers ***/

void sv_api_error(int status, const char *body, size_t len, char *out, size_t size)
{
    cJSON *root = body ? cJSON_ParseWithLength(body, len) : NULL;
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(root, "error");
    const char *code = json_str(err, "code"), *message = json_str(err, "message");
    if (code && message)
        snprintf(out, size, "HTTP %d %s: %s", status, code, message);
    else
        snprintf(out, size, "HTTP %d (not a Gavel API answer)", status);
    cJSON_Delete(root);
}

int sv_parse_accepted(const char *body, size_t len, char *id, size_t id_size)
{
    cJSON *root = cJSON_ParseWithLength(body, len);
    const char *v = json_str(root, "id");
    int rc = v && *v && strlen(v) < id_size ? 0 : -1;
    if (rc == 0) gv_strlcpy(id, v, id_size);
    cJSON_Delete(root);
    return rc;
}

/*** Follow state ***/

void sv_state_init(struct sv_state *st)
{
    memset(st, 0, sizeof *st);
    gv_strlcpy(st->status, "queued", sizeof st->status);
}

/* Counts finished tests from a tests[] array; remembers the last one's verdict. */
static void apply_tests(struct sv_state *st, const cJSON *tests)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, tests)
    {
        double n;
        if (json_num(t, "n", &n) == 0 && (long)n > st->done) st->done = (long)n;
        const char *v = json_str(t, "verdict");
        if (v) gv_strlcpy(st->last_verdict, v, sizeof st->last_verdict);
    }
}

static void apply_total(struct sv_state *st, const cJSON *o, const char *key)
{
    double total;
    if (json_num(o, key, &total) == 0 && total >= 0) st->total = (long)total;
}

static void apply_final(struct sv_state *st, const cJSON *o)
{
    const char *v = json_str(o, "verdict");
    gv_strlcpy(st->verdict, v ? v : "JE", sizeof st->verdict);
    gv_strlcpy(st->status, "done", sizeof st->status);
    double x;
    st->time_ms = json_num(o, "time_ms", &x) == 0 ? (long)x : 0;
    st->memory_kib = json_num(o, "memory_kib", &x) == 0 ? (long)x : 0;
    st->has_score = json_num(o, "score", &st->score) == 0;
    apply_total(st, o, "total_tests");
    apply_tests(st, cJSON_GetObjectItemCaseSensitive(o, "tests"));
    const char *co = json_str(o, "compile_output"), *msg = json_str(o, "message");
    gv_strlcpy(st->text, co && *co ? co : msg ? msg : "", sizeof st->text);
    st->final = 1;
}

enum sv_msg sv_state_apply(struct sv_state *st, const char *id, const char *json, size_t len,
                           char *err, size_t err_size)
{
    cJSON *o = cJSON_ParseWithLength(json, len);
    const char *type = json_str(o, "type"), *sub = json_str(o, "submission");
    enum sv_msg rc = SV_MSG_IGNORED;
    double seq = 0;
    if (type && strcmp(type, "error") == 0) {
        const char *m = json_str(o, "message");
        snprintf(err, err_size, "%s", m ? m : "the gateway refused a message");
        rc = SV_MSG_ERROR;
    } else if (!type || !sub || strcmp(sub, id) != 0 || st->final) {
        rc = SV_MSG_IGNORED;
    } else if (json_num(o, "seq", &seq) == 0 && (long long)seq <= st->seq &&
               strcmp(type, "final") != 0) {
        rc = SV_MSG_IGNORED; /* already applied (snapshot after reconnect, or a repeat) */
    } else {
        st->seq = (long long)seq > st->seq ? (long long)seq : st->seq;
        rc = SV_MSG_PROGRESS;
        const char *status = json_str(o, "status");
        if (strcmp(type, "final") == 0) {
            apply_final(st, o);
            rc = SV_MSG_FINAL;
        } else if (strcmp(type, "snapshot") == 0 || strcmp(type, "status") == 0 ||
                   strcmp(type, "tests") == 0) {
            if (status) gv_strlcpy(st->status, status, sizeof st->status);
            apply_total(st, o, "total");
            apply_tests(st, cJSON_GetObjectItemCaseSensitive(o, "tests"));
            if (strcmp(type, "tests") == 0) gv_strlcpy(st->status, "running", sizeof st->status);
        } else {
            rc = SV_MSG_IGNORED;
        }
    }
    cJSON_Delete(o);
    return rc;
}

/*** Lines ***/

void sv_progress_line(const struct sv_state *st, char *out, size_t size)
{
    char bar[SV_BAR_WIDTH + 1];
    long filled = st->total > 0 ? st->done * SV_BAR_WIDTH / st->total : 0;
    if (filled > SV_BAR_WIDTH) filled = SV_BAR_WIDTH;
    for (long i = 0; i < SV_BAR_WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[SV_BAR_WIDTH] = '\0';
    char count[48];
    if (st->total > 0)
        snprintf(count, sizeof count, "%ld/%ld", st->done, st->total);
    else
        snprintf(count, sizeof count, "%ld/?", st->done);
    if (st->last_verdict[0])
        snprintf(out, size, "[%s] %s %s (last %s)", bar, count, st->status, st->last_verdict);
    else
        snprintf(out, size, "[%s] %s %s", bar, count, st->status);
}

void sv_final_line(const struct sv_state *st, char *out, size_t size)
{
    char score[48] = "";
    if (st->has_score) snprintf(score, sizeof score, "  score %g", st->score);
    snprintf(out, size, "%s  %ld/%ld tests  time %ld ms  memory %ld KiB%s", st->verdict, st->done,
             st->total, st->time_ms, st->memory_kib, score);
}
