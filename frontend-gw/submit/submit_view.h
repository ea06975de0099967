/*
 * submit_view.h - what `gavel submit` understands of the gateway's JSON and how it shows it.
 *
 * Pure functions of bytes and numbers, no I/O: the language guess from GET /api/languages, the
 * error sentence from an API error body, the follow state fed by WebSocket messages (snapshot,
 * status, tests, final; duplicates and stale messages dropped by seq), the progress bar and the
 * final summary. main.c prints what these return; tests/unit/test_submit_view.c tests them.
 */
#ifndef GAVEL_SUBMIT_VIEW_H
#define GAVEL_SUBMIT_VIEW_H

#include <stddef.h>

#define SV_LINE_MAX    512 /* one printed line (bar, summary, error) */
#define SV_STATUS_MAX  16  /* "queued", "compiling", "running", "done" */
#define SV_VERDICT_MAX 8
#define SV_BAR_WIDTH   30   /* cells of the progress bar */
#define SV_TEXT_MAX    4096 /* compile output or judge message kept for the summary */

/* Picks the language id for a file name from the body of GET /api/languages (its "extensions"
 * lists): exact extension match first, then case-insensitive. Returns 0 with id filled, -1 when
 * nothing matches (why filled with a sentence listing the known extensions). */
int sv_guess_language(const char *languages_json, size_t len, const char *file, char *id,
                      size_t id_size, char *why, size_t why_size);

/* A sentence for a failed API call: "HTTP 404 not_found: unknown problem" from the error body,
 * or the status alone when the body is not ours. */
void sv_api_error(int status, const char *body, size_t len, char *out, size_t size);

/* The submission id from the body of a 202 answer; 0 or -1. */
int sv_parse_accepted(const char *body, size_t len, char *id, size_t id_size);

/* What the client knows of the followed submission. */
struct sv_state {
    long long seq; /* last applied message's seq */
    char status[SV_STATUS_MAX];
    long total;                        /* tests in all (0 until known) */
    long done;                         /* tests finished */
    char last_verdict[SV_VERDICT_MAX]; /* of the last finished test */
    int final;                         /* a final arrived */
    char verdict[SV_VERDICT_MAX];      /* its verdict */
    long time_ms, memory_kib;
    double score; /* when has_score */
    int has_score;
    char text[SV_TEXT_MAX]; /* compile output (CE) or message (JE), may be empty */
};

enum sv_msg {
    SV_MSG_IGNORED,  /* another submission, an old seq, or not ours */
    SV_MSG_PROGRESS, /* status or tests changed */
    SV_MSG_FINAL,    /* the final arrived (st->final set) */
    SV_MSG_ERROR,    /* {"type":"error",...}: message copied to err */
};

/* Starts an empty state. */
void sv_state_init(struct sv_state *st);

/* Applies one WebSocket text message about submission `id`. */
enum sv_msg sv_state_apply(struct sv_state *st, const char *id, const char *json, size_t len,
                           char *err, size_t err_size);

/* The progress line: "[#######.......]  7/12 running (last AC)". */
void sv_progress_line(const struct sv_state *st, char *out, size_t size);

/* The final summary: "AC  12/12 tests  time 15 ms  memory 556 KiB". */
void sv_final_line(const struct sv_state *st, char *out, size_t size);

#endif
