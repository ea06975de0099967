/*
 * ws_guard.h - a streaming check of client frame headers, ahead of wslay.
 *
 * wslay enforces most of RFC 6455 but, when its frame layer rejects a header (a control frame
 * over 125 bytes or fragmented, a non-minimal length), it closes without a status code, and it
 * takes a one-byte close payload as "no status". The guard sees every byte before wslay does and
 * names the first frame that breaks a rule, so the connection is failed with 1002 as the RFC asks.
 */
#ifndef GAVEL_WS_GUARD_H
#define GAVEL_WS_GUARD_H

#include <stddef.h>
#include <stdint.h>

struct ws_guard {
    uint8_t head[14]; /* the header being collected */
    size_t head_len;  /* bytes of it so far */
    uint64_t remaining; /* payload bytes still to skip */
    int failed;         /* a violation was found: everything after it is refused */
    int in_message;     /* inside a fragmented data message (a frame without FIN was seen) */
    const char *reason; /* why, for the log */
};

/* Starts a guard for a new connection. */
void ws_guard_init(struct ws_guard *g);

/* Feeds len bytes. Returns how many of them may go on to wslay: len when all is well, else the
 * offset where the first bad frame starts (g->failed set; the caller fails the connection with
 * 1002 after handing over that prefix). */
size_t ws_guard_feed(struct ws_guard *g, const uint8_t *data, size_t len);

/* 1 when the stream is between frames and outside a fragmented message: nothing of the client's
 * state would be lost by forgetting the parser (ws_conn frees wslay's context then). */
int ws_guard_at_rest(const struct ws_guard *g);

#define WS_FRAME_HEADER_MAX 10 /* an unmasked server frame header */

/* Writes the header of an unmasked, final server frame (opcode, payload length) into out;
 * returns its length (2, 4 or 10). */
size_t ws_frame_header(uint8_t out[WS_FRAME_HEADER_MAX], int opcode, uint64_t len);

#endif
