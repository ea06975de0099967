/*
 * gw_msg.h - what a WebSocket client may say, decoded from the bytes of one text message.
 *
 * DESIGN.md, "WebSocket protocol": {"op":"subscribe","id":"..."} and {"op":"unsubscribe",...}.
 * Anything else gets an {"type":"error",...} reply and the connection stays open: only RFC 6455
 * violations close it. Pure functions, fuzzed together with the handshake.
 */
#ifndef GAVEL_GW_MSG_H
#define GAVEL_GW_MSG_H

#include <stddef.h>

#include "queue.h"

#define GW_MSG_MAX       65536 /* the largest client message (wslay answers 1009 above it) */
#define GW_MSG_ERROR_MAX 256   /* an error reply always fits in this */

enum gw_msg_op { GW_MSG_INVALID, GW_MSG_SUBSCRIBE, GW_MSG_UNSUBSCRIBE };

struct gw_msg {
    enum gw_msg_op op;
    char id[QUEUE_ID_MAX + 1]; /* the submission id, valid per queue_id_valid() */
    const char *error_code;    /* when op == GW_MSG_INVALID: bad_json, bad_op, bad_id, binary */
    const char *error_message; /* a static sentence for people */
};

/* Decodes one client text message. Returns msg->op. */
enum gw_msg_op gw_msg_parse(const char *text, size_t len, struct gw_msg *msg);

/* The error reply for an invalid message (or for `code`/`message` given directly when msg is
 * NULL) into buf; returns its length or -1. */
int gw_msg_error_json(const struct gw_msg *msg, const char *code, const char *message, char *buf,
                      size_t size);

#endif
